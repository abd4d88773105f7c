"""The money terms of a campaign (goal, funding model, dates) once it has pledges
(`payments.terms`): locked in the page editor, changed by the Finances group with a reason
and an entry in the page's history; an ended campaign never reopens."""

from datetime import timedelta

import pytest
from admin_forms import admin_form_data, form_errors
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import Locale, PageLogEntry

from coupdepouce.editorial import (
    COMMUNICATION_GROUP,
    FINANCES_GROUP,
    ensure_communication_group,
    ensure_finances_group,
)
from coupdepouce.models import PlatformSettings
from payments import services, terms
from payments.models import CampaignClosing
from payments.rules import CampaignStatus
from payments.rules import PledgeStatus as S
from projects.models import CampaignPage
from projects.rules import campaign_rule_errors
from tests.factories.projects import PledgeFactory

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
# Communication submits pages for validation (tests/test_moderation.py); tests that publish
# through the edit form log in as a superuser, whom the terms lock binds all the same.
PUBLISHER = "publisher"


def fr(message_function):
    with translation.override("fr"):
        return message_function()


@pytest.fixture
def login(client, django_user_model):
    ensure_communication_group()
    ensure_finances_group()

    def _login(group_name):
        if group_name == PUBLISHER:
            user = django_user_model.objects.create_superuser("publisher@example.net", "pw", full_name="Publisher")
        else:
            user = django_user_model.objects.create_user(
                f"{group_name.lower()}@example.net", "pw", full_name=group_name
            )
            user.groups.add(Group.objects.get(name=group_name))
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def campaign(make_campaign):
    """A live campaign (dates with seconds, as stored) with one committed pledge."""
    campaign = make_campaign(goal=5000, pledges=[2500])
    campaign.save_revision().publish()
    return CampaignPage.objects.get(pk=campaign.pk)


