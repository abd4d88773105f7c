"""Closing campaigns: charge on success, release on failure, re-run safety, grace period,
keep-it-all refunds and the commission in exact cents. The demo gateway stands in for the
provider; `SpyGateway` records every call so we can count charges per pledge."""

import io
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from payments import closing, rules
from payments.demo_gateway import DEMO_FAILS_AT_CHARGE, DemoGateway
from payments.gateway import ChargeResult
from payments.models import CampaignClosing, PayoutAccount, Pledge, PledgeEvent
from payments.rules import CampaignStatus, FundingModel
from payments.rules import PledgeStatus as S
from projects.models import CampaignPage
from tests.factories.projects import PledgeFactory

ENDED = {"starts_in": timedelta(days=-40), "lasts": timedelta(days=30)}


class SpyGateway(DemoGateway):
    """The demo gateway, counting calls; `crash_after` raises on the n-th charge *after* sending it."""

    def __init__(self, crash_after=None):
        self.charges = []
        self.released = []
        self.refunded = []
        self.crash_after = crash_after

    def charge_saved_card(self, pledge, *, attempt, application_fee_cents, destination=""):
        result = super().charge_saved_card(
            pledge, attempt=attempt, application_fee_cents=application_fee_cents, destination=destination
        )
        self.charges.append((pledge.pk, attempt, application_fee_cents, destination))
        if self.crash_after is not None and len(self.charges) >= self.crash_after:
            raise RuntimeError("worker killed after the charge was sent")
        return result

    def release_card(self, pledge):
        self.released.append(pledge.pk)

    def refund(self, pledge):
        self.refunded.append(pledge.pk)
        return super().refund(pledge)

    def money_moved(self):
        """Charges the provider really made: one per idempotency key (pledge, attempt)."""
        return Counter(pk for pk, _attempt in {(pk, attempt) for pk, attempt, *_ in self.charges})


@pytest.fixture
def ended_campaign(make_campaign):
    def _make(amounts, goal=100, status="committed", **kwargs):
        campaign = make_campaign(goal=goal, **ENDED, **kwargs)
        for amount in amounts:
            PledgeFactory(
                campaign=campaign,
                amount_cents=amount,
                status=status,
                funding_model=campaign.funding_model,
                provider="demo",
                payment_method_id="demo_pm_4242424242424242",
            )
        return campaign

    return _make


def statuses(campaign):
    return Counter(Pledge.objects.filter(campaign=campaign).values_list("status", flat=True))


class TestCommission:
    @pytest.mark.parametrize(
        "amount, rate, expected",
        [
            (2500, Decimal("7"), 175),
            (1050, Decimal("5"), 53),  # 52.5 → 53 (half up, not banker's 52)
            (1150, Decimal("5"), 58),  # 57.5 → 58
            (1, Decimal("50"), 1),  # 0.5 → 1
            (3, Decimal("7.5"), 0),  # 0.225 → 0
            (333, Decimal("7.25"), 24),  # 24.1425
            (199_999, Decimal("7"), 14_000),  # 13 999.93
            (2500, Decimal("0"), 0),
        ],
    )
    def test_round_half_up_in_integer_cents(self, amount, rate, expected):
        fee = rules.commission_cents(amount, rate)
        assert fee == expected
        assert isinstance(fee, int)

    @pytest.mark.django_db
    def test_each_charge_carries_the_commission_and_the_payout_account(self, ended_campaign):
        campaign = ended_campaign([1050, 2500], goal=30)
        PayoutAccount.objects.create(
            campaign_key=campaign.translation_key, stripe_account_id="acct_123", charges_enabled=True
        )
        from coupdepouce.models import PlatformSettings

        rules = PlatformSettings.for_site(campaign.get_site())
        rules.commission_rate = Decimal("5")
        rules.save()
        gateway = SpyGateway()
        closing.close_campaigns(gateway=gateway)
        assert sorted((fee, dest) for _pk, _a, fee, dest in gateway.charges) == [(53, "acct_123"), (125, "acct_123")]
        events = PledgeEvent.objects.filter(pledge__campaign=campaign, to_status=S.PAID)
        assert sorted(e.data["application_fee_cents"] for e in events) == [53, 125]


