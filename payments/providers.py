"""Pick a payment provider by name (the one recorded on a pledge, or the site's default)."""

from payments.demo_gateway import DemoGateway
from payments.gateway import Gateway, provider_name
from payments.stripe_gateway import StripeGateway


def get_gateway(name: str | None = None) -> Gateway:
    name = name or provider_name()
    if name == "stripe":
        return StripeGateway()
    return DemoGateway()
