"""Models of the payments app, split by concern: the ledger, matching, operational records."""

from payments.models.matching import MatchAllocation, MatchingOffer, Sponsor
from payments.models.pledges import Pledge, PledgeEvent
from payments.models.records import CampaignClosing, PayoutAccount, WebhookEvent

__all__ = [
    "CampaignClosing",
    "MatchAllocation",
    "MatchingOffer",
    "PayoutAccount",
    "Pledge",
    "PledgeEvent",
    "Sponsor",
    "WebhookEvent",
]
