"""Operations that hold: the email queue and its retries, rate limits, the Content-Security-Policy,
the demo loader's refusals and the deployment checklist.

The email tests run the real database task backend and its worker (`django_tasks_db`) against
a real SMTP server on 127.0.0.1 (aiosmtpd), a closed port (refused) or a socket that never
answers (timeout): nothing is mocked. The concurrency of SQLite has its own module
(tests/test_sqlite_concurrency.py); the CSP in a real browser is in tests/browser/test_csp.py.
"""

import json
import logging
import os
import re
import secrets
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from allauth.account import app_settings as allauth_settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from wagtail.models import Page

from coupdepouce import ratelimits, tasks
from coupdepouce.security import CSPMiddleware
from coupdepouce.settings import base as base_settings
from coupdepouce.tasks import EMAIL_RETRY_MINUTES, send_email_task
from coupdepouce.views import server_error
from demo.loader import ADMIN_EMAIL
from demo.management.commands import load_demo_data
from payments import services
from tests.factories.applications import ApplicationFactory, CallWithFormFactory, UserFactory

ROOT = Path(__file__).resolve().parents[1]
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
TOO_MANY = "Be patient, you are sending too many requests."


def french(msgid):
    with translation.override("fr"):
        text = translation.gettext(msgid)
    assert text != msgid, f"no French for {msgid!r}"
    return escape(text)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def subprocess_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "PYTEST_CURRENT_TEST"}}
    env.update(extra)
    return env


# The email queue ---------------------------------------------------------------------------


class Inbox:
    """An aiosmtpd handler: keeps what it accepts, or refuses every recipient with `refuse`."""

    def __init__(self, refuse=""):
        self.messages = []
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_settings(settings):
    """The database task backend and the SMTP email backend, on a port nothing listens to yet."""
    settings.TASKS = DB_TASKS
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 2
    return settings


def run_worker():
    """`manage.py db_worker --batch`: run every task that is due, then return."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


def enqueue_email():
    return send_email_task.enqueue(
        subject="Votre soutien", text="Merci !", html="<p>Merci !</p>", to=["camille@example.org"]
    )


def task_log(caplog, level):
    """What coupdepouce.tasks logged at `level` (django_tasks logs every failure too)."""
    return [r.getMessage() for r in caplog.records if r.name == "coupdepouce.tasks" and r.levelno == level]


def make_due(result_id):
    """Time passes: the retry is due now."""
    DBTaskResult.objects.filter(id=result_id).update(run_after=timezone.now())


def test_the_settings_send_emails_through_the_database_queue_with_a_timeout():
    """Production and `make run` (base settings) queue emails in the database; the tests run them at once."""
    assert base_settings.TASKS == DB_TASKS
    assert "django_tasks_db" in base_settings.INSTALLED_APPS
    assert base_settings.EMAIL_TIMEOUT == 10


@pytest.mark.django_db
def test_an_email_enqueued_in_a_rolled_back_transaction_never_leaves(settings):
    """The task row is written in the caller's transaction: a change rolled back takes its email with it."""
    settings.TASKS = DB_TASKS
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_email()
        raise RuntimeError("the status change failed")
    assert DBTaskResult.objects.count() == 0
    with transaction.atomic():
        result = enqueue_email()
    assert list(DBTaskResult.objects.values_list("id", "status")) == [(result.db_result.id, "READY")]


@pytest.mark.django_db(transaction=True)
def test_an_email_the_server_refused_is_retried_later_and_sent(smtp_settings):
    result = enqueue_email()
    before = timezone.now()
    run_worker()  # nothing listens on the port: connection refused

    first = DBTaskResult.objects.get(id=result.id)
    assert (first.status, first.exception_class_path) == ("FAILED", "builtins.ConnectionRefusedError")
    retry = DBTaskResult.objects.exclude(id=result.id).get()
    assert retry.status == "READY"
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    assert before + timedelta(minutes=1) <= retry.run_after <= timezone.now() + timedelta(minutes=1)

    run_worker()  # not due yet: nothing runs
    assert DBTaskResult.objects.get(id=retry.id).status == "READY"

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_settings.EMAIL_PORT)
    controller.start()
    try:
        make_due(retry.id)
        run_worker()
    finally:
        controller.stop()
    assert DBTaskResult.objects.get(id=retry.id).status == "SUCCESSFUL"
    assert DBTaskResult.objects.count() == 2
    [(recipients, content)] = inbox.messages
    assert recipients == ["camille@example.org"]
    assert "Subject: Votre soutien" in content


