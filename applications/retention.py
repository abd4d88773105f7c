"""How long applicants' personal data is kept, and its deletion (`manage.py purge_applications`).

Applications that were not retained (not eligible, not selected, withdrawn) keep their
answers and attachments for `PlatformSettings.application_retention_days` of their call's
site after the last decision or change, so staff can answer a question or an appeal; then
they are erased: attachments deleted (files and rows), answers, summary, holder name and the
data of every submitted version cleared. The reference, call, status, title, amount, themes,
territory and dates stay, for statistics. Drafts never submitted are deleted after the same
period. Laureate, shortlisted, eligible and submitted applications are never touched here.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Max, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from wagtail.models import Page

from applications.models import Application, ApplicationVersion
from applications.status import NOT_RETAINED, ApplicationStatus
from coupdepouce.models import PlatformSettings


@dataclass
class PurgeReport:
    erased: int = 0
    drafts_deleted: int = 0
    files_deleted: int = 0


def _delete_attachments(application):
    """Delete the application's attachment rows, then their files; the number of files."""
    attachments = list(application.attachments.all())
    application.attachments.all().delete()
    for attachment in attachments:
        if attachment.file.name:
            attachment.file.storage.delete(attachment.file.name)
    return len(attachments)


def erase(application, *, now=None):
    """Erase the personal data of one application, keep its statistics; the number of files deleted."""
    now = now or timezone.now()
    with transaction.atomic():
        files = _delete_attachments(application)
        ApplicationVersion.objects.filter(application=application).update(data={})
        # A queryset update: `updated_at` keeps the date of the last real change.
        Application.objects.filter(pk=application.pk).update(
            answers={}, summary="", holder_name="", personal_data_erased_at=now
        )
    application.answers, application.summary, application.holder_name = {}, "", ""
    application.personal_data_erased_at = now
    return files


def delete_draft(application):
    """Delete a draft and its attachments; the number of files deleted."""
    with transaction.atomic():
        files = _delete_attachments(application)
        application.delete()
    return files


def erasable():
    """Applications whose data the purge may erase or delete, when their period is over."""
    return Application.objects.filter(personal_data_erased_at__isnull=True).filter(
        Q(status__in=NOT_RETAINED) | Q(status=ApplicationStatus.DRAFT, submitted_at__isnull=True)
    )


def retention_days(call):
    return PlatformSettings.for_page(call).application_retention_days


def due(now=None):
    """Applications past the retention period of their call's site, oldest first."""
    now = now or timezone.now()
    candidates = erasable()
    call_ids = set(candidates.values_list("call_id", flat=True).distinct())
    annotated = candidates.annotate(
        last_activity=Greatest(F("updated_at"), Coalesce(Max("events__created_at"), F("updated_at")))
    )
    found = []
    for call_id, call in Page.objects.in_bulk(call_ids).items():
        cutoff = now - timedelta(days=retention_days(call))
        found.extend(annotated.filter(call_id=call_id, last_activity__lt=cutoff))
    return sorted(found, key=lambda application: application.last_activity)


def purge(*, now=None, dry_run=False):
    """Erase or delete every application past its retention period. Idempotent."""
    now = now or timezone.now()
    report = PurgeReport()
    for application in due(now):
        if application.status == ApplicationStatus.DRAFT:
            report.drafts_deleted += 1
            report.files_deleted += application.attachments.count() if dry_run else delete_draft(application)
        else:
            report.erased += 1
            report.files_deleted += application.attachments.count() if dry_run else erase(application, now=now)
    return report
