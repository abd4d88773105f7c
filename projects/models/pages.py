"""Campaign pages: the project index, campaigns and their updates (actualités).

Page tree: HomePage → ProjectIndexPage → CampaignPage → CampaignUpdatePage.
Money figures come from `payments.ledger`, never from here or from templates; a campaign
is the `payments.interface.Campaign` the payments app works on.
"""

from __future__ import annotations

from csp.decorators import csp_replace, csp_update
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_exempt
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from coupdepouce import page_cache
from coupdepouce.blocks import BodyBlock
from coupdepouce.models import PlatformSettings
from coupdepouce.pages import CachedPageMixin, live_pages, published_content
from follows import views as follow_views
from follows.forms import FollowForm
from offers import services as offer_services
from offers import views as offer_views
from payments import ledger, terms
from payments import rules as money_rules
from payments import services as payment_services
from payments import views as payment_views
from payments.rules import CampaignStatus, FundingModel
from projects.feeds import CampaignUpdatesFeed
from projects.filters import CampaignFilter
from projects.models.inline import RewardTier
from projects.rules import campaign_rule_errors
from projects.sharing import MastodonShareForm, mastodon_share_url, share_links
from questions import services as question_services
from questions import views as question_views
from questions.forms import QuestionForm

# The embeddable card (`carte/`) may be cached by browsers and proxies for this long, in seconds.
EMBED_MAX_AGE = 300
# Size of the card's frame in the snippet, in CSS pixels.
EMBED_WIDTH, EMBED_HEIGHT = 360, 480
# The Mastodon share form's answer is a redirect to the reader's own instance: the form on the
# Mastodon page (only there; the campaign page links to it) may lead to any HTTPS host.
SHARE_FORM_ACTION = {"form-action": ["https:"]}


class ProjectIndexPage(CachedPageMixin, Page):
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
        context = super().get_context(request, *args, **kwargs)
        campaigns = CampaignPage.objects.live().descendant_of(self)
        campaign_filter = CampaignFilter(request.GET, queryset=campaigns, home=self.get_parent(), listing=self)
        context["filter"] = campaign_filter
        context["campaigns"] = campaign_filter.paginate(request.GET.get("page"), self.page_size)
        return context


class CampaignPageForm(WagtailAdminPageForm):
    """Refuses a campaign whose goal or dates break the site's rules, with a clear message."""

    def clean(self):
        cleaned = super().clean()
        page = getattr(self, "parent_page", None) or self.instance
        rules = PlatformSettings.for_page(page if page.pk else None)
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
        self.clean_terms(cleaned)
        self.clean_reward_values(cleaned)
        return cleaned

    def clean_reward_values(self, cleaned):
        """A campaign that offers tax receipts needs every reward's value: the rule on counterparts
        (`payments.rules.gift_keeps_receipt`) reads it, and a reward without one gives no receipt."""
        beneficiary = cleaned.get("beneficiary")
        if not (cleaned.get("tax_deductible") and beneficiary is not None and beneficiary.can_issue):
            return
        rewards = self.formsets.get("rewards")
        if rewards is None or not rewards.is_valid():
            return
        missing = 0
        for form in rewards.forms:
            if rewards._should_delete_form(form) or not (form.instance.pk or form.has_changed()):
                continue
            if form.cleaned_data.get("value") is None:
                form.add_error(
                    "value",
                    _(
                        "Enter this reward's value: the campaign offers tax receipts, and a gift keeps its receipt "
                        "only if the reward is worth at most a quarter of it."
                    ),
                )
                missing += 1
        if missing:
            self.add_error(None, _("This campaign offers tax receipts: enter the value of every reward."))

    def clean_terms(self, cleaned):
        """Once a campaign has pledges, its goal, funding model and dates are no longer the editor's
        to change, and an ended campaign keeps its dates (`payments.terms`). The saved (live) row
        is the reference: pledges were made under it. The Finances group changes them elsewhere,
        with a reason ("Change the terms")."""
        if self.instance.pk is None:
            return
        saved = type(self.instance).objects.get(pk=self.instance.pk)
        posted = {name: cleaned[name] for name in terms.TERMS_FIELDS if name in self.fields and name in cleaned}
        for field, message in terms.lock_errors(saved, posted):
            self.add_error(field, message)
        # Unchanged at the editor's precision (dates to the minute): keep the exact saved value.
        for name, value in posted.items():
            if value is not None and terms.same_value(getattr(saved, name), value):
                cleaned[name] = getattr(saved, name)


