"""Campaign figures kept in a summary row (`CampaignTotals`) and rebuilt from the ledger.

Each ledger change (a pledge made, moved, recorded offline or deleted; matching allocated or
released) updates the campaign's row in its transaction; `rebuild_campaign_totals` recomputes
the rows from the pledges. A hypothesis test plays random sequences through the real services
and checks that the incremental rows equal the rebuild. Pages read the row: the number and
the cost of their queries do not grow with the pledges.
"""

from __future__ import annotations

from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.core.cache import caches
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wagtail.models import Locale

from payments import ledger, matching, services, totals
from payments.models import CampaignTotals, MatchAllocation, MatchingOffer, Pledge, Sponsor
from payments.rules import PledgeStatus as S
from projects.models import CampaignPage
from tests.concurrency import run_together
from tests.factories.projects import PledgeFactory

pytestmark = pytest.mark.django_db


def row(campaign) -> tuple[int, int, int]:
    """(raised, backers, matched) as the campaign's summary row holds them."""
    found = CampaignTotals.objects.filter(pk=campaign.translation_key).first()
    return (found.raised_cents, found.backers, found.matched_cents) if found else (0, 0, 0)


def offer(campaign, **kwargs):
    sponsor = Sponsor.objects.create(name=kwargs.pop("sponsor", "Fondation du Val"))
    kwargs.setdefault("ratio", Decimal("1"))
    kwargs.setdefault("envelope_cents", 1_000_000)
    return MatchingOffer.objects.create(
        sponsor=sponsor, scope=MatchingOffer.Scope.CAMPAIGN, campaign=campaign, **kwargs
    )


def online(campaign, amount, *path):
    """A pledge made through the pledge form's service, then moved along `path`."""
    request = services.PledgeRequest(amount_cents=amount, backer_name="Camille", backer_email="c@example.org")
    pledge = services.create_pledge(campaign, request, provider="demo")
    for status in path:
        services.transition(pledge.pk, status, actor="test")
    return Pledge.objects.get(pk=pledge.pk)


def offline(campaign, amount):
    """An offline gift as the admin records it: saved paid, then `record_offline_gift`."""
    gift = Pledge.objects.create(
        campaign=campaign, amount_cents=amount, backer_name="Mme Durand", status=S.PAID, source=Pledge.Source.CHEQUE
    )
    services.record_offline_gift(gift)
    return gift


class TestIncremental:
    def test_no_row_reads_zero(self, make_campaign):
        campaign = make_campaign()
        assert not CampaignTotals.objects.exists()
        assert ledger.totals_for(campaign.translation_key) == (0, 0)
        assert ledger.matched_for(campaign.translation_key) == 0
        listed = ledger.with_figures(CampaignPage.objects.filter(pk=campaign.pk)).get()
        assert (listed.raised_cents, listed.backer_count, listed.matched_cents) == (0, 0, 0)
        assert campaign.figures.raised_cents == 0

    def test_pending_pledges_count_nothing_and_counted_ones_do(self, make_campaign):
        campaign = make_campaign()
        pending = online(campaign, 2000)
        assert row(campaign) == (0, 0, 0)
        services.transition(pending.pk, S.COMMITTED)
        assert row(campaign) == (2000, 1, 0)
        services.transition(pending.pk, S.PAID)  # still counted: no change
        assert row(campaign) == (2000, 1, 0)
        online(campaign, 500, S.PAID)
        assert row(campaign) == (2500, 2, 0)
        assert ledger.totals_for(campaign.translation_key) == (2500, 2)

    def test_failures_refunds_and_cancellations_leave_the_figures(self, make_campaign):
        campaign = make_campaign()
        offer(campaign, ratio=Decimal("0.5"))
        failed = online(campaign, 1000, S.COMMITTED)
        refunded = online(campaign, 3000, S.PAID)
        kept = online(campaign, 4000, S.COMMITTED, S.ACTION_REQUIRED)
        assert row(campaign) == (8000, 3, 4000)
        services.transition(failed.pk, S.FAILED)
        assert row(campaign) == (7000, 2, 3500)
        services.transition(refunded.pk, S.REFUNDED)
        assert row(campaign) == (4000, 1, 2000)
        services.transition(kept.pk, S.CANCELLED)
        assert row(campaign) == (0, 0, 0)
        assert totals.differences() == {}

    def test_offline_gifts_and_their_deletion(self, make_campaign):
        campaign = make_campaign()
        offer(campaign)
        gift = offline(campaign, 4000)
        assert row(campaign) == (4000, 1, 4000)
        gift.delete()  # the admin deletes offline gifts: their matching cascades
        assert row(campaign) == (0, 0, 0)
        assert not MatchAllocation.objects.exists()
        assert totals.differences() == {}

    def test_translations_share_one_row(self, make_campaign):
        campaign = make_campaign()
        english = campaign.copy_for_translation(Locale.objects.get_or_create(language_code="en")[0], copy_parents=True)
        english.save_revision().publish()
        online(english, 1500, S.COMMITTED)  # made on the English page, counted on the canonical one
        offline(english, 500)
        assert CampaignTotals.objects.count() == 1
        assert row(campaign) == (2000, 2, 0)
        listed = {c.pk: c for c in ledger.with_figures(CampaignPage.objects.filter(pk__in=[campaign.pk, english.pk]))}
        assert {(c.raised_cents, c.backer_count) for c in listed.values()} == {(2000, 2)}

    def test_matching_released_at_the_close(self, make_campaign):
        campaign = make_campaign()
        offer(campaign, only_on_success=True)
        offer(campaign, only_on_success=False, ratio=Decimal("0.5"), sponsor="Boulangerie")
        online(campaign, 2000, S.COMMITTED)
        assert row(campaign) == (2000, 1, 3000)
        assert matching.release_on_failure(campaign.translation_key) == 1
        assert row(campaign) == (2000, 1, 1000)
        assert matching.release_campaign(campaign.translation_key) == 1
        assert row(campaign) == (2000, 1, 0)
        assert ledger.matched_for(campaign.translation_key) == 0
        assert totals.differences() == {}

    def test_direct_changes_of_the_money_fields(self, make_campaign):
        """A pledge saved by other code (the factories, a shell) still moves the row."""
        campaign, other = make_campaign(), make_campaign()
        pledge = PledgeFactory(campaign=campaign, amount_cents=1000, status=S.COMMITTED)
        pledge.amount_cents = 1200
        pledge.save()
        assert row(campaign) == (1200, 1, 0)
        pledge.campaign = other
        pledge.save()
        assert row(campaign) == (0, 0, 0)
        assert row(other) == (1200, 1, 0)
        stale = Pledge.objects.get(pk=pledge.pk)
        services.transition(pledge.pk, S.FAILED)
        stale.backer_name = "Corrigé"
        stale.save(update_fields=["backer_name"])  # not a money field: nothing moves
        assert row(other) == (0, 0, 0)
        assert totals.differences() == {}