@pytest.mark.django_db
class TestSuccess:
    def test_each_committed_pledge_is_charged_once(self, ended_campaign):
        campaign = ended_campaign([3000, 4000, 5000])
        gateway = SpyGateway()
        summary = closing.close_campaigns(gateway=gateway)

        assert summary.charged == 3
        assert statuses(campaign) == {S.PAID: 3}
        assert gateway.money_moved() == Counter(Pledge.objects.filter(campaign=campaign).values_list("pk", flat=True))
        assert set(Pledge.objects.filter(campaign=campaign).values_list("charge_attempts", flat=True)) == {1}
        assert all(p.paid_at for p in Pledge.objects.filter(campaign=campaign))
        closed = CampaignClosing.objects.get(campaign=campaign)
        assert closed.outcome == CampaignStatus.SUCCEEDED
        assert closed.raised_cents == 12_000
        assert closed.finished_at is not None
        assert len(mail.outbox) == 3
        assert {m.to[0] for m in mail.outbox} == set(
            Pledge.objects.filter(campaign=campaign).values_list("backer_email", flat=True)
        )

    def test_rerun_is_a_no_op(self, ended_campaign):
        campaign = ended_campaign([3000, 9000])
        closing.close_campaigns(gateway=SpyGateway())
        events = PledgeEvent.objects.count()
        outbox = len(mail.outbox)

        again = SpyGateway()
        summary = closing.close_campaigns(gateway=again)
        out = io.StringIO()
        call_command("close_campaigns", stdout=out)
        assert "charged 0" in out.getvalue()
        assert again.charges == []
        assert summary.closed == [] and summary.charged == 0
        assert PledgeEvent.objects.count() == events
        assert len(mail.outbox) == outbox
        assert CampaignClosing.objects.filter(campaign=campaign).count() == 1

    def test_live_and_upcoming_campaigns_are_left_alone(self, make_campaign):
        live = make_campaign(pledges=[9000], goal=10)
        upcoming = make_campaign(starts_in=timedelta(days=3), goal=10)
        gateway = SpyGateway()
        closing.close_campaigns(gateway=gateway)
        assert gateway.charges == []
        assert not CampaignClosing.objects.filter(campaign__in=[live, upcoming]).exists()
        assert statuses(live) == {S.COMMITTED: 1}

    def test_crash_in_the_middle_then_rerun_charges_nobody_twice(self, ended_campaign):
        campaign = ended_campaign([1000, 2000, 3000, 4000, 5000])
        pledges = list(Pledge.objects.filter(campaign=campaign).order_by("pk").values_list("pk", flat=True))

        crashing = SpyGateway(crash_after=3)
        summary = closing.close_campaigns(gateway=crashing)
        # The third charge was sent, then the worker died before recording its result.
        assert summary.errors and summary.charged == 2
        assert CampaignClosing.objects.get(campaign=campaign).finished_at is None
        assert statuses(campaign) == {S.PAID: 2, S.COMMITTED: 3}
        third = Pledge.objects.get(pk=pledges[2])
        assert third.charge_attempts == 1  # persisted before the charge was sent
        assert Pledge.objects.get(pk=pledges[3]).charge_attempts == 0

        # At once, the lost charge is taken for one still in flight in another run: left alone.
        early = SpyGateway()
        summary = closing.close_campaigns(gateway=early)
        assert [pk for pk, *_ in early.charges] == pledges[3:]
        assert summary.waiting == 1 and summary.closed == []
        assert CampaignClosing.objects.get(campaign=campaign).finished_at is None

        # Once the claim is older than CHARGE_LEASE, the run that sent it is taken for dead.
        resumed = SpyGateway()
        later = timezone.now() + closing.CHARGE_LEASE + timedelta(seconds=1)
        summary = closing.close_campaigns(now=later, gateway=resumed)
        assert summary.errors == [] and summary.charged == 1
        # The pledges already paid were not sent again; the lost one was re-sent with the
        # same attempt number (same idempotency key, so the provider does not charge again).
        assert [pk for pk, *_ in resumed.charges] == [pledges[2]]
        assert resumed.charges[0][1] == 1
        sent = Counter(pk for pk, *_ in crashing.charges + early.charges + resumed.charges)
        assert sent[pledges[2]] == 2 and all(sent[pk] == 1 for pk in pledges if pk != pledges[2])
        keys = {(pk, attempt) for pk, attempt, *_ in crashing.charges + early.charges + resumed.charges}
        assert Counter(pk for pk, _ in keys) == Counter(pledges)  # one idempotency key each: one charge each
        assert statuses(campaign) == {S.PAID: 5}
        assert set(Pledge.objects.filter(campaign=campaign).values_list("charge_attempts", flat=True)) == {1}
        for pk in pledges:
            assert list(PledgeEvent.objects.filter(pledge_id=pk).values_list("to_status", flat=True)) == [S.PAID]
        assert len(mail.outbox) == 5
        assert CampaignClosing.objects.get(campaign=campaign).finished_at is not None

    def test_crash_after_every_recorded_result_still_finishes(self, ended_campaign):
        campaign = ended_campaign([1000, 2000], goal=20)

        gateway = SpyGateway()
        original = closing.charge_pledge
        calls = []

        def flaky(pledge_id, **kwargs):
            result = original(pledge_id, **kwargs)
            calls.append(pledge_id)
            if len(calls) == 1:
                raise RuntimeError("killed after recording")
            return result

        closing.charge_pledge = flaky
        try:
            closing.close_campaigns(gateway=gateway)
        finally:
            closing.charge_pledge = original
        closing.close_campaigns(gateway=gateway)
        assert statuses(campaign) == {S.PAID: 2}
        assert gateway.money_moved() == Counter(Pledge.objects.filter(campaign=campaign).values_list("pk", flat=True))

    def test_declined_charge_asks_for_action_then_fails_after_grace(self, ended_campaign):
        campaign = ended_campaign([6000, 5000])
        refused = Pledge.objects.filter(campaign=campaign).order_by("pk").first()
        refused.payment_method_id = f"demo_pm_{DEMO_FAILS_AT_CHARGE}"
        refused.save()

        summary = closing.close_campaigns(gateway=SpyGateway())
        refused.refresh_from_db()
        assert summary.action_required == 1 and summary.charged == 1
        assert refused.status == S.ACTION_REQUIRED
        assert refused.action_required_at is not None
        assert refused.failure_reason == "authentication_required"
        action_mail = next(m for m in mail.outbox if m.to == [refused.backer_email])
        assert f"/paiement/finaliser/{refused.token}/" in action_mail.body
        assert action_mail.body.count("http") >= 1

        # Within the grace period (7 days by default) nothing changes.
        closing.close_campaigns(now=timezone.now() + timedelta(days=6), gateway=SpyGateway())
        refused.refresh_from_db()
        assert refused.status == S.ACTION_REQUIRED

        later = closing.close_campaigns(now=timezone.now() + timedelta(days=7, minutes=1), gateway=SpyGateway())
        refused.refresh_from_db()
        assert later.failed_after_grace == 1
        assert refused.status == S.FAILED
        assert refused.charge_attempts == 1
        assert list(refused.events.values_list("to_status", flat=True)) == [S.ACTION_REQUIRED, S.FAILED]

    def test_status_shown_stays_succeeded_when_a_card_fails_after_the_close(self, ended_campaign):
        """The goal was reached at the close; a backer whose payment then fails for good
        takes the total below the goal, but the campaign stays succeeded everywhere."""
        from payments import ledger
        from payments.rules import CampaignStatus

        campaign = ended_campaign([6000, 5000], goal=100)
        refused = Pledge.objects.filter(campaign=campaign).order_by("pk").first()
        refused.payment_method_id = f"demo_pm_{DEMO_FAILS_AT_CHARGE}"
        refused.save()
        closing.close_campaigns(gateway=SpyGateway())
        closing.close_campaigns(now=timezone.now() + timedelta(days=8), gateway=SpyGateway())
        refused.refresh_from_db()
        assert refused.status == S.FAILED

        fresh = CampaignPage.objects.get(pk=campaign.pk)
        assert fresh.figures.raised_cents == 5000 < fresh.goal_cents
        assert fresh.figures.status == CampaignStatus.SUCCEEDED
        listed = ledger.with_figures(CampaignPage.objects.filter(pk=campaign.pk)).get()
        assert listed.figures.status == CampaignStatus.SUCCEEDED
        in_filter = ledger.filter_status(ledger.with_figures(CampaignPage.objects.all()), CampaignStatus.SUCCEEDED)
        assert campaign.pk in set(in_filter.values_list("pk", flat=True))
        failed = ledger.filter_status(ledger.with_figures(CampaignPage.objects.all()), CampaignStatus.FAILED)
        assert campaign.pk not in set(failed.values_list("pk", flat=True))

    def test_matching_counts_towards_the_goal(self, ended_campaign):
        from payments.matching import allocate
        from payments.models import MatchingOffer, Sponsor

        campaign = ended_campaign([6000], goal=100)
        MatchingOffer.objects.create(
            sponsor=Sponsor.objects.create(name="Mairie"), campaign=campaign, ratio=1, envelope_cents=10_000
        )
        allocate(Pledge.objects.get(campaign=campaign))
        closing.close_campaigns(gateway=SpyGateway())
        assert CampaignClosing.objects.get(campaign=campaign).outcome == CampaignStatus.SUCCEEDED
        assert statuses(campaign) == {S.PAID: 1}


