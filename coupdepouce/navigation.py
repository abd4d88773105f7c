"""Header and footer menus, edited by communication staff (Snippets > Menus).

One menu per site, location (header or footer) and locale. A menu translated with
wagtail-localize keeps its site and location; its links' labels are translated, and the
pages they point to are shown in the visitor's language when translated (see the
`site_nav` template tag).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, PageChooserPanel
from wagtail.models import Orderable, TranslatableMixin


class NavigationMenu(TranslatableMixin, ClusterableModel):
    """An ordered list of links shown in the header ("main") or the footer of one site."""

    class Location(models.TextChoices):
        MAIN = "main", _("Main menu (header)")
        FOOTER = "footer", _("Footer")

    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("site"),
        on_delete=models.CASCADE,
        related_name="navigation_menus",
    )
    location = models.CharField(_("location"), max_length=20, choices=Location.choices, default=Location.MAIN)

    panels = [
        FieldPanel("site"),
        FieldPanel("location"),
        InlinePanel("items", heading=_("Links"), label=_("Link")),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("menu")
        verbose_name_plural = _("menus")
        unique_together = [("translation_key", "locale"), ("site", "location", "locale")]
        ordering = ["site", "location"]

    def __str__(self):
        site = (self.site.site_name or self.site.hostname) if self.site_id else "?"
        return f"{self.get_location_display()} – {site}"

    def clean(self):
        super().clean()
        # The locale is not a form field, so the model form skips this unique_together: check it here.
        if self.site_id and self.locale_id and self.location:
            clash = NavigationMenu.objects.filter(
                site_id=self.site_id, location=self.location, locale_id=self.locale_id
            )
            if clash.exclude(pk=self.pk).exists():
                raise ValidationError(
                    {"location": _("This site already has a menu at this location in this language.")}
                )


class MenuItem(TranslatableMixin, Orderable):
    """One link of a menu: a page of the site, or an external URL."""

    menu = ParentalKey(NavigationMenu, on_delete=models.CASCADE, related_name="items")
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    url = models.URLField(_("external URL"), blank=True)
    label = models.CharField(
        _("label"),
        max_length=100,
        blank=True,
        help_text=_("Leave empty to use the page's title, in the visitor's language."),
    )

    panels = [PageChooserPanel("page"), FieldPanel("url"), FieldPanel("label")]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("menu link")
        verbose_name_plural = _("menu links")
        unique_together = [("translation_key", "locale")]

    def __str__(self):
        if self.label:
            return self.label
        if self.page_id:
            return str(self.page)
        return self.url

    def clean(self):
        super().clean()
        if not self.page_id and not self.url:
            raise ValidationError(_("Choose a page or enter an external URL for this link."))
        if self.page_id and self.url:
            raise ValidationError(_("Choose either a page or an external URL for this link, not both."))
        if self.url and not self.label:
            raise ValidationError({"label": _("An external link needs a label.")})
