"""Helpers every page app uses: live related pages, and the site and home page a request is on.

Public lists are scoped to the request's `Site` and language: a page belongs to a site when
it sits under that site's home page in the active locale (`site_home`).
"""

import hashlib
import threading
from uuid import uuid4

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import Http404
from django.http.request import split_domain_port
from django.utils.translation import get_language
from wagtail.images.models import AbstractImage
from wagtail.models import Locale, Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

# What every public page shows around its content (menus, settings, translations, breadcrumbs,
# locales) is cached under keys that carry this generation; any change to pages, menus, settings,
# sites, locales or view restrictions draws a new generation (`invalidate_chrome`, connected in
# `coupdepouce/models.py`), so nothing cached outlives a change.
CHROME_GENERATION_KEY = "coupdepouce:chrome-generation"
CHROME_TIMEOUT = 60 * 60
_MISSING = object()


# Within a request the generations are read from the cache once (`request_started` starts
# afresh, `request_finished` ends it); drawing a new one forgets what was read. Outside requests
# (commands, the task worker) every call reads the cache.
_request = threading.local()


def _request_started(**kwargs):
    _request.generations = {}


def _request_finished(**kwargs):
    _request.__dict__.pop("generations", None)


request_started.connect(_request_started, dispatch_uid="coupdepouce_generations_started")
request_finished.connect(_request_finished, dispatch_uid="coupdepouce_generations_finished")


def _generation(key):
    read = getattr(_request, "generations", None)
    if read is not None and key in read:
        return read[key]
    generation = cache.get(key)
    if generation is None:
        cache.add(key, uuid4().hex, None)
        generation = cache.get(key) or "none"
    if read is not None:
        read[key] = generation
    return generation


def _draw(key):
    cache.set(key, uuid4().hex, None)
    getattr(_request, "generations", {}).pop(key, None)


def chrome_generation():
    """The current generation of the cached page surroundings (one cache read, no query)."""
    return _generation(CHROME_GENERATION_KEY)


def _new_generation():
    _draw(CHROME_GENERATION_KEY)


def invalidate_chrome(**kwargs):
    """Forget everything cached under the current generation (a signal receiver).

    Again once the transaction commits: a request that read the old rows in between
    cached them under the generation drawn first.
    """
    _new_generation()
    transaction.on_commit(_new_generation)


def chrome_cached(name, parts, compute):
    """`compute()`, cached under `name` and `parts` for the current generation."""
    return _cached(name, [chrome_generation(), *parts], compute)


def _cached(name, parts, compute, store=None):
    """`compute()`, cached under `name` and `parts` (kept only if `store(value)` when given)."""
    parts = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()
    key = f"coupdepouce:chrome:{name}:{parts}"
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        if store is None or store(value):
            cache.set(key, value, CHROME_TIMEOUT)
    return value


# What pages show of other pages (lists of campaigns, featured pages, a campaign's rewards, FAQ,
# updates and themes) is cached under a second generation, drawn anew whenever any page is saved,
# deleted, published, unpublished or moved (and with the surroundings' generation). Money figures,
# stock, offers of help and questions are never cached: they change with no page change.
CONTENT_GENERATION_KEY = "coupdepouce:content-generation"


def _generations():
    """(surroundings generation, content generation)."""
    return _generation(CHROME_GENERATION_KEY), _generation(CONTENT_GENERATION_KEY)


def _new_content_generation():
    _draw(CONTENT_GENERATION_KEY)


def invalidate_content(**kwargs):
    """Forget every cached page content (a signal receiver): now, and again once the transaction commits."""
    _new_content_generation()
    transaction.on_commit(_new_content_generation)


def content_generations():
    """What every content cache key carries: the surroundings' and the content's generations."""
    return _generations()


def content_cached(name, parts, compute):
    """`compute()`, cached under `name` and `parts` until any page or the surroundings change."""
    return _cached(name, [*_generations(), *parts], compute)


@receiver(post_save, dispatch_uid="coupdepouce_content_saved")
@receiver(post_delete, dispatch_uid="coupdepouce_content_deleted")
def _content_model_changed(sender, instance, **kwargs):
    # An image too: cached pages hold their images (a new file or focal point gives new renditions).
    if isinstance(instance, (Page, AbstractImage)) or getattr(type(instance), "shown_in_page_content", False):
        invalidate_content()


page_published.connect(invalidate_content, dispatch_uid="coupdepouce_content_published")
page_unpublished.connect(invalidate_content, dispatch_uid="coupdepouce_content_unpublished")
post_page_move.connect(invalidate_content, dispatch_uid="coupdepouce_content_moved")


def published_content(page, request, name, compute):
    """What `page` shows that only publishing changes (its inline rows, related pages): `compute()`,
    cached per page and revision until a page changes (`content_cached`); read afresh in a preview
    (the edit form's rows) and for an unsaved page."""
    if getattr(request, "is_preview", False) or not page.pk:
        return compute()
    return content_cached(name, [page.pk, page.live_revision_id], compute)


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


def _restricted_paths():
    """Paths of the pages with a view restriction and of the alias pages (whose restrictions are
    their source's), on every site."""
    restricted = list(PageViewRestriction.objects.values_list("page__path", flat=True))
    aliases = list(Page.objects.filter(alias_of__isnull=False).values_list("path", flat=True))
    return restricted, aliases


