"""The money rules, each written once and imported everywhere else.

- `PledgeStatus`: the states of a pledge, and which of them count (`COUNTED_STATUSES`);
- `holding_q`: which pledges hold a unit of a reward and room under the cap at a given time;
- `FundingModel`: all-or-nothing (the default) or keep-it-all;
- `CampaignStatus`: upcoming, live, succeeded, failed, cancelled, with their public labels;
- `is_open_to_pledges`: whether a campaign takes pledges now;
- `cap_cents`: the over-funding cap of a campaign;
- `commission_cents`: the platform commission on one payment;
- `payout_destination`: the holder's account a payment may go to, or none;
- `tax_reduction_cents`, `cost_after_tax_reduction_cents`: the donor's tax reduction (CGI art. 200);
- `counterpart_limit_cents`, `counterpart_allows_receipt`, `gift_keeps_receipt`,
  `min_gift_for_counterpart_cents`: the
  rule on counterparts that keeps a gift eligible for a tax receipt (BOFiP, docs/receipts.md).

Plain values and functions: no queries, no imports of models (`holding_q` builds a filter,
it runs nothing), so models, services, gateways, views and templates can all use them.
`tests/test_money_rules.py` checks each caller against these functions.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PledgeStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    COMMITTED = "committed", _("Committed")
    ACTION_REQUIRED = "action_required", _("Action required")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


# Pledges that count in the raised amount and the backer count.
COUNTED_STATUSES = (PledgeStatus.COMMITTED, PledgeStatus.ACTION_REQUIRED, PledgeStatus.PAID)


def holding_q(now) -> models.Q:
    """Pledges that hold a unit of a reward's stock and room under the over-funding cap at `now`.

    Counted pledges always do; a pending checkout does only until its `expires_at` (exclusive:
    at `expires_at` it holds nothing). A pending pledge without `expires_at` (made before holds
    expired) holds nothing. The stock of rewards, the cap check of new pledges and the ledger's
    annotations all filter with this, and nothing else.
    """
    return models.Q(status__in=COUNTED_STATUSES) | models.Q(status=PledgeStatus.PENDING, expires_at__gt=now)


class FundingModel(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", _("All or nothing")
    KEEP_IT_ALL = "keep_it_all", _("Keep it all")


def charges_at_close(funding_model: str) -> bool:
    """All-or-nothing pledges save a card and are charged at the close; keep-it-all pay at once.

    An empty value (pledges recorded before the field existed) counts as all-or-nothing.
    """
    return funding_model != FundingModel.KEEP_IT_ALL


class CampaignStatus(models.TextChoices):
    # A context keeps "Live" apart from Wagtail's own "Live" (published) label.
    UPCOMING = "upcoming", pgettext_lazy("campaign status", "Upcoming")
    LIVE = "live", pgettext_lazy("campaign status", "Live")
    SUCCEEDED = "succeeded", pgettext_lazy("campaign status", "Succeeded")
    FAILED = "failed", pgettext_lazy("campaign status", "Not funded")
    # Stopped by staff before or after its end (`closing.cancel_campaign`): no new pledge,
    # paid pledges refunded, saved cards released.
    CANCELLED = "cancelled", pgettext_lazy("campaign status", "Cancelled")


def is_open_to_pledges(campaign, now) -> bool:
    """A campaign takes pledges while it is published and between its start (inclusive)
    and its end (exclusive)."""
    return bool(campaign.live) and campaign.start_at <= now < campaign.end_at


def cap_cents(goal_cents: int, overfunding_cap_percent) -> int | None:
    """The most the crowd may pledge in all (over-funding cap), or None when uncapped."""
    if overfunding_cap_percent is None:
        return None
    return goal_cents * overfunding_cap_percent // 100


def commission_cents(amount_cents: int, rate) -> int:
    """The platform's commission on one payment: amount × rate / 100, rounded half up to the cent."""
    value = Decimal(int(amount_cents)) * Decimal(str(rate)) / Decimal(100)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def payout_destination(account) -> str:
    """The Stripe Connect account a campaign's payments go to: only one that can take charges.

    `account` is a `PayoutAccount` or None. Checkout, the charges at the close and the
    publication check all ask this function.
    """
    if account is None or not account.stripe_account_id or not account.charges_enabled:
        return ""
    return account.stripe_account_id


# Tax receipts (docs/receipts.md gives the sources) ------------------------------------------

# CGI art. 200-1: an individual's gift reduces their income tax by 66 % of its amount (within
# 20 % of their taxable income, which the site cannot know).
TAX_REDUCTION_PERCENT = 66
# BOFiP BOI-IR-RICI-250-10-20-10: counterparts keep a "marked disproportion" with the gift when
# their value is at most a quarter of it, within a fixed cap (`PlatformSettings.counterpart_cap`,
# 73 € since 1 January 2021, revised every five years: the callers pass it as `cap_cents`).
COUNTERPART_SHARE_PERCENT = 25


def tax_reduction_cents(amount_cents: int) -> int:
    """The income-tax reduction a gift gives an individual: 66 %, rounded half up to the cent."""
    value = Decimal(int(amount_cents)) * TAX_REDUCTION_PERCENT / Decimal(100)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def cost_after_tax_reduction_cents(amount_cents: int) -> int:
    """What a gift costs its donor after the reduction: 25 € cost 8,50 €."""
    return int(amount_cents) - tax_reduction_cents(amount_cents)


def counterpart_limit_cents(amount_cents: int, cap_cents: int) -> int:
    """The highest counterpart value a gift of `amount_cents` tolerates: a quarter of it, within the cap."""
    return min(int(amount_cents) * COUNTERPART_SHARE_PERCENT // 100, int(cap_cents))


def counterpart_allows_receipt(value_cents, amount_cents: int, cap_cents: int) -> bool:
    """Whether a gift with a counterpart worth `value_cents` keeps its tax receipt (None: no
    counterpart). The boundary itself is allowed ("ne dépasse pas")."""
    if value_cents is None:
        return True
    return int(value_cents) <= counterpart_limit_cents(amount_cents, cap_cents)


def gift_keeps_receipt(reward, amount_cents: int, cap_cents: int) -> bool:
    """Whether a gift of `amount_cents` with `reward` (a reward tier or None) keeps its receipt.

    A reward whose value was not recorded (`value_cents` None) never does: the site does not
    guess in the donor's favour.
    """
    if reward is None:
        return True
    if reward.value_cents is None:
        return False
    return counterpart_allows_receipt(reward.value_cents, amount_cents, cap_cents)


def min_gift_for_counterpart_cents(value_cents: int, cap_cents: int):
    """The smallest gift that keeps its receipt with a counterpart worth `value_cents`, or None
    when no gift can (the value is over the cap)."""
    value_cents = int(value_cents)
    if value_cents > cap_cents:
        return None
    # A quarter of the gift (rounded down to the cent) must reach the value.
    share = COUNTERPART_SHARE_PERCENT
    return -(-value_cents * 100 // share)
