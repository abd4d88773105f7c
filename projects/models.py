"""Campaigns, their updates, territories and the pledge ledger.

Page tree: HomePage → ProjectIndexPage → CampaignPage → CampaignUpdatePage.
Money figures are computed in `projects.ledger`, never here or in templates.
"""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, TranslatableMixin
from wagtail.search import index

from coupdepouce.blocks import BodyBlock
from projects import ledger
from projects.ledger import CampaignStatus, PledgeStatus


class Territory(TranslatableMixin, models.Model):
    """A commune or a quartier; campaigns are filtered by territory."""

    class Kind(models.TextChoices):
        COMMUNE = "commune", _("Commune")
        QUARTIER = "quartier", _("Neighbourhood")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMMUNE)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("kind"), FieldPanel("parent")]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["name"]
        unique_together = [("translation_key", "locale"), ("slug", "locale")]

    def __str__(self):
        return self.name


class ProjectIndexPage(Page):
    """Lists campaigns with filters by theme, territory and status, and a sort."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["projects.CampaignPage"]
    max_count_per_parent = 1
    template = "projects/project_index_page.html"
    page_size = 12

    class Meta:
        verbose_name = _("project index")

    def get_context(self, request, *args, **kwargs):
        from projects.filters import CampaignFilter

        context = super().get_context(request, *args, **kwargs)
        campaign_filter = CampaignFilter(request.GET, locale=self.locale)
        context["filter"] = campaign_filter
        context["campaigns"] = campaign_filter.paginate(request.GET.get("page"), self.page_size)
        return context


class CampaignPageForm(WagtailAdminPageForm):
    """Refuses a campaign whose goal or dates break the site's rules, with a clear message."""

    def clean(self):
        from coupdepouce.models import PlatformSettings
        from projects.rules import campaign_rule_errors

        cleaned = super().clean()
        site = None
        parent = getattr(self, "parent_page", None)
        if parent is not None:
            site = parent.get_site()
        rules = PlatformSettings.for_site(site) if site else PlatformSettings.load()
        errors = campaign_rule_errors(
            goal=cleaned.get("goal"),
            start_at=cleaned.get("start_at"),
            end_at=cleaned.get("end_at"),
            max_goal=rules.max_goal,
            max_days=rules.max_campaign_days,
        )
        for field, message in errors:
            if field in self.fields:
                self.add_error(field, message)
            else:
                self.add_error(None, message)
        return cleaned


