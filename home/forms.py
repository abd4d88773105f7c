"""The home page's admin form: "À la Une" lists a page once."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm


class HomePageForm(WagtailAdminPageForm):
    def clean(self):
        cleaned_data = super().clean()
        formset = self.formsets.get("features")
        if formset is None or not formset.is_valid():
            return cleaned_data
        seen = set()
        for form in formset.forms:
            if formset.can_delete and formset._should_delete_form(form):
                continue
            page = form.cleaned_data.get("page")
            if page is None:
                continue
            if page.pk in seen:
                form.add_error("page", _("This page is already featured in this list."))
            seen.add(page.pk)
        return cleaned_data
