"""The campaign page offers the pledge button only when the pledge form takes pledges:
the French page decides for every translation, and a cancelled campaign takes none."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from wagtail.models import Locale

from payments.models import CampaignClosing
from payments.rules import CampaignStatus

pytestmark = pytest.mark.django_db

BUTTON = "data-pledge-open"


def test_a_live_campaign_shows_the_pledge_button(client, make_campaign):
    campaign = make_campaign()
    response = client.get(campaign.url)
    assert response.status_code == 200
    assert BUTTON in response.content.decode()


def test_a_cancelled_campaign_says_so_and_offers_no_pledge(client, make_campaign):
    campaign = make_campaign()
    CampaignClosing.objects.create(
        campaign=campaign, outcome=CampaignStatus.CANCELLED, raised_cents=0, cancelled_by="finances@example.org"
    )
    with translation.override("fr"):
        html = client.get(campaign.url).content.decode()
    assert BUTTON not in html
    assert "Cette collecte a été annulée\u00a0: elle ne prend plus de promesses de don, et chaque paiement" in html


def test_an_english_page_offers_no_pledge_when_the_french_page_has_ended(client, make_campaign):
    campaign = make_campaign()
    english = campaign.copy_for_translation(Locale.objects.get_or_create(language_code="en")[0], copy_parents=True)
    english.save_revision().publish()
    assert BUTTON in client.get(english.url).content.decode()
    # Only the French page's dates move: the English copy still says it is running.
    type(campaign).objects.filter(pk=campaign.pk).update(end_at=timezone.now() - timedelta(minutes=1))
    assert BUTTON not in client.get(english.url).content.decode()
