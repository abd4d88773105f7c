"""RSS feed of a campaign's updates (actualités).

Links are absolute on the site the feed is requested from: a campaign is only served
under its own site's host, and its updates are its children, so every link stays on it.
"""

from django.contrib.syndication.views import Feed
from django.utils.translation import gettext as _


class CampaignUpdatesFeed(Feed):
    def get_object(self, request, campaign):
        self.request = request
        return campaign

    def _absolute(self, page):
        # `get_url` is relative when the page is on the request's site (scheme and host
        # then come from the request), absolute on its own site's root URL otherwise.
        return self.request.build_absolute_uri(page.get_url(self.request) or "/")

    def title(self, campaign):
        return _("News from %(title)s") % {"title": campaign.title}

    def link(self, campaign):
        return self._absolute(campaign)

    def description(self, campaign):
        return campaign.summary

    def items(self, campaign):
        return campaign.live_updates()[:20]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.intro

    def item_link(self, item):
        return self._absolute(item)

    def item_pubdate(self, item):
        return item.first_published_at
