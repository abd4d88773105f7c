"""Who runs a campaign: a holder account is linked to one or more campaigns.

The link is to the campaign in the default language (the page that governs its
translations); its rights (edit the campaign and add updates, never publish) follow from it
(`holders.services`).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignHolder(models.Model):
    # The campaign page says which answers its holders wrote: purge it when they change
    # (`coupdepouce.page_cache.changed_object`).
    page_cache_shown_on = "campaign"

    campaign = models.ForeignKey(
        settings.PAYMENTS_CAMPAIGN_MODEL, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="holders"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.CASCADE, related_name="held_campaigns"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("project holder")
        verbose_name_plural = _("project holders")
        ordering = ["campaign__title", "user__email"]
        constraints = [models.UniqueConstraint(fields=["campaign", "user"], name="one_holder_link_per_campaign")]

    def __str__(self):
        return f"{self.user} — {self.campaign}"
