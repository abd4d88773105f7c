"""Header menu and footer: `NavigationMenu` snippets per site and language, and the legal,
personal data and accessibility pages chosen in the site settings (never found by slug)."""

from collections import Counter

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from wagtail.models import Locale, Page, Site

from coupdepouce.models import AccessibilityStatus, MenuItem, NavigationMenu, PlatformSettings
from demo.navigation import load_navigation
from tests.factories.calls import CallIndexPageFactory
from tests.factories.home import HomePageFactory, StandardPageFactory
from tests.factories.projects import ProjectIndexPageFactory
from tests.factories.themes import ThemeIndexPageFactory, ThemePageFactory

pytestmark = pytest.mark.django_db

MAIN = NavigationMenu.Location.MAIN
FOOTER = NavigationMenu.Location.FOOTER


def french(message):
    """`message` as the French pages show it (the msgid until the catalog translates it)."""
    with translation.override("fr"):
        return translation.gettext(message)


def english(message):
    with translation.override("en"):
        return translation.gettext(message)


PARTIAL_FR = french("Accessibility: partially compliant")


@pytest.fixture
def site(home):
    return Site.objects.get(is_default_site=True)


@pytest.fixture
def locale_en(db):
    return Locale.objects.get_or_create(language_code="en")[0]


@pytest.fixture
def home_en(home, locale_en):
    return translate(home, locale_en, title="Home")


def translate(page, locale, **fields):
    """Publish a translation of `page` in `locale` (its parent must be translated already)."""
    copy = page.specific.copy_for_translation(locale)
    for name, value in fields.items():
        setattr(copy, name, value)
    copy.save_revision().publish()
    return Page.objects.get(pk=copy.pk).specific


def make_menu(site, location, *links, locale=None, translation_of=None):
    """A menu of `links`: pages or external URLs, alone or as (target, label) pairs."""
    menu = NavigationMenu(site=site, location=location, locale=locale or Locale.get_default())
    if translation_of is not None:
        menu.translation_key = translation_of.translation_key
    menu.save()
    for order, link in enumerate(links):
        target, label = link if isinstance(link, tuple) else (link, "")
        if isinstance(target, Page):
            MenuItem.objects.create(menu=menu, page=target, label=label, sort_order=order)
        else:
            MenuItem.objects.create(menu=menu, url=target, label=label, sort_order=order)
    return menu


