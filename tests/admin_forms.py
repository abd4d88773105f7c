"""Helpers for tests that post Wagtail's admin page forms as a browser would."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from wagtail.blocks import ChooserBlock, RichTextBlock, StreamBlock, StructBlock
from wagtail.fields import StreamField
from wagtail.images.blocks import ImageBlock
from wagtail.test.utils.form_data import querydict_from_html


def _block_data(block, value, prefix):
    if isinstance(block, StreamBlock):
        data = {f"{prefix}-count": str(len(value))}
        for i, child in enumerate(value):
            data.update(
                {
                    f"{prefix}-{i}-type": child.block_type,
                    f"{prefix}-{i}-deleted": "",
                    f"{prefix}-{i}-order": str(i),
                    f"{prefix}-{i}-id": child.id or "",
                }
            )
            data.update(_block_data(child.block, child.value, f"{prefix}-{i}-value"))
        return data
    if isinstance(block, ImageBlock):
        return {
            f"{prefix}-image": str(value.pk),
            f"{prefix}-alt_text": value.contextual_alt_text or "",
            f"{prefix}-decorative": "on" if value.decorative else "",
        }
    if isinstance(block, StructBlock):
        data = {}
        for name, child_block in block.child_blocks.items():
            data.update(_block_data(child_block, value.get(name), f"{prefix}-{name}"))
        return data
    if isinstance(block, RichTextBlock):
        return {prefix: block.field.widget.format_value(value.source if value else "")}
    if isinstance(block, ChooserBlock):
        return {prefix: str(value.pk) if value else ""}
    return {prefix: "" if value is None else str(value)}


def streamfield_data(model, page=None):
    """POST data of every StreamField of `model`: the page's current content, or empty."""
    data = {}
    for field in model._meta.get_fields():
        if isinstance(field, StreamField):
            value = getattr(page, field.name) if page is not None else []
            data.update(_block_data(field.stream_block, value, field.name))
    return data


def form_errors(response):
    """The page form's errors, for assertion messages (never the whole page)."""
    context = response.context
    form = context.get("form") if context is not None else None
    if form is None:
        return f"HTTP {response.status_code}, no form; messages: {[str(m) for m in context.get('messages', [])]}"
    return f"HTTP {response.status_code}: {form.errors.as_json()}"


def admin_form_data(client, url, model, page=None):
    """What a browser would post back from the admin page form at `url`."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    for key, value in streamfield_data(model, page).items():
        data[key] = value
    return data


def new_campaign_form(client, project_index, **fields):
    """(url, data) of the admin "add campaign" form under `project_index`, filled in and
    set to publish; `fields` override the defaults."""
    from projects.models import CampaignPage

    url = reverse("wagtailadmin_pages:add", args=["projects", "campaignpage", project_index.pk])
    data = admin_form_data(client, url, CampaignPage)
    start = timezone.localtime(timezone.now()).replace(second=0, microsecond=0)
    values = {
        "title": "Nouvelle collecte",
        "slug": "nouvelle-collecte",
        "holder_name": "Association des Lilas",
        "holder_kind": "association",
        "summary": "Un projet.",
        "goal": "5000",
        "funding_model": "all_or_nothing",
        "start_at": start.strftime("%Y-%m-%d %H:%M"),
        "end_at": (start + timedelta(days=30)).strftime("%Y-%m-%d %H:%M"),
        "action-publish": "action-publish",
    }
    values.update(fields)
    for key, value in values.items():
        data[key] = value
    return url, data
