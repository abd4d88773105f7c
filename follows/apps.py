from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowsConfig(AppConfig):
    """Following a campaign by email (double opt-in), launch alerts, update emails, unsubscribe."""

    name = "follows"
    verbose_name = _("Followers")
    default_auto_field = "django.db.models.BigAutoField"
