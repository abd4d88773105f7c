"""Two sites, two collectivités: each host shows only its own content, in both languages.

Site A (alpha.test, the default site) and site B (beta.test) each have a home page under
the root, their own platform settings, territories, themes, project index, campaigns with
pledges, calls and an English tree. Every public list is requested on each host and must
hold that site's pages only; so must search, the sitemap, the RSS feed and the absolute
links in the emails backers receive. A third site is then created through the admin.
"""

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import timedelta

import pytest
from admin_forms import admin_form_data, form_errors
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import Locale, Page, Site
from wagtail.test.utils.form_data import querydict_from_html

from coupdepouce.models import PlatformSettings
from home.models import HomePage
from payments import demo_gateway, emails
from payments.models import Pledge
from projects.models import CampaignPage
from tests.factories.calls import CallForProjectsPageFactory, CallIndexPageFactory
from tests.factories.home import HomeFeatureFactory, HomePageFactory
from tests.factories.projects import (
    CampaignPageFactory,
    CampaignUpdatePageFactory,
    PledgeFactory,
    ProjectIndexPageFactory,
    TerritoryFactory,
)
from tests.factories.themes import ThemeIndexPageFactory, ThemePageFactory

pytestmark = pytest.mark.django_db

ALPHA, BETA = "alpha.test", "beta.test"
SITEMAP_LOC = "{http://www.sitemaps.org/schemas/sitemap/0.9}loc"


@dataclass
class SiteTree:
    host: str
    site: Site
    home: HomePage
    theme: Page
    project_index: Page
    campaign: Page
    ended: Page
    call_index: Page
    call: Page
    territory: object
    campaign_en: Page = None
    home_en: Page = None
    shared: object = None


def parse_xml(content):
    """Parse a feed or sitemap this site produced itself (trusted input)."""
    return ET.fromstring(content)  # noqa: S314


def path_of(page):
    """The page's path on its own site ("/projets/…", "/en/projects/…")."""
    return page.get_url_parts()[2]


def french_url(name, **kwargs):
    """A French URL, whatever language the last request left active in this thread."""
    with translation.override("fr"):
        return reverse(name, kwargs=kwargs or None)


def get(client, host, url, **params):
    response = client.get(url, params, HTTP_HOST=host)
    assert response.status_code == 200, (host, url, response.status_code)
    return response


def build_tree(host, home, name, place, *, shared_theme=None, pledges=(), ended_pledges=()):
    """A site's tree: theme, project index with a live and an ended campaign, calls."""
    theme_index = ThemeIndexPageFactory(parent=home)
    theme = ThemePageFactory(parent=theme_index, title=f"Thème {name}", slug=f"theme-{name.lower()}")
    project_index = ProjectIndexPageFactory(parent=home)
    territory = TerritoryFactory(
        locale=home.locale, site=home.get_site(), name=f"Quartier {name}", slug=f"quartier-{name.lower()}"
    )
    themes = [theme, shared_theme] if shared_theme else [theme]
    now = timezone.now()
    campaign = CampaignPageFactory(
        parent=project_index,
        title=f"Potager {place}",
        slug=f"potager-{name.lower()}",
        summary=f"Un potager partagé {place}.",
        territory=territory,
        themes=themes,
    )
    ended = CampaignPageFactory(
        parent=project_index,
        title=f"Fresque {place}",
        slug=f"fresque-{name.lower()}",
        goal=10,
        start_at=now - timedelta(days=40),
        end_at=now - timedelta(days=5),
        themes=[theme],
    )
    for amount in pledges:
        PledgeFactory(campaign=campaign, amount_cents=amount)
    for amount in ended_pledges:
        PledgeFactory(campaign=ended, amount_cents=amount)
    call_index = CallIndexPageFactory(parent=home)
    call = CallForProjectsPageFactory(parent=call_index, title=f"Appel {name}", slug=f"appel-{name.lower()}")
    call.themes.set(themes)
    call.save_revision().publish()
    return SiteTree(
        host=host,
        site=home.get_site(),
        home=home,
        theme=theme,
        project_index=project_index,
        campaign=campaign,
        ended=ended,
        call_index=call_index,
        call=call,
        territory=territory,
    )


