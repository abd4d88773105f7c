"""The webhook endpoint: signatures, replays, out-of-order delivery, and each event.

Events here are signed with `stripe.WebhookSignature.generate_signature_header` (the same
HMAC Stripe uses) and the objects they name live in localstripe, which the handlers re-read.
The last test has localstripe itself deliver a signed event to a live server. Events about
Checkout sessions, which localstripe lacks, are in `test_stripe_recorded.py`.
"""

import time

import pytest
from django.core import mail
from django.urls import reverse
from stripe_support import WEBHOOK_SECRET, DeliveryRelay, event, localstripe_post, save_card, signed

from payments.models import Pledge, PledgeEvent, WebhookEvent
from payments.rules import PledgeStatus as S
from payments.stripe_gateway import StripeGateway, object_id

pytestmark = pytest.mark.django_db


UNPAID = "requires_payment_method"


def pi_event(type_, intent_id, status="succeeded", **extra):
    """A payment_intent event whose payload may be stale: handlers re-read the intent."""
    return event(type_, {"id": intent_id, "object": "payment_intent", "status": status, **extra})


@pytest.fixture
def charged(gateway, make_stripe_pledge):
    """A committed pledge whose saved card was charged at the close (not yet marked paid)."""
    pledge = save_card(gateway, make_stripe_pledge(amount_cents=2000))
    gateway.charge_saved_card(pledge, attempt=1, application_fee_cents=0)
    pledge.refresh_from_db()
    return pledge


# Signatures -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "how",
    ["missing header", "wrong secret", "tampered body", "stale timestamp", "garbage header", "no secret configured"],
)
def test_a_forged_event_is_rejected_and_changes_nothing(how, charged, client, settings):
    evt = pi_event("payment_intent.succeeded", charged.payment_intent_id)
    body, header = signed(evt)
    headers = {"HTTP_STRIPE_SIGNATURE": header}
    if how == "missing header":
        headers = {}
    elif how == "wrong secret":
        headers["HTTP_STRIPE_SIGNATURE"] = signed(evt, "whsec_attacker")[1]
    elif how == "tampered body":
        body = body.replace(charged.payment_intent_id, "pi_someone_else")
    elif how == "stale timestamp":
        headers["HTTP_STRIPE_SIGNATURE"] = signed(evt, timestamp=int(time.time()) - 3600)[1]
    elif how == "garbage header":
        headers["HTTP_STRIPE_SIGNATURE"] = "t=abc,v1=00"
    else:
        # No secret configured: an event signed with the empty secret must not pass either.
        settings.STRIPE_WEBHOOK_SECRET = ""
        headers["HTTP_STRIPE_SIGNATURE"] = signed(evt, "")[1]
    events_before = PledgeEvent.objects.count()

    response = client.post(reverse("webhooks:stripe_webhook"), data=body, content_type="application/json", **headers)

    assert response.status_code == 400
    charged.refresh_from_db()
    assert charged.status == S.COMMITTED
    assert WebhookEvent.objects.count() == 0
    assert PledgeEvent.objects.count() == events_before


def test_an_empty_signing_secret_refuses_every_event(charged, post_event, settings):
    """Anyone can compute an HMAC with the empty key: STRIPE_WEBHOOK_SECRET="" refuses all."""
    settings.STRIPE_WEBHOOK_SECRET = ""
    evt = pi_event("payment_intent.succeeded", charged.payment_intent_id)

    response = post_event(evt, secret="")

    assert (response.status_code, response.content) == (400, b"webhook secret not configured")
    charged.refresh_from_db()
    assert charged.status == S.COMMITTED
    assert not WebhookEvent.objects.exists()


def test_a_signature_made_with_another_secret_is_refused(charged, post_event):
    response = post_event(pi_event("payment_intent.succeeded", charged.payment_intent_id), secret="whsec_forged")

    assert (response.status_code, response.content) == (400, b"bad signature")
    charged.refresh_from_db()
    assert charged.status == S.COMMITTED
    assert not WebhookEvent.objects.exists()


def test_only_post_is_accepted(client):
    assert client.get(reverse("webhooks:stripe_webhook")).status_code == 405


def test_the_webhook_needs_no_csrf_token(charged, localstripe):
    from django.test import Client

    body, header = signed(pi_event("payment_intent.succeeded", charged.payment_intent_id))
    response = Client(enforce_csrf_checks=True).post(
        reverse("webhooks:stripe_webhook"), data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )
    assert response.status_code == 200


# Replays and ordering ---------------------------------------------------------------------


def test_a_replayed_event_is_a_no_op(charged, post_event):
    evt = pi_event("payment_intent.succeeded", charged.payment_intent_id)

    first = post_event(evt)
    events_after_first = PledgeEvent.objects.filter(pledge=charged).count()
    emails_after_first = len(mail.outbox)
    second = post_event(evt)

    assert first.status_code == second.status_code == 200
    assert second.content == b"already processed"
    charged.refresh_from_db()
    assert charged.status == S.PAID and charged.paid_at is not None
    assert WebhookEvent.objects.filter(event_id=evt["id"]).count() == 1
    assert PledgeEvent.objects.filter(pledge=charged).count() == events_after_first
    assert len(mail.outbox) == emails_after_first == 1  # "the campaign succeeded" email, once


