"""The signed link a donor downloads a receipt with (django.core.signing, keyed by the SECRET_KEY).

The link carries the receipt's random `token` (a UUID, never its id or number) signed with
the salt "receipts.download": a forged or damaged link, or the signature of another
receipt's token, opens nothing. It never expires (a donor may need the receipt years later,
for a tax audit); a cancelled receipt's link answers that it was cancelled (receipts.views).
"""

from __future__ import annotations

import uuid

from django.core import signing
from django.urls import reverse

from coupdepouce.pages import site_root_url
from receipts.models import Receipt

SALT = "receipts.download"


def _signer():
    return signing.Signer(salt=SALT)


def sign(receipt) -> str:
    return _signer().sign(str(receipt.token))


def download_path(receipt) -> str:
    """The link's path, in the active language: `/recus/<signed>/` (French)."""
    return reverse("receipts:download", kwargs={"signed": sign(receipt)})


def download_url(receipt) -> str:
    """The absolute link, on the site of the receipt's campaign (the pledge's)."""
    return f"{site_root_url(receipt.pledge.campaign)}{download_path(receipt)}"


def receipt_for(signed: str) -> Receipt | None:
    """The receipt a signed link stands for, or None (forged, damaged, unknown)."""
    try:
        value = _signer().unsign(signed or "")
        token = uuid.UUID(value)
    except (signing.BadSignature, ValueError):
        return None
    return Receipt.objects.select_related("beneficiary").filter(token=token).first()
