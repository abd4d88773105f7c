"""Images in the first screen load at once and first; the others wait until they are near.

The largest paint of the project index (mobile) is its first card's image, and of a campaign
its hero image: neither may be lazy (Lighthouse's lcp-lazy-loaded), both ask for high priority.
"""

import re

import pytest

from tests.factories.coupdepouce import ImageFactory

pytestmark = pytest.mark.django_db


def images(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return re.findall(r"<img [^>]*>", response.content.decode())


def test_the_first_card_of_the_project_index_loads_first_and_the_others_lazily(make_campaign, project_index, client):
    for title in ("Premier", "Deuxième", "Troisième"):
        make_campaign(title=title, hero_image=ImageFactory(file__width=64, file__height=40))
    first, *others = [tag for tag in images(client, project_index.url) if "fill-400x225" in tag]
    assert 'fetchpriority="high"' in first
    assert "loading=" not in first
    assert len(others) == 2
    for tag in others:
        assert 'loading="lazy"' in tag
        assert "fetchpriority" not in tag


def test_the_campaign_hero_image_loads_first(make_campaign, client):
    campaign = make_campaign(hero_image=ImageFactory(file__width=64, file__height=40))
    hero = next(tag for tag in images(client, campaign.url) if "fill-640x400" in tag)
    assert 'fetchpriority="high"' in hero
    assert "loading=" not in hero
