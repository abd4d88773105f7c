"""The Stripe gateway against localstripe: saving cards, off-session charges at the close,
declines, authentication, refunds, released cards, and a re-run after a crash.

Saving a card uses a SetupIntent created and confirmed server-side: the stand-in for
Checkout in setup mode, which localstripe lacks (see `conftest.save_card`). localstripe
rejects `application_fee_amount` and `transfer_data`, so these charges have no Connect
destination; the destination form is checked with recorded responses in
`test_stripe_recorded.py`.
"""

import pytest
import stripe
from stripe_support import localstripe_post, save_card

from payments.gateway import ChargeResult
from payments.providers import get_gateway
from payments.rules import PledgeStatus as S
from payments.stripe_gateway import StripeGateway, object_id

pytestmark = pytest.mark.django_db


def test_get_gateway_picks_stripe_when_the_key_is_set(localstripe):
    assert isinstance(get_gateway(), StripeGateway)


def test_saving_a_card_commits_the_pledge_and_reuses_the_customer(gateway, make_stripe_pledge):
    first = save_card(gateway, make_stripe_pledge(backer_email="alice@example.org"))
    second = save_card(gateway, make_stripe_pledge(backer_email="ALICE@example.org"))

    assert first.status == S.COMMITTED
    assert first.customer_id.startswith("cus_") and first.payment_method_id.startswith("pm_")
    assert second.customer_id == first.customer_id  # one Customer per backer
    cards = gateway.client.v1.payment_methods.list(params={"customer": first.customer_id, "type": "card"})
    assert {card.id for card in cards.data} == {first.payment_method_id, second.payment_method_id}


def test_a_card_refused_when_saved_raises_and_leaves_the_pledge_pending(gateway, make_stripe_pledge):
    pledge = make_stripe_pledge()
    with pytest.raises(stripe.CardError) as caught:
        save_card(gateway, pledge, "pm_card_visa_chargeDeclined")
    assert caught.value.code == "card_declined"
    pledge.refresh_from_db()
    assert pledge.status == S.PENDING


def test_off_session_charge_succeeds_and_stores_the_payment_intent(gateway, make_stripe_pledge):
    pledge = save_card(gateway, make_stripe_pledge(amount_cents=4200))

    result = gateway.charge_saved_card(pledge, attempt=1, application_fee_cents=294)

    assert result.status == ChargeResult.SUCCEEDED
    pledge.refresh_from_db()
    assert pledge.payment_intent_id == result.payment_intent_id
    intent = gateway.client.v1.payment_intents.retrieve(result.payment_intent_id)
    assert (intent.status, intent.amount, intent.currency) == ("succeeded", 4200, "eur")
    assert intent.customer == pledge.customer_id
    assert intent.metadata["pledge_id"] == str(pledge.pk)
    assert intent.metadata["attempt"] == "1"


def test_a_card_declined_at_the_close_is_reported_declined(gateway, make_stripe_pledge):
    # pm_card_chargeCustomerFail: saved fine, refused when charged.
    pledge = save_card(gateway, make_stripe_pledge(), "pm_card_chargeCustomerFail")

    result = gateway.charge_saved_card(pledge, attempt=1, application_fee_cents=0)

    assert result.status == ChargeResult.DECLINED
    assert result.message == "card_declined"
    pledge.refresh_from_db()
    # localstripe's 402 has no payment_intent in its body: the id stored beforehand is used.
    assert result.payment_intent_id == pledge.payment_intent_id
    intent = gateway.client.v1.payment_intents.retrieve(pledge.payment_intent_id)
    assert intent.status == "requires_payment_method"


def test_a_card_needing_authentication_requires_action_and_completes_on_the_same_intent(
    gateway, localstripe, make_stripe_pledge
):
    pledge = save_card(gateway, make_stripe_pledge(), "4000002760003184")  # 3DS required

    result = gateway.charge_saved_card(pledge, attempt=1, application_fee_cents=0)

    assert result.status == ChargeResult.REQUIRES_ACTION
    pledge.refresh_from_db()
    context = gateway.completion_context(pledge)
    assert context["payment_intent_id"] == result.payment_intent_id == pledge.payment_intent_id
    assert context["client_secret"].startswith(result.payment_intent_id)
    assert context["publishable_key"] == "pk_test_coupdepouce"
    # What Stripe.js does in the backer's browser; localstripe's own endpoint.
    localstripe_post(
        localstripe,
        f"/v1/payment_intents/{pledge.payment_intent_id}/_authenticate",
        {"client_secret": context["client_secret"], "success": "true"},
    )
    assert gateway.client.v1.payment_intents.retrieve(pledge.payment_intent_id).status == "succeeded"
    # A later run of the close reports the success without charging again.
    again = gateway.charge_saved_card(pledge, attempt=1, application_fee_cents=0)
    assert again == ChargeResult(ChargeResult.SUCCEEDED, pledge.payment_intent_id)


