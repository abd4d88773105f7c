"""Stripe webhook endpoint: verified, de-duplicated, order-independent.

1. The signature is checked on the raw body with STRIPE_WEBHOOK_SECRET; a missing or bad
   signature answers 400 and changes nothing.
2. The event id is stored in `WebhookEvent` (unique) in the same transaction as the side
   effects: a replay answers 200 and does nothing; a crash stores neither, so Stripe's retry
   is processed in full.
3. Events may arrive in any order, so the object is re-read from Stripe before the pledge
   moves, and `services.transition` ignores repeats and refuses backward moves (logged, 200).
"""

from __future__ import annotations

import json
import logging
import uuid

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from payments import emails, services
from payments.models import PayoutAccount, Pledge, WebhookEvent
from payments.rules import PledgeStatus as S
from payments.stripe_gateway import StripeGateway, field, object_id

logger = logging.getLogger(__name__)

ACTOR = "webhook"


@csrf_exempt
@require_POST
def stripe_webhook(request):
    secret = getattr(settings, "STRIPE_WEBHOOK_SECRET", "")
    signature = request.headers.get("Stripe-Signature", "")
    if not secret or not signature:
        return HttpResponseBadRequest("missing signature")
    try:
        event = stripe.Webhook.construct_event(request.body, signature, secret)
    except (ValueError, stripe.SignatureVerificationError):
        logger.warning("stripe webhook: rejected a request with a bad signature")
        return HttpResponseBadRequest("bad signature")

    with transaction.atomic():
        try:
            with transaction.atomic():
                WebhookEvent.objects.create(event_id=event.id, type=event.type, payload=json.loads(request.body))
        except IntegrityError:
            logger.info("stripe webhook: %s %s already processed", event.type, event.id)
            return HttpResponse("already processed")
        handler = HANDLERS.get(event.type)
        if handler is not None:
            try:
                handler(event)
            except services.InvalidTransition as error:
                # An event older than the pledge's state (e.g. a failure after the success).
                logger.info("stripe webhook: %s %s ignored: %s", event.type, event.id, error)
    return HttpResponse("ok")


# Finding the pledge -------------------------------------------------------------------


def find_pledge(*, metadata=None, checkout_id="", payment_intent_id="", token=""):
    pledge_id = field(metadata, "pledge_id")
    if pledge_id and str(pledge_id).isdigit():
        pledge = Pledge.objects.filter(pk=int(pledge_id)).first()
        if pledge is not None:
            return pledge
    if checkout_id:
        pledge = Pledge.objects.filter(checkout_id=checkout_id).first()
        if pledge is not None:
            return pledge
    if payment_intent_id:
        pledge = Pledge.objects.filter(payment_intent_id=payment_intent_id).first()
        if pledge is not None:
            return pledge
    if token:
        try:
            return Pledge.objects.filter(token=uuid.UUID(str(token))).first()
        except ValueError:
            return None
    return None


def record_note(pledge, note: str, *, actor=ACTOR, data=None):
    """A line in the pledge's audit trail without a change of state (disputes, anomalies)."""
    return services._record(pledge, pledge.status, pledge.status, actor=actor, note=note, data=data)


def _gateway() -> StripeGateway:
    return StripeGateway()


# Applying Stripe objects (also used by the return page through `sync_checkout`)


def sync_checkout(pledge):
    """Re-read the pledge's Checkout Session and apply it, so the citizen back from Stripe sees
    the result without waiting for the webhook (which then finds nothing left to do)."""
    if pledge.checkout_id:
        apply_checkout_session(_gateway().retrieve_checkout(pledge.checkout_id), actor="citizen")
        pledge.refresh_from_db()
    return pledge


