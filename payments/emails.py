"""Emails to backers, rendered in the pledge's language and sent by a background task.

Each function renders `payments/emails/<name>.txt` (and `.html`) with the pledge, its
campaign in the backer's language and absolute links on the campaign's own site (its
`Site` root URL: a pledge on a second site gets links to that site), then enqueues
`coupdepouce.tasks.send_email_task`. They return the enqueued task result, or None
when the pledge has no email address.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from coupdepouce.pages import site_root_url
from coupdepouce.tasks import send_email_task
from payments.rules import charges_at_close


def absolute_url(path: str, base: str | None = None) -> str:
    """An absolute URL for `path` on `base` (left alone when it already is one).

    `base` is a site's root URL (`site_url(pledge)`); WAGTAILADMIN_BASE_URL without one.
    """
    if not path or "://" in path:
        return path
    if base is None:
        base = getattr(settings, "WAGTAILADMIN_BASE_URL", "")
    return f"{base.rstrip('/')}/{path.lstrip('/')}"


def site_url(pledge) -> str:
    """Root URL of the site the pledge's campaign belongs to (the default site's, failing that)."""
    return site_root_url(pledge.campaign)


def _language(pledge) -> str:
    languages = {code for code, _name in settings.LANGUAGES}
    return pledge.language if pledge.language in languages else settings.LANGUAGE_CODE


def _campaign_in_language(pledge):
    """The campaign page in the active language when it is translated and live, else the pledge's."""
    return pledge.campaign.localized


def thanks_url(pledge) -> str:
    """Absolute link to the pledge's thank-you page, on its campaign's site."""
    with translation.override(_language(pledge)):
        return absolute_url(reverse("payments:thanks", kwargs={"token": pledge.token}), site_url(pledge))


def complete_payment_url(pledge) -> str:
    """Absolute link to the page that completes an "action required" payment, on its campaign's site."""
    with translation.override(_language(pledge)):
        return absolute_url(reverse("payments:complete_payment", kwargs={"token": pledge.token}), site_url(pledge))


def _send(pledge, name: str, subject: str, extra: dict | None = None):
    if not pledge.backer_email:
        return None
    campaign = _campaign_in_language(pledge)
    base = site_url(pledge)
    context = {
        "pledge": pledge,
        "campaign": campaign,
        "campaign_url": absolute_url(campaign.get_url() or "", base),
        "thanks_url": absolute_url(reverse("payments:thanks", kwargs={"token": pledge.token}), base),
        "all_or_nothing": charges_at_close(pledge.funding_model),
        **(extra or {}),
    }
    text = render_to_string(f"payments/emails/{name}.txt", context).strip() + "\n"
    html = render_to_string(f"payments/emails/{name}.html", context)
    return send_email_task.enqueue(subject=subject, text=text, html=html, to=[pledge.backer_email])


def send_confirmation(pledge):
    """After checkout: the pledge is committed (all-or-nothing) or paid (keep-it-all)."""
    with translation.override(_language(pledge)):
        subject = _("Thank you for supporting “%(title)s”") % {"title": _campaign_in_language(pledge).title}
        return _send(pledge, "confirmation", subject)


def send_campaign_succeeded(pledge, charged_cents: int):
    """The campaign reached its goal and the backer's card was charged `charged_cents`."""
    with translation.override(_language(pledge)):
        subject = _("“%(title)s” reached its goal") % {"title": _campaign_in_language(pledge).title}
        return _send(pledge, "campaign_succeeded", subject, {"charged_cents": charged_cents})


def send_campaign_failed(pledge):
    """The campaign missed its goal: the backer was not charged."""
    with translation.override(_language(pledge)):
        subject = _("“%(title)s” did not reach its goal") % {"title": _campaign_in_language(pledge).title}
        return _send(pledge, "campaign_failed", subject)


def send_action_required(pledge, url: str):
    """Charging the saved card needs the backer: `url` leads to the page that completes it."""
    with translation.override(_language(pledge)):
        subject = _("Action needed to complete your pledge to “%(title)s”") % {
            "title": _campaign_in_language(pledge).title
        }
        return _send(pledge, "action_required", subject, {"action_url": absolute_url(url, site_url(pledge))})


def send_refund(pledge):
    """The backer's payment was refunded."""
    with translation.override(_language(pledge)):
        subject = _("Your pledge to “%(title)s” was refunded") % {"title": _campaign_in_language(pledge).title}
        return _send(pledge, "refund", subject)


def send_payment_failed(pledge):
    """The payment was not completed within the grace period: the pledge failed, nothing was charged."""
    with translation.override(_language(pledge)):
        subject = _("Your pledge to “%(title)s” could not be paid") % {"title": _campaign_in_language(pledge).title}
        return _send(pledge, "payment_failed", subject)


def send_campaign_cancelled(pledge):
    """The campaign was cancelled before the backer's saved card was charged: nothing was charged."""
    with translation.override(_language(pledge)):
        subject = _("“%(title)s” was cancelled") % {"title": _campaign_in_language(pledge).title}
        return _send(pledge, "campaign_cancelled", subject)


__all__ = [
    "absolute_url",
    "complete_payment_url",
    "send_action_required",
    "send_campaign_cancelled",
    "send_campaign_failed",
    "send_campaign_succeeded",
    "send_confirmation",
    "send_payment_failed",
    "send_refund",
    "site_url",
    "thanks_url",
]
