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


# Issue 10: the campaign page with its community sections, and the new pages reached by a
# plain link. The pages behind a form or an emailed link are checked in test_community.py.
COMMUNITY_PAGES = [
    "campaign_with_needs_questions_follow_share",
    "campaign_with_accountability",
    "campaign_upcoming_launch_alert",
    "offer_form",
    "follow_form",
    "question_form",
    "embed_card",
    "mastodon_share",
    "english_campaign",
    "english_offer_form",
]


def community_url(kind, community_data):
    campaigns = community_data["campaigns"]
    live = [c for c in campaigns if c["status"] == "live" and c["needs"]]
    held = max(live, key=lambda c: (c["held"], c["published_questions"])) if live else None
    if kind == "campaign_with_accountability":
        funded = [c for c in campaigns if c["status"] == "succeeded" and c["milestones"] and c["budget_lines"]]
        return funded[0]["url"] if funded else None
    if kind == "campaign_upcoming_launch_alert":
        upcoming = [c for c in campaigns if c["status"] == "upcoming"]
        return upcoming[0]["url"] if upcoming else None
    if kind.startswith("english_"):
        english = next((c for c in live if c["english_url"]), None)
        if english is None:
            return None
        return english["english_url"] + ("aider/" if kind == "english_offer_form" else "")
    if held is None:
        return None
    return {
        "campaign_with_needs_questions_follow_share": held["url"],
        "offer_form": f"{held['url']}aider/?besoin={held['needs'][0]['key']}",
        "follow_form": held["url"] + "suivre/",
        "question_form": held["url"] + "questions/",
        "embed_card": held["url"] + "carte/",
        "mastodon_share": held["url"] + "partager/mastodon/",
    }[kind]


@pytest.mark.parametrize("kind", COMMUNITY_PAGES)
def test_no_axe_violation_on_community_pages(kind, page, community_data, axe):
    url = community_url(kind, community_data)
    assert url, f"the demo data has no page for {kind}"
    response = page.goto(url)
    assert response.ok, f"{url} answered {response.status}"
    if kind == "campaign_with_needs_questions_follow_share":
        main = page.locator("main")
        assert main.locator("a[href*='aider/?besoin=']").count() > 0, "no “Je peux aider” link"
        # Links to the follow and question forms' own pages (the page carries no CSRF token).
        assert main.get_by_role("link", name="Suivre ce projet").count() == 1
        assert main.locator("#questions").get_by_role("link", name="Poser une question").count() == 1
        assert main.locator("a[href^='mailto:?']").count() >= 1, "no share-by-email link"
    if kind == "campaign_with_accountability":
        assert page.get_by_role("heading", name=re.compile("Où en est le projet")).count() == 1
    if kind == "campaign_upcoming_launch_alert":
        assert page.locator("main").get_by_role("link", name="Prévenez-moi du lancement").count() == 1
    violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, format_axe_violations(url, violations)
