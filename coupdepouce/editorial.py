"""Editorial set-up: the "Communication", "Validation" and "Finances" groups and the moderation workflow.

- Communication edits the site and runs calls for projects; it does not publish pages: it submits
  them to the moderation workflow. It links project holders to their campaigns and moderates what
  citizens send (offers of help in kind, public questions). Of the money it sees figures only (`payments.view_pledge`:
  each campaign's money report, its CSV without backers, the dashboard panel).
- Validation approves (and so publishes) what was submitted, under the two-person rule of
  `coupdepouce.workflows.TwoPersonApprovalTask`: never their own submission nor their own latest
  version. It holds no page permission of its own (a page in moderation opens to its members).
- Finances handles the money and the backers' personal data: the pledge ledger and offline
  gifts, sponsors and matching offers, payout accounts, the reports with backers' names and
  emails (`payments.view_backer_data`), and the terms of campaigns that have pledges
  (`payments.change_campaign_terms`, with a reason). It has no page permissions.
  It also keeps the tax receipts: the beneficiary organisations and the register of receipts
  (view, download, duplicate, cancel). Communication only sees the beneficiary organisations.

The workflow (`ensure_moderation_workflow`) covers the whole tree from the root page; the project
index gets its own "Modération des campagnes" with the same task. Workflow and task names are
database strings shown as they are in the admin, so they are French (the admin's language).

Run after every migrate (post_migrate) so production gets them without demo data.
Idempotent: it adds what is missing and removes nothing, except two deliberate removals that make
the two-person rule hold on older databases: Communication's "publish" at the root, and tasks
other than the two-person task in the workflows it manages.
"""

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from coupdepouce.workflows import TwoPersonApprovalTask

COMMUNICATION_GROUP = "Communication"
VALIDATION_GROUP = "Validation"
FINANCES_GROUP = "Finances"
MODERATORS_GROUP = "Moderators"  # Wagtail's own group; no longer used by the workflows.
CAMPAIGN_WORKFLOW = "Modération des campagnes"
SITE_WORKFLOW = "Relecture et validation"
VALIDATION_TASK = "Validation par une autre personne"

# Page actions the Communication group has on the whole tree (but no settings, no users, no publishing:
# pages are published by the Validation group's approval).
PAGE_PERMISSIONS = ["add_page", "change_page", "lock_page", "unlock_page"]
COLLECTION_PERMISSIONS = [
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
]
MODEL_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("wagtail_localize", "submit_translation"),
    ("projects", "add_territory"),
    ("projects", "change_territory"),
    ("projects", "view_territory"),
    ("payments", "view_pledge"),
    # Navigation menus (header and footer) of each site and language.
    ("coupdepouce", "add_navigationmenu"),
    ("coupdepouce", "change_navigationmenu"),
    ("coupdepouce", "delete_navigationmenu"),
    ("coupdepouce", "view_navigationmenu"),
    # Calls for projects: applications (screening, decisions, juries) and the emails to applicants.
    ("applications", "view_application"),
    ("applications", "change_application"),
    ("applications", "add_emailtemplate"),
    ("applications", "change_emailtemplate"),
    ("applications", "delete_emailtemplate"),
    ("applications", "view_emailtemplate"),
    ("applications", "add_calljury"),
    ("applications", "change_calljury"),
    ("applications", "delete_calljury"),
    ("applications", "view_calljury"),
    # Project holders: which accounts run which campaign (their page rights follow the link).
    ("holders", "add_campaignholder"),
    ("holders", "change_campaignholder"),
    ("holders", "delete_campaignholder"),
    ("holders", "view_campaignholder"),
    # Staff moderate what citizens send: offers of help in kind and public questions; they see
    # who follows a campaign.
    ("offers", "view_helpoffer"),
    ("offers", "change_helpoffer"),
    ("questions", "view_question"),
    ("questions", "change_question"),
    ("questions", "view_questionreport"),
    ("follows", "view_follow"),
    # Tax receipts: the beneficiary organisations a campaign may name (no receipt: donors' data).
    ("receipts", "view_beneficiary"),
]


