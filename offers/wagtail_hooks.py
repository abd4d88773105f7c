"""Admin of help in kind: the "Aide en nature" list of offers (answered on each offer's page),
the in-kind valuation of the money report, and the personal-data hooks.

Permissions (groups in `coupdepouce/editorial.py`): `offers.view_helpoffer` shows the list and
each offer with the offerer's contact details; `offers.change_helpoffer` answers them (accept or
decline through `offers.services`, which emails the offerer). No add, edit or delete view:
offers come from citizens, and what they wrote is theirs.
"""

from django.contrib.auth import get_permission_codename
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from offers import (
    admin_views,
    personal_data,  # noqa: F401 — registers the personal-data export and erasure hooks
    services,
)
from offers.emails import ADMIN_NAMESPACE
from offers.models import HelpOffer
from payments.reports import IN_KIND_HOOK


class HelpOfferViewSet(ModelViewSet):
    model = HelpOffer
    name = ADMIN_NAMESPACE
    icon = "group"
    menu_label = _("Help in kind")
    menu_order = 160
    add_to_admin_menu = True
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = admin_views.HelpOfferIndexView
    inspect_view_class = admin_views.HelpOfferInspectView
    inspect_view_fields = admin_views.INSPECT_FIELDS
    filterset_class = admin_views.HelpOfferFilterSet
    search_fields = ["name", "email", "need_label", "offer"]
    list_per_page = 50

    def get_common_view_kwargs(self, **kwargs):
        # No view to add, edit, copy, delete or see the log of an offer.
        return super().get_common_view_kwargs(
            add_url_name=None,
            edit_url_name=None,
            delete_url_name=None,
            history_url_name=None,
            usage_url_name=None,
            copy_url_name=None,
            **kwargs,
        )

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
        ]

    @property
    def url_finder_class(self):
        # "Edit this offer" anywhere in the admin opens its detail page.
        finder = super().url_finder_class
        finder.edit_url_name = self.get_url_name("inspect")
        return finder

    def get_permissions_to_register(self):
        content_type = ContentType.objects.get_for_model(self.model)
        codenames = [get_permission_codename(action, self.model_opts) for action in ("view", "change")]
        return Permission.objects.filter(content_type=content_type, codename__in=codenames)


help_offer_viewset = HelpOfferViewSet()


@hooks.register("register_admin_viewset")
def register_help_offer_viewset():
    return help_offer_viewset


@hooks.register(IN_KIND_HOOK)
def accepted_offers_valuation(campaign):
    """The money report's in-kind line: accepted offers and their estimated value, apart from money."""
    summary = services.in_kind_summary(campaign)
    return [{"label": _("Accepted offers of help"), "count": summary["count"], "value_cents": summary["value_cents"]}]
