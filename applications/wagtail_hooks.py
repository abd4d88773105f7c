"""The "Calls for projects" admin group: applications (list, exports, detail and decisions,
summary and ranking per call), the juries and the emails to applicants.

Staff never create an application nor change what its applicant wrote: the application
viewset has no add, edit, copy or delete view. Viewing needs `view_application`; deciding and
assigning jurors need `change_application`. The dashboard lists the applications awaiting screening.
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, HelpPanel, ObjectList
from wagtail.admin.ui.components import Component
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from applications import (
    admin_promotion,  # noqa: F401 — registers the "create the campaign" URL
    admin_views,
    personal_data,  # noqa: F401 — registers the personal-data export and erasure hooks
)
from applications.models import Application, CallJury, EmailTemplate
from applications.status import ApplicationStatus
from coupdepouce.admin_viewsets import ReadOnlyInspectViewSet

PLACEHOLDERS_HELP = _(
    "<p>The subject and the text may use these placeholders, replaced in each email:</p><ul>"
    "<li><code>{reference}</code>: the application's reference</li>"
    "<li><code>{title}</code>: the project's title</li>"
    "<li><code>{call}</code>: the call for projects</li>"
    "<li><code>{name}</code>: the applicant's name</li>"
    "<li><code>{reason}</code>: the reason given when screening (not eligible)</li>"
    "<li><code>{message}</code>: the message written with the decision</li>"
    "<li><code>{url}</code>: the applicant's space</li></ul>"
    "<p>Without a template for an email in a language, a built-in text is sent.</p>"
)


class ApplicationViewSet(ReadOnlyInspectViewSet):
    """Submitted applications: list, filters, search, exports, detail; no editing."""

    model = Application
    name = admin_views.ADMIN_NAMESPACE
    icon = "form"
    menu_label = _("Applications")
    add_to_reference_index = False
    index_view_class = admin_views.ApplicationIndexView
    inspect_view_class = admin_views.ApplicationInspectView
    inspect_view_fields = admin_views.INSPECT_FIELDS
    list_filter = ["call", "status", "themes", "territory"]
    filterset_class = admin_views.ApplicationFilterSet
    search_fields = ["reference", "title", "holder_name", "applicant__email"]
    list_export = admin_views.EXPORT_FIELDS
    export_headings = admin_views.EXPORT_HEADINGS
    export_filename = "candidatures"
    list_per_page = 50

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("calls/", admin_views.CallsReportView.as_view(), name="calls"),
            path("calls/<int:call_pk>/", admin_views.CallSummaryView.as_view(), name="summary"),
        ]


class EmailTemplateViewSet(SnippetViewSet):
    """The emails sent to applicants, one per kind and language (translated with wagtail-localize)."""

    model = EmailTemplate
    icon = "mail"
    menu_label = _("Emails to applicants")
    list_display = ["__str__", "subject"]
    list_filter = ["kind", "locale"]
    search_fields = ["subject", "body"]
    edit_handler = ObjectList(
        [HelpPanel(content=PLACEHOLDERS_HELP), FieldPanel("kind"), FieldPanel("subject"), FieldPanel("body")]
    )


class CallJuryViewSet(SnippetViewSet):
    """Each call's jury: staff assign it at once to an application, or its jurors one by one."""

    model = CallJury
    icon = "group"
    menu_label = _("Juries")
    list_display = ["__str__", "call"]
    edit_handler = ObjectList(
        [FieldPanel("call"), FieldPanel("members"), FieldPanel("add_member")],
        base_form_class=admin_views.CallJuryForm,
    )

    def get_queryset(self, request):
        return CallJury.objects.select_related("call")


class CallsForProjectsGroup(SnippetViewSetGroup):
    menu_label = _("Calls for projects")
    menu_icon = "form"
    menu_order = 155
    items = (ApplicationViewSet, CallJuryViewSet, EmailTemplateViewSet)


register_snippet(CallsForProjectsGroup)


@hooks.register("register_admin_viewset")
def register_user_chooser():
    return admin_views.user_chooser_viewset


# Dashboard: applications awaiting screening (reference, project and call; no applicant's details) ---


def applications_awaiting_screening():
    return list(
        Application.objects.filter(status=ApplicationStatus.SUBMITTED)
        .select_related("call")
        .only("pk", "reference", "title", "submitted_at", "call", "call__title")
        .order_by("submitted_at", "pk")
    )


class ApplicationsToScreenPanel(Component):
    name = "applications_to_screen"
    template_name = "applications/admin/dashboard_to_screen.html"
    order = 107

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["applications"] = applications_awaiting_screening()
        context["inspect_url_name"] = f"{admin_views.ADMIN_NAMESPACE}:inspect"
        return context


@hooks.register("construct_homepage_panels")
def add_screening_panel(request, panels):
    if request.user.has_perm("applications.view_application"):
        panels.append(ApplicationsToScreenPanel())
