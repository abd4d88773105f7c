"""Site rules a campaign must respect (goal cap, duration). Pure functions, tested alone."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _


def _calendar_duration(start_at, end_at):
    """Duration on the site's wall clock (TIME_ZONE), whatever the time zone of the values.

    "90 days" means 1 October 10:00 → 30 December 10:00 even though a daylight-saving change
    makes that 90 days and 1 hour of real time. Python subtracts datetimes sharing a tzinfo on
    the wall clock, so both are converted to the same zone first.
    """
    tz = timezone.get_default_timezone()
    return end_at.astimezone(tz) - start_at.astimezone(tz)


def campaign_rule_errors(*, goal, start_at, end_at, max_goal, max_days):
    """Return a list of (field, message) for every rule the campaign breaks."""
    errors = []
    if goal is not None and max_goal is not None and goal > max_goal:
        errors.append(
            (
                "goal",
                _("The goal may not exceed %(max)s € on this platform.") % {"max": f"{max_goal:,}".replace(",", " ")},
            )
        )
    if start_at and end_at:
        if end_at <= start_at:
            errors.append(("end_at", _("The end must come after the start.")))
        elif max_days is not None and _calendar_duration(start_at, end_at) > timedelta(days=max_days):
            errors.append(
                ("end_at", _("A campaign may last at most %(days)s days on this platform.") % {"days": max_days})
            )
    return errors
