"""Template-only helpers: site navigation, page metadata, translations of a page.

Each helper runs a fixed number of queries, whatever the page, and caches its result
on the request so the header and the footer can both use it.
"""

from django import template
from django.conf import settings
from django.db import models
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import get_language, gettext
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Page, PageViewRestriction, Site

from coupdepouce import colours
from coupdepouce.models import AccessibilityStatus, NavigationMenu, PlatformSettings
from coupdepouce.pages import ancestors_below_root, chrome_cached, live_translations

register = template.Library()

NAV_CACHE_ATTR = "_coupdepouce_site_nav"


def _content_language(code):
    """The content language (a Locale's language code) for a Django language code."""
    try:
        return get_supported_content_language_variant(code or settings.LANGUAGE_CODE)
    except LookupError:
        return get_supported_content_language_variant(settings.LANGUAGE_CODE)


def _accessibility_label(status):
    """The footer's statement of compliance, which the RGAA requires on every page."""
    if status == AccessibilityStatus.FULL:
        return gettext("Accessibility: fully compliant")
    if status == AccessibilityStatus.NONE:
        return gettext("Accessibility: not compliant")
    return gettext("Accessibility: partially compliant")


class _PageResolver:
    """Pages by id, shown in the active language, fetched together in one query (plus one
    for the private sections).

    `get(pk)` works like `page.localized`: the live translation in the active locale,
    else the page itself; None when neither is live and public.
    """

    def __init__(self, ids, language, home_path=None):
        self.by_pk, self.translations, self.by_path = {}, {}, {}
        self.private_paths = []
        ids = {pk for pk in ids if pk}
        if not ids and not home_path:
            return
        wanted = models.Q(pk__in=ids) | models.Q(
            translation_key__in=Page.objects.filter(pk__in=ids).values("translation_key"),
            locale__language_code=language,
        )
        if home_path:
            wanted |= models.Q(path=home_path)
        self.private_paths = list(PageViewRestriction.objects.values_list("page__path", flat=True))
        for page in Page.objects.filter(wanted).select_related("locale"):
            self.by_pk[page.pk] = page
            self.by_path[page.path] = page
            if page.locale.language_code == language:
                self.translations[page.translation_key] = page

    def visible(self, page):
        return page is not None and page.live and not any(page.path.startswith(p) for p in self.private_paths)

    def get(self, pk):
        source = self.by_pk.get(pk)
        if source is None:
            return None
        translated = self.translations.get(source.translation_key)
        if self.visible(translated):
            return translated
        return source if self.visible(source) else None

    def at_path(self, path):
        page = self.by_path.get(path)
        return page if self.visible(page) else None


def _menus(site, language, default_language):
    """The site's menus by location, in the active language, else in the default one."""
    menus = {}
    if site is None:
        return menus
    queryset = (
        NavigationMenu.objects.filter(site=site, locale__language_code__in={language, default_language})
        .select_related("locale")
        .prefetch_related("items")
    )
    for menu in queryset:
        current = menus.get(menu.location)
        if current is None or menu.locale.language_code == language:
            menus[menu.location] = menu
    return menus


@register.simple_tag(takes_context=True)
def site_nav(context):
    """Home page, header menu and footer links of the request's site, in the active language.

    Menus are `NavigationMenu` snippets of the request's `Site` in the active locale (the
    default locale's when not translated). The footer lists the footer menu, then the legal
    notice and personal data pages chosen in the site's `PlatformSettings`, then the
    accessibility compliance status, linked to the accessibility statement when one is
    chosen. Built in five queries at most, whatever the number of links, then cached per
    site, language and home page until a page, menu or setting changes
    (`coupdepouce.pages.chrome_cached`); only `aria-current` depends on the page shown.
    Cached on the request too, so every template of the request shares it.
    """
    request = context.get("request")
    if request is not None and hasattr(request, NAV_CACHE_ATTR):
        return getattr(request, NAV_CACHE_ATTR)

    page = context.get("page")
    language = _content_language(get_language())
    site = Site.find_for_request(request) if request is not None else None
    current_path = getattr(page, "path", "") or ""
    current_pk = getattr(page, "pk", None)
    # The home page of the tree being browsed (a preview of a new page may have no path yet).
    home_path = current_path[: Page.steplen * 2] if (getattr(page, "depth", None) or 0) >= 2 else None
    if site is not None:
        built = chrome_cached(
            "site-nav", [site.pk, language, home_path], lambda: _build_nav(request, site, language, home_path)
        )
    else:
        built = _build_nav(request, site, language, home_path)

    def mark(links):
        # aria-current: "page" on the page itself, "true" on the section the page is in
        # (never on the home page, which every page is in).
        marked = []
        for link in links:
            current = ""
            if link["pk"] is not None:
                if link["pk"] == current_pk:
                    current = "page"
                elif link["depth"] > 2 and current_path.startswith(link["path"]):
                    current = "true"
            marked.append({**link, "current": current})
        return marked

    nav = {**built, "menu": mark(built["menu"]), "footer": mark(built["footer"])}
    if request is not None:
        setattr(request, NAV_CACHE_ATTR, nav)
    return nav


