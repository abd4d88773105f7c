"""Background jobs shared by every app (django-tasks).

Production and `make run` use the database backend (`django_tasks_db.DatabaseBackend`): a
task is a row written in the caller's transaction, run later by `manage.py db_worker`
(docs/operations.md). The tests run tasks immediately (`coupdepouce/settings/test.py`).
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from django_tasks import task

from coupdepouce.storage import private_storage

logger = logging.getLogger(__name__)

# Minutes to wait before the 2nd, 3rd, 4th and 5th attempt at an email whose sending failed;
# after the 5th failure the email is given up (logged as an error, its task result FAILED).
EMAIL_RETRY_MINUTES = (1, 5, 25, 125)
EMAIL_MAX_ATTEMPTS = len(EMAIL_RETRY_MINUTES) + 1


def is_permanent(error: OSError) -> bool:
    """An SMTP refusal that sending again cannot change (5xx: unknown recipient, rejected message)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


@task()
def send_email_task(
    subject: str,
    text: str,
    html: str,
    to: list[str],
    attempt: int = 1,
    headers: dict | None = None,
    attachments: list[dict] | None = None,
) -> int:
    """Send one email, already rendered in the recipient's language; arguments are JSON-safe
    (`headers`: extra headers such as `List-Unsubscribe`; `attachments`: files of the private
    storage, each `{"path": ..., "filename": ..., "mimetype": ...}`, read when sending, and
    deleted once sent when `"delete_after_sending": True`).

    When the mail server cannot be reached or refuses for now (an `OSError`: refused or
    timed-out connections, and every `smtplib.SMTPException`), the task enqueues itself
    again to run `EMAIL_RETRY_MINUTES[attempt - 1]` minutes later, then fails (the failed
    attempt is recorded with its error). The last attempt, or a permanent refusal, logs an
    error. A backend that cannot defer tasks (the tests' immediate backend) does not retry.
    """
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to, headers=headers or None)
    if html:
        message.attach_alternative(html, "text/html")
    for attachment in attachments or []:
        with private_storage().open(attachment["path"], "rb") as handle:
            message.attach(attachment["filename"], handle.read(), attachment["mimetype"])
    try:
        sent = message.send()
    except OSError as error:
        backend = send_email_task.get_backend()
        if attempt < EMAIL_MAX_ATTEMPTS and backend.supports_defer and not is_permanent(error):
            delay = timedelta(minutes=EMAIL_RETRY_MINUTES[attempt - 1])
            send_email_task.using(run_after=timezone.now() + delay).enqueue(
                subject=subject,
                text=text,
                html=html,
                to=to,
                attempt=attempt + 1,
                headers=headers,
                attachments=attachments,
            )
            logger.warning(
                "email %r to %s not sent (attempt %s of %s: %s); next attempt in %s",
                subject,
                to,
                attempt,
                EMAIL_MAX_ATTEMPTS,
                error,
                delay,
            )
        else:
            logger.error(
                "email %r to %s not sent, given up after attempt %s of %s: %s",
                subject,
                to,
                attempt,
                EMAIL_MAX_ATTEMPTS,
                error,
            )
        raise
    # Files only made for this email (a summary of receipts) are not kept once it is sent.
    for attachment in attachments or []:
        if attachment.get("delete_after_sending"):
            private_storage().delete(attachment["path"])
    return sent
