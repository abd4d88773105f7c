"""Helpers every page app uses: live related pages, and the site and home page a request is on.

Public lists are scoped to the request's `Site` and language: a page belongs to a site when
it sits under that site's home page in the active locale (`site_home`).
"""

import hashlib
from uuid import uuid4

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.http import Http404
from django.utils.translation import get_language
from wagtail.models import Locale, Page, Site

# What every public page shows around its content (menus, settings, translations, breadcrumbs,
# locales) is cached under keys that carry this generation; any change to pages, menus, settings,
# sites, locales or view restrictions draws a new generation (`invalidate_chrome`, connected in
# `coupdepouce/models.py`), so nothing cached outlives a change.
CHROME_GENERATION_KEY = "coupdepouce:chrome-generation"
CHROME_TIMEOUT = 60 * 60
_MISSING = object()


def chrome_generation():
    """The current generation of the cached page surroundings (one cache read, no query)."""
    generation = cache.get(CHROME_GENERATION_KEY)
    if generation is None:
        cache.add(CHROME_GENERATION_KEY, uuid4().hex, None)
        generation = cache.get(CHROME_GENERATION_KEY) or "none"
    return generation


def _new_generation():
    cache.set(CHROME_GENERATION_KEY, uuid4().hex, None)


def invalidate_chrome(**kwargs):
    """Forget everything cached under the current generation (a signal receiver).

    Again once the transaction commits: a request that read the old rows in between
    cached them under the generation drawn first.
    """
    _new_generation()
    transaction.on_commit(_new_generation)


def chrome_cached(name, parts, compute):
    """`compute()`, cached under `name` and `parts` for the current generation."""
    parts = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()
    key = f"coupdepouce:chrome:{name}:{chrome_generation()}:{parts}"
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, CHROME_TIMEOUT)
    return value


def live_pages(related):
    """The live pages of a ParentalManyToManyField (themes of a campaign or a call), in tree order.

    A saved page gives a queryset (one query); a preview gives the form's in-memory
    FakeQuerySet, which has no `live()`.
    """
    if isinstance(related, models.QuerySet):
        return list(related.live().order_by("path"))
    return sorted((page for page in related if page.live), key=lambda page: page.path)


def _active_locale():
    try:
        return Locale.get_active()
    except Locale.DoesNotExist:
        return Locale.get_default()


def active_locale():
    """The Locale of the active language (the default one when it has none); cached."""
    language = get_language() or settings.LANGUAGE_CODE
    return chrome_cached("locale", [language], _active_locale)


def live_translations(page):
    """The live translations of `page`, itself included, ordered by language (cached; Page objects
    with their locale).

    The key carries what of `page` itself the list shows (a change to a page without translations
    does not empty the whole cache, `coupdepouce.models`); a change to another translation does.
    """

    def fetch():
        queryset = Page.objects.filter(translation_key=page.translation_key).live().select_related("locale")
        return list(queryset.order_by("locale__language_code"))

    own = [page.translation_key, page.pk, page.live, page.url_path, page.last_published_at]
    return chrome_cached("translations", own, fetch)


def ancestors_below_root(page):
    """The ancestors of `page` from its home page down (cached; none for a home page)."""
    if page is None or not getattr(page, "path", None) or page.depth <= 2:
        return []
    return chrome_cached(
        "ancestors", [page.path], lambda: list(page.get_ancestors().filter(depth__gte=2).order_by("depth"))
    )


def default_locale():
    """The Locale of LANGUAGE_CODE; cached."""
    return chrome_cached("locale", [settings.LANGUAGE_CODE, "default"], Locale.get_default)


def language_codes():
    """{locale id: language code} of every Locale; cached."""
    return chrome_cached("locale-codes", [], lambda: dict(Locale.objects.values_list("pk", "language_code")))


def route_by_url_path(home, request, path_components):
    """Wagtail's `Page.route` from `home` down, with one query for every level of the path instead
    of two per level (the child by its slug, then its specific page).

    The pages on the path are fetched by their `url_path` (which Wagtail keeps in step with the
    slugs), then walked as Wagtail walks them: a level that is missing is a 404, and a page whose
    class routes by itself (a campaign's `soutenir/`, `questions/`…) gets the rest of the path.
    """
    prefixes = [home.url_path + "/".join(path_components[: n + 1]) + "/" for n in range(len(path_components))]
    found = {
        page.url_path: page
        for page in Page.objects.filter(url_path__in=prefixes, path__startswith=home.path, depth__gt=home.depth)
    }
    parent = home
    for n, prefix in enumerate(prefixes):
        page = found.get(prefix)
        if page is None or page.depth != parent.depth + 1 or not page.path.startswith(parent.path):
            raise Http404
        page._cached_parent_obj = parent
        cls = page.specific_class
        last = n == len(prefixes) - 1
        if last or cls is None or cls.route is not Page.route:
            return page.specific.route(request, path_components[n + 1 :])
        parent = page
    return home.route(request, [])


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
