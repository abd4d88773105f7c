"""Production configuration that scales out (docs/operations.md, "Several machines").

Real parts, not mocks: the Redis server on 127.0.0.1:6379 (a random key prefix, only our own keys
deleted), and a local S3 server (moto's server mode, on a free port) holding a public media bucket
and a private one.
"""

import importlib
import runpy
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import CacheHandler
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.files.storage import default_storage
from django.test import override_settings
from wagtail.images import get_image_model
from wagtail.models import Collection

from applications.models import Attachment
from coupdepouce.settings.base import (
    CACHES,
    STORAGES,
    caches_from_environment,
    media_origins,
    storages_from_environment,
)
from coupdepouce.storage import NO_URL, PrivateFileSystemStorage, PrivateS3Storage, private_backend, private_storage
from receipts.models import Beneficiary, Receipt
from tests import localservices
from tests.factories.coupdepouce import ImageFactory
from tests.localservices import REDIS_URL, bucket_keys, s3_client

ROOT = Path(__file__).resolve().parent.parent
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"

# The local Redis and S3 server (tests/localservices.py, shared with tests/test_cross_instance.py).
redis_environment = localservices.redis_environment
s3_endpoint = localservices.s3_endpoint
s3_environment = localservices.s3_environment

# --------------------------------------------------------------------------- Redis


def test_without_redis_url_the_caches_stay_as_they_are():
    assert caches_from_environment({}, CACHES) is CACHES


def test_default_and_renditions_caches_in_redis(redis_environment):
    config = caches_from_environment(redis_environment, CACHES)
    for alias in ("default", "renditions"):
        assert config[alias]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
        assert config[alias]["LOCATION"] == REDIS_URL

    # Two handlers stand for two processes (or machines): each has its own connections.
    machine_a, machine_b = CacheHandler(config), CacheHandler(config)
    machine_a["default"].set("campaign:figures", {"raised_cents": 12_345}, 60)
    assert machine_b["default"].get("campaign:figures") == {"raised_cents": 12_345}

    # Rate-limit counters increment atomically across processes.
    machine_a["default"].add("hits", 0, 60)
    for handler in (machine_a, machine_b, machine_a):
        handler["default"].incr("hits")
    assert machine_b["default"].get("hits") == 3

    # The renditions cache is a separate key space on the same server.
    machine_a["renditions"].set("campaign:figures", "a rendition", 60)
    assert machine_b["renditions"].get("campaign:figures") == "a rendition"
    assert machine_b["default"].get("campaign:figures") == {"raised_cents": 12_345}

    machine_b["default"].delete("campaign:figures")
    assert machine_a["default"].get("campaign:figures") is None
    assert machine_a["renditions"].get("campaign:figures") == "a rendition"

    stored = localservices.redis_keys(REDIS_URL, redis_environment["CACHE_KEY_PREFIX"])
    assert stored == {
        f"{redis_environment['CACHE_KEY_PREFIX']}:1:hits",
        f"{redis_environment['CACHE_KEY_PREFIX']}:renditions:1:campaign:figures",
    }


# --------------------------------------------------------------------------- S3


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (the local S3 server)
        return response.read()


def test_without_a_bucket_the_storages_stay_on_disk():
    assert storages_from_environment({}, STORAGES) is STORAGES
    assert isinstance(private_backend(), PrivateFileSystemStorage)


def test_a_bucket_without_a_private_bucket_is_refused():
    with pytest.raises(ImproperlyConfigured, match="AWS_PRIVATE_STORAGE_BUCKET_NAME"):
        storages_from_environment({"AWS_STORAGE_BUCKET_NAME": "media"}, STORAGES)
    with pytest.raises(ImproperlyConfigured):
        storages_from_environment(
            {"AWS_STORAGE_BUCKET_NAME": "media", "AWS_PRIVATE_STORAGE_BUCKET_NAME": "media"}, STORAGES
        )


