"""A large territory for `make bench`, beside the demo content (scripts/bench.py).

Runs in a process where Django is set up on the bench site's database (bench.setup_django).

- Campaigns: `campaigns` real CampaignPage pages under the project index, added with
  `add_child` (treebeard paths, one page at a time: a valid tree, checked at the end with
  `Page.find_problems()`, what `manage.py fixtree` reports), each with one or two themes,
  a territory, the demo campaign's story, image and texts; most open, some ended.
- Two copies of the benchmarked demo campaign (its rewards and story included): one with
  10 pledges, one holding `top_share` of all pledges, so the two pages differ only in their
  pledges.
- Pledges: `bulk_create` (no signal), then `payments.totals.rebuild()`, which the ledger's own
  transitions would have kept up to date.
- Applications: `applications` submitted or decided applications spread over the demo's calls,
  from applicants created with `bulk_create` (unusable passwords: no hashing).
- On PostgreSQL, `ANALYZE`, as autovacuum would after such a load.
- Then the whole default cache is cleared (page cache, page surroundings).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from datetime import timedelta

from bench_report import Seeded
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from wagtail.models import Locale, Page

from accounts.models import User
from applications.models import Application
from applications.status import ApplicationStatus
from calls.models import CallForProjectsPage
from payments.models import Pledge
from payments.rules import PledgeStatus
from projects.models import CampaignPage, ProjectIndexPage, Territory
from themes.models import ThemePage

try:  # the summary rows of issue 12; the baseline revision computes figures from the ledger
    from payments import totals
except ImportError:  # pragma: no cover - older revisions
    totals = None

BATCH = 2000
TOP_SLUG = "bench-top-campaign"
TEN_SLUG = "bench-10-pledges"


def thousands(number: int) -> str:
    """10 000, as the report writes numbers."""
    return f"{number:,}".replace(",", "\u202f")


def _timed(seconds: dict, name: str):
    class Timer:
        def __enter__(self):
            self.started = time.monotonic()

        def __exit__(self, *exc):
            seconds[name] = time.monotonic() - self.started

    return Timer()


def _copy(original: CampaignPage, slug: str, title: str) -> CampaignPage:
    existing = CampaignPage.objects.filter(slug=slug).first()
    if existing is not None:
        return existing
    return original.copy(
        to=original.get_parent(),
        update_attrs={"slug": slug, "title": title},
        keep_live=True,
        copy_revisions=False,
        log_action=None,
    )


def _campaigns(template: CampaignPage, count: int, log: Callable[[str], None]) -> list[CampaignPage]:
    """`count` campaigns under the template's index: most open (ending in 1–60 days), one in
    five ended; one or two themes and a territory each, in turn."""
    index = ProjectIndexPage.objects.get(pk=template.get_parent().pk)
    fr = Locale.objects.get(language_code="fr")
    themes = list(ThemePage.objects.live().filter(locale=fr).order_by("path"))
    territories = list(Territory.objects.order_by("pk")) or [None]
    now = timezone.now()
    pages = []
    started = time.monotonic()
    for i in range(count):
        ended = i % 5 == 4
        start_at = now - timedelta(days=40 if ended else 1 + i % 20)
        end_at = now - timedelta(days=1 + i % 30) if ended else now + timedelta(days=1 + i % 60)
        page = CampaignPage(
            title=f"Projet du territoire n° {i + 1}",
            slug=f"territoire-{i + 1:05d}",
            locale=fr,
            summary=template.summary,
            holder_name=f"Association n° {i + 1}",
            holder_kind=template.holder_kind,
            goal=1000 + (i % 40) * 250,
            funding_model=template.funding_model,
            start_at=start_at,
            end_at=end_at,
            territory=territories[i % len(territories)],
            story=template.story.get_prep_value(),
            hero_image=template.hero_image,
        )
        if themes:
            page.themes = [themes[i % len(themes)]] + ([themes[(i + 3) % len(themes)]] if i % 2 else [])
        pages.append(index.add_child(instance=page))
        if (i + 1) % 250 == 0:
            log(f"bench: {i + 1} campaigns ({time.monotonic() - started:.0f} s)")
    return pages


def _pledge(campaign: CampaignPage, n: int, status: str) -> Pledge:
    return Pledge(
        campaign=campaign,
        amount_cents=1000 + (n % 50) * 100,
        backer_name=f"Contributeur {n}",
        backer_email=f"bench-{n}@example.org",
        public_name="" if n % 3 == 0 else f"Contributeur {n}",
        anonymous=n % 3 == 0,
        show_amount=n % 2 == 0,
        status=status,
        source=Pledge.Source.ONLINE,
        provider="demo",
        funding_model=campaign.funding_model,
        language="fr",
    )


def _pledges(plan: list[tuple[CampaignPage, int]]) -> int:
    """bulk_create `count` pledges per campaign of `plan`: committed, one in twenty failed."""
    serial = itertools.count()

    def rows():
        for campaign, count in plan:
            for _ in range(count):
                n = next(serial)
                yield _pledge(campaign, n, PledgeStatus.FAILED if n % 20 == 19 else PledgeStatus.COMMITTED)

    made = 0
    iterator = rows()
    while batch := list(itertools.islice(iterator, BATCH)):
        Pledge.objects.bulk_create(batch, batch_size=BATCH)
        made += len(batch)
    return made


def _applications(count: int) -> int:
    calls = list(CallForProjectsPage.objects.filter(locale__language_code="fr").order_by("path"))
    if not calls or not count:
        return 0
    applicants = max(1, count // 5)
    User.objects.bulk_create(
        [
            User(email=f"candidat-bench-{i}@example.org", full_name=f"Candidat {i}", password=UNUSABLE_PASSWORD_PREFIX)
            for i in range(applicants)
        ],
        batch_size=BATCH,
    )
    users = list(User.objects.filter(email__startswith="candidat-bench-").order_by("pk"))
    statuses = [
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.ELIGIBLE,
        ApplicationStatus.INELIGIBLE,
        ApplicationStatus.SHORTLISTED,
        ApplicationStatus.NOT_SELECTED,
        ApplicationStatus.DRAFT,
    ]
    now = timezone.now()
    made = 0
    for start in range(0, count, BATCH):
        batch = []
        for i in range(start, min(count, start + BATCH)):
            status = statuses[i % len(statuses)]
            draft = status == ApplicationStatus.DRAFT
            batch.append(
                Application(
                    call=calls[i % len(calls)],
                    applicant=users[i % len(users)],
                    reference=None if draft else f"AAP-BENCH-{i + 1:06d}",
                    status=status,
                    title=f"Projet candidat n° {i + 1}",
                    summary="Un projet proposé par des habitants du quartier.",
                    holder_name=f"Collectif n° {i + 1}",
                    amount_requested=500 + (i % 30) * 250,
                    answers={},
                    language="fr",
                    submitted_at=None if draft else now - timedelta(minutes=i),
                )
            )
        Application.objects.bulk_create(batch, batch_size=BATCH)
        made += len(batch)
    return made


def seed(
    template_path: str,
    *,
    campaigns: int,
    pledges: int,
    applications: int,
    top_share: float = 0.5,
    log: Callable[[str], None] = print,
) -> Seeded:
    """Seed the territory; returns the paths of the two copies of the template campaign."""
    live = CampaignPage.objects.live().order_by("path")
    template = next((page for page in live if page.get_url() == template_path), None) or live.first()
    seconds: dict[str, float] = {}
    top_count = min(pledges, max(10, int(pledges * top_share)))
    with _timed(seconds, "campaigns"), transaction.atomic():
        ten = _copy(template, TEN_SLUG, f"{template.title} (10 contributions)")
        top = _copy(template, TOP_SLUG, f"{template.title} ({top_count} contributions)")
        pages = _campaigns(template, campaigns, log)
    rest = max(0, pledges - top_count - 10)
    plan = [(ten, 10), (top, top_count)]
    if pages:
        share, extra = divmod(rest, len(pages))
        # Uneven as real campaigns are: every page its share, the first ones a little more.
        plan += [(page, share + (1 if i < extra else 0)) for i, page in enumerate(pages)]
    with _timed(seconds, "pledges"), transaction.atomic():
        made = _pledges(plan)
        if totals is not None:
            totals.rebuild()  # bulk_create sends no signal: the summary rows are rebuilt
    with _timed(seconds, "applications"), transaction.atomic():
        submitted = _applications(applications)
    if connection.vendor == "postgresql":
        with _timed(seconds, "analyze"), connection.cursor() as cursor:
            # What autovacuum does after a bulk load: without fresh statistics the planner takes
            # the pledges for a small table and scans them.
            cursor.execute("ANALYZE")
    with _timed(seconds, "tree check"):
        problems = Page.find_problems()
    tree_problems = sum(len(found) for found in problems)
    cache.clear()  # pages and surroundings cached before the seeding
    return Seeded(
        paths={
            "Campaign page, 10 pledges": ten.get_url(),
            f"Campaign page, {thousands(top_count)} pledges": top.get_url(),
        },
        counts={
            "campaigns": len(pages) + 2,
            "pledges": made,
            "top pledges": top_count,
            "applications": submitted,
            "pages": Page.objects.count(),
        },
        seconds=seconds,
        tree_problems=tree_problems,
    )