class CampaignPage(RoutablePageMixin, Page):
    """A crowdfunding campaign (collecte): structured, with its rewards and needs inline."""

    class HolderKind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        ASSOCIATION = "association", _("Association")
        COMPANY = "company", _("Company")
        COLLECTIVITE = "collectivite", _("Local authority")

    class FundingModel(models.TextChoices):
        ALL_OR_NOTHING = "all_or_nothing", _("All or nothing")
        KEEP_IT_ALL = "keep_it_all", _("Keep it all")

    holder_name = models.CharField(_("project holder"), max_length=150)
    holder_kind = models.CharField(
        _("holder kind"), max_length=20, choices=HolderKind.choices, default=HolderKind.ASSOCIATION
    )
    summary = models.TextField(_("summary"), max_length=400, help_text=_("Shown on cards and in search results."))
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("main image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    story = StreamField(BodyBlock(), verbose_name=_("story"), blank=True)
    goal = models.PositiveIntegerField(
        _("goal (€)"), validators=[MinValueValidator(1)], help_text=_("The threshold (palier), in euros.")
    )
    funding_model = models.CharField(
        _("funding model"),
        max_length=20,
        choices=FundingModel.choices,
        default=FundingModel.ALL_OR_NOTHING,
        help_text=_("All or nothing: nobody is charged unless the goal is reached."),
    )
    start_at = models.DateTimeField(_("start"))
    end_at = models.DateTimeField(_("end"))
    themes = ParentalManyToManyField("themes.ThemePage", verbose_name=_("themes"), blank=True, related_name="+")
    territory = models.ForeignKey(
        Territory,
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaigns",
    )
    tax_deductible = models.BooleanField(
        _("tax-deductible gifts"), default=False, help_text=_("Backers can get a tax receipt (reçu fiscal).")
    )
    source_call = models.ForeignKey(
        "calls.CallForProjectsPage",
        verbose_name=_("call for projects"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("holder_name"),
        index.SearchField("story"),
        index.FilterField("end_at"),
    ]

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("holder_name"), FieldPanel("holder_kind")],
            heading=_("Project holder"),
        ),
        FieldPanel("summary"),
        FieldPanel("hero_image"),
        FieldPanel("story"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("goal"), FieldPanel("funding_model")]),
                FieldRowPanel([FieldPanel("start_at"), FieldPanel("end_at")]),
                FieldPanel("tax_deductible"),
            ],
            heading=_("Funding"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
                FieldPanel("territory"),
                FieldPanel("source_call"),
            ],
            heading=_("Classification"),
        ),
        InlinePanel("rewards", heading=_("Reward tiers"), label=_("Reward tier")),
        InlinePanel("stretch_goals", heading=_("Stretch goals"), label=_("Stretch goal")),
        InlinePanel("needs", heading=_("In-kind needs"), label=_("In-kind need")),
        InlinePanel("faqs", heading=_("FAQ"), label=_("Question")),
    ]

    base_form_class = CampaignPageForm
    parent_page_types = ["projects.ProjectIndexPage"]
    subpage_types = ["projects.CampaignUpdatePage"]
    template = "projects/campaign_page.html"

    class Meta:
        verbose_name = _("campaign")

    # Derived figures -------------------------------------------------------

    @property
    def goal_cents(self) -> int:
        return (self.goal or 0) * 100

    @cached_property
    def figures(self) -> ledger.CampaignFigures:
        """Raised amount, backers, status, percentage and days left.

        Listings annotate `raised_cents`/`backer_count` with `ledger.with_figures` so
        no query runs per card; a lone page runs one aggregate query.
        """
        if hasattr(self, "raised_cents") and hasattr(self, "backer_count"):
            raised, backers = self.raised_cents, self.backer_count
            matched = getattr(self, "matched_cents", 0)
            outcome = getattr(self, "closing_outcome", None)
        else:
            raised, backers = ledger.totals_for(self.translation_key)
            matched = ledger.matched_for(self.translation_key)
            outcome = ledger.outcome_for(self.translation_key) if self.end_at <= timezone.now() else None
        return ledger.figures(
            self.goal_cents, self.start_at, self.end_at, raised, backers, matched_cents=matched, outcome=outcome
        )

    @property
    def status(self) -> str:
        return self.figures.status

    def status_label(self) -> str:
        return dict(CAMPAIGN_STATUS_LABELS)[self.status]

    def rewards_with_stock(self):
        rewards = self.rewards.all()
        if isinstance(rewards, models.QuerySet):
            return ledger.rewards_with_stock(rewards).order_by("sort_order")
        # Preview: the rows come from the edit form, in memory. Read the reservations of
        # the saved ones in one query; rows not saved yet have none.
        rewards = sorted(rewards, key=lambda r: r.sort_order or 0)
        saved = RewardTier.objects.filter(pk__in=[r.pk for r in rewards if r.pk])
        reserved = {r.pk: r.reserved for r in ledger.rewards_with_stock(saved)}
        for reward in rewards:
            reward.reserved = reserved.get(reward.pk, 0)
        return rewards

    def live_themes(self):
        return live_themes(self.themes.all())

    # Routes ----------------------------------------------------------------

    @path("")
    def campaign(self, request):
        return self.render(request)

    @path("soutenir/", name="pledge")
    def pledge(self, request):
        from projects.payments.views import pledge

        return pledge(request, self)

    @path("rss/", name="rss")
    def rss(self, request):
        from projects.feeds import CampaignUpdatesFeed

        return CampaignUpdatesFeed()(request, campaign=self)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["rewards"] = list(self.rewards_with_stock())
        if self.end_at <= timezone.now():
            context["closing"] = CampaignClosing.objects.filter(campaign__translation_key=self.translation_key).first()
        context["stretch_goals"] = list(self.stretch_goals.all())
        context["needs"] = list(self.needs.all())
        context["faqs"] = list(self.faqs.all())
        context["updates"] = list(
            CampaignUpdatePage.objects.live().child_of(self).order_by("-date", "-pk").select_related("image")[:10]
        )
        context["themes"] = self.live_themes()
        return context

    def clean(self):
        super().clean()
        if self.start_at and self.end_at and self.end_at <= self.start_at:
            raise ValidationError({"end_at": _("The end must come after the start.")})


def live_themes(themes):
    """The live themes of a ParentalManyToManyField, as a list, in tree order.

    A saved page gives a queryset (one query); a preview gives the form's in-memory
    FakeQuerySet, which has no `live()`.
    """
    if isinstance(themes, models.QuerySet):
        return list(themes.live().only("id", "title", "url_path", "colour"))
    return sorted((theme for theme in themes if theme.live), key=lambda theme: theme.path)


CAMPAIGN_STATUS_LABELS = [
    # A context keeps these apart from Wagtail's own "Live" (published) label.
    (CampaignStatus.UPCOMING, pgettext_lazy("campaign status", "Upcoming")),
    (CampaignStatus.LIVE, pgettext_lazy("campaign status", "Live")),
    (CampaignStatus.SUCCEEDED, pgettext_lazy("campaign status", "Succeeded")),
    (CampaignStatus.FAILED, pgettext_lazy("campaign status", "Not funded")),
]


