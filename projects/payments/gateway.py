"""One gateway in front of the payment providers.

`stripe` when STRIPE_SECRET_KEY is set, otherwise `demo`: a local checkout page clearly
labelled as a demonstration, which simulates success, decline and authentication with
card numbers like Stripe's test cards, so the whole flow runs offline.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse


@dataclass
class ChargeResult:
    """Outcome of charging a saved card off-session."""

    status: str  # "succeeded", "requires_action" or "declined"
    payment_intent_id: str = ""
    message: str = ""

    SUCCEEDED = "succeeded"
    REQUIRES_ACTION = "requires_action"
    DECLINED = "declined"


class Gateway:
    name = ""

    def start_checkout(self, pledge, *, success_url: str, cancel_url: str) -> str:
        """Return the URL where the citizen enters their card for this pending pledge."""
        raise NotImplementedError

    def charge_saved_card(
        self, pledge, *, attempt: int, application_fee_cents: int, destination: str = ""
    ) -> ChargeResult:
        """Charge an all-or-nothing pledge's saved card. Safe to call again after a crash."""
        raise NotImplementedError

    def refund(self, pledge) -> None:
        raise NotImplementedError

    def release_card(self, pledge) -> None:
        """Forget the saved card of a pledge that will not be charged."""
        raise NotImplementedError


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
        return None

    def release_card(self, pledge):
        return None


def provider_name() -> str:
    return "stripe" if getattr(settings, "STRIPE_SECRET_KEY", "") else "demo"


def get_gateway(name: str | None = None) -> Gateway:
    name = name or provider_name()
    if name == "stripe":
        from projects.payments.stripe_gateway import StripeGateway

        return StripeGateway()
    return DemoGateway()
