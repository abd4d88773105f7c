"""axe-core (RGAA 4 and WCAG 2.1 A/AA rules) finds no violation on the main page types.

axe only covers what a machine can check (about a third of RGAA's criteria); keyboard,
zoom, relevance of alternatives and the rest stay with a manual audit.
"""

import re
from urllib.parse import quote

import pytest
from axe_playwright_python.sync_playwright import Axe
from helpers import format_axe_violations

pytestmark = pytest.mark.browser

AXE_TAGS = ["RGAAv4", "wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}

PAGES = [
    "home",
    "theme",
    "project_index",
    "campaign",
    "campaign_update",
    "call",
    "content",
    "search",
    "english_home",
    "not_translated",
    "english_pledge_form",
]


@pytest.fixture(scope="session")
def axe():
    return Axe()


def _search_term(site_data):
    """A word of a campaign's title, so that the results page lists something."""
    words = re.findall(r"\w{5,}", site_data["campaigns"][0]["title"])
    return words[0] if words else site_data["campaigns"][0]["title"]


def page_url(kind, site_data):
    campaigns = site_data["campaigns"]
    if kind == "theme":
        return site_data["themes"][0]["url"] if site_data["themes"] else None
    if kind == "campaign":
        # The richest campaign: updates and money raised exercise most of the template.
        return max(campaigns, key=lambda c: (c["updates"] > 0, c["raised_cents"] > 0, c["status"] == "live"))["url"]
    if kind == "campaign_update":
        return site_data["update"]
    if kind == "search":
        return "/recherche/?q=" + quote(_search_term(site_data))
    if kind == "english_home":
        return "/en/"
    if kind == "not_translated":
        # The language switcher's target from a French page that has no English version.
        return f"/en/not-translated/?from={_french_only_campaign(site_data)['id']}"
    if kind == "english_pledge_form":
        return _french_only_campaign(site_data)["url"] + "soutenir/?lang=en"
    return site_data[kind]


def _french_only_campaign(site_data):
    """A live campaign that has no English version (most of the demo's)."""
    return next(c for c in site_data["campaigns"] if c["status"] == "live" and not c["english"])


@pytest.mark.parametrize("kind", PAGES)
def test_no_axe_violation(kind, page, site_data, axe):
    url = page_url(kind, site_data)
    assert url, f"the demo data has no {kind} page"
    response = page.goto(url)
    assert response.ok, f"{url} answered {response.status}"
    if kind == "search":
        assert page.locator("main a[href]").count() > 0, f"{url} lists no result"
    results = axe.run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    assert not violations, format_axe_violations(url, violations)
