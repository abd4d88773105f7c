"""The pledge ledger: one row per backer's promise, and every change of its state."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from coupdepouce.money import format_euros
from payments.rules import COUNTED_STATUSES, PledgeStatus


class Pledge(models.Model):
    """One backer's promise (promesse de don): a row of the ledger.

    The payment flow creates them online; finance officers record offline gifts in the admin.
    """

    # What the page cache (coupdepouce.page_cache) purges when a row is saved or deleted.
    page_cache_shown_on = "campaign"

    class Source(models.TextChoices):
        ONLINE = "online", _("Online")
        CHEQUE = "cheque", _("Cheque")
        TRANSFER = "transfer", _("Bank transfer")
        CASH = "cash", _("Cash")

    campaign = models.ForeignKey(
        settings.PAYMENTS_CAMPAIGN_MODEL, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="pledges"
    )
    amount_cents = models.PositiveIntegerField(_("amount (cents)"), validators=[MinValueValidator(1)])
    reward = models.ForeignKey(
        settings.PAYMENTS_REWARD_MODEL,
        verbose_name=_("reward"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pledges",
    )
    reward_title = models.CharField(_("reward (as chosen)"), max_length=120, blank=True, editable=False)
    backer_name = models.CharField(_("backer name"), max_length=150)
    backer_email = models.EmailField(_("backer email"), blank=True)
    public_name = models.CharField(
        _("public name"), max_length=150, blank=True, help_text=_("Shown on the campaign page. Empty: anonymous.")
    )
    anonymous = models.BooleanField(_("anonymous"), default=False)
    show_amount = models.BooleanField(_("show the amount publicly"), default=False)
    message = models.TextField(_("message"), blank=True, max_length=1000)
    # Tax receipt (receipts app): asked for on the pledge form of a campaign that offers receipts,
    # with the postal address the receipt states; `backer_name` is then the full name.
    wants_receipt = models.BooleanField(_("wants a tax receipt"), default=False)
    donor_street = models.CharField(_("street address"), max_length=200, blank=True)
    donor_postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    donor_city = models.CharField(_("city"), max_length=100, blank=True)
    donor_country = models.CharField(_("country"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=PledgeStatus.choices, default=PledgeStatus.PENDING)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.ONLINE)
    # Payment side, filled by the payment services (never by hand).
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.CharField(_("payment provider"), max_length=20, blank=True, editable=False)
    funding_model = models.CharField(max_length=20, blank=True, editable=False)
    language = models.CharField(max_length=10, blank=True, editable=False)
    customer_id = models.CharField(max_length=255, blank=True, editable=False)
    payment_method_id = models.CharField(max_length=255, blank=True, editable=False)
    checkout_id = models.CharField(max_length=255, blank=True, editable=False, db_index=True)
    payment_intent_id = models.CharField(max_length=255, blank=True, editable=False, db_index=True)
    charge_attempts = models.PositiveIntegerField(default=0, editable=False)
    action_required_at = models.DateTimeField(null=True, blank=True, editable=False)
    paid_at = models.DateTimeField(null=True, blank=True, editable=False)
    failure_reason = models.CharField(max_length=255, blank=True, editable=False)
    # A pending online pledge holds a reward and room under the cap until then only
    # (`PlatformSettings.pending_checkout_minutes` after it was created, `rules.holding_q`).
    expires_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    # The provider's refund id, once the payment was refunded (a retry reuses it).
    refund_id = models.CharField(max_length=255, blank=True, editable=False)
    # When the backer's personal data were removed (retention of cancelled and failed pledges).
    personal_data_erased_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["campaign", "status"]),
            # A campaign's newest backers (`payments.ledger.backers_list`) without sorting them all.
            models.Index(fields=["campaign", "-created_at", "-id"], name="pledge_campaign_newest"),
        ]
        constraints = [models.CheckConstraint(condition=models.Q(amount_cents__gt=0), name="pledge_amount_positive")]
        permissions = [
            # The Finances group: backers' names, emails and messages in reports and exports.
            ("view_backer_data", _("Can see backers' personal data")),
            # Goal, funding model and dates of a campaign that already has pledges (with a reason, logged).
            ("change_campaign_terms", _("Can change the money terms of a campaign with pledges")),
        ]

    def __str__(self):
        # No backer name: Wagtail stores this as the label of every log entry, which staff
        # without `view_backer_data` can read in the site history.
        return f"#{self.pk} — {self.amount_display}"

    @property
    def amount_display(self) -> str:
        return format_euros(self.amount_cents)

    @property
    def display_name(self) -> str:
        if self.anonymous:
            return str(_("Anonymous"))
        return self.public_name or self.backer_name

    @property
    def counts(self) -> bool:
        """Whether the pledge counts in the raised amount and the backers (`COUNTED_STATUSES`)."""
        return self.status in COUNTED_STATUSES

    @property
    def needs_action(self) -> bool:
        return self.status == PledgeStatus.ACTION_REQUIRED

    @property
    def is_paid(self) -> bool:
        return self.status == PledgeStatus.PAID

    @property
    def is_offline(self) -> bool:
        return self.source != self.Source.ONLINE

    def clean(self):
        super().clean()
        if self.reward_id and self.campaign_id and self.reward.page.translation_key != self.campaign.translation_key:
            raise ValidationError({"reward": _("This reward belongs to another campaign.")})

    def save(self, *args, **kwargs):
        if self.reward_id and not self.reward_title:
            self.reward_title = self.reward.title
        super().save(*args, **kwargs)


class PledgeEvent(models.Model):
    """Every state change of a pledge, in order: the audit trail of the ledger."""

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="events")
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
