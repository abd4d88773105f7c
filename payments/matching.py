"""Sponsor matching (abondement).

An offer adds `ratio` € per € pledged to the campaigns in its scope, within a cap per
pledge, a cap per campaign and a total envelope. Allocations are made when a pledge
starts counting (committed or paid) and released when it stops (failed, cancelled,
refunded). The offer's row is locked while allocating, so the envelope is never
over-spent, even under concurrent pledges.

At the close (`payments.closing`): when a campaign failed, the shares of offers that pay
"only if the campaign succeeds" (`only_on_success`) are released, whatever the funding model;
the other offers' shares stay where the money was collected (keep-it-all). A cancelled campaign
releases every share. Released shares count nowhere (figures, report, envelope).
"""

from decimal import ROUND_FLOOR, Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from payments.models import CampaignTotals, MatchAllocation, MatchingOffer
from payments.rules import COUNTED_STATUSES


def offers_for(campaign):
    """Active offers whose scope covers the campaign (any translation).

    The campaign says which themes and call it belongs to (`Campaign.matching_scope`)."""
    covered = campaign.matching_scope()
    scope = Q(scope=MatchingOffer.Scope.CAMPAIGN, campaign__translation_key=campaign.translation_key)
    if covered.get("theme_keys"):
        scope |= Q(scope=MatchingOffer.Scope.THEME, theme__translation_key__in=covered["theme_keys"])
    if covered.get("call_key"):
        scope |= Q(scope=MatchingOffer.Scope.CALL, call__translation_key=covered["call_key"])
    return MatchingOffer.objects.filter(scope, active=True).select_related("sponsor").order_by("pk")


def matched_amount(amount_cents, ratio, cap_per_pledge=None):
    """Cents an offer adds to one pledge before envelope limits, rounded down."""
    cents = int((Decimal(amount_cents) * Decimal(ratio)).to_integral_value(rounding=ROUND_FLOOR))
    if cap_per_pledge is not None:
        cents = min(cents, cap_per_pledge)
    return max(cents, 0)


def _spent(allocations):
    return allocations.filter(released=False).aggregate(total=Coalesce(Sum("amount_cents"), 0))["total"]


def allocate(pledge):
    """Give the pledge its share of every applicable offer. Idempotent per (offer, pledge)."""
    campaign = pledge.campaign
    created = []
    with transaction.atomic():
        for offer_id in offers_for(campaign).values_list("pk", flat=True):
            offer = MatchingOffer.objects.select_for_update().get(pk=offer_id)
            if MatchAllocation.objects.filter(offer=offer, pledge=pledge).exists():
                continue
            amount = matched_amount(pledge.amount_cents, offer.ratio, offer.cap_per_pledge_cents)
            amount = min(amount, offer.envelope_cents - _spent(offer.allocations))
            if offer.cap_per_campaign_cents is not None:
                used = _spent(offer.allocations.filter(pledge__campaign__translation_key=campaign.translation_key))
                amount = min(amount, offer.cap_per_campaign_cents - used)
            if amount > 0:
                created.append(MatchAllocation.objects.create(offer=offer, pledge=pledge, amount_cents=amount))
    return created


def _release(allocations) -> int:
    """Mark unreleased allocations released, taking what counted off the campaigns' figures
    (`CampaignTotals`: a queryset update sends no signal), in one transaction."""
    with transaction.atomic():
        allocations = allocations.filter(released=False)
        counted = (
            allocations.filter(pledge__status__in=COUNTED_STATUSES)
            .order_by()
            .values("pledge__campaign__translation_key")
            .annotate(total=Sum("amount_cents"))
        )
        taken = {row["pledge__campaign__translation_key"]: row["total"] for row in counted}
        released = allocations.update(released=True)
        for key, total in taken.items():
            CampaignTotals.add(key, matched_cents=-total)
    return released


def release(pledge):
    """Give the pledge's matching back to the envelopes."""
    return _release(pledge.matches.all())


def _campaign_allocations(translation_key):
    return MatchAllocation.objects.filter(pledge__campaign__translation_key=translation_key, released=False)


def release_on_failure(translation_key) -> int:
    """The campaign failed: sponsors who pay only on success pay nothing. Returns how many shares."""
    return _release(_campaign_allocations(translation_key).filter(offer__only_on_success=True))


def release_campaign(translation_key) -> int:
    """The campaign was cancelled: every sponsor's share goes back to its envelope."""
    return _release(_campaign_allocations(translation_key))


def offer_usage(offer):
    """(spent cents, left cents) of an offer's envelope."""
    spent = _spent(offer.allocations)
    return spent, max(offer.envelope_cents - spent, 0)
