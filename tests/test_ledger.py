"""The ledger (`projects.ledger`) and the campaign rules (`projects.rules`).

Pure functions first (no database), then the figures computed from Pledge rows.
Money is integer cents everywhere.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from wagtail.models import Locale

from payments import ledger
from payments.models import CampaignClosing
from payments.rules import CampaignStatus, PledgeStatus
from projects.models import CampaignPage, RewardTier
from projects.rules import campaign_rule_errors
from tests.factories.projects import CampaignPageFactory, PledgeFactory, RewardTierFactory

PARIS = ZoneInfo("Europe/Paris")
US = timedelta(microseconds=1)
ALL_PLEDGE_STATUSES = [
    PledgeStatus.PENDING,
    PledgeStatus.COMMITTED,
    PledgeStatus.PAID,
    PledgeStatus.FAILED,
    PledgeStatus.CANCELLED,
    PledgeStatus.REFUNDED,
]


# campaign_status ----------------------------------------------------------------


class TestCampaignStatus:
    start = datetime(2025, 6, 1, 9, 0, tzinfo=PARIS)
    end = datetime(2025, 6, 30, 18, 0, tzinfo=PARIS)

    def status(self, now, raised=0, goal=1000):
        return ledger.campaign_status(self.start, self.end, raised, goal, now)

    def test_upcoming_until_the_start_instant(self):
        assert self.status(self.start - US) == CampaignStatus.UPCOMING
        assert self.status(self.start - timedelta(days=10)) == CampaignStatus.UPCOMING

    def test_start_is_inclusive(self):
        assert self.status(self.start) == CampaignStatus.LIVE
        # The same instant written in UTC: 07:00Z is 09:00 in Paris (summer time).
        assert self.status(datetime(2025, 6, 1, 7, 0, tzinfo=UTC)) == CampaignStatus.LIVE
        assert self.status(datetime(2025, 6, 1, 6, 59, 59, 999999, tzinfo=UTC)) == CampaignStatus.UPCOMING

    def test_end_is_exclusive(self):
        assert self.status(self.end - US) == CampaignStatus.LIVE
        assert self.status(self.end, raised=999) == CampaignStatus.FAILED
        assert self.status(self.end, raised=1000) == CampaignStatus.SUCCEEDED
        assert self.status(datetime(2025, 6, 30, 16, 0, tzinfo=UTC), raised=0) == CampaignStatus.FAILED
        assert self.status(datetime(2025, 6, 30, 15, 59, 59, tzinfo=UTC)) == CampaignStatus.LIVE

    def test_raised_amount_does_not_end_a_live_campaign(self):
        assert self.status(self.start, raised=5000) == CampaignStatus.LIVE

    def test_goal_reached_exactly_or_passed_succeeds(self):
        after = self.end + timedelta(days=1)
        assert self.status(after, raised=1000, goal=1000) == CampaignStatus.SUCCEEDED
        assert self.status(after, raised=1500, goal=1000) == CampaignStatus.SUCCEEDED
        assert self.status(after, raised=999, goal=1000) == CampaignStatus.FAILED

    @pytest.mark.parametrize(
        "start, end",
        [
            # Spring forward: 30 March 2025, 02:00 → 03:00 in Paris (the day lasts 23 hours).
            (datetime(2025, 3, 30, 0, 0, tzinfo=PARIS), datetime(2025, 3, 30, 3, 0, tzinfo=PARIS)),
            # Fall back: 26 October 2025, 03:00 → 02:00 in Paris (the day lasts 25 hours).
            (datetime(2025, 10, 26, 0, 0, tzinfo=PARIS), datetime(2025, 10, 26, 4, 0, tzinfo=PARIS)),
        ],
        ids=["spring-forward", "fall-back"],
    )
    def test_boundaries_on_a_dst_day(self, start, end):
        for now in (start, start.astimezone(UTC)):
            assert ledger.campaign_status(start, end, 0, 100, now) == CampaignStatus.LIVE
            assert ledger.campaign_status(start, end, 0, 100, now - US) == CampaignStatus.UPCOMING
        for now in (end, end.astimezone(UTC)):
            assert ledger.campaign_status(start, end, 0, 100, now) == CampaignStatus.FAILED
            assert ledger.campaign_status(start, end, 0, 100, now - US) == CampaignStatus.LIVE

    def test_spring_forward_gap_in_utc(self):
        # 03:00 Paris on 30 March 2025 is 01:00Z; 01:59 Paris (still winter time) is 00:59Z.
        start = datetime(2025, 3, 30, 1, 59, tzinfo=PARIS)
        end = datetime(2025, 3, 30, 3, 0, tzinfo=PARIS)
        assert end - start == timedelta(minutes=61)  # wall clock; the real gap is one minute
        assert ledger.campaign_status(start, end, 0, 1, datetime(2025, 3, 30, 0, 59, tzinfo=UTC)) == "live"
        assert ledger.campaign_status(start, end, 0, 1, datetime(2025, 3, 30, 1, 0, tzinfo=UTC)) == "failed"


# percent_of, days_left, figures -------------------------------------------------


class TestPercent:
    @pytest.mark.parametrize(
        "raised, goal, percent",
        [
            (0, 500_000, 0),
            (500_000, 500_000, 100),
            (750_000, 500_000, 150),
            (499_999, 500_000, 99),  # floored, never rounded up to 100
            (500_001, 500_000, 100),
            (1, 500_000, 0),
            (4_999, 500_000, 0),
            (5_000, 500_000, 1),
            (1_000_000, 300_000, 333),
            (12_345, 0, 0),  # no goal: no percentage, no division by zero
        ],
    )
    def test_percent_of(self, raised, goal, percent):
        result = ledger.percent_of(raised, goal)
        assert result == percent
        assert type(result) is int


class TestDaysLeft:
    end = datetime(2025, 6, 30, 18, 0, tzinfo=PARIS)

    @pytest.mark.parametrize(
        "before_end, days",
        [
            (timedelta(0), 0),
            (-timedelta(days=3), 0),
            (US, 1),
            (timedelta(hours=1), 1),
            (timedelta(days=1), 1),
            (timedelta(days=1) + US, 2),
            (timedelta(days=30), 30),
        ],
    )
    def test_boundaries(self, before_end, days):
        result = ledger.days_left(self.end, self.end - before_end)
        assert result == days
        assert type(result) is int

    def test_counts_real_hours_across_spring_forward(self):
        # From Sunday 30 March 00:00 to Monday 31 March 00:30 (Paris): 23 h 30 min really elapse.
        now = datetime(2025, 3, 30, 0, 0, tzinfo=PARIS)
        end = datetime(2025, 3, 31, 0, 30, tzinfo=PARIS)
        assert ledger.days_left(end.astimezone(UTC), now.astimezone(UTC)) == 1
        # Same instants, written in Paris time: same answer.
        assert ledger.days_left(end, now) == 1
        assert ledger.days_left(end, now.astimezone(UTC)) == 1

    def test_counts_real_hours_across_fall_back(self):
        # From Sunday 26 October 00:00 to 23:30 (Paris): 24 h 30 min really elapse.
        now = datetime(2025, 10, 26, 0, 0, tzinfo=PARIS)
        end = datetime(2025, 10, 26, 23, 30, tzinfo=PARIS)
        assert ledger.days_left(end.astimezone(UTC), now.astimezone(UTC)) == 2
        assert ledger.days_left(end, now) == 2


class TestFigures:
    start = datetime(2025, 6, 1, 9, 0, tzinfo=PARIS)
    end = datetime(2025, 6, 11, 9, 0, tzinfo=PARIS)

    def test_live_campaign(self):
        f = ledger.figures(500_000, self.start, self.end, 125_050, 7, now=self.start + timedelta(days=2))
        assert f == ledger.CampaignFigures(
            goal_cents=500_000, raised_cents=125_050, backers=7, status="live", percent=25, days_left=8
        )
        assert f.is_live
        assert f.bar_percent == 25
        for value in (f.goal_cents, f.raised_cents, f.backers, f.percent, f.days_left, f.bar_percent):
            assert type(value) is int

    def test_over_funded_bar_stops_at_100(self):
        f = ledger.figures(100_000, self.start, self.end, 150_000, 3, now=self.end)
        assert (f.status, f.percent, f.bar_percent, f.days_left, f.is_live) == ("succeeded", 150, 100, 0, False)

    def test_no_pledge_yet(self):
        f = ledger.figures(100_000, self.start, self.end, None, None, now=self.start - US)
        assert (f.status, f.raised_cents, f.backers, f.percent) == ("upcoming", 0, 0, 0)
        assert type(f.raised_cents) is int


# campaign_rule_errors -----------------------------------------------------------


class TestCampaignRules:
    start = datetime(2025, 6, 1, 10, 0, tzinfo=PARIS)

    def errors(self, goal=5000, start_at=None, end_at=None, max_goal=20_000, max_days=90):
        start_at = start_at or self.start
        end_at = end_at or start_at + timedelta(days=30)
        return campaign_rule_errors(goal=goal, start_at=start_at, end_at=end_at, max_goal=max_goal, max_days=max_days)

    def test_a_reasonable_campaign_passes(self):
        assert self.errors() == []

    def test_goal_at_the_maximum_is_allowed(self):
        assert self.errors(goal=20_000) == []

    def test_goal_over_the_maximum_is_refused(self):
        errors = self.errors(goal=20_001)
        assert [field for field, _ in errors] == ["goal"]
        assert "20 000" in errors[0][1]

    def test_end_before_or_at_start_is_refused(self):
        for end_at in (self.start - timedelta(hours=1), self.start):
            errors = self.errors(end_at=end_at)
            assert [field for field, _ in errors] == ["end_at"]

    def test_duration_at_the_maximum_is_allowed(self):
        assert self.errors(end_at=self.start + timedelta(days=90)) == []

    def test_duration_over_the_maximum_is_refused(self):
        errors = self.errors(end_at=self.start + timedelta(days=90, minutes=1))
        assert [field for field, _ in errors] == ["end_at"]
        assert "90" in errors[0][1]

    def test_several_broken_rules_are_all_reported(self):
        errors = self.errors(goal=50_000, end_at=self.start + timedelta(days=120))
        assert sorted(field for field, _ in errors) == ["end_at", "goal"]

    def test_missing_values_are_left_to_required_field_errors(self):
        assert campaign_rule_errors(goal=None, start_at=None, end_at=None, max_goal=20_000, max_days=90) == []

    @pytest.mark.parametrize(
        "start_at, end_at",
        [
            # 90 calendar days across the autumn change (90 days + 1 hour of real time).
            (datetime(2025, 10, 1, 10, 0, tzinfo=PARIS), datetime(2025, 12, 30, 10, 0, tzinfo=PARIS)),
            # 90 calendar days across the spring change (90 days - 1 hour of real time).
            (datetime(2025, 3, 1, 10, 0, tzinfo=PARIS), datetime(2025, 5, 30, 10, 0, tzinfo=PARIS)),
        ],
        ids=["autumn", "spring"],
    )
    def test_limit_in_calendar_days_whatever_the_time_zone_of_the_values(self, start_at, end_at):
        # The admin form gives Paris times, a script or the model gives UTC: same verdict.
        assert self.errors(start_at=start_at, end_at=end_at) == []
        assert self.errors(start_at=start_at.astimezone(UTC), end_at=end_at.astimezone(UTC)) == []
        later = end_at + timedelta(minutes=1)
        assert len(self.errors(start_at=start_at, end_at=later)) == 1
        assert len(self.errors(start_at=start_at.astimezone(UTC), end_at=later.astimezone(UTC))) == 1


# Figures from the database ------------------------------------------------------


@pytest.fixture
def locale_en(db):
    return Locale.objects.get_or_create(language_code="en")[0]


def _pledge_each_status(campaign, amount=1000, **kwargs):
    """One pledge per status; amounts differ so every status shows in the sum."""
    for n, status in enumerate(ALL_PLEDGE_STATUSES):
        PledgeFactory(campaign=campaign, amount_cents=amount * 10**n, status=status, **kwargs)


@pytest.mark.django_db
class TestCampaignTotals:
    def test_only_committed_and_paid_pledges_count(self, make_campaign):
        campaign = make_campaign()
        _pledge_each_status(campaign)  # 1000 pending, 10000 committed, 100000 paid, …
        raised, backers = ledger.totals_for(campaign.translation_key)
        assert (raised, backers) == (110_000, 2)
        assert type(raised) is int and type(backers) is int

        figures = CampaignPage.objects.get(pk=campaign.pk).figures
        assert (figures.raised_cents, figures.backers) == (110_000, 2)

        annotated = ledger.with_figures(CampaignPage.objects.filter(pk=campaign.pk)).get()
        assert (annotated.raised_cents, annotated.backer_count) == (110_000, 2)
        assert type(annotated.raised_cents) is int and type(annotated.backer_count) is int
        assert annotated.figures == figures

    def test_campaign_without_pledges(self, make_campaign):
        campaign = make_campaign()
        assert ledger.totals_for(campaign.translation_key) == (0, 0)
        annotated = ledger.with_figures(CampaignPage.objects.filter(pk=campaign.pk)).get()
        assert (annotated.raised_cents, annotated.backer_count) == (0, 0)
        assert annotated.figures.percent == 0

    def test_other_campaigns_pledges_do_not_count(self, make_campaign):
        first = make_campaign(pledges=[2500, 2500])
        second = make_campaign(pledges=[10_000])
        rows = {c.pk: c for c in ledger.with_figures(CampaignPage.objects.all())}
        assert (rows[first.pk].raised_cents, rows[first.pk].backer_count) == (5000, 2)
        assert (rows[second.pk].raised_cents, rows[second.pk].backer_count) == (10_000, 1)

    def test_the_newest_backers_of_every_translation_are_merged_newest_first(
        self, make_campaign, locale_en, django_assert_max_num_queries
    ):
        campaign = make_campaign()
        english = campaign.copy_for_translation(locale_en, copy_parents=True)
        start = timezone.now() - timedelta(days=1)
        for n in range(6):
            page = campaign if n % 2 else english
            pledge = PledgeFactory(campaign=page, amount_cents=1000 + n, backer_name=f"Backer {n}")
            pledge.created_at = start + timedelta(minutes=n)
            pledge.save(update_fields=["created_at"])
        PledgeFactory(campaign=campaign, amount_cents=9900, status=PledgeStatus.FAILED, backer_name="Failed")
        # The page ids of the key, then one short query per translation, whatever the pledges.
        with django_assert_max_num_queries(3):
            newest = ledger.backers_list(campaign.translation_key, limit=4)
        assert [pledge.backer_name for pledge in newest] == ["Backer 5", "Backer 4", "Backer 3", "Backer 2"]
        assert len(ledger.backers_list(campaign.translation_key)) == 6

    def test_pledges_on_a_translation_count_on_every_translation(self, make_campaign, locale_en):
        campaign = make_campaign(pledges=[2500])
        english = campaign.copy_for_translation(locale_en, copy_parents=True)
        assert english.translation_key == campaign.translation_key and english.pk != campaign.pk
        PledgeFactory(campaign=english, amount_cents=7500)
        PledgeFactory(campaign=english, amount_cents=9900, status=PledgeStatus.REFUNDED)

        assert ledger.totals_for(campaign.translation_key) == (10_000, 2)
        both = ledger.with_figures(CampaignPage.objects.filter(pk__in=[campaign.pk, english.pk]))
        assert {(c.locale_id, c.raised_cents, c.backer_count) for c in both} == {
            (campaign.locale_id, 10_000, 2),
            (locale_en.pk, 10_000, 2),
        }
        assert CampaignPage.objects.get(pk=english.pk).figures.raised_cents == 10_000

    def test_status_follows_the_counted_amount(self, make_campaign):
        ended = make_campaign(starts_in=timedelta(days=-40), lasts=timedelta(days=30), goal=100)
        PledgeFactory(campaign=ended, amount_cents=9_999)
        PledgeFactory(campaign=ended, amount_cents=50_000, status=PledgeStatus.PENDING)
        assert CampaignPage.objects.get(pk=ended.pk).status == CampaignStatus.FAILED
        PledgeFactory(campaign=ended, amount_cents=1)
        assert CampaignPage.objects.get(pk=ended.pk).status == CampaignStatus.SUCCEEDED


@pytest.mark.django_db
class TestRewardStock:
    def rewards(self, campaign):
        return {r.pk: r for r in ledger.rewards_with_stock(RewardTier.objects.filter(page=campaign))}

    def test_pending_committed_and_paid_pledges_reserve_stock(self, make_campaign):
        campaign = make_campaign()
        limited = RewardTierFactory(page=campaign, stock=5)
        hold = timezone.now() + timedelta(minutes=30)
        for status in ALL_PLEDGE_STATUSES:
            PledgeFactory(campaign=campaign, reward=limited, status=status, expires_at=hold)
        reward = self.rewards(campaign)[limited.pk]
        assert reward.reserved == 3
        assert type(reward.reserved) is int
        assert reward.stock_left == 2
        assert not reward.sold_out

    def test_sold_out_when_every_unit_is_reserved(self, make_campaign):
        campaign = make_campaign()
        limited = RewardTierFactory(page=campaign, stock=3)
        other = RewardTierFactory(page=campaign, stock=3)
        hold = timezone.now() + timedelta(minutes=30)
        for status in (PledgeStatus.PENDING, PledgeStatus.COMMITTED, PledgeStatus.PAID):
            PledgeFactory(campaign=campaign, reward=limited, status=status, expires_at=hold)
        PledgeFactory(campaign=campaign, reward=other, status=PledgeStatus.FAILED)
        rewards = self.rewards(campaign)
        assert (rewards[limited.pk].stock_left, rewards[limited.pk].sold_out) == (0, True)
        assert (rewards[other.pk].stock_left, rewards[other.pk].sold_out) == (3, False)
        # The campaign page's own accessor gives the same answer.
        by_pk = {r.pk: r for r in CampaignPage.objects.get(pk=campaign.pk).rewards_with_stock()}
        assert by_pk[limited.pk].sold_out and not by_pk[other.pk].sold_out

    def test_a_pending_pledge_reserves_until_it_expires_and_not_one_second_later(self, make_campaign):
        campaign = make_campaign()
        limited = RewardTierFactory(page=campaign, stock=1)
        expires_at = timezone.now() + timedelta(minutes=30)
        PledgeFactory(campaign=campaign, reward=limited, status=PledgeStatus.PENDING, expires_at=expires_at)
        second = timedelta(seconds=1)

        def reserved(now):
            return ledger.rewards_with_stock(RewardTier.objects.filter(pk=limited.pk), now=now).get().reserved

        assert reserved(expires_at - second) == 1
        assert reserved(expires_at) == 0
        assert reserved(expires_at + second) == 0
        assert reserved(expires_at + timedelta(days=3650)) == 0
        # Without `now`, the current time: the hold is still on.
        assert self.rewards(campaign)[limited.pk].sold_out

    def test_expired_and_unexpiring_pending_pledges_reserve_nothing(self, make_campaign):
        campaign = make_campaign()
        limited = RewardTierFactory(page=campaign, stock=2)
        PledgeFactory(campaign=campaign, reward=limited, status=PledgeStatus.PENDING, expires_at=timezone.now())
        # A pending pledge recorded without a hold end (before holds expired) holds nothing.
        PledgeFactory(campaign=campaign, reward=limited, status=PledgeStatus.PENDING, expires_at=None)
        reward = self.rewards(campaign)[limited.pk]
        assert (reward.reserved, reward.stock_left, reward.sold_out) == (0, 2, False)

    def test_over_reserved_stock_does_not_go_negative(self, make_campaign):
        campaign = make_campaign()
        limited = RewardTierFactory(page=campaign, stock=1)
        PledgeFactory.create_batch(2, campaign=campaign, reward=limited)
        reward = self.rewards(campaign)[limited.pk]
        assert (reward.reserved, reward.stock_left, reward.sold_out) == (2, 0, True)

    def test_unlimited_reward_is_never_sold_out(self, make_campaign):
        campaign = make_campaign()
        unlimited = RewardTierFactory(page=campaign, stock=None)
        PledgeFactory.create_batch(4, campaign=campaign, reward=unlimited)
        reward = self.rewards(campaign)[unlimited.pk]
        assert (reward.reserved, reward.stock_left, reward.sold_out) == (4, None, False)

    def test_pledges_on_the_translated_reward_reserve_the_same_stock(self, make_campaign, locale_en):
        campaign = make_campaign()
        limited = RewardTierFactory(page=campaign, stock=2)
        english = campaign.copy_for_translation(locale_en, copy_parents=True)
        english_reward = english.rewards.get()
        assert english_reward.translation_key == limited.translation_key
        PledgeFactory(campaign=english, reward=english_reward)
        PledgeFactory(campaign=campaign, reward=limited)
        assert self.rewards(campaign)[limited.pk].sold_out
        english_rows = list(ledger.rewards_with_stock(RewardTier.objects.filter(page=english)))
        assert [r.stock_left for r in english_rows] == [0]

    def test_stock_of_another_campaigns_reward_is_separate(self, make_campaign):
        first, second = make_campaign(), make_campaign()
        first_reward = RewardTierFactory(page=first, stock=1)
        second_reward = RewardTierFactory(page=second, stock=1)
        PledgeFactory(campaign=first, reward=first_reward)
        assert self.rewards(first)[first_reward.pk].sold_out
        assert not self.rewards(second)[second_reward.pk].sold_out


@pytest.mark.django_db
class TestFilterStatus:
    def test_each_status_matches_the_figures(self, project_index):
        now = timezone.now()
        day = timedelta(days=1)

        def make(start, end, goal=100, pledged=()):
            campaign = CampaignPageFactory(parent=project_index, start_at=start, end_at=end, goal=goal)
            for amount in pledged:
                PledgeFactory(campaign=campaign, amount_cents=amount)
            return campaign

        expected = {
            CampaignStatus.UPCOMING: {
                make(now + day, now + 10 * day),
                make(now + US, now + day),
            },
            CampaignStatus.LIVE: {
                make(now - day, now + day),
                make(now, now + day),  # starts exactly now
                make(now - day, now + US, pledged=[50_000]),  # over-funded but still live
            },
            CampaignStatus.SUCCEEDED: {
                make(now - 10 * day, now, pledged=[10_000]),  # ends exactly now, goal reached exactly
                make(now - 10 * day, now - day, pledged=[5_000, 15_000]),
            },
            CampaignStatus.FAILED: {
                make(now - 10 * day, now - day, pledged=[9_999]),
                make(now - 10 * day, now - US),
            },
            CampaignStatus.CANCELLED: set(),
        }
        # Refused pledges never make a campaign succeed.
        failed = make(now - 10 * day, now - day)
        PledgeFactory(campaign=failed, amount_cents=50_000, status=PledgeStatus.REFUNDED)
        expected[CampaignStatus.FAILED].add(failed)
        # Frozen outcomes of closed campaigns win over the totals.
        closed_succeeded = make(now - 10 * day, now - day, pledged=[5_000])
        CampaignClosing.objects.create(campaign=closed_succeeded, outcome=CampaignStatus.SUCCEEDED, raised_cents=10_000)
        expected[CampaignStatus.SUCCEEDED].add(closed_succeeded)
        # Cancelled campaigns are cancelled whatever their dates and totals: before, during, after.
        for start, end, pledged in (
            (now + day, now + 10 * day, ()),
            (now - day, now + day, [500]),
            (now - 10 * day, now - day, [50_000]),
        ):
            cancelled = make(start, end, pledged=pledged)
            CampaignClosing.objects.create(campaign=cancelled, outcome=CampaignStatus.CANCELLED, raised_cents=0)
            expected[CampaignStatus.CANCELLED].add(cancelled)

        annotated = ledger.with_figures(CampaignPage.objects.all())
        by_figures = {}
        for campaign in annotated:
            figures = ledger.campaign_figures(campaign, now=now)
            by_figures.setdefault(figures.status, set()).add(campaign.pk)
            # A lone page (no annotations) reads the same status.
            alone = ledger.campaign_figures(CampaignPage.objects.get(pk=campaign.pk), now=now)
            assert alone.status == figures.status, campaign.title

        assert set(by_figures) == set(CampaignStatus.values)
        for status, campaigns in expected.items():
            filtered = set(ledger.filter_status(annotated, status, now=now).values_list("pk", flat=True))
            assert filtered == {c.pk for c in campaigns}, status
            assert filtered == by_figures[status], status

    def test_unknown_status_leaves_the_queryset_alone(self, make_campaign):
        make_campaign()
        qs = ledger.with_figures(CampaignPage.objects.all())
        assert ledger.filter_status(qs, "bogus").count() == 1


@pytest.mark.django_db
class TestSiteKeyFigures:
    def test_key_figures(self, make_campaign, locale_en):
        ago = timedelta(days=-40)
        month = timedelta(days=30)
        funded = make_campaign(starts_in=ago, lasts=month, goal=100, pledges=[6_000, 4_000])
        make_campaign(starts_in=ago, lasts=month, goal=100, pledges=[9_999])  # failed
        make_campaign(starts_in=ago, lasts=month, goal=100)  # failed, no pledge
        live = make_campaign(goal=1000, pledges=[(2_500, PledgeStatus.PAID), (100_000, PledgeStatus.PENDING)])
        # The same backer twice counts once; offline gifts without an email each count.
        PledgeFactory(campaign=live, amount_cents=500, backer_email="fidele@example.org")
        PledgeFactory(campaign=funded, amount_cents=500, backer_email="fidele@example.org")
        PledgeFactory(campaign=live, amount_cents=1_000, backer_email="", source="cheque")
        PledgeFactory(campaign=live, amount_cents=2_000, backer_email="", source="cash")
        PledgeFactory(campaign=live, amount_cents=7_000, status=PledgeStatus.CANCELLED)
        # A pledge on the English translation counts too.
        english = live.copy_for_translation(locale_en, copy_parents=True)
        PledgeFactory(campaign=english, amount_cents=1_500)

        french = CampaignPage.objects.filter(locale=live.locale)
        figures = ledger.site_key_figures(french)
        assert figures == {
            "raised_cents": 6_000 + 4_000 + 9_999 + 2_500 + 500 + 500 + 1_000 + 2_000 + 1_500,
            # 6000, 4000, 9999, 2500 and 1500 by five people; fidele@ once; two offline gifts.
            "backers": 5 + 1 + 2,
            "funded": 1,
            "ended": 3,
            "success_rate": 33,
        }
        for value in figures.values():
            assert type(value) is int

    def test_no_ended_campaign_has_no_success_rate(self, make_campaign):
        make_campaign(pledges=[1000])
        figures = ledger.site_key_figures(CampaignPage.objects.all())
        assert figures == {"raised_cents": 1000, "backers": 1, "funded": 0, "ended": 0, "success_rate": None}

    def test_empty_site(self, db):
        figures = ledger.site_key_figures(CampaignPage.objects.none())
        assert figures["raised_cents"] == 0 and figures["backers"] == 0 and figures["success_rate"] is None