def apply_checkout_session(session, *, actor=ACTOR, event=None, failed=False):
    """Bring the pledge in line with a (freshly retrieved) Checkout Session."""
    pledge = find_pledge(
        metadata=field(session, "metadata"),
        checkout_id=session.id,
        payment_intent_id=object_id(field(session, "payment_intent")),
        token=field(session, "client_reference_id", ""),
    )
    if pledge is None:
        logger.warning("stripe: no pledge for checkout session %s", session.id)
        return None
    data = {"event": event.id} if event is not None else {"checkout": session.id}
    note = event.type if event is not None else "checkout return"
    customer = object_id(field(session, "customer")) or pledge.customer_id
    mode = field(session, "mode")
    if mode == "setup":
        setup_intent = field(session, "setup_intent")
        if isinstance(setup_intent, str):
            setup_intent = _gateway().client.v1.setup_intents.retrieve(setup_intent)
        if field(session, "status") == "complete" and field(setup_intent, "status") == "succeeded":
            return _move(
                pledge,
                S.COMMITTED,
                actor=actor,
                note=note,
                data=data,
                customer_id=object_id(field(setup_intent, "customer")) or customer,
                payment_method_id=object_id(field(setup_intent, "payment_method")),
                checkout_id=session.id,
            )
        return None
    if mode == "payment":
        intent_id = object_id(field(session, "payment_intent"))
        if field(session, "payment_status") == "paid":
            return _move(
                pledge,
                S.PAID,
                actor=actor,
                note=note,
                data=data,
                customer_id=customer,
                payment_intent_id=intent_id or pledge.payment_intent_id,
                checkout_id=session.id,
            )
        if failed:
            return _move(pledge, S.FAILED, actor=actor, note=note, data=data, failure_reason="async payment failed")
        if intent_id and not pledge.payment_intent_id:
            pledge.payment_intent_id = intent_id
            pledge.save(update_fields=["payment_intent_id", "updated_at"])
    return None


def _move(pledge, to_status, **kwargs):
    """`services.transition`, then the backer's email once committed; money that arrives for a
    pledge that no longer takes it is noted for a finance officer instead."""
    if pledge.status in (S.CANCELLED, S.FAILED) and to_status in (S.PAID, S.COMMITTED):
        logger.error("stripe: pledge %s is %s but Stripe reports %s", pledge.pk, pledge.status, to_status)
        record_note(pledge, f"Stripe reports {to_status} after {pledge.status}: check and refund", data=kwargs["data"])
        return None
    from_status = pledge.status
    done = services.transition(pledge, to_status, **kwargs)
    if done is not None:
        transaction.on_commit(lambda: notify(done, from_status))
    return done


def notify(pledge, from_status):
    """Email the backer about a change made here. Whoever makes a transition sends its email
    (`transition` returns None to the others), so each email goes out once."""
    if pledge.status in (S.COMMITTED, S.PAID) and from_status == S.PENDING:
        emails.send_confirmation(pledge)
    elif pledge.status == S.PAID:
        emails.send_campaign_succeeded(pledge, pledge.amount_cents)
    elif pledge.status == S.ACTION_REQUIRED:
        emails.send_action_required(pledge, emails.complete_payment_url(pledge))
    elif pledge.status == S.REFUNDED:
        emails.send_refund(pledge)


def apply_payment_intent(intent, *, event=None):
    """Bring the pledge in line with a (freshly retrieved) PaymentIntent."""
    pledge = find_pledge(metadata=field(intent, "metadata"), payment_intent_id=intent.id)
    if pledge is None:
        logger.warning("stripe: no pledge for payment intent %s", intent.id)
        return None
    data = {"event": event.id} if event is not None else {}
    note = event.type if event is not None else "payment intent"
    status = field(intent, "status")
    if status == "succeeded":
        return _move(pledge, S.PAID, actor=ACTOR, note=note, data=data, payment_intent_id=intent.id)
    if status in ("requires_payment_method", "requires_action") and pledge.status in (S.COMMITTED, S.ACTION_REQUIRED):
        # An off-session charge at the close failed: the backer must finish this same payment.
        # (A card refused inside Checkout, pledge still pending, is retried there by the citizen.)
        error = field(intent, "last_payment_error")
        reason = field(error, "decline_code") or field(error, "code") or status
        return _move(
            pledge,
            S.ACTION_REQUIRED,
            actor=ACTOR,
            note=note,
            data=data,
            payment_intent_id=intent.id,
            failure_reason=str(reason)[:255],
        )
    return None


