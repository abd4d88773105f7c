"""Citizen-facing payment views: pledge form, demo checkout, return, thanks, completion.

Thin views: the rules and every change of a pledge's state live in `services`; the
provider behind `providers.gateway_for(pledge)`. Pages are addressed by the pledge's random
token, never by its id. An email that follows a change of state is enqueued inside the
same `transaction.atomic()` as the change; providers are called outside any transaction.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from coupdepouce.ratelimits import limit
from payments import demo_gateway, emails, ledger, providers, rules, services, webhooks
from payments.forms import DemoCardForm, PledgeForm
from payments.gateway import GatewayError, ProviderUnavailable, demo_allowed, provider_name
from payments.interface import campaign_model
from payments.models import Pledge
from payments.rules import PledgeStatus

S = PledgeStatus
logger = logging.getLogger(__name__)


def _language():
    return (get_language() or "fr")[:2]


def _closed_message(campaign):
    """Why the campaign takes no pledge now (`services.pledge_refusal`: the canonical page decides), or ""."""
    refusal = services.pledge_refusal(campaign)
    return refusal.message if refusal is not None else ""


def _unavailable_message():
    return _("Payment is temporarily unavailable: nothing was charged. Please try again in a few minutes.")


def _chosen_reward(rewards, value):
    for reward in rewards:
        if str(reward.pk) == str(value):
            return reward
    return None


def _reader_language(request, campaign):
    """The language asked for with `?lang=` when it is another supported language than the
    campaign's own, else "". Kept through the POST: the form posts to its own URL."""
    code = request.GET.get("lang", "")
    if code not in dict(settings.LANGUAGES) or code == campaign.locale.language_code:
        return ""
    return code


@limit("pledge")
@require_http_methods(["GET", "POST"])
def pledge(request, campaign):
    """The pledge form of a campaign (`<campaign>/soutenir/`), a page of its own.

    `?lang=en` on a French campaign with no English translation gives the same form in
    English around the campaign's own (French) texts, with a notice saying so: a reader of
    English can back any campaign. The pledge, its emails and checkout are then in English.
    With a live translation, `?lang=` leads to the translation's own form.
    """
    language = _reader_language(request, campaign)
    if not language:
        return _pledge_form(request, campaign)
    translation = (
        campaign_model()
        .objects.live()
        .filter(translation_key=campaign.translation_key, locale__language_code=language)
        .first()
    )
    if translation is not None:
        return redirect(translation.pledge_url(request))
    with override(language):
        response = _pledge_form(request, campaign, only_in=campaign.locale.language_code)
    response["Content-Language"] = language
    return response


def _pledge_form(request, campaign, only_in=""):
    """The form itself, in the active language; `only_in`: the campaign's language when it differs."""
    rewards = list(campaign.rewards_with_stock())
    closed_message = _closed_message(campaign)
    tax_receipt = services.tax_receipt_terms(campaign)
    offers = tax_receipt.offered
    status = 200
    if request.method == "POST":
        form = PledgeForm(request.POST, campaign=campaign, offers_receipts=offers)
        if closed_message:
            form.is_valid()
            form.add_error(None, closed_message)
        elif form.is_valid():
            try:
                checkout_url = _pledge_and_checkout(request, campaign, form)
            except services.PledgeError as error:
                form.add_pledge_error(error)
            else:
                if checkout_url:
                    return redirect(checkout_url)
                # No provider answered: nothing is left pending, the form comes back as typed.
                form.add_error(None, _unavailable_message())
                status = 503
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
        form = PledgeForm(initial=initial, campaign=campaign, offers_receipts=offers)
    if offers:
        for reward in rewards:
            reward.receipt = services.reward_receipt_note(reward, tax_receipt.cap_cents)
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
        "only_in": only_in,
        "tax_receipt": tax_receipt,
        "typed_cost": _typed_cost(form) if offers else None,
    }
    return render(request, "payments/pledge_form.html", context, status=status)


def _typed_cost(form):
    """(gift, cost after the tax reduction) in cents for the amount typed, when the form comes
    back with a valid amount; else None."""
    amount = getattr(form, "cleaned_data", {}).get("amount") if form.is_bound else None
    if not amount:
        return None
    return amount, rules.cost_after_tax_reduction_cents(amount)


def _pledge_and_checkout(request, campaign, form) -> str:
    """Record the pending pledge and open its checkout: the provider's URL, or "" when no
    provider can take it (nothing is left pending then). Raises PledgeError."""
    try:
        provider = provider_name()
    except ProviderUnavailable:
        logger.error("pledge form: no payment provider is configured here", exc_info=True)
        return ""
    new_pledge = services.create_pledge(campaign, form.pledge_request(_language()), provider=provider)
    return _start_checkout(request, new_pledge)


