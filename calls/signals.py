"""Signal receivers of the calls app, connected in `CallsConfig.ready`.

The page cache (`coupdepouce.page_cache`) keeps a page no longer than the next moment a live call
for projects opens or closes (its status, its "Apply" button, the lists of open calls).
"""

from django.db.models import Min, Q

from calls.models import CallForProjectsPage
from coupdepouce import page_cache


def next_call_change(sender, now, **kwargs):
    """When the next live call opens or closes (None if none will); one query."""
    dates = CallForProjectsPage.objects.live().aggregate(
        opens=Min("opens_at", filter=Q(opens_at__gt=now)), closes=Min("closes_at", filter=Q(closes_at__gt=now))
    )
    return min((moment for moment in dates.values() if moment is not None), default=None)


def connect():
    page_cache.next_change.connect(next_call_change, dispatch_uid="calls.next_call_change")
