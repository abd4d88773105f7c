"""Resolve "À la Une" entries into uniform cards with a constant number of queries."""

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Page

from coupdepouce.pages import default_locale as cached_default_locale
from coupdepouce.pages import home_of, language_codes
from payments import ledger
from projects.cards import CARD_NEEDS, attach_needs
from projects.models import CampaignPage, InKindNeed

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
    # The card's language when it differs from the home page's ("fr" on the English home).
    lang: str = ""
    # A campaign's in-kind needs with their progress (`accepted_quantity`).
    needs: list = field(default_factory=list)


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


def in_force(features, now):
    """Features shown at `now`: started (or no start) and not yet ended (or no end)."""
    return features.filter(Q(start_at__isnull=True) | Q(start_at__lte=now), Q(end_at__isnull=True) | Q(end_at__gt=now))


def resolve_features(home, now=None):
    """Cards for the live featured pages, in editor order, in the home page's language.

    Every language follows the selection made on the canonical (default language, French)
    home. Each entry shows the translation of its page in the home page's language when one is
    live (with the overrides of the entry's own translation, if any); otherwise the chosen page
    itself, with the canonical overrides and `lang` set to that page's language, so the card says
    it is in French and links to the French page.
    Only pages of this home's site are shown (under this home or one of its translations): a page
    of another collectivité's site chosen by mistake is left out. Only features in force at `now`
    are shown (`in_force`).
    """
    now = now or timezone.now()
    default_locale = cached_default_locale()
    canonical = home if home.locale_id == default_locale.pk else home.get_translation_or_none(default_locale)
    canonical = canonical or home
    features = list(in_force(canonical.features.all(), now).select_related("image").order_by("sort_order"))
    if not features:
        return []
    own = {}
    if canonical.pk != home.pk:
        own = {
            local.translation_key: local
            for local in home.features.filter(translation_key__in=[f.translation_key for f in features]).select_related(
                "image"
            )
        }
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
        # Their in-kind needs' progress, in one query for all of them.
        attach_needs([p for p in by_key.values() if isinstance(p, CampaignPage)], InKindNeed)

    image_ids = {_image_id(p) for p in by_key.values()} - {None}
    images = get_image_model().objects.in_bulk(image_ids) if image_ids else {}

    languages = language_codes()
    cards = []
    for feature in features:
        page = by_key.get(keys.get(feature.page_id))
        if page is None:
            continue
        lang = languages[page.locale_id] if page.locale_id != home.locale_id else ""
        title, teaser, image = feature.title, feature.teaser, feature.image
        if page.locale_id != canonical.locale_id:
            # The page's translation: the canonical title and teaser overrides are in another language.
            local = own.get(feature.translation_key)
            title, teaser = (local.title, local.teaser) if local else ("", "")
            image = (local.image if local else None) or feature.image
        cards.append(
            FeatureCard(
                page=page,
                title=title or page.title,
                teaser=teaser or _teaser(page),
                image=image or images.get(_image_id(page)),
                kind=page._meta.model_name,
                figures=page.figures if isinstance(page, CampaignPage) else None,
                lang=lang,
                needs=getattr(page, CARD_NEEDS, []),
            )
        )
    return cards
