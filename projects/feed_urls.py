"""The site-wide RSS feed of new campaigns and updates (projects/feeds.py), at `rss/` in each language."""

from django.urls import path

from projects.feeds import SiteNewsFeed

app_name = "feeds"

urlpatterns = [path("rss/", SiteNewsFeed(), name="site")]
