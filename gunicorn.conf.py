"""gunicorn settings, read from the environment (docs/operations.md, "Several machines").

`gunicorn coupdepouce.wsgi` loads this file from the working directory (or `-c gunicorn.conf.py`).

- WEB_CONCURRENCY: worker processes (default: 2 per core, plus one).
- GUNICORN_THREADS: threads per worker (default 1: sync workers).
- GUNICORN_BIND: address (default 127.0.0.1:8000; PORT alone sets the port).
- GUNICORN_TIMEOUT: seconds a worker may spend on one request before it is killed and replaced (30).
- GUNICORN_GRACEFUL_TIMEOUT: seconds workers get to finish their requests on restart or stop (30).
- GUNICORN_KEEPALIVE: seconds an idle keep-alive connection stays open, behind a proxy (5).
- GUNICORN_MAX_REQUESTS / GUNICORN_MAX_REQUESTS_JITTER: a worker restarts after about that many
  requests (0, the default: never), so a slow leak never grows; the jitter spreads the restarts.
  The test servers and `make bench` (tests/browser/liveserver.py) start gunicorn from the project
  folder, so they read this file too, with the defaults.
- GUNICORN_LOGLEVEL: info by default; access log on stdout unless GUNICORN_ACCESSLOG is "" or a path.
"""

import multiprocessing
import os


def _int(name, default):
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{_int('PORT', 8000)}"
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1)
threads = _int("GUNICORN_THREADS", 1)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
max_requests = _int("GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
errorlog = "-"
# Behind the reverse proxy (docs/operations.md, "Deploying"): X-Forwarded-* from these addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Load the application before forking: workers share its memory and a broken deploy fails at once.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1").strip().lower() in {"1", "true", "yes", "on"}
