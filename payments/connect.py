"""Stripe Connect Express onboarding for project holders, in the Wagtail admin.

- A "Stripe payout account" button in a campaign's header (Stripe mode only) opens
  `connect_onboarding`: it creates the holder's Express account once (stored in
  `PayoutAccount`, keyed by the campaign's translation_key so every translation shares it)
  and redirects to a fresh Stripe onboarding link. Stripe sends the holder back to
  `connect_return`, which re-reads the account's flags; `account.updated` webhooks keep
  them current afterwards.
- In Stripe mode a campaign cannot go live before its account can take charges: the
  `before_publish_page` hook refuses the publication with a message (the draft is kept).
  Demo mode is unaffected.

Its hooks are registered when `payments/wagtail_hooks.py` imports this module.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from wagtail import hooks
from wagtail.admin.widgets import Button
from wagtail.models import Page

from payments import gateway, rules
from payments.gateway import GatewayError
from payments.interface import campaign_model
from payments.models import PayoutAccount
from payments.providers import get_gateway
from payments.webhooks import apply_account

logger = logging.getLogger(__name__)


def payout_account_for(campaign):
    return PayoutAccount.objects.filter(campaign_key=campaign.translation_key).first()


def can_take_charges(campaign) -> bool:
    return bool(rules.payout_destination(payout_account_for(campaign)))


def _campaign_or_404(request, page_id):
    campaign = get_object_or_404(campaign_model(), pk=page_id)
    if not campaign.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    return campaign


def _edit_url(campaign):
    return reverse("wagtailadmin_pages:edit", args=[campaign.pk])


def _stripe_message(error: GatewayError) -> str:
    """Stripe's own words for a refused request (the stripe error behind the GatewayError)."""
    cause = error.__cause__
    return str(getattr(cause, "user_message", None) or cause or error)


@require_GET
def connect_onboarding(request, page_id):
    """Create the Express account if needed, then send the holder to Stripe's onboarding.

    Also the AccountLink's refresh_url: Stripe sends the holder here when a link expired."""
    campaign = _campaign_or_404(request, page_id)
    if not gateway.stripe_configured():
        messages.error(request, _("Payout accounts are only needed with Stripe (STRIPE_SECRET_KEY)."))
        return redirect(_edit_url(campaign))
    provider = get_gateway("stripe")
    account, _created = PayoutAccount.objects.get_or_create(campaign_key=campaign.translation_key)
    try:
        if not account.stripe_account_id:
            account.stripe_account_id = provider.create_express_account(
                campaign, email=getattr(request.user, "email", "")
            )
            account.save()
        url = provider.onboarding_link(
            account.stripe_account_id,
            refresh_url=request.build_absolute_uri(reverse("payments_connect_onboarding", args=[campaign.pk])),
            return_url=request.build_absolute_uri(reverse("payments_connect_return", args=[campaign.pk])),
        )
    except GatewayError as error:
        logger.exception("stripe connect onboarding failed for campaign %s", campaign.pk)
        messages.error(request, _("Stripe refused: %(message)s") % {"message": _stripe_message(error)})
        return redirect(_edit_url(campaign))
    return redirect(url)


@require_GET
def connect_return(request, page_id):
    """Stripe's return_url: read the account's flags now rather than wait for account.updated."""
    campaign = _campaign_or_404(request, page_id)
    account = payout_account_for(campaign)
    if account is None or not account.stripe_account_id or not gateway.stripe_configured():
        return redirect(_edit_url(campaign))
    try:
        apply_account(get_gateway("stripe").retrieve_account(account.stripe_account_id))
    except GatewayError as error:
        messages.error(request, _("Stripe refused: %(message)s") % {"message": _stripe_message(error)})
        return redirect(_edit_url(campaign))
    account.refresh_from_db()
    if account.charges_enabled:
        messages.success(request, _("The payout account can take payments: the campaign may be published."))
    else:
        messages.warning(
            request,
            _("Stripe has not enabled payments on this account yet. Finish the onboarding or come back later."),
        )
    return redirect(_edit_url(campaign))


@hooks.register("register_admin_urls")
def register_connect_urls():
    return [
        path("payout-account/<int:page_id>/", connect_onboarding, name="payments_connect_onboarding"),
        path("payout-account/<int:page_id>/return/", connect_return, name="payments_connect_return"),
    ]


@hooks.register("register_page_header_buttons")
def payout_account_button(page, user, view_name, next_url=None):
    if not gateway.stripe_configured() or not isinstance(page.specific_deferred, campaign_model()):
        return
    if not page.permissions_for_user(user).can_edit():
        return
    label = (
        gettext_lazy("Stripe payout account: ready")
        if can_take_charges(page)
        else gettext_lazy("Set up the Stripe payout account")
    )
    yield Button(label, reverse("payments_connect_onboarding", args=[page.pk]), icon_name="link", priority=80)


@hooks.register("before_publish_page")
def require_payout_account(request, page):
    """Stripe mode: a campaign goes live only once its holder's account can take charges."""
    page = page.specific_deferred if type(page) is Page else page
    if not isinstance(page, campaign_model()) or not gateway.stripe_configured():
        return None
    match = getattr(request, "resolver_match", None)
    creating = bool(match and match.url_name == "add")
    if not creating and Page.objects.filter(pk=page.pk, live=True).exists():
        return None  # already live: publishing an edit is not going live
    if can_take_charges(page):
        return None
    # Wagtail's create view has already saved the new page with `live` at its default (True):
    # keep it a draft.
    Page.objects.filter(pk=page.pk).update(live=False, has_unpublished_changes=True)
    messages.error(
        request,
        _(
            "This campaign cannot be published yet: its project holder's Stripe payout account "
            "cannot take payments. Use “Set up the Stripe payout account”, finish the onboarding, "
            "then publish again. Your changes are saved as a draft."
        ),
    )
    return redirect(_edit_url(page))
