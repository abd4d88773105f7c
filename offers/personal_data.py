"""What help in kind holds about a person, for the export and the closing of their account.

Offerers need no account: an offer knows its author by name, email address and phone. So a
person's offers are those made while signed in to their account (`HelpOffer.user`) or with one
of the addresses they proved to own (`accounts.personal_data.verified_emails`).

- Export (`EXPORT_HOOK`): a `help_offers` section, one entry per offer.
- Erasure (`ERASE_HOOK`): the name, email address, phone, the offer's text and availability are
  removed (the holder's answer, which may quote them, too); the need, quantity, status,
  estimated value and dates stay, so the needs' progress and the money report's in-kind
  valuation are unchanged.

Wagtail loads hooks from the apps' `wagtail_hooks.py`, which imports this module.
"""

from django.db import transaction
from django.db.models import Q
from wagtail import hooks

from accounts.personal_data import ERASE_HOOK, EXPORT_HOOK, verified_emails
from offers.models import HelpOffer

# What an erased offer keeps in place of its author's name and text.
ERASED_NAME = "—"


def offers_of(user):
    """The offers made by `user`: signed in, or with one of their verified email addresses."""
    matches = Q(user=user)
    for address in verified_emails(user):
        matches |= Q(email__iexact=address)
    return HelpOffer.objects.filter(matches)


@hooks.register(EXPORT_HOOK)
def export_offers(user) -> dict:
    offers = offers_of(user).select_related("campaign").order_by("created_at", "pk")
    return {
        "help_offers": [
            {
                "campaign": offer.campaign.title,
                "need": offer.need_label,
                "name": offer.name,
                "email": offer.email,
                "phone": offer.phone,
                "offer": offer.offer,
                "availability": offer.availability,
                "quantity": offer.quantity,
                "status": offer.status,
                "response": offer.response,
                "language": offer.language,
                "created_at": offer.created_at,
                "decided_at": offer.decided_at,
            }
            for offer in offers
        ]
    }


@hooks.register(ERASE_HOOK)
@transaction.atomic
def erase_offers(user) -> None:
    offers_of(user).update(name=ERASED_NAME, email="", phone="", offer="", availability="", response="", user=None)
