"""`reconcile_payments`: what the webhook missed is applied from Stripe's events and objects, once.

Recorded HTTP (`RecordedStripe`), no server:
- `recordings/localstripe_events.json`: real answers of localstripe to `GET /v1/events` (two
  pages) and `GET /v1/payment_intents/…`, recorded once by `record_localstripe_events.py`
  (an accepted and a declined off-session charge at a campaign's close);
- `recordings/checkout_events.json`: hand-written in the shape of Stripe's API reference,
  for Checkout, which localstripe lacks.
"""

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from payments import reconcile, webhooks
from payments.models import PayoutAccount, Pledge, PledgeEvent, WebhookEvent
from payments.rules import PledgeStatus as S

pytestmark = pytest.mark.django_db

RECORDINGS = Path(__file__).parent / "recordings"


def load(name: str, **ids) -> dict:
    """A recording with its placeholders ("{pledge_paid}", …) replaced by `ids`."""
    text = (RECORDINGS / name).read_text()
    for placeholder, value in ids.items():
        text = text.replace("{" + placeholder + "}", str(value))
    return json.loads(text)


def serve(fake, recording):
    """Answer as recorded: the event list page by its `starting_after`, other reads by path."""
    pages = {}
    for response in recording["responses"]:
        if response["path"] == "/v1/events":
            pages[response["query"].get("starting_after")] = response["body"]
        else:
            fake.add(response["method"], re.escape(response["path"]), response["body"], status=response["status"])
    fake.add("GET", "/v1/events", lambda request: pages[request.params.get("starting_after")])


def listings(fake):
    return fake.find("GET", "/v1/events")


def snapshot():
    """What a run could have changed: audit trail, emails, stored events (ids), pledge states."""
    return (
        PledgeEvent.objects.count(),
        len(mail.outbox),
        sorted(WebhookEvent.objects.values_list("event_id", flat=True)),
        sorted(Pledge.objects.values_list("pk", "status", "refund_id")),
    )


# Events recorded from localstripe ---------------------------------------------------------------


@pytest.fixture
def charged_at_close(make_stripe_pledge):
    """Two committed pledges charged at the close; the webhooks about the charges were lost."""
    recording = json.loads((RECORDINGS / "localstripe_events.json").read_text())
    intents = recording["payment_intents"]
    paid = make_stripe_pledge(amount_cents=2000, status=S.COMMITTED, payment_intent_id=intents["paid"])
    declined = make_stripe_pledge(amount_cents=3000, status=S.COMMITTED, payment_intent_id=intents["declined"])
    return paid, declined


def test_missed_payment_events_are_applied_once(recorded, charged_at_close):
    paid, declined = charged_at_close
    recording = load(
        "localstripe_events.json",
        pledge_paid=paid.pk,
        token_paid=paid.token,
        pledge_declined=declined.pk,
        token_declined=declined.token,
    )
    serve(recorded, recording)

    first = reconcile.reconcile()

    assert (first.events_listed, first.events_processed, first.errors) == (4, 4, [])
    paid.refresh_from_db()
    declined.refresh_from_db()
    assert paid.status == S.PAID
    assert (declined.status, declined.failure_reason) == (S.ACTION_REQUIRED, "card_declined")
    assert paid.events.last().actor == declined.events.last().actor == "webhook"
    assert sorted(message.to[0] for message in mail.outbox) == sorted([paid.backer_email, declined.backer_email])
    stored = set(WebhookEvent.objects.exclude(event_id=reconcile.MARK_EVENT_ID).values_list("event_id", flat=True))
    assert stored == set(recording["events"])
    # Both recorded pages were read, with the event types the webhook handles and no date on a first run.
    first_page, second_page = listings(recorded)
    assert "created[gt]" not in first_page.params
    assert {value for key, value in first_page.params.items() if key.startswith("types[")} == set(webhooks.HANDLERS)
    assert second_page.params["starting_after"] == recording["events"][1]

    mark = reconcile.last_run()
    before = snapshot()
    second = reconcile.reconcile()

    assert (second.events_listed, second.events_processed, second.errors) == (4, 0, [])
    assert snapshot() == before
    assert listings(recorded)[2].params["created[gt]"] == str(int((mark - reconcile.OVERLAP).timestamp()))
    assert reconcile.last_run() > mark


# Checkout (hand-written), pledges re-read, money given back ------------------------------------


