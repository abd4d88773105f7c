from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OffersConfig(AppConfig):
    """Help in kind ("Je peux aider"): citizens' offers to a campaign's in-kind needs."""

    name = "offers"
    verbose_name = _("Help in kind")
    default_auto_field = "django.db.models.BigAutoField"
