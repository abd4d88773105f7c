"""Closing campaigns: freeze the outcome, then charge, release or refund.

`close_campaigns()` is run by `python manage.py close_campaigns` and by the
`close_campaigns_task` Django task (schedule it, e.g. every few minutes). For every
campaign (canonical locale) past its end without a finished `CampaignClosing`:

- the outcome is frozen once in `CampaignClosing` (get_or_create: a re-run reads it back);
- all-or-nothing, succeeded: each committed pledge is charged off-session, one at a time;
- all-or-nothing, failed: each committed pledge is cancelled and its saved card released;
- keep-it-all: pledges were paid at once, there is nothing to charge.

Safe to re-run after a crash in the middle; no pledge is ever charged twice:
1. the attempt number is incremented and committed *before* the gateway is called;
2. a pledge still `committed` with `charge_attempts > 0` had its charge sent but its result
   not recorded: it is re-sent with the *same* attempt number, which the gateway turns into
   the same idempotency key (`pledge-<id>-attempt-<n>`), so the provider answers with
   the first charge instead of making a second one;
3. a pledge already `paid` (or `action_required`) is no longer `committed` and is skipped.
Two runs at once are safe for the same reason: both send the same key, and the second
`transition` is a no-op (no second email).

Money is integer cents; the commission is computed with `Decimal`, rounded half up.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task
from wagtail.models import Locale

from payments import emails, ledger, rules, services
from payments.gateway import ChargeResult
from payments.interface import campaign_model
from payments.models import CampaignClosing, PayoutAccount, Pledge
from payments.providers import get_gateway
from payments.rules import CampaignStatus, FundingModel, PledgeStatus

S = PledgeStatus
logger = logging.getLogger(__name__)


@dataclass
class CloseSummary:
    """What a run did, for the command's output and the task's result."""

    closed: list[str] = field(default_factory=list)
    charged: int = 0
    action_required: int = 0
    cancelled: int = 0
    failed_after_grace: int = 0
    refunded: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "closed": self.closed,
            "charged": self.charged,
            "action_required": self.action_required,
            "cancelled": self.cancelled,
            "failed_after_grace": self.failed_after_grace,
            "refunded": self.refunded,
            "errors": self.errors,
        }


def _pledges_of(campaign):
    return Pledge.objects.filter(campaign__translation_key=campaign.translation_key)


def _destination(campaign) -> str:
    """Where the charges go: the holder's account only if it can take charges (`rules.payout_destination`)."""
    return rules.payout_destination(PayoutAccount.objects.filter(campaign_key=campaign.translation_key).first())


def campaigns_to_close(now=None):
    """Canonical campaigns past their end whose closing has not finished."""
    now = now or timezone.now()
    return (
        campaign_model()
        .objects.filter(locale=Locale.get_default(), end_at__lte=now)
        .exclude(closing__finished_at__isnull=False)
        .order_by("end_at", "pk")
    )


def freeze_outcome(campaign):
    """The campaign's CampaignClosing, created once with the outcome at the time of the close."""
    campaign = services.canonical_campaign(campaign)
    figures = ledger.campaign_figures(campaign)
    succeeded = figures.raised_cents >= figures.goal_cents
    closing, _ = CampaignClosing.objects.get_or_create(
        campaign=campaign,
        defaults={
            "outcome": CampaignStatus.SUCCEEDED if succeeded else CampaignStatus.FAILED,
            "raised_cents": figures.raised_cents,
        },
    )
    return closing


def _claim_attempt(pledge_id):
    """Lock the pledge and persist the attempt number to use, before any charge is sent.

    Returns (pledge, attempt), or (None, None) when the pledge is no longer committed.
    A committed pledge with attempts already counted had its charge sent but its result
    lost (a crash): the same attempt number is used again, so the provider de-duplicates.
    """
    with transaction.atomic():
        pledge = Pledge.objects.select_for_update().select_related("campaign").get(pk=pledge_id)
        if pledge.status != S.COMMITTED:
            return None, None
        if pledge.charge_attempts == 0:
            pledge.charge_attempts = 1
            pledge.save(update_fields=["charge_attempts", "updated_at"])
        return pledge, pledge.charge_attempts


def charge_pledge(pledge_id, *, gateway, rate, destination, summary: CloseSummary | None = None):
    """Charge one committed all-or-nothing pledge; returns the ChargeResult or None if skipped."""
    summary = summary or CloseSummary()
    pledge, attempt = _claim_attempt(pledge_id)
    if pledge is None:
        return None
    fee = rules.commission_cents(pledge.amount_cents, rate)
    result = gateway.charge_saved_card(pledge, attempt=attempt, application_fee_cents=fee, destination=destination)
    data = {"attempt": attempt, "payment_intent": result.payment_intent_id, "application_fee_cents": fee}
    if result.status == ChargeResult.SUCCEEDED:
        moved = services.transition(
            pledge,
            S.PAID,
            actor="system",
            note="charged at the close",
            data=data,
            payment_intent_id=result.payment_intent_id or pledge.payment_intent_id,
        )
        if moved is not None:
            summary.charged += 1
            emails.send_campaign_succeeded(moved, moved.amount_cents)
        return result
    moved = services.transition(
        pledge,
        S.ACTION_REQUIRED,
        actor="system",
        note=f"charge {result.status}: {result.message}"[:255],
        data={**data, "result": result.status, "message": result.message},
        payment_intent_id=result.payment_intent_id or pledge.payment_intent_id,
        failure_reason=(result.message or result.status)[:255],
    )
    if moved is not None:
        summary.action_required += 1
        emails.send_action_required(moved, emails.complete_payment_url(moved))
    return result