@pytest.mark.django_db
def test_images_and_renditions_in_the_public_bucket(s3_environment, tmp_path):
    # A media folder of this test's own: nothing may land on the local disk.
    with override_settings(
        STORAGES=storages_from_environment(s3_environment, STORAGES), MEDIA_ROOT=str(tmp_path / "media")
    ):
        image = ImageFactory(title="Fresque du lavoir")
        original = bucket_keys(s3_environment, "AWS_STORAGE_BUCKET_NAME")
        assert original == {image.file.name}
        assert image.file.name.startswith("original_images/")

        # Another machine reads the image from the bucket (nothing on this disk) and renders it.
        image = get_image_model().objects.get(pk=image.pk)
        rendition = image.get_rendition("fill-64x36")
        assert rendition.file.name in bucket_keys(s3_environment, "AWS_STORAGE_BUCKET_NAME")

        assert image.file.url.startswith(f"{s3_environment['AWS_S3_ENDPOINT_URL']}/media-")
        assert "Signature" not in image.file.url  # a plain, cacheable URL
        with default_storage.open(image.file.name) as stored:
            assert fetch(image.file.url) == stored.read()
        served = fetch(rendition.url)
        assert served.startswith(b"\xff\xd8")  # the JPEG rendition Wagtail made
        with default_storage.open(rendition.file.name) as stored:
            assert served == stored.read()

        # Two uploads of the same name keep two files.
        second = ImageFactory(title="Autre fresque")
        assert second.file.name != image.file.name
    assert not (tmp_path / "media").exists()


@pytest.mark.django_db
def test_uploaded_image_file_through_the_image_model(s3_environment, tmp_path):
    """An upload as the admin makes it: a file object handed to the image model."""
    source = ImageFactory.build().file
    with override_settings(STORAGES=storages_from_environment(s3_environment, STORAGES)):
        image = get_image_model().objects.create(
            title="Affiche",
            file=ImageFile(source.file, name="affiche.png"),
            collection=Collection.get_first_root_node(),
        )
        assert (image.width, image.height) == (640, 360)
        source.file.seek(0)
        assert fetch(image.file.url) == source.file.read()


def test_private_files_in_the_private_bucket_without_url(s3_environment):
    with override_settings(STORAGES=storages_from_environment(s3_environment, STORAGES)):
        assert isinstance(private_backend(), PrivateS3Storage)
        name = private_storage().save("receipts/2026/recu-0001.pdf", ContentFile(b"%PDF-1.7 receipt"))
        assert private_storage().exists(name)
        with private_storage().open(name) as stored:
            assert stored.read() == b"%PDF-1.7 receipt"
        assert private_storage().size(name) == len(b"%PDF-1.7 receipt")

        with pytest.raises(ValueError, match="no public URL"):
            private_storage().url(name)
        with pytest.raises(ValueError, match="no public URL"):
            private_backend().url(name)

        assert bucket_keys(s3_environment, "AWS_PRIVATE_STORAGE_BUCKET_NAME") == {name}
        assert bucket_keys(s3_environment, "AWS_STORAGE_BUCKET_NAME") == set()
        grants = s3_client(s3_environment).get_object_acl(
            Bucket=s3_environment["AWS_PRIVATE_STORAGE_BUCKET_NAME"], Key=name
        )["Grants"]
        assert grants and all(grant["Grantee"].get("URI") != ALL_USERS for grant in grants)

        private_storage().delete(name)
        assert not private_storage().exists(name)
        assert bucket_keys(s3_environment, "AWS_PRIVATE_STORAGE_BUCKET_NAME") == set()
    # Back on disk once the settings are restored.
    assert isinstance(private_backend(), PrivateFileSystemStorage)


def test_model_fields_of_private_files_follow_the_settings(s3_environment):
    """Attachments, signatures and receipts took their storage once, at import: it still follows
    STORAGES["private"] at each call."""
    fields = [
        Attachment._meta.get_field("file"),
        Receipt._meta.get_field("pdf"),
        Beneficiary._meta.get_field("signature"),
    ]
    with override_settings(STORAGES=storages_from_environment(s3_environment, STORAGES)):
        for field in fields:
            assert field.storage is private_storage()
            name = field.storage.save(f"check/{field.model.__name__}.bin", ContentFile(b"private"))
            assert name in bucket_keys(s3_environment, "AWS_PRIVATE_STORAGE_BUCKET_NAME")
            with pytest.raises(ValueError, match="no public URL"):
                field.storage.url(name)


def test_private_storage_on_disk_refuses_urls(tmp_path):
    with override_settings(PRIVATE_MEDIA_ROOT=str(tmp_path)):
        name = private_storage().save("applications/x/file", ContentFile(b"attachment"))
        assert (tmp_path / name).read_bytes() == b"attachment"
        with pytest.raises(ValueError, match=NO_URL[:20]):
            private_storage().url(name)


# --------------------------------------------------------------------------- production settings


