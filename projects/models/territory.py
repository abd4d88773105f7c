"""Territories: communes and quartiers that campaigns are filtered by (a snippet)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import TranslatableMixin


class TerritoryQuerySet(models.QuerySet):
    def for_site(self, site):
        """Territories offered on `site`: its own and those shared by every site."""
        return self.filter(models.Q(site=site) | models.Q(site__isnull=True))


class Territory(TranslatableMixin, models.Model):
    """A commune or a quartier; campaigns are filtered by territory."""

    # Saved or deleted: cached page content (`coupdepouce.pages.content_cached`) is read afresh.
    shown_in_page_content = True

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

    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="territories",
        help_text=_("The site whose filters offer this territory. Empty: every site."),
    )

    objects = TerritoryQuerySet.as_manager()

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("kind"), FieldPanel("parent"), FieldPanel("site")]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["name"]
        unique_together = [("translation_key", "locale"), ("site", "slug", "locale")]

    def __str__(self):
        return self.name
