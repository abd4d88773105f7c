"""Wagtail admin user forms for the email-login user model: a full name instead of first and last names.

And the citizens' forms around django-allauth: the full name at sign-up, the closing of one's account.
"""

from allauth.account.adapter import get_adapter
from allauth.account.fields import PasswordField
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm

User = get_user_model()

FIELDS = ["email", "full_name", "is_superuser", "groups"]


class EmailUniqueIgnoringCaseMixin:
    """Refuse an address that only differs in case from another account's, with a clear message."""

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"])
        others = User.objects.filter(email__iexact=email)
        if self.instance.pk is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("An account with this email address already exists."), code="duplicate")
        return email


class AccountCreationForm(EmailUniqueIgnoringCaseMixin, UserCreationForm):
    first_name = None
    last_name = None
    full_name = forms.CharField(label=_("Full name"), max_length=150)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = FIELDS


class AccountEditForm(EmailUniqueIgnoringCaseMixin, UserEditForm):
    first_name = None
    last_name = None
    full_name = forms.CharField(label=_("Full name"), max_length=150)

    class Meta(UserEditForm.Meta):
        model = User
        fields = [*FIELDS, "is_active"]


class SignupForm(forms.Form):
    """Extra field of allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS): the full name."""

    full_name = forms.CharField(label=_("Full name"), max_length=150, widget=forms.TextInput({"autocomplete": "name"}))

    field_order = ["full_name", "email", "password1", "password2"]

    def signup(self, request, user):
        user.full_name = self.cleaned_data["full_name"].strip()
        user.save(update_fields=["full_name"])


class AccountDeletionForm(forms.Form):
    """Closing one's account, confirmed with the password.

    allauth checks the password (`reauthenticate`), so failed attempts count in its
    `login_failed` rate limit, as on the sign-in page.
    """

    password = PasswordField(label=_("Password"), autocomplete="current-password")

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not get_adapter().reauthenticate(self.user, password):
            raise forms.ValidationError(_("Incorrect password."), code="incorrect_password")
        return password


# allauth's own message has no French in allauth's catalog: listed here so ours carries it.
ALLAUTH_MESSAGES = [_("Too many failed login attempts. Try again later.")]
