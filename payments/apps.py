from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    """Pledges, payments and the ledger's figures. See `payments.interface` for what it needs
    from the campaign model and what page code may call."""

    name = "payments"
    verbose_name = _("Payments")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from payments import (
            checks,  # noqa: F401 — registers the payment configuration checks
            signals,
        )

        signals.connect()