class RewardTier(TranslatableMixin, Orderable):
    """A contrepartie: what a backer receives from a minimum amount, maybe in limited stock."""

    page = ParentalKey(CampaignPage, on_delete=models.CASCADE, related_name="rewards")
    min_amount = models.PositiveIntegerField(_("minimum amount (€)"), validators=[MinValueValidator(1)])
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    stock = models.PositiveIntegerField(_("stock"), null=True, blank=True, help_text=_("Empty: unlimited."))
    estimated_delivery = models.DateField(_("estimated delivery"), null=True, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("min_amount"), FieldPanel("stock")]),
        FieldPanel("title"),
        FieldPanel("description"),
        FieldPanel("estimated_delivery"),
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
    def stock_left(self):
        """Units left, or None when unlimited. Needs the `reserved` annotation."""
        if self.stock is None:
            return None
        return max(self.stock - getattr(self, "reserved", 0), 0)

    @property
    def sold_out(self) -> bool:
        return self.stock is not None and self.stock_left == 0


class StretchGoal(TranslatableMixin, Orderable):
    page = ParentalKey(CampaignPage, on_delete=models.CASCADE, related_name="stretch_goals")
    amount = models.PositiveIntegerField(_("amount (€)"), validators=[MinValueValidator(1)])
    description = models.CharField(_("description"), max_length=255)

    panels = [FieldPanel("amount"), FieldPanel("description")]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("stretch goal")
        unique_together = [("translation_key", "locale")]

    def __str__(self):
        return f"{self.amount} € — {self.description}"


class InKindNeed(TranslatableMixin, Orderable):
    class Kind(models.TextChoices):
        VOLUNTEERING = "volunteering", _("Volunteering")
        EQUIPMENT = "equipment", _("Equipment loan")
        SKILLS = "skills", _("Skills")
        VENUE = "venue", _("Venue")

    page = ParentalKey(CampaignPage, on_delete=models.CASCADE, related_name="needs")
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
    page = ParentalKey(CampaignPage, on_delete=models.CASCADE, related_name="faqs")
    question = models.CharField(_("question"), max_length=255)
    answer = models.TextField(_("answer"))

    panels = [FieldPanel("question"), FieldPanel("answer")]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("FAQ entry")
        unique_together = [("translation_key", "locale")]

    def __str__(self):
        return self.question


class CampaignUpdatePage(Page):
    """An actualité for backers, listed on its campaign and in its RSS feed."""

    date = models.DateField(_("date"), default=timezone.localdate)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    intro = models.TextField(_("introduction"), max_length=400, blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    content_panels = Page.content_panels + [
        FieldPanel("date"),
        FieldPanel("image"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]

    parent_page_types = ["projects.CampaignPage"]
    subpage_types = []
    template = "projects/campaign_update_page.html"

    class Meta:
        verbose_name = _("campaign update")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["campaign"] = self.get_parent().specific
        return context


class Pledge(models.Model):
    """One backer's promise (promesse de don): a row of the ledger.

    The payment flow creates them online; finance officers record offline gifts in the admin.
    """

    class Status(models.TextChoices):
        PENDING = PledgeStatus.PENDING, _("Pending")
        COMMITTED = PledgeStatus.COMMITTED, _("Committed")
        ACTION_REQUIRED = PledgeStatus.ACTION_REQUIRED, _("Action required")
        PAID = PledgeStatus.PAID, _("Paid")
        FAILED = PledgeStatus.FAILED, _("Failed")
        CANCELLED = PledgeStatus.CANCELLED, _("Cancelled")
        REFUNDED = PledgeStatus.REFUNDED, _("Refunded")

    class Source(models.TextChoices):
        ONLINE = "online", _("Online")
        CHEQUE = "cheque", _("Cheque")
        TRANSFER = "transfer", _("Bank transfer")
        CASH = "cash", _("Cash")

    campaign = models.ForeignKey(
        CampaignPage, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="pledges"
    )
    amount_cents = models.PositiveIntegerField(_("amount (cents)"), validators=[MinValueValidator(1)])
    reward = models.ForeignKey(
        RewardTier,
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
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.ONLINE)
    # Payment side, filled by projects.payments (never by hand).
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
        indexes = [models.Index(fields=["campaign", "status"])]
        constraints = [models.CheckConstraint(condition=models.Q(amount_cents__gt=0), name="pledge_amount_positive")]

    def __str__(self):
        return f"{self.display_name} — {self.amount_display}"

    @property
    def amount_display(self) -> str:
        from coupdepouce.templatetags.money import euros

        return euros(self.amount_cents)

    @property
    def display_name(self) -> str:
        if self.anonymous:
            return str(_("Anonymous"))
        return self.public_name or self.backer_name

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


# Payment-side models live in their own module; importing them here registers them.
from projects.payments.models import (  # noqa: E402,F401
    CampaignClosing,
    MatchAllocation,
    MatchingOffer,
    PayoutAccount,
    PledgeEvent,
    Sponsor,
    WebhookEvent,
)