class TestRebuild:
    def test_check_passes_then_reports_a_wrong_row(self, make_campaign, capsys):
        campaign = make_campaign(pledges=[1000, 2000, (500, S.FAILED)])
        call_command("rebuild_campaign_totals", "--check")
        assert "match the ledger" in capsys.readouterr().out
        CampaignTotals.objects.filter(pk=campaign.translation_key).update(raised_cents=1)
        with pytest.raises(CommandError) as error:
            call_command("rebuild_campaign_totals", "--check")
        assert error.value.returncode == 1
        out = capsys.readouterr().out
        assert str(campaign.translation_key) in out
        assert "stored raised=1 backers=2" in out and "ledger raised=3000 backers=2" in out
        assert row(campaign) == (1, 2, 0)  # --check changes nothing

    def test_rebuild_after_bulk_create(self, make_campaign, capsys):
        campaign, emptied = make_campaign(pledges=[1000]), make_campaign(pledges=[700])
        Pledge.objects.bulk_create(
            [Pledge(campaign=campaign, amount_cents=100, backer_name="x", status=S.PAID) for _ in range(5)]
        )
        Pledge.objects.filter(campaign=emptied).update(status=S.CANCELLED)  # no signal either
        assert set(totals.differences()) == {campaign.translation_key, emptied.translation_key}
        call_command("rebuild_campaign_totals")
        assert "2 rows changed" in capsys.readouterr().out
        assert row(campaign) == (1500, 6, 0)
        assert row(emptied) == (0, 0, 0)
        call_command("rebuild_campaign_totals", "--check")
        assert totals.rebuild() == 0

    def test_the_migration_fills_the_rows_from_the_ledger(self, make_campaign):
        campaign = make_campaign(pledges=[1000, (2500, S.PAID), (400, S.CANCELLED)])
        offer(campaign)
        online(campaign, 300, S.COMMITTED)
        CampaignTotals.objects.all().delete()
        import_module("payments.migrations.0006_campaign_totals").fill_totals(django_apps, None)
        assert row(campaign) == (3800, 3, 300)


class TestConstantCost:
    def test_figures_queries_do_not_grow_with_pledges(self, make_campaign):
        campaign = make_campaign(pledges=[1000])

        def counted(run):
            with CaptureQueriesContext(connection) as captured:
                run()
            return len(captured.captured_queries)

        lone = counted(lambda: ledger.campaign_figures(CampaignPage.objects.get(pk=campaign.pk)))
        listing = counted(lambda: list(ledger.with_figures(CampaignPage.objects.all())))
        for amount in range(1000, 1030):
            PledgeFactory(campaign=campaign, amount_cents=amount)
        assert counted(lambda: ledger.campaign_figures(CampaignPage.objects.get(pk=campaign.pk))) == lone == 3
        assert counted(lambda: list(ledger.with_figures(CampaignPage.objects.all()))) == listing == 1
        assert campaign.figures.backers == 31

    def test_figures_read_the_row_not_the_pledges(self, make_campaign):
        campaign = make_campaign(pledges=[1000])
        with CaptureQueriesContext(connection) as captured:
            ledger.totals_for(campaign.translation_key)
            list(ledger.with_figures(CampaignPage.objects.filter(pk=campaign.pk)))
        sql = " ".join(query["sql"] for query in captured.captured_queries)
        assert "payments_campaigntotals" in sql
        assert "payments_pledge" not in sql


