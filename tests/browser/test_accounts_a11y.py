"""axe-core (RGAA 4 and WCAG 2.1 A/AA rules) finds no violation on the account pages,
blank and after a refused submission (error summary, fields marked invalid), and the
forms work without JavaScript (server-side errors only: `novalidate`).

axe runs in the page, so it needs JavaScript: the no-JavaScript check is a separate test.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from helpers import format_axe_violations
from liveserver import shell_json
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


def test_signup_errors_have_no_axe_violation(page, axe):
    assert page.goto(SIGNUP).ok
    page.fill("#id_email", "pas-une-adresse")
    page.fill("#id_password1", "court")
    submit(page)
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(page.locator("#id_full_name")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_email")).to_have_attribute("aria-describedby", "id_email_error")
    assert summary.locator('a[href="#id_full_name"]').count() == 1
    assert page.title().startswith("Erreur")
    assert_no_violation(page, axe)


def test_refused_sign_in_has_no_axe_violation(page, axe):
    assert page.goto(LOGIN).ok
    page.fill("#id_login", "personne@example.org")
    page.fill("#id_password", "pas le bon mot de passe")
    submit(page)
    expect(page.locator("#error-summary")).to_be_visible()
    assert_no_violation(page, axe)


def test_signup_errors_show_without_javascript(nojs_page):
    # axe needs JavaScript: this one only checks that the server-side errors come back.
    page = nojs_page
    assert page.goto(SIGNUP).ok
    page.fill("#id_full_name", "Léa Dubois")
    submit(page)
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#id_email")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_full_name")).to_have_value("Léa Dubois")


CITIZEN_SCRIPT = r"""
import json, uuid
from allauth.account.models import EmailAddress
from accounts.models import User
email = f"citoyen-{uuid.uuid4().hex[:8]}@example.org"
user = User.objects.create_user(email, "Une-phrase-de-passe-solide-42", full_name="Camille Martin")
EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
print(json.dumps({"email": email, "password": "Une-phrase-de-passe-solide-42"}))
"""


def test_signed_in_pages_have_no_axe_violation(page, live_server_site, axe):
    citizen = shell_json(live_server_site, CITIZEN_SCRIPT)
    assert page.goto(LOGIN).ok
    page.fill("#id_login", citizen["email"])
    page.fill("#id_password", citizen["password"])
    submit(page)
    header = page.locator("header.site-header")
    expect(header.locator('a[href="/comptes/espace/"]')).to_be_visible()
    expect(header.locator('form[action="/comptes/logout/"] button')).to_be_visible()

    for path in ["/comptes/espace/", "/comptes/email/", "/comptes/password/change/", "/comptes/supprimer/"]:
        response = page.goto(path)
        assert response.ok, f"{path} answered {response.status}"
        assert_no_violation(page, axe)

    page.fill("#id_password", "pas le bon mot de passe")
    submit(page)
    expect(page.locator("#error-summary")).to_be_visible()
    assert_no_violation(page, axe)

    with page.expect_navigation():
        header.locator('form[action="/comptes/logout/"] button').click()
    expect(page.locator('header.site-header a[href="/comptes/login/"]')).to_be_visible()
