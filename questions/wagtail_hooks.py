"""Admin for public questions: the "Questions" menu (list, filters, search, detail with the
moderation actions), and the personal-data hooks (`questions.personal_data`).

Who sees what (groups in `coupdepouce/editorial.py`): `questions.view_question` opens the list
and each question (with its reports: `questions.view_questionreport` is the same staff's);
`questions.change_question` publishes, rejects and answers. Nobody adds or edits a question
here (what a citizen wrote stays theirs), nor deletes one: rejecting hides it. Holders moderate
their own campaign's questions in their dashboard ("Mon projet"), not here.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from coupdepouce.admin_viewsets import ReadOnlyInspectViewSet
from questions import (
    admin_views,
    personal_data,  # noqa: F401 — registers the personal-data export and erasure hooks
)
from questions.emails import ADMIN_NAMESPACE
from questions.models import Question


class QuestionViewSet(ReadOnlyInspectViewSet):
    model = Question
    name = ADMIN_NAMESPACE
    url_prefix = "questions"
    icon = "help"
    menu_label = _("Questions")
    menu_order = 160
    add_to_admin_menu = True
    add_to_reference_index = False
    index_view_class = admin_views.QuestionIndexView
    inspect_view_class = admin_views.QuestionInspectView
    inspect_view_fields = admin_views.INSPECT_FIELDS
    filterset_class = admin_views.QuestionFilterSet
    search_fields = ["body", "answer", "author_name", "author_email"]
    search_backend_name = None  # Django's ORM: questions are not in the search index
    list_per_page = 50



@hooks.register("register_admin_viewset")
def register_question_viewset():
    return QuestionViewSet()