class CachedPageMixin:
    """What Wagtail reads for every page served, from the caches instead of the database.

    - The view restriction check (the `on_serve_page` hook) runs no query on the pages that no
      restriction covers, nearly all of them: the restricted and alias pages' paths are cached
      (`content_cached`), and only a page below one of them asks the database.
    - `get_site()` reads the page's site from the cache of the surroundings (`chrome_cached`:
      any change to a site draws a new generation).
    """

    def get_view_restrictions(self):
        restricted, aliases = content_cached("restricted-paths", [], _restricted_paths)
        path = self.path or ""
        if any(path.startswith(prefix) for prefix in (*restricted, *aliases)) or self.alias_of_id:
            return super().get_view_restrictions()
        return PageViewRestriction.objects.none()

    def get_site(self):
        parts = self.get_url_parts()
        if parts is None:
            return None
        site_id = parts[0]
        return chrome_cached("site", [site_id], lambda: Site.objects.get(id=site_id))

    @property
    def localized_draft(self):
        """Wagtail's `localized_draft` (what `localized` reads) with the active Locale from the
        cache: no query when the page is already in the active language (nearly always), the
        translation cached until a page changes otherwise."""
        locale = active_locale()
        if locale.pk == self.locale_id or not self.pk:
            return self
        translation = content_cached(
            "translation", [self.translation_key, locale.pk], lambda: self.get_translation_or_none(locale)
        )
        return translation or self


class CachedSiteMiddleware:
    """Which Wagtail site a request is for, with the site's home page, from the caches.

    Wagtail asks the database for both on every page it serves (`Site.find_for_request`, then
    `site.root_page`) and keeps them on the request only (`request._wagtail_site`). Here the site
    is cached with the page surroundings (`chrome_cached`: a change to any site draws a new
    generation) and its home page until a page changes (`content_cached`). After CommonMiddleware,
    which checks the host against ALLOWED_HOSTS, and LocaleMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        hostname, port = split_domain_port(request.get_host())[0], request.get_port()
        site = chrome_cached("request-site", [hostname, port], lambda: Site.find_for_request(request))
        if site is not None:
            site.root_page = content_cached(
                "site-root", [site.pk, site.root_page_id], lambda: Page.objects.get(pk=site.root_page_id).specific
            )
        request._wagtail_site = site
        return self.get_response(request)


def _route_plan(home, prefixes):
    """[(pk, content type id)] of the pages at each level of the path below `home`, as far as
    they exist, in one query (pages fetched by their `url_path`, which Wagtail keeps in step
    with the slugs)."""
    found = {
        page.url_path: page
        for page in Page.objects.filter(url_path__in=prefixes, path__startswith=home.path, depth__gt=home.depth)
    }
    plan = []
    parent_path, parent_depth = home.path, home.depth
    for prefix in prefixes:
        page = found.get(prefix)
        if page is None or page.depth != parent_depth + 1 or not page.path.startswith(parent_path):
            break
        plan.append((page.pk, page.content_type_id))
        parent_path, parent_depth = page.path, page.depth
    return plan


def _served_page(cls, pk, url_path):
    """The specific page `pk` if it still has `url_path`, with what its template reads of its
    foreign keys (`serve_select_related`): one query, cached until a page or an image changes
    (`content_cached`; each request unpickles its own copy)."""

    def fetch():
        queryset = cls._default_manager.filter(pk=pk, url_path=url_path)
        related = getattr(cls, "serve_select_related", ())
        if related:
            queryset = queryset.select_related(*related)
        return queryset.first()

    return content_cached("served-page", [cls._meta.label, pk, url_path], fetch)


def _serves(plan, prefixes):
    """Whether the plan leads to a page that serves the path: every level found, or a page
    that routes the rest of the path itself."""
    if len(plan) == len(prefixes):
        return True
    for _pk, content_type_id in plan:
        cls = ContentType.objects.get_for_id(content_type_id).model_class()
        if cls is None or cls.route is not Page.route:
            return True
    return False


def route_by_url_path(home, request, path_components):
    """Wagtail's `Page.route` from `home` down, in one query instead of two per level (the
    child by its slug, then its specific page).

    Which page sits at each level of the path (`_route_plan`) is cached until a page changes
    (`content_cached`, only for paths that lead to a page: a 404 is not remembered); the page
    served is then fetched as its own class, by id and `url_path`, in one query. The levels are
    walked as Wagtail walks them: a level that is missing is a 404, and a page whose class routes
    by itself (a campaign's `soutenir/`, `questions/`…) gets the rest of the path.
    """
    prefixes = [home.url_path + "/".join(path_components[: n + 1]) + "/" for n in range(len(path_components))]
    parts = [*_generations(), home.pk, home.url_path, *path_components]
    plan = _cached("route", parts, lambda: _route_plan(home, prefixes), store=lambda plan: _serves(plan, prefixes))
    for n, prefix in enumerate(prefixes):
        if n >= len(plan):
            raise Http404
        pk, content_type_id = plan[n]
        cls = ContentType.objects.get_for_id(content_type_id).model_class()
        if cls is None or not issubclass(cls, Page):
            break
        if n == len(prefixes) - 1 or cls.route is not Page.route:
            page = _served_page(cls, pk, prefix)
            if page is None:
                break
            if n == 0:
                page._cached_parent_obj = home
            return page.route(request, path_components[n + 1 :])
    # A page class that no longer exists, or a page moved since the plan was cached.
    return _route_uncached(home, request, path_components, prefixes)


def _route_uncached(home, request, path_components, prefixes):
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
