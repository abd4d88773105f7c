from django import template
from django.conf import settings
from django.urls import reverse, translate_url
from django.utils.http import urlencode
from django.utils.translation import get_language, override

from coupdepouce.pages import active_locale, live_translations, site_for_request, site_home

register = template.Library()


def _translatable_view(request):
    """Whether `request` was served by a view of the language prefixes other than Wagtail's pages."""
    match = getattr(request, "resolver_match", None)
    return match is not None and match.url_name != "wagtail_serve"


@register.inclusion_tag("components/language_switcher.html", takes_context=True)
def language_switcher(context, page=None):
    """Links to the current page in every other language.

    A Wagtail page: its live translation, else the "not translated" page of that language
    (`coupdepouce.views.not_translated`), which says so and offers this page and the home
    page. Another view of the language prefixes (search, accounts, payments): the same view
    and query string in that language (`translate_url`). A 404 or a view with no
    translated URL: the "not translated" page of that language.
    """
    request = context.get("request")
    current = (get_language() or settings.LANGUAGE_CODE)[:2]
    page = page if getattr(page, "pk", None) else None  # "" when the template has no page
    translations = {}
    if page is not None:
        for translation in live_translations(page):
            translations[translation.locale.language_code] = translation
    links = []
    for code, name in settings.LANGUAGES:
        if code == current:
            continue
        url = ""
        target = translations.get(code)
        if target is not None:
            url = target.get_url(request) or ""
        elif page is None and _translatable_view(request) and not context.get("not_found"):
            path = request.get_full_path()
            translated = translate_url(path, code)
            url = translated if translated != path else ""
        if not url:
            with override(code):
                url = reverse("not_translated")
            if page is not None:
                url += "?" + urlencode({"from": page.pk})
        links.append({"code": code, "name": name, "url": url})
    return {"links": links, "current": current}


@register.simple_tag
def site_locale_root(request=None):
    """The request's site home page in the active language (the site root when untranslated)."""
    home = site_home(site_for_request(request), active_locale())
    return home if home is not None and home.live else None
