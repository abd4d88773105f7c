"""Citizen pages of public questions.

- `ask` and `question_sent`: a campaign page's `questions/` and `questions/merci/` routes
  (declared on `projects.models.CampaignPage`, which hands its own page to these views). The
  campaign page itself shows the published questions and the form (`questions/_questions.html`).
- `report` and `report_sent` (`questions/urls.py`): report a published question.

Thin views: the rules and every change of status live in `questions.services`. A POST that
fills the honeypot is answered as if it had worked, and nothing is saved.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from coupdepouce.ratelimits import limit
from questions import services
from questions.forms import QuestionForm, ReportForm
from questions.models import Question


def _language() -> str:
    return (get_language() or "fr")[:2]


def _sent_url(request, campaign) -> str:
    return campaign.get_url(request) + campaign.reverse_subpage("question_sent")


def _campaign_context(campaign, **extra) -> dict:
    # `page` and `self`: what base.html (title, language switcher) expects of a page's context.
    return {"page": campaign, "self": campaign, "campaign": campaign, **extra}


@limit("question")
@require_http_methods(["GET", "POST"])
def ask(request, campaign):
    """The question form of a campaign, on a page of its own, with the published questions."""
    if request.method == "POST":
        form = QuestionForm(request.POST)
        if form.is_spam():
            return redirect(_sent_url(request, campaign))
        if form.is_valid():
            try:
                services.ask(
                    campaign,
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    body=form.cleaned_data["question"],
                    language=_language(),
                    user=request.user,
                )
            except services.QuestionError as error:
                form.add_error(None, error.message)
            else:
                return redirect(_sent_url(request, campaign))
    else:
        form = QuestionForm()
    context = _campaign_context(
        campaign,
        form=form,
        question_form=form,
        questions=services.published_for(campaign),
        questions_count=services.published_count(campaign),
    )
    return render(request, "questions/ask.html", context)


def question_sent(request, campaign):
    """After a question: it waits for moderation."""
    return render(request, "questions/question_sent.html", _campaign_context(campaign))


def _published_or_404(pk):
    return get_object_or_404(Question.objects.select_related("campaign"), pk=pk, status=Question.Status.PUBLISHED)


@limit("report")
@require_http_methods(["GET", "POST"])
def report(request, pk):
    """Report a published question: an optional reason, then back to moderation
    (`services.report`). Only published questions can be reported (404 otherwise)."""
    question = _published_or_404(pk)
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_spam():
            return redirect("questions:report_sent", pk=question.pk)
        if form.is_valid():
            try:
                services.report(question, form.cleaned_data["reason"])
            except services.QuestionError as error:
                form.add_error(None, error.message)
            else:
                return redirect("questions:report_sent", pk=question.pk)
    else:
        form = ReportForm()
    campaign = question.campaign.localized
    return render(request, "questions/report.html", {"question": question, "campaign": campaign, "form": form})


def report_sent(request, pk):
    """Thanks for the report."""
    question = get_object_or_404(Question.objects.select_related("campaign"), pk=pk)
    context = {"campaign": question.campaign.localized, "hidden": question.status != Question.Status.PUBLISHED}
    return render(request, "questions/report_sent.html", context)
