"""docs/performance.md from the figures `make bench` measured (scripts/bench.py): the tables,
then a capacity plan computed from them. Nothing here measures; nothing is hand-written."""

from __future__ import annotations

import math
import os
import platform
import re
from dataclasses import dataclass, field
from pathlib import Path

KIB = 1024
WEIGHT_TARGET = 100 * KIB
QUERY_TARGET = 12
CONVERSION = 0.01  # capacity plan: pledges per page view at the peak
HEADROOM = 2  # capacity plan: run at half of what was measured
SAME_COST = 1.25  # "costs the same": server time within 25 % (two pages measured one after the other)
GROWTH = 1.5  # demo alone vs the territory: measured minutes apart, when other processes' load may differ


@dataclass
class Seeded:
    """What scripts/bench_seed.py made."""

    paths: dict[str, str]
    counts: dict[str, int]
    seconds: dict[str, float] = field(default_factory=dict)
    tree_problems: int = 0


@dataclass
class PledgeRate:
    label: str
    pledges: int
    seconds: float
    processes: int = 1
    errors: int = 0

    @property
    def per_second(self) -> float:
        return self.pledges / self.seconds if self.seconds else 0.0


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
    for package in ("Django", "wagtail", "gunicorn", "whitenoise", "psycopg", "redis"):
        try:
            out.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            pass
    return ", ".join(out)


def load_average() -> float | None:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def fmt(value, pattern: str = "{:.0f}") -> str:
    return "–" if value is None else pattern.format(value)


def num(value: float | None) -> str:
    """1 234 (thin spaces), as the rest of the report."""
    return "–" if value is None else f"{value:,.0f}".replace(",", "\u202f")


def per_second(value: float | None) -> str:
    return "–" if value is None else f"{num(value)}/s"


def kib(size: int | None) -> str:
    return "–" if size is None else f"{size / KIB:.1f} KiB"


def rps(measure) -> float | None:
    return measure.load.requests_per_second if measure is not None and measure.load else None


def ratio(a: float | None, b: float | None, pattern: str = "{:.1f}×") -> str:
    return pattern.format(a / b) if a and b else "–"


def share(a: float | None, b: float | None) -> str:
    return f"{a / b:.0%}" if a and b else "–"


def ok(condition: bool | None) -> str:
    return "–" if condition is None else ("yes" if condition else "**no**")


def _static_rps(context) -> float | None:
    values = [rps(context[key].modes["static"]) for key in ("static", "static_after") if context.get(key)]
    values = [value for value in values if value]
    return sum(values) / len(values) if values else None


def _header(context) -> list[str]:
    args = context["args"]
    seeded = context["seeded"]
    loads = [context.get(key) for key in ("loadavg_start", "loadavg_main", "loadavg_end")]
    busy = max((value for value in loads if value is not None), default=None)
    load_note = "  Load average (1 min) at the start, after the main site, at the end: " + " / ".join(
        fmt(value, "{:.1f}") for value in loads
    )
    load_note += (
        " — **other processes were busy, so req/s here is pessimistic**." if busy is not None and busy > 1 else "."
    )
    counts = seeded.counts
    seconds = seeded.seconds
    return [
        "# Performance",
        "",
        "Written by `make bench` (`scripts/bench.py`); run it again after a change that touches a page's",
        "queries or templates, and commit the new figures with the change.",
        "",
        f"- Date: {context['started'].strftime('%Y-%m-%d %H:%M UTC')}; the run took {context['seconds'] / 60:.0f} min.",
        f"- Machine: {machine_note()}.",
        "  **The load generator (wrk) and the server share these cores**, so absolute figures are low",
        "  and noisy (±10–20 % between runs, more if anything else runs): compare pages with each",
        "  other and with the static ceiling measured in the same run, not with another machine.",
        load_note,
        f"- Stack: {versions()}.",
        f"- Server: gunicorn, {args.workers} sync workers, production settings (DEBUG off, whitenoise,",
        f"  CSP header, page cache), database {context['database']}, cache in {context['cache']},",
        "  the task worker (`db_worker`) beside it; no access log (a proxy keeps it in production).",
        f"- Content: the demo, then a territory seeded by `scripts/bench_seed.py`: {num(counts['campaigns'])} campaigns"
        f" ({num(counts['pages'])} pages in all), {num(counts['pledges'])} pledges ({num(counts['top pledges'])} on one"
        f" campaign), {num(counts['applications'])} applications; seeded in"
        f" {sum(seconds.values()):.0f} s ({', '.join(f'{k} {v:.0f} s' for k, v in seconds.items())});"
        f" `Page.find_problems()` (what `fixtree` checks): {seeded.tree_problems} problems.",
        f"- Command: `{' '.join(['scripts/bench.py', *context['argv']])}` (`make bench`); load:"
        f" `{context['load_command']}`.",
        "",
    ]


