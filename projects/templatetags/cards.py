"""Campaign cards rendered once for what they show: `{% cache %}` keys (Django's template fragment
cache) that carry every value a card shows, so a card is rendered again as soon as any changes.

A listing wraps each card in `{% card_key campaign eager as key %}{% cache 3600 campaign_card key %}`.
The key holds the money figures (raised, backers, status, days left…) and the in-kind needs'
progress as read for this request, the language and host, and the content generations
(`coupdepouce.pages.content_generations`: any page, image, territory or need saved), so a stored
card is never shown once something on it changed.
"""

import hashlib
from uuid import uuid4

from django import template
from django.utils.translation import get_language

from coupdepouce.pages import content_generations
from projects.cards import CARD_NEEDS

register = template.Library()


def _digest(parts):
    return hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()


def _where(context):
    """What every key starts with: the content generations, the host and the language."""
    request = context.get("request")
    return [*content_generations(), request.get_host() if request is not None else "", get_language()]


def _needs(needs):
    """What a card shows of each in-kind need, with its progress."""
    return [
        (need.pk, need.kind, need.description, need.quantity, getattr(need, "accepted_quantity", None))
        for need in needs
    ]


@register.simple_tag(takes_context=True)
def card_key(context, campaign, *variant):
    """The fragment cache key of `campaign`'s card, as shown in this request (`variant`: the
    card's own options, such as `eager`)."""
    parts = [
        *_where(context),
        campaign.pk,
        campaign.last_published_at,
        campaign.title,
        campaign.summary,
        repr(campaign.figures),
        campaign.territory_id,
        campaign.hero_image_id,
        _needs(getattr(campaign, CARD_NEEDS, ())),
        *variant,
    ]
    return _digest(parts)


@register.simple_tag(takes_context=True)
def page_fragment_key(context, page):
    """The fragment cache key of what a page shows that only publishing changes (its story, FAQ,
    updates, facts, sharing links): the page's published revision, the language and host, and the
    content generations (any page, image or row of a page saved). A preview gets a key of its own
    every time: the edit form's content is never stored nor served from a stored fragment."""
    request = context.get("request")
    if getattr(request, "is_preview", False) or not page.pk:
        return uuid4().hex
    parts = [
        *_where(context),
        page.pk,
        page.live_revision_id,
        page.last_published_at,
    ]
    return _digest(parts)


@register.simple_tag
def backers_key(backers, figures):
    """The fragment cache key of a campaign page's list of newest backers: every value it shows of
    each backer (`payments.ledger.backers_list`), their number and the campaign's status, and the
    language. A new, refunded or edited pledge gives a new key."""
    rows = [
        (backer.pk, backer.public_name, backer.anonymous, backer.show_amount, backer.amount_cents, backer.source)
        for backer in backers
    ]
    return _digest([get_language(), figures.backers, figures.status, rows])


@register.simple_tag(takes_context=True)
def feature_key(context, card):
    """The fragment cache key of a featured card of the home page (`home.features.FeatureCard`):
    what it shows of its page, its overrides, and a campaign's figures and needs' progress, as
    `card_key` does."""
    page = card.page
    parts = [
        *_where(context),
        page.pk,
        page.last_published_at,
        card.kind,
        card.title,
        card.teaser,
        getattr(card.image, "pk", None),
        card.lang,
        getattr(page, "holder_name", ""),
        repr(card.figures),
        _needs(card.needs),
    ]
    return _digest(parts)