def test_the_email_is_enqueued_in_the_events_transaction_not_after_it(
    charged, post_event, django_capture_on_commit_callbacks
):
    """No `transaction.on_commit` for emails: with the database task backend the email task
    row is written in the same transaction as the change, so a crash loses neither or both."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post_event(pi_event("payment_intent.succeeded", charged.payment_intent_id))

    assert response.status_code == 200
    assert callbacks == []
    assert len(mail.outbox) == 1  # enqueued (and, with the tests' immediate backend, sent) at once


def test_the_same_change_under_a_new_event_id_is_also_a_no_op(charged, post_event):
    post_event(pi_event("payment_intent.succeeded", charged.payment_intent_id))
    count = PledgeEvent.objects.filter(pledge=charged).count()
    assert post_event(pi_event("payment_intent.succeeded", charged.payment_intent_id)).status_code == 200
    assert PledgeEvent.objects.filter(pledge=charged).count() == count


def test_a_stale_payload_is_re_read_from_stripe(charged, post_event):
    """The payload says the charge failed, but Stripe now says it succeeded: paid."""
    response = post_event(
        pi_event("payment_intent.payment_failed", charged.payment_intent_id, "requires_payment_method")
    )
    assert response.status_code == 200
    charged.refresh_from_db()
    assert charged.status == S.PAID


def test_a_failure_arriving_after_the_success_does_not_move_back(gateway, make_stripe_pledge, post_event):
    pledge = save_card(gateway, make_stripe_pledge(), "pm_card_chargeCustomerFail")
    gateway.charge_saved_card(pledge, attempt=1, application_fee_cents=0)
    pledge.refresh_from_db()
    Pledge.objects.filter(pk=pledge.pk).update(status=S.PAID)  # e.g. completed meanwhile

    response = post_event(
        pi_event("payment_intent.payment_failed", pledge.payment_intent_id, "requires_payment_method")
    )

    assert response.status_code == 200
    pledge.refresh_from_db()
    assert pledge.status == S.PAID


# Each event ---------------------------------------------------------------------------------


def test_payment_failed_turns_the_pledge_to_action_required_and_emails_a_link(gateway, make_stripe_pledge, post_event):
    pledge = save_card(gateway, make_stripe_pledge(), "pm_card_chargeCustomerFail")
    gateway.charge_saved_card(pledge, attempt=1, application_fee_cents=0)
    pledge.refresh_from_db()

    response = post_event(
        pi_event("payment_intent.payment_failed", pledge.payment_intent_id, "requires_payment_method")
    )

    assert response.status_code == 200
    pledge.refresh_from_db()
    assert pledge.status == S.ACTION_REQUIRED
    assert pledge.failure_reason == "card_declined"
    assert pledge.action_required_at is not None
    assert len(mail.outbox) == 1
    assert reverse("payments:complete_payment", kwargs={"token": pledge.token}) in mail.outbox[0].body


def test_requires_action_turns_the_pledge_to_action_required(gateway, make_stripe_pledge, post_event):
    pledge = save_card(gateway, make_stripe_pledge(), "4000002760003184")
    gateway.charge_saved_card(pledge, attempt=1, application_fee_cents=0)
    pledge.refresh_from_db()

    post_event(pi_event("payment_intent.requires_action", pledge.payment_intent_id, "requires_action"))

    pledge.refresh_from_db()
    assert pledge.status == S.ACTION_REQUIRED
    assert pledge.failure_reason == "requires_action"


def test_a_refused_card_inside_checkout_leaves_the_pending_pledge_alone(gateway, make_stripe_pledge, post_event):
    """Keep-it-all: a card refused on Stripe's Checkout page is retried there by the citizen."""
    pledge = make_stripe_pledge(funding_model="keep_it_all")
    customer = gateway.customer_for(pledge)
    card = gateway.client.v1.payment_methods.create(
        params={"type": "card", "card": {"number": "4000000000000341", "exp_month": 12, "exp_year": 2034, "cvc": "123"}}
    )
    intent = gateway.client.v1.payment_intents.create(
        params={
            "amount": pledge.amount_cents,
            "currency": "eur",
            "customer": customer,
            "payment_method": card.id,
            "metadata": {"pledge_id": str(pledge.pk)},
        }
    )
    with pytest.raises(Exception):  # noqa: B017 - the 402 from localstripe
        gateway.client.v1.payment_intents.confirm(intent.id)

    assert post_event(pi_event("payment_intent.payment_failed", intent.id, UNPAID)).status_code == 200
    pledge.refresh_from_db()
    assert pledge.status == S.PENDING


