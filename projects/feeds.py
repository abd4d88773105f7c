"""RSS feeds: a campaign's updates (actualités); new campaigns and their updates, site-wide
(`rss/`, projects/feed_urls.py) and per theme (a theme page's `rss/` route).

Links are absolute on the site the feed is requested from: a campaign is only served
under its own site's host, and its updates are its children, so every link stays on it.
The site feed lists the request's site in the request's language only.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.apps import apps
from django.contrib.syndication.views import Feed
from django.db.models import F, QuerySet
from django.db.models.functions import Length, Substr
from django.utils.translation import gettext as _
from wagtail.models import Page

from coupdepouce.models import PlatformSettings
from coupdepouce.pages import active_locale, site_for_request, site_home, site_pages

# Newest first; a page without a recorded first publication (imported, or created live) last.
NEWEST_FIRST = (F("first_published_at").desc(nulls_last=True), "-pk")
NEVER = datetime.min.replace(tzinfo=UTC)


def _absolute(request, page):
    # `get_url` is relative when the page is on the request's site (scheme and host
    # then come from the request), absolute on its own site's root URL otherwise.
    return request.build_absolute_uri(page.get_url(request) or "/")


class CampaignUpdatesFeed(Feed):
    def get_object(self, request, campaign):
        self.request = request
        return campaign

    def title(self, campaign):
        return _("News from %(title)s") % {"title": campaign.title}

    def link(self, campaign):
        return _absolute(self.request, campaign)

    def description(self, campaign):
        return campaign.summary

    def items(self, campaign):
        return campaign.live_updates()[:20]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.intro

    def item_link(self, item):
        return _absolute(self.request, item)

    def item_pubdate(self, item):
        return item.first_published_at


@dataclass
class NewsSource:
    """What a news feed lists: `campaigns` (a queryset of live campaigns in scope) and how the
    channel presents itself (`link_page`: the page the channel links to)."""

    campaigns: QuerySet
    title: str
    link_page: Page
    description: str = ""


class NewsFeed(Feed):
    """New campaigns and the updates of those campaigns, newest first (by first publication).

    Pages models are named, not imported: this module sits below the page models.
    """

    limit = 30

    def get_object(self, request, *, campaigns, title, link_page, description=""):
        self.request = request
        return NewsSource(campaigns=campaigns, title=title, link_page=link_page, description=description)

    def title(self, source):
        return source.title

    def link(self, source):
        return _absolute(self.request, source.link_page)

    def description(self, source):
        return source.description

    def items(self, source):
        """Campaigns and updates, merged by first publication: three queries, whatever the size."""
        update_model = apps.get_model("projects", "CampaignUpdatePage")
        # Plain rows of the campaigns in scope (whatever the source queryset annotates).
        campaigns = source.campaigns.model.objects.live().public().filter(pk__in=source.campaigns.values("pk"))
        newest = list(campaigns.order_by(*NEWEST_FIRST)[: self.limit])
        updates = list(
            update_model.objects.live()
            .public()
            .annotate(parent_path=Substr("path", 1, Length("path") - Page.steplen))
            .filter(parent_path__in=campaigns.values("path"))
            .order_by(*NEWEST_FIRST)[: self.limit]
        )
        titles = {}
        if updates:
            parents = campaigns.filter(path__in={update.parent_path for update in updates})
            titles = dict(parents.values_list("path", "title"))
        for update in updates:
            update.feed_campaign_title = titles.get(update.parent_path, "")
        items = newest + updates
        items.sort(key=lambda item: (item.first_published_at or NEVER, item.pk), reverse=True)
        return items[: self.limit]

    def item_title(self, item):
        if hasattr(item, "feed_campaign_title"):
            return _("%(campaign)s: %(title)s") % {"campaign": item.feed_campaign_title, "title": item.title}
        return _("New campaign: %(title)s") % {"title": item.title}

    def item_description(self, item):
        return getattr(item, "summary", "") or getattr(item, "intro", "")

    def item_link(self, item):
        return _absolute(self.request, item)

    def item_pubdate(self, item):
        return item.first_published_at


class SiteNewsFeed(NewsFeed):
    """The site-wide feed (`rss/`): the request's site, in the request's language."""

    def get_object(self, request):
        site = site_for_request(request)
        locale = active_locale()
        campaign_model = apps.get_model("projects", "CampaignPage")
        campaigns = campaign_model.objects.filter(pk__in=site_pages(site, locale=locale).values("pk"))
        name = PlatformSettings.for_site(site).platform_name if site else ""
        return super().get_object(
            request,
            campaigns=campaigns,
            title=_("%(site)s: new campaigns and news") % {"site": name},
            link_page=site_home(site, locale),
            description=_("New crowdfunding campaigns and their news."),
        )
