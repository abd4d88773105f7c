"""Closing and cancelling campaigns: freeze the outcome, then charge, release or refund.

`close_campaigns()` is run by `python manage.py close_campaigns` and by the
`close_campaigns_task` Django task (schedule it, e.g. every few minutes). For every
campaign (canonical locale) past its end without a finished `CampaignClosing`:

- the outcome is frozen once in `CampaignClosing` (get_or_create: a re-run reads it back);
- all-or-nothing, succeeded: each committed pledge is charged off-session, one at a time;
- all-or-nothing, failed: each committed or action-required pledge has its saved card
  released, then is cancelled;
- keep-it-all: pledges were paid at once, there is nothing to charge;
- failed, any funding model: sponsors' shares of offers that pay "only if the campaign
  succeeds" are released (`matching.release_on_failure`); the other shares stay.
Then action-required pledges left unpaid past the grace period have their card released and
become failed, with an email (`fail_after_grace`).

`cancel_campaign()` (`close_campaigns --cancel <page id> --reason "…"`) stops a campaign of
either funding model: its `CampaignClosing` says "cancelled" before anything else (no new
pledge from then on), every sponsor's share is released, paid online pledges are refunded
(the provider's refund id is stored first, so a retry days later never refunds twice; a
pledge without a payment id is left paid, noted, and counted as a refund to make by hand),
and pending, committed and action-required pledges are cancelled and their cards released.

**Each pledge is settled by the provider recorded on it** (`providers.provider_of`), never
by the site's current default. Before changing anything, a run checks that every provider
its pledges need is configured here (`Gateways.require`); otherwise it raises
`ProviderUnavailable` and changes nothing (the command exits non-zero).

Safe to re-run after a crash in the middle; no pledge is ever charged twice:
1. the pledge is claimed under a row lock, and the attempt number stored, *before* the
   gateway is called (`_claim_attempt`); a pledge no longer `committed` is skipped;
2. a pledge still `committed` with `charge_attempts > 0` had its charge sent but its result
   not recorded: another run is charging it, or crashed. Within `CHARGE_LEASE` of the claim
   it is left alone (two runs at once: one charge, one email per pledge) and the closing
   stays unfinished; after that it is re-sent with the *same* attempt number, which the
   gateway turns into the same idempotency key (`pledge-<id>-attempt-<n>`, and Stripe's
   gateway re-reads the stored PaymentIntent), so the provider does not charge again.
Every email that follows a change of state is enqueued in the same transaction as the change;
gateways are called outside any transaction.

Money is integer cents; the commission is computed with `Decimal`, rounded half up.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task
from wagtail.models import Locale

from payments import emails, ledger, matching, rules, services
from payments.gateway import ChargeResult, Gateway, ProviderUnavailable
from payments.interface import campaign_model
from payments.models import CampaignClosing, PayoutAccount, Pledge, PledgeEvent
from payments.providers import get_gateway, provider_of
from payments.rules import CampaignStatus, FundingModel, PledgeStatus

S = PledgeStatus
logger = logging.getLogger(__name__)

# A charge claimed by a run that has not recorded its result is left to that run this long;
# after it, the run is taken for dead and the charge is re-sent with the same idempotency key.
CHARGE_LEASE = timedelta(minutes=10)
HAND_REFUND_NOTE = "no payment id: refund by hand"


@dataclass
class CloseSummary:
    """What a run did, for the command's output and the task's result."""

    closed: list[str] = field(default_factory=list)
    charged: int = 0
    action_required: int = 0
    cancelled: int = 0
    failed_after_grace: int = 0
    refunded: int = 0
    # Paid online pledges without a payment id: left paid, to be refunded by hand (pledge ids).
    hand_refunds: list[int] = field(default_factory=list)
    # Paid offline gifts of a cancelled campaign: handed back outside the platform.
    offline_gifts: int = 0
    # Pledges claimed by another run still in flight: the next run finishes them.
    waiting: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "closed": self.closed,
            "charged": self.charged,
            "action_required": self.action_required,
            "cancelled": self.cancelled,
            "failed_after_grace": self.failed_after_grace,
            "refunded": self.refunded,
            "hand_refunds": self.hand_refunds,
            "offline_gifts": self.offline_gifts,
            "waiting": self.waiting,
            "errors": self.errors,
        }


class Gateways:
    """The gateways of one run, by provider name, each pledge's own (`provider_of`).

    `stand_in` (tests) is used for every provider; `overrides` (tests) replaces the named
    providers; any other comes from `providers.get_gateway`, which raises ProviderUnavailable
    for a provider not configured here.
    """

    def __init__(self, stand_in: Gateway | None = None, overrides: Mapping[str, Gateway] | None = None):
        self.stand_in = stand_in
        self.overrides = dict(overrides or {})
        self._cache: dict[str, Gateway] = {}

    def get(self, name: str) -> Gateway:
        if name not in self._cache:
            if self.stand_in is not None:
                self._cache[name] = self.stand_in
            elif name in self.overrides:
                self._cache[name] = self.overrides[name]
            else:
                self._cache[name] = get_gateway(name)
        return self._cache[name]

    def for_pledge(self, pledge) -> Gateway:
        return self.get(provider_of(pledge))

    def require(self, pledges: Iterable[Pledge]) -> None:
        """Raise ProviderUnavailable, naming every missing provider and its pledges, unless each
        pledge's provider is available. Called before a run changes anything."""
        needed: dict[str, list[int]] = {}
        for pledge in pledges:
            needed.setdefault(provider_of(pledge), []).append(pledge.pk)
        missing = []
        for name in sorted(needed):
            try:
                self.get(name)
            except ProviderUnavailable as exc:
                ids = ", ".join(str(pk) for pk in sorted(needed[name]))
                missing.append(f"{exc} (pledges {ids})")
        if missing:
            raise ProviderUnavailable("; ".join(missing) + ". Nothing was changed.")


