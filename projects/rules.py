"""Site rules a campaign must respect (goal cap, duration). Pure functions, tested alone."""

from datetime import timedelta

from django.utils.translation import gettext as _


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
        elif max_days is not None and end_at - start_at > timedelta(days=max_days):
            errors.append(
                ("end_at", _("A campaign may last at most %(days)s days on this platform.") % {"days": max_days})
            )
    return errors
