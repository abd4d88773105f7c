"""Pledges per second for `make bench` (scripts/bench.py), in the bench process (Django set up).

Each pledge goes through the demo provider as the demo checkout does: `services.create_pledge`
(campaign and reward rows locked, every rule checked, a `PledgeEvent`) then
`services.transition(pledge, "committed")` (row lock, state machine, event, matching, totals
row); no HTTP, no email sending (the task is queued).

- One campaign, sequential: one process in a loop.
- One campaign, N processes at once: pledges of one campaign are serialised on its row by
  design, so this shows what the lock costs when a campaign goes viral.
- N campaigns, N processes, each on its own campaign: how the ledger scales across campaigns.

The concurrent runs fork worker processes (as gunicorn's workers are), each with its own
database connection; only on PostgreSQL (SQLite has one writer at a time).
"""

from __future__ import annotations

import multiprocessing
import time

from bench_report import PledgeRate
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coupdepouce.models import PlatformSettings
from payments import services
from payments.rules import PledgeStatus
from projects.models import CampaignPage


def _loop(campaign_pk: int, seconds: float, limit: int, tag: str) -> tuple[int, int, float]:
    """Pledge to one campaign until `seconds` pass or `limit` pledges are made: (made, errors, elapsed)."""
    campaign = CampaignPage.objects.get(pk=campaign_pk)
    done = errors = 0
    started = time.perf_counter()
    deadline = started + seconds
    while done < limit and time.perf_counter() < deadline:
        request = services.PledgeRequest(
            amount_cents=2500, backer_name=f"Rapide {tag}-{done}", backer_email=f"rapide-{tag}-{done}@example.org"
        )
        try:
            pledge = services.create_pledge(campaign, request, provider="demo")
            services.transition(pledge, PledgeStatus.COMMITTED, actor="bench", note="demo checkout")
        except Exception:  # noqa: BLE001 - counted and reported; the bench goes on
            errors += 1
            if errors > 20 and errors > done:
                raise
            continue
        done += 1
    return done, errors, time.perf_counter() - started


def _child(arguments) -> tuple[int, int, float]:
    # Never use (nor close: that would end it for the parent) a connection inherited by fork.
    for conn in connections.all(initialized_only=True):
        conn.connection = None
    try:
        return _loop(*arguments)
    finally:
        connections.close_all()


def open_campaigns(count: int) -> list[CampaignPage]:
    """`count` campaigns that take pledges now (the bench's seeded ones first)."""
    now = timezone.now()
    live = CampaignPage.objects.live().filter(start_at__lte=now, end_at__gt=now, locale__language_code="fr")
    seeded = list(live.filter(slug__startswith="territoire-").order_by("path")[:count])
    return seeded if len(seeded) >= count else list(live.order_by("path")[:count])


def lift_cap(campaign: CampaignPage) -> None:
    """A throw-away database: no over-funding cap, so the loops never hit it."""
    rules = PlatformSettings.for_site(campaign.get_site())
    rules.overfunding_cap_percent = None
    rules.save()


def queries_per_pledge(campaign: CampaignPage) -> int:
    """SQL queries of one pledge (create and commit), after one warm-up pledge."""
    _loop(campaign.pk, 60, 1, "warm")
    with CaptureQueriesContext(connection) as captured:
        _loop(campaign.pk, 60, 1, "count")
    return len(captured.captured_queries) - 1  # the campaign's own lookup in _loop


def measure(campaign: CampaignPage, *, seconds: float, limit: int, processes: int, postgres: bool) -> list[PledgeRate]:
    lift_cap(campaign)
    rates = []
    try:
        made, errors, elapsed = _loop(campaign.pk, seconds, limit, "seq")
        rates.append(PledgeRate("One campaign, sequential", made, elapsed, 1, errors))
    finally:
        connections.close_all()
    if not postgres or processes < 2:
        return rates
    context = multiprocessing.get_context("fork")
    others = [page for page in open_campaigns(processes + 1) if page.pk != campaign.pk][:processes]
    runs = [
        (
            f"One campaign, {processes} processes at once",
            [(campaign.pk, seconds, limit, f"same{i}") for i in range(processes)],
        ),
        (
            f"{len(others)} campaigns, {len(others)} processes, one campaign each",
            [(page.pk, seconds, limit, f"own{i}") for i, page in enumerate(others)],
        ),
    ]
    for label, jobs in runs:
        if not jobs:
            continue
        connections.close_all()  # closed before the fork: the children open their own
        with context.Pool(len(jobs)) as pool:
            results = pool.map(_child, jobs)
        made = sum(result[0] for result in results)
        errors = sum(result[1] for result in results)
        elapsed = max(result[2] for result in results)
        rates.append(PledgeRate(label, made, elapsed, len(jobs), errors))
    return rates
