"""Admin of help in kind: the "Aide en nature" list of offers (answered on each offer's page),
the in-kind valuation of the money report, and the personal-data hooks.

Permissions (groups in `coupdepouce/editorial.py`): `offers.view_helpoffer` shows the list and
each offer with the offerer's contact details; `offers.change_helpoffer` answers them (accept or
decline through `offers.services`, which emails the offerer). No add, edit or delete view:
offers come from citizens, and what they wrote is theirs.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from coupdepouce.admin_viewsets import ReadOnlyInspectViewSet
from offers import (
    admin_views,
    personal_data,  # noqa: F401 — registers the personal-data export and erasure hooks
    services,
)
from offers.emails import ADMIN_NAMESPACE
from offers.models import HelpOffer
from payments.reports import IN_KIND_HOOK


class HelpOfferViewSet(ReadOnlyInspectViewSet):
    model = HelpOffer
    name = ADMIN_NAMESPACE
    icon = "group"
    menu_label = _("Help in kind")
    menu_order = 160
    add_to_admin_menu = True
    add_to_reference_index = False
    index_view_class = admin_views.HelpOfferIndexView
    inspect_view_class = admin_views.HelpOfferInspectView
    inspect_view_fields = admin_views.INSPECT_FIELDS
    filterset_class = admin_views.HelpOfferFilterSet
    search_fields = ["name", "email", "need_label", "offer"]
    list_per_page = 50



help_offer_viewset = HelpOfferViewSet()


@hooks.register("register_admin_viewset")
def register_help_offer_viewset():
    return help_offer_viewset


@hooks.register(IN_KIND_HOOK)
def accepted_offers_valuation(campaign):
    """The money report's in-kind line: accepted offers and their estimated value, apart from money."""
    summary = services.in_kind_summary(campaign)
    return [{"label": _("Accepted offers of help"), "count": summary["count"], "value_cents": summary["value_cents"]}]
