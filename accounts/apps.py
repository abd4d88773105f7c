from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    """The custom user model (`accounts.User`): the email address is the login."""

    name = "accounts"
    verbose_name = _("Accounts")
    default_auto_field = "django.db.models.BigAutoField"


class UsersAppConfig(WagtailUsersAppConfig):
    """Wagtail's user admin, pointed at our forms (see `accounts.viewsets`)."""

    user_viewset = "accounts.viewsets.UserViewSet"
