"""Emails to donors about their tax receipts, in the pledge's language, sent by a background task.

Each function renders `receipts/emails/<name>.txt` and `.html` with the receipt, its campaign
in the donor's language and absolute links on the campaign's own site, then enqueues
`coupdepouce.tasks.send_email_task` (attachments are read from the private storage when the
email is sent). Only `receipts.services` calls them: it decides when, and records it.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from coupdepouce.tasks import send_email_task
from payments import rules
from payments.emails import absolute_url, site_url
from receipts import tokens

PDF = "application/pdf"


def language(receipt) -> str:
    """The donor's language (the pledge's), or the site's default."""
    languages = {code for code, _name in settings.LANGUAGES}
    code = receipt.pledge.language
    return code if code in languages else settings.LANGUAGE_CODE


def attachment_name(receipt, *, duplicate: bool = False) -> str:
    """The file name the donor sees: "recu-2026-00042.pdf" ("…-duplicata.pdf" for a duplicate)."""
    suffix = "-duplicata" if duplicate else ""
    return f"recu-{receipt.display_number}{suffix}.pdf"


def _send(receipt, name: str, subject: str, *, extra=None, attachments=None):
    campaign = receipt.pledge.campaign.localized
    context = {
        "receipt": receipt,
        "campaign": campaign,
        "campaign_title": campaign.title or receipt.campaign_title,
        "campaign_url": absolute_url(campaign.get_url() or "", site_url(receipt.pledge)),
        **(extra or {}),
    }
    text = render_to_string(f"receipts/emails/{name}.txt", context).strip() + "\n"
    html = render_to_string(f"receipts/emails/{name}.html", context)
    return send_email_task.enqueue(
        subject=subject, text=text, html=html, to=[receipt.donor_email], attachments=attachments or []
    )


def send_issued(receipt):
    """The receipt, as an attachment, with the signed link to download it again."""
    with translation.override(language(receipt)):
        subject = _("Your tax receipt no. %(number)s") % {"number": receipt.display_number}
        attachment = {"path": receipt.pdf.name, "filename": attachment_name(receipt), "mimetype": PDF}
        return _send(
            receipt,
            "issued",
            subject,
            extra={
                "download_url": tokens.download_url(receipt),
                "replaces": receipt.replaces,
                "reduction_cents": rules.tax_reduction_cents(receipt.amount_cents),
                "reduction_percent": rules.TAX_REDUCTION_PERCENT,
            },
            attachments=[attachment],
        )


def send_cancelled(receipt):
    """The receipt is cancelled, and why; an amended receipt is announced by its own email."""
    with translation.override(language(receipt)):
        subject = _("Your tax receipt no. %(number)s is cancelled") % {"number": receipt.display_number}
        return _send(receipt, "cancelled", subject, extra={"reason": reason_label(receipt.cancel_reason)})


def send_duplicate(receipt, path: str):
    """A duplicate of the receipt (stored at `path` in the private storage), as an attachment."""
    with translation.override(language(receipt)):
        subject = _("Duplicate of your tax receipt no. %(number)s") % {"number": receipt.display_number}
        attachment = {"path": path, "filename": attachment_name(receipt, duplicate=True), "mimetype": PDF}
        return _send(receipt, "duplicate", subject, attachments=[attachment])


# The reasons `receipts.services` gives when it cancels a receipt; staff write theirs in words.
REASON_REFUND = "refund"
REASON_AMENDED = "amended"
REASON_PLEDGE_CANCELLED = "pledge cancelled"


def reason_label(reason: str) -> str:
    """A cancel reason as the donor and staff read it (in the active language): the system's
    reasons are translated, a staff member's is shown as written."""
    labels = {
        REASON_REFUND: _("the gift was refunded"),
        REASON_AMENDED: _("it was replaced by an amended receipt"),
        REASON_PLEDGE_CANCELLED: _("the payment was cancelled"),
    }
    return str(labels.get(reason, reason))


__all__ = [
    "REASON_AMENDED",
    "REASON_PLEDGE_CANCELLED",
    "REASON_REFUND",
    "attachment_name",
    "language",
    "reason_label",
    "send_cancelled",
    "send_duplicate",
    "send_issued",
]
