"""Pledge services: create a pledge under the site's rules, and move it between states.

Every change of state goes through `transition`, which locks the row, refuses moves the
state machine does not allow, and writes a `PledgeEvent`. Money is integer cents.
Concurrency: a pledge is created with the campaign's canonical page row and the reward's
row locked (`select_for_update`), so stock and the over-funding cap hold under concurrent
pledges on PostgreSQL; SQLite serialises writers anyway.

Pending checkouts expire: a new online pledge holds its reward and room under the cap until
`expires_at` (`PlatformSettings.pending_checkout_minutes` after it was made; `rules.holding_q`
says what holds), then holds nothing, whether or not it was cancelled yet.
`expire_pending_pledges` (command `expire_pledges`, task `expire_pending_pledges_task`)
cancels the expired ones with the note "checkout expired".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task
from wagtail.models import Page

from coupdepouce import pages
from coupdepouce.models import PlatformSettings
from coupdepouce.money import format_euros
from payments import matching, rules
from payments.interface import campaign_model, reward_model
from payments.models import CampaignClosing, CampaignTotals, Pledge, PledgeEvent
from payments.rules import COUNTED_STATUSES, CampaignStatus, PledgeStatus

S = PledgeStatus

# The state machine of a pledge.
ALLOWED = {
    S.PENDING: {S.COMMITTED, S.PAID, S.FAILED, S.CANCELLED},
    S.COMMITTED: {S.PAID, S.ACTION_REQUIRED, S.FAILED, S.CANCELLED},
    S.ACTION_REQUIRED: {S.PAID, S.FAILED, S.CANCELLED},
    S.PAID: {S.REFUNDED},
    S.FAILED: set(),
    S.CANCELLED: set(),
    S.REFUNDED: set(),
}
# Statuses after which matching no longer counts for the pledge.
RELEASING = {S.FAILED, S.CANCELLED, S.REFUNDED}

# The note of a pending pledge cancelled because its checkout was not finished in time.
EXPIRED_NOTE = "checkout expired"


class PledgeError(Exception):
    """A rule was broken; `field` names the form field the message belongs to (or None)."""

    def __init__(self, message, field=None, code=""):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class InvalidTransition(Exception):
    pass


@dataclass
class PledgeRequest:
    amount_cents: int
    backer_name: str
    backer_email: str
    reward_id: int | None = None
    public_name: str = ""
    anonymous: bool = False
    show_amount: bool = False
    message: str = ""
    language: str = "fr"
    # Tax receipt (campaigns that offer one): the postal address the receipt states.
    wants_receipt: bool = False
    donor_street: str = ""
    donor_postal_code: str = ""
    donor_city: str = ""
    donor_country: str = ""


@dataclass
class TaxReceiptTerms:
    """What the pledge form and the campaign page say about tax receipts (`tax_receipt_terms`)."""

    offered: bool
    cap_cents: int
    percent: int = rules.TAX_REDUCTION_PERCENT
    # (gift, cost after the reduction) in cents, for a few example gifts.
    examples: tuple = ()


# The example gifts the pledge form turns into costs after the tax reduction.
TAX_EXAMPLE_GIFTS_CENTS = (2500, 5000, 10000)


def canonical_campaign(campaign):
    """The campaign page in the default locale (pledges of every translation lock this row)."""
    default_locale = pages.default_locale()
    if campaign.locale_id == default_locale.pk:
        return campaign
    default = campaign_model().objects.filter(translation_key=campaign.translation_key, locale=default_locale)
    return default.first() or campaign


def platform_rules(campaign):
    """The site settings (commission, caps, grace period) that apply to a campaign."""
    return PlatformSettings.for_page(campaign)


def counterpart_cap_cents(campaign) -> int:
    """The fixed cap on a reward's value for a gift to keep its tax receipt (site setting), in cents."""
    return platform_rules(canonical_campaign(campaign)).counterpart_cap * 100


def tax_receipt_terms(campaign) -> TaxReceiptTerms:
    """Whether the campaign (its French page decides) offers tax receipts, with the counterpart cap
    and a few example gifts with their cost after the reduction (`rules.cost_after_tax_reduction_cents`)."""
    canonical = canonical_campaign(campaign)
    if not canonical.offers_tax_receipts:
        return TaxReceiptTerms(offered=False, cap_cents=0)
    examples = tuple((gift, rules.cost_after_tax_reduction_cents(gift)) for gift in TAX_EXAMPLE_GIFTS_CENTS)
    return TaxReceiptTerms(offered=True, cap_cents=counterpart_cap_cents(canonical), examples=examples)


