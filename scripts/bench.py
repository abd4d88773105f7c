#!/usr/bin/env python
"""Benchmark the site under gunicorn and write docs/performance.md (`make bench`).

1. A site of its own (tests/browser/liveserver.py): a temporary SQLite database, or with
   `--pg` / DATABASE_URL on PostgreSQL a separate `<name>_bench` database dropped at the end;
   `migrate`, `load_demo_data`, `collectstatic`, gunicorn with the production settings and
   2 workers on 127.0.0.1, the task worker beside it; the cache in Redis with `--redis URL`
   (the database number is flushed), otherwise the production default (a folder).
2. The four main pages on the demo content alone, without the page cache: SQL queries per
   request and requests per second, to compare with the baseline (5).
3. A large territory seeded besides the demo (scripts/bench_seed.py): 1 000 campaigns,
   400 000 pledges of which one campaign holds half (a campaign page with 200 000 pledges, and
   200 000 over the others), 5 000 applications.
4. Per page (home, a theme, the project index, a campaign page, a copy of it with 10 pledges
   and one with the large share): queries per request and req/s with `wrk`, cached
   (anonymous, no cookie) and uncached (`Cookie: sessionid=bench` bypasses the page cache),
   beside a static file served by whitenoise from the same server: the ceiling of this stack
   on this machine. `X-Page-Cache` probes say whether the cached run was served from the cache.
5. Baseline: the same pages served by the code of an earlier revision (`--baseline REV`,
   default 204d0a7, before issue 12), on its own demo site up beside this one, with the same
   wrk settings, each page measured on both one right after the other (step 2), so both
   see the same load (scripts/bench_baseline.py).
6. Pledges per second (scripts/bench_pledges.py): one campaign sequentially; on PostgreSQL
   also one campaign and several campaigns from several processes at once.
7. Page weight without images: HTML, CSS, JavaScript and fonts of the home and a campaign page.
8. Lighthouse scores through scripts/lighthouse.py when it and Chromium are there.
9. docs/performance.md: the tables, then a capacity plan computed from these figures
   (scripts/bench_report.py).

Only 127.0.0.1 is contacted. Every step has a time limit. `--quick`: small sizes, no baseline
(2–3 minutes on an idle machine); the full run takes about 10 minutes on two cores.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gzip
import http.client
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "browser"))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_baseline import baseline_site  # noqa: E402
from bench_report import load_average, render  # noqa: E402
from liveserver import LiveServerError, LiveSite, live_site, shell_json  # noqa: E402

OUTPUT = ROOT / "docs" / "performance.md"
LAST_RUN = ROOT / "var" / "bench-last.pickle"  # the figures of the last run, for --render-only
PG_BENCH_URL = "postgres://postgres@127.0.0.1:5432/coupdepouce_bench"
DEFAULT_BASELINE = "204d0a7"
UNCACHED_COOKIE = "sessionid=bench"
MAIN_PAGES = ("Home", "Theme page", "Project index", "Campaign page")

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

# Run in `manage.py shell` on a site (this revision's or the baseline's): per page, the SQL
# queries and cache operations of one request after a warm-up, and the median time of more.
QUERIES_SCRIPT = r"""
import contextlib, json, statistics, time
from django.core.cache import caches
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

spec = json.loads(__SPEC__)
backend = caches["default"]
calls = [0]
for name in ("get", "get_many", "set", "set_many", "add", "delete", "delete_many", "incr", "touch", "has_key"):
    original = getattr(backend, name)
    def counted(*args, __original=original, **kwargs):
        calls[0] += 1
        return __original(*args, **kwargs)
    setattr(backend, name, counted)

def fetch(client, path, mode):
    client.cookies.clear()
    if mode == "uncached":
        client.cookies["sessionid"] = "bench"
    # "anonymous": what an anonymous visitor's render costs, the page cache switched off.
    with override_settings(PAGE_CACHE_SECONDS=0) if mode == "anonymous" else contextlib.nullcontext():
        response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code} in-process")
    return response

