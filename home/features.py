"""Resolve "À la Une" entries into uniform cards with a constant number of queries."""

from dataclasses import dataclass

from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Page

from coupdepouce.pages import content_cached, home_of, language_codes
from coupdepouce.pages import default_locale as cached_default_locale
from projects.cards import CARD_NEEDS
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
    # The card's language when it differs from the home page's ("fr" on the English home).
    lang: str = ""
    # When the entry is shown (`in_force`): None for no bound.
    start_at: object = None
    end_at: object = None

    @property
    def needs(self):
        """A campaign's in-kind needs with their progress (`accepted_quantity`), read for every
        card of the page at once (`projects.cards.attach_needs`)."""
        return getattr(self.page, CARD_NEEDS, [])

    def in_force(self, now):
        """Shown at `now`: started (or no start) and not yet ended (or no end)."""
        return (self.start_at is None or self.start_at <= now) and (self.end_at is None or self.end_at > now)


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


def resolve_features(home, now=None, request=None):
    """Cards for the live featured pages, in editor order, in the home page's language.

    Every language follows the selection made on the canonical (default language, French)
    home. Each entry shows the translation of its page in the home page's language when one is
    live (with the overrides of the entry's own translation, if any); otherwise the chosen page
    itself, with the canonical overrides and `lang` set to that page's language, so the card says
    it is in French and links to the French page.
    Only pages of this home's site are shown (under this home or one of its translations): a page
    of another collectivité's site chosen by mistake is left out. Only features in force at `now`
    are shown (`FeatureCard.in_force`).

    The cards change only when a page is published (`coupdepouce.pages.content_cached`, read
    afresh in a preview); a campaign's terms are read for every card at once, in one query. Its
    figures and in-kind needs are left to the caller (`payments.ledger.attach_figures`, then
    `attach_card_figures`; `projects.cards.attach_needs`), with the other cards of the page.
    """
    now = now or timezone.now()
    if getattr(request, "is_preview", False) or not home.pk:
        cards = _cards(home)
    else:
        cards = content_cached("home-features", [home.pk], lambda: _cards(home))
    cards = [card for card in cards if card.in_force(now)]
    campaigns = {card.page.pk: card.page for card in cards if isinstance(card.page, CampaignPage)}
    if campaigns:
        # The terms the figures derive from (the Finances group may change them without
        # publishing, `payments.terms`); the figures themselves are the caller's
        # (`payments.ledger.attach_figures`, with the other cards of the page).
        for row in CampaignPage.objects.filter(pk__in=campaigns).values("pk", *FRESH_FIELDS):
            for name in FRESH_FIELDS:
                setattr(campaigns[row["pk"]], name, row[name])
    return cards


def attach_card_figures(cards):
    """Give the campaign cards their figures, once `payments.ledger.attach_figures` has read them."""
    for card in cards:
        if isinstance(card.page, CampaignPage):
            card.figures = card.page.figures


# What a campaign's card reads of its page afresh on every request.
FRESH_FIELDS = ("goal", "funding_model", "start_at", "end_at")


def _cards(home):
    """Every featured card of `home` (in force or not), without its campaign's figures."""
    default_locale = cached_default_locale()
    canonical = home if home.locale_id == default_locale.pk else home.get_translation_or_none(default_locale)
    canonical = canonical or home
    features = list(canonical.features.all().select_related("image").order_by("sort_order"))
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
                lang=lang,
                start_at=feature.start_at,
                end_at=feature.end_at,
            )
        )
    return cards
