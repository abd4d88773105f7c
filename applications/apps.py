from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    """Applications to calls for projects (candidatures), their jury and their promotion to campaigns."""

    name = "applications"
    verbose_name = _("Applications")
    default_auto_field = "django.db.models.BigAutoField"
