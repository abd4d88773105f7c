"""Who backed a campaign, for the apps that write to backers (a campaign's news: `follows`).

A backer is an email address with a counted pledge (`rules.COUNTED_STATUSES`) on any
translation of the campaign (same `translation_key`), as in the ledger. Pledges whose
personal data were erased have no address and are left out.
"""

from __future__ import annotations

from payments.models import Pledge
from payments.rules import COUNTED_STATUSES


def backer_contacts(translation_key) -> list[tuple[str, str]]:
    """(email in lower case, language) of each backer of the campaign, once per address.

    The language is that of the backer's newest counted pledge (empty when unknown). One query.
    """
    rows = (
        Pledge.objects.filter(campaign__translation_key=translation_key, status__in=COUNTED_STATUSES)
        .exclude(backer_email="")
        .order_by("-created_at", "-pk")
        .values_list("backer_email", "language")
    )
    contacts: dict[str, str] = {}
    for email, language in rows:
        contacts.setdefault(email.strip().lower(), language or "")
    return list(contacts.items())


__all__ = ["backer_contacts"]
