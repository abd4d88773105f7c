"""Operational records of the payment side: provider webhook events, campaign closings and
holders' payout accounts."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from payments.rules import CampaignStatus


class WebhookEvent(models.Model):
    """A provider event, stored once: the unique id makes a replay a no-op."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)
    payload = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("webhook event")
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.type} {self.event_id}"


class CampaignClosing(models.Model):
    """The close of a campaign: its outcome, frozen, and when the charging ran."""

    # What the page cache (coupdepouce.page_cache) purges when a row is saved or deleted.
    page_cache_shown_on = "campaign"

    OUTCOMES = [
        (status, status.label)
        for status in (CampaignStatus.SUCCEEDED, CampaignStatus.FAILED, CampaignStatus.CANCELLED)
    ]

    campaign = models.OneToOneField(settings.PAYMENTS_CAMPAIGN_MODEL, on_delete=models.CASCADE, related_name="closing")
    outcome = models.CharField(max_length=20, choices=OUTCOMES)
    raised_cents = models.PositiveIntegerField()
    closed_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # A cancelled campaign: who cancelled it and why (the refunds follow, `closing.cancel_campaign`).
    cancelled_by = models.CharField(max_length=150, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("campaign closing")

    def __str__(self):
        return f"{self.campaign} — {self.outcome}"

    @property
    def failed(self) -> bool:
        return self.outcome == CampaignStatus.FAILED

    @property
    def cancelled(self) -> bool:
        return self.outcome == CampaignStatus.CANCELLED


class PayoutAccount(models.Model):
    """A project holder's Stripe Connect Express account, one per campaign (all translations)."""

    campaign_key = models.UUIDField(unique=True, help_text="translation_key of the campaign")
    stripe_account_id = models.CharField(max_length=255, blank=True, db_index=True)
    charges_enabled = models.BooleanField(default=False)
    payouts_enabled = models.BooleanField(default=False)
    details_submitted = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("payout account")

    def __str__(self):
        return self.stripe_account_id or str(self.campaign_key)