def _run_gateways(gateway=None, gateways=None) -> Gateways:
    if isinstance(gateways, Gateways):
        return gateways
    return Gateways(stand_in=gateway, overrides=gateways)


def _pledges_of(campaign):
    return Pledge.objects.filter(campaign__translation_key=campaign.translation_key)


def _online(campaign):
    return _pledges_of(campaign).filter(source=Pledge.Source.ONLINE)


def _destination(campaign) -> str:
    """Where the charges go: the holder's account only if it can take charges (`rules.payout_destination`)."""
    return rules.payout_destination(PayoutAccount.objects.filter(campaign_key=campaign.translation_key).first())


def _refund_id(result) -> str:
    """The id of what a gateway's `refund` returned (a provider object with `.id`, or the id)."""
    if result is None:
        return ""
    return str(getattr(result, "id", result) or "")


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


# Charging -----------------------------------------------------------------------------------


def _claim_attempt(pledge_id, now):
    """Claim the pledge under a row lock and persist the attempt number, before any charge is sent.

    Returns (pledge, attempt); (None, "done") when the pledge is no longer committed or its
    campaign's closing is no longer "succeeded" (cancelled meanwhile); (None, "busy") when
    another run claimed it less than CHARGE_LEASE ago. A committed pledge claimed longer ago
    had its charge sent but its result lost (a crash): the same attempt number is used again,
    so the provider de-duplicates.
    """
    with transaction.atomic():
        pledge = Pledge.objects.select_for_update().select_related("campaign").get(pk=pledge_id)
        if pledge.status != S.COMMITTED:
            return None, "done"
        succeeded = CampaignClosing.objects.filter(
            campaign__translation_key=pledge.campaign.translation_key, outcome=CampaignStatus.SUCCEEDED
        ).exists()
        if not succeeded:
            return None, "done"
        if pledge.charge_attempts > 0 and pledge.updated_at > now - CHARGE_LEASE:
            return None, "busy"
        if pledge.charge_attempts == 0:
            pledge.charge_attempts = 1
        pledge.save(update_fields=["charge_attempts", "updated_at"])  # updated_at: the claim's time
        return pledge, pledge.charge_attempts


