"""Checkout, Connect and the error shapes localstripe lacks, through recorded responses.

These tests do NOT talk to any server: the gateway's StripeClient uses `RecordedStripe`, a
`stripe.HTTPClient` that answers with recorded JSON bodies (trimmed from the shapes in
Stripe's API reference) and records each request, so the parameters we send to Stripe (mode,
currency, metadata, application fee, destination, idempotency keys) are checked exactly.
"""

from datetime import timedelta

import pytest
import stripe
from django.contrib.messages import get_messages
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from stripe_support import RecordedStripe, event, free_port

from payments import connect, stripe_gateway, webhooks
from payments.gateway import ChargeResult, GatewayError
from payments.models import PayoutAccount, WebhookEvent
from payments.rules import PledgeStatus as S
from payments.stripe_gateway import CHECKOUT_MIN_LIFETIME, StripeGateway

pytestmark = pytest.mark.django_db

CHECKOUT_URL = "https://checkout.stripe.com/c/pay/cs_test_a1"


def customer(request):
    return {"id": "cus_rec_1", "object": "customer", "email": request.params.get("email")}


def session(mode, **extra):
    body = {
        "id": "cs_test_a1",
        "object": "checkout.session",
        "mode": mode,
        "status": "open",
        "payment_status": "unpaid" if mode == "payment" else "no_payment_required",
        "customer": "cus_rec_1",
        "url": CHECKOUT_URL,
        "metadata": {},
        "setup_intent": None,
        "payment_intent": None,
    }
    body.update(extra)
    return body


def intent(pledge, status="succeeded", **extra):
    body = {
        "id": "pi_rec_1",
        "object": "payment_intent",
        "amount": pledge.amount_cents,
        "currency": "eur",
        "status": status,
        "client_secret": "pi_rec_1_secret_abc",
        "customer": "cus_rec_1",
        "payment_method": "pm_rec_1",
        "latest_charge": "ch_rec_1",
        "metadata": {"pledge_id": str(pledge.pk)},
        "transfer_data": None,
    }
    body.update(extra)
    return body


# Checkout ---------------------------------------------------------------------------------


def test_all_or_nothing_checkout_saves_a_card_in_setup_mode(recorded, make_stripe_pledge):
    recorded.add("POST", "/v1/customers", customer)
    recorded.add("POST", "/v1/checkout/sessions", session("setup"))
    pledge = make_stripe_pledge(backer_email="zoe@example.org")

    url = StripeGateway().start_checkout(
        pledge, success_url="https://site.test/paiement/retour/x/", cancel_url="https://site.test/annuler/"
    )

    assert url == CHECKOUT_URL
    pledge.refresh_from_db()
    assert (pledge.checkout_id, pledge.customer_id) == ("cs_test_a1", "cus_rec_1")
    (sent,) = recorded.find("POST", "/v1/checkout/sessions")
    assert sent.params["mode"] == "setup"
    assert sent.params["currency"] == "eur"
    assert sent.params["customer"] == "cus_rec_1"
    assert sent.params["setup_intent_data[metadata][pledge_id]"] == str(pledge.pk)
    assert sent.params["setup_intent_data[metadata][campaign_id]"] == str(pledge.campaign_id)
    assert sent.params["success_url"] == "https://site.test/paiement/retour/x/?session_id={CHECKOUT_SESSION_ID}"
    assert sent.params["client_reference_id"] == str(pledge.token)
    assert "line_items[0][price_data][unit_amount]" not in sent.params
    assert sent.headers["Idempotency-Key"] == f"pledge-{pledge.pk}-checkout"
    (created,) = recorded.find("POST", "/v1/customers")
    assert created.params["email"] == "zoe@example.org"

    # The same backer pledges again: the Customer is reused.
    StripeGateway().start_checkout(
        make_stripe_pledge(backer_email="zoe@example.org"), success_url="/r/", cancel_url="/"
    )
    assert len(recorded.find("POST", "/v1/customers")) == 1


