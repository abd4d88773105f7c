"""Admin for the header and footer menus (Snippets > Menus); wagtail-localize adds "Translate"."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from coupdepouce.navigation import NavigationMenu


class NavigationMenuViewSet(SnippetViewSet):
    model = NavigationMenu
    icon = "list-ul"
    menu_label = _("Menus")
    list_display = ["__str__", "site", "location"]
    list_filter = ["site", "location"]


register_snippet(NavigationMenuViewSet)
