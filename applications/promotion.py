"""From laureate to campaign: staff's "Créer la collecte" turns a laureate application into a
draft campaign page that its applicant edits and submits to moderation.

- `promote(application, by=...)` creates one draft `CampaignPage` under the project index of
  the call's home (same locale as the call), pre-filled from the application. Promoting
  again returns the same page; if that page was deleted meanwhile, a new one is made.
- The applicant becomes the campaign's holder (`holders.services.add_holder`): Wagtail admin
  access, and the right to edit that page and add updates under it only (a group of their own,
  never `publish_page`): they save drafts and submit them to the moderation workflow of the
  project index, not publish.
- `campaigns_for(user)` lists an applicant's promoted campaigns for their dashboard, with a link
  to the campaign's "Mon projet" dashboard while they hold it.
"""

from datetime import timedelta
from typing import NamedTuple

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.coreutils import find_available_slug
from wagtail.log_actions import log
from wagtail.models import Locale, WorkflowPage

from applications.models import Application, ApplicationEvent
from applications.status import ApplicationStatus
from coupdepouce.editorial import ensure_campaign_workflow
from coupdepouce.models import PlatformSettings
from coupdepouce.pages import home_of
from holders import services as holders
from projects.models import CampaignPage, ProjectIndexPage

HOLDER_GROUP_PREFIX = holders.HOLDER_GROUP_PREFIX
# Placeholder dates of a new draft: the holder sets the real ones before submitting it.
START_IN_DAYS = 14
DEFAULT_DURATION_DAYS = 45
FALLBACK_SLUG = "collecte"


class PromotionError(Exception):
    """The application cannot become a campaign (not a laureate, no project index...)."""


def can_promote(application):
    return application.status == ApplicationStatus.LAUREATE


def promote(application, *, by):
    """The draft campaign page of a laureate `application`, created on the first call."""
    campaign, _created = promote_once(application, by=by)
    return campaign


def promote_once(application, *, by):
    """(campaign page, created): like `promote`, saying whether this call created the page."""
    if not can_promote(application):
        raise PromotionError(_("Only a laureate application can become a campaign."))
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("call", "applicant")
            .get(pk=application.pk)
        )
        if not can_promote(locked):
            raise PromotionError(_("Only a laureate application can become a campaign."))
        campaign = CampaignPage.objects.filter(pk=locked.campaign_id).first() if locked.campaign_id else None
        created = campaign is None
        if created:
            campaign, note = _create_draft(locked, by=by)
            locked.campaign = campaign
            locked.save(update_fields=["campaign", "updated_at"])
            ApplicationEvent.objects.create(
                application=locked,
                from_status=locked.status,
                to_status=locked.status,
                actor=by,
                note=note,
            )
        grant_edit_rights(locked.applicant, campaign, by=by)
    application.campaign = campaign
    return campaign, created


def source_call(call):
    """The call in the default locale (campaigns are written in it, then translated)."""
    return call.get_translation_or_none(Locale.get_default()) or call


def project_index_for(call):
    """The project index of the call's home page, in the call's locale."""
    index = (
        ProjectIndexPage.objects.filter(path__startswith=home_of(call) or call.path, locale_id=call.locale_id)
        .order_by("path")
        .first()
    )
    if index is None:
        raise PromotionError(
            _("The site of the call “%(call)s” has no project index in this language: create one first.")
            % {"call": call.title}
        )
    return index


