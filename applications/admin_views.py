"""Staff views of applications in the Wagtail admin, built on Wagtail's generic views.

- `ApplicationIndexView` (generic IndexView): the list with filters, search and the CSV /
  XLSX exports in French formats (`coupdepouce.exports.FrenchSpreadsheetMixin`).
- `ApplicationInspectView` (generic InspectView): the application as sent, its attachments,
  history, jurors and reviews, and the staff actions on it.
- `CallsReportView` and `CallSummaryView` (ReportView): applications per call, and one
  call's figures with the jury's ranking (exportable too).
- `user_chooser_viewset`: a chooser of active accounts, for jurors.

Rules live in `workflow` (decisions, jurors) and `reports` (figures); these views call them.
"""

from __future__ import annotations

from collections import OrderedDict

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import ChoiceFilter
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.chooser import (
    ChooseResultsView,
    ChooseView,
    ChosenMultipleView,
    ChosenView,
)
from wagtail.admin.views.generic.chooser import CreateView as ChooserCreateView
from wagtail.admin.views.reports import ReportView
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.widgets.button import HeaderButton

from applications import promotion, reports, workflow
from applications.admin_promotion import promotion_url
from applications.blocks import AmountBlock, DateBlock, FileBlock
from applications.models import Application, JuryAssignment, Review
from applications.ranking import review_score
from applications.status import REASON_REQUIRED, REVIEWABLE, ApplicationStatus
from coupdepouce.exports import FrenchSpreadsheetMixin, euros_cell
from coupdepouce.money import format_euros

S = ApplicationStatus
CHANGE_PERMISSION = "applications.change_application"
# The URL namespace of the applications admin (`wagtail_hooks.ApplicationViewSet`).
ADMIN_NAMESPACE = "application"


def admin_url(name, *args):
    return reverse(f"{ADMIN_NAMESPACE}:{name}", args=args)


# Exports ---------------------------------------------------------------------------------------


# The French formats (`;`, decimal comma, euros, Europe/Paris times, BOM; typed XLSX cells)
# and the formula neutralisation are `coupdepouce.exports.FrenchSpreadsheetMixin`'s.


def _local(value):
    return timezone.localtime(value, timezone.get_default_timezone())


# The application list --------------------------------------------------------------------------


class ApplicationFilterSet(WagtailFilterSet):
    status = ChoiceFilter(
        label=gettext_lazy("Status"), choices=[choice for choice in S.choices if choice[0] != S.DRAFT]
    )

    class Meta:
        model = Application
        fields = ["call", "status", "themes", "territory"]


class ReferenceColumn(TitleColumn):
    def get_value(self, instance):
        return instance.reference or _("Draft")


class AmountColumn(Column):
    def get_value(self, instance):
        return format_euros(instance.amount_requested_cents)


EXPORT_FIELDS = [
    "reference",
    "title",
    "status",
    "call",
    "applicant_name",
    "applicant_email",
    "holder_name",
    "holder_kind",
    "amount_requested",
    "themes",
    "territory",
    "submitted_at",
    "eligibility_reason",
]
EXPORT_HEADINGS = {
    "reference": gettext_lazy("Reference"),
    "title": gettext_lazy("Project title"),
    "status": gettext_lazy("Status"),
    "call": gettext_lazy("Call for projects"),
    "applicant_name": gettext_lazy("Applicant"),
    "applicant_email": gettext_lazy("Applicant's email"),
    "holder_name": gettext_lazy("Project holder"),
    "holder_kind": gettext_lazy("Holder kind"),
    "amount_requested": gettext_lazy("Amount requested (€)"),
    "themes": gettext_lazy("Themes"),
    "territory": gettext_lazy("Territory"),
    "submitted_at": gettext_lazy("Submitted"),
    "eligibility_reason": gettext_lazy("Eligibility reason"),
}
ANSWER_PREFIX = "answer:"


def answer_value(application, child):
    """One answer for an export cell: euros for an amount, file names for a file, else the
    block's own text (`display`)."""
    answer = application.answers.get(child.id)
    if isinstance(child.block, AmountBlock):
        return None if answer in (None, "") else euros_cell(int(answer))
    if isinstance(child.block, DateBlock):
        return parse_date(answer) if answer else None
    if isinstance(child.block, FileBlock):
        return [a.name for a in application.attachments.all() if a.question == child.id]
    return child.block.display(child.value, answer)


