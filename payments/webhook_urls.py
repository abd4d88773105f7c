"""The provider webhook, outside the language prefixes."""

from django.urls import path

from payments import webhooks

urlpatterns = [
    path("webhooks/stripe/", webhooks.stripe_webhook, name="stripe_webhook"),
]
