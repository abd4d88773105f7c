"""System checks of the payment configuration, run by `manage.py check --deploy`.

- payments.E001: DEBUG off and neither STRIPE_SECRET_KEY nor PAYMENTS_DEMO_MODE: the site has
  no payment provider (the pledge form answers 503). Demo payments must be chosen explicitly.
- payments.E002: STRIPE_SECRET_KEY without STRIPE_WEBHOOK_SECRET: Stripe's events would all be
  refused, so no pledge would ever be confirmed.
- payments.W001: PAYMENTS_DEMO_MODE on with DEBUG off: demo payments, no money moves.
"""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.checks import Warning as CheckWarning


@register(Tags.security, "payments", deploy=True)
def check_payment_provider(app_configs=None, **kwargs):
    stripe_key = getattr(settings, "STRIPE_SECRET_KEY", "")
    demo = getattr(settings, "PAYMENTS_DEMO_MODE", False)
    messages = []
    if not settings.DEBUG and not stripe_key and not demo:
        messages.append(
            Error(
                "No payment provider: STRIPE_SECRET_KEY is empty and PAYMENTS_DEMO_MODE is off.",
                hint="Set STRIPE_SECRET_KEY (and STRIPE_WEBHOOK_SECRET), or PAYMENTS_DEMO_MODE=1 to take "
                "demo payments on purpose.",
                id="payments.E001",
            )
        )
    if stripe_key and not getattr(settings, "STRIPE_WEBHOOK_SECRET", ""):
        messages.append(
            Error(
                "STRIPE_SECRET_KEY is set but STRIPE_WEBHOOK_SECRET is empty: every Stripe event would be refused.",
                hint="Put the signing secret (whsec_…) of the /webhooks/stripe/ endpoint in STRIPE_WEBHOOK_SECRET.",
                id="payments.E002",
            )
        )
    if demo and not settings.DEBUG:
        messages.append(
            CheckWarning(
                "PAYMENTS_DEMO_MODE is on with DEBUG off: demo payments: no money moves.",
                hint="Unset PAYMENTS_DEMO_MODE on a site that takes real pledges.",
                id="payments.W001",
            )
        )
    return messages
