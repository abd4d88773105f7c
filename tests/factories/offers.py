"""Offers of help ("Je peux aider") to a campaign's in-kind needs."""

import factory

from offers.models import HelpOffer


class HelpOfferFactory(factory.django.DjangoModelFactory):
    """A pending offer to `need` (required), on the need's own campaign page, in French."""

    class Meta:
        model = HelpOffer

    need = None
    campaign = factory.LazyAttribute(lambda o: o.need.page)
    need_key = factory.LazyAttribute(lambda o: o.need.translation_key)
    need_label = factory.LazyAttribute(lambda o: o.need.description)
    name = factory.Sequence(lambda n: f"Bénévole {n}")
    email = factory.Sequence(lambda n: f"benevole{n}@example.org")
    offer = "Deux après-midi de jardinage."
    availability = "Les samedis"
    quantity = 1
    language = "fr"
