"""Webhook behaviours pinned to kill mutants of payments/webhooks.py that survived the rest of
the suite (`make mutation`, docs/testing.md): what each event writes in the pledge's audit
trail, and how a dispute finds its pledge. The objects live in localstripe, as in
test_stripe_webhooks.py."""

import pytest
from stripe_support import event, save_card

from payments.models import PayoutAccount, PledgeEvent
from payments.rules import PledgeStatus as S
from payments.stripe_gateway import object_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def charged(gateway, make_stripe_pledge):
    """A committed pledge whose saved card was charged at the close (not yet marked paid)."""
    pledge = save_card(gateway, make_stripe_pledge(amount_cents=2000))
    gateway.charge_saved_card(pledge, attempt=1, application_fee_cents=0)
    pledge.refresh_from_db()
    return pledge


def last_line(pledge):
    line = PledgeEvent.objects.filter(pledge=pledge).last()
    return line.from_status, line.to_status, line.actor, line.note, line.data


def test_a_payment_intent_event_is_recorded_with_its_type_and_id(charged, post_event):
    evt = event("payment_intent.succeeded", {"id": charged.payment_intent_id, "object": "payment_intent"})
    assert post_event(evt).status_code == 200
    assert last_line(charged) == (S.COMMITTED, S.PAID, "webhook", "payment_intent.succeeded", {"event": evt["id"]})


def test_a_dispute_naming_its_payment_intent_is_noted_with_its_amount(charged, post_event):
    dispute = {
        "id": "dp_1",
        "object": "dispute",
        "amount": 2000,
        "payment_intent": charged.payment_intent_id,
        "reason": "fraudulent",
    }
    evt = event("charge.dispute.created", dispute)
    assert post_event(evt).status_code == 200
    assert last_line(charged) == (
        S.COMMITTED,
        S.COMMITTED,
        "webhook",
        "dispute opened: fraudulent",
        {"event": evt["id"], "dispute": "dp_1", "amount": 2000},
    )


def test_a_dispute_naming_only_its_charge_finds_the_pledge_through_the_charge(charged, post_event, gateway):
    """No payment intent, no reason, no amount on the dispute: the charge is read from the
    provider and names the payment intent; the note and the amount fall back to empty and 0."""
    intent = gateway.client.v1.payment_intents.retrieve(charged.payment_intent_id)
    charge_id = object_id(intent.latest_charge)
    evt = event("charge.dispute.created", {"id": "dp_2", "object": "dispute", "charge": charge_id})
    assert post_event(evt).status_code == 200
    assert last_line(charged) == (
        S.COMMITTED,
        S.COMMITTED,
        "webhook",
        "dispute opened: ",
        {"event": evt["id"], "dispute": "dp_2", "amount": 0},
    )


def test_a_dispute_names_its_pledge_by_metadata_first(charged, make_stripe_pledge, post_event):
    other = make_stripe_pledge(payment_intent_id="pi_other")
    dispute = {
        "id": "dp_3",
        "object": "dispute",
        "payment_intent": "pi_other",
        "metadata": {"pledge_id": str(charged.pk)},
        "reason": "duplicate",
    }
    assert post_event(event("charge.dispute.created", dispute)).status_code == 200
    assert last_line(charged)[3] == "dispute opened: duplicate"
    assert not PledgeEvent.objects.filter(pledge=other, note__startswith="dispute").exists()


def test_a_full_refund_is_recorded_with_its_amounts(gateway, charged, post_event):
    post_event(event("payment_intent.succeeded", {"id": charged.payment_intent_id, "object": "payment_intent"}))
    gateway.refund(charged)
    intent = gateway.client.v1.payment_intents.retrieve(charged.payment_intent_id)
    evt = event("charge.refunded", {"id": object_id(intent.latest_charge), "object": "charge"})
    assert post_event(evt).status_code == 200
    assert last_line(charged) == (
        S.PAID,
        S.REFUNDED,
        "webhook",
        "charge.refunded",
        {"event": evt["id"], "amount": 2000, "amount_refunded": 2000},
    )


def test_an_account_without_flags_is_taken_as_not_ready(recorded, stripe_campaign, post_event):
    """Stripe omits the flags of an account it has not reviewed: each one is then False."""
    payout = PayoutAccount.objects.create(
        campaign_key=stripe_campaign.translation_key,
        stripe_account_id="acct_holder",
        charges_enabled=True,
        payouts_enabled=True,
        details_submitted=True,
    )
    recorded.add("GET", "/v1/accounts/acct_holder", {"id": "acct_holder", "object": "account"})
    assert post_event(event("account.updated", {"id": "acct_holder", "object": "account"})).status_code == 200
    payout.refresh_from_db()
    assert (payout.charges_enabled, payout.payouts_enabled, payout.details_submitted) == (False, False, False)
