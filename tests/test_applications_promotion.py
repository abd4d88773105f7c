"""Laureates become campaigns (issue 7), the call's results, and how long applications are kept.

- `promotion.promote` makes one draft campaign per laureate, pre-filled from the application,
  and lets its applicant edit that page only and submit it to moderation, never publish it.
- The staff action "Créer la collecte" (`admin_promotion`) and the applicant's dashboard rows.
- The call's laureates once its results are published.
- `manage.py purge_applications` and the personal data hooks.
"""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.models import Locale, Page, Workflow, WorkflowPage, WorkflowState

from applications import admin_promotion, personal_data, promotion, results
from applications.models import Application, ApplicationEvent, ApplicationVersion, Attachment
from applications.status import ApplicationStatus
from coupdepouce.editorial import CAMPAIGN_WORKFLOW, ensure_campaign_workflow
from coupdepouce.models import PlatformSettings
from projects.models import CampaignPage
from projects.rules import campaign_rule_errors
from tests.admin_forms import admin_form_data, form_errors
from tests.factories.applications import (
    ApplicationEventFactory,
    ApplicationFactory,
    AttachmentFactory,
    CallWithFormFactory,
    SubmittedApplicationFactory,
    UserFactory,
)

S = ApplicationStatus


@pytest.fixture
def private_files(tmp_path, monkeypatch):
    """Attachments go to a temporary folder (the field's storage is built once, at import)."""
    storage = FileSystemStorage(location=tmp_path / "private")
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", storage)
    return storage


@pytest.fixture
def call(call_index):
    return CallWithFormFactory(parent=call_index, title="Budget participatif 2027")


@pytest.fixture
def laureate(call, theme, territory, project_index):
    application = SubmittedApplicationFactory(
        call=call,
        status=S.LAUREATE,
        title="Jardin partagé des Lilas",
        summary="Un potager collectif au pied des immeubles.",
        holder_name="Association des Lilas",
        holder_kind=Application.HolderKind.ASSOCIATION,
        amount_requested=8000,
        territory=territory,
    )
    application.themes.set([theme])
    return application


@pytest.fixture
def staff(db):
    """A staff member who may decide on applications, without page rights of their own."""
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        Permission.objects.get(content_type__app_label="applications", codename="change_application"),
    )
    return user


# Promotion -----------------------------------------------------------------------------------


def test_promotion_creates_one_draft_campaign_filled_from_the_application(laureate, staff, project_index, call):
    campaign = promotion.promote(laureate, by=staff)

    campaign = CampaignPage.objects.get(pk=campaign.pk)
    assert campaign.get_parent().pk == project_index.pk
    assert not campaign.live and campaign.has_unpublished_changes
    assert campaign.latest_revision is not None
    assert campaign.title == "Jardin partagé des Lilas"
    assert campaign.slug == "jardin-partage-des-lilas"
    assert campaign.summary == laureate.summary
    assert (campaign.holder_name, campaign.holder_kind) == ("Association des Lilas", "association")
    assert campaign.goal == 8000
    assert list(campaign.themes.all()) == list(laureate.themes.all())
    assert campaign.territory == laureate.territory
    assert campaign.source_call.pk == call.pk
    assert campaign.owner == laureate.applicant
    assert campaign.locale == call.locale
    rules = PlatformSettings.for_page(campaign)
    assert campaign.start_at > timezone.now()
    assert (
        campaign_rule_errors(
            goal=campaign.goal,
            start_at=campaign.start_at,
            end_at=campaign.end_at,
            max_goal=rules.max_goal,
            max_days=rules.max_campaign_days,
        )
        == []
    )
    laureate.refresh_from_db()
    assert laureate.campaign == campaign
    event = ApplicationEvent.objects.get(application=laureate)
    assert event.actor == staff and event.note


def test_promoting_twice_gives_the_same_page(laureate, staff):
    first = promotion.promote(laureate, by=staff)
    again = promotion.promote(Application.objects.get(pk=laureate.pk), by=staff)

    assert again.pk == first.pk
    assert CampaignPage.objects.count() == 1
    assert ApplicationEvent.objects.filter(application=laureate).count() == 1


