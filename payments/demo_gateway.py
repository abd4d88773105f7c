"""The demo provider: a local checkout page clearly labelled as a demonstration, which
simulates success, decline and authentication with card numbers like Stripe's test cards,
so the whole flow runs offline. No money moves."""

from __future__ import annotations

from django.urls import reverse

from payments.gateway import ChargeResult, Gateway

# Demo cards, after Stripe's test cards.
DEMO_SUCCESS = "4242424242424242"
DEMO_DECLINED = "4000000000000002"
DEMO_AUTHENTICATION = "4000002500003155"
DEMO_FAILS_AT_CHARGE = "4000000000000341"  # saved fine, declined when charged at the close
DEMO_CARDS = {
    DEMO_SUCCESS: "success",
    DEMO_DECLINED: "declined",
    DEMO_AUTHENTICATION: "authentication",
    DEMO_FAILS_AT_CHARGE: "fails_at_charge",
}


def demo_card_behaviour(number: str) -> str | None:
    return DEMO_CARDS.get("".join(ch for ch in str(number) if ch.isdigit()))


class DemoGateway(Gateway):
    """Offline provider: no money moves. Saved "cards" are the demo card numbers."""

    name = "demo"

    def start_checkout(self, pledge, *, success_url, cancel_url):
        return reverse("payments:demo_checkout", kwargs={"token": pledge.token})

    def charge_saved_card(self, pledge, *, attempt, application_fee_cents, destination=""):
        intent = pledge.payment_intent_id or f"demo_pi_{pledge.pk}"
        if pledge.payment_method_id == f"demo_pm_{DEMO_FAILS_AT_CHARGE}" and attempt <= 1:
            return ChargeResult(ChargeResult.REQUIRES_ACTION, intent, "authentication_required")
        return ChargeResult(ChargeResult.SUCCEEDED, intent)

    def refund(self, pledge):
        """No money moves: the "refund" is an id, the same on every retry."""
        return f"demo_re_{pledge.pk}"

    def release_card(self, pledge):
        return None