@pytest.mark.django_db(transaction=True)
def test_an_email_is_given_up_after_five_attempts_with_growing_delays(smtp_settings, caplog):
    result = enqueue_email()
    delays = []
    with caplog.at_level(logging.WARNING, logger="coupdepouce.tasks"):
        for _ in range(5):
            started = timezone.now()
            run_worker()
            pending = list(DBTaskResult.objects.filter(status="READY"))
            if pending:
                [due] = pending
                delays.append(round((due.run_after - started).total_seconds() / 60))
                make_due(due.id)
    assert delays == list(EMAIL_RETRY_MINUTES) == [1, 5, 25, 125]
    assert list(DBTaskResult.objects.values_list("status", flat=True)) == ["FAILED"] * 5
    assert sorted(r.args_kwargs["kwargs"].get("attempt", 1) for r in DBTaskResult.objects.all()) == [1, 2, 3, 4, 5]
    assert DBTaskResult.objects.get(id=result.id).status == "FAILED"
    assert [message.split(":")[0] for message in task_log(caplog, logging.ERROR)] == [
        "email 'Votre soutien' to ['camille@example.org'] not sent, given up after attempt 5 of 5"
    ]
    assert [message.split(" (")[1].split(":")[0] for message in task_log(caplog, logging.WARNING)] == [
        f"attempt {n} of 5" for n in range(1, 5)
    ]


@pytest.mark.django_db(transaction=True)
def test_a_permanent_refusal_is_not_retried(smtp_settings, caplog):
    inbox = Inbox(refuse="550 5.1.1 No such mailbox")
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_settings.EMAIL_PORT)
    controller.start()
    try:
        with caplog.at_level(logging.ERROR, logger="coupdepouce.tasks"):
            result = enqueue_email()
            run_worker()
    finally:
        controller.stop()
    assert list(DBTaskResult.objects.values_list("id", "status")) == [(result.db_result.id, "FAILED")]
    assert DBTaskResult.objects.get().exception_class_path == "smtplib.SMTPRecipientsRefused"
    assert inbox.messages == []
    [error] = task_log(caplog, logging.ERROR)
    assert error.endswith("given up after attempt 1 of 5: {'camille@example.org': (550, b'5.1.1 No such mailbox')}")


@pytest.mark.django_db(transaction=True)
def test_a_silent_mail_server_times_out_and_the_email_is_retried(smtp_settings):
    """EMAIL_TIMEOUT: a server that accepts the connection and never answers does not hold the worker."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", smtp_settings.EMAIL_PORT))
        silent.listen()
        result = enqueue_email()
        started = timezone.now()
        run_worker()
        elapsed = (timezone.now() - started).total_seconds()
    failed = DBTaskResult.objects.get(id=result.id)
    assert failed.exception_class_path == "smtplib.SMTPServerDisconnected"
    assert failed.traceback.strip().endswith("SMTPServerDisconnected: Connection unexpectedly closed: timed out")
    assert 2 <= elapsed < 10
    assert DBTaskResult.objects.filter(status="READY").count() == 1


@pytest.mark.django_db
def test_the_immediate_backend_of_the_tests_does_not_retry(settings, caplog):
    """No deferred tasks there: the failure is logged as given up, nothing else is enqueued."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    with caplog.at_level(logging.ERROR, logger="coupdepouce.tasks"):
        result = enqueue_email()
    assert result.status == "FAILED"
    [error] = task_log(caplog, logging.ERROR)
    assert error.startswith("email 'Votre soutien' to ['camille@example.org'] not sent, given up after attempt 1 of 5")
    assert tasks.EMAIL_MAX_ATTEMPTS == 5


# Rate limits -------------------------------------------------------------------------------


def assert_limited(post, allowed_status):
    """Two POSTs pass; the third answers the French 429 page."""
    assert [post().status_code for _ in range(2)] == [allowed_status, allowed_status]
    response = post()
    assert response.status_code == 429
    page = response.content.decode()
    assert french(TOO_MANY) in page
    assert '<html lang="fr">' in page
    return response


def test_every_limited_form_has_a_rate():
    assert ratelimits.RATES == {
        "pledge": "10/m",
        "demo_checkout": "20/m",
        "admin_login": "10/m",
        "admin_password_reset": "5/m",
        "application": "30/h",
        "help_offer": "5/h",
        "follow": "10/h",
        "question": "5/h",
        "report": "10/h",
        "receipt_summary": "5/h",
    }


@pytest.mark.django_db
def test_the_pledge_form_is_rate_limited_per_address(client, make_campaign, low_rates):
    url = make_campaign().url + "soutenir/"
    assert_limited(lambda: client.post(url, {"amount": "abc"}), 200)
    assert client.get(url).status_code == 200  # reading the form is not limited
    assert client.post(url, {"amount": "abc"}, REMOTE_ADDR="192.0.2.7").status_code == 200


