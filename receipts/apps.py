from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceiptsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "receipts"
    verbose_name = _("Tax receipts")

    def ready(self):
        # A pledge that becomes paid, changes amount or is refunded issues, amends or cancels
        # its receipt (receipts.services.sync_pledge), in the same transaction.
        from receipts import signals  # noqa: F401
