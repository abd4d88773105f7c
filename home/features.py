"""Resolve "À la Une" entries into uniform cards with a constant number of queries."""

from dataclasses import dataclass

from wagtail.images import get_image_model
from wagtail.models import Page

from coupdepouce.pages import home_of
from payments import ledger
from projects.models import CampaignPage

IMAGE_FIELDS = ("hero_image", "image")
TEASER_FIELDS = ("summary", "intro", "search_description")


@dataclass
class FeatureCard:
    page: Page
    title: str
    teaser: str
    image: object
    kind: str
    figures: object = None


def _image_id(page):
    for attr in IMAGE_FIELDS:
        image_id = getattr(page, f"{attr}_id", None)
        if image_id:
            return image_id
    return None


def _teaser(page):
    for attr in TEASER_FIELDS:
        value = getattr(page, attr, "")
        if value and isinstance(value, str):
            return value
    return ""


def resolve_features(home):
    """Cards for the live featured pages, in editor order, in the home page's language.

    A feature chosen on the French home shows the English translation of its page on the
    English home when one is live. Only pages of this home's site are shown (under this home
    or one of its translations): a page of another collectivité's site chosen by mistake is left out.
    """
    features = list(home.features.select_related("image").order_by("sort_order"))
    if not features:
        return []
    keys = dict(Page.objects.filter(pk__in=[f.page_id for f in features]).values_list("pk", "translation_key"))
    candidates = Page.objects.live().filter(translation_key__in=keys.values()).specific(defer=False)
    site_homes = set(Page.objects.filter(depth=2, translation_key=home.translation_key).values_list("path", flat=True))
    by_key = {}
    for page in candidates:
        if home_of(page) not in site_homes:
            continue
        if page.locale_id == home.locale_id:
            by_key[page.translation_key] = page
        elif page.pk in keys:
            by_key.setdefault(page.translation_key, page)

    campaign_ids = [p.pk for p in by_key.values() if isinstance(p, CampaignPage)]
    if campaign_ids:
        figure_fields = ("raised_cents", "backer_count", "matched_cents", "closing_outcome")
        rows = ledger.with_figures(CampaignPage.objects.filter(pk__in=campaign_ids)).values("pk", *figure_fields)
        annotated = {row["pk"]: row for row in rows}
        for page in by_key.values():
            if page.pk in annotated:
                for name in figure_fields:
                    setattr(page, name, annotated[page.pk][name])

    image_ids = {_image_id(p) for p in by_key.values()} - {None}
    images = get_image_model().objects.in_bulk(image_ids) if image_ids else {}

    cards = []
    for feature in features:
        page = by_key.get(keys.get(feature.page_id))
        if page is None:
            continue
        cards.append(
            FeatureCard(
                page=page,
                title=feature.title or page.title,
                teaser=feature.teaser or _teaser(page),
                image=feature.image or images.get(_image_id(page)),
                kind=page._meta.model_name,
                figures=page.figures if isinstance(page, CampaignPage) else None,
            )
        )
    return cards
