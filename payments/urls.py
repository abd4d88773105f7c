"""Public payment routes, inside the language prefixes (webhooks: `payments.webhook_urls`)."""

from django.urls import path

from payments import views

app_name = "payments"

urlpatterns = [
    path("paiement/demo/<uuid:token>/", views.demo_checkout, name="demo_checkout"),
    path("paiement/retour/<uuid:token>/", views.checkout_return, name="checkout_return"),
    path("paiement/annule/<uuid:token>/", views.checkout_cancel, name="checkout_cancel"),
    path("paiement/merci/<uuid:token>/", views.thanks, name="thanks"),
    path("paiement/finaliser/<uuid:token>/", views.complete_payment, name="complete_payment"),
]
