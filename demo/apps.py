from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo site (Ville de Beaupré-sur-Loire): `manage.py load_demo_data`. No other app imports it."""

    name = "demo"
    default_auto_field = "django.db.models.BigAutoField"
