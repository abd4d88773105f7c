"""Emails to applicants: from the staff-edited `EmailTemplate` of the applicant's language,
else from the built-in text below; sent by the task queue (django-tasks), like pledge emails.

Placeholders: {reference}, {title}, {call}, {name}, {reason}, {message}, {url}.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.models import Locale

from applications.models import EmailTemplate
from coupdepouce.pages import site_root_url
from coupdepouce.tasks import send_email_task

Kind = EmailTemplate.Kind


def default_text(kind):
    """(subject, body) used when staff have not written a template for this email."""
    texts = {
        Kind.ACKNOWLEDGEMENT: (
            _("Application {reference} received"),
            _(
                "Hello {name},\n\nYour application “{title}” to the call “{call}” is submitted under the "
                "reference {reference}. You can follow it in your space: {url}\n"
            ),
        ),
        Kind.ELIGIBLE: (
            _("Application {reference}: eligible"),
            _(
                "Hello {name},\n\nYour application “{title}” is eligible: the jury will now study it.\n"
                "{message}\n{url}\n"
            ),
        ),
        Kind.INELIGIBLE: (
            _("Application {reference}: not eligible"),
            _(
                "Hello {name},\n\nYour application “{title}” is not eligible to the call “{call}”.\n"
                "{reason}\n{message}\n{url}\n"
            ),
        ),
        Kind.SHORTLISTED: (
            _("Application {reference}: shortlisted"),
            _("Hello {name},\n\nYour application “{title}” is shortlisted.\n{message}\n{url}\n"),
        ),
        Kind.LAUREATE: (
            _("Application {reference}: laureate"),
            _(
                "Hello {name},\n\nCongratulations: your project “{title}” is a laureate of the call “{call}”.\n"
                "{message}\n{url}\n"
            ),
        ),
        Kind.NOT_SELECTED: (
            _("Application {reference}: not selected"),
            _("Hello {name},\n\nYour project “{title}” was not selected this time.\n{message}\n{url}\n"),
        ),
        Kind.REMINDER: (
            _("Your application to “{call}” is not submitted yet"),
            _(
                "Hello {name},\n\nYour draft “{title}” to the call “{call}” is not submitted. Applications "
                "close on {deadline}. Finish it here: {url}\n"
            ),
        ),
    }
    return texts[kind]


def _language(application):
    languages = {code for code, _name in settings.LANGUAGES}
    return application.language if application.language in languages else settings.LANGUAGE_CODE


def render(application, kind, **extra):
    """(subject, body) of one email to the applicant, in their language."""
    language = _language(application)
    with translation.override(language):
        template = EmailTemplate.objects.filter(kind=kind, locale__language_code=language).first()
        if template is None:
            template = EmailTemplate.objects.filter(kind=kind, locale=Locale.get_default()).first()
        subject, body = (template.subject, template.body) if template else default_text(kind)
        values = {
            "reference": application.reference or "",
            "title": application.title,
            "call": application.call.title,
            "name": application.applicant.full_name or application.applicant.email,
            "reason": application.eligibility_reason,
            "message": "",
            "url": site_root_url(application.call).rstrip("/") + reverse("applications:dashboard"),
            "deadline": "",
            **extra,
        }
        return str(subject).format_map(_Blank(values)), str(body).format_map(_Blank(values))


class _Blank(dict):
    """Unknown placeholders in a staff template print as nothing rather than failing."""

    def __missing__(self, key):
        return ""


def send(application, kind, **extra):
    """Render and enqueue one email to the applicant; returns the task result."""
    subject, body = render(application, kind, **extra)
    return send_email_task.enqueue(subject=subject, text=body, html="", to=[application.applicant.email])
