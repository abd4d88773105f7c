"""Project holders' links and rights: the one place that grants and revokes them.

- `add_holder(user, campaign, by=...)` links an account to a campaign (to its page in the default
  language, whatever translation is given) and gives it, through a group of its own
  ("Porteur de projet — <email>"), Wagtail admin access and `change_page` + `add_page` on that
  page: the holder edits the campaign and adds updates (actualités) under it, and submits both to
  the moderation workflow of the project index. Never `publish_page`. The group may also upload and
  choose images in the "Porteurs de projet" collection (pictures of the campaign and its updates).
- `remove_holder(user, campaign, by=...)` undoes it: the link, the page permissions on that
  campaign, and the group's admin access and images rights when the account holds no other campaign (admin
  access given by another group or by the account itself is not touched).
- `is_holder`, `holder_emails`, `campaigns_of`, `can_manage`, `notify_emails`: who runs a
  campaign, who may use its "Mon projet" dashboard, who hears about offers and questions.
- `may_delete`: a holder's `change_page` would let Wagtail delete their unpublished campaign;
  the admin refuses it (`holders/wagtail_hooks.py`): only staff remove a campaign.

Holders sits below the page apps: the campaign model is known by name
(`payments.interface.campaign_model()`), and campaigns are passed in.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from wagtail.log_actions import log
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Locale, WorkflowPage

from coupdepouce.editorial import ensure_campaign_workflow
from coupdepouce.models import PlatformSettings
from holders.models import CampaignHolder
from payments.interface import campaign_model

HOLDER_GROUP_PREFIX = "Porteur de projet — "
ADMIN_ACCESS = ("wagtailadmin", "access_admin")
# What a holder may do on their campaign's page (and its subtree: the updates). Never "publish_page".
HOLDER_PAGE_PERMISSIONS = ("change_page", "add_page")
# Holders upload and choose the images of their campaign and updates in a collection of their own
# (the main image, the story's and the updates' pictures); the rest of the library stays staff's.
HOLDER_COLLECTION = "Porteurs de projet"
HOLDER_IMAGE_PERMISSIONS = ("add_image", "choose_image")
# Page-history actions (labels in `holders/wagtail_hooks.py`).
LOG_ADD = "holders.add"
LOG_REMOVE = "holders.remove"


def _permission(app_label, codename):
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def source_page(campaign):
    """The campaign's page in the default language (the page holders are linked to)."""
    default = Locale.get_default()
    if campaign.locale_id == default.pk:
        return campaign
    return campaign.get_translation_or_none(default) or campaign


def holder_group_name(user):
    name = f"{HOLDER_GROUP_PREFIX}{user.email}"
    max_length = Group._meta.get_field("name").max_length
    return name if len(name) <= max_length else f"{HOLDER_GROUP_PREFIX}#{user.pk}"


def holder_group(user):
    """The account's own holder group, or None. Found among the account's groups, so that it is
    still found after the account changed its email address."""
    if user is None or user.pk is None:
        return None
    return user.groups.filter(name__startswith=HOLDER_GROUP_PREFIX).order_by("pk").first()


def _new_holder_group(user):
    """A holder group for `user`, named after its email address unless a group of that name is
    someone else's (an address that changed hands): then after the account's id."""
    name = holder_group_name(user)
    taken = Group.objects.filter(name=name).filter(
        Exists(GroupPagePermission.objects.filter(group=OuterRef("pk"))) | Q(user__isnull=False)
    )
    if taken.exists():
        name = f"{HOLDER_GROUP_PREFIX}#{user.pk}"
    group, _created = Group.objects.get_or_create(name=name)
    return group


def holder_collection():
    """The image collection holders upload to and choose from (created under the root on first use)."""
    root = Collection.get_first_root_node()
    collection = root.get_children().filter(name=HOLDER_COLLECTION).first()
    return collection or root.add_child(name=HOLDER_COLLECTION)


