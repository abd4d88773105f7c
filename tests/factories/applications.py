"""Factories for applications, their files, the jury and the emails to applicants.

A call with an application form: `CallWithFormFactory(parent=call_index)` gives an open call
whose form is `DEFAULT_FORM` (raw StreamField data with fixed block ids, so tests can name the
answers: `q_<id>` in a form, `answers[<id>]` on an application). Build other forms with
`question(kind, label, id=…, **options)`.
"""

import copy

import factory
from django.utils import timezone
from wagtail.models import Locale

from accounts.models import User
from applications.models import (
    Application,
    ApplicationEvent,
    Attachment,
    CallJury,
    EmailTemplate,
    JuryAssignment,
    Review,
)
from applications.status import ApplicationStatus
from tests.factories.calls import CallForProjectsPageFactory

# A tiny but well-formed PDF: what `filetype` recognises as application/pdf.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def question(kind, label, *, id, required=True, help_text="", **options):  # noqa: A002 — the block's id
    """One raw question block of a call's `application_form`."""
    value = {"label": label, "help_text": help_text, "required": required}
    if kind == "long_text":
        value["max_length"] = options.pop("max_length", 2000)
    elif kind in ("single_choice", "multiple_choice"):
        value["choices"] = options.pop("choices", ["Oui", "Non"])
    elif kind == "file":
        value["allowed_types"] = options.pop("allowed_types", ["pdf"])
        value["max_size_mb"] = options.pop("max_size_mb", 1)
    value.update(options)
    return {"type": kind, "value": value, "id": id}


DEFAULT_FORM = [
    question("long_text", "Décrivez votre projet", id="q-description", max_length=1000),
    question("amount", "Budget total du projet", id="q-budget", required=False),
    question("file", "Budget prévisionnel", id="q-budget-file", allowed_types=["pdf", "xlsx", "ods"], max_size_mb=1),
    question("consent", "J'accepte le règlement de l'appel", id="q-consent"),
]


class CallWithFormFactory(CallForProjectsPageFactory):
    """An open call (opened ten days ago, closes in fifty) asking the `DEFAULT_FORM` questions."""

    application_form = factory.LazyFunction(lambda: copy.deepcopy(DEFAULT_FORM))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"personne{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Personne {n}")
    password = factory.django.Password("un-mot-de-passe")


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A draft: pass `call=`."""

    class Meta:
        model = Application

    call = None
    applicant = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Projet {n}")
    summary = "Un jardin partagé au pied des immeubles."
    holder_name = "Association des habitants"
    holder_kind = Application.HolderKind.ASSOCIATION
    amount_requested = 5000
    language = "fr"
    answers = factory.LazyFunction(dict)


class SubmittedApplicationFactory(ApplicationFactory):
    """A submitted application with a reference (numbers from 9000 up, away from the counter's)."""

    status = ApplicationStatus.SUBMITTED
    reference = factory.Sequence(lambda n: f"AAP-2099-{9000 + n:04d}")
    submitted_at = factory.LazyFunction(timezone.now)


class ApplicationEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApplicationEvent

    application = None
    from_status = ApplicationStatus.SUBMITTED
    to_status = ApplicationStatus.ELIGIBLE
    message = ""


class AttachmentFactory(factory.django.DjangoModelFactory):
    """A PDF attached to `application`'s question "q-budget-file" (stored in private storage)."""

    class Meta:
        model = Attachment

    application = None
    question = "q-budget-file"
    file = factory.django.FileField(data=PDF_BYTES, filename="budget.pdf")
    name = "budget.pdf"
    content_type = "application/pdf"
    size = len(PDF_BYTES)


class CallJuryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallJury
        skip_postgeneration_save = True

    call = None

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.set(extracted)


class JuryAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JuryAssignment

    application = None
    juror = factory.SubFactory(UserFactory)
    conflict_of_interest = False


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    application = None
    juror = factory.SubFactory(UserFactory)
    scores = factory.LazyFunction(dict)
    comment = "Un projet solide."
    submitted_at = factory.LazyFunction(timezone.now)


class EmailTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmailTemplate

    locale = factory.LazyFunction(Locale.get_default)
    kind = EmailTemplate.Kind.ACKNOWLEDGEMENT
    subject = "Candidature {reference} reçue"
    body = "Bonjour {name}, votre candidature « {title} » porte la référence {reference}."
