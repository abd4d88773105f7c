"""What payments holds about a person, for the export and the closing of their account.

Backers need no account: a pledge knows its backer by name and email address only. So a
person's pledges are those whose `backer_email` is one of the addresses they proved to own
(`accounts.personal_data.verified_emails`).

- Export (`EXPORT_HOOK`): a `pledges` section, one entry per pledge.
- Erasure (`ERASE_HOOK`): the backer's name, email address, public name, message and the
  postal address given for a tax receipt are removed and the pledge shows as anonymous;
  the amount, status, reward, dates and the payment provider's references stay, so the
  ledger, the campaigns' figures and the settling of committed pledges are unchanged. The
  audit trail (`PledgeEvent`) holds no personal data and stays as it is.
- Tax receipts already issued are not erased: they are a copy the beneficiary must keep
  (`receipts.personal_data`, docs/receipts.md). A pledge charged after the erasure has no
  name nor address left, so no receipt is issued for it.

Wagtail loads hooks from the apps' `wagtail_hooks.py`, which imports this module.
"""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from wagtail import hooks

from accounts.personal_data import ERASE_HOOK, EXPORT_HOOK, verified_emails
from coupdepouce import page_cache
from payments.models import Pledge

# What an erased pledge keeps of the backer: nothing (a queryset update: no signal, so no
# receipt is issued, amended or cancelled because of it).
ERASED_FIELDS = {
    "backer_name": "",
    "backer_email": "",
    "public_name": "",
    "message": "",
    "anonymous": True,
    "donor_street": "",
    "donor_postal_code": "",
    "donor_city": "",
    "donor_country": "",
}


def pledges_of(user):
    """The pledges made with one of `user`'s verified email addresses (none without one)."""
    addresses = verified_emails(user)
    if not addresses:
        return Pledge.objects.none()
    matches = Q()
    for address in addresses:
        matches |= Q(backer_email__iexact=address)
    return Pledge.objects.filter(matches)


@hooks.register(EXPORT_HOOK)
def export_pledges(user) -> dict:
    pledges = pledges_of(user).select_related("campaign").order_by("created_at", "pk")
    return {
        "pledges": [
            {
                "campaign": pledge.campaign.title,
                "amount_cents": pledge.amount_cents,
                "amount": pledge.amount_display,
                "status": pledge.status,
                "source": pledge.source,
                "reward": pledge.reward_title,
                "backer_name": pledge.backer_name,
                "backer_email": pledge.backer_email,
                "public_name": pledge.public_name,
                "anonymous": pledge.anonymous,
                "show_amount": pledge.show_amount,
                "message": pledge.message,
                "wants_receipt": pledge.wants_receipt,
                "address": {
                    "street": pledge.donor_street,
                    "postal_code": pledge.donor_postal_code,
                    "city": pledge.donor_city,
                    "country": pledge.donor_country,
                },
                "created_at": pledge.created_at,
                "paid_at": pledge.paid_at,
            }
            for pledge in pledges
        ]
    }


@hooks.register(ERASE_HOOK)
@transaction.atomic
def erase_pledges(user) -> None:
    if pledges_of(user).update(**ERASED_FIELDS, updated_at=timezone.now()):
        page_cache.clear()  # stored pages and backer lists may name them (an update sends no signal)
