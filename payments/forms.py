"""Citizen-facing payment forms: the pledge form and the demo card form.

The forms only check the shape of what was typed; the rules (minimum of a reward, stock,
cap, campaign dates…) live in `services.create_pledge`, whose `PledgeError` the view maps
back onto these fields with `PledgeForm.add_pledge_error`.
"""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from coupdepouce.forms import ErrorSummaryMixin
from payments.services import (
    RECEIPT_ADDRESS_FIELDS,
    PledgeError,
    PledgeRequest,
    parse_amount_cents,
    receipt_address_errors,
)

AMOUNT_CHARACTERS = re.compile(r"[-+]?[\d\s\u202f\u00a0.,]*\s*€?\s*")
FRENCH_POSTAL_CODE = re.compile(r"^\d{5}$")
# The receipt's fields, only on a campaign that offers tax receipts.
RECEIPT_FIELDS = ("wants_receipt", *RECEIPT_ADDRESS_FIELDS)


class PledgeForm(ErrorSummaryMixin, forms.Form):
    # The receipt's fields follow "About you" on the page (and in the error summary).
    field_order = ["reward", "amount", "backer_name", "backer_email", *RECEIPT_FIELDS]

    # Radios are rendered by hand in the template (stock and sold-out state per tier);
    # the value is a reward id or "" for a free amount, checked by the service.
    reward = forms.CharField(label=_("Reward"), required=False)
    amount = forms.CharField(
        label=_("Amount (€)"),
        help_text=_("In euros, for example 25 or 25,50."),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": "8"}),
    )
    backer_name = forms.CharField(
        label=_("Your name"), max_length=150, widget=forms.TextInput({"autocomplete": "name"})
    )
    backer_email = forms.EmailField(label=_("Your email"), widget=forms.EmailInput({"autocomplete": "email"}))
    public_name = forms.CharField(
        label=_("Name shown publicly"), help_text=_("Empty: your name is used."), max_length=150, required=False
    )
    anonymous = forms.BooleanField(label=_("Support anonymously"), required=False)
    show_amount = forms.BooleanField(label=_("Show my amount on the campaign page"), required=False)
    message = forms.CharField(
        label=_("Message to the project"),
        max_length=1000,
        required=False,
        widget=forms.Textarea({"rows": 3}),
    )
    # Tax receipt: required only when the box is ticked (`clean`); removed where none is offered.
    wants_receipt = forms.BooleanField(label=_("I want a tax receipt"), required=False, initial=True)
    donor_street = forms.CharField(
        label=_("Street address"),
        max_length=200,
        required=False,
        widget=forms.TextInput({"autocomplete": "street-address"}),
    )
    donor_postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=10,
        required=False,
        widget=forms.TextInput({"autocomplete": "postal-code", "size": "8"}),
    )
    donor_city = forms.CharField(
        label=_("Town or city"),
        max_length=100,
        required=False,
        widget=forms.TextInput({"autocomplete": "address-level2"}),
    )
    donor_country = forms.CharField(
        label=_("Country"),
        max_length=100,
        required=False,
        initial=_("France"),
        widget=forms.TextInput({"autocomplete": "country-name"}),
    )
    consent = forms.BooleanField(
        error_messages={"required": _("Tick this box to accept how and when you will be charged.")},
    )

    def __init__(self, *args, campaign=None, offers_receipts=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.offers_receipts = offers_receipts
        if offers_receipts:
            # The receipt states the donor's full name.
            self.fields["backer_name"].label = _("Your first and last name")
        else:
            for name in RECEIPT_FIELDS:
                del self.fields[name]
        self.fields["backer_name"].error_messages["required"] = _("Enter your name.")
        self.fields["backer_email"].error_messages["required"] = _("Enter your email address.")
        self.fields["backer_email"].error_messages["invalid"] = _(
            "Enter a valid email address, for example name@example.org."
        )
        self.fields["amount"].error_messages["required"] = _("Enter an amount in euros, for example 25 or 25,50.")

    def clean_reward(self):
        value = (self.cleaned_data.get("reward") or "").strip()
        if not value:
            return None
        if not value.isdigit():
            raise forms.ValidationError(_("Choose a reward of this campaign."))
        return int(value)

    def clean_amount(self):
        raw = self.cleaned_data.get("amount") or ""
        # Only digits, separators, a sign and the euro sign: never "1e5", "inf" or "nan",
        # which Decimal (behind parse_amount_cents) would read as numbers.
        if not AMOUNT_CHARACTERS.fullmatch(raw):
            raise forms.ValidationError(_("Enter an amount in euros, for example 25 or 25,50."), code="invalid")
        try:
            return parse_amount_cents(raw)
        except PledgeError as error:
            raise forms.ValidationError(error.message, code=error.code) from None

    @property
    def receipt_requested(self) -> bool:
        """Whether the receipt box is ticked (as posted, or its default on a new form)."""
        if not self.offers_receipts:
            return False
        if self.is_bound:
            return self["wants_receipt"].data
        return bool(self["wants_receipt"].initial)

    def clean(self):
        cleaned = super().clean()
        if not (self.offers_receipts and cleaned.get("wants_receipt")):
            return cleaned
        for name, message in receipt_address_errors().items():
            cleaned[name] = (cleaned.get(name) or "").strip()
            if not cleaned[name] and name not in self.errors:
                self.add_error(name, forms.ValidationError(message, code="required"))
        country = cleaned.get("donor_country", "").casefold()
        postal_code = cleaned.get("donor_postal_code", "")
        if postal_code and country in ("france", "fr") and not FRENCH_POSTAL_CODE.match(postal_code):
            self.add_error(
                "donor_postal_code",
                forms.ValidationError(_("Enter a French postal code of five digits, for example 49990."), "invalid"),
            )
        return cleaned

    def receipt_fields(self) -> list:
        """The receipt's address fields, bound (for the template)."""
        return [self[name] for name in RECEIPT_ADDRESS_FIELDS] if self.offers_receipts else []

    def pledge_request(self, language: str) -> PledgeRequest:
        data = self.cleaned_data
        wants_receipt = bool(self.offers_receipts and data.get("wants_receipt"))
        address = {name: data.get(name, "") if wants_receipt else "" for name in RECEIPT_ADDRESS_FIELDS}
        return PledgeRequest(
            amount_cents=data["amount"],
            backer_name=data["backer_name"].strip(),
            backer_email=data["backer_email"],
            reward_id=data["reward"],
            public_name=data["public_name"].strip(),
            anonymous=data["anonymous"],
            show_amount=data["show_amount"],
            message=data["message"].strip(),
            language=language,
            wants_receipt=wants_receipt,
            **address,
        )

    def add_pledge_error(self, error: PledgeError) -> None:
        """Show a broken rule next to its field (or at the top when it has none)."""
        field = error.field if error.field in self.fields else None
        self.add_error(field, forms.ValidationError(error.message, code=error.code or "invalid"))

    def anchor_for(self, name):
        # The reward radios are rendered by hand; "No reward" comes first.
        if name == "reward":
            return "reward-none"
        return super().anchor_for(name)


class DemoCardForm(ErrorSummaryMixin, forms.Form):
    card_number = forms.CharField(
        label=_("Card number (demo)"),
        max_length=30,
        widget=forms.TextInput({"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Enter one of the demo card numbers listed below.")},
    )

    def clean_card_number(self):
        return "".join(ch for ch in self.cleaned_data["card_number"] if ch.isdigit())
