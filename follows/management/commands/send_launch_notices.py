"""`manage.py send_launch_notices` (cron, every 15 minutes): "the campaign is open" to the
followers who asked to be told, once.

A follow is due when it is confirmed, asked for the launch (`notify_launch`), was not told
yet, and its campaign (any translation) is published, started and not ended. Each notice is
claimed (`launch_notified_at` set where it was empty) in the same transaction as the
enqueuing of its email: running the command again, or twice at once, sends nothing more.
"""

import logging

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus

from follows.emails import send_launch_notice
from follows.models import Follow
from payments.interface import campaign_model

logger = logging.getLogger(__name__)


class SendingFailed(Exception):
    """The email task failed at once (a backend that runs tasks immediately)."""


def due_follows(now):
    open_keys = (
        campaign_model().objects.live().filter(start_at__lte=now, end_at__gt=now).values("translation_key")
    )
    return Follow.objects.filter(
        status=Follow.Status.CONFIRMED,
        notify_launch=True,
        launch_notified_at__isnull=True,
        campaign_key__in=open_keys,
    ).select_related("campaign")


def send_launch_notices(now=None) -> int:
    """Send the due launch notices; returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    for follow in due_follows(now).order_by("pk"):
        try:
            sent += notify(follow, now)
        except Exception:
            # Rolled back: the next run tries again.
            logger.exception("launch notice to follow %s not sent", follow.pk)
    return sent


def notify(follow, now) -> bool:
    """Claim the follow's launch notice and enqueue it, together; False when already claimed."""
    with transaction.atomic():
        claimed = Follow.objects.filter(pk=follow.pk, launch_notified_at__isnull=True).update(launch_notified_at=now)
        if not claimed:
            return False
        if send_launch_notice(follow, follow.campaign).status == TaskResultStatus.FAILED:
            raise SendingFailed(follow.email)
    return True


class Command(BaseCommand):
    help = "Email followers who asked to be told when a campaign opens (once each; run it from cron)."

    def handle(self, *args, **options):
        sent = send_launch_notices()
        self.stdout.write(f"{sent} launch notice(s) sent")
