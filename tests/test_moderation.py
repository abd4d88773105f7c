"""The two-person rule of moderation (coupdepouce/workflows.py, coupdepouce/editorial.py).

Editors submit, the Validation group approves, and nobody approves what they submitted or wrote
last: the action is not offered, a forged request is refused with a French explanation, and the
page stays in moderation until another validator approves it.
"""

from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation
from wagtail.models import GroupPagePermission, Page, TaskState, WorkflowState

from coupdepouce.blocks import BodyBlock
from coupdepouce.editorial import COMMUNICATION_GROUP, SITE_WORKFLOW, VALIDATION_GROUP, VALIDATION_TASK
from coupdepouce.workflows import TwoPersonApprovalTask
from home.models import StandardPage
from tests.admin_forms import admin_form_data
from tests.factories.home import StandardPageFactory

ACCESS_REFUSED_FR = "Désolé, vous n'avez pas les autorisations pour accéder à cette zone."
SUBMITTER_FR = "Vous avez soumis cette page\u00a0: une autre personne doit la valider."
AUTHOR_FR = "Vous avez rédigé la dernière version de cette page\u00a0: une autre personne doit la valider."


def make_user(email, *groups):
    user = get_user_model().objects.create_user(email, "not-a-real-one", full_name=email.split("@")[0])
    user.groups.add(*Group.objects.filter(name__in=groups))
    return user


@pytest.fixture
def people(db):
    return {
        # Edits and also validates: she must not validate her own submission.
        "alice": make_user("alice@example.org", COMMUNICATION_GROUP, VALIDATION_GROUP),
        "bob": make_user("bob@example.org", VALIDATION_GROUP),
        "carol": make_user("carol@example.org", VALIDATION_GROUP),
        "editor": make_user("editor@example.org", COMMUNICATION_GROUP),
    }


@pytest.fixture
def submitted(home, people):
    """A draft change of a published page, written and submitted to moderation by Alice."""
    page = StandardPageFactory(parent=home, title="Mentions légales", slug="mentions-legales")
    page.save_revision(user=people["alice"]).publish()
    page.title = "Mentions légales (nouvelle version)"
    page.save_revision(user=people["alice"])
    page.get_workflow().start(page, people["alice"])
    return Page.objects.get(pk=page.pk).specific


def action_names(page, user):
    return [name for name, _label, _modal in page.current_workflow_task.get_actions(page, user)]


def approve_url(page):
    return reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", page.current_workflow_task_state.pk])


def in_moderation_unpublished(page):
    page = Page.objects.get(pk=page.pk)
    return page.workflow_in_progress and page.title == "Mentions légales"


def test_the_whole_tree_is_moderated_by_the_two_person_task(submitted):
    workflow = submitted.get_workflow()
    assert workflow.name == SITE_WORKFLOW
    task = submitted.current_workflow_task
    assert type(task) is TwoPersonApprovalTask
    assert task.name == VALIDATION_TASK
    assert list(task.groups.values_list("name", flat=True)) == [VALIDATION_GROUP]


def test_the_submitter_is_not_offered_approval_another_validator_is(submitted, people):
    assert action_names(submitted, people["alice"]) == ["reject"]
    assert action_names(submitted, people["bob"]) == ["reject", "approve", "approve"]
    # Wagtail's dashboard panel "Awaiting your review" leaves out her own submission.
    assert list(TaskState.objects.reviewable_by(people["alice"])) == []
    assert list(TaskState.objects.reviewable_by(people["bob"])) == [submitted.current_workflow_task_state]


def assert_refused_by_wagtail(response):
    """Wagtail answers an action the task does not offer with its "permission denied" redirect."""
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    # wagtail.admin.messages renders its message as HTML.
    assert [unescape(str(m)).strip() for m in get_messages(response.wsgi_request)] == [ACCESS_REFUSED_FR]


def test_a_forged_approval_by_the_submitter_is_refused(client, submitted, people):
    client.force_login(people["alice"])
    assert_refused_by_wagtail(client.post(approve_url(submitted), {"comment": ""}))
    assert in_moderation_unpublished(submitted)
    # The task's own guard, for any other caller.
    with pytest.raises(PermissionDenied) as refused:
        submitted.current_workflow_task.on_action(
            submitted.current_workflow_task_state, people["alice"], "approve", comment=""
        )
    assert str(refused.value) == SUBMITTER_FR
    assert in_moderation_unpublished(submitted)


