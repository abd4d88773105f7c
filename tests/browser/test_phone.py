"""On a phone: a collapsed menu that works without JavaScript, the campaign's figures and
"Support" button in the first screen, folding filters, and no sideways scrolling at 320 CSS px
(RGAA 10.11: content reflows as at 400 % zoom on a 1280 px wide screen)."""

import pytest
from liveserver import shell_json
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
NARROW = {"width": 320, "height": 640}

# Every public page of the demo site, read from the site's own database: every live page in
# every language, each campaign's pledge form, and the pages Wagtail does not serve.
PUBLIC_PAGES_SCRIPT = r"""
import json
from wagtail.models import Page
from projects.models import CampaignPage

urls = []
for page in Page.objects.live().filter(depth__gt=1).specific().order_by("path"):
    url = page.get_url()
    if url:
        urls.append(url)
    if isinstance(page, CampaignPage) and page.open_to_pledges:
        urls.append(page.get_url() + "soutenir/")
pledgeable = [c.get_url() for c in CampaignPage.objects.live().filter(locale__language_code="fr").order_by("path")
              if c.open_to_pledges]
print(json.dumps({"urls": urls, "pledgeable": pledgeable}))
"""

EXTRA_PATHS = [
    "/recherche/?q=jardin",
    "/recherche/?q=",
    "/en/search/?q=garden",
    "/comptes/login/",
    "/comptes/signup/",
    "/comptes/password/reset/",
    "/en/comptes/login/",
    "/cette-page-n-existe-pas/",
]


@pytest.fixture(scope="module")
def public_pages(live_server_site):
    data = shell_json(live_server_site, PUBLIC_PAGES_SCRIPT)
    assert len(data["urls"]) > 30, data
    assert data["pledgeable"], "the demo has no campaign open to pledges"
    return data


@pytest.fixture
def phone_page(browser, base_url):
    context = browser.new_context(base_url=base_url, viewport=PHONE, locale="fr-FR")
    yield context.new_page()
    context.close()


@pytest.fixture
def nojs_phone_page(browser, base_url):
    context = browser.new_context(base_url=base_url, viewport=PHONE, locale="fr-FR", java_script_enabled=False)
    yield context.new_page()
    context.close()


def test_support_button_is_in_the_first_screen(phone_page, public_pages):
    """At 390×844, every pledgeable campaign shows its figures and its button without scrolling."""
    page = phone_page
    for url in public_pages["pledgeable"]:
        assert page.goto(url).ok, url
        button = page.get_by_role("link", name="Soutenir ce projet")
        expect(button).to_have_count(1)
        box = button.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], f"{url}: button at {box}"
        figures = page.locator(".funding-box .figures").bounding_box()
        assert figures["y"] + figures["height"] <= PHONE["height"], f"{url}: figures at {figures}"


def test_menu_is_collapsed_and_opens_without_javascript(nojs_phone_page, site_data):
    page = nojs_phone_page
    assert page.goto(site_data["home"]).ok
    menu = page.get_by_role("navigation", name="Menu principal")
    projects_link = menu.get_by_role("link", name="Projets", exact=True)
    search = page.get_by_role("searchbox", name="Rechercher sur le site")
    expect(projects_link).to_be_hidden()
    expect(search).to_be_hidden()
    header = page.locator("header.site-header").bounding_box()
    assert header["height"] <= 160, f"the closed header takes {header['height']} px"

    page.get_by_text("Menu", exact=True).click()
    expect(projects_link).to_be_visible()
    expect(search).to_be_visible()
    with page.expect_navigation():
        projects_link.click()
    assert page.url.endswith(site_data["project_index"])


def test_menu_is_open_on_a_wide_screen_without_javascript(nojs_page, site_data):
    page = nojs_page
    assert page.goto(site_data["home"]).ok
    menu = page.get_by_role("navigation", name="Menu principal")
    expect(menu.get_by_role("link", name="Projets", exact=True)).to_be_visible()
    expect(page.get_by_role("searchbox", name="Rechercher sur le site")).to_be_visible()
    expect(page.get_by_text("Menu", exact=True)).to_be_hidden()


def test_project_filters_fold_away_on_a_phone(nojs_phone_page, site_data):
    page = nojs_phone_page
    assert page.goto(site_data["project_index"]).ok
    theme = page.get_by_label("Thématique")
    expect(theme).to_be_hidden()
    page.locator("summary").filter(has_text="Filtrer les projets").click()
    expect(theme).to_be_visible()

    # Filtered results keep the form open, so the visitor sees what is selected.
    option = theme.locator("option").nth(1).get_attribute("value")
    theme.select_option(option)
    with page.expect_navigation():
        page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_label("Thématique")).to_be_visible()
    expect(page.get_by_label("Thématique")).to_have_value(option)


def test_no_public_page_scrolls_sideways_at_320_px(browser, base_url, public_pages):
    context = browser.new_context(base_url=base_url, viewport=NARROW, locale="fr-FR")
    page = context.new_page()
    too_wide = {}
    try:
        for url in public_pages["urls"] + EXTRA_PATHS:
            response = page.goto(url)
            assert response.status in (200, 404), f"{url} answered {response.status}"
            expect(page.locator("details.site-menu"), url).to_have_count(1)
            for menu_open in (False, True):
                if menu_open:
                    page.locator("details.site-menu").evaluate("el => { el.open = true; }")
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > NARROW["width"]:
                    too_wide[f"{url}{' (menu open)' if menu_open else ''}"] = width
    finally:
        context.close()
    assert too_wide == {}