class CampaignPage(CachedPageMixin, RoutablePageMixin, Page):
    """A crowdfunding campaign (collecte): structured, with its rewards and needs inline.

    It is the `payments.interface.Campaign` pledges are made to.
    """

    class HolderKind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        ASSOCIATION = "association", _("Association")
        COMPANY = "company", _("Company")
        COLLECTIVITE = "collectivite", _("Local authority")

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
        "projects.Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaigns",
    )
    tax_deductible = models.BooleanField(
        _("tax-deductible gifts"),
        default=False,
        help_text=_(
            "Gifts are eligible for a tax reduction. Backers are offered a tax receipt only when a beneficiary "
            "organisation for which the site issues receipts is chosen below."
        ),
    )
    beneficiary = models.ForeignKey(
        "receipts.Beneficiary",
        verbose_name=_("beneficiary organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Who receives the gifts and issues the tax receipts: the collectivité or the holder organisation."),
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
                FieldRowPanel([FieldPanel("tax_deductible"), FieldPanel("beneficiary")]),
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
        MultiFieldPanel(
            [
                InlinePanel("milestones", label=_("Milestone")),
                InlinePanel("budget_lines", label=_("Budget line")),
            ],
            heading=_("After funding: where the project stands"),
            classname="collapsed",
        ),
    ]

    base_form_class = CampaignPageForm
    parent_page_types = ["projects.ProjectIndexPage"]
    subpage_types = ["projects.CampaignUpdatePage"]
    template = "projects/campaign_page.html"
    # What the page's template reads of its foreign keys, fetched with the page when it is served
    # (`coupdepouce.pages.route_by_url_path`).
    serve_select_related = ("hero_image", "territory", "beneficiary")

    class Meta:
        verbose_name = _("campaign")

    # Derived figures -------------------------------------------------------

    @property
    def goal_cents(self) -> int:
        return (self.goal or 0) * 100

    @cached_property
    def offers_tax_receipts(self) -> bool:
        """Whether backers are offered a tax receipt: gifts are tax-deductible and the beneficiary
        organisation is one the site issues receipts for, with every statement a receipt needs.
        Read on the French page (`payments.services.canonical_campaign`) for every translation."""
        return bool(self.tax_deductible and self.beneficiary_id and self.beneficiary.can_issue)

    @cached_property
    def figures(self) -> ledger.CampaignFigures:
        """Raised amount, backers, status, percentage, bar widths and days left.

        Listings annotate them with `ledger.with_figures`, so no query runs per card.
        """
        return ledger.campaign_figures(self)

    @property
    def status(self) -> str:
        return self.figures.status

    def status_label(self) -> str:
        return CampaignStatus(self.status).label

    @property
    def all_or_nothing(self) -> bool:
        return money_rules.charges_at_close(self.funding_model)

    @cached_property
    def open_to_pledges(self) -> bool:
        """Whether the pledge form takes pledges now (`payments.services.campaign_takes_pledges`:
        the French page's dates and live state decide for every translation; cancelled: no)."""
        if hasattr(self, "closing_outcome"):
            # Its closing was read with its figures (`ledger.read_totals`, `with_figures`).
            return payment_services.campaign_takes_pledges(self, outcome=self.closing_outcome)
        return payment_services.campaign_takes_pledges(self)

    def matching_scope(self) -> dict:
        """What sponsors' offers may cover this campaign: its themes and its call (`payments.matching`)."""
        return {
            "theme_keys": list(self.themes.values_list("translation_key", flat=True)),
            "call_key": self.source_call.translation_key if self.source_call_id else None,
        }

    def pledge_url(self, request=None) -> str:
        url = self.get_url(request)
        return f"{url}{self.reverse_subpage('pledge')}" if url else ""

    def live_updates(self):
        return CampaignUpdatePage.objects.live().child_of(self).order_by("-date", "-pk")

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
        return live_pages(self.themes.all())

    @property
    def takes_help_offers(self) -> bool:
        """Whether "Je peux aider" is offered: the page is live and the campaign neither failed nor
        was cancelled (`offers.services.refusal`)."""
        return not offer_services.refusal(self)

    def embed_url(self, request=None) -> str:
        """Absolute URL of the embeddable card (`carte/`), for the `<iframe>` snippet."""
        url = self.get_full_url(request)
        return f"{url}{self.reverse_subpage('embed')}" if url else ""

    def embed_snippet(self, request=None) -> str:
        """The `<iframe>` code other sites paste to show the card (HTML, escaped once)."""
        return format_html(
            '<iframe src="{}" title="{}" width="{}" height="{}" style="border:0" loading="lazy"></iframe>',
            self.embed_url(request),
            _("Campaign “%(title)s”") % {"title": self.title},
            EMBED_WIDTH,
            EMBED_HEIGHT,
        )

    # Routes ----------------------------------------------------------------

    @path("")
    def campaign(self, request):
        return self.render(request)

    @path("soutenir/", name="pledge")
    def pledge(self, request):
        return payment_views.pledge(request, self)

    @path("rss/", name="rss")
    def rss(self, request):
        return CampaignUpdatesFeed()(request, campaign=self)

    @path("aider/", name="help_offer")
    def help_offer(self, request):
        return offer_views.offer_help(request, self)

    @path("aider/merci/", name="help_offer_sent")
    def help_offer_sent(self, request):
        return offer_views.offer_sent(request, self)

    @path("suivre/", name="follow")
    def follow(self, request):
        return follow_views.follow(request, self)

    @path("questions/", name="ask")
    def ask(self, request):
        return question_views.ask(request, self)

    @path("questions/merci/", name="question_sent")
    def question_sent(self, request):
        return question_views.question_sent(request, self)

    @path("carte/", name="embed")
    @xframe_options_exempt
    @csp_replace({"frame-ancestors": ["*"]})
    def embed(self, request):
        """A small standalone card for other sites' `<iframe>`: the only URL any site may frame,
        cached publicly for a few minutes."""
        context = {"page": self, "figures": self.figures, "campaign_url": self.get_full_url(request)}
        response = TemplateResponse(request, "projects/embed.html", context)
        patch_cache_control(response, public=True, max_age=EMBED_MAX_AGE)
        return response

    @path("partager/mastodon/", name="share_mastodon")
    @csp_update(SHARE_FORM_ACTION)
    def share_mastodon(self, request):
        """Share on the reader's own Mastodon instance: a valid host name sends them to its share page;
        otherwise the form, with the error."""
        form = MastodonShareForm(request.GET or None, auto_id="mastodon-%s")
        if form.is_valid():
            target = mastodon_share_url(form.cleaned_data["instance"], title=self.title, url=self.get_full_url(request))
            return redirect(target)
        context = {"page": self, "campaign": self, "form": form}
        return TemplateResponse(request, "projects/share_mastodon.html", context, status=400 if form.is_bound else 200)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # What changes with pledges, offers of help and questions, read together (`ledger_rows`).
        rows = self.ledger_rows(request)
        self.raised_cents, self.backer_count, self.matched_cents, self.closing_outcome = rows["totals"]
        context["closing"] = rows["closing"]
        # The page's own figures, with the matching segments and the newest backers.
        self.figures = context["figures"] = ledger.campaign_figures(self, detailed=True)
        context["rewards"] = rewards = rows["rewards"]
        # Tax receipts (the French page decides): the reduction, and what each reward means for it.
        context["tax_receipt"] = tax_receipt = payment_services.tax_receipt_terms(self)
        if tax_receipt.offered:
            for reward in rewards:
                reward.receipt = payment_services.reward_receipt_note(reward, tax_receipt.cap_cents)
        # What only publishing changes (stretch goals, FAQ, updates, themes, milestones, budget):
        # cached until a page changes, except in a preview (the edit form's rows).
        content = self.published_content(request)
        if self.source_call_id:
            self.source_call = content["source_call"]
        context["stretch_goals"] = content["stretch_goals"]
        # In-kind needs with the accepted offers' progress ("3 bénévoles sur 5").
        context["needs"] = rows["needs"]
        context["takes_help_offers"] = self.takes_help_offers
        context["faqs"] = content["faqs"]
        context["updates"] = content["updates"]
        context["themes"] = content["themes"]
        # Following, and the public questions with their answers.
        context["follow_form"] = FollowForm()
        context["questions"] = rows["questions"]
        context["questions_count"] = rows["questions_count"]
        context["question_form"] = QuestionForm()
        context.update(self.accountability(rewards, content))
        # Sharing: plain links (Mastodon's leads to its own page, whose form asks for the reader's
        # instance) and the embeddable card's snippet.
        full_url = self.get_full_url(request)
        context["share_url"] = full_url
        context["share_links"] = share_links(title=self.title, url=full_url, summary=self.summary)
        context["embed_snippet"] = self.embed_snippet(request)
        return context

    def ledger_rows(self, request=None) -> dict:
        """What the page shows that changes with the ledger, offers of help and questions: its
        totals and closing, rewards with their stock, needs with their progress, the published
        questions and their count (five queries).

        Kept until the page is purged (`coupdepouce.page_cache.cached_for_page`: every saved
        pledge, matching, closing, offer, question or holder of the campaign, and every publish,
        purges it; a reward hold's expiry ends it), so a signed-in visitor's view costs one cache
        read instead of the five queries. Read afresh in a preview and when the page cache is off.
        """
        if getattr(request, "is_preview", False) or not self.pk:
            return self._ledger_rows()
        name = f"campaign-rows:{self.pk}:{self.live_revision_id}"
        return page_cache.cached_for_page(self.translation_key, name, self._ledger_rows)

    def _ledger_rows(self) -> dict:
        closing = ledger.read_totals(self)
        return {
            "totals": (self.raised_cents, self.backer_count, self.matched_cents, self.closing_outcome),
            "closing": closing,
            "rewards": list(self.rewards_with_stock()),
            "needs": offer_services.needs_with_progress(self),
            "questions": question_services.published_for(self),
            "questions_count": question_services.published_count(self),
        }

    def published_content(self, request=None) -> dict:
        """The rows the page shows that change only when it (or a page) is published: cached per
        page and revision (`coupdepouce.pages.published_content`); read afresh in a preview."""
        return published_content(self, request, "campaign", self._published_content)

    def _published_content(self) -> dict:
        return {
            "stretch_goals": list(self.stretch_goals.all()),
            "faqs": list(self.faqs.all()),
            "updates": list(self.live_updates().select_related("image")[:10]),
            "themes": self.live_themes(),
            "milestones": list(self.milestones.all()),
            "budget_lines": list(self.budget_lines.all()),
            "source_call": self.source_call if self.source_call_id else None,
        }

    def accountability(self, rewards, content=None) -> dict:
        """ "Où en est le projet ?": milestones, the budget announced and spent (whole euros, with
        totals) and each reward's delivery; shown once funded, or as soon as there are milestones."""
        content = content or self.published_content()
        milestones = content["milestones"]
        shown = bool(milestones) or self.figures.is_succeeded
        budget = content["budget_lines"] if shown else []
        spent = [line.spent for line in budget if line.spent is not None]
        return {
            "milestones": milestones,
            "budget_lines": budget,
            "budget_announced": sum(line.announced for line in budget),
            "budget_spent": sum(spent) if spent else None,
            "show_accountability": shown,
            "deliverable_rewards": rewards,
        }

    def clean(self):
        super().clean()
        if self.start_at and self.end_at and self.end_at <= self.start_at:
            raise ValidationError({"end_at": _("The end must come after the start.")})

    def terms_rule_errors(self, *, goal, start_at, end_at) -> list[tuple[str, str]]:
        """(field, message) for each site rule (`projects.rules`) these terms would break; used by
        `payments.terms` when the Finances group changes the terms of this saved campaign."""
        rules = PlatformSettings.for_page(self)
        return campaign_rule_errors(
            goal=goal, start_at=start_at, end_at=end_at, max_goal=rules.max_goal, max_days=rules.max_campaign_days
        )


class CampaignUpdatePage(CachedPageMixin, Page):
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
