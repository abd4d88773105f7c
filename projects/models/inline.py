"""Rows edited inline on a campaign page: rewards (contreparties), stretch goals, in-kind needs, FAQ,
and the accountability after funding (milestones, budget lines)."""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.models import Orderable, TranslatableMixin


class DeliveryStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("Being delivered")
    DELIVERED = "delivered", _("Delivered")


class RewardTier(TranslatableMixin, Orderable):
    """A contrepartie: what a backer receives from a minimum amount, maybe in limited stock."""

    # Saved or deleted: cached page content (`coupdepouce.pages.content_cached`) is read afresh.
    shown_in_page_content = True
    # The page the page cache purges when the row changes (a holder marks a reward delivered).
    page_cache_shown_on = "page"

    page = ParentalKey("projects.CampaignPage", on_delete=models.CASCADE, related_name="rewards")
    min_amount = models.PositiveIntegerField(_("minimum amount (€)"), validators=[MinValueValidator(1)])
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    stock = models.PositiveIntegerField(_("stock"), null=True, blank=True, help_text=_("Empty: unlimited."))
    value = models.DecimalField(
        _("value (€)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_(
            "What the reward is worth to the backer (its cost to you). Needed when the campaign offers tax "
            "receipts: a gift keeps its receipt only if this is at most a quarter of it, within the yearly cap."
        ),
    )
    estimated_delivery = models.DateField(_("estimated delivery"), null=True, blank=True)
    delivery_status = models.CharField(
        _("delivery"),
        max_length=20,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.NOT_STARTED,
        help_text=_("Shown on the campaign page once it is funded (“Où en est le projet ?”)."),
    )

    panels = [
        FieldRowPanel([FieldPanel("min_amount"), FieldPanel("stock"), FieldPanel("value")]),
        FieldPanel("title"),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("estimated_delivery"), FieldPanel("delivery_status")]),
    ]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("reward tier")
        unique_together = [("translation_key", "locale")]

    def __str__(self):
        return f"{self.title} ({self.min_amount} €)"

    @property
    def min_amount_cents(self) -> int:
        return self.min_amount * 100

    @property
    def value_cents(self) -> int | None:
        """The reward's recorded value in cents, or None when editors have not recorded it."""
        if self.value is None:
            return None
        return int(self.value * 100)

    @property
    def stock_left(self):
        """Units left, or None when unlimited. Needs the `reserved` annotation."""
        if self.stock is None:
            return None
        return max(self.stock - getattr(self, "reserved", 0), 0)

    @property
    def sold_out(self) -> bool:
        return self.stock is not None and self.stock_left == 0


class StretchGoal(TranslatableMixin, Orderable):
    # Saved or deleted: cached page content (`coupdepouce.pages.content_cached`) is read afresh.
    shown_in_page_content = True
    # The page the page cache purges when the row changes (a holder marks a reward delivered).
    page_cache_shown_on = "page"

    page = ParentalKey("projects.CampaignPage", on_delete=models.CASCADE, related_name="stretch_goals")
    amount = models.PositiveIntegerField(_("amount (€)"), validators=[MinValueValidator(1)])
    description = models.CharField(_("description"), max_length=255)

    panels = [FieldPanel("amount"), FieldPanel("description")]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("stretch goal")
        unique_together = [("translation_key", "locale")]

    def __str__(self):
        return f"{self.amount} € — {self.description}"

    @property
    def reached(self) -> bool:
        """Whether the campaign's raised amount (crowd and matching) covers this stretch goal."""
        return self.page.figures.reached(self.amount * 100)


class InKindNeed(TranslatableMixin, Orderable):
    # Saved or deleted: cached page content (`coupdepouce.pages.content_cached`) is read afresh.
    shown_in_page_content = True
    # The page the page cache purges when the row changes (a holder marks a reward delivered).
    page_cache_shown_on = "page"

    class Kind(models.TextChoices):
        VOLUNTEERING = "volunteering", _("Volunteering")
        EQUIPMENT = "equipment", _("Equipment loan")
        SKILLS = "skills", _("Skills")
        VENUE = "venue", _("Venue")

    page = ParentalKey("projects.CampaignPage", on_delete=models.CASCADE, related_name="needs")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=255)
    quantity = models.PositiveIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])

    panels = [FieldRowPanel([FieldPanel("kind"), FieldPanel("quantity")]), FieldPanel("description")]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("in-kind need")
        unique_together = [("translation_key", "locale")]

    def __str__(self):
        return self.description


class CampaignFAQ(TranslatableMixin, Orderable):
    # Saved or deleted: cached page content (`coupdepouce.pages.content_cached`) is read afresh.
    shown_in_page_content = True
    # The page the page cache purges when the row changes (a holder marks a reward delivered).
    page_cache_shown_on = "page"

    page = ParentalKey("projects.CampaignPage", on_delete=models.CASCADE, related_name="faqs")
    question = models.CharField(_("question"), max_length=255)
    answer = models.TextField(_("answer"))

    panels = [FieldPanel("question"), FieldPanel("answer")]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("FAQ entry")
        unique_together = [("translation_key", "locale")]

    def __str__(self):
        return self.question


class Milestone(TranslatableMixin, Orderable):
    """A step of the project after funding ("Où en est le projet ?"), with its date and status."""

    # Saved or deleted: cached page content (`coupdepouce.pages.content_cached`) is read afresh.
    shown_in_page_content = True
    # The page the page cache purges when the row changes (a holder marks a reward delivered).
    page_cache_shown_on = "page"

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        LATE = "late", _("Delayed")

    page = ParentalKey("projects.CampaignPage", on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), max_length=1000, blank=True)
    due_date = models.DateField(_("planned date"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    panels = [
        FieldPanel("title"),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("due_date"), FieldPanel("status"), FieldPanel("done_on")]),
    ]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("milestone")
        unique_together = [("translation_key", "locale")]

    def __str__(self):
        return self.title


class BudgetLine(TranslatableMixin, Orderable):
    """What the money is for (announced) and what was spent on it, in whole euros."""

    # Saved or deleted: cached page content (`coupdepouce.pages.content_cached`) is read afresh.
    shown_in_page_content = True
    # The page the page cache purges when the row changes (a holder marks a reward delivered).
    page_cache_shown_on = "page"

    page = ParentalKey("projects.CampaignPage", on_delete=models.CASCADE, related_name="budget_lines")
    label = models.CharField(_("item"), max_length=150)
    announced = models.PositiveIntegerField(_("announced (€)"))
    spent = models.PositiveIntegerField(_("spent (€)"), null=True, blank=True, help_text=_("Empty: not spent yet."))

    panels = [FieldPanel("label"), FieldRowPanel([FieldPanel("announced"), FieldPanel("spent")])]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("budget line")
        unique_together = [("translation_key", "locale")]

    def __str__(self):
        return self.label
