from django.apps import AppConfig


class ThemesConfig(AppConfig):
    name = "themes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from themes import signals

        signals.connect()
