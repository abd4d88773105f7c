"""The "Je peux aider" form: a citizen offers help to one of a campaign's in-kind needs.

The form checks what was typed, and the quantity against the chosen need
(`services.quantity_error`, the rule `make_offer` applies again); the campaign's state and the
need's belonging to it are `services.make_offer`'s, whose `OfferError` the view maps back onto
these fields (`add_offer_error`). A honeypot field, hidden from people and assistive
technologies, catches the robots that fill in every field.
"""

import re

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coupdepouce.forms import ErrorSummaryMixin
from offers import services
from payments.forms import AMOUNT_CHARACTERS
from payments.services import PledgeError, parse_amount_cents

PHONE = re.compile(r"\+?[\d\s().\-\u00a0]{6,40}")
HONEYPOT = "website"


def progress_text(need) -> str:
    """ "Already found: 3 of 5" for a need annotated with `accepted_quantity`."""
    values = {"accepted": need.accepted_quantity, "quantity": need.quantity}
    if need.accepted_quantity >= need.quantity:
        return gettext("Need met: %(accepted)s of %(quantity)s") % values
    return gettext("Already found: %(accepted)s of %(quantity)s") % values


def need_label(need) -> str:
    """What the need's choice says: its kind, its description and its progress."""
    return gettext("%(kind)s: %(description)s (%(progress)s)") % {
        "kind": need.get_kind_display(),
        "description": need.description,
        "progress": progress_text(need),
    }


class OfferForm(ErrorSummaryMixin, forms.Form):
    need = forms.ChoiceField(label=_("The need you can help with"))
    offer = forms.CharField(
        label=_("What I offer"),
        help_text=_("For example: two afternoons of work on the site, a trailer to lend, advice on accounting."),
        max_length=2000,
        widget=forms.Textarea({"rows": 4}),
    )
    availability = forms.CharField(
        label=_("When"),
        help_text=_("Your availability: days, dates or times."),
        max_length=255,
    )
    quantity = forms.IntegerField(
        label=_("Quantity"),
        help_text=_("How much of what the need asks for you offer: people, items, days…"),
        min_value=1,
        widget=forms.NumberInput({"inputmode": "numeric", "min": "1", "size": "4"}),
    )
    name = forms.CharField(label=_("Your name"), max_length=150, widget=forms.TextInput({"autocomplete": "name"}))
    email = forms.EmailField(label=_("Your email"), widget=forms.EmailInput({"autocomplete": "email"}))
    phone = forms.CharField(
        label=_("Your phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput({"autocomplete": "tel", "inputmode": "tel"}),
    )
    consent = forms.BooleanField(
        label=_("I agree to be contacted by the project holders about this offer."),
        help_text=_(
            "Your name, email, phone and offer go to the project holders and the platform's team only, so "
            "that they can answer you. They are never shown on the site."
        ),
    )
    # The honeypot: rendered by hand in a block hidden from everyone (offers/offer_form.html).
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args, needs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.needs = {str(need.translation_key): need for need in needs}
        self.fields["need"].choices = [("", gettext("Choose a need"))] + [
            (key, need_label(need)) for key, need in self.needs.items()
        ]
        messages = {
            "need": {
                "required": _("Choose the need you can help with."),
                "invalid_choice": _("Choose one of this campaign's needs."),
            },
            "offer": {"required": _("Say what you offer.")},
            "availability": {"required": _("Say when you are available.")},
            "quantity": {
                "required": _("Enter a quantity, for example 1."),
                "invalid": _("Enter the quantity as a whole number, for example 1 or 2."),
                "min_value": _("The quantity must be at least 1."),
            },
            "name": {"required": _("Enter your name.")},
            "email": {
                "required": _("Enter your email address."),
                "invalid": _("Enter a valid email address, for example name@example.org."),
            },
            "consent": {"required": _("Tick this box: the project holders need to contact you.")},
        }
        for name, errors in messages.items():
            self.fields[name].error_messages.update(errors)
        for name in ("offer", "availability", "name", "phone"):
            self.fields[name].error_messages["max_length"] = _(
                "Keep it to %(limit_value)d characters at most (it has %(show_value)d)."
            )

    def clean_phone(self):
        phone = (self.cleaned_data.get("phone") or "").strip()
        if phone and not PHONE.fullmatch(phone):
            raise forms.ValidationError(_("Enter a phone number, for example 06 12 34 56 78."), code="invalid")
        return phone

    def clean(self):
        cleaned = super().clean()
        if (self.data.get(HONEYPOT) or "").strip():
            raise forms.ValidationError(
                _("Your offer could not be sent. Please check the form and send it again."), code="honeypot"
            )
        need = self.needs.get(cleaned.get("need") or "")
        quantity = cleaned.get("quantity")
        if need is not None and quantity is not None:
            message = services.quantity_error(need, quantity)
            if message:
                self.add_error("quantity", forms.ValidationError(message, code="quantity"))
        return cleaned

    def offer_kwargs(self) -> dict:
        """The keyword arguments of `services.make_offer` (without the campaign, language and user)."""
        data = self.cleaned_data
        return {
            "need_key": data["need"],
            "name": data["name"].strip(),
            "email": data["email"],
            "phone": data["phone"],
            "offer": data["offer"].strip(),
            "availability": data["availability"].strip(),
            "quantity": data["quantity"],
        }

    def add_offer_error(self, error: services.OfferError) -> None:
        field = error.field if error.field in self.fields else None
        self.add_error(field, forms.ValidationError(error.message, code=error.code or "invalid"))


class AnswerForm(forms.Form):
    """The holder's or staff's answer to an offer (the admin and the holder's workspace):
    accept or decline, a message to the offerer and, when accepting, an estimated value in euros."""

    ACCEPT = "accept"
    DECLINE = "decline"

    decision = forms.ChoiceField(
        label=_("Answer"),
        choices=[(ACCEPT, _("Accept the offer")), (DECLINE, _("Decline the offer"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose to accept or to decline the offer.")},
    )
    response = forms.CharField(
        label=_("Message to the person who offered help"),
        help_text=_("Sent by email with the answer."),
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 4}),
    )
    estimated_value = forms.CharField(
        label=_("Estimated value (€)"),
        help_text=_(
            "Optional, when accepting: what the help is worth, for example 150 or 150,50. The money report "
            "shows it apart from the money raised."
        ),
        required=False,
        max_length=20,
        widget=forms.TextInput({"inputmode": "decimal", "autocomplete": "off", "size": "8"}),
    )

    def clean_estimated_value(self):
        raw = (self.cleaned_data.get("estimated_value") or "").strip()
        if not raw:
            return None
        if not AMOUNT_CHARACTERS.fullmatch(raw):
            raise forms.ValidationError(_("Enter an amount in euros, for example 150 or 150,50."), code="invalid")
        try:
            return parse_amount_cents(raw)
        except PledgeError:
            raise forms.ValidationError(
                _("Enter an amount in euros, for example 150 or 150,50."), code="invalid"
            ) from None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.DECLINE and cleaned.get("estimated_value") is not None:
            self.add_error("estimated_value", _("An estimated value is only recorded for an accepted offer."))
        return cleaned

    def apply(self, offer, *, by):
        """Accept or decline `offer` through the services (emails the offerer). Raises OfferError."""
        data = self.cleaned_data
        if data["decision"] == self.ACCEPT:
            return services.accept(
                offer, by=by, response=data["response"], estimated_value_cents=data["estimated_value"]
            )
        return services.decline(offer, by=by, response=data["response"])
