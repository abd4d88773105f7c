import factory
from django.utils import timezone

from follows.models import Follow


class FollowFactory(factory.django.DjangoModelFactory):
    """A confirmed follower of `campaign` (required), in French."""

    class Meta:
        model = Follow

    campaign = None
    campaign_key = factory.LazyAttribute(lambda o: o.campaign.translation_key)
    email = factory.Sequence(lambda n: f"abonne{n}@example.org")
    language = "fr"
    status = Follow.Status.CONFIRMED
    confirmed_at = factory.LazyFunction(timezone.now)
