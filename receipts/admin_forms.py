"""Forms of the tax receipts' admin (`receipts.wagtail_hooks`, `receipts.admin_views`).

- `BeneficiaryForm`: a beneficiary organisation, every field; the model's `clean()` checks the
  SIREN / RNA; the scanned signature is checked by its content (PNG or JPEG read by `filetype`
  and opened by Pillow, 1 MB at most), whatever its name or the type the browser claimed. The
  signature lives in private storage: the widget links to a permission-checked preview instead
  of a public URL (`SignatureInput`).
- `CancelForm`: the reason for cancelling a receipt (required; the donor is told it).
- `DuplicateForm`: how a duplicate is delivered: emailed to the donor, or downloaded.
"""

from __future__ import annotations

import filetype
from django import forms
from django.core.validators import MaxLengthValidator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError
from wagtail.admin.forms import WagtailAdminModelForm

from receipts.models import Receipt

SIGNATURE_MAX_BYTES = 1024 * 1024
SIGNATURE_TYPES = {"image/png": "PNG", "image/jpeg": "JPEG"}
SIGNATURE_PREVIEW_URL_NAME = "receipt_beneficiaries:signature"  # receipts.admin_views.signature_view


class SignatureInput(forms.ClearableFileInput):
    """A file input that shows the stored signature through the admin's preview view (private
    files have no public URL), with Django's "clear" checkbox."""

    template_name = "receipts/admin/signature_input.html"

    def __init__(self, attrs=None, preview_url=""):
        attrs = {"accept": "image/png,image/jpeg", **(attrs or {})}
        super().__init__(attrs)
        self.preview_url = preview_url

    def is_initial(self, value):
        return bool(value and getattr(value, "name", None))

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["preview_url"] = self.preview_url
        return context


def signature_error(upload) -> str | None:
    """Why an uploaded signature is refused, or None: PNG or JPEG by content, 1 MB at most."""
    if upload.size > SIGNATURE_MAX_BYTES:
        return _("The signature file is too large: 1 MB at most.")
    upload.seek(0)
    kind = filetype.guess(upload.read(8192))
    upload.seek(0)
    if kind is None or kind.mime not in SIGNATURE_TYPES:
        return _("The signature must be a PNG or JPEG image.")
    try:
        with Image.open(upload) as image:
            if image.format != SIGNATURE_TYPES[kind.mime]:
                return _("The signature must be a PNG or JPEG image.")
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return _("The signature image cannot be read: save it again as PNG or JPEG.")
    finally:
        upload.seek(0)
    return None


class BeneficiaryForm(WagtailAdminModelForm):
    # Numbers are often copied with spaces ("214 401 093"): accepted, stored without them.
    SPACED_FIELDS = {"siren": 9 + 2, "rna": 10 + 3}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, width in self.SPACED_FIELDS.items():
            field = self.fields.get(name)
            if field is not None:
                field.max_length = width
                field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
                field.validators.append(MaxLengthValidator(width))
                field.widget.attrs["maxlength"] = str(width)
        if "signature" in self.fields:
            preview_url = ""
            if self.instance.pk and self.instance.signature:
                preview_url = reverse(SIGNATURE_PREVIEW_URL_NAME, args=[self.instance.pk])
            self.fields["signature"].widget = SignatureInput(preview_url=preview_url)

    def clean_siren(self):
        return "".join(self.cleaned_data.get("siren", "").split())

    def clean_rna(self):
        return "".join(self.cleaned_data.get("rna", "").split()).upper()

    def clean_signature(self):
        upload = self.cleaned_data.get("signature")
        # An uploaded file has a content type; the stored file (nothing new uploaded) has not.
        if upload and hasattr(upload, "content_type"):
            error = signature_error(upload)
            if error:
                raise forms.ValidationError(error, code="signature")
        return upload


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        help_text=_("Required. The donor receives it by email; it stays in the register."),
        max_length=Receipt._meta.get_field("cancel_reason").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason for cancelling this receipt.")},
    )

    def clean_reason(self):
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise forms.ValidationError(_("Give the reason for cancelling this receipt."), code="required")
        return reason


class DuplicateForm(forms.Form):
    EMAIL = "email"
    DOWNLOAD = "download"

    delivery = forms.ChoiceField(
        label=_("Deliver the duplicate"),
        choices=[(EMAIL, _("Email it to the donor")), (DOWNLOAD, _("Download it"))],
        initial=EMAIL,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how to deliver the duplicate.")},
    )

    def __init__(self, *args, can_email=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_email:
            self.fields["delivery"].choices = [(self.DOWNLOAD, _("Download it"))]
            self.fields["delivery"].initial = self.DOWNLOAD
