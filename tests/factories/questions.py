"""Public questions on a campaign."""

import factory

from questions.models import Question, QuestionReport


class QuestionFactory(factory.django.DjangoModelFactory):
    """A pending question in French on `campaign` (required); `status`, `answer`… as needed."""

    class Meta:
        model = Question

    campaign = None
    author_name = factory.Sequence(lambda n: f"Habitante {n}")
    author_email = factory.Sequence(lambda n: f"habitante{n}@example.org")
    body = factory.Sequence(lambda n: f"Question numéro {n} : quand les travaux commencent-ils ?")
    language = "fr"
    status = Question.Status.PENDING


class QuestionReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuestionReport

    question = None
    reason = "Propos injurieux."
