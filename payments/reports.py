"""Money reports for the admin: per-campaign report, the pledge exports and the dashboard panel.

Plain functions over the ledger; views and templates only display what they return.
Every function runs a constant number of queries, whatever the number of pledges.
Amounts are integer cents.

The campaign report also shows help in kind, valued apart from the money: apps above payments
(which payments never imports) contribute through the Wagtail hook `money_report_in_kind`
(`IN_KIND_HOOK`): ``fn(campaign) -> list[dict]``, each dict ``{"label": str, "count": int,
"value_cents": int}`` (for example the accepted offers of help and their estimated value,
`offers.wagtail_hooks`). `campaign` is the campaign's default-language page; a contribution
covers every translation of it, in a constant number of queries. These lines are never added
to the raised amount, the matching, the commission or the payout.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import pgettext_lazy
from wagtail import hooks
from wagtail.models import Locale

from coupdepouce import exports
from payments import ledger, rules, services
from payments.interface import campaign_model
from payments.models import CampaignClosing, MatchAllocation, Pledge
from payments.rules import COUNTED_STATUSES, PledgeStatus

# The hook through which other apps add in-kind lines to the campaign report (see the module docstring).
IN_KIND_HOOK = "money_report_in_kind"

# Who may see backers' names, emails and messages (the Finances group): reports, exports, the ledger.
BACKER_DATA_PERMISSION = "payments.view_backer_data"


def can_see_backers(user) -> bool:
    """Whether `user` may see backers' personal data. Others (the Communication group) see figures only."""
    return user.has_perm(BACKER_DATA_PERMISSION)


@dataclass
class StatusLine:
    status: str
    label: str
    count: int
    cents: int


@dataclass
class CampaignReport:
    campaign: object
    by_status: list[StatusLine]
    matching: list[dict]  # [{"sponsor": name, "amount_cents": n}]
    offline: list[dict]  # [{"source", "label", "count", "cents"}] of counted offline gifts
    online_cents: int
    offline_cents: int
    matched_cents: int
    commission_rate: object
    commission_cents: int
    closing: object = None
    notes: list[str] = field(default_factory=list)

    @property
    def crowd_cents(self) -> int:
        """What backers gave (online and offline), without sponsors' matching."""
        return self.online_cents + self.offline_cents

    @property
    def backers_count(self) -> int:
        """How many backers gave (counted pledges, online and offline): the campaign page's figure."""
        return sum(line.count for line in self.by_status if line.status in COUNTED_STATUSES)

    @property
    def offline_count(self) -> int:
        return sum(row["count"] for row in self.offline)

    @property
    def total_cents(self) -> int:
        return self.crowd_cents + self.matched_cents

    @property
    def net_payout_cents(self) -> int:
        """Crowd + matching − commission: what the project holder receives in all."""
        return self.crowd_cents + self.matched_cents - self.commission_cents

    @cached_property
    def in_kind(self) -> list[dict]:
        """Help in kind (`IN_KIND_HOOK`): [{"label", "count", "value_cents"}], never part of the
        money. Read when shown (one query per contribution), so the money figures' queries stay as
        they are."""
        return in_kind_lines(self.campaign)

    @property
    def in_kind_count(self) -> int:
        return sum(line["count"] for line in self.in_kind)

    @property
    def in_kind_value_cents(self) -> int:
        """Estimated value of the help in kind: shown apart, never in a money total."""
        return sum(line["value_cents"] for line in self.in_kind)


def in_kind_lines(campaign) -> list[dict]:
    """Every app's in-kind lines for the campaign (`IN_KIND_HOOK`), in hook order."""
    return [dict(line) for contribute in hooks.get_hooks(IN_KIND_HOOK) for line in contribute(campaign)]


def _pledges(campaign):
    return Pledge.objects.filter(campaign__translation_key=campaign.translation_key)


