"""Stripe webhook endpoint: verified, de-duplicated, order-independent, never holding the database.

1. The signature is checked on the raw body with STRIPE_WEBHOOK_SECRET; an empty secret, a
   missing or a bad signature answers 400 and changes nothing.
2. An event id already in `WebhookEvent` answers 200 "already processed" at once.
3. The object is re-read from Stripe (events may arrive in any order) OUTSIDE any transaction:
   a slow Stripe never keeps a transaction, or SQLite's write lock, from pledges made meanwhile.
   Stripe unreachable: 503, nothing stored, Stripe retries.
4. One short `transaction.atomic()` inserts the event id (unique: a concurrent replay hits the
   IntegrityError and does nothing) and applies the state change, with the backer's email
   enqueued in that same transaction. `services.transition` ignores repeats and refuses
   backward moves (logged, 200).
5. After the commit, money Stripe holds for a pledge that will not take it (the campaign closed
   before the checkout finished, or a checkout paid after its pledge expired) is given back:
   the payment refunded (`refund_id` stored) or the saved card released. Each such release is
   first written down in the pledge's audit trail (`data.release_state = "to do"`), so one
   that fails (Stripe down) is retried by `manage.py reconcile_payments`.

`process_event` is the one path for an event, whether the webhook received it or
`payments/reconcile.py` listed it from Stripe.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from dataclasses import field as dataclass_field

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from payments import emails, services
from payments.gateway import GatewayError
from payments.models import PayoutAccount, Pledge, PledgeEvent, WebhookEvent
from payments.rules import PledgeStatus as S
from payments.stripe_gateway import StripeGateway, field, object_id

logger = logging.getLogger(__name__)

ACTOR = "webhook"
APPLIED = "ok"
ALREADY_PROCESSED = "already processed"

# What is given back when Stripe holds money for a pledge that will not take it.
REFUND = "refund"  # payment mode: the payment is refunded
CARD = "card"  # setup mode: the saved card is detached
# `PledgeEvent.data["release_state"]` of a release written down, then made.
TO_DO = "to do"
DONE = "done"
# Statuses in which a pledge takes no money.
NOT_TAKING = (S.CANCELLED, S.FAILED)


@csrf_exempt
@require_POST
def stripe_webhook(request):
    secret = getattr(settings, "STRIPE_WEBHOOK_SECRET", "") or ""
    signature = request.headers.get("Stripe-Signature", "")
    if not secret:
        # Never verify against an empty secret: anyone can sign with "".
        logger.error("stripe webhook: STRIPE_WEBHOOK_SECRET is empty: every event is refused")
        return HttpResponseBadRequest("webhook secret not configured")
    if not signature:
        return HttpResponseBadRequest("missing signature")
    try:
        event = stripe.Webhook.construct_event(request.body, signature, secret)
    except (ValueError, stripe.SignatureVerificationError):
        logger.warning("stripe webhook: rejected a request with a bad signature")
        return HttpResponseBadRequest("bad signature")
    try:
        outcome = process_event(event, payload=json.loads(request.body))
    except GatewayError:
        logger.warning("stripe webhook: %s %s not processed: Stripe unreachable", event.type, event.id, exc_info=True)
        return HttpResponse("stripe unreachable, retry later", status=503)
    return HttpResponse(outcome)


def process_event(event, *, payload=None) -> str:
    """Apply one Stripe event, once: APPLIED, or ALREADY_PROCESSED for a known event id.

    Raises GatewayError when Stripe cannot be read (nothing is stored then). Must be called
    outside any transaction: Stripe is called before and after the short one that writes."""
    if WebhookEvent.objects.filter(event_id=event.id).exists():
        logger.info("stripe webhook: %s %s already processed", event.type, event.id)
        return ALREADY_PROCESSED
    handler = HANDLERS.get(event.type)
    fetched = handler.fetch(event) if handler is not None else None
    effects = Effects()
    with transaction.atomic():
        try:
            with transaction.atomic():
                WebhookEvent.objects.create(
                    event_id=event.id, type=event.type, payload=payload if payload is not None else _payload(event)
                )
        except IntegrityError:
            logger.info("stripe webhook: %s %s already processed", event.type, event.id)
            return ALREADY_PROCESSED
        if handler is not None:
            try:
                handler.apply(event, fetched, effects)
            except services.InvalidTransition as error:
                # An event older than the pledge's state (e.g. a failure after the success).
                logger.info("stripe webhook: %s %s ignored: %s", event.type, event.id, error)
    effects.release_money()
    return APPLIED


def _payload(event) -> dict:
    return event.to_dict(for_json=True)


@dataclass
class Effects:
    """What an event leaves to do after its transaction: money to give back (pledge ids)."""

    releases: list = dataclass_field(default_factory=list)

    def release_money(self):
        for pledge_id in dict.fromkeys(self.releases):
            release_money(pledge_id)


@dataclass(frozen=True)
class Handler:
    """`fetch(event)` reads from Stripe (no transaction); `apply(event, fetched, effects)`
    writes, inside the event's transaction."""

    fetch: object
    apply: object


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