def translate(tree, english):
    """The English tree of a site: its campaign, published, under aliases of its parents."""
    campaign_en = tree.campaign.copy_for_translation(english, copy_parents=True)
    campaign_en.save_revision().publish()
    tree.campaign_en = CampaignPage.objects.get(pk=campaign_en.pk)
    tree.home_en = HomePage.objects.get(locale=english, translation_key=tree.home.translation_key)


@pytest.fixture
def sites(locale_fr):
    """Site A (default, alpha.test) and site B (beta.test), each with its content."""
    english = Locale.objects.get_or_create(language_code="en")[0]
    home_a = HomePageFactory.as_site_root(locale=locale_fr, title="Accueil Alpha")
    site_a = Site.objects.get(root_page=home_a)
    site_a.hostname, site_a.site_name = ALPHA, "Alpha"
    site_a.save()
    home_b = HomePageFactory(locale=locale_fr, title="Accueil Beta")
    Site.objects.create(hostname=BETA, port=80, root_page=home_b, site_name="Beta")
    for home, name in ((home_a, "Alpha"), (home_b, "Beta")):
        PlatformSettings.objects.update_or_create(
            site=home.get_site(), defaults={"platform_name": f"Plateforme {name}"}
        )
    shared = TerritoryFactory(locale=locale_fr, site=None, name="Toute la métropole", slug="metropole")

    a = build_tree(ALPHA, home_a, "Alpha", "des Lilas", pledges=[1000, 2000], ended_pledges=[1500])
    # An editor tagged site B's campaign with site A's theme too: it must still stay off site A.
    b = build_tree(BETA, home_b, "Beta", "du Port", shared_theme=a.theme, pledges=[5000])
    a.shared = b.shared = shared
    translate(a, english)
    translate(b, english)
    CampaignUpdatePageFactory(parent=a.campaign, title="Nouvelles des Lilas")
    CampaignUpdatePageFactory(parent=b.campaign, title="Nouvelles du Port")
    return a, b


def other(sites, tree):
    return sites[1] if tree is sites[0] else sites[0]


def test_each_host_is_served_its_own_home_page_and_settings(client, sites):
    for tree in sites:
        response = get(client, tree.host, "/")
        assert response.context["page"] == tree.home
        content = response.content.decode()
        assert f"Plateforme {tree.site.site_name}" in content
        assert f"Plateforme {other(sites, tree).site.site_name}" not in content


def test_home_lists_and_key_figures_are_the_sites_own(client, sites):
    for tree in sites:
        context = get(client, tree.host, "/").context
        assert context["ending_soon"] == [tree.campaign]
        assert context["open_calls"] == [tree.call]
        assert context["themes"] == [tree.theme]
    figures = get(client, ALPHA, "/").context["key_figures"]
    assert (figures["raised_cents"], figures["backers"], figures["funded"], figures["ended"]) == (4500, 3, 1, 1)
    figures = get(client, BETA, "/").context["key_figures"]
    assert (figures["raised_cents"], figures["backers"], figures["funded"], figures["ended"]) == (5000, 1, 0, 1)


def test_a_la_une_shows_only_the_sites_own_pages(client, sites):
    a, b = sites
    # An editor of site A features its campaign, and site B's by mistake.
    HomeFeatureFactory(home=a.home, page=a.campaign, sort_order=0)
    HomeFeatureFactory(home=a.home, page=b.campaign, sort_order=1)
    cards = get(client, ALPHA, "/").context["features"]
    assert [card.page for card in cards] == [a.campaign]


def test_english_home_lists_only_the_sites_english_pages(client, sites):
    for tree in sites:
        context = get(client, tree.host, "/en/").context
        assert context["page"] == tree.home_en
        assert context["ending_soon"] == [tree.campaign_en]
        assert context["themes"] == []  # no theme has an English translation
    # Key figures count the site's campaigns in every language, each once: the same as on `/`.
    english = [get(client, tree.host, "/en/").context["key_figures"]["raised_cents"] for tree in sites]
    assert english == [get(client, tree.host, "/").context["key_figures"]["raised_cents"] for tree in sites]
    assert english == [4500, 5000]


