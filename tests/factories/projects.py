from datetime import timedelta

import factory
import wagtail_factories
from django.utils import timezone

from payments.models import Pledge
from payments.rules import PledgeStatus
from projects.models import (
    CampaignFAQ,
    CampaignPage,
    CampaignUpdatePage,
    InKindNeed,
    ProjectIndexPage,
    RewardTier,
    StretchGoal,
    Territory,
)


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory

    name = factory.Sequence(lambda n: f"Quartier {n}")
    slug = factory.Sequence(lambda n: f"quartier-{n}")
    kind = Territory.Kind.QUARTIER


class ProjectIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = ProjectIndexPage

    title = "Projets"
    slug = "projets"


class CampaignPageFactory(wagtail_factories.PageFactory):
    """A live campaign by default: started yesterday, ends in 30 days."""

    class Meta:
        model = CampaignPage
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Campagne {n}")
    slug = factory.Sequence(lambda n: f"campagne-{n}")
    holder_name = "Association du quartier"
    summary = "Un projet d'intérêt local porté par des habitants."
    goal = 5000
    start_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    end_at = factory.LazyAttribute(lambda o: o.start_at + timedelta(days=31))

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)
            self.save_revision().publish()


class _CampaignChildFactory(factory.django.DjangoModelFactory):
    locale = factory.LazyAttribute(lambda o: o.page.locale)


class RewardTierFactory(_CampaignChildFactory):
    class Meta:
        model = RewardTier

    min_amount = 20
    title = factory.Sequence(lambda n: f"Contrepartie {n}")
    description = "Un grand merci."


class StretchGoalFactory(_CampaignChildFactory):
    class Meta:
        model = StretchGoal

    amount = 8000
    description = "Un palier supplémentaire."


class InKindNeedFactory(_CampaignChildFactory):
    class Meta:
        model = InKindNeed

    kind = InKindNeed.Kind.VOLUNTEERING
    description = "Des bras pour le chantier."
    quantity = 3


class CampaignFAQFactory(_CampaignChildFactory):
    class Meta:
        model = CampaignFAQ

    question = "Quand le projet verra-t-il le jour ?"
    answer = "Dès que l'objectif sera atteint."


class CampaignUpdatePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = CampaignUpdatePage

    title = factory.Sequence(lambda n: f"Actualité {n}")
    slug = factory.Sequence(lambda n: f"actualite-{n}")
    intro = "Des nouvelles du projet."


class PledgeFactory(factory.django.DjangoModelFactory):
    """A committed online pledge of 25 €."""

    class Meta:
        model = Pledge

    campaign = None
    amount_cents = 2500
    backer_name = factory.Sequence(lambda n: f"Contributeur {n}")
    backer_email = factory.Sequence(lambda n: f"contributeur{n}@example.org")
    public_name = factory.LazyAttribute(lambda o: o.backer_name)
    status = PledgeStatus.COMMITTED
    source = Pledge.Source.ONLINE
