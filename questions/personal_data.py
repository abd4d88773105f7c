"""What questions hold about a person, for the export and the closing of their account.

A question knows its author by the name and email address typed in the form, and by their
account when they were signed in. A person's questions are those asked from their account or
with one of the addresses they proved to own (`accounts.personal_data.verified_emails`).

- Export (`EXPORT_HOOK`): a `questions` section, one entry per question (with its answer).
- Erasure (`ERASE_HOOK`): the author's name and email address are removed and the account
  link is cut; the question and its answer stay on the campaign page as an anonymous
  question (the template shows "Anonymous" for an empty name), and no email is sent to it.

Wagtail loads hooks from the apps' `wagtail_hooks.py`, which imports this module.
"""

from django.db import transaction
from django.db.models import Q
from wagtail import hooks

from accounts.personal_data import ERASE_HOOK, EXPORT_HOOK, verified_emails
from questions.models import Question


def questions_of(user):
    """The questions asked from `user`'s account or with one of their verified addresses."""
    matches = Q(user=user)
    for address in verified_emails(user):
        matches |= Q(author_email__iexact=address)
    return Question.objects.filter(matches)


@hooks.register(EXPORT_HOOK)
def export_questions(user) -> dict:
    questions = questions_of(user).select_related("campaign").order_by("created_at", "pk")
    return {
        "questions": [
            {
                "campaign": question.campaign.title,
                "author_name": question.author_name,
                "author_email": question.author_email,
                "question": question.body,
                "status": question.status,
                "answer": question.answer,
                "created_at": question.created_at,
                "answered_at": question.answered_at,
            }
            for question in questions
        ]
    }


@hooks.register(ERASE_HOOK)
@transaction.atomic
def erase_questions(user) -> None:
    questions_of(user).update(author_name="", author_email="", user=None)