def test_promoting_again_after_the_page_was_deleted_makes_a_new_one(laureate, staff):
    first = promotion.promote(laureate, by=staff)
    Page.objects.get(pk=first.pk).delete()

    second = promotion.promote(Application.objects.get(pk=laureate.pk), by=staff)

    assert second.pk != first.pk
    assert CampaignPage.objects.filter(pk=second.pk).exists()
    assert Application.objects.get(pk=laureate.pk).campaign_id == second.pk


def test_slugs_stay_unique_under_the_project_index(laureate, staff, call):
    other = SubmittedApplicationFactory(call=call, status=S.LAUREATE, title=laureate.title)

    first = promotion.promote(laureate, by=staff)
    second = promotion.promote(other, by=staff)

    assert first.slug == "jardin-partage-des-lilas"
    assert second.slug != first.slug and second.slug.startswith("jardin-partage-des-lilas")


def test_the_goal_is_capped_at_the_site_maximum_and_the_cap_noted(laureate, staff, home):
    rules = PlatformSettings.for_page(home)
    rules.max_goal = 6000
    rules.save()

    campaign = promotion.promote(laureate, by=staff)

    assert campaign.goal == 6000
    assert "6000" in ApplicationEvent.objects.get(application=laureate).note


@pytest.mark.parametrize("status", [s for s in S if s != S.LAUREATE])
def test_only_laureates_become_campaigns(call, staff, project_index, status):
    application = SubmittedApplicationFactory(call=call, status=status)

    with pytest.raises(promotion.PromotionError):
        promotion.promote(application, by=staff)

    assert not CampaignPage.objects.exists()
    assert Application.objects.get(pk=application.pk).campaign is None


def test_a_site_without_project_index_gives_a_clear_error(call, staff):
    application = SubmittedApplicationFactory(call=call, status=S.LAUREATE)

    with pytest.raises(promotion.PromotionError, match="liste des projets"):
        promotion.promote(application, by=staff)


# The holder's rights -------------------------------------------------------------------------


def test_the_applicant_may_edit_that_page_only_and_not_publish_it(laureate, staff, make_campaign):
    other_campaign = make_campaign()
    campaign = promotion.promote(laureate, by=staff)
    applicant = laureate.applicant

    own = campaign.permissions_for_user(applicant)
    assert own.can_edit()
    assert not own.can_publish()
    assert not other_campaign.permissions_for_user(applicant).can_edit()
    assert not campaign.get_parent().permissions_for_user(applicant).can_edit()
    assert not campaign.get_parent().permissions_for_user(applicant).can_add_subpage()


def test_the_applicant_opens_their_page_in_the_admin_and_no_other(client, laureate, staff, make_campaign):
    other_campaign = make_campaign()
    campaign = promotion.promote(laureate, by=staff)
    client.force_login(laureate.applicant)

    assert client.get(reverse("wagtailadmin_pages:edit", args=[campaign.pk])).status_code == 200
    refused = client.get(reverse("wagtailadmin_pages:edit", args=[other_campaign.pk]))
    assert refused.status_code in (302, 403)
    assert (
        refused.status_code == 403
        or reverse("wagtailadmin_pages:edit", args=[other_campaign.pk]) not in refused["Location"]
    )


def test_the_applicant_submits_their_draft_to_moderation_but_cannot_publish_it(client, laureate, staff, project_index):
    ensure_campaign_workflow(project_index)
    campaign = promotion.promote(laureate, by=staff)
    client.force_login(laureate.applicant)
    url = reverse("wagtailadmin_pages:edit", args=[campaign.pk])

    data = admin_form_data(client, url, CampaignPage, campaign)
    data["summary"] = "Un potager collectif, ouvert à tous."
    data["action-publish"] = "action-publish"
    client.post(url, data)
    campaign.refresh_from_db()
    assert not campaign.live

    data = admin_form_data(client, url, CampaignPage, campaign)
    data["action-submit"] = "action-submit"
    response = client.post(url, data)
    assert response.status_code == 302, form_errors(response)

    campaign.refresh_from_db()
    assert not campaign.live
    state = WorkflowState.objects.get(object_id=str(campaign.pk), status=WorkflowState.STATUS_IN_PROGRESS)
    assert state.workflow.name == CAMPAIGN_WORKFLOW
    assert state.requested_by == laureate.applicant
    assert promotion.campaigns_for(laureate.applicant)[0].state == promotion.CampaignState.IN_MODERATION