# The Checkout return page and reconciliation -------------------------------------------


def sync_checkout(pledge, *, actor="citizen"):
    """Re-read the pledge's Checkout Session and apply it, so the citizen back from Stripe sees
    the result without waiting for the webhook (which then finds nothing left to do).
    Stripe is read first, then one short transaction writes. Raises GatewayError."""
    if pledge.checkout_id:
        session, setup_intent = fetch_checkout(pledge.checkout_id)
        effects = Effects()
        with transaction.atomic():
            try:
                apply_checkout_session(session, setup_intent, actor=actor, effects=effects)
            except services.InvalidTransition as error:
                logger.info("stripe: checkout of pledge %s not applied: %s", pledge.pk, error)
        effects.release_money()
        pledge.refresh_from_db()
    return pledge


def sync_payment_intent(pledge, *, actor="reconcile"):
    """Re-read the pledge's PaymentIntent and apply it (reconciliation). Raises GatewayError."""
    if pledge.payment_intent_id:
        intent = _gateway().retrieve_payment_intent(pledge.payment_intent_id)
        effects = Effects()
        with transaction.atomic():
            try:
                apply_payment_intent(intent, actor=actor, effects=effects)
            except services.InvalidTransition as error:
                logger.info("stripe: payment intent of pledge %s not applied: %s", pledge.pk, error)
        effects.release_money()
        pledge.refresh_from_db()
    return pledge


# Applying Stripe objects ----------------------------------------------------------------


def fetch_checkout(session_id):
    """The session (SetupIntent and PaymentIntent expanded) and its SetupIntent object, if any."""
    gateway = _gateway()
    session = gateway.retrieve_checkout(session_id)
    setup_intent = field(session, "setup_intent")
    if isinstance(setup_intent, str) and setup_intent:
        setup_intent = gateway.retrieve_setup_intent(setup_intent)
    return session, setup_intent


def apply_checkout_session(session, setup_intent=None, *, actor=ACTOR, event=None, failed=False, effects):
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
    note = event.type if event is not None else ("checkout return" if actor == "citizen" else "checkout re-read")
    if field(session, "status") == "expired":
        # Only what Stripe says now counts: an `expired` event for a session since completed
        # does not cancel (its completion is applied below instead).
        if pledge.status == S.PENDING:
            return services.transition(pledge, S.CANCELLED, actor=actor, note=note, data=data)
        return None
    customer = object_id(field(session, "customer")) or pledge.customer_id
    mode = field(session, "mode")
    if mode == "setup":
        if setup_intent is None:
            setup_intent = field(session, "setup_intent")
        if field(session, "status") == "complete" and field(setup_intent, "status") == "succeeded":
            return _move(
                pledge,
                S.COMMITTED,
                effects=effects,
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
                effects=effects,
                actor=actor,
                note=note,
                data=data,
                customer_id=customer,
                payment_intent_id=intent_id or pledge.payment_intent_id,
                checkout_id=session.id,
            )
        if failed:
            return _move(
                pledge,
                S.FAILED,
                effects=effects,
                actor=actor,
                note=note,
                data=data,
                failure_reason="async payment failed",
            )
        if intent_id and not pledge.payment_intent_id:
            pledge.payment_intent_id = intent_id
            pledge.save(update_fields=["payment_intent_id", "updated_at"])
    return None