def _pages(context) -> list[str]:
    static = _static_rps(context)
    lines = [
        "## Pages",
        "",
        "On the demo plus the seeded territory. *Cached*: an anonymous visitor without cookies (the page",
        "cache answers); *uncached*: the same request with `Cookie: sessionid=bench`, as a logged-in",
        "visitor or a first hit costs. Shares are of the static ceiling measured in the same run.",
        "",
        "*Queries, anonymous render*: an anonymous visitor's request with the page cache switched off",
        "(`PAGE_CACHE_SECONDS=0`), what a cache miss costs; *uncached* is the request with the cookie.",
        "",
        "| Page | Queries: anonymous render / uncached / cached | Server time, uncached | Uncached req/s | Share"
        " | Cached req/s | Share | X-Page-Cache (before / after the load) |",
        "|---|--:|--:|--:|--:|--:|--:|---|",
    ]
    for row in context["rows"]:
        cached, uncached = row.modes.get("cached"), row.modes.get("uncached")
        anonymous = row.modes.get("anonymous")
        errors = sum(m.load.errors for m in row.modes.values() if m.load)
        lines.append(
            f"| {row.name} (`{row.path}`) | {fmt(anonymous.queries if anonymous else None, '{}')} /"
            f" {fmt(uncached.queries, '{}')} / {fmt(cached.queries, '{}')} "
            f"| {fmt(uncached.median_ms, '{:.1f} ms')} | {num(rps(uncached))} | {share(rps(uncached), static)} "
            f"| {num(rps(cached))} | {share(rps(cached), static)} | {' / '.join(cached.probes) or '–'}"
            f"{f' ({errors} errors)' if errors else ''} |"
        )
    before, after = (rps(context[key].modes["static"]) for key in ("static", "static_after"))
    lines += [
        f"| Static file (whitenoise, `{context['static'].path}`) | – | – | {num(static)} | 100% | – | – | – |",
        "",
        f"Static ceiling: {num(before)} req/s before the pages, {num(after)} after; the shares use their mean.",
        "",
    ]
    return lines


