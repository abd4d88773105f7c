"""StreamField blocks shared by every page type. Each block has an icon, a template,
a description and a preview value, as in bakerydemo.

Labels and help texts are gettext strings so that the French admin reads French. They sit in each
block's `Meta` (or were already keyword arguments): Meta is not part of a StreamField's migration
state, so translating a label never needs a migration. The menu has six blocks and no groups.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Heading"), max_length=120)
    level = blocks.ChoiceBlock(
        label=_("Level"),
        choices=[("h2", _("Level 2")), ("h3", _("Level 3")), ("h4", _("Level 4"))],
        default="h2",
    )

    class Meta:
        label = _("Heading")
        help_text = _("Level 2 for a section, levels 3 and 4 for its sub-sections, without skipping a level.")
        icon = "title"
        template = "blocks/heading_block.html"
        description = _("A section heading")
        preview_value = {"text": "Un titre de section", "level": "h2"}


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(label=_("Attribution"), required=False, max_length=120)

    class Meta:
        label = _("Quote")
        help_text = _("Quotation marks are added on display.")
        icon = "openquote"
        template = "blocks/quote_block.html"
        description = _("A quotation with its author")
        preview_value = {"text": "Un projet d'intérêt local.", "attribution": "Une habitante"}


class CallToActionBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Text"), max_length=120)
    page = blocks.PageChooserBlock(label=_("Page"), required=False)
    url = blocks.URLBlock(label=_("External link"), required=False)

    class Meta:
        label = _("Call to action")
        help_text = _(
            "Shown as a button. A page of the site takes precedence over the external link; without either, "
            "nothing is shown."
        )
        icon = "link"
        template = "blocks/cta_block.html"
        description = _("A prominent link to a page")
        preview_value = {"text": "Découvrir les projets", "url": "https://example.org"}


class ImageWithCaptionBlock(ImageBlock):
    class Meta:
        label = _("Image")
        icon = "image"
        template = "blocks/image_block.html"
        description = _("An image with its alternative text")


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"),
        icon="pilcrow",
        features=["bold", "italic", "link", "ol", "ul", "document-link"],
        template="blocks/paragraph_block.html",
        description=_("Formatted text"),
        preview_value="<p>Un paragraphe de texte.</p>",
    )
    image = ImageWithCaptionBlock()
    quote = QuoteBlock()
    call_to_action = CallToActionBlock()
    embed = EmbedBlock(
        label=_("Embedded media"),
        icon="media",
        template="blocks/embed_block.html",
        description=_("A video or other media from an external site"),
    )

    class Meta:
        template = "blocks/body_block.html"
