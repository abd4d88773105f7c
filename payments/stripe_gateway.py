"""Stripe behind the gateway interface (stripe-python 16, `StripeClient` and `client.v1.*`).

All-or-nothing: Checkout in *setup* mode saves the card when the citizen pledges; the
webhook turns the pledge `committed`. At the close of a successful campaign each pledge's
saved card is charged off-session, as a destination charge to the holder's Connect Express
account with the platform commission as application fee.

Keep-it-all: Checkout in *payment* mode charges at once (same destination and fee).

Charging is safe to repeat after a crash: the PaymentIntent is created unconfirmed with a
deterministic idempotency key, its id is stored on the pledge, and only then is it
confirmed. A re-run retrieves the stored PaymentIntent and confirms it only if it was never
confirmed, so a pledge is charged at most once even where idempotency keys are not honoured
(they expire after 24 h on Stripe; localstripe ignores them).

Errors: whatever the stripe library raises while talking to Stripe (network, outage, refused
request) leaves this module as `payments.gateway.GatewayError`, so callers need not know the
provider; a card refused at the close is a `ChargeResult`, not an error.

Stripe objects are not dicts in stripe-python 15+: read them with `field()`.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import timedelta

import stripe
from django.conf import settings
from django.utils import timezone

from payments import rules
from payments.emails import thanks_url
from payments.gateway import ChargeResult, Gateway, GatewayError
from payments.models import PayoutAccount, Pledge
from payments.services import checkout_expires_at, platform_rules

logger = logging.getLogger(__name__)

# Tests may install a `stripe.HTTPClient` returning recorded responses here.
HTTP_CLIENT: stripe.HTTPClient | None = None

CURRENCY = "eur"
# Stripe lets a Checkout Session live between 30 minutes and 24 hours after its creation; one
# minute more than the minimum leaves room for the request's own travel time.
CHECKOUT_MIN_LIFETIME = timedelta(minutes=31)
CHECKOUT_MAX_LIFETIME = timedelta(hours=24)


@contextmanager
def stripe_errors(action: str):
    """Turn the stripe library's errors into `GatewayError` (the original is its `__cause__`)."""
    try:
        yield
    except stripe.StripeError as error:
        logger.warning("stripe: %s failed: %s", action, error)
        raise GatewayError(f"Stripe: {action} failed: {error.user_message or error}") from error


def field(obj, key, default=None):
    """`obj[key]` for a StripeObject, a dict (localstripe embeds objects) or None."""
    if obj is None:
        return default
    if isinstance(obj, dict) and not isinstance(obj, stripe.StripeObject):
        return obj.get(key, default)
    try:
        value = obj[key]
    except (KeyError, TypeError):
        return default
    return default if value is None else value


def object_id(obj) -> str:
    """The id of an expandable field, whether Stripe sent the id or the embedded object."""
    if obj is None:
        return ""
    if isinstance(obj, str):
        return obj
    return field(obj, "id", "") or ""


def make_client(http_client=None) -> stripe.StripeClient:
    kwargs = {}
    if getattr(settings, "STRIPE_API_BASE", ""):
        kwargs["base_addresses"] = {"api": settings.STRIPE_API_BASE}
    http_client = http_client or HTTP_CLIENT
    if http_client is not None:
        kwargs["http_client"] = http_client
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, **kwargs)


def destination_for(campaign) -> str:
    """The holder's Connect account id when it can take charges (`rules.payout_destination`), else ''."""
    return rules.payout_destination(PayoutAccount.objects.filter(campaign_key=campaign.translation_key).first())


def pledge_metadata(pledge, **extra) -> dict:
    data = {"pledge_id": str(pledge.pk), "campaign_id": str(pledge.campaign_id), "token": str(pledge.token)}
    data.update({key: str(value) for key, value in extra.items()})
    return data


def charge_idempotency_key(pledge, attempt: int) -> str:
    return f"pledge-{pledge.pk}-attempt-{attempt}"


