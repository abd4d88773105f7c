"""Admin for the header and footer menus (Snippets > Menus; wagtail-localize adds "Translate"), the
page served noted for the page cache, the two-person rule of moderation explained in the page
editor, and the dashboard's "pages waiting for validation"."""

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.models import Page, TaskState, WorkflowState
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from coupdepouce import page_cache
from coupdepouce.editorial import VALIDATION_GROUP
from coupdepouce.navigation import NavigationMenu
from coupdepouce.workflows import TwoPersonApprovalTask, approval_refusal


class NavigationMenuViewSet(SnippetViewSet):
    model = NavigationMenu
    icon = "list-ul"
    menu_label = _("Menus")
    list_display = ["__str__", "site", "location"]
    list_filter = ["site", "location"]


register_snippet(NavigationMenuViewSet)


@hooks.register("before_serve_page")
def note_page_for_the_page_cache(page, request, serve_args, serve_kwargs):
    """The page about to be served may be stored for anonymous visitors (`coupdepouce.page_cache`)."""
    page_cache.note_page(request, page)


# Moderation: the two-person rule explained where the "Approve" button would be -----------------


def _refusal_for(page, user):
    """The two-person rule's message if `user` is a validator of `page`'s current task but may not approve."""
    task = page.current_workflow_task
    if not isinstance(task, TwoPersonApprovalTask) or not task.get_actions(page, user):
        return None
    return approval_refusal(page, user)


@hooks.register("before_edit_page")
def explain_two_person_rule(request, page):
    refusal = _refusal_for(page, request.user)
    if refusal is None:
        return None
    if request.method == "POST" and request.POST.get("workflow-action-name") == "approve":
        # A forged approval through the editor: refused, nothing saved, the page stays in moderation.
        messages.error(request, refusal)
        return redirect("wagtailadmin_pages:edit", page.pk)
    if request.method == "GET":
        messages.info(request, refusal)
    return None


# Dashboard: every page waiting for validation (Wagtail's "Awaiting your review" lists only the
# reviewer's own queue; this one shows editors where their submissions stand) ---------------------


def pages_in_moderation():
    """(page, workflow state) of every page in moderation, oldest submission first; three queries."""
    states = list(
        WorkflowState.objects.filter(
            status=WorkflowState.STATUS_IN_PROGRESS, base_content_type=ContentType.objects.get_for_model(Page)
        )
        .select_related("current_task_state__task")
        .order_by("created_at", "pk")
    )
    pages = Page.objects.in_bulk([int(state.object_id) for state in states])
    return [(pages[int(state.object_id)], state) for state in states if int(state.object_id) in pages]


def can_follow_moderation(user):
    return (
        user.is_superuser
        or PagePermissionPolicy().user_has_any_permission(user, ["add", "change", "publish"])
        or TaskState.objects.reviewable_by(user).exists()
        or user.groups.filter(name=VALIDATION_GROUP).exists()
    )


class PagesInModerationPanel(Component):
    name = "pages_in_moderation"
    template_name = "coupdepouce/admin/dashboard_moderation.html"
    order = 215

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["items"] = pages_in_moderation()
        return context


@hooks.register("construct_homepage_panels")
def add_moderation_panel(request, panels):
    if can_follow_moderation(request.user):
        panels.append(PagesInModerationPanel())
