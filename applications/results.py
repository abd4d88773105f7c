"""What the call page shows of its applications: its laureates, once results are published."""

from applications.models import Application
from applications.status import ApplicationStatus
from projects.models import CampaignPage


def laureates(call):
    """Laureate applications of `call` (every translation of it), if the call published its results.

    Each one carries `public_campaign`: its campaign page in the call's language (else the
    campaign itself) when that page is live, else None. Two queries.
    """
    if not call.results_published:
        return []
    found = list(
        Application.objects.filter(call__translation_key=call.translation_key, status=ApplicationStatus.LAUREATE)
        .select_related("campaign")
        .order_by("title")
    )
    keys = {a.campaign.translation_key for a in found if a.campaign is not None}
    live = (
        {
            (page.translation_key, page.locale_id): page
            for page in CampaignPage.objects.live().public().filter(translation_key__in=keys)
        }
        if keys
        else {}
    )
    for application in found:
        campaign = application.campaign
        application.public_campaign = (
            None
            if campaign is None
            else live.get((campaign.translation_key, call.locale_id))
            or live.get((campaign.translation_key, campaign.locale_id))
        )
    return found
