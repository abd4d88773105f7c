"""Row locks under real concurrency, on PostgreSQL.

SQLite serialises writers, so these races cannot happen there: the `postgres` marker skips them
on any other database, with a reason that says how to run them (tests/conftest.py). `make test`
runs them on PostgreSQL at 127.0.0.1:5432 whenever it answers, and CI runs the whole suite on
PostgreSQL too. Removing the row lock of `services.create_pledge`, of `matching.allocate` or of
the close's claim (`closing._claim_attempt`) makes one of these tests fail.
"""

import threading
import time
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from payments import closing, services
from payments.demo_gateway import DEMO_SUCCESS, DemoGateway
from payments.models import CampaignClosing, MatchAllocation, MatchingOffer, Pledge, PledgeEvent, Sponsor
from payments.rules import CampaignStatus
from payments.rules import PledgeStatus as S
from projects.models import CampaignPage
from tests.concurrency import run_together
from tests.factories.projects import PledgeFactory, RewardTierFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_forty_concurrent_pledges_on_a_tier_with_stock_ten(make_campaign):
    campaign = make_campaign(goal=5000)
    reward = RewardTierFactory(page=campaign, stock=10, min_amount=20)

    def pledge(i):
        request = services.PledgeRequest(
            amount_cents=2500, backer_name=f"Habitant {i}", backer_email=f"h{i}@example.org", reward_id=reward.pk
        )
        return services.create_pledge(campaign, request, provider="demo").pk

    results, errors = run_together(40, pledge)

    assert len(results) == 10
    assert len(errors) == 30
    assert {(type(e), e.code) for e in errors.values()} == {(services.PledgeError, "sold_out")}
    assert Pledge.objects.filter(reward=reward).count() == 10
    assert Pledge.objects.count() == 10
    assert campaign.rewards_with_stock().get(pk=reward.pk).reserved == 10


@pytest.mark.parametrize(
    "envelope, expected_amounts",
    [
        # Demand (20 × 15 €) exceeds the envelope (100 €): six full shares, one of the last 10 €.
        (10_000, [1000] + [1500] * 6),
        # The envelope covers every share: twenty of 15 €.
        (100_000, [1500] * 20),
    ],
)
def test_concurrent_commits_spend_exactly_the_envelope_or_the_demand(make_campaign, envelope, expected_amounts):
    campaign = make_campaign(goal=5000)
    offer = MatchingOffer.objects.create(
        sponsor=Sponsor.objects.create(name="Fondation du Val"),
        campaign=campaign,
        ratio=Decimal("1"),
        envelope_cents=envelope,
    )
    pledges = [PledgeFactory(campaign=campaign, amount_cents=1500, status=S.PENDING).pk for _ in range(20)]

    results, errors = run_together(20, lambda i: services.transition(pledges[i], S.COMMITTED, actor="test").pk)

    assert errors == {}
    assert sorted(results.values()) == sorted(pledges)
    assert Pledge.objects.filter(status=S.COMMITTED).count() == 20
    allocations = MatchAllocation.objects.filter(offer=offer, released=False)
    # exactly min(envelope, sum of the shares), in whole shares but the last one
    assert sum(a.amount_cents for a in allocations) == min(envelope, 20 * 1500)
    assert sorted(a.amount_cents for a in allocations) == expected_amounts
    assert MatchAllocation.objects.filter(offer=offer).count() == len(expected_amounts)
    assert len({a.pledge_id for a in allocations}) == len(expected_amounts)


def test_concurrent_pledges_respect_the_overfunding_cap(make_campaign):
    # Cap 200 % of a 100 € goal = 200 €: 30 pledges of 10 € at once → exactly 20 pass.
    campaign = make_campaign(goal=100)

    def pledge(i):
        request = services.PledgeRequest(amount_cents=1000, backer_name=f"H{i}", backer_email=f"h{i}@example.org")
        return services.create_pledge(campaign, request, provider="demo").pk

    results, errors = run_together(30, pledge)
    assert len(results) == 20
    assert len(errors) == 10
    assert {(type(e), e.code) for e in errors.values()} == {(services.PledgeError, "over_cap")}
    assert sorted(Pledge.objects.values_list("amount_cents", flat=True)) == [1000] * 20


class CountingDemoGateway(DemoGateway):
    """The demo gateway (the local stand-in for a provider), counting the charges it is asked
    for, per pledge. Each charge takes 50 ms, as a provider's answer would, so that two runs
    overlap. Nothing is mocked: the charge itself is the demo gateway's."""

    def __init__(self):
        self.charges = Counter()
        self._lock = threading.Lock()

    def charge_saved_card(self, pledge, **kwargs):
        with self._lock:
            self.charges[pledge.pk] += 1
        time.sleep(0.05)
        return super().charge_saved_card(pledge, **kwargs)


def test_two_closing_runs_at_once_charge_and_email_each_pledge_once(make_campaign):
    campaign = make_campaign(goal=200)
    pledges = []
    for i in range(10):
        request = services.PledgeRequest(
            amount_cents=2500, backer_name=f"Habitant {i}", backer_email=f"h{i}@example.org"
        )
        pledge = services.create_pledge(campaign, request, provider="demo")
        completion = services.complete_checkout(
            pledge, S.COMMITTED, actor="test", payment_method_id=f"demo_pm_{DEMO_SUCCESS}"
        )
        assert (completion.accepted, completion.pledge.status) == (True, S.COMMITTED)
        pledges.append(pledge.pk)
    # The campaign ends with 250 € pledged for a 200 € goal: every card is charged at the close.
    CampaignPage.objects.filter(pk=campaign.pk).update(end_at=timezone.now() - timedelta(minutes=1))
    mail.outbox = []
    gateway = CountingDemoGateway()

    results, errors = run_together(2, lambda i: closing.close_campaigns(gateway=gateway))

    assert errors == {}
    assert gateway.charges == Counter({pk: 1 for pk in pledges})
    assert sum(summary.charged for summary in results.values()) == 10
    assert list(Pledge.objects.order_by("pk").values_list("pk", "status", "charge_attempts")) == [
        (pk, S.PAID, 1) for pk in pledges
    ]
    paid_events = PledgeEvent.objects.filter(from_status=S.COMMITTED, to_status=S.PAID)
    assert sorted(paid_events.values_list("pledge_id", flat=True)) == pledges
    subject = f"«\u00a0{campaign.title}\u00a0» a atteint son objectif"
    assert sorted((m.to, m.subject) for m in mail.outbox) == sorted(([f"h{i}@example.org"], subject) for i in range(10))
    closed = CampaignClosing.objects.get()
    assert (closed.campaign_id, closed.outcome, closed.raised_cents) == (campaign.pk, CampaignStatus.SUCCEEDED, 25_000)
    assert closed.finished_at is not None