def apply_payment_intent(intent, *, actor=ACTOR, event=None, effects):
    """Bring the pledge in line with a (freshly retrieved) PaymentIntent."""
    pledge = find_pledge(metadata=field(intent, "metadata"), payment_intent_id=intent.id)
    if pledge is None:
        logger.warning("stripe: no pledge for payment intent %s", intent.id)
        return None
    data = {"event": event.id} if event is not None else {"payment_intent": intent.id}
    note = event.type if event is not None else "payment intent"
    status = field(intent, "status")
    if status == "succeeded":
        return _move(pledge, S.PAID, effects=effects, actor=actor, note=note, data=data, payment_intent_id=intent.id)
    if status in ("requires_payment_method", "requires_action") and pledge.status in (S.COMMITTED, S.ACTION_REQUIRED):
        # An off-session charge at the close failed: the backer must finish this same payment.
        # (A card refused inside Checkout, pledge still pending, is retried there by the citizen.)
        error = field(intent, "last_payment_error")
        reason = field(error, "decline_code") or field(error, "code") or status
        return _move(
            pledge,
            S.ACTION_REQUIRED,
            effects=effects,
            actor=actor,
            note=note,
            data=data,
            payment_intent_id=intent.id,
            failure_reason=str(reason)[:255],
        )
    return None


def _move(pledge, to_status, *, effects, **kwargs):
    """Move the pledge as Stripe reports, and enqueue the backer's email in the same transaction.

    A pending checkout is completed through `services.complete_checkout`, which re-checks that
    the campaign still takes pledges. Money Stripe reports for a pledge that does not take it
    (the campaign closed meanwhile, or the pledge expired or was cancelled before) is given back
    after the commit (`effects`), and the backer gets no confirmation."""
    taking = to_status in (S.COMMITTED, S.PAID)
    if taking and pledge.status in NOT_TAKING:
        return _give_back(pledge, to_status, effects=effects, **kwargs)
    from_status = pledge.status
    try:
        if taking and pledge.status == S.PENDING:
            completion = services.complete_checkout(pledge, to_status, **kwargs)
            if not completion.accepted:
                # Cancelled instead (here or by a concurrent completion): the money goes back.
                _hold_release(completion.pledge, to_status, kwargs.get("data"), effects, "campaign closed")
                return None
            done = completion.pledge if completion.changed else None
        else:
            done = services.transition(pledge, to_status, **kwargs)
    except services.InvalidTransition:
        pledge.refresh_from_db()
        if taking and pledge.status in NOT_TAKING:  # expired or cancelled meanwhile
            return _give_back(pledge, to_status, effects=effects, **kwargs)
        raise
    if done is not None:
        notify(done, from_status)
    return done


def _give_back(pledge, to_status, *, effects, actor, note, data, **fields):
    """Stripe reports money (a payment, a saved card) for a pledge that takes none: store the
    provider ids it came with, and give it back after the commit."""
    logger.error("stripe: pledge %s is %s but Stripe reports %s: giving it back", pledge.pk, pledge.status, to_status)
    ids = {
        name: value
        for name, value in fields.items()
        if name in ("customer_id", "payment_method_id", "payment_intent_id", "checkout_id")
        and value
        and not getattr(pledge, name)
    }
    if ids:
        Pledge.objects.filter(pk=pledge.pk).update(**ids)
        for name, value in ids.items():
            setattr(pledge, name, value)
    _hold_release(pledge, to_status, data, effects, f"Stripe reports {to_status} after {pledge.status}")
    return None


