"""Help in kind ("Je peux aider"): the rules of offers, their answers and the needs' progress.

- `make_offer` records a citizen's offer to one of a campaign's in-kind needs and emails the
  holders and staff (`holders.services.notify_emails`) and the offerer;
- `accept` / `decline`: the holder's (or staff's) answer, once, from "awaiting an answer"
  only; the offerer is told in their language, with the holder's message;
- `needs_with_progress` / `annotate_progress`: how much of each need accepted offers cover
  ("3 bénévoles sur 5"), in one query whatever the number of offers;
- `offers_for`, `in_kind_value_cents`, `in_kind_summary`: what the workspace, the admin and the
  money report read.

Offers name their need by its `translation_key` (`HelpOffer.need_key`), and campaigns are
matched by theirs: an offer made on the English page counts for the French need, and the
other way round. This app sits below `projects`: it never imports page code, it reads the
campaign it is given (its `needs`, `figures`, `live`, `translation_key`).

Emails are enqueued inside the transaction of the change (`offers.emails`).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from holders import services as holder_services
from offers import emails
from offers.models import HelpOffer
from payments.rules import CampaignStatus

Status = HelpOffer.Status


class OfferError(Exception):
    """A rule was broken; `field` names the form field the message belongs to (or None)."""

    def __init__(self, message, field=None, code=""):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


# Progress of the needs ---------------------------------------------------------------------


def _accepted_quantity_subquery():
    """Sum of the quantities of accepted offers naming the outer need's translation key."""
    return Subquery(
        HelpOffer.objects.filter(need_key=OuterRef("translation_key"), status=Status.ACCEPTED)
        .order_by()
        .values("need_key")
        .annotate(total=Sum("quantity"))
        .values("total")[:1],
        output_field=IntegerField(),
    )


def annotate_progress(needs_queryset):
    """Annotate InKindNeed rows with `accepted_quantity` (accepted offers over every translation
    of the need), in the same query: usable in a `Prefetch` for listing cards."""
    return needs_queryset.annotate(accepted_quantity=Coalesce(_accepted_quantity_subquery(), 0))


def needs_with_progress(campaign) -> list:
    """The campaign page's own in-kind needs, in their order, each with `accepted_quantity`.

    One query, whatever the number of offers. A preview (needs still in the edit form, in
    memory) reads the accepted quantities of their keys in one query too.
    """
    needs = campaign.needs.all()
    if isinstance(needs, models.QuerySet):
        return list(annotate_progress(needs).order_by("sort_order", "pk"))
    needs = sorted(needs, key=lambda need: need.sort_order or 0)
    totals = dict(
        HelpOffer.objects.filter(need_key__in=[need.translation_key for need in needs], status=Status.ACCEPTED)
        .order_by()
        .values("need_key")
        .annotate(total=Sum("quantity"))
        .values_list("need_key", "total")
    )
    for need in needs:
        need.accepted_quantity = totals.get(need.translation_key, 0)
    return needs


def quantity_error(need, quantity) -> str:
    """Why `quantity` cannot be offered to `need` (a message), or "" when it can."""
    if quantity is None or quantity < 1:
        return _("The quantity must be at least 1.")
    if quantity > need.quantity:
        return _("This need asks for %(quantity)s at most: enter a quantity from 1 to %(quantity)s.") % {
            "quantity": need.quantity
        }
    return ""


# Which campaign takes offers -----------------------------------------------------------------


def refusal(campaign) -> str:
    """Why the campaign takes no offer of help now (a message), or "" when it does.

    An unpublished campaign takes none, nor one that ended without reaching its goal or was
    cancelled (`payments.rules.CampaignStatus`, from the campaign's figures). Upcoming, live
    and succeeded campaigns do: help is often needed once the money is raised.
    """
    if not campaign.live:
        return _("This campaign does not take offers of help at the moment.")
    status = campaign.figures.status
    if status == CampaignStatus.CANCELLED:
        return _("This campaign was cancelled: it no longer takes offers of help.")
    if status == CampaignStatus.FAILED:
        return _("This campaign ended without reaching its goal: it no longer takes offers of help.")
    return ""


# Offers --------------------------------------------------------------------------------------


def offers_for(campaign, status=None):
    """Offers made to every translation of the campaign, newest first; `status` filters."""
    offers = HelpOffer.objects.filter(campaign__translation_key=campaign.translation_key)
    if status:
        offers = offers.filter(status=status)
    return offers.select_related("campaign", "decided_by").order_by("-created_at", "-pk")