def campaign_report(campaign) -> CampaignReport:
    """Everything the admin report shows for one campaign (all translations), in six queries;
    the in-kind lines (`IN_KIND_HOOK`) are read when the report shows them (`CampaignReport.in_kind`)."""
    campaign = services.canonical_campaign(campaign)
    labels = dict(PledgeStatus.choices)
    source_labels = dict(Pledge.Source.choices)
    counts = services.pledges_by_status(campaign)
    by_status = [StatusLine(status, str(labels[status]), *counts.get(status, (0, 0))) for status in PledgeStatus.values]
    counted = _pledges(campaign).filter(status__in=COUNTED_STATUSES)
    offline_rows = (
        counted.exclude(source=Pledge.Source.ONLINE)
        .values("source")
        .annotate(count=Count("pk"), cents=Coalesce(Sum("amount_cents"), 0))
        .order_by("source")
    )
    offline = [{**row, "label": str(source_labels.get(row["source"], row["source"]))} for row in offline_rows]
    # The commission is taken per online pledge (the application fee of each charge), rounded
    # half up per pledge: grouping by amount gives the exact sum in one query.
    rate = services.platform_rules(campaign).commission_rate
    online_by_amount = (
        counted.filter(source=Pledge.Source.ONLINE)
        .values("amount_cents")
        .annotate(n=Count("pk"))
        .order_by("amount_cents")
    )
    online_cents = 0
    commission = 0
    for row in online_by_amount:
        online_cents += row["amount_cents"] * row["n"]
        commission += rules.commission_cents(row["amount_cents"], rate) * row["n"]
    matching = [
        {"sponsor": row["offer__sponsor__name"], "amount_cents": row["amount_cents"]}
        for row in ledger.matched_by_sponsor(campaign.translation_key)
    ]
    return CampaignReport(
        campaign=campaign,
        by_status=by_status,
        matching=matching,
        offline=offline,
        online_cents=online_cents,
        offline_cents=sum(row["cents"] for row in offline),
        matched_cents=sum(row["amount_cents"] for row in matching),
        commission_rate=rate,
        commission_cents=commission,
        closing=CampaignClosing.objects.filter(campaign=campaign).first(),
    )


# The pledge rows of the money report's CSV and of the ledger's CSV/XLSX exports: the same
# columns in the same order, the same values (`pledge_row`), French headings through gettext.
PLEDGE_COLUMNS = {
    "id": pgettext_lazy("pledge export", "No."),
    "campaign": pgettext_lazy("pledge export", "Campaign"),
    "created_at": pgettext_lazy("pledge export", "Pledged on"),
    "paid_at": pgettext_lazy("pledge export", "Paid on"),
    "backer_name": pgettext_lazy("pledge export", "Backer name"),
    "backer_email": pgettext_lazy("pledge export", "Backer email"),
    "public_name": pgettext_lazy("pledge export", "Public name"),
    "anonymous": pgettext_lazy("pledge export", "Anonymous"),
    "amount": pgettext_lazy("pledge export", "Amount (€)"),
    "matched": pgettext_lazy("pledge export", "Matching (€)"),
    "reward": pgettext_lazy("pledge export", "Reward"),
    "status": pgettext_lazy("pledge export", "Status"),
    "source": pgettext_lazy("pledge export", "Source"),
    "provider": pgettext_lazy("pledge export", "Payment provider"),
    "language": pgettext_lazy("pledge export", "Language"),
}
# The columns with backers' personal data, only for `can_see_backers`.
BACKER_COLUMNS = ("backer_name", "backer_email", "public_name")


def pledge_columns(*, backers: bool) -> list[str]:
    """The keys of the pledge columns, in order; without the backers' data unless `backers`."""
    return [name for name in PLEDGE_COLUMNS if backers or name not in BACKER_COLUMNS]


def pledge_headings(*, backers: bool) -> list[str]:
    """The headings of `pledge_columns`, in the active language."""
    return [str(PLEDGE_COLUMNS[name]) for name in pledge_columns(backers=backers)]


def with_matched(queryset):
    """Annotate Pledge rows with `matched_cents` (their matching not released), in the same query."""
    matched = Coalesce(
        Subquery(
            MatchAllocation.objects.filter(pledge=OuterRef("pk"), released=False)
            .order_by()
            .values("pledge")
            .annotate(total=Sum("amount_cents"))
            .values("total")[:1],
            output_field=IntegerField(),
        ),
        0,
    )
    return queryset.annotate(matched_cents=matched)