def reward_receipt_note(reward, cap_cents: int) -> dict:
    """What a reward means for the tax receipt: its value and the smallest gift with it that keeps
    the receipt (`min_gift_cents`, never below the reward's minimum), or None when no gift does
    (value not recorded, or over the cap)."""
    value = reward.value_cents
    if value is None:
        return {"value_cents": None, "min_gift_cents": None}
    smallest = rules.min_gift_for_counterpart_cents(value, cap_cents)
    if smallest is not None:
        smallest = max(smallest, reward.min_amount_cents)
    return {"value_cents": value, "min_gift_cents": smallest}


def counterpart_error(reward, cap_cents: int) -> PledgeError:
    """The refusal of a receipt request whose reward takes the gift out of the rule on counterparts."""
    note = reward_receipt_note(reward, cap_cents)
    ways_out = _(
        "To keep the tax receipt, choose “No reward”; or untick “I want a tax receipt” to keep this reward "
        "without a receipt."
    )
    if note["value_cents"] is None:
        reason = _("The reward “%(title)s” has no recorded value: with it, a gift gives no tax receipt.") % {
            "title": reward.title
        }
    elif note["min_gift_cents"] is None:
        reason = _(
            "The reward “%(title)s” is worth %(value)s, more than the %(cap)s allowed: with it, no gift gives a "
            "tax receipt."
        ) % {"title": reward.title, "value": format_euros(note["value_cents"]), "cap": format_euros(cap_cents)}
    else:
        reason = _("The reward “%(title)s” is worth %(value)s: with it, a gift keeps its tax receipt from %(min)s.") % {
            "title": reward.title,
            "value": format_euros(note["value_cents"]),
            "min": format_euros(note["min_gift_cents"]),
        }
    return PledgeError(f"{reason} {ways_out}", "reward", "counterpart")


# The address fields a receipt request needs, with the message when one is missing.
RECEIPT_ADDRESS_FIELDS = ("donor_street", "donor_postal_code", "donor_city", "donor_country")


def receipt_address_errors() -> dict:
    return {
        "donor_street": _("Enter your street address for the tax receipt."),
        "donor_postal_code": _("Enter your postal code for the tax receipt."),
        "donor_city": _("Enter your town or city for the tax receipt."),
        "donor_country": _("Enter your country for the tax receipt."),
    }


def parse_amount_cents(raw) -> int:
    """Parse a euro amount typed by a citizen ("25", "25,50", "25.5") into cents, exactly.

    Raises PledgeError for anything that is not a positive amount with at most two decimals.
    """
    text = str(raw or "").strip().replace("\u202f", "").replace("\u00a0", "").replace(" ", "").replace("€", "")
    text = text.replace(",", ".")
    if text.startswith("-") and text[1:].replace(".", "", 1).isdigit():
        raise PledgeError(_("The amount must be more than zero."), "amount", "min")
    # Plain decimal notation only: no exponent ("1e5"), no "inf"/"nan", no sign.
    if not text or not text.replace(".", "", 1).isdigit():
        raise PledgeError(_("Enter an amount in euros, for example 25 or 25,50."), "amount", "invalid")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise PledgeError(_("Enter an amount in euros, for example 25 or 25,50."), "amount", "invalid") from None
    if not value.is_finite():
        raise PledgeError(_("Enter an amount in euros, for example 25 or 25,50."), "amount", "invalid")
    cents = value * 100
    if cents != cents.to_integral_value():
        raise PledgeError(_("Amounts have at most two decimals."), "amount", "invalid")
    cents = int(cents)
    if cents <= 0:
        raise PledgeError(_("The amount must be more than zero."), "amount", "min")
    return cents


# Pending pledges ---------------------------------------------------------------------------


def hold_minutes(campaign) -> int:
    """How long a new pending pledge of `campaign` holds its reward and room (site setting)."""
    return platform_rules(campaign).pending_checkout_minutes


def checkout_expires_at(pledge, *, at_least: datetime | None = None) -> datetime:
    """When the provider's checkout of a pending pledge must close: when the pledge's hold ends.

    A provider that cannot close a checkout that early (a Stripe Checkout Session lives 30
    minutes at least) passes `at_least`: the hold of the still-pending pledge is extended to
    it, so the checkout never outlives the hold (a payment made in between would take stock or
    room given up to someone else). A pledge made before holds existed is given one from its
    creation time.
    """
    expires_at = pledge.expires_at or pledge.created_at + timedelta(minutes=hold_minutes(pledge.campaign))
    if at_least is not None and at_least > expires_at:
        expires_at = at_least
    if expires_at != pledge.expires_at:
        Pledge.objects.filter(pk=pledge.pk, status=S.PENDING).update(expires_at=expires_at)
        pledge.expires_at = expires_at
    return expires_at


