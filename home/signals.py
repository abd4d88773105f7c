"""Signal receivers of the home app, connected in `HomeConfig.ready`.

The page cache (`coupdepouce.page_cache`) keeps a home page no longer than the next moment a
feature ("À la Une") starts or stops being shown by its dates.
"""

from django.db.models import Min, Q

from coupdepouce import page_cache
from home.models import HomeFeature


def next_feature_change(sender, now, **kwargs):
    """When the next feature appears or disappears (None if none is scheduled); one query."""
    dates = HomeFeature.objects.aggregate(
        starts=Min("start_at", filter=Q(start_at__gt=now)), ends=Min("end_at", filter=Q(end_at__gt=now))
    )
    return min((moment for moment in dates.values() if moment is not None), default=None)


def connect():
    page_cache.next_change.connect(next_feature_change, dispatch_uid="home.next_feature_change")
