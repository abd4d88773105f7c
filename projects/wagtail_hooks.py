"""Admin for campaigns: a flat campaign listing with status, raised amount and a link to each
campaign's money report (in payments), territories, and two dashboard panels: campaigns ending
within 7 days, campaigns without news for 30 days."""

from datetime import timedelta

from django.db.models import F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.pages.listing import IndexView as PageIndexView
from wagtail.admin.viewsets.pages import PageListingViewSet
from wagtail.models import Locale
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from coupdepouce.money import format_euros
from payments import ledger
from projects.models import CampaignPage, CampaignUpdatePage, Territory

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


# Dashboard ------------------------------------------------------------------------------
# Campaign titles and dates only: no figure per backer, no backer's name.

ENDING_WITHIN = timedelta(days=7)
QUIET_FOR = timedelta(days=30)


def running_campaigns(now):
    """Published campaigns of the default language running at `now` (one row per campaign)."""
    return CampaignPage.objects.live().filter(locale=Locale.get_default(), start_at__lte=now, end_at__gt=now)


def campaigns_ending_soon(now):
    return running_campaigns(now).filter(end_at__lte=now + ENDING_WITHIN).order_by("end_at", "pk")


def quiet_campaigns(now):
    """Running campaigns with no published news for 30 days (counted from the start when there is none)."""
    latest_news = (
        CampaignUpdatePage.objects.live()
        .filter(path__startswith=OuterRef("path"), depth=OuterRef("depth") + 1)
        .order_by("-date")
        .values("date")[:1]
    )
    since = timezone.localdate(now) - QUIET_FOR
    return (
        running_campaigns(now)
        .annotate(last_news=Subquery(latest_news))
        .filter(Q(last_news__lt=since) | Q(last_news__isnull=True, start_at__lt=now - QUIET_FOR))
        .order_by(F("last_news").asc(nulls_first=True), "start_at", "pk")
    )


def can_edit_pages(user):
    return user.is_superuser or PagePermissionPolicy().user_has_any_permission(user, ["add", "change", "publish"])


class CampaignsEndingSoonPanel(Component):
    name = "campaigns_ending_soon"
    template_name = "projects/admin/dashboard_ending_soon.html"
    order = 105

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["campaigns"] = list(campaigns_ending_soon(timezone.now()))
        return context


class QuietCampaignsPanel(Component):
    name = "quiet_campaigns"
    template_name = "projects/admin/dashboard_quiet.html"
    order = 106

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["campaigns"] = list(quiet_campaigns(timezone.now()))
        return context


@hooks.register("construct_homepage_panels")
def add_campaign_panels(request, panels):
    if can_edit_pages(request.user):
        panels.extend([CampaignsEndingSoonPanel(), QuietCampaignsPanel()])
