"""Models of the payments app, split by concern: the ledger, matching, operational records."""

from payments.models.matching import MatchAllocation, MatchingOffer, Sponsor
from payments.models.pledges import Pledge, PledgeEvent
from payments.models.records import CampaignClosing, PayoutAccount, WebhookEvent
from payments.models.totals import CampaignTotals

__all__ = [
    "CampaignClosing",
    "CampaignTotals",
    "MatchAllocation",
    "MatchingOffer",
    "PayoutAccount",
    "Pledge",
    "PledgeEvent",
    "Sponsor",
    "WebhookEvent",
]
