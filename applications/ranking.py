"""The jury's ranking of a call's applications: weighted average, number of reviews, spread.

A review's score is the weighted mean of its criteria (0 to 5, weights of the call's
`EvaluationCriterion`); an application's score is the mean of its submitted reviews, leaving
out drafts and the reviews of jurors who declared a conflict of interest. Scores are keyed by
criterion id, and each application is scored against the criteria of its own call (an
application may have been made to a translation of the call, whose criteria are other rows).
Plain arithmetic on Decimal, rounded half up to two places only at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from applications.models import JuryAssignment, Review

TWO_PLACES = Decimal("0.01")


@dataclass
class Ranked:
    application: object
    average: Decimal | None
    reviews: int
    spread: Decimal | None
    coups_de_coeur: int


def _round(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def weighted_mean(scores: dict, weights: dict) -> Decimal | None:
    """Unrounded weighted mean of one review's scores ({criterion id: 0..5}) over the criteria
    it scored; None when it scored none of them."""
    scored = [str(key) for key in weights if scores.get(str(key)) is not None]
    total_weight = sum(Decimal(weights[key]) for key in scored)
    if not total_weight:
        return None
    return sum(Decimal(weights[key]) * Decimal(scores[key]) for key in scored) / total_weight


def review_score(scores: dict, weights: dict) -> Decimal | None:
    """Weighted mean of one review's scores, to two places; None without any weight."""
    mean = weighted_mean(scores, weights)
    return None if mean is None else _round(mean)


def criteria_weights(call) -> dict:
    """{criterion id (str): weight} of one call."""
    return {str(c.pk): c.weight for c in call.criteria.all()}


def counted_reviews(applications) -> dict:
    """{application id: [submitted reviews]}, without those of conflicted jurors. Two queries."""
    ids = [a.pk for a in applications]
    conflicted = set(
        JuryAssignment.objects.filter(application_id__in=ids, conflict_of_interest=True).values_list(
            "application_id", "juror_id"
        )
    )
    by_application = {}
    for review in Review.objects.filter(application_id__in=ids, submitted_at__isnull=False).order_by("pk"):
        if (review.application_id, review.juror_id) in conflicted:
            continue
        by_application.setdefault(review.application_id, []).append(review)
    return by_application


def sort_key(ranked: Ranked):
    """Best average first, then more coups de cœur; unscored last; stable by application id."""
    return (ranked.average is None, -(ranked.average or 0), -ranked.coups_de_coeur, ranked.application.pk)


def rank(call, applications) -> list[Ranked]:
    """Rank `applications` (of `call` or its translations), best first; ties go to more coups
    de cœur; unscored ones last. Three queries."""
    applications = list(applications)
    # The criteria of every call involved, in one query (the model is reached through the
    # call: this app does not import the calls app).
    call_ids = {call.pk} | {a.call_id for a in applications}
    weights_by_call = {}
    for criterion in call.criteria.model.objects.filter(page_id__in=call_ids):
        weights_by_call.setdefault(criterion.page_id, {})[str(criterion.pk)] = criterion.weight
    by_application = counted_reviews(applications)
    ranked = []
    for application in applications:
        weights = weights_by_call.get(application.call_id, {})
        reviews = by_application.get(application.pk, [])
        means = [m for m in (weighted_mean(r.scores, weights) for r in reviews) if m is not None]
        average = _round(sum(means) / len(means)) if means else None
        spread = _round(max(means) - min(means)) if means else None
        hearts = sum(1 for r in reviews if r.coup_de_coeur)
        ranked.append(Ranked(application, average, len(means), spread, hearts))
    ranked.sort(key=sort_key)
    return ranked
