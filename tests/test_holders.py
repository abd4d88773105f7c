"""Project holders (issue 10): an account linked to a campaign edits that campaign and adds
updates under it, submits both to moderation, never publishes, and touches no other campaign.
Staff link and unlink holders in the admin ("Porteurs de projet"); the rights follow.
"""

import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.urls import reverse
from wagtail import hooks
from wagtail.images.permissions import permission_policy as image_permissions
from wagtail.models import (
    Collection,
    GroupPagePermission,
    Locale,
    ModelLogEntry,
    PageLogEntry,
    WorkflowPage,
    WorkflowState,
)

from coupdepouce.editorial import CAMPAIGN_WORKFLOW, ensure_campaign_workflow, ensure_communication_group
from coupdepouce.models import PlatformSettings
from holders import personal_data, services
from holders.models import CampaignHolder
from projects.models import CampaignPage, CampaignUpdatePage
from tests.admin_forms import admin_form_data, form_errors
from tests.factories.applications import UserFactory
from tests.factories.coupdepouce import ImageFactory

ADD_URL = reverse("holders:add")
INDEX_URL = reverse("holders:index")


def admin_access(user):
    user = type(user).objects.get(pk=user.pk)  # fresh permission caches
    return user.has_perm("wagtailadmin.access_admin")


def fresh(page):
    return CampaignPage.objects.get(pk=page.pk)


@pytest.fixture
def campaign(make_campaign, project_index):
    ensure_campaign_workflow(project_index)
    return make_campaign(title="Jardin des Lilas")


@pytest.fixture
def other_campaign(make_campaign):
    return make_campaign(title="Fresque du lavoir")


@pytest.fixture
def holder(campaign):
    user = UserFactory(email="porteuse@example.org")
    services.add_holder(user, campaign)
    return user


@pytest.fixture
def communication(db):
    """A Communication officer: links holders, cannot publish."""
    user = UserFactory(is_staff=True, email="com@example.org")
    user.groups.add(ensure_communication_group())
    return user


# Rights --------------------------------------------------------------------------------------


def test_a_holder_edits_their_campaign_adds_updates_under_it_and_never_publishes(holder, campaign, other_campaign):
    own = fresh(campaign).permissions_for_user(holder)
    assert own.can_edit() and own.can_add_subpage()
    assert not own.can_publish() and not own.can_unpublish()
    other = fresh(other_campaign).permissions_for_user(holder)
    assert not other.can_edit() and not other.can_add_subpage()
    index = campaign.get_parent().permissions_for_user(holder)
    assert not index.can_edit() and not index.can_add_subpage()
    assert admin_access(holder)
    group = Group.objects.get(name=f"{services.HOLDER_GROUP_PREFIX}porteuse@example.org")
    codenames = set(GroupPagePermission.objects.filter(group=group).values_list("permission__codename", flat=True))
    assert codenames == {"change_page", "add_page"}
    assert set(GroupPagePermission.objects.filter(group=group).values_list("page_id", flat=True)) == {campaign.pk}


def test_adding_twice_keeps_one_link_and_one_set_of_rights(holder, campaign):
    services.add_holder(holder, campaign)

    assert CampaignHolder.objects.filter(user=holder).count() == 1
    assert GroupPagePermission.objects.filter(group__name__startswith=services.HOLDER_GROUP_PREFIX).count() == 2


def test_a_translation_links_the_default_language_page(campaign):
    english = Locale.objects.create(language_code="en")
    campaign_en = campaign.copy_for_translation(english, copy_parents=True)
    user = UserFactory()

    link = services.add_holder(user, campaign_en)

    assert link.campaign_id == campaign.pk
    assert services.is_holder(user, campaign_en) and services.is_holder(user, campaign)
    assert list(services.campaigns_of(user)) == [fresh(campaign)]
    assert services.holder_emails(campaign_en) == [user.email]


def test_the_holder_opens_their_campaign_in_the_admin_and_no_other(client, holder, campaign, other_campaign):
    client.force_login(holder)

    assert client.get(reverse("wagtailadmin_pages:edit", args=[campaign.pk])).status_code == 200
    refused = client.get(reverse("wagtailadmin_pages:edit", args=[other_campaign.pk]))
    assert refused.status_code in (302, 403)
    assert refused.status_code == 403 or "/edit/" not in refused["Location"]


