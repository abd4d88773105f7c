"""Production settings: everything comes from the environment (see .env.example)."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import (
    BASE_DIR,
    CACHES,
    CONTENT_SECURITY_POLICY,
    CONTENT_SECURITY_POLICY_ADMIN,
    STORAGES,
    caches_from_environment,
    env_bool,
    frontend_cache_from_environment,
    media_origins,
    storages_from_environment,
)

COUPDEPOUCE_ENV = "production"
DEBUG = False
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production.")

SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)

# The default cache holds the rate-limit counters (coupdepouce/ratelimits.py, allauth): every
# process (gunicorn workers, the task worker) must share it. By default a folder on this
# machine (FileBasedCache, or DJANGO_CACHE_BACKEND / DJANGO_CACHE_LOCATION); with several
# machines, REDIS_URL=redis://127.0.0.1:6379/1 puts it and the renditions cache in Redis
# (base.caches_from_environment, docs/operations.md "Several machines"). File caches do not
# increment atomically: two simultaneous requests may count once, which only loosens a limit by one.
CACHES = caches_from_environment(
    os.environ,
    {
        **CACHES,
        "default": {
            "BACKEND": os.environ.get("DJANGO_CACHE_BACKEND", "django.core.cache.backends.filebased.FileBasedCache"),
            "LOCATION": os.environ.get("DJANGO_CACHE_LOCATION", str(BASE_DIR / "var" / "cache")),
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        },
    },
)
# A CDN or reverse proxy in front, purged whenever the page cache is (coupdepouce/page_cache.py).
WAGTAILFRONTENDCACHE = frontend_cache_from_environment(os.environ)
# Media and private files in S3-compatible buckets when AWS_STORAGE_BUCKET_NAME is set
# (base.storages_from_environment); otherwise MEDIA_ROOT and PRIVATE_MEDIA_ROOT on this disk.
STORAGES = storages_from_environment(os.environ, STORAGES)
MEDIA_ORIGINS = media_origins(os.environ)
# Images from the media bucket: allowed by the Content-Security-Policy of the site and the admin.
CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_ADMIN = (
    {**policy, "DIRECTIVES": {**policy["DIRECTIVES"], "img-src": [*policy["DIRECTIVES"]["img-src"], *MEDIA_ORIGINS]}}
    for policy in (CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_ADMIN)
)
# Behind one reverse proxy (docs/operations.md): the client address is the last one it adds
# to X-Forwarded-For. 0 when gunicorn faces the clients directly.
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "1"))
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# Wagtail's live preview shows the page in an iframe of the admin, which needs
# X_FRAME_OPTIONS = "SAMEORIGIN" (set in base); DENY would break previews.
SILENCED_SYSTEM_CHECKS = ["security.W019"]
