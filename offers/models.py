"""Offers of help in kind ("Je peux aider") to a campaign's in-kind needs.

An offer names the need it answers by the need's `translation_key` (`need_key`): an offer
made on the English page counts for the French need too. `need` points at the row the
offer was made on while it exists; `need_label` keeps what the offerer saw.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class HelpOffer(models.Model):
    # What the page cache (coupdepouce.page_cache) purges when a row is saved or deleted.
    page_cache_shown_on = "campaign"

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    campaign = models.ForeignKey(
        settings.PAYMENTS_CAMPAIGN_MODEL, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+"
    )
    need = models.ForeignKey(
        "projects.InKindNeed",
        verbose_name=_("need"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="offers",
    )
    need_key = models.UUIDField(db_index=True, editable=False)
    need_label = models.CharField(_("need"), max_length=255, editable=False)
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    offer = models.TextField(_("what I offer"), max_length=2000)
    availability = models.CharField(_("when"), max_length=255, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    response = models.TextField(_("answer to the offerer"), max_length=2000, blank=True)
    estimated_value_cents = models.PositiveIntegerField(
        _("estimated value (cents)"),
        null=True,
        blank=True,
        help_text=_("What the help is worth, shown in the money report apart from the money raised."),
    )
    language = models.CharField(max_length=10, blank=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    decided_at = models.DateTimeField(_("answered"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("offer of help")
        verbose_name_plural = _("offers of help")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["campaign", "status"]), models.Index(fields=["need_key", "status"])]

    def __str__(self):
        return f"{self.name} — {self.need_label}"
