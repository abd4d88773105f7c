import os

from .base import *  # noqa: F401,F403
from .base import BASE_DIR, env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
ALLOWED_HOSTS = ["*"]
# Without STRIPE_SECRET_KEY, the offline demo provider takes pledges (no money moves).
PAYMENTS_DEMO_MODE = env_bool("PAYMENTS_DEMO_MODE", True)

# Sent emails are written as files in var/mail/: open the verification link from there.
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = BASE_DIR / "var" / "mail"

# The page cache (coupdepouce/page_cache.py) is off: edited templates show at once. Production,
# `make prod-local` and `make bench` run with it; PAGE_CACHE_SECONDS=300 turns it on here too.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "0"))