def test_promotion_gives_the_project_index_the_campaign_workflow_unless_it_has_its_own(
    laureate, staff, project_index, call
):
    assert not WorkflowPage.objects.filter(page=project_index).exists()

    campaign = promotion.promote(laureate, by=staff)

    assert campaign.get_workflow().name == CAMPAIGN_WORKFLOW
    assert campaign.permissions_for_user(laureate.applicant).can_submit_for_moderation()

    own = Workflow.objects.create(name="Circuit de la mairie")
    WorkflowPage.objects.filter(page=project_index).update(workflow=own)
    other = SubmittedApplicationFactory(call=call, status=S.LAUREATE)
    assert promotion.promote(other, by=staff).get_workflow() == own


# The staff action ----------------------------------------------------------------------------


def test_staff_create_the_campaign_from_the_admin(client, laureate, staff):
    client.force_login(staff)
    url = admin_promotion.promotion_url(laureate)

    assert client.get(url).status_code == 405
    response = client.post(url)
    campaign = CampaignPage.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[campaign.pk])

    client.post(url)
    assert CampaignPage.objects.count() == 1


def test_the_action_needs_the_permission_to_change_applications(client, laureate):
    client.force_login(laureate.applicant)
    laureate.applicant.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )

    response = client.post(admin_promotion.promotion_url(laureate))

    assert response.status_code in (302, 403)
    assert not CampaignPage.objects.exists()


def test_the_action_refuses_a_non_laureate_with_a_message(client, call, staff, project_index):
    application = SubmittedApplicationFactory(call=call, status=S.SHORTLISTED)
    client.force_login(staff)

    response = client.post(admin_promotion.promotion_url(application), {"next": "/admin/"}, follow=True)

    assert not CampaignPage.objects.exists()
    assert any("lauréat" in str(m) for m in response.context["messages"])


# The applicant's dashboard -------------------------------------------------------------------


def test_the_applicant_sees_their_campaign_draft_with_an_edit_link(laureate, staff, call):
    campaign = promotion.promote(laureate, by=staff)
    SubmittedApplicationFactory(call=call, applicant=laureate.applicant, status=S.NOT_SELECTED)

    rows = promotion.campaigns_for(laureate.applicant)

    edit_url = reverse("wagtailadmin_pages:edit", args=[campaign.pk])
    assert [(r.application, r.campaign, r.edit_url, r.state) for r in rows] == [
        (laureate, campaign, edit_url, promotion.CampaignState.DRAFT)
    ]
    assert promotion.campaigns_for(UserFactory()) == []
    html = render_to_string("applications/_my_campaigns.html", {"campaigns": rows})
    assert f'href="{edit_url}"' in html and "Jardin partagé des Lilas" in html


# Results on the call page --------------------------------------------------------------------


def test_the_call_lists_its_laureates_only_once_results_are_published(laureate, staff, call):
    SubmittedApplicationFactory(call=call, status=S.NOT_SELECTED, title="Projet non retenu")
    assert results.laureates(call) == []

    call.results_published = True
    call.save_revision().publish()
    listed = results.laureates(call)
    assert listed == [laureate]
    html = render_to_string("applications/_call_laureates.html", {"laureates": listed})
    assert "Jardin partagé des Lilas" in html and "Association des Lilas" in html
    assert "Projet non retenu" not in html
    assert "<a " not in html  # no campaign yet

    campaign = promotion.promote(laureate, by=staff)
    html = render_to_string("applications/_call_laureates.html", {"laureates": results.laureates(call)})
    assert "<a " not in html  # a draft is not linked

    campaign.save_revision().publish()
    html = render_to_string("applications/_call_laureates.html", {"laureates": results.laureates(call)})
    assert f'href="{campaign.url}"' in html


def test_nothing_is_rendered_without_laureates():
    assert render_to_string("applications/_call_laureates.html", {"laureates": []}).strip() == ""


# Retention -----------------------------------------------------------------------------------


