import factory

from holders.models import CampaignHolder
from tests.factories.applications import UserFactory


class CampaignHolderFactory(factory.django.DjangoModelFactory):
    """A bare link row (no page rights): use `holders.services.add_holder` for the real thing."""

    class Meta:
        model = CampaignHolder

    campaign = None
    user = factory.SubFactory(UserFactory)
