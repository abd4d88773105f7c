"""Public URLs of questions outside the page tree (inside the language prefixes). Asking is a
campaign page's `questions/` route (`projects.models.CampaignPage` → `questions.views.ask`)."""

from django.urls import path

from questions import views

app_name = "questions"

urlpatterns = [
    path("questions/<int:pk>/signaler/", views.report, name="report"),
    path("questions/<int:pk>/signaler/merci/", views.report_sent, name="report_sent"),
]
