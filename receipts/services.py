"""Tax receipt rules: who gets one, numbering, cancel, amend, duplicate. (Skeleton: see ctx.)"""

from __future__ import annotations


def sync_pledge(pledge) -> None:
    """Issue, amend or cancel the receipt of `pledge` after it was saved (placeholder)."""
    return None