def soup(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def header_links(response):
    """(href, text) of every header menu link; [] when the page has no menu."""
    nav = soup(response).select_one("nav.main-nav")
    return [] if nav is None else [(a["href"], a.get_text(strip=True)) for a in nav.find_all("a")]


def header_anchors(response):
    nav = soup(response).select_one("nav.main-nav")
    return {a.get_text(strip=True): a for a in nav.find_all("a")}


def footer_links(response):
    """(href or None, text) of every item of the footer list, the accessibility status last."""
    items = soup(response).select("nav.site-footer__nav li")
    links = []
    for item in items:
        anchor = item.find("a")
        links.append((anchor["href"] if anchor else None, item.get_text(strip=True)))
    return links


def choose_legal_pages(site, legal=None, privacy=None, accessibility=None, status=None):
    settings = PlatformSettings.for_site(site)
    settings.legal_page, settings.privacy_page, settings.accessibility_page = legal, privacy, accessibility
    if status is not None:
        settings.accessibility_status = status
    settings.save()
    return settings


# Header ----------------------------------------------------------------------------


def test_header_shows_the_menu_links_in_order(client, site, home, project_index, theme_index, call_index):
    guide = StandardPageFactory(parent=home, title="Comment ça marche", slug="comment-ca-marche")
    make_menu(
        site,
        MAIN,
        project_index,
        theme_index,
        call_index,
        (guide, "Mode d'emploi"),
        ("https://www.example.org/", "Site de la ville"),
    )
    response = client.get(home.url)
    assert header_links(response) == [
        ("/projets/", "Projets"),
        ("/thematiques/", "Thématiques"),
        ("/appels-a-projets/", "Appels à projets"),
        ("/comment-ca-marche/", "Mode d'emploi"),
        ("https://www.example.org/", "Site de la ville"),
    ]
    # The home page is in no section: nothing is current.
    assert not any(a.has_attr("aria-current") for a in header_anchors(response).values())


def test_header_marks_the_current_page_and_section(client, site, home, project_index, theme_index, theme):
    make_menu(site, MAIN, project_index, theme_index)
    anchors = header_anchors(client.get(project_index.url))
    assert anchors["Projets"]["aria-current"] == "page"
    assert not anchors["Thématiques"].has_attr("aria-current")

    anchors = header_anchors(client.get(theme.url))
    assert anchors["Thématiques"]["aria-current"] == "true"
    assert not anchors["Projets"].has_attr("aria-current")


def test_unpublished_pages_are_left_out_of_the_menu(client, site, home, project_index):
    draft = StandardPageFactory(parent=home, title="Brouillon", slug="brouillon")
    draft.unpublish()
    make_menu(site, MAIN, draft, project_index)
    assert header_links(client.get(home.url)) == [("/projets/", "Projets")]


# Footer ----------------------------------------------------------------------------


def test_footer_shows_its_menu_then_the_pages_chosen_in_the_settings(client, site, home):
    contact = StandardPageFactory(parent=home, title="Nous contacter", slug="contact")
    legal = StandardPageFactory(parent=home, title="Mentions légales", slug="mentions-legales")
    privacy = StandardPageFactory(parent=home, title="Données personnelles", slug="donnees-personnelles")
    statement = StandardPageFactory(parent=home, title="Déclaration d'accessibilité", slug="declaration-a11y")
    make_menu(site, FOOTER, ("https://presse.example.org/", "Espace presse"), contact)
    choose_legal_pages(site, legal, privacy, statement)

    response = client.get(home.url)
    assert footer_links(response) == [
        ("https://presse.example.org/", "Espace presse"),
        ("/contact/", "Nous contacter"),
        ("/mentions-legales/", "Mentions légales"),
        ("/donnees-personnelles/", "Données personnelles"),
        ("/declaration-a11y/", PARTIAL_FR),
    ]
    # The footer menu is not the header's.
    assert header_links(response) == []


def test_a_legal_page_also_in_the_footer_menu_is_linked_once(client, site, home):
    legal = StandardPageFactory(parent=home, title="Mentions légales", slug="mentions-legales")
    make_menu(site, FOOTER, legal)
    choose_legal_pages(site, legal=legal)
    assert footer_links(client.get(home.url)) == [("/mentions-legales/", "Mentions légales"), (None, PARTIAL_FR)]


@pytest.mark.parametrize(
    "status, message",
    [
        (AccessibilityStatus.FULL, "Accessibility: fully compliant"),
        (AccessibilityStatus.PARTIAL, "Accessibility: partially compliant"),
        (AccessibilityStatus.NONE, "Accessibility: not compliant"),
    ],
)
def test_footer_states_the_accessibility_status_of_the_settings(client, site, home, status, message):
    statement = StandardPageFactory(parent=home, title="Accessibilité", slug="accessibilite")
    choose_legal_pages(site, accessibility=statement, status=status)
    assert footer_links(client.get(home.url))[-1] == ("/accessibilite/", french(message))


def test_no_page_is_found_by_its_slug_any_more(client, site, home):
    """Content pages with the slugs the footer and menu used to look for are linked only when chosen."""
    for slug in ("accessibilite", "declaration-accessibilite", "comment-ca-marche", "mentions-legales"):
        StandardPageFactory(parent=home, slug=slug, title=slug.replace("-", " ").capitalize(), show_in_menus=True)
    response = client.get(home.url)
    assert header_links(response) == []
    # The status is stated on every page, without a link until a statement is chosen.
    assert footer_links(response) == [(None, PARTIAL_FR)]


# Languages -------------------------------------------------------------------------


def test_english_pages_fall_back_on_the_french_menu_with_pages_in_english(
    client, site, home, home_en, locale_en, project_index, theme_index, call_index
):
    projects_en = translate(project_index, locale_en, title="Projects", slug="projects")
    make_menu(site, MAIN, project_index, theme_index, (call_index, "Appels"))

    response = client.get(projects_en.url)
    assert projects_en.url == "/en/projects/"
    assert header_links(response) == [
        ("/en/projects/", "Projects"),
        ("/thematiques/", "Thématiques"),
        ("/appels-a-projets/", "Appels"),
    ]
    anchors = header_anchors(response)
    assert anchors["Projects"]["aria-current"] == "page"
    # Text in French on an English page says so (RGAA 8.7); English text does not.
    assert (anchors["Thématiques"].get("lang"), anchors["Appels"].get("lang")) == ("fr", "fr")
    assert not anchors["Projects"].has_attr("lang")
    # The brand links to the English home.
    assert soup(response).select_one("a.brand")["href"] == "/en/"


def test_english_menu_replaces_the_french_one_on_english_pages(
    client, site, home, home_en, locale_en, project_index, theme_index
):
    projects_en = translate(project_index, locale_en, title="Projects", slug="projects")
    menu_fr = make_menu(site, MAIN, project_index, (theme_index, "Nos thématiques"))
    make_menu(site, MAIN, projects_en, (theme_index, "Themes"), locale=locale_en, translation_of=menu_fr)

    assert header_links(client.get(home_en.url)) == [("/en/projects/", "Projects"), ("/thematiques/", "Themes")]
    assert header_links(client.get(home.url)) == [("/projets/", "Projets"), ("/thematiques/", "Nos thématiques")]


def test_legal_pages_are_shown_in_the_visitors_language(client, site, home, home_en, locale_en):
    legal = StandardPageFactory(parent=home, title="Mentions légales", slug="mentions-legales")
    privacy = StandardPageFactory(parent=home, title="Données personnelles", slug="donnees-personnelles")
    statement = StandardPageFactory(parent=home, title="Accessibilité", slug="accessibilite")
    translate(legal, locale_en, title="Legal notice", slug="legal-notice")
    translate(statement, locale_en, title="Accessibility", slug="accessibility")
    choose_legal_pages(site, legal, privacy, statement, status=AccessibilityStatus.FULL)

    response = client.get(home_en.url)
    assert footer_links(response) == [
        ("/en/legal-notice/", "Legal notice"),
        # Not translated: the French page, marked as French.
        ("/donnees-personnelles/", "Données personnelles"),
        ("/en/accessibility/", english("Accessibility: fully compliant")),
    ]
    assert soup(response).select("nav.site-footer__nav a")[1]["lang"] == "fr"
    assert footer_links(client.get(home.url))[0] == ("/mentions-legales/", "Mentions légales")


# Sites -----------------------------------------------------------------------------


def test_each_site_shows_its_own_menus_and_legal_pages(client, site, home, locale_fr, project_index):
    other_home = HomePageFactory(locale=locale_fr, title="Autreville")
    other_site = Site.objects.create(hostname="autreville.example", port=80, root_page=other_home)
    other_index = ProjectIndexPageFactory(parent=other_home, title="Les projets d'Autreville")
    legal = StandardPageFactory(parent=home, title="Mentions légales", slug="mentions-legales")
    other_legal = StandardPageFactory(parent=other_home, title="Mentions d'Autreville", slug="mentions")
    make_menu(site, MAIN, project_index)
    make_menu(other_site, MAIN, other_index, ("https://autreville.example.org/", "Mairie"))
    choose_legal_pages(site, legal=legal)
    choose_legal_pages(other_site, legal=other_legal, status=AccessibilityStatus.NONE)

    response = client.get("/")
    assert header_links(response) == [("/projets/", "Projets")]
    assert footer_links(response) == [("/mentions-legales/", "Mentions légales"), (None, PARTIAL_FR)]

    response = client.get("/", HTTP_HOST="autreville.example")
    assert header_links(response) == [
        ("/projets/", "Les projets d'Autreville"),
        ("https://autreville.example.org/", "Mairie"),
    ]
    assert footer_links(response) == [
        ("/mentions/", "Mentions d'Autreville"),
        (None, french("Accessibility: not compliant")),
    ]


# Validation and admin --------------------------------------------------------------


def test_a_link_needs_a_page_or_a_url(site, home):
    menu = make_menu(site, MAIN)
    with pytest.raises(ValidationError) as error:
        MenuItem(menu=menu, label="Rien").clean()
    with translation.override("en"):
        assert error.value.messages == ["Choose a page or enter an external URL for this link."]
    with pytest.raises(ValidationError):
        MenuItem(menu=menu, page=home, url="https://www.example.org/").clean()
    with pytest.raises(ValidationError) as error:
        MenuItem(menu=menu, url="https://www.example.org/").clean()
    assert "label" in error.value.message_dict
    MenuItem(menu=menu, page=home).clean()
    MenuItem(menu=menu, url="https://www.example.org/", label="Ville").clean()


def menu_form_data(site, location, *items):
    data = {
        "site": str(site.pk),
        "location": location,
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for n, item in enumerate(items):
        data.update({f"items-{n}-{key}": "" for key in ("id", "page", "url", "label", "DELETE")})
        data[f"items-{n}-ORDER"] = str(n + 1)
        data.update({f"items-{n}-{key}": str(value) for key, value in item.items()})
    return data


def test_admin_refuses_a_link_without_page_or_url_and_a_second_menu(admin_client, site, home):
    add_url = reverse("wagtailsnippets_coupdepouce_navigationmenu:add") + "?locale=fr"
    assert admin_client.get(add_url).status_code == 200

    response = admin_client.post(add_url, menu_form_data(site, MAIN, {"label": "Rien"}))
    assert response.status_code == 200
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        message = translation.gettext("Choose a page or enter an external URL for this link.")
    assert message in response.content.decode()
    assert not NavigationMenu.objects.exists()

    response = admin_client.post(add_url, menu_form_data(site, MAIN, {"page": home.pk}))
    assert response.status_code == 302
    menu = NavigationMenu.objects.get()
    assert (menu.site, menu.location, menu.locale.language_code) == (site, MAIN, "fr")
    assert [(item.page_id, item.locale_id) for item in menu.items.all()] == [(home.pk, menu.locale_id)]

    # One menu per site, location and language.
    response = admin_client.post(add_url, menu_form_data(site, MAIN, {"page": home.pk}))
    assert response.status_code == 200
    assert NavigationMenu.objects.count() == 1

    listing = admin_client.get(reverse("wagtailsnippets_coupdepouce_navigationmenu:list"))
    assert listing.status_code == 200
    edit = admin_client.get(reverse("wagtailsnippets_coupdepouce_navigationmenu:edit", args=[menu.pk]))
    assert edit.status_code == 200


def test_menus_are_translated_with_wagtail_localize(admin_client, client, site, home, home_en, locale_en):
    """The admin's "Translate" makes the English menu: same site and location, labels to translate."""
    guide = StandardPageFactory(parent=home, title="Comment ça marche", slug="comment-ca-marche")
    guide_en = translate(guide, locale_en, title="How it works", slug="how-it-works")
    menu = make_menu(site, MAIN, guide, ("https://www.example.org/", "Site de la ville"))
    url = reverse("wagtail_localize:submit_snippet_translation", args=["coupdepouce", "navigationmenu", menu.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"locales": [locale_en.pk]})
    assert response.status_code == 302

    menu_en = NavigationMenu.objects.get(locale=locale_en)
    assert (menu_en.translation_key, menu_en.site, menu_en.location) == (menu.translation_key, site, MAIN)
    items = list(menu_en.items.all())
    assert [(item.locale_id, item.page_id, item.url) for item in items] == [
        (locale_en.pk, guide.pk, ""),
        (locale_en.pk, None, "https://www.example.org/"),
    ]
    # The page link shows the English page; the label is the translator's to edit.
    assert header_links(client.get(home_en.url))[0] == (guide_en.url, "How it works")


def test_settings_form_offers_the_legal_pages(admin_client, site):
    response = admin_client.get(reverse("wagtailsettings:edit", args=["coupdepouce", "platformsettings", site.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    for field in ("legal_page", "privacy_page", "accessibility_page", "accessibility_status"):
        assert field in form.fields


# Queries ---------------------------------------------------------------------------


def page_queries(client, url):
    """Queries of the second GET of `url` (the first one warms the caches)."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response, [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_queries_do_not_grow_with_the_menus(client, site, home, home_en, locale_en, language):
    """The same number of queries with 2 or 12 links in each menu, translated or not."""
    pages = []
    main = make_menu(site, MAIN)
    footer = make_menu(site, FOOTER)
    target = home if language == "fr" else home_en

    def grow(size):
        while len(pages) < size:
            n = len(pages)
            page = StandardPageFactory(parent=home, title=f"Page {n}", slug=f"page-{n}")
            if n % 2:
                translate(page, locale_en, title=f"Page {n} (en)", slug=f"page-{n}-en")
            pages.append(page)
            MenuItem.objects.create(menu=main, page=page, sort_order=n)
            MenuItem.objects.create(menu=footer, page=page, label=f"Lien {n}", sort_order=n)
            MenuItem.objects.create(menu=footer, url=f"https://example.org/{n}", label=f"Site {n}", sort_order=100 + n)

    grow(2)
    response, small = page_queries(client, target.url)
    assert len(header_links(response)) == 2
    grow(12)
    response, big = page_queries(client, target.url)
    assert len(header_links(response)) == 12
    assert len(footer_links(response)) == 2 * 12 + 1
    if language == "en":
        assert ("/en/page-1-en/", "Page 1 (en)") in header_links(response)
    extra = "\n".join(f"{n} × {sql}" for sql, n in (Counter(big) - Counter(small)).most_common(10))
    assert len(small) == len(big), f"{len(small)} queries with 2 links, {len(big)} with 12:\n{extra}"


# Demo ------------------------------------------------------------------------------


def test_demo_navigation_reproduces_the_former_menus(client, site, home, home_en, locale_en):
    """The demo's tree (same slugs): the menus the page tree and slugs used to give."""
    projects = ProjectIndexPageFactory(parent=home)
    themes = ThemeIndexPageFactory(parent=home)
    ThemePageFactory(parent=themes)
    CallIndexPageFactory(parent=home)
    for slug, title in (
        ("comment-ca-marche", "Comment ça marche"),
        ("mentions-legales", "Mentions légales"),
        ("donnees-personnelles", "Données personnelles"),
        ("accessibilite", "Déclaration d'accessibilité"),
    ):
        StandardPageFactory(parent=home, slug=slug, title=title)
    translate(projects, locale_en, title="Projects", slug="projects")
    translate(themes, locale_en, title="Themes", slug="themes")

    created = load_navigation(site, home, home_en)
    assert created == Counter({"menus": 2, "menu links": 8})
    assert load_navigation(site, home, home_en) == Counter()
    assert NavigationMenu.objects.count() == 2
    assert MenuItem.objects.count() == 8

    response = client.get(home.url)
    assert header_links(response) == [
        ("/projets/", "Projets"),
        ("/thematiques/", "Thématiques"),
        ("/appels-a-projets/", "Appels à projets"),
        ("/comment-ca-marche/", "Comment ça marche"),
    ]
    assert footer_links(response) == [
        ("/mentions-legales/", "Mentions légales"),
        ("/donnees-personnelles/", "Données personnelles"),
        ("/accessibilite/", PARTIAL_FR),
    ]
    # English readers also reach the pages that exist only in French, labelled so.
    assert header_links(client.get(home_en.url)) == [
        ("/en/projects/", "Projects"),
        ("/en/themes/", "Themes"),
        ("/appels-a-projets/", "Calls for projects (in French)"),
        ("/comment-ca-marche/", "How it works (in French)"),
    ]
    menu_fr, menu_en = NavigationMenu.objects.order_by("locale__language_code").reverse()
    assert menu_fr.translation_key == menu_en.translation_key
