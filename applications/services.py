"""What an applicant does with an application: start it, save a draft, attach files, submit, withdraw.

Every rule of the applicant's side is written here once; the views and the `remind_drafts`
command call these functions.

- The submission window is exact to the second and compared on aware datetimes (stored in UTC,
  so a daylight-saving change in Europe/Paris moves nothing): open from `opens_at` (inclusive)
  to `closes_at` (exclusive). `submission_window` is pure, so it is tested without a database.
- A reference (AAP-2027-0042) is given at the first submission, numbered per year of
  submission (in Europe/Paris) under a row lock on `ReferenceCounter`.
- Every submission keeps an `ApplicationVersion` (fixed fields, answers, attachment names),
  records an `ApplicationEvent` and sends one acknowledgement email.
- Attachments: one per file question; the type is read from the content (`filetype`), never
  from the name; the size is limited by the question; the name is only a display name,
  sanitised (the stored path is random, see `storage.attachment_path`).

Refusals are `ValidationError`s with translated messages. When they concern a field, the
error is a dict keyed by the form field's name (`title`, `q_<block id>`…), so a form can show
each message next to its field.
"""

import os
import unicodedata
import zipfile
from datetime import UTC, timedelta
from decimal import ROUND_HALF_UP, Decimal

import filetype
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_date
from django.utils.text import get_valid_filename
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from applications import emails
from applications.blocks import FILE_TYPES, MAX_UPLOAD_MB
from applications.models import (
    Application,
    ApplicationEvent,
    ApplicationVersion,
    Attachment,
    EmailTemplate,
    JuryAssignment,
    ReferenceCounter,
)
from applications.status import ALLOWED, ApplicationStatus

S = ApplicationStatus

# --------------------------------------------------------------------------- the window


class Window:
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


def submission_window(opens_at, closes_at, now):
    """`upcoming` before `opens_at`, `open` from `opens_at` to just before `closes_at`, then `closed`.

    Nothing is accepted at or after `closes_at`. Pure: aware datetimes in, a string out. They are
    compared in UTC: Python compares two datetimes of the same time zone by their wall clock,
    which is wrong around a daylight-saving change.
    """
    now, opens_at, closes_at = (moment.astimezone(UTC) for moment in (now, opens_at, closes_at))
    if now < opens_at:
        return Window.UPCOMING
    if now < closes_at:
        return Window.OPEN
    return Window.CLOSED


def _local(moment):
    return timezone.localtime(moment, timezone.get_default_timezone())


def _when(moment):
    """ "28 March 2027 at 03:00" in the active language, in Europe/Paris."""
    local = _local(moment)
    return _("%(date)s at %(time)s") % {
        "date": formats.date_format(local, "j F Y"),
        "time": formats.time_format(local, "H:i"),
    }


def deadline_error(call, now):
    """Why `call` takes no application at `now` (a translated sentence), or "" when it does."""
    window = submission_window(call.opens_at, call.closes_at, now)
    if window == Window.UPCOMING:
        return _("Applications to this call open on %(when)s.") % {"when": _when(call.opens_at)}
    if window == Window.CLOSED:
        return _(
            "Applications to this call closed on %(when)s: nothing can be submitted or changed after the deadline."
        ) % {"when": _when(call.closes_at)}
    return ""


def can_edit(application, now=None):
    """A draft, or a submitted application when the call allows changes, while the call is open."""
    now = now or timezone.now()
    call = application.call
    if submission_window(call.opens_at, call.closes_at, now) != Window.OPEN:
        return False
    if application.status == S.DRAFT:
        return True
    return application.status == S.SUBMITTED and call.edit_after_submission


def before_deadline(call, now):
    return submission_window(call.opens_at, call.closes_at, now) != Window.CLOSED


def can_withdraw(application, now=None):
    """A draft or a submitted application may be withdrawn before the deadline."""
    now = now or timezone.now()
    return application.status in (S.DRAFT, S.SUBMITTED) and before_deadline(application.call, now)


def saves_partially(application):
    """A draft keeps every valid answer even when others are refused; a submitted application
    being changed is changed all at once, or not at all."""
    return application.status == S.DRAFT


