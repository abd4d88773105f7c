"""Staff decisions on applications and the jury's assignments, written once.

- `decide` moves an application along `status.ALLOWED` under a row lock, writes one
  `ApplicationEvent` and, once the change is committed, sends the applicant exactly one email
  (the staff `EmailTemplate` of that decision, else the built-in text). Deciding again what is
  already decided changes nothing and sends nothing.
- `assign`, `assign_jury` and `unassign` ask jurors to score eligible applications (`REVIEWABLE`).

The admin (`applications.admin_views`) only calls these functions.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus

from applications import emails
from applications.models import Application, ApplicationEvent, CallJury, EmailTemplate, JuryAssignment, Review
from applications.status import ALLOWED, DECISIONS, REASON_REQUIRED, REVIEWABLE, ApplicationStatus

S = ApplicationStatus

# The email sent for each decision.
EMAIL_FOR = {status: EmailTemplate.Kind(status.value) for status in DECISIONS}
# Screening (recevabilité) and the later decisions, as the admin groups them.
SCREENING = (S.ELIGIBLE, S.INELIGIBLE)
SELECTION = (S.SHORTLISTED, S.LAUREATE, S.NOT_SELECTED)


class WorkflowError(Exception):
    """A decision or an assignment that the rules refuse; the message is for staff."""


def decisions_from(status) -> list[ApplicationStatus]:
    """The decisions staff may take on an application in `status`, in the order of DECISIONS."""
    allowed = ALLOWED.get(S(status), set())
    return [decision for decision in DECISIONS if decision in allowed]


def decide(application, to_status, *, actor, reason="", message="", note=""):
    """Move `application` to `to_status` (one of DECISIONS) and email the applicant once.

    `reason` (required for "not eligible") is kept on the application and in the history;
    `message` is added to the email; `note` is internal. Returns the new `ApplicationEvent`,
    or None when the application already was in `to_status`. Raises WorkflowError when the
    move is not allowed or a required reason is missing. `application` is updated in place.
    """
    to_status = S(to_status)
    reason = (reason or "").strip()
    message = (message or "").strip()
    note = (note or "").strip()
    if to_status not in DECISIONS:
        raise WorkflowError(_("“%(status)s” is not a decision staff can take.") % {"status": to_status.label})
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status == to_status:
            _copy_state(locked, application)
            return None
        if to_status not in ALLOWED[S(locked.status)]:
            raise WorkflowError(
                _("An application that is “%(current)s” cannot become “%(target)s”.")
                % {"current": S(locked.status).label, "target": to_status.label}
            )
        if to_status in REASON_REQUIRED and not reason:
            raise WorkflowError(str(REASON_REQUIRED[to_status]))
        from_status = locked.status
        locked.status = to_status
        if to_status in SCREENING:
            locked.eligibility_reason = reason
        locked.save(update_fields=["status", "eligibility_reason", "updated_at"])
        event = ApplicationEvent.objects.create(
            application=locked,
            from_status=from_status,
            to_status=to_status,
            actor=actor,
            note="\n\n".join(text for text in (reason, note) if text),
            message=message,
        )
        _copy_state(locked, application)
        # robust: a failing email is logged, and the event stays not `emailed`.
        transaction.on_commit(lambda: _email(event, to_status, message=message, reason=reason), robust=True)
    return event


def _copy_state(source, target):
    for name in ("status", "eligibility_reason", "updated_at"):
        setattr(target, name, getattr(source, name))


def _email(event, status, *, message, reason):
    """The one email of a status change, sent after the change is committed."""
    application = Application.objects.select_related("call", "applicant").get(pk=event.application_id)
    result = emails.send(application, EMAIL_FOR[status], message=message, reason=reason)
    if getattr(result, "status", None) != TaskResultStatus.FAILED:
        event.emailed = True
        event.save(update_fields=["emailed"])


# Jury ------------------------------------------------------------------------------------------


def _juror_name(user):
    return user.full_name or user.email


def _check_assignable(application, juror):
    if application.status not in REVIEWABLE:
        raise WorkflowError(_("Only an eligible application can be given to jurors."))
    if not juror.is_active:
        raise WorkflowError(_("%(juror)s's account is disabled.") % {"juror": _juror_name(juror)})
    if juror.pk == application.applicant_id:
        raise WorkflowError(_("The applicant cannot be a juror of their own application."))


def assign(application, juror, *, by):
    """Ask `juror` to score `application`. Returns (assignment, created); assigning twice
    changes nothing. Raises WorkflowError for an application that is not reviewable."""
    _check_assignable(application, juror)
    with transaction.atomic():
        assignment, created = JuryAssignment.objects.get_or_create(
            application=application, juror=juror, defaults={"assigned_by": by}
        )
        if created:
            ApplicationEvent.objects.create(
                application=application,
                actor=by,
                note=_("Assigned to the juror %(juror)s.") % {"juror": _juror_name(juror)},
            )
    return assignment, created


def jury_of(call):
    """The `CallJury` of `call`, or of another translation of it; None without one."""
    juries = CallJury.objects.filter(call__translation_key=call.translation_key).prefetch_related("members")
    by_call = {jury.call_id: jury for jury in juries}
    return by_call.get(call.pk) or next(iter(by_call.values()), None)


def assign_jury(call, applications, *, by):
    """Assign every active member of the call's jury to each reviewable application of
    `applications` (others are skipped; nobody judges their own application). Returns the
    number of new assignments, made in a few queries whatever their number. Raises
    WorkflowError when the call has no jury, or an application is of another call."""
    jury = jury_of(call)
    members = [member for member in jury.members.all() if member.is_active] if jury else []
    if not members:
        raise WorkflowError(_("This call has no jury yet: add its members under “Juries”."))
    applications = list(applications)
    for application in applications:
        if application.call_id != call.pk and application.call.translation_key != call.translation_key:
            raise WorkflowError(_("%(application)s is not an application to this call.") % {"application": application})
    reviewable = [application for application in applications if application.status in REVIEWABLE]
    with transaction.atomic():
        existing = set(
            JuryAssignment.objects.filter(application__in=reviewable, juror__in=members).values_list(
                "application_id", "juror_id"
            )
        )
        new = [
            (application, member)
            for application in reviewable
            for member in members
            if member.pk != application.applicant_id and (application.pk, member.pk) not in existing
        ]
        JuryAssignment.objects.bulk_create(
            [JuryAssignment(application=application, juror=member, assigned_by=by) for application, member in new],
            ignore_conflicts=True,
        )
        ApplicationEvent.objects.bulk_create(
            [
                ApplicationEvent(
                    application=application,
                    actor=by,
                    note=_("Assigned to the juror %(juror)s (the call's jury).") % {"juror": _juror_name(member)},
                )
                for application, member in new
            ]
        )
    return len(new)


def unassign(application, juror, *, by):
    """Take `application` back from `juror`, with their draft review. Refused once the juror
    has submitted a review (it counts in the ranking). Returns True if there was an assignment."""
    with transaction.atomic():
        assignment = JuryAssignment.objects.select_for_update().filter(application=application, juror=juror).first()
        if assignment is None:
            return False
        if Review.objects.filter(application=application, juror=juror, submitted_at__isnull=False).exists():
            raise WorkflowError(
                _("%(juror)s has already sent their review: it stays, and so does the assignment.")
                % {"juror": _juror_name(juror)}
            )
        Review.objects.filter(application=application, juror=juror).delete()
        assignment.delete()
        ApplicationEvent.objects.create(
            application=application,
            actor=by,
            note=_("Taken back from the juror %(juror)s.") % {"juror": _juror_name(juror)},
        )
    return True
