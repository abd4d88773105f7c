"""Signal receivers of the payments app, connected in `PaymentsConfig.ready`.

The page cache (`coupdepouce.page_cache`) keeps a page no longer than the next moment a pending
checkout stops holding its reward (`rules.holding_q`): a sold-out reward shows as available again
then, with no save to purge it.
"""

from django.db.models import Min

from coupdepouce import page_cache
from payments.models import Pledge
from payments.rules import PledgeStatus


def next_hold_expiry(sender, now, **kwargs):
    """When the next pending checkout that holds a reward expires (None if none does)."""
    pending = Pledge.objects.filter(status=PledgeStatus.PENDING, expires_at__gt=now, reward__isnull=False)
    return pending.aggregate(next=Min("expires_at"))["next"]


def connect():
    page_cache.next_change.connect(next_hold_expiry, dispatch_uid="payments.next_hold_expiry")
