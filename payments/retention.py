"""How long payment data is kept, and its removal (`manage.py purge_payment_data`, run daily).

- Stripe events (`WebhookEvent`) are kept whole for `PlatformSettings.webhook_retention_days`
  after they were received, then reduced to `{"id": ..., "type": ...}`: the row still makes a
  replay of the event a no-op, but the copy of the customer's details is gone. Events are not
  per site: the shortest period of all sites applies.
- Pledges that never became money, `cancelled` and `failed` (an expired checkout is cancelled),
  lose the backer's personal data `pledge_data_retention_days` (of their campaign's site) after
  their last activity (the later of their last event and their last change): name, email,
  public name, message, the postal address given for a tax receipt, the provider's customer
  and card ids; `personal_data_erased_at` is set. Amount, status, dates, reward and payment
  ids stay, for statistics and reconciliation. (A pledge that never became money has no tax
  receipt; receipts are never purged, see docs/receipts.md.)
- Paid, committed, action-required, refunded and pending pledges are never touched here: they
  are the accounting (pending ones expire first, then count from then).

Idempotent: what was reduced or erased is not counted again. `dry_run` counts, changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Max
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from wagtail.models import Site

from coupdepouce import page_cache
from coupdepouce.models import PlatformSettings
from payments import personal_data, services
from payments.interface import campaign_model
from payments.models import Pledge, WebhookEvent
from payments.rules import PledgeStatus

# Pledges whose personal data go after the retention period: they never became money.
ERASABLE_STATUSES = (PledgeStatus.CANCELLED, PledgeStatus.FAILED)
# What an erased pledge keeps of the backer: nothing (what closing an account erases, and the
# provider's customer and card ids, useless once the pledge never became money).
ERASED_FIELDS = {**personal_data.ERASED_FIELDS, "customer_id": "", "payment_method_id": ""}
BATCH = 500


@dataclass
class PurgeReport:
    webhook_events: int = 0
    pledges: int = 0


def reduced_payload(event) -> dict:
    """What is kept of a provider event after its retention period."""
    return {"id": (event.payload or {}).get("id") or event.event_id, "type": event.type}


def webhook_retention_days() -> int:
    """The shortest webhook retention of all sites (events do not belong to one site)."""
    days = [PlatformSettings.for_site(site).webhook_retention_days for site in Site.objects.all()]
    return min(days) if days else PlatformSettings._meta.get_field("webhook_retention_days").default


def reduce_webhook_events(*, now=None, dry_run=False) -> int:
    """Reduce the payloads of events received before the retention period; how many were (or would be)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=webhook_retention_days())
    count = 0
    batch = []
    events = WebhookEvent.objects.filter(received_at__lt=cutoff).only("pk", "event_id", "type", "payload")
    for event in events.order_by("pk").iterator(chunk_size=BATCH):
        payload = reduced_payload(event)
        if event.payload == payload:
            continue  # already reduced
        count += 1
        event.payload = payload
        batch.append(event)
        if len(batch) >= BATCH:
            if not dry_run:
                WebhookEvent.objects.bulk_update(batch, ["payload"])
            batch = []
    if batch and not dry_run:
        WebhookEvent.objects.bulk_update(batch, ["payload"])
    return count


def erasable_pledges():
    """Cancelled and failed pledges whose personal data are still there."""
    return Pledge.objects.filter(status__in=ERASABLE_STATUSES, personal_data_erased_at__isnull=True)


def pledges_due(now=None):
    """The erasable pledges past the retention period of their campaign's site (a queryset of pks per site)."""
    now = now or timezone.now()
    candidates = erasable_pledges().annotate(
        last_activity=Greatest(F("updated_at"), Coalesce(Max("events__created_at"), F("updated_at")))
    )
    campaign_ids = set(candidates.values_list("campaign_id", flat=True).distinct())
    due = []
    for campaign in campaign_model().objects.filter(pk__in=campaign_ids):
        days = services.platform_rules(campaign).pledge_data_retention_days
        cutoff = now - timedelta(days=days)
        due.extend(candidates.filter(campaign_id=campaign.pk, last_activity__lt=cutoff).values_list("pk", flat=True))
    return due


def erase_pledges(*, now=None, dry_run=False) -> int:
    """Remove the backers' personal data of the pledges due; how many were (or would be)."""
    now = now or timezone.now()
    due = pledges_due(now)
    if dry_run or not due:
        return len(due)
    erased = 0
    for start in range(0, len(due), BATCH):
        with transaction.atomic():
            # A queryset update: `updated_at` keeps the date of the last real change. The status
            # filter again: a pledge that moved meanwhile is not erased.
            erased += (
                erasable_pledges()
                .filter(pk__in=due[start : start + BATCH])
                .update(**ERASED_FIELDS, personal_data_erased_at=now)
            )
    if erased:
        page_cache.clear()  # stored pages and backer lists may name them (an update sends no signal)
    return erased


def purge(*, now=None, dry_run=False) -> PurgeReport:
    """Reduce old provider events and erase old unfinished pledges' personal data. Idempotent."""
    now = now or timezone.now()
    return PurgeReport(
        webhook_events=reduce_webhook_events(now=now, dry_run=dry_run),
        pledges=erase_pledges(now=now, dry_run=dry_run),
    )


__all__ = [
    "ERASABLE_STATUSES",
    "ERASED_FIELDS",
    "PurgeReport",
    "erasable_pledges",
    "erase_pledges",
    "pledges_due",
    "purge",
    "reduce_webhook_events",
    "reduced_payload",
    "webhook_retention_days",
]
