"""The citizen's pledge flow in demo mode, through Django's test client.

Form → demo checkout → committed (or paid) → thanks → email, and every broken rule:
the form comes back with a clear, translated error, the values typed are kept, and
nothing is recorded.
"""

import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import Locale

from coupdepouce.models import PlatformSettings
from payments import demo_gateway, emails, providers
from payments.models import CampaignClosing, MatchingOffer, Pledge, PledgeEvent, Sponsor
from payments.rules import CampaignStatus, PledgeStatus
from projects.models import CampaignPage
from tests.factories.projects import PledgeFactory, RewardTierFactory

pytestmark = pytest.mark.django_db

S = PledgeStatus


@pytest.fixture
def campaign(make_campaign):
    return make_campaign(goal=1000, title="Jardin partagé")


@pytest.fixture
def reward(campaign):
    return RewardTierFactory(page=campaign, title="Sachet de graines", min_amount=20, stock=2)


def form_url(page):
    return page.url + "soutenir/"


def valid_data(**overrides):
    data = {
        "reward": "",
        "amount": "30",
        "backer_name": "Camille Martin",
        "backer_email": "camille@example.org",
        "public_name": "Camille",
        "show_amount": "on",
        "message": "Bravo !",
        "consent": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def pledge_and_pay(client, campaign, card=demo_gateway.DEMO_SUCCESS, **overrides):
    response = client.post(form_url(campaign), valid_data(**overrides))
    assert response.status_code == 302, response.content.decode()[:2000]
    checkout = response["Location"]
    pledge = Pledge.objects.latest("pk")
    assert checkout == reverse("payments:demo_checkout", kwargs={"token": pledge.token})
    return pledge, checkout, client.post(checkout, {"card_number": card, "action": "pay"})


def events(pledge):
    return list(PledgeEvent.objects.filter(pledge=pledge).values_list("from_status", "to_status", "actor"))


# The campaign page ----------------------------------------------------------------------


def test_campaign_page_links_to_the_pledge_form_and_each_reward(client, campaign, reward):
    sold_out = RewardTierFactory(page=campaign, title="Visite guidée", min_amount=50, stock=1)
    PledgeFactory(campaign=campaign, reward=sold_out, amount_cents=5000)
    content = client.get(campaign.url).content.decode()
    assert f'href="{form_url(campaign)}"' in content
    assert "Soutenir ce projet" in content
    assert f'href="{form_url(campaign)}?reward={reward.pk}"' in content
    assert f"?reward={sold_out.pk}" not in content
    assert "Épuisé" in content


def test_no_pledge_button_on_an_ended_campaign(client, make_campaign):
    ended = make_campaign(starts_in=timedelta(days=-40), lasts=timedelta(days=30))
    content = client.get(ended.url).content.decode()
    assert form_url(ended) not in content


def test_backer_list_shows_public_names_anonymous_and_chosen_amounts(client, campaign):
    PledgeFactory(campaign=campaign, public_name="Léa", show_amount=True, amount_cents=4200)
    PledgeFactory(campaign=campaign, public_name="Hugo", show_amount=False, amount_cents=3100)
    PledgeFactory(campaign=campaign, public_name="", anonymous=True, backer_name="Secret Person", amount_cents=1500)
    PledgeFactory(campaign=campaign, public_name="Pending Person", status=S.PENDING)
    response = client.get(campaign.url)
    content = response.content.decode()
    backers = content[content.index('id="backers-title"') :]
    assert "Léa" in backers and "42\u00a0€" in backers
    assert "Hugo" in backers and "31\u00a0€" not in backers
    assert "Anonyme" in backers and "Secret Person" not in content
    assert "Pending Person" not in content


def test_progress_bar_names_the_sponsor_of_the_matching(client, campaign):
    offer = MatchingOffer.objects.create(
        sponsor=Sponsor.objects.create(name="Fondation X"), campaign=campaign, ratio=1, envelope_cents=50_000
    )
    pledge = PledgeFactory(campaign=campaign, amount_cents=50_000, status=S.PENDING)
    from payments.services import transition

    transition(pledge, S.COMMITTED)
    assert offer.allocations.get().amount_cents == 50_000
    content = client.get(campaign.url).content.decode()
    assert "dont 500\u00a0€ abondés par Fondation X" in content
    assert "progress__bar--matched" in content
    # The screen-reader text of the bar includes the matching.
    valuetext = content.split('aria-valuetext="', 1)[1].split('"', 1)[0]
    assert "dont 500\u00a0€ abondés par des mécènes" in valuetext


# The whole flow --------------------------------------------------------------------------


def test_full_demo_flow_all_or_nothing(client, campaign, reward):
    page = client.get(form_url(campaign) + f"?reward={reward.pk}")
    assert page.status_code == 200
    content = page.content.decode()
    assert 'inputmode="decimal"' in content and 'value="20"' in content
    assert "Vous ne serez débité que si la collecte atteint son objectif avant le" in content
    assert "csrfmiddlewaretoken" in content

    pledge, _checkout, response = pledge_and_pay(client, campaign, reward=str(reward.pk), amount="25,50")
    thanks = reverse("payments:thanks", kwargs={"token": pledge.token})
    assert response.status_code == 302 and response["Location"] == thanks
    pledge.refresh_from_db()
    assert pledge.status == S.COMMITTED
    assert pledge.amount_cents == 2550
    assert pledge.payment_method_id == f"demo_pm_{demo_gateway.DEMO_SUCCESS}"
    assert pledge.reward_id == reward.pk and pledge.language == "fr" and pledge.provider == "demo"
    assert events(pledge) == [("", S.PENDING, "citizen"), (S.PENDING, S.COMMITTED, "citizen")]

    page = client.get(thanks).content.decode()
    assert "25,50\u00a0€" in page and "Sachet de graines" in page
    assert "vous ne serez débité que si la collecte atteint son objectif" in page.lower()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["camille@example.org"]
    assert "Jardin partagé" in message.subject
    assert "25,50\u00a0€" in message.body and "http://" in message.body
    assert message.alternatives and "Sachet de graines" in message.alternatives[0][0]

    campaign_page = client.get(campaign.url)
    figures = campaign_page.context["page"].figures
    assert figures.raised_cents == 2550 and figures.backers == 1
    content = campaign_page.content.decode()
    assert "Camille" in content and "25,50\u00a0€" in content
    assert "1 disponible sur 2" in content
    tier = next(r for r in campaign_page.context["rewards"] if r.pk == reward.pk)
    assert tier.stock_left == 1


def test_keep_it_all_is_paid_at_once(client, make_campaign):
    campaign = make_campaign(funding_model="keep_it_all")
    form = client.get(form_url(campaign)).content.decode()
    assert "Vous serez débité immédiatement" in form
    pledge, _checkout, response = pledge_and_pay(client, campaign)
    pledge.refresh_from_db()
    assert pledge.status == S.PAID and pledge.paid_at is not None
    assert events(pledge) == [("", S.PENDING, "citizen"), (S.PENDING, S.PAID, "citizen")]
    assert len(mail.outbox) == 1
    thanks = client.get(response["Location"]).content.decode()
    assert "reversée au porteur" in thanks or "porteur" in thanks


def error_summary(response):
    return response.content.decode().split('id="error-summary"', 1)[1].split("</div>", 1)[0]


def test_declined_card_keeps_the_pledge_pending_and_can_retry(client, campaign):
    pledge, checkout, response = pledge_and_pay(client, campaign, card=demo_gateway.DEMO_DECLINED)
    assert response.status_code == 200
    # The error summary counts the one error it lists, the decline, linked to the card field.
    summary = error_summary(response)
    assert "Le formulaire contient 1 erreur</h2>" in summary
    assert summary.count("<li>") == 1
    assert (
        '<li><a href="#id_card_number">Votre carte a été refusée (démo). '
        "Rien n&#x27;a été enregistré\u00a0: essayez une autre carte.</a></li>"
    ) in summary
    pledge.refresh_from_db()
    assert pledge.status == S.PENDING
    assert not mail.outbox
    response = client.post(checkout, {"card_number": demo_gateway.DEMO_SUCCESS, "action": "pay"})
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.status == S.COMMITTED


def test_authentication_card_needs_a_confirmation_step(client, campaign):
    pledge, checkout, response = pledge_and_pay(client, campaign, card=demo_gateway.DEMO_AUTHENTICATION)
    assert response.status_code == 200
    assert "Confirmer auprès de votre banque (démo)" in response.content.decode()
    pledge.refresh_from_db()
    assert pledge.status == S.PENDING
    response = client.post(checkout, {"card_number": demo_gateway.DEMO_AUTHENTICATION, "action": "authenticate"})
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.status == S.COMMITTED


def test_card_failing_at_charge_is_saved_now(client, campaign):
    pledge, _checkout, _response = pledge_and_pay(client, campaign, card=demo_gateway.DEMO_FAILS_AT_CHARGE)
    pledge.refresh_from_db()
    assert pledge.status == S.COMMITTED
    assert pledge.payment_method_id == f"demo_pm_{demo_gateway.DEMO_FAILS_AT_CHARGE}"


def test_an_empty_card_form_gets_its_error(client, campaign):
    response = client.post(form_url(campaign), valid_data())
    pledge = Pledge.objects.get()
    page = client.post(response["Location"], {})
    assert page.status_code == 200
    summary = error_summary(page)
    assert "Le formulaire contient 1 erreur</h2>" in summary
    assert "Indiquez l&#x27;un des numéros de carte de démonstration listés ci-dessous." in summary
    pledge.refresh_from_db()
    assert pledge.status == S.PENDING


def test_unknown_card_is_refused(client, campaign):
    pledge, _checkout, response = pledge_and_pay(client, campaign, card="1234 5678")
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    pledge.refresh_from_db()
    assert pledge.status == S.PENDING


def test_cancel_returns_to_the_campaign(client, campaign):
    response = client.post(form_url(campaign), valid_data())
    pledge = Pledge.objects.get()
    response = client.post(response["Location"], {"action": "cancel"})
    assert response.status_code == 302 and response["Location"] == campaign.url
    pledge.refresh_from_db()
    assert pledge.status == S.CANCELLED
    assert events(pledge)[-1] == (S.PENDING, S.CANCELLED, "citizen")
    # The checkout page is closed now.
    assert client.get(reverse("payments:demo_checkout", kwargs={"token": pledge.token})).status_code == 410


def test_checkout_page_shows_the_demo_banner_and_cards(client, campaign):
    response = client.post(form_url(campaign), valid_data())
    content = client.get(response["Location"]).content.decode()
    assert "Paiement de démonstration — aucun débit réel" in content
    assert "4242 4242 4242 4242" in content and "4000 0000 0000 0002" in content
    assert "4000 0025 0000 3155" in content and "4000 0000 0000 0341" in content


def test_checkout_return_and_thanks(client, campaign):
    response = client.post(form_url(campaign), valid_data())
    pledge = Pledge.objects.get()
    back = reverse("payments:checkout_return", kwargs={"token": pledge.token})
    waiting = client.get(back)
    assert waiting.status_code == 200 and "en cours de confirmation" in waiting.content.decode()
    client.post(response["Location"], {"card_number": demo_gateway.DEMO_SUCCESS})
    assert client.get(back)["Location"] == reverse("payments:thanks", kwargs={"token": pledge.token})


def test_unknown_token_is_404(client, campaign):
    import uuid

    for name in ("demo_checkout", "checkout_return", "thanks", "complete_payment"):
        assert client.get(reverse(f"payments:{name}", kwargs={"token": uuid.uuid4()})).status_code == 404


def test_complete_payment_in_demo_mode(client, campaign):
    pledge = PledgeFactory(campaign=campaign, status=S.ACTION_REQUIRED, provider="demo", language="fr")
    url = reverse("payments:complete_payment", kwargs={"token": pledge.token})
    page = client.get(url).content.decode()
    assert "Finaliser le paiement (démo)" in page
    response = client.post(url)
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.status == S.PAID
    assert events(pledge)[-1] == (S.ACTION_REQUIRED, S.PAID, "citizen")
    assert len(mail.outbox) == 1
    # Nothing more to complete.
    assert client.get(url)["Location"] == reverse("payments:thanks", kwargs={"token": pledge.token})


# Bad input: the form again, a clear error, values kept, nothing recorded -----------------


def assert_refused(response, message, *, kept=("Camille Martin", "camille@example.org")):
    assert response.status_code == 200
    content = response.content.decode()
    assert message in content, content[content.find('class="error-summary"') :][:1500]
    assert 'class="error-summary"' in content
    for value in kept:
        assert f'value="{value}"' in content
    assert Pledge.objects.count() == 0
    assert PledgeEvent.objects.count() == 0
    return content


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "Le montant doit être supérieur à zéro."),
        ("-5", "Le montant doit être supérieur à zéro."),
        ("abc", "Indiquez un montant en euros"),
        ("1e5", "Indiquez un montant en euros"),
        ("12,345", "deux décimales"),
        ("", "Indiquez un montant en euros"),
    ],
)
def test_bad_amounts(client, campaign, amount, message):
    content = assert_refused(client.post(form_url(campaign), valid_data(amount=amount)), message)
    assert 'aria-invalid="true"' in content
    assert 'aria-describedby="id_amount_helptext id_amount_error"' in content
    if amount:
        assert f'value="{amount}"' in content


