"""What holders keeps about a person, for the export and the closing of their account.

- Export (`EXPORT_HOOK`): a `held_campaigns` section, the campaigns the account holds and since when.
- Erasure (`ERASE_HOOK`): the account stops holding its campaigns (links and page rights
  removed, `services.remove_holder`), and its holder group, whose name carries the email
  address, goes. The campaigns themselves stay: they are public pages of the site.

Wagtail loads hooks from the apps' `wagtail_hooks.py`, which imports this module.
"""

from wagtail import hooks

from accounts.personal_data import ERASE_HOOK, EXPORT_HOOK
from holders import services
from holders.models import CampaignHolder


@hooks.register(EXPORT_HOOK)
def export(user) -> dict:
    links = CampaignHolder.objects.filter(user=user).select_related("campaign").order_by("created_at", "pk")
    return {"held_campaigns": [{"campaign": link.campaign.title, "since": link.created_at} for link in links]}


@hooks.register(ERASE_HOOK)
def erase(user) -> None:
    for link in CampaignHolder.objects.filter(user=user).select_related("campaign"):
        services.remove_holder(user, link.campaign)
    group = services.holder_group(user)
    if group is not None:
        group.delete()