@pytest.mark.parametrize("with_account", [True, False])
def test_keep_it_all_checkout_pays_at_once_to_the_holder(with_account, recorded, make_stripe_pledge, stripe_campaign):
    recorded.add("POST", "/v1/customers", customer)
    recorded.add("POST", "/v1/checkout/sessions", session("payment"))
    if with_account:
        PayoutAccount.objects.create(
            campaign_key=stripe_campaign.translation_key, stripe_account_id="acct_holder", charges_enabled=True
        )
    pledge = make_stripe_pledge(amount_cents=5050, funding_model="keep_it_all")

    StripeGateway().start_checkout(pledge, success_url="https://site.test/r/?a=1", cancel_url="https://site.test/")

    (sent,) = recorded.find("POST", "/v1/checkout/sessions")
    assert sent.params["mode"] == "payment"
    assert sent.params["success_url"] == "https://site.test/r/?a=1&session_id={CHECKOUT_SESSION_ID}"
    assert sent.params["line_items[0][price_data][unit_amount]"] == "5050"
    assert sent.params["line_items[0][price_data][currency]"] == "eur"
    assert sent.params["payment_intent_data[metadata][pledge_id]"] == str(pledge.pk)
    if with_account:
        assert sent.params["payment_intent_data[transfer_data][destination]"] == "acct_holder"
        assert sent.params["payment_intent_data[application_fee_amount]"] == "354"  # 7 % of 50,50 €, rounded
    else:
        assert "payment_intent_data[transfer_data][destination]" not in sent.params
        assert "payment_intent_data[application_fee_amount]" not in sent.params


@pytest.mark.parametrize("failure", ["connection refused", "server error", "refused request"])
def test_a_checkout_stripe_cannot_create_raises_gateway_error(failure, stripe_mode, make_stripe_pledge, monkeypatch):
    """Network or API trouble while creating the Checkout leaves stripe_gateway as GatewayError
    (the pledge form turns it into its 503 page and cancels the pending pledge)."""
    if failure == "connection refused":
        stripe_mode.STRIPE_API_BASE = f"http://127.0.0.1:{free_port()}"  # nothing listens there
        monkeypatch.setattr(stripe, "max_network_retries", 0)
    else:
        fake = RecordedStripe()
        monkeypatch.setattr(stripe_gateway, "HTTP_CLIENT", fake)
        fake.add("POST", "/v1/customers", customer)
        error = {"error": {"type": "api_error" if failure == "server error" else "invalid_request_error"}}
        fake.add("POST", "/v1/checkout/sessions", error, status=500 if failure == "server error" else 400)
        monkeypatch.setattr(stripe, "max_network_retries", 0)
    pledge = make_stripe_pledge()

    with pytest.raises(GatewayError) as raised:
        StripeGateway().start_checkout(pledge, success_url="https://site.test/r/", cancel_url="https://site.test/")

    assert isinstance(raised.value.__cause__, stripe.StripeError)
    assert str(raised.value).startswith(f"Stripe: checkout of pledge {pledge.pk} failed: ")
    pledge.refresh_from_db()
    assert pledge.checkout_id == ""


@pytest.mark.parametrize(
    ("hold", "lifetime"),
    [
        (timedelta(minutes=45), timedelta(minutes=45)),  # the pledge's own hold
        (timedelta(minutes=10), CHECKOUT_MIN_LIFETIME),  # below Stripe's 30-minute minimum
        (timedelta(days=3), timedelta(hours=24)),  # above Stripe's 24-hour maximum
    ],
)
def test_the_checkout_expires_with_the_pledge_within_stripes_limits(hold, lifetime, recorded, make_stripe_pledge):
    recorded.add("POST", "/v1/customers", customer)
    recorded.add("POST", "/v1/checkout/sessions", session("setup"))
    before = timezone.now()
    pledge = make_stripe_pledge(expires_at=before + hold)

    StripeGateway().start_checkout(pledge, success_url="https://site.test/r/", cancel_url="https://site.test/")

    after = timezone.now()
    (sent,) = recorded.find("POST", "/v1/checkout/sessions")
    expires_at = int(sent.params["expires_at"])
    if hold == lifetime:
        assert expires_at == int((before + hold).timestamp())
    else:
        assert int((before + lifetime).timestamp()) <= expires_at <= int((after + lifetime).timestamp())
    assert CHECKOUT_MIN_LIFETIME >= timedelta(minutes=30)


