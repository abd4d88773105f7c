"""Formatting of allauth's forms in the house pattern (see accounts/templates/accounts/_*.html)."""

from django import template

register = template.Library()


@register.filter
def errors_in_order(form):
    """(field id or None, message) for the error summary: non-field errors first, then fields in order."""
    if form is None or not hasattr(form, "non_field_errors"):
        return []
    summary = [(None, message) for message in form.non_field_errors()]
    for field in form:
        anchor = None if field.is_hidden else field.auto_id
        summary.extend((anchor, message) for message in field.errors)
    return summary


@register.filter
def is_checkbox(field):
    return getattr(field, "widget_type", "") == "checkbox"
