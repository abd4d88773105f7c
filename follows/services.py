"""Following a campaign, hearing back, and stopping: the rules, once.

- `request_follow`: "Suivre ce projet" / "Prévenez-moi du lancement" records a pending
  follow and emails a confirmation link (double opt-in). An address that already follows
  gets no second row (it is told by email); one that unsubscribed follows again only once it
  confirms the new link.
- `confirm`, `unsubscribe`: what the signed links do (`follows.tokens`). Unsubscribing works
  for followers and backers alike: it leaves a row with `unsubscribed_at` that keeps the
  address out of `recipients` from then on, even after a later pledge.
- `announce_update`: called when a campaign update is published (any language); only the
  first publication of an update (its `translation_key`) is announced, by the task queue
  (`follows.tasks`).
- `recipients`, `follower_count`, `unsubscribe_url`: from `follows.audience` and `follows.emails`.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from follows import emails
from follows.audience import Recipient, campaign_for_key, follower_count, recipients
from follows.emails import unsubscribe_url
from follows.models import Follow, UpdateAnnouncement
from follows.tasks import announce_update_task
from follows.tokens import InvalidToken, normalize_email, read_confirm_token
from payments.rules import CampaignStatus


def is_upcoming(campaign) -> bool:
    return campaign.figures.status == CampaignStatus.UPCOMING


@transaction.atomic
def request_follow(campaign, email: str, *, language: str, user=None) -> Follow:
    """Record the request of `email` to follow `campaign` and email them; returns the row.

    New address, pending or unsubscribed one: the row is (again) pending, with the campaign,
    language and launch alert of this request, and a confirmation link is sent. An address
    that already follows: nothing changes but the launch alert, and an email says it follows.
    """
    email = normalize_email(email)
    upcoming = is_upcoming(campaign)
    follow, _created = Follow.objects.select_for_update().get_or_create(
        campaign_key=campaign.translation_key,
        email=email,
        defaults={"campaign": campaign, "language": language, "notify_launch": upcoming},
    )
    if user is not None and user.is_authenticated and normalize_email(user.email) == email:
        follow.user = user
    if follow.status == Follow.Status.CONFIRMED:
        if upcoming and follow.launch_notified_at is None:
            follow.notify_launch = True
        follow.save(update_fields=["notify_launch", "user"])
        emails.send_already_following(follow, campaign)
        return follow
    follow.campaign = campaign
    follow.language = language
    follow.notify_launch = upcoming
    follow.status = Follow.Status.PENDING
    follow.save()
    emails.send_confirmation(follow, campaign)
    return follow


@transaction.atomic
def confirm(token: str) -> Follow:
    """Confirm the follow a link was sent for; raises InvalidToken (forged, expired, or a link
    older than the address's last unsubscribe). Confirming twice is harmless."""
    campaign_key, email, issued_at = read_confirm_token(token)
    follow = Follow.objects.select_for_update().filter(campaign_key=campaign_key, email=email).first()
    if follow is None:
        raise InvalidToken()
    if follow.status == Follow.Status.CONFIRMED:
        return follow
    if follow.status != Follow.Status.PENDING or (
        follow.unsubscribed_at is not None and issued_at <= follow.unsubscribed_at.timestamp()
    ):
        raise InvalidToken(expired=True)
    follow.status = Follow.Status.CONFIRMED
    follow.confirmed_at = timezone.now()
    follow.unsubscribed_at = None
    follow.save(update_fields=["status", "confirmed_at", "unsubscribed_at"])
    return follow


@transaction.atomic
def unsubscribe(campaign_key, email: str) -> Follow | None:
    """Stop all news of the campaign to `email`, follower or backer; None when the campaign
    no longer exists. Unsubscribing twice is harmless (the first date stays)."""
    email = normalize_email(email)
    follow = Follow.objects.select_for_update().filter(campaign_key=campaign_key, email=email).first()
    if follow is None:
        campaign = campaign_for_key(campaign_key)
        if campaign is None:
            return None
        follow, _created = Follow.objects.get_or_create(
            campaign_key=campaign_key, email=email, defaults={"campaign": campaign}
        )
    if follow.status == Follow.Status.UNSUBSCRIBED and follow.unsubscribed_at is not None:
        return follow
    follow.status = Follow.Status.UNSUBSCRIBED
    follow.unsubscribed_at = timezone.now()
    follow.save(update_fields=["status", "unsubscribed_at"])
    return follow


def announce_update(update_page) -> bool:
    """Announce a published campaign update to followers and backers, once per update
    (whichever translation is published first); True when this call announced it.

    The announcement row and the task are written in the caller's transaction (the publication's).
    """
    with transaction.atomic():
        created = mark_announced(update_page)
        if created:
            announce_update_task.enqueue(page_id=update_page.pk)
    return created


def mark_announced(update_page) -> bool:
    """Record that `update_page` (every translation of it) was announced, without emailing anyone:
    its later publications announce nothing. True when this call recorded it."""
    _row, created = UpdateAnnouncement.objects.get_or_create(
        update_key=update_page.translation_key, defaults={"update_id": update_page.pk}
    )
    return created


__all__ = [
    "InvalidToken",
    "Recipient",
    "announce_update",
    "mark_announced",
    "confirm",
    "follower_count",
    "recipients",
    "request_follow",
    "unsubscribe",
    "unsubscribe_url",
]
