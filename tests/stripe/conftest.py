"""Fixtures for the Stripe tests.

Two stand-ins for Stripe, because the tests run offline:

- `localstripe` (PyPI, 1.15.10), a fake Stripe server started once per session on
  127.0.0.1 on a free port with its own data file (see `localstripe_server.py`). It runs
  the real loop: customers, SetupIntents, off-session PaymentIntents, declines, refunds
  and signed webhooks. It has no Checkout, no Connect, no idempotency keys and no
  `authentication_required` error.
- `RecordedStripe`, a `stripe.HTTPClient` that answers from recorded JSON bodies (shaped
  after Stripe's API reference, or recorded from localstripe: `recordings/`), for Checkout,
  Connect and the error shapes localstripe lacks. It also records every request (method,
  path, form parameters, headers). `localstripe_with_checkout` combines both: recorded
  routes first, localstripe for the rest.

`own_localstripe` starts a localstripe for one test (webhook delivery, isolated from the
events of other tests). `server_errors` fails any test during which the site logged a server
error (a 5xx answer or an exception), even one that arrived through a live server.
"""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import stripe
from stripe_support import SECRET_KEY, WEBHOOK_SECRET, RecordedStripe, free_port, localstripe_post, signed

from payments import stripe_gateway
from payments.rules import PledgeStatus as S
from payments.stripe_gateway import StripeGateway
from tests.factories.projects import PledgeFactory

HERE = Path(__file__).parent


def start_localstripe(folder: Path):
    """Start a localstripe process on a free port with its data in `folder`; returns (process, url, log)."""
    port = free_port()
    log = (folder / "localstripe.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, str(HERE / "localstripe_server.py"), str(port), str(folder / "data.pickle")],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            log.close()
            pytest.fail("localstripe exited:\n" + (folder / "localstripe.log").read_text())
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, url, log
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("localstripe did not start within 30 s")
            time.sleep(0.1)


def stop_localstripe(process, log):
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


@pytest.fixture(scope="session")
def localstripe_url(tmp_path_factory):
    """Start localstripe for the session; kill it at the end."""
    process, url, log = start_localstripe(tmp_path_factory.mktemp("localstripe"))
    yield url
    stop_localstripe(process, log)


@pytest.fixture
def own_localstripe(stripe_mode, tmp_path, monkeypatch):
    """A localstripe of this test's own: no event of another test can reach its webhooks
    (localstripe sends each event one second after creating it, to whatever webhooks are
    registered then, and cannot forget a webhook)."""
    process, url, log = start_localstripe(tmp_path)
    stripe_mode.STRIPE_API_BASE = url
    monkeypatch.setattr(StripeGateway, "confirm_off_session", False)
    yield url
    stop_localstripe(process, log)


@pytest.fixture(autouse=True)
def server_errors():
    """Every error the site logs while a test runs: Django's `django.request` (a 5xx answer, an
    exception) and the live server's `django.server`. A test that leaves any is failed at
    teardown, so no Stripe test is green while the server errored; a test that expects one
    asserts it and empties the list."""
    records = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Collect(level=logging.ERROR)
    loggers = [logging.getLogger("django.request"), logging.getLogger("django.server")]
    for logger in loggers:
        logger.addHandler(handler)
    yield records
    for logger in loggers:
        logger.removeHandler(handler)
    if records:
        pytest.fail("the server logged errors: " + "; ".join(record.getMessage() for record in records))


@pytest.fixture
def stripe_mode(settings, monkeypatch):
    """Stripe provider settings, without a server (tests add localstripe or recordings)."""
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_coupdepouce"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = ""
    settings.WAGTAILADMIN_BASE_URL = "http://testserver"
    monkeypatch.setattr(stripe_gateway, "HTTP_CLIENT", None)
    return settings


@pytest.fixture
def localstripe(stripe_mode, localstripe_url, monkeypatch):
    """Point the gateway at localstripe, emptied; returns its URL."""
    localstripe_post(localstripe_url, "/_config/data", None, method="DELETE")
    stripe_mode.STRIPE_API_BASE = localstripe_url
    # localstripe rejects `off_session` on /confirm (real Stripe wants it there).
    monkeypatch.setattr(StripeGateway, "confirm_off_session", False)
    return localstripe_url


@pytest.fixture
def gateway(localstripe):
    return StripeGateway()


@pytest.fixture
def stripe_campaign(make_campaign):
    return make_campaign(title="Jardin partagé", goal=1000)


@pytest.fixture
def make_stripe_pledge(stripe_campaign):
    def _make(amount_cents=2500, status=S.PENDING, funding_model="all_or_nothing", **kwargs):
        return PledgeFactory(
            campaign=kwargs.pop("campaign", stripe_campaign),
            amount_cents=amount_cents,
            status=status,
            provider="stripe",
            funding_model=funding_model,
            language="fr",
            **kwargs,
        )

    return _make


@pytest.fixture
def post_event(client):
    """POST a signed event to the webhook; returns the response."""
    from django.urls import reverse

    def _post(evt: dict, secret: str = WEBHOOK_SECRET, signature: str | None = None):
        body, header = signed(evt, secret)
        extra = {} if signature == "" else {"HTTP_STRIPE_SIGNATURE": signature or header}
        return client.post(reverse("webhooks:stripe_webhook"), data=body, content_type="application/json", **extra)

    return _post


@pytest.fixture
def recorded(stripe_mode, monkeypatch):
    """Every StripeGateway talks to a RecordedStripe (no server, no network)."""
    fake = RecordedStripe()
    monkeypatch.setattr(stripe_gateway, "HTTP_CLIENT", fake)
    return fake


@pytest.fixture
def localstripe_with_checkout(localstripe, monkeypatch):
    """localstripe, plus recorded Checkout Sessions (which localstripe lacks): requests that
    match a recorded route are answered from it, every other one goes to localstripe."""
    fake = RecordedStripe(fallback=stripe.RequestsClient())
    monkeypatch.setattr(stripe_gateway, "HTTP_CLIENT", fake)
    return fake
