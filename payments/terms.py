"""The money terms of a campaign: its goal, funding model, start and end.

Backers pledge under these terms, so once a campaign has pledges (any pledge counted or
pending, on any translation) an editor can no longer change them in the page editor
(`lock_errors`, called by the campaign page's edit form). A member of the Finances group
(`payments.change_campaign_terms`) changes them with `change_terms`, giving a reason; each
change is written in the page's history (Wagtail's log, action `LOG_ACTION`).

Whoever asks, a campaign that has ended (closed by `close_campaigns`, cancelled, or
published and past its end) keeps its dates: moving its end never reopens it.

Dates are compared at the page editor's precision (the minute): a form posted back unchanged
is not a change, and keeps the exact stored value.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from payments import services
from payments.interface import campaign_model
from payments.models import CampaignClosing, Pledge
from payments.rules import COUNTED_STATUSES, PledgeStatus

# The fields of a campaign that make its money terms (names of the campaign model's fields).
TERMS_FIELDS = ("goal", "funding_model", "start_at", "end_at")
DATE_FIELDS = ("start_at", "end_at")
PERMISSION = "payments.change_campaign_terms"
# The Wagtail log action of a change (registered with a label in `payments/wagtail_hooks.py`).
LOG_ACTION = "coupdepouce.campaign_terms_changed"
# Pledges that lock the terms: counted ones, and pending ones (even past their hold: a checkout
# finished late still brings money).
LOCKING_STATUSES = (PledgeStatus.PENDING, *COUNTED_STATUSES)


class TermsError(Exception):
    """The change was refused; `errors` is a list of (field name or None, message)."""

    def __init__(self, errors):
        super().__init__("; ".join(message for _field, message in errors))
        self.errors = errors


def _minute(value):
    return value.replace(second=0, microsecond=0)


def same_value(old, new) -> bool:
    if isinstance(old, datetime) and isinstance(new, datetime):
        return _minute(old) == _minute(new)
    return old == new


def changed_terms(campaign, values) -> dict:
    """{field: (old, new)} for the terms in `values` that differ from `campaign`'s."""
    return {
        name: (getattr(campaign, name), values[name])
        for name in TERMS_FIELDS
        if values.get(name) is not None and not same_value(getattr(campaign, name), values[name])
    }


def has_pledges(campaign) -> bool:
    """Whether any pledge of any translation of the campaign counts or is pending."""
    return Pledge.objects.filter(
        campaign__translation_key=campaign.translation_key, status__in=LOCKING_STATUSES
    ).exists()


def has_ended(campaign, now=None) -> bool:
    """Closed or cancelled (`CampaignClosing`), or published and past its end (its canonical page decides)."""
    now = now or timezone.now()
    canonical = services.canonical_campaign(campaign)
    if CampaignClosing.objects.filter(campaign__translation_key=canonical.translation_key).exists():
        return True
    published = canonical.live or canonical.first_published_at is not None
    return published and canonical.end_at <= now


def pledged_message():
    return _(
        "This campaign already has pledges: its goal, funding model and dates can no longer be changed "
        "here. The Finances group can change them, giving a reason (“Change the terms”)."
    )


def ended_message():
    return _("This campaign has ended: its dates can no longer be changed, so that it never reopens.")


def lock_errors(campaign, values, *, now=None) -> list[tuple[str, str]]:
    """Why the page editor may not give `campaign` (its saved row) the terms in `values`."""
    changed = changed_terms(campaign, values)
    if not changed:
        return []
    ended = any(name in DATE_FIELDS for name in changed) and has_ended(campaign, now)
    pledged = has_pledges(campaign)
    errors = []
    for name in changed:
        if ended and name in DATE_FIELDS:
            errors.append((name, ended_message()))
        elif pledged:
            errors.append((name, pledged_message()))
    return errors


def check_change(campaign, values, *, reason, now=None):
    """(changes, errors) of a change of terms by the Finances group (see `change_terms`)."""
    changes = changed_terms(campaign, values)
    errors = []
    if not changes:
        errors.append((None, _("Nothing to change: these are already the campaign's terms.")))
    if any(name in DATE_FIELDS for name in changes) and has_ended(campaign, now):
        errors.extend((name, ended_message()) for name in changes if name in DATE_FIELDS)
    merged = {name: values[name] if name in changes else getattr(campaign, name) for name in TERMS_FIELDS}
    errors.extend(campaign.terms_rule_errors(goal=merged["goal"], start_at=merged["start_at"], end_at=merged["end_at"]))
    if not (reason or "").strip():
        errors.append(("reason", _("Give the reason for this change: it is kept in the page's history.")))
    return changes, errors


def _logged(value):
    return value.isoformat() if isinstance(value, datetime) else value


def change_terms(campaign, values, *, reason, user, now=None) -> dict:
    """Give the campaign (every translation) new terms, with a reason; returns {field: (old, new)}.

    Raises TermsError and changes nothing when there is nothing to change, no reason, a date of
    an ended campaign, or a broken site rule. The live rows change at once (pledges follow
    them); a page with an unpublished draft gets a new draft revision with the new terms, so
    publishing that draft later keeps them. One log entry per page, with the reason and the
    changes, shown in the page's history.
    """
    model = campaign_model()
    reason = (reason or "").strip()
    with transaction.atomic():
        # The canonical row is the one pledges lock (`services.create_pledge`).
        canonical = model.objects.select_for_update().get(pk=services.canonical_campaign(campaign).pk)
        changes, errors = check_change(canonical, values, reason=reason, now=now)
        if errors:
            raise TermsError(errors)
        new = {name: value for name, (_old, value) in changes.items()}
        pages = list(model.objects.filter(translation_key=canonical.translation_key).order_by("pk"))
        model.objects.filter(pk__in=[page.pk for page in pages]).update(**new)
        data = {
            "reason": reason,
            "changes": {name: {"old": _logged(old), "new": _logged(value)} for name, (old, value) in changes.items()},
        }
        for page in pages:
            if page.has_unpublished_changes:
                draft = page.get_latest_revision_as_object()
                for name, value in new.items():
                    setattr(draft, name, value)
                draft.save_revision(user=user, log_action=False, clean=False)
            log(page, LOG_ACTION, user=user, data=data)
    return changes


__all__ = [
    "DATE_FIELDS",
    "LOCKING_STATUSES",
    "LOG_ACTION",
    "PERMISSION",
    "TERMS_FIELDS",
    "TermsError",
    "change_terms",
    "changed_terms",
    "check_change",
    "has_ended",
    "has_pledges",
    "lock_errors",
    "same_value",
]
