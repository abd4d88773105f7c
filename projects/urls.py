"""Projects' pages outside the page tree (inside the language prefixes): the holders' "Mon
projet" (projects/workspace.py)."""

from django.urls import path

from projects import workspace

app_name = "projects"

urlpatterns = [
    path("espace/projets/", workspace.campaigns, name="workspace"),
    path("espace/projets/<int:page_id>/", workspace.dashboard, name="workspace_campaign"),
    path("espace/projets/<int:page_id>/contreparties.csv", workspace.rewards_csv, name="workspace_rewards_csv"),
    path(
        "espace/projets/<int:page_id>/offres/<int:offer_id>/",
        workspace.answer_offer,
        name="workspace_answer_offer",
    ),
    path(
        "espace/projets/<int:page_id>/questions/<int:question_id>/moderer/",
        workspace.moderate_question,
        name="workspace_moderate_question",
    ),
    path(
        "espace/projets/<int:page_id>/questions/<int:question_id>/repondre/",
        workspace.answer_question,
        name="workspace_answer_question",
    ),
]
