"""Campaign totals: recompute the summary rows (`CampaignTotals`) from the ledger, or check them.

`payments.models.totals` keeps the rows up to date change by change; this module recomputes
them from scratch (`manage.py rebuild_campaign_totals`, after a `bulk_create` of pledges, and
in the tests that check the incremental rows). The computation takes the models as arguments
so that the data migration that fills the rows the first time runs the same code.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Sum

from coupdepouce import page_cache
from payments.models import CampaignTotals, MatchAllocation, Pledge
from payments.rules import COUNTED_STATUSES


@dataclass(frozen=True)
class Figures:
    raised_cents: int = 0
    backers: int = 0
    matched_cents: int = 0


ZERO = Figures()


def compute(pledge_model=Pledge, allocation_model=MatchAllocation, counted=COUNTED_STATUSES) -> dict:
    """{translation_key: Figures} computed from the ledger, in two queries (campaigns with figures only)."""
    crowd = (
        pledge_model.objects.filter(status__in=counted)
        .order_by()
        .values("campaign__translation_key")
        .annotate(raised=Sum("amount_cents"), backers=Count("pk"))
    )
    matched = (
        allocation_model.objects.filter(released=False, pledge__status__in=counted)
        .order_by()
        .values("pledge__campaign__translation_key")
        .annotate(total=Sum("amount_cents"))
    )
    result = {row["campaign__translation_key"]: Figures(row["raised"], row["backers"]) for row in crowd}
    for row in matched:
        key = row["pledge__campaign__translation_key"]
        result[key] = Figures(result.get(key, ZERO).raised_cents, result.get(key, ZERO).backers, row["total"])
    return {key: figures for key, figures in result.items() if figures != ZERO}


def stored(totals_model=CampaignTotals) -> dict:
    """{translation_key: Figures} as the summary rows hold them (rows of zeros left out)."""
    rows = totals_model.objects.values_list("translation_key", "raised_cents", "backers", "matched_cents")
    figures = {key: Figures(raised, backers, matched) for key, raised, backers, matched in rows}
    return {key: value for key, value in figures.items() if value != ZERO}


def differences() -> dict:
    """{translation_key: (stored Figures, computed Figures)} for every campaign whose row is wrong."""
    expected, actual = compute(), stored()
    return {
        key: (actual.get(key, ZERO), expected.get(key, ZERO))
        for key in sorted(expected.keys() | actual.keys(), key=str)
        if actual.get(key, ZERO) != expected.get(key, ZERO)
    }


def rebuild(pledge_model=Pledge, allocation_model=MatchAllocation, totals_model=CampaignTotals) -> int:
    """Rewrite every summary row from the ledger; returns how many rows changed.

    Runs in one transaction; the rows of campaigns without counted pledges are zeroed. Empties
    the page cache (`coupdepouce.page_cache`)."""
    changed = 0
    with transaction.atomic():
        expected = compute(pledge_model, allocation_model)
        rows = {row.pk: row for row in totals_model.objects.select_for_update()}
        for key in expected.keys() | rows.keys():
            figures = expected.get(key, ZERO)
            row = rows.get(key)
            current = Figures(row.raised_cents, row.backers, row.matched_cents) if row else None
            if current == figures or (row is None and figures == ZERO):
                continue
            totals_model.objects.update_or_create(
                translation_key=key,
                defaults={
                    "raised_cents": figures.raised_cents,
                    "backers": figures.backers,
                    "matched_cents": figures.matched_cents,
                },
            )
            changed += 1
    page_cache.clear()  # stored pages may show figures from before
    return changed


__all__ = ["Figures", "compute", "differences", "rebuild", "stored"]
