"""The Stripe Checkout round trip, end to end, through the pledge form and recorded HTTP.

The citizen posts the pledge form of a live campaign with Stripe configured; the app
creates a Checkout Session (recorded `POST /v1/checkout/sessions`) and redirects to its
URL. Stripe's hosted page cannot run offline, so the test plays Stripe's part: it takes
the `success_url` and `cancel_url` the app actually SENT to Stripe (from the recorded
request body) and opens them as Stripe's redirect would. The `recorded` fixture (conftest.py)
sets STRIPE_SECRET_KEY through pytest-django's `settings` (an override_settings), so new
pledges go to Stripe, and answers Stripe's API from recordings.

Regression: the cancel URL used to point at the demo checkout, which answers 404 for a
Stripe pledge, so a backer who gave up on Stripe's page landed on a 404.
"""

import itertools
import re
import urllib.parse

import pytest
from django.urls import reverse
from django.utils.html import escape

from payments.models import Pledge
from payments.rules import PledgeStatus as S
from tests.factories.projects import RewardTierFactory

pytestmark = pytest.mark.django_db

CHECKOUT_BASE = "https://checkout.stripe.com/c/pay/"


class RecordedCheckout:
    """Recorded Stripe answers for Checkout: each created session gets its own id and URL;
    `complete(session_id)` is what the backer does on Stripe's page (card entered)."""

    def __init__(self, recorded):
        self.recorded = recorded
        self.sessions = {}
        self._ids = itertools.count(1)
        recorded.add("POST", "/v1/customers", self._customer)
        recorded.add("POST", "/v1/checkout/sessions", self._create)
        recorded.add("GET", r"/v1/checkout/sessions/(cs_test_flow_\d+)", self._retrieve)

    def _customer(self, request):
        return {"id": "cus_flow_1", "object": "customer", "email": request.params.get("email")}

    def _create(self, request):
        session_id = f"cs_test_flow_{next(self._ids)}"
        params = request.params
        self.sessions[session_id] = {
            "id": session_id,
            "object": "checkout.session",
            "mode": params["mode"],
            "status": "open",
            "payment_status": "unpaid" if params["mode"] == "payment" else "no_payment_required",
            "customer": params["customer"],
            "client_reference_id": params["client_reference_id"],
            "url": CHECKOUT_BASE + session_id,
            "success_url": params["success_url"],
            "cancel_url": params["cancel_url"],
            "metadata": {
                key[len("metadata[") : -1]: value for key, value in params.items() if key.startswith("metadata[")
            },
            "setup_intent": None,
            "payment_intent": None,
        }
        return self.sessions[session_id]

    def _retrieve(self, request):
        return self.sessions[request.path.rsplit("/", 1)[1]]

    def complete(self, session_id):
        session = self.sessions[session_id]
        session["status"] = "complete"
        if session["mode"] == "setup":
            session["setup_intent"] = {
                "id": "seti_flow_1",
                "object": "setup_intent",
                "status": "succeeded",
                "customer": session["customer"],
                "payment_method": "pm_flow_card",
            }
        else:
            session["payment_status"] = "paid"
            session["payment_intent"] = {"id": "pi_flow_1", "object": "payment_intent", "status": "succeeded"}

    def sent(self):
        """The last `POST /v1/checkout/sessions` the app sent."""
        return self.recorded.find("POST", "/v1/checkout/sessions")[-1]


@pytest.fixture
def checkout(recorded):
    return RecordedCheckout(recorded)


@pytest.fixture
def campaign(make_campaign):
    return make_campaign(title="Jardin partagé", goal=1000)


@pytest.fixture
def reward(campaign):
    """The last unit of a reward: a pending pledge holds it."""
    return RewardTierFactory(page=campaign, title="Sachet de graines", min_amount=20, stock=1)


def form_url(campaign):
    return campaign.url + "soutenir/"


def pledge_data(**overrides):
    data = {
        "reward": "",
        "amount": "30",
        "backer_name": "Camille Martin",
        "backer_email": "camille@example.org",
        "public_name": "Camille",
        "show_amount": "on",
        "message": "",
        "consent": "on",
    }
    data.update(overrides)
    return data


def path_of(url):
    """What the Django test client requests for an absolute URL (path and query)."""
    parts = urllib.parse.urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def start_stripe_checkout(client, checkout, campaign, **data):
    """Post the pledge form; return (pledge, session id, success_url, cancel_url) as Stripe got them."""
    response = client.post(form_url(campaign), pledge_data(**data))
    assert response.status_code == 302, response.content.decode()[:2000]
    pledge = Pledge.objects.latest("pk")
    assert (pledge.provider, pledge.status) == ("stripe", S.PENDING)
    sent = checkout.sent()
    session_id = pledge.checkout_id
    # The backer is sent to the URL of the session Stripe answered with.
    assert response["Location"] == CHECKOUT_BASE + session_id == checkout.sessions[session_id]["url"]
    assert sent.params["client_reference_id"] == str(pledge.token)
    success_url, cancel_url = sent.params["success_url"], sent.params["cancel_url"]
    # Absolute URLs on this site: Stripe redirects the browser to them.
    assert success_url.startswith("http://testserver/") and cancel_url.startswith("http://testserver/")
    assert "{CHECKOUT_SESSION_ID}" in success_url
    return pledge, session_id, success_url, cancel_url


def stock_left(response, reward):
    return next(r for r in response.context["rewards"] if r.pk == reward.pk).stock_left


