"""Admin for money: the "Finances" menu (the pledge ledger with offline gifts, sponsors and
matching offers), each campaign's money report with its CSV and XLSX exports, "Change the terms" of a
campaign (`payments.admin_views`), the dashboard panel, and the Stripe Connect payout-account
hooks (`payments.connect`).

Who sees what (groups in `coupdepouce/editorial.py`): `payments.view_pledge` gives the money
report, its CSV and the dashboard panel: figures. Backers' names, emails and messages need
`payments.view_backer_data` as well (`reports.can_see_backers`, the Finances group): the CSV
has them only then, and the pledge ledger (list, exports, forms, history) is only theirs.

Statuses of online pledges only change through `payments.services`: the pledge form shows
them read-only, and they cannot be deleted from the admin. Listings offer no bulk "Delete" to
whom deletion is refused (`RefusedBulkDeleteMixin`).
"""

from collections import OrderedDict

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn, Column
from wagtail.admin.widgets import Button
from wagtail.log_actions import LogFormatter
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView as SnippetIndexView
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from coupdepouce.exports import FrenchSpreadsheetMixin
from coupdepouce.money import format_euros
from payments import (
    admin_views,
    connect,  # noqa: F401 — registers the payout-account button, views and publication check
    matching,
    personal_data,  # noqa: F401 — registers the personal-data export and erasure hooks
    reports,
    services,
    terms,
)
from payments.interface import campaign_model
from payments.models import MatchingOffer, Pledge, Sponsor
from payments.rules import PledgeStatus

REPORT_PERMISSION = admin_views.REPORT_PERMISSION
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Pledges and offline gifts ------------------------------------------------------------------

OFFLINE_SOURCES = [choice for choice in Pledge.Source.choices if choice[0] != Pledge.Source.ONLINE]
# Fields fixed once an offline gift is recorded (matching was allocated on these).
FIXED_AFTER_CREATE = ("campaign", "amount_cents", "reward", "status", "source")


