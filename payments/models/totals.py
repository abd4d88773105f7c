"""Campaign figures kept up to date: one summary row per campaign (`CampaignTotals`).

The ledger (`Pledge`, `MatchAllocation`) stays the truth; this row is what pages read, so a
campaign page costs the same with 10 pledges or 200 000. The row is keyed by the campaign's
`translation_key` (all its translations share the figures) and holds, in integer cents:

- `raised_cents`: the crowd's counted pledges (`COUNTED_STATUSES`), matching excluded;
- `backers`: how many counted pledges (as the ledger has always counted backers);
- `matched_cents`: unreleased matching allocations of counted pledges.

Every change reaches the row in the transaction of the change, as an `F()` increment:

- a pledge saved (created, moved by `services.transition`, an offline gift) or deleted: the
  receivers below compare what it counted before (read from the database) and after;
- a matching allocation saved or deleted: the receivers below;
- allocations released in bulk (`matching.release*`, a queryset update that sends no signal):
  `matching` calls `add` itself.

`bulk_create` and queryset updates of `Pledge.status`/`amount_cents` send no signal: after
them (demo data, the bench), run `payments.totals.rebuild()` or `manage.py rebuild_campaign_totals`.
"""

from __future__ import annotations

from django.db import IntegrityError, models, transaction
from django.db.models import F, Sum
from django.db.models.functions import Coalesce
from django.db.models.signals import post_save, pre_delete, pre_save
from django.dispatch import receiver

from payments.models.matching import MatchAllocation
from payments.models.pledges import Pledge
from payments.rules import COUNTED_STATUSES

# Fields of a pledge that change what it counts.
PLEDGE_MONEY_FIELDS = {"status", "amount_cents", "campaign", "campaign_id"}
ALLOCATION_MONEY_FIELDS = {"amount_cents", "released", "pledge", "pledge_id"}


class CampaignTotals(models.Model):
    """The figures of one campaign (every translation), maintained incrementally."""

    translation_key = models.UUIDField(primary_key=True)
    raised_cents = models.BigIntegerField(default=0)
    backers = models.BigIntegerField(default=0)
    matched_cents = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "campaign totals"
        verbose_name_plural = "campaign totals"

    def __str__(self):
        return f"{self.translation_key}: {self.raised_cents} + {self.matched_cents} ({self.backers})"

    @classmethod
    def ensure(cls, translation_key) -> None:
        """Create the (empty) row of a campaign if it has none yet."""
        cls.objects.get_or_create(translation_key=translation_key)

    @classmethod
    def add(cls, translation_key, *, raised_cents=0, backers=0, matched_cents=0) -> None:
        """Add (or subtract) to a campaign's figures with one `F()` update, creating the row if needed."""
        if translation_key is None or not (raised_cents or backers or matched_cents):
            return
        changes = {
            "raised_cents": F("raised_cents") + raised_cents,
            "backers": F("backers") + backers,
            "matched_cents": F("matched_cents") + matched_cents,
        }
        if cls.objects.filter(pk=translation_key).update(**changes):
            return
        try:
            with transaction.atomic():
                cls.objects.create(
                    translation_key=translation_key,
                    raised_cents=raised_cents,
                    backers=backers,
                    matched_cents=matched_cents,
                )
        except IntegrityError:
            # Created meanwhile by a concurrent transaction: add to it.
            cls.objects.filter(pk=translation_key).update(**changes)


def _campaign_key(campaign_id):
    campaign_field = Pledge._meta.get_field("campaign")
    return campaign_field.related_model.objects.filter(pk=campaign_id).values_list("translation_key", flat=True).first()


def _pledge_state(pk):
    """(campaign id, campaign translation key, counted, amount) of a pledge as stored, or None."""
    row = (
        Pledge.objects.filter(pk=pk)
        .values("campaign_id", "campaign__translation_key", "status", "amount_cents")
        .first()
    )
    if row is None:
        return None
    return row["campaign_id"], row["campaign__translation_key"], row["status"] in COUNTED_STATUSES, row["amount_cents"]


def _unreleased_matching(pledge_pk) -> int:
    return MatchAllocation.objects.filter(pledge_id=pledge_pk, released=False).aggregate(
        total=Coalesce(Sum("amount_cents"), 0)
    )["total"]


