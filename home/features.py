"""Resolve "À la Une" entries into uniform cards with a constant number of queries."""

from dataclasses import dataclass

from wagtail.models import Page


@dataclass
class FeatureCard:
    page: Page
    title: str
    teaser: str
    image: object
    kind: str
    figures: object = None


def _page_image(page):
    for attr in ("hero_image", "image"):
        image = getattr(page, attr, None)
        if image is not None:
            return image
    return None


def _page_teaser(page):
    for attr in ("summary", "intro", "search_description"):
        value = getattr(page, attr, "")
        if value and isinstance(value, str):
            return value
    return ""


def resolve_features(home):
    """Return FeatureCards for the live featured pages, in editor order."""
    from projects import ledger
    from projects.models import CampaignPage

    features = list(home.features.select_related("image").order_by("sort_order"))
    page_ids = [f.page_id for f in features]
    if not page_ids:
        return []
    pages = {p.pk: p for p in Page.objects.live().filter(pk__in=page_ids).specific(defer=False)}
    campaign_ids = [pk for pk, p in pages.items() if isinstance(p, CampaignPage)]
    if campaign_ids:
        annotated = ledger.with_figures(CampaignPage.objects.filter(pk__in=campaign_ids))
        for row in annotated.values("pk", "raised_cents", "backer_count"):
            page = pages[row["pk"]]
            page.raised_cents = row["raised_cents"]
            page.backer_count = row["backer_count"]
    cards = []
    for feature in features:
        page = pages.get(feature.page_id)
        if page is None:
            continue
        cards.append(
            FeatureCard(
                page=page,
                title=feature.title or page.title,
                teaser=feature.teaser or _page_teaser(page),
                image=feature.image or _page_image(page),
                kind=page._meta.model_name,
                figures=page.figures if isinstance(page, CampaignPage) else None,
            )
        )
    return cards