def charge_pledge(
    pledge_id, *, rate, destination, gateways=None, gateway=None, summary: CloseSummary | None = None, now=None
):
    """Charge one committed all-or-nothing pledge through its own provider.

    Returns the ChargeResult, or None when the pledge was skipped (already settled, or being
    charged by another run: then `summary.waiting` counts it).
    """
    summary = summary or CloseSummary()
    run = _run_gateways(gateway, gateways)
    pledge, attempt = _claim_attempt(pledge_id, now or timezone.now())
    if pledge is None:
        if attempt == "busy":
            summary.waiting += 1
        return None
    fee = rules.commission_cents(pledge.amount_cents, rate)
    result = run.for_pledge(pledge).charge_saved_card(
        pledge, attempt=attempt, application_fee_cents=fee, destination=destination
    )
    data = {"attempt": attempt, "payment_intent": result.payment_intent_id, "application_fee_cents": fee}
    if result.status == ChargeResult.SUCCEEDED:
        with transaction.atomic():
            moved = services.transition(
                pledge,
                S.PAID,
                actor="system",
                note="charged at the close",
                data=data,
                payment_intent_id=result.payment_intent_id or pledge.payment_intent_id,
            )
            if moved is not None:
                emails.send_campaign_succeeded(moved, moved.amount_cents)
        if moved is not None:
            summary.charged += 1
        return result
    with transaction.atomic():
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
            emails.send_action_required(moved, emails.complete_payment_url(moved))
    if moved is not None:
        summary.action_required += 1
    return result


def _charged_at_close(campaign):
    """Committed pledges the close of a successful campaign charges."""
    return _pledges_of(campaign).filter(status=S.COMMITTED).exclude(funding_model=FundingModel.KEEP_IT_ALL)


def _charge_all(campaign, summary, run, now):
    rate = services.platform_rules(campaign).commission_rate
    destination = _destination(campaign)
    for pledge_id in _charged_at_close(campaign).order_by("pk").values_list("pk", flat=True):
        charge_pledge(pledge_id, gateways=run, rate=rate, destination=destination, summary=summary, now=now)


# Releasing ----------------------------------------------------------------------------------


def _release_then(pledge, to_status, run, summary, *, actor, note, send=None) -> Pledge | None:
    """Release the pledge's saved card through its own provider, then move it to `to_status` and
    enqueue `send(pledge)` in the same transaction. The card goes first: a crash in between
    leaves the pledge where it was, and a re-run releases again (safe to repeat).

    Returns the moved pledge, or None when it had already moved (another run, the backer)."""
    try:
        run.for_pledge(pledge).release_card(pledge)
    except Exception as exc:  # the provider is unreachable: the pledge stays as it is, a re-run retries
        logger.exception("pledge %s: card not released", pledge.pk)
        summary.errors.append(f"pledge {pledge.pk}: card not released ({exc})")
        return None
    try:
        with transaction.atomic():
            moved = services.transition(pledge.pk, to_status, actor=actor, note=note)
            if moved is not None and send is not None:
                send(moved)
    except services.InvalidTransition:
        return None  # it moved meanwhile (e.g. the backer completed the payment): nothing to do
    return moved


def _cancel_all(campaign, summary, run):
    waiting = _pledges_of(campaign).filter(status__in=[S.COMMITTED, S.ACTION_REQUIRED]).order_by("pk")
    for pledge in waiting:
        moved = _release_then(
            pledge,
            S.CANCELLED,
            run,
            summary,
            actor="system",
            note="campaign failed: nobody charged",
            send=emails.send_campaign_failed,
        )
        if moved is not None:
            summary.cancelled += 1