def _build_nav(request, site, language, home_path):
    """The navigation of `site` in `language` (links without `current`), from the database."""
    default_language = _content_language(settings.LANGUAGE_CODE)
    platform = PlatformSettings.for_site(site) if site is not None else None
    menus = _menus(site, language, default_language)
    items = {location: list(menu.items.all()) for location, menu in menus.items()}

    ids = {item.page_id for rows in items.values() for item in rows}
    if platform is not None:
        ids |= {platform.legal_page_id, platform.privacy_page_id, platform.accessibility_page_id}
    if site is not None:
        ids.add(site.root_page_id)
    pages = _PageResolver(ids, language, home_path)

    def lang_of(text_language):
        # Link text in another language than the page's gets a lang attribute (RGAA 8.7).
        return text_language if text_language != language else ""

    def page_link(target, label="", label_language=""):
        url = target.get_url(request)
        if not url:
            return None
        return {
            "url": url,
            "label": label or target.title,
            "lang": lang_of(label_language if label else target.locale.language_code),
            "pk": target.pk,
            "path": target.path,
            "depth": target.depth,
        }

    def menu_links(location):
        menu = menus.get(location)
        links = []
        for item in items.get(location, []):
            if item.page_id:
                target = pages.get(item.page_id)
                link = page_link(target, item.label, menu.locale.language_code) if target is not None else None
            elif item.url:
                link = {
                    "url": item.url,
                    "label": item.label or item.url,
                    "lang": lang_of(menu.locale.language_code) if item.label else "",
                    "pk": None,
                    "path": "",
                    "depth": 0,
                }
            else:
                link = None
            if link is not None:
                links.append(link)
        return links

    footer = menu_links(NavigationMenu.Location.FOOTER)
    accessibility = {"url": "", "label": _accessibility_label(getattr(platform, "accessibility_status", None))}
    if platform is not None:
        in_footer = {link["pk"] for link in footer if link["pk"] is not None}
        for field in ("legal_page_id", "privacy_page_id"):
            target = pages.get(getattr(platform, field))
            if target is not None and target.pk not in in_footer:
                link = page_link(target)
                if link is not None:
                    footer.append(link)
        statement = pages.get(platform.accessibility_page_id)
        if statement is not None:
            accessibility["url"] = statement.get_url(request) or ""

    home = pages.at_path(home_path) if home_path else None
    if home is None and site is not None:
        home = pages.get(site.root_page_id)
    return {
        "home": home,
        "menu": menu_links(NavigationMenu.Location.MAIN),
        "footer": footer,
        "accessibility": accessibility,
    }


@register.simple_tag(takes_context=True)
def page_alternates(context, page):
    """Absolute URLs of the live translations of `page`, for rel="alternate" hreflang."""
    request = context.get("request")
    if page is None or not getattr(page, "pk", None):
        return []
    links = []
    for translation in live_translations(page):
        url = translation.get_full_url(request)
        if url:
            links.append({"code": translation.locale.language_code, "url": url})
    if len(links) < 2:
        return []
    default = next((link for link in links if link["code"] == settings.LANGUAGE_CODE), None)
    if default is not None:
        links.append({"code": "x-default", "url": default["url"]})
    return links


@register.simple_tag
def page_description(page, length=200):
    """Plain-text description: search description, else summary, else introduction."""
    if page is None:
        return ""
    for attr in ("search_description", "summary", "intro", "hero_text"):
        value = getattr(page, attr, "")
        if value:
            text = strip_tags(str(value)).strip()
            if text:
                return Truncator(" ".join(text.split())).chars(length)
    return ""


@register.simple_tag
def page_image(page):
    """The page's main image, if any (hero image, image), for Open Graph."""
    for attr in ("hero_image", "image"):
        image = getattr(page, attr, None)
        if image is not None:
            return image
    return None


@register.filter
def verbose_name(page):
    """The human name of a page's type ("campagne", "thématique"…), without a query."""
    cls = getattr(page, "specific_class", None) or type(page)
    return cls._meta.verbose_name


@register.filter
def elided_page_range(page_obj):
    """Page numbers around the current one, with ellipses, for the pagination component."""
    return page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)


@register.simple_tag
def breadcrumb_ancestors(page):
    """The page's ancestors below the root, from home down (one query)."""
    return ancestors_below_root(page)


@register.filter
def text_colour(background):
    """White or near-black text, whichever contrasts more with a #rrggbb background
    (`coupdepouce.colours`; theme colours are validated to reach 4.5:1 with it, WCAG 1.4.3)."""
    try:
        return colours.text_colour(str(background))
    except ValueError:
        return colours.WHITE


@register.simple_tag(takes_context=True)
def absolute_url(context, url):
    """An absolute URL for `url` (left as is when it already is), from the request."""
    request = context.get("request")
    if not url or request is None:
        return url or ""
    return request.build_absolute_uri(url)