class PledgeAdminForm(WagtailAdminModelForm):
    """Creates offline gifts (paid at once); never lets a status be edited by hand.

    - New rows are offline gifts: source cheque, transfer or cash; status paid.
    - Existing offline gifts: the backer's details can be corrected, not the money.
    - Online pledges are read-only: only the payment services change them.
    Disabled fields ignore whatever is posted, so this holds even for a forged request.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        creating = self.instance.pk is None
        if "source" in self.fields:
            if creating or self.instance.source != Pledge.Source.ONLINE:
                self.fields["source"].choices = OFFLINE_SOURCES
            if creating:
                self.initial.setdefault("source", Pledge.Source.CHEQUE)
        if "status" in self.fields:
            self.fields["status"].disabled = True
            if creating:
                self.initial["status"] = PledgeStatus.PAID
                self.fields["status"].help_text = _("Offline gifts are recorded as paid.")
        if creating:
            return
        online = self.instance.source == Pledge.Source.ONLINE
        for name, field in self.fields.items():
            if online or name in FIXED_AFTER_CREATE:
                field.disabled = True
        if online:
            self.fields["campaign"].help_text = _(
                "Online pledge: read-only. Its status changes only through the payment flow."
            )

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            if cleaned.get("source") == Pledge.Source.ONLINE:
                self.add_error("source", _("Online pledges are made by backers, not recorded here."))
            cleaned["status"] = PledgeStatus.PAID
        if cleaned.get("wants_receipt"):
            # The same address rule as the pledge form; the receipts app issues the receipt once
            # paid if the campaign offers receipts and the reward keeps the gift eligible.
            for name, message in services.receipt_address_errors().items():
                if not (cleaned.get(name) or "").strip():
                    self.add_error(name, message)
        return cleaned


class PledgePermissionPolicy(ModelPermissionPolicy):
    """Every row of the ledger names a backer: each pledge view (list, search, exports, forms,
    history) also needs `payments.view_backer_data` (`reports.can_see_backers`)."""

    def user_has_permission(self, user, action):
        return super().user_has_permission(user, action) and reports.can_see_backers(user)

    def users_with_any_permission(self, actions):
        codename = reports.BACKER_DATA_PERMISSION.split(".")[1]
        allowed = self._get_users_with_any_permission_codenames([codename])
        return super().users_with_any_permission(actions).filter(pk__in=allowed.values("pk"))


register_permission_policy(Pledge, PledgePermissionPolicy(Pledge), exact_class=True)


class RefusedBulkDeleteMixin:
    """For a snippet listing: no "Delete" bulk action for a user who may not delete (it would be
    refused). Delete is the only bulk action of snippets, so the checkboxes and the bulk-actions
    footer go too (`payments/admin/snippet_index.html`)."""

    @cached_property
    def can_bulk_delete(self):
        return self.permission_policy.user_has_permission(self.request.user, "delete")

    @cached_property
    def columns(self):
        columns = super().columns
        if self.can_bulk_delete:
            return columns
        return [column for column in columns if not isinstance(column, BulkActionsCheckboxColumn)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_bulk_delete"] = self.can_bulk_delete
        return context


class PledgeIndexView(RefusedBulkDeleteMixin, FrenchSpreadsheetMixin, SnippetIndexView):
    """The ledger's list. Its exports have the money report's pledge columns and values
    (`reports.pledge_row`), in French formats that cannot run formulas (`coupdepouce.exports`)."""

    # Labels of the listing's computed columns (properties have no verbose name).
    column_labels = {"display_name": _("Backer"), "amount_display": _("Amount")}
    column_sort_keys = {"amount_display": "amount_cents"}

    @cached_property
    def columns(self):
        columns = super().columns
        for column in columns:
            if column.name in self.column_labels:
                column.label = self.column_labels[column.name]
            if column.name in self.column_sort_keys:
                column.sort_key = self.column_sort_keys[column.name]
        return columns

    def to_row_dict(self, item):
        values = reports.pledge_row(item)
        return OrderedDict((name, values[name]) for name in self.list_export)


class PledgeViewSet(SnippetViewSet):
    """The ledger. Finance officers record offline gifts (cheque, transfer, cash) here."""

    model = Pledge
    index_view_class = PledgeIndexView
    index_template_name = "payments/admin/snippet_index.html"
    icon = "doc-full-inverse"
    menu_label = _("Pledges")
    list_display = ["display_name", "campaign", "amount_display", "status", "source", "created_at"]
    list_filter = ["status", "source", "campaign"]
    search_fields = ["backer_name", "backer_email", "public_name"]
    # The money report's pledge columns (the ledger is only for those who see backers' data).
    list_export = reports.pledge_columns(backers=True)
    export_headings = reports.PLEDGE_COLUMNS
    export_filename = "pledges"
    panels = [
        FieldPanel("campaign"),
        FieldRowPanel([FieldPanel("amount_cents"), FieldPanel("reward")]),
        FieldRowPanel([FieldPanel("status"), FieldPanel("source")]),
        MultiFieldPanel(
            [
                FieldPanel("backer_name"),
                FieldPanel("backer_email"),
                FieldPanel("public_name"),
                FieldRowPanel([FieldPanel("anonymous"), FieldPanel("show_amount")]),
                FieldPanel("message"),
            ],
            heading=_("Backer"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("wants_receipt"),
                FieldPanel("donor_street"),
                FieldRowPanel([FieldPanel("donor_postal_code"), FieldPanel("donor_city")]),
                FieldPanel("donor_country"),
            ],
            heading=_("Tax receipt"),
            help_text=_(
                "Issued once the gift is paid, when its campaign offers tax receipts; the backer name must be the "
                "donor's full name."
            ),
        ),
    ]
    edit_handler = ObjectList(panels, base_form_class=PledgeAdminForm)

    def get_queryset(self, request):
        return reports.with_matched(Pledge.objects.select_related("campaign"))


@hooks.register("after_create_snippet")
def record_offline_gift(request, instance):
    """An offline gift entered in the admin: paid now, recorded by the officer, matched."""
    if not isinstance(instance, Pledge) or instance.source == Pledge.Source.ONLINE:
        return None
    instance.recorded_by = request.user
    instance.funding_model = instance.campaign.funding_model
    if instance.status == PledgeStatus.PAID and not instance.paid_at:
        instance.paid_at = timezone.now()
    instance.save(update_fields=["recorded_by", "funding_model", "paid_at", "updated_at"])
    services.record_offline_gift(instance, request.user)
    return None


@hooks.register("before_delete_snippet")
def keep_online_pledges(request, instances):
    """Online pledges are the ledger of real payments: the admin never deletes them."""
    if any(isinstance(obj, Pledge) and obj.source == Pledge.Source.ONLINE for obj in instances):
        messages.error(request, _("Online pledges cannot be deleted; cancel or refund them through payments."))
        return redirect(Pledge.snippet_viewset.get_url_name("list"))
    return None


# Sponsors and matching -----------------------------------------------------------------------


class SponsorIndexView(RefusedBulkDeleteMixin, SnippetIndexView):
    pass


class SponsorViewSet(SnippetViewSet):
    model = Sponsor
    index_view_class = SponsorIndexView
    index_template_name = "payments/admin/snippet_index.html"
    icon = "group"
    menu_label = _("Sponsors")
    list_display = ["name", "url"]
    search_fields = ["name"]


class EnvelopeColumn(Column):
    """Spent / left of an offer's envelope, from the `spent_cents` annotation (no query per row)."""

    def get_value(self, instance):
        if hasattr(instance, "spent_cents"):
            spent = instance.spent_cents
            left = max(instance.envelope_cents - spent, 0)
        else:
            spent, left = matching.offer_usage(instance)
        return _("%(spent)s spent, %(left)s left of %(envelope)s") % {
            "spent": format_euros(spent),
            "left": format_euros(left),
            "envelope": format_euros(instance.envelope_cents),
        }


