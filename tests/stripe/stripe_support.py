"""Helpers for the Stripe tests (imported by conftest.py and the test modules).

See conftest.py for what stands in for Stripe: localstripe, or recorded responses.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import stripe

from payments import services, stripe_gateway
from payments.rules import PledgeStatus as S
from payments.stripe_gateway import StripeGateway

WEBHOOK_SECRET = "whsec_test_coupdepouce"
SECRET_KEY = "sk_test_localstripe"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def localstripe_post(base_url: str, path: str, data: dict | None, method: str = "POST") -> int:
    """Call one of localstripe's own endpoints (`/_config/…`, `…/_authenticate`) with a form."""
    body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
    request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
        base_url + path, data=body, method=method, headers={"Authorization": f"Bearer {SECRET_KEY}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status


def save_card(gateway: StripeGateway, pledge, payment_method="pm_card_visa"):
    """Stand-in for Checkout in setup mode, which localstripe lacks: a SetupIntent created and
    confirmed server-side with a test card, the card attached to the backer's Customer, then
    the same transition the `checkout.session.completed` webhook makes. Returns the pledge."""
    customer, payment_method = setup_card(gateway, pledge, payment_method)
    services.transition(pledge, S.COMMITTED, actor="test", customer_id=customer, payment_method_id=payment_method)
    pledge.refresh_from_db()
    return pledge


def setup_card(gateway: StripeGateway, pledge, payment_method="pm_card_visa"):
    """What the backer does on Checkout's page in setup mode, on localstripe: the card saved on
    their Customer. Returns (customer id, payment method id); the pledge is left as it is."""
    client = gateway.client
    customer = gateway.customer_for(pledge)
    if payment_method.isdigit():  # a raw card number (localstripe simulates 3DS only this way)
        payment_method = client.v1.payment_methods.create(
            params={
                "type": "card",
                "card": {"number": payment_method, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
            }
        ).id
        client.v1.payment_methods.attach(payment_method, params={"customer": customer})
    else:
        setup = client.v1.setup_intents.create(
            params={
                "customer": customer,
                "usage": "off_session",
                "payment_method_types": ["card"],
                "metadata": stripe_gateway.pledge_metadata(pledge),
            }
        )
        setup = client.v1.setup_intents.confirm(setup.id, params={"payment_method": payment_method})
        assert setup.status == "succeeded"
        payment_method = stripe_gateway.object_id(setup.payment_method)
        # localstripe does not attach the card to the Customer on confirm; Stripe does.
        client.v1.payment_methods.attach(payment_method, params={"customer": customer})
    return customer, payment_method


def pay_at_once(gateway: StripeGateway, pledge, payment_method="pm_card_visa"):
    """What the backer does on Checkout's page in payment mode, on localstripe: a PaymentIntent
    for the pledge (its metadata, as `payment_intent_data` sets them) paid by card. Returns the
    PaymentIntent; the pledge is left as it is."""
    customer = gateway.customer_for(pledge)
    intent = gateway.client.v1.payment_intents.create(
        params={
            "amount": pledge.amount_cents,
            "currency": "eur",
            "customer": customer,
            "payment_method": payment_method,
            "payment_method_types": ["card"],
            "metadata": stripe_gateway.pledge_metadata(pledge),
        }
    )
    intent = gateway.client.v1.payment_intents.confirm(intent.id)
    assert intent.status == "succeeded"
    return intent


# Signed events --------------------------------------------------------------------------


def signed(payload: dict | str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None):
    body = payload if isinstance(payload, str) else json.dumps(payload)
    return body, stripe.WebhookSignature.generate_signature_header(body, secret, timestamp=timestamp)


_event_counter = iter(range(1, 10**9))


def event(type_: str, obj: dict, event_id: str | None = None) -> dict:
    return {
        "id": event_id or f"evt_test_{next(_event_counter)}_{int(time.time() * 1000)}",
        "object": "event",
        "type": type_,
        "api_version": "2026-10-28.endive",
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": obj},
    }


# Recorded responses ---------------------------------------------------------------------


@dataclass
class RecordedRequest:
    method: str
    path: str
    params: dict
    headers: dict


@dataclass
class RecordedStripe(stripe.HTTPClient):
    """A `stripe.HTTPClient` answering from recorded responses instead of the network.

    `routes` is a list of (METHOD, path regex, status, body): body is a dict, or a callable
    taking the RecordedRequest and returning a dict. Unmatched requests answer 404 like
    Stripe does for unknown routes.
    """

    routes: list = field(default_factory=list)
    requests: list = field(default_factory=list)
    # Another `stripe.HTTPClient` (e.g. `stripe.RequestsClient()` to localstripe) answers what
    # no route matches; without one, unmatched requests answer 404 like Stripe's unknown routes.
    fallback: object = None
    name = "recorded"

    def __post_init__(self):
        super().__init__()

    def add(self, method: str, pattern: str, body, status: int = 200):
        self.routes.append((method.upper(), re.compile(pattern), status, body))
        return self

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        parts = urllib.parse.urlsplit(url)
        raw = post_data.decode() if isinstance(post_data, bytes) else (post_data or parts.query)
        params = dict(urllib.parse.parse_qsl(raw, keep_blank_values=True))
        recorded = RecordedRequest(method.upper(), parts.path, params, dict(headers or {}))
        self.requests.append(recorded)
        for route_method, pattern, status, body in self.routes:
            if route_method == recorded.method and pattern.fullmatch(parts.path):
                data = body(recorded) if callable(body) else body
                return json.dumps(data), status, {"Request-Id": "req_recorded"}
        if self.fallback is not None:
            return self.fallback.request(method, url, headers, post_data)
        error = {"error": {"type": "invalid_request_error", "message": f"Unrecorded {method} {parts.path}"}}
        return json.dumps(error), 404, {"Request-Id": "req_recorded"}

    def request_stream(self, method, url, headers, post_data=None, *, _usage=None):
        raise NotImplementedError

    def close(self):
        return None

    def find(self, method: str, path_pattern: str) -> list[RecordedRequest]:
        pattern = re.compile(path_pattern)
        return [r for r in self.requests if r.method == method.upper() and pattern.fullmatch(r.path)]


# Real HTTP servers standing in for the network ------------------------------------------------


class _Server:
    """A ThreadingHTTPServer on 127.0.0.1 (a free port), run in a daemon thread."""

    def __init__(self, handler_class):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
        self.httpd.owner = self
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


class _RelayHandler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's naming
        relay = self.server.owner
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        headers = {name: self.headers[name] for name in ("Content-Type", "Stripe-Signature") if name in self.headers}
        request = urllib.request.Request(relay.target, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - http://127.0.0.1
                status, answer = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, answer = error.code, error.read()
        payload = json.loads(body)
        relay.deliveries.append((payload["id"], payload["type"], status))
        self.send_response(status)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


class DeliveryRelay(_Server):
    """Between localstripe and the site: forwards each webhook delivery to `target` and keeps
    (event id, type, HTTP status) of each, so a test sees every answer the site gave."""

    def __init__(self, target: str):
        super().__init__(_RelayHandler)
        self.target = target
        self.deliveries: list[tuple[str, str, int]] = []


class _SlowStripeHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def _answer(self):
        stripe_server = self.server.owner
        length = int(self.headers.get("Content-Length", 0) or 0)
        params = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode())) if length else {}
        path = urllib.parse.urlsplit(self.path).path
        stripe_server.requests.append((self.command, path, params))
        if (self.command, path) == stripe_server.held:
            stripe_server.arrived.set()
            stripe_server.release.wait(timeout=stripe_server.hold_seconds)
        route = stripe_server.routes.get((self.command, path))
        status, body = (200, route(params) if callable(route) else route) if route else (404, {"error": {}})
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = _answer  # noqa: N815
    do_POST = _answer  # noqa: N815

    def log_message(self, *args):
        pass


class SlowStripe(_Server):
    """A local HTTP server standing in for Stripe (STRIPE_API_BASE points at it) that holds its
    answer to one request, `held` = (method, path), for up to `hold_seconds` — until the test
    calls `release.set()`. `arrived` is set once that request came in. `routes` maps
    (method, path) to a JSON body, or to a callable taking the form parameters."""

    def __init__(self, held: tuple[str, str], hold_seconds: float = 30):
        super().__init__(_SlowStripeHandler)
        self.held = held
        self.hold_seconds = hold_seconds
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.routes: dict = {}
        self.requests: list = []

    def __exit__(self, *exc):
        self.release.set()
        super().__exit__(*exc)
