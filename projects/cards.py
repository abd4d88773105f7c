"""What campaign cards show, read for a whole listing at once (constant queries).

`with_card_data(campaigns)` annotates the figures (`payments.ledger.with_figures`) and
prefetches each campaign's in-kind needs with their progress (`offers.services.annotate_progress`)
into `card_needs`, which components/campaign_card.html reads. A card whose campaign was not
read this way simply shows no needs: it never queries.
"""

from django.db.models import Prefetch

from offers import services as offer_services
from payments import ledger

CARD_NEEDS = "card_needs"


def _need_model(campaigns):
    # The campaign model names its need model: this module imports no page model.
    return campaigns.model._meta.get_field("needs").related_model


def needs_prefetch(campaigns):
    """A Prefetch of the campaigns' needs, in order, each with `accepted_quantity`, into `card_needs`."""
    needs = offer_services.annotate_progress(_need_model(campaigns).objects.order_by("sort_order", "pk"))
    return Prefetch("needs", queryset=needs, to_attr=CARD_NEEDS)


def with_card_data(campaigns):
    """The campaigns with what their cards show: figures and in-kind needs' progress."""
    return ledger.with_figures(campaigns).prefetch_related(needs_prefetch(campaigns))


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
