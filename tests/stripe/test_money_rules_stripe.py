"""Stripe Checkout asks the one money rule for the commission and the payout account.

Each rule is replaced by a sentinel: if Checkout computed the figure with a copy of the rule,
it would not see the sentinel and the test would fail.
"""

from payments import rules
from payments.models import PayoutAccount
from payments.stripe_gateway import StripeGateway


def _checkout_session(recorded):
    recorded.add("POST", "/v1/customers", {"id": "cus_1", "object": "customer"})
    recorded.add(
        "POST",
        "/v1/checkout/sessions",
        {"id": "cs_1", "object": "checkout.session", "url": "https://checkout.stripe.test/cs_1"},
    )


def test_keep_it_all_checkout_uses_the_commission_rule(recorded, make_stripe_pledge, stripe_campaign, monkeypatch):
    _checkout_session(recorded)
    PayoutAccount.objects.create(
        campaign_key=stripe_campaign.translation_key, stripe_account_id="acct_holder", charges_enabled=True
    )
    monkeypatch.setattr(rules, "commission_cents", lambda amount_cents, rate: 4242)
    pledge = make_stripe_pledge(amount_cents=5050, funding_model="keep_it_all")

    StripeGateway().start_checkout(pledge, success_url="https://site.test/r/", cancel_url="https://site.test/c/")

    (sent,) = recorded.find("POST", "/v1/checkout/sessions")
    assert sent.params["payment_intent_data[application_fee_amount]"] == "4242"


def test_checkout_asks_the_payout_rule_for_the_destination(recorded, make_stripe_pledge, monkeypatch):
    _checkout_session(recorded)
    # No PayoutAccount row at all: only the rule can name this account.
    monkeypatch.setattr(rules, "payout_destination", lambda account: "acct_from_the_rule")
    pledge = make_stripe_pledge(amount_cents=5050, funding_model="keep_it_all")

    StripeGateway().start_checkout(pledge, success_url="https://site.test/r/", cancel_url="https://site.test/c/")

    (sent,) = recorded.find("POST", "/v1/checkout/sessions")
    assert sent.params["payment_intent_data[transfer_data][destination]"] == "acct_from_the_rule"


def test_an_account_that_cannot_take_charges_receives_nothing_at_checkout(
    recorded, make_stripe_pledge, stripe_campaign
):
    _checkout_session(recorded)
    PayoutAccount.objects.create(
        campaign_key=stripe_campaign.translation_key, stripe_account_id="acct_pending", charges_enabled=False
    )
    pledge = make_stripe_pledge(amount_cents=5050, funding_model="keep_it_all")

    StripeGateway().start_checkout(pledge, success_url="https://site.test/r/", cancel_url="https://site.test/c/")

    (sent,) = recorded.find("POST", "/v1/checkout/sessions")
    assert "payment_intent_data[transfer_data][destination]" not in sent.params
