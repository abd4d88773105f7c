"""Sponsor matching (abondement): sponsors, their offers and what each pledge received."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel


class Sponsor(models.Model):
    name = models.CharField(_("name"), max_length=150)
    url = models.URLField(_("website"), blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    panels = [FieldPanel("name"), FieldPanel("url"), FieldPanel("logo")]

    class Meta:
        verbose_name = _("sponsor")
        ordering = ["name"]

    def __str__(self):
        return self.name


class MatchingOffer(models.Model):
    """Abondement: a sponsor adds `ratio` € per € pledged, within caps and an envelope."""

    class Scope(models.TextChoices):
        CAMPAIGN = "campaign", _("One campaign")
        THEME = "theme", _("A theme's campaigns")
        CALL = "call", _("A call's campaigns")

    sponsor = models.ForeignKey(Sponsor, verbose_name=_("sponsor"), on_delete=models.PROTECT, related_name="offers")
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices, default=Scope.CAMPAIGN)
    campaign = models.ForeignKey(
        settings.PAYMENTS_CAMPAIGN_MODEL,
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    theme = models.ForeignKey(
        "themes.ThemePage", verbose_name=_("theme"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    call = models.ForeignKey(
        "calls.CallForProjectsPage",
        verbose_name=_("call for projects"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    ratio = models.DecimalField(
        _("ratio (€ added per € pledged)"),
        max_digits=5,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0)],
    )
    cap_per_pledge_cents = models.PositiveIntegerField(_("cap per pledge (cents)"), null=True, blank=True)
    cap_per_campaign_cents = models.PositiveIntegerField(_("cap per campaign (cents)"), null=True, blank=True)
    envelope_cents = models.PositiveIntegerField(_("total envelope (cents)"), validators=[MinValueValidator(1)])
    only_on_success = models.BooleanField(
        _("pays only if the campaign succeeds"),
        default=True,
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("sponsor"),
        MultiFieldPanel(
            [FieldPanel("scope"), FieldPanel("campaign"), FieldPanel("theme"), FieldPanel("call")],
            heading=_("Scope"),
        ),
        FieldPanel("ratio"),
        FieldRowPanel([FieldPanel("cap_per_pledge_cents"), FieldPanel("cap_per_campaign_cents")]),
        FieldPanel("envelope_cents"),
        FieldRowPanel([FieldPanel("only_on_success"), FieldPanel("active")]),
    ]

    class Meta:
        verbose_name = _("matching offer")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.sponsor} ×{self.ratio}"

    def clean(self):
        super().clean()
        target = {self.Scope.CAMPAIGN: "campaign", self.Scope.THEME: "theme", self.Scope.CALL: "call"}[self.scope]
        if not getattr(self, f"{target}_id"):
            raise ValidationError({target: _("Choose the %(scope)s this offer applies to.") % {"scope": target}})


class MatchAllocation(models.Model):
    """The part of an offer's envelope given to one pledge."""

    # What the page cache (coupdepouce.page_cache) purges when a row is saved or deleted.
    page_cache_shown_on = "pledge.campaign"

    offer = models.ForeignKey(MatchingOffer, on_delete=models.PROTECT, related_name="allocations")
    pledge = models.ForeignKey("payments.Pledge", on_delete=models.CASCADE, related_name="matches")
    amount_cents = models.PositiveIntegerField()
    released = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("matching allocation")
        constraints = [models.UniqueConstraint(fields=["offer", "pledge"], name="one_allocation_per_offer_pledge")]

    def __str__(self):
        return f"{self.offer} → {self.pledge_id}: {self.amount_cents}"
