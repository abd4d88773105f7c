"""Editing without traps: ASCII slugs for new and demo pages, theme colours that stay readable."""

import pytest
from admin_forms import admin_form_data, form_errors
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.urls import reverse
from wagtail.models import Page

from applications.models import Attachment
from coupdepouce.colours import INK, WHITE, contrast_ratio, text_colour
from themes.models import ThemePage

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser(email="editor@example.org", password="x" * 16)
    client.force_login(user)
    return client


def add_theme(client, theme_index, **fields):
    url = reverse("wagtailadmin_pages:add", args=["themes", "themepage", theme_index.pk])
    data = admin_form_data(client, url, ThemePage)
    values = {"title": "Sport et bien-être", "slug": "sport-et-bien-etre", "colour": "#1f5fa8"}
    values["intro"] = "Bouger en ville."
    values.update(fields)
    for key, value in values.items():
        data[key] = value
    return client.post(url, data)


def test_admin_editor_makes_ascii_slugs(admin_client, theme_index):
    """The page editor's slug field is filled in from the title by Wagtail's JavaScript, which
    follows this attribute (WAGTAIL_ALLOW_UNICODE_SLUGS): "Sport et bien-être" gives
    "sport-et-bien-etre", not "sport-et-bien-être" (%C3%AA in the address)."""
    url = reverse("wagtailadmin_pages:add", args=["themes", "themepage", theme_index.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    slug_input = BeautifulSoup(response.content, "html.parser").find("input", attrs={"name": "slug"})
    assert slug_input["data-controller"] == "w-slug"
    # Django leaves a False attribute out; the slug controller's default is then ASCII.
    assert "data-w-slug-allow-unicode-value" not in slug_input.attrs

    response = add_theme(admin_client, theme_index, slug="sport-et-bien-etre")
    assert response.status_code == 302, form_errors(response)
    assert ThemePage.objects.get(title="Sport et bien-être").slug == "sport-et-bien-etre"


def test_page_saved_without_slug_gets_an_ascii_slug(theme_index):
    """Pages made in code (the demo loader, imports) take their slug from the title."""
    page = theme_index.add_child(instance=ThemePage(title="Sport et bien-être", intro="Bouger en ville."))
    assert page.slug == "sport-et-bien-etre"


def test_demo_pages_have_ascii_slugs(tmp_path, monkeypatch):
    storage = FileSystemStorage(location=tmp_path / "private")
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", storage)
    call_command("load_demo_data", "--quiet", "--allow-production")
    slugs = list(Page.objects.filter(depth__gt=1).values_list("slug", flat=True))
    assert len(slugs) > 30
    assert [slug for slug in slugs if not slug.isascii()] == []


def test_contrast_ratio_follows_wcag():
    assert round(contrast_ratio("#000000", "#ffffff"), 2) == 21.0
    assert round(contrast_ratio("#ffffff", "#ffffff"), 2) == 1.0
    assert round(contrast_ratio("#767676", "#ffffff"), 2) == 4.54
    assert text_colour("#1f5fa8") == WHITE
    assert text_colour("#ffd23f") == INK


def test_theme_colour_without_readable_text_is_refused(admin_client, theme_index):
    # Mid grey: 3.9:1 with white, 4.2:1 with the site's ink: neither is readable.
    response = add_theme(admin_client, theme_index, colour="#808080")
    assert response.status_code == 200
    assert response.context["form"].errors["colour"] == [
        "Le texte sur #808080 n’atteindrait qu’un contraste de 4,2:1, sous les 4,5:1 nécessaires pour être "
        "lisible. Choisissez une couleur plus foncée ou plus claire."
    ]
    assert not ThemePage.objects.filter(title="Sport et bien-être").exists()


@pytest.mark.parametrize("colour", ["#767676", "#ffd23f"])
def test_theme_colour_with_readable_text_is_accepted(admin_client, theme_index, colour):
    """A dark colour (white text, 4.5:1) and a light one (black text, 11.5:1) both read well."""
    response = add_theme(admin_client, theme_index, colour=colour)
    assert response.status_code == 302, form_errors(response)
    assert ThemePage.objects.get(title="Sport et bien-être").colour == colour
