"""A webhook waiting on a slow Stripe holds no transaction: a pledge made meanwhile goes through.

The webhook reads the Checkout Session from Stripe before it opens its one short transaction.
Here Stripe is a real HTTP server on 127.0.0.1 (`SlowStripe`, STRIPE_API_BASE points at it)
that holds its answer to that read for up to 30 seconds. While the webhook waits, the test
posts a pledge form (another connection to the same database), and only then releases the
answer, so the test itself stays short.

Before the fix the webhook inserted its `WebhookEvent` row first and kept that transaction
open during the read: on SQLite the pledge then found the database write-locked, and on
PostgreSQL the webhook's connection sat "idle in transaction" for the whole read (checked in
`pg_stat_activity`). Runs on both (DATABASE_URL selects PostgreSQL).
"""

import threading
import time

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from stripe_support import SlowStripe, event, signed

from payments.models import Pledge, WebhookEvent
from payments.rules import PledgeStatus as S

pytestmark = pytest.mark.django_db(transaction=True)

SESSION_PATH = "/v1/checkout/sessions/cs_slow"


def connections_idle_in_transaction() -> int:
    """Other connections to the test database holding a transaction open (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"
        )
        return cursor.fetchone()[0]


def post_in_thread(body, header):
    """POST the signed event from another thread (its own database connection); returns
    (thread, answers) where `answers` receives the response."""
    answers = []

    def post():
        try:
            answers.append(
                Client().post(
                    reverse("webhooks:stripe_webhook"),
                    data=body,
                    content_type="application/json",
                    HTTP_STRIPE_SIGNATURE=header,
                )
            )
        except Exception as error:  # asserted on by the test
            answers.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=post, daemon=True)
    thread.start()
    return thread, answers


def test_a_webhook_waiting_30_s_on_stripe_does_not_block_a_pledge(
    stripe_mode, stripe_campaign, make_stripe_pledge, client, mailoutbox
):
    waiting = make_stripe_pledge(checkout_id="cs_slow", customer_id="cus_slow")
    with SlowStripe(held=("GET", SESSION_PATH), hold_seconds=30) as slow:
        slow.routes[("GET", SESSION_PATH)] = {
            "id": "cs_slow",
            "object": "checkout.session",
            "mode": "setup",
            "status": "complete",
            "customer": "cus_slow",
            "metadata": {"pledge_id": str(waiting.pk)},
            "setup_intent": {
                "id": "seti_slow",
                "object": "setup_intent",
                "status": "succeeded",
                "customer": "cus_slow",
                "payment_method": "pm_slow",
            },
        }
        slow.routes[("POST", "/v1/customers")] = {"id": "cus_new", "object": "customer"}
        slow.routes[("POST", "/v1/checkout/sessions")] = {
            "id": "cs_new",
            "object": "checkout.session",
            "url": "https://checkout.stripe.test/cs_new",
        }
        stripe_mode.STRIPE_API_BASE = slow.url

        thread, answers = post_in_thread(*signed(event("checkout.session.completed", {"id": "cs_slow"})))
        assert slow.arrived.wait(timeout=10), "the webhook never asked Stripe for the session"
        # The webhook is now waiting on Stripe.
        if connection.vendor == "postgresql":
            assert connections_idle_in_transaction() == 0

        started = time.monotonic()
        response = client.post(
            stripe_campaign.url + "soutenir/",
            {
                "amount": "30",
                "backer_name": "Camille Martin",
                "backer_email": "camille@example.org",
                "public_name": "Camille",
                "consent": "on",
            },
        )
        elapsed = time.monotonic() - started

        assert (response.status_code, response["Location"]) == (302, "https://checkout.stripe.test/cs_new")
        assert elapsed < 10
        assert thread.is_alive()  # the webhook was still waiting on Stripe all along
        slow.release.set()
        thread.join(timeout=20)

    assert not thread.is_alive()
    (answer,) = answers
    assert (answer.status_code, answer.content) == (200, b"ok")
    waiting.refresh_from_db()
    assert (waiting.status, waiting.payment_method_id) == (S.COMMITTED, "pm_slow")
    new = Pledge.objects.exclude(pk=waiting.pk).get()
    assert (new.status, new.checkout_id, new.backer_email) == (S.PENDING, "cs_new", "camille@example.org")
    assert WebhookEvent.objects.count() == 1
    assert [message.to for message in mailoutbox] == [[waiting.backer_email]]  # the confirmation
