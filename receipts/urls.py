"""Donors' receipt pages, inside the language prefixes (French paths: `recus/…`)."""

from django.urls import path

from receipts import views

app_name = "receipts"

urlpatterns = [
    # Before the download route: a signed link never reads "recapitulatif" (it holds a colon).
    path("recus/recapitulatif/", views.summary, name="summary"),
    path("recus/<str:signed>/", views.download, name="download"),
]
