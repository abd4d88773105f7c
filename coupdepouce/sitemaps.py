"""The sitemap of the request's site, in every language.

Wagtail's `Sitemap` lists the descendants of the site's root page only. Here the English
home is a translation of the site root, beside it under the tree root rather than under
it, so its pages would be missing; each site's sitemap lists the pages under its home in
every locale (`coupdepouce.pages.site_pages`), and nothing of other sites.
"""

from wagtail.contrib.sitemaps import Sitemap

from coupdepouce.pages import site_pages


class SiteSitemap(Sitemap):
    def items(self):
        return site_pages(self.get_wagtail_site()).order_by("path").defer_streamfields().specific()