# Closing ------------------------------------------------------------------------------------


def _settled_at_close(campaign):
    """Pledges the close of `campaign` hands to a gateway (charge or release)."""
    if not rules.charges_at_close(campaign.funding_model):
        return Pledge.objects.none()
    return _online(campaign).filter(status__in=[S.COMMITTED, S.ACTION_REQUIRED])


def _left_to_settle(campaign, closing) -> bool:
    """Whether pledges the close must still handle remain (a charge in flight, a failed release)."""
    if not rules.charges_at_close(campaign.funding_model):
        return False
    if closing.outcome == CampaignStatus.SUCCEEDED:
        return _charged_at_close(campaign).exists()
    return _pledges_of(campaign).filter(status__in=[S.COMMITTED, S.ACTION_REQUIRED]).exists()


def close_campaign(campaign, *, gateway=None, gateways=None, summary: CloseSummary | None = None, now=None):
    """Close one campaign (any translation): freeze the outcome, then charge or release.

    Raises ProviderUnavailable, having changed nothing, when a provider its pledges need is not
    configured here. A cancelled campaign whose cancellation did not finish is resumed.
    """
    summary = summary or CloseSummary()
    run = _run_gateways(gateway, gateways)
    now = now or timezone.now()
    campaign = services.canonical_campaign(campaign)
    closing = CampaignClosing.objects.filter(campaign=campaign).first()
    if closing is not None and closing.finished_at:
        return closing
    if closing is not None and closing.cancelled:
        run.require(_to_settle_on_cancel(campaign))
        return _settle_cancellation(campaign, closing, run, summary, actor="system")
    run.require(_settled_at_close(campaign))
    closing = freeze_outcome(campaign)
    if rules.charges_at_close(campaign.funding_model):
        if closing.outcome == CampaignStatus.SUCCEEDED:
            _charge_all(campaign, summary, run, now)
        else:
            _cancel_all(campaign, summary, run)
    # Keep-it-all: every pledge was paid at checkout; the holder keeps what was raised.
    if _left_to_settle(campaign, closing):
        return closing  # a charge in flight elsewhere, or a card not released: the next run finishes
    with transaction.atomic():
        if closing.failed:
            matching.release_on_failure(campaign.translation_key)
        closing.finished_at = timezone.now()
        closing.save(update_fields=["finished_at"])
    summary.closed.append(f"{campaign.pk}:{closing.outcome}")
    return closing


def _overdue(now):
    """Action-required pledges past their campaign's grace period."""
    waiting = (
        Pledge.objects.filter(status=S.ACTION_REQUIRED, action_required_at__isnull=False)
        .select_related("campaign")
        .order_by("pk")
    )
    grace_by_campaign = {}
    overdue = []
    for pledge in waiting:
        if pledge.campaign_id not in grace_by_campaign:
            grace_by_campaign[pledge.campaign_id] = services.platform_rules(pledge.campaign).payment_grace_days
        if pledge.action_required_at + timedelta(days=grace_by_campaign[pledge.campaign_id]) <= now:
            overdue.append(pledge)
    return overdue


def fail_after_grace(now=None, summary: CloseSummary | None = None, *, gateway=None, gateways=None) -> int:
    """Action-required pledges left unpaid past the site's grace period: the card is released
    through the pledge's own provider, the pledge becomes failed and the backer gets an email.

    Raises ProviderUnavailable, having changed nothing, when a provider they need is missing.
    """
    now = now or timezone.now()
    summary = summary or CloseSummary()
    run = _run_gateways(gateway, gateways)
    overdue = _overdue(now)
    run.require(overdue)
    count = 0
    for pledge in overdue:
        try:
            moved = _release_then(
                pledge,
                S.FAILED,
                run,
                summary,
                actor="system",
                note="payment not completed in time",
                send=emails.send_payment_failed,
            )
        except Exception as exc:  # the email could not be enqueued: the change was rolled back
            logger.exception("pledge %s: not failed after grace", pledge.pk)
            summary.errors.append(f"pledge {pledge.pk}: {exc}")
            continue
        if moved is not None:
            count += 1
    summary.failed_after_grace += count
    return count


