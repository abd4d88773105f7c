from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HoldersConfig(AppConfig):
    """Project holders (porteurs de projet): which accounts run which campaign, and their rights."""

    name = "holders"
    verbose_name = _("Project holders")
    default_auto_field = "django.db.models.BigAutoField"