def test_the_editor_explains_and_refuses_self_approval_in_french(client, submitted, people):
    client.force_login(people["alice"])
    url = reverse("wagtailadmin_pages:edit", args=[submitted.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [SUBMITTER_FR]
    data = admin_form_data(client, url, StandardPage, submitted)
    data.update({"action-workflow-action": "true", "workflow-action-name": "approve"})
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == url
    assert [str(m) for m in get_messages(response.wsgi_request)] == [SUBMITTER_FR]
    assert in_moderation_unpublished(submitted)


def test_another_validator_approves_and_publishes(client, submitted, people):
    client.force_login(people["bob"])
    response = client.post(approve_url(submitted), {"comment": ""})
    assert response.status_code == 302
    page = Page.objects.get(pk=submitted.pk)
    assert not page.workflow_in_progress
    assert page.title == "Mentions légales (nouvelle version)"
    assert WorkflowState.objects.get(base_content_type__isnull=False, object_id=str(page.pk)).status == "approved"


def test_the_latest_author_cannot_approve_either(client, submitted, people):
    """Bob changes the submitted page: his version needs a third person."""
    submitted.title = "Mentions légales (version de Bob)"
    submitted.save_revision(user=people["bob"])
    assert action_names(submitted, people["bob"]) == ["reject"]
    client.force_login(people["bob"])
    response = client.get(reverse("wagtailadmin_pages:edit", args=[submitted.pk]))
    assert [str(m) for m in response.context["messages"]] == [AUTHOR_FR]
    assert_refused_by_wagtail(client.post(approve_url(submitted), {"comment": ""}))
    assert Page.objects.get(pk=submitted.pk).workflow_in_progress
    client.force_login(people["carol"])
    assert client.post(approve_url(submitted), {"comment": ""}).status_code == 302
    page = Page.objects.get(pk=submitted.pk)
    assert (page.workflow_in_progress, page.title) == (False, "Mentions légales (version de Bob)")


def test_communication_cannot_publish_it_submits(client, home, people):
    communication = Group.objects.get(name=COMMUNICATION_GROUP)
    root = Page.get_first_root_node()
    permissions = GroupPagePermission.objects.filter(group=communication, page=root)
    codenames = set(permissions.values_list("permission__codename", flat=True))
    assert codenames == {"add_page", "change_page", "lock_page", "unlock_page"}
    assert not home.permissions_for_user(people["editor"]).can_publish()
    # Her "Publish" is not honoured: the page is saved as a draft, never made live.
    client.force_login(people["editor"])
    url = reverse("wagtailadmin_pages:add", args=["home", "standardpage", home.pk])
    data = admin_form_data(client, url, StandardPage)
    data.update({"title": "Accessibilité", "slug": "accessibilite", "action-publish": "action-publish"})
    assert client.post(url, data).status_code == 302
    assert StandardPage.objects.get(slug="accessibilite").live is False


# The French admin ------------------------------------------------------------------------


def test_block_labels_and_help_texts_are_french_in_the_french_admin():
    with translation.override("fr"):
        children = BodyBlock().child_blocks
        labels = {name: str(block.label) for name, block in children.items()}
        help_texts = {
            name: str(block.meta.help_text)
            for name, block in children.items()
            if getattr(block.meta, "help_text", None)
        }
    assert labels == {
        "heading": "Titre",
        "paragraph": "Paragraphe",
        "image": "Image",
        "quote": "Citation",
        "call_to_action": "Bouton d’action",
        "embed": "Média intégré",
    }
    assert help_texts == {
        "heading": "Niveau 2 pour une section, niveaux 3 et 4 pour ses sous-sections, sans sauter de niveau.",
        "quote": "Les guillemets sont ajoutés à l’affichage.",
        "call_to_action": "Affiché comme un bouton. Une page du site l’emporte sur le lien externe\u00a0; "
        "sans l’un ni l’autre, rien n’est affiché.",
    }
    with translation.override("en"):
        assert str(BodyBlock().child_blocks["call_to_action"].label) == "Call to action"


def test_workflow_and_task_names_are_french(db):
    """They are database rows shown as they are: created with French names; the task type is translated."""
    task = TwoPersonApprovalTask.objects.get()
    assert (task.name, task.workflows.get(workflow_pages__page__depth=1).name) == (VALIDATION_TASK, SITE_WORKFLOW)
    assert (VALIDATION_TASK, SITE_WORKFLOW) == ("Validation par une autre personne", "Relecture et validation")
    with translation.override("fr"):
        assert TwoPersonApprovalTask.get_verbose_name() == "Validation à deux personnes"