def test_cancel_url_sent_to_stripe_cancels_the_pledge_and_returns_to_the_form(client, checkout, campaign, reward):
    pledge, _session_id, _success_url, cancel_url = start_stripe_checkout(
        client, checkout, campaign, reward=str(reward.pk), amount="25"
    )
    # While the checkout is open, the pending pledge holds the last unit.
    assert stock_left(client.get(form_url(campaign)), reward) == 0

    # The backer clicks "back" on Stripe's page: Stripe redirects to cancel_url.
    first = client.get(path_of(cancel_url))
    assert first.status_code != 404
    assert first.status_code == 302

    pledge.refresh_from_db()
    assert pledge.status == S.CANCELLED
    last = pledge.events.last()
    assert (last.from_status, last.to_status, last.actor) == (S.PENDING, S.CANCELLED, "citizen")

    # Back on the campaign's pledge form, with the reward free again and a message.
    landing = client.get(first["Location"])
    assert first["Location"] == form_url(campaign)
    assert landing.status_code == 200
    assert "payments/pledge_form.html" in [t.name for t in landing.templates]
    assert stock_left(landing, reward) == 1
    notes = [str(message) for message in landing.context["messages"]]
    assert len(notes) == 1
    assert "nothing was charged" in notes[0] or "débité" in notes[0]

    # A second hit (reload, back button) changes nothing and is no 404 either.
    again = client.get(path_of(cancel_url), follow=True)
    assert again.status_code == 200
    pledge.refresh_from_db()
    assert pledge.status == S.CANCELLED
    assert pledge.events.count() == 2

    # The freed unit can be pledged again.
    other, *_ = start_stripe_checkout(
        client, checkout, campaign, reward=str(reward.pk), amount="25", backer_email="lea@example.org"
    )
    assert other.reward_id == reward.pk


def test_the_cancel_message_is_shown_on_the_form_in_the_pages_language(client, checkout, campaign):
    """The backer must SEE that nothing was charged, in French on the French site."""
    _pledge, _session_id, _success_url, cancel_url = start_stripe_checkout(client, checkout, campaign)

    landing = client.get(path_of(cancel_url), follow=True)

    assert landing.status_code == 200
    (note,) = [str(message) for message in landing.context["messages"]]
    problems = []
    if escape(note) not in landing.content.decode():
        problems.append("the message is not rendered on the page (no template shows `messages`)")
    if "débité" not in note:
        problems.append(f"the message is not translated into French: {note!r}")
    assert not problems, problems


@pytest.mark.parametrize(
    ("funding_model", "mode", "done"),
    [("all_or_nothing", "setup", S.COMMITTED), ("keep_it_all", "payment", S.PAID)],
)
def test_success_url_sent_to_stripe_completes_the_pledge_and_thanks(
    funding_model, mode, done, client, checkout, make_campaign, django_capture_on_commit_callbacks, mailoutbox
):
    campaign = make_campaign(title="Jardin partagé", goal=1000, funding_model=funding_model)
    pledge, session_id, success_url, cancel_url = start_stripe_checkout(client, checkout, campaign)
    assert checkout.sent().params["mode"] == mode

    # The backer enters a card on Stripe's page; Stripe redirects to success_url with the
    # session id in place of the placeholder.
    checkout.complete(session_id)
    back = success_url.replace("{CHECKOUT_SESSION_ID}", session_id)
    assert f"session_id={session_id}" in back
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(path_of(back), follow=True)

    # The return page read the session from Stripe rather than wait for the webhook.
    (read,) = checkout.recorded.find("GET", rf"/v1/checkout/sessions/{session_id}")
    assert read.params == {"expand[0]": "setup_intent", "expand[1]": "payment_intent"}
    pledge.refresh_from_db()
    assert pledge.status == done
    assert pledge.events.last().actor == "citizen"
    if mode == "setup":
        assert (pledge.customer_id, pledge.payment_method_id) == ("cus_flow_1", "pm_flow_card")
    else:
        assert pledge.payment_intent_id == "pi_flow_1"
    thanks = reverse("payments:thanks", kwargs={"token": pledge.token})
    assert response.redirect_chain == [(thanks, 302)]
    assert response.status_code == 200
    assert "payments/thanks.html" in [t.name for t in response.templates]
    assert [m.to for m in mailoutbox] == [["camille@example.org"]]  # the confirmation, once

    # A late hit on cancel_url (another tab, the back button) leaves the pledge as it is.
    late = client.get(path_of(cancel_url))
    assert late.status_code == 302 and late["Location"] == thanks
    pledge.refresh_from_db()
    assert pledge.status == done
    assert list(pledge.events.values_list("to_status", flat=True)) == [S.PENDING, done]


def test_sent_urls_are_the_return_and_cancel_views_of_the_pledge(client, checkout, campaign):
    """Stripe gets this pledge's own return and cancel pages, never the demo checkout."""
    pledge, _session_id, success_url, cancel_url = start_stripe_checkout(client, checkout, campaign)
    token = {"token": pledge.token}
    assert path_of(cancel_url) == reverse("payments:checkout_cancel", kwargs=token)
    assert re.fullmatch(
        re.escape(reverse("payments:checkout_return", kwargs=token)) + r"\?session_id=\{CHECKOUT_SESSION_ID\}",
        path_of(success_url),
    )
    assert reverse("payments:demo_checkout", kwargs=token) not in (path_of(success_url), path_of(cancel_url))
