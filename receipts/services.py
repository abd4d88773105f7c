"""Tax receipt rules: who gets one, numbering, cancel, amend, duplicate.

The only place that changes receipts. Plain functions:

- `sync_pledge(pledge)`: after every save of a pledge (receipts/signals.py). A paid pledge that
  asked for a receipt, on a campaign that offers them, whose reward keeps the gift eligible
  (`payments.rules.gift_keeps_receipt`) and with a postal address, gets one (`issue`); if its
  amount changed since, the receipt is replaced by an amended one (new number, `replaces`);
  a refund (or a paid pledge later cancelled or failed) cancels it. A promise (pending,
  committed, action required) never gets one. Saves of unpaid pledges run no query.
- `issue(pledge)`: numbers the receipt from its beneficiary's counter of the year of issue
  (Europe/Paris), row-locked, so numbers follow each other without gap and are never reused;
  freezes what the receipt states; then enqueues `deliver_receipt_task`, which
  renders the PDF once (`receipts.pdf.render_receipt`), stores it and emails it to the donor,
  once (`deliver`).
- `cancel(receipt, reason=...)`: cancelled receipts keep their number and stay in the register;
  the donor is told why.
- `reissue_duplicate(receipt)`: the same receipt rendered again, marked "Duplicata".
- `muted()`: no receipt email is enqueued inside it (the demo loader).
- `receipts_of(email, year)`, `active_receipt(pledge)`: reads.

Tasks and emails are enqueued in the caller's transaction, as payments does: with the
database task backend the task row commits with the change (both or neither) and the worker
only sees it after the commit.
"""

from __future__ import annotations

import contextlib
import contextvars
import uuid
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from payments import rules
from payments.models import Pledge
from payments.rules import PledgeStatus
from payments.services import canonical_campaign, counterpart_cap_cents
from receipts import emails, pdf
from receipts.models import Receipt, ReceiptCounter, ReceiptEvent

S = PledgeStatus
PARIS = ZoneInfo("Europe/Paris")

# Reasons the system gives when it cancels a receipt (staff write theirs);
# `reason_display` translates them.
REASON_REFUND = emails.REASON_REFUND
REASON_AMENDED = emails.REASON_AMENDED
REASON_PLEDGE_CANCELLED = emails.REASON_PLEDGE_CANCELLED
reason_display = emails.reason_label

# Statuses a pledge saved in never touches its receipt (no query is run for them).
PROMISES = frozenset({S.PENDING, S.COMMITTED, S.ACTION_REQUIRED})

PAYMENT_METHODS = {
    Pledge.Source.ONLINE: Receipt.PaymentMethod.CARD,
    Pledge.Source.CHEQUE: Receipt.PaymentMethod.CHEQUE,
    Pledge.Source.TRANSFER: Receipt.PaymentMethod.TRANSFER,
    Pledge.Source.CASH: Receipt.PaymentMethod.CASH,
}

_muted = contextvars.ContextVar("receipts_muted", default=False)


class ReceiptError(Exception):
    """A receipt action that cannot be done (the message is translated, for staff)."""


@contextlib.contextmanager
def muted():
    """No receipt email is enqueued inside this block (receipts are still issued, their PDF
    stored): the demo loader creates paid pledges and receipts without emailing anybody."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def is_muted() -> bool:
    return _muted.get()


def _actor_name(user, default="system") -> str:
    return (user.get_username() if user is not None else "")[:150] or default


def _event(receipt, action, *, note="", actor="system", user=None):
    return ReceiptEvent.objects.create(receipt=receipt, action=action, note=note[:255], actor=actor, user=user)


# Reads ---------------------------------------------------------------------------------------


def active_receipt(pledge) -> Receipt | None:
    """The pledge's receipt in force (issued, not cancelled), or None."""
    return (
        Receipt.objects.filter(pledge_id=pledge.pk, status=Receipt.Status.ISSUED)
        .select_related("beneficiary")
        .order_by("-issued_at", "-pk")
        .first()
    )


def receipts_of(email: str, year: int):
    """The receipts (issued and cancelled) of the donor `email` for gifts paid in `year`.

    The year of payment decides, as for the tax return: a gift of 31 December issued on
    2 January belongs to the year before.
    """
    email = (email or "").strip()
    if not email:
        return Receipt.objects.none()
    return (
        Receipt.objects.filter(donor_email__iexact=email, paid_on__year=int(year))
        .select_related("beneficiary")
        .order_by("paid_on", "beneficiary__legal_name", "year", "number")
    )


# Eligibility ---------------------------------------------------------------------------------


