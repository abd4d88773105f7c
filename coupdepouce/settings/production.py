"""Production settings: everything comes from the environment (see .env.example)."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import BASE_DIR, CACHES, env_bool

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
# machine (FileBasedCache); with several machines, a Redis or Memcached server, for example
# DJANGO_CACHE_BACKEND=django.core.cache.backends.redis.RedisCache and
# DJANGO_CACHE_LOCATION=redis://127.0.0.1:6379/1 (pip install redis). Neither file nor database
# caches increment atomically: two simultaneous requests may count once, which only loosens a
# limit by one.
CACHES = {
    **CACHES,
    "default": {
        "BACKEND": os.environ.get("DJANGO_CACHE_BACKEND", "django.core.cache.backends.filebased.FileBasedCache"),
        "LOCATION": os.environ.get("DJANGO_CACHE_LOCATION", str(BASE_DIR / "var" / "cache")),
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}
# Behind one reverse proxy (docs/operations.md): the client address is the last one it adds
# to X-Forwarded-For. 0 when gunicorn faces the clients directly.
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "1"))
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# Wagtail's live preview shows the page in an iframe of the admin, which needs
# X_FRAME_OPTIONS = "SAMEORIGIN" (set in base); DENY would break previews.
SILENCED_SYSTEM_CHECKS = ["security.W019"]