def grant_page_rights(user, page):
    """Admin access, `change_page` + `add_page` on `page` only, and the holders' image collection,
    through the user's own group."""
    group = holder_group(user) or _new_holder_group(user)
    group.permissions.add(_permission(*ADMIN_ACCESS))
    for codename in HOLDER_PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=group, page=page, permission=_permission("wagtailcore", codename)
        )
    collection = holder_collection()
    for codename in HOLDER_IMAGE_PERMISSIONS:
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=collection, permission=_permission("wagtailimages", codename)
        )
    user.groups.add(group)
    return group


def add_holder(user, campaign, *, by=None):
    """Link `user` to `campaign` (its default-language page) with the rights that follow.

    The holder cannot publish, only submit to moderation: the campaign's parent (the project
    index) gets the campaign workflow unless staff chose one for it. Idempotent: adding an
    existing holder again only re-grants missing rights. Returns the `CampaignHolder` row.
    """
    page = source_page(campaign)
    with transaction.atomic():
        holder, created = CampaignHolder.objects.get_or_create(campaign=page, user=user, defaults={"added_by": by})
        grant_page_rights(user, page)
        index = page.get_parent()
        if index is not None and not index.is_root() and not WorkflowPage.objects.filter(page=index).exists():
            ensure_campaign_workflow(index)
        if created:
            log(
                instance=page,
                action=LOG_ADD,
                user=by,
                data={"holder": user.pk},
            )
    return holder


def remove_holder(user, campaign, *, by=None):
    """Unlink `user` from `campaign` and take back the rights it gave. True if a link was removed."""
    page = source_page(campaign)
    with transaction.atomic():
        deleted, _details = CampaignHolder.objects.filter(campaign=page, user=user).delete()
        group = holder_group(user)
        if group is not None:
            GroupPagePermission.objects.filter(
                group=group,
                page=page,
                permission__content_type__app_label="wagtailcore",
                permission__codename__in=HOLDER_PAGE_PERMISSIONS,
            ).delete()
            if not CampaignHolder.objects.filter(user=user).exists():
                group.permissions.remove(_permission(*ADMIN_ACCESS))
                GroupCollectionPermission.objects.filter(
                    group=group, permission__content_type__app_label="wagtailimages"
                ).delete()
                if not GroupPagePermission.objects.filter(group=group).exists() and not group.permissions.exists():
                    group.delete()
        if deleted:
            log(
                instance=page,
                action=LOG_REMOVE,
                user=by,
                data={"holder": user.pk},
            )
    return bool(deleted)


def is_holder(user, campaign):
    """Whether `user` holds `campaign` (any of its translations)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return CampaignHolder.objects.filter(user=user, campaign__translation_key=campaign.translation_key).exists()


def holder_emails(campaign):
    """The emails of the accounts holding `campaign` (any translation), sorted, without duplicates."""
    emails = CampaignHolder.objects.filter(
        campaign__translation_key=campaign.translation_key, user__is_active=True
    ).values_list("user__email", flat=True)
    return sorted(set(emails), key=str.lower)


def campaigns_of(user):
    """The campaigns `user` holds (their default-language pages), as a queryset."""
    model = campaign_model()
    if user is None or not user.is_authenticated:
        return model.objects.none()
    return model.objects.filter(holders__user=user).order_by("title", "pk")


def may_delete(user, page):
    """Whether `user` may delete the campaign `page` (a holder may not, unless they can publish it)."""
    if not is_holder(user, page):
        return True
    return page.permissions_for_user(user).can_publish()


def can_manage(user, campaign):
    """Whether `user` may use the campaign's "Mon projet" dashboard and answer for it:
    one of its holders, a superuser, or a staff member who can publish the campaign."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or is_holder(user, campaign):
        return True
    return source_page(campaign).permissions_for_user(user).can_publish()


def notify_emails(campaign):
    """Who hears about offers of help and questions: the holders, and the site's contact email when set."""
    emails = holder_emails(campaign)
    contact = PlatformSettings.for_page(campaign).contact_email
    if contact and contact.lower() not in {email.lower() for email in emails}:
        emails.append(contact)
    return emails
