"""Two machines, one site: a pledge made through instance A shows at once on instance B's campaign
page, and an image uploaded through A is served by B (issue 12; the check is tests/crossinstance.py,
which `scripts/prod_local.py --check` runs too).

Real parts: two gunicorn instances with the production settings (tests/browser/liveserver.py) on
two ports, sharing one database (SQLite file, or PostgreSQL when DATABASE_URL says so), the local
Redis (database 8, under a key prefix of this run's own) and a local S3 server (moto's server mode,
tests/localservices.py). Each instance has a MEDIA_ROOT of its own, left empty: what B shows of
A's upload can only come from the bucket.
"""

import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import crossinstance, localservices
from tests.browser.liveserver import (
    DEMO_SETTINGS_SHIM,
    LiveServerError,
    free_port,
    manage,
    own_database,
    site_env,
    start_gunicorn,
    stop,
    wait_until_up,
)

REDIS_URL = "redis://127.0.0.1:6379/8"

# The local S3 server (tests/localservices.py, shared with tests/test_scaleout.py).
s3_endpoint = localservices.s3_endpoint


@dataclass
class Instance:
    url: str
    media_root: Path
    log: Path


@dataclass
class Stack:
    a: Instance
    b: Instance
    buckets: dict
    default_media_root: Path

    @property
    def media_url(self):
        """Where the media bucket serves its files."""
        return f"{self.buckets['AWS_S3_ENDPOINT_URL']}/{self.buckets['AWS_STORAGE_BUCKET_NAME']}/"


@pytest.fixture(scope="module")
def two_instances(s3_endpoint, tmp_path_factory):
    """Migrate and load the demo content once (static files collected meanwhile), then serve it
    with two gunicorns of one worker each."""
    workdir = tmp_path_factory.mktemp("cross-instance")
    buckets = localservices.s3_buckets(s3_endpoint)
    prefix = f"test-cross-instance-{uuid.uuid4().hex}"
    processes = []
    try:
        with own_database("crossinstance", workdir) as database_url, ThreadPoolExecutor(1) as background:
            environment = site_env(database_url, workdir, **buckets, REDIS_URL=REDIS_URL, CACHE_KEY_PREFIX=prefix)
            static = background.submit(manage, environment, "collectstatic", "--noinput", "-v0", timeout=240)
            manage(environment, "migrate", "--noinput", "-v0", timeout=240)
            demo = {**environment, "DJANGO_SETTINGS_MODULE": DEMO_SETTINGS_SHIM}
            manage(demo, "load_demo_data", "--quiet", "--allow-production", timeout=240)
            static.result()
            instances = []
            for name in ("a", "b"):
                media_root = workdir / f"media-{name}"
                media_root.mkdir()
                port, log = free_port(), workdir / f"gunicorn-{name}.log"
                processes.append(start_gunicorn({**environment, "MEDIA_ROOT": str(media_root)}, port, log, workers=1))
                instances.append(Instance(f"http://127.0.0.1:{port}", media_root, log))
            for instance, process in zip(instances, processes, strict=True):
                try:
                    wait_until_up(instance.url + "/admin/login/", process, timeout=60)
                except LiveServerError as error:
                    pytest.fail(f"{error}\n--- {instance.log.name} ---\n{instance.log.read_text()[-3000:]}")
            yield Stack(*instances, buckets=buckets, default_media_root=Path(environment["MEDIA_ROOT"]))
    finally:
        with ThreadPoolExecutor(2) as stopping:  # both at once: each may take its graceful timeout
            list(stopping.map(stop, processes))
        localservices.delete_redis_keys(REDIS_URL, prefix)


def files_in(folder: Path) -> list:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def test_two_instances_serve_one_site(two_instances):
    """One test, so that pytest-xdist builds the two instances once."""
    # A pledge through A: B's next anonymous answer shows it, rendered again (the pledge purged
    # the page B had cached: X-Page-Cache "miss", not "hit").
    seen = crossinstance.check_pledge(two_instances.a.url, two_instances.b.url)
    assert seen["after"]["backers"] == seen["before"]["backers"] + 1
    assert seen["cache_after"] == "miss"

    # An image uploaded through A: B shows it, from the bucket.
    seen = crossinstance.check_image(two_instances.a.url, two_instances.b.url, two_instances.media_url)
    assert seen["served"] and set(seen["served"].values()) <= {"PNG", "JPEG", "WebP"}
    assert all(url.startswith(two_instances.media_url) for url in seen["served"])
    keys = localservices.bucket_keys(two_instances.buckets, "AWS_STORAGE_BUCKET_NAME")
    assert any(key.startswith("original_images/temoin") for key in keys)
    # Nothing on either machine's disk: B read the original from the bucket to make its rendition.
    for folder in (two_instances.a.media_root, two_instances.b.media_root, two_instances.default_media_root):
        assert files_in(folder) == []
