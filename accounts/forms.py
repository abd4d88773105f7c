"""Wagtail admin user forms for the email-login user model: a full name instead of first and last names."""

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
