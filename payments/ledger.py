"""The ledger: every campaign figure is computed from `Pledge` rows here.

Plain functions, no views, no templates. Amounts are integer cents throughout.
Templates get figures ready: the raised amount, backers, status, bar widths, the matching
segments per sponsor and the public list of backers all come from `CampaignFigures`.
Figures of a campaign aggregate over all its translations (same `translation_key`),
so a pledge made on the English page counts on the French one too.

The raised amount, the backers and the matching are read from the campaign's summary row
(`CampaignTotals`, kept up to date in the transaction of every ledger change; see
`payments.models.totals`), so their cost does not grow with the number of pledges. A campaign
without a row yet has 0 of each. `payments.totals` recomputes the rows from the pledges.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from django.db.models import CharField, Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from coupdepouce import page_cache
from payments import rules
from payments.models import CampaignClosing, CampaignTotals, MatchAllocation, Pledge
from payments.rules import COUNTED_STATUSES, CampaignStatus


def campaign_status(start_at: datetime, end_at: datetime, raised_cents: int, goal_cents: int, now: datetime) -> str:
    """Upcoming before `start_at`, live in [start_at, end_at), then succeeded or failed."""
    if now < start_at:
        return CampaignStatus.UPCOMING
    if now < end_at:
        return CampaignStatus.LIVE
    return CampaignStatus.SUCCEEDED if raised_cents >= goal_cents else CampaignStatus.FAILED


def percent_of(raised_cents: int, goal_cents: int) -> int:
    """Whole percentage reached, floored, allowed past 100."""
    if goal_cents <= 0:
        return 0
    return raised_cents * 100 // goal_cents


def days_left(end_at: datetime, now: datetime) -> int:
    """Whole days left before the end, rounded up; 0 once ended.

    Counted in real elapsed time: both instants go to UTC first, because Python subtracts
    two datetimes sharing a tzinfo (e.g. both Europe/Paris) on the wall clock, which would
    add or lose an hour across a daylight-saving change.
    """
    remaining = end_at.astimezone(UTC) - now.astimezone(UTC)
    if remaining <= timedelta(0):
        return 0
    return math.ceil(remaining / timedelta(days=1))


@dataclass(frozen=True)
class MatchingSegment:
    """One sponsor's part of the progress bar: `percent` is its width, in whole percents."""

    sponsor: str
    amount_cents: int
    percent: int


@dataclass(frozen=True)
class CampaignFigures:
    goal_cents: int
    raised_cents: int
    backers: int
    status: str
    percent: int
    days_left: int
    matched_cents: int = 0
    # Filled by `campaign_figures(..., detailed=True)` for the campaign page only.
    segments: tuple[MatchingSegment, ...] = ()
    recent_backers: tuple = ()

    @property
    def crowd_cents(self) -> int:
        """What backers gave, without sponsors' matching."""
        return self.raised_cents - self.matched_cents

    @property
    def crowd_bar_percent(self) -> int:
        return min(percent_of(self.crowd_cents, self.goal_cents), 100)

    @property
    def matched_bar_percent(self) -> int:
        return max(self.bar_percent - self.crowd_bar_percent, 0)

    @property
    def bar_percent(self) -> int:
        """Width of the progress bar, which stops at 100%."""
        return min(self.percent, 100)

    @property
    def is_live(self) -> bool:
        return self.status == CampaignStatus.LIVE

    @property
    def is_upcoming(self) -> bool:
        return self.status == CampaignStatus.UPCOMING

    @property
    def is_succeeded(self) -> bool:
        return self.status == CampaignStatus.SUCCEEDED

    @property
    def is_failed(self) -> bool:
        return self.status == CampaignStatus.FAILED

    @property
    def is_cancelled(self) -> bool:
        return self.status == CampaignStatus.CANCELLED

    @property
    def status_label(self) -> str:
        return CampaignStatus(self.status).label

    def reached(self, amount_cents: int) -> bool:
        """Whether the raised amount (crowd and matching) covers `amount_cents`."""
        return self.raised_cents >= amount_cents


