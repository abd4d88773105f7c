"""Models of the projects app, split by concern: pages, inline rows, territories."""

from projects.models.inline import (
    BudgetLine,
    CampaignFAQ,
    DeliveryStatus,
    InKindNeed,
    Milestone,
    RewardTier,
    StretchGoal,
)
from projects.models.pages import CampaignPage, CampaignPageForm, CampaignUpdatePage, ProjectIndexPage
from projects.models.territory import Territory

__all__ = [
    "BudgetLine",
    "DeliveryStatus",
    "Milestone",
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
