"""Site-wide settings editable by administrators (Paramètres > Plateforme), and the menus."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, PageChooserPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.images.models import AbstractImage
from wagtail.models import Locale, Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from coupdepouce import page_cache
from coupdepouce.navigation import MenuItem, NavigationMenu
from coupdepouce.pages import chrome_cached, invalidate_chrome
from coupdepouce.workflows import TwoPersonApprovalTask

__all__ = ["AccessibilityStatus", "MenuItem", "NavigationMenu", "PlatformSettings", "TwoPersonApprovalTask"]


class AccessibilityStatus(models.TextChoices):
    """The compliance status the RGAA requires every page to state (in the footer)."""

    FULL = "full", _("fully compliant")
    PARTIAL = "partial", _("partially compliant")
    NONE = "none", _("not compliant")


def _page_field(verbose_name, help_text):
    return models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=help_text,
    )


@register_setting(icon="cog")
class PlatformSettings(BaseSiteSetting):
    platform_name = models.CharField(_("platform name"), max_length=100, default="Coup de pouce")
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_address = models.TextField(_("postal address"), blank=True)

    commission_rate = models.DecimalField(
        _("commission rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=7,
        validators=[MinValueValidator(0), MaxValueValidator(50)],
        help_text=_("Platform commission taken on successful campaigns."),
    )
    max_goal = models.PositiveIntegerField(
        _("maximum goal (€)"),
        default=20_000,
        validators=[MinValueValidator(1)],
        help_text=_("No campaign may ask for more than this amount."),
    )
    overfunding_cap_percent = models.PositiveIntegerField(
        _("over-funding cap (% of goal)"),
        null=True,
        blank=True,
        default=200,
        validators=[MinValueValidator(100)],
        help_text=_("Pledges stop once a campaign reaches this share of its goal. Empty: no cap."),
    )
    max_campaign_days = models.PositiveIntegerField(
        _("maximum campaign length (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    max_pledge = models.PositiveIntegerField(
        _("maximum pledge (€)"),
        default=2_000,
        validators=[MinValueValidator(1)],
        help_text=_("The most one backer may pledge at once."),
    )
    payment_grace_days = models.PositiveIntegerField(
        _("days to complete a failed payment"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("After a success, backers whose card needs action have this long before the pledge fails."),
    )

    counterpart_cap = models.PositiveIntegerField(
        _("counterpart cap for tax receipts (€)"),
        default=73,
        validators=[MinValueValidator(1)],
        help_text=_(
            "The fixed cap on a reward's value for a gift to keep its tax receipt (BOFiP BOI-IR-RICI-250-10-20-10: "
            "73 € since 1 January 2021, revised every five years; also at most a quarter of the gift)."
        ),
    )

    pending_checkout_minutes = models.PositiveIntegerField(
        _("time to finish a payment (minutes)"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(1440)],
        help_text=_(
            "A pledge whose payment is not finished in this time expires: it no longer holds a reward "
            "nor room under the cap."
        ),
    )
    pledge_data_retention_days = models.PositiveIntegerField(
        _("retention of unfinished pledges (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_(
            "The name, email and message of pledges that were cancelled, expired or failed are removed "
            "this many days later (manage.py purge_payment_data)."
        ),
    )
    webhook_retention_days = models.PositiveIntegerField(
        _("retention of payment provider events (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("Stored Stripe events are reduced to their ids after this many days."),
    )

    application_retention_days = models.PositiveIntegerField(
        _("retention of applications not retained (days)"),
        default=365,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_(
            "The answers and attachments of applications that were not eligible, not selected or withdrawn, "
            "and of drafts never submitted, are deleted this many days after the last decision or change "
            "(manage.py purge_applications). Say so on the personal data page."
        ),
    )

    legal_page = _page_field(_("legal notice page"), _("Linked from the footer of every page."))
    privacy_page = _page_field(_("personal data page"), _("Linked from the footer of every page."))
    accessibility_page = _page_field(
        _("accessibility statement page"), _("Linked from the footer, with the compliance status.")
    )
    accessibility_status = models.CharField(
        _("accessibility compliance"),
        max_length=10,
        choices=AccessibilityStatus.choices,
        default=AccessibilityStatus.PARTIAL,
        help_text=_("As stated in the accessibility statement (RGAA); shown in the footer of every page."),
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("platform_name"), FieldPanel("tagline"), FieldPanel("logo")],
            heading=_("Identity"),
        ),
        MultiFieldPanel(
            [FieldPanel("contact_email"), FieldPanel("contact_phone"), FieldPanel("contact_address")],
            heading=_("Contact"),
        ),
        MultiFieldPanel(
            [
                PageChooserPanel("legal_page"),
                PageChooserPanel("privacy_page"),
                PageChooserPanel("accessibility_page"),
                FieldPanel("accessibility_status"),
            ],
            heading=_("Legal pages"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("commission_rate"),
                FieldPanel("max_goal"),
                FieldPanel("overfunding_cap_percent"),
                FieldPanel("max_campaign_days"),
                FieldPanel("max_pledge"),
                FieldPanel("payment_grace_days"),
                FieldPanel("pending_checkout_minutes"),
                FieldPanel("counterpart_cap"),
                FieldPanel("pledge_data_retention_days"),
                FieldPanel("webhook_retention_days"),
            ],
            heading=_("Campaign rules"),
        ),
        MultiFieldPanel([FieldPanel("application_retention_days")], heading=_("Personal data")),
    ]

    class Meta:
        verbose_name = _("platform settings")

    @classmethod
    def for_page(cls, page):
        """The settings of the site `page` belongs to.

        A page outside every site's tree (a draft moved aside, a page of a site not yet
        created) falls back on the default site's settings, and on the built-in defaults
        when there is no site at all.
        """
        site = page.get_site() if page is not None else None
        if site is None:
            site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            return cls()
        return cls.for_site(site)

    @classmethod
    def for_site(cls, site):
        """The site's settings (created on first use), cached until any of them changes."""
        if site is None:
            return super().for_site(site)
        return chrome_cached("platform-settings", [site.pk], lambda: cls._fetch_for_site(site))

    @classmethod
    def _fetch_for_site(cls, site):
        instance, _created = cls.base_queryset().select_related("logo").get_or_create(site=site)
        return instance


