#!/usr/bin/env python
"""Benchmark the main pages under gunicorn and write docs/performance.md (`make bench`).

1. A site of its own: a temporary SQLite database (or, with DATABASE_URL pointing at
   PostgreSQL, a separate `<name>_bench` database on that server, dropped at the end),
   `migrate`, `load_demo_data`, `collectstatic`, then gunicorn with the production
   settings and 2 workers on 127.0.0.1 (see tests/browser/liveserver.py, shared with the
   browser tests).
2. SQL queries per request, in-process with Django's test Client and
   CaptureQueriesContext on the same database, after one warm-up request.
3. Requests per second with `wrk -t2 -c16 -d5s` (a bounded threaded Python loop if wrk
   is missing), beside a static file served by whitenoise from the same server: the
   ceiling of this stack on this machine.
4. Money: two copies of the demo campaign page seeded with 10 and 10 000 pledges
   (`bulk_create`), measured like the other pages: the query count must not grow with the
   number of pledges. Then pledges per second through the demo provider, in-process:
   `create_pledge` + `transition(..., "committed")` in a loop for `--pledge-seconds`
   (bounded by `--pledge-max`), as the demo checkout does.

Only 127.0.0.1 is contacted. Every step has a time limit; the whole run takes about a minute.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from liveserver import LiveServerError, LiveSite, live_site, shell_json  # noqa: E402

OUTPUT = ROOT / "docs" / "performance.md"

TARGETS_SCRIPT = r"""
import json
from wagtail.models import Locale
from home.models import HomePage
from projects.models import CampaignPage, ProjectIndexPage
from themes.models import ThemePage

fr = Locale.objects.get(language_code="fr")
url = lambda qs: (lambda p: p.get_url() if p is not None else None)(qs.first())
live = CampaignPage.objects.live().filter(locale=fr)
print(json.dumps({
    "Home": url(HomePage.objects.live().filter(locale=fr)),
    "Theme page": url(ThemePage.objects.live().filter(locale=fr).order_by("path")),
    "Project index": url(ProjectIndexPage.objects.live().filter(locale=fr)),
    "Campaign page": url(live.filter(rewards__isnull=False).distinct().order_by("path") or live.order_by("path")),
}))
"""


@dataclass
class Load:
    requests_per_second: float
    p50_ms: float | None
    p99_ms: float | None
    errors: int
    tool: str


@dataclass
class Row:
    name: str
    path: str
    queries: int | None
    load: Load | None
    render_ms: float | None = None


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# Load generation -------------------------------------------------------------------


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def run_wrk(url: str, threads: int, connections: int, duration: int) -> Load:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency", url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 30, check=True)
    out = done.stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not rps:
        raise RuntimeError(f"unexpected wrk output:\n{out}\n{done.stderr}")
    latency = {
        m.group(1): _ms(m.group(2), m.group(3))
        for m in re.finditer(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
    }
    errors = 0
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non2xx:
        errors += int(non2xx.group(1))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return Load(float(rps.group(1)), latency.get("50"), latency.get("99"), errors, "wrk")


def run_python_load(url: str, connections: int, duration: int) -> Load:
    """Fallback without wrk: `connections` threads with keep-alive for `duration` seconds."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    deadline = time.monotonic() + duration
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker():
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        mine: list[float] = []
        failed = 0
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    failed += 1
            except (OSError, http.client.HTTPException):
                failed += 1
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
                continue
            mine.append((time.monotonic() - started) * 1000)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.monotonic()
    workers = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=duration + 15)
    elapsed = time.monotonic() - started
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] if latencies else None

    return Load(len(latencies) / elapsed, pct(0.50), pct(0.99), errors[0], "python")


def measure_load(url: str, args) -> Load:
    if shutil.which("wrk") and not args.python_load:
        return run_wrk(url, args.threads, args.connections, args.duration)
    return run_python_load(url, args.connections, args.duration)


# Queries per request -------------------------------------------------------------


@dataclass
class InProcess:
    queries: int
    sql: list[str]
    median_ms: float


def count_queries(site: LiveSite, paths: dict[str, str], samples: int = 15) -> dict[str, InProcess]:
    """SQL queries of one request per page, in-process, after a warm-up request.

    Also the median time of `samples` more requests: the server's own cost of a page,
    without HTTP, gunicorn or the load generator.
    """
    setup_django(site)
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    counts = {}
    try:
        for name, path in paths.items():
            warm = client.get(path)
            if warm.status_code != 200:
                raise RuntimeError(f"{path} answered {warm.status_code} in-process")
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code} in-process")
            # Read now: Django empties the query log when the next request starts.
            sql = [q["sql"] for q in captured.captured_queries]
            times = []
            for _ in range(samples):
                started = time.perf_counter()
                client.get(path)
                times.append((time.perf_counter() - started) * 1000)
            counts[name] = InProcess(len(sql), sql, statistics.median(times))
    finally:
        connections.close_all()
    return counts


