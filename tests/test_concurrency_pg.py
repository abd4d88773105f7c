"""Row locks under real concurrency, on PostgreSQL (SQLite serialises writers, so the
race cannot happen there: these tests are skipped only when the database is not PostgreSQL).

Run with `DATABASE_URL=postgres://…` (CI runs the suite on both databases).
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from payments import services
from payments.models import MatchAllocation, MatchingOffer, Pledge, Sponsor
from payments.rules import PledgeStatus as S
from tests.factories.projects import PledgeFactory, RewardTierFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises writers"),
    pytest.mark.django_db(transaction=True),
]


def run_together(count, work):
    """Run `work(i)` in `count` threads released at once; returns results and exceptions by index."""
    barrier = threading.Barrier(count)
    results, errors = {}, {}

    def worker(i):
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as exc:  # collected and asserted on by the test
            errors[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    return results, errors


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
    assert all(isinstance(e, services.PledgeError) and e.code == "sold_out" for e in errors.values()), errors
    assert Pledge.objects.filter(reward=reward).count() == 10
    assert Pledge.objects.count() == 10
    reward.refresh_from_db()
    assert campaign.rewards_with_stock().get(pk=reward.pk).reserved == 10


def test_concurrent_commits_never_overspend_the_envelope(make_campaign):
    campaign = make_campaign(goal=5000)
    offer = MatchingOffer.objects.create(
        sponsor=Sponsor.objects.create(name="Fondation du Val"),
        campaign=campaign,
        ratio=Decimal("1"),
        envelope_cents=10_000,
    )
    pledges = [PledgeFactory(campaign=campaign, amount_cents=1500, status=S.PENDING).pk for _ in range(20)]

    results, errors = run_together(20, lambda i: services.transition(pledges[i], S.COMMITTED, actor="test").pk)

    assert errors == {}
    assert len(results) == 20
    spent = MatchAllocation.objects.filter(offer=offer, released=False).aggregate(total=Sum("amount_cents"))["total"]
    # Demand (20 × 15 €) exceeds the envelope (100 €): exactly the envelope is used, never more.
    assert spent == 10_000
    assert Pledge.objects.filter(status=S.COMMITTED).count() == 20
    assert MatchAllocation.objects.filter(offer=offer).count() <= 20


def test_concurrent_pledges_respect_the_overfunding_cap(make_campaign):
    # Cap 200 % of a 100 € goal = 200 €: 30 pledges of 10 € at once → exactly 20 pass.
    campaign = make_campaign(goal=100)

    def pledge(i):
        request = services.PledgeRequest(amount_cents=1000, backer_name=f"H{i}", backer_email=f"h{i}@example.org")
        return services.create_pledge(campaign, request, provider="demo").pk

    results, errors = run_together(30, pledge)
    assert len(results) == 20
    assert {e.code for e in errors.values()} == {"over_cap"}
    total = Pledge.objects.aggregate(total=Sum("amount_cents"))["total"]
    assert total == 20_000
