"""The admin's image form: every image gets a text alternative (RGAA 1.2, WCAG 1.1.1).

Wagtail uses an image's `description` as its default alt text (`Image.default_alt_text`), which
the campaign, theme and home heroes render. Cards and decorative places render `alt=""`, and
StreamField images have their own alt text or "decorative" choice (`ImageBlock`). So the
description is required when an editor uploads or edits an image
(`WAGTAILIMAGES_IMAGE_FORM_BASE`).
"""

from django.utils.translation import gettext_lazy as _
from wagtail.images.forms import BaseImageForm


class ImageForm(BaseImageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("description")
        if field is not None:
            field.required = True
            field.label = _("Alternative text")
            field.help_text = _(
                "What the image shows, for people who cannot see it (read aloud by screen readers). "
                "Shown wherever the image carries meaning, such as a campaign's main image."
            )