def test_non_numeric_exponent_is_never_read_as_a_number(client, campaign):
    assert_refused(client.post(form_url(campaign), valid_data(amount="1e5")), "Indiquez un montant en euros")


def test_below_the_rewards_minimum(client, campaign, reward):
    content = assert_refused(
        client.post(form_url(campaign), valid_data(reward=str(reward.pk), amount="10")),
        "Cette contrepartie demande au moins 20\u00a0€.",
    )
    # The chosen reward stays chosen.
    assert f'value="{reward.pk}" data-min-amount="20" aria-describedby="reward-{reward.pk}-details" checked' in content


def test_over_the_per_pledge_maximum(client, campaign, home):
    rules = PlatformSettings.for_site(home.get_site())
    rules.max_pledge = 100
    rules.save()
    assert_refused(
        client.post(form_url(campaign), valid_data(amount="100,01")),
        "Une promesse de don ne peut pas dépasser 100\u00a0€.",
    )


def test_sold_out_reward(client, campaign, reward):
    PledgeFactory.create_batch(2, campaign=campaign, reward=reward)
    content = client.get(form_url(campaign)).content.decode()
    assert f'id="reward-{reward.pk}"' in content and "disabled" in content
    before = Pledge.objects.count()
    response = client.post(form_url(campaign), valid_data(reward=str(reward.pk), amount="25"))
    assert response.status_code == 200
    assert "épuisée" in response.content.decode()
    assert Pledge.objects.count() == before


