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

Stripe objects are not dicts in stripe-python 15+: read them with `field()`.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import stripe
from django.conf import settings
from django.utils import timezone

from payments import rules
from payments.emails import thanks_url
from payments.gateway import ChargeResult, Gateway
from payments.models import PayoutAccount, Pledge
from payments.services import PENDING_HOLD, platform_rules

logger = logging.getLogger(__name__)

# Tests may install a `stripe.HTTPClient` returning recorded responses here.
HTTP_CLIENT: stripe.HTTPClient | None = None

CURRENCY = "eur"
# Stripe lets a Checkout Session live between 30 minutes and 24 hours.
CHECKOUT_MIN_LIFETIME = timedelta(minutes=31)


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
        customer = self.customer_for(pledge)
        now = timezone.now()
        expires_at = max((pledge.created_at or now) + PENDING_HOLD, now + CHECKOUT_MIN_LIFETIME)
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

    def retrieve_checkout(self, session_id: str):
        return self.client.v1.checkout.sessions.retrieve(
            session_id, params={"expand": ["setup_intent", "payment_intent"]}
        )

    # Charging a saved card -------------------------------------------------------------

    def charge_saved_card(self, pledge, *, attempt, application_fee_cents, destination=""):
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
        intent = self.client.v1.payment_intents.retrieve(pledge.payment_intent_id)
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
        if not pledge.payment_intent_id:
            return None
        intent = self.client.v1.payment_intents.retrieve(pledge.payment_intent_id)
        params = {"payment_intent": intent.id, "metadata": pledge_metadata(pledge)}
        if object_id(field(field(intent, "transfer_data"), "destination")):
            # Take the money back from the holder's account and give up the commission too.
            params["reverse_transfer"] = True
            params["refund_application_fee"] = True
        return self.client.v1.refunds.create(params=params, options={"idempotency_key": f"pledge-{pledge.pk}-refund"})

    def release_card(self, pledge):
        if not pledge.payment_method_id:
            return None
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
        account = self.client.v1.accounts.create(
            params=params, options={"idempotency_key": f"campaign-{campaign.translation_key}-account"}
        )
        return account.id

    def onboarding_link(self, account_id: str, *, refresh_url: str, return_url: str) -> str:
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
        return self.client.v1.accounts.retrieve(account_id)