def test_checkout_events_stale_pledges_and_releases_are_reconciled_once(recorded, make_stripe_pledge):
    completed = make_stripe_pledge(checkout_id="cs_test_hw_completed")
    expired = make_stripe_pledge(checkout_id="cs_test_hw_expired")
    lost = make_stripe_pledge(amount_cents=4000, funding_model="keep_it_all", checkout_id="cs_test_hw_lost")
    Pledge.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(minutes=20))
    fresh = make_stripe_pledge(checkout_id="cs_test_hw_fresh")  # 0 minutes old: not re-read
    to_refund = make_stripe_pledge(status=S.CANCELLED, funding_model="keep_it_all", payment_intent_id="pi_hw_refund")
    webhooks.record_note(
        to_refund, "payment to refund: test", data={"release": webhooks.REFUND, "release_state": webhooks.TO_DO}
    )
    recording = load(
        "checkout_events.json",
        pledge_completed=completed.pk,
        token_completed=completed.token,
        pledge_expired=expired.pk,
        token_expired=expired.token,
        pledge_lost=lost.pk,
        token_lost=lost.token,
    )
    serve(recorded, recording)
    recorded.add(
        "GET",
        "/v1/payment_intents/pi_hw_refund",
        {"id": "pi_hw_refund", "object": "payment_intent", "status": "succeeded", "transfer_data": None},
    )
    recorded.add("POST", "/v1/refunds", {"id": "re_hw_1", "object": "refund", "status": "succeeded", "amount": 2500})

    report = reconcile.reconcile()

    assert report.as_dict() | {"since": None} == {
        "since": None,
        "events_listed": 2,
        "events_processed": 2,
        "pledges_checked": 1,
        "pledges_changed": 1,
        "releases": 1,
        "accounts_checked": 0,
        "errors": 0,
    }
    for pledge in (completed, expired, lost, fresh, to_refund):
        pledge.refresh_from_db()
    assert (completed.status, completed.payment_method_id) == (S.COMMITTED, "pm_hw_1")
    assert expired.status == S.CANCELLED
    assert (lost.status, lost.payment_intent_id, lost.events.last().actor) == (S.PAID, "pi_hw_lost", "reconcile")
    assert fresh.status == S.PENDING
    assert (to_refund.status, to_refund.refund_id) == (S.CANCELLED, "re_hw_1")
    assert recorded.find("GET", "/v1/checkout/sessions/cs_test_hw_fresh") == []
    # Confirmations for the completed checkouts, the refund email for the money given back.
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [completed.backer_email, lost.backer_email, to_refund.backer_email]
    )

    before = snapshot()
    posts = len([request for request in recorded.requests if request.method == "POST"])
    again = reconcile.reconcile()

    assert (again.events_processed, again.pledges_checked, again.releases, again.errors) == (0, 0, 0, [])
    assert snapshot() == before
    assert len([request for request in recorded.requests if request.method == "POST"]) == posts


def test_payout_accounts_that_cannot_take_charges_yet_are_re_read(recorded, stripe_campaign):
    PayoutAccount.objects.create(campaign_key=stripe_campaign.translation_key, stripe_account_id="acct_hw")
    serve(
        recorded,
        {
            "responses": [
                {
                    "method": "GET",
                    "path": "/v1/events",
                    "query": {},
                    "status": 200,
                    "body": {"object": "list", "has_more": False, "data": []},
                }
            ]
        },
    )
    recorded.add("GET", "/v1/accounts/acct_hw", {"id": "acct_hw", "object": "account", "charges_enabled": True})

    assert reconcile.reconcile().accounts_checked == 1

    assert PayoutAccount.objects.get(stripe_account_id="acct_hw").charges_enabled is True
    assert reconcile.reconcile().accounts_checked == 0


# Failures: nothing is lost, the mark does not move ---------------------------------------------


def test_an_event_stripe_cannot_serve_is_retried_by_the_next_run(recorded, make_stripe_pledge):
    completed = make_stripe_pledge(checkout_id="cs_test_hw_completed")
    expired = make_stripe_pledge(checkout_id="cs_test_hw_expired")
    recording = load(
        "checkout_events.json",
        pledge_completed=completed.pk,
        token_completed=completed.token,
        pledge_expired=expired.pk,
        token_expired=expired.token,
    )
    down = {"error": {"type": "api_error", "message": "An unknown error occurred"}}
    recorded.add("GET", "/v1/checkout/sessions/cs_test_hw_completed", down, status=400)  # first match wins
    serve(recorded, recording)

    first = reconcile.reconcile()

    assert (first.events_processed, len(first.errors)) == (1, 1)
    assert first.errors[0].startswith("checkout.session.completed evt_1QhwCompleted0001: Stripe: reading checkout")
    assert reconcile.last_run() is None  # the next run lists the same events again
    completed.refresh_from_db()
    expired.refresh_from_db()
    assert (completed.status, expired.status) == (S.PENDING, S.CANCELLED)

    recorded.routes.pop(0)  # Stripe answers again
    second = reconcile.reconcile()

    assert (second.events_processed, second.errors) == (1, [])
    completed.refresh_from_db()
    assert completed.status == S.COMMITTED
    assert reconcile.last_run() is not None


def test_the_command_reports_and_fails_when_stripe_cannot_be_listed(recorded, capsys):
    recorded.add("GET", "/v1/events", {"error": {"type": "invalid_request_error", "message": "Nope"}}, status=400)

    with pytest.raises(CommandError) as raised:
        call_command("reconcile_payments")

    assert str(raised.value) == "1 item(s) could not be reconciled; the next run retries them."
    out, err = capsys.readouterr()
    assert "events_listed: 0" in out.splitlines()
    assert err.startswith("listing events: Stripe: listing events failed: Nope")
    assert not WebhookEvent.objects.exists()


def test_the_command_runs_clean_twice(recorded, capsys):
    serve(
        recorded,
        {
            "responses": [
                {
                    "method": "GET",
                    "path": "/v1/events",
                    "query": {},
                    "status": 200,
                    "body": {"object": "list", "has_more": False, "data": []},
                }
            ]
        },
    )

    call_command("reconcile_payments", "--stale-after", "5")
    call_command("reconcile_payments")

    out = capsys.readouterr().out.splitlines()
    assert out.count("events_processed: 0") == 2
    assert out.count("errors: 0") == 2


def test_without_stripe_the_command_has_nothing_to_do_unless_stripe_pledges_exist(settings, make_stripe_pledge, capsys):
    settings.STRIPE_SECRET_KEY = ""

    call_command("reconcile_payments")
    assert capsys.readouterr().out == "Stripe is not configured and no pledge uses it: nothing to reconcile.\n"

    make_stripe_pledge()
    with pytest.raises(CommandError) as raised:
        call_command("reconcile_payments")
    assert str(raised.value) == "STRIPE_SECRET_KEY is not set: Stripe pledges cannot be reconciled here."
