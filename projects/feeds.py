"""RSS feed of a campaign's updates (actualités)."""

from django.contrib.syndication.views import Feed
from django.utils.translation import gettext as _


class CampaignUpdatesFeed(Feed):
    def get_object(self, request, campaign):
        self.request = request
        return campaign

    def title(self, campaign):
        return _("News from %(title)s") % {"title": campaign.title}

    def link(self, campaign):
        return campaign.get_url(self.request)

    def description(self, campaign):
        return campaign.summary

    def items(self, campaign):
        return campaign.live_updates()[:20]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.intro

    def item_link(self, item):
        return item.get_url(self.request)

    def item_pubdate(self, item):
        return item.first_published_at