def test_refund_returns_the_refund_and_reads_it_back_once_its_id_is_stored(recorded, make_stripe_pledge):
    """After 24 h Stripe forgets idempotency keys: a stored refund id is read, never refunded again."""
    pledge = make_stripe_pledge(status=S.PAID, payment_intent_id="pi_rec_1")
    recorded.add("GET", "/v1/payment_intents/pi_rec_1", intent(pledge))
    recorded.add("POST", "/v1/refunds", {"id": "re_1", "object": "refund", "status": "pending", "amount": 2500})
    recorded.add("GET", "/v1/refunds/re_1", {"id": "re_1", "object": "refund", "status": "succeeded", "amount": 2500})

    first = StripeGateway().refund(pledge)
    pledge.refund_id = first.id
    again = StripeGateway().refund(pledge)

    assert (first.id, first.status) == ("re_1", "pending")
    assert (again.id, again.status) == ("re_1", "succeeded")
    assert len(recorded.find("POST", "/v1/refunds")) == 1
    assert len(recorded.find("GET", "/v1/refunds/re_1")) == 1


def test_a_pledge_without_payment_has_nothing_to_refund(recorded, make_stripe_pledge):
    assert StripeGateway().refund(make_stripe_pledge(status=S.PAID)) is None
    assert recorded.requests == []