class MatchingOfferIndexView(RefusedBulkDeleteMixin, SnippetIndexView):
    pass


class MatchingOfferViewSet(SnippetViewSet):
    model = MatchingOffer
    index_view_class = MatchingOfferIndexView
    index_template_name = "payments/admin/snippet_index.html"
    icon = "pick"
    menu_label = _("Matching offers")
    list_display = ["__str__", "scope", "ratio", EnvelopeColumn("envelope", label=_("Envelope")), "active"]
    list_filter = ["scope", "active", "sponsor"]

    def get_queryset(self, request):
        return reports.with_envelope_usage(
            MatchingOffer.objects.select_related("sponsor", "campaign", "theme", "call")
        ).order_by("pk")


class MoneyGroup(SnippetViewSetGroup):
    menu_label = _("Finances")
    menu_icon = "doc-full-inverse"
    menu_order = 160
    items = (PledgeViewSet, SponsorViewSet, MatchingOfferViewSet)


register_snippet(MoneyGroup)


# Campaign money report -------------------------------------------------------------------------


def _campaign_for_report(request, pk):
    if not request.user.has_perm(REPORT_PERMISSION):
        raise PermissionDenied
    return get_object_or_404(campaign_model(), pk=pk)


def campaign_report_view(request, pk):
    campaign = _campaign_for_report(request, pk)
    report = reports.campaign_report(campaign)
    can_change_terms = request.user.has_perm(terms.PERMISSION)
    return TemplateResponse(
        request,
        "payments/admin/campaign_report.html",
        {
            "report": report,
            "campaign": report.campaign,
            "page_title": _("Money report"),
            "page_subtitle": report.campaign.title,
            "header_title": f"{_('Money report')}: {report.campaign.title}",
            "header_icon": "doc-full-inverse",
            "csv_url": reverse("payments_campaign_report_csv", args=[report.campaign.pk]),
            "xlsx_url": reverse("payments_campaign_report_xlsx", args=[report.campaign.pk]),
            "csv_has_backers": reports.can_see_backers(request.user),
            "terms_url": reverse("payments_campaign_terms", args=[report.campaign.pk]) if can_change_terms else "",
        },
    )


