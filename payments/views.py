"""Citizen-facing payment views: pledge form, demo checkout, return, thanks, completion.

Thin views: the rules and every change of a pledge's state live in `services`; the
provider behind `providers.get_gateway()`. Pages are addressed by the pledge's random
token, never by its id.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from payments import demo_gateway, emails, ledger, rules, services, webhooks
from payments.forms import DemoCardForm, PledgeForm
from payments.gateway import provider_name
from payments.models import Pledge
from payments.providers import get_gateway
from payments.rules import PledgeStatus

S = PledgeStatus
logger = logging.getLogger(__name__)


def _language():
    return (get_language() or "fr")[:2]


def _closed_message(campaign, now=None):
    """Why the campaign takes no pledge now (`rules.is_open_to_pledges`), or ""."""
    now = now or timezone.now()
    if rules.is_open_to_pledges(campaign, now):
        return ""
    if campaign.start_at > now:
        return _("This campaign is not open yet.")
    return _("This campaign is closed: it no longer takes pledges.")


def _chosen_reward(rewards, value):
    for reward in rewards:
        if str(reward.pk) == str(value):
            return reward
    return None


@require_http_methods(["GET", "POST"])
def pledge(request, campaign):
    """The pledge form of a campaign (`<campaign>/soutenir/`), a page of its own."""
    rewards = list(campaign.rewards_with_stock())
    closed_message = _closed_message(campaign)
    if request.method == "POST":
        form = PledgeForm(request.POST, campaign=campaign)
        if closed_message:
            form.is_valid()
            form.add_error(None, closed_message)
        elif form.is_valid():
            try:
                new_pledge = services.create_pledge(
                    campaign, form.pledge_request(_language()), provider=provider_name()
                )
            except services.PledgeError as error:
                form.add_pledge_error(error)
            else:
                return _start_checkout(request, new_pledge)
        rewards = list(campaign.rewards_with_stock())  # the stock may have moved meanwhile
        selected = form.data.get("reward", "")
    else:
        selected = request.GET.get("reward", "")
        reward = _chosen_reward(rewards, selected)
        if reward is None or reward.sold_out:
            selected = ""
        initial = {"reward": selected}
        if reward is not None and not reward.sold_out:
            initial["amount"] = str(reward.min_amount)
        form = PledgeForm(initial=initial, campaign=campaign)
    context = {
        "page": campaign,
        "self": campaign,
        "campaign": campaign,
        "figures": ledger.campaign_figures(campaign),
        "form": form,
        "rewards": rewards,
        "selected_reward": str(selected or ""),
        "closed_message": closed_message,
        "all_or_nothing": rules.charges_at_close(campaign.funding_model),
        "form_action": request.get_full_path(),
    }
    return render(request, "payments/pledge_form.html", context)


def _start_checkout(request, new_pledge):
    return_url = reverse("payments:checkout_return", kwargs={"token": new_pledge.token})
    cancel_url = reverse("payments:checkout_cancel", kwargs={"token": new_pledge.token})
    url = get_gateway(new_pledge.provider).start_checkout(
        new_pledge,
        success_url=request.build_absolute_uri(return_url),
        cancel_url=request.build_absolute_uri(cancel_url),
    )
    return redirect(url)


def _pledge_or_404(token):
    return get_object_or_404(Pledge.objects.select_related("campaign", "reward"), token=token)


def _campaign_of(pledge):
    """The pledge's campaign in the active language when translated and live."""
    return pledge.campaign.localized


def _thanks(pledge):
    return redirect("payments:thanks", token=pledge.token)


def _base_context(pledge, **extra):
    campaign = _campaign_of(pledge)
    return {
        "pledge": pledge,
        "campaign": campaign,
        "all_or_nothing": rules.charges_at_close(pledge.funding_model),
        **extra,
    }


def _succeed(pledge, payment_method_id):
    """The demo card was accepted: commit (all-or-nothing) or pay (keep-it-all), then confirm."""
    if not rules.charges_at_close(pledge.funding_model):
        done = services.transition(
            pledge,
            S.PAID,
            actor="citizen",
            note="demo checkout",
            payment_method_id=payment_method_id,
            payment_intent_id=f"demo_pi_{pledge.pk}",
        )
    else:
        done = services.transition(
            pledge, S.COMMITTED, actor="citizen", note="demo checkout", payment_method_id=payment_method_id
        )
    if done is not None:
        emails.send_confirmation(done)
    return done