def test_setup_checkout_completed_commits_the_pledge(
    recorded, make_stripe_pledge, post_event, django_capture_on_commit_callbacks
):
    pledge = make_stripe_pledge(checkout_id="cs_test_a1", customer_id="cus_rec_1")
    setup_intent = {
        "id": "seti_rec_1",
        "object": "setup_intent",
        "status": "succeeded",
        "customer": "cus_rec_1",
        "payment_method": "pm_rec_saved",
    }
    recorded.add(
        "GET",
        "/v1/checkout/sessions/cs_test_a1",
        session("setup", status="complete", setup_intent=setup_intent, metadata={"pledge_id": str(pledge.pk)}),
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = post_event(event("checkout.session.completed", {"id": "cs_test_a1", "object": "checkout.session"}))

    assert response.status_code == 200
    pledge.refresh_from_db()
    assert pledge.status == S.COMMITTED
    assert (pledge.customer_id, pledge.payment_method_id) == ("cus_rec_1", "pm_rec_saved")
    (read,) = recorded.find("GET", "/v1/checkout/sessions/cs_test_a1")
    assert read.params == {"expand[0]": "setup_intent", "expand[1]": "payment_intent"}
    assert len(mail.outbox) == 1  # the confirmation


def test_an_open_session_changes_nothing(recorded, make_stripe_pledge, post_event):
    """Out of order: the event arrives but Stripe says the session is not complete."""
    pledge = make_stripe_pledge(checkout_id="cs_test_a1")
    recorded.add(
        "GET", "/v1/checkout/sessions/cs_test_a1", session("setup", setup_intent={"status": "requires_action"})
    )
    post_event(event("checkout.session.completed", {"id": "cs_test_a1", "object": "checkout.session"}))
    pledge.refresh_from_db()
    assert pledge.status == S.PENDING


def test_payment_intent_succeeded_before_checkout_completed(
    recorded, make_stripe_pledge, post_event, django_capture_on_commit_callbacks
):
    """Keep-it-all, events out of order: the payment first, then the session. Paid once."""
    pledge = make_stripe_pledge(funding_model="keep_it_all", checkout_id="cs_test_a1")
    recorded.add("GET", "/v1/payment_intents/pi_rec_1", intent(pledge))
    recorded.add(
        "GET",
        "/v1/checkout/sessions/cs_test_a1",
        session("payment", status="complete", payment_status="paid", payment_intent=intent(pledge)),
    )

    with django_capture_on_commit_callbacks(execute=True):
        first = post_event(event("payment_intent.succeeded", {"id": "pi_rec_1", "object": "payment_intent"}))
        second = post_event(event("checkout.session.completed", {"id": "cs_test_a1", "object": "checkout.session"}))

    assert first.status_code == second.status_code == 200
    pledge.refresh_from_db()
    assert pledge.status == S.PAID
    assert pledge.payment_intent_id == "pi_rec_1"
    assert list(pledge.events.values_list("to_status", flat=True)) == [S.PAID]
    assert len(mail.outbox) == 1


def test_async_payment_failed_fails_the_pledge(recorded, make_stripe_pledge, post_event):
    pledge = make_stripe_pledge(funding_model="keep_it_all", checkout_id="cs_test_a1")
    recorded.add(
        "GET", "/v1/checkout/sessions/cs_test_a1", session("payment", status="complete", payment_status="unpaid")
    )
    post_event(event("checkout.session.async_payment_failed", {"id": "cs_test_a1", "object": "checkout.session"}))
    pledge.refresh_from_db()
    assert pledge.status == S.FAILED


def test_async_payment_succeeded_pays_the_pledge(recorded, make_stripe_pledge, post_event):
    pledge = make_stripe_pledge(funding_model="keep_it_all", checkout_id="cs_test_a1")
    recorded.add(
        "GET",
        "/v1/checkout/sessions/cs_test_a1",
        session("payment", status="complete", payment_status="paid", payment_intent="pi_rec_9"),
    )
    post_event(event("checkout.session.async_payment_succeeded", {"id": "cs_test_a1", "object": "checkout.session"}))
    pledge.refresh_from_db()
    assert (pledge.status, pledge.payment_intent_id) == (S.PAID, "pi_rec_9")


def test_an_expired_session_cancels_the_pending_pledge(recorded, make_stripe_pledge, post_event):
    pledge = make_stripe_pledge(checkout_id="cs_test_a1")
    recorded.add("GET", "/v1/checkout/sessions/cs_test_a1", session("setup", status="expired"))

    response = post_event(event("checkout.session.expired", {"id": "cs_test_a1", "object": "checkout.session"}))

    assert response.status_code == 200
    pledge.refresh_from_db()
    assert pledge.status == S.CANCELLED
    last = pledge.events.last()
    assert (last.from_status, last.to_status, last.actor, last.note) == (
        S.PENDING,
        S.CANCELLED,
        "webhook",
        "checkout.session.expired",
    )
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("mode", "on_stripe", "done"),
    [
        (
            "setup",
            {"status": "complete", "setup_intent": {"id": "seti_1", "status": "succeeded", "payment_method": "pm_1"}},
            S.COMMITTED,
        ),
        ("payment", {"status": "complete", "payment_status": "paid", "payment_intent": "pi_rec_1"}, S.PAID),
        ("setup", {"status": "open"}, S.PENDING),
    ],
)
def test_an_expired_event_is_checked_against_the_session_on_stripe(
    mode, on_stripe, done, recorded, make_stripe_pledge, post_event
):
    """The event's payload says `expired`; Stripe, re-read, says the session was completed (or
    is still open): the pledge is not cancelled; a completed session is applied as such."""
    pledge = make_stripe_pledge(
        checkout_id="cs_test_a1", funding_model="all_or_nothing" if mode == "setup" else "keep_it_all"
    )
    recorded.add("GET", "/v1/checkout/sessions/cs_test_a1", session(mode, **on_stripe))

    payload = {"id": "cs_test_a1", "object": "checkout.session", "status": "expired"}
    response = post_event(event("checkout.session.expired", payload))

    assert response.status_code == 200
    assert len(recorded.find("GET", "/v1/checkout/sessions/cs_test_a1")) == 1
    pledge.refresh_from_db()
    assert pledge.status == done
    assert len(mail.outbox) == (0 if done == S.PENDING else 1)  # the confirmation of a completed checkout


def test_money_for_a_cancelled_pledge_is_refunded(recorded, make_stripe_pledge, post_event):
    """Paid on Stripe after the pledge expired: refunded at once, the refund id kept."""
    pledge = make_stripe_pledge(funding_model="keep_it_all", checkout_id="cs_test_a1", status=S.CANCELLED)
    recorded.add(
        "GET",
        "/v1/checkout/sessions/cs_test_a1",
        session("payment", status="complete", payment_status="paid", payment_intent="pi_rec_1"),
    )
    recorded.add("GET", "/v1/payment_intents/pi_rec_1", intent(pledge))
    recorded.add("POST", "/v1/refunds", {"id": "re_late_1", "object": "refund", "status": "succeeded", "amount": 2500})

    response = post_event(event("checkout.session.completed", {"id": "cs_test_a1", "object": "checkout.session"}))

    assert response.status_code == 200
    pledge.refresh_from_db()
    assert (pledge.status, pledge.payment_intent_id, pledge.refund_id) == (S.CANCELLED, "pi_rec_1", "re_late_1")
    (sent,) = recorded.find("POST", "/v1/refunds")
    assert sent.params["payment_intent"] == "pi_rec_1"
    assert sent.headers["Idempotency-Key"] == f"pledge-{pledge.pk}-refund"
    assert list(pledge.events.values_list("note", flat=True)) == [
        "payment to refund: Stripe reports paid after cancelled",
        "refunded automatically: re_late_1",
    ]
    assert len(mail.outbox) == 1


