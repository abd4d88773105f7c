"""Models of the projects app, split by concern: pages, inline rows, territories."""

from projects.models.inline import CampaignFAQ, InKindNeed, RewardTier, StretchGoal
from projects.models.pages import CampaignPage, CampaignPageForm, CampaignUpdatePage, ProjectIndexPage
from projects.models.territory import Territory

__all__ = [
    "CampaignFAQ",
    "CampaignPage",
    "CampaignPageForm",
    "CampaignUpdatePage",
    "InKindNeed",
    "ProjectIndexPage",
    "RewardTier",
    "StretchGoal",
    "Territory",
]
