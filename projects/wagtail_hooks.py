"""Admin for campaigns: a flat listing with status and raised amount, territories,
and the pledge ledger."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.pages.listing import IndexView as PageIndexView
from wagtail.admin.viewsets.pages import PageListingViewSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from coupdepouce.templatetags.money import euros
from projects import ledger
from projects.models import CampaignPage, Pledge, Territory


class CampaignIndexView(PageIndexView):
    def get_base_queryset(self):
        return ledger.with_figures(super().get_base_queryset())


class CampaignStatusColumn(Column):
    def get_value(self, instance):
        return instance.status_label()


class RaisedColumn(Column):
    def get_value(self, instance):
        figures = instance.figures
        return f"{euros(figures.raised_cents)} / {euros(figures.goal_cents)} ({figures.percent} %)"


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


class PledgeViewSet(SnippetViewSet):
    """The ledger. Finance officers record offline gifts (cheque, transfer, cash) here."""

    model = Pledge
    icon = "doc-full-inverse"
    menu_label = _("Pledges")
    list_display = ["display_name", "campaign", "amount_display", "status", "source", "created_at"]
    list_filter = ["status", "source", "campaign"]
    search_fields = ["backer_name", "backer_email", "public_name"]
    list_export = [
        "id",
        "campaign",
        "amount_cents",
        "reward_title",
        "backer_name",
        "backer_email",
        "status",
        "source",
        "created_at",
    ]
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
    ]


class MoneyGroup(SnippetViewSetGroup):
    menu_label = _("Finances")
    menu_icon = "doc-full-inverse"
    menu_order = 160
    items = (PledgeViewSet,)


register_snippet(TerritoryViewSet)
register_snippet(MoneyGroup)
