"""The embeddable card (`carte/`): a standalone page any site may frame, cached for a few minutes;
every other page keeps its framing protection."""

import re
from datetime import timedelta

import pytest
from django.utils import translation
from django.utils.translation import gettext

from projects.models.pages import EMBED_MAX_AGE
from tests.factories.coupdepouce import ImageFactory

pytestmark = pytest.mark.django_db


def directives(response):
    """The Content-Security-Policy as {directive: [sources]}."""
    policy = response["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def french(msgid):
    with translation.override("fr"):
        return gettext(msgid)


@pytest.fixture
def campaign(make_campaign):
    image = ImageFactory(file__width=64, file__height=40, title="Les bacs")
    return make_campaign(title="Potager des Lilas", goal=100, pledges=[2500, 2500], hero_image=image)


def test_embed_card_may_be_framed_by_any_site(client, campaign):
    response = client.get(campaign.url + "carte/")
    assert response.status_code == 200
    assert not response.has_header("X-Frame-Options")
    policy = directives(response)
    assert policy["frame-ancestors"] == ["*"]
    # The rest of the policy is the site's: no inline script, scripts from the site only.
    assert "'self'" in policy["script-src"]
    assert "'unsafe-inline'" not in policy["script-src"]


def test_embed_card_is_cached_publicly_for_a_few_minutes(client, campaign):
    response = client.get(campaign.url + "carte/")
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert "public" in cache_control
    assert f"max-age={EMBED_MAX_AGE}" in cache_control
    assert 0 < EMBED_MAX_AGE <= 600
    assert "private" not in cache_control


def test_other_pages_keep_their_framing_protection(client, campaign, home, project_index):
    for url in (
        campaign.url,
        campaign.url + "soutenir/",
        campaign.url + "partager/mastodon/",
        project_index.url,
        home.url,
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["X-Frame-Options"] == "SAMEORIGIN", url
        assert directives(response)["frame-ancestors"] == ["'self'"], url
        assert f"max-age={EMBED_MAX_AGE}" not in response.get("Cache-Control", ""), url


def test_embed_card_shows_title_image_figures_and_progress_without_the_site_frame(client, campaign):
    content = client.get(campaign.url + "carte/").content.decode()
    assert '<html lang="fr">' in content
    assert '<h1 class="embed__title">Potager des Lilas</h1>' in content
    assert "/static/css/embed.css" in content
    assert "/static/css/site.css" not in content
    assert "site-header" not in content and "site-footer" not in content
    assert "<script" not in content
    # The image is a rendition, with its alt text.
    image = re.search(r"<img [^>]*>", content).group(0)
    assert "/images/" in image or "/media/" in image
    assert 'alt="' in image
    # Figures and the accessible progress bar: 50 € raised of 100 €.
    assert 'role="progressbar"' in content
    assert 'aria-valuenow="50"' in content
    assert "50\u00a0€" in content
    # "Soutenir" opens the campaign in a new tab, and says so.
    link = re.search(r'<a class="embed__button"[^>]*>.*?</a>', content, re.S).group(0)
    assert f'href="{campaign.get_full_url()}"' in link
    assert 'target="_blank"' in link and 'rel="noopener"' in link
    assert french("Support") in link
    assert french("opens in a new tab") in link


def test_embed_card_of_an_ended_campaign_invites_to_see_it(client, make_campaign):
    ended = make_campaign(starts_in=timedelta(days=-40), lasts=timedelta(days=30), goal=10, pledges=[1000])
    content = client.get(ended.url + "carte/").content.decode()
    link = re.search(r'<a class="embed__button"[^>]*>.*?</a>', content, re.S).group(0)
    assert french("See the project") in link
