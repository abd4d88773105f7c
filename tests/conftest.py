"""Shared fixtures: a small site tree built with the app factories.

HomePage (site root) → ThemeIndexPage → ThemePage
                     → ProjectIndexPage → CampaignPage (make_campaign)
                     → CallIndexPage
"""

import asyncio
import os
import time
import types
from datetime import timedelta

import django_ratelimit.core
import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.db import connection
from django.test import override_settings
from django.utils import timezone, translation
from wagtail.models import Locale

from coupdepouce import ratelimits
from tests.factories.calls import CallIndexPageFactory
from tests.factories.home import HomePageFactory
from tests.factories.projects import (
    CampaignPageFactory,
    PledgeFactory,
    ProjectIndexPageFactory,
    RewardTierFactory,
    TerritoryFactory,
)
from tests.factories.themes import ThemeIndexPageFactory, ThemePageFactory

if os.environ.get("MUTATION_DB_TEMPLATE"):
    # `make mutation` only: each session copies one migrated SQLite file (tests/mutation_db.py).
    from tests.mutation_db import django_db_setup  # noqa: F401


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` (row locks under real concurrency) need PostgreSQL. Elsewhere they
    are skipped with a reason that says so and how to run them; on PostgreSQL they always run."""
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(
        reason=f"needs PostgreSQL, this run uses {connection.vendor}: `make test` runs these when PostgreSQL "
        "answers on 127.0.0.1:5432; or set DATABASE_URL=postgres://…"
    )
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Playwright's sync API (tests/browser) keeps its event loop marked as running in the main
    thread while its browser fixtures are alive. A database test that pytest-xdist runs on the
    same worker meanwhile would then be refused the ORM by Django's async-safety check
    (SynchronousOnlyOperation). Such a test runs with no loop marked, which is the truth for it,
    and the mark is put back for the browser tests that follow."""
    loop = asyncio._get_running_loop()
    if loop is None or item.get_closest_marker("browser"):
        yield
        return
    asyncio._set_running_loop(None)
    try:
        yield
    finally:
        asyncio._set_running_loop(loop)


@pytest.fixture(scope="session", autouse=True)
def _media_root(tmp_path_factory):
    """Uploads, renditions and private attachments go to temporary folders, also for TestCase.setUpTestData."""
    with override_settings(
        MEDIA_ROOT=str(tmp_path_factory.mktemp("media")),
        PRIVATE_MEDIA_ROOT=str(tmp_path_factory.mktemp("private")),
    ):
        yield


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's default language (French), whatever an earlier test in the
    same process activated: with pytest-xdist the order of tests on a worker varies."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clear_caches():
    """No cached site root paths, renditions or settings leak from one test to the next."""
    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture
def low_rates(settings, monkeypatch):
    """Every limited form at two requests a minute, on a stopped clock.

    django-ratelimit counts in fixed windows, each ending at a second of its choosing; three
    requests that straddled that second saw the count start again (a flaky 302 instead of 429
    on a loaded CI machine). Only the limiter's clock is stopped, so the window cannot turn.
    """
    settings.RATELIMITS = {name: "2/m" for name in ratelimits.RATES}
    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", types.SimpleNamespace(time=lambda: now))
    return settings


@pytest.fixture
def locale_fr(db):
    # wagtailcore's migrations create the default locale from LANGUAGE_CODE ("fr").
    locale, _ = Locale.objects.get_or_create(language_code="fr")
    return locale


@pytest.fixture
def home(locale_fr):
    return HomePageFactory.as_site_root(locale=locale_fr)


@pytest.fixture
def theme_index(home):
    return ThemeIndexPageFactory(parent=home)


@pytest.fixture
def theme(theme_index):
    return ThemePageFactory(parent=theme_index, title="Culture", slug="culture")


@pytest.fixture
def project_index(home):
    return ProjectIndexPageFactory(parent=home)


@pytest.fixture
def call_index(home):
    return CallIndexPageFactory(parent=home)


@pytest.fixture
def territory(locale_fr):
    return TerritoryFactory(locale=locale_fr, name="Centre-ville", slug="centre-ville")


@pytest.fixture
def make_campaign(project_index):
    """Build a campaign under the project index.

    `starts_in`/`lasts` are timedeltas relative to now (default: started a day ago, 31 days long).
    `pledges` is a list of amounts in cents (committed) or of (amount_cents, status) pairs;
    `rewards` is how many reward tiers to add. Extra keyword arguments go to the factory.
    """

    def _make(*, starts_in=timedelta(days=-1), lasts=timedelta(days=31), pledges=(), rewards=0, **kwargs):
        start_at = timezone.now() + starts_in
        kwargs.setdefault("parent", project_index)
        campaign = CampaignPageFactory(start_at=start_at, end_at=start_at + lasts, **kwargs)
        for _ in range(rewards):
            RewardTierFactory(page=campaign)
        for pledge in pledges:
            amount, status = pledge if isinstance(pledge, tuple) else (pledge, "committed")
            PledgeFactory(campaign=campaign, amount_cents=amount, status=status)
        return campaign

    return _make