def test_project_index_lists_and_filter_choices_are_the_sites_own(client, sites):
    for tree in sites:
        context = get(client, tree.host, path_of(tree.project_index)).context
        assert {c.pk for c in context["campaigns"]} == {tree.campaign.pk, tree.ended.pk}
        campaign_filter = context["filter"]
        assert campaign_filter.filters["theme"].extra["choices"] == [(tree.theme.slug, tree.theme.title)]
        assert sorted(campaign_filter.filters["territory"].extra["choices"]) == sorted(
            [(tree.territory.slug, tree.territory.name), (tree.shared.slug, tree.shared.name)]
        )


def test_theme_pages_list_only_their_sites_campaigns_and_calls(client, sites):
    a, b = sites
    context = get(client, ALPHA, path_of(a.theme)).context
    # Site B's campaign and call are tagged with site A's theme, but belong to site B.
    assert context["live_campaigns"] == [a.campaign]
    assert context["past_campaigns"] == [a.ended]
    assert context["calls"] == [a.call]
    context = get(client, BETA, path_of(b.theme)).context
    assert context["live_campaigns"] == [b.campaign]
    assert context["past_campaigns"] == [b.ended]
    assert context["calls"] == [b.call]


def test_call_index_lists_only_the_sites_calls(client, sites):
    for tree in sites:
        context = get(client, tree.host, path_of(tree.call_index)).context
        assert context["open_calls"] == [tree.call]
        assert context["closed_calls"] == []


def test_a_page_of_another_site_is_not_served(client, sites):
    a, b = sites
    assert client.get(path_of(b.campaign), HTTP_HOST=ALPHA).status_code == 404
    assert client.get(path_of(a.campaign), HTTP_HOST=BETA).status_code == 404


def test_search_finds_only_the_sites_pages_in_the_active_language(client, sites):
    french = french_url("search")
    with translation.override("en"):
        english = reverse("search")
    assert (french, english) == ("/recherche/", "/en/search/")
    for tree in sites:
        results = [p.specific for p in get(client, tree.host, french, q="potager").context["search_results"]]
        assert results == [tree.campaign]
        results = [p.specific for p in get(client, tree.host, english, q="potager").context["search_results"]]
        assert results == [tree.campaign_en]


def test_sitemap_lists_the_sites_pages_in_both_languages_and_nothing_else(client, sites):
    for tree in sites:
        response = get(client, tree.host, "/sitemap.xml")
        locations = {loc.text for loc in parse_xml(response.content).iter(SITEMAP_LOC)}
        root = f"http://{tree.host}"
        assert all(location.startswith(f"{root}/") for location in locations), locations
        expected = {
            f"{root}/",
            f"{root}/en/",
            root + path_of(tree.project_index),
            root + path_of(tree.campaign),
            root + path_of(tree.ended),
            root + path_of(tree.theme),
            root + path_of(tree.call),
            root + path_of(tree.campaign_en),
        }
        assert expected <= locations
        assert path_of(tree.campaign_en).startswith("/en/")
        other_slugs = [p.slug for p in (other(sites, tree).campaign, other(sites, tree).call)]
        assert not [loc for loc in locations for slug in other_slugs if slug in loc]


def test_campaign_rss_links_are_absolute_on_the_sites_host(client, sites):
    for tree in sites:
        response = get(client, tree.host, path_of(tree.campaign) + "rss/")
        channel = parse_xml(response.content).find("channel")
        assert channel.findtext("link") == f"http://{tree.host}{path_of(tree.campaign)}"
        items = channel.findall("item")
        assert len(items) == 1
        update = tree.campaign.live_updates().get()
        assert items[0].findtext("title") == update.title
        assert items[0].findtext("link") == f"http://{tree.host}{path_of(update)}"


def test_language_switcher_leads_to_the_sites_own_not_translated_page(client, sites):
    # Theme pages have no English translation: the switcher says so on the site's own host.
    for tree in sites:
        content = get(client, tree.host, path_of(tree.theme)).content.decode()
        assert f'href="/en/not-translated/?from={tree.theme.pk}" lang="en"' in content
        assert other(sites, tree).host not in content