@pytest.mark.django_db
def test_the_demo_card_page_is_rate_limited(client, make_campaign, low_rates):
    pledge = services.create_pledge(
        make_campaign(),
        services.PledgeRequest(amount_cents=2500, backer_name="Camille", backer_email="camille@example.org"),
        provider="demo",
    )
    url = reverse("payments:demo_checkout", kwargs={"token": pledge.token})
    assert_limited(lambda: client.post(url, {"card_number": "1234", "action": "pay"}), 200)


@pytest.mark.django_db
def test_the_admin_sign_in_is_rate_limited(client, home, low_rates):
    assert_limited(lambda: client.post("/admin/login/", {"username": "x@example.org", "password": "x"}), 200)
    assert (
        client.post(
            "/admin/login/", {"username": "x@example.org", "password": "x"}, REMOTE_ADDR="192.0.2.7"
        ).status_code
        == 200
    )


@pytest.mark.django_db
def test_the_admin_password_reset_is_rate_limited(client, home, low_rates):
    assert_limited(lambda: client.post("/admin/password_reset/", {"email": "x@example.org"}), 302)


@pytest.mark.django_db
def test_the_application_form_is_rate_limited_per_applicant(client, call_index, low_rates):
    call = CallWithFormFactory(parent=call_index)
    draft = ApplicationFactory(call=call)
    client.force_login(draft.applicant)
    url = reverse("applications:application", kwargs={"token": draft.token})
    assert_limited(lambda: client.post(url, {"action": "save"}), 302)
    # Another applicant behind the same address has a count of their own.
    other = ApplicationFactory(call=call)
    client.force_login(other.applicant)
    response = client.post(reverse("applications:application", kwargs={"token": other.token}), {"action": "save"})
    assert response.status_code == 302


@pytest.mark.django_db
def test_allauth_limits_the_forms_that_send_an_email(client, home, settings):
    assert {name: allauth_settings.RATE_LIMITS[name] for name in ("signup", "reset_password", "manage_email")} == {
        "signup": "20/m/ip",
        "reset_password": "20/m/ip,5/m/key",
        "manage_email": "10/m/user",
    }
    settings.ACCOUNT_RATE_LIMITS = {**base_settings.ACCOUNT_RATE_LIMITS, "signup": "2/m/ip", "reset_password": "2/m/ip"}
    assert_limited(lambda: client.post(reverse("account_signup"), {"email": "nouveau"}), 200)
    reset = reverse("account_reset_password")
    assert_limited(lambda: client.post(reset, {"email": "quelquun@example.org"}), 302)


def test_the_client_address_behind_a_trusted_proxy_is_the_one_it_saw(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    settings.TRUSTED_PROXY_COUNT = 0
    assert ratelimits.client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert ratelimits.client_ip(request) == "203.0.113.9"  # the spoofed first address is ignored
    assert ratelimits.client_ip(RequestFactory().get("/", REMOTE_ADDR="10.0.0.1")) == "10.0.0.1"


# Content-Security-Policy ------------------------------------------------------------------


def policy(response):
    return {
        name: values for name, *values in (part.split() for part in response["Content-Security-Policy"].split("; "))
    }


PUBLIC_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "https://js.stripe.com", "https://*.js.stripe.com"],
    "style-src": ["'self'"],
    "style-src-attr": ["'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'", "https://api.stripe.com"],
    "frame-src": [
        "'self'",
        "https://js.stripe.com",
        "https://*.js.stripe.com",
        "https://hooks.stripe.com",
        *base_settings.CSP_EMBED_HOSTS,
    ],
    "form-action": ["'self'", "https://checkout.stripe.com"],
    "frame-ancestors": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")


