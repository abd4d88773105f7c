"""Payment-side rows of the ledger: state changes, webhook events, sponsors and matching,
campaign closings and holders' payout accounts. Imported by `projects.models`."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel


class PledgeEvent(models.Model):
    """Every state change of a pledge, in order: the audit trail of the ledger."""

    pledge = models.ForeignKey("projects.Pledge", on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    note = models.CharField(_("note"), max_length=255, blank=True)
    actor = models.CharField(
        _("actor"), max_length=40, default="system", help_text=_("citizen, webhook, system, or a user name")
    )
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("pledge event")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.pledge_id}: {self.from_status or '∅'} → {self.to_status}"


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

    class Outcome(models.TextChoices):
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    campaign = models.OneToOneField("projects.CampaignPage", on_delete=models.CASCADE, related_name="closing")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    raised_cents = models.PositiveIntegerField()
    closed_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("campaign closing")

    def __str__(self):
        return f"{self.campaign} — {self.outcome}"


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
        "projects.CampaignPage",
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

    offer = models.ForeignKey(MatchingOffer, on_delete=models.PROTECT, related_name="allocations")
    pledge = models.ForeignKey("projects.Pledge", on_delete=models.CASCADE, related_name="matches")
    amount_cents = models.PositiveIntegerField()
    released = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("matching allocation")
        constraints = [models.UniqueConstraint(fields=["offer", "pledge"], name="one_allocation_per_offer_pledge")]

    def __str__(self):
        return f"{self.offer} → {self.pledge_id}: {self.amount_cents}"


__all__ = [
    "CampaignClosing",
    "MatchAllocation",
    "MatchingOffer",
    "PayoutAccount",
    "PledgeEvent",
    "Sponsor",
    "WebhookEvent",
]
