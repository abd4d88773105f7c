"""Applicants' pages (inside the language prefixes). The form to start an application is the
call page's `candidater/` route (`calls.models.CallForProjectsPage`)."""

from django.urls import path

from applications import views

app_name = "applications"

urlpatterns = [
    path("espace/candidatures/", views.dashboard, name="dashboard"),
    path("espace/candidatures/<uuid:token>/", views.application, name="application"),
    path("espace/candidatures/<uuid:token>/deposee/", views.confirmation, name="confirmation"),
    path("espace/candidatures/<uuid:token>/retirer/", views.withdraw, name="withdraw"),
    path("espace/pieces/<uuid:token>/", views.attachment, name="attachment"),
]
