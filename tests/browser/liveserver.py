"""A real, throw-away Coup de pouce site: its own database, demo content and gunicorn.

Shared by the browser tests (`tests/browser/conftest.py`) and the benchmark
(`scripts/bench.py`). Nothing here imports Django: every step runs `manage.py` or
gunicorn in a subprocess with the venv's own interpreter (`sys.executable`, never a
pyenv shim, so the process we kill is the real server).

Emails are written as files in `<workdir>/mail/` (Django's file-based backend), the
folder that plays the role `var/mail/` plays in development (`coupdepouce/settings/dev.py`):
a test opens a verification link from there. Application attachments go to
`<workdir>/private/` (PRIVATE_MEDIA_ROOT), never to the developer's `var/private/`.

Emails go through the task queue as in production: a `manage.py db_worker` runs beside
gunicorn. The demo content is loaded with the same settings marked as a demonstration site
(`COUPDEPOUCE_ENV = "demo"`): `load_demo_data` refuses the production settings themselves.

Database:
- SQLite (default): a file in a temporary directory.
- PostgreSQL (`DATABASE_URL=postgres://…/name`): a separate database `name_<purpose>`
  on the same server, dropped and created again at start (psycopg, autocommit) and
  dropped at the end, so the suite's own test database and any real data are untouched.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "postgis"}

# Production settings: the site as it is deployed (DEBUG off, whitenoise with the
# manifest storage, secure headers). Their `Secure` session and CSRF cookies work over
# plain http here because Chromium treats http://127.0.0.1 as a secure context: the
# applicant tests sign up and sign in on it.
DEFAULT_SETTINGS = "coupdepouce.settings.production"


class LiveServerError(RuntimeError):
    pass


@dataclass
class LiveSite:
    base_url: str
    env: dict[str, str]
    workdir: Path
    log_path: Path
    process: subprocess.Popen | None = None
    worker: subprocess.Popen | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def mail_dir(self) -> Path:
        """Where the site writes the emails it sends (one file per connection)."""
        return Path(self.env["EMAIL_FILE_PATH"])

    def url(self, path: str) -> str:
        return self.base_url + path

    def manage(self, *args: str, timeout: float = 120) -> str:
        return manage(self.env, *args, timeout=timeout)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


# Database --------------------------------------------------------------------------


def _is_postgres(url: str) -> bool:
    return urlsplit(url).scheme in POSTGRES_SCHEMES


def _with_dbname(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _pg_admin(url: str, statements: list) -> None:
    """Run statements on the server's `postgres` maintenance database, in autocommit."""
    import psycopg

    parts = urlsplit(url)
    conninfo = urlunsplit(("postgresql", parts.netloc, "/postgres", parts.query, ""))
    with psycopg.connect(conninfo, autocommit=True, connect_timeout=10) as conn:
        for statement in statements:
            conn.execute(statement)


def _pg_drop(url: str, name: str) -> None:
    from psycopg import sql

    # WITH (FORCE) (PostgreSQL ≥ 13) also ends connections a killed worker left behind.
    _pg_admin(url, [sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))])


def _pg_recreate(url: str, name: str) -> None:
    from psycopg import sql

    _pg_drop(url, name)
    _pg_admin(url, [sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))])


@contextlib.contextmanager
def own_database(purpose: str, workdir: Path) -> Iterator[str]:
    """Yield the DATABASE_URL of a fresh database for `purpose`; remove it afterwards."""
    base = os.environ.get("DATABASE_URL", "").strip()
    if not base or not _is_postgres(base):
        yield f"sqlite:///{workdir / 'db.sqlite3'}"
        return
    source_name = urlsplit(base).path.lstrip("/") or "coupdepouce"
    name = f"{source_name}_{purpose}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:  # pytest -n: one database per worker
        name += f"_{worker}"
    _pg_recreate(base, name)
    try:
        yield _with_dbname(base, name)
    finally:
        with contextlib.suppress(Exception):
            _pg_drop(base, name)


# Processes -------------------------------------------------------------------------


# The settings serve as they are, plus EMAIL_FILE_PATH from the environment: the base
# settings read EMAIL_BACKEND from it but not the file backend's folder, which only the dev
# settings set (to var/mail/). This module, written in the work directory, adds it.
SETTINGS_SHIM = "livesite_settings"
SETTINGS_SHIM_CODE = """\
import os

from {settings} import *  # noqa: F401,F403

EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
"""


# The same settings, marked as a demonstration site: what `load_demo_data` runs with.
DEMO_SETTINGS_SHIM = "livesite_demo_settings"
DEMO_SETTINGS_SHIM_CODE = f"""\
from {SETTINGS_SHIM} import *  # noqa: F401,F403

COUPDEPOUCE_ENV = "demo"
"""


def write_settings_shim(workdir: Path, settings: str) -> str:
    """Write the settings module that serves `settings` with EMAIL_FILE_PATH; return its name."""
    (workdir / f"{SETTINGS_SHIM}.py").write_text(SETTINGS_SHIM_CODE.format(settings=settings))
    (workdir / f"{DEMO_SETTINGS_SHIM}.py").write_text(DEMO_SETTINGS_SHIM_CODE)
    return SETTINGS_SHIM


