"""Template-only helpers: site navigation, page metadata, translations of a page.

Each helper runs a fixed number of queries, whatever the page, and caches its result
on the request so the header and the footer can both use it.
"""

from django import template
from django.conf import settings
from django.utils.html import strip_tags
from django.utils.text import Truncator
from wagtail.models import Locale, Page, Site

register = template.Library()

# Slugs that identify the content pages the footer names specially (French and English trees).
ACCESSIBILITY_SLUGS = {"accessibilite", "declaration-accessibilite", "declaration-d-accessibilite", "accessibility"}
HOW_IT_WORKS_SLUGS = {"comment-ca-marche", "how-it-works"}


def _home_for(request, page):
    """The home page of the tree being browsed, in the active language."""
    if page is not None and getattr(page, "depth", 0) >= 2:
        return page if page.depth == 2 else None
    site = Site.find_for_request(request) if request is not None else None
    if site is None:
        return None
    root = site.root_page
    try:
        locale = Locale.get_active()
    except Locale.DoesNotExist:
        return root
    if root.locale_id == locale.pk:
        return root
    return root.get_translation_or_none(locale) or root


@register.simple_tag(takes_context=True)
def site_nav(context):
    """Home, main menu and footer pages of the current tree, in one query for the menu.

    Main menu: the project, theme and call indexes, then content pages shown in menus
    (or, failing that, "Comment ça marche"). Footer: the other content pages under home.
    """
    from calls.models import CallIndexPage
    from home.models import HomePage, StandardPage
    from projects.models import ProjectIndexPage
    from themes.models import ThemeIndexPage

    request = context.get("request")
    cache_key = "_coupdepouce_site_nav"
    if request is not None and hasattr(request, cache_key):
        return getattr(request, cache_key)

    page = context.get("page")
    home_path = None
    home = None
    if page is not None and getattr(page, "depth", 0) >= 2 and getattr(page, "path", None):
        home_path = page.path[: Page.steplen * 2]
    if home_path is None:
        home = _home_for(request, None)
        home_path = home.path if home is not None else None

    index_types = [ProjectIndexPage, ThemeIndexPage, CallIndexPage]
    pages = []
    if home_path is not None:
        pages = list(
            Page.objects.live()
            .public()
            .filter(path__startswith=home_path, depth__in=[2, 3])
            .type(*index_types, StandardPage, HomePage)
            .order_by("path")
        )
    home = next((p for p in pages if p.depth == 2), home)
    by_type = {}
    standard = []
    for p in pages:
        if p.depth != 3:
            continue
        cls = p.specific_class
        if cls is StandardPage:
            standard.append(p)
        elif cls in index_types:
            by_type.setdefault(cls, p)
    menu = [by_type[cls] for cls in index_types if cls in by_type]
    in_menu = [p for p in standard if p.show_in_menus]
    if not in_menu:
        in_menu = [p for p in standard if p.slug in HOW_IT_WORKS_SLUGS]
    menu += in_menu
    footer = [p for p in standard if p not in in_menu]
    accessibility = next((p for p in footer if p.slug in ACCESSIBILITY_SLUGS), None)
    current_path = getattr(page, "path", "") or ""
    items = [{"page": p, "current": bool(current_path) and current_path.startswith(p.path)} for p in menu]
    nav = {
        "home": home,
        "menu": items,
        "footer": [p for p in footer if p is not accessibility],
        "accessibility": accessibility,
    }
    if request is not None:
        setattr(request, cache_key, nav)
    return nav


@register.simple_tag(takes_context=True)
def page_alternates(context, page):
    """Absolute URLs of the live translations of `page`, for rel="alternate" hreflang."""
    request = context.get("request")
    if page is None or not getattr(page, "pk", None):
        return []
    links = []
    translations = page.get_translations(inclusive=True).live().select_related("locale")
    for translation in translations.order_by("locale__language_code"):
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
    if page is None or getattr(page, "depth", 0) <= 2:
        return []
    return list(page.get_ancestors().filter(depth__gte=2).order_by("depth"))


def _luminance(hex_colour):
    hex_colour = hex_colour.lstrip("#")
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@register.filter
def text_colour(background):
    """White or near-black text, whichever contrasts more with a #rrggbb background.

    Theme colours are meant to be dark, but an editor may pick a light one: the text
    then switches to dark so it stays readable (WCAG 1.4.3).
    """
    try:
        lum = _luminance(str(background))
    except (ValueError, IndexError):
        return "#ffffff"
    on_white = 1.05 / (lum + 0.05)
    on_dark = (lum + 0.05) / (_luminance("#1e1e1e") + 0.05)
    return "#ffffff" if on_white >= on_dark else "#1e1e1e"


@register.simple_tag(takes_context=True)
def absolute_url(context, url):
    """An absolute URL for `url` (left as is when it already is), from the request."""
    request = context.get("request")
    if not url or request is None:
        return url or ""
    return request.build_absolute_uri(url)
