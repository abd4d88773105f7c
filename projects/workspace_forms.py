"""Forms of the holders' "Mon projet" dashboard (`projects.workspace`).

Each pending offer, pending question and unanswered question has its own small form (a form
prefix per row keeps the ids unique on the page); the decision is the submit button pressed
(`name="decision"`), so everything works without JavaScript.
"""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from coupdepouce.forms import ErrorSummaryMixin
from offers.models import HelpOffer
from questions import services as question_services

# An estimated value above this is taken for a typing mistake (1 000 000 €).
MAX_ESTIMATED_VALUE_CENTS = 100_000_000
# Digits with an optional sign, one decimal separator and at most a few decimals; spaces,
# no-break spaces and "€" are removed first ("1 250,50 €").
AMOUNT_PATTERN = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
AMOUNT_NOISE = str.maketrans("", "", " \u00a0\u202f€")

RESPONSE_MAX_LENGTH = HelpOffer._meta.get_field("response").max_length


def euros_to_cents(raw: str) -> int | None:
    """A value typed in euros ("150", "150,50", "1 250 €") as integer cents, exactly (Decimal).

    None when empty; raises `forms.ValidationError` for anything else than an amount from 0 to
    `MAX_ESTIMATED_VALUE_CENTS` with at most two decimals.
    """
    text = (raw or "").translate(AMOUNT_NOISE)
    if not text:
        return None
    if not AMOUNT_PATTERN.fullmatch(text):
        raise forms.ValidationError(_("Enter an amount in euros, for example 150 or 150,50."), code="invalid")
    try:
        cents = Decimal(text.replace(",", ".")) * 100
    except InvalidOperation:  # pragma: no cover — the pattern lets only plain decimals through
        raise forms.ValidationError(_("Enter an amount in euros, for example 150 or 150,50."), code="invalid") from None
    if cents < 0:
        raise forms.ValidationError(_("The estimated value cannot be negative."), code="negative")
    if cents != cents.to_integral_value():
        raise forms.ValidationError(_("Amounts have at most two decimals."), code="decimals")
    if cents > MAX_ESTIMATED_VALUE_CENTS:
        raise forms.ValidationError(
            _("The estimated value cannot be more than 1,000,000 €: check the amount."), code="too_large"
        )
    return int(cents)


class DecisionForm(ErrorSummaryMixin, forms.Form):
    """A form whose `decision` comes from the submit button pressed."""

    decision_choices = ()
    decision_required_message = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = forms.ChoiceField(
            choices=self.decision_choices,
            widget=forms.HiddenInput,
            error_messages={
                "required": self.decision_required_message,
                "invalid_choice": self.decision_required_message,
            },
        )
        self.fields = {"decision": field, **self.fields}

    def anchor_for(self, name):
        # The decision is a button: its error points at the form's first button.
        if name == "decision":
            return f"{self.prefix}-{self.decision_choices[0][0]}" if self.prefix else self.decision_choices[0][0]
        return super().anchor_for(name)

    def button_id(self, value):
        return f"{self.prefix}-{value}" if self.prefix else value


class OfferAnswerForm(DecisionForm):
    """Accept or decline an offer of help, with a message and, when accepting, an estimated value."""

    ACCEPT = "accept"
    DECLINE = "decline"
    decision_choices = ((ACCEPT, _("Accept")), (DECLINE, _("Decline")))
    decision_required_message = _("Choose to accept or to decline the offer.")

    response = forms.CharField(
        label=_("Message to the person who offered help"),
        help_text=_("Sent by email with your answer."),
        required=False,
        max_length=RESPONSE_MAX_LENGTH,
        widget=forms.Textarea({"rows": 3}),
    )
    estimated_value = forms.CharField(
        label=_("Estimated value in euros, if you accept"),
        help_text=_("What this help is worth, for example 150 or 150,50. Shown apart from the money raised."),
        required=False,
        max_length=20,
        widget=forms.TextInput({"inputmode": "decimal", "autocomplete": "off", "size": "10"}),
    )

    def clean_estimated_value(self):
        return euros_to_cents(self.cleaned_data.get("estimated_value"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.DECLINE and cleaned.get("estimated_value") is not None:
            self.add_error("estimated_value", _("An estimated value is only recorded for an accepted offer."))
        return cleaned


class QuestionModerationForm(DecisionForm):
    """Publish a pending question on the campaign page, or reject it."""

    PUBLISH = "publish"
    REJECT = "reject"
    decision_choices = ((PUBLISH, _("Publish")), (REJECT, _("Reject")))
    decision_required_message = _("Choose to publish or to reject the question.")


class QuestionAnswerForm(ErrorSummaryMixin, forms.Form):
    """Answer a question (answering publishes it)."""

    answer = forms.CharField(
        label=_("Your answer"),
        help_text=_("Published under the question; its author is told by email."),
        max_length=question_services.ANSWER_MAX_LENGTH,
        widget=forms.Textarea({"rows": 4}),
        error_messages={"required": _("Write an answer.")},
    )
