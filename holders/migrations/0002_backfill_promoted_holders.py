"""Applicants promoted before holders existed (issue 7) have a "Porteur de projet — <email>" group
with `change_page` on their campaign but no `CampaignHolder` row: link them, and give their group
`add_page` on that campaign (to post updates), as `holders.services.add_holder` does now."""

from django.conf import settings
from django.db import migrations

HOLDER_GROUP_PREFIX = "Porteur de projet — "


def backfill(apps, schema_editor):
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    Permission = apps.get_model("auth", "Permission")
    CampaignPage = apps.get_model("projects", "CampaignPage")
    CampaignHolder = apps.get_model("holders", "CampaignHolder")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    add_page = Permission.objects.filter(content_type__app_label="wagtailcore", codename="add_page").first()
    grants = GroupPagePermission.objects.filter(
        group__name__startswith=HOLDER_GROUP_PREFIX,
        permission__content_type__app_label="wagtailcore",
        permission__codename="change_page",
        page_id__in=CampaignPage.objects.values("pk"),
    )
    for grant in list(grants):
        for user in User.objects.filter(groups=grant.group_id):
            CampaignHolder.objects.get_or_create(campaign_id=grant.page_id, user=user)
        if add_page is not None:
            GroupPagePermission.objects.get_or_create(
                group_id=grant.group_id, page_id=grant.page_id, permission=add_page
            )


class Migration(migrations.Migration):
    dependencies = [
        ("holders", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
