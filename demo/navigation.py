"""The demo site's header menu (French and English) and the footer's legal pages.

They reproduce what the demo showed when the menus were derived from the page tree: the
project, theme and call indexes then "Comment ça marche" in the header; the legal notice,
personal data page and accessibility statement (partially compliant) in the footer.
"""

from collections import Counter

from wagtail.models import Page

from coupdepouce.models import AccessibilityStatus, MenuItem, NavigationMenu, PlatformSettings
from demo import content

# Slugs of the children of the French home page, in header menu order.
MAIN_MENU_SLUGS = [
    content.PROJECT_INDEX["slug"],
    content.THEME_INDEX["slug"],
    content.CALL_INDEX["slug"],
    "comment-ca-marche",
]
LEGAL_SLUG = "mentions-legales"
PRIVACY_SLUG = "donnees-personnelles"
ACCESSIBILITY_SLUG = "accessibilite"


def _child(home, slug):
    page = home.get_children().filter(slug=slug).first()
    if page is None:
        raise LookupError(f"The demo menu needs the page {slug!r} under {home.title!r}")
    return page


def _menu(site, locale, translation_of=None):
    """The site's header menu in `locale`, created if absent. Returns (menu, created)."""
    menu = NavigationMenu.objects.filter(site=site, location=NavigationMenu.Location.MAIN, locale=locale).first()
    if menu is not None:
        return menu, False
    menu = NavigationMenu(site=site, location=NavigationMenu.Location.MAIN, locale=locale)
    if translation_of is not None:
        menu.translation_key = translation_of.translation_key
    menu.save()
    return menu, True


def load_navigation(site, home_fr, home_en=None):
    """Create the demo's menus and choose its legal pages. Idempotent.

    Expects the demo's French tree to exist under `home_fr` (the root page of `site`): the
    project, theme and call indexes and the content pages "comment-ca-marche",
    "mentions-legales", "donnees-personnelles" and "accessibilite" (slugs of
    `demo.content`), published. Call it after the English translations are created
    (`home_en`, the English home page, or None for no English menu): the English header
    menu gets the menu's pages that have a live English translation, as a wagtail-localize
    translation of the French menu (same translation keys).

    A menu that already has links is left alone, as are settings already chosen, so
    editors' changes survive a second run. Returns a Counter of what was created
    ("menus", "menu links").
    """
    created = Counter()
    pages = [_child(home_fr, slug) for slug in MAIN_MENU_SLUGS]

    menu_fr, new = _menu(site, home_fr.locale)
    if new:
        created["menus"] += 1
    if not menu_fr.items.exists():
        for order, page in enumerate(pages):
            MenuItem.objects.create(menu=menu_fr, page=page, sort_order=order, locale=menu_fr.locale)
            created["menu links"] += 1

    if home_en is not None:
        menu_en, new = _menu(site, home_en.locale, translation_of=menu_fr)
        if new:
            created["menus"] += 1
        if not menu_en.items.exists():
            translations = {
                page.translation_key: page
                for page in Page.objects.live().filter(
                    locale=home_en.locale, translation_key__in=[page.translation_key for page in pages]
                )
            }
            for item in menu_fr.items.order_by("sort_order").select_related("page"):
                if not item.page_id:
                    continue
                page = translations.get(item.page.translation_key)
                # An untranslated page: the French page, with an English label that says so.
                label = "" if page is not None else content.MENU_LABELS_EN.get(item.page.slug, "")
                MenuItem.objects.create(
                    menu=menu_en,
                    page=page or item.page,
                    label=label,
                    sort_order=item.sort_order,
                    translation_key=item.translation_key,
                    locale=menu_en.locale,
                )
                created["menu links"] += 1

    settings = PlatformSettings.for_site(site)
    changed = []
    for field, slug in (
        ("legal_page", LEGAL_SLUG),
        ("privacy_page", PRIVACY_SLUG),
        ("accessibility_page", ACCESSIBILITY_SLUG),
    ):
        if getattr(settings, f"{field}_id") is None:
            setattr(settings, field, _child(home_fr, slug))
            changed.append(field)
    if "accessibility_page" in changed:
        # The demo statement says the site is partially compliant.
        settings.accessibility_status = AccessibilityStatus.PARTIAL
        changed.append("accessibility_status")
    if changed:
        settings.save(update_fields=changed)
    return created
