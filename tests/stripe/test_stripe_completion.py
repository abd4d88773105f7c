"""A checkout finished after its campaign stopped taking pledges, or after its pledge expired,
gives the money back instead of completing.

Every completion path — the Checkout return page (`sync_checkout`), `checkout.session.completed`,
`checkout.session.async_payment_succeeded` and `payment_intent.succeeded` for a pending pledge —
goes through `services.complete_checkout`, which re-checks the campaign. When it refuses, the
pledge is cancelled and the saved card is detached (setup mode) or the payment refunded
(payment mode, `refund_id` stored). The backer gets no confirmation.

Stand-ins: localstripe holds the real card, PaymentIntent, refund and detach; the Checkout
Session, which localstripe lacks, is a recorded answer (`localstripe_with_checkout`).
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from stripe_support import event, pay_at_once, setup_card

from payments import services
from payments.models import CampaignClosing, PledgeEvent
from payments.rules import PledgeStatus as S
from payments.stripe_gateway import StripeGateway, object_id
from projects.models import CampaignPage

pytestmark = pytest.mark.django_db

SESSION = "cs_test_late"
CLOSED_NOTE = "campaign closed before the payment was completed"
REFUND_SUBJECT = "Votre promesse de don à «\u00a0Jardin partagé\u00a0» a été remboursée"


def close(campaign, how):
    """The campaign stops taking pledges while the backer is on Stripe's page."""
    now = timezone.now()
    if how == "ended":
        CampaignPage.objects.filter(pk=campaign.pk).update(end_at=now - timedelta(minutes=1))
    elif how == "unpublished":
        campaign.unpublish()
    else:
        CampaignClosing.objects.create(
            campaign=campaign, outcome="cancelled", raised_cents=0, cancelled_by="test", reason="works cancelled"
        )


def record_session(fake, pledge, **session):
    body = {
        "id": SESSION,
        "object": "checkout.session",
        "status": "complete",
        "customer": pledge.customer_id,
        "client_reference_id": str(pledge.token),
        "metadata": {"pledge_id": str(pledge.pk)},
        "setup_intent": None,
        "payment_intent": None,
        **session,
    }
    fake.add("GET", f"/v1/checkout/sessions/{SESSION}", body)
    return body


def setup_session(fake, pledge, customer, payment_method):
    setup_intent = {
        "id": "seti_late",
        "object": "setup_intent",
        "status": "succeeded",
        "customer": customer,
        "payment_method": payment_method,
    }
    return record_session(fake, pledge, mode="setup", payment_status="no_payment_required", setup_intent=setup_intent)


def payment_session(fake, pledge, intent_id):
    return record_session(fake, pledge, mode="payment", payment_status="paid", payment_intent=intent_id)


def complete(path, post_event, client, pledge, intent_id=""):
    """The completion reaches the site by `path`; returns the HTTP status of that request."""
    if path == "return page":
        return client.get(reverse("payments:checkout_return", kwargs={"token": pledge.token})).status_code
    if path == "payment_intent.succeeded":
        return post_event(event(path, {"id": intent_id, "object": "payment_intent"})).status_code
    return post_event(event(path, {"id": SESSION, "object": "checkout.session"})).status_code


def notes(pledge):
    return list(PledgeEvent.objects.filter(pledge=pledge).order_by("pk").values_list("to_status", "note"))


@pytest.mark.parametrize("how", ["ended", "unpublished", "cancelled"])
@pytest.mark.parametrize("path", ["checkout.session.completed", "return page"])
def test_a_card_saved_after_the_campaign_closed_is_released(
    how, path, localstripe_with_checkout, stripe_campaign, make_stripe_pledge, post_event, client
):
    gateway = StripeGateway()
    pledge = make_stripe_pledge(checkout_id=SESSION)
    customer, card = setup_card(gateway, pledge)
    setup_session(localstripe_with_checkout, pledge, customer, card)
    close(stripe_campaign, how)

    assert complete(path, post_event, client, pledge) == 200

    pledge.refresh_from_db()
    assert (pledge.status, pledge.payment_method_id, pledge.refund_id) == (S.CANCELLED, card, "")
    assert gateway.client.v1.payment_methods.retrieve(card).customer is None  # detached on localstripe
    assert notes(pledge)[-3:] == [
        (S.CANCELLED, CLOSED_NOTE),
        (S.CANCELLED, "saved card to release: campaign closed"),
        (S.CANCELLED, "saved card released"),
    ]
    assert mail.outbox == []  # no "thank you"