def close_campaigns(now=None, *, gateway=None, gateways=None) -> CloseSummary:
    """Close every campaign past its end, then fail action-required pledges past the grace period.

    Before changing anything, checks that every provider the run needs is configured here;
    otherwise raises ProviderUnavailable and changes nothing.
    """
    now = now or timezone.now()
    summary = CloseSummary()
    run = _run_gateways(gateway, gateways)
    campaigns = list(campaigns_to_close(now))
    needed = []
    for campaign in campaigns:
        closing = CampaignClosing.objects.filter(campaign=campaign).first()
        needed += _to_settle_on_cancel(campaign) if closing and closing.cancelled else _settled_at_close(campaign)
    run.require([*needed, *_overdue(now)])
    for campaign in campaigns:
        try:
            close_campaign(campaign, gateways=run, summary=summary, now=now)
        except Exception as exc:  # one campaign's trouble must not stop the others; a re-run resumes it
            logger.exception("closing campaign %s failed", campaign.pk)
            summary.errors.append(f"{campaign.pk}: {exc}")
    fail_after_grace(now, summary, gateways=run)
    return summary


# Cancelling ---------------------------------------------------------------------------------


def _to_settle_on_cancel(campaign):
    """Online pledges a cancellation hands to their gateway: refunds and released cards."""
    waiting = _online(campaign).filter(status__in=[S.PENDING, S.COMMITTED, S.ACTION_REQUIRED])
    to_refund = _online(campaign).filter(status=S.PAID, refund_id="")
    return list(waiting) + list(to_refund)


def _note_once(pledge, note, *, actor):
    """A line in the pledge's audit trail, without a change of state, written once."""
    if not PledgeEvent.objects.filter(pledge=pledge, note=note).exists():
        PledgeEvent.objects.create(
            pledge=pledge, from_status=pledge.status, to_status=pledge.status, actor=actor[:40], note=note
        )


def _refund(pledge, run, summary, *, actor):
    """Refund one paid online pledge through its provider; the refund id is stored before the
    state changes, and a pledge that has one is never refunded again (only moved)."""
    if not pledge.refund_id:
        if not pledge.payment_intent_id:
            _note_once(pledge, HAND_REFUND_NOTE, actor=actor)
            summary.hand_refunds.append(pledge.pk)
            return
        try:
            refund_id = _refund_id(run.for_pledge(pledge).refund(pledge))
        except Exception as exc:  # the provider refused or is unreachable: a re-run retries
            logger.exception("pledge %s: refund failed", pledge.pk)
            summary.errors.append(f"pledge {pledge.pk}: refund failed ({exc})")
            return
        if not refund_id:
            summary.errors.append(f"pledge {pledge.pk}: the provider returned no refund")
            return
        Pledge.objects.filter(pk=pledge.pk, refund_id="").update(refund_id=refund_id)
        pledge.refund_id = refund_id
    with transaction.atomic():
        moved = services.transition(
            pledge.pk,
            S.REFUNDED,
            actor=actor[:40],
            note="campaign cancelled: refunded",
            data={"refund_id": pledge.refund_id},
        )
        if moved is not None:
            emails.send_refund(moved)
    if moved is not None:
        summary.refunded += 1


def _cancel_one(pledge, run, summary, *, actor):
    if pledge.source != Pledge.Source.ONLINE:
        if pledge.status == S.PAID:
            summary.offline_gifts += 1  # handed back by hand, outside the platform
        return
    if pledge.status == S.PAID:
        _refund(pledge, run, summary, actor=actor)
        return
    if pledge.status == S.COMMITTED and pledge.charge_attempts > 0:
        # The close sent its charge and has not recorded the result: it may have been paid.
        summary.errors.append(
            f"pledge {pledge.pk}: a charge was sent at the close and its result is not recorded yet; "
            "re-run the cancellation later (a paid pledge is then refunded)"
        )
        return
    send = None if pledge.status == S.PENDING else emails.send_campaign_cancelled
    moved = _release_then(pledge, S.CANCELLED, run, summary, actor=actor[:40], note="campaign cancelled", send=send)
    if moved is not None:
        summary.cancelled += 1


