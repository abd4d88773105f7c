"""Tax receipts (reçus fiscaux, CERFA 11580*05): who issues them, their numbers and their register.

- `Beneficiary`: the organisation a gift goes to (the collectivité or an eligible holder
  organisation), with what the receipt must state about it and whether the site issues
  receipts on its behalf;
- `ReceiptCounter`: the last number given per beneficiary and year (locked while numbering);
- `Receipt`: one receipt, a snapshot of what it states (the donor's name and address as they
  were), never deleted; `ReceiptEvent`: everything that happened to it.

The rules (who gets one, numbering, cancel, amend, duplicate) are in `receipts.services`.
docs/receipts.md gives the legal sources.
"""

import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from coupdepouce.money import format_euros
from coupdepouce.storage import private_storage

SIREN_RE = re.compile(r"^\d{9}$")
RNA_RE = re.compile(r"^W\d{9}$")


def signature_path(instance, filename):
    return f"receipts/signatures/{uuid.uuid4().hex}"


def receipt_path(instance, filename):
    return f"receipts/{instance.beneficiary_id}/{instance.year}/{instance.display_number}-{uuid.uuid4().hex[:8]}.pdf"


def luhn_ok(digits: str) -> bool:
    """The SIREN's check digit (Luhn)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


class LegalGround(models.TextChoices):
    """Why gifts to a beneficiary give a tax reduction (CGI art. 200, as on CERFA 11580*05)."""

    PUBLIC_UTILITY = "public_utility", _("Association or foundation recognised as of public utility (CGI art. 200-1-a)")
    GENERAL_INTEREST = "general_interest", _("Work or organisation of general interest (CGI art. 200-1-b)")
    LOCAL_AUTHORITY = "local_authority", _(
        "Local authority, for a project of general interest within CGI art. 200-1-b"
    )
    ENDOWMENT_FUND = "endowment_fund", _("Endowment fund (CGI art. 200-1-g)")
    EDUCATION = "education", _("Higher or artistic education establishment (CGI art. 200-1-c)")


class Beneficiary(models.Model):
    """An organisation gifts go to, which issues the tax receipts (collectivité or association)."""

    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The site whose campaigns may name it. Empty: every site."),
    )
    legal_name = models.CharField(_("legal name"), max_length=200)
    street = models.CharField(_("street address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    siren = models.CharField(
        _("SIREN"), max_length=9, blank=True, help_text=_("Nine digits. A SIREN or an RNA number is required.")
    )
    rna = models.CharField(_("RNA number"), max_length=10, blank=True, help_text=_("W followed by nine digits."))
    purpose = models.TextField(_("purpose (objet)"), help_text=_("As stated on the receipt."))
    legal_ground = models.CharField(_("legal ground of eligibility"), max_length=30, choices=LegalGround.choices)
    legal_ground_details = models.CharField(
        _("ground, details"),
        max_length=255,
        blank=True,
        help_text=_("For example the date of a tax ruling (rescrit) or of the council's decision."),
    )
    signatory_name = models.CharField(_("signatory's name"), max_length=150)
    signatory_title = models.CharField(
        _("signatory's title"), max_length=150, help_text=_("For example: Maire, Président")
    )
    signature = models.FileField(
        _("scanned signature"),
        storage=private_storage,
        upload_to=signature_path,
        max_length=255,
        blank=True,
        help_text=_("PNG or JPEG, 1 MB at most. Kept in private storage, printed on receipts only."),
    )
    issues_receipts = models.BooleanField(
        _("the site issues receipts on its behalf"),
        default=False,
        help_text=_("Only then do its campaigns offer tax receipts."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("beneficiary organisation")
        verbose_name_plural = _("beneficiary organisations")
        ordering = ["legal_name"]

    def __str__(self):
        return self.legal_name

    def clean(self):
        super().clean()
        errors = {}
        self.siren = (self.siren or "").replace(" ", "")
        self.rna = (self.rna or "").replace(" ", "").upper()
        if self.siren and not (SIREN_RE.match(self.siren) and luhn_ok(self.siren)):
            errors["siren"] = _("Enter a valid SIREN: nine digits.")
        if self.rna and not RNA_RE.match(self.rna):
            errors["rna"] = _("Enter a valid RNA number: W followed by nine digits.")
        if not self.siren and not self.rna and "siren" not in errors:
            errors["siren"] = _("A receipt must state a SIREN or an RNA number.")
        if errors:
            raise ValidationError(errors)

    @property
    def identifier(self) -> str:
        """What the receipt states: "SIREN 123456789" and/or "RNA W123456789"."""
        parts = []
        if self.siren:
            parts.append(f"SIREN {self.siren}")
        if self.rna:
            parts.append(f"RNA {self.rna}")
        return " — ".join(parts)

    @property
    def address_lines(self) -> list[str]:
        return [self.street, f"{self.postal_code} {self.city}"]

    @property
    def can_issue(self) -> bool:
        """Whether receipts can be issued in its name now: mandate given and every statement known."""
        return bool(
            self.issues_receipts
            and self.legal_name
            and self.street
            and self.postal_code
            and self.city
            and (self.siren or self.rna)
            and self.purpose
            and self.legal_ground
            and self.signatory_name
            and self.signatory_title
        )


class ReceiptCounter(models.Model):
    """The last number given to a receipt of `beneficiary` in `year` (row-locked while numbering)."""

    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["beneficiary", "year"], name="receipt_counter_unique")]

    def __str__(self):
        return f"{self.beneficiary_id}/{self.year}: {self.last_number}"


class Receipt(models.Model):
    """One tax receipt: what it states, frozen at issue. Never deleted, numbers never reused."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued")
        CANCELLED = "cancelled", _("Cancelled")

    class PaymentMethod(models.TextChoices):
        CARD = "card", _("Bank card")
        CHEQUE = "cheque", _("Cheque")
        TRANSFER = "transfer", _("Transfer")
        CASH = "cash", _("Cash")

    beneficiary = models.ForeignKey(
        Beneficiary, verbose_name=_("beneficiary"), on_delete=models.PROTECT, related_name="receipts"
    )
    year = models.PositiveIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    pledge = models.ForeignKey(
        "payments.Pledge", verbose_name=_("pledge"), on_delete=models.PROTECT, related_name="receipts"
    )
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        help_text=_("The receipt this amended receipt replaces."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ISSUED)
    # What the receipt states, as it was at issue.
    donor_name = models.CharField(_("donor"), max_length=150)
    donor_street = models.CharField(_("street address"), max_length=200)
    donor_postal_code = models.CharField(_("postal code"), max_length=10)
    donor_city = models.CharField(_("city"), max_length=100)
    donor_country = models.CharField(_("country"), max_length=100, blank=True)
    donor_email = models.EmailField(_("email"), blank=True)
    amount_cents = models.PositiveIntegerField(_("amount (cents)"))
    paid_on = models.DateField(_("date of payment"))
    payment_method = models.CharField(_("payment method"), max_length=20, choices=PaymentMethod.choices)
    campaign_title = models.CharField(_("campaign"), max_length=255, blank=True)
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=255, blank=True)
    # The PDF as issued (private storage); duplicates are rendered again, marked "Duplicata".
    pdf = models.FileField(storage=private_storage, upload_to=receipt_path, max_length=255, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        verbose_name = _("tax receipt")
        verbose_name_plural = _("tax receipts")
        ordering = ["beneficiary", "-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["beneficiary", "year", "number"], name="receipt_number_unique"),
            models.CheckConstraint(condition=models.Q(amount_cents__gt=0), name="receipt_amount_positive"),
        ]
        indexes = [models.Index(fields=["pledge", "status"]), models.Index(fields=["donor_email", "year"])]
        permissions = [
            ("cancel_receipt", _("Can cancel a tax receipt")),
            ("reissue_receipt", _("Can reissue a tax receipt (duplicate)")),
        ]

    def __str__(self):
        return f"{self.display_number} — {self.amount_display}"

    @property
    def display_number(self) -> str:
        """The receipt's number as printed: year and order number, "2026-00042"."""
        return f"{self.year}-{self.number:05d}"

    @property
    def amount_display(self) -> str:
        return format_euros(self.amount_cents)

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def donor_address_lines(self) -> list[str]:
        lines = [self.donor_street, f"{self.donor_postal_code} {self.donor_city}"]
        if self.donor_country:
            lines.append(self.donor_country)
        return lines


class ReceiptEvent(models.Model):
    """Every thing that happened to a receipt: issued, emailed, duplicate, cancelled, amended."""

    class Action(models.TextChoices):
        ISSUED = "issued", _("Issued")
        EMAILED = "emailed", _("Emailed")
        DUPLICATE = "duplicate", _("Duplicate issued")
        CANCELLED = "cancelled", _("Cancelled")
        AMENDED = "amended", _("Replaced by an amended receipt")
        DOWNLOADED = "downloaded", _("Downloaded by the donor")

    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)
    actor = models.CharField(_("actor"), max_length=150, default="system")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("receipt event")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.receipt_id}: {self.action}"
