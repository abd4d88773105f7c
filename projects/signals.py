"""Signal handlers of the projects app, connected in `ProjectsConfig.ready`.

The page cache (`coupdepouce.page_cache`) purges, with a campaign, the pages that show its card
and figures: its project index, its themes, its home page and the call it came from.

Publishing a campaign update (actualité) emails the campaign's followers and backers:
`follows.services.announce_update` announces each update once (its first publication) and
emails each recipient once, through the task queue.
"""

from django.db.models import Min, Q
from django.db.models.signals import post_delete, post_save
from wagtail.models import Page
from wagtail.signals import page_published

from coupdepouce import page_cache
from coupdepouce.pages import content_cached
from follows import services as follow_services
from projects.models import CampaignPage, CampaignUpdatePage, Territory


def announce_update(sender, instance, **kwargs):
    follow_services.announce_update(instance)


def _pages_showing(page):
    above = Q(path=page.path[: -Page.steplen]) | Q(path=page.path[: Page.steplen * 2])
    others = Q(pk__in=[theme.pk for theme in page.themes.all()])
    if page.source_call_id:
        others |= Q(pk=page.source_call_id)
    return list(Page.objects.filter(above | others))


def pages_showing_campaign(sender, page, published=False, **kwargs):
    """The pages that show `page` if it is a campaign: its index, home, themes and call. Read
    afresh when it is published (its themes may have changed; a revision's are in memory), else
    cached until a page changes (every pledge asks)."""
    if not isinstance(page, CampaignPage) or not page.path:
        return []
    if published:
        return _pages_showing(page)
    return content_cached("pages-showing-campaign", [page.pk], lambda: _pages_showing(page))


def next_campaign_change(sender, now, **kwargs):
    """When the next live campaign opens or closes: its page, cards and the lists change then (one query)."""
    dates = CampaignPage.objects.live().aggregate(
        starts=Min("start_at", filter=Q(start_at__gt=now)), ends=Min("end_at", filter=Q(end_at__gt=now))
    )
    return min((moment for moment in dates.values() if moment is not None), default=None)


def territory_changed(sender, instance, raw=False, **kwargs):
    """A territory's name shows on every card of its campaigns: forget every stored page."""
    if not raw:
        page_cache.clear()


def connect():
    page_published.connect(announce_update, sender=CampaignUpdatePage, dispatch_uid="projects.announce_update")
    page_cache.pages_showing.connect(pages_showing_campaign, dispatch_uid="projects.pages_showing_campaign")
    page_cache.next_change.connect(next_campaign_change, dispatch_uid="projects.next_campaign_change")
    post_save.connect(territory_changed, sender=Territory, dispatch_uid="projects.territory_saved")
    post_delete.connect(territory_changed, sender=Territory, dispatch_uid="projects.territory_deleted")