def test_a_refund_stripe_refuses_is_left_for_reconciliation(recorded, make_stripe_pledge, post_event):
    """The state change stands (200); the refund is written down as still to do."""
    pledge = make_stripe_pledge(funding_model="keep_it_all", checkout_id="cs_test_a1", status=S.CANCELLED)
    recorded.add(
        "GET",
        "/v1/checkout/sessions/cs_test_a1",
        session("payment", status="complete", payment_status="paid", payment_intent="pi_rec_1"),
    )
    recorded.add("GET", "/v1/payment_intents/pi_rec_1", intent(pledge))
    refused = {"error": {"type": "invalid_request_error", "message": "This PaymentIntent is still processing."}}
    recorded.add("POST", "/v1/refunds", refused, status=400)

    response = post_event(event("checkout.session.completed", {"id": "cs_test_a1", "object": "checkout.session"}))

    assert response.status_code == 200
    pledge.refresh_from_db()
    assert (pledge.payment_intent_id, pledge.refund_id) == ("pi_rec_1", "")
    assert webhooks.pending_releases() == [pledge.pk]
    assert mail.outbox == []


def test_sync_checkout_applies_the_session_on_the_return_page(recorded, make_stripe_pledge):
    pledge = make_stripe_pledge(checkout_id="cs_test_a1")
    recorded.add(
        "GET",
        "/v1/checkout/sessions/cs_test_a1",
        session(
            "setup", status="complete", setup_intent={"id": "seti_1", "status": "succeeded", "payment_method": "pm_9"}
        ),
    )
    assert webhooks.sync_checkout(pledge).status == S.COMMITTED
    last = pledge.events.last()
    assert (last.actor, last.note) == ("citizen", "checkout return")
    assert len(mail.outbox) == 1


def test_a_setup_intent_sent_as_an_id_is_read_before_the_transaction(recorded, make_stripe_pledge, post_event):
    pledge = make_stripe_pledge(checkout_id="cs_test_a1")
    recorded.add("GET", "/v1/checkout/sessions/cs_test_a1", session("setup", status="complete", setup_intent="seti_2"))
    recorded.add(
        "GET",
        "/v1/setup_intents/seti_2",
        {
            "id": "seti_2",
            "object": "setup_intent",
            "status": "succeeded",
            "customer": "cus_rec_1",
            "payment_method": "pm_2",
        },
    )

    assert post_event(event("checkout.session.completed", {"id": "cs_test_a1"})).status_code == 200

    pledge.refresh_from_db()
    assert (pledge.status, pledge.payment_method_id) == (S.COMMITTED, "pm_2")


@pytest.mark.parametrize(
    ("amount_refunded", "refunded", "status", "note"),
    [(2499, False, S.PAID, "partial refund"), (2500, True, S.REFUNDED, "charge.refunded")],
)
def test_a_refund_is_full_only_when_everything_was_refunded(
    amount_refunded, refunded, status, note, recorded, make_stripe_pledge, post_event
):
    pledge = make_stripe_pledge(amount_cents=2500, status=S.PAID, payment_intent_id="pi_rec_1")
    recorded.add(
        "GET",
        "/v1/charges/ch_rec_1",
        {
            "id": "ch_rec_1",
            "object": "charge",
            "amount": 2500,
            "amount_refunded": amount_refunded,
            "refunded": refunded,
            "payment_intent": "pi_rec_1",
            "metadata": {"pledge_id": str(pledge.pk)},
        },
    )

    response = post_event(event("charge.refunded", {"id": "ch_rec_1", "object": "charge", "refunded": True}))

    assert response.status_code == 200
    pledge.refresh_from_db()
    assert pledge.status == status
    assert pledge.events.last().note == note
    assert len(mail.outbox) == (1 if status == S.REFUNDED else 0)


