"""The Content-Security-Policy in a real browser: the site and the admin work under it.

Chromium reports every violation as a `securitypolicyviolation` event (and a console error).
A listener installed before any page script (Playwright's init script, which the policy does
not govern) records them; each page below must end with none. Then an inline script injected
into a public page must be refused: the policy really applies.
"""

import pytest
from liveserver import shell_json
from playwright.sync_api import expect

from demo.loader import ADMIN_EMAIL, DEMO_PASSWORD

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    const where = `${event.sourceFile}:${event.lineNumber}`;
    window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${where}`);
}, true);
"""

CAMPAIGN_ID = """
import json
from wagtail.models import Locale
from projects.models import CampaignPage
page = CampaignPage.objects.live().filter(locale=Locale.objects.get(language_code="fr")).order_by("path").first()
print(json.dumps(page.pk))
"""


@pytest.fixture
def watched(page):
    """The page, with its CSP violations and console errors recorded."""
    console = []
    page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    page.add_init_script(RECORD_VIOLATIONS)
    page.csp_console = console
    return page


def violations(page):
    return page.evaluate("window.__cspViolations")


def csp_errors(page):
    return [text for text in page.csp_console if "Content Security Policy" in text]


def live_campaign(site_data):
    return next(c["url"] for c in site_data["campaigns"] if c["status"] == "live")


def test_public_pages_run_under_the_policy(watched, site_data):
    campaign = live_campaign(site_data)
    for url in [site_data["home"], campaign, campaign + "soutenir/"]:
        response = watched.goto(url)
        assert response.ok, url
        assert "script-src 'self' https://js.stripe.com" in response.headers["content-security-policy"]
        watched.wait_for_load_state("networkidle")
        assert (url, violations(watched), csp_errors(watched)) == (url, [], [])

    # With JavaScript, "Soutenir ce projet" opens the form in place (coupdepouce/static/js/pledge.js).
    watched.goto(campaign)
    watched.get_by_role("link", name="Soutenir ce projet").click()
    expect(watched.locator("#pledge-inline")).to_be_visible()
    assert violations(watched) == []


def test_an_inline_script_is_refused_on_a_public_page(watched, site_data):
    assert watched.goto(live_campaign(site_data)).ok
    watched.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.__inlineRan = true;";
            document.body.appendChild(script);
        }"""
    )
    watched.wait_for_function("window.__cspViolations.length > 0")
    assert watched.evaluate("window.__inlineRan === undefined")
    [violation] = violations(watched)
    assert violation.startswith("script-src-elem inline ")


def test_the_admin_page_editor_runs_under_its_policy(watched, live_server_site, site_data):
    campaign_id = shell_json(live_server_site, CAMPAIGN_ID)
    assert watched.goto("/admin/login/").ok
    watched.fill("input[name='username']", ADMIN_EMAIL)
    watched.fill("input[name='password']", DEMO_PASSWORD)
    watched.locator("form button[type='submit']").click()
    watched.wait_for_url("**/admin/")

    response = watched.goto(f"/admin/pages/{campaign_id}/edit/")
    assert response.ok
    assert "script-src 'self' 'unsafe-inline'" in response.headers["content-security-policy"]
    watched.wait_for_load_state("networkidle")
    # The live preview: the page, rendered by the admin, in an iframe of the editor.
    watched.locator("[data-side-panel-toggle='preview']").click()
    watched.frame_locator("#w-preview-iframe").locator("h1").first.wait_for()
    watched.wait_for_load_state("networkidle")
    assert (violations(watched), csp_errors(watched)) == ([], [])

    # Signed in, public pages carry Wagtail's user bar (its scripts and styles are files).
    response = watched.goto(live_campaign(site_data))
    assert "script-src 'self' https://js.stripe.com" in response.headers["content-security-policy"]
    expect(watched.locator("wagtail-userbar")).to_be_attached()
    watched.wait_for_load_state("networkidle")
    assert (violations(watched), csp_errors(watched)) == ([], [])
