from django import template
from django.conf import settings
from django.utils.translation import get_language
from wagtail.models import Locale, Page

register = template.Library()


@register.inclusion_tag("components/language_switcher.html", takes_context=True)
def language_switcher(context, page=None):
    """Links to this page in every locale; to that locale's home when it is not translated."""
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
                homes = {
                    p.locale.language_code: p for p in Page.objects.live().filter(depth=2).select_related("locale")
                }
            target = homes.get(code)
        url = target.get_url(request) if target is not None else f"/{code}/"
        links.append({"code": code, "name": name, "url": url})
    return {"links": links, "current": current}


@register.simple_tag
def site_locale_root(request=None):
    """The home page in the active language."""
    try:
        locale = Locale.get_active()
    except Locale.DoesNotExist:
        return None
    return Page.objects.live().filter(depth=2, locale=locale).first()