def production_settings(monkeypatch, environment):
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 50)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    sys.modules.pop("coupdepouce.settings.production", None)
    try:
        return importlib.import_module("coupdepouce.settings.production")
    finally:
        sys.modules.pop("coupdepouce.settings.production", None)


def test_production_settings_read_redis_and_buckets(monkeypatch, s3_environment):
    production = production_settings(monkeypatch, {**s3_environment, "REDIS_URL": "redis://127.0.0.1:6379/3"})
    assert production.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert production.CACHES["renditions"]["LOCATION"] == "redis://127.0.0.1:6379/3"
    assert production.STORAGES["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert production.STORAGES["private"]["BACKEND"] == "coupdepouce.storage.PrivateS3Storage"
    assert production.STORAGES["private"]["OPTIONS"]["bucket_name"] == s3_environment["AWS_PRIVATE_STORAGE_BUCKET_NAME"]
    assert production.STORAGES["staticfiles"] == STORAGES["staticfiles"]
    # Browsers load the bucket's images: the Content-Security-Policy allows its origin, and only here.
    for policy in (production.CONTENT_SECURITY_POLICY, production.CONTENT_SECURITY_POLICY_ADMIN):
        assert s3_environment["AWS_S3_ENDPOINT_URL"] in policy["DIRECTIVES"]["img-src"]
    for policy in (settings.CONTENT_SECURITY_POLICY, settings.CONTENT_SECURITY_POLICY_ADMIN):
        assert s3_environment["AWS_S3_ENDPOINT_URL"] not in policy["DIRECTIVES"]["img-src"]


def test_media_origins():
    assert media_origins({}) == []
    assert media_origins({"AWS_STORAGE_BUCKET_NAME": "m", "AWS_S3_CUSTOM_DOMAIN": "cdn.example.org"}) == [
        "https://cdn.example.org"
    ]
    assert media_origins({"AWS_STORAGE_BUCKET_NAME": "m", "AWS_S3_ENDPOINT_URL": "https://s3.fr-par.example"}) == [
        "https://s3.fr-par.example",
        "https://m.s3.fr-par.example",
    ]


def test_production_settings_without_redis_or_buckets(monkeypatch):
    for name in ("REDIS_URL", "AWS_STORAGE_BUCKET_NAME"):
        monkeypatch.delenv(name, raising=False)
    production = production_settings(monkeypatch, {})
    assert production.CACHES["default"]["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert production.STORAGES["private"]["BACKEND"] == "coupdepouce.storage.PrivateFileSystemStorage"
    assert production.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert production.CONTENT_SECURITY_POLICY == settings.CONTENT_SECURITY_POLICY


# --------------------------------------------------------------------------- gunicorn


def gunicorn_config(monkeypatch, environment):
    for name in (
        "WEB_CONCURRENCY",
        "PORT",
        "GUNICORN_BIND",
        "GUNICORN_THREADS",
        "GUNICORN_TIMEOUT",
        "GUNICORN_GRACEFUL_TIMEOUT",
        "GUNICORN_KEEPALIVE",
        "GUNICORN_MAX_REQUESTS",
        "GUNICORN_MAX_REQUESTS_JITTER",
        "GUNICORN_ACCESSLOG",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_settings_from_the_environment(monkeypatch):
    config = gunicorn_config(
        monkeypatch,
        {
            "WEB_CONCURRENCY": "5",
            "GUNICORN_THREADS": "4",
            "PORT": "8042",
            "GUNICORN_TIMEOUT": "45",
            "GUNICORN_GRACEFUL_TIMEOUT": "20",
            "GUNICORN_KEEPALIVE": "7",
            "GUNICORN_MAX_REQUESTS": "2000",
            "GUNICORN_MAX_REQUESTS_JITTER": "50",
            "GUNICORN_ACCESSLOG": "",
        },
    )
    assert config["workers"] == 5
    assert config["threads"] == 4
    assert config["bind"] == "127.0.0.1:8042"
    assert (config["timeout"], config["graceful_timeout"], config["keepalive"]) == (45, 20, 7)
    assert (config["max_requests"], config["max_requests_jitter"]) == (2000, 50)
    assert config["accesslog"] is None


def test_gunicorn_defaults(monkeypatch):
    config = gunicorn_config(monkeypatch, {"GUNICORN_BIND": "0.0.0.0:9000"})
    assert config["bind"] == "0.0.0.0:9000"
    assert config["workers"] >= 3
    assert (config["timeout"], config["graceful_timeout"]) == (30, 30)
    assert config["max_requests"] == 0
    assert config["accesslog"] == "-"
