"""The fan-out of an update to its campaign's followers and backers (django-tasks).

`announce_update_task(page_id)` records one `UpdateDelivery` per recipient (unique per
update and address: a second run adds none), then sends each delivery not sent yet. Each
delivery is claimed by a conditional UPDATE (`sent_at` set where it was empty) in the same
transaction as the enqueuing of its email, so that two runs, even concurrent ones, never
send one address the same update twice; when sending fails, the transaction rolls the claim
back and a later attempt of the task picks the delivery up.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from wagtail.models import Page

from follows.audience import recipients
from follows.emails import send_update, update_email
from follows.models import UpdateDelivery

logger = logging.getLogger(__name__)

# Minutes before the next attempt at deliveries whose sending failed, then given up (logged).
RETRY_MINUTES = (5, 30, 120)


def pending_deliveries(update_key) -> list[UpdateDelivery]:
    """The update's deliveries not sent (nor claimed) yet."""
    return list(
        UpdateDelivery.objects.filter(update_key=update_key, sent_at__isnull=True).order_by("pk")
    )


class SendingFailed(Exception):
    """The email task failed at once (a backend that runs tasks immediately)."""


def send_delivery(delivery: UpdateDelivery, prepared) -> bool:
    """Claim the delivery and enqueue its email, together; False when another run claimed it.

    When enqueuing fails, or the email task ran at once and failed, the claim is rolled back.
    (Queued emails retry on their own: `coupdepouce.tasks.send_email_task`.)
    """
    with transaction.atomic():
        claimed = UpdateDelivery.objects.filter(pk=delivery.pk, sent_at__isnull=True).update(sent_at=timezone.now())
        if not claimed:
            return False
        result = send_update(prepared, delivery.email)
        if result.status == TaskResultStatus.FAILED:
            raise SendingFailed(delivery.email)
    return True


@task()
def announce_update_task(page_id: int, attempt: int = 1) -> int:
    """Email the update (a page id) to each recipient once; returns how many emails this run sent."""
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return 0
    update = page.specific
    campaign = update.get_parent().specific
    key = update.translation_key
    UpdateDelivery.objects.bulk_create(
        [
            UpdateDelivery(update=update, update_key=key, email=person.email, language=person.language)
            for person in recipients(campaign)
        ],
        ignore_conflicts=True,
    )
    prepared = {}
    sent = failed = 0
    for delivery in pending_deliveries(key):
        if delivery.language not in prepared:
            prepared[delivery.language] = update_email(update, delivery.language)
        try:
            sent += send_delivery(delivery, prepared[delivery.language])
        except Exception:
            failed += 1
            logger.exception("update %s: email to %s not sent (attempt %s)", page_id, delivery.email, attempt)
    if failed:
        _retry(page_id, attempt, failed)
    return sent


def _retry(page_id: int, attempt: int, failed: int) -> None:
    backend = announce_update_task.get_backend()
    if attempt <= len(RETRY_MINUTES) and backend.supports_defer:
        delay = timedelta(minutes=RETRY_MINUTES[attempt - 1])
        announce_update_task.using(run_after=timezone.now() + delay).enqueue(page_id=page_id, attempt=attempt + 1)
        logger.warning("update %s: %s emails not sent; next attempt in %s", page_id, failed, delay)
    else:
        logger.error("update %s: %s emails not sent, given up after attempt %s", page_id, failed, attempt)