def static_path(site: LiveSite) -> str:
    """The hashed URL of the site's stylesheet, as whitenoise serves it."""
    manifest = Path(site.env["STATIC_ROOT"]) / "staticfiles.json"
    paths = json.loads(manifest.read_text())["paths"]
    name = paths.get("css/site.css") or next(v for k, v in sorted(paths.items()) if k.endswith(".css"))
    return f"/static/{name}"


def warm_up(site: LiveSite, path: str, times: int = 4) -> None:
    """A few requests so every worker has its caches and image renditions exist."""
    for _ in range(times):
        with urllib.request.urlopen(site.url(path), timeout=30) as response:
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{path} answered {response.status}")


# Money: a campaign with many pledges, pledges per second --------------------------------

SEEDED_PAGES = {"Campaign page, 10 pledges": 10, "Campaign page, 10 000 pledges": 10_000}


def setup_django(site: LiveSite) -> None:
    """Configure Django in this process on the site's database (idempotent)."""
    os.environ.update(site.env)
    # The settings module is a shim written in the site's work directory (liveserver.py);
    # PYTHONPATH only reaches subprocesses.
    if str(site.workdir) not in sys.path:
        sys.path.insert(0, str(site.workdir))
    import django

    django.setup()


def seed_campaigns(site: LiveSite, template_path: str) -> dict[str, str]:
    """Copy the benchmarked campaign page once per entry of SEEDED_PAGES and give each copy
    that many committed pledges with `bulk_create`; returns {row name: path}."""
    setup_django(site)
    from django.db import connections, transaction

    from payments import totals
    from payments.models import Pledge
    from payments.rules import PledgeStatus
    from projects.models import CampaignPage

    live = CampaignPage.objects.live().order_by("path")
    original = next((page for page in live if page.get_url() == template_path), None) or live.first()
    paths = {}
    try:
        for index, (name, count) in enumerate(SEEDED_PAGES.items()):
            slug = f"bench-{count}-pledges"
            copy = CampaignPage.objects.filter(slug=slug).first()
            if copy is None:
                copy = original.copy(
                    to=original.get_parent(),
                    update_attrs={"slug": slug, "title": f"{original.title} ({count} pledges)"},
                    keep_live=True,
                    copy_revisions=False,
                    log_action=None,
                )
            with transaction.atomic():
                Pledge.objects.filter(campaign=copy).delete()
                Pledge.objects.bulk_create(
                    [
                        Pledge(
                            campaign=copy,
                            amount_cents=1000 + (i % 50) * 100,
                            backer_name=f"Contributeur {i}",
                            backer_email=f"bench{index}-{i}@example.org",
                            public_name="" if i % 3 == 0 else f"Contributeur {i}",
                            anonymous=i % 3 == 0,
                            show_amount=i % 2 == 0,
                            status=PledgeStatus.COMMITTED,
                            source=Pledge.Source.ONLINE,
                            provider="demo",
                            funding_model=copy.funding_model,
                            language="fr",
                        )
                        for i in range(count)
                    ],
                    batch_size=1000,
                )
                totals.rebuild()  # bulk_create sends no signal: the summary rows are rebuilt
            paths[name] = copy.get_url()
    finally:
        connections.close_all()
    return paths


@dataclass
class PledgeRate:
    pledges: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.pledges / self.seconds if self.seconds else 0.0


def pledge_throughput(site: LiveSite, seconds: float, limit: int) -> PledgeRate:
    """Pledges per second through the demo provider, in-process and sequential: create the
    pending pledge (row locks, rules), then commit it (state machine, event, matching)."""
    setup_django(site)
    from django.db import connections

    from coupdepouce.models import PlatformSettings
    from payments import services
    from payments.rules import PledgeStatus
    from projects.models import CampaignPage

    try:
        campaign = CampaignPage.objects.get(slug="bench-10-pledges")
        rules = PlatformSettings.for_site(campaign.get_site())
        # A throw-away database: lift the over-funding cap so the loop never hits it.
        rules.overfunding_cap_percent = None
        rules.save()
        done = 0
        started = time.perf_counter()
        deadline = started + seconds
        while done < limit and time.perf_counter() < deadline:
            request = services.PledgeRequest(
                amount_cents=2500, backer_name=f"Rapide {done}", backer_email=f"rapide{done}@example.org"
            )
            pledge = services.create_pledge(campaign, request, provider="demo")
            services.transition(pledge, PledgeStatus.COMMITTED, actor="bench", note="demo checkout")
            done += 1
        return PledgeRate(done, time.perf_counter() - started)
    finally:
        connections.close_all()