def answer_text(application, child):
    """One answer for the detail page (files are listed separately with their links)."""
    answer = application.answers.get(child.id)
    if isinstance(child.block, AmountBlock):
        return "" if answer in (None, "") else format_euros(int(answer))
    if isinstance(child.block, DateBlock):
        return date_format(parse_date(answer), "SHORT_DATE_FORMAT") if answer else ""
    if isinstance(child.block, FileBlock):
        return ""
    return child.block.display(child.value, answer)


class ApplicationIndexView(FrenchSpreadsheetMixin, IndexView):
    """Submitted applications (drafts are the applicants' own). Constant queries per page.

    Filtered on one call, the exports add a column per question of that call's form.
    """

    def get_base_queryset(self):
        return (
            Application.objects.exclude(status=S.DRAFT)
            .select_related("call", "applicant", "territory")
            .order_by("-submitted_at", "-pk")
        )

    @cached_property
    def columns(self):
        return [
            self._get_title_column("reference", column_class=ReferenceColumn),
            self._get_custom_column("title"),
            Column("applicant", label=_("Applicant"), accessor="applicant"),
            Column("call", label=_("Call for projects"), accessor="call.title", sort_key="call__title"),
            self._get_custom_column("status"),
            self._get_custom_column("submitted_at"),
            AmountColumn("amount_requested", label=_("Amount requested"), sort_key="amount_requested"),
        ]

    @cached_property
    def filtered_call(self):
        """The call the list is filtered on, if exactly one."""
        if self.filters and self.filters.is_valid():
            return self.filters.form.cleaned_data.get("call")
        return None

    @cached_property
    def header_buttons(self):
        call = self.filtered_call
        url = admin_url("summary", call.pk) if call else admin_url("calls")
        label = _("Summary and ranking of this call") if call else _("Summary per call")
        return [*super().header_buttons, HeaderButton(label, url=url, icon_name="table")]

    def answer_columns(self):
        call = self.filtered_call
        if call is None:
            return {}
        return {f"{ANSWER_PREFIX}{child.id}": child for child in call.specific.application_form}

    def as_spreadsheet(self, queryset, spreadsheet_format):
        self.answers = self.answer_columns()
        self.list_export = EXPORT_FIELDS + list(self.answers)
        self.export_headings = {
            **EXPORT_HEADINGS,
            **{key: child.value["label"] for key, child in self.answers.items()},
        }
        queryset = queryset.prefetch_related("themes", "attachments")
        return super().as_spreadsheet(queryset, spreadsheet_format)

    def to_row_dict(self, item):
        values = {
            "reference": item.reference,
            "title": item.title,
            "status": item.get_status_display(),
            "call": item.call.title,
            "applicant_name": item.applicant.full_name,
            "applicant_email": item.applicant.email,
            "holder_name": item.holder_name,
            "holder_kind": item.get_holder_kind_display(),
            "amount_requested": euros_cell(item.amount_requested_cents),
            "themes": [theme.title for theme in item.themes.all()],
            "territory": str(item.territory) if item.territory else "",
            "submitted_at": item.submitted_at,
            "eligibility_reason": item.eligibility_reason,
        }
        for key, child in self.answers.items():
            values[key] = answer_value(item, child)
        return OrderedDict((name, values[name]) for name in self.list_export)


# The application's page and the staff actions ------------------------------------------------------


def active_users():
    return get_user_model().objects.filter(is_active=True).order_by("full_name", "email")


class UserSearchForm(BaseFilterForm):
    """Search accounts by name or email address (the user model has no search index)."""

    q = forms.CharField(label=gettext_lazy("Search term"), required=False)

    def filter(self, objects):
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            objects = objects.filter(Q(full_name__icontains=query) | Q(email__icontains=query))
            self.is_searching = True
            self.search_query = query
        return objects


class StaffOnlyChooserMixin:
    """The account chooser lists names and emails: only staff who assign jurors may open it."""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not (user.has_perm(CHANGE_PERMISSION) or user.has_perm("applications.change_calljury")):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class UserChooseView(StaffOnlyChooserMixin, ChooseView):
    filter_form_class = UserSearchForm


class UserChooseResultsView(StaffOnlyChooserMixin, ChooseResultsView):
    filter_form_class = UserSearchForm


class UserChosenView(StaffOnlyChooserMixin, ChosenView):
    pass


class UserChosenMultipleView(StaffOnlyChooserMixin, ChosenMultipleView):
    pass


class UserCreateView(StaffOnlyChooserMixin, ChooserCreateView):
    pass


