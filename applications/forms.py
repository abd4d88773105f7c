"""The application form: the fixed fields every call asks, then one field per question of the call.

Every field is optional here, so a draft can be saved incomplete (and no browser blocks the
"save the draft" button on an empty required field): what a submission needs is checked once,
by `services.missing_answers`, and its messages come back onto these fields. `required_names`
says which fields the submission needs, for the "(optional)" marks.
"""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from applications import services
from applications.blocks import FILE_TYPES
from applications.models import Application
from coupdepouce.forms import ErrorSummaryMixin
from coupdepouce.pages import active_locale, site_pages
from projects.models import Territory

SUBMISSION_REQUIRED = ("title", "summary", "holder_name", "amount_requested")
EURO_NOISE = re.compile(r"[\s\u00a0\u202f€]")


class EurosField(forms.IntegerField):
    """Whole euros; "5 000 €" is read as 5000."""

    def to_python(self, value):
        if isinstance(value, str):
            value = EURO_NOISE.sub("", value)
        return super().to_python(value)


def theme_choices(site, locale):
    """Live themes of the call's site, in the active language."""
    theme_model = Application._meta.get_field("themes").related_model
    pages = site_pages(site, locale=locale).values("pk") if site is not None else []
    return theme_model.objects.live().filter(pk__in=pages).order_by("title")


def territory_choices(site, locale):
    return Territory.objects.for_site(site).filter(locale=locale).order_by("name")


def file_help_text(block_value):
    types = ", ".join(ext.upper() for ext in block_value.get("allowed_types") or [] if ext in FILE_TYPES)
    limits = _("Accepted types: %(types)s. Maximum size: %(max)s MB.") % {
        "types": types,
        "max": block_value.get("max_size_mb"),
    }
    help_text = block_value.get("help_text") or ""
    return f"{help_text} {limits}".strip()


class ApplicationForm(ErrorSummaryMixin, forms.Form):
    title = forms.CharField(label=_("Project title"), max_length=150)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=400,
        help_text=_("A few sentences (400 characters at most) that say what the project is."),
        widget=forms.Textarea({"rows": 4, "maxlength": 400}),
    )
    holder_name = forms.CharField(
        label=_("Project holder"),
        max_length=150,
        help_text=_("The person, association, company or local authority that carries the project."),
    )
    holder_kind = forms.ChoiceField(
        label=_("The project holder is"), choices=Application.HolderKind.choices, widget=forms.RadioSelect
    )
    amount_requested = EurosField(
        label=_("Amount requested (€)"),
        min_value=1,
        max_value=100_000_000,
        help_text=_("In whole euros, for example 5000."),
        widget=forms.TextInput({"inputmode": "numeric", "size": 10}),
        error_messages={
            "invalid": _("Enter the amount in whole euros, for example 5000."),
            "min_value": _("Enter an amount greater than zero."),
        },
    )
    themes = forms.ModelMultipleChoiceField(label=_("Themes"), queryset=None, widget=forms.CheckboxSelectMultiple)
    territory = forms.ModelChoiceField(label=_("Territory"), queryset=None, empty_label=_("No particular territory"))

    def __init__(self, call, instance=None, data=None, files=None):
        self.call = call
        self.instance = instance
        self.current_files = services.current_attachments(instance) if instance is not None else {}
        site = call.get_site()
        locale = active_locale()
        super().__init__(data, files, initial=self._initial(instance))
        self.fields["themes"].queryset = theme_choices(site, locale)
        self.fields["territory"].queryset = territory_choices(site, locale)
        self.required_names = set(SUBMISSION_REQUIRED) | {"holder_kind"}
        self.questions = []
        for block in services.questions(call):
            name = services.field_name(block.id)
            field = block.block.form_field(block.value)
            if block.block_type == "file":
                accept = ",".join(f".{ext}" for ext in block.value.get("allowed_types") or [])
                field.widget = forms.FileInput({"accept": accept})
                field.allow_empty_file = True  # refused by `services.check_upload`, with the question's name
                field.help_text = file_help_text(block.value)
            self.fields[name] = field
            if block.value.get("required"):
                self.required_names.add(name)
            self.questions.append((name, block))
        for field in self.fields.values():
            field.required = False
        if instance is not None:
            self._initial_choices(instance)
        if not self.fields["themes"].queryset.exists():
            del self.fields["themes"]
        if not self.fields["territory"].queryset.exists():
            del self.fields["territory"]

    def _initial(self, instance):
        if instance is None:
            return {"holder_kind": Application.HolderKind.ASSOCIATION}
        initial = {name: getattr(instance, name) for name in SUBMISSION_REQUIRED}
        initial["holder_kind"] = instance.holder_kind
        for block in services.questions(self.call):
            if block.block_type != "file":
                value = services.answer_from_json(block.block_type, instance.answers.get(block.id))
                if value is not None:
                    initial[services.field_name(block.id)] = value
        return initial

    def _initial_choices(self, instance):
        """Themes and territory chosen in another language show as their translation in this one."""
        if instance.pk is None:
            return
        keys = instance.themes.values("translation_key")
        self.initial["themes"] = list(self.fields["themes"].queryset.filter(translation_key__in=keys))
        if instance.territory_id:
            self.initial["territory"] = (
                self.fields["territory"].queryset.filter(translation_key=instance.territory.translation_key).first()
            )

    # ----------------------------------------------------------------- for the view and template

    def file_changes(self):
        """{question block id: uploaded file, or None to remove the current file} from this POST."""
        changes = {}
        for name, block in self.questions:
            if block.block_type != "file":
                continue
            upload = self.cleaned_data.get(name)
            if upload:
                changes[block.id] = upload
            elif self.data.get(f"remove_{name}") and block.id in self.current_files:
                changes[block.id] = None
        return changes

    def question_rows(self):
        """(bound field, block, current attachment or None) per question, for the template."""
        return [(self[name], block, self.current_files.get(block.id)) for name, block in self.questions]

    def fixed_fields(self):
        names = ("title", "summary", "holder_name", "holder_kind", "amount_requested", "themes", "territory")
        return [self[name] for name in names if name in self.fields]
