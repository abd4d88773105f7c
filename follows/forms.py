"""The "Suivre ce projet" / "Prévenez-moi du lancement" form: an email address, and a
honeypot field that people never see (bots that fill every field give themselves away)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from coupdepouce.forms import ErrorSummaryMixin


class FollowForm(ErrorSummaryMixin, forms.Form):
    email = forms.EmailField(
        label=_("Your email"),
        max_length=254,
        help_text=_(
            "We will email you a link to confirm. Then you will receive this project's news (its updates, "
            "and its launch when it has not started yet); each email has a one-click unsubscribe link."
        ),
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter a valid email address, for example name@example.org."),
        },
        widget=forms.EmailInput({"autocomplete": "email"}),
    )
    # The honeypot: rendered inside an element hidden from everyone, assistive tech included
    # (the `hidden` attribute), out of the tab order; a person leaves it empty.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput({"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        # Its own ids: the campaign page shows this form next to others.
        kwargs.setdefault("auto_id", "follow-%s")
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise forms.ValidationError(
                _("Your request could not be sent. Please try again."), code="honeypot"
            )
        return cleaned
