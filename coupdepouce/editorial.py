"""Editorial set-up: the "Communication" and "Finances" groups and the campaign moderation workflow.

- Communication edits the site and runs calls for projects; of the money it sees figures only
  (`payments.view_pledge`: each campaign's money report, its CSV without backers, the
  dashboard panel).
- Finances handles the money and the backers' personal data: the pledge ledger and offline
  gifts, sponsors and matching offers, payout accounts, the reports with backers' names and
  emails (`payments.view_backer_data`), and the terms of campaigns that have pledges
  (`payments.change_campaign_terms`, with a reason). It has no page permissions.

Run after every migrate (post_migrate) so production gets them without demo data.
Idempotent: it adds what is missing and removes nothing.
"""

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

COMMUNICATION_GROUP = "Communication"
FINANCES_GROUP = "Finances"
MODERATORS_GROUP = "Moderators"
CAMPAIGN_WORKFLOW = "Modération des campagnes"

# Page actions the Communication group has on the whole tree (but no settings, no users).
PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
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


def ensure_campaign_workflow(project_index=None):
    """A one-step moderation workflow, approved by Moderators, on the project index."""
    moderators, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    workflow, created = Workflow.objects.get_or_create(name=CAMPAIGN_WORKFLOW, defaults={"active": True})
    if created or not WorkflowTask.objects.filter(workflow=workflow).exists():
        task, _ = GroupApprovalTask.objects.get_or_create(name="Validation par la communication")
        task.groups.add(moderators)
        WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    if project_index is not None:
        WorkflowPage.objects.update_or_create(page=project_index, defaults={"workflow": workflow})
    return workflow


def on_post_migrate(sender, **kwargs):
    # post_migrate is sent once per app; permissions of every app exist after the last one.
    if sender is not [c for c in apps.get_app_configs() if c.models_module is not None][-1]:
        return
    ensure_communication_group()
    ensure_finances_group()
    ensure_campaign_workflow()