def _release_kind(to_status) -> str:
    return REFUND if to_status == S.PAID else CARD


def _hold_release(pledge, to_status, data, effects, reason):
    """Write down, in the event's transaction, that money must be given back; `release_money`
    does it after the commit (and `pending_releases` finds it again if that fails)."""
    kind = _release_kind(to_status)
    if not PledgeEvent.objects.filter(pledge_id=pledge.pk, data__release=kind).exists():
        note = "payment to refund" if kind == REFUND else "saved card to release"
        record_note(
            pledge,
            f"{note}: {reason}",
            data={**(data or {}), "release": kind, "release_state": TO_DO},
        )
    effects.releases.append(pledge.pk)


def pending_releases():
    """Ids of pledges whose money is still to be given back (a release that failed)."""
    pending = set(PledgeEvent.objects.filter(data__release_state=TO_DO).values_list("pledge_id", flat=True).distinct())
    done = set(
        PledgeEvent.objects.filter(pledge_id__in=pending, data__release_state=DONE)
        .values_list("pledge_id", flat=True)
        .distinct()
    )
    return sorted(pending - done)


def release_money(pledge_id) -> bool:
    """Give back what Stripe holds for a pledge that takes no money: refund its payment (the
    Refund's id stored in `refund_id`, the backer told by the refund email) or detach its saved
    card. Called outside any transaction. Returns False when Stripe failed (retried by
    `reconcile_payments`); safe to repeat."""
    pledge = Pledge.objects.select_related("campaign").get(pk=pledge_id)
    marks = PledgeEvent.objects.filter(pledge_id=pledge_id, data__release__in=(REFUND, CARD))
    if pledge.status not in NOT_TAKING or marks.filter(data__release_state=DONE).exists():
        return True
    pending = marks.filter(data__release_state=TO_DO).first()
    if pending is None:
        return True
    kind = pending.data["release"]
    gateway = _gateway()
    try:
        refund = gateway.refund(pledge) if kind == REFUND else gateway.release_card(pledge)
    except GatewayError:
        logger.exception(
            "stripe: could not give back the money of pledge %s (%s); reconcile_payments retries", pledge.pk, kind
        )
        return False
    with transaction.atomic():
        # A concurrent release (the webhook and the return page at once) records it once.
        Pledge.objects.select_for_update().filter(pk=pledge.pk).first()
        if marks.filter(data__release_state=DONE).exists():
            return True
        if kind == REFUND and refund is not None:
            Pledge.objects.filter(pk=pledge.pk).update(refund_id=refund.id, updated_at=timezone.now())
            pledge.refund_id = refund.id
            record_note(
                pledge,
                f"refunded automatically: {refund.id}",
                data={"release": kind, "release_state": DONE, "refund": refund.id},
            )
            emails.send_refund(pledge)
        elif kind == REFUND:
            record_note(pledge, "nothing to refund: no payment id", data={"release": kind, "release_state": DONE})
        else:
            record_note(
                pledge,
                "saved card released",
                data={"release": kind, "release_state": DONE, "payment_method": pledge.payment_method_id},
            )
    return True


def notify(pledge, from_status):
    """Email the backer about a change made here (enqueued in the caller's transaction).
    Whoever makes a transition sends its email (`transition` returns None to the others), so
    each email goes out once."""
    if pledge.status in (S.COMMITTED, S.PAID) and from_status == S.PENDING:
        emails.send_confirmation(pledge)
    elif pledge.status == S.PAID:
        emails.send_campaign_succeeded(pledge, pledge.amount_cents)
    elif pledge.status == S.ACTION_REQUIRED:
        emails.send_action_required(pledge, emails.complete_payment_url(pledge))
    elif pledge.status == S.REFUNDED:
        emails.send_refund(pledge)


