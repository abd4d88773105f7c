"""The baseline of `make bench`: the same pages served by an earlier revision, in the same run.

`git worktree add --detach var/bench-baseline REV` (var/ is ignored by git; the worktree is
removed at the end), its catalogs compiled, then that revision's own
`tests/browser/liveserver.py` serves it: its own database (SQLite file, or `<name>_benchbase`
on PostgreSQL), demo content, static files and gunicorn on another port, with this venv.
"""

from __future__ import annotations

import contextlib
import importlib.util
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKTREE = ROOT / "var" / "bench-baseline"


def _git(*args: str, timeout: float = 120) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def remove_worktree() -> None:
    if WORKTREE.exists():
        with contextlib.suppress(RuntimeError):
            _git("worktree", "remove", "--force", str(WORKTREE))
        shutil.rmtree(WORKTREE, ignore_errors=True)
    with contextlib.suppress(RuntimeError):
        _git("worktree", "prune")


@contextlib.contextmanager
def baseline_site(revision: str, python: str, workers: int) -> Iterator[tuple[object, str]]:
    """Yield (LiveSite of the revision, its full commit id)."""
    remove_worktree()
    commit = _git("rev-parse", "--verify", f"{revision}^{{commit}}")
    WORKTREE.parent.mkdir(exist_ok=True)
    _git("worktree", "add", "--detach", str(WORKTREE), commit)
    try:
        done = subprocess.run(
            [python, "manage.py", "compilemessages", "--ignore=.venv", "-v0"],
            cwd=WORKTREE,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"compilemessages failed in {WORKTREE}: {done.stderr[-2000:]}")
        spec = importlib.util.spec_from_file_location(
            "baseline_liveserver", WORKTREE / "tests" / "browser" / "liveserver.py"
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # its dataclasses look their module up
        spec.loader.exec_module(module)
        with module.live_site("benchbase", workers=workers) as site:
            yield site, commit
    finally:
        remove_worktree()
