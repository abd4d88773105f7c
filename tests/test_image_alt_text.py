"""Images carry a text alternative: the admin requires one, and the campaign page renders it."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image as PILImage
from wagtail.images import get_image_model

pytestmark = pytest.mark.django_db


def png_upload():
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), "#336699").save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def editor(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("admin@example.net", "pw", full_name="Admin"))
    return client


def test_an_image_without_alternative_text_is_refused(editor):
    with translation.override("fr"):
        response = editor.post(reverse("wagtailimages:add"), {"title": "Le jardin", "file": png_upload()})
    assert response.status_code == 200
    assert response.context["form"].errors["description"] == ["Champ requis."]
    assert not get_image_model().objects.exists()


def test_an_image_with_alternative_text_is_saved_and_used_as_alt(editor, make_campaign):
    response = editor.post(
        reverse("wagtailimages:add"),
        {"title": "jardin-2026.png", "description": "Des habitants plantent des tomates", "file": png_upload()},
    )
    assert response.status_code == 302
    image = get_image_model().objects.get()
    assert image.description == "Des habitants plantent des tomates"
    campaign = make_campaign(hero_image=image)
    html = editor.get(campaign.url).content.decode()
    assert 'alt="Des habitants plantent des tomates"' in html


def test_the_edit_form_requires_it_too(editor):
    image = get_image_model().objects.create(title="Sans texte", file=png_upload(), width=40, height=30)
    url = reverse("wagtailimages:edit", args=[image.pk])
    response = editor.post(url, {"title": "Sans texte", "description": "", "collection": image.collection_id})
    assert response.status_code == 200
    assert response.context["form"].errors["description"] == ["Champ requis."]


def test_multiple_upload_keeps_the_file_until_the_alternative_text_is_given(editor):
    """Wagtail's own path for a required field: the file waits as an UploadedFile, and the
    per-image form asks for the alternative text before the image exists."""
    response = editor.post(reverse("wagtailimages:add_multiple"), {"files[]": png_upload(), "title": "photo.png"})
    assert response.status_code == 200
    data = response.json()
    assert data["success"] is True
    assert not get_image_model().objects.exists()
    upload_id = data["uploaded_file_id"]
    url = reverse("wagtailimages:create_multiple_from_uploaded_image", args=[upload_id])
    prefix = f"uploaded-image-{upload_id}-"
    refused = editor.post(url, {f"{prefix}title": "photo", f"{prefix}description": ""})
    assert refused.json()["success"] is False
    assert not get_image_model().objects.exists()
    accepted = editor.post(url, {f"{prefix}title": "photo", f"{prefix}description": "Un potager"})
    assert accepted.json()["success"] is True
    assert get_image_model().objects.get().description == "Un potager"