def holds(pledge, now=None) -> bool:
    """Whether the pledge holds its reward and room under the cap at `now` (`rules.holding_q`)."""
    return Pledge.objects.filter(rules.holding_q(now or timezone.now()), pk=pledge.pk).exists()


def _expire(pledge_id, now):
    """Cancel one pending pledge whose hold has ended, under its row lock; None when it was
    completed, cancelled or given a longer hold meanwhile."""
    with transaction.atomic():
        expired = (
            Pledge.objects.select_for_update()
            .filter(pk=pledge_id, status=S.PENDING)
            .exclude(rules.holding_q(now))
            .values_list("pk", flat=True)
            .first()
        )
        if expired is None:
            return None
        return transition(expired, S.CANCELLED, actor="system", note=EXPIRED_NOTE)


def expire_if_due(pledge, now=None) -> bool:
    """Cancel this pending pledge if its hold has ended ("checkout expired"); True when it did.

    A plain read first: only an expired pledge opens a (write) transaction."""
    now = now or timezone.now()
    if pledge.status != S.PENDING or holds(pledge, now):
        return False
    return _expire(pledge.pk, now) is not None


def expire_pending_pledges(now=None) -> int:
    """Cancel every pending online pledge whose hold has ended; returns how many.

    Expired pledges already hold nothing (`rules.holding_q`); this only records it, with the
    note "checkout expired". Nothing else is released: a pending pledge saved no card, paid
    nothing and earned no matching. A pending pledge without `expires_at` (made before holds
    expired) holds nothing either and is cancelled too. Safe to run at any time, in parallel.
    """
    now = now or timezone.now()
    expired = (
        Pledge.objects.filter(status=S.PENDING, source=Pledge.Source.ONLINE)
        .exclude(rules.holding_q(now))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(1 for pledge_id in list(expired) if _expire(pledge_id, now) is not None)


@task()
def expire_pending_pledges_task() -> int:
    """Schedulable form of `expire_pending_pledges` (Django tasks); schedule it every few minutes."""
    return expire_pending_pledges()


# Who may pledge ------------------------------------------------------------------------------

_UNREAD = object()


def pledge_refusal(campaign, now=None, *, outcome=_UNREAD) -> PledgeError | None:
    """Why the campaign takes no pledge at `now`, as the error `create_pledge` raises; None when it does.

    The canonical (French) page decides for every translation: its publication and dates
    (`rules.is_open_to_pledges`). A campaign with a `CampaignClosing` (closed or cancelled)
    takes none. `outcome`: its closing's outcome (or None) when the caller has read it already.
    """
    now = now or timezone.now()
    canonical = canonical_campaign(campaign)
    if outcome is _UNREAD:
        outcome = CampaignClosing.objects.filter(campaign_id=canonical.pk).values_list("outcome", flat=True).first()
    if outcome == CampaignStatus.CANCELLED:
        return PledgeError(_("This campaign was cancelled: it no longer takes pledges."), None, "cancelled")
    if outcome is None and rules.is_open_to_pledges(canonical, now):
        return None
    if not canonical.live:
        return PledgeError(_("This campaign does not take pledges at the moment."), None, "unpublished")
    if outcome is None and now < canonical.start_at:
        return PledgeError(_("This campaign is not open yet."), None, "not_open")
    return PledgeError(_("This campaign is closed: it no longer takes pledges."), None, "closed")


def campaign_takes_pledges(campaign, now=None, *, outcome=_UNREAD) -> bool:
    """Whether the campaign takes pledges now (`pledge_refusal` finds nothing against it)."""
    return pledge_refusal(campaign, now, outcome=outcome) is None


# Making a pledge -----------------------------------------------------------------------------


def create_pledge(campaign, request: PledgeRequest, *, provider: str, now=None):
    """Validate and record a pending pledge. Raises PledgeError; records nothing then.

    The pledge holds its reward and room under the cap until `expires_at`
    (`PlatformSettings.pending_checkout_minutes` from `now`).

    A tax receipt is recorded as asked (`wants_receipt`, with the postal address) only when the
    campaign's French page offers receipts; otherwise never, whatever was posted. A receipt
    request whose reward takes the gift out of the rule on counterparts
    (`rules.gift_keeps_receipt`) is refused on the field "reward" (code "counterpart").
    """
    RewardTier = reward_model()  # noqa: N806 — a model class
    now = now or timezone.now()
    canonical = canonical_campaign(campaign)
    settings = platform_rules(canonical)
    amount = request.amount_cents
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise PledgeError(_("Enter an amount in euros, for example 25 or 25,50."), "amount", "invalid")
    if amount <= 0:
        raise PledgeError(_("The amount must be more than zero."), "amount", "min")
    if amount > settings.max_pledge * 100:
        raise PledgeError(
            _("A single pledge may not exceed %(max)s €.") % {"max": settings.max_pledge}, "amount", "max"
        )

    with transaction.atomic():
        # Serialise pledges of one campaign (every translation) on its canonical page row,
        # then read it again: its dates and state as they are now decide (and a closing or
        # a cancellation made meanwhile is seen).
        Page.objects.select_for_update().filter(pk=canonical.pk).first()
        canonical = campaign_model().objects.get(pk=canonical.pk)
        refusal = pledge_refusal(canonical, now)
        if refusal is not None:
            raise refusal
        holding = Pledge.objects.filter(rules.holding_q(now))
        keys = {"translation_key": canonical.translation_key}
        reward = None
        if request.reward_id:
            chosen = RewardTier.objects.filter(
                pk=request.reward_id, page__translation_key=keys["translation_key"]
            ).first()
            if chosen is None:
                raise PledgeError(_("Choose a reward of this campaign."), "reward", "invalid")
            # Lock the reward's row in the canonical language: all translations share its stock.
            reward = (
                RewardTier.objects.select_for_update()
                .filter(translation_key=chosen.translation_key, page_id=canonical.pk)
                .first()
            ) or chosen
            if amount < reward.min_amount_cents:
                raise PledgeError(
                    _("This reward needs at least %(min)s €.") % {"min": reward.min_amount}, "amount", "below_reward"
                )
            if reward.stock is not None:
                taken = holding.filter(reward__translation_key=reward.translation_key).count()
                if taken >= reward.stock:
                    raise PledgeError(_("This reward is sold out."), "reward", "sold_out")
        receipt = _receipt_fields(canonical, request, reward, amount)
        cap = rules.cap_cents(canonical.goal_cents, settings.overfunding_cap_percent)
        if cap is not None:
            held = holding.filter(campaign__translation_key=keys["translation_key"]).aggregate(
                total=Coalesce(Sum("amount_cents"), 0)
            )["total"]
            if held + amount > cap:
                room = max(cap - held, 0)
                # Amounts with their cents: "at most 0 €" would hide the last cent of room.
                raise PledgeError(
                    _("This campaign is capped at %(cap)s: at most %(room)s can still be pledged.")
                    % {"cap": format_euros(cap), "room": format_euros(room)},
                    "amount",
                    "over_cap",
                )
        # The campaign's summary row exists before its first pledge counts: later changes only
        # update it (`CampaignTotals.add`), under the row lock of the update.
        CampaignTotals.ensure(canonical.translation_key)
        pledge = Pledge.objects.create(
            campaign=canonical,
            amount_cents=amount,
            reward=reward,
            backer_name=request.backer_name,
            backer_email=request.backer_email,
            public_name="" if request.anonymous else (request.public_name or request.backer_name),
            anonymous=request.anonymous,
            show_amount=request.show_amount,
            message=request.message,
            status=S.PENDING,
            source=Pledge.Source.ONLINE,
            provider=provider,
            funding_model=canonical.funding_model,
            language=request.language,
            expires_at=now + timedelta(minutes=settings.pending_checkout_minutes),
            **receipt,
        )
        _record(pledge, "", S.PENDING, actor="citizen", note="pledge form")
    return pledge


def _receipt_fields(canonical, request: PledgeRequest, reward, amount: int) -> dict:
    """The pledge's tax receipt fields: asked for, on a campaign that offers receipts, with an
    address and a reward that keeps the gift within the rule on counterparts. Raises PledgeError."""
    if not request.wants_receipt or not canonical.offers_tax_receipts:
        return {"wants_receipt": False}
    address = {name: (getattr(request, name) or "").strip() for name in RECEIPT_ADDRESS_FIELDS}
    for name, message in receipt_address_errors().items():
        if not address[name]:
            raise PledgeError(message, name, "required")
    cap = counterpart_cap_cents(canonical)
    if not rules.gift_keeps_receipt(reward, amount, cap):
        raise counterpart_error(reward, cap)
    return {"wants_receipt": True, **address}


def record_offline_gift(pledge, user=None):
    """Offline gifts (cheque, transfer, cash) entered by finance officers are paid at once."""
    if not pledge.events.exists():
        _record(pledge, "", pledge.status, actor=_actor_name(user), note="offline gift")
    if pledge.status in COUNTED_STATUSES:
        matching.allocate(pledge)


def _actor_name(user) -> str:
    """How a staff member appears in a pledge's audit trail: their login (email address)."""
    return (user.get_username() if user is not None else "")[:40] or "admin"


def _record(pledge, from_status, to_status, *, actor, note="", data=None):
    return PledgeEvent.objects.create(
        pledge=pledge, from_status=from_status, to_status=to_status, actor=actor, note=note[:255], data=data or {}
    )


def transition(pledge_or_id, to_status, *, actor="system", note="", data=None, **fields):
    """Move a pledge to `to_status` under a row lock, recording the change.

    Returns the updated pledge, or None when it already was in that state (a replay).
    Raises InvalidTransition when the state machine forbids the move.
    """
    pk = getattr(pledge_or_id, "pk", pledge_or_id)
    with transaction.atomic():
        pledge = Pledge.objects.select_for_update().get(pk=pk)
        if pledge.status == to_status:
            changed = False
            for name, value in fields.items():
                if getattr(pledge, name) != value:
                    setattr(pledge, name, value)
                    changed = True
            if changed:
                pledge.save()
            return None
        if to_status not in ALLOWED[pledge.status]:
            raise InvalidTransition(f"pledge {pk}: {pledge.status} → {to_status}")
        from_status = pledge.status
        pledge.status = to_status
        if to_status == S.PAID and not pledge.paid_at:
            pledge.paid_at = timezone.now()
        if to_status == S.ACTION_REQUIRED:
            pledge.action_required_at = timezone.now()
        for name, value in fields.items():
            setattr(pledge, name, value)
        pledge.save()
        _record(pledge, from_status, to_status, actor=actor, note=note, data=data)
        if to_status in COUNTED_STATUSES and from_status not in COUNTED_STATUSES:
            matching.allocate(pledge)
        elif to_status in RELEASING:
            matching.release(pledge)
    return pledge


@dataclass
class Completion:
    """What `complete_checkout` did: `pledge` is the pledge as it is now; `accepted` is False
    when the campaign no longer took pledges and the pledge was cancelled instead."""

    pledge: Pledge
    accepted: bool
    changed: bool


def complete_checkout(pledge_or_id, to_status, *, actor, note="", data=None, now=None, **fields) -> Completion:
    """Finish a pending checkout (to committed or paid), only while its campaign takes pledges.

    Every completion path (demo card page, Checkout return, webhook) goes through here. When the
    campaign has ended, was unpublished or cancelled meanwhile, the pending pledge is cancelled
    instead (`accepted=False`): the caller then releases the saved card or refunds the payment
    through the pledge's own provider. A pledge already in `to_status` is a replay (`changed=False`).
    """
    pk = getattr(pledge_or_id, "pk", pledge_or_id)
    pledge = Pledge.objects.select_related("campaign").get(pk=pk)
    if pledge.status == PledgeStatus.PENDING and not campaign_takes_pledges(pledge.campaign, now):
        moved = transition(
            pk,
            PledgeStatus.CANCELLED,
            actor=actor,
            note="campaign closed before the payment was completed",
            data=data,
            **fields,
        )
        return Completion(moved or Pledge.objects.get(pk=pk), accepted=False, changed=moved is not None)
    moved = transition(pk, to_status, actor=actor, note=note, data=data, **fields)
    return Completion(moved or Pledge.objects.get(pk=pk), accepted=True, changed=moved is not None)


def pledges_by_status(campaign):
    """{status: (count, cents)} for the admin report, in one query."""
    rows = (
        Pledge.objects.filter(campaign__translation_key=campaign.translation_key)
        .values("status")
        .annotate(n=Count("pk"), cents=Coalesce(Sum("amount_cents"), 0))
    )
    return {row["status"]: (row["n"], row["cents"]) for row in rows}


__all__ = [
    "ALLOWED",
    "EXPIRED_NOTE",
    "InvalidTransition",
    "PledgeError",
    "PledgeRequest",
    "RECEIPT_ADDRESS_FIELDS",
    "TaxReceiptTerms",
    "Completion",
    "campaign_takes_pledges",
    "canonical_campaign",
    "checkout_expires_at",
    "complete_checkout",
    "counterpart_cap_cents",
    "counterpart_error",
    "create_pledge",
    "expire_if_due",
    "expire_pending_pledges",
    "expire_pending_pledges_task",
    "hold_minutes",
    "holds",
    "parse_amount_cents",
    "pledge_refusal",
    "pledges_by_status",
    "receipt_address_errors",
    "record_offline_gift",
    "reward_receipt_note",
    "tax_receipt_terms",
    "transition",
]