def _age(application, days):
    """Make the application's last change and events `days` old."""
    past = timezone.now() - timedelta(days=days)
    Application.objects.filter(pk=application.pk).update(updated_at=past)
    ApplicationEvent.objects.filter(application=application).update(created_at=past)


@pytest.fixture
def retention_30_days(home):
    rules = PlatformSettings.for_page(home)
    rules.application_retention_days = 30
    rules.save()


def _with_data(application):
    application.answers = {"q-description": "Notre projet, nos noms, nos adresses."}
    application.save()
    ApplicationVersion.objects.create(application=application, number=1, data={"title": application.title})
    ApplicationEventFactory(application=application, from_status=S.SUBMITTED, to_status=application.status)
    return AttachmentFactory(application=application)


def test_purge_erases_applications_not_retained_past_the_period(call, private_files, retention_30_days):
    old = {
        status: SubmittedApplicationFactory(call=call, status=status)
        for status in (S.INELIGIBLE, S.NOT_SELECTED, S.WITHDRAWN)
    }
    files = {status: _with_data(application).file.name for status, application in old.items()}
    for application in old.values():
        _age(application, 31)
    old_draft = ApplicationFactory(call=call)
    draft_file = _with_data(old_draft).file.name
    _age(old_draft, 31)
    # Kept: too recent, or retained whatever their age.
    recent = SubmittedApplicationFactory(call=call, status=S.NOT_SELECTED)
    recent_file = _with_data(recent).file.name
    _age(recent, 29)
    kept = {
        status: SubmittedApplicationFactory(call=call, status=status)
        for status in (S.LAUREATE, S.SHORTLISTED, S.SUBMITTED, S.ELIGIBLE)
    }
    kept_files = {status: _with_data(application).file.name for status, application in kept.items()}
    for application in kept.values():
        _age(application, 400)
    recent_draft = ApplicationFactory(call=call)
    _age(recent_draft, 10)

    out = StringIO()
    call_command("purge_applications", stdout=out)

    assert "Erased 3 application(s)" in out.getvalue() and "deleted 1 draft(s)" in out.getvalue()
    assert "and 4 attachment(s)" in out.getvalue()
    for status, application in old.items():
        application.refresh_from_db()
        assert application.personal_data_erased_at is not None
        assert (application.answers, application.summary, application.holder_name) == ({}, "", "")
        assert not application.attachments.exists()
        assert not private_files.exists(files[status])
        assert [v.data for v in application.versions.all()] == [{}]
        # What statistics need stays.
        assert application.reference and application.status == status and application.submitted_at
        assert application.call_id == call.pk and application.title
    assert not Application.objects.filter(pk=old_draft.pk).exists()
    assert not private_files.exists(draft_file)
    for application in [recent, *kept.values()]:
        application.refresh_from_db()
        assert application.personal_data_erased_at is None
        assert application.answers and application.attachments.exists()
    assert private_files.exists(recent_file)
    assert all(private_files.exists(name) for name in kept_files.values())
    assert Application.objects.filter(pk=recent_draft.pk).exists()

    # Idempotent: nothing left to do.
    out = StringIO()
    call_command("purge_applications", stdout=out)
    assert "Erased 0 application(s)" in out.getvalue() and "deleted 0 draft(s)" in out.getvalue()


def test_a_recent_event_postpones_the_purge(call, private_files, retention_30_days):
    application = SubmittedApplicationFactory(call=call, status=S.NOT_SELECTED)
    _with_data(application)
    _age(application, 40)
    ApplicationEventFactory(application=application, from_status=S.NOT_SELECTED, to_status=S.NOT_SELECTED)

    call_command("purge_applications", stdout=StringIO())

    assert Application.objects.get(pk=application.pk).personal_data_erased_at is None


def test_the_period_is_the_one_of_the_call_site(call, private_files, home):
    application = SubmittedApplicationFactory(call=call, status=S.NOT_SELECTED)
    _with_data(application)
    _age(application, 100)

    call_command("purge_applications", stdout=StringIO())  # default: 365 days
    assert Application.objects.get(pk=application.pk).personal_data_erased_at is None

    rules = PlatformSettings.for_page(home)
    rules.application_retention_days = 90
    rules.save()
    call_command("purge_applications", stdout=StringIO())
    assert Application.objects.get(pk=application.pk).personal_data_erased_at is not None