@pytest.mark.django_db
def test_public_pages_send_the_strict_policy_and_hold_no_inline_script(client, make_campaign):
    campaign = make_campaign(rewards=1)
    pledge = services.create_pledge(
        campaign,
        services.PledgeRequest(amount_cents=2500, backer_name="Camille", backer_email="camille@example.org"),
        provider="demo",
    )
    for url in [
        "/",
        campaign.url,
        campaign.url + "soutenir/",
        reverse("payments:demo_checkout", kwargs={"token": pledge.token}),
        "/comptes/login/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert policy(response) == PUBLIC_POLICY, url
        assert INLINE_SCRIPT.findall(response.content.decode()) == [], url


def test_the_stripe_payment_completion_has_no_inline_script():
    html = render_to_string(
        "payments/_stripe_complete.html",
        {"completion": {"publishable_key": "pk", "client_secret": "cs", "payment_method_id": "pm", "return_url": "/"}},
    )
    assert re.findall(r"<script[^>]*>", html) == [
        '<script src="https://js.stripe.com/v3/">',
        '<script src="/static/js/stripe-complete.js" defer>',
    ]


@pytest.mark.django_db
def test_the_admin_gets_its_relaxed_policy(client, home):
    admin = get_user_model().objects.create_superuser("admin-csp@example.org", "pw", full_name="Admin")
    client.force_login(admin)
    response = client.get(f"/admin/pages/{home.pk}/edit/")
    assert response.status_code == 200
    admin_policy = policy(response)
    assert admin_policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert admin_policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert admin_policy["frame-ancestors"] == ["'self'"]
    assert policy(client.get("/admin/login/")) == admin_policy


# load_demo_data's refusals ------------------------------------------------------------------


def assert_refused(message):
    pages = Page.objects.count()
    with pytest.raises(CommandError) as refused:
        call_command("load_demo_data", "--quiet", "--allow-production")
    assert (str(refused.value), refused.value.returncode) == (message, 3)
    assert Page.objects.count() == pages
    assert not get_user_model().objects.filter(email=ADMIN_EMAIL).exists()


@pytest.mark.django_db
def test_load_demo_data_refuses_the_production_settings_whatever_debug_says(settings):
    settings.COUPDEPOUCE_ENV = "production"
    settings.DEBUG = True
    assert_refused(
        "The production settings are in use: the demo content creates accounts with a published "
        "password and is never loaded with them, whatever DEBUG says."
    )


@pytest.mark.django_db
def test_load_demo_data_refuses_a_settings_module_named_production(settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "coupdepouce.settings.production")
    assert_refused(load_demo_data.PRODUCTION_REFUSAL)


@pytest.mark.django_db
def test_load_demo_data_refuses_a_database_with_other_accounts():
    UserFactory(email="ADMIN@example.org")  # a demo account, whatever its case
    UserFactory(email="jure@example.org")
    UserFactory(email="habitante@ville-exemple.fr")
    pages = Page.objects.count()
    with pytest.raises(CommandError) as refused:
        call_command("load_demo_data", "--quiet", "--allow-production")
    assert (str(refused.value), refused.value.returncode) == (
        "This database holds 1 account(s) that are not demo accounts: the demo content is only "
        "loaded into a database of its own. Nothing was changed.",
        3,
    )
    assert Page.objects.count() == pages
    get_user_model().objects.filter(email="habitante@ville-exemple.fr").delete()
    assert load_demo_data.refusal() == ""


def test_load_demo_data_refuses_to_run_with_the_real_production_settings(tmp_path):
    """The real production.py, DEBUG forced on: exit status 3, the database file untouched."""
    done = subprocess.run(
        [sys.executable, "manage.py", "load_demo_data", "--allow-production"],
        cwd=ROOT,
        env=subprocess_env(
            DJANGO_SETTINGS_MODULE="coupdepouce.settings.production",
            DJANGO_SECRET_KEY="x" * 50,
            DJANGO_DEBUG="true",
            DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
            DJANGO_CACHE_LOCATION=str(tmp_path / "cache"),
            PAYMENTS_DEMO_MODE="true",
        ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 3, done.stderr
    assert done.stderr.strip().endswith(f"CommandError: {load_demo_data.PRODUCTION_REFUSAL}")
    assert not (tmp_path / "db.sqlite3").exists() or (tmp_path / "db.sqlite3").stat().st_size == 0


# The deployment checklist --------------------------------------------------------------------


def test_the_production_settings_pass_the_deployment_checklist(tmp_path):
    """What `make check-deploy` runs; also: a cache every process shares, the demo loader fenced off."""
    env = subprocess_env(
        DJANGO_SETTINGS_MODULE="coupdepouce.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        STRIPE_SECRET_KEY="sk_test_check_deploy",
        STRIPE_WEBHOOK_SECRET="whsec_check_deploy",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_CACHE_LOCATION=str(tmp_path / "cache"),
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stdout.strip()) == (0, "System check identified no issues (1 silenced)."), done.stderr
    code = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps([s.CACHES['default']['BACKEND'], s.COUPDEPOUCE_ENV, s.TASKS['default']['BACKEND'], "
        "s.SILENCED_SYSTEM_CHECKS, s.DATABASES['default']['OPTIONS']['transaction_mode']]))"
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-startup", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [
        "django.core.cache.backends.filebased.FileBasedCache",
        "production",
        "django_tasks_db.DatabaseBackend",
        ["security.W019"],
        "IMMEDIATE",
    ], done.stderr



@pytest.mark.django_db
def test_the_server_error_page_styles_itself_under_the_policy(home):
    """The 500 page's only <style> carries the response's nonce, which the CSP header allows."""
    request = RequestFactory().get("/")
    response = CSPMiddleware(server_error)(request)
    assert response.status_code == 500
    nonce = re.search(r"style-src 'self' 'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert f'<style nonce="{nonce}">' in response.content.decode()
