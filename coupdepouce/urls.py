from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.utils.translation import pgettext_lazy
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.views import account as wagtailadmin_account
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from coupdepouce import views
from coupdepouce.ratelimits import limit
from coupdepouce.sitemaps import SiteSitemap

urlpatterns = [
    # Wagtail's own sign-in and "forgotten password" views, rate-limited; before the admin's
    # URLs, which serve the same paths unlimited.
    path("admin/login/", limit("admin_login")(wagtailadmin_account.LoginView.as_view())),
    path("admin/password_reset/", limit("admin_password_reset")(wagtailadmin_account.PasswordResetView.as_view())),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", sitemap, {"sitemaps": {"wagtail": SiteSitemap}}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Provider webhooks, outside the language prefixes (included by name: the site package
    # does not import the apps it composes).
    path("", include(("payments.webhook_urls", "webhooks"))),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
else:
    # Media are user uploads; in production the front web server should serve them.
    from django.views.static import serve

    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]

urlpatterns += i18n_patterns(
    # Translated paths: "/recherche/" in French, "/en/search/" in English.
    path(pgettext_lazy("URL", "search/"), views.search, name="search"),
    path(pgettext_lazy("URL", "not-translated/"), views.not_translated, name="not_translated"),
    # The English search's former path.
    path("recherche/", RedirectView.as_view(pattern_name="search", permanent=True, query_string=True)),
    path("comptes/", include("accounts.urls")),
    path("", include("applications.urls")),
    path("", include("applications.jury_urls")),
    path("", include("payments.urls")),
    # "Mon projet" (holders), the site's RSS feeds, follow confirmation and unsubscribe,
    # question reports.
    path("", include("projects.urls")),
    path("", include("projects.feed_urls")),
    path("", include("follows.urls")),
    path("", include("questions.urls")),
    # Tax receipts: the signed download link of a receipt email, the yearly summary form.
    path("", include("receipts.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

handler404 = "coupdepouce.views.page_not_found"
handler500 = "coupdepouce.views.server_error"
