"""The public "yearly summary of my tax receipts" form: an email address, a year, and a
honeypot field that people never see (bots that fill every field give themselves away)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coupdepouce.forms import ErrorSummaryMixin

# Receipts are kept six years at least (LPF art. L. 102 E): the form offers the current
# year and the six before.
YEARS_OFFERED = 7


def offered_years(today=None) -> list[int]:
    today = today or timezone.localdate()
    return [today.year - offset for offset in range(YEARS_OFFERED)]


def default_year(today=None) -> int:
    """Until June, last year's (income tax is declared in spring), then this year's."""
    today = today or timezone.localdate()
    return today.year - 1 if today.month <= 6 else today.year


class SummaryForm(ErrorSummaryMixin, forms.Form):
    email = forms.EmailField(
        label=_("Your email"),
        max_length=254,
        help_text=_("The address you gave with your gifts: the summary is sent there, never shown on this page."),
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter a valid email address, for example name@example.org."),
        },
        widget=forms.EmailInput({"autocomplete": "email"}),
    )
    year = forms.TypedChoiceField(
        label=_("Year"),
        coerce=int,
        help_text=_("The year you paid your gifts in (for your income tax return, the year of the income)."),
        error_messages={
            "required": _("Choose a year."),
            "invalid_choice": _("Choose a year in the list."),
        },
    )
    # The honeypot: rendered inside an element hidden from everyone, assistive tech included
    # (the `hidden` attribute), out of the tab order; a person leaves it empty.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput({"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in offered_years(today)]
        self.fields["year"].initial = default_year(today)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise forms.ValidationError(_("Your request could not be sent. Please try again."), code="honeypot")
        return cleaned