def site_env(database_url: str, workdir: Path, settings: str = DEFAULT_SETTINGS, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    # pytest-django exports the test settings; the served site must not inherit them.
    for name in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "PYTEST_CURRENT_TEST"):
        env.pop(name, None)
    (workdir / "mail").mkdir(exist_ok=True)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": write_settings_shim(workdir, settings),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(workdir), os.environ.get("PYTHONPATH")])),
            "DATABASE_URL": database_url,
            "DJANGO_SECRET_KEY": "test",  # noqa: S105 - a throw-away local site
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECURE_HSTS_SECONDS": "0",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_DEBUG": "false",
            "STATIC_ROOT": str(workdir / "static"),
            "MEDIA_ROOT": str(workdir / "media"),
            "PRIVATE_MEDIA_ROOT": str(workdir / "private"),
            # Emails as files in <workdir>/mail/, the test's var/mail/ (see the module docstring).
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(workdir / "mail"),
            "STRIPE_SECRET_KEY": "",  # demo payment mode, never a real provider
            "PAYMENTS_DEMO_MODE": "true",  # chosen explicitly, as a demonstration site would
            # The rate-limit counters of this site only (production's cache is a folder).
            "DJANGO_CACHE_LOCATION": str(workdir / "cache"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    """Run `manage.py ARGS`; return stdout, raise LiveServerError with the output on failure."""
    command = [PYTHON, str(ROOT / "manage.py"), *args]
    try:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise LiveServerError(f"`manage.py {' '.join(args)}` took more than {timeout:.0f} s") from exc
    if done.returncode != 0:
        raise LiveServerError(
            f"`manage.py {' '.join(args)}` failed (exit {done.returncode}):\n"
            f"{done.stdout[-3000:]}\n{done.stderr[-6000:]}"
        )
    return done.stdout


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict[str, str], port: int, log_path: Path, workers: int = 2) -> subprocess.Popen:
    command = [
        PYTHON,
        "-m",
        "gunicorn",
        "coupdepouce.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "60",
        "--graceful-timeout",
        "5",
        "--log-level",
        "warning",
        "--error-logfile",
        "-",
    ]
    log = open(log_path, "ab")  # handed over to the child, closed here
    try:
        # A session of its own: stop() ends the arbiter and its workers as a group.
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    finally:
        log.close()


def start_worker(env: dict[str, str], log_path: Path) -> subprocess.Popen:
    """`manage.py db_worker`: runs the queued tasks (emails) as production's worker does."""
    command = [PYTHON, str(ROOT / "manage.py"), "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"]
    log = open(log_path, "ab")  # handed over to the child, closed here
    try:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    finally:
        log.close()


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LiveServerError(f"gunicorn exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - 127.0.0.1 only
                response.read()
                return
        except urllib.error.HTTPError as exc:  # the server answers, even if with an error page
            if exc.code < 500:
                return
            last_error = exc
        except (urllib.error.URLError, OSError) as exc:
            last_error = exc
        time.sleep(0.2)
    raise LiveServerError(f"{url} did not answer within {timeout:.0f} s: {last_error}")


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


# The whole site ----------------------------------------------------------------------


@contextlib.contextmanager
def live_site(
    purpose: str = "browser", workers: int = 2, settings: str = DEFAULT_SETTINGS, keep: bool = False
) -> Iterator[LiveSite]:
    """Migrate, load the demo data, collect static files and serve with gunicorn.

    Everything (database, static, media, log) lives in a temporary directory that is
    removed at the end, unless `keep` is true or the environment sets KEEP_LIVESERVER=1.
    """
    keep = keep or os.environ.get("KEEP_LIVESERVER") == "1"
    workdir = Path(tempfile.mkdtemp(prefix=f"coupdepouce-{purpose}-"))
    site = None
    try:
        with own_database(purpose, workdir) as database_url:
            env = site_env(database_url, workdir, settings)
            site = LiveSite(base_url="", env=env, workdir=workdir, log_path=workdir / "gunicorn.log")
            for name, args in [
                ("migrate", ("migrate", "--noinput", "-v0")),
                ("load_demo_data", ("load_demo_data", "--quiet", "--allow-production")),
                ("collectstatic", ("collectstatic", "--noinput", "-v0")),
            ]:
                started = time.monotonic()
                step_env = {**env, "DJANGO_SETTINGS_MODULE": DEMO_SETTINGS_SHIM} if name == "load_demo_data" else env
                manage(step_env, *args, timeout=240)
                site.timings[name] = time.monotonic() - started
            port = free_port()
            site.base_url = f"http://127.0.0.1:{port}"
            started = time.monotonic()
            site.process = start_gunicorn(env, port, site.log_path, workers=workers)
            site.worker = start_worker(env, workdir / "worker.log")
            try:
                try:
                    wait_until_up(site.url("/"), site.process)
                except LiveServerError as exc:
                    raise LiveServerError(f"{exc}\n--- gunicorn log ---\n{site.log_tail()}") from exc
                site.timings["gunicorn"] = time.monotonic() - started
                yield site
            finally:
                stop(site.process)
                stop(site.worker)
    finally:
        if keep:
            print(f"[liveserver] kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def shell_json(site: LiveSite, code: str, timeout: float = 60) -> object:
    """Run `code` in `manage.py shell` against the site's database; it must print one JSON line last."""
    output = site.manage("shell", "--no-startup", "-c", code, timeout=timeout)
    lines = [line for line in output.splitlines() if line.strip()]
    if not lines:
        raise LiveServerError("manage.py shell printed nothing")
    return json.loads(lines[-1])