def figures(
    goal_cents, start_at, end_at, raised_cents, backers, now=None, matched_cents=0, outcome=None
) -> CampaignFigures:
    """Figures of a campaign; `raised_cents` is the crowd's, matching is added on top.

    `outcome` is the result frozen when the campaign was closed (`CampaignClosing`): once
    closed, a succeeded campaign stays succeeded even if a backer's card later fails. A
    cancelled campaign is `cancelled` whatever its dates (staff may cancel it before its end).
    """
    now = now or timezone.now()
    matched_cents = matched_cents or 0
    raised_cents = (raised_cents or 0) + matched_cents
    status = campaign_status(start_at, end_at, raised_cents, goal_cents, now)
    if outcome == CampaignStatus.CANCELLED:
        status = CampaignStatus.CANCELLED
    elif outcome and status in (CampaignStatus.SUCCEEDED, CampaignStatus.FAILED):
        status = outcome
    return CampaignFigures(
        matched_cents=matched_cents,
        goal_cents=goal_cents,
        raised_cents=raised_cents,
        backers=backers or 0,
        status=status,
        percent=percent_of(raised_cents, goal_cents),
        days_left=days_left(end_at, now),
    )


def _totals_row(translation_key) -> tuple[int, int, int]:
    """(raised cents, backers, matched cents) of one campaign from its summary row, in one query."""
    row = (
        CampaignTotals.objects.filter(pk=translation_key)
        .values_list("raised_cents", "backers", "matched_cents")
        .first()
    )
    return row or (0, 0, 0)


def totals_for(translation_key) -> tuple[int, int]:
    """(raised cents, backers) of one campaign, in one query (its summary row)."""
    raised, backers, _matched = _totals_row(translation_key)
    return raised, backers


def matched_for(translation_key) -> int:
    """Matching (abondement) earned by one campaign's counted pledges, in one query (its summary row)."""
    return _totals_row(translation_key)[2]


def matched_by_sponsor(translation_key) -> list[dict]:
    """[{"sponsor": name, "amount_cents": n}] for the bar's segments, in one query."""
    return list(
        MatchAllocation.objects.filter(
            pledge__campaign__translation_key=translation_key, pledge__status__in=COUNTED_STATUSES, released=False
        )
        .values("offer__sponsor__name")
        .annotate(amount_cents=Sum("amount_cents"))
        .order_by("offer__sponsor__name")
    )