def _charge_all(campaign, summary, gateway):
    rate = services.platform_rules(campaign).commission_rate
    destination = _destination(campaign)
    committed = _pledges_of(campaign).filter(status=S.COMMITTED).exclude(funding_model=FundingModel.KEEP_IT_ALL)
    for pledge_id in committed.order_by("pk").values_list("pk", flat=True):
        charge_pledge(pledge_id, gateway=gateway, rate=rate, destination=destination, summary=summary)


def _cancel_all(campaign, summary, gateway):
    waiting = _pledges_of(campaign).filter(status__in=[S.COMMITTED, S.ACTION_REQUIRED])
    for pledge_id in waiting.order_by("pk").values_list("pk", flat=True):
        moved = services.transition(pledge_id, S.CANCELLED, actor="system", note="campaign failed: nobody charged")
        if moved is None:
            continue
        gateway.release_card(moved)
        summary.cancelled += 1
        emails.send_campaign_failed(moved)


def close_campaign(campaign, *, gateway=None, summary: CloseSummary | None = None):
    """Close one campaign (any translation): freeze the outcome, then charge or release."""
    summary = summary or CloseSummary()
    gateway = gateway or get_gateway()
    campaign = services.canonical_campaign(campaign)
    closing = freeze_outcome(campaign)
    if closing.finished_at:
        return closing
    if rules.charges_at_close(campaign.funding_model):
        if closing.outcome == CampaignStatus.SUCCEEDED:
            _charge_all(campaign, summary, gateway)
        else:
            _cancel_all(campaign, summary, gateway)
    # Keep-it-all: every pledge was paid at checkout; the holder keeps what was raised.
    closing.finished_at = timezone.now()
    closing.save(update_fields=["finished_at"])
    summary.closed.append(f"{campaign.pk}:{closing.outcome}")
    return closing


def fail_after_grace(now=None, summary: CloseSummary | None = None) -> int:
    """Action-required pledges left unpaid past the site's grace period become failed."""
    now = now or timezone.now()
    summary = summary or CloseSummary()
    waiting = (
        Pledge.objects.filter(status=S.ACTION_REQUIRED, action_required_at__isnull=False)
        .select_related("campaign")
        .order_by("pk")
    )
    count = 0
    grace_by_campaign = {}
    for pledge in waiting:
        if pledge.campaign_id not in grace_by_campaign:
            grace_by_campaign[pledge.campaign_id] = services.platform_rules(pledge.campaign).payment_grace_days
        if pledge.action_required_at + timedelta(days=grace_by_campaign[pledge.campaign_id]) > now:
            continue
        if services.transition(pledge.pk, S.FAILED, actor="system", note="payment not completed in time"):
            count += 1
    summary.failed_after_grace += count
    return count


def close_campaigns(now=None, *, gateway=None) -> CloseSummary:
    """Close every campaign past its end, then fail action-required pledges past the grace period."""
    summary = CloseSummary()
    gateway = gateway or get_gateway()
    for campaign in campaigns_to_close(now):
        try:
            close_campaign(campaign, gateway=gateway, summary=summary)
        except Exception as exc:  # one campaign's trouble must not stop the others; a re-run resumes it
            logger.exception("closing campaign %s failed", campaign.pk)
            summary.errors.append(f"{campaign.pk}: {exc}")
    fail_after_grace(now, summary)
    return summary


def cancel_campaign(campaign, *, gateway=None, actor="system") -> int:
    """Cancel a keep-it-all campaign: refund every paid online pledge. Returns how many were refunded.

    Safe to re-run: a refunded pledge is no longer paid and is skipped. The gateway's refund
    is keyed on the pledge, so a crash between the refund and the transition is retried safely.
    """
    gateway = gateway or get_gateway()
    campaign = services.canonical_campaign(campaign)
    count = 0
    # Offline gifts are handed back by hand, outside the platform: they are left as they are.
    paid = _pledges_of(campaign).filter(status=S.PAID, source=Pledge.Source.ONLINE)
    for pledge_id in paid.order_by("pk").values_list("pk", flat=True):
        pledge = Pledge.objects.get(pk=pledge_id)
        if pledge.status != S.PAID:
            continue
        gateway.refund(pledge)
        moved = services.transition(pledge.pk, S.REFUNDED, actor=actor, note="campaign cancelled: refunded")
        if moved is not None:
            count += 1
            emails.send_refund(moved)
    return count


@task()
def close_campaigns_task() -> dict:
    """Schedulable form of `close_campaigns` (Django tasks)."""
    return close_campaigns().as_dict()


__all__ = [
    "CloseSummary",
    "campaigns_to_close",
    "cancel_campaign",
    "charge_pledge",
    "close_campaign",
    "close_campaigns",
    "close_campaigns_task",
    "fail_after_grace",
    "freeze_outcome",
]
