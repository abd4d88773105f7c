"""The jury's side of an application: what a juror sees, declares and scores.

Jurors are ordinary accounts with `JuryAssignment` rows. A juror sees only the applications
assigned to them that a jury may score (`REVIEWABLE`), never one on which they declared a
conflict of interest. They score each criterion of the call from 0 to 5, with a comment and
an optional coup de cœur; they see the other jurors' submitted reviews only once they have
submitted their own. Reviews can be changed while the application is eligible or
shortlisted, until staff decide.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import ApplicationEvent, JuryAssignment, Review
from applications.ranking import review_score
from applications.status import REVIEWABLE, ApplicationStatus

MIN_SCORE = 0
MAX_SCORE = 5
SCORES = range(MIN_SCORE, MAX_SCORE + 1)
# Statuses in which a juror may still save or change a review.
SCORING_OPEN = (ApplicationStatus.ELIGIBLE, ApplicationStatus.SHORTLISTED)


class ReviewError(Exception):
    """Scores or a review that cannot be saved. `errors`: {criterion id (str) or None: [messages]}."""

    def __init__(self, errors: dict):
        self.errors = errors
        super().__init__("; ".join(str(m) for messages in errors.values() for m in messages))


def _visible(queryset):
    return queryset.filter(conflict_of_interest=False, application__status__in=REVIEWABLE)


def assignments_for(juror):
    """The juror's assignments they may open: not conflicted, application reviewable."""
    return _visible(JuryAssignment.objects.filter(juror=juror)).select_related("application", "application__call")


def conflicts_of(juror):
    """The assignments on which the juror declared a conflict of interest."""
    return (
        JuryAssignment.objects.filter(juror=juror, conflict_of_interest=True)
        .select_related("application", "application__call")
        .order_by("-conflict_declared_at")
    )


def assignment_for(juror, token):
    """The juror's assignment to the application `token`; raises JuryAssignment.DoesNotExist
    when the application is not assigned to them, not reviewable, or they are conflicted."""
    return assignments_for(juror).get(application__token=token)


def criteria_of(application):
    """The criteria the application is scored on: those of the call it was made to."""
    return list(application.call.criteria.all())


def review_of(assignment):
    """The juror's own review of the assigned application, or None."""
    return Review.objects.filter(application=assignment.application, juror=assignment.juror).first()


def reviews_by_application(juror, applications):
    """{application id: the juror's review} for a list of applications, in one query."""
    ids = [a.pk for a in applications]
    return {r.application_id: r for r in Review.objects.filter(juror=juror, application_id__in=ids)}


def can_score(application) -> bool:
    return application.status in SCORING_OPEN


def declare_conflict(assignment, note: str = "") -> JuryAssignment:
    """Hide the application from the juror; their review, if any, no longer counts (see
    `ranking`). Kept in the application's history. Declaring twice changes nothing."""
    with transaction.atomic():
        assignment = (
            JuryAssignment.objects.select_for_update(of=("self",))
            .select_related("application", "juror")
            .get(pk=assignment.pk)
        )
        if assignment.conflict_of_interest:
            return assignment
        note = (note or "").strip()
        assignment.conflict_of_interest = True
        assignment.conflict_note = note
        assignment.conflict_declared_at = timezone.now()
        assignment.save(update_fields=["conflict_of_interest", "conflict_note", "conflict_declared_at"])
        juror = assignment.juror
        text = _("Conflict of interest declared by the juror %(juror)s.") % {"juror": juror.full_name or juror.email}
        if note:
            text = f"{text}\n{note}"
        ApplicationEvent.objects.create(application=assignment.application, actor=juror, note=text)
    return assignment


def clean_scores(criteria, scores: dict, *, complete: bool) -> dict:
    """{criterion id (str): int} for the given criteria; raises ReviewError on a score that is
    not a whole number from 0 to 5, or on a missing one when `complete`."""
    cleaned, errors = {}, {}
    for criterion in criteria:
        key = str(criterion.pk)
        raw = scores.get(key, scores.get(criterion.pk))
        if raw is None or raw == "":
            if complete:
                errors[key] = [_("Give “%(criterion)s” a score from 0 to 5.") % {"criterion": criterion.title}]
            continue
        value = _as_int(raw)
        if value is None or value not in SCORES:
            errors[key] = [
                _("The score of “%(criterion)s” must be a whole number from 0 to 5.") % {"criterion": criterion.title}
            ]
            continue
        cleaned[key] = value
    if errors:
        raise ReviewError(errors)
    return cleaned


def _as_int(raw):
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw.strip())
    return None


def save_review(assignment, scores: dict, comment: str = "", coup_de_coeur: bool = False, submit: bool = False):
    """Save the juror's review of the assigned application; `submit` sends it to the jury.

    A draft may leave criteria unscored; a submitted review (and any later change to it,
    which stays submitted) scores every criterion of the call. Nothing is saved on an error.
    """
    application = assignment.application
    if assignment.conflict_of_interest:
        raise ReviewError({None: [_("You declared a conflict of interest on this application.")]})
    if not can_score(application):
        raise ReviewError({None: [_("This application can no longer be scored: the jury's work on it is over.")]})
    with transaction.atomic():
        review, _created = Review.objects.select_for_update().get_or_create(
            application=application, juror=assignment.juror
        )
        complete = submit or review.submitted_at is not None
        review.scores = clean_scores(criteria_of(application), scores, complete=complete)
        review.comment = (comment or "").strip()
        review.coup_de_coeur = bool(coup_de_coeur)
        if complete and review.submitted_at is None:
            review.submitted_at = timezone.now()
        review.save()
    return review


@dataclass
class OtherReview:
    juror: object
    scores: list  # [(criterion, score or None)] in the call's order
    score: object  # weighted mean to two places, or None
    comment: str
    coup_de_coeur: bool


def other_reviews_visible_to(juror, application) -> list[OtherReview]:
    """The other jurors' submitted reviews, once this juror has submitted their own (else []).
    Reviews of jurors who declared a conflict of interest are left out, as in the ranking."""
    own = Review.objects.filter(application=application, juror=juror, submitted_at__isnull=False)
    if not own.exists():
        return []
    conflicted = JuryAssignment.objects.filter(application=application, conflict_of_interest=True).values("juror_id")
    reviews = (
        Review.objects.filter(application=application, submitted_at__isnull=False)
        .exclude(juror=juror)
        .exclude(juror_id__in=conflicted)
        .select_related("juror")
        .order_by("submitted_at", "pk")
    )
    criteria = criteria_of(application)
    weights = {str(c.pk): c.weight for c in criteria}
    return [
        OtherReview(
            juror=review.juror,
            scores=[(c, review.scores.get(str(c.pk))) for c in criteria],
            score=review_score(review.scores, weights),
            comment=review.comment,
            coup_de_coeur=review.coup_de_coeur,
        )
        for review in reviews
    ]
