"""Staff moderation of public questions in the Wagtail admin (`wagtail_hooks.QuestionViewSet`).

- `QuestionIndexView`: every question, newest first, with filters on status, "reported" and
  campaign (a campaign and its translations), and a search on the text, name and email.
- `QuestionInspectView`: the question, its answer and reports, and the staff actions:
  publish, reject, answer. Each calls `questions.services` and needs `change_question`.

Staff never create a question nor change what its author wrote: there is no add or edit view.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import ChoiceFilter, ModelChoiceFilter
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.models import Locale

from payments.interface import campaign_model
from questions import services
from questions.models import Question

Status = Question.Status
ACTIONS = ("publish", "reject", "answer")


def source_campaigns():
    """Campaigns in the default language (each stands for its translations), by title."""
    return campaign_model().objects.filter(locale=Locale.get_default()).order_by("title")


class QuestionFilterSet(WagtailFilterSet):
    status = ChoiceFilter(label=gettext_lazy("Status"), choices=Status.choices)
    reported = ChoiceFilter(
        label=gettext_lazy("Reported"),
        choices=[("yes", gettext_lazy("Reported")), ("no", gettext_lazy("Never reported"))],
        method="filter_reported",
    )
    campaign = ModelChoiceFilter(
        label=gettext_lazy("Campaign"), queryset=lambda request: source_campaigns(), method="filter_campaign"
    )

    class Meta:
        model = Question
        fields = ["status", "reported", "campaign"]

    def filter_reported(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(reported_at__isnull=False)
        if value == "no":
            return queryset.filter(reported_at__isnull=True)
        return queryset

    def filter_campaign(self, queryset, name, value):
        return queryset.filter(campaign__translation_key=value.translation_key) if value else queryset


class ExcerptColumn(TitleColumn):
    def get_value(self, instance):
        return Truncator(instance.body).chars(80)


class QuestionIndexView(IndexView):
    def get_base_queryset(self):
        return Question.objects.select_related("campaign").order_by("-created_at", "-pk")

    @cached_property
    def columns(self):
        return [
            self._get_title_column("body", column_class=ExcerptColumn),
            Column("campaign", label=_("Campaign"), accessor="campaign.title", sort_key="campaign__title"),
            Column("author_name", label=_("Author"), sort_key="author_name"),
            Column("status", label=_("Status"), accessor="get_status_display", sort_key="status"),
            DateColumn("reported_at", label=_("Reported"), sort_key="reported_at"),
            DateColumn("created_at", label=_("Asked"), sort_key="created_at"),
        ]


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("Answer"),
        max_length=services.ANSWER_MAX_LENGTH,
        widget=forms.Textarea({"rows": 6}),
        help_text=gettext_lazy(
            "Shown beneath the question, which is published with it. The author is emailed the first answer."
        ),
        error_messages={"required": gettext_lazy("Write an answer.")},
    )


INSPECT_FIELDS = [
    "campaign",
    "status",
    "author_name",
    "author_email",
    "language",
    "created_at",
    "body",
    "moderated_by",
    "moderated_at",
    "answer",
    "answered_by",
    "answered_at",
    "reported_at",
]


def _local(value):
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else "—"


class QuestionInspectView(InspectView):
    """A question and what staff do with it (forms posting back to this view)."""

    template_name = "questions/admin/question_inspect.html"
    fields = INSPECT_FIELDS

    def get_object(self, queryset=None):
        return get_object_or_404(Question.objects.select_related("campaign", "moderated_by", "answered_by"), pk=self.pk)

    def get_page_subtitle(self):
        return Truncator(self.object.body).chars(60)

    def get_campaign_display_value(self):
        campaign = self.object.campaign
        return f"{campaign.title} ({campaign.locale.get_display_name()})"

    def get_created_at_display_value(self):
        return _local(self.object.created_at)

    def get_moderated_at_display_value(self):
        return _local(self.object.moderated_at)

    def get_answered_at_display_value(self):
        return _local(self.object.answered_at)

    def get_reported_at_display_value(self):
        return _local(self.object.reported_at)

    @cached_property
    def can_act(self):
        return self.user_has_permission("change")

    def get_answer_form(self, data=None):
        return AnswerForm(data, initial={"answer": self.object.answer}, prefix="answer")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        question = self.object
        context.update(
            can_act=self.can_act,
            can_publish=question.status != Status.PUBLISHED,
            can_reject=question.status != Status.REJECTED,
            can_answer=question.status != Status.REJECTED,
            answer_form=getattr(self, "answer_form", None) or self.get_answer_form(),
            reports=list(question.reports.all()),
            public_url=question.campaign.get_url(self.request),
        )
        return context

    def post(self, request, *args, **kwargs):
        if not self.can_act:
            raise PermissionDenied
        self.object = self.get_object()
        action = request.POST.get("action")
        if action not in ACTIONS:
            messages.error(request, _("Unknown action."))
            return redirect(request.path)
        try:
            if action == "publish":
                services.publish(self.object, by=request.user)
                messages.success(request, _("The question is published."))
            elif action == "reject":
                services.reject(self.object, by=request.user)
                messages.success(request, _("The question is rejected: it is not shown."))
            else:
                self.answer_form = self.get_answer_form(request.POST)
                if not self.answer_form.is_valid():
                    return self.render_to_response(self.get_context_data(**kwargs))
                services.answer(self.object, by=request.user, text=self.answer_form.cleaned_data["answer"])
                messages.success(request, _("The answer is published."))
        except services.QuestionError as error:
            messages.error(request, error.message)
        return redirect(request.path)
