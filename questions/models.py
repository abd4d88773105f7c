"""Public questions on a campaign: held until the holder or staff publish them, then shown
with their answer. A reported question goes back to moderation."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Question(models.Model):
    # What the page cache (coupdepouce.page_cache) purges when a row is saved or deleted.
    page_cache_shown_on = "campaign"

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting moderation")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")

    campaign = models.ForeignKey(
        settings.PAYMENTS_CAMPAIGN_MODEL, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+"
    )
    author_name = models.CharField(_("name"), max_length=150)
    author_email = models.EmailField(_("email"))
    body = models.TextField(_("question"), max_length=2000)
    language = models.CharField(max_length=10, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    answer = models.TextField(_("answer"), max_length=4000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True, editable=False)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True, editable=False)
    reported_at = models.DateTimeField(_("reported"), null=True, blank=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self):
        return self.body[:60]


class QuestionReport(models.Model):
    """Someone reported a question (or its answer) as abusive."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="reports")
    reason = models.TextField(_("reason"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.question} ({self.created_at:%Y-%m-%d})"
