"""Thématiques: ThemeIndexPage → ThemePage."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from calls.models import CallForProjectsPage
from coupdepouce.blocks import BodyBlock
from coupdepouce.colours import validate_readable_background
from coupdepouce.pages import CachedPageMixin, home_of, published_content
from projects.cards import attach_cards
from projects.feeds import NewsFeed
from projects.models import CampaignPage, InKindNeed


class ThemeIndexPage(CachedPageMixin, Page):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["themes.ThemePage"]
    max_count_per_parent = 1
    template = "themes/theme_index_page.html"

    class Meta:
        verbose_name = _("theme index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["themes"] = ThemePage.objects.live().child_of(self).select_related("image")
        return context


class ThemePage(CachedPageMixin, RoutablePageMixin, Page):
    """A thématique: its colour or pictogram, intro, body, campaigns and calls; `rss/` is the feed
    of its campaigns and their updates."""

    class Pictogram(models.TextChoices):
        FOOD = "food", _("Food")
        MOBILITY = "mobility", _("Mobility")
        CULTURE = "culture", _("Culture")
        SOLIDARITY = "solidarity", _("Solidarity")
        NATURE = "nature", _("Nature")
        DIGITAL = "digital", _("Digital")
        OTHER = "other", _("Other")

    colour = models.CharField(
        _("colour"),
        max_length=7,
        default="#1f5fa8",
        validators=[
            RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour like #1f5fa8.")),
            validate_readable_background,
        ],
        help_text=_(
            "Background of the theme's tiles, tags and header, like #1f5fa8. Their text is white or black, "
            "whichever reads better; a colour on which neither reaches a contrast of 4.5:1 is refused."
        ),
    )
    pictogram = models.CharField(_("pictogram"), max_length=20, choices=Pictogram.choices, default=Pictogram.OTHER)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    intro = models.TextField(_("introduction"), max_length=500)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("colour"), FieldPanel("pictogram")]), FieldPanel("image")],
            heading=_("Appearance"),
        ),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]

    parent_page_types = ["themes.ThemeIndexPage"]
    subpage_types = []
    template = "themes/theme_page.html"
    past_limit = 6
    # What the page's template reads of its foreign keys, fetched with the page when it is served
    # (`coupdepouce.pages.route_by_url_path`).
    serve_select_related = ("image",)

    class Meta:
        verbose_name = _("theme")

    def theme_campaigns(self):
        """Live campaigns of this theme on this site, in this page's language."""
        return (
            CampaignPage.objects.live()
            .filter(path__startswith=home_of(self), locale_id=self.locale_id)
            .filter(themes__translation_key=self.translation_key)
            .distinct()
        )

    @path("rss/", name="rss")
    def rss(self, request):
        """New campaigns of this theme (on this site, in this language) and their updates."""
        return NewsFeed()(
            request,
            campaigns=self.theme_campaigns(),
            title=_("%(theme)s: new campaigns and news") % {"theme": self.title},
            link_page=self,
            description=self.intro,
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        live_ids, past_ids = self._campaign_ids(request, timezone.now())
        pages = CampaignPage.objects.filter(pk__in=[*live_ids, *past_ids]).select_related("hero_image", "territory")
        by_pk = {page.pk: page for page in pages}
        context["live_campaigns"] = live = [by_pk[pk] for pk in live_ids if pk in by_pk]
        context["past_campaigns"] = past = [by_pk[pk] for pk in past_ids if pk in by_pk]
        # The figures and in-kind needs of every card (`projects.cards.attach_cards`).
        attach_cards(self, [*live, *past], InKindNeed)
        # The theme's calls change only when a page is published: cached until one is.
        context["calls"] = published_content(self, request, "theme-calls", self.theme_calls)
        return context

    def _campaign_ids(self, request, now):
        """(live, past): the ids of the campaigns under way, ending first (at most 12), and of the
        ended ones, latest first (at most `past_limit`). Which campaigns the theme has, and their
        end dates, change only when a page is published: read once (`published_content`), then split
        by the clock on each view, so the cards are fetched by id, with no join on the themes."""

        def ends():
            return list(self.theme_campaigns().order_by().values_list("end_at", "pk"))

        campaigns = published_content(self, request, "theme-campaigns", ends)
        live = sorted((end_at, pk) for end_at, pk in campaigns if end_at > now)[:12]
        past = sorted((c for c in campaigns if c[0] <= now), key=lambda c: (-c[0].timestamp(), c[1]))
        return [pk for _end, pk in live], [pk for _end, pk in past[: self.past_limit]]

    def theme_calls(self):
        return list(
            CallForProjectsPage.objects.live()
            .filter(path__startswith=home_of(self), locale_id=self.locale_id)
            .filter(themes__translation_key=self.translation_key)
            .distinct()
            .order_by("-closes_at")[:6]
        )