@pytest.mark.django_db
class TestFailure:
    def test_failed_campaign_cancels_everyone_and_charges_nobody(self, ended_campaign):
        campaign = ended_campaign([1000, 2000], goal=100)
        PledgeFactory(campaign=campaign, amount_cents=500, status=S.FAILED)
        gateway = SpyGateway()
        summary = closing.close_campaigns(gateway=gateway)

        assert gateway.charges == []
        assert summary.cancelled == 2
        assert statuses(campaign) == {S.CANCELLED: 2, S.FAILED: 1}
        assert sorted(gateway.released) == sorted(
            Pledge.objects.filter(campaign=campaign, status=S.CANCELLED).values_list("pk", flat=True)
        )
        assert CampaignClosing.objects.get(campaign=campaign).outcome == CampaignStatus.FAILED
        assert len(mail.outbox) == 2

        again = SpyGateway()
        closing.close_campaigns(gateway=again)
        assert again.released == [] and len(mail.outbox) == 2

    def test_campaign_page_says_what_had_been_pledged_and_that_nobody_was_charged(self, ended_campaign, client):
        campaign = ended_campaign([1000, 2000], goal=100)
        closing.close_campaigns(gateway=SpyGateway())
        response = client.get(campaign.url, HTTP_HOST="localhost")
        assert response.status_code == 200
        text = response.content.decode()
        assert "Cette collecte s’est terminée sans atteindre son objectif" in text
        assert "avaient été promis, et personne n’a été prélevé." in text
        assert "30 €" in text
        assert campaign.figures.raised_cents == 0

    def test_outcome_is_frozen_at_the_close(self, ended_campaign):
        campaign = ended_campaign([1000], goal=100)
        closing_row = closing.freeze_outcome(campaign)
        # A late pledge (e.g. an offline gift typed in afterwards) does not change the outcome.
        PledgeFactory(campaign=campaign, amount_cents=20_000, status=S.PAID, source=Pledge.Source.CHEQUE)
        closing.close_campaigns(gateway=SpyGateway())
        closing_row.refresh_from_db()
        assert closing_row.outcome == CampaignStatus.FAILED
        assert closing_row.raised_cents == 1000


