from django import template
from django.conf import settings
from django.utils.translation import get_language

from coupdepouce.pages import active_locale, site_for_request, site_home, site_homes

register = template.Library()


@register.inclusion_tag("components/language_switcher.html", takes_context=True)
def language_switcher(context, page=None):
    """Links to this page in every locale; to the site's home in that locale when it is not translated."""
    request = context.get("request")
    current = (get_language() or settings.LANGUAGE_CODE)[:2]
    links = []
    translations = {}
    if page is not None and getattr(page, "pk", None):
        for translation in page.get_translations(inclusive=True).live().select_related("locale"):
            translations[translation.locale.language_code] = translation
    homes = None
    for code, name in settings.LANGUAGES:
        if code == current:
            continue
        target = translations.get(code)
        if target is None:
            if homes is None:
                # The home pages of the site being browsed only, never another site's.
                site_home_pages = site_homes(site_for_request(request)).live().select_related("locale")
                homes = {p.locale.language_code: p for p in site_home_pages}
            target = homes.get(code)
        if target is not None:
            url = target.get_url(request)
        else:
            # No home in that language: its URL prefix (none for the default language).
            url = "/" if code == settings.LANGUAGE_CODE else f"/{code}/"
        links.append({"code": code, "name": name, "url": url})
    return {"links": links, "current": current}


@register.simple_tag
def site_locale_root(request=None):
    """The request's site home page in the active language (the site root when untranslated)."""
    home = site_home(site_for_request(request), active_locale())
    return home if home is not None and home.live else None