def test_pledge_emails_link_to_the_campaigns_own_site(client, sites):
    a, b = sites
    data = {"amount": "30", "backer_name": "Camille", "backer_email": "camille@example.org", "consent": "on"}
    response = client.post(path_of(b.campaign) + "soutenir/", data, HTTP_HOST=BETA)
    assert response.status_code == 302, response.content.decode()[:2000]
    pledge = Pledge.objects.latest("pk")
    assert pledge.campaign_id == b.campaign.pk
    client.post(response["Location"], {"card_number": demo_gateway.DEMO_SUCCESS, "action": "pay"}, HTTP_HOST=BETA)
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert f"http://{BETA}{path_of(b.campaign)}" in body
    assert f"http://{BETA}/" in body and ALPHA not in body and "127.0.0.1" not in body
    assert emails.thanks_url(pledge) == f"http://{BETA}" + french_url("payments:thanks", token=pledge.token)

    for tree in sites:
        mail.outbox.clear()
        pledge = PledgeFactory(campaign=tree.campaign, language="fr")
        emails.send_action_required(pledge, emails.complete_payment_url(pledge))
        emails.send_refund(pledge)
        action, refund = mail.outbox
        complete = french_url("payments:complete_payment", token=pledge.token)
        assert f"http://{tree.host}{complete}" in action.body
        assert f"http://{tree.host}{path_of(tree.campaign)}" in refund.body
        for message in (action, refund):
            assert other(sites, tree).host not in message.body
            assert other(sites, tree).host not in message.alternatives[0][0]


def test_english_pledge_emails_link_to_the_sites_english_pages(sites):
    a, b = sites
    pledge = PledgeFactory(campaign=b.campaign, language="en")
    emails.send_confirmation(pledge)
    body = mail.outbox[0].body
    assert f"http://{BETA}{path_of(b.campaign_en)}" in body
    assert emails.thanks_url(pledge).startswith(f"http://{BETA}/en/")


def test_a_second_site_can_be_created_in_the_admin(admin_client, sites):
    root = Page.get_first_root_node()

    # 1. Its home page, under the root, beside the other sites' homes.
    url = reverse("wagtailadmin_pages:add", args=["home", "homepage", root.pk])
    data = admin_form_data(admin_client, url, HomePage)
    data.update(
        {
            "title": "Accueil Gamma",
            "slug": "accueil-gamma",
            "hero_title": "Les projets de Gamma",
            "action-publish": "action-publish",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    home = HomePage.objects.get(slug="accueil-gamma")
    assert home.live and home.depth == 2

    # 2. Its Site, on its own host.
    response = admin_client.post(
        reverse("wagtailsites:add"),
        {"hostname": "gamma.test", "port": "80", "site_name": "Gamma", "root_page": str(home.pk)},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    site = Site.objects.get(hostname="gamma.test")
    assert site.root_page_id == home.pk and not site.is_default_site

    # 3. Its platform settings.
    url = reverse("wagtailsettings:edit", args=["coupdepouce", "platformsettings", site.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    data = querydict_from_html(response.content.decode(), form_id="w-editor-form")
    data["platform_name"] = "Plateforme Gamma"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert PlatformSettings.for_site(site).platform_name == "Plateforme Gamma"
    assert PlatformSettings.for_site(sites[0].site).platform_name == "Plateforme Alpha"

    # The new host shows its home and settings, and none of the other sites' content.
    response = get(admin_client, "gamma.test", "/")
    assert response.context["page"] == home
    content = response.content.decode()
    assert "Plateforme Gamma" in content and "Plateforme Alpha" not in content
    assert response.context["ending_soon"] == [] and response.context["themes"] == []
    assert response.context["key_figures"]["raised_cents"] == 0
    results = get(admin_client, "gamma.test", french_url("search"), q="potager").context["search_results"]
    assert len(results) == 0
    locations = {
        loc.text for loc in parse_xml(get(admin_client, "gamma.test", "/sitemap.xml").content).iter(SITEMAP_LOC)
    }
    assert locations == {"http://gamma.test/"}
    # The first sites are unchanged.
    assert get(admin_client, ALPHA, "/").context["page"] == sites[0].home
    assert get(admin_client, BETA, "/").context["page"] == sites[1].home
