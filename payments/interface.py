"""The seam between campaign pages and payments.

Payments sits *below* the page apps: campaign pages read their figures from the ledger
and send backers to the pledge form, and payments never imports page code. It knows the
campaign and reward models only by the names in two settings, as Django's auth knows the
user model by `AUTH_USER_MODEL`:

    PAYMENTS_CAMPAIGN_MODEL = "projects.CampaignPage"
    PAYMENTS_REWARD_MODEL = "projects.RewardTier"

What a campaign must offer (`Campaign` below) is all payments reads from it. What page code
calls in payments is small and listed in `docs/architecture.md`:

- `payments.ledger`: `campaign_figures`, `with_figures`, `filter_status`, `rewards_with_stock`,
  `site_key_figures` (figures for pages and cards);
- `payments.views.pledge`: the pledge form, served at a campaign's `soutenir/` route;
- `payments.rules`: `FundingModel`, `CampaignStatus` (choices for page fields and filters);
- `payments.services`: `tax_receipt_terms`, `reward_receipt_note` (tax receipts on the campaign page).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable
from uuid import UUID

from django.apps import apps
from django.conf import settings


@runtime_checkable
class Campaign(Protocol):
    """A page that collects pledges. Figures aggregate over every translation (`translation_key`)."""

    pk: int
    title: str
    translation_key: UUID
    locale_id: int
    live: bool
    start_at: datetime
    end_at: datetime
    funding_model: str
    goal: int  # euros
    first_published_at: datetime | None

    @property
    def goal_cents(self) -> int: ...

    @property
    def offers_tax_receipts(self) -> bool:
        """Whether the pledge form offers a tax receipt (the receipts app issues it once paid)."""
        ...

    def terms_rule_errors(self, *, goal, start_at, end_at) -> list[tuple[str, str]]:
        """(field, message) for new money terms the site's rules refuse (goal and duration caps);
        used by the Finances' "change the terms" view (`payments.terms`)."""
        ...

    def get_site(self): ...

    def get_url(self, request=None): ...

    def pledge_url(self, request=None) -> str:
        """The URL of the campaign's pledge form (served by `payments.views.pledge`)."""
        ...

    def matching_scope(self) -> dict:
        """{"theme_keys": [...], "call_key": uuid or None}: what sponsor offers may cover it."""
        ...


def campaign_model():
    """The campaign model named by `PAYMENTS_CAMPAIGN_MODEL`."""
    return apps.get_model(settings.PAYMENTS_CAMPAIGN_MODEL, require_ready=False)


def reward_model():
    """The reward model named by `PAYMENTS_REWARD_MODEL` (rows with `min_amount`, `stock`, `page`,
    `value_cents`: the reward's value for the rule on counterparts, None when not recorded)."""
    return apps.get_model(settings.PAYMENTS_REWARD_MODEL, require_ready=False)
