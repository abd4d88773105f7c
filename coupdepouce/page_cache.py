"""The page cache for anonymous visitors: whole Wagtail page responses in Django's cache.

What is cached: the response of a Wagtail page (or one of its routes: a campaign's RSS feed, its
embeddable card…) to a GET from a visitor who carries no session and no pending message, keyed by
host, language, path and query string. Responses that set a cookie, render a CSRF token (a page
with a POST form), are not a 200, or say `private`/`no-store`/`no-cache` are never stored.
Logged-in visitors, backers in the middle of a pledge (they have a session) and the admin are
never served from it. `X-Page-Cache: hit|miss` says what happened.

Invalidation is precise rather than timed: each stored response remembers the version of its page
(shared by the page's translations) and the generation of the page surroundings
(`coupdepouce.pages.chrome_generation`: menus, settings, sites, moved or deleted pages…), and is
served only while both are unchanged. `purge(pages)` draws new versions for those pages, at once
and again when the transaction commits (a request that read the old rows in between stored them
under the version drawn first). `page_changed(page)` purges a page with the pages the
`pages_showing` signal names for it (a campaign's index, themes, home and call:
`projects/signals.py`); it runs when
- a page is published or unpublished (with its parent; `coupdepouce/models.py`);
- a row whose model names the page showing it (`page_cache_shown_on = "campaign"`: pledges,
  matching allocations, the closing, questions, help offers, holders) is saved or deleted.
PAGE_CACHE_SECONDS bounds how long an entry lives; the `next_change` signal ends it sooner when
something changes by the clock alone (a campaign opens or closes: `projects/signals.py`). A CDN
in front is purged through `wagtail.contrib.frontend_cache` when WAGTAILFRONTENDCACHE is set.

What a page shows of the ledger is kept under the same versions (`cached_for_page`), so that a
signed-in visitor, who is never served a stored page, does not run its queries on every view.
"""

from __future__ import annotations

import functools
import hashlib
import os
import threading
import time
from collections import OrderedDict
from operator import attrgetter
from uuid import uuid4

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.dispatch import Signal
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language_from_path
from wagtail.contrib.frontend_cache.utils import purge_pages_from_cache

from coupdepouce.pages import CHROME_GENERATION_KEY, chrome_generation, invalidate_chrome

HEADER = "X-Page-Cache"
_VERSION_PREFIX = "coupdepouce:page-version:"
_ENTRY_PREFIX = "coupdepouce:page:"
_UNCACHEABLE_CONTROL = ("private", "no-store", "no-cache")
_MISSING = object()

# Sent with `page=` (a specific page) and `published=` (True when the page itself was published or
# unpublished, False when rows it shows changed); receivers return the other pages that show it
# (its figures, its card), to be purged with it.
pages_showing = Signal()
# Sent with `now=`; receivers return the next datetime at which pages change with no save (or None).
next_change = Signal()


def seconds():
    return int(getattr(settings, "PAGE_CACHE_SECONDS", 0) or 0)


def _frontend_cache():
    return bool(getattr(settings, "WAGTAILFRONTENDCACHE", None))


def _version_key(page):
    return f"{_VERSION_PREFIX}{page.translation_key}"


def _versions(keys):
    """{key: version} of the page versions and the chrome generation, one cache read; a missing
    version is drawn now (`add`: a concurrent purge wins)."""
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            cache.add(key, uuid4().hex, None)
        found.update(cache.get_many(missing))
    return found


# --------------------------------------------------------------------------- purging


def _purge_now(keys, pages):
    cache.delete_many(keys)
    if _frontend_cache():
        purge_pages_from_cache(pages)


def purge(pages):
    """Forget the stored responses of `pages` (and their translations): now, and again once the
    transaction commits."""
    pages = [page for page in pages if page is not None]
    if not pages:
        return
    keys = sorted({_version_key(page) for page in pages})
    cache.delete_many(keys)
    transaction.on_commit(lambda: _purge_now(keys, pages))


def page_changed(page, *, parent=False, published=False):
    """What `page` shows changed (it was published, or a pledge, a question… changed a campaign):
    purge it, its parent if asked, and every page that shows it."""
    if page is None or (seconds() <= 0 and not _frontend_cache()):
        return
    pages = [page]
    if parent and page.depth and page.depth > 2:
        pages.append(page.get_parent())
    for _receiver, result in pages_showing.send(sender=type(page), page=page, published=published):
        pages.extend(result or [])
    purge(pages)


def cached_for_page(translation_key, name, compute):
    """`compute()`, kept until the page of `translation_key` (any translation) is purged or the
    whole cache cleared (`clear`), for at most PAGE_CACHE_SECONDS and never past the next change
    by the clock (`next_change`: a reward hold expires…): what a page shows that changes with the
    ledger (its totals, stock, newest backers) costs its queries once per change instead of once
    per view, for signed-in visitors too. Computed every time when the page cache is off.

    Computed by one process at a time (`_computed_once`): a campaign that goes viral purges its
    pages with every pledge, and every view in between would otherwise run the same queries."""
    timeout = seconds()
    if timeout <= 0:
        return compute()
    version_key = f"{_VERSION_PREFIX}{translation_key}"
    version = _versions([version_key])[version_key]
    key = f"coupdepouce:page-data:{name}:{translation_key}:{version}:{chrome_generation()}"
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = _computed_once(key, compute)
    return value


# The longest the other processes wait for one computing a value (seconds: the home's sums take
# under one at 400 000 pledges), then they compute it themselves; well under gunicorn's timeout.
COMPUTE_LOCK_SECONDS = 10
_WAIT_STEP_SECONDS = 0.05


