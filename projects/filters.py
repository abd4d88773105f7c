"""Filters and sort of the project index (django-filter: plain GET forms, no JavaScript needed).

Choices are scoped to the site being browsed: its themes (under its home page, in the
active language) and its territories.
"""

import django_filters
from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coupdepouce.pages import content_cached
from payments import ledger
from payments.rules import CampaignStatus
from projects.cards import attach_cards, need_model

SORT_CHOICES = [("ending", _("Ending soon")), ("newest", _("Newest")), ("funded", _("Most funded"))]
DEFAULT_SORT = "ending"


class CampaignFilter(django_filters.FilterSet):
    theme = django_filters.ChoiceFilter(label=_("Theme"), method="filter_theme", empty_label=_("All themes"))
    territory = django_filters.ChoiceFilter(
        label=_("Territory"), method="filter_territory", empty_label=_("All territories")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=CampaignStatus.choices, method="filter_status", empty_label=_("All statuses")
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        method="sort_by",
        empty_label=None,
        choices=SORT_CHOICES,
    )

    def __init__(self, data=None, *, queryset, home, listing, **kwargs):
        """`queryset`: the live campaigns of the index; `home`: the home page of the site being
        browsed; `listing`: the page that lists them (its cards are kept with it, `attach_cards`)."""
        self.now = timezone.now()
        self.home = home
        self.listing = listing
        # The campaign model names its theme and territory models: this module needs no model import.
        self.theme_model = queryset.model._meta.get_field("themes").related_model
        self.territory_model = queryset.model._meta.get_field("territory").related_model
        data = data.copy() if data is not None else {}
        if data.get("sort") not in dict(SORT_CHOICES):
            # No sort, or one that is not offered (hand-edited URL): the default order.
            data["sort"] = DEFAULT_SORT
        queryset = queryset.select_related("hero_image", "territory")
        if data.get("sort") == "funded" or data.get("status"):
            # Sorted or filtered on the figures: the database computes them for every campaign.
            queryset = ledger.with_figures(queryset)
        super().__init__(data, queryset=queryset, **kwargs)
        # The choices change only with the site's pages and territories: cached until they do.
        choices = content_cached("index-choices", [home.pk], self._choices) if home.pk else self._choices()
        self.filters["theme"].extra["choices"] = choices["theme"]
        self.filters["territory"].extra["choices"] = choices["territory"]

    def _choices(self):
        return {
            "theme": [(t.slug, t.title) for t in self._themes().only("slug", "title").order_by("path")],
            "territory": [(t.slug, t.name) for t in self._territories().only("slug", "name")],
        }

    def _themes(self):
        return self.theme_model.objects.live().descendant_of(self.home)

    def _territories(self):
        return self.territory_model.objects.for_site(self.home.get_site()).filter(locale_id=self.home.locale_id)

    def filter_theme(self, queryset, name, value):
        keys = self._themes().filter(slug=value).values("translation_key")
        return queryset.filter(themes__translation_key__in=keys).distinct()

    def filter_territory(self, queryset, name, value):
        keys = self._territories().filter(slug=value).values("translation_key")
        return queryset.filter(territory__translation_key__in=keys)

    def filter_status(self, queryset, name, value):
        return ledger.filter_status(queryset, value, now=self.now)

    def sort_by(self, queryset, name, value):
        if value == "newest":
            return queryset.order_by("-start_at", "-pk")
        if value == "funded":
            return queryset.order_by("-raised_cents", "end_at", "pk")
        # Ending soon: live campaigns first by end date, then the rest, most recent first.
        live_first = Case(When(end_at__gt=self.now, then=Value(0)), default=Value(1), output_field=IntegerField())
        # End date of live (and upcoming) campaigns; NULL, hence equal, for ended ones,
        # which then fall through to the most recent end first.
        live_end = Case(When(end_at__gt=self.now, then=F("end_at")), default=None)
        return queryset.annotate(_ended=live_first, _live_end=live_end).order_by("_ended", "_live_end", "-end_at", "pk")

    def paginate(self, page_number, per_page):
        """The page of campaigns with what their cards show: figures (`payments.ledger`) and in-kind
        needs' progress, read for the whole page at once (`projects.cards.attach_cards`)."""
        page = Paginator(self.qs, per_page).get_page(page_number)
        page.object_list = campaigns = list(page.object_list)
        attach_cards(self.listing, campaigns, need_model(self.queryset))
        return page