def test_the_holder_cannot_publish_but_submits_to_moderation(client, holder, campaign):
    client.force_login(holder)
    url = reverse("wagtailadmin_pages:edit", args=[campaign.pk])

    data = admin_form_data(client, url, CampaignPage, campaign)
    data["summary"] = "Un potager ouvert à tous, réécrit par sa porteuse."
    data["action-publish"] = "action-publish"
    client.post(url, data)
    assert fresh(campaign).summary != "Un potager ouvert à tous, réécrit par sa porteuse."

    data = admin_form_data(client, url, CampaignPage, campaign)
    data["summary"] = "Un potager ouvert à tous, réécrit par sa porteuse."
    data["action-submit"] = "action-submit"
    response = client.post(url, data)
    assert response.status_code == 302, form_errors(response)

    page = fresh(campaign)
    assert page.summary != "Un potager ouvert à tous, réécrit par sa porteuse."  # the live version is unchanged
    assert page.get_latest_revision_as_object().summary == "Un potager ouvert à tous, réécrit par sa porteuse."
    state = WorkflowState.objects.get(object_id=str(campaign.pk), status=WorkflowState.STATUS_IN_PROGRESS)
    assert state.workflow.name == CAMPAIGN_WORKFLOW and state.requested_by == holder


def test_the_holder_posts_an_update_that_goes_to_moderation(client, holder, campaign):
    client.force_login(holder)
    url = reverse("wagtailadmin_pages:add", args=["projects", "campaignupdatepage", campaign.pk])
    data = admin_form_data(client, url, CampaignUpdatePage)
    data.update({"title": "Les premiers semis", "slug": "premiers-semis", "intro": "Ça pousse !"})
    data["action-publish"] = "action-publish"
    client.post(url, data)
    assert not CampaignUpdatePage.objects.filter(live=True).exists()
    CampaignUpdatePage.objects.all().delete()

    data["action-submit"] = "action-submit"
    del data["action-publish"]
    response = client.post(url, data)
    assert response.status_code == 302, form_errors(response)

    update = CampaignUpdatePage.objects.get(title="Les premiers semis")
    assert update.get_parent().pk == campaign.pk
    assert not update.live
    state = WorkflowState.objects.get(object_id=str(update.pk), status=WorkflowState.STATUS_IN_PROGRESS)
    assert state.workflow.name == CAMPAIGN_WORKFLOW


def test_the_holder_cannot_add_an_update_under_another_campaign(client, holder, other_campaign):
    client.force_login(holder)
    url = reverse("wagtailadmin_pages:add", args=["projects", "campaignupdatepage", other_campaign.pk])

    response = client.get(url)
    assert response.status_code in (302, 403)
    response = client.post(url, {"title": "Intrusion", "slug": "intrusion", "action-submit": "action-submit"})
    assert response.status_code in (302, 403)
    assert not CampaignUpdatePage.objects.exists()


# Removing a holder ---------------------------------------------------------------------------


def test_removing_the_only_campaign_takes_back_page_rights_and_admin_access(holder, campaign):
    assert services.remove_holder(holder, campaign)

    assert not services.is_holder(holder, campaign)
    assert not fresh(campaign).permissions_for_user(type(holder).objects.get(pk=holder.pk)).can_edit()
    assert not admin_access(holder)
    assert not Group.objects.filter(name__startswith=services.HOLDER_GROUP_PREFIX).exists()
    assert not services.remove_holder(holder, campaign)


def test_removing_one_of_two_campaigns_keeps_the_other(holder, campaign, other_campaign):
    services.add_holder(holder, other_campaign)

    services.remove_holder(holder, campaign)

    user = type(holder).objects.get(pk=holder.pk)
    assert not fresh(campaign).permissions_for_user(user).can_edit()
    assert fresh(other_campaign).permissions_for_user(user).can_edit()
    assert admin_access(holder)


def test_admin_access_from_another_group_is_kept(holder, campaign):
    holder.groups.add(ensure_communication_group())

    services.remove_holder(holder, campaign)

    assert admin_access(holder)


def test_admin_access_of_the_account_itself_is_kept(holder, campaign):
    holder.user_permissions.add(Permission.objects.get(codename="access_admin"))

    services.remove_holder(holder, campaign)

    assert admin_access(holder)


# Who manages, who is told --------------------------------------------------------------------


def test_can_manage_holders_publishers_and_superusers_only(holder, campaign, other_campaign, communication):
    assert services.can_manage(holder, campaign)
    assert not services.can_manage(holder, other_campaign)
    assert not services.can_manage(communication, campaign)  # edits, but does not publish
    assert services.can_manage(UserFactory(is_superuser=True), campaign)
    assert not services.can_manage(AnonymousUser(), campaign)
    publisher = UserFactory(is_staff=True)
    group = Group.objects.create(name="Éditeurs en chef")
    GroupPagePermission.objects.create(
        group=group, page=campaign.get_parent(), permission=Permission.objects.get(codename="publish_page")
    )
    publisher.groups.add(group)
    assert services.can_manage(publisher, campaign)
    holder.is_active = False
    holder.save()
    assert not services.can_manage(holder, campaign)


