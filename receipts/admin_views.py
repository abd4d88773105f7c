"""Staff views of tax receipts in the Wagtail admin, on Wagtail's generic views.

- `ReceiptIndexView`: the register ("Registre des reçus"): every receipt, issued or cancelled
  (a cancelled receipt keeps its number and stays listed), filtered by beneficiary, year and
  status; CSV and XLSX exports for the accountant in French formats
  (`coupdepouce.exports.FrenchSpreadsheetMixin`).
- `ReceiptInspectView`: one receipt as it was issued, its history (`ReceiptEvent`), the stored
  PDF to download, and two actions, each a POST to its own URL with its own permission:
  "Réémettre (duplicata)" (`receipts.reissue_receipt`: `services.reissue_duplicate`, emailed to
  the donor or downloaded) and "Annuler" with a required reason (`receipts.cancel_receipt`:
  `services.cancel`, which tells the donor).
- `download_view`: the stored PDF (`receipts.view_receipt`).
- `signature_view`: a beneficiary's scanned signature, for the preview in its form
  (`receipts.view_beneficiary`); it lives in private storage, with no public URL.

Receipts only change through `receipts.services`; nothing here edits a receipt's fields.
A refused permission raises `PermissionDenied`, which Wagtail's admin answers with a redirect to
its dashboard and a message, as for every admin view.
"""

from __future__ import annotations

from collections import OrderedDict

import filetype
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import ChoiceFilter, ModelChoiceFilter
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.permissions import policy_registry

from coupdepouce.exports import FrenchSpreadsheetMixin, euros_cell
from receipts import emails, services
from receipts.admin_forms import CancelForm, DuplicateForm
from receipts.models import Beneficiary, Receipt, ReceiptEvent

Status = Receipt.Status

# URL namespaces of the two admin viewsets (`receipts.wagtail_hooks`); not "receipts", which
# the public pages' URLs may use.
REGISTER_NAMESPACE = "receipt_register"
BENEFICIARY_NAMESPACE = "receipt_beneficiaries"
PDF_CONTENT_TYPE = "application/pdf"


def _local(value):
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else "—"


def private_headers(response):
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Robots-Tag"] = "noindex"
    return response


# The register ---------------------------------------------------------------------------------


def receipt_years():
    """The years that have receipts, newest first (the year filter's choices)."""
    years = Receipt.objects.order_by("-year").values_list("year", flat=True).distinct()
    return [(year, str(year)) for year in years]


class ReceiptFilterSet(WagtailFilterSet):
    beneficiary = ModelChoiceFilter(
        label=gettext_lazy("Beneficiary organisation"), queryset=Beneficiary.objects.order_by("legal_name")
    )
    year = ChoiceFilter(label=gettext_lazy("Year"), choices=receipt_years)
    status = ChoiceFilter(label=gettext_lazy("Status"), choices=Status.choices)

    class Meta:
        model = Receipt
        fields = ["beneficiary", "year", "status"]


EXPORT_FIELDS = [
    "number",
    "beneficiary",
    "identifier",
    "year",
    "status",
    "donor_name",
    "donor_street",
    "donor_postal_code",
    "donor_city",
    "donor_country",
    "donor_email",
    "amount",
    "paid_on",
    "payment_method",
    "campaign",
    "issued_at",
    "cancelled_at",
    "cancel_reason",
    "replaces",
]

EXPORT_HEADINGS = {
    "number": gettext_lazy("Receipt number"),
    "beneficiary": gettext_lazy("Beneficiary organisation"),
    "identifier": gettext_lazy("SIREN / RNA"),
    "year": gettext_lazy("Year"),
    "status": gettext_lazy("Status"),
    "donor_name": gettext_lazy("Donor"),
    "donor_street": gettext_lazy("Donor's street address"),
    "donor_postal_code": gettext_lazy("Donor's postal code"),
    "donor_city": gettext_lazy("Donor's city"),
    "donor_country": gettext_lazy("Donor's country"),
    "donor_email": gettext_lazy("Donor's email"),
    "amount": gettext_lazy("Amount (€)"),
    "paid_on": gettext_lazy("Date of payment"),
    "payment_method": gettext_lazy("Payment method"),
    "campaign": gettext_lazy("Campaign"),
    "issued_at": gettext_lazy("Issued on"),
    "cancelled_at": gettext_lazy("Cancelled on"),
    "cancel_reason": gettext_lazy("Reason for cancelling"),
    "replaces": gettext_lazy("Replaces receipt"),
}

