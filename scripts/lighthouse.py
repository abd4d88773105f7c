#!/usr/bin/env python
"""Google Lighthouse on given URLs, mobile (its default form factor and throttling).

    python scripts/lighthouse.py http://127.0.0.1:8001/ http://127.0.0.1:8001/projets/kfe-du-33/

prints, for each URL, the scores (performance, accessibility, best practices, SEO), the
page weight without images (HTML + CSS + JS + fonts as transferred) and every audit that
does not pass. `run({"home": url, ...})` returns the same figures for scripts/bench.py.

Lighthouse is an npm package, installed on first use under var/lighthouse/ (`npm install`
from the npm registry, a version pinned below that runs on Node 20). It drives the
system's Chromium (Debian's /usr/bin/chromium, or CHROME_PATH), headless, never a
downloaded browser. Without node, npm or Chromium, `run` prints why and returns None.

The server must be up already: `make prod-local` or tests/browser/liveserver.py's
`live_site()`. Requests without a cookie are what an anonymous visitor gets, so the page
cache (X-Page-Cache) answers them once warm: Lighthouse loads each page once before it
measures (`--warm`, on by default).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INSTALL_DIR = ROOT / "var" / "lighthouse"
# 13.x needs Node ≥ 22.19; 12.8 runs on Node ≥ 18.16.
LIGHTHOUSE_VERSION = "12.8.2"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"
CHROME_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Resource types counted in "the page without images" (Lighthouse's network-requests audit).
TEXT_RESOURCES = {"Document", "Stylesheet", "Script", "Font", "Fetch", "XHR", "Other", "Manifest"}
TIMEOUT = 240  # seconds per URL


class Unavailable(RuntimeError):
    """Node, npm, Lighthouse or Chromium is missing."""


def chrome_path() -> str:
    configured = os.environ.get("CHROME_PATH", "")
    if configured:
        if not Path(configured).exists():
            raise Unavailable(f"CHROME_PATH={configured} does not exist")
        return configured
    for name in CHROME_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise Unavailable("no Chromium found (install Debian's `chromium` or set CHROME_PATH)")


def lighthouse_bin() -> Path:
    """The local Lighthouse CLI, installed with npm into var/lighthouse/ if missing."""
    binary = INSTALL_DIR / "node_modules" / ".bin" / "lighthouse"
    if binary.exists():
        return binary
    if not shutil.which("node"):
        raise Unavailable("node is not installed")
    npm = shutil.which("npm")
    if not npm:
        raise Unavailable("npm is not installed")
    INSTALL_DIR.mkdir(parents=True, exist_ok=True)
    package = INSTALL_DIR / "package.json"
    if not package.exists():
        package.write_text('{"private": true}\n')
    print(f"[lighthouse] npm install lighthouse@{LIGHTHOUSE_VERSION} into {INSTALL_DIR}", file=sys.stderr)
    done = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", f"lighthouse@{LIGHTHOUSE_VERSION}"],
        cwd=INSTALL_DIR,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0 or not binary.exists():
        raise Unavailable(f"npm install lighthouse failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return binary


def warm(url: str) -> None:
    """One plain GET, so that the page cache holds the page before Lighthouse measures it."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - the URL we are told to test
            response.read()
    except OSError as exc:
        print(f"[lighthouse] warm-up of {url} failed: {exc}", file=sys.stderr)


def report(url: str, binary: Path, chrome: str, categories=CATEGORIES) -> dict:
    """Lighthouse's JSON report (LHR) for one URL."""
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp:
        output = Path(tmp) / "report.json"
        command = [
            str(binary),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={output}",
            f"--only-categories={','.join(categories)}",
            f"--chrome-flags={CHROME_FLAGS}",
        ]
        env = {**os.environ, "CHROME_PATH": chrome, "TMPDIR": tmp}
        try:
            done = subprocess.run(
                command, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False, cwd=tmp
            )
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError(f"lighthouse took more than {TIMEOUT} s on {url}") from exc
        if done.returncode != 0 or not output.exists():
            raise RuntimeError(f"lighthouse failed on {url} (exit {done.returncode}):\n{done.stderr[-3000:]}")
        lhr = json.loads(output.read_text())
    if lhr.get("runtimeError"):
        raise RuntimeError(f"lighthouse on {url}: {lhr['runtimeError'].get('message')}")
    return lhr


def weights(lhr: dict) -> dict[str, int]:
    """Bytes transferred: everything, and without images and media."""
    items = (lhr["audits"].get("network-requests", {}).get("details") or {}).get("items", [])
    total = sum(int(item.get("transferSize") or 0) for item in items)
    text = sum(int(item.get("transferSize") or 0) for item in items if item.get("resourceType") in TEXT_RESOURCES)
    return {"bytes_total": total, "bytes_without_images": text}