def test_notify_emails_are_the_holders_and_the_site_contact(holder, campaign, home):
    second = UserFactory(email="Autre.Porteur@example.org")
    services.add_holder(second, campaign)
    assert services.holder_emails(campaign) == ["Autre.Porteur@example.org", "porteuse@example.org"]
    assert services.notify_emails(campaign) == ["Autre.Porteur@example.org", "porteuse@example.org"]

    settings = PlatformSettings.for_page(home)
    settings.contact_email = "mairie@example.org"
    settings.save()
    assert services.notify_emails(campaign) == [
        "Autre.Porteur@example.org",
        "porteuse@example.org",
        "mairie@example.org",
    ]


def test_campaigns_of_lists_the_held_pages(holder, campaign, other_campaign):
    assert list(services.campaigns_of(holder)) == [fresh(campaign)]
    assert list(services.campaigns_of(AnonymousUser())) == []


def test_changes_are_in_the_page_history(holder, campaign, communication):
    services.remove_holder(holder, campaign, by=communication)

    actions = list(
        PageLogEntry.objects.filter(page=campaign).order_by("timestamp", "pk").values_list("action", flat=True)
    )
    assert actions[-2:] == [services.LOG_ADD, services.LOG_REMOVE]
    entry = PageLogEntry.objects.filter(page=campaign, action=services.LOG_REMOVE).get()
    assert entry.user == communication
    assert entry.message == "Porteur de projet retiré\u00a0: porteuse@example.org"


# The staff admin -----------------------------------------------------------------------------


def test_staff_link_an_account_to_a_campaign(client, communication, campaign):
    user = UserFactory(email="nouveau.porteur@example.org")
    client.force_login(communication)

    assert client.get(INDEX_URL).status_code == 200
    assert client.get(ADD_URL).status_code == 200
    response = client.post(ADD_URL, {"email": "Nouveau.Porteur@example.org", "campaign": campaign.pk})

    assert response.status_code == 302
    link = CampaignHolder.objects.get()
    assert (link.user, link.campaign_id, link.added_by) == (user, campaign.pk, communication)
    assert fresh(campaign).permissions_for_user(type(user).objects.get(pk=user.pk)).can_edit()
    assert ModelLogEntry.objects.filter(action="wagtail.create", object_id=str(link.pk), user=communication).exists()
    listing = client.get(INDEX_URL).content.decode()
    assert "nouveau.porteur@example.org" in listing and "Jardin des Lilas" in listing


def test_the_admin_form_refuses_an_unknown_address_and_keeps_the_input(client, communication, campaign):
    client.force_login(communication)

    response = client.post(ADD_URL, {"email": "inconnu@example.org", "campaign": campaign.pk})

    assert response.status_code == 200
    assert "Aucun compte n’utilise cette adresse" in response.content.decode()
    assert 'value="inconnu@example.org"' in response.content.decode()
    assert not CampaignHolder.objects.exists()


def test_the_admin_form_refuses_a_duplicate(client, communication, holder, campaign):
    client.force_login(communication)

    response = client.post(ADD_URL, {"email": holder.email, "campaign": campaign.pk})

    assert response.status_code == 200
    assert "détient déjà" in response.content.decode()
    assert CampaignHolder.objects.count() == 1


def test_staff_unlink_a_holder_and_the_rights_go(client, communication, holder, campaign):
    link = CampaignHolder.objects.get()
    client.force_login(communication)
    url = reverse("holders:delete", args=[link.pk])

    assert client.get(url).status_code == 200
    response = client.post(url)

    assert response.status_code == 302
    assert not CampaignHolder.objects.exists()
    assert not fresh(campaign).permissions_for_user(type(holder).objects.get(pk=holder.pk)).can_edit()
    assert not admin_access(holder)
    assert ModelLogEntry.objects.filter(action="wagtail.delete", object_id=str(link.pk)).exists()
    assert PageLogEntry.objects.filter(page=campaign, action=services.LOG_REMOVE, user=communication).exists()


def test_holders_themselves_cannot_use_the_staff_list(client, holder, campaign, other_campaign):
    client.force_login(holder)

    assert client.get(INDEX_URL).status_code in (302, 403)
    response = client.post(ADD_URL, {"email": holder.email, "campaign": other_campaign.pk})
    assert response.status_code in (302, 403)
    assert not services.is_holder(holder, other_campaign)