out = {}
client = Client(HTTP_HOST="127.0.0.1")
for name, path in spec["paths"].items():
    out[name] = {}
    for mode in spec["modes"]:
        fetch(client, path, mode)
        calls[0] = 0
        with CaptureQueriesContext(connection) as captured:
            response = fetch(client, path, mode)
        sql = [q["sql"] for q in captured.captured_queries]
        cache_calls = calls[0]
        times = []
        for _ in range(spec["samples"]):
            started = time.perf_counter()
            fetch(client, path, mode)
            times.append((time.perf_counter() - started) * 1000)
        out[name][mode] = {
            "queries": len(sql), "sql": sql, "median_ms": statistics.median(times),
            "cache_calls": cache_calls, "page_cache": response.headers.get("X-Page-Cache"),
            "bytes": len(response.content),
        }
print(json.dumps(out))
"""


@dataclass
class Load:
    requests_per_second: float
    p50_ms: float | None
    p99_ms: float | None
    errors: int
    tool: str


@dataclass
class Measure:
    """One page in one mode: queries in-process, then load over HTTP."""

    queries: int | None = None
    median_ms: float | None = None
    cache_calls: int | None = None
    page_cache: str | None = None
    load: Load | None = None
    probes: list[str] = field(default_factory=list)
    html_bytes: int | None = None


@dataclass
class Row:
    name: str
    path: str
    modes: dict[str, Measure] = field(default_factory=dict)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# Load generation -------------------------------------------------------------------


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def run_wrk(url: str, threads: int, connections: int, duration: int, headers: dict[str, str]) -> Load:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run([*command, url], capture_output=True, text=True, timeout=duration + 30, check=True)
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


def run_python_load(url: str, connections: int, duration: int, headers: dict[str, str]) -> Load:
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
                conn.request("GET", path, headers=headers)
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


def measure_load(url: str, args, headers: dict[str, str] | None = None) -> Load:
    headers = headers or {}
    if shutil.which("wrk") and not args.python_load:
        return run_wrk(url, args.threads, args.connections, args.duration, headers)
    return run_python_load(url, args.connections, args.duration, headers)


def get(url: str, headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - 127.0.0.1 only
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()


def warm_up(site: LiveSite, path: str, headers: dict[str, str] | None = None, times: int = 4) -> None:
    """A few requests so every worker has its caches and image renditions exist."""
    for _ in range(times):
        status, _headers, _body = get(site.url(path), headers)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")


def probe(site: LiveSite, path: str) -> str:
    """The X-Page-Cache header of one anonymous request ("hit", "miss" or "none")."""
    return get(site.url(path))[1].get("x-page-cache", "none")


# Queries per request -------------------------------------------------------------


def count_queries(site: LiveSite, paths: dict[str, str], modes: tuple[str, ...], samples: int = 15) -> dict:
    """{page: {mode: {...}}} from QUERIES_SCRIPT, run in the site's own `manage.py shell`."""
    spec = json.dumps({"paths": paths, "modes": list(modes), "samples": samples})
    return shell_json(site, QUERIES_SCRIPT.replace("__SPEC__", repr(spec)), timeout=600)


def static_path(site: LiveSite) -> str:
    """The hashed URL of the site's stylesheet, as whitenoise serves it."""
    manifest = Path(site.env["STATIC_ROOT"]) / "staticfiles.json"
    paths = json.loads(manifest.read_text())["paths"]
    name = paths.get("css/site.css") or next(v for k, v in sorted(paths.items()) if k.endswith(".css"))
    return f"/static/{name}"


def count_rows(site: LiveSite, targets: dict[str, str], modes: tuple[str, ...], args) -> list[Row]:
    """One Row per page of `targets` with its queries (in-process) in every mode; no load yet."""
    counted = count_queries(site, targets, modes, samples=args.samples)
    rows = []
    for name, path in targets.items():
        row = Row(name, path)
        for mode in modes:
            found = counted[name][mode]
            row.modes[mode] = Measure(
                queries=found["queries"],
                median_ms=found["median_ms"],
                cache_calls=found["cache_calls"],
                page_cache=found["page_cache"],
                html_bytes=found["bytes"],
            )
            if args.show_queries:
                log(f"bench: {name} {mode}:")
                for sql in found["sql"]:
                    log(f"    {sql[:300]}")
        rows.append(row)
    return rows


