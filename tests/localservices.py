"""The real services a scaled-out site uses, on this machine: Redis and a local S3 server.

Fixtures shared by tests/test_scaleout.py and tests/test_cross_instance.py (import them there):
- `s3_endpoint`: moto's server mode on a free port, one per test process (pytest-xdist worker);
- `s3_environment`: fresh public and private buckets on it, and the environment naming them;
- `redis_environment`: the local Redis under a key prefix of the test's own, emptied afterwards.
"""

import logging
import uuid

import boto3
import pytest
import redis
from moto.server import ThreadedMotoServer

REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_keys(url, prefix):
    """The keys under `prefix`, as text."""
    client = redis.Redis.from_url(url)
    keys = {key.decode() for key in client.scan_iter(match=f"{prefix}*")}
    client.close()
    return keys


def delete_redis_keys(url, prefix):
    """Delete the keys under `prefix` only (never the whole database: other tests may share it)."""
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def redis_environment():
    """An environment naming the local Redis, under a key prefix of this test's own."""
    prefix = f"test-scaleout-{uuid.uuid4().hex}"
    yield {"REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": prefix}
    delete_redis_keys(REDIS_URL, prefix)


@pytest.fixture(scope="session")
def s3_endpoint():
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per S3 request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def s3_buckets(endpoint):
    """Create a public media bucket and a private one on the S3 server; return the environment
    that names them (as production reads it: coupdepouce.settings.base.storages_from_environment)."""
    suffix = uuid.uuid4().hex[:12]
    environment = {
        "AWS_STORAGE_BUCKET_NAME": f"media-{suffix}",
        "AWS_PRIVATE_STORAGE_BUCKET_NAME": f"private-{suffix}",
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_S3_ADDRESSING_STYLE": "path",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_ACL": "public-read",
    }
    client = s3_client(environment)
    client.create_bucket(Bucket=environment["AWS_STORAGE_BUCKET_NAME"])
    client.create_bucket(Bucket=environment["AWS_PRIVATE_STORAGE_BUCKET_NAME"])
    return environment


@pytest.fixture
def s3_environment(s3_endpoint):
    """Fresh public and private buckets on the local S3 server, and the environment naming them."""
    return s3_buckets(s3_endpoint)


def s3_client(environment):
    return boto3.client(
        "s3",
        endpoint_url=environment["AWS_S3_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def bucket_keys(environment, bucket_variable):
    listing = s3_client(environment).list_objects_v2(Bucket=environment[bucket_variable])
    return {item["Key"] for item in listing.get("Contents", [])}
