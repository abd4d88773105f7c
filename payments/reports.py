"""Money reports for the admin: per-campaign report, CSV export and the dashboard panel.

Plain functions over the ledger; views and templates only display what they return.
Every function runs a constant number of queries, whatever the number of pledges.
Amounts are integer cents.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from wagtail.models import Locale

from payments import ledger, rules, services
from payments.interface import campaign_model
from payments.models import CampaignClosing, MatchAllocation, Pledge
from payments.rules import COUNTED_STATUSES, PledgeStatus


def euros_decimal(cents: int) -> str:
    """Cents as a plain decimal euro string for spreadsheets: 2550 → "25.50", -5 → "-0.05"."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(int(cents)), 100)
    return f"{sign}{whole}.{rest:02d}"


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
    def offline_count(self) -> int:
        return sum(row["count"] for row in self.offline)

    @property
    def total_cents(self) -> int:
        return self.crowd_cents + self.matched_cents

    @property
    def net_payout_cents(self) -> int:
        """Crowd + matching − commission: what the project holder receives in all."""
        return self.crowd_cents + self.matched_cents - self.commission_cents


def _pledges(campaign):
    return Pledge.objects.filter(campaign__translation_key=campaign.translation_key)


def campaign_report(campaign) -> CampaignReport:
    """Everything the admin report shows for one campaign (all translations), in six queries."""
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


CSV_HEADER = [
    "id",
    "created_at",
    "paid_at",
    "backer_name",
    "backer_email",
    "public_name",
    "anonymous",
    "amount_eur",
    "matched_eur",
    "reward",
    "status",
    "source",
    "provider",
    "language",
]


def pledges_csv(campaign) -> str:
    """The campaign's pledges as CSV text (UTF-8 with a BOM, for Excel), in two queries."""
    campaign = services.canonical_campaign(campaign)
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
    rows = _pledges(campaign).annotate(matched=matched).order_by("created_at", "pk")
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for pledge in rows:
        writer.writerow(
            [
                pledge.pk,
                pledge.created_at.isoformat(),
                pledge.paid_at.isoformat() if pledge.paid_at else "",
                pledge.backer_name,
                pledge.backer_email,
                pledge.public_name,
                "yes" if pledge.anonymous else "no",
                euros_decimal(pledge.amount_cents),
                euros_decimal(pledge.matched),
                pledge.reward_title,
                pledge.status,
                pledge.source,
                pledge.provider,
                pledge.language,
            ]
        )
    return out.getvalue()


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
    "CSV_HEADER",
    "CampaignReport",
    "StatusLine",
    "campaign_report",
    "dashboard",
    "euros_decimal",
    "live_campaigns",
    "month_start",
    "pledges_csv",
    "raised_this_month",
    "with_envelope_usage",
]