def load_row(site: LiveSite, row: Row, mode: str, args, label: str) -> None:
    """Requests per second of one page in one mode (`X-Page-Cache` probed around a cached run)."""
    measure = row.modes[mode]
    headers = {"Cookie": UNCACHED_COOKIE} if mode == "uncached" else {}
    warm_up(site, row.path, headers)
    if mode == "cached":
        measure.probes.append(probe(site, row.path))
    measure.load = measure_load(site.url(row.path), args, headers)
    if mode == "cached":
        measure.probes.append(probe(site, row.path))
    log(
        f"bench: [{label}] {row.name} {mode}: {measure.queries} queries, {measure.median_ms:.1f} ms in-process, "
        f"{measure.load.requests_per_second:.0f} req/s"
        + (f", X-Page-Cache {'/'.join(measure.probes)}" if measure.probes else "")
    )


def measure_pages(
    site: LiveSite, targets: dict[str, str], modes: tuple[str, ...], args, label: str, counted_only=()
) -> list[Row]:
    """Queries (in-process) and load (HTTP) of every page of `targets` in every mode; queries
    only in the modes `counted_only`."""
    rows = count_rows(site, targets, (*counted_only, *modes), args)
    for row in rows:
        for mode in modes:
            load_row(site, row, mode, args, label)
    return rows


def measure_static(site: LiveSite, args) -> Row:
    path = static_path(site)
    warm_up(site, path)
    row = Row("Static file (whitenoise)", path, {"static": Measure(load=measure_load(site.url(path), args))})
    log(f"bench: static file: {row.modes['static'].load.requests_per_second:.0f} req/s")
    return row


# Page weight ------------------------------------------------------------------------


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        rel = (attrs.get("rel") or "").lower().split()
        if (
            tag == "link"
            and attrs.get("href")
            and ("stylesheet" in rel or attrs.get("as") in {"font", "script", "style"})
        ):
            kind = {"font": "font", "script": "js"}.get(attrs.get("as"), "css")
            self.found.append((kind, attrs["href"]))
        elif tag == "script" and attrs.get("src"):
            self.found.append(("js", attrs["src"]))


@dataclass
class Weight:
    name: str
    path: str
    parts: list[tuple[str, str, int, int]]  # (kind, url, raw bytes, gzip bytes)

    @property
    def raw(self) -> int:
        return sum(part[2] for part in self.parts)

    @property
    def gzipped(self) -> int:
        return sum(part[3] for part in self.parts)

    def by_kind(self, kind: str) -> tuple[int, int]:
        return (
            sum(p[2] for p in self.parts if p[0] == kind),
            sum(p[3] for p in self.parts if p[0] == kind),
        )


def page_weight(site: LiveSite, name: str, path: str) -> Weight:
    """HTML, CSS, JavaScript and fonts (from the CSS's url(...)) of one anonymous page view;
    gzip at level 6 computed here, as a proxy or whitenoise's .gz files would send them."""
    _status, _headers, html = get(site.url(path))
    parts = [("html", path, len(html), len(gzip.compress(html, 6)))]
    parser = _Assets()
    parser.feed(html.decode("utf-8", "replace"))
    seen = set()
    queue = [(kind, urljoin(site.url(path), href)) for kind, href in parser.found]
    while queue:
        kind, url = queue.pop(0)
        if url in seen or urlsplit(url).hostname not in {"127.0.0.1", "localhost"}:
            continue
        seen.add(url)
        _status, _headers, body = get(url)
        parts.append((kind, urlsplit(url).path, len(body), len(gzip.compress(body, 6))))
        if kind == "css":
            text = body.decode("utf-8", "replace")
            for ref in re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", text):
                if ref.startswith("data:"):
                    continue
                suffix = urlsplit(ref).path.rsplit(".", 1)[-1].lower()
                if suffix in {"woff2", "woff", "ttf", "otf"}:
                    queue.append(("font", urljoin(url, ref)))
    return Weight(name, path, parts)