def test_stripe_unreachable_answers_503_and_stores_nothing(recorded, make_stripe_pledge, post_event, server_errors):
    """Stripe's retry then processes the event in full."""
    pledge = make_stripe_pledge(checkout_id="cs_test_a1")
    down = {"error": {"type": "api_error", "message": "An unknown error occurred"}}
    recorded.add("GET", "/v1/checkout/sessions/cs_test_a1", down, status=400)
    evt = event("checkout.session.completed", {"id": "cs_test_a1", "object": "checkout.session"})

    response = post_event(evt)

    assert (response.status_code, response.content) == (503, b"stripe unreachable, retry later")
    assert [record.getMessage() for record in server_errors] == ["Service Unavailable: /webhooks/stripe/"]
    server_errors.clear()
    assert not WebhookEvent.objects.exists()
    pledge.refresh_from_db()
    assert pledge.status == S.PENDING

    recorded.routes.clear()
    recorded.add(
        "GET",
        "/v1/checkout/sessions/cs_test_a1",
        session(
            "setup", status="complete", setup_intent={"id": "seti_1", "status": "succeeded", "payment_method": "pm_1"}
        ),
    )
    assert post_event(evt).status_code == 200
    pledge.refresh_from_db()
    assert pledge.status == S.COMMITTED


# Charging with Connect, and the authentication_required error --------------------------------


def test_off_session_charge_is_a_destination_charge_with_deterministic_keys(recorded, make_stripe_pledge):
    pledge = make_stripe_pledge(
        amount_cents=10000, status=S.COMMITTED, customer_id="cus_rec_1", payment_method_id="pm_rec_1"
    )
    recorded.add("POST", "/v1/payment_intents", intent(pledge, "requires_confirmation"))
    recorded.add("POST", "/v1/payment_intents/pi_rec_1/confirm", intent(pledge))

    result = StripeGateway().charge_saved_card(pledge, attempt=1, application_fee_cents=700, destination="acct_holder")

    assert result == ChargeResult(ChargeResult.SUCCEEDED, "pi_rec_1")
    (create,) = recorded.find("POST", "/v1/payment_intents")
    assert create.params["amount"] == "10000"
    assert create.params["customer"] == "cus_rec_1"
    assert create.params["payment_method"] == "pm_rec_1"
    assert create.params["application_fee_amount"] == "700"
    assert create.params["transfer_data[destination]"] == "acct_holder"
    assert create.params["metadata[pledge_id]"] == str(pledge.pk)
    assert create.headers["Idempotency-Key"] == f"pledge-{pledge.pk}-attempt-1"
    (confirm,) = recorded.find("POST", "/v1/payment_intents/pi_rec_1/confirm")
    assert confirm.params == {"off_session": "true"}
    assert confirm.headers["Idempotency-Key"] == f"pledge-{pledge.pk}-attempt-1-confirm"


def test_authentication_required_gives_requires_action_on_the_same_intent(recorded, make_stripe_pledge):
    pledge = make_stripe_pledge(status=S.COMMITTED, customer_id="cus_rec_1", payment_method_id="pm_rec_1")
    recorded.add("POST", "/v1/payment_intents", intent(pledge, "requires_confirmation"))
    error = {
        "error": {
            "type": "card_error",
            "code": "authentication_required",
            "decline_code": "authentication_required",
            "message": "Your card was declined. This transaction requires authentication.",
            "payment_intent": intent(pledge, "requires_payment_method"),
        }
    }
    recorded.add("POST", "/v1/payment_intents/pi_rec_1/confirm", error, status=402)
    recorded.add("GET", "/v1/payment_intents/pi_rec_1", intent(pledge, "requires_payment_method"))

    gateway = StripeGateway()
    result = gateway.charge_saved_card(pledge, attempt=1, application_fee_cents=0)

    assert result == ChargeResult(ChargeResult.REQUIRES_ACTION, "pi_rec_1", "authentication_required")
    pledge.refresh_from_db()
    context = gateway.completion_context(pledge)
    assert context["client_secret"] == "pi_rec_1_secret_abc"
    assert context["payment_method_id"] == "pm_rec_1"
    assert context["return_url"].endswith(reverse("payments:thanks", kwargs={"token": pledge.token}))