def scores(lhr: dict) -> dict[str, int]:
    figures = {
        name: round(category["score"] * 100)
        for name, category in lhr["categories"].items()
        if category.get("score") is not None
    }
    figures.update(weights(lhr))
    return figures


def failing_audits(lhr: dict) -> list[tuple[str, str, str, str, bool]]:
    """(category, audit id, title, display value, scored) of each audit that does not pass.

    `scored`: the audit weighs in its category's score (a metric such as Total Blocking Time, an
    accessibility check); the others are diagnostics and opportunities (weight 0), listed after."""
    failing = []
    for name, category in lhr["categories"].items():
        for ref in category["auditRefs"]:
            audit = lhr["audits"][ref["id"]]
            if audit.get("scoreDisplayMode") in {"notApplicable", "manual", "informative"}:
                continue
            if audit.get("score") is None or audit["score"] >= 1:
                continue
            scored = bool(ref.get("weight", 1))
            failing.append((name, ref["id"], audit.get("title", ""), audit.get("displayValue", ""), scored))
    return sorted(failing, key=lambda item: not item[4])


def median_run(lhrs: list[dict]) -> dict:
    """The report whose performance score is the median of several runs (Lighthouse's own
    advice against its variance: several runs, keep the median)."""
    ordered = sorted(lhrs, key=lambda lhr: lhr["categories"].get("performance", {}).get("score") or 0)
    return ordered[(len(ordered) - 1) // 2]


def reports(urls: dict[str, str], warm_up: bool = True, runs: int = 1) -> dict[str, dict | None] | None:
    """{name: LHR (the median of `runs`), or None if Lighthouse failed on it (reason printed)}
    for each URL; None (with a printed reason) when the tools are missing."""
    try:
        chrome = chrome_path()
        binary = lighthouse_bin()
    except Unavailable as exc:
        print(f"[lighthouse] skipped: {exc}", file=sys.stderr)
        return None
    results = {}
    for name, url in urls.items():
        if warm_up:
            warm(url)
        lhrs = []
        failures = 0
        while len(lhrs) < runs and failures < 2:
            try:
                lhrs.append(report(url, binary, chrome))
            except RuntimeError as exc:
                failures += 1
                print(f"[lighthouse] {exc}", file=sys.stderr)
        results[name] = median_run(lhrs) if lhrs else None
    return results


def run(urls: dict[str, str], runs: int = 1) -> dict[str, dict[str, int]] | None:
    """{name: {"performance": 0-100, "accessibility": …, "best-practices": …, "seo": …,
    "bytes_total": …, "bytes_without_images": …}} (bytes transferred), for each URL Lighthouse
    could measure; None when node/npm/Chromium are missing."""
    results = reports(urls, runs=runs)
    if results is None:
        return None
    return {name: scores(lhr) for name, lhr in results.items() if lhr is not None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("urls", nargs="+", metavar="URL")
    parser.add_argument("--no-warm", action="store_true", help="do not load each page once before measuring")
    parser.add_argument("--runs", type=int, default=1, help="runs per URL; the median is reported (default 1)")
    parser.add_argument("--json", metavar="DIR", help="also write each full report as DIR/<n>.json")
    args = parser.parse_args(argv)
    results = reports({url: url for url in args.urls}, warm_up=not args.no_warm, runs=max(1, args.runs))
    if results is None:
        return 2
    worst = 100
    for index, (url, lhr) in enumerate(results.items(), start=1):
        print(url)
        if lhr is None:
            print("  failed (see above)")
            worst = 0
            continue
        figures = scores(lhr)
        for name in CATEGORIES:
            if name in figures:
                print(f"  {name:<15} {figures[name]:>3}")
                worst = min(worst, figures[name])
        print(
            f"  weight          {figures['bytes_without_images'] / 1024:.1f} KiB without images, "
            f"{figures['bytes_total'] / 1024:.1f} KiB in all"
        )
        for category, audit_id, title, value, scored in failing_audits(lhr):
            kind = category if scored else f"{category}, diagnostic"
            print(f"  - [{kind}] {audit_id}: {title}{f' ({value})' if value else ''}")
        if args.json:
            Path(args.json).mkdir(parents=True, exist_ok=True)
            (Path(args.json) / f"{index}.json").write_text(json.dumps(lhr))
    return 0 if worst == 100 else 1


if __name__ == "__main__":
    sys.exit(main())
