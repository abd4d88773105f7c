"""The Content-Security-Policy header (django-csp): strict on the site, relaxed in the admin.

The public site runs no inline script: `settings.CONTENT_SECURITY_POLICY` allows scripts
from the site itself and Stripe.js only. The Wagtail admin still needs inline scripts and
styles (its editor, choosers and previews), so responses under the admin's URL get
`settings.CONTENT_SECURITY_POLICY_ADMIN` instead. A view may still set its own policy with
django-csp's decorators (`csp_update`, `csp_replace`, `csp_exempt`).
"""

import functools

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import default_config
from django.conf import settings
from django.urls import reverse


@functools.cache
def _admin_prefix():
    return reverse("wagtailadmin_home")


def is_admin_path(path):
    return path.startswith(_admin_prefix())


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware, with the admin's policy under the admin's URL."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.config is None and is_admin_path(request.path_info):
            parts.config = default_config(settings.CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"])
        return parts
