"""PDF rendering of tax receipts (placeholder until the PDF work lands: see receipts/pdf.py owner)."""

from __future__ import annotations

import weasyprint
from django.template.loader import render_to_string


def render_receipt(receipt, *, duplicate: bool = False) -> bytes:
    html = render_to_string("receipts/pdf/receipt.html", {"receipt": receipt, "duplicate": duplicate})
    return weasyprint.HTML(string=html).write_pdf()
