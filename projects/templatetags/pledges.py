"""Template helpers of the campaign page's money side: backers and matching segments.

Each runs at most one query, whatever the number of pledges.
"""

from django import template

from projects import ledger

register = template.Library()


@register.simple_tag
def campaign_backers(campaign, limit=50):
    """Newest counted pledges of the campaign (all translations), for the public list."""
    from projects.payments.services import backers_list

    return backers_list(campaign, limit=limit)


@register.simple_tag
def matching_segments(campaign, figures):
    """One progress-bar segment per sponsor: [{"sponsor", "amount_cents", "percent"}].

    Widths are whole percents of the goal, trimmed so that the crowd's and the sponsors'
    segments together never pass the bar's 100 %. No query when nothing was matched.
    """
    if not figures.matched_cents:
        return []
    room = figures.matched_bar_percent
    segments = []
    for row in ledger.matched_by_sponsor(campaign.translation_key):
        width = min(ledger.percent_of(row["amount_cents"], figures.goal_cents), room)
        room -= width
        segments.append({"sponsor": row["offer__sponsor__name"], "amount_cents": row["amount_cents"], "percent": width})
    return segments