# Changes that the cached page surroundings (`coupdepouce.pages.chrome_cached`) depend on.
CHROME_MODELS = (PageViewRestriction, Site, Locale, PlatformSettings, NavigationMenu, MenuItem)


def _page_shown_around_others(page):
    """Whether `page` appears in what is cached around other pages: a home page, a parent (its title
    and slug are in its descendants' breadcrumbs and URLs), a page with translations (the language
    switcher), a site's root, or a page linked from a menu or the site settings. A new page with none
    of these changes nothing cached, so adding content does not empty the cache."""
    if page.pk is None or page.depth is None or page.depth <= 2 or page.numchild:
        return True
    references = Q(legal_page=page) | Q(privacy_page=page) | Q(accessibility_page=page)
    return (
        Page.objects.filter(translation_key=page.translation_key).exclude(pk=page.pk).exists()
        or MenuItem.objects.filter(page=page).exists()
        or PlatformSettings.objects.filter(references).exists()
        or Site.objects.filter(root_page=page).exists()
    )


@receiver(post_save)
def _chrome_model_saved(sender, instance, created=False, **kwargs):
    # A site's settings are created with their defaults on first read (`for_site`): nothing
    # cached before differs from them.
    if created and isinstance(instance, PlatformSettings):
        return
    if not kwargs.get("raw"):
        page_cache.changed_object(instance)
    if isinstance(instance, CHROME_MODELS) or (isinstance(instance, Page) and _page_shown_around_others(instance)):
        invalidate_chrome()
    elif isinstance(instance, AbstractImage) and PlatformSettings.objects.filter(logo_id=instance.pk).exists():
        invalidate_chrome()  # a site's logo (cached with its settings)


@receiver(post_delete)
def _chrome_model_deleted(sender, instance, **kwargs):
    page_cache.changed_object(instance)
    if isinstance(instance, (Page, *CHROME_MODELS)):
        invalidate_chrome()


@receiver(page_published)
@receiver(page_unpublished)
def _page_published_or_unpublished(sender, instance, **kwargs):
    page_cache.page_changed(instance, parent=True, published=True)
    if _page_shown_around_others(instance):
        invalidate_chrome()


post_page_move.connect(invalidate_chrome, dispatch_uid="coupdepouce_chrome_moved")