def test_dry_run_changes_nothing(call, private_files, retention_30_days):
    application = SubmittedApplicationFactory(call=call, status=S.INELIGIBLE)
    name = _with_data(application).file.name
    _age(application, 31)
    draft = ApplicationFactory(call=call)
    _age(draft, 31)

    out = StringIO()
    call_command("purge_applications", "--dry-run", stdout=out)

    assert "Would erase 1 application(s)" in out.getvalue() and "would delete 1 draft(s)" in out.getvalue()
    application.refresh_from_db()
    assert application.personal_data_erased_at is None and application.answers
    assert application.attachments.exists() and private_files.exists(name)
    assert Application.objects.filter(pk=draft.pk).exists()


# Personal data hooks -------------------------------------------------------------------------


def test_the_hooks_are_registered():
    assert personal_data.export in hooks.get_hooks("personal_data_export")
    assert personal_data.erase in hooks.get_hooks("personal_data_erase")


def test_export_gives_the_user_applications_with_their_answers(call, private_files):
    application = SubmittedApplicationFactory(call=call, status=S.NOT_SELECTED, title="Mon projet")
    _with_data(application)
    SubmittedApplicationFactory(call=call, title="Le projet de quelqu'un d'autre")

    data = personal_data.export(application.applicant)

    [exported] = data["applications"]
    assert exported["title"] == "Mon projet"
    assert exported["reference"] == application.reference
    assert exported["status"] == str(S.NOT_SELECTED.label)
    assert {"question": "Décrivez votre projet", "answer": "Notre projet, nos noms, nos adresses."} in exported[
        "answers"
    ]
    assert [a["name"] for a in exported["attachments"]] == ["budget.pdf"]


def test_erase_deletes_drafts_and_their_files_and_keeps_submitted_applications(call, private_files, laureate, staff):
    applicant = laureate.applicant
    promotion.promote(laureate, by=staff)
    draft = ApplicationFactory(call=call, applicant=applicant)
    draft_file = _with_data(draft).file.name
    withdrawn = SubmittedApplicationFactory(call=call, applicant=applicant, status=S.WITHDRAWN)
    withdrawn_file = _with_data(withdrawn).file.name
    submitted = SubmittedApplicationFactory(call=call, applicant=applicant)
    submitted_file = _with_data(submitted).file.name

    personal_data.erase(applicant)

    assert not Application.objects.filter(pk=draft.pk).exists()
    assert not private_files.exists(draft_file)
    withdrawn.refresh_from_db()
    assert withdrawn.personal_data_erased_at is not None and not private_files.exists(withdrawn_file)
    submitted.refresh_from_db()
    assert submitted.answers and private_files.exists(submitted_file)
    assert Application.objects.get(pk=laureate.pk).campaign is not None
    assert not applicant.groups.exists()


def test_an_application_to_the_translated_call_makes_a_campaign_in_the_default_language(staff, call, project_index):
    english = Locale.objects.create(language_code="en")
    call_en = call.copy_for_translation(english, copy_parents=True)
    application = SubmittedApplicationFactory(call=call_en, status=S.LAUREATE, language="en")

    campaign = promotion.promote(application, by=staff)

    assert campaign.get_parent().pk == project_index.pk
    assert campaign.source_call.pk == call.pk
    assert campaign.locale == call.locale


def test_the_call_page_shows_its_laureates_once_results_are_published(client, laureate, call):
    SubmittedApplicationFactory(call=call, status=S.NOT_SELECTED, title="Projet non retenu")

    assert "Jardin partagé des Lilas" not in client.get(call.url).content.decode()

    call.results_published = True
    call.save_revision().publish()
    page = client.get(call.url).content.decode()
    assert 'id="laureates-title"' in page and "Jardin partagé des Lilas" in page
    assert "Projet non retenu" not in page


def test_the_dashboard_links_to_the_campaign_draft(client, laureate, staff):
    campaign = promotion.promote(laureate, by=staff)
    client.force_login(laureate.applicant)

    page = client.get(reverse("applications:dashboard")).content.decode()

    assert f'href="{reverse("wagtailadmin_pages:edit", args=[campaign.pk])}"' in page
