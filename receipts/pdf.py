"""PDF documents of tax receipts (WeasyPrint: an HTML template and its CSS).

- `render_receipt(receipt, duplicate=False)`: the receipt, with every statement of the model
  CERFA 11580*05 for gifts by individuals (CGI art. 200): beneficiary (name, SIREN/RNA,
  address, purpose, legal ground), donor, order number, amount in figures and in words,
  date of payment, certification, form, nature and method of the gift, place, date and
  signature. Always in French: it is a French tax document, whatever language the donor
  used on the site. A duplicate says "Duplicata" and when it was made; a cancelled receipt
  carries an "Annulé" banner; an amended one names the receipt it replaces.
- `render_summary(email, year, receipts)`: a donor's yearly summary, in the active language.
  It is not a receipt and says so.

Nothing is fetched from the network: no base URL, only `data:` URIs are allowed (the
beneficiary's scanned signature is read from private storage and embedded), fonts are the
system's (DejaVu).
"""

from __future__ import annotations

import base64
import logging
from datetime import date
from zoneinfo import ZoneInfo

import filetype
import weasyprint
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import pgettext_lazy
from weasyprint.urls import URLFetcher

from receipts.emails import reason_label
from receipts.models import LegalGround, Receipt
from receipts.words import amount_in_figures, amount_in_words

logger = logging.getLogger(__name__)

PARIS = ZoneInfo("Europe/Paris")
SIGNATURE_TYPES = {"image/png", "image/jpeg"}

# What the receipt states under "Qualité" (the boxes of CERFA 11580*05), per legal ground.
QUALITY = {
    LegalGround.PUBLIC_UTILITY: pgettext_lazy(
        "tax receipt", "Association or foundation recognised as of public utility"
    ),
    LegalGround.GENERAL_INTEREST: pgettext_lazy("tax receipt", "Work or organisation of general interest"),
    LegalGround.LOCAL_AUTHORITY: pgettext_lazy(
        "tax receipt", "Local authority (gifts allocated to a project of general interest)"
    ),
    LegalGround.ENDOWMENT_FUND: pgettext_lazy("tax receipt", "Endowment fund"),
    LegalGround.EDUCATION: pgettext_lazy(
        "tax receipt", "Public or private higher education or artistic education establishment"
    ),
}

# "En cas de don en numéraire, mode de versement du don".
PAYMENT_METHOD = {
    Receipt.PaymentMethod.CARD: pgettext_lazy("tax receipt", "Bank card"),
    Receipt.PaymentMethod.CHEQUE: pgettext_lazy("tax receipt", "Cheque"),
    Receipt.PaymentMethod.TRANSFER: pgettext_lazy("tax receipt", "Transfer"),
    Receipt.PaymentMethod.CASH: pgettext_lazy("tax receipt", "Cash"),
}


def paris_date(moment) -> date | None:
    """The date in Paris of an aware datetime (a receipt's dates are French dates)."""
    if moment is None:
        return None
    return timezone.localtime(moment, PARIS).date()


def signature_data_uri(beneficiary) -> str:
    """The beneficiary's scanned signature as a `data:` URI ("" when none, unreadable or not PNG/JPEG)."""
    if not beneficiary.signature:
        return ""
    try:
        with beneficiary.signature.open("rb") as handle:
            content = handle.read()
    except OSError:
        logger.warning("signature of beneficiary %s not readable: %s", beneficiary.pk, beneficiary.signature.name)
        return ""
    kind = filetype.guess(content)
    if kind is None or kind.mime not in SIGNATURE_TYPES:
        logger.warning("signature of beneficiary %s is not a PNG or JPEG image", beneficiary.pk)
        return ""
    return f"data:{kind.mime};base64,{base64.b64encode(content).decode('ascii')}"


def write_pdf(html: str) -> bytes:
    """The PDF of `html`, with no base URL and no fetch but `data:` URIs."""
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=False)
    return weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()


def receipt_context(receipt, *, duplicate: bool = False) -> dict:
    beneficiary = receipt.beneficiary
    return {
        "receipt": receipt,
        "beneficiary": beneficiary,
        "duplicate": duplicate,
        "duplicate_on": paris_date(timezone.now()) if duplicate else None,
        "issued_on": paris_date(receipt.issued_at) or paris_date(timezone.now()),
        "cancelled_on": paris_date(receipt.cancelled_at),
        "cancel_reason": reason_label(receipt.cancel_reason).rstrip(".") if receipt.cancel_reason else "",
        "quality": QUALITY.get(beneficiary.legal_ground, beneficiary.get_legal_ground_display()),
        "payment_method": PAYMENT_METHOD.get(receipt.payment_method, receipt.payment_method),
        "amount_figures": amount_in_figures(receipt.amount_cents),
        "amount_words": amount_in_words(receipt.amount_cents),
        "replaces": receipt.replaces if receipt.replaces_id else None,
        "signature": signature_data_uri(beneficiary),
    }


def render_receipt(receipt, *, duplicate: bool = False) -> bytes:
    """The receipt as a PDF, in French; `duplicate`: marked "Duplicata" (same number)."""
    with translation.override("fr"):
        html = render_to_string("receipts/pdf/receipt.html", receipt_context(receipt, duplicate=duplicate))
    return write_pdf(html)


def render_summary(email: str, year: int, receipts) -> bytes:
    """A donor's yearly summary of receipts as a PDF, in the active language (not a receipt).

    Lists every receipt given (number, beneficiary, date of payment, amount, status) and the
    total of those still issued; cancelled ones are listed, not counted.
    """
    receipts = sorted(receipts, key=lambda r: (r.paid_on, r.beneficiary.legal_name, r.number))
    total = sum(r.amount_cents for r in receipts if not r.is_cancelled)
    context = {
        "email": email,
        "year": year,
        "receipts": receipts,
        "total_cents": total,
        "made_on": paris_date(timezone.now()),
    }
    html = render_to_string("receipts/pdf/summary.html", context)
    return write_pdf(html)
