"""Signal receivers of the themes app, connected in `ThemesConfig.ready`.

When a campaign is published or unpublished, the page cache (`coupdepouce.page_cache`) purges
every theme page of its site: the themes it left list it too, and the published page no longer
says which they were.
"""

from coupdepouce import page_cache
from projects.models import CampaignPage
from themes.models import ThemeIndexPage, ThemePage


def theme_pages_of_a_published_campaign(sender, page, published=False, **kwargs):
    if not published or not isinstance(page, CampaignPage) or not page.path:
        return []
    home_path = page.path[: ThemePage.steplen * 2]
    themes = ThemePage.objects.filter(path__startswith=home_path)
    indexes = ThemeIndexPage.objects.filter(path__startswith=home_path)
    return [*themes, *indexes]


def connect():
    page_cache.pages_showing.connect(
        theme_pages_of_a_published_campaign, dispatch_uid="themes.theme_pages_of_a_published_campaign"
    )