def test_insufficient_funds_is_declined(recorded, make_stripe_pledge):
    pledge = make_stripe_pledge(status=S.COMMITTED, customer_id="cus_rec_1", payment_method_id="pm_rec_1")
    recorded.add("POST", "/v1/payment_intents", intent(pledge, "requires_confirmation"))
    error = {"error": {"type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds"}}
    recorded.add("POST", "/v1/payment_intents/pi_rec_1/confirm", error, status=402)
    result = StripeGateway().charge_saved_card(pledge, attempt=1, application_fee_cents=0)
    assert result == ChargeResult(ChargeResult.DECLINED, "pi_rec_1", "insufficient_funds")


def test_refund_of_a_destination_charge_reverses_the_transfer_and_the_fee(recorded, make_stripe_pledge):
    pledge = make_stripe_pledge(status=S.PAID, payment_intent_id="pi_rec_1")
    recorded.add("GET", "/v1/payment_intents/pi_rec_1", intent(pledge, transfer_data={"destination": "acct_holder"}))
    recorded.add("POST", "/v1/refunds", {"id": "re_1", "object": "refund", "status": "succeeded", "amount": 2500})

    StripeGateway().refund(pledge)

    (sent,) = recorded.find("POST", "/v1/refunds")
    assert sent.params["payment_intent"] == "pi_rec_1"
    assert sent.params["reverse_transfer"] == "true"
    assert sent.params["refund_application_fee"] == "true"
    assert sent.headers["Idempotency-Key"] == f"pledge-{pledge.pk}-refund"


# Connect ----------------------------------------------------------------------------------------


def account(**flags):
    return {
        "id": "acct_holder",
        "object": "account",
        "type": "express",
        "country": "FR",
        "charges_enabled": False,
        "payouts_enabled": False,
        "details_submitted": False,
        **flags,
    }


def test_account_updated_copies_the_flags(recorded, stripe_campaign, post_event):
    payout = PayoutAccount.objects.create(campaign_key=stripe_campaign.translation_key, stripe_account_id="acct_holder")
    recorded.add(
        "GET", "/v1/accounts/acct_holder", account(charges_enabled=True, payouts_enabled=True, details_submitted=True)
    )
    post_event(event("account.updated", {"id": "acct_holder", "object": "account", "charges_enabled": False}))
    payout.refresh_from_db()
    assert (payout.charges_enabled, payout.payouts_enabled, payout.details_submitted) == (True, True, True)


def test_onboarding_creates_the_express_account_once_and_redirects_to_stripe(recorded, stripe_campaign, admin_client):
    recorded.add("POST", "/v1/accounts", account())
    recorded.add(
        "POST",
        "/v1/account_links",
        {"object": "account_link", "url": "https://connect.stripe.com/setup/e/acct_holder/x"},
    )
    url = reverse("payments_connect_onboarding", args=[stripe_campaign.pk])

    response = admin_client.get(url)
    again = admin_client.get(url)  # e.g. Stripe's refresh_url after the link expired

    assert response.status_code == again.status_code == 302
    assert response.url == "https://connect.stripe.com/setup/e/acct_holder/x"
    payout = PayoutAccount.objects.get(campaign_key=stripe_campaign.translation_key)
    assert payout.stripe_account_id == "acct_holder" and not payout.charges_enabled
    (created,) = recorded.find("POST", "/v1/accounts")
    assert created.params["type"] == "express"
    assert created.params["country"] == "FR"
    assert created.params["capabilities[card_payments][requested]"] == "true"
    assert created.params["capabilities[transfers][requested]"] == "true"
    links = recorded.find("POST", "/v1/account_links")
    assert len(links) == 2
    assert links[0].params["type"] == "account_onboarding"
    assert links[0].params["refresh_url"] == "http://testserver" + url
    assert links[0].params["return_url"].endswith(reverse("payments_connect_return", args=[stripe_campaign.pk]))


def test_onboarding_refused_by_stripe_says_why_and_keeps_nothing(
    recorded, stripe_campaign, admin_client, server_errors
):
    refused = {"error": {"type": "invalid_request_error", "message": "Connect is not enabled on this platform."}}
    recorded.add("POST", "/v1/accounts", refused, status=400)

    response = admin_client.get(reverse("payments_connect_onboarding", args=[stripe_campaign.pk]), follow=True)

    assert response.redirect_chain == [(reverse("wagtailadmin_pages:edit", args=[stripe_campaign.pk]), 302)]
    assert [str(message) for message in response.context["messages"]] == [
        "Stripe a refusé\u00a0: Connect is not enabled on this platform."
    ]
    assert PayoutAccount.objects.get(campaign_key=stripe_campaign.translation_key).stripe_account_id == ""