def _has_address(pledge) -> bool:
    return all(
        (value or "").strip()
        for value in (pledge.backer_name, pledge.donor_street, pledge.donor_postal_code, pledge.donor_city)
    )


def eligible(pledge) -> bool:
    """Whether the paid `pledge` is owed a receipt now (it asked, its campaign offers receipts,
    its reward keeps the gift eligible, its address is known)."""
    if pledge.status != S.PAID or not pledge.wants_receipt or not _has_address(pledge):
        return False
    campaign = canonical_campaign(pledge.campaign)
    if not campaign.offers_tax_receipts:
        return False
    return rules.gift_keeps_receipt(pledge.reward, pledge.amount_cents, counterpart_cap_cents(campaign))


# Issuing -------------------------------------------------------------------------------------


def _next_number(beneficiary, year: int) -> int:
    """The next number of `beneficiary`'s receipts of `year`, under the counter's row lock
    (held until the caller's transaction ends: no gap, no number given twice)."""
    ReceiptCounter.objects.bulk_create([ReceiptCounter(beneficiary=beneficiary, year=year)], ignore_conflicts=True)
    counter = ReceiptCounter.objects.select_for_update().get(beneficiary=beneficiary, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def issue(pledge, *, replaces=None, actor="system") -> Receipt:
    """Issue a receipt for the paid `pledge`, numbered, with what it states frozen now.

    Callers decide whether one is owed (`sync_pledge`). The PDF is rendered and emailed by
    `deliver_receipt_task`, enqueued in this transaction.
    """
    campaign = canonical_campaign(pledge.campaign)
    beneficiary = campaign.beneficiary
    now = timezone.now()
    year = timezone.localtime(now, PARIS).year
    paid_at = pledge.paid_at or now
    with transaction.atomic():
        receipt = Receipt.objects.create(
            beneficiary=beneficiary,
            year=year,
            number=_next_number(beneficiary, year),
            pledge=pledge,
            replaces=replaces,
            donor_name=pledge.backer_name.strip(),
            donor_street=pledge.donor_street.strip(),
            donor_postal_code=pledge.donor_postal_code.strip(),
            donor_city=pledge.donor_city.strip(),
            donor_country=(pledge.donor_country or "").strip(),
            donor_email=pledge.backer_email,
            amount_cents=pledge.amount_cents,
            paid_on=timezone.localtime(paid_at, PARIS).date(),
            payment_method=PAYMENT_METHODS.get(pledge.source, Receipt.PaymentMethod.CARD),
            campaign_title=campaign.title[:255],
        )
        note = f"replaces {replaces.display_number}" if replaces is not None else ""
        _event(receipt, ReceiptEvent.Action.ISSUED, note=note, actor=actor)
        deliver_receipt_task.enqueue(receipt_id=receipt.pk, send=not is_muted())
    return receipt


def amend(receipt, pledge, *, actor="system") -> Receipt:
    """Replace `receipt` by a new one with the pledge's amount now: the old one is cancelled
    (reason "amended", kept in the register), the new one has a new number and `replaces` it."""
    with transaction.atomic():
        cancel(receipt, reason=REASON_AMENDED, notify=False, actor=actor)
        new = issue(pledge, replaces=receipt, actor=actor)
        _event(receipt, ReceiptEvent.Action.AMENDED, note=f"replaced by {new.display_number}", actor=actor)
    return new


def sync_pledge(pledge) -> None:
    """Issue, amend or cancel the receipt of `pledge` after it was saved (see the module doc)."""
    status = pledge.status
    if status in PROMISES:
        return
    if status == S.PAID:
        if not pledge.wants_receipt or not _has_address(pledge):
            return
        with transaction.atomic():
            # One pledge, one receipt in force: concurrent saves of the same pledge queue here.
            list(Pledge.objects.select_for_update().filter(pk=pledge.pk).values_list("pk", flat=True))
            if not eligible(pledge):
                return
            current = active_receipt(pledge)
            if current is None:
                issue(pledge)
            elif current.amount_cents != pledge.amount_cents:
                amend(current, pledge)
        return
    if status == S.REFUNDED or pledge.paid_at is not None:
        # Refunded, or cancelled/failed after it was paid.
        reason = REASON_REFUND if status == S.REFUNDED else REASON_PLEDGE_CANCELLED
        for receipt in Receipt.objects.filter(pledge_id=pledge.pk, status=Receipt.Status.ISSUED):
            cancel(receipt, reason=reason)


# Cancelling and duplicates -------------------------------------------------------------------


def cancel(receipt, *, reason: str, user=None, notify: bool = True, actor=None) -> Receipt:
    """Cancel `receipt` (it keeps its number and stays in the register) and, when `notify`,
    email the donor that it is cancelled and why. A cancelled receipt is left as it is."""
    reason = (reason or "").strip()
    if not reason:
        raise ReceiptError(_("Give the reason for cancelling the receipt."))
    with transaction.atomic():
        locked = Receipt.objects.select_for_update().get(pk=receipt.pk)
        if locked.is_cancelled:
            return locked
        locked.status = Receipt.Status.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.cancel_reason = reason[:255]
        locked.save(update_fields=["status", "cancelled_at", "cancel_reason"])
        _event(locked, ReceiptEvent.Action.CANCELLED, note=reason, actor=actor or _actor_name(user), user=user)
        if notify and locked.donor_email and not is_muted():
            emails.send_cancelled(locked)
    for name in ("status", "cancelled_at", "cancel_reason"):
        setattr(receipt, name, getattr(locked, name))
    return locked


def duplicate_path(receipt) -> str:
    """Where a duplicate sent by email is stored (beside the original, never over it)."""
    folder = f"receipts/{receipt.beneficiary_id}/{receipt.year}"
    return f"{folder}/{receipt.display_number}-duplicata-{uuid.uuid4().hex[:8]}.pdf"


def reissue_duplicate(receipt, *, user=None, send: bool = True) -> bytes:
    """Render `receipt` again, same number, marked "Duplicata"; record it; when `send`, email
    it to the donor as an attachment. Returns the PDF. A cancelled receipt can be rendered
    (marked cancelled) but is not sent: `ReceiptError`."""
    if send and receipt.is_cancelled:
        raise ReceiptError(_("A cancelled receipt is not sent to the donor again."))
    if send and not receipt.donor_email:
        raise ReceiptError(_("This donor has no email address: download the duplicate instead."))
    content = pdf.render_receipt(receipt, duplicate=True)
    send = send and not is_muted()
    with transaction.atomic():
        note = "emailed to the donor" if send else "downloaded"
        _event(receipt, ReceiptEvent.Action.DUPLICATE, note=note, actor=_actor_name(user), user=user)
        if send:
            path = receipt.pdf.storage.save(duplicate_path(receipt), ContentFile(content))
            emails.send_duplicate(receipt, path)
    return content


# Delivery (deliver_receipt_task) ------------------------------------------------------------------


def store_pdf(receipt) -> Receipt:
    """Render and store the receipt's PDF, once: a receipt that has one keeps it as issued."""
    with transaction.atomic():
        locked = Receipt.objects.select_for_update().select_related("beneficiary").get(pk=receipt.pk)
        if not locked.pdf:
            locked.pdf.save("receipt.pdf", ContentFile(pdf.render_receipt(locked)), save=False)
            locked.save(update_fields=["pdf"])
    return locked


def deliver(receipt_id: int, *, send: bool = True) -> bool:
    """Store the receipt's PDF if not yet done, then email it to the donor if not yet done.

    Safe to run twice (a retried or duplicated task): the PDF is rendered once, the email is
    claimed under the receipt's row lock and sent once. Returns whether an email was enqueued.
    A receipt cancelled meanwhile is not emailed.
    """
    receipt = store_pdf(Receipt(pk=receipt_id))
    if not send:
        return False
    with transaction.atomic():
        locked = Receipt.objects.select_for_update().select_related("beneficiary", "pledge").get(pk=receipt_id)
        if locked.emailed_at is not None or locked.is_cancelled or not locked.donor_email:
            return False
        locked.emailed_at = timezone.now()
        locked.save(update_fields=["emailed_at"])
        _event(locked, ReceiptEvent.Action.EMAILED, note=locked.donor_email)
        emails.send_issued(locked)
    receipt.emailed_at = locked.emailed_at
    return True


@task()
def deliver_receipt_task(receipt_id: int, send: bool = True) -> bool:
    """Store the PDF of receipt `receipt_id` and, when `send`, email it to the donor (once).

    Enqueued by `issue` in its transaction (defined here, as payments defines its tasks beside
    their services: `receipts.tasks` re-exports it)."""
    return deliver(receipt_id, send=send)


__all__ = [
    "REASON_AMENDED",
    "REASON_PLEDGE_CANCELLED",
    "REASON_REFUND",
    "ReceiptError",
    "active_receipt",
    "amend",
    "cancel",
    "deliver",
    "deliver_receipt_task",
    "eligible",
    "is_muted",
    "issue",
    "muted",
    "reason_display",
    "receipts_of",
    "reissue_duplicate",
    "store_pdf",
    "sync_pledge",
]
