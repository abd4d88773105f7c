"""What campaign cards show, read for a whole listing at once (constant queries).

A listing fetches its campaigns, then reads their figures (`payments.ledger.attach_figures`,
or `with_figures` when it sorts or filters on them) and their in-kind needs with their progress
(`attach_needs`, `offers.services.annotate_progress`) into `card_needs`, which
components/campaign_card.html reads, in one query each. A card whose campaign was not read this
way simply shows no needs: it never queries.
"""

from offers import services as offer_services

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
