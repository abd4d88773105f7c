"""Staff views of offers of help ("Aide en nature") in the Wagtail admin, on Wagtail's generic views.

- `HelpOfferIndexView`: the list (campaign, need, name, quantity, status, estimated value,
  date), filtered by status and by campaign (every translation of it).
- `HelpOfferInspectView`: the offer as it was sent, and the answer form (`forms.AnswerForm`):
  accept (with an estimated value) or decline, with a message; it calls `services.accept` /
  `services.decline`, which email the offerer. Answering needs `offers.change_helpoffer`.

Staff never create an offer nor change what its author wrote: there is no add, edit or
delete view (`wagtail_hooks.HelpOfferViewSet`).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import ChoiceFilter, ModelChoiceFilter
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.models import Locale

from coupdepouce.money import format_euros
from offers import services
from offers.emails import ADMIN_NAMESPACE
from offers.forms import AnswerForm
from offers.models import HelpOffer
from payments.interface import campaign_model

Status = HelpOffer.Status


def default_language_campaigns(request=None):
    return campaign_model().objects.filter(locale=Locale.get_default()).order_by("title")


class HelpOfferFilterSet(WagtailFilterSet):
    status = ChoiceFilter(label=gettext_lazy("Status"), choices=Status.choices)
    campaign = ModelChoiceFilter(
        label=gettext_lazy("Campaign"), queryset=default_language_campaigns, method="filter_campaign"
    )

    class Meta:
        model = HelpOffer
        fields = ["status", "campaign"]

    def filter_campaign(self, queryset, name, value):
        """Offers made on every translation of the chosen campaign."""
        return queryset.filter(campaign__translation_key=value.translation_key) if value else queryset


class ValueColumn(Column):
    def get_value(self, instance):
        return format_euros(instance.estimated_value_cents) or "—"


class HelpOfferIndexView(IndexView):
    def get_base_queryset(self):
        return HelpOffer.objects.select_related("campaign").order_by("-created_at", "-pk")

    @cached_property
    def columns(self):
        return [
            self._get_title_column("name", column_class=TitleColumn),
            Column("campaign", label=_("Campaign"), accessor="campaign.title", sort_key="campaign__title"),
            Column("need_label", label=_("Need"), sort_key="need_label"),
            Column("quantity", label=_("Quantity"), sort_key="quantity"),
            Column("status", label=_("Status"), accessor="get_status_display", sort_key="status"),
            ValueColumn("estimated_value", label=_("Estimated value"), sort_key="estimated_value_cents"),
            DateColumn("created_at", label=_("Received"), sort_key="created_at"),
        ]


INSPECT_FIELDS = [
    "campaign",
    "need_label",
    "quantity",
    "offer",
    "availability",
    "name",
    "email",
    "phone",
    "language",
    "created_at",
    "status",
    "response",
    "estimated_value_cents",
    "decided_by",
    "decided_at",
]


class HelpOfferInspectView(InspectView):
    """One offer and, while it awaits an answer, the form to accept or decline it."""

    template_name = "offers/admin/offer_inspect.html"
    fields = INSPECT_FIELDS

    def get_object(self, queryset=None):
        return get_object_or_404(HelpOffer.objects.select_related("campaign", "decided_by"), pk=self.pk)

    def get_page_subtitle(self):
        return str(self.object)

    def get_field_label(self, field_name, field):
        labels = {
            "language": _("Language"),
            "decided_by": _("Answered by"),
            "estimated_value_cents": _("Estimated value"),
        }
        return labels.get(field_name) or super().get_field_label(field_name, field)

    def get_estimated_value_cents_display_value(self):
        return format_euros(self.object.estimated_value_cents) or "—"

    def get_created_at_display_value(self):
        return timezone.localtime(self.object.created_at).strftime("%d/%m/%Y %H:%M")

    def get_decided_at_display_value(self):
        value = self.object.decided_at
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else "—"

    def get_decided_by_display_value(self):
        return str(self.object.decided_by) if self.object.decided_by else "—"

    @cached_property
    def can_answer(self):
        return self.user_has_permission("change") and self.object.status == Status.PENDING

    def post(self, request, *args, **kwargs):
        if not self.user_has_permission("change"):
            raise PermissionDenied
        self.form = AnswerForm(request.POST, prefix="answer")
        if self.form.is_valid():
            try:
                offer = self.form.apply(self.object, by=request.user)
            except services.OfferError as error:
                messages.error(request, error.message)
                return redirect(request.path)
            messages.success(
                request,
                _("Answer recorded: %(status)s. The person who offered help is told by email.")
                % {"status": offer.get_status_display()},
            )
            return redirect(request.path)
        return self.render_to_response(self.get_context_data(**kwargs))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["offer"] = self.object
        context["can_answer"] = self.can_answer
        context["is_pending"] = self.object.status == Status.PENDING
        context["form"] = getattr(self, "form", None) or AnswerForm(prefix="answer")
        context["index_url_name"] = f"{ADMIN_NAMESPACE}:index"
        return context