@require_http_methods(["GET", "POST"])
def demo_checkout(request, token):
    """The demo provider's card page: no money moves; cards behave like Stripe's test cards."""
    pledge = _pledge_or_404(token)
    if pledge.provider != "demo":
        raise Http404
    if pledge.status in (S.COMMITTED, S.PAID, S.ACTION_REQUIRED):
        return _thanks(pledge)
    if pledge.status != S.PENDING:
        context = _base_context(pledge, message=_("This checkout is no longer open: nothing was charged."))
        return render(request, "payments/checkout_closed.html", context, status=410)

    form = DemoCardForm(request.POST or None)
    step = "card"
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "pay")
        if action == "cancel":
            services.transition(pledge, S.CANCELLED, actor="citizen", note="demo checkout cancelled")
            return redirect(_campaign_of(pledge).get_url(request) or "/")
        if form.is_valid():
            number = form.cleaned_data["card_number"]
            behaviour = demo_gateway.demo_card_behaviour(number)
            try:
                if behaviour in ("success", "fails_at_charge"):
                    _succeed(pledge, f"demo_pm_{number}")
                    return _thanks(pledge)
                if behaviour == "authentication":
                    if action == "authenticate":
                        _succeed(pledge, f"demo_pm_{number}")
                        return _thanks(pledge)
                    step = "authenticate"
                elif behaviour == "declined":
                    error = _("Your card was declined (demo). Nothing was recorded: try another card.")
                else:
                    error = _("This is not one of the demo cards: use one of the numbers listed below.")
            except services.InvalidTransition:
                # The checkout expired (or was cancelled) meanwhile.
                return redirect("payments:demo_checkout", token=pledge.token)
            if error:
                form.add_error("card_number", error)
    context = _base_context(pledge, form=form, step=step, demo_cards=_demo_cards())
    return render(request, "payments/demo_checkout.html", context)


def _demo_cards():
    return [
        (demo_gateway.DEMO_SUCCESS, _("payment accepted")),
        (demo_gateway.DEMO_DECLINED, _("card declined")),
        (demo_gateway.DEMO_AUTHENTICATION, _("your bank asks you to confirm (an extra step)")),
        (demo_gateway.DEMO_FAILS_AT_CHARGE, _("card saved, but declined when charged at the close of the campaign")),
    ]


@require_http_methods(["GET"])
def checkout_return(request, token):
    """Where the provider sends the citizen back; the webhook may not have arrived yet."""
    pledge = _pledge_or_404(token)
    if pledge.status == S.PENDING and pledge.provider == "stripe" and pledge.checkout_id:
        # Apply the Checkout Session now rather than wait for its webhook; the webhook
        # then finds nothing left to do.
        try:
            pledge = webhooks.sync_checkout(pledge)
        except Exception:  # noqa: BLE001 — the provider is unreachable: the webhook will settle it
            logger.warning("could not sync checkout of pledge %s", pledge.pk, exc_info=True)
    if pledge.status in (S.COMMITTED, S.PAID):
        return _thanks(pledge)
    if pledge.status == S.ACTION_REQUIRED:
        return redirect("payments:complete_payment", token=pledge.token)
    if pledge.status != S.PENDING:
        context = _base_context(pledge, message=_("This pledge was not completed: nothing was charged."))
        return render(request, "payments/checkout_closed.html", context)
    return render(request, "payments/confirming.html", _base_context(pledge))


@require_http_methods(["GET"])
def checkout_cancel(request, token):
    """Where the provider sends a backer who gave up on its payment page (Stripe's `cancel_url`).

    A pledge still pending is cancelled, so it no longer holds a reward or room under the cap;
    the backer is sent back to the campaign's pledge form with a message. A pledge that was
    completed meanwhile (the backer came back through another tab) is left as it is.
    """
    pledge = _pledge_or_404(token)
    if pledge.status in (S.COMMITTED, S.PAID, S.ACTION_REQUIRED):
        return _thanks(pledge)
    if pledge.status == S.PENDING:
        try:
            services.transition(pledge, S.CANCELLED, actor="citizen", note="checkout cancelled")
        except services.InvalidTransition:  # completed or expired meanwhile
            return redirect("payments:checkout_cancel", token=pledge.token)
    messages.info(request, _("Payment cancelled: nothing was charged. You can try again."))
    campaign = _campaign_of(pledge)
    return redirect(campaign.pledge_url(request) or "/")


@require_http_methods(["GET"])
def thanks(request, token):
    pledge = _pledge_or_404(token)
    if pledge.status == S.PENDING:
        return render(request, "payments/confirming.html", _base_context(pledge))
    return render(request, "payments/thanks.html", _base_context(pledge))


@require_http_methods(["GET", "POST"])
def complete_payment(request, token):
    """Finish a payment the bank refused off-session ("action required").

    Demo provider: a button pays. Other providers: `Gateway.completion_context(pledge)`,
    when the gateway has it, gives the template what it needs to confirm the same payment
    in the browser (for Stripe: publishable key, client secret, return URL).
    """
    pledge = _pledge_or_404(token)
    if pledge.status == S.PAID:
        return _thanks(pledge)
    if pledge.status != S.ACTION_REQUIRED:
        context = _base_context(pledge, message=_("There is no payment to complete for this pledge."))
        return render(request, "payments/checkout_closed.html", context)
    provider = get_gateway(pledge.provider or None)
    if pledge.provider == "demo" and request.method == "POST":
        try:
            done = services.transition(
                pledge,
                S.PAID,
                actor="citizen",
                note="payment completed (demo)",
                payment_intent_id=f"demo_pi_{pledge.pk}",
            )
        except services.InvalidTransition:
            return redirect("payments:complete_payment", token=pledge.token)
        if done is not None:
            emails.send_campaign_succeeded(done, done.amount_cents)
        return _thanks(pledge)
    completion = {}
    if pledge.provider != "demo" and hasattr(provider, "completion_context"):
        try:
            completion = provider.completion_context(pledge) or {}
        except Exception:  # the provider is unreachable: the page says to come back later
            logger.exception("pledge %s: no completion context", pledge.pk)
    return render(
        request,
        "payments/complete_payment.html",
        _base_context(pledge, demo=pledge.provider == "demo", completion=completion),
    )
