"""Browser tests: a real gunicorn server on its own database, driven by Debian's Chromium.

The site runs in a subprocess (see `liveserver.py`), so these tests never touch the
Django ORM in-process and need no pytest-django database fixture.
"""

import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from liveserver import LiveServerError, live_site, shell_json  # noqa: E402

# No DJANGO_ALLOW_ASYNC_UNSAFE here: these tests never use the ORM in-process. Playwright's sync
# API keeps its event loop marked as running while its browser fixtures are alive; the database
# tests pytest-xdist runs meanwhile on the same worker run without that mark
# (`pytest_runtest_protocol` in tests/conftest.py), so Django's async-safety check stays on for
# the whole suite.

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Never `playwright install`: the system Chromium, sandbox off (we run as root).
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def live_server_site():
    """Migrate, load the demo data, collect static files and serve with gunicorn, once."""
    started = time.monotonic()
    try:
        with live_site("browser", workers=2) as site:
            site.timings["total_setup"] = time.monotonic() - started
            yield site
    except LiveServerError as exc:
        pytest.fail(f"Could not start the live site: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def base_url(live_server_site):
    # pytest-playwright gives it to every context: page.goto("/projets/") works.
    return live_server_site.base_url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "fr-FR", "viewport": {"width": 1280, "height": 800}}


# What the demo data holds, read once from the subprocess' database: the tests follow
# links, and use this only to choose targets and check figures, never to hard-code slugs.
SITE_DATA_SCRIPT = r"""
import json
from wagtail.models import Locale
from calls.models import CallForProjectsPage
from home.models import HomePage, StandardPage
from projects.models import CampaignPage, CampaignUpdatePage, ProjectIndexPage
from themes.models import ThemePage

fr = Locale.objects.get(language_code="fr")
url = lambda page: page.get_url() if page is not None else None
home = HomePage.objects.live().filter(locale=fr).first()
themes = list(ThemePage.objects.live().filter(locale=fr).order_by("path"))
campaigns = []
for c in CampaignPage.objects.live().filter(locale=fr).order_by("path"):
    f = c.figures
    campaigns.append({
        "url": url(c), "title": c.title, "status": f.status, "percent": f.percent,
        "raised_cents": f.raised_cents, "goal_cents": f.goal_cents,
        "themes": sorted(str(t.translation_key) for t in c.themes.all()),
        "updates": CampaignUpdatePage.objects.live().child_of(c).count(),
        "id": c.pk,
        "english": CampaignPage.objects.live().filter(translation_key=c.translation_key).exclude(locale=fr).exists(),
    })
updates = CampaignUpdatePage.objects.live().filter(locale=fr).order_by("path")
calls = CallForProjectsPage.objects.live().filter(locale=fr).order_by("path")
standard = list(StandardPage.objects.live().filter(locale=fr).order_by("path"))
a11y = [p for p in standard if "accessibilit" in p.slug] or standard
features = list(home.features.order_by("sort_order")) if home else []
print(json.dumps({
    "home": url(home),
    "project_index": url(ProjectIndexPage.objects.live().filter(locale=fr).first()),
    "themes": [{"url": url(t), "slug": t.slug, "title": t.title, "key": str(t.translation_key)} for t in themes],
    "campaigns": campaigns,
    "update": url(updates.first()),
    "call": url(calls.first()),
    "content": url(a11y[0]) if a11y else None,
    "features": [url(f.page.specific) for f in features if f.page.live],
    "locales": sorted(Locale.objects.values_list("language_code", flat=True)),
}))
"""


@pytest.fixture(scope="session")
def site_data(live_server_site):
    data = shell_json(live_server_site, SITE_DATA_SCRIPT)
    assert data["home"], "load_demo_data created no French home page"
    assert data["campaigns"], "load_demo_data created no campaign"
    return data


@pytest.fixture
def nojs_page(browser, base_url):
    context = browser.new_context(base_url=base_url, java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    yield page
    context.close()


# Issue 10 (holders, help in kind, follows, questions): what the demo's community content
# holds, read once like SITE_DATA_SCRIPT. The tests choose their campaigns from it.
COMMUNITY_DATA_SCRIPT = r"""
import json
from django.contrib.auth import get_user_model
from wagtail.models import Locale
from holders.models import CampaignHolder
from projects.models import CampaignPage
from questions.models import Question

fr = Locale.objects.get(language_code="fr")
holder = get_user_model().objects.filter(email="porteur@example.org").first()
held = set(CampaignHolder.objects.filter(user=holder).values_list("campaign_id", flat=True)) if holder else set()
campaigns = []
for c in CampaignPage.objects.live().filter(locale=fr).order_by("path"):
    f = c.figures
    campaigns.append({
        "id": c.pk, "url": c.get_url(), "title": c.title, "status": f.status, "key": str(c.translation_key),
        "held": c.pk in held,
        "needs": [
            {"key": str(n.translation_key), "description": n.description, "quantity": n.quantity}
            for n in c.needs.order_by("sort_order")
        ],
        "published_questions": Question.objects.filter(campaign=c, status="published").count(),
        "milestones": c.milestones.count(),
        "budget_lines": c.budget_lines.count(),
        "english_url": next((t.get_url() for t in c.get_translations().live().exclude(locale=fr)), None),
    })
print(json.dumps({"holder": holder.email if holder else None, "campaigns": campaigns}))
"""


@pytest.fixture(scope="session")
def community_data(live_server_site):
    data = shell_json(live_server_site, COMMUNITY_DATA_SCRIPT)
    assert data["holder"], "load_demo_data created no project holder account (porteur@example.org)"
    return data
