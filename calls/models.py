"""Appels à projets: CallIndexPage → CallForProjectsPage.

The call is a structured page whose status (upcoming, open, closed) derives from its dates
(`applications.services.submission_window`, the rule applications are accepted by). Its
`candidater/` route is the application form (`applications.views.start`); once results are
published, it lists its laureates (`applications.results.laureates`).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, TranslatableMixin
from wagtail.search import index

from applications import results, services
from applications import views as application_views
from applications.blocks import ApplicationFormBlock
from coupdepouce.blocks import BodyBlock
from coupdepouce.pages import CachedPageMixin, live_pages, published_content


class CallStatus:
    UPCOMING = services.Window.UPCOMING
    OPEN = services.Window.OPEN
    CLOSED = services.Window.CLOSED


CALL_STATUS_LABELS = {
    CallStatus.UPCOMING: _("Opens soon"),
    CallStatus.OPEN: _("Open"),
    CallStatus.CLOSED: _("Closed"),
}


def call_status(opens_at, closes_at, now):
    """Upcoming before `opens_at`, open in [opens_at, closes_at), closed after (the applications' rule)."""
    return services.submission_window(opens_at, closes_at, now)


class CallIndexPage(CachedPageMixin, Page):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["calls.CallForProjectsPage"]
    max_count_per_parent = 1
    template = "calls/call_index_page.html"

    class Meta:
        verbose_name = _("call index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        now = timezone.now()
        calls = CallForProjectsPage.objects.live().child_of(self).select_related("image")
        context["open_calls"] = list(calls.filter(closes_at__gt=now).order_by("closes_at"))
        context["closed_calls"] = list(calls.filter(closes_at__lte=now).order_by("-closes_at")[:12])
        return context


class CallForProjectsPage(CachedPageMixin, RoutablePageMixin, Page):
    summary = models.TextField(_("summary"), max_length=400)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)
    eligibility = RichTextField(_("eligibility"), blank=True, features=["bold", "italic", "link", "ul", "ol"])
    budget = models.PositiveIntegerField(_("total budget (€)"), null=True, blank=True)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    themes = ParentalManyToManyField("themes.ThemePage", verbose_name=_("themes"), blank=True, related_name="+")
    application_form = StreamField(
        ApplicationFormBlock(),
        verbose_name=_("application form"),
        blank=True,
        help_text=_(
            "The questions applicants answer, besides the project's title, summary, holder, amount, "
            "themes and territory, which every application asks."
        ),
    )
    edit_after_submission = models.BooleanField(
        _("applications can be edited until the deadline"),
        default=False,
        help_text=_("Every submitted version is kept."),
    )
    results_published = models.BooleanField(
        _("results published"), default=False, help_text=_("The call page lists its laureates.")
    )

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("eligibility"),
    ]
    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("image"),
        FieldPanel("body"),
        FieldPanel("eligibility"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]), FieldPanel("budget")],
            heading=_("Dates and budget"),
        ),
        FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
        MultiFieldPanel(
            [FieldPanel("application_form"), FieldPanel("edit_after_submission"), FieldPanel("results_published")],
            heading=_("Applications"),
        ),
        InlinePanel("criteria", heading=_("Evaluation criteria"), label=_("Criterion")),
        InlinePanel("partners", heading=_("Partners"), label=_("Partner")),
    ]

    parent_page_types = ["calls.CallIndexPage"]
    subpage_types = []
    template = "calls/call_for_projects_page.html"
    # What the page's template reads of its foreign keys, fetched with the page when it is served
    # (`coupdepouce.pages.route_by_url_path`).
    serve_select_related = ("image",)

    class Meta:
        verbose_name = _("call for projects")

    @property
    def status(self):
        return call_status(self.opens_at, self.closes_at, timezone.now())

    def status_label(self):
        return CALL_STATUS_LABELS[self.status]

    def clean(self):
        super().clean()
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The closing date must come after the opening date.")})

    @path("candidater/", name="apply")
    def apply(self, request):
        return application_views.start(request, self)

    def apply_url(self, request=None) -> str:
        url = self.get_url(request)
        return f"{url}{self.reverse_subpage('apply')}" if url else ""

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["call_status"] = self.status
        context["apply_url"] = self.apply_url(request)
        context["laureates"] = results.laureates(self)
        content = self.published_content(request)
        criteria = content["criteria"]
        total = sum(c.weight for c in criteria)
        context["criteria"] = criteria
        context["criteria_total_weight"] = total
        context["partners"] = content["partners"]
        context["themes"] = content["themes"]
        return context

    def published_content(self, request=None) -> dict:
        """Criteria, partners and themes: they change only when a page is published, so they are
        cached until one is (`coupdepouce.pages.published_content`); read afresh in a preview."""
        return published_content(self, request, "call", self._published_content)

    def _published_content(self) -> dict:
        return {
            "criteria": list(self.criteria.all()),
            "partners": list(self.partners.select_related("logo")),
            "themes": live_pages(self.themes.all()),
        }


class EvaluationCriterion(TranslatableMixin, Orderable):
    # Saved or deleted: cached page content (`coupdepouce.pages.content_cached`) is read afresh.
    shown_in_page_content = True

    page = ParentalKey(CallForProjectsPage, on_delete=models.CASCADE, related_name="criteria")
    title = models.CharField(_("criterion"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    weight = models.PositiveIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )

    panels = [FieldRowPanel([FieldPanel("title"), FieldPanel("weight")]), FieldPanel("description")]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("evaluation criterion")
        unique_together = [("translation_key", "locale")]

    def __str__(self):
        return f"{self.title} (×{self.weight})"


class CallPartner(TranslatableMixin, Orderable):
    # Saved or deleted: cached page content (`coupdepouce.pages.content_cached`) is read afresh.
    shown_in_page_content = True

    page = ParentalKey(CallForProjectsPage, on_delete=models.CASCADE, related_name="partners")
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

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("partner")
        unique_together = [("translation_key", "locale")]

    def __str__(self):
        return self.name
