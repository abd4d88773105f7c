from .base import *  # noqa: F401,F403
from .base import STORAGES

DEBUG = False
SECRET_KEY = "test-only-insecure-key"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PAYMENTS_DEMO_MODE = True  # the demo provider stands in for payments (Stripe tests set its keys)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests render templates without running collectstatic first.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WHITENOISE_AUTOREFRESH = True  # no collectstatic in tests: serve from the finders
COUPDEPOUCE_ENV = "test"
# Tasks run at once, so tests read mail.outbox; the tests of the queue itself override TASKS.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# The page cache stays off: tests read each response's context and templates, and change rows
# with `update()`; tests/test_page_cache.py turns it on.
PAGE_CACHE_SECONDS = 0
