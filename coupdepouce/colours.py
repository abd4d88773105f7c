"""Colour contrast, written once (WCAG 2.x relative luminance and contrast ratio).

Theme colours are backgrounds: their text is white or near-black, whichever reads better
(`text_colour`), and a colour on which neither reaches 4.5:1 (WCAG 1.4.3, RGAA 3.2) is refused.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WHITE = "#ffffff"
INK = "#1e1e1e"  # the site's text colour (--ink in site.css)
MIN_CONTRAST = 4.5

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def relative_luminance(hex_colour: str) -> float:
    """WCAG relative luminance of a #rrggbb colour, from 0 (black) to 1 (white)."""
    if not _HEX.match(hex_colour):
        raise ValueError(f"not a #rrggbb colour: {hex_colour!r}")
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio between two #rrggbb colours, from 1 to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_colour(background: str) -> str:
    """White or the site's ink, whichever contrasts more with `background`."""
    return WHITE if contrast_ratio(background, WHITE) >= contrast_ratio(background, INK) else INK


def validate_readable_background(value: str) -> None:
    """Refuse a #rrggbb background on which the text shown (see `text_colour`) stays under 4.5:1."""
    try:
        ratio = contrast_ratio(value, text_colour(value))
    except ValueError:
        return  # the format is the regex validator's job
    if ratio < MIN_CONTRAST:
        raise ValidationError(
            _(
                "Text on %(colour)s would reach a contrast of only %(ratio)s:1, under the 4.5:1 needed to be "
                "readable. Choose a darker or a lighter colour."
            ),
            code="low_contrast",
            params={"colour": value, "ratio": f"{ratio:.1f}".replace(".", ",")},
        )
