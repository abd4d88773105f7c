"""Fixtures for the Stripe tests.

Two stand-ins for Stripe, because the tests run offline:

- `localstripe` (PyPI, 1.15.10), a fake Stripe server started once per session on
  127.0.0.1 on a free port with its own data file (see `localstripe_server.py`). It runs
  the real loop: customers, SetupIntents, off-session PaymentIntents, declines, refunds
  and signed webhooks. It has no Checkout, no Connect, no idempotency keys and no
  `authentication_required` error.
- `RecordedStripe`, a `stripe.HTTPClient` that answers from recorded JSON bodies (shaped
  after Stripe's API reference), for Checkout, Connect and the error shapes localstripe
  lacks. It also records every request (method, path, form parameters, headers).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from stripe_support import SECRET_KEY, WEBHOOK_SECRET, RecordedStripe, free_port, localstripe_post, signed

from payments import stripe_gateway
from payments.rules import PledgeStatus as S
from payments.stripe_gateway import StripeGateway
from tests.factories.projects import PledgeFactory

HERE = Path(__file__).parent


@pytest.fixture(scope="session")
def localstripe_url(tmp_path_factory):
    """Start localstripe for the session; kill it at the end."""
    port = free_port()
    folder = tmp_path_factory.mktemp("localstripe")
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
                break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("localstripe did not start within 30 s")
            time.sleep(0.1)
    yield url
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


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
