"""Money display: integer cents → "1 234,50 €" (French) or "€1,234.50" (English).

Used by the `money` template filters and by models' display helpers; amounts are always
integer cents, never floats.
"""

from django.utils.translation import get_language

NBSP = "\u202f"  # narrow no-break space, the French thousands separator


def format_euros(cents, decimals="auto") -> str:
    """Format integer cents as euros in the active language; whole euros drop the decimals."""
    if cents is None or cents == "":
        return ""
    cents = int(cents)
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    whole, rest = divmod(cents, 100)
    show_decimals = rest != 0 if decimals == "auto" else bool(decimals)
    lang = (get_language() or "fr")[:2]
    if lang == "en":
        text = f"{whole:,}"
        if show_decimals:
            text += f".{rest:02d}"
        return f"{sign}€{text}"
    text = f"{whole:,}".replace(",", NBSP)
    if show_decimals:
        text += f",{rest:02d}"
    return f"{sign}{text}\u00a0€"