def _report_export(request, pk, *, extension, content_type, build):
    campaign = services.canonical_campaign(_campaign_for_report(request, pk))
    content = build(campaign, backers=reports.can_see_backers(request.user))
    if isinstance(content, str):
        content = content.encode("utf-8")
    response = HttpResponse(content, content_type=content_type)
    name = slugify(campaign.slug or campaign.title) or str(campaign.pk)
    response["Content-Disposition"] = f'attachment; filename="pledges-{name}.{extension}"'
    return response


def campaign_report_csv(request, pk):
    return _report_export(
        request, pk, extension="csv", content_type="text/csv; charset=utf-8", build=reports.pledges_csv
    )


def campaign_report_xlsx(request, pk):
    return _report_export(request, pk, extension="xlsx", content_type=XLSX_CONTENT_TYPE, build=reports.pledges_xlsx)


@hooks.register("register_admin_urls")
def register_report_urls():
    return [
        path("campaign-report/<int:pk>/", campaign_report_view, name="payments_campaign_report"),
        path("campaign-report/<int:pk>/pledges.csv", campaign_report_csv, name="payments_campaign_report_csv"),
        path("campaign-report/<int:pk>/pledges.xlsx", campaign_report_xlsx, name="payments_campaign_report_xlsx"),
        path("campaign-terms/<int:pk>/", admin_views.campaign_terms_view, name="payments_campaign_terms"),
        path("campaign-reports/", admin_views.CampaignReportsView.as_view(), name="payments_campaign_reports"),
        path(
            "campaign-reports/results/",
            admin_views.CampaignReportsView.as_view(results_only=True),
            name="payments_campaign_reports_results",
        ),
    ]


class CampaignReportsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(REPORT_PERMISSION)


@hooks.register("register_reports_menu_item")
def register_campaign_reports_menu_item():
    return CampaignReportsMenuItem(
        _("Campaign money reports"),
        reverse("payments_campaign_reports"),
        name="campaign-money-reports",
        icon_name="doc-full-inverse",
        order=150,
    )


@hooks.register("register_page_header_buttons")
def campaign_terms_button(page, user, view_name, next_url=None):
    """The "Change the terms" button in a campaign's editor header, for the Finances group."""
    if not isinstance(page.specific_deferred, campaign_model()) or not user.has_perm(terms.PERMISSION):
        return
    url = reverse("payments_campaign_terms", args=[page.pk])
    yield Button(_("Change the terms"), url, icon_name="edit", priority=85)


@hooks.register("register_log_actions")
def register_terms_log_action(actions):
    @actions.register_action(terms.LOG_ACTION)
    class CampaignTermsChanged(LogFormatter):
        label = _("Change campaign terms")

        def format_message(self, log_entry):
            model = campaign_model()
            names = []
            for name in (log_entry.data or {}).get("changes", {}):
                try:
                    names.append(str(model._meta.get_field(name).verbose_name))
                except FieldDoesNotExist:  # a field renamed since: show its old name
                    names.append(name)
            return _("Campaign terms changed: %(fields)s") % {"fields": ", ".join(names)}

        def format_comment(self, log_entry):
            return (log_entry.data or {}).get("reason", "")


# Dashboard ---------------------------------------------------------------------------------------


class MoneyDashboardPanel(Component):
    """Live campaigns with their amounts, and what was raised this month (three queries)."""

    name = "money"
    template_name = "payments/admin/dashboard_panel.html"
    order = 110

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context.update(reports.dashboard())
        return context


@hooks.register("construct_homepage_panels")
def add_money_panel(request, panels):
    if request.user.has_perm(REPORT_PERMISSION):
        panels.append(MoneyDashboardPanel())
