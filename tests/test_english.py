"""The same site in English: the language switcher, translated URLs, backing a French-only
campaign in English, and the demo's English menus, footer and legal pages."""

from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from wagtail.models import Locale, Page

from applications.models import Attachment
from payments.models import Pledge

pytestmark = pytest.mark.django_db


@pytest.fixture
def locale_en(db):
    return Locale.objects.get_or_create(language_code="en")[0]


def translate(page, locale, **fields):
    """Publish a translation of `page` in `locale` (its parent must be translated already)."""
    copy = page.specific.copy_for_translation(locale)
    for name, value in fields.items():
        setattr(copy, name, value)
    copy.save_revision().publish()
    return Page.objects.get(pk=copy.pk).specific


@pytest.fixture
def home_en(home, locale_en):
    return translate(home, locale_en, title="Home")


@pytest.fixture
def project_index_en(project_index, home_en, locale_en):
    return translate(project_index, locale_en, title="Projects", slug="projects")


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def switcher_url(response, code):
    """The language switcher's link to `code` on the page `response` shows."""
    links = soup(response).select(f"nav.language-switcher a[hreflang={code}]")
    assert len(links) == 1, response.content.decode()[:3000]
    return links[0]["href"]


def pledge_data(**overrides):
    data = {
        "reward": "",
        "amount": "30",
        "backer_name": "Sam Taylor",
        "backer_email": "sam@example.org",
        "public_name": "Sam",
        "show_amount": "on",
        "message": "",
        "consent": "on",
    }
    data.update(overrides)
    return data


# The language switcher ------------------------------------------------------------------


def test_switcher_leads_to_the_translation_of_the_page(client, make_campaign, project_index_en, locale_en):
    campaign = make_campaign(title="Jardin partagé", slug="jardin-partage")
    campaign_en = translate(campaign, locale_en, title="Shared garden", slug="shared-garden")

    assert switcher_url(client.get(campaign.url), "en") == "/en/projects/shared-garden/"
    assert switcher_url(client.get(campaign_en.url), "fr") == "/projets/jardin-partage/"


def test_switcher_on_an_untranslated_page_says_so_and_offers_the_french_page_and_english_home(
    client, make_campaign, project_index_en, home_en
):
    campaign = make_campaign(title="Jardin partagé", slug="jardin-partage")

    target = switcher_url(client.get(campaign.url), "en")
    assert target == f"/en/not-translated/?from={campaign.pk}"
    response = client.get(target)
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    page = soup(response)
    assert page.html["lang"] == "en"
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert page.h1.get_text() == "This page is not available in English."
    french = page.find("a", attrs={"hreflang": "fr", "lang": "fr"}, string="Jardin partagé")
    assert french.parent.get_text(" ", strip=True).startswith("It exists in French:")
    assert french["href"] == "/projets/jardin-partage/"
    assert page.find("a", string="Go to the home page")["href"] == "/en/"
    # A live campaign: its pledge form in English.
    assert page.find("a", string="Support this campaign")["href"] == "/projets/jardin-partage/soutenir/?lang=en"


def test_not_translated_page_in_french_for_an_english_only_page(client, make_campaign, project_index_en, locale_en):
    campaign = make_campaign(title="Jardin partagé", slug="jardin-partage")
    campaign_en = translate(campaign, locale_en, title="Shared garden", slug="shared-garden")
    campaign.unpublish()

    target = switcher_url(client.get(campaign_en.url), "fr")
    assert target == f"/non-traduite/?from={campaign_en.pk}"
    page = soup(client.get(target))
    assert page.html["lang"] == "fr"
    assert page.h1.get_text() == "Cette page n’est pas disponible en français."
    english = page.find("a", attrs={"hreflang": "en", "lang": "en"}, string="Shared garden")
    assert english["href"] == "/en/projects/shared-garden/"
    assert english.parent.get_text(" ", strip=True).startswith("Elle existe en anglais :")
    assert page.find("a", string="Aller à la page d'accueil")["href"] == "/"
    assert page.find("a", string="Soutenir cette collecte") is None  # only a French campaign's form is offered


def test_not_translated_leads_to_the_translation_once_published(client, make_campaign, project_index_en, locale_en):
    campaign = make_campaign(title="Jardin partagé", slug="jardin-partage")
    translate(campaign, locale_en, title="Shared garden", slug="shared-garden")

    response = client.get(f"/en/not-translated/?from={campaign.pk}")
    assert (response.status_code, response["Location"]) == (302, "/en/projects/shared-garden/")


def test_not_translated_ignores_an_unknown_page(client, home_en):
    response = client.get("/en/not-translated/?from=999999")
    assert response.status_code == 200
    page = soup(response)
    assert page.h1.get_text() == "This page is not available in English."
    assert page.select("main a[hreflang]") == []
    assert page.find("a", string="Go to the home page")["href"] == "/en/"