# Personal data -------------------------------------------------------------------------------


def test_personal_data_hooks(holder, campaign):
    assert personal_data.export in hooks.get_hooks("personal_data_export")
    assert personal_data.erase in hooks.get_hooks("personal_data_erase")
    assert [row["campaign"] for row in personal_data.export(holder)["held_campaigns"]] == ["Jardin des Lilas"]

    personal_data.erase(holder)

    assert not CampaignHolder.objects.exists()
    assert not holder.groups.exists()
    assert CampaignPage.objects.filter(pk=campaign.pk).exists()


# Deleting, and the workflow ------------------------------------------------------------------


def test_a_holder_cannot_delete_their_campaign(client, holder, make_campaign):
    draft = make_campaign(title="Boîte à livres")
    CampaignPage.objects.filter(pk=draft.pk).update(live=False)
    services.add_holder(holder, draft)
    assert fresh(draft).permissions_for_user(holder).can_delete()  # what Wagtail alone would allow
    client.force_login(holder)
    delete_url = reverse("wagtailadmin_pages:delete", args=[draft.pk])

    response = client.post(delete_url, follow=True)

    assert CampaignPage.objects.filter(pk=draft.pk).exists()
    assert any("Seule l’équipe du site" in str(m) for m in response.context["messages"])
    assert services.may_delete(UserFactory(is_superuser=True), draft)


def test_linking_a_holder_gives_the_project_index_the_campaign_workflow(make_campaign, project_index):
    campaign = make_campaign()
    assert not WorkflowPage.objects.filter(page=project_index).exists()

    services.add_holder(UserFactory(), campaign)

    assert fresh(campaign).get_workflow().name == CAMPAIGN_WORKFLOW


def test_rights_follow_the_account_when_its_email_changes_hands(holder, campaign, other_campaign):
    holder.email = "nouvelle.adresse@example.org"
    holder.save()
    newcomer = UserFactory(email="porteuse@example.org")  # the holder's former address

    services.add_holder(newcomer, other_campaign)

    assert not fresh(campaign).permissions_for_user(newcomer).can_edit()
    assert fresh(other_campaign).permissions_for_user(newcomer).can_edit()
    services.remove_holder(holder, campaign)
    assert not fresh(campaign).permissions_for_user(type(holder).objects.get(pk=holder.pk)).can_edit()
    assert not admin_access(holder)


def test_the_admin_form_offers_default_language_campaigns_only(client, communication, campaign):
    english = Locale.objects.create(language_code="en")
    campaign_en = campaign.copy_for_translation(english, copy_parents=True)
    client.force_login(communication)

    page = client.get(ADD_URL).content.decode()

    assert f'<option value="{campaign.pk}">' in page and f'<option value="{campaign_en.pk}">' not in page


def test_applicants_promoted_before_holders_existed_become_holders(campaign):
    """holders/migrations/0002: an old "Porteur de projet" group with change_page only."""
    user = UserFactory()
    group = Group.objects.create(name=f"{services.HOLDER_GROUP_PREFIX}{user.email}")
    change_page = Permission.objects.get(codename="change_page")
    GroupPagePermission.objects.create(group=group, page=campaign, permission=change_page)
    user.groups.add(group)
    backfill = importlib.import_module("holders.migrations.0002_backfill_promoted_holders").backfill

    backfill(django_apps, None)
    backfill(django_apps, None)

    assert services.is_holder(user, campaign)
    assert CampaignHolder.objects.filter(user=user).count() == 1
    assert fresh(campaign).permissions_for_user(user).can_add_subpage()


# Images of their campaign --------------------------------------------------------------------


def test_a_holder_uploads_and_chooses_images_in_the_holders_collection_only(holder, campaign):
    user = type(holder).objects.get(pk=holder.pk)
    policy = image_permissions
    collection = services.holder_collection()
    assert collection.name == services.HOLDER_COLLECTION
    assert set(policy.collections_user_has_permission_for(user, "add")) == {collection}
    assert set(policy.collections_user_has_permission_for(user, "choose")) == {collection}
    staff_image = ImageFactory(collection=Collection.get_first_root_node())
    holders_image = ImageFactory(collection=collection)
    assert list(policy.instances_user_has_permission_for(user, "choose")) == [holders_image]
    assert staff_image not in policy.instances_user_has_permission_for(user, "choose")

    services.remove_holder(holder, campaign)
    user = type(holder).objects.get(pk=holder.pk)
    assert not policy.collections_user_has_permission_for(user, "add").exists()
    assert not policy.instances_user_has_permission_for(user, "choose").exists()
