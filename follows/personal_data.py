"""What follows holds about a person: the campaigns they follow (or stopped hearing from)
and the record of the update emails sent to them, found by their verified addresses.

- Export (`EXPORT_HOOK`): a `follows` section, one entry per campaign.
- Erasure (`ERASE_HOOK`): the rows are deleted. (Their pledges lose their address in the same
  closing, so no backer's address is left to write to.)

Wagtail loads hooks from `follows/wagtail_hooks.py`, which imports this module.
"""

from django.db.models import Q
from wagtail import hooks

from accounts.personal_data import ERASE_HOOK, EXPORT_HOOK, verified_emails
from follows.models import Follow, UpdateDelivery


def follows_of(user):
    addresses = verified_emails(user)
    return Follow.objects.filter(Q(email__in=addresses) | Q(user=user)) if user.pk else Follow.objects.none()


@hooks.register(EXPORT_HOOK)
def export_follows(user) -> dict:
    rows = follows_of(user).select_related("campaign").order_by("created_at", "pk")
    return {
        "follows": [
            {
                "campaign": follow.campaign.title,
                "email": follow.email,
                "status": follow.status,
                "notify_launch": follow.notify_launch,
                "language": follow.language,
                "created_at": follow.created_at,
                "confirmed_at": follow.confirmed_at,
                "unsubscribed_at": follow.unsubscribed_at,
                "launch_notified_at": follow.launch_notified_at,
            }
            for follow in rows
        ],
        "update_emails": [
            {"update": delivery.update.title, "email": delivery.email, "sent_at": delivery.sent_at}
            for delivery in UpdateDelivery.objects.filter(email__in=verified_emails(user))
            .select_related("update")
            .order_by("created_at", "pk")
        ],
    }


@hooks.register(ERASE_HOOK)
def erase_follows(user) -> None:
    addresses = verified_emails(user)
    follows_of(user).delete()
    UpdateDelivery.objects.filter(email__in=addresses).delete()
