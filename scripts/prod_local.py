"""`make prod-local`: the production stack of several machines, on this one.

- PostgreSQL: a fresh database `coupdepouce_prodlocal` on the server at 127.0.0.1:5432
  (dropped and created again at each start: the local S3 server keeps its files in memory);
- Redis at 127.0.0.1:6379, database 5 (only that database; CACHE_KEY_PREFIX "prodlocal");
- a local S3 server (moto's server mode) with a public media bucket and a private one;
- two gunicorn instances (production settings, gunicorn.conf.py) on two ports, as two machines,
  each with a MEDIA_ROOT of its own (var/prod-local/media-a/ and media-b/, emptied at each start:
  media live in the bucket, so nothing may land there);
- one task worker (`manage.py db_worker`);
- the demo content, loaded once through the same settings.

The processes use the production settings with `COUPDEPOUCE_ENV = "demo"` (a settings module
written to var/prod-local/, as load_demo_data asks of a demonstration site) and run over plain
HTTP on localhost: browsers accept the Secure cookies there. Ctrl-C stops everything.

    python scripts/prod_local.py [--port 8001] [--redis-db 5] [--check]

--check starts the stack, checks that both instances serve the pages and the images stored in
S3, then that they act as one site (tests/crossinstance.py, also run by the test suite in
tests/test_cross_instance.py): a pledge made through A shows at once on B's campaign page, and an
image uploaded through A's admin is shown by B and served from the bucket; then it stops the stack
(exit status 1 on a failure).
"""

import argparse
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3
import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import crossinstance  # noqa: E402 (the check the test suite runs too)

WORKDIR = ROOT / "var" / "prod-local"
PYTHON = sys.executable
DATABASE = "coupdepouce_prodlocal"
SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
SETTINGS = '''"""Written by scripts/prod_local.py: production settings for a local demonstration stack."""

from coupdepouce.settings.production import *  # noqa: F401,F403

COUPDEPOUCE_ENV = "demo"
'''


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url, seconds=60):
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def fresh_database():
    with psycopg.connect(SERVER_URL, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')
    return f"postgres://postgres@127.0.0.1:5432/{DATABASE}"


def create_buckets(environment):
    client = boto3.client(
        "s3",
        endpoint_url=environment["AWS_S3_ENDPOINT_URL"],
        region_name=environment["AWS_S3_REGION_NAME"],
        aws_access_key_id=environment["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=environment["AWS_SECRET_ACCESS_KEY"],
    )
    for variable in ("AWS_STORAGE_BUCKET_NAME", "AWS_PRIVATE_STORAGE_BUCKET_NAME"):
        client.create_bucket(Bucket=environment[variable])


def clear_redis(url):
    """Empty our own Redis database only (never the whole server)."""
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()


class Stack:
    def __init__(self):
        self.processes = []

    def start(self, name, command, environment, log):
        handle = open(WORKDIR / f"{log}.log", "ab")  # closed by stop()
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=handle, stderr=subprocess.STDOUT)
        self.processes.append((name, process, handle))
        return process

    def stop(self):
        for _name, process, _handle in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for _name, process, handle in reversed(self.processes):
            try:
                process.wait(timeout=35)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            handle.close()
        self.processes = []

    def dead(self):
        return [name for name, process, _handle in self.processes if process.poll() is not None]


def environment_for(args, s3_port, database_url):
    WORKDIR.mkdir(parents=True, exist_ok=True)
    (WORKDIR / "prodlocal_settings.py").write_text(SETTINGS)
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(WORKDIR), str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": "prodlocal_settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "DJANGO_TRUSTED_PROXY_COUNT": "0",
        "DATABASE_URL": database_url,
        "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        "CACHE_KEY_PREFIX": "prodlocal",
        "AWS_STORAGE_BUCKET_NAME": "coupdepouce-media",
        "AWS_PRIVATE_STORAGE_BUCKET_NAME": "coupdepouce-private",
        "AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{s3_port}",
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_S3_ADDRESSING_STYLE": "path",
        "AWS_ACCESS_KEY_ID": "prodlocal",
        "AWS_SECRET_ACCESS_KEY": "prodlocal",
        "AWS_DEFAULT_ACL": "public-read",
        "STATIC_ROOT": str(WORKDIR / "static"),
        "PAYMENTS_DEMO_MODE": "1",
        "WAGTAILADMIN_BASE_URL": f"http://localhost:{args.port}",
        "WEB_CONCURRENCY": str(args.workers),
        "GUNICORN_ACCESSLOG": "",
    }
    environment.pop("PORT", None)
    return environment


def manage(environment, *arguments):
    subprocess.run([PYTHON, "manage.py", *arguments], cwd=ROOT, env=environment, check=True)


