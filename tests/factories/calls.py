from datetime import timedelta

import factory
import wagtail_factories
from django.utils import timezone

from calls.models import CallForProjectsPage, CallIndexPage, CallPartner, EvaluationCriterion


class CallIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = CallIndexPage

    title = "Appels à projets"
    slug = "appels-a-projets"


class CallForProjectsPageFactory(wagtail_factories.PageFactory):
    """An open call by default."""

    class Meta:
        model = CallForProjectsPage

    title = factory.Sequence(lambda n: f"Appel à projets {n}")
    slug = factory.Sequence(lambda n: f"appel-{n}")
    summary = "Un appel à projets du territoire."
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    closes_at = factory.LazyAttribute(lambda o: o.opens_at + timedelta(days=60))
    budget = 30000


class EvaluationCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvaluationCriterion

    locale = factory.LazyAttribute(lambda o: o.page.locale)
    title = factory.Sequence(lambda n: f"Critère {n}")
    weight = 2


class CallPartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallPartner

    locale = factory.LazyAttribute(lambda o: o.page.locale)
    name = factory.Sequence(lambda n: f"Partenaire {n}")
