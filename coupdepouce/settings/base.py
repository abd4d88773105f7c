"""Base settings, safe for production: DEBUG off, secrets from the environment.

`dev`, `test` and `production` import from here and change only what they must.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Which settings module is in use: "production" there (production.py); `load_demo_data` and
# other commands that must never touch a real site read it, whatever DEBUG says.
COUPDEPOUCE_ENV = "development"

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "coupdepouce",
    # Before wagtail.users: our user forms and templates replace Wagtail's.
    "accounts",
    "accounts.apps.UsersAppConfig",
    "payments",
    "receipts",
    "holders",
    "offers",
    "questions",
    "follows",
    "projects",
    "applications",
    "calls",
    "themes",
    "home",
    "demo",
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    # The task queue: django-tasks' database backend (its tables and `manage.py db_worker`).
    "django_tasks_db",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response, the admin's own under /admin/.
    "coupdepouce.security.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Whole pages for anonymous visitors, from the default cache (coupdepouce/page_cache.py):
    # before the session, language, CSRF, authentication and message middleware, which a stored
    # page does not need; what they add to a response is stored with it.
    "coupdepouce.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # The request's Wagtail site and home page from the caches (coupdepouce/pages.py).
    "coupdepouce.pages.CachedSiteMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # django-ratelimit's Ratelimited exception -> the 429 page (RATELIMIT_VIEW).
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "coupdepouce.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                # `holds_campaigns` (lazy): the header's "Mon projet" link.
                "holders.context_processors.holder",
            ],
        },
    },
]

WSGI_APPLICATION = "coupdepouce.wsgi.application"

# SQLite is the embedded default; DATABASE_URL selects PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
# SQLite (what `make run` uses) takes concurrent writes from several processes (gunicorn
# workers, the task worker): write-ahead logging lets readers go on while one writes, and
# BEGIN IMMEDIATE takes the write lock at the start of every `transaction.atomic()`, so a
# writer waits (up to the busy timeout) instead of failing with "database is locked" when
# its read lock cannot be upgraded (Django >= 5.1; docs: "Database is locked errors").
SQLITE_BUSY_TIMEOUT_SECONDS = 20
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000};"
            ),
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "applications:dashboard"

# Accounts (django-allauth): the email address is the login, verified before first use.
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# allauth's rate limits (on the default cache, like coupdepouce/ratelimits.py), stated here
# for the forms that send an email; allauth's defaults apply to the others (login: 30/m/ip).
ACCOUNT_RATE_LIMITS = {
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "manage_email": "10/m/user",
    "confirm_email": "1/3m/key",
    "login_failed": "10/m/ip,5/5m/key",
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: French is the default and source locale, English is translated
# with wagtail-localize.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [PROJECT_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "static_collected"))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
# Application attachments: never under MEDIA_ROOT, served only after a permission check.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "var" / "private"))
# "private": attachments, signatures and tax receipts (coupdepouce/storage.py), never given a URL.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "coupdepouce.storage.PrivateFileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def storages_from_environment(environ, storages):
    """`storages` with media and private files in S3-compatible buckets when
    AWS_STORAGE_BUCKET_NAME is set (production.py; docs/operations.md, "Several machines").

    Public media (images, documents, renditions) go to AWS_STORAGE_BUCKET_NAME, served at their
    plain URL (public-read bucket policy, or AWS_S3_CUSTOM_DOMAIN for a CDN in front); private
    files to AWS_PRIVATE_STORAGE_BUCKET_NAME, a bucket with no public access, read by the site only.
    """
    bucket = environ.get("AWS_STORAGE_BUCKET_NAME", "")
    if not bucket:
        return storages
    private_bucket = environ.get("AWS_PRIVATE_STORAGE_BUCKET_NAME", "")
    if not private_bucket or private_bucket == bucket:
        raise ImproperlyConfigured(
            "AWS_PRIVATE_STORAGE_BUCKET_NAME must name a second, private bucket when AWS_STORAGE_BUCKET_NAME is set."
        )
    common = {
        "access_key": environ.get("AWS_ACCESS_KEY_ID") or None,
        "secret_key": environ.get("AWS_SECRET_ACCESS_KEY") or None,
        "endpoint_url": environ.get("AWS_S3_ENDPOINT_URL") or None,
        "region_name": environ.get("AWS_S3_REGION_NAME") or None,
        # "path" for MinIO, Garage and most local servers; "virtual" for AWS and most providers.
        "addressing_style": environ.get("AWS_S3_ADDRESSING_STYLE") or None,
        # Two uploads of "photo.jpg" keep two files (django-storages overwrites by default).
        "file_overwrite": False,
    }
    return {
        **storages,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **common,
                "bucket_name": bucket,
                "querystring_auth": False,
                "default_acl": environ.get("AWS_DEFAULT_ACL") or None,
                "custom_domain": environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            },
        },
        "private": {
            "BACKEND": "coupdepouce.storage.PrivateS3Storage",
            "OPTIONS": {**common, "bucket_name": private_bucket},
        },
    }


def media_origins(environ):
    """The origins public media are served from when they live in a bucket (for the
    Content-Security-Policy's img-src, production.py); [] on this machine's disk."""
    bucket = environ.get("AWS_STORAGE_BUCKET_NAME", "")
    if not bucket:
        return []
    if environ.get("AWS_S3_CUSTOM_DOMAIN"):
        return [f"https://{environ['AWS_S3_CUSTOM_DOMAIN']}"]
    endpoint = urlsplit(environ.get("AWS_S3_ENDPOINT_URL") or "https://s3.amazonaws.com")
    region = environ.get("AWS_S3_REGION_NAME", "")
    origins = [f"{endpoint.scheme}://{endpoint.netloc}", f"{endpoint.scheme}://{bucket}.{endpoint.netloc}"]
    if not environ.get("AWS_S3_ENDPOINT_URL") and region:
        origins.append(f"https://{bucket}.s3.{region}.amazonaws.com")
    return origins


DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds before a silent mail server counts as a failure; the email task then retries.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Coup de pouce <noreply@example.org>")

# The default cache also holds the rate-limit counters (django-ratelimit, allauth): production
# replaces it with a cache every process shares (production.py); one process here.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "coupdepouce",
    },
    "renditions": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "renditions",
    },
}


# The page cache for anonymous visitors (coupdepouce/page_cache.py): how long a stored page may
# live at most (seconds; 0 turns it off). Changes purge it at once; this bounds what no signal
# tells, such as a snippet shown on a page being edited.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "300"))
# Pages each process also keeps in memory (checked against the shared cache's versions on every hit).
PAGE_CACHE_LOCAL_ENTRIES = int(os.environ.get("PAGE_CACHE_LOCAL_ENTRIES", "200"))


def frontend_cache_from_environment(environ):
    """WAGTAILFRONTENDCACHE for a CDN or reverse proxy in front of the site, purged with the page
    cache (`wagtail.contrib.frontend_cache`): FRONTEND_CACHE_URL for Varnish, nginx or any
    HTTP PURGE endpoint; CLOUDFLARE_API_TOKEN with CLOUDFLARE_ZONE_ID for Cloudflare. None without."""
    if environ.get("CLOUDFLARE_API_TOKEN") and environ.get("CLOUDFLARE_ZONE_ID"):
        return {
            "cloudflare": {
                "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
                "BEARER_TOKEN": environ["CLOUDFLARE_API_TOKEN"],
                "ZONEID": environ["CLOUDFLARE_ZONE_ID"],
            }
        }
    if environ.get("FRONTEND_CACHE_URL"):
        return {
            "proxy": {
                "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
                "LOCATION": environ["FRONTEND_CACHE_URL"],
            }
        }
    return None


def caches_from_environment(environ, caches):
    """`caches` in Redis when REDIS_URL is set (production.py): the default cache (rate limits,
    pages) and Wagtail's renditions cache, shared by every gunicorn worker, the task worker and
    every machine. Give the site a database number of its own (redis://host:6379/1): clearing a
    Django cache flushes that whole database. CACHE_KEY_PREFIX separates two sites on one database."""
    url = environ.get("REDIS_URL", "")
    if not url:
        return caches
    prefix = environ.get("CACHE_KEY_PREFIX", "coupdepouce")
    return {
        **caches,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        },
        "renditions": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"{prefix}:renditions",
        },
    }


# Wagtail
WAGTAIL_SITE_NAME = "Coup de pouce"
# ASCII slugs ("sport-et-bien-etre"): URLs that read the same when copied, printed or typed.
WAGTAIL_ALLOW_UNICODE_SLUGS = False
# Every uploaded image needs its alt text (`coupdepouce/image_forms.py`).
WAGTAILIMAGES_IMAGE_FORM_BASE = "coupdepouce.image_forms.ImageForm"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAIL_MODERATION_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILLOCALIZE_ENABLE_MACHINE_TRANSLATION = False
# No Gravatar: the admin would send a hash of each editor's email address to a third party
# (and the admin's Content-Security-Policy allows images from the site only).
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# Security headers; production tightens the cookie and HTTPS settings.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"

# Rate limits (coupdepouce/ratelimits.py): RATELIMITS = {"pledge": "10/m", ...} overrides a rate.
RATELIMIT_VIEW = "coupdepouce.ratelimits.too_many_requests"
RATELIMIT_IP_META_KEY = "coupdepouce.ratelimits.client_ip"
# How many reverse proxies in front of the site append to X-Forwarded-For (0: none, REMOTE_ADDR).
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# Content-Security-Policy (django-csp, coupdepouce/security.py). The public pages run no
# inline script: their JavaScript is in static files, Stripe.js comes from js.stripe.com.
# Inline style *attributes* stay allowed (progress bars, theme colours); NONCE lets a
# template mark an inline <style> element with `nonce="{{ request.csp_nonce }}"`.
STRIPE_JS_HOSTS = ["https://js.stripe.com", "https://*.js.stripe.com"]
# Video players that the "Embedded media" block may show in an iframe.
CSP_EMBED_HOSTS = [
    "https://www.youtube.com",
    "https://www.youtube-nocookie.com",
    "https://player.vimeo.com",
    "https://www.dailymotion.com",
    "https://geo.dailymotion.com",
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, *STRIPE_JS_HOSTS],
        "style-src": [SELF, NONCE],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF, "https://api.stripe.com"],
        "frame-src": [SELF, *STRIPE_JS_HOSTS, "https://hooks.stripe.com", *CSP_EMBED_HOSTS],
        # Checkout: the pledge form's POST is answered by a redirect to Stripe's page.
        "form-action": [SELF, "https://checkout.stripe.com"],
        "frame-ancestors": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
# The Wagtail admin (and the page previews it shows) still relies on inline scripts and styles.
CONTENT_SECURITY_POLICY_ADMIN = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-src": [SELF, *CSP_EMBED_HOSTS],
        "worker-src": [SELF, "blob:"],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Project-specific defaults, overridable per site in the admin (Paramètres > Plateforme).
# Payments: Stripe when STRIPE_SECRET_KEY is set, otherwise the offline demo provider.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
# Without STRIPE_SECRET_KEY, demo payments (no money moves) only when chosen explicitly;
# otherwise the site takes no pledge and `check --deploy` reports an error (payments/checks.py).
PAYMENTS_DEMO_MODE = env_bool("PAYMENTS_DEMO_MODE", False)
# Where the stripe library sends requests; tests point it at localstripe.
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
# Django tasks (django-tasks, shipped with Wagtail 8): emails are sent in the background. A task
# is a row of the database (written in the caller's transaction), run by `manage.py db_worker`
# (`make run` starts one; docs/operations.md for production). The tests run tasks at once.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The page models payments works on (see payments/interface.py).
PAYMENTS_CAMPAIGN_MODEL = "projects.CampaignPage"
PAYMENTS_REWARD_MODEL = "projects.RewardTier"