FINANCES_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    # The ledger: offline gifts recorded, backers' details corrected (online pledges stay read-only);
    # pledges are never deleted from the admin.
    ("payments", "add_pledge"),
    ("payments", "change_pledge"),
    ("payments", "view_pledge"),
    ("payments", "view_pledgeevent"),
    ("payments", "view_backer_data"),
    ("payments", "change_campaign_terms"),
    # Sponsors and matching offers (abondement).
    ("payments", "add_sponsor"),
    ("payments", "change_sponsor"),
    ("payments", "delete_sponsor"),
    ("payments", "view_sponsor"),
    ("payments", "add_matchingoffer"),
    ("payments", "change_matchingoffer"),
    ("payments", "delete_matchingoffer"),
    ("payments", "view_matchingoffer"),
    ("payments", "view_matchallocation"),
    # Holders' payout accounts and campaign closings.
    ("payments", "view_payoutaccount"),
    ("payments", "change_payoutaccount"),
    ("payments", "view_campaignclosing"),
    # Tax receipts: the beneficiary organisations, and the register of receipts (donors' names
    # and addresses), their PDF, duplicates and cancellations (`receipts.wagtail_hooks`).
    ("receipts", "add_beneficiary"),
    ("receipts", "change_beneficiary"),
    ("receipts", "view_beneficiary"),
    ("receipts", "view_receipt"),
    ("receipts", "cancel_receipt"),
    ("receipts", "reissue_receipt"),
]


def _perm(app_label, codename):
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()


def ensure_communication_group():
    group, _ = Group.objects.get_or_create(name=COMMUNICATION_GROUP)
    for app_label, codename in MODEL_PERMISSIONS:
        perm = _perm(app_label, codename)
        if perm:
            group.permissions.add(perm)
    root = Page.get_first_root_node()
    if root is not None:
        for codename in PAGE_PERMISSIONS:
            perm = _perm("wagtailcore", codename)
            if perm:
                GroupPagePermission.objects.get_or_create(group=group, page=root, permission=perm)
        # Older databases gave Communication "publish" at the root: the two-person rule takes it back.
        GroupPagePermission.objects.filter(
            group=group,
            page=root,
            permission__content_type__app_label="wagtailcore",
            permission__codename="publish_page",
        ).delete()
    collection = Collection.get_first_root_node()
    if collection is not None:
        for app_label, codename in COLLECTION_PERMISSIONS:
            perm = _perm(app_label, codename)
            if perm:
                GroupCollectionPermission.objects.get_or_create(group=group, collection=collection, permission=perm)
    return group


def ensure_finances_group():
    group, _ = Group.objects.get_or_create(name=FINANCES_GROUP)
    for app_label, codename in FINANCES_PERMISSIONS:
        perm = _perm(app_label, codename)
        if perm:
            group.permissions.add(perm)
    return group


def ensure_validation_group():
    """Validators: admin access and the images and documents a page in moderation may need."""
    group, _ = Group.objects.get_or_create(name=VALIDATION_GROUP)
    perm = _perm("wagtailadmin", "access_admin")
    if perm:
        group.permissions.add(perm)
    collection = Collection.get_first_root_node()
    if collection is not None:
        for app_label, codename in COLLECTION_PERMISSIONS:
            perm = _perm(app_label, codename)
            if perm and codename.startswith("choose_"):
                GroupCollectionPermission.objects.get_or_create(group=group, collection=collection, permission=perm)
    return group


def ensure_validation_task():
    """The one approval step: a member of Validation, never the submitter nor the latest author."""
    task = TwoPersonApprovalTask.objects.filter(name=VALIDATION_TASK).first()
    if task is None:
        task = TwoPersonApprovalTask.objects.create(name=VALIDATION_TASK)
    task.groups.add(ensure_validation_group())
    return task


def _workflow_with_task(name, task):
    workflow, _ = Workflow.objects.get_or_create(name=name, defaults={"active": True})
    # Only the two-person task: an older database's plain group approval leaves this workflow.
    WorkflowTask.objects.filter(workflow=workflow).exclude(task=task).delete()
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    return workflow


def ensure_moderation_workflow():
    """The workflow of the whole tree (on the root page, in place of Wagtail's "Moderators approval")."""
    workflow = _workflow_with_task(SITE_WORKFLOW, ensure_validation_task())
    root = Page.get_first_root_node()
    if root is not None:
        WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})
    return workflow


def ensure_campaign_workflow(project_index=None):
    """The campaigns' workflow (same two-person task), on the project index."""
    workflow = _workflow_with_task(CAMPAIGN_WORKFLOW, ensure_validation_task())
    if project_index is not None:
        WorkflowPage.objects.update_or_create(page=project_index, defaults={"workflow": workflow})
    return workflow


def on_post_migrate(sender, **kwargs):
    # post_migrate is sent once per app; permissions of every app exist after the last one.
    if sender is not [c for c in apps.get_app_configs() if c.models_module is not None][-1]:
        return
    ensure_communication_group()
    ensure_finances_group()
    ensure_moderation_workflow()
    ensure_campaign_workflow()