def _totals_subquery(field: str):
    """One figure of the campaign's summary row (0 without a row), for an annotation."""
    return Coalesce(
        Subquery(
            CampaignTotals.objects.filter(translation_key=OuterRef("translation_key")).values(field)[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def outcome_for(translation_key):
    """The outcome frozen at the close (or cancellation) of a campaign, or None while it has none."""
    return (
        CampaignClosing.objects.filter(campaign__translation_key=translation_key)
        .values_list("outcome", flat=True)
        .first()
    )


def _outcome_subquery():
    return Subquery(
        CampaignClosing.objects.filter(campaign__translation_key=OuterRef("translation_key")).values("outcome")[:1]
    )


def with_figures(queryset):
    """Annotate a CampaignPage queryset with `raised_cents`, `backer_count`, `matched_cents`
    and `closing_outcome`, in the same query."""
    return queryset.annotate(
        raised_cents=_totals_subquery("raised_cents"),
        backer_count=_totals_subquery("backers"),
        matched_cents=_totals_subquery("matched_cents"),
        closing_outcome=_outcome_subquery(),
    )


def read_totals(campaign):
    """Read a campaign's summary row and its closing in one query and set them on `campaign` as
    `with_figures` annotates them (its `campaign_figures` then runs no query for them).

    Returns the closing (an unsaved `CampaignClosing` with its outcome and the amount raised at the
    close), or None while the campaign has none.
    """
    key = campaign.translation_key
    none = Value(None, output_field=CharField())
    totals = (
        CampaignTotals.objects.filter(pk=key)
        .annotate(row=Value(0), outcome=none)
        .values_list("row", "raised_cents", "backers", "matched_cents", "outcome")
    )
    closing = (
        CampaignClosing.objects.filter(campaign__translation_key=key)
        .annotate(row=Value(1), none_a=Value(0), none_b=Value(0))
        .values_list("row", "raised_cents", "none_a", "none_b", "outcome")
    )
    rows = {row[0]: row[1:] for row in totals.union(closing, all=True)}
    campaign.raised_cents, campaign.backer_count, campaign.matched_cents, _none = rows.get(0, (0, 0, 0, None))
    closed = rows.get(1)
    campaign.closing_outcome = closed[3] if closed else None
    if closed is None:
        return None
    return CampaignClosing(outcome=closed[3], raised_cents=closed[0])


def attach_figures(campaigns) -> None:
    """Set `raised_cents`, `backer_count`, `matched_cents` and `closing_outcome` on campaigns
    already fetched, as `with_figures` annotates them, in one query for all of them (their
    summary rows and closings): cheaper than the annotation's four subqueries per row when a list
    needs no sort or filter on them."""
    campaigns = list(campaigns)
    keys = {campaign.translation_key for campaign in campaigns}
    if not keys:
        return
    none = Value(None, output_field=CharField())
    totals = (
        CampaignTotals.objects.filter(pk__in=keys)
        .annotate(row=Value(0), key=F("translation_key"), outcome=none)
        .values_list("row", "key", "raised_cents", "backers", "matched_cents", "outcome")
    )
    closings = (
        CampaignClosing.objects.filter(campaign__translation_key__in=keys)
        .annotate(row=Value(1), key=F("campaign__translation_key"), none_a=Value(0), none_b=Value(0))
        .values_list("row", "key", "raised_cents", "none_a", "none_b", "outcome")
    )
    found, outcomes = {}, {}
    for row, key, raised, backers, matched, outcome in totals.union(closings, all=True):
        if row == 0:
            found[key] = (raised, backers, matched)
        else:
            outcomes[key] = outcome
    for campaign in campaigns:
        key = campaign.translation_key
        campaign.raised_cents, campaign.backer_count, campaign.matched_cents = found.get(key, (0, 0, 0))
        campaign.closing_outcome = outcomes.get(key)


def _succeeded_q():
    """Ended campaigns that succeeded: the frozen outcome, or the total against the goal."""
    reached = Q(_total_cents__gte=F("goal") * 100)
    return Q(closing_outcome=CampaignStatus.SUCCEEDED) | (Q(closing_outcome__isnull=True) & reached)


def _cancelled_q():
    return Q(closing_outcome=CampaignStatus.CANCELLED)


def filter_status(queryset, status: str, now=None):
    """Filter a queryset annotated by `with_figures` on the derived status (as `figures` derives it)."""
    now = now or timezone.now()
    if status == CampaignStatus.CANCELLED:
        return queryset.filter(_cancelled_q())
    # A cancelled campaign is only "cancelled", whatever its dates.
    not_cancelled = Q(closing_outcome__isnull=True) | ~_cancelled_q()
    if status == CampaignStatus.UPCOMING:
        return queryset.filter(not_cancelled, start_at__gt=now)
    if status == CampaignStatus.LIVE:
        return queryset.filter(not_cancelled, start_at__lte=now, end_at__gt=now)
    ended = queryset.filter(end_at__lte=now).annotate(_total_cents=F("raised_cents") + F("matched_cents"))
    if status == CampaignStatus.SUCCEEDED:
        return ended.filter(_succeeded_q())
    if status == CampaignStatus.FAILED:
        missed = Q(_total_cents__lt=F("goal") * 100)
        return ended.filter(Q(closing_outcome=CampaignStatus.FAILED) | (Q(closing_outcome__isnull=True) & missed))
    return queryset


def rewards_with_stock(rewards_queryset, now=None):
    """Annotate RewardTier rows with `reserved`: units held at `now` (`rules.holding_q`) by
    counted pledges and by pending checkouts that have not expired."""
    now = now or timezone.now()
    reserved = Coalesce(
        Subquery(
            Pledge.objects.filter(rules.holding_q(now), reward__translation_key=OuterRef("translation_key"))
            .filter(campaign__translation_key=OuterRef("page__translation_key"))
            .order_by()
            .values("reward__translation_key")
            .annotate(n=Count("id"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )
    return rewards_queryset.annotate(reserved=reserved)


def site_key_figures(campaigns_queryset, now=None, *, cached_for=None) -> dict:
    """Key figures for the home page over the given campaigns, in two queries.

    The queryset may hold a campaign in several languages (a site's campaigns in every locale):
    each campaign counts once, by its `translation_key`, so every language shows the same figures.
    `cached_for`: the translation key of the page showing them (the home), whose page-cache
    version every pledge of these campaigns, and every publication, purges: the sums over every
    pledge and campaign of the site then run once per change, not once per view, and no longer
    than the next campaign's end (`coupdepouce.page_cache.cached_for_page`).
    """
    now = now or timezone.now()
    keys = campaigns_queryset.values("translation_key")

    def money_figures():
        counted = Pledge.objects.filter(campaign__translation_key__in=keys, status__in=COUNTED_STATUSES)
        # A backer is an email address; offline gifts recorded without one count one each.
        return counted.aggregate(
            raised=Coalesce(Sum("amount_cents"), 0),
            with_email=Count("backer_email", distinct=True, filter=~Q(backer_email="")),
            without_email=Count("pk", filter=Q(backer_email="")),
        )

    def ended_figures():
        return (
            with_figures(campaigns_queryset.filter(end_at__lte=now))
            .annotate(_total_cents=F("raised_cents") + F("matched_cents"))
            .aggregate(
                ended=Count("translation_key", distinct=True),
                funded=Count("translation_key", distinct=True, filter=_succeeded_q()),
            )
        )

    def both():
        return money_figures(), ended_figures()

    if cached_for is None:
        money, ended = both()
    else:
        money, ended = page_cache.cached_for_page(cached_for, "site-key-figures", both)
    ended_count, funded = ended["ended"], ended["funded"]
    return {
        "raised_cents": money["raised"],
        "backers": money["with_email"] + money["without_email"],
        "funded": funded,
        "ended": ended_count,
        "success_rate": round(funded * 100 / ended_count) if ended_count else None,
    }


def matching_segments(translation_key, figures: CampaignFigures) -> tuple[MatchingSegment, ...]:
    """One progress-bar segment per sponsor, in one query (none when nothing was matched).

    Widths are whole percents of the goal, trimmed so that the crowd's and the sponsors'
    segments together never pass the bar's 100 %.
    """
    if not figures.matched_cents:
        return ()
    room = figures.matched_bar_percent
    segments = []
    for row in matched_by_sponsor(translation_key):
        width = min(percent_of(row["amount_cents"], figures.goal_cents), room)
        room -= width
        segments.append(MatchingSegment(row["offer__sponsor__name"], row["amount_cents"], width))
    return tuple(segments)


def backers_list(translation_key, limit=50) -> tuple:
    """Public list of a campaign's backers (all translations), newest first, kept until a pledge
    of the campaign changes (`coupdepouce.page_cache.cached_for_page`).

    The newest `limit` of each translation's page are read along the index on (campaign,
    newest first), one short query per translation, then merged: the same cost with 10 pledges
    or 200 000 (one query over the campaign's translation key would sort every pledge)."""

    def fetch():
        campaign_model = Pledge._meta.get_field("campaign").related_model
        pages = campaign_model._default_manager.filter(translation_key=translation_key).values_list("pk", flat=True)
        newest = []
        for campaign_id in pages:
            newest += (
                Pledge.objects.filter(campaign_id=campaign_id, status__in=COUNTED_STATUSES)
                .only("public_name", "backer_name", "anonymous", "show_amount", "amount_cents", "created_at", "source")
                .order_by("-created_at", "-pk")[:limit]
            )
        newest.sort(key=lambda pledge: (pledge.created_at, pledge.pk), reverse=True)
        return tuple(newest[:limit])

    return page_cache.cached_for_page(translation_key, f"backers-{limit}", fetch)


def campaign_figures(campaign, *, detailed=False, now=None) -> CampaignFigures:
    """Figures of one campaign (a `payments.interface.Campaign`).

    Listings annotate `raised_cents`/`backer_count`/`matched_cents`/`closing_outcome` with
    `with_figures`, so no query runs per card.
    `detailed` adds the matching segments and the newest backers, for the campaign page.
    A lone page reads its summary row (one query) and its closing (one query).
    """
    now = now or timezone.now()
    key = campaign.translation_key
    if hasattr(campaign, "raised_cents") and hasattr(campaign, "backer_count"):
        raised, backers = campaign.raised_cents, campaign.backer_count
        matched = getattr(campaign, "matched_cents", 0)
        outcome = getattr(campaign, "closing_outcome", None)
    else:
        raised, backers, matched = _totals_row(key)
        # Read even while live by its dates: a campaign may be cancelled before its end.
        outcome = outcome_for(key)
    result = figures(
        campaign.goal_cents,
        campaign.start_at,
        campaign.end_at,
        raised,
        backers,
        now=now,
        matched_cents=matched,
        outcome=outcome,
    )
    if not detailed:
        return result
    return replace(result, segments=matching_segments(key, result), recent_backers=backers_list(key))


__all__ = [
    "CampaignFigures",
    "MatchingSegment",
    "attach_figures",
    "backers_list",
    "campaign_figures",
    "campaign_status",
    "days_left",
    "figures",
    "filter_status",
    "matched_for",
    "matching_segments",
    "percent_of",
    "read_totals",
    "rewards_with_stock",
    "site_key_figures",
    "totals_for",
    "with_figures",
]