def check(urls):
    """Both instances serve the home page, and the images it shows come from the S3 server."""
    failures = []
    pages = {}
    for url in urls:
        status, body = wait_for(url)
        pages[url] = body.decode()
        if status != 200:
            failures.append(f"{url}: status {status}")
    with urllib.request.urlopen(urls[-1], timeout=10) as response:
        policy = response.headers.get("Content-Security-Policy", "")
    images = re.findall(r'src="(http://127\.0\.0\.1:\d+/coupdepouce-media/[^"]+)"', pages[urls[-1]])
    if not images:
        failures.append(f"{urls[-1]}: no image served from the media bucket")
    origins = {"/".join(image.split("/")[:3]) for image in images}
    if not all(origin in policy for origin in origins):
        failures.append(f"{urls[-1]}: the Content-Security-Policy does not allow images from {origins}")
    for image in images[:3]:
        status, body = wait_for(image.replace("&amp;", "&"))
        if status != 200 or not body:
            failures.append(f"{image}: status {status}")
    return failures


def media_root(name):
    """Instance `name`'s own, empty MEDIA_ROOT."""
    folder = WORKDIR / f"media-{name}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def cross_instance_check(urls, environment, media_roots):
    """A pledge through A shows at once on B; an image uploaded through A is served by B, from the
    bucket, with nothing written to either instance's disk."""
    url_a, url_b = (url.rstrip("/") for url in urls)
    media_url = f"{environment['AWS_S3_ENDPOINT_URL']}/{environment['AWS_STORAGE_BUCKET_NAME']}/"
    failures = []
    try:
        seen = crossinstance.check_pledge(url_a, url_b)
        print(
            f"Pledge through A, seen at once on B: {seen['campaign']} raised {seen['before']['raised_cents']} → "
            f"{seen['after']['raised_cents']} cents, backers {seen['before']['backers']} → {seen['after']['backers']}"
        )
    except crossinstance.CheckFailed as error:
        failures.append(f"pledge through A, read on B: {error}")
    try:
        seen = crossinstance.check_image(url_a, url_b, media_url)
        print(f"Image uploaded through A, shown by B ({seen['edit_page']}), served by S3: {', '.join(seen['served'])}")
    except crossinstance.CheckFailed as error:
        failures.append(f"image uploaded through A, served by B: {error}")
    for folder in media_roots:
        written = [path for path in folder.rglob("*") if path.is_file()]
        if written:
            failures.append(f"{folder}: media written to the instance's disk: {written[:3]}")
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8001, help="instance A; instance B takes the next port")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    parser.add_argument("--redis-db", type=int, default=5, help="the Redis database number this stack empties")
    parser.add_argument("--check", action="store_true", help="check both instances, then stop")
    args = parser.parse_args()

    stack = Stack()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))
    try:
        s3_port = free_port()
        database_url = fresh_database()
        environment = environment_for(args, s3_port, database_url)
        clear_redis(environment["REDIS_URL"])
        stack.start(
            "S3 (moto)", [PYTHON, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(s3_port)], environment, "s3"
        )
        wait_for(f"http://127.0.0.1:{s3_port}/moto-api/")
        create_buckets(environment)

        print("Migrating, collecting static files, loading the demo content…", flush=True)
        manage(environment, "migrate", "--noinput", "-v0")
        manage(environment, "collectstatic", "--noinput", "-v0")
        manage(environment, "load_demo_data", "--allow-production", "--quiet")

        urls, media_roots = [], []
        for index, port in enumerate((args.port, args.port + 1)):
            name = "AB"[index]
            media_roots.append(media_root(name.lower()))
            stack.start(
                f"gunicorn {name}",
                [PYTHON, "-m", "gunicorn", "coupdepouce.wsgi", "-c", str(ROOT / "gunicorn.conf.py")],
                {**environment, "GUNICORN_BIND": f"127.0.0.1:{port}", "MEDIA_ROOT": str(media_roots[-1])},
                f"gunicorn-{name.lower()}",
            )
            urls.append(f"http://localhost:{port}/")
        stack.start("task worker", [PYTHON, "manage.py", "db_worker", "--no-reload", "-v0"], environment, "worker")
        for url in urls:
            wait_for(url)

        print(f"Instance A: {urls[0]}  (admin: {urls[0]}admin/, admin@example.org / coupdepouce-demo)")
        print(f"Instance B: {urls[1]}")
        print(f"S3 (moto):  http://127.0.0.1:{s3_port}/  PostgreSQL: {database_url}  Redis: {environment['REDIS_URL']}")
        print(f"Logs in {WORKDIR.relative_to(ROOT)}/. Ctrl-C stops everything.", flush=True)

        if args.check:
            failures = check(urls)
            failures += cross_instance_check(urls, environment, media_roots)
            for failure in failures:
                print(f"FAILED: {failure}")
            print(
                "prod-local check: "
                + ("failed" if failures else "both instances serve pages and S3 images, and act as one site")
            )
            return 1 if failures else 0
        while not stack.dead():
            time.sleep(1)
        print(f"Stopped: {', '.join(stack.dead())} exited (see the logs).")
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
