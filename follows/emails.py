"""Emails to followers and backers, each rendered in the recipient's language and sent by
the task queue (`coupdepouce.tasks.send_email_task`), with absolute links on the campaign's
own site.

News (an update, the launch alert) carries the per-project unsubscribe link in its body
and in the `List-Unsubscribe` / `List-Unsubscribe-Post` headers (RFC 8058 one-click), so
mail programs offer "unsubscribe" next to the sender.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.models import Locale

from coupdepouce.pages import site_root_url
from coupdepouce.tasks import send_email_task
from follows.tokens import confirm_token, unsubscribe_token


def language_of(code: str) -> str:
    """`code` when the site speaks it, else the default language."""
    languages = {language for language, _name in settings.LANGUAGES}
    return code if code in languages else settings.LANGUAGE_CODE


def absolute(path: str, base: str) -> str:
    if not path or "://" in path:
        return path
    return f"{base.rstrip('/')}/{path.lstrip('/')}"


def page_url(page, base: str) -> str:
    """Absolute URL of a page: its own site's (`full_url`), else on `base`."""
    return page.full_url or absolute(page.get_url() or "", base)


def unsubscribe_url(campaign_key, email: str, base_url: str, language: str | None = None) -> str:
    """The one-click unsubscribe link of one address from one campaign, on `base_url` (a site's
    root URL), in `language` (the active one by default)."""
    with translation.override(language_of(language or translation.get_language() or "")):
        path = reverse("follows:unsubscribe", kwargs={"token": unsubscribe_token(campaign_key, email)})
    return absolute(path, base_url)


def list_unsubscribe_headers(url: str) -> dict:
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def in_language(page, language: str):
    """The live translation of `page` in `language`, else `page` itself."""
    if page.locale.language_code == language:
        return page
    locale = Locale.objects.filter(language_code=language).first()
    translated = page.get_translation_or_none(locale) if locale is not None else None
    if translated is not None and translated.live:
        return translated.specific
    return page


def _render(name: str, context: dict) -> tuple[str, str]:
    context = {"LANGUAGE_CODE": translation.get_language(), **context}
    text = render_to_string(f"follows/emails/{name}.txt", context).strip() + "\n"
    html = render_to_string(f"follows/emails/{name}.html", context)
    return text, html


def send_confirmation(follow, campaign):
    """Double opt-in: the link that confirms `follow` (pending), in the follower's language."""
    language = language_of(follow.language)
    with translation.override(language):
        campaign = in_language(campaign, language)
        base = site_root_url(campaign)
        path = reverse("follows:confirm", kwargs={"token": confirm_token(follow.campaign_key, follow.email)})
        context = {
            "campaign": campaign,
            "campaign_url": page_url(campaign, base),
            "confirm_url": absolute(path, base),
            "launch": follow.notify_launch,
        }
        if follow.notify_launch:
            subject = _("Confirm: be told when “%(title)s” launches") % {"title": campaign.title}
        else:
            subject = _("Confirm that you follow “%(title)s”") % {"title": campaign.title}
        text, html = _render("confirm", context)
    return send_email_task.enqueue(subject=subject, text=text, html=html, to=[follow.email])


def send_already_following(follow, campaign):
    """Someone asked to follow with an address that already follows: say so to its owner
    (the page that answered the request said the same as for a new address)."""
    language = language_of(follow.language)
    with translation.override(language):
        campaign = in_language(campaign, language)
        base = site_root_url(campaign)
        unsubscribe = unsubscribe_url(follow.campaign_key, follow.email, base, language)
        context = {
            "campaign": campaign,
            "campaign_url": page_url(campaign, base),
            "unsubscribe_url": unsubscribe,
            "launch": follow.notify_launch and follow.launch_notified_at is None,
        }
        subject = _("You already follow “%(title)s”") % {"title": campaign.title}
        text, html = _render("already_following", context)
    return send_email_task.enqueue(
        subject=subject, text=text, html=html, to=[follow.email], headers=list_unsubscribe_headers(unsubscribe)
    )


@dataclass
class UpdateEmail:
    """An update rendered once per language, then sent to each recipient with their own link."""

    subject: str
    language: str
    context: dict


def update_email(update_page, language: str) -> UpdateEmail:
    """The update in `language` (its live translation, else the published page), with its campaign."""
    language = language_of(language)
    with translation.override(language):
        update = in_language(update_page, language)
        campaign = update.get_parent().specific
        base = site_root_url(campaign)
        context = {
            "update": update,
            "update_url": page_url(update, base),
            "campaign": campaign,
            "campaign_url": page_url(campaign, base),
            "base_url": base,
        }
        subject = _("News from “%(campaign)s”: %(title)s") % {"campaign": campaign.title, "title": update.title}
    return UpdateEmail(subject=subject, language=language, context=context)


def send_update(prepared: UpdateEmail, email: str):
    """One update email to one address, with its unsubscribe link and headers."""
    with translation.override(prepared.language):
        campaign = prepared.context["campaign"]
        unsubscribe = unsubscribe_url(campaign.translation_key, email, prepared.context["base_url"])
        text, html = _render("update", {**prepared.context, "unsubscribe_url": unsubscribe})
    return send_email_task.enqueue(
        subject=prepared.subject, text=text, html=html, to=[email], headers=list_unsubscribe_headers(unsubscribe)
    )


def send_launch_notice(follow, campaign):
    """The launch alert ("the campaign is open"): to a follower who asked to be told (`notify_launch`)."""
    language = language_of(follow.language)
    with translation.override(language):
        campaign = in_language(campaign, language)
        base = site_root_url(campaign)
        unsubscribe = unsubscribe_url(follow.campaign_key, follow.email, base, language)
        context = {
            "campaign": campaign,
            "campaign_url": page_url(campaign, base),
            "unsubscribe_url": unsubscribe,
        }
        subject = _("The campaign “%(title)s” is open: you can support it now") % {"title": campaign.title}
        text, html = _render("launch", context)
    return send_email_task.enqueue(
        subject=subject, text=text, html=html, to=[follow.email], headers=list_unsubscribe_headers(unsubscribe)
    )