@pytest.mark.django_db
class TestKeepItAll:
    def test_closing_charges_nothing(self, ended_campaign):
        campaign = ended_campaign([1000, 2000], goal=100, status=S.PAID, funding_model=FundingModel.KEEP_IT_ALL)
        gateway = SpyGateway()
        closing.close_campaigns(gateway=gateway)
        assert gateway.charges == [] and gateway.released == []
        assert statuses(campaign) == {S.PAID: 2}
        assert CampaignClosing.objects.get(campaign=campaign).finished_at is not None

    def test_cancel_refunds_paid_pledges_once(self, make_campaign):
        campaign = make_campaign(goal=100, funding_model=FundingModel.KEEP_IT_ALL)
        paid = [
            PledgeFactory(
                campaign=campaign, amount_cents=amount, status=S.PAID, provider="demo", payment_intent_id=f"demo_pi_{n}"
            )
            for n, amount in enumerate((1000, 2500))
        ]
        PledgeFactory(campaign=campaign, amount_cents=700, status=S.CANCELLED)
        cheque = PledgeFactory(campaign=campaign, amount_cents=900, status=S.PAID, source=Pledge.Source.CHEQUE)
        gateway = SpyGateway()

        summary = closing.cancel_campaign(
            campaign, actor="maire@example.org", reason="Projet abandonné", gateway=gateway
        )
        assert summary.refunded == 2 and summary.offline_gifts == 1 and summary.errors == []
        assert statuses(campaign) == {S.REFUNDED: 2, S.CANCELLED: 1, S.PAID: 1}
        assert sorted(gateway.refunded) == sorted(p.pk for p in paid) and cheque.pk not in gateway.refunded
        assert sorted(Pledge.objects.filter(status=S.REFUNDED).values_list("refund_id", flat=True)) == sorted(
            f"demo_re_{p.pk}" for p in paid
        )
        assert len(mail.outbox) == 2
        assert PledgeEvent.objects.filter(to_status=S.REFUNDED).count() == 2
        closed = CampaignClosing.objects.get(campaign=campaign)
        assert (closed.outcome, closed.cancelled_by, closed.reason) == (
            CampaignStatus.CANCELLED,
            "maire@example.org",
            "Projet abandonné",
        )
        assert closed.finished_at is not None

        again = SpyGateway()
        summary = closing.cancel_campaign(campaign, actor="command", reason="encore", gateway=again)
        assert summary.refunded == 0
        assert again.refunded == [] and len(mail.outbox) == 2
        closed.refresh_from_db()
        assert (closed.cancelled_by, closed.reason) == ("maire@example.org", "Projet abandonné")


@pytest.mark.django_db
def test_task_and_command_run_the_closing(ended_campaign):
    campaign = ended_campaign([5000, 6000])
    result = closing.close_campaigns_task.enqueue()
    assert result.return_value["charged"] == 2
    assert statuses(campaign) == {S.PAID: 2}
    assert set(Pledge.objects.filter(campaign=campaign).values_list("payment_intent_id", flat=True)) == {
        f"demo_pi_{pk}" for pk in Pledge.objects.filter(campaign=campaign).values_list("pk", flat=True)
    }


@pytest.mark.django_db
def test_declined_charge_is_recorded(ended_campaign):
    campaign = ended_campaign([5000], goal=50)

    class Declines(SpyGateway):
        def charge_saved_card(self, pledge, **kwargs):
            return ChargeResult(ChargeResult.DECLINED, "pi_x", "card_declined")

    closing.close_campaigns(gateway=Declines())
    pledge = Pledge.objects.get(campaign=campaign)
    assert pledge.status == S.ACTION_REQUIRED
    assert pledge.payment_intent_id == "pi_x"
    assert pledge.failure_reason == "card_declined"
