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
from coupdepouce.pages import route_by_url_path
from home.features import resolve_features
from home.forms import HomePageForm
from payments import ledger
from projects.cards import with_card_data
from projects.models import CampaignPage
from themes.models import ThemePage

FEATURABLE_PAGE_TYPES = [
    "projects.CampaignPage",
    "themes.ThemePage",
    "calls.CallForProjectsPage",
    "home.StandardPage",
]


class HomePage(Page):
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
        for path in self.get_translations(inclusive=True).values_list("path", flat=True):
            under |= models.Q(path__startswith=path)
        return CampaignPage.objects.live().filter(under)

    def route(self, request, path_components):
        """Serve a page two levels down or deeper in one query per request, not two per level."""
        if len(path_components) < 2:
            return super().route(request, path_components)
        return route_by_url_path(self, request, path_components)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        now = timezone.now()
        campaigns = CampaignPage.objects.live().descendant_of(self)
        context["features"] = resolve_features(self, now=now)
        context["ending_soon"] = list(
            with_card_data(campaigns.filter(start_at__lte=now, end_at__gt=now))
            .select_related("hero_image", "territory")
            .prefetch_related("hero_image__renditions")
            .order_by("end_at", "pk")[: self.ending_soon_count]
        )
        context["open_calls"] = list(
            CallForProjectsPage.objects.live()
            .descendant_of(self)
            .filter(opens_at__lte=now, closes_at__gt=now)
            .select_related("image")
            .order_by("closes_at")[:3]
        )
        context["themes"] = list(ThemePage.objects.live().descendant_of(self).order_by("path").select_related("image"))
        context["key_figures"] = ledger.site_key_figures(self.site_campaigns(), now=now)
        return context


class HomeFeature(TranslatableMixin, Orderable):
    """One "À la Une" entry: a page chosen by editors, with optional overrides."""

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


class StandardPage(Page):
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