def _touches(update_fields, money_fields) -> bool:
    return update_fields is None or bool(set(update_fields) & money_fields)


def _apply(before, after, pledge_pk) -> None:
    """Move a pledge's part of the figures from `before` to `after` ((key, counted, amount) or None).

    Matching follows the pledge: its unreleased allocations count only while it counts."""
    old_key, old_counted, old_amount = before or (None, False, 0)
    new_key, new_counted, new_amount = after or (None, False, 0)
    moved = old_key != new_key
    if old_counted:
        matched = _unreleased_matching(pledge_pk) if (not new_counted or moved) else 0
        CampaignTotals.add(old_key, raised_cents=-old_amount, backers=-1, matched_cents=-matched)
    if new_counted:
        matched = _unreleased_matching(pledge_pk) if (not old_counted or moved) else 0
        CampaignTotals.add(new_key, raised_cents=new_amount, backers=1, matched_cents=matched)


@receiver(pre_save, sender=Pledge, dispatch_uid="campaign_totals_pledge_pre_save")
def _pledge_before_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or not _touches(update_fields, PLEDGE_MONEY_FIELDS):
        instance._totals_before = None
        return
    instance._totals_before = _pledge_state(instance.pk) if instance.pk is not None else None


@receiver(post_save, sender=Pledge, dispatch_uid="campaign_totals_pledge_post_save")
def _pledge_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or not _touches(update_fields, PLEDGE_MONEY_FIELDS):
        return
    before = getattr(instance, "_totals_before", None)
    instance._totals_before = None
    counted = instance.status in COUNTED_STATUSES
    if not counted and (before is None or not before[2]):
        return  # counted neither before nor now
    if before is not None and before[0] == instance.campaign_id:
        key = before[1]
    elif Pledge.campaign.is_cached(instance):
        key = instance.campaign.translation_key
    else:
        key = _campaign_key(instance.campaign_id)
    after = (key, counted, instance.amount_cents)
    old = before[1:] if before is not None else None
    if old != after:
        _apply(old, after, instance.pk)


@receiver(pre_delete, sender=Pledge, dispatch_uid="campaign_totals_pledge_deleted")
def _pledge_deleted(sender, instance, **kwargs):
    # Its allocations are deleted first by the cascade (their own receiver takes their matching).
    state = _pledge_state(instance.pk)
    if state is not None and state[2]:
        CampaignTotals.add(state[1], raised_cents=-state[3], backers=-1)


def _allocation_state(pk):
    """(campaign key, amount counted in the figures) of an allocation as stored, or None."""
    row = (
        MatchAllocation.objects.filter(pk=pk)
        .values("pledge__campaign__translation_key", "pledge__status", "amount_cents", "released")
        .first()
    )
    if row is None:
        return None
    counts = not row["released"] and row["pledge__status"] in COUNTED_STATUSES
    return row["pledge__campaign__translation_key"], row["amount_cents"] if counts else 0


@receiver(pre_save, sender=MatchAllocation, dispatch_uid="campaign_totals_allocation_pre_save")
def _allocation_before_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or not _touches(update_fields, ALLOCATION_MONEY_FIELDS) or instance.pk is None:
        instance._totals_before = None
        return
    instance._totals_before = _allocation_state(instance.pk)


@receiver(post_save, sender=MatchAllocation, dispatch_uid="campaign_totals_allocation_post_save")
def _allocation_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or not _touches(update_fields, ALLOCATION_MONEY_FIELDS):
        return
    before = getattr(instance, "_totals_before", None)
    instance._totals_before = None
    after = _allocation_state(instance.pk)
    if before is not None:
        CampaignTotals.add(before[0], matched_cents=-before[1])
    if after is not None:
        CampaignTotals.add(after[0], matched_cents=after[1])


@receiver(pre_delete, sender=MatchAllocation, dispatch_uid="campaign_totals_allocation_deleted")
def _allocation_deleted(sender, instance, **kwargs):
    state = _allocation_state(instance.pk)
    if state is not None:
        CampaignTotals.add(state[0], matched_cents=-state[1])