def _start_checkout(request, new_pledge) -> str:
    """The provider's checkout URL for the new pledge; "" when the provider failed, and then
    the pledge was cancelled (a PledgeEvent says why), so it holds nothing."""
    return_url = reverse("payments:checkout_return", kwargs={"token": new_pledge.token})
    cancel_url = reverse("payments:checkout_cancel", kwargs={"token": new_pledge.token})
    try:
        return providers.gateway_for(new_pledge).start_checkout(
            new_pledge,
            success_url=request.build_absolute_uri(return_url),
            cancel_url=request.build_absolute_uri(cancel_url),
        )
    except (GatewayError, ProviderUnavailable) as error:
        logger.error("pledge %s: the checkout could not start: %s", new_pledge.pk, error)
        services.transition(
            new_pledge, S.CANCELLED, actor="system", note="payment provider unavailable", data={"error": str(error)}
        )
        return ""


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


def _closed_campaign_message():
    return _("The campaign is closed: nothing was charged.")


def release_refused(pledge):
    """A checkout finished after its campaign stopped taking pledges (`services.complete_checkout`
    cancelled it): release the saved card (all-or-nothing) or refund the payment taken at
    checkout (keep-it-all), through the pledge's own provider. Call it outside any transaction."""
    gateway = providers.gateway_for(pledge)
    if rules.charges_at_close(pledge.funding_model):
        gateway.release_card(pledge)
    else:
        gateway.refund(pledge)


def _succeed(pledge, payment_method_id) -> services.Completion:
    """The demo card was accepted: commit (all-or-nothing) or pay (keep-it-all), then confirm,
    if the campaign still takes pledges (`services.complete_checkout`); else release."""
    fields = {"payment_method_id": payment_method_id}
    if rules.charges_at_close(pledge.funding_model):
        to_status = S.COMMITTED
    else:
        to_status = S.PAID
        fields["payment_intent_id"] = f"demo_pi_{pledge.pk}"
    with transaction.atomic():
        done = services.complete_checkout(pledge, to_status, actor="citizen", note="demo checkout", **fields)
        if done.accepted and done.changed:
            emails.send_confirmation(done.pledge)
    if not done.accepted and done.changed:
        release_refused(done.pledge)
    return done


@limit("demo_checkout")
@require_http_methods(["GET", "POST"])
def demo_checkout(request, token):
    """The demo provider's card page: no money moves; cards behave like Stripe's test cards.
    Only where demo payments are allowed (`PAYMENTS_DEMO_MODE`)."""
    pledge = _pledge_or_404(token)
    if pledge.provider != "demo" or not demo_allowed():
        raise Http404
    if pledge.status in (S.COMMITTED, S.PAID, S.ACTION_REQUIRED):
        return _thanks(pledge)
    if services.expire_if_due(pledge):
        context = _base_context(pledge, message=_("This checkout has expired: nothing was charged."))
        return render(request, "payments/checkout_closed.html", context, status=410)
    if pledge.status != S.PENDING:
        context = _base_context(pledge, message=_("This checkout is no longer open: nothing was charged."))
        return render(request, "payments/checkout_closed.html", context, status=410)

    # An empty POST is a bound form too: it gets its "enter a card" error.
    form = DemoCardForm(request.POST if request.method == "POST" else None)
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
                if behaviour in ("success", "fails_at_charge") or (
                    behaviour == "authentication" and action == "authenticate"
                ):
                    if not _succeed(pledge, f"demo_pm_{number}").accepted:
                        context = _base_context(pledge, message=_closed_campaign_message())
                        return render(request, "payments/checkout_closed.html", context, status=410)
                    return _thanks(pledge)
                if behaviour == "authentication":
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
        if pledge.refund_id:
            # Paid on Stripe after the campaign closed (or the checkout expired): given back.
            message = _(
                "This pledge was not accepted: the campaign no longer takes pledges. Your payment was refunded."
            )
        else:
            message = _("This pledge was not completed: nothing was charged.")
        return render(request, "payments/checkout_closed.html", _base_context(pledge, message=message))
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
    if pledge.provider == "demo" and not demo_allowed():
        raise Http404
    if pledge.provider == "demo" and request.method == "POST":
        try:
            with transaction.atomic():
                done = services.complete_checkout(
                    pledge,
                    S.PAID,
                    actor="citizen",
                    note="payment completed (demo)",
                    payment_intent_id=f"demo_pi_{pledge.pk}",
                )
                if done.changed:
                    emails.send_campaign_succeeded(done.pledge, done.pledge.amount_cents)
        except services.InvalidTransition:
            return redirect("payments:complete_payment", token=pledge.token)
        return _thanks(pledge)
    completion = {}
    if pledge.provider != "demo":
        try:
            provider = providers.gateway_for(pledge)
            if hasattr(provider, "completion_context"):
                completion = provider.completion_context(pledge) or {}
        except Exception:  # the provider is unreachable or not configured: the page says to come back later
            logger.exception("pledge %s: no completion context", pledge.pk)
    return render(
        request,
        "payments/complete_payment.html",
        _base_context(pledge, demo=pledge.provider == "demo", completion=completion),
    )
