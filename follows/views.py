"""Citizens' pages: the follow form (a campaign page's `suivre/` route), and the pages behind
the signed links of the emails (`follows/urls.py`): confirm, unsubscribe. No sign-in needed."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from coupdepouce.ratelimits import limit
from follows import services
from follows.audience import campaign_for_key
from follows.forms import FollowForm
from follows.tokens import InvalidToken, read_unsubscribe_token


def _campaign_context(campaign):
    return {"page": campaign, "self": campaign, "campaign": campaign, "figures": campaign.figures}


@limit("follow")
@require_http_methods(["GET", "HEAD", "POST"])
def follow(request, campaign):
    """GET: the form on a page of its own. POST: record the request and email the link; the
    answer is the same whether the address already follows or not."""
    if request.method == "POST":
        form = FollowForm(request.POST)
        if form.is_valid():
            services.request_follow(
                campaign, form.cleaned_data["email"], language=translation.get_language(), user=request.user
            )
            context = {**_campaign_context(campaign), "email": form.cleaned_data["email"]}
            return render(request, "follows/follow_requested.html", context)
    else:
        form = FollowForm()
    return render(request, "follows/follow.html", {**_campaign_context(campaign), "follow_form": form})


def _invalid(request, *, expired=False, status=400):
    return render(request, "follows/invalid_link.html", {"expired": expired}, status=status)


@require_GET  # not HEAD: a link checker's HEAD request confirms nothing
def confirm(request, token):
    """The double opt-in link: the follow is confirmed, and the page says what it brings."""
    try:
        follow = services.confirm(token)
    except InvalidToken as error:
        return _invalid(request, expired=error.expired)
    campaign = campaign_for_key(follow.campaign_key, translation.get_language())
    if campaign is None:
        return _invalid(request)
    return render(request, "follows/confirmed.html", {"campaign": campaign, "follow": follow})


@csrf_exempt  # the signed token is the protection; mail programs post without a CSRF token
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """GET: one button and what it stops. POST (the button, or a mail program's RFC 8058
    one-click `List-Unsubscribe=One-Click`): no more news of this campaign to this address."""
    try:
        campaign_key, email = read_unsubscribe_token(token)
    except InvalidToken:
        return _invalid(request)
    campaign = campaign_for_key(campaign_key, translation.get_language())
    if campaign is None:
        return _invalid(request, status=404)
    context = {"campaign": campaign, "email": email, "token": token}
    if request.method == "POST":
        services.unsubscribe(campaign_key, email)
        return render(request, "follows/unsubscribed.html", context)
    return render(request, "follows/unsubscribe.html", context)
