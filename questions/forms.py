"""Citizen-facing forms: a public question on a campaign, and the report of a published one.

The forms check the shape of what was typed; the rules (what may be reported, the moves of
a question's status) live in `questions.services`.

Anti-spam without a third-party service: a honeypot field (`website`) that people never see
(the template hides it with the `hidden` attribute, so it is out of the accessibility tree
and out of the tab order) and that naive robots fill in; the views answer such a POST as if it
had worked and save nothing. The views are also rate-limited (`coupdepouce.ratelimits`).
"""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coupdepouce.forms import ErrorSummaryMixin
from questions.models import Question, QuestionReport

HONEYPOT_FIELD = "website"

NAME_MAX_LENGTH = Question._meta.get_field("author_name").max_length
BODY_MAX_LENGTH = Question._meta.get_field("body").max_length
REASON_MAX_LENGTH = QuestionReport._meta.get_field("reason").max_length


class HoneypotMixin:
    """A text field that only robots fill in (the template renders it inside `<div hidden>`)."""

    def is_spam(self) -> bool:
        return bool((self.data.get(self.add_prefix(HONEYPOT_FIELD)) or "").strip())


class QuestionForm(HoneypotMixin, ErrorSummaryMixin, forms.Form):
    name = forms.CharField(
        label=_("Your name"),
        help_text=_("Shown with your question."),
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput({"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your email"),
        help_text=_("Never shown publicly: it is only used to tell you when your question is answered."),
        widget=forms.EmailInput({"autocomplete": "email"}),
    )
    question = forms.CharField(
        label=_("Your question"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea({"rows": 5}),
    )
    # The honeypot: not in `errors_in_order`, never validated (see HoneypotMixin).
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput({"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        # Ids of its own: the campaign page holds other forms with a name and an email field.
        kwargs.setdefault("auto_id", "question-%s")
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages.update(
            required=_("Enter your name."),
            max_length=_("Your name is too long: at most %(limit_value)d characters (it has %(show_value)d)."),
        )
        self.fields["email"].error_messages.update(
            required=_("Enter your email address."),
            invalid=_("Enter a valid email address, for example name@example.org."),
        )
        self.fields["question"].help_text = gettext("%(count)s characters at most.") % {"count": BODY_MAX_LENGTH}
        self.fields["question"].error_messages.update(
            required=_("Write your question."),
            max_length=_("Your question is too long: at most %(limit_value)d characters (it has %(show_value)d)."),
        )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter your name."), code="required")
        return name

    def clean_question(self):
        body = self.cleaned_data["question"].strip()
        if not body:
            raise forms.ValidationError(_("Write your question."), code="required")
        return body


class ReportForm(HoneypotMixin, ErrorSummaryMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why should this message be removed?"),
        help_text=_("For example: insults, personal information, advertising, off-topic."),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea({"rows": 4}),
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput({"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "report-%s")
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["max_length"] = _(
            "The reason is too long: at most %(limit_value)d characters (it has %(show_value)d)."
        )

    def clean_reason(self):
        return self.cleaned_data["reason"].strip()