def _computed_once(key, compute):
    """`compute()` stored under `key`, unless another process is computing it: then its value,
    as soon as it is stored (every process or machine sharing the cache waits for one query, not
    each running its own). Computed here after all if that process fails or stores nothing."""
    lock = f"{key}:computing"
    if cache.add(lock, 1, COMPUTE_LOCK_SECONDS):
        try:
            value = compute()
            cache.set(key, value, _timeout())
        finally:
            cache.delete(lock)
        return value
    deadline = time.monotonic() + COMPUTE_LOCK_SECONDS
    while time.monotonic() < deadline:
        time.sleep(_WAIT_STEP_SECONDS)
        value = cache.get(key, _MISSING)
        if value is not _MISSING:
            return value
        if not cache.has_key(lock):
            break
    return compute()


def changed_object(instance):
    """A model instance was saved or deleted: if its class names the page that shows it
    (`page_cache_shown_on = "campaign"`, a dotted path from the instance), that page changed."""
    path = getattr(type(instance), "page_cache_shown_on", None)
    if not path:
        return
    try:
        page = attrgetter(path)(instance)
    except ObjectDoesNotExist:
        return
    page_changed(page)


def clear():
    """Forget every stored page (after bulk changes that bypass the model signals): a new
    generation of the page surroundings, which every entry carries."""
    invalidate_chrome()


# --------------------------------------------------------------------------- serving


def _anonymous_without_state(request):
    """No session (so nobody signed in: authentication lives in the session) and no message."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def _language(request):
    """The language LocaleMiddleware will activate: the URL's prefix, else the default language
    (`i18n_patterns(prefix_default_language=False)` in coupdepouce/urls.py)."""
    return get_language_from_path(request.path_info) or settings.LANGUAGE_CODE


@functools.cache
def release():
    """What identifies the code being served, read once per process: RELEASE_ID if the deployment
    sets it (the commit, say), and the static files' manifest (it names every CSS and JS file by
    its hash). Part of every key: pages stored by the previous release, which link to its
    stylesheets and were rendered by its templates, are not served by the new one."""
    read_manifest = getattr(staticfiles_storage, "read_manifest", None)
    manifest = (read_manifest() if read_manifest else None) or ""
    return os.environ.get("RELEASE_ID", "") + hashlib.sha256(manifest.encode()).hexdigest()[:16]


def _entry_key(request):
    query = request.META.get("QUERY_STRING", "")
    parts = "\x1f".join([release(), request.get_host(), _language(request), request.path, query])
    return _ENTRY_PREFIX + hashlib.sha256(parts.encode()).hexdigest()


def note_page(request, page):
    """Called before a page is served (`before_serve_page`): the response may be stored, under the
    versions read now, before its content is read."""
    if getattr(request, "_page_cache_key", None) is None:
        return
    keys = [_version_key(page), CHROME_GENERATION_KEY]
    chrome_generation()  # draws the generation if the cache has none
    request._page_cache_page = page
    request._page_cache_versions = _versions(keys)


def _storable(request, response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # a CSRF token was rendered: a form for this visitor only
    control = response.get("Cache-Control", "")
    return not any(word in control for word in _UNCACHEABLE_CONTROL)


def _timeout():
    timeout = seconds()
    now = timezone.now()
    for _receiver, until in next_change.send(sender=None, now=now):
        if until is not None:
            timeout = min(timeout, int((until - now).total_seconds()) + 1)
    return timeout


# Each process keeps the entries it served last in memory too (a bounded LRU): a hit then reads
# only the few version keys from the shared cache, not the whole page. The versions decide, so a
# purge through another process or machine is seen at once.
_local = OrderedDict()
_local_lock = threading.Lock()


def _local_get(key):
    with _local_lock:
        entry = _local.get(key)
        if entry is not None:
            _local.move_to_end(key)
        return entry


def _local_put(key, entry):
    size = int(getattr(settings, "PAGE_CACHE_LOCAL_ENTRIES", 200))
    with _local_lock:
        _local[key] = entry
        _local.move_to_end(key)
        while len(_local) > size:
            _local.popitem(last=False)


def _store(request, response):
    timeout = _timeout()
    if timeout <= 0:
        return
    if _frontend_cache():
        patch_cache_control(response, public=True, s_maxage=timeout)
    entry = {
        "versions": request._page_cache_versions,
        "expires": time.time() + timeout,
        "status": response.status_code,
        "headers": list(response.items()),
        "content": response.content,
        # What a view told the outer middleware on the response itself (django-csp's per-view
        # policy: a campaign's embeddable card may be framed by any site).
        "attributes": {name: value for name, value in vars(response).items() if name.startswith("_csp")},
    }
    cache.set(request._page_cache_key, entry, timeout)
    _local_put(request._page_cache_key, entry)
    response[HEADER] = "miss"


def _cached_response(key):
    entry = _local_get(key)
    if entry is None:
        entry = cache.get(key)
        if not entry:
            return None
        _local_put(key, entry)
    versions = entry["versions"]
    if entry["expires"] <= time.time() or cache.get_many(list(versions)) != versions:
        return None
    response = HttpResponse(entry["content"], status=entry["status"])
    for name, value in entry["headers"]:
        response[name] = value
    for name, value in entry["attributes"].items():
        setattr(response, name, value)
    response[HEADER] = "hit"
    return response


class PageCacheMiddleware:
    """Serve and store anonymous page responses (early in the middleware: see settings)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if seconds() <= 0 or request.method != "GET" or not _anonymous_without_state(request):
            return self.get_response(request)
        key = _entry_key(request)
        cached = _cached_response(key)
        if cached is not None:
            return cached
        request._page_cache_key = key
        response = self.get_response(request)
        if getattr(request, "_page_cache_page", None) is not None and _storable(request, response):
            _store(request, response)
        return response
