"""The applications app's part of an account's personal data (hooks defined by `accounts`).

- "personal_data_export": `export(user)` gives the user's applications, with their answers
  (by question), attachments (names only), statuses, dates and the messages sent to them.
- "personal_data_erase": `erase(user)` deletes their drafts (and their files) and erases
  their withdrawn applications at once. Applications staff decided on (not eligible, not
  selected) are kept until the retention period and then erased by `purge_applications`;
  submitted ones under review and laureates are kept (their campaign is public). The
  user's project-holder group, which let them edit their campaign draft, is removed.
"""

from django.contrib.auth.models import Group
from wagtail import hooks

from applications import retention
from applications.models import Application
from applications.promotion import holder_group_name
from applications.status import ApplicationStatus


def _date(value):
    return value.isoformat() if value else None


def _answers(application):
    """[{question, answer}] in the order of the call's form; answers to removed questions last."""
    answers = dict(application.answers or {})
    rows = []
    for child in application.call.application_form:
        if child.id in answers:
            rows.append(
                {"question": child.value["label"], "answer": child.block.display(child.value, answers.pop(child.id))}
            )
    rows.extend({"question": key, "answer": value} for key, value in answers.items())
    return rows


def export_application(application):
    return {
        "reference": application.reference,
        "call": application.call.title,
        "status": str(application.get_status_display()),
        "title": application.title,
        "summary": application.summary,
        "holder_name": application.holder_name,
        "holder_kind": str(application.get_holder_kind_display()),
        "amount_requested": application.amount_requested,
        "themes": [theme.title for theme in application.themes.all()],
        "territory": application.territory.name if application.territory else None,
        "answers": _answers(application),
        "attachments": [
            {"name": a.name, "content_type": a.content_type, "size": a.size, "uploaded_at": _date(a.uploaded_at)}
            for a in application.attachments.all()
        ],
        "history": [
            {"date": _date(e.created_at), "status": e.to_status, "message": e.message}
            for e in application.events.all()
            if e.to_status != e.from_status or e.message
        ],
        "created_at": _date(application.created_at),
        "submitted_at": _date(application.submitted_at),
        "personal_data_erased_at": _date(application.personal_data_erased_at),
        "campaign": application.campaign.title if application.campaign else None,
    }


@hooks.register("personal_data_export")
def export(user):
    applications = (
        Application.objects.filter(applicant=user)
        .select_related("call", "territory", "campaign")
        .prefetch_related("themes", "attachments", "events")
        .order_by("created_at", "pk")
    )
    return {"applications": [export_application(application) for application in applications]}


@hooks.register("personal_data_erase")
def erase(user):
    for application in Application.objects.filter(applicant=user, status=ApplicationStatus.DRAFT):
        retention.delete_draft(application)
    for application in Application.objects.filter(
        applicant=user, status=ApplicationStatus.WITHDRAWN, personal_data_erased_at__isnull=True
    ):
        retention.erase(application)
    Group.objects.filter(name=holder_group_name(user)).delete()
