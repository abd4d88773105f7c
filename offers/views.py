"""Citizen pages of help in kind, served by a campaign's routes (`projects.models.CampaignPage`):
`aider/` → `offer_help` (the "Je peux aider" form) and `aider/merci/` → `offer_sent`.

Thin views: the rules are `services.make_offer`'s. A sent offer redirects to `aider/merci/`
(post/redirect/get); a refused one comes back with its errors and everything typed.
"""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_safe

from coupdepouce.ratelimits import limit
from offers import services
from offers.forms import HONEYPOT, OfferForm, progress_text


def _language() -> str:
    return (get_language() or "fr")[:2]


def _sent_url(request, campaign) -> str:
    return (campaign.get_url(request) or "") + campaign.reverse_subpage("help_offer_sent")


def _context(campaign, **extra) -> dict:
    return {"page": campaign, "self": campaign, "campaign": campaign, **extra}


@limit("help_offer")
@require_http_methods(["GET", "POST"])
def offer_help(request, campaign):
    """The "Je peux aider" form of a campaign; `?besoin=<need translation key>` preselects a need."""
    needs = services.needs_with_progress(campaign)
    closed_message = services.refusal(campaign)
    if request.method == "POST":
        form = OfferForm(request.POST, needs=needs)
        if closed_message:
            form.is_valid()
            form.add_error(None, closed_message)
        elif form.is_valid():
            try:
                services.make_offer(campaign, **form.offer_kwargs(), language=_language(), user=request.user)
            except services.OfferError as error:
                form.add_offer_error(error)
            else:
                return redirect(_sent_url(request, campaign))
    else:
        chosen = request.GET.get("besoin", "")
        known = {str(need.translation_key) for need in needs}
        form = OfferForm(initial={"need": chosen} if chosen in known else {}, needs=needs)
    for need in needs:
        need.progress_text = progress_text(need)
    context = _context(
        campaign,
        form=form,
        needs=needs,
        closed_message=closed_message,
        honeypot=form[HONEYPOT],
        form_action=request.get_full_path(),
    )
    return render(request, "offers/offer_form.html", context)


@require_safe
def offer_sent(request, campaign):
    """After an offer: it reached the project holders, who answer by email."""
    return render(request, "offers/offer_sent.html", _context(campaign))
