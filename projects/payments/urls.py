"""Public payment routes (inside i18n_patterns) and the provider webhook (outside)."""

from django.urls import path

from projects.payments import views, webhooks

app_name = "payments"

urlpatterns = [
    path("paiement/demo/<uuid:token>/", views.demo_checkout, name="demo_checkout"),
    path("paiement/retour/<uuid:token>/", views.checkout_return, name="checkout_return"),
    path("paiement/merci/<uuid:token>/", views.thanks, name="thanks"),
    path("paiement/finaliser/<uuid:token>/", views.complete_payment, name="complete_payment"),
]

webhook_urlpatterns = [
    path("webhooks/stripe/", webhooks.stripe_webhook, name="stripe_webhook"),
]