def test_charging_again_after_a_crash_charges_nobody_twice(gateway, make_stripe_pledge):
    """The close crashed after charging: the re-run charges the same pledge again."""
    pledge = save_card(gateway, make_stripe_pledge(amount_cents=1500))

    first = gateway.charge_saved_card(pledge, attempt=1, application_fee_cents=0)
    second = gateway.charge_saved_card(pledge, attempt=1, application_fee_cents=0)
    third = gateway.charge_saved_card(pledge, attempt=2, application_fee_cents=0)

    assert first.status == second.status == third.status == ChargeResult.SUCCEEDED
    assert first.payment_intent_id == second.payment_intent_id == third.payment_intent_id
    intents = gateway.client.v1.payment_intents.list(params={"limit": 100})
    mine = [pi for pi in intents.data if pi.metadata["token"] == str(pledge.token)]
    assert [pi.status for pi in mine] == ["succeeded"]
    charges = gateway.client.v1.charges.list(params={"customer": pledge.customer_id, "limit": 100})
    assert len([c for c in charges.data if c.status == "succeeded"]) == 1


def test_a_crash_between_creating_and_confirming_confirms_the_stored_intent(gateway, make_stripe_pledge):
    """Crash after the PaymentIntent was created and stored, before it was confirmed."""
    pledge = save_card(gateway, make_stripe_pledge(amount_cents=1800))
    original_confirm = gateway.client.v1.payment_intents.confirm

    def crash(*args, **kwargs):
        raise RuntimeError("worker killed")

    gateway.client.v1.payment_intents.confirm = crash
    with pytest.raises(RuntimeError):
        gateway.charge_saved_card(pledge, attempt=1, application_fee_cents=0)
    gateway.client.v1.payment_intents.confirm = original_confirm
    pledge.refresh_from_db()
    stored = pledge.payment_intent_id
    assert gateway.client.v1.payment_intents.retrieve(stored).status == "requires_confirmation"

    result = gateway.charge_saved_card(pledge, attempt=1, application_fee_cents=0)

    assert result == ChargeResult(ChargeResult.SUCCEEDED, stored)
    intents = gateway.client.v1.payment_intents.list(params={"limit": 100})
    assert len([pi for pi in intents.data if pi.metadata["token"] == str(pledge.token)]) == 1


def test_a_declined_charge_is_not_retried_blindly_on_re_run(gateway, make_stripe_pledge):
    pledge = save_card(gateway, make_stripe_pledge(), "pm_card_chargeCustomerFail")
    first = gateway.charge_saved_card(pledge, attempt=1, application_fee_cents=0)
    second = gateway.charge_saved_card(pledge, attempt=1, application_fee_cents=0)
    assert first.status == second.status == ChargeResult.DECLINED
    assert first.payment_intent_id == second.payment_intent_id


def test_refund_returns_the_money(gateway, make_stripe_pledge):
    pledge = save_card(gateway, make_stripe_pledge(amount_cents=3000))
    charged = gateway.charge_saved_card(pledge, attempt=1, application_fee_cents=0)
    pledge.refresh_from_db()

    refund = gateway.refund(pledge)

    assert refund.status == "succeeded" and refund.amount == 3000
    intent = gateway.client.v1.payment_intents.retrieve(charged.payment_intent_id)
    charge = gateway.client.v1.charges.retrieve(object_id(intent.latest_charge))
    assert charge.refunded is True and charge.amount_refunded == 3000


def test_keep_it_all_payment_refund_without_destination(gateway, make_stripe_pledge):
    """A keep-it-all payment (made here by a PaymentIntent, as Checkout would) is refunded."""
    pledge = save_card(gateway, make_stripe_pledge(amount_cents=1200, funding_model="keep_it_all"))
    gateway.charge_saved_card(pledge, attempt=1, application_fee_cents=0)
    pledge.refresh_from_db()
    assert gateway.refund(pledge).amount == 1200


def test_release_card_detaches_it_and_is_safe_to_repeat(gateway, make_stripe_pledge):
    pledge = save_card(gateway, make_stripe_pledge())

    gateway.release_card(pledge)
    gateway.release_card(pledge)

    cards = gateway.client.v1.payment_methods.list(params={"customer": pledge.customer_id, "type": "card"})
    assert pledge.payment_method_id not in {card.id for card in cards.data}
    assert gateway.client.v1.payment_methods.retrieve(pledge.payment_method_id).customer is None
