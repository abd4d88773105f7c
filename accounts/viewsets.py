"""Wagtail's user admin, with the forms of the email-login user model."""

from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from accounts.forms import AccountCreationForm, AccountEditForm


class UserViewSet(WagtailUserViewSet):
    def get_form_class(self, for_update=False):
        return AccountEditForm if for_update else AccountCreationForm
