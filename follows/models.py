"""Who hears about a campaign: followers by email (double opt-in), launch alerts, and a
record of each update announced and of each update email, so that none is sent twice.

A follow is per campaign (the `translation_key` shared by its translations) and email
address. Backers follow by default without a row; a row with `unsubscribed_at` set stops a
backer or a follower, and stays so that a later pledge does not subscribe them again.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Follow(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting confirmation")
        CONFIRMED = "confirmed", _("Following")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    campaign = models.ForeignKey(
        settings.PAYMENTS_CAMPAIGN_MODEL, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+"
    )
    campaign_key = models.UUIDField(db_index=True, editable=False)
    email = models.EmailField(_("email"))
    language = models.CharField(max_length=10, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    notify_launch = models.BooleanField(_("tell me when it launches"), default=False)
    launch_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True, editable=False)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["campaign_key", "email"], name="one_follow_per_campaign_email")]

    def __str__(self):
        return f"{self.email} — {self.campaign}"


class UpdateAnnouncement(models.Model):
    """An update (all its translations: `update_key`) was announced to its campaign's followers and
    backers. Unique: only the first publication of an update emails anyone."""

    update = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    update_key = models.UUIDField(unique=True, editable=False)
    announced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("update announcement")
        verbose_name_plural = _("update announcements")

    def __str__(self):
        return f"{self.update_key} ({self.announced_at:%Y-%m-%d})"


class UpdateDelivery(models.Model):
    """One update email to one address: created before sending, so a second run sends nothing."""

    update = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    update_key = models.UUIDField(db_index=True, editable=False)
    email = models.EmailField()
    language = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("update email")
        verbose_name_plural = _("update emails")
        constraints = [models.UniqueConstraint(fields=["update_key", "email"], name="one_update_email_per_address")]

    def __str__(self):
        return f"{self.email} ({self.update_key})"