# Event handlers ----------------------------------------------------------------------


def on_checkout_session(event):
    session = _gateway().retrieve_checkout(event.data.object.id)
    apply_checkout_session(session, event=event, failed=event.type == "checkout.session.async_payment_failed")


def on_checkout_expired(event):
    session = _gateway().retrieve_checkout(event.data.object.id)
    pledge = find_pledge(metadata=field(session, "metadata"), checkout_id=session.id)
    if pledge is not None and pledge.status == S.PENDING and field(session, "status") == "expired":
        services.transition(pledge, S.CANCELLED, actor=ACTOR, note=event.type, data={"event": event.id})


def on_payment_intent(event):
    intent = _gateway().client.v1.payment_intents.retrieve(event.data.object.id)
    apply_payment_intent(intent, event=event)


def on_charge_refunded(event):
    charge = _gateway().client.v1.charges.retrieve(event.data.object.id)
    intent_id = object_id(field(charge, "payment_intent"))
    pledge = find_pledge(metadata=field(charge, "metadata"), payment_intent_id=intent_id)
    if pledge is None:
        logger.warning("stripe: no pledge for refunded charge %s", charge.id)
        return
    data = {"event": event.id, "amount_refunded": field(charge, "amount_refunded", 0)}
    if field(charge, "refunded"):
        _move(pledge, S.REFUNDED, actor=ACTOR, note=event.type, data=data)
    else:
        record_note(pledge, "partial refund", data=data)


def on_dispute_created(event):
    dispute = event.data.object
    pledge = find_pledge(
        metadata=field(dispute, "metadata"), payment_intent_id=object_id(field(dispute, "payment_intent"))
    )
    if pledge is None:
        charge_id = object_id(field(dispute, "charge"))
        if charge_id:
            charge = _gateway().client.v1.charges.retrieve(charge_id)
            pledge = find_pledge(
                metadata=field(charge, "metadata"), payment_intent_id=object_id(field(charge, "payment_intent"))
            )
    if pledge is None:
        logger.warning("stripe: no pledge for dispute %s", dispute.id)
        return
    record_note(
        pledge,
        f"dispute opened: {field(dispute, 'reason', '')}",
        data={"event": event.id, "dispute": dispute.id, "amount": field(dispute, "amount", 0)},
    )


def on_account_updated(event):
    account = _gateway().retrieve_account(event.data.object.id)
    apply_account(account)
    if not PayoutAccount.objects.filter(stripe_account_id=account.id).exists():
        logger.warning("stripe: account.updated for unknown account %s", account.id)


def apply_account(account) -> int:
    """Copy a Connect account's flags onto its PayoutAccount row(s); returns rows updated."""
    return PayoutAccount.objects.filter(stripe_account_id=account.id).update(
        charges_enabled=bool(field(account, "charges_enabled", False)),
        payouts_enabled=bool(field(account, "payouts_enabled", False)),
        details_submitted=bool(field(account, "details_submitted", False)),
        updated_at=timezone.now(),
    )


HANDLERS = {
    "checkout.session.completed": on_checkout_session,
    "checkout.session.async_payment_succeeded": on_checkout_session,
    "checkout.session.async_payment_failed": on_checkout_session,
    "checkout.session.expired": on_checkout_expired,
    "payment_intent.succeeded": on_payment_intent,
    "payment_intent.payment_failed": on_payment_intent,
    "payment_intent.requires_action": on_payment_intent,
    "charge.refunded": on_charge_refunded,
    "charge.dispute.created": on_dispute_created,
    "account.updated": on_account_updated,
}
