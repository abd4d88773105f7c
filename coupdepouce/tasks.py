"""Background jobs shared by every app (django-tasks; immediate backend by default)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task()
def send_email_task(subject: str, text: str, html: str, to: list[str]) -> int:
    """Send one email, already rendered in the recipient's language; arguments are JSON-safe."""
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to)
    if html:
        message.attach_alternative(html, "text/html")
    return message.send()
