"""Who hears about a campaign: its confirmed followers and its backers, minus who stopped.

A campaign here is any translation of it: followers and backers are counted over its
`translation_key`, as the ledger counts pledges.
"""

from __future__ import annotations

from dataclasses import dataclass

from follows.models import Follow
from payments.backers import backer_contacts
from payments.interface import campaign_model


@dataclass(frozen=True)
class Recipient:
    email: str  # lower case
    language: str  # "fr", "en" or "" (unknown: the site's default language)


def recipients(campaign) -> list[Recipient]:
    """Confirmed followers, then backers (counted pledges on any translation) who are not
    followers, minus the addresses that unsubscribed; each address once (case-insensitive),
    in the follower's language, else that of the backer's newest pledge. Two queries."""
    rows = Follow.objects.filter(campaign_key=campaign.translation_key).values_list(
        "email", "language", "status", "unsubscribed_at"
    )
    followers: dict[str, str] = {}
    stopped: set[str] = set()
    for email, language, status, unsubscribed_at in rows:
        address = email.strip().lower()
        if status == Follow.Status.CONFIRMED:
            followers.setdefault(address, language)
        elif unsubscribed_at is not None:
            stopped.add(address)
    people = dict(followers)
    for address, language in backer_contacts(campaign.translation_key):
        if address not in stopped:
            people.setdefault(address, language)
    return [Recipient(email, language) for email, language in people.items()]


def follower_count(campaign) -> int:
    """Confirmed followers of the campaign (every translation). One query."""
    return Follow.objects.filter(campaign_key=campaign.translation_key, status=Follow.Status.CONFIRMED).count()


def campaign_for_key(campaign_key, language: str = ""):
    """A campaign page with this `translation_key`: the live one in `language` when there is
    one, else a live one, else any (None when the campaign no longer exists)."""
    pages = list(
        campaign_model().objects.filter(translation_key=campaign_key).select_related("locale").order_by("pk")
    )
    for wanted in (
        lambda page: page.live and page.locale.language_code == language,
        lambda page: page.live,
        lambda page: True,
    ):
        for page in pages:
            if wanted(page):
                return page
    return None
