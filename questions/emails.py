"""Emails about public questions, sent by the task queue (`coupdepouce.tasks.send_email_task`).

- A new question, and a report of one: to the holders of the campaign and the site's contact
  address (`holders.services.notify_emails`), one email each (nobody sees the others'
  addresses), in the language of the campaign's source page (we do not know a holder's own
  language), with links to the holder's dashboard ("Mon projet") and to the admin.
- An answer: to the author, in the language they asked in, with a link to the campaign in that
  language.

Links are absolute, on the campaign's own site (`coupdepouce.pages.site_root_url`). Each
function renders `questions/emails/<name>.txt` and `.html`, and is called by
`questions.services` inside the transaction of the change.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.models import Locale

from coupdepouce.pages import site_root_url
from coupdepouce.tasks import send_email_task
from holders import services as holder_services

# The URL namespace of the questions' admin (`questions.wagtail_hooks.QuestionViewSet`); not
# "questions", the namespace of the public URLs.
ADMIN_NAMESPACE = "question_admin"
# The holder's dashboard for one campaign (projects/urls.py), given the default-language page's id.
WORKSPACE_URL_NAME = "projects:workspace_campaign"


def _supported(language: str) -> str:
    languages = {code for code, _name in settings.LANGUAGES}
    return language if language in languages else settings.LANGUAGE_CODE


def absolute(path: str, base: str) -> str:
    if not path or "://" in path:
        return path
    return f"{base.rstrip('/')}/{path.lstrip('/')}"


def source_campaign(campaign):
    """The campaign page in the default language (the one holders are linked to), or `campaign`."""
    if campaign.locale_id == Locale.get_default().pk:
        return campaign
    return campaign.get_translation_or_none(Locale.get_default()) or campaign


def workspace_url(campaign, base: str) -> str:
    """The holder's dashboard of the campaign; "" where the workspace is not installed."""
    try:
        return absolute(reverse(WORKSPACE_URL_NAME, args=[source_campaign(campaign).pk]), base)
    except NoReverseMatch:
        return ""


def admin_url(question, base: str) -> str:
    return absolute(reverse(f"{ADMIN_NAMESPACE}:inspect", args=[question.pk]), base)


def campaign_url(campaign, base: str) -> str:
    """The campaign page in the active language when translated and live, absolute."""
    page = campaign.localized
    return absolute(page.get_url() or "", base), page


def _render(name: str, context: dict) -> tuple[str, str]:
    text = render_to_string(f"questions/emails/{name}.txt", context).strip() + "\n"
    html = render_to_string(f"questions/emails/{name}.html", context)
    return text, html


def _to_team(question, name: str, subject_for, extra: dict | None = None) -> list:
    """One email per recipient of `notify_emails(campaign)`, in the source page's language."""
    campaign = question.campaign
    recipients = holder_services.notify_emails(campaign)
    if not recipients:
        return []
    source = source_campaign(campaign)
    base = site_root_url(source)
    with translation.override(_supported(source.locale.language_code)):
        url, page = campaign_url(source, base)
        context = {
            "question": question,
            "campaign": page,
            "campaign_url": url,
            "workspace_url": workspace_url(campaign, base),
            "admin_url": admin_url(question, base),
            **(extra or {}),
        }
        subject = subject_for(page)
        text, html = _render(name, context)
    return [
        send_email_task.enqueue(subject=subject, text=text, html=html, to=[address])
        for address in dict.fromkeys(recipients)
    ]


def send_new_question(question) -> list:
    """A question awaits moderation: tell the holders and staff."""
    return _to_team(
        question,
        "new_question",
        lambda page: _("New question on “%(title)s”") % {"title": page.title},
    )


def send_report(question, report, *, hidden: bool) -> list:
    """A published question was reported (`hidden`: it went back to moderation)."""
    return _to_team(
        question,
        "report",
        lambda page: _("A question on “%(title)s” was reported") % {"title": page.title},
        {"report": report, "hidden": hidden},
    )


def send_answer(question):
    """The question was answered: tell its author, in the language they asked in."""
    if not question.author_email:
        return None
    campaign = question.campaign
    base = site_root_url(campaign)
    with translation.override(_supported(question.language)):
        url, page = campaign_url(campaign, base)
        context = {"question": question, "campaign": page, "campaign_url": url, "questions_url": f"{url}#questions"}
        subject = _("Your question on “%(title)s” was answered") % {"title": page.title}
        text, html = _render("answer", context)
    return send_email_task.enqueue(subject=subject, text=text, html=html, to=[question.author_email])
