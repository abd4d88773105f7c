"""Rate limits of the forms that cost something: a pledge, a card attempt, a sign-in, an email.

django-ratelimit counts in the default cache (`CACHES["default"]`: shared by every process
in production, see `coupdepouce/settings/production.py`). Each limited view names its group;
the rate of a group is `RATES[group]`, which `settings.RATELIMITS` may override (the tests
lower them). Going over answers the French "Too many requests" page (429.html) with status
429: `RatelimitMiddleware` hands django-ratelimit's `Ratelimited` to `too_many_requests`
(`settings.RATELIMIT_VIEW`).

django-allauth limits its own forms (sign-up, password reset, email change…) with
`ACCOUNT_RATE_LIMITS` (base settings) on the same cache, and renders the same 429.html.
"""

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.decorators import ratelimit

# Requests per client (IP address, or signed-in user) per period: s, m, h or d.
RATES = {
    # The pledge form (POST): each one records a pending pledge that holds stock and cap room.
    "pledge": "10/m",
    # The demo provider's card page (POST): card attempts.
    "demo_checkout": "20/m",
    # The Wagtail admin's sign-in form (POST), against password guessing.
    "admin_login": "10/m",
    # The Wagtail admin's "forgotten password" form (POST): it sends an email.
    "admin_password_reset": "5/m",
    # An application's form (POST, per applicant): submitting it sends an acknowledgement.
    "application": "30/h",
    # "Je peux aider" (POST): each offer emails the project holder and staff.
    "help_offer": "5/h",
    # "Suivre ce projet" / "Prévenez-moi du lancement" (POST): each sends a confirmation email.
    "follow": "10/h",
    # A public question (POST): held for moderation, it emails the holder and staff.
    "question": "5/h",
    # Reporting a question (POST).
    "report": "10/h",
    # "Récapitulatif de mes reçus fiscaux" (POST): each may email a summary PDF.
    "receipt_summary": "5/h",
}


def rate(group, request):
    """The rate of `group` (django-ratelimit calls it with the group and the request)."""
    return {**RATES, **getattr(settings, "RATELIMITS", {})}[group]


def client_ip(request):
    """The client's address: behind `TRUSTED_PROXY_COUNT` proxies, the one they saw.

    Each trusted proxy appends the address it received the request from to X-Forwarded-For,
    so the client is the `TRUSTED_PROXY_COUNT`-th address from the right (what a client sends
    itself stays further left and is ignored). Without proxies, REMOTE_ADDR. The same rule as
    django-allauth's `ALLAUTH_TRUSTED_PROXY_COUNT`, set from the same setting.
    """
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
    if count and forwarded:
        return forwarded[-min(count, len(forwarded))]
    return request.META["REMOTE_ADDR"]


def limit(group, key="ip"):
    """Limit the POSTs to a view: `@limit("pledge")`; key "ip" or "user_or_ip"."""
    return ratelimit(group=group, key=key, rate=rate, method="POST", block=True)


def too_many_requests(request, exception=None):
    """The French (or English) "Too many requests" page, status 429 (`settings.RATELIMIT_VIEW`)."""
    return render(request, "429.html", status=429)
