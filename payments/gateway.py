"""The gateway interface every payment provider implements, and which one new pledges use.

Providers: `payments.demo_gateway` (offline, clearly labelled demonstration) and
`payments.stripe_gateway`; `payments.providers.get_gateway(name)` picks one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


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


def provider_name() -> str:
    """The provider new pledges use: `stripe` when STRIPE_SECRET_KEY is set, otherwise `demo`."""
    return "stripe" if getattr(settings, "STRIPE_SECRET_KEY", "") else "demo"
