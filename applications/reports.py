"""Figures of a call's applications for staff: what was received, by status, theme and
territory, the amounts requested, and the jury's ranking. Every figure is computed here;
the admin only displays them.

A call's figures cover every translation of the call (same `translation_key`), as
`results.laureates` does. "Received" means submitted once (`submitted_at` set), whatever
happened next; drafts are only counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from applications.models import Application
from applications.ranking import Ranked, rank
from applications.status import REVIEWABLE, ApplicationStatus

TWO_PLACES = Decimal("0.01")


@dataclass
class Line:
    key: object
    label: str
    count: int


@dataclass
class CallSummary:
    call: object
    received: int = 0
    drafts: int = 0
    by_status: list[Line] = field(default_factory=list)
    by_theme: list[Line] = field(default_factory=list)
    by_territory: list[Line] = field(default_factory=list)
    amount_total: int = 0  # euros
    amount_count: int = 0  # received applications that give an amount
    amount_mean: Decimal | None = None  # euros, two places

    @property
    def amount_mean_cents(self):
        return None if self.amount_mean is None else int(self.amount_mean * 100)


def applications_of(call):
    """Every application to `call` or one of its translations."""
    return Application.objects.filter(call__translation_key=call.translation_key)


def received_of(call):
    return applications_of(call).filter(submitted_at__isnull=False)


def call_summary(call) -> CallSummary:
    """The figures of `call` in five queries, whatever the number of applications."""
    summary = CallSummary(call=call)
    counts = applications_of(call).aggregate(
        received=Count("pk", filter=Q(submitted_at__isnull=False)),
        drafts=Count("pk", filter=Q(status=ApplicationStatus.DRAFT)),
        amount_total=Sum("amount_requested", filter=Q(submitted_at__isnull=False)),
        amount_count=Count("amount_requested", filter=Q(submitted_at__isnull=False)),
    )
    summary.received = counts["received"]
    summary.drafts = counts["drafts"]
    summary.amount_total = counts["amount_total"] or 0
    summary.amount_count = counts["amount_count"]
    if summary.amount_count:
        summary.amount_mean = (Decimal(summary.amount_total) / summary.amount_count).quantize(
            TWO_PLACES, rounding=ROUND_HALF_UP
        )

    received = received_of(call)
    by_status = dict(received.values_list("status").annotate(n=Count("pk")))
    summary.by_status = [
        Line(status, status.label, by_status.get(status.value, 0))
        for status in ApplicationStatus
        if status != ApplicationStatus.DRAFT
    ]

    through = Application.themes.through
    themes = (
        through.objects.filter(application__in=received)
        .values("themepage__translation_key")
        .annotate(n=Count("application", distinct=True))
        .order_by("-n")
    )
    titles = _theme_titles(call, [row["themepage__translation_key"] for row in themes])
    summary.by_theme = [
        Line(row["themepage__translation_key"], titles.get(row["themepage__translation_key"], ""), row["n"])
        for row in themes
    ]
    summary.by_theme.sort(key=lambda line: (-line.count, line.label))

    territories = received.values("territory_id", "territory__name").annotate(n=Count("pk"))
    summary.by_territory = sorted(
        (Line(row["territory_id"], row["territory__name"] or _("No territory"), row["n"]) for row in territories),
        key=lambda line: (-line.count, line.key is None, line.label),
    )
    return summary


def _theme_titles(call, keys):
    """{translation key: title} of themes, in the call's language when translated (one query)."""
    model = Application.themes.field.related_model
    titles = {}
    for page in model.objects.filter(translation_key__in=keys).order_by("pk"):
        if page.translation_key not in titles or page.locale_id == call.locale_id:
            titles[page.translation_key] = page.title
    return titles


def ranking(call) -> list[Ranked]:
    """The jury's ranking of the call's reviewable applications (every translation), best first.

    `ranking.rank` scores each application on the criteria of its own call page.
    """
    applications = applications_of(call).filter(status__in=REVIEWABLE).select_related("call", "applicant")
    return rank(call, applications.order_by("pk"))
