"""Admin for public questions: the "Questions" menu (list, filters, search, detail with the
moderation actions), and the personal-data hooks (`questions.personal_data`).

Who sees what (groups in `coupdepouce/editorial.py`): `questions.view_question` opens the list
and each question (with its reports: `questions.view_questionreport` is the same staff's);
`questions.change_question` publishes, rejects and answers. Nobody adds or edits a question
here (what a citizen wrote stays theirs), nor deletes one: rejecting hides it. Holders moderate
their own campaign's questions in their dashboard ("Mon projet"), not here.
"""

from django.contrib.auth import get_permission_codename
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from questions import (
    admin_views,
    personal_data,  # noqa: F401 — registers the personal-data export and erasure hooks
)
from questions.emails import ADMIN_NAMESPACE
from questions.models import Question


class QuestionViewSet(ModelViewSet):
    model = Question
    name = ADMIN_NAMESPACE
    url_prefix = "questions"
    icon = "help"
    menu_label = _("Questions")
    menu_order = 160
    add_to_admin_menu = True
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = admin_views.QuestionIndexView
    inspect_view_class = admin_views.QuestionInspectView
    inspect_view_fields = admin_views.INSPECT_FIELDS
    filterset_class = admin_views.QuestionFilterSet
    search_fields = ["body", "answer", "author_name", "author_email"]
    search_backend_name = None  # Django's ORM: questions are not in the search index
    list_per_page = 50

    def get_common_view_kwargs(self, **kwargs):
        # No view to add, edit, copy, delete or see the log of a question.
        return super().get_common_view_kwargs(
            add_url_name=None,
            edit_url_name=None,
            delete_url_name=None,
            history_url_name=None,
            usage_url_name=None,
            copy_url_name=None,
            **kwargs,
        )

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
        ]

    @property
    def url_finder_class(self):
        # "Edit this question" anywhere in the admin opens its detail page.
        finder = super().url_finder_class
        finder.edit_url_name = self.get_url_name("inspect")
        return finder

    def get_permissions_to_register(self):
        content_type = ContentType.objects.get_for_model(self.model)
        codenames = [get_permission_codename(action, self.model_opts) for action in ("view", "change")]
        return Permission.objects.filter(content_type=content_type, codename__in=codenames)


@hooks.register("register_admin_viewset")
def register_question_viewset():
    return QuestionViewSet()