@pytest.mark.parametrize("how", ["ended", "unpublished", "cancelled"])
@pytest.mark.parametrize(
    "path",
    [
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
        "payment_intent.succeeded",
        "return page",
    ],
)
def test_a_payment_made_after_the_campaign_closed_is_refunded(
    how, path, localstripe_with_checkout, stripe_campaign, make_stripe_pledge, post_event, client
):
    gateway = StripeGateway()
    pledge = make_stripe_pledge(amount_cents=3500, funding_model="keep_it_all", checkout_id=SESSION)
    intent = pay_at_once(gateway, pledge)
    payment_session(localstripe_with_checkout, pledge, intent.id)
    close(stripe_campaign, how)

    assert complete(path, post_event, client, pledge, intent.id) == 200

    pledge.refresh_from_db()
    assert (pledge.status, pledge.payment_intent_id) == (S.CANCELLED, intent.id)
    assert pledge.refund_id.startswith("re_")
    refund = gateway.client.v1.refunds.retrieve(pledge.refund_id)
    assert (refund.amount, refund.status, object_id(refund.payment_intent)) == (3500, "succeeded", intent.id)
    charge = gateway.client.v1.charges.retrieve(
        object_id(gateway.client.v1.payment_intents.retrieve(intent.id).latest_charge)
    )
    assert (charge.refunded, charge.amount_refunded) == (True, 3500)
    assert notes(pledge)[-3:] == [
        (S.CANCELLED, CLOSED_NOTE),
        (S.CANCELLED, "payment to refund: campaign closed"),
        (S.CANCELLED, f"refunded automatically: {pledge.refund_id}"),
    ]
    assert [message.subject for message in mail.outbox] == [REFUND_SUBJECT]  # no "thank you"


def test_while_the_campaign_is_open_the_checkout_completes_and_thanks(
    localstripe_with_checkout, make_stripe_pledge, post_event
):
    """The control case: same events, campaign open."""
    gateway = StripeGateway()
    pledge = make_stripe_pledge(amount_cents=3500, funding_model="keep_it_all", checkout_id=SESSION)
    intent = pay_at_once(gateway, pledge)
    payment_session(localstripe_with_checkout, pledge, intent.id)

    assert complete("checkout.session.completed", post_event, None, pledge) == 200

    pledge.refresh_from_db()
    assert (pledge.status, pledge.payment_intent_id, pledge.refund_id) == (S.PAID, intent.id, "")
    assert localstripe_with_checkout.find("POST", "/v1/refunds") == []
    assert [message.subject for message in mail.outbox] == ["Merci de soutenir «\u00a0Jardin partagé\u00a0»"]


# Money for a pledge that was already cancelled (expired, then paid at minute 31) --------------


def expire(pledge):
    """The pledge's hold ended before the backer paid: it was cancelled ("checkout expired")."""
    services.transition(pledge, S.CANCELLED, actor="system", note="checkout expired")


@pytest.mark.parametrize("path", ["checkout.session.completed", "payment_intent.succeeded"])
def test_a_payment_for_an_expired_pledge_is_refunded_automatically(
    path, localstripe_with_checkout, make_stripe_pledge, post_event, client
):
    gateway = StripeGateway()
    pledge = make_stripe_pledge(amount_cents=1800, funding_model="keep_it_all", checkout_id=SESSION)
    intent = pay_at_once(gateway, pledge)
    payment_session(localstripe_with_checkout, pledge, intent.id)
    expire(pledge)

    assert complete(path, post_event, client, pledge, intent.id) == 200

    pledge.refresh_from_db()
    assert (pledge.status, pledge.payment_intent_id) == (S.CANCELLED, intent.id)
    assert pledge.refund_id.startswith("re_")
    assert gateway.client.v1.refunds.retrieve(pledge.refund_id).amount == 1800
    assert notes(pledge)[-2:] == [
        (S.CANCELLED, "payment to refund: Stripe reports paid after cancelled"),
        (S.CANCELLED, f"refunded automatically: {pledge.refund_id}"),
    ]
    assert [message.subject for message in mail.outbox] == [REFUND_SUBJECT]


def test_a_card_saved_for_an_expired_pledge_is_released(localstripe_with_checkout, make_stripe_pledge, post_event):
    gateway = StripeGateway()
    pledge = make_stripe_pledge(checkout_id=SESSION)
    customer, card = setup_card(gateway, pledge)
    setup_session(localstripe_with_checkout, pledge, customer, card)
    expire(pledge)

    assert complete("checkout.session.completed", post_event, None, pledge) == 200

    pledge.refresh_from_db()
    assert (pledge.status, pledge.payment_method_id) == (S.CANCELLED, card)
    assert gateway.client.v1.payment_methods.retrieve(card).customer is None
    assert notes(pledge)[-2:] == [
        (S.CANCELLED, "saved card to release: Stripe reports committed after cancelled"),
        (S.CANCELLED, "saved card released"),
    ]
    assert mail.outbox == []


def test_late_money_reported_twice_is_refunded_once(localstripe_with_checkout, make_stripe_pledge, post_event):
    gateway = StripeGateway()
    pledge = make_stripe_pledge(amount_cents=1800, funding_model="keep_it_all", checkout_id=SESSION)
    intent = pay_at_once(gateway, pledge)
    payment_session(localstripe_with_checkout, pledge, intent.id)
    expire(pledge)

    assert complete("checkout.session.completed", post_event, None, pledge) == 200
    assert complete("payment_intent.succeeded", post_event, None, pledge, intent.id) == 200
    assert complete("checkout.session.async_payment_succeeded", post_event, None, pledge) == 200

    pledge.refresh_from_db()
    assert len(localstripe_with_checkout.find("POST", "/v1/refunds")) == 1
    assert [note for _status, note in notes(pledge)].count(f"refunded automatically: {pledge.refund_id}") == 1
    assert len(mail.outbox) == 1