def pledge_row(pledge) -> dict:
    """One pledge's export values by column key, typed (`coupdepouce.exports` formats them).

    `pledge` comes from `with_matched`, with its campaign selected.
    """
    return {
        "id": pledge.pk,
        "campaign": pledge.campaign.title,
        "created_at": pledge.created_at,
        "paid_at": pledge.paid_at,
        "backer_name": pledge.backer_name,
        "backer_email": pledge.backer_email,
        "public_name": pledge.public_name,
        "anonymous": pledge.anonymous,
        "amount": exports.euros_cell(pledge.amount_cents),
        "matched": exports.euros_cell(pledge.matched_cents),
        "reward": pledge.reward_title,
        "status": pledge.get_status_display(),
        "source": pledge.get_source_display(),
        "provider": pledge.provider,
        "language": pledge.language,
    }


def pledge_table(campaign, *, backers: bool):
    """The campaign's pledges (all translations): the heading row, then one row per pledge
    (typed values), in two queries. `backers`: with the backers' names and emails
    (`can_see_backers`); without, figures only."""
    campaign = services.canonical_campaign(campaign)
    rows = with_matched(_pledges(campaign).select_related("campaign")).order_by("created_at", "pk")
    columns = pledge_columns(backers=backers)
    yield pledge_headings(backers=backers)
    for pledge in rows:
        values = pledge_row(pledge)
        yield [values[name] for name in columns]


def pledges_csv(campaign, *, backers: bool) -> str:
    """`pledge_table` as French CSV text with a BOM (`coupdepouce.exports`)."""
    return exports.csv_text_document(pledge_table(campaign, backers=backers))


def pledges_xlsx(campaign, *, backers: bool) -> bytes:
    """`pledge_table` as an XLSX workbook: amounts and dates as numbers (`coupdepouce.exports`)."""
    return exports.xlsx_bytes(pledge_table(campaign, backers=backers))


def month_start(now=None) -> datetime:
    now = timezone.localtime(now or timezone.now())
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def raised_this_month(now=None) -> int:
    """Cents of counted pledges created or paid since the first of this month (one query)."""
    start = month_start(now)
    return (
        Pledge.objects.filter(status__in=COUNTED_STATUSES)
        .filter(Q(created_at__gte=start) | Q(paid_at__gte=start))
        .aggregate(total=Coalesce(Sum("amount_cents"), 0))["total"]
    )


def live_campaigns(now=None, limit=20):
    """Live campaigns (default locale) with their figures annotated, ending soonest first (one query)."""
    now = now or timezone.now()
    queryset = campaign_model().objects.live().filter(locale=Locale.get_default(), start_at__lte=now, end_at__gt=now)
    return list(ledger.with_figures(queryset).order_by("end_at", "pk")[:limit])


def dashboard(now=None) -> dict:
    """Figures of the admin dashboard panel, in a constant number of queries."""
    campaigns = live_campaigns(now)
    return {
        "campaigns": campaigns,
        "raised_this_month_cents": raised_this_month(now),
        "month_start": month_start(now),
    }


def with_envelope_usage(queryset):
    """Annotate MatchingOffer rows with `spent_cents` (allocations not released), in the same query."""
    spent = Coalesce(
        Subquery(
            MatchAllocation.objects.filter(offer=OuterRef("pk"), released=False)
            .order_by()
            .values("offer")
            .annotate(total=Sum("amount_cents"))
            .values("total")[:1],
            output_field=IntegerField(),
        ),
        0,
    )
    return queryset.annotate(spent_cents=spent)


__all__ = [
    "BACKER_COLUMNS",
    "BACKER_DATA_PERMISSION",
    "IN_KIND_HOOK",
    "PLEDGE_COLUMNS",
    "CampaignReport",
    "StatusLine",
    "campaign_report",
    "can_see_backers",
    "dashboard",
    "in_kind_lines",
    "live_campaigns",
    "month_start",
    "pledge_columns",
    "pledge_headings",
    "pledge_row",
    "pledge_table",
    "pledges_csv",
    "pledges_xlsx",
    "raised_this_month",
    "with_envelope_usage",
    "with_matched",
]