def can_view(user, application):
    """Who may read an application and download its files: its applicant, staff allowed to view
    applications, and the jurors assigned to it who declared no conflict of interest."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if application.applicant_id == user.pk:
        return True
    if user.has_perm("applications.view_application"):
        return True
    return JuryAssignment.objects.filter(application=application, juror=user, conflict_of_interest=False).exists()


# --------------------------------------------------------------------------- answers

FIXED_FIELDS = ("title", "summary", "holder_name", "holder_kind", "amount_requested", "territory")


def field_name(block_id):
    """The form field (and error key) of a question block."""
    return f"q_{block_id}"


def questions(call):
    """The call's question blocks, in order (StreamField children: `.id`, `.block_type`, `.value`)."""
    return list(call.application_form)


def answer_to_json(block_type, value):
    """A form's cleaned value as stored in `Application.answers` (amounts in integer cents)."""
    if value in (None, ""):
        return None
    if block_type == "amount":
        return int((Decimal(value) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    if block_type == "date":
        return value.isoformat()
    if block_type == "multiple_choice":
        return list(value)
    if block_type == "consent":
        return bool(value)
    return value


def answer_from_json(block_type, value):
    """A stored answer as a form's initial value (the reverse of `answer_to_json`)."""
    if value is None:
        return None
    if block_type == "amount":
        return Decimal(int(value)) / 100
    if block_type == "date":
        return parse_date(value)
    return value


def _answered(block, application, files):
    value = application.answers.get(block.id)
    if block.block_type == "file":
        return block.id in files
    if block.block_type == "consent":
        return value is True
    return value not in (None, "", [])


def missing_answers(application):
    """{field name: message} for each answer a submission needs and the application lacks."""
    errors = {}
    if not application.title.strip():
        errors["title"] = _("Enter the title of the project.")
    if not application.summary.strip():
        errors["summary"] = _("Summarise the project in a few sentences.")
    if not application.holder_name.strip():
        errors["holder_name"] = _("Enter who carries the project.")
    if not application.amount_requested:
        errors["amount_requested"] = _("Enter the amount requested, in euros.")
    files = set(application.attachments.values_list("question", flat=True))
    for block in questions(application.call):
        if not block.value.get("required") or _answered(block, application, files):
            continue
        label = block.value["label"]
        if block.block_type == "file":
            message = _("Attach a file for “%(label)s”.")
        elif block.block_type == "consent":
            message = _("Tick “%(label)s” to submit.")
        else:
            message = _("Answer “%(label)s”.")
        errors[field_name(block.id)] = message % {"label": label}
    return errors


# --------------------------------------------------------------------------- drafts


def draft_of(call, user):
    """The user's (oldest) draft to `call`, or None."""
    return Application.objects.filter(call=call, applicant=user, status=S.DRAFT).order_by("created_at", "pk").first()


def start(call, user, now=None, language=None):
    """The applicant's draft to `call`: the one they already have, else a new one.

    Refused (ValidationError) when the call is not open.
    """
    now = now or timezone.now()
    error = deadline_error(call, now)
    if error:
        raise ValidationError(error, code="closed")
    draft = draft_of(call, user)
    if draft is not None:
        return draft
    application = Application.objects.create(
        call=call, applicant=user, title="", language=(language or get_language() or settings.LANGUAGE_CODE)[:2]
    )
    ApplicationEvent.objects.create(application=application, to_status=S.DRAFT, actor=user, note="started")
    return application


def _ensure_editable(application, now):
    if can_edit(application, now):
        return
    error = deadline_error(application.call, now)
    raise ValidationError(error or _("This application can no longer be changed."), code="not_editable")


def save_draft(application, cleaned, now=None):
    """Store the answers found in `cleaned` (a form's cleaned_data); the others are left as they are.

    Drafts may be incomplete: what a submission needs is checked by `submit`.
    """
    now = now or timezone.now()
    _ensure_editable(application, now)
    for name in FIXED_FIELDS:
        if name in cleaned:
            value = cleaned[name]
            if name in ("title", "summary", "holder_name"):
                value = (value or "").strip()
            elif name == "holder_kind" and not value:
                continue
            setattr(application, name, value)
    answers = dict(application.answers)
    for block in questions(application.call):
        name = field_name(block.id)
        if block.block_type != "file" and name in cleaned:
            answers[block.id] = answer_to_json(block.block_type, cleaned[name])
    application.answers = answers
    application.save()
    if "themes" in cleaned:
        application.themes.set(cleaned["themes"] or [])
    return application


def save_answers(application, cleaned, files, *, submit_after=False, invalid=(), actor=None, now=None):
    """Save a form: answers, then files, then submit if asked.

    `files`: {question block id: an uploaded file, or None to remove the current one};
    `invalid`: the fields the form itself refused (absent from `cleaned`).
    A draft keeps every valid answer and file even when others are refused, so nothing typed
    is lost, and is submitted only when nothing was refused; a submitted application being
    changed (the call allows it until the deadline) is saved and submitted again all at once,
    or not at all. Raises a ValidationError listing every refusal by field name (what a
    submission still lacks included), leaving out the fields in `invalid`.
    """
    now = now or timezone.now()
    blocks = {block.id: block for block in questions(application.call)}
    if not saves_partially(application):
        _ensure_editable(application, now)
        if invalid:
            return application  # the form shows what it refused; nothing is changed
        errors = {}
        for question_id, upload in files.items():
            if upload is not None:
                try:
                    check_upload(upload, blocks[question_id].value)
                except ValidationError as error:
                    errors[field_name(question_id)] = error.error_list
        if errors:
            raise ValidationError(errors)
        created = []
        try:
            with transaction.atomic():
                save_draft(application, cleaned, now=now)
                _apply_files(application, files, blocks, now, created)
                submit(application, actor, now=now)
        except ValidationError:
            application.refresh_from_db()
            for attachment in created:
                attachment.file.storage.delete(attachment.file.name)
            raise
        return application

    save_draft(application, cleaned, now=now)
    errors = {}
    for question_id, upload in files.items():
        try:
            _apply_files(application, {question_id: upload}, blocks, now, [])
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if submit_after:
        if errors or invalid:
            for name, message in missing_answers(application).items():
                if name not in invalid and name not in errors:
                    errors[name] = [ValidationError(message, code="required")]
        else:
            submit(application, actor, now=now)
    if errors:
        raise ValidationError(errors)
    return application


def _apply_files(application, files, blocks, now, created):
    """Store or remove each file; `created` collects the new attachments (to clean up on failure)."""
    for question_id, upload in files.items():
        if upload is None:
            remove_attachment(application, question_id, now=now)
        else:
            created.append(store_attachment(application, question_id, upload, blocks[question_id].value, now=now))


# --------------------------------------------------------------------------- attachments

NAME_MAX_LENGTH = 150
ZIP_TYPES = {"application/zip", "application/x-zip-compressed"}
OOXML_PARTS = {
    "word/document.xml": FILE_TYPES["docx"],
    "xl/workbook.xml": FILE_TYPES["xlsx"],
}


def clean_file_name(raw, fallback="document"):
    """A display name without any path, odd character or leading dot, at most 150 characters."""
    name = unicodedata.normalize("NFC", str(raw or "")).replace("\\", "/")
    name = os.path.basename(name)
    name = "".join(ch for ch in name if ch.isprintable()).strip().lstrip(".")
    try:
        name = get_valid_filename(name)
    except SuspiciousFileOperation:
        name = fallback
    stem, extension = os.path.splitext(name)
    extension = extension[:10]
    stem = stem[: NAME_MAX_LENGTH - len(extension)] or fallback
    return f"{stem}{extension}"


def _extensions(content_type):
    return [ext for ext, mime in FILE_TYPES.items() if mime == content_type]


def _with_extension(name, content_type):
    """The name ends with an extension of its real type ("budget" → "budget.pdf")."""
    extensions = _extensions(content_type)
    if not extensions:
        return name
    accepted = set(extensions) | ({"jpeg"} if "jpg" in extensions else set())
    stem, extension = os.path.splitext(name)
    if extension[1:].lower() in accepted:
        return name
    suffix = f".{extensions[0]}"
    return f"{name[: NAME_MAX_LENGTH - len(suffix)]}{suffix}"


def _zip_document_type(uploaded_file):
    """The OpenDocument or Office Open XML type of a ZIP container whose parts `filetype` did not
    find in the first kilobytes, read from the archive's own table of contents."""
    try:
        uploaded_file.seek(0)
        with zipfile.ZipFile(uploaded_file) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as part:
                    declared = part.read(100).decode("ascii", "replace").strip()
                return declared if declared in FILE_TYPES.values() else None
            if "[Content_Types].xml" in names:
                for part, content_type in OOXML_PARTS.items():
                    if part in names:
                        return content_type
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        uploaded_file.seek(0)
    return None


def detect_content_type(uploaded_file):
    """The MIME type of the file's content (its first bytes), whatever its name says; or None."""
    uploaded_file.seek(0)
    kind = filetype.guess(uploaded_file)
    uploaded_file.seek(0)
    content_type = kind.mime if kind is not None else None
    if content_type in ZIP_TYPES:
        return _zip_document_type(uploaded_file) or content_type
    return content_type


def check_upload(uploaded_file, block_value):
    """(display name, content type) of a file sent for a file question, or a ValidationError."""
    label = block_value.get("label", "")
    name = clean_file_name(uploaded_file.name)
    allowed_extensions = [ext for ext in block_value.get("allowed_types") or [] if ext in FILE_TYPES]
    max_mb = min(int(block_value.get("max_size_mb") or MAX_UPLOAD_MB), MAX_UPLOAD_MB)
    params = {"label": label, "name": name, "max": max_mb, "types": ", ".join(e.upper() for e in allowed_extensions)}
    if not uploaded_file.size:
        raise ValidationError(_("“%(label)s”: the file “%(name)s” is empty.") % params, code="empty")
    if uploaded_file.size > max_mb * 1024 * 1024:
        raise ValidationError(
            _("“%(label)s”: the file “%(name)s” is larger than %(max)s MB. Send a smaller file.") % params,
            code="too_large",
        )
    content_type = detect_content_type(uploaded_file)
    if content_type not in {FILE_TYPES[ext] for ext in allowed_extensions}:
        raise ValidationError(
            _(
                "“%(label)s”: the content of “%(name)s” is not of an accepted type (%(types)s). "
                "Renaming a file does not change its type: export it in one of these formats."
            )
            % params,
            code="wrong_type",
        )
    return _with_extension(name, content_type), content_type


def _delete_file_after_commit(attachment):
    storage, name = attachment.file.storage, attachment.file.name
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def store_attachment(application, question_id, uploaded_file, block_value, now=None):
    """Check and store a file for a file question, replacing the question's previous file.

    Refused (nothing stored): a ValidationError keyed by the question's field name.
    """
    now = now or timezone.now()
    _ensure_editable(application, now)
    try:
        name, content_type = check_upload(uploaded_file, block_value)
    except ValidationError as error:
        raise ValidationError({field_name(question_id): error.error_list}) from None
    attachment = Attachment(
        application=application,
        question=question_id,
        name=name,
        content_type=content_type,
        size=uploaded_file.size,
    )
    with transaction.atomic():
        previous = list(application.attachments.filter(question=question_id))
        uploaded_file.seek(0)
        attachment.file.save(name, uploaded_file, save=False)
        try:
            attachment.save()
        except Exception:
            attachment.file.storage.delete(attachment.file.name)
            raise
        for old in previous:
            _delete_file_after_commit(old)
            old.delete()
    return attachment


def remove_attachment(application, question_id, now=None):
    """Remove the file sent for a question (its row now, its content once committed)."""
    _ensure_editable(application, now or timezone.now())
    with transaction.atomic():
        for old in application.attachments.filter(question=question_id):
            _delete_file_after_commit(old)
            old.delete()


def current_attachments(application):
    """{question block id: Attachment}."""
    return {attachment.question: attachment for attachment in application.attachments.all()}


# --------------------------------------------------------------------------- submission


def format_reference(year, number):
    return f"AAP-{year}-{number:04d}"


def next_reference(now):
    """The next reference of the year of `now` in Europe/Paris (call inside a transaction)."""
    year = _local(now).year
    ReferenceCounter.objects.get_or_create(year=year)
    counter = ReferenceCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return format_reference(year, counter.last)


def snapshot(application, now):
    """What a submitted version keeps: the fixed fields, the answers and the attachments' names."""
    territory = application.territory
    return {
        "submitted_at": now.isoformat(),
        "reference": application.reference,
        "title": application.title,
        "summary": application.summary,
        "holder_name": application.holder_name,
        "holder_kind": application.holder_kind,
        "amount_requested": application.amount_requested,
        "themes": [{"id": theme.pk, "title": theme.title} for theme in application.themes.order_by("pk")],
        "territory": {"id": territory.pk, "name": territory.name} if territory else None,
        "answers": dict(application.answers),
        "attachments": [
            {"question": a.question, "name": a.name, "content_type": a.content_type, "size": a.size}
            for a in application.attachments.order_by("pk")
        ],
    }


def submit(application, actor, now=None):
    """Submit a draft (or a new version of a submitted application when the call allows it).

    Checks the deadline on the server (`opens_at <= now < closes_at`), the state machine and
    the answers a submission needs; gives the reference; keeps the version; records the event;
    sends the acknowledgement email once. Raises ValidationError otherwise, changing nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("call", "territory")
            .get(pk=application.pk)
        )
        call = locked.call
        error = deadline_error(call, now)
        if error:
            raise ValidationError(error, code="closed")
        previous = locked.status
        if previous == S.SUBMITTED:
            if not call.edit_after_submission:
                raise ValidationError(_("This application is already submitted."), code="submitted")
        elif S.SUBMITTED not in ALLOWED[previous]:
            raise ValidationError(_("This application can no longer be submitted."), code="invalid_status")
        missing = missing_answers(locked)
        if missing:
            raise ValidationError(missing)
        if not locked.reference:
            locked.reference = next_reference(now)
        locked.status = S.SUBMITTED
        locked.submitted_at = now
        locked.save(update_fields=["reference", "status", "submitted_at", "updated_at"])
        number = locked.versions.count() + 1
        version = ApplicationVersion.objects.create(application=locked, number=number, data=snapshot(locked, now))
        ApplicationVersion.objects.filter(pk=version.pk).update(submitted_at=now)
        event = ApplicationEvent.objects.create(
            application=locked,
            from_status=previous,
            to_status=S.SUBMITTED,
            actor=actor,
            note=f"version {number}",
        )
    emails.send(locked, EmailTemplate.Kind.ACKNOWLEDGEMENT)
    ApplicationEvent.objects.filter(pk=event.pk).update(emailed=True)
    for name in ("reference", "status", "submitted_at", "updated_at"):
        setattr(application, name, getattr(locked, name))
    return application


def withdraw(application, now=None, actor=None):
    """The applicant withdraws a draft or a submitted application, before the deadline."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Application.objects.select_for_update(of=("self",)).select_related("call").get(pk=application.pk)
        if not can_withdraw(locked, now) or S.WITHDRAWN not in ALLOWED[locked.status]:
            if not before_deadline(locked.call, now):
                message = _("The deadline has passed: this application can no longer be withdrawn.")
            else:
                message = _("This application can no longer be withdrawn.")
            raise ValidationError(message, code="not_withdrawable")
        previous = locked.status
        locked.status = S.WITHDRAWN
        locked.save(update_fields=["status", "updated_at"])
        ApplicationEvent.objects.create(
            application=locked, from_status=previous, to_status=S.WITHDRAWN, actor=actor, note="withdrawn"
        )
    application.status = locked.status
    return application


# --------------------------------------------------------------------------- the applicant's list


def applications_of(user):
    """The user's applications with their call and the messages staff sent (constant queries)."""
    messages = ApplicationEvent.objects.exclude(message="").order_by("created_at", "pk")
    return (
        Application.objects.filter(applicant=user)
        .select_related("call")
        .prefetch_related(Prefetch("events", queryset=messages, to_attr="staff_messages"))
        .order_by("-created_at", "-pk")
    )


# --------------------------------------------------------------------------- reminders

REMINDER_NOTE = "reminder"


def drafts_to_remind(now, days):
    """Drafts of open calls closing within `days` days whose applicant was not reminded yet."""
    return (
        Application.objects.filter(
            status=S.DRAFT,
            call__opens_at__lte=now,
            call__closes_at__gt=now,
            call__closes_at__lte=now + timedelta(days=days),
        )
        .exclude(events__note=REMINDER_NOTE)
        .select_related("call", "applicant")
        .order_by("pk")
    )


def remind_drafts(now=None, days=3):
    """Email each applicant whose draft is not submitted a few days before the deadline, once per
    application (an event with the note "reminder" marks it). Returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    for candidate in drafts_to_remind(now, days):
        with transaction.atomic():
            application = (
                Application.objects.select_for_update(of=("self",))
                .select_related("call", "applicant")
                .get(pk=candidate.pk)
            )
            if application.status != S.DRAFT or application.events.filter(note=REMINDER_NOTE).exists():
                continue
            ApplicationEvent.objects.create(application=application, note=REMINDER_NOTE, emailed=True)
        with translation.override(application.language or settings.LANGUAGE_CODE):
            deadline = _when(application.call.closes_at)
        emails.send(application, EmailTemplate.Kind.REMINDER, deadline=deadline)
        sent += 1
    return sent