def test_onboarding_return_reads_the_flags(recorded, stripe_campaign, admin_client):
    PayoutAccount.objects.create(campaign_key=stripe_campaign.translation_key, stripe_account_id="acct_holder")
    recorded.add("GET", "/v1/accounts/acct_holder", account(charges_enabled=True, details_submitted=True))

    response = admin_client.get(reverse("payments_connect_return", args=[stripe_campaign.pk]))

    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_pages:edit", args=[stripe_campaign.pk])
    assert PayoutAccount.objects.get(stripe_account_id="acct_holder").charges_enabled


def test_onboarding_needs_edit_permission(recorded, stripe_campaign, client, django_user_model):
    user = django_user_model.objects.create_user("visitor@example.org", password="x")
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    response = client.get(reverse("payments_connect_onboarding", args=[stripe_campaign.pk]))
    assert response.status_code in (302, 403)
    assert not PayoutAccount.objects.exists()
    assert recorded.requests == []


def test_the_campaign_header_offers_the_payout_account(recorded, stripe_campaign, admin_client):
    response = admin_client.get(reverse("wagtailadmin_pages:edit", args=[stripe_campaign.pk]))
    assert reverse("payments_connect_onboarding", args=[stripe_campaign.pk]) in response.content.decode()


# Going live needs an account that takes charges ----------------------------------------------


def refused_message(text):
    text = text.replace("&#x27;", "'")
    return "cannot be published yet" in text or "ne peut pas encore être publiée" in text


def _publish_request(admin_user):
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = RequestFactory().post("/admin/")
    request.user = admin_user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_publishing_is_refused_until_the_account_takes_charges(stripe_mode, stripe_campaign, admin_user):
    stripe_campaign.unpublish()
    request = _publish_request(admin_user)

    response = connect.require_payout_account(request, stripe_campaign)

    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_pages:edit", args=[stripe_campaign.pk])
    assert refused_message(str(list(get_messages(request))[0]))
    stripe_campaign.refresh_from_db()
    assert not stripe_campaign.live

    PayoutAccount.objects.create(
        campaign_key=stripe_campaign.translation_key, stripe_account_id="acct_holder", charges_enabled=True
    )
    assert connect.require_payout_account(_publish_request(admin_user), stripe_campaign) is None


def test_demo_mode_and_live_campaigns_are_not_held_back(settings, stripe_campaign, admin_user):
    settings.STRIPE_SECRET_KEY = ""
    assert connect.require_payout_account(_publish_request(admin_user), stripe_campaign) is None
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    assert stripe_campaign.live
    assert connect.require_payout_account(_publish_request(admin_user), stripe_campaign) is None


def test_the_page_editor_refuses_to_publish_without_an_account(stripe_mode, stripe_campaign, admin_client):
    """Through the real admin publish action, the draft is kept and a message explains why."""
    from admin_forms import admin_form_data

    from projects.models import CampaignPage

    stripe_campaign.unpublish()
    url = reverse("wagtailadmin_pages:edit", args=[stripe_campaign.pk])
    data = admin_form_data(admin_client, url, CampaignPage, stripe_campaign)
    data["action-publish"] = "action-publish"
    data["title"] = "Jardin partagé (v2)"

    response = admin_client.post(url, data, follow=True)

    assert refused_message(response.content.decode())
    stripe_campaign.refresh_from_db()
    assert not stripe_campaign.live
    assert stripe_campaign.get_latest_revision_as_object().title == "Jardin partagé (v2)"


def test_a_new_campaign_published_from_the_editor_stays_a_draft(stripe_mode, project_index, admin_client):
    from admin_forms import new_campaign_form

    from projects.models import CampaignPage

    url, data = new_campaign_form(admin_client, project_index)

    response = admin_client.post(url, data, follow=True)

    assert refused_message(response.content.decode())
    created = CampaignPage.objects.get(slug="nouvelle-collecte")
    assert not created.live and created.has_unpublished_changes
