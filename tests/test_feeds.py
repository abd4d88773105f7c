"""RSS: the site-wide feed of new campaigns and updates (`rss/`), scoped to the request's site and
language, and one per theme (a theme page's `rss/`). Links are absolute on the request's host."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from wagtail.models import Locale, Page, Site

from coupdepouce.models import PlatformSettings
from projects.models import CampaignPage
from tests.factories.home import HomePageFactory
from tests.factories.projects import CampaignPageFactory, CampaignUpdatePageFactory, ProjectIndexPageFactory

pytestmark = pytest.mark.django_db

OTHER_HOST = "beta.test"


def parse(response):
    """Parse a feed this site produced itself (trusted input)."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    return ET.fromstring(response.content).find("channel")  # noqa: S314


def titles(channel):
    return [item.findtext("title") for item in channel.findall("item")]


def published(page, days_ago):
    """Set the page's first publication `days_ago` days back (the feeds' order)."""
    when = timezone.now() - timedelta(days=days_ago)
    Page.objects.filter(pk=page.pk).update(first_published_at=when)
    return page


@pytest.fixture
def news(home, project_index, theme):
    """Campaigns and updates on the default site, published on different days."""
    PlatformSettings.objects.update_or_create(site=home.get_site(), defaults={"platform_name": "Beaupré"})
    lilas = published(CampaignPageFactory(parent=project_index, title="Potager des Lilas", themes=[theme]), 10)
    port = published(CampaignPageFactory(parent=project_index, title="Fresque du port", summary="Une fresque."), 5)
    update = published(CampaignUpdatePageFactory(parent=lilas, title="Premiers semis", intro="Ça pousse."), 2)
    older_update = published(CampaignUpdatePageFactory(parent=port, title="Le mur est prêt"), 7)
    draft = CampaignPageFactory(parent=project_index, title="Brouillon")
    draft.unpublish()
    return {"lilas": lilas, "port": port, "update": update, "older_update": older_update}


def test_site_feed_lists_new_campaigns_and_updates_newest_first(client, news):
    channel = parse(client.get("/rss/"))
    assert channel.findtext("title") == "Beaupré\u00a0: nouvelles collectes et actualités"
    assert channel.findtext("link") == "http://testserver/"
    assert channel.findtext("language") == "fr"
    assert titles(channel) == [
        "Potager des Lilas\u00a0: Premiers semis",
        "Nouvelle collecte\u00a0: Fresque du port",
        "Fresque du port\u00a0: Le mur est prêt",
        "Nouvelle collecte\u00a0: Potager des Lilas",
    ]
    items = {item.findtext("title"): item for item in channel.findall("item")}
    update = items["Potager des Lilas\u00a0: Premiers semis"]
    assert update.findtext("link") == f"http://testserver{news['update'].url}"
    assert update.findtext("description") == "Ça pousse."
    assert items["Nouvelle collecte\u00a0: Fresque du port"].findtext("description") == "Une fresque."
    assert update.findtext("pubDate")


def test_site_feed_leaves_out_unpublished_campaigns_and_their_updates(client, news):
    news["port"].unpublish()
    found = titles(parse(client.get("/rss/")))
    assert not [title for title in found if "Fresque" in title or "Brouillon" in title]
    assert "Potager des Lilas\u00a0: Premiers semis" in found


def test_site_feed_is_the_request_sites_own(client, news, locale_fr):
    other_home = HomePageFactory(locale=locale_fr, title="Accueil Beta")
    Site.objects.create(hostname=OTHER_HOST, port=80, root_page=other_home, site_name="Beta")
    other_index = ProjectIndexPageFactory(parent=other_home)
    other_campaign = CampaignPageFactory(parent=other_index, title="Vélos partagés")
    CampaignUpdatePageFactory(parent=other_campaign, title="Les vélos arrivent")

    found = titles(parse(client.get("/rss/")))
    assert not [title for title in found if "Vélos" in title or "vélos" in title]

    channel = parse(client.get("/rss/", HTTP_HOST=OTHER_HOST))
    assert titles(channel) == ["Vélos partagés\u00a0: Les vélos arrivent", "Nouvelle collecte\u00a0: Vélos partagés"]
    for item in channel.findall("item"):
        assert item.findtext("link").startswith(f"http://{OTHER_HOST}/")


def test_site_feed_is_in_the_request_language(client, news):
    english = Locale.objects.get_or_create(language_code="en")[0]
    lilas_en = news["lilas"].copy_for_translation(english, copy_parents=True)
    lilas_en.title = "Lilas vegetable garden"
    lilas_en.save_revision().publish()

    with translation.override("en"):
        channel = parse(client.get("/en/rss/"))
    assert channel.findtext("language") == "en"
    found = titles(channel)
    assert found == ["New campaign: Lilas vegetable garden"]
    assert channel.find("item").findtext("link") == f"http://testserver{CampaignPage.objects.get(pk=lilas_en.pk).url}"

    french = titles(parse(client.get("/rss/")))
    assert "Nouvelle collecte\u00a0: Potager des Lilas" in french
    assert not [title for title in french if "vegetable" in title]


def test_site_feed_queries_do_not_grow_with_the_news(client, news, project_index):
    client.get("/rss/")
    with CaptureQueriesContext(connection) as small:
        client.get("/rss/")
    for n in range(10):
        campaign = CampaignPageFactory(parent=project_index, title=f"Projet {n}")
        CampaignUpdatePageFactory(parent=campaign, title=f"Nouvelles {n}")
    client.get("/rss/")  # the caches the new pages emptied (the request's site and home page)
    with CaptureQueriesContext(connection) as big:
        response = client.get("/rss/")
    assert len(titles(parse(response))) == 4 + 20
    assert len(big.captured_queries) == len(small.captured_queries)


def test_site_feed_is_announced_on_every_page(client, news, home):
    content = client.get(home.url).content.decode()
    assert '<link rel="alternate" type="application/rss+xml"' in content
    assert 'href="/rss/"' in content


def test_theme_feed_lists_the_themes_campaigns_and_their_updates(client, news, theme):
    channel = parse(client.get(theme.url + "rss/"))
    assert channel.findtext("title") == "Culture\u00a0: nouvelles collectes et actualités"
    assert channel.findtext("link") == f"http://testserver{theme.url}"
    assert titles(channel) == ["Potager des Lilas\u00a0: Premiers semis", "Nouvelle collecte\u00a0: Potager des Lilas"]


def test_theme_and_campaign_pages_announce_their_feeds(client, news, theme):
    content = client.get(theme.url).content.decode()
    feed_title = "Culture\u00a0: nouvelles collectes et actualités"
    assert f'<link rel="alternate" type="application/rss+xml" title="{feed_title}" href="{theme.url}rss/">' in content
    assert 'href="/rss/"' in content
    content = client.get(news["lilas"].url).content.decode()
    campaign_feed = f'href="{news["lilas"].url}rss/"'
    assert '<link rel="alternate" type="application/rss+xml" title="Actualités du projet' in content
    assert campaign_feed in content