# Random sequences: the incremental rows equal the rebuild -------------------------------------


OPERATIONS = st.lists(
    st.one_of(
        st.tuples(
            st.just("online"),
            st.integers(0, 2),
            st.integers(100, 40_000),
            st.sampled_from([(), (S.COMMITTED,), (S.PAID,), (S.COMMITTED, S.ACTION_REQUIRED), (S.CANCELLED,)]),
        ),
        st.tuples(st.just("offline"), st.integers(0, 2), st.integers(100, 40_000)),
        st.tuples(
            st.just("move"),
            st.integers(0, 30),
            st.sampled_from([S.COMMITTED, S.PAID, S.ACTION_REQUIRED, S.FAILED, S.CANCELLED, S.REFUNDED]),
        ),
        st.tuples(st.just("delete_offline"), st.integers(0, 30)),
        st.tuples(st.just("release_on_failure"), st.integers(0, 2)),
        st.tuples(st.just("release_campaign"), st.integers(0, 2)),
    ),
    max_size=25,
)


class _Rollback(Exception):
    pass


@pytest.fixture
def campaigns(make_campaign):
    """Campaign 0 (with an English page) and 1 have matching offers; campaign 2 has none."""
    first, second, third = make_campaign(), make_campaign(), make_campaign()
    english = first.copy_for_translation(Locale.objects.get_or_create(language_code="en")[0], copy_parents=True)
    english.save_revision().publish()
    offer(first, ratio=Decimal("1"), envelope_cents=30_000, only_on_success=True)
    offer(first, ratio=Decimal("0.25"), only_on_success=False, sponsor="Boulangerie")
    offer(second, ratio=Decimal("2"), cap_per_pledge_cents=5_000, cap_per_campaign_cents=20_000, sponsor="Mairie")
    return [first, second, third], CampaignPage.objects.get(pk=english.pk)


def play(operations, pages, english):
    pledges = []
    for operation in operations:
        kind, index = operation[0], operation[1]
        if kind == "online":
            try:
                pledges.append(online(pages[index], operation[2], *operation[3]))
            except services.PledgeError:
                pass
        elif kind == "offline":
            pledges.append(offline(english if index == 0 else pages[index], operation[2]))
        elif kind == "move" and pledges:
            try:
                services.transition(pledges[index % len(pledges)].pk, operation[2], actor="test")
            except services.InvalidTransition:
                pass
        elif kind == "delete_offline":
            gifts = [p for p in pledges if p.source != Pledge.Source.ONLINE]
            if gifts:
                gift = gifts[index % len(gifts)]
                pledges.remove(gift)
                Pledge.objects.get(pk=gift.pk).delete()
        elif kind.startswith("release"):
            getattr(matching, kind)(pages[index].translation_key)


@settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(operations=OPERATIONS)
def test_random_ledger_changes_keep_the_rows_equal_to_the_rebuild(campaigns, operations):
    pages, english = campaigns
    for cache in caches.all():
        cache.clear()
    try:
        with transaction.atomic():
            play(operations, pages, english)
            assert totals.differences() == {}
            assert totals.stored() == totals.compute()
            for page in [*pages, english]:
                figures = ledger.campaign_figures(CampaignPage.objects.get(pk=page.pk))
                counted = Pledge.objects.filter(
                    campaign__translation_key=page.translation_key, status__in=[S.COMMITTED, S.ACTION_REQUIRED, S.PAID]
                )
                matched = MatchAllocation.objects.filter(pledge__in=counted, released=False)
                assert figures.backers == counted.count()
                assert figures.crowd_cents == sum(counted.values_list("amount_cents", flat=True))
                assert figures.matched_cents == sum(matched.values_list("amount_cents", flat=True))
            assert totals.rebuild() == 0
            raise _Rollback
    except _Rollback:
        pass


# Under real concurrency (PostgreSQL) ----------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_changes_of_one_campaign_lose_no_increment(make_campaign):
    """Twenty offline gifts recorded at once on a campaign without a row (they race to create it),
    and twenty pending pledges committed at once with matching: the row equals the rebuild."""
    campaign = make_campaign()
    offer(campaign, ratio=Decimal("0.5"))

    def gift(i):
        return offline(campaign, 100 + i).pk

    def commit(pk):
        return services.transition(pk, S.COMMITTED, actor="test").pk

    gifts, errors = run_together(20, gift)
    assert errors == {} and len(gifts) == 20
    pending = [online(campaign, 1000 + i).pk for i in range(20)]
    committed, errors = run_together(20, lambda i: commit(pending[i]))
    assert errors == {} and len(committed) == 20
    crowd = sum(100 + i for i in range(20)) + sum(1000 + i for i in range(20))
    matched = sum((100 + i) // 2 for i in range(20)) + sum((1000 + i) // 2 for i in range(20))
    assert row(campaign) == (crowd, 40, matched)
    assert totals.differences() == {}
