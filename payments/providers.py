"""Pick a payment provider by name: the one recorded on a pledge, or the site's default for a new one.

Money already promised is always settled by the provider it was made with (`gateway_for`),
never by whatever the site uses today: a provider that is not configured here raises
`ProviderUnavailable` instead of being replaced by another one.
"""

from payments.demo_gateway import DemoGateway
from payments.gateway import Gateway, ProviderUnavailable, demo_allowed, provider_name, stripe_configured
from payments.stripe_gateway import StripeGateway

PROVIDERS = ("demo", "stripe")


def get_gateway(name: str | None = None) -> Gateway:
    """The gateway of provider `name` (the site's default for new pledges when None).

    Raises ProviderUnavailable for `stripe` without STRIPE_SECRET_KEY, for `demo` when demo
    payments are not allowed (PAYMENTS_DEMO_MODE off) and for an unknown name.
    """
    name = name or provider_name()
    if name == "stripe":
        if not stripe_configured():
            raise ProviderUnavailable("stripe: STRIPE_SECRET_KEY is not set")
        return StripeGateway()
    if name == "demo":
        if not demo_allowed():
            raise ProviderUnavailable("demo: demo payments are not allowed here (PAYMENTS_DEMO_MODE is off)")
        return DemoGateway()
    raise ProviderUnavailable(f"{name}: unknown payment provider")


def provider_of(pledge) -> str:
    """The provider a pledge was made with. Pledges recorded without one (demo data, tests' rows)
    never went through a real provider: they are demo pledges, settled only where demo payments
    are allowed."""
    return pledge.provider or "demo"


def gateway_for(pledge) -> Gateway:
    """The gateway of the pledge's own provider (ProviderUnavailable when it is not configured here)."""
    return get_gateway(provider_of(pledge))


__all__ = ["PROVIDERS", "gateway_for", "get_gateway", "provider_of"]
