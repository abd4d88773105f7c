"""Money views of the admin that are more than a report page:

- `CampaignReportsView` (Reports > Campaign money reports): every campaign with its status,
  amount raised and end, linked to its money report and, for the Finances group, to "Change
  the terms". The Finances group has no page permissions, so this is its way to any campaign.
- `campaign_terms_view`, "Change the terms" of a campaign, for the Finances group.

Once a campaign has pledges, its goal, funding model and dates are locked in the page editor
(`payments.terms.lock_errors`). A user with `payments.change_campaign_terms` changes them
here, giving a reason; `payments.terms.change_terms` applies the change to every translation
and writes it in the page's history. This view only shows the form and the result.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.admin.widgets import AdminDateTimeInput
from wagtail.models import Locale

from coupdepouce.money import format_euros
from payments import ledger, services, terms
from payments.interface import campaign_model
from payments.rules import CampaignStatus

# Money figures of campaigns (reports, their CSV without backers, the dashboard panel).
REPORT_PERMISSION = "payments.view_pledge"


class CampaignReportsView(ReportView):
    """Every campaign (its canonical page) with its figures, in one query (`ledger.with_figures`)."""

    page_title = gettext_lazy("Campaign money reports")
    header_icon = "doc-full-inverse"
    index_url_name = "payments_campaign_reports"
    index_results_url_name = "payments_campaign_reports_results"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(REPORT_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        campaigns = campaign_model().objects.filter(locale=Locale.get_default())
        return ledger.with_figures(campaigns).order_by("-end_at", "pk")

    @cached_property
    def columns(self):
        can_change_terms = self.request.user.has_perm(terms.PERMISSION)
        columns = [
            TitleColumn(
                "title",
                label=_("Campaign"),
                get_url=lambda campaign: reverse("payments_campaign_report", args=[campaign.pk]),
            ),
            Column(
                "status",
                label=_("Status"),
                accessor=lambda campaign: CampaignStatus(ledger.campaign_figures(campaign).status).label,
            ),
            Column("raised", label=_("Raised"), accessor=_raised),
            DateColumn("end_at", label=_("Ends")),
        ]
        if can_change_terms:
            columns.append(
                TitleColumn(
                    "terms",
                    label=_("Terms"),
                    accessor=lambda campaign: _("Change the terms"),
                    get_url=lambda campaign: reverse("payments_campaign_terms", args=[campaign.pk]),
                )
            )
        return columns


def _raised(campaign):
    figures = ledger.campaign_figures(campaign)
    return f"{format_euros(figures.raised_cents)} / {format_euros(figures.goal_cents)} ({figures.percent} %)"


class CampaignTermsForm(forms.Form):
    """The campaign model's own term fields (labels, choices, validators), and a reason."""

    reason = forms.CharField(
        label=gettext_lazy("Reason for the change"),
        help_text=gettext_lazy("Kept in the campaign's history with the change."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,  # `payments.terms` refuses an empty reason with its own message
    )

    def __init__(self, *args, campaign, **kwargs):
        kwargs.setdefault("initial", {name: getattr(campaign, name) for name in terms.TERMS_FIELDS})
        super().__init__(*args, **kwargs)
        model = type(campaign)
        fields = {}
        for name in terms.TERMS_FIELDS:
            model_field = model._meta.get_field(name)
            widget = AdminDateTimeInput() if name in terms.DATE_FIELDS else None
            fields[name] = model_field.formfield(widget=widget) if widget else model_field.formfield()
        self.fields = {**fields, "reason": self.fields["reason"]}

    def add_errors(self, errors):
        for field, message in errors:
            self.add_error(field if field in self.fields else None, message)


def campaign_terms_view(request, pk):
    if not request.user.has_perm(terms.PERMISSION):
        raise PermissionDenied
    campaign = services.canonical_campaign(get_object_or_404(campaign_model(), pk=pk))
    form = CampaignTermsForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in terms.TERMS_FIELDS}
        try:
            terms.change_terms(campaign, values, reason=form.cleaned_data["reason"], user=request.user)
        except terms.TermsError as error:
            form.add_errors(error.errors)
        else:
            messages.success(request, _("The campaign's terms were changed; the change is in its history."))
            return redirect("payments_campaign_report", campaign.pk)
    return TemplateResponse(
        request,
        "payments/admin/campaign_terms.html",
        {
            "form": form,
            "campaign": campaign,
            "has_pledges": terms.has_pledges(campaign),
            "has_ended": terms.has_ended(campaign),
            "media": form.media,
            "action_url": reverse("payments_campaign_terms", args=[campaign.pk]),
            "submit_button_label": _("Change the terms"),
            "submit_button_active_label": _("Changing…"),
            "page_title": _("Change the terms"),
            "page_subtitle": campaign.title,
            "header_title": f"{_('Change the terms')}: {campaign.title}",
            "header_icon": "doc-full-inverse",
            "report_url": reverse("payments_campaign_report", args=[campaign.pk]),
        },
    )


__all__ = ["REPORT_PERMISSION", "CampaignReportsView", "CampaignTermsForm", "campaign_terms_view"]
