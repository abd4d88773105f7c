"""Reconciliation with Stripe: apply what the webhook missed (`manage.py reconcile_payments`).

A webhook can be lost (the site was down for longer than Stripe retries, the endpoint was
misconfigured, a release failed while Stripe was unreachable). Each run:

1. lists Stripe's events of the types the webhook handles, created since the last run (minus
   `OVERLAP`, for clocks and for events Stripe lists late; Stripe keeps 30 days of events),
   oldest first, and passes each through the webhook's own path (`webhooks.process_event`):
   an event id already in `WebhookEvent` is skipped, so nothing is applied twice;
2. re-reads the Checkout Session of every Stripe pledge still `pending` after `stale_after`,
   and the PaymentIntent of every `committed` or `action_required` pledge that has one
   (a charge whose outcome never arrived), and applies them;
3. gives back money still held for pledges that take none (a refund or card release that
   failed: `webhooks.pending_releases`);
4. re-reads the payout accounts that cannot take charges yet (`account.updated` comes from the
   connected accounts and is not in the platform's event list).

The high-water mark — when the last complete run started listing — is a row of its own in
`WebhookEvent` (`MARK_EVENT_ID`, its `received_at`), so no model is needed. It moves only when
every listed event was processed: after an error the next run lists the same events again.
(The newest stored event would not do as a mark: a webhook delivered now says nothing of an
older event whose delivery failed.) Running twice in a row applies nothing the second time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from payments import webhooks
from payments.gateway import GatewayError
from payments.models import PayoutAccount, Pledge, WebhookEvent
from payments.rules import PledgeStatus as S
from payments.stripe_gateway import StripeGateway

logger = logging.getLogger(__name__)

ACTOR = "reconcile"
# The row of WebhookEvent whose `received_at` is the high-water mark (Stripe ids start with evt_).
MARK_EVENT_ID = "reconcile:last-run"
MARK_TYPE = "reconcile.run"
# Events created this long before the last run are listed again (already processed: skipped).
OVERLAP = timedelta(hours=1)
# A pledge is re-read when Stripe has said nothing about it for this long.
STALE_AFTER = timedelta(minutes=15)
EVENT_TYPES = sorted(webhooks.HANDLERS)


@dataclass
class Report:
    since: object = None
    events_listed: int = 0
    events_processed: int = 0
    pledges_checked: int = 0
    pledges_changed: int = 0
    releases: int = 0
    accounts_checked: int = 0
    errors: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "since": self.since.isoformat() if self.since else None,
            "events_listed": self.events_listed,
            "events_processed": self.events_processed,
            "pledges_checked": self.pledges_checked,
            "pledges_changed": self.pledges_changed,
            "releases": self.releases,
            "accounts_checked": self.accounts_checked,
            "errors": len(self.errors),
        }


def last_run():
    """When the last complete run started listing events, or None."""
    return WebhookEvent.objects.filter(event_id=MARK_EVENT_ID).values_list("received_at", flat=True).first()


def _store_mark(started_at):
    mark, created = WebhookEvent.objects.get_or_create(
        event_id=MARK_EVENT_ID, defaults={"type": MARK_TYPE, "payload": {}}
    )
    WebhookEvent.objects.filter(pk=mark.pk).update(
        received_at=started_at, payload={"listed_until": started_at.isoformat()}
    )


def reconcile(*, now=None, stale_after=STALE_AFTER, overlap=OVERLAP) -> Report:
    """One run (see the module docstring). Never inside a transaction: it calls Stripe."""
    now = now or timezone.now()
    report = Report()
    gateway = StripeGateway()
    previous = last_run()
    report.since = previous - overlap if previous is not None else None
    started_at = timezone.now()
    _apply_events(gateway, report)
    if not report.errors:
        _store_mark(started_at)
    _recheck_pledges(report, now - stale_after)
    _retry_releases(report)
    _recheck_accounts(gateway, report)
    return report


def _apply_events(gateway, report):
    created_after = int(report.since.timestamp()) if report.since is not None else None
    try:
        events = gateway.list_events(created_after=created_after, types=EVENT_TYPES)
    except GatewayError as error:
        report.errors.append(f"listing events: {error}")
        return
    report.events_listed = len(events)
    # Stripe lists the newest first: apply in the order they happened.
    for event in sorted(events, key=lambda evt: evt.created):
        try:
            outcome = webhooks.process_event(event)
        except GatewayError as error:
            logger.warning("reconcile: event %s %s not processed: %s", event.type, event.id, error)
            report.errors.append(f"{event.type} {event.id}: {error}")
            continue
        if outcome == webhooks.APPLIED:
            report.events_processed += 1
            logger.info("reconcile: applied %s %s", event.type, event.id)


def _recheck_pledges(report, before):
    stale = (
        Pledge.objects.filter(provider="stripe")
        .filter(
            Q(status=S.PENDING, created_at__lt=before) & ~Q(checkout_id="")
            | Q(status__in=(S.COMMITTED, S.ACTION_REQUIRED), updated_at__lt=before) & ~Q(payment_intent_id="")
        )
        .order_by("pk")
    )
    for pledge in stale:
        report.pledges_checked += 1
        status = pledge.status
        try:
            if status == S.PENDING:
                webhooks.sync_checkout(pledge, actor=ACTOR)
            else:
                webhooks.sync_payment_intent(pledge, actor=ACTOR)
        except GatewayError as error:
            report.errors.append(f"pledge {pledge.pk}: {error}")
            continue
        if pledge.status != status:
            report.pledges_changed += 1
            logger.info("reconcile: pledge %s %s → %s", pledge.pk, status, pledge.status)


def _retry_releases(report):
    for pledge_id in webhooks.pending_releases():
        if webhooks.release_money(pledge_id):
            report.releases += 1
        else:
            report.errors.append(f"pledge {pledge_id}: money still to give back")


def _recheck_accounts(gateway, report):
    accounts = PayoutAccount.objects.exclude(stripe_account_id="").filter(charges_enabled=False)
    for account_id in accounts.values_list("stripe_account_id", flat=True).distinct():
        report.accounts_checked += 1
        try:
            webhooks.apply_account(gateway.retrieve_account(account_id))
        except GatewayError as error:
            report.errors.append(f"account {account_id}: {error}")