# Sorting on the number sorts on the year first: numbers start again each year.
NUMBER_ORDERINGS = {"number": ("year", "number", "pk"), "-number": ("-year", "-number", "-pk")}


class ReceiptIndexView(FrenchSpreadsheetMixin, IndexView):
    """The register: constant queries per page (beneficiary and replaced receipt joined)."""

    any_permission_required = ["view"]
    default_ordering = "-number"

    def get_base_queryset(self):
        return Receipt.objects.select_related("beneficiary", "replaces")

    def order_queryset(self, queryset):
        if self.ordering in NUMBER_ORDERINGS:
            return queryset.order_by("beneficiary__legal_name", *NUMBER_ORDERINGS[self.ordering])
        ordered = super().order_queryset(queryset)
        return ordered.order_by(*ordered.query.order_by, "pk") if ordered.query.order_by else ordered

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "number",
                label=_("Receipt number"),
                accessor="display_number",
                sort_key="number",
                get_url=lambda receipt: reverse(f"{REGISTER_NAMESPACE}:inspect", args=[receipt.pk]),
            ),
            Column("beneficiary", label=_("Beneficiary organisation"), accessor="beneficiary.legal_name"),
            Column("donor_name", label=_("Donor"), sort_key="donor_name"),
            Column("amount", label=_("Amount"), accessor="amount_display", sort_key="amount_cents"),
            DateColumn("paid_on", label=_("Date of payment"), sort_key="paid_on"),
            Column("status", label=_("Status"), accessor="get_status_display", sort_key="status"),
        ]

    def get_filename(self):
        year = self.request.GET.get("year", "")
        return f"recus-fiscaux-{year}" if year.isdigit() else "recus-fiscaux"

    def to_row_dict(self, item):
        values = {
            "number": item.display_number,
            "beneficiary": item.beneficiary.legal_name,
            "identifier": item.beneficiary.identifier,
            "year": item.year,
            "status": item.get_status_display(),
            "donor_name": item.donor_name,
            "donor_street": item.donor_street,
            "donor_postal_code": item.donor_postal_code,
            "donor_city": item.donor_city,
            "donor_country": item.donor_country,
            "donor_email": item.donor_email,
            "amount": euros_cell(item.amount_cents),
            "paid_on": item.paid_on,
            "payment_method": item.get_payment_method_display(),
            "campaign": item.campaign_title,
            "issued_at": item.issued_at,
            "cancelled_at": item.cancelled_at,
            "cancel_reason": emails.reason_label(item.cancel_reason) if item.cancel_reason else "",
            "replaces": item.replaces.display_number if item.replaces_id else "",
        }
        return OrderedDict((name, values[name]) for name in self.list_export)


# One receipt ------------------------------------------------------------------------------------

INSPECT_FIELDS = [
    "display_number",
    "status",
    "beneficiary",
    "donor_name",
    "donor_address",
    "donor_email",
    "amount_cents",
    "paid_on",
    "payment_method",
    "campaign_title",
    "pledge",
    "issued_at",
    "emailed_at",
    "cancelled_at",
    "cancel_reason",
    "replaces",
    "replaced_by",
]