@transaction.atomic
def make_offer(
    campaign,
    *,
    need_key,
    name: str,
    email: str,
    offer: str,
    availability: str = "",
    quantity: int = 1,
    phone: str = "",
    language: str = "fr",
    user=None,
) -> HelpOffer:
    """Record an offer of help to one of the campaign's needs, then email the holders and staff
    (with links to the holder's workspace and the admin) and acknowledge it to the offerer.

    Raises OfferError (nothing recorded, nothing sent) when the campaign takes no offer, the
    need is not one of this campaign's, or the quantity is below 1 or above the need's.
    """
    message = refusal(campaign)
    if message:
        raise OfferError(message, None, "closed")
    need = campaign.needs.filter(translation_key=str(need_key or "")).first() if _is_key(need_key) else None
    if need is None:
        raise OfferError(_("Choose one of this campaign's needs."), "need", "unknown_need")
    message = quantity_error(need, quantity)
    if message:
        raise OfferError(message, "quantity", "quantity")
    help_offer = HelpOffer.objects.create(
        campaign=campaign,
        need=need,
        need_key=need.translation_key,
        need_label=str(need)[:255],
        name=name,
        email=email,
        phone=phone,
        offer=offer,
        availability=availability,
        quantity=quantity,
        language=language,
        user=user if user is not None and user.is_authenticated else None,
    )
    emails.send_new_offer(help_offer, holder_services.notify_emails(campaign))
    emails.send_acknowledgement(help_offer)
    return help_offer


def _is_key(value) -> bool:
    """Whether `value` reads as a UUID (a need's translation key); anything else matches no need."""
    if not value:
        return False
    try:
        models.UUIDField().to_python(value)
    except ValidationError:
        return False
    return True


def _decide(offer, status, *, by, response, estimated_value_cents=None) -> HelpOffer:
    if estimated_value_cents is not None and estimated_value_cents < 0:
        raise OfferError(_("The estimated value cannot be negative."), "estimated_value", "value")
    with transaction.atomic():
        locked = HelpOffer.objects.select_for_update().filter(pk=offer.pk).first()
        if locked is None:
            raise OfferError(_("This offer no longer exists."), None, "missing")
        if locked.status != Status.PENDING:
            raise OfferError(
                _("This offer was already answered (%(status)s).") % {"status": locked.get_status_display()},
                None,
                "answered",
            )
        locked.status = status
        locked.response = (response or "").strip()
        locked.decided_by = by if by is not None and by.is_authenticated else None
        locked.decided_at = timezone.now()
        fields = ["status", "response", "decided_by", "decided_at"]
        if status == Status.ACCEPTED:
            locked.estimated_value_cents = estimated_value_cents
            fields.append("estimated_value_cents")
        locked.save(update_fields=fields)
        emails.send_decision(locked)
    for name in ("status", "response", "decided_by", "decided_at", "estimated_value_cents"):
        setattr(offer, name, getattr(locked, name))
    return offer


def accept(offer, *, by, response="", estimated_value_cents=None) -> HelpOffer:
    """Accept a pending offer (with an optional message and estimated value in cents); the
    offerer is emailed in their language. Raises OfferError when it was already answered."""
    return _decide(offer, Status.ACCEPTED, by=by, response=response, estimated_value_cents=estimated_value_cents)


def decline(offer, *, by, response="") -> HelpOffer:
    """Decline a pending offer, with an optional message; the offerer is emailed in their
    language. Raises OfferError when it was already answered."""
    return _decide(offer, Status.DECLINED, by=by, response=response)


# Figures -------------------------------------------------------------------------------------


def in_kind_summary(campaign) -> dict:
    """Accepted offers of every translation of the campaign: their count and the sum of their
    estimated values in cents (offers without one count for nothing), in one query."""
    return HelpOffer.objects.filter(
        campaign__translation_key=campaign.translation_key, status=Status.ACCEPTED
    ).aggregate(count=Count("pk"), value_cents=Coalesce(Sum("estimated_value_cents"), 0))


def in_kind_value_cents(campaign) -> int:
    """Sum of the estimated values of the campaign's accepted offers, in cents (never money raised)."""
    return in_kind_summary(campaign)["value_cents"]


__all__ = [
    "OfferError",
    "accept",
    "annotate_progress",
    "decline",
    "in_kind_summary",
    "in_kind_value_cents",
    "make_offer",
    "needs_with_progress",
    "offers_for",
    "quantity_error",
    "refusal",
]
