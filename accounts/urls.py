"""The account pages of citizens (applicants, jurors, project holders): ours, then allauth's.

Under `/comptes/` (`/en/comptes/` in English): allauth's pages keep their English paths
(`login/`, `signup/`, `logout/`, `password/reset/`, `password/change/`, `email/`,
`confirm-email/<key>/`…); ours are `espace/`, `mes-donnees/` and `supprimer/`.
"""

from django.urls import include, path
from django.views.generic import RedirectView

from accounts import views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="account_space"), name="account_index"),
    path("espace/", views.space, name="account_space"),
    path("mes-donnees/", views.export_data, name="account_export"),
    path("supprimer/", views.delete_account, name="account_delete"),
    path("", include("allauth.urls")),
]
