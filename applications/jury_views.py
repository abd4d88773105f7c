"""Jurors' pages: "Mon jury" (the applications assigned to me), one application with its
scoring form, and the declaration of a conflict of interest. The rules are in `jury`."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from applications import jury
from applications.models import JuryAssignment
from coupdepouce.forms import ErrorSummaryMixin

SCORE_CHOICES = [(str(n), str(n)) for n in jury.SCORES]
SAVE, SUBMIT = "save", "submit"


class ReviewForm(ErrorSummaryMixin, forms.Form):
    """One 0–5 radio group per criterion, a comment and a coup de cœur. The scores are checked
    by `jury.save_review` (so its messages are the ones shown), not by the fields."""

    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea({"rows": 6}),
        help_text=_("What convinced you, what is missing. The other jurors read it once they have sent theirs."),
    )
    coup_de_coeur = forms.BooleanField(label=_("Coup de cœur: this project won my heart"), required=False)

    def __init__(self, criteria, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        scores = {}
        for criterion in criteria:
            name = self.score_field(criterion)
            scores[name] = forms.CharField(
                label=criterion.title,
                required=False,
                widget=forms.RadioSelect(choices=SCORE_CHOICES),
            )
        # Scores first, in the call's order.
        self.fields = {**scores, **self.fields}

    @staticmethod
    def score_field(criterion):
        return f"score_{criterion.pk}"

    def anchor_for(self, name):
        if name.startswith("score_"):
            return f"{self[name].auto_id}_0"
        return super().anchor_for(name)

    def scores(self):
        return {str(c.pk): self.cleaned_data.get(self.score_field(c)) for c in self.criteria}

    def add_review_error(self, error):
        for key, messages_ in error.errors.items():
            field = f"score_{key}" if key is not None and f"score_{key}" in self.fields else None
            for message in messages_:
                self.add_error(field, message)

    def score_rows(self):
        """(criterion, bound field) pairs for the template."""
        return [(c, self[self.score_field(c)]) for c in self.criteria]


class ConflictForm(ErrorSummaryMixin, forms.Form):
    note = forms.CharField(
        label=_("Why (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("For the staff only, for example: “I chair the applicant association”."),
    )


REVIEW_STATES = {
    "todo": _("To score"),
    "draft": _("Draft saved"),
    "submitted": _("Evaluation sent"),
    "closed": _("Scoring closed"),
}


def review_state(review, application):
    if review is not None and review.submitted_at:
        return "submitted"
    if not jury.can_score(application):
        return "closed"
    return "draft" if review is not None else "todo"


def _assignment_or_404(request, token):
    try:
        return jury.assignment_for(request.user, token)
    except JuryAssignment.DoesNotExist:
        raise Http404 from None


@never_cache
@login_required
def index(request):
    assignments = list(
        jury.assignments_for(request.user).order_by("application__call__title", "application__reference", "pk")
    )
    reviews = jury.reviews_by_application(request.user, [a.application for a in assignments])
    rows = []
    for assignment in assignments:
        application = assignment.application
        state = review_state(reviews.get(application.pk), application)
        rows.append(
            {"assignment": assignment, "application": application, "state": state, "label": REVIEW_STATES[state]}
        )
    return render(
        request,
        "applications/jury/index.html",
        {"rows": rows, "conflicts": list(jury.conflicts_of(request.user))},
    )


def _answers(application):
    """(label, text, attachments) for each question of the call, then the other attachments."""
    attachments = list(application.attachments.all())
    by_question = {}
    for attachment in attachments:
        by_question.setdefault(attachment.question, []).append(attachment)
    answers, file_questions = [], set()
    for block in application.call.application_form:
        label = block.value["label"]
        if getattr(block.block, "kind", "") == "file":
            file_questions.add(block.id)
            answers.append((label, "", by_question.get(block.id, [])))
        else:
            answers.append((label, block.block.display(block.value, application.answers.get(block.id)), []))
    others = [a for a in attachments if a.question not in file_questions]
    return answers, others


def _render_application(request, assignment, *, form=None, conflict_form=None, status=200):
    application = assignment.application
    criteria = jury.criteria_of(application)
    review = jury.review_of(assignment)
    can_score = jury.can_score(application)
    if form is None and can_score:
        initial = {}
        if review is not None:
            initial = {"comment": review.comment, "coup_de_coeur": review.coup_de_coeur}
            for criterion in criteria:
                value = review.scores.get(str(criterion.pk))
                if value is not None:
                    initial[ReviewForm.score_field(criterion)] = str(value)
        form = ReviewForm(criteria, initial=initial)
    answers, other_attachments = _answers(application)
    own_scores = []
    if review is not None:
        own_scores = [(c, review.scores.get(str(c.pk))) for c in criteria]
    return render(
        request,
        "applications/jury/application.html",
        {
            "assignment": assignment,
            "application": application,
            "call": application.call,
            "themes": list(application.themes.all()),
            "answers": answers,
            "other_attachments": other_attachments,
            "criteria": criteria,
            "review": review,
            "own_scores": own_scores,
            "submitted": review is not None and review.submitted_at is not None,
            "can_score": can_score,
            "form": form if can_score else None,
            "conflict_form": conflict_form or ConflictForm(),
            "others": jury.other_reviews_visible_to(request.user, application),
        },
        status=status,
    )


@never_cache
@login_required
def application(request, token):
    assignment = _assignment_or_404(request, token)
    if request.method != "POST":
        return _render_application(request, assignment)
    if not jury.can_score(assignment.application):
        messages.error(request, gettext("This application can no longer be scored: the jury's work on it is over."))
        return redirect("jury:application", token=assignment.application.token)
    criteria = jury.criteria_of(assignment.application)
    form = ReviewForm(criteria, request.POST)
    submit = request.POST.get("action") == SUBMIT
    if form.is_valid():
        try:
            jury.save_review(
                assignment,
                form.scores(),
                form.cleaned_data["comment"],
                form.cleaned_data["coup_de_coeur"],
                submit=submit,
            )
        except jury.ReviewError as error:
            form.add_review_error(error)
        else:
            if submit:
                messages.success(request, gettext("Your evaluation is sent. You can now read the other jurors’."))
            else:
                messages.success(request, gettext("Your evaluation is saved. It is not sent yet."))
            return redirect("jury:application", token=assignment.application.token)
    return _render_application(request, assignment, form=form)


@never_cache
@login_required
@require_POST
def conflict(request, token):
    assignment = _assignment_or_404(request, token)
    form = ConflictForm(request.POST)
    if not form.is_valid():
        return _render_application(request, assignment, conflict_form=form)
    jury.declare_conflict(assignment, form.cleaned_data["note"])
    messages.success(
        request,
        gettext(
            "You declared a conflict of interest on “%(title)s”: it is hidden from you "
            "and your evaluation will not count."
        )
        % {"title": assignment.application.title},
    )
    return redirect("jury:index")