class UserChooserViewSet(ChooserViewSet):
    """Wagtail's chooser modal for accounts, limited to active ones."""

    model = get_user_model()
    icon = "user"
    choose_one_text = gettext_lazy("Choose a person")
    choose_another_text = gettext_lazy("Choose another person")
    edit_item_text = gettext_lazy("Edit")
    register_widget = False  # other admin forms keep their own widgets for user fields
    choose_view_class = UserChooseView
    choose_results_view_class = UserChooseResultsView
    chosen_view_class = UserChosenView
    chosen_multiple_view_class = UserChosenMultipleView
    create_view_class = UserCreateView

    def get_object_list(self):
        return active_users()


user_chooser_viewset = UserChooserViewSet("application_user_chooser")
UserChooserWidget = user_chooser_viewset.widget_class


class DecisionForm(forms.Form):
    """A decision among those allowed from the application's status (workflow.decisions_from)."""

    to_status = forms.ChoiceField(label=gettext_lazy("Decision"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 3}),
        help_text=gettext_lazy("Required when the application is not eligible; sent to the applicant."),
    )
    message = forms.CharField(
        label=gettext_lazy("Message to the applicant"),
        required=False,
        max_length=5000,
        widget=forms.Textarea({"rows": 4}),
        help_text=gettext_lazy("Optional: added to the email the applicant receives."),
    )
    note = forms.CharField(
        label=gettext_lazy("Internal note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 2}),
        help_text=gettext_lazy("Kept in the history; never sent."),
    )

    def __init__(self, decisions, *args, with_reason=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [(status.value, status.label) for status in decisions]
        if not with_reason:
            del self.fields["reason"]

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("to_status")
        if status and S(status) in REASON_REQUIRED and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", REASON_REQUIRED[S(status)])
        return cleaned


class AssignJurorForm(forms.Form):
    """A juror chosen with the account chooser, or (without JavaScript) by email address."""

    juror = forms.ModelChoiceField(
        label=gettext_lazy("Juror"), queryset=active_users(), required=False, widget=UserChooserWidget()
    )
    email = forms.EmailField(
        label=gettext_lazy("Or the juror's email address"),
        required=False,
        help_text=gettext_lazy("The email address of an existing, active account."),
    )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        juror, email = cleaned.get("juror"), cleaned.get("email")
        if juror is None and email:
            juror = active_users().filter(email__iexact=email).first()
            if juror is None:
                self.add_error("email", _("No active account has this email address."))
                return cleaned
        if juror is None:
            self.add_error("juror", _("Choose a juror."))
        cleaned["juror"] = juror
        return cleaned


# What the detail page shows of the application itself (the answers follow).
INSPECT_FIELDS = [
    "reference",
    "status",
    "call",
    "applicant",
    "submitted_at",
    "title",
    "summary",
    "holder_name",
    "holder_kind",
    "amount_requested",
    "themes",
    "territory",
    "eligibility_reason",
]
ACTIONS = ("screening", "selection", "assign", "assign_jury", "unassign")


class ApplicationInspectView(InspectView):
    """The application as its applicant sent it, and what staff do with it.

    Built on Wagtail's InspectView (there is no edit view: staff never change what the
    applicant wrote). The action forms (screening, selection, jurors) post back to this view,
    so a refused form is shown again with its errors next to the application it is about;
    each action calls `applications.workflow` and needs the "change" permission.
    """

    template_name = "applications/admin/application_inspect.html"
    fields = INSPECT_FIELDS

    def get_object(self, queryset=None):
        return get_object_or_404(
            Application.objects.select_related("call", "applicant", "territory", "campaign").prefetch_related("themes"),
            pk=self.pk,
        )

    def get_page_subtitle(self):
        return f"{self.object.reference or _('Draft')} — {self.object.title}"

    def get_applicant_display_value(self):
        applicant = self.object.applicant
        return f"{applicant.full_name} <{applicant.email}>" if applicant.full_name else applicant.email

    def get_amount_requested_display_value(self):
        return format_euros(self.object.amount_requested_cents) or "—"

    def get_themes_display_value(self):
        return ", ".join(theme.title for theme in self.object.themes.all()) or "—"

    def get_territory_display_value(self):
        return str(self.object.territory) if self.object.territory else "—"

    def get_submitted_at_display_value(self):
        value = self.object.submitted_at
        return _local(value).strftime("%d/%m/%Y %H:%M") if value else "—"

    @cached_property
    def can_act(self):
        return self.user_has_permission("change")

    @cached_property
    def header_buttons(self):
        url = admin_url("summary", self.object.call_id)
        return [HeaderButton(_("Summary and ranking of the call"), url=url, icon_name="table")]

    # Forms --------------------------------------------------------------------------------

    def make_forms(self, bound=None):
        decisions = workflow.decisions_from(self.object.status)
        screening = [s for s in decisions if s in workflow.SCREENING]
        selection = [s for s in decisions if s in workflow.SELECTION]
        data = self.request.POST if bound else None
        return {
            "screening": DecisionForm(
                screening, data if bound == "screening" else None, prefix="screening", with_reason=True
            )
            if screening
            else None,
            "selection": DecisionForm(
                selection, data if bound == "selection" else None, prefix="selection", with_reason=False
            )
            if selection
            else None,
            "assign": AssignJurorForm(data if bound == "assign" else None, prefix="assign"),
        }

    def post(self, request, *args, **kwargs):
        if not self.can_act:
            raise PermissionDenied
        action = request.POST.get("action")
        if action not in ACTIONS:
            messages.error(request, _("Unknown action."))
            return redirect(self.request.path)
        self.forms = self.make_forms(bound=action)
        try:
            done = getattr(self, f"do_{action}")()
        except workflow.WorkflowError as error:
            form = self.forms.get(action)
            if form is None:
                messages.error(request, str(error))
                return redirect(request.path)
            form.add_error(None, str(error))
            done = False
        if done:
            return redirect(request.path)
        return self.render_to_response(self.get_context_data(**kwargs))

    def _decide(self, action):
        form = self.forms[action]
        if form is None or not form.is_valid():
            if form is None:
                raise workflow.WorkflowError(_("No decision can be taken on this application now."))
            return False
        event = workflow.decide(
            self.object,
            form.cleaned_data["to_status"],
            actor=self.request.user,
            reason=form.cleaned_data.get("reason", ""),
            message=form.cleaned_data["message"],
            note=form.cleaned_data["note"],
        )
        if event is None:
            messages.info(self.request, _("The application already had this status: nothing was sent."))
        else:
            messages.success(
                self.request,
                _("Decision recorded: %(status)s. The applicant is informed by email.")
                % {"status": S(event.to_status).label},
            )
        return True

    def do_screening(self):
        return self._decide("screening")

    def do_selection(self):
        return self._decide("selection")

    def do_assign(self):
        form = self.forms["assign"]
        if not form.is_valid():
            return False
        juror = form.cleaned_data["juror"]
        _assignment, created = workflow.assign(self.object, juror, by=self.request.user)
        name = juror.full_name or juror.email
        if created:
            messages.success(self.request, _("%(juror)s is now a juror of this application.") % {"juror": name})
        else:
            messages.info(self.request, _("%(juror)s already was a juror of this application.") % {"juror": name})
        return True

    def do_assign_jury(self):
        created = workflow.assign_jury(self.object.call, [self.object], by=self.request.user)
        messages.success(self.request, _("The call's jury is assigned (%(count)s new jurors).") % {"count": created})
        return True

    def do_unassign(self):
        juror = get_object_or_404(get_user_model(), pk=self.request.POST.get("juror"))
        if workflow.unassign(self.object, juror, by=self.request.user):
            messages.success(
                self.request, _("%(juror)s is no longer a juror of this application.") % {"juror": str(juror)}
            )
        return True

    # Context ------------------------------------------------------------------------------

    def get_answers(self):
        attachments = list(self.object.attachments.all())
        by_question = {}
        for attachment in attachments:
            by_question.setdefault(attachment.question, []).append(attachment)
        answers = []
        form = self.object.call.application_form
        for child in form:
            files = by_question.pop(child.id, [])
            answers.append(
                {
                    "label": child.value["label"],
                    "text": answer_text(self.object, child),
                    "files": [(a, reverse("applications:attachment", args=[a.token])) for a in files],
                    "is_file": isinstance(child.block, FileBlock),
                }
            )
        others = [
            (a, reverse("applications:attachment", args=[a.token])) for files in by_question.values() for a in files
        ]
        return answers, others

    def get_reviews(self):
        weights = {str(c.pk): c.weight for c in self.object.call.criteria.all()}
        conflicted = set(
            JuryAssignment.objects.filter(application=self.object, conflict_of_interest=True).values_list(
                "juror_id", flat=True
            )
        )
        rows = []
        for review in Review.objects.filter(application=self.object).select_related("juror").order_by("pk"):
            rows.append(
                {
                    "review": review,
                    "score": review_score(review.scores, weights) if review.submitted_at else None,
                    "conflicted": review.juror_id in conflicted,
                }
            )
        return rows

    def get_events(self):
        events = list(self.object.events.select_related("actor").order_by("created_at", "pk"))
        for event in events:
            event.from_label = S(event.from_status).label if event.from_status else "—"
            event.to_label = S(event.to_status).label if event.to_status else ""
        return events

    def get_ranking_line(self):
        if self.object.status not in REVIEWABLE:
            return None, 0
        ranked = reports.ranking(self.object.call)
        for position, line in enumerate(ranked, start=1):
            if line.application.pk == self.object.pk:
                return (position, line), len(ranked)
        return None, len(ranked)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = self.object
        answers, other_files = self.get_answers()
        ranking_line, ranked_count = self.get_ranking_line()
        jury = workflow.jury_of(application.call)
        context.update(
            {
                "application": application,
                "answers": answers,
                "other_files": other_files,
                "events": self.get_events(),
                "assignments": application.assignments.select_related("juror", "assigned_by").order_by(
                    "assigned_at", "pk"
                ),
                "reviews": self.get_reviews(),
                "ranking_line": ranking_line,
                "ranked_count": ranked_count,
                "summary_url": admin_url("summary", application.call_id),
                "can_act": self.can_act,
                "forms": getattr(self, "forms", None) or self.make_forms(),
                "reviewable": application.status in REVIEWABLE,
                "jury": jury,
                "jury_members": list(jury.members.all()) if jury else [],
                "can_promote": self.can_act and promotion.can_promote(application),
                "promotion_url": promotion_url(application),
                "campaign": application.campaign,
            }
        )
        return context


# Calls: applications per call, and one call's figures and ranking ------------------------------------


class ApplicationReportMixin:
    """Reports about applications are for staff who may see applications."""

    model = Application
    any_permission_required = ["view", "change"]


class CallsReportView(ApplicationReportMixin, FrenchSpreadsheetMixin, ReportView):
    """The calls that received applications, each linked to its summary (one query)."""

    page_title = gettext_lazy("Applications per call")
    header_icon = "table"
    paginate_by = None
    index_url_name = f"{ADMIN_NAMESPACE}:calls"
    list_export = ["call", "received", "amount_total"]
    export_headings = {
        "call": gettext_lazy("Call for projects"),
        "received": gettext_lazy("Applications received"),
        "amount_total": gettext_lazy("Amount requested (€)"),
    }
    export_filename = "appels-candidatures"

    def get_queryset(self):
        call_model = Application._meta.get_field("call").related_model
        received = Q(applications__submitted_at__isnull=False)
        return (
            call_model.objects.select_related("locale")
            .annotate(
                received=Count("applications", filter=received),
                amount_total=Sum("applications__amount_requested", filter=received),
            )
            .filter(received__gt=0)
            .order_by("-closes_at", "title")
        )

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "title",
                label=_("Call for projects"),
                get_url=lambda call: admin_url("summary", call.pk),
            ),
            Column("locale", label=_("Language"), accessor="locale.get_display_name"),
            Column("received", label=_("Applications received")),
            Column(
                "amount_total",
                label=_("Amount requested"),
                accessor=lambda c: format_euros((c.amount_total or 0) * 100),
            ),
        ]

    def to_row_dict(self, item):
        values = {
            "call": item.title,
            "received": item.received,
            "amount_total": euros_cell((item.amount_total or 0) * 100),
        }
        return OrderedDict((name, values[name]) for name in self.list_export)