# Lighthouse (scripts/lighthouse.py, optional) ----------------------------------------


def lighthouse_scores(site: LiveSite, targets: dict[str, str]) -> dict | str:
    try:
        import lighthouse  # scripts/lighthouse.py
    except ImportError:
        return "scripts/lighthouse.py is not there"
    try:
        scores = lighthouse.run({name: site.url(path) for name, path in targets.items()})
    except Exception as exc:  # noqa: BLE001 - reported, the bench goes on
        return f"Lighthouse did not run: {exc}"
    return scores or "Lighthouse is not available on this machine"


# Redis ----------------------------------------------------------------------------------


def redis_benchmark(url: str, size: int) -> dict | None:
    """GETs per second of `size`-byte values from the bench's Redis database (`redis-benchmark`)."""
    if not shutil.which("redis-benchmark") or not size:
        return None
    parts = urlsplit(url)
    db = (parts.path or "/0").lstrip("/") or "0"
    command = ["redis-benchmark", "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 6379)]
    command += ["--dbnum", db, "-t", "set,get", "-n", "10000", "-c", "16", "-d", str(size), "--csv"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    except (subprocess.SubprocessError, OSError):
        return None
    found = re.search(r'^"GET","([\d.]+)"', done.stdout, re.M)
    return {"get": float(found.group(1)), "size": size} if found else None


# Django in this process -------------------------------------------------------------


def setup_django(site: LiveSite) -> None:
    """Configure Django in this process on the site's database (idempotent)."""
    os.environ.update(site.env)
    # The settings module is a shim written in the site's work directory (liveserver.py);
    # PYTHONPATH only reaches subprocesses.
    if str(site.workdir) not in sys.path:
        sys.path.insert(0, str(site.workdir))
    import django

    django.setup()


# The run ---------------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, short loads, no baseline: a smoke run")
    parser.add_argument("--campaigns", type=int, help="campaigns seeded besides the demo (default 1000)")
    parser.add_argument("--pledges", type=int, help="pledges seeded (default 400000)")
    parser.add_argument("--applications", type=int, help="applications seeded (default 5000)")
    parser.add_argument("--top-share", type=float, default=0.5, help="share of the pledges on one campaign (0.5)")
    parser.add_argument("--duration", type=int, help="seconds of load per URL (default 5; 2 with --quick)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (default 16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--samples", type=int, default=15, help="in-process requests per page for the median")
    parser.add_argument("--pg", action="store_true", help=f"run on PostgreSQL ({PG_BENCH_URL})")
    parser.add_argument("--redis", metavar="URL", help="cache in Redis at URL (its database is flushed)")
    parser.add_argument("--baseline", metavar="REV", help=f"revision measured as today's figure ({DEFAULT_BASELINE})")
    parser.add_argument("--no-baseline", action="store_true", help="skip the baseline site")
    parser.add_argument("--no-lighthouse", action="store_true", help="skip Lighthouse")
    parser.add_argument("--processes", type=int, default=4, help="concurrent pledging processes on PostgreSQL (4)")
    parser.add_argument("--pledge-seconds", type=float, help="seconds of each pledges-per-second loop (default 5)")
    parser.add_argument("--pledge-max", type=int, default=20_000, help="most pledges one loop makes (default 20000)")
    parser.add_argument("--uncached-share", type=float, default=0.10, help="capacity plan: uncached views (0.10)")
    parser.add_argument("--peak", type=int, default=500, help="capacity plan: page views per second at peak (500)")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="Markdown file to write")
    parser.add_argument("--no-write", action="store_true", help="print the report, do not write the file")
    parser.add_argument("--python-load", action="store_true", help="use the Python load loop even if wrk exists")
    parser.add_argument("--show-queries", action="store_true", help="print every SQL query of each page")
    parser.add_argument(
        "--render-only", action="store_true", help=f"write the report again from the last run's figures ({LAST_RUN})"
    )
    args = parser.parse_args(argv)
    quick = args.quick
    for name, full, small in [
        ("campaigns", 1000, 50),
        ("pledges", 400_000, 5000),
        ("applications", 5000, 200),
        ("duration", 5, 2),
        ("pledge_seconds", 5, 2),
    ]:
        if getattr(args, name) is None:
            setattr(args, name, small if quick else full)
    if args.no_baseline or (quick and args.baseline is None):
        args.baseline = None
    elif args.baseline is None:
        args.baseline = DEFAULT_BASELINE
    return args


def start_baseline(args, stack: contextlib.ExitStack, context: dict):
    """The baseline revision's demo site (scripts/bench_baseline.py), up until `stack` closes;
    (site, {page: path} of the main pages), or None when it could not start (reported)."""
    log(f"bench: baseline {args.baseline}: worktree, catalogs, migrate, demo content, gunicorn…")
    clock = time.monotonic()
    try:
        site, commit = stack.enter_context(baseline_site(args.baseline, sys.executable, args.workers))
        targets = shell_json(site, TARGETS_SCRIPT)
    except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
        log(f"bench: baseline FAILED: {exc}")
        context["baseline_error"] = str(exc).splitlines()[0][:300]
        stack.close()
        return None
    log(f"bench: baseline up at {site.base_url} in {time.monotonic() - clock:.0f} s")
    context["baseline"] = {"revision": args.baseline, "commit": commit, "rows": [], "static": None}
    return site, {name: targets[name] for name in MAIN_PAGES if targets.get(name)}


def write_report(context: dict, args) -> None:
    report = render(context)
    print(report)
    if not args.no_write:
        args.output.write_text(report, encoding="utf-8")
        log(f"bench: wrote {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.render_only:
        context = pickle.loads(LAST_RUN.read_bytes())  # noqa: S301 - our own file
        write_report(context, args)
        return 0
    started = dt.datetime.now(dt.UTC)
    context: dict = {
        "started": started,
        "loadavg_start": load_average(),
        "args": args,
        "argv": list(sys.argv[1:] if argv is None else argv),
    }
    clock = time.monotonic()
    # gunicorn.conf.py logs every request by default; a proxy does that in production.
    os.environ["GUNICORN_ACCESSLOG"] = ""
    if args.pg:
        os.environ["DATABASE_URL"] = PG_BENCH_URL
    if args.redis:
        os.environ["REDIS_URL"] = args.redis
        os.environ["CACHE_KEY_PREFIX"] = "bench"
    else:
        os.environ.pop("REDIS_URL", None)
    if shutil.which("wrk") and not args.python_load:
        context["load_command"] = f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency URL"
    else:
        context["load_command"] = (
            f"Python keep-alive loop, {args.connections} threads, {args.duration} s per URL (wrk missing)"
        )

    try:
        with contextlib.ExitStack() as baseline_stack, contextlib.ExitStack() as main_stack:
            baseline = start_baseline(args, baseline_stack, context) if args.baseline else None
            log("bench: setting up the site (migrate, load_demo_data, collectstatic, gunicorn)…")
            site = main_stack.enter_context(live_site("bench", workers=args.workers))
            log(f"bench: site up at {site.base_url} in {time.monotonic() - clock:.0f} s ({site.timings})")
            postgres = site.env["DATABASE_URL"].startswith("postgres")
            context["database"] = "PostgreSQL" if postgres else "SQLite (file)"
            context["cache"] = "Redis" if args.redis else "a folder (FileBasedCache, production's default)"
            targets = shell_json(site, TARGETS_SCRIPT)
            missing = [name for name, path in targets.items() if not path]
            if missing:
                raise LiveServerError(f"the demo data has no {', '.join(missing)}")

            # The demo content alone, page by page beside the baseline's same page: both measured
            # within seconds of each other, under the same load from other processes.
            context["static_demo"] = measure_static(site, args)
            context["demo_rows"] = count_rows(site, targets, ("uncached",), args)
            base_rows = {}
            if baseline:
                bsite, btargets = baseline
                try:
                    base_rows = {row.name: row for row in count_rows(bsite, btargets, ("uncached",), args)}
                    context["baseline"]["static"] = measure_static(bsite, args)
                except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
                    log(f"bench: baseline FAILED: {exc}")
                    context["baseline_error"] = str(exc).splitlines()[0][:300]
                    context.pop("baseline")
                    base_rows = {}
            for row in context["demo_rows"]:
                load_row(site, row, "uncached", args, "demo")
                if row.name in base_rows:
                    load_row(bsite, base_rows[row.name], "uncached", args, "baseline")
            if base_rows:
                context["baseline"]["rows"] = list(base_rows.values())
            baseline_stack.close()  # its gunicorn, database and worktree: the rest runs alone

            log(f"bench: seeding {args.campaigns} campaigns, {args.pledges} pledges, {args.applications} applications…")
            setup_django(site)
            import bench_seed
            from django.db import connections

            seeded = bench_seed.seed(
                targets["Campaign page"],
                campaigns=args.campaigns,
                pledges=args.pledges,
                applications=args.applications,
                top_share=args.top_share,
                log=log,
            )
            connections.close_all()
            context["seeded"] = seeded
            log(f"bench: seeded {seeded.counts} in {seeded.seconds}; tree problems: {seeded.tree_problems}")
            targets.update(seeded.paths)

            context["static"] = measure_static(site, args)
            context["rows"] = measure_pages(
                site, targets, ("cached", "uncached"), args, "territory", counted_only=("anonymous",)
            )
            context["static_after"] = measure_static(site, args)

            context["weights"] = [page_weight(site, name, targets[name]) for name in ("Home", "Campaign page")]
            for weight in context["weights"]:
                log(f"bench: weight of {weight.name}: {weight.raw} B raw, {weight.gzipped} B gzip")
            if args.redis:
                top = next(row for row in context["rows"] if row.path == seeded.paths[max(seeded.paths)])
                context["redis_benchmark"] = redis_benchmark(args.redis, top.modes["cached"].html_bytes)
                log(f"bench: redis-benchmark: {context['redis_benchmark']}")

            if not args.no_lighthouse:
                context["lighthouse"] = lighthouse_scores(
                    site, {name: targets[name] for name in ("Home", "Campaign page")}
                )
                log(f"bench: Lighthouse: {context['lighthouse']}")

            import bench_pledges

            from projects.models import CampaignPage

            campaign = CampaignPage.objects.get(slug=bench_seed.TEN_SLUG)
            try:
                context["pledge_queries"] = bench_pledges.queries_per_pledge(campaign)
                log(f"bench: {context['pledge_queries']} queries per pledge")
                context["pledge_rates"] = bench_pledges.measure(
                    campaign,
                    seconds=args.pledge_seconds,
                    limit=args.pledge_max,
                    processes=args.processes,
                    postgres=postgres,
                )
            except Exception as exc:  # noqa: BLE001 - reported; the pages' figures stand
                log(f"bench: pledges FAILED: {exc!r}")
                context["pledge_error"] = repr(exc)[:300]
            for rate in context.get("pledge_rates") or []:
                log(f"bench: {rate.label}: {rate.per_second:.0f} pledges/s ({rate.pledges}, {rate.errors} errors)")
            connections.close_all()
        context["loadavg_main"] = load_average()
    except (LiveServerError, RuntimeError, subprocess.SubprocessError, OSError) as exc:
        log(f"bench: FAILED: {exc}")
        return 1

    context["loadavg_end"] = load_average()
    context["seconds"] = time.monotonic() - clock
    LAST_RUN.parent.mkdir(exist_ok=True)
    LAST_RUN.write_bytes(pickle.dumps(context))
    write_report(context, args)
    log(f"bench: done in {time.monotonic() - clock:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
