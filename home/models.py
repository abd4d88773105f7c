"""Home page (one per site and locale) with its "À la Une" features, and content pages.

Every list on the home page is scoped to the pages under it: a second site with its own
home shows only its own campaigns, calls, themes and figures.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page, TranslatableMixin
from wagtail.search import index

from calls.models import CallForProjectsPage
from coupdepouce.blocks import BodyBlock
from coupdepouce.pages import CachedPageMixin, content_cached, route_by_url_path
from home.features import attach_card_figures, resolve_features
from home.forms import HomePageForm
from payments import ledger
from projects.cards import attach_cards
from projects.models import CampaignPage, InKindNeed
from themes.models import ThemePage

FEATURABLE_PAGE_TYPES = [
    "projects.CampaignPage",
    "themes.ThemePage",
    "calls.CallForProjectsPage",
    "home.StandardPage",
]


class HomePage(CachedPageMixin, Page):
    hero_title = models.CharField(_("hero title"), max_length=150)
    hero_text = models.TextField(_("hero text"), max_length=500, blank=True)
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("hero image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hero_cta_text = models.CharField(_("hero button text"), max_length=60, blank=True)
    hero_cta_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("hero button page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("hero_title"),
                FieldPanel("hero_text"),
                FieldPanel("hero_image"),
                FieldPanel("hero_cta_text"),
                PageChooserPanel("hero_cta_page"),
            ],
            heading=_("Hero"),
        ),
        InlinePanel("features", heading=_("À la Une"), label=_("Featured page")),
        FieldPanel("body"),
    ]

    base_form_class = HomePageForm
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "themes.ThemeIndexPage",
        "projects.ProjectIndexPage",
        "calls.CallIndexPage",
        "home.StandardPage",
    ]
    template = "home/home_page.html"
    ending_soon_count = 3

    class Meta:
        verbose_name = _("home page")

    def site_campaigns(self):
        """Live campaigns of this site in every language: under this home or one of its translations.

        The English home is a translation of the French one, not a descendant of it; key figures
        count over all of them (each campaign once) so that every language tells the same story.
        """
        under = models.Q()
        for path in self.published_content()["translation_paths"]:
            under |= models.Q(path__startswith=path)
        return CampaignPage.objects.live().filter(under)

    def route(self, request, path_components):
        """Serve a page below the home page in one query per request, not two per level."""
        if not path_components:
            return super().route(request, path_components)
        return route_by_url_path(self, request, path_components)

    def published_content(self, request=None) -> dict:
        """What the home page shows that changes only when a page is published: its hero image and
        button page, the calls and themes below it, the paths of its translations. Cached
        (`coupdepouce.pages.content_cached`); read afresh in a preview."""
        if getattr(request, "is_preview", False) or not self.pk:
            return self._published_content()
        return content_cached("home", [self.pk], self._published_content)

    def _published_content(self) -> dict:
        return {
            "hero_image": self.hero_image,
            "hero_cta_page": self.hero_cta_page,
            "calls": list(
                CallForProjectsPage.objects.live().descendant_of(self).select_related("image").order_by("closes_at")
            ),
            "themes": list(ThemePage.objects.live().descendant_of(self).order_by("path").select_related("image")),
            "translation_paths": list(self.get_translations(inclusive=True).values_list("path", flat=True)),
        }

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        now = timezone.now()
        content = self.published_content(request)
        self.hero_image, self.hero_cta_page = content["hero_image"], content["hero_cta_page"]
        campaigns = CampaignPage.objects.live().descendant_of(self)
        context["features"] = features = resolve_features(self, now=now, request=request)
        context["ending_soon"] = ending_soon = list(
            campaigns.filter(start_at__lte=now, end_at__gt=now)
            .select_related("hero_image", "territory")
            .order_by("end_at", "pk")[: self.ending_soon_count]
        )
        # The figures and in-kind needs of every campaign card of the page (`attach_cards`).
        featured = [card.page for card in features if isinstance(card.page, CampaignPage)]
        attach_cards(self, [*featured, *ending_soon], InKindNeed)
        attach_card_figures(features)
        context["open_calls"] = [call for call in content["calls"] if call.opens_at <= now < call.closes_at][:3]
        context["themes"] = content["themes"]
        context["key_figures"] = ledger.site_key_figures(
            self.site_campaigns(), now=now, cached_for=self.translation_key
        )
        return context


class HomeFeature(TranslatableMixin, Orderable):
    """One "À la Une" entry: a page chosen by editors, with optional overrides."""

    # Saved or deleted: cached page content (`coupdepouce.pages.content_cached`) is read afresh.
    shown_in_page_content = True

    home = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="features")
    page = models.ForeignKey("wagtailcore.Page", verbose_name=_("page"), on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title override"), max_length=150, blank=True)
    teaser = models.TextField(_("teaser override"), max_length=300, blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image override"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    start_at = models.DateTimeField(
        _("shown from"), null=True, blank=True, help_text=_("Leave blank to show it as soon as the page is published.")
    )
    end_at = models.DateTimeField(_("shown until"), null=True, blank=True, help_text=_("Leave blank to keep it shown."))

    panels = [
        PageChooserPanel("page", FEATURABLE_PAGE_TYPES),
        FieldPanel("title"),
        FieldPanel("teaser"),
        FieldPanel("image"),
        FieldRowPanel([FieldPanel("start_at"), FieldPanel("end_at")], heading=_("Dates")),
    ]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("featured page")
        unique_together = [("translation_key", "locale")]

    def __str__(self):
        return self.title or str(self.page)

    def clean(self):
        super().clean()
        if self.start_at and self.end_at and self.end_at <= self.start_at:
            raise ValidationError({"end_at": _("The end must come after the start.")})


class StandardPage(CachedPageMixin, Page):
    """A content page: "Comment ça marche", legal notices, accessibility statement…"""

    intro = models.TextField(_("introduction"), max_length=500, blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]

    parent_page_types = ["home.HomePage", "home.StandardPage"]
    subpage_types = ["home.StandardPage"]
    template = "home/standard_page.html"

    class Meta:
        verbose_name = _("content page")