class CallSummaryView(ApplicationReportMixin, FrenchSpreadsheetMixin, ReportView):
    """One call's figures (received, by status, theme, territory, amounts) above the jury's
    ranking of its eligible applications; the exports give the ranking."""

    template_name = "applications/admin/call_summary.html"
    header_icon = "table"
    paginate_by = None
    list_export = [
        "position",
        "reference",
        "title",
        "status",
        "average",
        "reviews",
        "spread",
        "coups_de_coeur",
        "amount_requested",
    ]
    export_headings = {
        "position": gettext_lazy("Rank"),
        "reference": gettext_lazy("Reference"),
        "title": gettext_lazy("Project title"),
        "status": gettext_lazy("Status"),
        "average": gettext_lazy("Weighted average (out of 5)"),
        "reviews": gettext_lazy("Reviews"),
        "spread": gettext_lazy("Spread between jurors"),
        "coups_de_coeur": gettext_lazy("Coups de cœur"),
        "amount_requested": gettext_lazy("Amount requested (€)"),
    }

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        call_model = Application._meta.get_field("call").related_model
        self.call = get_object_or_404(call_model, pk=kwargs["call_pk"])

    def get_page_title(self):
        return _("Summary and ranking")

    def get_page_subtitle(self):
        return self.call.title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": admin_url("index"), "label": _("Applications")},
            {"url": admin_url("calls"), "label": _("Applications per call")},
            {"url": "", "label": _("Summary and ranking"), "sublabel": self.call.title},
        ]

    def get_index_url(self):
        return admin_url("summary", self.call.pk)

    def get_filename(self):
        return f"classement-{self.call.slug or self.call.pk}"

    def get_queryset(self):
        ranked = reports.ranking(self.call)
        for position, line in enumerate(ranked, start=1):
            line.position = position if line.average is not None else None
        return ranked

    @cached_property
    def columns(self):
        inspect = lambda line: admin_url("inspect", line.application.pk)  # noqa: E731
        return [
            Column("position", label=_("Rank"), accessor=lambda line: line.position or "—"),
            TitleColumn(
                "reference",
                label=_("Application"),
                accessor=lambda line: f"{line.application.reference} — {line.application.title}",
                get_url=inspect,
            ),
            Column("status", label=_("Status"), accessor=lambda line: line.application.get_status_display()),
            Column("average", label=_("Weighted average (out of 5)"), accessor=lambda line: _dash(line.average)),
            Column("reviews", label=_("Reviews"), accessor=lambda line: line.reviews),
            Column("spread", label=_("Spread between jurors"), accessor=lambda line: _dash(line.spread)),
            Column("coups_de_coeur", label=_("Coups de cœur"), accessor=lambda line: line.coups_de_coeur),
            Column(
                "amount",
                label=_("Amount requested"),
                accessor=lambda line: format_euros(line.application.amount_requested_cents),
            ),
        ]

    def to_row_dict(self, line):
        application = line.application
        values = {
            "position": line.position,
            "reference": application.reference,
            "title": application.title,
            "status": application.get_status_display(),
            "average": line.average,
            "reviews": line.reviews,
            "spread": line.spread,
            "coups_de_coeur": line.coups_de_coeur,
            "amount_requested": euros_cell(application.amount_requested_cents),
        }
        return OrderedDict((name, values[name]) for name in self.list_export)

    def post(self, request, *args, **kwargs):
        """Assign the call's jury to every eligible application of the call at once."""
        if not self.user_has_permission("change"):
            raise PermissionDenied
        applications = reports.applications_of(self.call).filter(status__in=REVIEWABLE)
        try:
            created = workflow.assign_jury(self.call, applications.select_related("call"), by=request.user)
        except workflow.WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The jury is assigned to the call's eligible applications (%(count)s new assignments).")
                % {"count": created},
            )
        return redirect(self.get_index_url())

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["call"] = self.call
        context["can_act"] = self.user_has_permission("change")
        context["summary"] = reports.call_summary(self.call)
        context["list_url"] = admin_url("index") + f"?call={self.call.pk}"
        context["jury"] = workflow.jury_of(self.call)
        return context


def _dash(value):
    return "—" if value is None else value


# Juries ------------------------------------------------------------------------------------------------


class CallJuryForm(WagtailAdminModelForm):
    """The jury's members: tick to keep, untick to remove, and one more with the chooser.

    Accounts are many (every applicant has one), so members are not picked from a list of
    all of them: the current ones are listed, and a new one is chosen with a search.
    """

    add_member = forms.ModelChoiceField(
        label=gettext_lazy("Add a juror"),
        queryset=active_users(),
        required=False,
        widget=UserChooserWidget(),
        help_text=gettext_lazy("Save to add them; add the next one afterwards."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        members = self.fields["members"]
        members.queryset = (
            self.instance.members.order_by("full_name", "email")
            if self.instance.pk
            else get_user_model().objects.none()
        )
        members.widget = forms.CheckboxSelectMultiple(choices=members.choices)
        members.help_text = _("Untick a juror to remove them from the jury.")

    def clean(self):
        cleaned = super().clean()
        added = cleaned.get("add_member")
        if added is not None:
            cleaned["members"] = list(cleaned.get("members") or []) + [added]
        return cleaned