def local(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def edit(client, page, **changes):
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    data = admin_form_data(client, url, CampaignPage, page)
    data.update(changes)
    data["action-publish"] = "action-publish"
    return client.post(url, data)


def terms_form(campaign, **changes):
    data = {
        "goal": str(campaign.goal),
        "funding_model": campaign.funding_model,
        "start_at": local(campaign.start_at),
        "end_at": local(campaign.end_at),
        "reason": "",
    }
    data.update(changes)
    return data


def stored(page):
    return CampaignPage.objects.get(pk=page.pk)


def terms_log(page):
    return PageLogEntry.objects.filter(page=page, action=terms.LOG_ACTION)


class TestEditorForm:
    def test_new_end_date_is_refused_once_pledges_exist(self, login, campaign):
        client = login(COMMUNICATION_GROUP)
        before = stored(campaign)
        response = edit(client, campaign, end_at=local(campaign.end_at + 10 * DAY))
        assert response.status_code == 200
        assert response.context["form"].errors["end_at"] == [fr(terms.pledged_message)]
        assert fr(terms.pledged_message).startswith("Cette collecte a déjà des contributions")
        after = stored(campaign)
        assert (after.end_at, after.goal, after.live_revision_id) == (before.end_at, 5000, before.live_revision_id)

    @pytest.mark.parametrize(
        "field, value",
        [("goal", "6000"), ("funding_model", "keep_it_all"), ("start_at", "later")],
    )
    def test_every_term_is_locked(self, login, campaign, field, value):
        client = login(COMMUNICATION_GROUP)
        if value == "later":
            value = local(campaign.start_at + DAY)
        response = edit(client, campaign, **{field: value})
        assert response.status_code == 200
        assert response.context["form"].errors[field] == [fr(terms.pledged_message)]
        after = stored(campaign)
        assert (after.goal, after.funding_model, after.start_at) == (5000, "all_or_nothing", campaign.start_at)

    def test_other_fields_still_change_and_dates_keep_their_seconds(self, login, campaign):
        assert campaign.end_at.second or campaign.end_at.microsecond  # the form shows minutes only
        client = login(PUBLISHER)
        response = edit(client, campaign, summary="Un nouveau résumé.")
        assert response.status_code == 302, form_errors(response)
        after = stored(campaign)
        assert after.summary == "Un nouveau résumé."
        assert (after.start_at, after.end_at) == (campaign.start_at, campaign.end_at)

    def test_free_before_the_first_pledge(self, login, make_campaign):
        campaign = make_campaign(pledges=[(2500, S.CANCELLED), (1000, S.FAILED)])
        client = login(PUBLISHER)
        new_end = campaign.end_at + 10 * DAY
        response = edit(client, campaign, end_at=local(new_end), goal="6000")
        assert response.status_code == 302, form_errors(response)
        after = stored(campaign)
        assert after.goal == 6000 and local(after.end_at) == local(new_end)

    def test_a_pending_pledge_locks_too(self, login, make_campaign):
        campaign = make_campaign(pledges=[(2500, S.PENDING)])
        response = edit(login(COMMUNICATION_GROUP), campaign, goal="6000")
        assert response.status_code == 200
        assert response.context["form"].errors["goal"] == [fr(terms.pledged_message)]

    def test_pledges_on_a_translation_lock_the_french_page(self, login, make_campaign):
        campaign = make_campaign()
        english = campaign.copy_for_translation(Locale.objects.get_or_create(language_code="en")[0], copy_parents=True)
        PledgeFactory(campaign=english, amount_cents=1000)
        response = edit(login(COMMUNICATION_GROUP), campaign, goal="6000")
        assert response.status_code == 200
        assert response.context["form"].errors["goal"] == [fr(terms.pledged_message)]

    def test_an_ended_campaign_never_reopens(self, login, make_campaign):
        """No pledge at all: still, moving the end of a published, ended campaign is refused."""
        ended = make_campaign(starts_in=-40 * DAY, lasts=30 * DAY)
        client = login(COMMUNICATION_GROUP)
        response = edit(client, ended, end_at=local(timezone.now() + 10 * DAY))
        assert response.status_code == 200
        assert response.context["form"].errors["end_at"] == [fr(terms.ended_message)]
        assert stored(ended).end_at == ended.end_at
        assert services.campaign_takes_pledges(stored(ended)) is False
        assert stored(ended).status == CampaignStatus.FAILED

    def test_a_draft_never_published_may_get_new_dates(self, login, make_campaign):
        draft = make_campaign(starts_in=-40 * DAY, lasts=30 * DAY, live=False)
        client = login(COMMUNICATION_GROUP)
        url = reverse("wagtailadmin_pages:edit", args=[draft.pk])
        data = admin_form_data(client, url, CampaignPage, draft)
        start = timezone.now() + DAY
        data.update(start_at=local(start), end_at=local(start + 20 * DAY))
        response = client.post(url, data)  # save a draft
        assert response.status_code == 302, form_errors(response)
        revision = stored(draft).get_latest_revision_as_object()
        assert local(revision.end_at) == local(start + 20 * DAY)


class TestFinancesChange:
    def test_with_a_reason(self, login, campaign):
        client = login(FINANCES_GROUP)
        new_end = timezone.localtime(campaign.end_at + 7 * DAY).replace(second=0, microsecond=0)
        response = client.post(
            reverse("payments_campaign_terms", args=[campaign.pk]),
            terms_form(campaign, goal="6000", end_at=local(new_end), reason="Erreur de saisie de la mairie"),
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("payments_campaign_report", args=[campaign.pk])
        after = stored(campaign)
        assert (after.goal, after.end_at) == (6000, new_end)
        assert after.start_at == campaign.start_at  # unchanged: the exact stored value
        entry = terms_log(campaign).get()
        assert entry.user.email == "finances@example.net"
        assert entry.data == {
            "reason": "Erreur de saisie de la mairie",
            "changes": {
                "goal": {"old": 5000, "new": 6000},
                "end_at": {"old": campaign.end_at.isoformat(), "new": new_end.isoformat()},
            },
        }

    def test_shown_in_the_page_history(self, login, campaign, django_user_model):
        terms.change_terms(
            campaign,
            {"goal": 7000},
            reason="Nouveau devis",
            user=django_user_model.objects.create_user("u@x.org", "pw"),
        )
        admin = django_user_model.objects.create_superuser("admin@example.net", "pw", full_name="Admin")
        client = login(FINANCES_GROUP)
        client.force_login(admin)
        html = client.get(reverse("wagtailadmin_pages:history", args=[campaign.pk])).content.decode()
        with translation.override("fr"):
            assert "Conditions de la collecte modifiées : objectif (€)" in html
        assert "Nouveau devis" in html

    def test_without_a_reason_is_refused(self, login, campaign):
        client = login(FINANCES_GROUP)
        response = client.post(
            reverse("payments_campaign_terms", args=[campaign.pk]), terms_form(campaign, goal="6000", reason="  ")
        )
        assert response.status_code == 200
        assert response.context["form"].errors["reason"] == [
            "Donnez le motif de ce changement : il est conservé dans l'historique de la page."
        ]
        assert stored(campaign).goal == 5000
        assert not terms_log(campaign).exists()

    def test_every_translation_changes(self, login, campaign):
        english = campaign.copy_for_translation(Locale.objects.get_or_create(language_code="en")[0], copy_parents=True)
        client = login(FINANCES_GROUP)
        response = client.post(
            reverse("payments_campaign_terms", args=[english.pk]), terms_form(campaign, goal="6000", reason="Devis")
        )
        assert response.status_code == 302
        assert {stored(campaign).goal, stored(english).goal} == {6000}
        assert terms_log(campaign).count() == terms_log(english).count() == 1

    def test_site_rules_hold(self, login, campaign):
        settings = PlatformSettings.for_page(campaign)
        settings.max_goal = 8000
        settings.save()
        client = login(FINANCES_GROUP)
        response = client.post(
            reverse("payments_campaign_terms", args=[campaign.pk]), terms_form(campaign, goal="9000", reason="Devis")
        )
        assert response.status_code == 200
        with translation.override("fr"):
            [(field, message)] = campaign_rule_errors(
                goal=9000, start_at=None, end_at=None, max_goal=8000, max_days=None
            )
        assert message.startswith("L'objectif ne peut pas dépasser 8 000")
        assert response.context["form"].errors[field] == [message]
        assert stored(campaign).goal == 5000

    def test_a_closed_campaign_keeps_its_dates(self, login, make_campaign):
        closed = make_campaign(starts_in=-40 * DAY, lasts=30 * DAY, pledges=[2500])
        CampaignClosing.objects.create(campaign=closed, outcome=CampaignStatus.FAILED, raised_cents=2500)
        client = login(FINANCES_GROUP)
        response = client.post(
            reverse("payments_campaign_terms", args=[closed.pk]),
            terms_form(closed, end_at=local(timezone.now() + 10 * DAY), reason="Prolonger"),
        )
        assert response.status_code == 200
        assert response.context["form"].errors["end_at"] == [fr(terms.ended_message)]
        assert stored(closed).end_at == closed.end_at
        assert services.campaign_takes_pledges(stored(closed)) is False

    def test_nothing_to_change(self, login, campaign):
        response = login(FINANCES_GROUP).post(
            reverse("payments_campaign_terms", args=[campaign.pk]), terms_form(campaign, reason="Rien")
        )
        assert response.status_code == 200
        assert response.context["form"].non_field_errors() == [
            "Rien à changer : ce sont déjà les conditions de la collecte."
        ]

    def test_a_draft_keeps_its_content_and_gets_the_new_terms(self, login, campaign, django_user_model):
        draft = campaign.get_latest_revision_as_object()
        draft.summary = "Résumé en cours de relecture."
        draft.save_revision()
        finances = django_user_model.objects.create_user("f@x.org", "pw")
        terms.change_terms(campaign, {"goal": 6000}, reason="Devis", user=finances)
        page = stored(campaign)
        assert page.goal == 6000 and page.summary != "Résumé en cours de relecture."  # live row: terms only
        latest = page.get_latest_revision_as_object()
        assert (latest.goal, latest.summary) == (6000, "Résumé en cours de relecture.")
        # The editor may now publish the draft: its terms are the new ones.
        response = edit(login(PUBLISHER), page)
        assert response.status_code == 302, form_errors(response)
        assert (stored(campaign).goal, stored(campaign).summary) == (6000, "Résumé en cours de relecture.")

    def test_refused_without_the_permission(self, login, campaign):
        client = login(COMMUNICATION_GROUP)
        url = reverse("payments_campaign_terms", args=[campaign.pk])
        for response in (client.get(url), client.post(url, terms_form(campaign, goal="6000", reason="x"))):
            assert response.status_code == 302
            assert response["Location"] == reverse("wagtailadmin_home")
        assert stored(campaign).goal == 5000

    def test_button_in_the_editor_header(self, login, campaign, django_user_model):
        url = reverse("payments_campaign_terms", args=[campaign.pk])
        editor = login(COMMUNICATION_GROUP)
        assert url not in editor.get(reverse("wagtailadmin_pages:edit", args=[campaign.pk])).content.decode()
        editor.force_login(django_user_model.objects.create_superuser("admin@example.net", "pw", full_name="A"))
        assert url in editor.get(reverse("wagtailadmin_pages:edit", args=[campaign.pk])).content.decode()

    def test_form_page(self, login, campaign):
        response = login(FINANCES_GROUP).get(reverse("payments_campaign_terms", args=[campaign.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert 'name="reason"' in html and 'name="end_at"' in html
        assert "Cette collecte a déjà des contributions" in html
