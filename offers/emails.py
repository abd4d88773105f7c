"""Emails about offers of help, rendered in each recipient's language and sent by the task queue.

- `send_new_offer`: to the campaign's holders and staff (`holders.services.notify_emails`), one
  email each, in the site's default language (holders and staff have no language of their
  own), with the offerer's contact details, a link to the holder's workspace and one to the
  offer in the admin;
- `send_acknowledgement`: to the offerer, in the language they wrote in;
- `send_decision`: to the offerer, accepted or declined, with the holder's message.

Links are absolute on the campaign's own site (`coupdepouce.pages.site_root_url`), like the
pledge emails. Each function enqueues `coupdepouce.tasks.send_email_task` inside the caller's
transaction and returns the enqueued results.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from coupdepouce.pages import site_root_url
from coupdepouce.tasks import send_email_task
from payments.emails import absolute_url
from payments.services import canonical_campaign

logger = logging.getLogger(__name__)

# The URL namespace of the offers' admin (`offers.wagtail_hooks.HelpOfferViewSet`); the
# staff's email links to the offer there.
ADMIN_NAMESPACE = "help_offers"
# The holder's workspace page of one campaign (projects.urls), with the default-language page's id.
WORKSPACE_URL_NAME = "projects:workspace_campaign"


def _language(offer) -> str:
    languages = {code for code, _name in settings.LANGUAGES}
    return offer.language if offer.language in languages else settings.LANGUAGE_CODE


def admin_url(offer) -> str:
    """Absolute link to the offer in the admin (its detail page, where staff answer it)."""
    path = reverse(f"{ADMIN_NAMESPACE}:inspect", args=[offer.pk])
    return absolute_url(path, site_root_url(offer.campaign))


def workspace_url(campaign) -> str:
    """Absolute link to the holder's workspace page of the campaign, in the active language;
    "" when the site has no such page."""
    canonical = canonical_campaign(campaign)
    try:
        path = reverse(WORKSPACE_URL_NAME, args=[canonical.pk])
    except NoReverseMatch:
        logger.warning("offers: no %s URL; the email goes without a link to the workspace", WORKSPACE_URL_NAME)
        return ""
    return absolute_url(path, site_root_url(canonical))


def _render(name: str, context: dict) -> tuple[str, str]:
    text = render_to_string(f"offers/emails/{name}.txt", context).strip() + "\n"
    html = render_to_string(f"offers/emails/{name}.html", context)
    return text, html


def _context(offer, **extra) -> dict:
    campaign = offer.campaign.localized
    return {
        "offer": offer,
        "campaign": campaign,
        "campaign_url": absolute_url(campaign.get_url() or "", site_root_url(campaign)),
        "LANGUAGE_CODE": translation.get_language(),
        **extra,
    }


def send_new_offer(offer, recipients) -> list:
    """Tell the holders and staff (`recipients`, email addresses) about a new offer."""
    addresses = sorted({address.strip().lower(): address.strip() for address in recipients if address}.values())
    if not addresses:
        logger.warning("offers: offer %s to campaign %s has nobody to tell", offer.pk, offer.campaign_id)
        return []
    results = []
    with translation.override(settings.LANGUAGE_CODE):
        context = _context(offer, workspace_url=workspace_url(offer.campaign), admin_url=admin_url(offer))
        subject = _("New offer of help for “%(title)s”: %(need)s") % {
            "title": context["campaign"].title,
            "need": offer.need_label,
        }
        text, html = _render("new_offer", context)
        for address in addresses:
            results.append(
                send_email_task.enqueue(
                    subject=subject, text=text, html=html, to=[address], headers={"Reply-To": offer.email}
                )
            )
    return results


def send_acknowledgement(offer):
    """Tell the offerer their offer reached the project holders."""
    with translation.override(_language(offer)):
        context = _context(offer)
        subject = _("Your offer of help to “%(title)s”") % {"title": context["campaign"].title}
        text, html = _render("acknowledgement", context)
        return send_email_task.enqueue(subject=subject, text=text, html=html, to=[offer.email])


def send_decision(offer):
    """Tell the offerer whether their offer was accepted or declined, with the holder's message."""
    accepted = offer.status == offer.Status.ACCEPTED
    with translation.override(_language(offer)):
        context = _context(offer, accepted=accepted)
        title = context["campaign"].title
        if accepted:
            subject = _("Your offer of help to “%(title)s” is accepted") % {"title": title}
        else:
            subject = _("Your offer of help to “%(title)s”: the answer") % {"title": title}
        text, html = _render("decision", context)
        return send_email_task.enqueue(subject=subject, text=text, html=html, to=[offer.email])


__all__ = [
    "ADMIN_NAMESPACE",
    "WORKSPACE_URL_NAME",
    "admin_url",
    "send_acknowledgement",
    "send_decision",
    "send_new_offer",
    "workspace_url",
]
