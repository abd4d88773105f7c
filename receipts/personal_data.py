"""The tax receipts' part of a person's data (hooks defined by `accounts.personal_data`).

A person's receipts are those whose donor address (`Receipt.donor_email`, as it was at issue)
or whose pledge's backer address is one of the addresses they proved to own
(`accounts.personal_data.verified_emails`).

- Export (`EXPORT_HOOK`): a `tax_receipts` section: why the receipts are kept, and each
  receipt issued to the person, cancelled ones included (number, beneficiary, amount, date
  of payment, status, the name and address it states).
- Erasure: none, on purpose. A receipt is a document the beneficiary must keep, as issued, for
  six years at least (livre des procédures fiscales, art. L. 102 E); keeping it rests on a
  legal obligation (GDPR art. 6-1-c), and the right to erasure does not apply to it (GDPR
  art. 17-3-b). Closing the account erases the pledge's own copy of the name and address
  (`payments.personal_data`), never the receipt. The site never deletes receipts: there is
  no purge (docs/receipts.md).

Wagtail loads hooks from the apps' `wagtail_hooks.py`, which imports this module.
"""

from django.db.models import Q
from django.utils.translation import gettext as _
from wagtail import hooks

from accounts.personal_data import EXPORT_HOOK, verified_emails
from receipts.models import Receipt

SECTION = "tax_receipts"


def receipts_of(user):
    """The receipts issued to one of `user`'s verified addresses (none without one), oldest first."""
    addresses = verified_emails(user)
    if not addresses:
        return Receipt.objects.none()
    matches = Q()
    for address in addresses:
        matches |= Q(donor_email__iexact=address) | Q(pledge__backer_email__iexact=address)
    return (
        Receipt.objects.filter(matches).select_related("beneficiary", "replaces").distinct().order_by("issued_at", "pk")
    )


def why_kept() -> str:
    """What the export says about keeping receipts (in the active language)."""
    return _(
        "Tax receipts are kept as they were issued, with the name and address they state, for at least six "
        "years after their issue, even once your account is closed: the beneficiary must keep a copy of each "
        "receipt for the tax administration (livre des procédures fiscales, art. L. 102 E). Keeping them rests "
        "on a legal obligation (GDPR art. 6-1-c), so they are not erased."
    )


def export_receipt(receipt) -> dict:
    return {
        "number": receipt.display_number,
        "beneficiary": receipt.beneficiary.legal_name,
        "campaign": receipt.campaign_title,
        "amount_cents": receipt.amount_cents,
        "amount": receipt.amount_display,
        "paid_on": receipt.paid_on,
        "payment_method": str(receipt.get_payment_method_display()),
        "status": receipt.status,
        "status_label": str(receipt.get_status_display()),
        "issued_at": receipt.issued_at,
        "cancelled_at": receipt.cancelled_at,
        "cancel_reason": receipt.cancel_reason,
        "replaces": receipt.replaces.display_number if receipt.replaces else None,
        "donor_name": receipt.donor_name,
        "donor_address": receipt.donor_address_lines,
        "donor_email": receipt.donor_email,
    }


@hooks.register(EXPORT_HOOK)
def export_receipts(user) -> dict:
    return {SECTION: {"kept_because": why_kept(), "receipts": [export_receipt(r) for r in receipts_of(user)]}}
