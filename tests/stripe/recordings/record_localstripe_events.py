"""Record, once, localstripe's answers to what `reconcile_payments` reads: the event list (paged)
and the PaymentIntents the events name. Writes `localstripe_events.json` next to this file.

    .venv/bin/python tests/stripe/recordings/record_localstripe_events.py

It starts its own localstripe (`tests/stripe/localstripe_server.py`), plays two off-session
charges at a campaign's close — one accepted (`pm_card_visa`: payment_intent.succeeded) and
one declined (`pm_card_chargeCustomerFail`: payment_intent.payment_failed) — and lists
`/v1/events` two by two (`limit=2`, then `starting_after`), as the stripe library's
auto-pager does. The pledge metadata are placeholders ("{pledge_paid}", "{token_paid}", …)
that the test replaces with its own pledges' ids.

localstripe differences kept as recorded: it does not filter by `types` (it knows only
`type`), so the list also holds `customer.created` and other types the app ignores; it lists
the oldest first (Stripe: newest first); its events carry api_version 2017-08-15.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

import stripe

HERE = Path(__file__).parent
SERVER = HERE.parent / "localstripe_server.py"
OUTPUT = HERE / "localstripe_events.json"
SECRET_KEY = "sk_test_localstripe"


class Recorder(stripe.HTTPClient):
    """Passes every request to the network and keeps the GET answers."""

    name = "recorder"

    def __init__(self):
        super().__init__()
        self.inner = stripe.RequestsClient()
        self.responses = []

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        body, status, response_headers = self.inner.request(method, url, headers, post_data)
        if method.upper() == "GET":
            parts = urllib.parse.urlsplit(url)
            self.responses.append(
                {
                    "method": "GET",
                    "path": parts.path,
                    "query": dict(urllib.parse.parse_qsl(parts.query)),
                    "status": status,
                    "body": json.loads(body),
                }
            )
        return body, status, response_headers

    def request_stream(self, method, url, headers, post_data=None, *, _usage=None):
        raise NotImplementedError

    def close(self):
        self.inner.close()


def start_localstripe(folder: str):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([sys.executable, str(SERVER), str(port), f"{folder}/data.pickle"])
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, f"http://127.0.0.1:{port}"
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise SystemExit("localstripe did not start") from None
            time.sleep(0.1)


def charge(client, name: str, card: str, amount: int):
    """A saved card charged off-session, as `StripeGateway.charge_saved_card` does."""
    customer = client.v1.customers.create(params={"email": f"{name}@example.org"})
    client.v1.payment_methods.attach(card, params={"customer": customer.id})
    intent = client.v1.payment_intents.create(
        params={
            "amount": amount,
            "currency": "eur",
            "customer": customer.id,
            "payment_method": card,
            "payment_method_types": ["card"],
            "metadata": {"pledge_id": f"{{pledge_{name}}}", "token": f"{{token_{name}}}", "attempt": "1"},
        }
    )
    try:
        client.v1.payment_intents.confirm(intent.id)
    except stripe.CardError:
        pass
    return intent.id


def main():
    with tempfile.TemporaryDirectory() as folder:
        process, url = start_localstripe(folder)
        try:
            recorder = Recorder()
            client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": url}, http_client=recorder)
            started = int(time.time()) - 1
            paid = charge(client, "paid", "pm_card_visa", 2000)
            declined = charge(client, "declined", "pm_card_chargeCustomerFail", 3000)
            recorder.responses.clear()  # keep only what reconcile reads
            events = client.v1.events.list(params={"created": {"gt": started}, "limit": 2})
            listed = [event.id for event in events.auto_paging_iter()]
            client.v1.payment_intents.retrieve(paid)
            client.v1.payment_intents.retrieve(declined)
        finally:
            process.terminate()
            process.wait(timeout=10)
    recording = {
        "recorded_from": "localstripe 1.15.10 (tests/stripe/recordings/record_localstripe_events.py)",
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "payment_intents": {"paid": paid, "declined": declined},
        "events": listed,
        "responses": recorder.responses,
    }
    OUTPUT.write_text(json.dumps(recording, indent=1, sort_keys=True) + "\n")
    print(f"{OUTPUT}: {len(recorder.responses)} responses, {len(listed)} events")


if __name__ == "__main__":
    main()
