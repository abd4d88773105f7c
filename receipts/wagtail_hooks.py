"""Admin of tax receipts: the "Tax receipts" menu ("Reçus fiscaux") with the beneficiary
organisations ("Organismes bénéficiaires") and the register of receipts ("Registre des reçus").

Who may do what (groups in `coupdepouce/editorial.py`):
- beneficiaries: `receipts.view_beneficiary` lists them; `add_beneficiary` / `change_beneficiary`
  create and edit them (Finances). They are never deleted from the admin: issued receipts and
  campaigns name them; stop issuing in one's name by unticking "the site issues receipts".
- the register (donors' names and addresses): `receipts.view_receipt` lists and opens receipts and
  downloads their PDF; `receipts.reissue_receipt` makes a duplicate; `receipts.cancel_receipt`
  cancels (Finances only; Communication sees nothing of receipts). Receipts are never added,
  edited or deleted here: `receipts.services` issues them when a gift is paid.
"""

from django.contrib.auth import get_permission_codename
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from coupdepouce.admin_viewsets import ReadOnlyInspectViewSet
from receipts import (
    admin_views,
    personal_data,  # noqa: F401 — registers the personal-data export hook
)
from receipts.admin_forms import BeneficiaryForm
from receipts.models import Beneficiary, Receipt


def _permissions(model, actions):
    content_type = ContentType.objects.get_for_model(model)
    codenames = [get_permission_codename(action, model._meta) for action in actions]
    return Permission.objects.filter(content_type=content_type, codename__in=codenames)


class BeneficiaryViewSet(ModelViewSet):
    """Beneficiary organisations: list, add, edit (no delete, no copy)."""

    model = Beneficiary
    name = admin_views.BENEFICIARY_NAMESPACE
    icon = "group"
    menu_label = _("Beneficiary organisations")
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = ["legal_name", "city", "legal_ground", "issues_receipts"]
    list_filter = ["issues_receipts", "legal_ground"]
    search_fields = ["legal_name", "city", "siren", "rna"]
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldPanel("legal_name"),
                    FieldPanel("street"),
                    FieldRowPanel([FieldPanel("postal_code"), FieldPanel("city")]),
                    FieldRowPanel([FieldPanel("siren"), FieldPanel("rna")]),
                    FieldPanel("site"),
                ],
                heading=_("Organisation"),
            ),
            MultiFieldPanel(
                [FieldPanel("purpose"), FieldPanel("legal_ground"), FieldPanel("legal_ground_details")],
                heading=_("Eligibility"),
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("signatory_name"), FieldPanel("signatory_title")]),
                    FieldPanel("signature"),
                ],
                heading=_("Signatory"),
            ),
            FieldPanel("issues_receipts"),
        ],
        base_form_class=BeneficiaryForm,
    )

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(delete_url_name=None, usage_url_name=None, **kwargs)

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("new/", self.add_view, name="add"),
            path("edit/<int:pk>/", self.edit_view, name="edit"),
            path("history/<int:pk>/", self.history_view, name="history"),
            path("history-results/<int:pk>/", self.history_results_view, name="history_results"),
            path("signature/<int:pk>/", admin_views.signature_view, name="signature"),
        ]

    def get_permissions_to_register(self):
        return _permissions(Beneficiary, ("add", "change", "view"))


class ReceiptViewSet(ReadOnlyInspectViewSet):
    """The register: list with filters and exports, detail, PDF, duplicate, cancel."""

    model = Receipt
    name = admin_views.REGISTER_NAMESPACE
    icon = "doc-full"
    menu_label = _("Register of receipts")
    add_to_reference_index = False
    index_view_class = admin_views.ReceiptIndexView
    inspect_view_class = admin_views.ReceiptInspectView
    inspect_view_fields = admin_views.INSPECT_FIELDS
    filterset_class = admin_views.ReceiptFilterSet
    search_fields = ["donor_name", "donor_email", "campaign_title"]
    list_export = admin_views.EXPORT_FIELDS
    export_headings = admin_views.EXPORT_HEADINGS
    export_filename = "recus-fiscaux"
    list_per_page = 50

    def get_urlpatterns(self):
        action_view = self.construct_view(admin_views.ReceiptInspectView, **self.get_inspect_view_kwargs())
        cancel_view = self.construct_view(
            admin_views.ReceiptInspectView, **self.get_inspect_view_kwargs(), action="cancel"
        )
        duplicate_view = self.construct_view(
            admin_views.ReceiptInspectView, **self.get_inspect_view_kwargs(), action="duplicate"
        )
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", action_view, name="inspect"),
            path("cancel/<int:pk>/", cancel_view, name="cancel"),
            path("duplicate/<int:pk>/", duplicate_view, name="duplicate"),
            path("download/<int:pk>/", admin_views.download_view, name="download"),
        ]

    def get_permissions_to_register(self):
        return _permissions(Receipt, ("view", "cancel", "reissue"))


class TaxReceiptsGroup(ViewSetGroup):
    menu_label = _("Tax receipts")
    menu_icon = "doc-full"
    menu_order = 165
    items = (BeneficiaryViewSet, ReceiptViewSet)


@hooks.register("register_admin_viewset")
def register_tax_receipts():
    return TaxReceiptsGroup()
