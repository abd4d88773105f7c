"""Admin for project holders: the "Porteurs de projet" list (link an account to a campaign, or
unlink it; `holders.admin_views`), the page-history lines of those changes, and the personal
data hooks (`holders.personal_data`); holders may not delete their campaign.

Who may use the list: `holders.view_campaignholder`, `add_campaignholder`,
`delete_campaignholder` (the Communication group, `coupdepouce/editorial.py`). A link is not
edited: it is removed and added again.
"""

from django.contrib import messages
from django.contrib.auth import get_permission_codename, get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import LogFormatter

from holders import (
    admin_views,
    personal_data,  # noqa: F401 — registers the personal-data export and erasure hooks
    services,
)
from holders.models import CampaignHolder
from payments.interface import campaign_model


def account_label(user):
    if user is None:
        return "—"
    return f"{user.full_name} <{user.email}>" if user.full_name else user.email


class CampaignHolderViewSet(ModelViewSet):
    """Which accounts run which campaign: list, add (account by email, campaign), delete."""

    model = CampaignHolder
    name = "holders"
    icon = "user"
    menu_label = _("Project holders")
    menu_order = 158
    add_to_admin_menu = True
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    add_view_class = admin_views.CreateView
    delete_view_class = admin_views.DeleteView
    list_display = [
        "campaign",
        Column("account", label=_("Account"), accessor=lambda link: account_label(link.user), sort_key="user__email"),
        Column("added_by", label=_("Added by"), accessor=lambda link: account_label(link.added_by)),
        "created_at",
    ]
    search_fields = ["campaign__title", "user__email", "user__full_name"]
    list_per_page = 50
    edit_handler = ObjectList(
        [FieldPanel("email"), FieldPanel("campaign")], base_form_class=admin_views.CampaignHolderForm
    )

    def get_queryset(self, request):
        return CampaignHolder.objects.select_related("campaign", "user", "added_by")

    def get_common_view_kwargs(self, **kwargs):
        # A link is not edited: it is deleted and added again.
        return super().get_common_view_kwargs(edit_url_name=None, usage_url_name=None, **kwargs)

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("new/", self.add_view, name="add"),
            path("delete/<int:pk>/", self.delete_view, name="delete"),
            path("history/<int:pk>/", self.history_view, name="history"),
            path("history-results/<int:pk>/", self.history_results_view, name="history_results"),
        ]

    def get_permissions_to_register(self):
        content_type = ContentType.objects.get_for_model(self.model)
        codenames = [get_permission_codename(action, self.model_opts) for action in ("view", "add", "delete")]
        return Permission.objects.filter(content_type=content_type, codename__in=codenames)


holder_viewset = CampaignHolderViewSet()


@hooks.register("register_admin_viewset")
def register_holder_viewset():
    return holder_viewset


class _HolderChange(LogFormatter):
    def format_message(self, log_entry):
        user = get_user_model().objects.filter(pk=(log_entry.data or {}).get("holder")).first()
        return self.message % {"account": user.email if user else "?"}


@hooks.register("register_log_actions")
def register_holder_log_actions(actions):
    @actions.register_action(services.LOG_ADD)
    class HolderAdded(_HolderChange):
        label = _("Add a project holder")
        message = _("Project holder added: %(account)s")

    @actions.register_action(services.LOG_REMOVE)
    class HolderRemoved(_HolderChange):
        label = _("Remove a project holder")
        message = _("Project holder removed: %(account)s")


@hooks.register("before_delete_page")
def keep_campaigns_from_their_holders(request, page):
    """Holders edit their campaign; deleting it is staff's decision."""
    if not isinstance(page.specific_deferred, campaign_model()) or services.may_delete(request.user, page):
        return None
    messages.error(request, _("Only the site's team can delete a campaign."))
    return redirect("wagtailadmin_pages:edit", page.pk)
