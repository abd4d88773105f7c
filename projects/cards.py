"""What campaign cards show, read for a whole listing at once (constant queries).

A listing fetches its campaigns, then reads their figures (`payments.ledger.attach_figures`,
or `with_figures` when it sorts or filters on them) and their in-kind needs with their progress
(`attach_needs`, `offers.services.annotate_progress`) into `card_needs`, which
components/campaign_card.html reads, in one query each (`attach_cards` does both, and keeps
them with the listing page). A card whose campaign was not read this way simply shows no needs:
it never queries.
"""

import hashlib

from coupdepouce import page_cache
from offers import services as offer_services
from payments import ledger

CARD_NEEDS = "card_needs"


def need_model(campaigns):
    """The in-kind need model of a campaign queryset (the campaign model names it: this module
    imports no page model)."""
    return campaigns.model._meta.get_field("needs").related_model


def attach_needs(pages, need_model):
    """Set `card_needs` on already fetched campaign pages (one query for all of them)."""
    pages = list(pages)
    if not pages:
        return
    by_page = {page.pk: [] for page in pages}
    needs = offer_services.annotate_progress(
        need_model.objects.filter(page_id__in=list(by_page)).order_by("sort_order", "pk")
    )
    for need in needs:
        by_page[need.page_id].append(need)
    for page in pages:
        setattr(page, CARD_NEEDS, by_page[page.pk])


_FIGURES = ("raised_cents", "backer_count", "matched_cents", "closing_outcome")


def attach_cards(listing, campaigns, need_model):
    """Figures and needs of the cards of `campaigns` (already fetched), as `attach_figures` and
    `attach_needs` set them; campaigns annotated by `with_figures` keep theirs.

    Kept with the listing page until it is purged (`coupdepouce.page_cache.cached_for_page`):
    every pledge, matching, closing or offer of one of its campaigns purges the pages that show
    it (`projects.signals`: its index, themes, home and call), so a view costs one cache read
    instead of two queries. Read afresh when the page cache is off.
    """
    campaigns = list(campaigns)
    if not campaigns:
        return

    def fetch():
        ledger.attach_figures([campaign for campaign in campaigns if not hasattr(campaign, "raised_cents")])
        attach_needs(campaigns, need_model)
        return {
            campaign.pk: (tuple(getattr(campaign, name) for name in _FIGURES), getattr(campaign, CARD_NEEDS))
            for campaign in campaigns
        }

    shown = hashlib.sha256(",".join(str(campaign.pk) for campaign in campaigns).encode()).hexdigest()[:32]
    rows = page_cache.cached_for_page(listing.translation_key, f"cards:{listing.pk}:{shown}", fetch)
    for campaign in campaigns:
        figures, needs = rows[campaign.pk]
        for name, value in zip(_FIGURES, figures, strict=True):
            setattr(campaign, name, value)
        setattr(campaign, CARD_NEEDS, needs)
