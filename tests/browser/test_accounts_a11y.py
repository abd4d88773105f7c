"""axe-core (RGAA 4 and WCAG 2.1 A/AA rules) finds no violation on the account pages,
blank and after a refused submission (error summary, fields marked invalid), and the
forms work without JavaScript (server-side errors only: `novalidate`).
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from helpers import format_axe_violations
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

AXE_TAGS = ["RGAAv4", "wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}

SIGNUP = "/comptes/signup/"
LOGIN = "/comptes/login/"


@pytest.fixture(scope="session")
def axe():
    return Axe()


def assert_no_violation(page, axe):
    violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, format_axe_violations(page.url, violations)


def submit(page):
    with page.expect_navigation():
        page.locator('main form button[type="submit"]').last.click()


@pytest.mark.parametrize("path", [SIGNUP, LOGIN, "/comptes/password/reset/", "/en/comptes/signup/"])
def test_account_page_has_no_axe_violation(page, live_server_site, axe, path):
    response = page.goto(path)
    assert response.ok, f"{path} answered {response.status}"
    expect(page.locator("header.site-header")).to_be_visible()
    assert_no_violation(page, axe)


def test_signup_errors_have_no_axe_violation(nojs_page, axe):
    page = nojs_page
    page.set_default_timeout(10000)
    page.on("response", lambda r: print("RESP", r.status, r.url, flush=True))
    assert page.goto(SIGNUP).ok
    print("loaded", flush=True)
    page.fill("#id_email", "pas-une-adresse")
    page.fill("#id_password1", "court")
    print("filled", flush=True)
    submit(page)
    print("submitted", page.url, flush=True)
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(page.locator("#id_full_name")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_email")).to_have_attribute("aria-describedby", "id_email_error")
    assert summary.locator('a[href="#id_full_name"]').count() == 1
    assert page.title().startswith("Erreur")
    assert_no_violation(page, axe)


def test_refused_sign_in_has_no_axe_violation(nojs_page, axe):
    page = nojs_page
    assert page.goto(LOGIN).ok
    page.fill("#id_login", "personne@example.org")
    page.fill("#id_password", "pas le bon mot de passe")
    submit(page)
    expect(page.locator("#error-summary")).to_be_visible()
    assert_no_violation(page, axe)