def _create_draft(application, *, by):
    call = source_call(application.call)
    index = project_index_for(call)
    rules = PlatformSettings.for_page(index)
    notes = [_("Campaign draft created from the application.")]

    goal = application.amount_requested or rules.max_goal
    if not application.amount_requested:
        notes.append(_("No amount was requested: the goal is set to the maximum, %(max)s €.") % {"max": goal})
    elif goal > rules.max_goal:
        notes.append(
            _("%(asked)s € were requested; the goal is capped at the site's maximum, %(max)s €.")
            % {"asked": goal, "max": rules.max_goal}
        )
        goal = rules.max_goal

    start_at = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=START_IN_DAYS)
    end_at = start_at + timedelta(days=min(DEFAULT_DURATION_DAYS, rules.max_campaign_days))

    applicant = application.applicant
    campaign = CampaignPage(
        title=application.title,
        slug=find_available_slug(index, slugify(application.title)[:80].strip("-") or FALLBACK_SLUG),
        locale=index.locale,
        live=False,
        owner=applicant,
        summary=application.summary or application.title,
        holder_name=application.holder_name or applicant.full_name or applicant.email,
        holder_kind=application.holder_kind,
        goal=goal,
        start_at=start_at,
        end_at=end_at,
        territory=_in_locale(application.territory, index.locale),
        source_call=call,
    )
    campaign.themes.set(_themes_in_locale(application, index.locale))
    index.add_child(instance=campaign)
    log(instance=campaign, action="wagtail.create", user=by)
    campaign.save_revision(user=by, log_action=True)
    if not WorkflowPage.objects.filter(page=index).exists():
        # The holder cannot publish, only submit to moderation: the project index gets the
        # campaign workflow unless staff chose one for it.
        ensure_campaign_workflow(index)
    return campaign, "\n".join(notes)


def _in_locale(obj, locale):
    if obj is None or obj.locale_id == locale.pk:
        return obj
    return obj.get_translation_or_none(locale) or obj


def _themes_in_locale(application, locale):
    """The application's themes, as the theme pages of the campaign's locale when translated."""
    themes = list(application.themes.all())
    keys = {theme.translation_key for theme in themes}
    translated = {
        theme.translation_key: theme
        for theme in application.themes.model.objects.filter(translation_key__in=keys, locale=locale)
    }
    return [translated.get(theme.translation_key, theme) for theme in themes]


# Edit rights ---------------------------------------------------------------------------------


holder_group_name = holders.holder_group_name


def grant_edit_rights(user, page, *, by=None):
    """Make `user` a holder of `page`: admin access, `change_page` and `add_page` on it (and its
    updates), never `publish_page` (`holders.services.add_holder`)."""
    return holders.add_holder(user, page, by=by)


# The applicant's dashboard -------------------------------------------------------------------


class CampaignState:
    DRAFT = "draft"
    IN_MODERATION = "in_moderation"
    LIVE = "live"


CAMPAIGN_STATE_LABELS = {
    CampaignState.DRAFT: gettext_lazy("Draft: edit it, then submit it for review"),
    CampaignState.IN_MODERATION: gettext_lazy("Submitted for review"),
    CampaignState.LIVE: gettext_lazy("Published"),
}


class PromotedCampaign(NamedTuple):
    application: Application
    campaign: CampaignPage
    edit_url: str
    state: str
    # The campaign's "Mon projet" dashboard, while the applicant holds it ("" otherwise).
    workspace_url: str = ""

    @property
    def state_label(self):
        return CAMPAIGN_STATE_LABELS[self.state]


def campaign_state(campaign):
    if campaign.live:
        return CampaignState.LIVE
    if campaign.workflow_in_progress:
        return CampaignState.IN_MODERATION
    return CampaignState.DRAFT


def campaigns_for(user):
    """(application, campaign page, admin edit URL, state) of each campaign made from `user`'s applications."""
    if not user.is_authenticated:
        return []
    applications = (
        Application.objects.filter(applicant=user, campaign__isnull=False)
        .select_related("campaign", "call")
        .order_by("-campaign__latest_revision_created_at", "-pk")
    )
    held = set(holders.campaigns_of(user).values_list("pk", flat=True))
    return [
        PromotedCampaign(
            application,
            application.campaign,
            reverse("wagtailadmin_pages:edit", args=[application.campaign_id]),
            campaign_state(application.campaign),
            reverse("projects:workspace_campaign", args=[application.campaign_id])
            if application.campaign_id in held
            else "",
        )
        for application in applications
    ]