def _targets(context) -> list[str]:
    static = _static_rps(context)
    rows = {row.name: row for row in context["rows"]}
    main = [rows[name] for name in ("Home", "Theme page", "Project index", "Campaign page") if name in rows]
    seeded = [row for row in context["rows"] if row.name.startswith("Campaign page, ")]
    queries = [row.modes["anonymous"].queries for row in context["rows"]]
    uncached_queries = [row.modes["uncached"].queries for row in context["rows"]]
    baseline = context.get("baseline")
    lines = ["## Issue 12's targets in this run", "", "| Target | Measured | Met |", "|---|---|:-:|"]
    cached_queries = [row.modes["cached"].queries for row in context["rows"]]
    lines.append(
        f"| At most {QUERY_TARGET} SQL queries per page when warm | anonymous render {min(queries)}–{max(queries)},"
        f" uncached {min(uncached_queries)}–{max(uncached_queries)}, cached {min(cached_queries)}–{max(cached_queries)}"
        f" | {ok(max(queries) <= QUERY_TARGET)} |"
    )
    if len(seeded) == 2:
        a, b = seeded
        # "The same": as many queries, and a server time within the noise of this machine, both
        # uncached (what the caches leave) and rendered with every cache of the ledger cold (the
        # anonymous render, page cache off: what the first view after each pledge costs).
        def same(mode):
            small, large = a.modes.get(mode), b.modes.get(mode)
            if small is None or large is None:
                return True
            return small.queries == large.queries and large.median_ms <= small.median_ms * SAME_COST

        rendered = (
            f"; rendered cold {a.modes['anonymous'].queries} vs {b.modes['anonymous'].queries} queries,"
            f" {fmt(a.modes['anonymous'].median_ms, '{:.1f}')} vs {fmt(b.modes['anonymous'].median_ms, '{:.1f}')} ms"
            if "anonymous" in a.modes and "anonymous" in b.modes
            else ""
        )
        lines.append(
            f"| {b.name.removeprefix('Campaign page, ')} cost the same as 10 (same queries, server time"
            f" within {SAME_COST - 1:.0%}) | uncached: queries {a.modes['uncached'].queries} vs"
            f" {b.modes['uncached'].queries}; server time {fmt(a.modes['uncached'].median_ms, '{:.1f}')} vs"
            f" {fmt(b.modes['uncached'].median_ms, '{:.1f}')} ms; {num(rps(a.modes['uncached']))} vs"
            f" {num(rps(b.modes['uncached']))} req/s{rendered} | {ok(same('uncached') and same('anonymous'))} |"
        )
    demo = {row.name: row.modes["uncached"] for row in context.get("demo_rows") or []}
    growth = [
        f"{row.name} {demo[row.name].queries}→{row.modes['uncached'].queries} queries,"
        f" {demo[row.name].median_ms:.0f}→{row.modes['uncached'].median_ms:.0f} ms"
        for row in main
        if row.name in demo
    ]
    if growth:
        grown = [
            row.name
            for row in main
            if row.name in demo and row.modes["uncached"].median_ms > demo[row.name].median_ms * GROWTH
        ]
        lines.append(
            "| The same cost whatever the data size: demo alone → with the territory (uncached, server time"
            f" within {GROWTH - 1:.0%})"
            f" | {'; '.join(growth)} | {ok(not grown)}{' (' + ', '.join(grown) + ')' if grown else ''} |"
        )
    for row in main:
        cached = rps(row.modes["cached"])
        lines.append(
            f"| {row.name}, anonymous: ≥ 50 % of the static ceiling | {share(cached, static)} |"
            f" {ok(bool(cached and static and cached >= static / 2))} |"
        )
    if baseline:
        base = {row.name: rps(row.modes["uncached"]) for row in baseline["rows"]}
        demo = {row.name: rps(row.modes["uncached"]) for row in context["demo_rows"]}
        base_static = rps(baseline["static"].modes["static"])
        demo_static = rps(context["static_demo"].modes["static"]) if context.get("static_demo") else None
        for row in main:
            new, old = demo.get(row.name), base.get(row.name)
            normalised = (
                f", {ratio(new / demo_static, old / base_static)} as shares of each static ceiling"
                if new and old and demo_static and base_static
                else ""
            )
            lines.append(
                f"| {row.name}, uncached: ≥ 2× today's figure ({baseline['revision']}) | {ratio(new, old)} req/s"
                f"{normalised} (demo content on both) | {ok(bool(new and old and new >= 2 * old))} |"
            )
    weights = context.get("weights") or []
    for weight in weights:
        lines.append(
            f"| {weight.name}: page weight without images < 100 KiB | {kib(weight.gzipped)} gzip,"
            f" {kib(weight.raw)} raw | {ok(weight.gzipped < WEIGHT_TARGET)} |"
        )
    lighthouse = context.get("lighthouse")
    if isinstance(lighthouse, dict):
        for name, scores in lighthouse.items():
            perf, a11y = scores.get("performance"), scores.get("accessibility")
            lines.append(
                f"| {name}: Lighthouse (mobile) performance and accessibility 100 | {perf} / {a11y} |"
                f" {ok(perf == 100 and a11y == 100)} |"
            )
    lines.append("")
    return lines


