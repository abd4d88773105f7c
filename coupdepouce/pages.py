"""Helpers every page app uses: live related pages, and the site and home page a request is on.

Public lists are scoped to the request's `Site` and language: a page belongs to a site when
it sits under that site's home page in the active locale (`site_home`).
"""

from django.conf import settings
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


def site_homes(site):
    """The site's home page in every locale: its root page and the root's translations."""
    if site is None:
        return Page.objects.none()
    return site.root_page.get_translations(inclusive=True)


def site_pages(site, *, locale=None):
    """Live, public pages of `site`, in every locale or only in `locale` (two queries to build it).

    A site's pages are those under its home pages: the English home is a translation of
    the site root, not a descendant of it, so each locale's tree is matched by its path.
    The tree of another site whose home sits below this one's is left out.
    """
    homes = site_homes(site)
    if locale is not None:
        homes = homes.filter(locale=locale)
    paths = list(homes.values_list("path", flat=True))
    if not paths:
        return Page.objects.none()
    under = models.Q()
    for path in paths:
        under |= models.Q(path__startswith=path)
    other_roots = Site.objects.exclude(root_page__translation_key=site.root_page.translation_key).values(
        "root_page__translation_key"
    )
    nested = Page.objects.filter(under, translation_key__in=other_roots).exclude(path__in=paths)
    pages = Page.objects.live().public().filter(under)
    for path in nested.values_list("path", flat=True):
        pages = pages.exclude(path__startswith=path)
    return pages


def site_root_url(page):
    """Scheme and host (no trailing slash) of the site `page` belongs to, for absolute links.

    A page outside every site's tree gets the default site's root URL; with no site at all,
    WAGTAILADMIN_BASE_URL.
    """
    parts = page.get_url_parts() if page is not None else None
    if parts is not None and parts[1]:
        return parts[1].rstrip("/")
    site = Site.objects.filter(is_default_site=True).first()
    if site is not None:
        return site.root_url.rstrip("/")
    return getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
