from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from coupdepouce.pages import active_locale, site_for_request, site_home, site_pages

# "This page is not available in <the language being read>", by language code.
NOT_AVAILABLE = {
    "en": _("This page is not available in English."),
    "fr": _("This page is not available in French."),
}
# Where the page exists, by the language of the page offered instead.
AVAILABLE_IN = {
    "en": _("It exists in English:"),
    "fr": _("It exists in French:"),
}


@require_GET
def search(request):
    """Search over the live pages of the request's site, in the active language."""
    query = request.GET.get("q", "").strip()[:200]
    results = None
    if query:
        pages = site_pages(site_for_request(request), locale=active_locale()).specific()
        results = Paginator(pages.search(query), 10).get_page(request.GET.get("page"))
    return render(request, "search.html", {"search_query": query, "search_results": results})


@require_GET
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    return render(request, "robots.txt", content_type="text/plain")


@require_GET
def not_translated(request):
    """Where the language switcher leads when the page being read has no translation in the
    active language (`?from=<page id>`): says so and offers the page in its own language, the
    home page in the active language and, for a campaign open to pledges, its pledge form in
    the active language. An unknown, private or other site's page id is treated as absent.
    Once the translation is published, the same link leads to it.
    """
    site = site_for_request(request)
    locale = active_locale()
    language = locale.language_code
    source = None
    pk = request.GET.get("from", "")
    if pk.isdigit() and len(pk) < 10:
        source = site_pages(site).filter(pk=int(pk)).select_related("locale").first()
    support_url = ""
    if source is not None:
        translation = source if source.locale_id == locale.pk else None
        translation = translation or source.get_translations().live().filter(locale=locale).first()
        url = translation.get_url(request) if translation is not None else None
        if url:
            return redirect(url)
        source = source.specific
        # A campaign (a page with a pledge form) that takes pledges: its form speaks the reader's
        # language around the campaign's own texts (`payments.views.pledge`, `?lang=`).
        if getattr(source, "open_to_pledges", False) and source.locale.language_code == settings.LANGUAGE_CODE:
            support_url = f"{source.pledge_url(request)}?lang={language}"
    home = site_home(site, locale)
    context = {
        "heading": NOT_AVAILABLE.get(language, _("This page is not available in this language.")),
        "source": source,
        "source_language": source.locale.language_code if source is not None else "",
        "available_in": AVAILABLE_IN.get(source.locale.language_code, "") if source is not None else "",
        "support_url": support_url,
        "home": home if home is not None and home.live and home.locale_id == locale.pk else None,
    }
    return render(request, "not_translated.html", context)


def page_not_found(request, exception):
    # The language switcher of a 404 leads to the not-translated page (`language_switcher`).
    return render(request, "404.html", {"not_found": True}, status=404)


def server_error(request):
    return render(request, "500.html", status=500)


@require_GET
def favicon(request):
    # Resolved per request: the hashed static name only exists after collectstatic.
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