def _baseline(context) -> list[str]:
    baseline = context.get("baseline")
    if baseline is None:
        error = context.get("baseline_error")
        return (
            ["## Today's figure (baseline)", "", f"The baseline site did not run: {error}", ""]
            if error
            else ["## Today's figure (baseline)", "", "Not measured in this run (`--no-baseline` or `--quick`).", ""]
        )
    base_static = rps(baseline["static"].modes["static"])
    demo_static = rps(context["static_demo"].modes["static"]) if context.get("static_demo") else None
    rows = {row.name: row for row in context["rows"]}
    demo = {row.name: row for row in context["demo_rows"]}
    lines = [
        f"## Today's figure: revision {baseline['revision']} in the same run",
        "",
        f"The same pages served by `{baseline['commit'][:12]}` (before issue 12's work) from a git worktree,",
        "with this venv, its own database and demo content, the same gunicorn and wrk settings; both",
        "sites up at once and each page measured on one, then at once on the other, so that both see",
        "the same load from other processes. That code has no page cache: its figure is what every",
        "visitor got. This revision uncached on the same demo content (before the territory is",
        "seeded), then on the territory. Each cell: queries · server time in-process · req/s.",
        "*× static*: the ratio of each side's share of its own static ceiling.",
        "",
        "| Page | Baseline, uncached | This revision, demo, uncached | × | × static | Territory, uncached | ×"
        " | Territory, cached | × |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]

    def cell(measure) -> str:
        if measure is None:
            return "–"
        return f"{measure.queries} · {fmt(measure.median_ms, '{:.0f}')} ms · {per_second(rps(measure))}"

    for base in baseline["rows"]:
        old = base.modes["uncached"]
        new_demo = demo[base.name].modes["uncached"] if base.name in demo else None
        new = rows[base.name].modes if base.name in rows else {}
        normalised = (
            ratio(rps(new_demo) / demo_static, rps(old) / base_static)
            if new_demo and rps(new_demo) and demo_static and base_static and rps(old)
            else "–"
        )
        lines.append(
            f"| {base.name} | {cell(old)} | {cell(new_demo)} | {ratio(rps(new_demo), rps(old))} | {normalised} "
            f"| {cell(new.get('uncached'))} | {ratio(rps(new.get('uncached')), rps(old))} "
            f"| {per_second(rps(new.get('cached')))} | {ratio(rps(new.get('cached')), rps(old))} |"
        )
    lines += [
        f"| Static file | {per_second(base_static)} | {per_second(demo_static)} | – | – |"
        f" {per_second(_static_rps(context))}"
        " | – | – | – |",
        "",
    ]
    return lines


def _pledges(context) -> list[str]:
    rates = context.get("pledge_rates") or []
    lines = [
        "## Pledges per second",
        "",
        f"Through the demo provider on {context['database']}, in-process: `services.create_pledge` then",
        '`services.transition(pledge, "committed")` in a loop, as the demo checkout does (no HTTP).',
        "Pledges of one campaign are serialised on its row by design."
        + (
            f" One pledge (created, then committed) takes {context['pledge_queries']} SQL queries."
            if context.get("pledge_queries")
            else ""
        ),
        "",
        "| Run | Processes | Pledges | Seconds | Pledges / s | Errors |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for rate in rates:
        lines.append(
            f"| {rate.label} | {rate.processes} | {num(rate.pledges)} | {rate.seconds:.1f} | **{rate.per_second:.0f}**"
            f" | {rate.errors} |"
        )
    if context.get("pledge_error"):
        lines += ["", f"The pledge runs failed: `{context['pledge_error']}`."]
    if context["database"] != "PostgreSQL":
        lines += ["", "Concurrent runs are measured on PostgreSQL only: `make bench` uses it when it answers (`--pg`)."]
    lines.append("")
    return lines


def _weights(context) -> list[str]:
    weights = context.get("weights") or []
    if not weights:
        return []
    lines = [
        "## Page weight without images",
        "",
        "One anonymous view: the HTML, every stylesheet and script it links, and the fonts the CSS",
        "names (gzip level 6 computed by the bench; whitenoise serves its own pre-compressed files).",
        f"Target: under {WEIGHT_TARGET // KIB} KiB.",
        "",
        "| Page | HTML | CSS | JavaScript | Fonts | Total raw | Total gzip | Files |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for weight in weights:
        cells = []
        for kind in ("html", "css", "js", "font"):
            raw, gz = weight.by_kind(kind)
            cells.append(f"{kib(raw)} ({kib(gz)})" if raw else "–")
        lines.append(
            f"| {weight.name} | {' | '.join(cells)} | {kib(weight.raw)} | **{kib(weight.gzipped)}**"
            f" | {len(weight.parts)} |"
        )
    lines.append("")
    lighthouse = context.get("lighthouse")
    if lighthouse is not None:
        lines += ["## Lighthouse (mobile)", ""]
        if isinstance(lighthouse, dict):
            keys = sorted({key for scores in lighthouse.values() for key in scores})
            lines += [f"| Page | {' | '.join(keys)} |", f"|---|{'--:|' * len(keys)}"]
            for name, scores in lighthouse.items():
                cells = [
                    kib(scores[key]) if key.startswith("bytes") and key in scores else str(scores.get(key, "–"))
                    for key in keys
                ]
                lines.append(f"| {name} | {' | '.join(cells)} |")
            lines += [
                "",
                "`bytes_*`: bytes transferred as Lighthouse saw them; gunicorn sends the HTML uncompressed",
                "(a proxy compresses it in production), whitenoise its pre-compressed static files.",
            ]
        else:
            lines.append(f"Not measured: {lighthouse}.")
        lines.append("")
    return lines


def _capacity(context) -> list[str]:
    args = context["args"]
    cores = os.cpu_count() or 1
    rows = {row.name: row for row in context["rows"]}
    viral = next(
        (row for row in context["rows"] if row.name.startswith("Campaign page, ") and "10 pledges" not in row.name),
        None,
    )
    viral = viral or rows.get("Campaign page")
    cached, uncached = viral.modes["cached"], viral.modes["uncached"]
    per_core_cached = rps(cached) / cores
    per_core_uncached = rps(uncached) / cores
    static = _static_rps(context)
    per_core_static = static / cores if static else None
    peak, u = args.peak, args.uncached_share
    cached_views, uncached_views = peak * (1 - u), peak * u
    cores_cached = cached_views / per_core_cached
    cores_uncached = uncached_views / per_core_uncached
    weight = next((w for w in context.get("weights") or [] if w.name == "Campaign page"), None)
    assets = len(weight.parts) - 1 if weight else 0
    static_cores = peak * assets / per_core_static if per_core_static else None
    rates = {rate.label: rate for rate in context.get("pledge_rates") or []}
    sequential = next((r for r in rates.values() if r.label.endswith("sequential")), None)
    same = next((r for r in rates.values() if r.label.startswith("One campaign,") and r.processes > 1), None)
    across = next((r for r in rates.values() if "one campaign each" in r.label), None)
    pledges_peak = peak * CONVERSION
    one_campaign = max((r.per_second for r in (sequential, same) if r), default=None)
    pledge_queries = context.get("pledge_queries") or 0
    # Each pledge purges the campaign, its index, its themes and the home: the next view of each
    # renders it cold (the "anonymous render" figures: queries and server time, every cache of the
    # ledger empty), once, however many visitors ask meanwhile (`page_cache.cached_for_page`).
    purged = [row for row in (viral, rows.get("Project index"), rows.get("Theme page"), rows.get("Home")) if row]
    cold = [row.modes["anonymous"] for row in purged if "anonymous" in row.modes]
    cold_queries = sum(mode.queries or 0 for mode in cold)
    cold_seconds = sum((mode.median_ms or 0) for mode in cold) / 1000
    queries_peak = (
        uncached_views * uncached.queries
        + cached_views * cached.queries
        + pledges_peak * (pledge_queries + cold_queries)
    )
    cache_ops = uncached_views * (uncached.cache_calls or 0) + cached_views * (cached.cache_calls or 0)
    cores_rerender = pledges_peak * cold_seconds
    web_cores = math.ceil((cores_cached + cores_uncached + cores_rerender) * HEADROOM)
    workers = web_cores * 2 + 1
    redis = context.get("redis_benchmark")
    html = cached.html_bytes or 0
    pages = context["seeded"].counts["pages"]
    lines = [
        "## Capacity plan",
        "",
        "Computed by the bench from the figures above (nothing typed by hand); the same assumptions",
        "apply to every run. One core here is one of this machine's cores, shared with the load",
        "generator, so every per-core figure is a floor.",
        "",
        "### What one core serves",
        "",
        f"The campaign page with the most pledges ({viral.name.removeprefix('Campaign page, ')}), the page a viral",
        f"campaign sends its visitors to; measured req/s ÷ {cores} cores:",
        "",
        "| | Per core |",
        "|---|--:|",
        f"| Cached page views (anonymous) | {num(per_core_cached)} / s |",
        f"| Uncached page views (logged in, first hit) | {num(per_core_uncached)} / s |",
        f"| Static files (whitenoise) | {num(per_core_static)} / s |",
    ]
    for rate in (sequential, same, across):
        if rate:
            lines.append(f"| Pledges: {rate.label.lower()} | {rate.per_second:.0f} / s (in all) |")
    lines += [
        "",
        f"### A town of 100 000 inhabitants, one campaign goes viral: {peak} page views per second",
        "",
        f"Assumptions: {u:.0%} of the views are uncached (logged-in visitors, backers in the middle of a",
        f"pledge, first hits after a change); {CONVERSION:.0%} of the views become a pledge; servers run at",
        f"1/{HEADROOM} of the measured capacity (headroom for noise, other pages, restarts); images come from",
        "the object storage (S3), not from gunicorn.",
        "",
        "| Need | Computation | Result |",
        "|---|---|--:|",
        f"| Cached views | {num(cached_views)} / s ÷ {num(per_core_cached)} per core | {cores_cached:.2f} cores |",
        f"| Uncached views | {num(uncached_views)} / s ÷ {num(per_core_uncached)} per core"
        f" | {cores_uncached:.2f} cores |",
        f"| Pages rendered again after each pledge | {pledges_peak:.0f} pledges / s × the cold render of"
        f" {len(cold)} pages (the campaign, its index, a theme, the home: {cold_seconds * 1000:.0f} ms,"
        f" {cold_queries} queries) | {cores_rerender:.2f} cores |",
        f"| **Web (gunicorn)** | ({cores_cached:.2f} + {cores_uncached:.2f} + {cores_rerender:.2f}) × {HEADROOM},"
        f" rounded up | **{web_cores} cores**, {workers} sync workers (2 per core + 1) |",
    ]
    if static_cores is not None:
        lines.append(
            f"| Static files, if gunicorn serves them | every view a first visit: {num(peak)} × {assets} files"
            f" ÷ {num(per_core_static)} per core | {static_cores * HEADROOM:.1f} cores with headroom (none behind a"
            " CDN or a caching proxy: the files have hashed names, so a proxy keeps them) |"
        )
    lines += [
        f"| PostgreSQL queries | views: {num(uncached_views)} × {uncached.queries} + {num(cached_views)} ×"
        f" {cached.queries}; pledges: {pledges_peak:.0f} × ({pledge_queries} + {cold_queries} to render the purged"
        f" pages again) | {num(queries_peak)} queries / s |",
        f"| PostgreSQL connections | one per gunicorn worker, plus the task worker | {workers + 1} |",
    ]
    if one_campaign:
        lines.append(
            f"| Pledges | {num(peak)} × {CONVERSION:.0%} = {pledges_peak:.0f} / s on one campaign; measured"
            f" {one_campaign:.0f} / s there | {pledges_peak / one_campaign:.0%} of one campaign's ceiling |"
        )
    lines.append(
        f"| Redis operations | {num(uncached_views)} × {uncached.cache_calls} + {num(cached_views)} ×"
        f" {cached.cache_calls} per view | {num(cache_ops)} / s |"
    )
    if redis:
        lines.append(
            f"| Redis capacity | `redis-benchmark` GET of {kib(redis['size'])} values here: {num(redis['get'])} / s |"
            f" {cache_ops / redis['get']:.0%} of one Redis core |"
        )
    lines.append(
        f"| Redis memory | {num(pages)} pages × 2 languages × {kib(html)} of HTML (upper bound) |"
        f" {pages * 2 * html / KIB / KIB:.0f} MiB |"
    )
    lines += [
        "",
        f"So the peak needs about **{web_cores} web cores**"
        + (
            f" ({web_cores + math.ceil(static_cores * HEADROOM)} if gunicorn also serves the static files)"
            if static_cores
            else ""
        )
        + f", a PostgreSQL answering {num(queries_peak)} queries per second over {workers + 1} connections,",
        f"a Redis doing {num(cache_ops)} operations per second"
        + (f" ({cache_ops / redis['get']:.0%} of what one Redis core did here)" if redis else "")
        + " and the task worker (emails); web machines keep nothing on their disk (media on S3, cache",
        "in Redis, one database), so the web cores may be spread over several machines behind the proxy.",
        "",
    ]
    return lines


def _method() -> list[str]:
    return [
        "## How the figures are taken",
        "",
        "- *Queries*: one request per page in-process (`manage.py shell`, Django test Client with",
        "  `CaptureQueriesContext`, same database and settings as the server) after a warm-up request;",
        "  *server time* is the median of the next ones. The query count does not depend on the machine: a",
        "  rise means a new per-item query (N+1) or a lost `select_related`. The cache operations per",
        "  view (capacity plan) are counted the same way.",
        "- *Requests / s*: `wrk` against gunicorn on 127.0.0.1 after a few warm-up requests per page.",
        "  With 16 connections on 2 sync workers, requests queue: p50 latency ≈ 16 / (req/s).",
        "- *Static ceiling*: the site's stylesheet served by whitenoise from the same gunicorn; no",
        "  Django page on this stack can go faster than that.",
        "- *Campaign page, 10 / many pledges*: copies of the demo campaign page (rewards and story",
        "  included) whose pledges were seeded with `bulk_create`; the figures come from the summary row.",
        "",
    ]


def render(context) -> str:
    lines = [
        *_header(context),
        *_targets(context),
        *_pages(context),
        *_baseline(context),
        *_pledges(context),
        *_weights(context),
        *_capacity(context),
        *_method(),
    ]
    return "\n".join(line for line in lines if line is not None).rstrip() + "\n"
