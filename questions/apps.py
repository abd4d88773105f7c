from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuestionsConfig(AppConfig):
    """Public questions on a campaign, held for moderation, with their answers and reports."""

    name = "questions"
    verbose_name = _("Questions")
    default_auto_field = "django.db.models.BigAutoField"
