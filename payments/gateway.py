"""The gateway interface every payment provider implements, and which one new pledges use.

Providers: `payments.demo_gateway` (offline, clearly labelled demonstration) and
`payments.stripe_gateway`; `payments.providers.get_gateway(name)` picks one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


class ProviderUnavailable(Exception):
    """The provider a pledge was made with is not configured here (e.g. Stripe without its
    secret key): nothing may be settled through another one. Raised by `providers.get_gateway`."""


class GatewayError(Exception):
    """The provider could not be reached or refused a request (network, outage, bad request).
    Gateways wrap their library's errors in it, so callers need not know the provider."""


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

    def refund(self, pledge):
        """Refund a paid pledge in full; returns the provider's refund (an object with `.id`, or its id)."""
        raise NotImplementedError

    def release_card(self, pledge) -> None:
        """Forget the saved card of a pledge that will not be charged."""
        raise NotImplementedError


def stripe_configured() -> bool:
    """Whether Stripe can be used here (STRIPE_SECRET_KEY is set)."""
    return bool(getattr(settings, "STRIPE_SECRET_KEY", ""))


def demo_allowed() -> bool:
    """Whether demo payments (no money moves) are allowed here: `PAYMENTS_DEMO_MODE`, an explicit choice."""
    return bool(getattr(settings, "PAYMENTS_DEMO_MODE", False))


def provider_name() -> str:
    """The provider new pledges use: `stripe` when STRIPE_SECRET_KEY is set, else `demo` when
    PAYMENTS_DEMO_MODE is on. Neither: ProviderUnavailable (the pledge form answers 503)."""
    if stripe_configured():
        return "stripe"
    if demo_allowed():
        return "demo"
    raise ProviderUnavailable("no payment provider: set STRIPE_SECRET_KEY, or PAYMENTS_DEMO_MODE for demo payments")
