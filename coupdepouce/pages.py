"""Helpers every page app uses: live related pages, and the site and home page a request is on.

Public lists are scoped to the request's `Site` and language: a page belongs to a site when
it sits under that site's home page in the active locale (`site_home`).
"""

from django.db import models
from wagtail.models import Locale, Page, Site


def live_pages(related):
    """The live pages of a ParentalManyToManyField (themes of a campaign or a call), in tree order.

    A saved page gives a queryset (one query); a preview gives the form's in-memory
    FakeQuerySet, which has no `live()`.
    """
    if isinstance(related, models.QuerySet):
        return list(related.live().order_by("path"))
    return sorted((page for page in related if page.live), key=lambda page: page.path)


def active_locale():
    try:
        return Locale.get_active()
    except Locale.DoesNotExist:
        return Locale.get_default()


def site_for_request(request):
    """The Wagtail `Site` serving `request` (cached on the request by Wagtail), or the default site."""
    site = Site.find_for_request(request) if request is not None else None
    if site is None:
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    return site


def site_home(site, locale=None):
    """The site's home page in `locale` (the active one by default), or its root when untranslated."""
    if site is None:
        return None
    root = site.root_page
    locale = locale or active_locale()
    if root.locale_id == locale.pk:
        return root
    return root.get_translation_or_none(locale) or root


def home_of(page):
    """The home page (depth 2) of the tree `page` belongs to, without a query."""
    if page is None or not getattr(page, "path", None) or page.depth < 2:
        return None
    return page.path[: Page.steplen * 2]
