"""The staff action "Créer la collecte" on a laureate application (Wagtail admin).

POST /admin/application-promotion/<pk>/ creates the campaign draft (or finds the one already
made) and opens its edit view. Imported by `applications.wagtail_hooks` so the URL is
registered; the application's detail page links to `promotion_url(application)` with a POST
form (CSRF token), shown when `promotion.can_promote(application)`.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail import hooks

from applications.models import Application
from applications.promotion import PromotionError, promote_once

PROMOTE_PERMISSION = "applications.change_application"
URL_NAME = "applications_promote"


def promotion_url(application):
    return reverse(URL_NAME, args=[application.pk])


def _back(request):
    """Where to return after a refusal: the posted `next`, the referring admin page, or the dashboard."""
    for candidate in (request.POST.get("next"), request.headers.get("referer")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return reverse("wagtailadmin_home")


@require_POST
def promote_view(request, pk):
    if not request.user.has_perm(PROMOTE_PERMISSION):
        raise PermissionDenied
    application = get_object_or_404(Application, pk=pk)
    try:
        campaign, created = promote_once(application, by=request.user)
    except PromotionError as error:
        messages.error(request, str(error))
        return redirect(_back(request))
    if created:
        messages.success(
            request,
            _("Campaign draft “%(title)s” created. Its holder can now edit it and submit it for review.")
            % {"title": campaign.title},
        )
    else:
        messages.info(request, _("This laureate already has a campaign: “%(title)s”.") % {"title": campaign.title})
    return redirect("wagtailadmin_pages:edit", campaign.pk)


@hooks.register("register_admin_urls")
def register_promotion_urls():
    return [path("application-promotion/<int:pk>/", promote_view, name=URL_NAME)]
