from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoupdepouceConfig(AppConfig):
    name = "coupdepouce"
    verbose_name = _("Coup de pouce")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from coupdepouce.editorial import on_post_migrate

        # Runs after every app has migrated, so all permissions exist.
        post_migrate.connect(on_post_migrate, dispatch_uid="coupdepouce_editorial")