def test_charge_refunded_marks_the_pledge_refunded(gateway, charged, post_event):
    post_event(pi_event("payment_intent.succeeded", charged.payment_intent_id))
    charged.refresh_from_db()
    gateway.refund(charged)
    intent = gateway.client.v1.payment_intents.retrieve(charged.payment_intent_id)
    charge_id = object_id(intent.latest_charge)  # localstripe embeds the charge; Stripe sends its id

    response = post_event(event("charge.refunded", {"id": charge_id, "object": "charge"}))

    assert response.status_code == 200
    charged.refresh_from_db()
    assert charged.status == S.REFUNDED
    assert mail.outbox[-1].subject == "Votre promesse de don à «\u00a0Jardin partagé\u00a0» a été remboursée"


def test_a_partial_refund_is_noted_and_the_pledge_stays_paid(gateway, charged, post_event):
    """localstripe refunds 1 999 of 2 000 cents: `charge.refunded` fires, the pledge stays paid."""
    post_event(pi_event("payment_intent.succeeded", charged.payment_intent_id))
    emails_before = len(mail.outbox)
    gateway.client.v1.refunds.create(params={"payment_intent": charged.payment_intent_id, "amount": 1999})
    intent = gateway.client.v1.payment_intents.retrieve(charged.payment_intent_id)
    charge_id = object_id(intent.latest_charge)

    response = post_event(event("charge.refunded", {"id": charge_id, "object": "charge", "refunded": True}))

    assert response.status_code == 200
    charged.refresh_from_db()
    assert charged.status == S.PAID
    note = charged.events.last()
    assert (note.note, note.from_status, note.to_status) == ("partial refund", S.PAID, S.PAID)
    assert (note.data["amount"], note.data["amount_refunded"]) == (2000, 1999)
    assert len(mail.outbox) == emails_before  # no "refunded" email


def test_a_refund_event_for_an_unpaid_pledge_is_ignored(gateway, charged, post_event):
    """Out of order: charge.refunded before payment_intent.succeeded is refused, not forced."""
    gateway.refund(charged)
    intent = gateway.client.v1.payment_intents.retrieve(charged.payment_intent_id)

    response = post_event(event("charge.refunded", {"id": object_id(intent.latest_charge), "object": "charge"}))

    assert response.status_code == 200
    charged.refresh_from_db()
    assert charged.status == S.COMMITTED


def test_a_dispute_is_noted_without_changing_the_status(charged, post_event):
    dispute = {
        "id": "dp_test_1",
        "object": "dispute",
        "amount": 2000,
        "charge": "ch_unknown",
        "payment_intent": charged.payment_intent_id,
        "reason": "fraudulent",
        "status": "needs_response",
    }
    assert post_event(event("charge.dispute.created", dispute)).status_code == 200
    charged.refresh_from_db()
    assert charged.status == S.COMMITTED
    note = PledgeEvent.objects.filter(pledge=charged).last()
    assert note.note == "dispute opened: fraudulent"
    assert note.from_status == note.to_status == S.COMMITTED
    assert note.data["dispute"] == "dp_test_1"


def test_unknown_event_types_and_unknown_objects_are_acknowledged(post_event, gateway):
    assert post_event(event("customer.created", {"id": "cus_x", "object": "customer"})).status_code == 200
    intent = gateway.client.v1.payment_intents.create(params={"amount": 500, "currency": "eur"})
    assert post_event(pi_event("payment_intent.succeeded", intent.id)).status_code == 200
    assert WebhookEvent.objects.count() == 2


# Real delivery by localstripe -----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_localstripe_delivers_a_signed_event_to_the_endpoint(live_server, own_localstripe, make_stripe_pledge):
    """localstripe signs and POSTs payment_intent.succeeded to the running site, through a relay
    that keeps the site's answer to every delivery. This test has a localstripe of its own,
    so the only events delivered are its own, and each one must have been answered 2xx."""
    gateway = StripeGateway()
    pledge = save_card(gateway, make_stripe_pledge(amount_cents=2700))
    with DeliveryRelay(live_server.url + reverse("webhooks:stripe_webhook")) as relay:
        localstripe_post(
            own_localstripe,
            "/_config/webhooks/coupdepouce",
            {"url": relay.url, "secret": WEBHOOK_SECRET, "events[]": ["payment_intent.succeeded"]},
        )
        result = gateway.charge_saved_card(pledge, attempt=1, application_fee_cents=0)
        assert result.status == "succeeded"
        deadline = time.monotonic() + 15
        while not relay.deliveries and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.5)  # anything else localstripe would send arrives meanwhile

    stored = WebhookEvent.objects.get(type="payment_intent.succeeded")
    assert relay.deliveries == [(stored.event_id, "payment_intent.succeeded", 200)]
    pledge.refresh_from_db()
    assert pledge.status == S.PAID
    assert stored.payload["data"]["object"]["id"] == result.payment_intent_id
    assert stored.payload["api_version"] == "2017-08-15"  # localstripe's, not the SDK's
