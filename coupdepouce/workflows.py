"""The two-person rule of page moderation: a group approval task that nobody approves alone.

`TwoPersonApprovalTask` is Wagtail's group approval task (members of its groups approve) with one
more rule: the person who submitted the page to the workflow (`WorkflowState.requested_by`) and the
author of its latest revision (the one approval publishes) may not approve it. Their "Approve"
actions are not offered (editor, dashboard), and `on_action` refuses a forged request.

Members of the task's groups need no "publish" permission: approving the last step publishes.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail.models import GroupApprovalTask, WorkflowState
from wagtail.signals import workflow_approved

SUBMITTER_REFUSAL = _("You submitted this page: someone else must approve it.")
AUTHOR_REFUSAL = _("You wrote the latest version of this page: someone else must approve it.")


def approval_refusal(obj, user):
    """Why `user` may not approve `obj`'s workflow now (a translated message), or None."""
    workflow_state = obj.current_workflow_state
    if workflow_state is not None and workflow_state.requested_by_id == user.pk:
        return SUBMITTER_REFUSAL
    latest = obj.get_latest_revision()
    if latest is not None and latest.user_id == user.pk:
        return AUTHOR_REFUSAL
    return None


class TwoPersonApprovalTask(GroupApprovalTask):
    """Approved by a member of the chosen groups other than the submitter and the latest author."""

    def get_actions(self, obj, user):
        actions = super().get_actions(obj, user)
        if actions and approval_refusal(obj, user) is not None:
            return [action for action in actions if action[0] != "approve"]
        return actions

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        if action_name != "approve":
            return super().on_action(task_state, user, action_name, **kwargs)
        workflow_state = task_state.workflow_state
        refusal = approval_refusal(workflow_state.content_object, user)
        if refusal is not None:
            raise PermissionDenied(refusal)
        task_state.approve(user=user, update=False, **kwargs)
        workflow_state.refresh_from_db()
        if workflow_state.get_next_task() is not None:
            workflow_state.update(user=user)
            return None
        # The last step: the approval is the permission to publish. Validators hold no "publish" of their
        # own (it would let them publish their own work outside the workflow), and Wagtail's
        # `WorkflowState.finish` publishes with the approver's page permissions, so finish here.
        workflow_state.status = WorkflowState.STATUS_APPROVED
        workflow_state.save(update_fields=["status"])
        workflow_state.content_object.get_latest_revision().publish(user=user, skip_permission_checks=True)
        workflow_approved.send(sender=WorkflowState, instance=workflow_state, user=user)
        return None

    def get_task_states_user_can_moderate(self, user, **kwargs):
        # "Awaiting your review" on the dashboard leaves out what the user submitted.
        return super().get_task_states_user_can_moderate(user, **kwargs).exclude(workflow_state__requested_by=user)

    @classmethod
    def get_description(cls):
        return _(
            "Members of the chosen groups approve; never the person who submitted the page or wrote its latest version"
        )

    class Meta:
        verbose_name = _("two-person approval")
        verbose_name_plural = _("two-person approvals")
