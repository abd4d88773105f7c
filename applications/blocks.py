"""Question blocks: staff build each call's application form from these (StreamField on the call).

Every block has a label, a help text and a required flag, and turns itself into a Django form
field (`form_field(value)`). Answers are stored by the block's id (`Application.answers`), which
stays the same when a question is reworded or translated with wagtail-localize.
"""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from coupdepouce.money import format_euros

# File types an applicant may be asked for: extension → MIME type checked on the content.
FILE_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FILE_TYPE_CHOICES = [(ext, ext.upper()) for ext in FILE_TYPES]
MAX_UPLOAD_MB = 20


class QuestionBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Question"), max_length=255)
    help_text = blocks.TextBlock(label=_("Help text"), required=False)
    required = blocks.BooleanBlock(label=_("Required"), required=False, default=True)

    kind = ""

    class Meta:
        icon = "help"

    def field_kwargs(self, value):
        return {"label": value["label"], "help_text": value["help_text"], "required": value["required"]}

    def form_field(self, value):
        raise NotImplementedError

    def display(self, value, answer):
        """The answer as text, for staff, jurors, exports."""
        if answer in (None, "", []):
            return ""
        return str(answer)


class ShortTextBlock(QuestionBlock):
    kind = "short_text"

    class Meta:
        icon = "pilcrow"
        label = _("Short text")

    def form_field(self, value):
        return forms.CharField(max_length=255, **self.field_kwargs(value))


class LongTextBlock(QuestionBlock):
    max_length = blocks.IntegerBlock(label=_("Maximum number of characters"), default=2000, min_value=1)

    kind = "long_text"

    class Meta:
        icon = "doc-full"
        label = _("Long text")

    def form_field(self, value):
        return forms.CharField(
            max_length=value["max_length"],
            widget=forms.Textarea({"rows": 6, "maxlength": value["max_length"]}),
            **self.field_kwargs(value),
        )


class ChoiceBlock(QuestionBlock):
    choices = blocks.ListBlock(blocks.CharBlock(label=_("Choice"), max_length=150), label=_("Choices"))

    kind = "single_choice"

    class Meta:
        icon = "radio-full"
        label = _("Single choice")

    def field_choices(self, value):
        return [(choice, choice) for choice in value["choices"]]

    def form_field(self, value):
        return forms.ChoiceField(
            choices=self.field_choices(value), widget=forms.RadioSelect, **self.field_kwargs(value)
        )


class MultipleChoiceBlock(ChoiceBlock):
    kind = "multiple_choice"

    class Meta:
        icon = "tick-inverse"
        label = _("Multiple choice")

    def form_field(self, value):
        return forms.MultipleChoiceField(
            choices=self.field_choices(value), widget=forms.CheckboxSelectMultiple, **self.field_kwargs(value)
        )

    def display(self, value, answer):
        return ", ".join(answer or [])


class AmountBlock(QuestionBlock):
    """An amount in euros, stored as integer cents."""

    kind = "amount"

    class Meta:
        icon = "doc-full-inverse"
        label = _("Amount in euros")

    def display(self, value, answer):
        return "" if answer in (None, "") else format_euros(answer)

    def form_field(self, value):
        return forms.DecimalField(
            min_value=0,
            max_digits=12,
            decimal_places=2,
            localize=True,  # "1 250,50" in French
            widget=forms.TextInput({"inputmode": "decimal"}),
            **self.field_kwargs(value),
        )


class DateBlock(QuestionBlock):
    kind = "date"

    class Meta:
        icon = "date"
        label = _("Date")

    def form_field(self, value):
        # A date input only takes ISO dates (YYYY-MM-DD), whatever the page's language.
        return forms.DateField(widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d"), **self.field_kwargs(value))


class FileBlock(QuestionBlock):
    allowed_types = blocks.MultipleChoiceBlock(
        label=_("Allowed file types"), choices=FILE_TYPE_CHOICES, default=["pdf"]
    )
    max_size_mb = blocks.IntegerBlock(
        label=_("Maximum size (MB)"),
        default=5,
        min_value=1,
        max_value=MAX_UPLOAD_MB,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_UPLOAD_MB)],
    )

    kind = "file"

    class Meta:
        icon = "doc-empty"
        label = _("File upload")

    def form_field(self, value):
        accept = ",".join(f".{ext}" for ext in value["allowed_types"])
        return forms.FileField(widget=forms.ClearableFileInput({"accept": accept}), **self.field_kwargs(value))


class ConsentBlock(QuestionBlock):
    kind = "consent"

    class Meta:
        icon = "tick"
        label = _("Consent checkbox")

    def form_field(self, value):
        return forms.BooleanField(**self.field_kwargs(value))

    def display(self, value, answer):
        return str(_("Yes")) if answer else str(_("No"))


class ApplicationFormBlock(blocks.StreamBlock):
    short_text = ShortTextBlock()
    long_text = LongTextBlock()
    single_choice = ChoiceBlock()
    multiple_choice = MultipleChoiceBlock()
    amount = AmountBlock()
    date = DateBlock()
    file = FileBlock()
    consent = ConsentBlock()

    class Meta:
        block_counts = {}
