"""The pages behind the links of follow emails (inside the language prefixes). The follow
form itself is a campaign page's `suivre/` route (`follows.views.follow`)."""

from django.urls import path

from follows import views

app_name = "follows"

urlpatterns = [
    path("suivi/confirmer/<str:token>/", views.confirm, name="confirm"),
    path("suivi/desabonnement/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
