"""The admin dashboard's panels (construct_homepage_panels): campaigns ending within 7 days,
campaigns without news for 30 days (projects), pages waiting for validation (coupdepouce),
applications awaiting screening (applications). Each lists the right rows and no others, shows no
backer's personal data, and runs the same number of queries whatever the number of rows."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.wagtail_hooks import applications_awaiting_screening
from coupdepouce.wagtail_hooks import pages_in_moderation
from payments.models import Pledge
from projects.wagtail_hooks import campaigns_ending_soon, quiet_campaigns
from tests.factories.applications import ApplicationFactory, SubmittedApplicationFactory
from tests.factories.calls import CallForProjectsPageFactory
from tests.factories.home import StandardPageFactory
from tests.factories.projects import CampaignUpdatePageFactory

DAY = timedelta(days=1)


@pytest.fixture
def admin_client_(client, db):
    user = get_user_model().objects.create_superuser("chef@example.org", "not-a-real-one", full_name="Chef")
    client.force_login(user)
    return client


def titles(rows):
    return [row.title for row in rows]


def test_campaigns_ending_within_7_days(make_campaign):
    now = timezone.now()
    make_campaign(title="Dans 3 jours", starts_in=-10 * DAY, lasts=13 * DAY)
    make_campaign(title="Dans 6 jours", starts_in=-10 * DAY, lasts=16 * DAY)
    make_campaign(title="Dans 10 jours", starts_in=-10 * DAY, lasts=20 * DAY)
    make_campaign(title="Terminée hier", starts_in=-10 * DAY, lasts=9 * DAY)
    make_campaign(title="Pas commencée", starts_in=DAY, lasts=2 * DAY)
    make_campaign(title="Brouillon", starts_in=-10 * DAY, lasts=13 * DAY, live=False)
    assert titles(campaigns_ending_soon(now)) == ["Dans 3 jours", "Dans 6 jours"]


def test_campaigns_without_news_for_30_days(make_campaign):
    now = timezone.now()
    today = timezone.localdate(now)
    silent = make_campaign(title="Aucune nouvelle", starts_in=-40 * DAY, lasts=60 * DAY)
    old_news = make_campaign(title="Vieille nouvelle", starts_in=-40 * DAY, lasts=60 * DAY)
    CampaignUpdatePageFactory(parent=old_news, date=today - 35 * DAY)
    fresh = make_campaign(title="Nouvelle récente", starts_in=-40 * DAY, lasts=60 * DAY)
    CampaignUpdatePageFactory(parent=fresh, date=today - 35 * DAY)
    CampaignUpdatePageFactory(parent=fresh, date=today - 5 * DAY)
    draft_news = make_campaign(title="Nouvelle en brouillon", starts_in=-40 * DAY, lasts=60 * DAY)
    CampaignUpdatePageFactory(parent=draft_news, date=today - 2 * DAY, live=False)
    make_campaign(title="Lancée il y a 10 jours", starts_in=-10 * DAY, lasts=60 * DAY)
    make_campaign(title="Terminée", starts_in=-70 * DAY, lasts=60 * DAY)
    rows = list(quiet_campaigns(now))
    assert titles(rows) == ["Aucune nouvelle", "Nouvelle en brouillon", "Vieille nouvelle"]
    assert [row.last_news for row in rows] == [None, None, today - 35 * DAY]
    assert silent.pk == rows[0].pk


def test_pages_waiting_for_validation(home, admin_client_):
    user = get_user_model().objects.get(email="chef@example.org")
    waiting = StandardPageFactory(parent=home, title="Soumise", slug="soumise")
    waiting.save_revision(user=user)
    waiting.get_workflow().start(waiting, user)
    StandardPageFactory(parent=home, title="Publiée", slug="publiee")
    cancelled = StandardPageFactory(parent=home, title="Annulée", slug="annulee")
    cancelled.save_revision(user=user)
    cancelled.get_workflow().start(cancelled, user).cancel(user=user)
    assert [page.title for page, _state in pages_in_moderation()] == ["Soumise"]


def test_applications_awaiting_screening(home):
    call = CallForProjectsPageFactory(parent=home)
    submitted = SubmittedApplicationFactory(call=call, title="À examiner")
    ApplicationFactory(call=call, title="Brouillon")
    SubmittedApplicationFactory(call=call, title="Recevable", status="eligible")
    assert [a.pk for a in applications_awaiting_screening()] == [submitted.pk]


def dashboard_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    return response, len(queries)


def add_rows(home, make_campaign, call, user, n):
    for _ in range(n):
        make_campaign(starts_in=-40 * DAY, lasts=43 * DAY, pledges=[1000])
        page = StandardPageFactory(parent=home)
        page.save_revision(user=user)
        page.get_workflow().start(page, user)
        SubmittedApplicationFactory(call=call)


def test_the_dashboard_shows_the_panels_with_constant_queries(home, make_campaign, admin_client_):
    user = get_user_model().objects.get(email="chef@example.org")
    call = CallForProjectsPageFactory(parent=home)
    add_rows(home, make_campaign, call, user, 2)
    admin_client_.get(reverse("wagtailadmin_home"))  # warm the caches
    response, few = dashboard_queries(admin_client_)
    for heading in (
        "Collectes qui se terminent dans les 7 jours",
        "Collectes sans actualité depuis 30 jours",
        "Pages en attente de validation",
        "Candidatures à examiner (recevabilité)",
    ):
        assert heading in response.content.decode()
    add_rows(home, make_campaign, call, user, 6)
    admin_client_.get(reverse("wagtailadmin_home"))  # the caches the new pages emptied
    response, many = dashboard_queries(admin_client_)
    assert few == many
    # No backer's personal data: pledges exist, their backers' names and emails are not shown.
    html = response.content.decode()
    backers = Pledge.objects.values_list("backer_name", "backer_email")
    assert len(backers) == 8
    assert [(name in html, email in html) for name, email in backers] == [(False, False)] * 8