def _with_session_id(url: str) -> str:
    if "{CHECKOUT_SESSION_ID}" in url:
        return url
    return f"{url}{'&' if '?' in url else '?'}session_id={{CHECKOUT_SESSION_ID}}"


def _save(pledge, **fields):
    """Store provider ids on the pledge without touching its status (`transition` does that)."""
    for name, value in fields.items():
        setattr(pledge, name, value)
    Pledge.objects.filter(pk=pledge.pk).update(**fields)


class StripeGateway(Gateway):
    name = "stripe"
    # Real Stripe wants `off_session` again when confirming a PaymentIntent created without
    # `confirm=True`. localstripe 1.15.10 rejects the parameter; its test fixture turns this off.
    confirm_off_session = True

    def __init__(self, client: stripe.StripeClient | None = None, http_client=None):
        self.client = client or make_client(http_client)

    # Customers -------------------------------------------------------------------------

    def customer_for(self, pledge) -> str:
        """One Customer per backer email, reused across pledges."""
        if pledge.customer_id:
            return pledge.customer_id
        known = (
            Pledge.objects.filter(provider=self.name, backer_email__iexact=pledge.backer_email)
            .exclude(customer_id="")
            .values_list("customer_id", flat=True)
            .first()
            if pledge.backer_email
            else None
        )
        if not known:
            customer = self.client.v1.customers.create(
                params={
                    "email": pledge.backer_email,
                    "name": pledge.backer_name,
                    "preferred_locales": [pledge.language or "fr"],
                    "metadata": {"first_pledge_id": str(pledge.pk)},
                },
                options={"idempotency_key": f"pledge-{pledge.pk}-customer"},
            )
            known = customer.id
        _save(pledge, customer_id=known)
        return known

    # Checkout --------------------------------------------------------------------------

    def start_checkout(self, pledge, *, success_url, cancel_url):
        """Open a Checkout Session for a pending pledge; returns its URL. GatewayError when
        Stripe cannot be reached or refuses (the caller cancels the pledge)."""
        with stripe_errors(f"checkout of pledge {pledge.pk}"):
            return self._start_checkout(pledge, success_url=success_url, cancel_url=cancel_url)

    def _start_checkout(self, pledge, *, success_url, cancel_url):
        customer = self.customer_for(pledge)
        # The session closes when the pledge's hold ends; Stripe keeps a session open 30 minutes
        # at least, so a shorter hold is extended to that (`services.checkout_expires_at`).
        now = timezone.now()
        expires_at = min(checkout_expires_at(pledge, at_least=now + CHECKOUT_MIN_LIFETIME), now + CHECKOUT_MAX_LIFETIME)
        params = {
            "customer": customer,
            "client_reference_id": str(pledge.token),
            "currency": CURRENCY,
            "payment_method_types": ["card"],
            "locale": "en" if (pledge.language or "fr").startswith("en") else "fr",
            "success_url": _with_session_id(success_url),
            "cancel_url": cancel_url,
            "expires_at": int(expires_at.timestamp()),
            "metadata": pledge_metadata(pledge),
        }
        if not rules.charges_at_close(pledge.funding_model):
            params["mode"] = "payment"
            params["line_items"] = [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": CURRENCY,
                        "unit_amount": pledge.amount_cents,
                        "product_data": {"name": pledge.campaign.title[:250]},
                    },
                }
            ]
            intent_data = {"metadata": pledge_metadata(pledge)}
            destination = destination_for(pledge.campaign)
            if destination:
                rate = platform_rules(pledge.campaign).commission_rate
                intent_data["application_fee_amount"] = rules.commission_cents(pledge.amount_cents, rate)
                intent_data["transfer_data"] = {"destination": destination}
            params["payment_intent_data"] = intent_data
        else:
            params["mode"] = "setup"
            params["setup_intent_data"] = {"metadata": pledge_metadata(pledge)}
        session = self.client.v1.checkout.sessions.create(
            params=params, options={"idempotency_key": f"pledge-{pledge.pk}-checkout"}
        )
        _save(pledge, checkout_id=session.id)
        return session.url

    # Reading Stripe objects (webhooks, the return page, reconciliation) -----------------------

    def retrieve_checkout(self, session_id: str):
        """A Checkout Session with its SetupIntent and PaymentIntent expanded."""
        with stripe_errors(f"reading checkout session {session_id}"):
            return self.client.v1.checkout.sessions.retrieve(
                session_id, params={"expand": ["setup_intent", "payment_intent"]}
            )

    def retrieve_setup_intent(self, setup_intent_id: str):
        with stripe_errors(f"reading setup intent {setup_intent_id}"):
            return self.client.v1.setup_intents.retrieve(setup_intent_id)

    def retrieve_payment_intent(self, payment_intent_id: str):
        with stripe_errors(f"reading payment intent {payment_intent_id}"):
            return self.client.v1.payment_intents.retrieve(payment_intent_id)

    def retrieve_charge(self, charge_id: str):
        with stripe_errors(f"reading charge {charge_id}"):
            return self.client.v1.charges.retrieve(charge_id)

    def list_events(self, *, created_after: int | None, types: list[str], page_size: int = 100):
        """Every event of `types` created after `created_after` (a Unix time; None: all Stripe
        keeps, 30 days), following the pages; Stripe lists the newest first."""
        params = {"types": list(types), "limit": page_size}
        if created_after is not None:
            params["created"] = {"gt": int(created_after)}
        with stripe_errors("listing events"):
            return list(self.client.v1.events.list(params=params).auto_paging_iter())

    # Charging a saved card -------------------------------------------------------------

    def charge_saved_card(self, pledge, *, attempt, application_fee_cents, destination=""):
        with stripe_errors(f"charge of pledge {pledge.pk}"):
            return self._charge_saved_card(
                pledge, attempt=attempt, application_fee_cents=application_fee_cents, destination=destination
            )

    def _charge_saved_card(self, pledge, *, attempt, application_fee_cents, destination):
        pledge = Pledge.objects.get(pk=pledge.pk)  # the stored PaymentIntent id, fresh
        key = charge_idempotency_key(pledge, attempt)
        if pledge.payment_intent_id:
            intent = self.client.v1.payment_intents.retrieve(pledge.payment_intent_id)
            if field(intent, "status") != "requires_confirmation":
                # Already confirmed by an earlier run: report it, never confirm twice.
                return self._result(intent)
        else:
            params = {
                "amount": pledge.amount_cents,
                "currency": CURRENCY,
                "customer": pledge.customer_id,
                "payment_method": pledge.payment_method_id,
                "payment_method_types": ["card"],
                "metadata": pledge_metadata(pledge, attempt=attempt),
            }
            if destination:
                # localstripe rejects both parameters: they are sent only with a destination.
                params["application_fee_amount"] = application_fee_cents
                params["transfer_data"] = {"destination": destination}
            intent = self.client.v1.payment_intents.create(params=params, options={"idempotency_key": key})
            _save(pledge, payment_intent_id=intent.id)
        confirm_params = {"off_session": True} if self.confirm_off_session else {}
        try:
            intent = self.client.v1.payment_intents.confirm(
                intent.id, params=confirm_params, options={"idempotency_key": f"{key}-confirm"}
            )
        except stripe.CardError as error:
            code = getattr(error, "code", "") or ""
            message = field(getattr(error, "error", None), "decline_code") or code or str(error.user_message or "")
            status = ChargeResult.REQUIRES_ACTION if code == "authentication_required" else ChargeResult.DECLINED
            logger.info("pledge %s: charge %s (%s)", pledge.pk, status, message)
            return ChargeResult(status, intent.id, message)
        return self._result(intent)

    @staticmethod
    def _result(intent) -> ChargeResult:
        status = field(intent, "status")
        if status == "succeeded":
            return ChargeResult(ChargeResult.SUCCEEDED, intent.id)
        error = field(intent, "last_payment_error")
        message = field(error, "decline_code") or field(error, "code") or ""
        if status in ("requires_action", "processing"):
            # `processing` settles by webhook (payment_intent.succeeded or payment_failed).
            return ChargeResult(ChargeResult.REQUIRES_ACTION, intent.id, message or status)
        return ChargeResult(ChargeResult.DECLINED, intent.id, message or status or "")

    def completion_context(self, pledge) -> dict:
        """What the "complete your payment" page needs to confirm the *same* PaymentIntent
        client-side with Stripe.js (`stripe.confirmCardPayment(client_secret, {payment_method})`)."""
        intent = self.retrieve_payment_intent(pledge.payment_intent_id)
        return {
            "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
            "return_url": thanks_url(pledge),
            "client_secret": field(intent, "client_secret", ""),
            "payment_intent_id": intent.id,
            "payment_method_id": pledge.payment_method_id,
            "status": field(intent, "status", ""),
            "amount_cents": field(intent, "amount", pledge.amount_cents),
        }

    # Refunds and released cards ----------------------------------------------------------

    def refund(self, pledge):
        """Refund the pledge's payment in full; returns the Stripe Refund (callers store its `.id`
        in `pledge.refund_id`), or None when the pledge has no payment.

        Safe to repeat: when `pledge.refund_id` is set the Refund is read back, never created
        again (Stripe's idempotency key, `pledge-<id>-refund`, only lasts 24 hours)."""
        with stripe_errors(f"refund of pledge {pledge.pk}"):
            if pledge.refund_id:
                return self.client.v1.refunds.retrieve(pledge.refund_id)
            if not pledge.payment_intent_id:
                return None
            intent = self.client.v1.payment_intents.retrieve(pledge.payment_intent_id)
            params = {"payment_intent": intent.id, "metadata": pledge_metadata(pledge)}
            if object_id(field(field(intent, "transfer_data"), "destination")):
                # Take the money back from the holder's account and give up the commission too.
                params["reverse_transfer"] = True
                params["refund_application_fee"] = True
            return self.client.v1.refunds.create(
                params=params, options={"idempotency_key": f"pledge-{pledge.pk}-refund"}
            )

    def release_card(self, pledge):
        if not pledge.payment_method_id:
            return None
        with stripe_errors(f"release of the card of pledge {pledge.pk}"):
            try:
                self.client.v1.payment_methods.detach(pledge.payment_method_id)
            except stripe.InvalidRequestError as error:
                # Already detached (or never attached): nothing left to release.
                logger.info("pledge %s: card not detached: %s", pledge.pk, error.user_message)
        return None

    # Connect ---------------------------------------------------------------------------

    def create_express_account(self, campaign, *, email: str = "") -> str:
        params = {
            "type": "express",
            "country": "FR",
            "capabilities": {"card_payments": {"requested": True}, "transfers": {"requested": True}},
            "metadata": {"campaign_key": str(campaign.translation_key), "campaign": campaign.title[:200]},
        }
        if email:
            params["email"] = email
        with stripe_errors(f"creating the payout account of campaign {campaign.pk}"):
            account = self.client.v1.accounts.create(
                params=params, options={"idempotency_key": f"campaign-{campaign.translation_key}-account"}
            )
        return account.id

    def onboarding_link(self, account_id: str, *, refresh_url: str, return_url: str) -> str:
        with stripe_errors(f"onboarding link of account {account_id}"):
            link = self.client.v1.account_links.create(
                params={
                    "account": account_id,
                    "refresh_url": refresh_url,
                    "return_url": return_url,
                    "type": "account_onboarding",
                }
            )
        return link.url

    def retrieve_account(self, account_id: str):
        with stripe_errors(f"reading account {account_id}"):
            return self.client.v1.accounts.retrieve(account_id)