def _settle_cancellation(campaign, closing, run, summary, *, actor):
    """Refund, cancel and release every pledge of a cancelled campaign; finish the closing when
    nothing failed. Safe to re-run."""
    errors_before = len(summary.errors)
    for pledge in _pledges_of(campaign).exclude(status__in=[S.FAILED, S.CANCELLED, S.REFUNDED]).order_by("pk"):
        try:
            _cancel_one(pledge, run, summary, actor=actor)
        except Exception as exc:  # e.g. the email could not be enqueued: that change was rolled back
            logger.exception("pledge %s: not settled at the cancellation", pledge.pk)
            summary.errors.append(f"pledge {pledge.pk}: {exc}")
    if len(summary.errors) > errors_before:
        return closing
    with transaction.atomic():
        matching.release_campaign(campaign.translation_key)  # shares of pledges that counted meanwhile
        if not closing.finished_at:
            closing.finished_at = timezone.now()
            closing.save(update_fields=["finished_at"])
    summary.closed.append(f"{campaign.pk}:{closing.outcome}")
    return closing


def cancel_campaign(
    campaign, *, actor: str, reason: str, gateway=None, gateways=None, summary: CloseSummary | None = None
) -> CloseSummary:
    """Cancel a campaign (either funding model, before or after its end), by `actor` for `reason`.

    1. Checks that every provider the pledges need is configured here (ProviderUnavailable
       otherwise, nothing changed).
    2. Marks the campaign's CampaignClosing "cancelled" (who, why): from then on it takes no
       pledge (`services.campaign_takes_pledges`); every sponsor's share is released.
    3. Refunds paid online pledges, cancels pending, committed and action-required ones and
       releases their cards, each through its own provider (`_settle_cancellation`).

    Safe to re-run, also days later: a pledge with a refund id is not refunded again.
    """
    if not (reason or "").strip():
        raise ValueError("A cancellation needs a reason.")
    summary = summary or CloseSummary()
    run = _run_gateways(gateway, gateways)
    campaign = services.canonical_campaign(campaign)
    run.require(_to_settle_on_cancel(campaign))
    raised = ledger.campaign_figures(campaign).raised_cents
    with transaction.atomic():
        closing, created = CampaignClosing.objects.select_for_update().get_or_create(
            campaign=campaign,
            defaults={
                "outcome": CampaignStatus.CANCELLED,
                "raised_cents": raised,
                "cancelled_by": actor[:150],
                "reason": reason,
            },
        )
        if not created and not closing.cancelled:
            closing.outcome = CampaignStatus.CANCELLED
            closing.cancelled_by = actor[:150]
            closing.reason = reason
            closing.finished_at = None
            closing.save(update_fields=["outcome", "cancelled_by", "reason", "finished_at"])
        matching.release_campaign(campaign.translation_key)
    _settle_cancellation(campaign, closing, run, summary, actor=actor)
    return summary


@task()
def close_campaigns_task() -> dict:
    """Schedulable form of `close_campaigns` (Django tasks). Raises ProviderUnavailable, having
    changed nothing, when a provider the pledges need is not configured where the task runs."""
    return close_campaigns().as_dict()


__all__ = [
    "CHARGE_LEASE",
    "CloseSummary",
    "Gateways",
    "campaigns_to_close",
    "cancel_campaign",
    "charge_pledge",
    "close_campaign",
    "close_campaigns",
    "close_campaigns_task",
    "fail_after_grace",
    "freeze_outcome",
]
