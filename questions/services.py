"""Public questions: the rules, and every change of a question's status.

A question is asked on a campaign page (any translation) and held for moderation
(`pending`). The holder of the campaign or staff publish it, reject it, or answer it
(answering publishes). A published question can be reported by anyone; reports send it back
to moderation (`REPORTS_TO_HIDE`). Status changes happen only here: each function refuses an
impossible move with a `QuestionError` whose message says why (in the active language).

Who may moderate is the caller's business: the Wagtail admin checks the model permissions
(`questions.change_question`), the holder's workspace `holders.services.can_manage`.
Every email is enqueued inside the transaction of the change (`questions.emails`).

Public lists cover every translation of a campaign (same `translation_key`): a question
asked on the English page shows on the French one, and the other way round.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from holders.models import CampaignHolder
from questions import emails
from questions.models import Question, QuestionReport

Status = Question.Status

# Published questions shown on a campaign page (newest first); the count says how many in all.
PAGE_SIZE = 20

REPORTS_TO_HIDE = 1
"""Reports that send a published question back to moderation (hidden until a moderator decides).

One: reports are anonymous, so counting several would not tell several people apart (one
person can report twice within the rate limit), while an abusive or unlawful message (insults,
someone's personal data) would stay online meanwhile; as the host, the site must remove such
content promptly once told. A report cannot delete anything: the question waits for the
holder or staff, who are emailed at once, and a moderator who publishes it again after a report
has the last word: later reports are recorded and emailed but no longer hide it
(`_cleared_after_report`). Reports are rate-limited ("report" in `coupdepouce.ratelimits`).
"""

BODY_MAX_LENGTH = Question._meta.get_field("body").max_length
ANSWER_MAX_LENGTH = Question._meta.get_field("answer").max_length
REASON_MAX_LENGTH = QuestionReport._meta.get_field("reason").max_length


class QuestionError(Exception):
    """A move the question's status does not allow, or missing input; `message` is for people."""

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code


def _of_campaign(campaign):
    """The questions of every translation of `campaign`."""
    return Question.objects.filter(campaign__translation_key=campaign.translation_key)


def answered_by_holder():
    """Annotation: whether the answer was written by a holder of the campaign (else by the site's team)."""
    return Exists(
        CampaignHolder.objects.filter(
            user=OuterRef("answered_by"), campaign__translation_key=OuterRef("campaign__translation_key")
        )
    )


def published_for(campaign) -> list[Question]:
    """The published questions of the campaign (every translation), newest first, at most
    PAGE_SIZE, with their answers and `by_holder` (who answered). One query."""
    return list(
        _of_campaign(campaign)
        .filter(status=Status.PUBLISHED)
        .annotate(by_holder=answered_by_holder())
        .order_by("-created_at", "-pk")[:PAGE_SIZE]
    )


def published_count(campaign) -> int:
    return _of_campaign(campaign).filter(status=Status.PUBLISHED).count()


def pending_for(campaign):
    """Questions of the campaign (every translation) awaiting moderation, oldest first: the
    reported ones (sent back to moderation) included."""
    return _of_campaign(campaign).filter(status=Status.PENDING).select_related("campaign").order_by("created_at", "pk")


def questions_for(campaign, status=None):
    """Every question of the campaign (every translation), newest first; optionally of one status."""
    questions = _of_campaign(campaign).select_related("campaign").order_by("-created_at", "-pk")
    if status:
        questions = questions.filter(status=status)
    return questions


def _locked(question) -> Question:
    """The question's row, locked until the end of the transaction, fresh from the database."""
    question.refresh_from_db(from_queryset=Question.objects.select_for_update())
    return question


@transaction.atomic
def ask(campaign, *, name: str, email: str, body: str, language: str = "", user=None) -> Question:
    """Hold a new question for moderation and tell the holders and staff."""
    name, body = (name or "").strip(), (body or "").strip()
    if not name:
        raise QuestionError(_("Enter your name."), code="required")
    if not body:
        raise QuestionError(_("Write your question."), code="required")
    if len(body) > BODY_MAX_LENGTH:
        raise QuestionError(
            _("Your question is too long: %(limit)d characters at most.") % {"limit": BODY_MAX_LENGTH},
            code="max_length",
        )
    question = Question.objects.create(
        campaign=campaign,
        author_name=name,
        author_email=email,
        body=body,
        language=language or "",
        user=user if user is not None and user.is_authenticated else None,
        status=Status.PENDING,
    )
    emails.send_new_question(question)
    return question


def _moderated(question, by):
    question.moderated_by = by
    question.moderated_at = timezone.now()


@transaction.atomic
def publish(question, *, by) -> Question:
    """Show the question on the campaign page (from pending, or a rejected one reconsidered)."""
    _locked(question)
    if question.status == Status.PUBLISHED:
        raise QuestionError(_("This question is already published."), code="already_published")
    question.status = Status.PUBLISHED
    _moderated(question, by)
    question.save(update_fields=["status", "moderated_by", "moderated_at"])
    return question


@transaction.atomic
def reject(question, *, by) -> Question:
    """Keep the question off the campaign page (from pending, or withdraw a published one)."""
    _locked(question)
    if question.status == Status.REJECTED:
        raise QuestionError(_("This question is already rejected."), code="already_rejected")
    question.status = Status.REJECTED
    _moderated(question, by)
    question.save(update_fields=["status", "moderated_by", "moderated_at"])
    return question


@transaction.atomic
def answer(question, *, by, text: str) -> Question:
    """Write (or correct) the answer and publish the question. The author is emailed, in their
    language, when the question gets its first answer (not for each correction)."""
    text = (text or "").strip()
    if not text:
        raise QuestionError(_("Write an answer."), code="required")
    if len(text) > ANSWER_MAX_LENGTH:
        raise QuestionError(
            _("The answer is too long: %(limit)d characters at most.") % {"limit": ANSWER_MAX_LENGTH},
            code="max_length",
        )
    _locked(question)
    if question.status == Status.REJECTED:
        raise QuestionError(_("This question was rejected: publish it before answering it."), code="rejected")
    first_answer = not question.answer
    now = timezone.now()
    question.answer = text
    question.answered_by = by
    question.answered_at = now
    fields = ["answer", "answered_by", "answered_at"]
    if question.status != Status.PUBLISHED:
        question.status = Status.PUBLISHED
        _moderated(question, by)
        fields += ["status", "moderated_by", "moderated_at"]
    question.save(update_fields=fields)
    if first_answer:
        emails.send_answer(question)
    return question


def _cleared_after_report(question) -> bool:
    """Whether a moderator published the question again after it had been reported."""
    if question.moderated_at is None:
        return False
    return question.reports.filter(created_at__lt=question.moderated_at).exists()


@transaction.atomic
def report(question, reason: str = "") -> QuestionReport:
    """Record a report of a published question; at `REPORTS_TO_HIDE` reports it goes back to
    moderation (pending, hidden), unless a moderator already published it again after a report.
    Holders and staff are told either way."""
    reason = (reason or "").strip()[:REASON_MAX_LENGTH]
    _locked(question)
    if question.status != Status.PUBLISHED:
        raise QuestionError(_("Only published questions can be reported."), code="not_published")
    cleared = _cleared_after_report(question)
    new_report = QuestionReport.objects.create(question=question, reason=reason)
    question.reported_at = new_report.created_at
    fields = ["reported_at"]
    hidden = not cleared and question.reports.count() >= REPORTS_TO_HIDE
    if hidden:
        question.status = Status.PENDING
        fields.append("status")
    question.save(update_fields=fields)
    emails.send_report(question, new_report, hidden=hidden)
    return new_report
