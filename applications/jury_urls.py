"""Jurors' pages (inside the language prefixes), in their own namespace: `jury:`."""

from django.urls import path

from applications import jury_views

app_name = "jury"

urlpatterns = [
    path("espace/jury/", jury_views.index, name="index"),
    path("espace/jury/<uuid:token>/", jury_views.application, name="application"),
    path("espace/jury/<uuid:token>/conflit/", jury_views.conflict, name="conflict"),
]