class ReceiptInspectView(InspectView):
    """One receipt, its events, its PDF and the cancel / duplicate actions.

    The same view answers the actions' URLs (`action` "cancel" or "duplicate"): a POST there,
    permission checked, calls the service; a form error shows the page again with the error
    and what was typed.
    """

    template_name = "receipts/admin/receipt_inspect.html"
    page_title = gettext_lazy("Tax receipt")
    any_permission_required = ["view"]
    fields = INSPECT_FIELDS
    action = None

    def get_object(self, queryset=None):
        return get_object_or_404(
            Receipt.objects.select_related("beneficiary", "pledge", "replaces", "replaced_by"), pk=self.pk
        )

    def get_page_subtitle(self):
        return _("Receipt %(number)s") % {"number": self.object.display_number}

    def get_field_label(self, field_name, field):
        labels = {
            "display_number": _("Receipt number"),
            "status": _("Status"),
            "beneficiary": _("Beneficiary organisation"),
            "donor_name": _("Donor"),
            "donor_address": _("Donor's address"),
            "donor_email": _("Donor's email"),
            "amount_cents": _("Amount"),
            "paid_on": _("Date of payment"),
            "payment_method": _("Payment method"),
            "campaign_title": _("Campaign"),
            "pledge": _("Pledge"),
            "issued_at": _("Issued on"),
            "emailed_at": _("Emailed to the donor on"),
            "cancelled_at": _("Cancelled on"),
            "cancel_reason": _("Reason for cancelling"),
            "replaces": _("Replaces receipt"),
            "replaced_by": _("Replaced by receipt"),
        }
        return labels[field_name]

    def get_display_number_display_value(self):
        return self.object.display_number

    def get_donor_address_display_value(self):
        return ", ".join(line for line in self.object.donor_address_lines if line.strip())

    def get_donor_email_display_value(self):
        return self.object.donor_email or "—"

    def get_amount_cents_display_value(self):
        return self.object.amount_display

    def get_paid_on_display_value(self):
        return date_format(self.object.paid_on, "d/m/Y")

    def get_pledge_display_value(self):
        pledge = self.object.pledge
        return _("No. %(pk)s, %(status)s") % {"pk": pledge.pk, "status": pledge.get_status_display()}

    def get_issued_at_display_value(self):
        return _local(self.object.issued_at)

    def get_emailed_at_display_value(self):
        return _local(self.object.emailed_at)

    def get_cancelled_at_display_value(self):
        return _local(self.object.cancelled_at)

    def get_cancel_reason_display_value(self):
        return emails.reason_label(self.object.cancel_reason) if self.object.cancel_reason else "—"

    def _receipt_link(self, receipt):
        if receipt is None:
            return "—"
        url = reverse(f"{REGISTER_NAMESPACE}:inspect", args=[receipt.pk])
        return format_html('<a href="{}">{}</a>', url, receipt.display_number)

    def get_replaces_display_value(self):
        return self._receipt_link(self.object.replaces)

    def get_replaced_by_display_value(self):
        try:
            return self._receipt_link(self.object.replaced_by)
        except Receipt.DoesNotExist:
            return "—"

    # Actions ----------------------------------------------------------------------------------

    @cached_property
    def can_cancel(self):
        return self.user_has_permission("cancel") and not self.object.is_cancelled

    @cached_property
    def can_reissue(self):
        return self.user_has_permission("reissue") and not self.object.is_cancelled

    def get(self, request, *args, **kwargs):
        if self.action:
            return redirect(f"{REGISTER_NAMESPACE}:inspect", self.object.pk)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.action == "cancel":
            return self.post_cancel(request)
        if self.action == "duplicate":
            return self.post_duplicate(request)
        return redirect(f"{REGISTER_NAMESPACE}:inspect", self.object.pk)

    def post_cancel(self, request):
        if not self.user_has_permission("cancel"):
            raise PermissionDenied
        if self.object.is_cancelled:
            messages.error(request, _("This receipt is already cancelled."))
            return redirect(f"{REGISTER_NAMESPACE}:inspect", self.object.pk)
        self.cancel_form = CancelForm(request.POST, prefix="cancel")
        if not self.cancel_form.is_valid():
            return self.render_to_response(self.get_context_data())
        try:
            services.cancel(self.object, reason=self.cancel_form.cleaned_data["reason"], user=request.user)
        except services.ReceiptError as error:
            self.cancel_form.add_error("reason", str(error))
            return self.render_to_response(self.get_context_data())
        messages.success(
            request,
            _("Receipt %(number)s is cancelled. It stays in the register with its number; the donor is told.")
            % {"number": self.object.display_number},
        )
        return redirect(f"{REGISTER_NAMESPACE}:inspect", self.object.pk)

    def post_duplicate(self, request):
        if not self.user_has_permission("reissue"):
            raise PermissionDenied
        if self.object.is_cancelled:
            messages.error(request, _("A cancelled receipt cannot be reissued."))
            return redirect(f"{REGISTER_NAMESPACE}:inspect", self.object.pk)
        self.duplicate_form = DuplicateForm(request.POST, prefix="duplicate", can_email=bool(self.object.donor_email))
        if not self.duplicate_form.is_valid():
            return self.render_to_response(self.get_context_data())
        send = self.duplicate_form.cleaned_data["delivery"] == DuplicateForm.EMAIL
        try:
            content = services.reissue_duplicate(self.object, user=request.user, send=send)
        except services.ReceiptError as error:
            self.duplicate_form.add_error("delivery", str(error))
            return self.render_to_response(self.get_context_data())
        if send:
            messages.success(
                request,
                _("A duplicate of receipt %(number)s was sent to %(email)s.")
                % {"number": self.object.display_number, "email": self.object.donor_email},
            )
            return redirect(f"{REGISTER_NAMESPACE}:inspect", self.object.pk)
        response = HttpResponse(content, content_type=PDF_CONTENT_TYPE)
        response["Content-Disposition"] = (
            f'attachment; filename="{emails.attachment_name(self.object, duplicate=True)}"'
        )
        return private_headers(response)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        receipt = self.object
        context.update(
            {
                "receipt": receipt,
                "events": [
                    {
                        "at": _local(event.created_at),
                        "action": event.get_action_display(),
                        "note": event_note(event),
                        "by": event_by(event),
                    }
                    for event in receipt.events.select_related("user").order_by("created_at", "pk")
                ],
                "can_cancel": self.can_cancel,
                "can_reissue": self.can_reissue,
                "download_url": (reverse(f"{REGISTER_NAMESPACE}:download", args=[receipt.pk]) if receipt.pdf else ""),
                "cancel_url": reverse(f"{REGISTER_NAMESPACE}:cancel", args=[receipt.pk]),
                "duplicate_url": reverse(f"{REGISTER_NAMESPACE}:duplicate", args=[receipt.pk]),
                "cancel_form": getattr(self, "cancel_form", None) or CancelForm(prefix="cancel"),
                "duplicate_form": getattr(self, "duplicate_form", None)
                or DuplicateForm(prefix="duplicate", can_email=bool(receipt.donor_email)),
                "index_url": reverse(f"{REGISTER_NAMESPACE}:index"),
                "cancel_reason": emails.reason_label(receipt.cancel_reason) if receipt.cancel_reason else "",
            }
        )
        return context