def test_switcher_on_search_keeps_the_query(client, home_en):
    response = client.get("/recherche/", {"q": "vélo"})
    assert switcher_url(response, "en") == "/en/search/?q=" + quote("vélo")
    response = client.get("/en/search/", {"q": "bike"})
    assert switcher_url(response, "fr") == "/recherche/?q=bike"


def test_switcher_on_a_404_leads_to_the_not_translated_page(client, home_en):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    target = switcher_url(response, "en")
    assert target == "/en/not-translated/"
    page = soup(client.get(target))
    assert page.h1.get_text() == "This page is not available in English."
    assert page.find("a", string="Go to the home page")["href"] == "/en/"

    response = client.get("/en/this-page-does-not-exist/")
    assert response.status_code == 404
    assert switcher_url(response, "fr") == "/non-traduite/"


# Translated URLs ------------------------------------------------------------------------


def test_search_url_is_translated_and_the_former_english_url_redirects(client, home_en):
    with translation.override("fr"):
        assert reverse("search") == "/recherche/"
    with translation.override("en"):
        assert reverse("search") == "/en/search/"
    assert client.get("/en/search/", {"q": "bike"}).status_code == 200
    response = client.get("/en/recherche/", {"q": "bike"})
    assert (response.status_code, response["Location"]) == (301, "/en/search/?q=bike")


# Backing a French-only campaign in English ----------------------------------------------


def test_english_reader_backs_a_french_only_campaign(client, make_campaign, home_en):
    campaign = make_campaign(title="Jardin partagé", slug="jardin-partage")
    url = campaign.pledge_url() + "?lang=en"

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    page = soup(response)
    assert page.html["lang"] == "en"
    notice = page.select_one("p.notice").get_text(" ", strip=True)
    assert notice == (
        "This campaign is only in French; you can support it here. Its title, rewards and terms are shown "
        "as its holders wrote them, in French."
    )
    assert page.find("button", string="Continue to payment") is not None

    response = client.post(url, pledge_data())
    assert response.status_code == 302, response.content.decode()[:3000]
    pledge = Pledge.objects.get()
    assert response["Location"] == f"/en/paiement/demo/{pledge.token}/"
    assert (pledge.campaign_id, pledge.language, pledge.status) == (campaign.pk, "en", "pending")
    assert client.get(response["Location"]).status_code == 200


def test_english_form_of_a_translated_campaign_is_its_own(client, make_campaign, project_index_en, locale_en):
    campaign = make_campaign(title="Jardin partagé", slug="jardin-partage")
    translate(campaign, locale_en, title="Shared garden", slug="shared-garden")

    response = client.get(campaign.pledge_url() + "?lang=en")
    assert (response.status_code, response["Location"]) == (302, "/en/projects/shared-garden/soutenir/")
    assert client.get(response["Location"]).status_code == 200
    # Without ?lang= the French form has no notice.
    assert soup(client.get(campaign.pledge_url())).select_one("p.notice") is None


# The demo's English site ----------------------------------------------------------------


def header_links(response):
    nav = soup(response).select_one("nav.main-nav")
    return [(a["href"], a.get_text(strip=True), a.get("lang")) for a in nav.find_all("a")]


def footer_links(response):
    items = soup(response).select("nav.site-footer__nav li")
    return [(item.find("a")["href"] if item.find("a") else None, item.get_text(strip=True)) for item in items]


def test_demo_english_site_has_english_menus_footer_legal_pages_and_tagline(client, monkeypatch, tmp_path):
    # Attachments of the demo's applications go to a temporary folder (the field's storage is built at import).
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path))
    call_command("load_demo_data", "--quiet", "--allow-production")

    response = client.get("/en/")
    assert response.status_code == 200
    assert header_links(response) == [
        ("/en/projects/", "Projects", None),
        ("/en/themes/", "Themes", None),
        ("/appels-a-projets/", "Calls for projects (in French)", None),
        ("/en/how-it-works/", "How it works", None),
    ]
    assert footer_links(response) == [
        ("/en/legal-notice/", "Legal notice"),
        ("/en/personal-data/", "Personal data"),
        ("/en/accessibility/", "Accessibility: partially compliant"),
    ]
    assert soup(response).select_one(".brand__tagline").get_text() == "Crowdfunding for Beaupré-sur-Loire's projects"
    for url, _label in footer_links(response):
        page = soup(client.get(url))
        assert page.html["lang"] == "en"
    statement = client.get("/en/accessibility/").content.decode()
    assert "<b>partially compliant</b>" in statement
    assert "Défenseur des droits" in statement

    # The French site is unchanged.
    response = client.get("/")
    assert footer_links(response) == [
        ("/mentions-legales/", "Mentions légales"),
        ("/donnees-personnelles/", "Données personnelles"),
        ("/accessibilite/", "Accessibilité\u00a0: partiellement conforme"),
    ]
    assert soup(response).select_one(".brand__tagline").get_text() == (
        "Le financement participatif des projets de Beaupré-sur-Loire"
    )