# Event handlers: fetch (Stripe, no transaction), then apply (database, one transaction) ---------


def fetch_event_checkout(event):
    return fetch_checkout(event.data.object.id)


def apply_event_checkout(event, fetched, effects):
    """Every checkout.session.* event: the session as Stripe has it now decides."""
    session, setup_intent = fetched
    apply_checkout_session(
        session,
        setup_intent,
        event=event,
        failed=event.type == "checkout.session.async_payment_failed",
        effects=effects,
    )


def fetch_event_payment_intent(event):
    return _gateway().retrieve_payment_intent(event.data.object.id)


def apply_event_payment_intent(event, intent, effects):
    apply_payment_intent(intent, event=event, effects=effects)


def fetch_event_charge(event):
    return _gateway().retrieve_charge(event.data.object.id)


def apply_event_charge_refunded(event, charge, effects):
    """A full refund (everything refunded) makes the pledge `refunded`; a partial one is noted."""
    intent_id = object_id(field(charge, "payment_intent"))
    pledge = find_pledge(metadata=field(charge, "metadata"), payment_intent_id=intent_id)
    if pledge is None:
        logger.warning("stripe: no pledge for refunded charge %s", charge.id)
        return
    amount = int(field(charge, "amount", 0))
    refunded = int(field(charge, "amount_refunded", 0))
    data = {"event": event.id, "amount": amount, "amount_refunded": refunded}
    if field(charge, "refunded") is True and amount > 0 and refunded >= amount:
        _move(pledge, S.REFUNDED, effects=effects, actor=ACTOR, note=event.type, data=data)
    else:
        record_note(pledge, "partial refund", data=data)


def fetch_event_dispute(event):
    """The disputed charge, when the dispute does not name its PaymentIntent."""
    dispute = event.data.object
    charge_id = object_id(field(dispute, "charge"))
    if object_id(field(dispute, "payment_intent")) or not charge_id:
        return None
    return _gateway().retrieve_charge(charge_id)


def apply_event_dispute(event, charge, effects):
    dispute = event.data.object
    pledge = find_pledge(
        metadata=field(dispute, "metadata"), payment_intent_id=object_id(field(dispute, "payment_intent"))
    )
    if pledge is None and charge is not None:
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


def fetch_event_account(event):
    return _gateway().retrieve_account(event.data.object.id)


def apply_event_account(event, account, effects):
    if not apply_account(account):
        logger.warning("stripe: account.updated for unknown account %s", account.id)


def apply_account(account) -> int:
    """Copy a Connect account's flags onto its PayoutAccount row(s); returns rows updated."""
    return PayoutAccount.objects.filter(stripe_account_id=account.id).update(
        charges_enabled=bool(field(account, "charges_enabled", False)),
        payouts_enabled=bool(field(account, "payouts_enabled", False)),
        details_submitted=bool(field(account, "details_submitted", False)),
        updated_at=timezone.now(),
    )


CHECKOUT = Handler(fetch_event_checkout, apply_event_checkout)
PAYMENT_INTENT = Handler(fetch_event_payment_intent, apply_event_payment_intent)

HANDLERS = {
    "checkout.session.completed": CHECKOUT,
    "checkout.session.async_payment_succeeded": CHECKOUT,
    "checkout.session.async_payment_failed": CHECKOUT,
    "checkout.session.expired": CHECKOUT,  # cancels only if Stripe says the session expired
    "payment_intent.succeeded": PAYMENT_INTENT,
    "payment_intent.payment_failed": PAYMENT_INTENT,
    "payment_intent.requires_action": PAYMENT_INTENT,
    "charge.refunded": Handler(fetch_event_charge, apply_event_charge_refunded),
    "charge.dispute.created": Handler(fetch_event_dispute, apply_event_dispute),
    "account.updated": Handler(fetch_event_account, apply_event_account),
}
