"""Admin for campaigns: a flat campaign listing with status, raised amount and a link to each
campaign's money report (in payments), and territories."""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.pages.listing import IndexView as PageIndexView
from wagtail.admin.viewsets.pages import PageListingViewSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from coupdepouce.money import format_euros
from payments import ledger
from projects.models import CampaignPage, Territory

# Campaigns ------------------------------------------------------------------------------


class CampaignIndexView(PageIndexView):
    def get_base_queryset(self):
        return ledger.with_figures(super().get_base_queryset())


class CampaignStatusColumn(Column):
    def get_value(self, instance):
        return instance.status_label()


class RaisedColumn(Column):
    def get_value(self, instance):
        figures = instance.figures
        return f"{format_euros(figures.raised_cents)} / {format_euros(figures.goal_cents)} ({figures.percent} %)"


class ReportColumn(Column):
    """A link to the campaign's money report (pledges by status, matching, payout, CSV)."""

    def get_value(self, instance):
        url = reverse("payments_campaign_report", args=[instance.pk])
        return format_html('<a href="{}">{}</a>', url, _("Money report"))


class CampaignListingViewSet(PageListingViewSet):
    model = CampaignPage
    icon = "tasks"
    menu_label = _("Campaigns")
    add_to_admin_menu = True
    menu_order = 150
    index_view_class = CampaignIndexView
    columns = PageListingViewSet.columns + [
        CampaignStatusColumn("campaign_status", label=_("Campaign")),
        RaisedColumn("raised", label=_("Raised"), sort_key="raised_cents"),
        Column("end_at", label=_("Ends"), sort_key="end_at"),
        ReportColumn("report", label=_("Report")),
    ]


@hooks.register("register_admin_viewset")
def register_campaign_listing():
    return CampaignListingViewSet("campaigns")


class TerritoryViewSet(SnippetViewSet):
    model = Territory
    icon = "site"
    list_display = ["name", "kind", "parent"]
    list_filter = ["kind", "locale"]
    search_fields = ["name"]


register_snippet(TerritoryViewSet)