# Report -------------------------------------------------------------------------------


def machine_note() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f"{mem_kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, AttributeError):
        memory = "RAM unknown"
    return f"{os.cpu_count()} cores ({cpu}), {memory}, {platform.system()} {platform.release()}"


def versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    out = [f"Python {platform.python_version()}"]
    for package in ("Django", "wagtail", "gunicorn", "whitenoise"):
        try:
            out.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            pass
    return ", ".join(out)


def fmt(value: float | None, pattern: str = "{:.0f}") -> str:
    return "–" if value is None else pattern.format(value)


def load_average() -> float | None:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def render(rows: list[Row], static: Row, args, database: str, load_command: str, context: dict) -> str:
    ceiling = static.load.requests_per_second if static.load else None
    busy = context.get("loadavg")
    busy_note = f"  Load average when the run started: {busy:.1f}" + (
        " — **other processes were busy, so req/s here is pessimistic**." if busy and busy > 0.5 else "."
    )
    lines = [
        "# Performance",
        "",
        "Written by `make bench` (`scripts/bench.py`); run it again after a change that touches a page's",
        "queries or templates, and commit the new figures with the change.",
        "",
        f"- Date: {context['started'].strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Machine: {machine_note()}.",
        "  **The load generator (wrk) and the server share these cores**, so absolute figures are low",
        "  and noisy (±10–20 % between runs, more if anything else runs): compare pages with each",
        "  other and with the static ceiling, not with another machine.",
        busy_note if busy is not None else None,
        f"- Stack: {versions()}.",
        f"- Server: gunicorn, {args.workers} sync workers, production settings (DEBUG off, whitenoise,",
        f"  file-based cache, CSP header), database {database}, demo content from `load_demo_data`,",
        "  the task worker (`db_worker`) running beside it.",
        f"- Command: `make bench` (= `.venv/bin/python scripts/bench.py`); load: `{load_command}`.",
        "",
        "| Page | URL | SQL queries / request | Server time, in-process (median) | Requests / s"
        " | p50 latency | p99 latency | Share of static ceiling |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    lines = [line for line in lines if line is not None]
    for row in [*rows, static]:
        load = row.load
        share = f"{load.requests_per_second / ceiling:.1%}" if load and ceiling and row is not static else "100%"
        errors = f" ({load.errors} errors)" if load and load.errors else ""
        lines.append(
            f"| {row.name} | `{row.path}` | {fmt(row.queries, '{}')} | {fmt(row.render_ms, '{:.1f} ms')} "
            f"| {fmt(load.requests_per_second if load else None)}{errors} "
            f"| {fmt(load.p50_ms if load else None, '{:.0f} ms')} | {fmt(load.p99_ms if load else None, '{:.0f} ms')} "
            f"| {share} |"
        )
    lines += [
        "",
        "How the figures are taken:",
        "",
        "- *SQL queries / request*: one request per page in-process (Django test Client with",
        "  `CaptureQueriesContext`, same database and settings as the server) after one warm-up",
        "  request, so caches and image renditions already exist. This number does not depend on",
        "  the machine: a rise means a new per-item query (N+1) or a lost `select_related`.",
        "- *Server time*: median of 15 more in-process requests: the cost of the page in Django",
        "  (queries and templates), without HTTP, gunicorn or the load generator. With 2 workers",
        "  and nothing else running, req/s can approach 2 × 1000 / this figure.",
        "- *Requests / s* and latencies: `wrk` against gunicorn on 127.0.0.1 after a few warm-up",
        "  requests per page; anonymous visitors, no HTTP cache in front. With 16 connections on",
        "  2 sync workers, requests queue: p50 latency ≈ 16 / (req/s). In production a reverse",
        "  proxy or CDN cache would serve most anonymous page views without reaching Django.",
        "- *Static ceiling*: the site's stylesheet served by whitenoise from the same gunicorn; no",
        "  Django page on this stack can go faster than that.",
        "- *Campaign page, 10 / 10 000 pledges*: copies of the campaign page above whose pledges",
        "  were seeded with `bulk_create`. Totals, backers and the backer list are aggregates and a",
        "  bounded list: the query count must be the same with 10 000 pledges as with 10.",
        "",
    ]
    rate = context.get("pledge_rate")
    if rate is not None:
        lines += [
            "## Pledges through the demo provider",
            "",
            f"- **{rate.per_second:.0f} pledges / s** ({rate.pledges} pledges in {rate.seconds:.1f} s), database"
            f" {database}.",
            "- In-process and sequential: `services.create_pledge` (campaign and reward rows locked,",
            '  every rule checked, a `PledgeEvent`) then `services.transition(pledge, "committed")` (row',
            "  lock, state machine, event, matching), as the demo checkout does; no HTTP, no email.",
            "  Pledges of one campaign are serialised on its row by design, so this is the ceiling for",
            "  a single campaign, whatever the number of workers.",
            "",
        ]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds of load per URL (default 5)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (default 16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--output", type=Path, default=OUTPUT, help="Markdown file to write (default docs/performance.md)"
    )
    parser.add_argument("--no-write", action="store_true", help="print the table, do not write the file")
    parser.add_argument("--python-load", action="store_true", help="use the Python load loop even if wrk exists")
    parser.add_argument("--show-queries", action="store_true", help="print every SQL query of each page")
    parser.add_argument(
        "--pledge-seconds", type=float, default=5, help="seconds of the pledges-per-second loop (default 5)"
    )
    parser.add_argument("--pledge-max", type=int, default=20_000, help="most pledges the loop makes (default 20000)")
    args = parser.parse_args(argv)

    started = dt.datetime.now(dt.UTC)
    loadavg = load_average()
    clock = time.monotonic()
    if shutil.which("wrk") and not args.python_load:
        load_command = f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency URL"
    else:
        load_command = f"Python keep-alive loop, {args.connections} threads, {args.duration} s per URL (wrk missing)"

    log("bench: setting up the site (migrate, load_demo_data, collectstatic, gunicorn)…")
    try:
        with live_site("bench", workers=args.workers) as site:
            log(f"bench: site up at {site.base_url} in {time.monotonic() - clock:.0f} s ({site.timings})")
            targets = shell_json(site, TARGETS_SCRIPT)
            missing = [name for name, path in targets.items() if not path]
            if missing:
                raise LiveServerError(f"the demo data has no {', '.join(missing)}")
            database = "PostgreSQL" if site.env["DATABASE_URL"].startswith("postgres") else "SQLite (file)"

            log("bench: seeding campaign pages with 10 and 10 000 pledges…")
            targets.update(seed_campaigns(site, targets["Campaign page"]))
            queries = count_queries(site, targets)
            seeded = [queries[name].queries for name in SEEDED_PAGES]
            if len(set(seeded)) != 1:
                log(f"bench: WARNING: query count grows with pledges: {seeded}")
            for name, measured in queries.items():
                log(
                    f"bench: {name} {targets[name]}: {measured.queries} queries, {measured.median_ms:.1f} ms in-process"
                )
                if args.show_queries:
                    for sql in measured.sql:
                        log(f"    {sql[:300]}")

            rows = []
            for name, path in targets.items():
                warm_up(site, path)
                load = measure_load(site.url(path), args)
                log(f"bench: {name}: {load.requests_per_second:.0f} req/s, p50 {fmt(load.p50_ms)} ms")
                rows.append(Row(name, path, queries[name].queries, load, queries[name].median_ms))
            path = static_path(site)
            warm_up(site, path)
            static_load = measure_load(site.url(path), args)
            log(f"bench: static file: {static_load.requests_per_second:.0f} req/s")
            static = Row("Static file (whitenoise)", path, None, static_load)

            pledge_rate = pledge_throughput(site, args.pledge_seconds, args.pledge_max)
            log(f"bench: {pledge_rate.per_second:.0f} pledges/s through the demo provider ({pledge_rate.pledges})")
    except (LiveServerError, RuntimeError, subprocess.SubprocessError, OSError) as exc:
        log(f"bench: FAILED: {exc}")
        return 1

    context = {"started": started, "loadavg": loadavg, "pledge_rate": pledge_rate}
    report = render(rows, static, args, database, load_command, context)
    print(report)
    if not args.no_write:
        args.output.write_text(report, encoding="utf-8")
        log(f"bench: wrote {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")
    log(f"bench: done in {time.monotonic() - clock:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
