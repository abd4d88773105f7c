from django.core.paginator import Paginator
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from coupdepouce.pages import active_locale, site_for_request, site_pages


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


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)


@require_GET
def favicon(request):
    # Resolved per request: the hashed static name only exists after collectstatic.
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
