"""Money display filters; the formatting itself is `coupdepouce.money.format_euros`."""

from django import template

from coupdepouce.money import format_euros

register = template.Library()


@register.filter
def euros(cents, decimals="auto"):
    """Format integer cents as euros in the active language; whole euros drop the decimals."""
    return format_euros(cents, decimals)


@register.filter
def euros_whole(amount):
    """Format whole euros (a goal or a minimum amount)."""
    if amount is None or amount == "":
        return ""
    return format_euros(int(amount) * 100)
