"""Twelve simultaneous pledges through a real multi-process server all succeed.

The suite's own SQLite database lives in memory, inside one process: it cannot show the
"database is locked" errors that several gunicorn workers writing to one SQLite file meet.
So this module copies the test database (tables and one open campaign) into a SQLite file
with SQLite's backup API, serves that file with gunicorn (4 worker processes x 3 threads)
under the project's settings, and sends 12 pledge forms at the same instant, then the 12
demo card forms at the same instant. On PostgreSQL (DATABASE_URL) the server uses the
suite's test database itself, so the same test runs there too.

Without `transaction_mode = "IMMEDIATE"` and WAL (coupdepouce/settings/base.py), SQLite
answers several of these requests with "database is locked" (a 500): a transaction that
started by reading cannot upgrade to a write lock while another process writes, and SQLite
fails it at once instead of waiting for the busy timeout.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from payments.models import Pledge

sys.path.insert(0, str(Path(__file__).resolve().parent / "browser"))

from liveserver import LiveServerError, free_port, stop, wait_until_up  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BACKERS = 12
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

# The served site: the test settings (demo payments, locmem email, immediate tasks), with the
# rate limits off: twelve pledges from one address in a second is this test's point, and the
# limits have tests of their own (tests/test_infra.py).
SERVER_SETTINGS = """\
from coupdepouce.settings.test import *  # noqa: F401,F403

RATELIMIT_ENABLE = False
"""


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _database_url(tmp_path: Path) -> str:
    """A database the server processes can open, holding what this test created."""
    if connection.vendor == "sqlite":
        path = tmp_path / "db.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        return f"sqlite:///{path}"
    db = connection.settings_dict
    auth = urllib.parse.quote(db["USER"] or "") + (f":{urllib.parse.quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextlib.contextmanager
def served(tmp_path: Path, database_url: str):
    (tmp_path / "concurrency_settings.py").write_text(SERVER_SETTINGS)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "PYTEST_CURRENT_TEST", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "concurrency_settings",
            "PYTHONPATH": str(tmp_path),
            "DATABASE_URL": database_url,
            "PYTHONUNBUFFERED": "1",
        }
    )
    port = free_port()
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "coupdepouce.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "4",
                "--worker-class",
                "gthread",
                "--threads",
                "3",
                "--timeout",
                "60",
                "--error-logfile",
                "-",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_until_up(base_url + "/robots.txt", process, timeout=60)
        except LiveServerError as error:
            raise LiveServerError(f"{error}\n{log_path.read_text(errors='replace')[-4000:]}") from error
        # Every worker imports the project before the burst (one request per worker).
        for _ in range(8):
            urllib.request.urlopen(base_url + "/robots.txt", timeout=30).read()  # noqa: S310 - 127.0.0.1
        yield base_url, log_path
    finally:
        stop(process)


class Backer:
    """One browser: its own cookies (session, CSRF), no redirect followed."""

    def __init__(self, base_url: str, number: int):
        self.base_url = base_url
        self.number = number
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect
        )

    def get_token(self, path: str) -> str:
        with self.opener.open(self.base_url + path, timeout=60) as response:
            return CSRF.search(response.read().decode()).group(1)

    def post(self, path: str, data: dict) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode()
        try:
            with self.opener.open(self.base_url + path, data=body, timeout=60) as response:
                return response.status, response.headers.get("Location", "")
        except urllib.error.HTTPError as error:  # 302 (not followed), 500…
            return error.code, error.headers.get("Location", "")


def _at_once(backers, action):
    """Run `action(backer)` for every backer, released together; return the results in order."""
    barrier = threading.Barrier(len(backers))
    results = [None] * len(backers)

    def run(index, backer):
        barrier.wait()
        results[index] = action(backer)

    threads = [threading.Thread(target=run, args=(i, b)) for i, b in enumerate(backers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _statuses(database_url: str) -> list[str]:
    if database_url.startswith("sqlite:///"):
        with contextlib.closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as db:
            return sorted(row[0] for row in db.execute("SELECT status FROM payments_pledge"))
    return sorted(Pledge.objects.values_list("status", flat=True))


@pytest.mark.django_db(transaction=True)
def test_twelve_simultaneous_pledges_all_succeed(make_campaign, tmp_path):
    campaign = make_campaign(funding_model="keep_it_all")
    pledge_path = campaign.url + "soutenir/"
    database_url = _database_url(tmp_path)

    with served(tmp_path, database_url) as (base_url, log_path):
        backers = [Backer(base_url, n) for n in range(BACKERS)]
        tokens = [backer.get_token(pledge_path) for backer in backers]

        def pledge(backer):
            return backer.post(
                pledge_path,
                {
                    "csrfmiddlewaretoken": tokens[backer.number],
                    "amount": "25",
                    "backer_name": f"Soutien {backer.number}",
                    "backer_email": f"soutien{backer.number}@example.org",
                    "consent": "on",
                },
            )

        started = time.monotonic()
        answers = _at_once(backers, pledge)
        log = log_path.read_text(errors="replace")
        assert [status for status, _ in answers] == [302] * BACKERS, f"{answers}\n{log[-4000:]}"
        checkout_paths = [location for _, location in answers]
        assert all(re.fullmatch(r"/paiement/demo/[0-9a-f-]{36}/", path) for path in checkout_paths), answers

        card_tokens = [backer.get_token(path) for backer, path in zip(backers, checkout_paths, strict=True)]

        def pay(backer):
            return backer.post(
                checkout_paths[backer.number],
                {
                    "csrfmiddlewaretoken": card_tokens[backer.number],
                    "card_number": "4242 4242 4242 4242",
                    "action": "pay",
                },
            )

        answers = _at_once(backers, pay)
        log = log_path.read_text(errors="replace")
        assert [status for status, _ in answers] == [302] * BACKERS, f"{answers}\n{log[-4000:]}"
        assert [location for _, location in answers] == [
            path.replace("/paiement/demo/", "/paiement/merci/") for path in checkout_paths
        ]
        assert "database is locked" not in log
        assert time.monotonic() - started < 60

    assert _statuses(database_url) == ["paid"] * BACKERS
