"""Background work of receipts.

- `deliver_receipt_task` (defined in `receipts.services`, beside `issue` which enqueues it in its
  transaction): renders and stores a receipt's PDF once and emails it to the donor once.
- `send_summary_task`: the yearly summary a donor asked for (`receipts.views.summary`): when the
  address has receipts for gifts paid that year, the summary PDF (`receipts.pdf.render_summary`)
  is emailed as an attachment. It is stored in the private storage (`receipts/summaries/<year>/`)
  only until the email is sent (attachments are read from there), then deleted: it is not a
  receipt and holds personal data.
"""

import uuid

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from coupdepouce.storage import private_storage
from coupdepouce.tasks import send_email_task
from receipts import services
from receipts.pdf import render_summary
from receipts.services import deliver_receipt_task

__all__ = ["deliver_receipt_task", "send_summary_task"]

PDF = "application/pdf"


def summary_path(year: int) -> str:
    return f"receipts/summaries/{int(year)}/{uuid.uuid4().hex}.pdf"


@task()
def send_summary_task(email: str, year: int, language: str = "fr") -> bool:
    """Email `email` the summary of its receipts for gifts paid in `year`, if it has any.
    Returns whether an email was enqueued."""
    receipts = list(services.receipts_of(email, year))
    if not receipts:
        return False
    with translation.override(language):
        content = render_summary(email, year, receipts)
        path = private_storage().save(summary_path(year), ContentFile(content))
        context = {"email": email, "year": year, "count": len(receipts)}
        subject = _("Summary of your tax receipts, %(year)s") % {"year": year}
        text = render_to_string("receipts/summary_email.txt", context).strip() + "\n"
        html = render_to_string("receipts/summary_email.html", context)
        filename = _("tax-receipts-summary-%(year)s.pdf") % {"year": year}
    send_email_task.enqueue(
        subject=subject,
        text=text,
        html=html,
        to=[email],
        attachments=[{"path": path, "filename": filename, "mimetype": PDF, "delete_after_sending": True}],
    )
    return True
