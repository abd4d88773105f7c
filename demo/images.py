"""Abstract illustrations drawn locally with Pillow (no network), stored as Wagtail images.

Each illustration is a diagonal gradient between two colours with soft circles, a band of
rounded shapes and an optional label. The drawing is seeded by the title, so it is the same
on every run; images are looked up by title, so a second run creates none.
"""

from __future__ import annotations

import hashlib
import random
from io import BytesIO
from pathlib import Path

from django.core.files.images import ImageFile
from django.utils.text import slugify
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFilter, ImageFont
from wagtail.images import get_image_model
from wagtail.models import Collection

WIDTH, HEIGHT = 1200, 675
FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
]


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    hex_colour = hex_colour.lstrip("#")
    return tuple(int(hex_colour[i : i + 2], 16) for i in (0, 2, 4))


def _mix(a, b, t: float):
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def _font(size: int):
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size)
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType
        return ImageFont.load_default()


def draw_illustration(seed: str, colour: str, accent: str, label: str = "") -> bytes:
    """A 1200×675 JPEG: gradient, circles, hills and a label, deterministic for a seed."""
    rng = random.Random(hashlib.sha256(seed.encode()).hexdigest())  # noqa: S311 — drawing, not security
    base, second = _rgb(colour), _rgb(accent)

    # Diagonal gradient: the mean of a vertical and a horizontal ramp, flipped at random.
    ramp = PILImage.linear_gradient("L")
    mask = PILImage.blend(ramp, ramp.transpose(PILImage.Transpose.ROTATE_90), 0.5)
    if rng.random() < 0.5:
        mask = mask.transpose(PILImage.Transpose.FLIP_LEFT_RIGHT)
    mask = mask.resize((WIDTH, HEIGHT), PILImage.Resampling.BILINEAR)
    image = PILImage.composite(
        PILImage.new("RGB", (WIDTH, HEIGHT), second), PILImage.new("RGB", (WIDTH, HEIGHT), base), mask
    )

    # Soft translucent circles.
    overlay = PILImage.new("RGBA", (WIDTH, HEIGHT), (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    light = (255, 255, 255)
    for _ in range(rng.randint(5, 9)):
        r = rng.randint(60, 260)
        x, y = rng.randint(-r // 2, WIDTH), rng.randint(-r // 2, HEIGHT)
        tint = _mix(second, light, rng.uniform(0.3, 0.8))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(*tint, rng.randint(40, 110)))
    overlay = overlay.filter(ImageFilter.GaussianBlur(6))
    image = PILImage.alpha_composite(image.convert("RGBA"), overlay)

    # Rolling hills / rooftops band at the bottom.
    band = PILImage.new("RGBA", (WIDTH, HEIGHT), (0, 0, 0, 0))
    draw = ImageDraw.Draw(band)
    for layer in range(3):
        shade = _mix(base, (0, 0, 0), 0.15 + 0.15 * layer)
        y0 = HEIGHT - 210 + layer * 60
        x = -100
        while x < WIDTH + 100:
            w = rng.randint(160, 320)
            h = rng.randint(60, 160)
            if rng.random() < 0.5:
                draw.ellipse((x, y0 - h // 2, x + w, y0 + h), fill=(*shade, 230))
            else:
                draw.rounded_rectangle((x, y0 - h // 2, x + w * 0.6, HEIGHT), radius=18, fill=(*shade, 230))
            x += int(w * 0.7)
        draw.rectangle((0, y0 + 40, WIDTH, HEIGHT), fill=(*shade, 230))
    image = PILImage.alpha_composite(image, band)

    if label:
        draw = ImageDraw.Draw(image)
        font = _font(54 if len(label) < 28 else 42)
        box = draw.textbbox((0, 0), label, font=font)
        tw, th = box[2] - box[0], box[3] - box[1]
        pad = 28
        x, y = 70, 70
        draw.rounded_rectangle(
            (x - pad, y - pad, x + tw + pad, y + th + pad + 10), radius=24, fill=(*_mix(base, (0, 0, 0), 0.35), 215)
        )
        draw.text((x, y), label, font=font, fill=(255, 255, 255))

    out = BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()


def get_or_create_image(title: str, colour: str, accent: str, label: str = ""):
    """The Wagtail image with this title (its alt text), drawn and saved if it does not exist yet."""
    Image = get_image_model()
    existing = Image.objects.filter(title=title).order_by("pk").first()
    if existing is not None:
        return existing, False
    data = draw_illustration(title, colour, accent, label)
    image = Image(
        title=title,
        description=title,  # the alt text the admin's image form requires (coupdepouce/image_forms.py)
        collection=Collection.get_first_root_node(),
        file=ImageFile(BytesIO(data), name=f"demo-{slugify(title)[:60]}.jpg"),
    )
    image._set_image_file_metadata()
    image.save()
    return image, True
