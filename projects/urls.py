"""Projects' pages outside the page tree (inside the language prefixes): the holders' "Mon
projet" (projects/workspace.py) and the site-wide RSS feed (projects/feeds.py)."""

from django.urls import path  # noqa: F401

app_name = "projects"

urlpatterns = []
