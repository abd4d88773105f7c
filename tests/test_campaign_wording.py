"""What a campaign says about money reads right in each state: live, succeeded, failed,
cancelled; nothing in the future tense once it has ended, and no promise of a tax receipt
(none is issued yet)."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import translation
from wagtail.models import Locale

from payments.models import CampaignClosing
from payments.rules import CampaignStatus, FundingModel, PledgeStatus
from tests.factories.projects import PledgeFactory

pytestmark = pytest.mark.django_db

ENDED = {"starts_in": timedelta(days=-40), "lasts": timedelta(days=30)}
FUTURE_TENSE = "ne sera prélevée que si"


def french_page(client, url):
    with translation.override("fr"):
        response = client.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def outcome(page):
    """The notice at the top of the campaign (its header), or None."""
    notice = page.select_one(".campaign__header .campaign__outcome")
    return notice.get_text(" ", strip=True) if notice else None


def funding_model(page):
    return page.select_one(".funding-box__model").get_text(" ", strip=True)


def test_live_all_or_nothing_campaign_says_when_backers_will_be_charged(client, make_campaign):
    page = french_page(client, make_campaign(goal=100, pledges=[2_500]).url)
    assert outcome(page) is None
    assert (
        funding_model(page) == "Tout ou rien\u00a0: votre contribution ne sera prélevée que si l'objectif est atteint."
    )


def test_succeeded_all_or_nothing_campaign(client, make_campaign):
    page = french_page(client, make_campaign(goal=100, pledges=[10_000], **ENDED).url)
    assert outcome(page) == "Cette collecte est terminée et a atteint son objectif. Merci à ses contributeurs\u00a0!"
    assert funding_model(page) == (
        "Tout ou rien\u00a0: l’objectif a été atteint, les contributions sont donc collectées pour le projet."
    )
    assert FUTURE_TENSE not in str(page)


def test_failed_all_or_nothing_campaign_before_closing(client, make_campaign):
    page = french_page(client, make_campaign(goal=100, pledges=[2_500], **ENDED).url)
    assert outcome(page) == "Cette collecte s’est terminée sans atteindre son objectif, et personne n’a été prélevé."
    assert funding_model(page) == "Tout ou rien\u00a0: l’objectif n’a pas été atteint, personne n’a donc été prélevé."
    assert FUTURE_TENSE not in str(page)


def test_failed_all_or_nothing_campaign_after_closing_says_what_had_been_pledged(client, make_campaign):
    campaign = make_campaign(goal=100, **ENDED)
    CampaignClosing.objects.create(campaign=campaign, outcome=CampaignStatus.FAILED, raised_cents=2_500)
    page = french_page(client, campaign.url)
    assert outcome(page) == (
        "Cette collecte s’est terminée sans atteindre son objectif\u00a0: 25\u00a0€ avaient été promis, "
        "et personne n’a été prélevé."
    )
    assert FUTURE_TENSE not in str(page)


def test_failed_keep_it_all_campaign(client, make_campaign):
    page = french_page(
        client, make_campaign(goal=100, pledges=[2_500], funding_model=FundingModel.KEEP_IT_ALL, **ENDED).url
    )
    assert outcome(page) == (
        "Cette collecte s’est terminée sans atteindre son objectif. Tout ce qui a été collecté est reversé au projet."
    )


def test_cancelled_all_or_nothing_campaign(client, make_campaign):
    campaign = make_campaign(goal=100)
    CampaignClosing.objects.create(
        campaign=campaign, outcome=CampaignStatus.CANCELLED, raised_cents=0, cancelled_by="finances@example.org"
    )
    page = french_page(client, campaign.url)
    assert outcome(page) == (
        "Cette collecte a été annulée\u00a0: elle ne prend plus de promesses de don, et chaque paiement est remboursé."
    )
    assert (
        funding_model(page)
        == "Tout ou rien\u00a0: la collecte a été annulée, aucune carte enregistrée n’est donc prélevée."
    )
    assert FUTURE_TENSE not in str(page)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_no_page_promises_a_tax_receipt(client, make_campaign, language):
    campaign = make_campaign(tax_deductible=True, pledges=[2_500])
    if language == "en":
        campaign = campaign.copy_for_translation(Locale.objects.get_or_create(language_code="en")[0], copy_parents=True)
        campaign.save_revision().publish()
    with translation.override(language):
        html = client.get(campaign.url).content.decode()
    assert "reçu fiscal" not in html
    assert "tax receipt" not in html


class TestThanksPage:
    """The thanks page of a saved card (all or nothing) once the campaign has ended."""

    def thanks(self, client, campaign):
        pledge = PledgeFactory(campaign=campaign, status=PledgeStatus.COMMITTED)
        page = french_page(client, reverse("payments:thanks", kwargs={"token": pledge.token}))
        return page.select_one("h2 + p").get_text(" ", strip=True)

    def test_live(self, client, make_campaign):
        assert self.thanks(client, make_campaign(goal=100)).startswith(
            "Votre carte est enregistrée\u00a0: vous ne serez débité que si la collecte atteint son objectif avant"
        )

    def test_succeeded(self, client, make_campaign):
        assert self.thanks(client, make_campaign(goal=10, **ENDED)) == (
            "Votre carte est enregistrée et la collecte a atteint son objectif\u00a0: votre contribution est prélevée "
            "à la clôture de la collecte. Nous vous écrirons à ce moment-là."
        )

    def test_failed(self, client, make_campaign):
        assert self.thanks(client, make_campaign(goal=1000, **ENDED)) == (
            "La collecte s’est terminée sans atteindre son objectif\u00a0: votre carte n’a pas été prélevée."
        )

    def test_cancelled(self, client, make_campaign):
        campaign = make_campaign(goal=100)
        CampaignClosing.objects.create(
            campaign=campaign, outcome=CampaignStatus.CANCELLED, raised_cents=0, cancelled_by="finances@example.org"
        )
        assert self.thanks(client, campaign) == "La collecte a été annulée\u00a0: votre carte ne sera pas prélevée."