# The notes `receipts.services` writes on duplicates, as staff read them.
DUPLICATE_NOTES = {
    "emailed to the donor": gettext_lazy("emailed to the donor"),
    "downloaded": gettext_lazy("downloaded"),
}


def event_note(event) -> str:
    if event.action == ReceiptEvent.Action.CANCELLED and event.note:
        return emails.reason_label(event.note)
    if event.action == ReceiptEvent.Action.DUPLICATE:
        return str(DUPLICATE_NOTES.get(event.note, event.note))
    return event.note


def event_by(event) -> str:
    if event.actor == "system" and not event.user_id:
        return _("the site (automatic)")
    if event.user_id:
        return getattr(event.user, "full_name", "") or event.user.email
    return event.actor


# Files ------------------------------------------------------------------------------------------


def _require(request, model, action):
    if not policy_registry.get_by_type(model).user_has_permission(request.user, action):
        raise PermissionDenied


def download_view(request, pk):
    """The receipt's PDF as issued (stored once; duplicates are made from the detail page)."""
    _require(request, Receipt, "view")
    receipt = get_object_or_404(Receipt, pk=pk)
    if not receipt.pdf:
        messages.error(request, _("The PDF of this receipt is not ready yet: try again in a few minutes."))
        return redirect(f"{REGISTER_NAMESPACE}:inspect", receipt.pk)
    try:
        handle = receipt.pdf.storage.open(receipt.pdf.name, "rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=emails.attachment_name(receipt), content_type=PDF_CONTENT_TYPE
    )
    return private_headers(response)


def signature_view(request, pk):
    """A beneficiary's scanned signature, shown in its form to who may see the beneficiary."""
    _require(request, Beneficiary, "view")
    beneficiary = get_object_or_404(Beneficiary, pk=pk)
    if not beneficiary.signature:
        raise Http404
    try:
        handle = beneficiary.signature.storage.open(beneficiary.signature.name, "rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    kind = filetype.guess(handle.read(8192))
    handle.seek(0)
    if kind is None or kind.mime not in ("image/png", "image/jpeg"):
        handle.close()
        raise Http404
    name = f"signature-{slugify(beneficiary.legal_name) or beneficiary.pk}.{kind.extension}"
    response = FileResponse(handle, filename=name, content_type=kind.mime)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return private_headers(response)
