"""`ReadOnlyInspectViewSet`: the admin of records that citizens or applicants wrote and staff only
read and act upon (applications, offers of help, questions).

A Wagtail `ModelViewSet` with a list and a detail ("inspect") page only: no add, edit, copy,
delete, history or usage view, "Edit" links anywhere in the admin open the detail page, and only
the `view` and `change` permissions are offered to groups (`change` = act on it: decide, answer,
moderate, through the app's services).
"""

from django.contrib.auth import get_permission_codename
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import path
from wagtail.admin.viewsets.model import ModelViewSet


class ReadOnlyInspectViewSet(ModelViewSet):
    copy_view_enabled = False
    inspect_view_enabled = True

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            add_url_name=None,
            edit_url_name=None,
            delete_url_name=None,
            history_url_name=None,
            usage_url_name=None,
            copy_url_name=None,
            **kwargs,
        )

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
        ]

    @property
    def url_finder_class(self):
        finder = super().url_finder_class
        finder.edit_url_name = self.get_url_name("inspect")
        return finder

    def get_permissions_to_register(self):
        content_type = ContentType.objects.get_for_model(self.model)
        codenames = [get_permission_codename(action, self.model_opts) for action in ("view", "change")]
        return Permission.objects.filter(content_type=content_type, codename__in=codenames)