def test_campaign_not_yet_open(client, make_campaign):
    upcoming = make_campaign(starts_in=timedelta(days=2))
    page = client.get(form_url(upcoming)).content.decode()
    assert "pas encore ouverte" in page and '<form class="pledge-form"' not in page
    assert_refused(client.post(form_url(upcoming), valid_data()), "pas encore ouverte")


def test_closed_campaign(client, make_campaign):
    ended = make_campaign(starts_in=timedelta(days=-40), lasts=timedelta(days=30))
    page = client.get(form_url(ended)).content.decode()
    assert "Cette collecte est terminée" in page and '<form class="pledge-form"' not in page
    assert_refused(client.post(form_url(ended), valid_data()), "ne prend plus de promesses")


def test_over_funding_past_the_cap(client, campaign, home):
    rules = PlatformSettings.for_site(home.get_site())
    rules.overfunding_cap_percent = 150
    rules.max_pledge = 10_000
    rules.save()
    PledgeFactory(campaign=campaign, amount_cents=140_000)
    before = Pledge.objects.count()
    response = client.post(form_url(campaign), valid_data(amount="200"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "plafonnée à 1\u202f500\u00a0€\u00a0: au plus 100\u00a0€ peuvent encore être promis." in content
    assert Pledge.objects.count() == before
    assert 'value="200"' in content


def test_missing_fields_and_consent(client, campaign):
    response = client.post(form_url(campaign), valid_data(backer_email="not-an-email", consent=None, backer_name=""))
    content = assert_refused(response, "adresse e-mail valide", kept=("not-an-email",))
    assert 'href="#id_consent"' in content and 'href="#id_backer_name"' in content
    assert 'href="#id_backer_email"' in content


def test_forged_reward_of_another_campaign(client, campaign, make_campaign):
    other_reward = RewardTierFactory(page=make_campaign())
    response = client.post(form_url(campaign), valid_data(reward=str(other_reward.pk), amount="50"))
    assert response.status_code == 200
    assert Pledge.objects.count() == 0


def test_csrf_is_required(campaign):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(form_url(campaign), valid_data())
    assert response.status_code == 403
    assert Pledge.objects.count() == 0


# English ------------------------------------------------------------------------------------


@pytest.fixture
def english_campaign(campaign):
    english = Locale.objects.get_or_create(language_code="en")[0]
    translation_page = campaign.copy_for_translation(english, copy_parents=True)
    translation_page.save_revision().publish()
    translation_page.refresh_from_db()
    return translation_page


def test_english_form_shows_english_errors(client, english_campaign):
    url = form_url(english_campaign)
    assert url.startswith("/en/")
    response = client.post(url, valid_data(amount="abc"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Enter an amount in euros" in content
    assert "You will only be charged if the campaign reaches its goal before" in content
    assert Pledge.objects.count() == 0


def test_english_pledge_counts_on_the_french_campaign_and_emails_in_english(client, campaign, english_campaign):
    response = client.post(form_url(english_campaign), valid_data())
    assert response.status_code == 302
    assert response["Location"].startswith("/en/")
    pledge = Pledge.objects.get()
    assert pledge.language == "en" and pledge.campaign_id == campaign.pk
    client.post(response["Location"], {"card_number": demo_gateway.DEMO_SUCCESS})
    assert "Thank you for supporting" in mail.outbox[0].subject
    assert "/en/" in mail.outbox[0].body
    assert client.get(campaign.url).context["page"].figures.backers == 1


# Emails the closing code sends ---------------------------------------------------------------


def test_every_email_renders_in_the_backers_language(campaign):
    pledge = PledgeFactory(campaign=campaign, language="fr", funding_model="all_or_nothing")
    emails.send_campaign_succeeded(pledge, 2500)
    emails.send_campaign_failed(pledge)
    emails.send_action_required(pledge, emails.complete_payment_url(pledge))
    emails.send_refund(pledge)
    emails.send_confirmation(pledge)
    assert len(mail.outbox) == 5
    succeeded, failed, action, refund, confirmation = mail.outbox
    assert "25\u00a0€" in succeeded.body and "débité" in succeeded.body
    assert "pas été débité" in failed.body
    assert "http://" in action.body and "/paiement/finaliser/" in action.body
    assert "rembours" in refund.body
    assert "&#x27;" not in confirmation.body and "&amp;" not in confirmation.body
    with translation.override("fr"):
        pledge.language = "en"
        emails.send_refund(pledge)
    assert "refunded" in mail.outbox[-1].body


def test_no_email_without_address(campaign):
    pledge = PledgeFactory(campaign=campaign, backer_email="")
    assert emails.send_confirmation(pledge) is None
    assert not mail.outbox


def test_complete_payment_with_a_provider_uses_its_completion_context(client, campaign, monkeypatch):
    class FakeStripe:
        def completion_context(self, pledge):
            return {"publishable_key": "pk_test_x", "client_secret": "pi_1_secret_2", "payment_method_id": "pm_1"}

    monkeypatch.setattr(providers, "get_gateway", lambda name=None: FakeStripe())
    pledge = PledgeFactory(campaign=campaign, status=S.ACTION_REQUIRED, provider="stripe")
    page = client.get(reverse("payments:complete_payment", kwargs={"token": pledge.token})).content.decode()
    assert 'data-secret="pi_1_secret_2"' in page and "Finaliser le paiement (démo)" not in page
    # No demo shortcut for a real provider.
    client.post(reverse("payments:complete_payment", kwargs={"token": pledge.token}))
    pledge.refresh_from_db()
    assert pledge.status == S.ACTION_REQUIRED


# Completion re-checks that the campaign takes pledges ---------------------------------------------


def start_pledge(client, campaign, **overrides):
    """Send the pledge form: a pending pledge and the URL of its demo card page."""
    response = client.post(form_url(campaign), valid_data(**overrides))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Pledge.objects.latest("pk"), response["Location"]


def assert_refused_at_completion(response, pledge, figures_before, campaign):
    assert response.status_code == 410
    content = response.content.decode()
    assert '<p class="notice notice--warning">La campagne est close\u00a0: rien n&#x27;a été prélevé.</p>' in content
    pledge.refresh_from_db()
    assert pledge.status == S.CANCELLED
    assert events(pledge) == [("", S.PENDING, "citizen"), (S.PENDING, S.CANCELLED, "citizen")]
    assert pledge.events.last().note == "campaign closed before the payment was completed"
    assert mail.outbox == []
    figures = CampaignPage.objects.get(pk=campaign.pk).figures
    assert (figures.raised_cents, figures.backers) == figures_before


@pytest.mark.parametrize("funding_model", ["all_or_nothing", "keep_it_all"])
def test_a_card_given_after_the_end_is_refused_and_nothing_counts(client, make_campaign, funding_model):
    campaign = make_campaign(goal=1000, funding_model=funding_model)
    pledge, checkout = start_pledge(client, campaign)
    CampaignPage.objects.filter(pk=campaign.pk).update(end_at=timezone.now() - timedelta(seconds=1))

    response = client.post(checkout, {"card_number": demo_gateway.DEMO_SUCCESS, "action": "pay"})

    assert_refused_at_completion(response, pledge, (0, 0), campaign)
    # The card page is closed for good.
    assert client.get(checkout).status_code == 410


def test_a_card_confirmed_after_a_cancellation_is_refused(client, campaign):
    pledge, checkout = start_pledge(client, campaign)
    response = client.post(checkout, {"card_number": demo_gateway.DEMO_AUTHENTICATION, "action": "pay"})
    assert response.status_code == 200  # the bank's confirmation step
    CampaignClosing.objects.create(campaign=campaign, outcome=CampaignStatus.CANCELLED, raised_cents=0)

    response = client.post(checkout, {"card_number": demo_gateway.DEMO_AUTHENTICATION, "action": "authenticate"})

    assert_refused_at_completion(response, pledge, (0, 0), campaign)


def test_an_expired_checkout_cannot_be_paid(client, campaign):
    pledge, checkout = start_pledge(client, campaign)
    Pledge.objects.filter(pk=pledge.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client.post(checkout, {"card_number": demo_gateway.DEMO_SUCCESS, "action": "pay"})

    assert response.status_code == 410
    assert "Ce paiement a expiré\u00a0: rien n&#x27;a été prélevé." in response.content.decode()
    pledge.refresh_from_db()
    assert pledge.status == S.CANCELLED
    assert events(pledge)[-1] == (S.PENDING, S.CANCELLED, "system")
    assert pledge.events.last().note == "checkout expired"
    assert mail.outbox == []


def test_a_checkout_still_within_its_time_is_paid(client, campaign):
    pledge, checkout = start_pledge(client, campaign)
    Pledge.objects.filter(pk=pledge.pk).update(expires_at=timezone.now() + timedelta(seconds=5))
    response = client.post(checkout, {"card_number": demo_gateway.DEMO_SUCCESS, "action": "pay"})
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.status == S.COMMITTED


def test_no_demo_card_page_where_demo_payments_are_not_allowed(client, campaign, settings):
    pledge, checkout = start_pledge(client, campaign)
    settings.PAYMENTS_DEMO_MODE = False
    assert client.post(checkout, {"card_number": demo_gateway.DEMO_SUCCESS, "action": "pay"}).status_code == 404
    pledge.refresh_from_db()
    assert pledge.status == S.PENDING


# Emails are enqueued with the change they follow ---------------------------------------------------


class QueueDown(Exception):
    pass


def queue_down(*args, **kwargs):
    raise QueueDown


def test_confirmation_email_and_commit_happen_together(client, campaign, monkeypatch):
    """Enqueuing the email fails (a stand-in for a crash between the change and its email: no
    local stand-in can kill the process mid-request); the commit must be undone with it."""
    pledge, checkout = start_pledge(client, campaign)
    monkeypatch.setattr(emails, "send_confirmation", queue_down)
    with pytest.raises(QueueDown):
        client.post(checkout, {"card_number": demo_gateway.DEMO_SUCCESS, "action": "pay"})
    pledge.refresh_from_db()
    assert pledge.status == S.PENDING
    assert events(pledge) == [("", S.PENDING, "citizen")]


def test_completed_payment_and_its_email_happen_together(client, campaign, monkeypatch):
    """As above, for the "you were charged" email of a payment completed by the backer."""
    pledge = PledgeFactory(campaign=campaign, status=S.ACTION_REQUIRED, provider="demo", language="fr")
    monkeypatch.setattr(emails, "send_campaign_succeeded", queue_down)
    with pytest.raises(QueueDown):
        client.post(reverse("payments:complete_payment", kwargs={"token": pledge.token}))
    pledge.refresh_from_db()
    assert pledge.status == S.ACTION_REQUIRED
    assert not pledge.events.exists()


# The payment provider fails while the checkout starts -------------------------------------------


def closed_port() -> int:
    """A local TCP port nobody listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_stripe_unreachable_gives_a_503_keeps_the_form_and_leaves_nothing_pending(client, make_campaign, settings):
    """The real StripeGateway, pointed at a closed local port: Stripe is down (no mock)."""
    settings.STRIPE_SECRET_KEY = "sk_test_unreachable"
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{closed_port()}"
    campaign = make_campaign(goal=1000)
    reward = RewardTierFactory(page=campaign, title="Sachet de graines", min_amount=20, stock=1)

    response = client.post(form_url(campaign), valid_data(reward=str(reward.pk), amount="25"))

    assert response.status_code == 503
    content = response.content.decode()
    assert (
        "Le paiement est momentanément indisponible\u00a0: rien n&#x27;a été prélevé. Réessayez dans quelques minutes."
    ) in error_summary(response)
    for value in ("Camille Martin", "camille@example.org", "25"):
        assert f'value="{value}"' in content
    assert f'value="{reward.pk}" data-min-amount="20" aria-describedby="reward-{reward.pk}-details" checked' in content
    pledge = Pledge.objects.get()
    assert (pledge.provider, pledge.status) == ("stripe", S.CANCELLED)
    assert events(pledge) == [("", S.PENDING, "citizen"), (S.PENDING, S.CANCELLED, "system")]
    assert pledge.events.last().note == "payment provider unavailable"
    # Its reward is free again.
    assert next(r for r in campaign.rewards_with_stock() if r.pk == reward.pk).stock_left == 1


def test_no_payment_provider_gives_a_503_and_records_nothing(client, campaign, settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.PAYMENTS_DEMO_MODE = False
    response = client.post(form_url(campaign), valid_data())
    assert response.status_code == 503
    assert "Le paiement est momentanément indisponible" in error_summary(response)
    assert 'value="Camille Martin"' in response.content.decode()
    assert Pledge.objects.count() == 0


# The French page governs its translations ---------------------------------------------------------


def test_an_unpublished_french_page_takes_no_pledge_through_its_english_version(client, campaign, english_campaign):
    campaign.unpublish()
    english_campaign.refresh_from_db()
    assert english_campaign.live

    page = client.get(form_url(english_campaign)).content.decode()
    assert "This campaign does not take pledges at the moment." in page
    assert '<form class="pledge-form"' not in page
    response = client.post(form_url(english_campaign), valid_data())
    assert response.status_code == 200
    assert "This campaign does not take pledges at the moment." in error_summary(response)
    assert Pledge.objects.count() == 0
    assert PledgeEvent.objects.count() == 0


def test_the_french_pages_end_closes_its_english_version(client, campaign, english_campaign):
    CampaignPage.objects.filter(pk=campaign.pk).update(end_at=timezone.now() - timedelta(minutes=1))
    assert CampaignPage.objects.get(pk=english_campaign.pk).end_at > timezone.now()
    response = client.post(form_url(english_campaign), valid_data())
    assert response.status_code == 200
    assert "This campaign is closed: it no longer takes pledges." in error_summary(response)
    assert Pledge.objects.count() == 0
