"""Updates published before update emails existed count as announced: re-publishing one of
them later must not email everyone (`follows.services.announce_update`)."""

from django.db import migrations


def mark_announced(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    UpdateAnnouncement = apps.get_model("follows", "UpdateAnnouncement")
    content_type = ContentType.objects.filter(app_label="projects", model="campaignupdatepage").first()
    if content_type is None:
        return
    markers = {}
    pages = Page.objects.filter(content_type=content_type, first_published_at__isnull=False).order_by("pk")
    for pk, key in pages.values_list("pk", "translation_key"):
        markers.setdefault(key, UpdateAnnouncement(update_id=pk, update_key=key))
    UpdateAnnouncement.objects.bulk_create(markers.values(), ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("follows", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(mark_announced, migrations.RunPython.noop)]
