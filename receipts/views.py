"""Donors' pages (inside the language prefixes, `receipts/urls.py`); no sign-in needed.

- `download`: the signed link of a receipt email (`receipts.tokens`) gives the stored PDF,
  never cached nor indexed; a forged or damaged link, or another receipt's signature, is a
  404; a cancelled receipt answers 410 with a page saying so. Staff download from the admin.
- `summary`: "my receipts of the year": an address and a year; the answer is always the same,
  whether receipts exist or not (nobody learns who gave). The work is done by a background
  task (`receipts.tasks.send_summary_task`).
"""

from __future__ import annotations

import logging

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods

from coupdepouce.ratelimits import limit
from receipts import tasks, tokens
from receipts.emails import attachment_name, reason_label
from receipts.forms import SummaryForm
from receipts.models import Receipt, ReceiptEvent
from receipts.pdf import paris_date

logger = logging.getLogger(__name__)

PDF = "application/pdf"
# Seconds a donor is asked to wait when the receipt's PDF is not stored yet.
RETRY_AFTER = 120


def _private(response):
    """Nothing of a receipt is cached, indexed, or leaks its link in a Referer header."""
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_http_methods(["GET", "HEAD"])
def download(request, signed):
    """The receipt's PDF, as stored when it was issued (attachment "recu-2026-00042.pdf")."""
    receipt = tokens.receipt_for(signed)
    if receipt is None:
        raise Http404("No such receipt.")
    if receipt.is_cancelled:
        context = {
            "receipt": receipt,
            "cancelled_on": paris_date(receipt.cancelled_at),
            "reason": reason_label(receipt.cancel_reason) if receipt.cancel_reason else "",
            "replaced": Receipt.objects.filter(replaces=receipt).first(),
        }
        return _private(render(request, "receipts/cancelled.html", context, status=410))
    try:
        handle = receipt.pdf.open("rb") if receipt.pdf else None
    except OSError:
        logger.error("receipt %s: stored PDF %s missing", receipt.pk, receipt.pdf.name)
        handle = None
    if handle is None:
        response = render(request, "receipts/not_ready.html", {"receipt": receipt}, status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return _private(response)
    if request.method == "GET":
        ReceiptEvent.objects.create(receipt=receipt, action=ReceiptEvent.Action.DOWNLOADED, actor="donor")
    response = FileResponse(handle, as_attachment=True, filename=attachment_name(receipt), content_type=PDF)
    return _private(response)


@limit("receipt_summary")
@require_http_methods(["GET", "HEAD", "POST"])
def summary(request):
    """GET: the form. POST: the same answer for every address; the summary goes by email."""
    if request.method == "POST":
        form = SummaryForm(request.POST)
        if form.is_valid():
            email, year = form.cleaned_data["email"], form.cleaned_data["year"]
            tasks.send_summary_task.enqueue(email=email, year=year, language=translation.get_language() or "fr")
            response = render(request, "receipts/summary_sent.html", {"email": email, "year": year})
            return _private(response)
    else:
        form = SummaryForm()
    return render(request, "receipts/summary.html", {"form": form})
