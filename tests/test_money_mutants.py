"""Tests written to kill mutants of the money code that survived the rest of the suite.

`make mutation` (docs/testing.md) mutates payments/ledger.py, services.py, closing.py,
matching.py, webhooks.py and rules.py one small change at a time and runs the money tests
against each change. A mutant that survives is either equivalent (no behaviour changes) or a
behaviour no test pinned down; each test below pins one such behaviour, and names it.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import User
from payments import closing, ledger, services
from payments.demo_gateway import DemoGateway
from payments.gateway import GatewayError
from payments.models import CampaignClosing, MatchAllocation, MatchingOffer, Pledge, PledgeEvent, Sponsor
from payments.rules import PledgeStatus as S
from tests.factories.projects import PledgeFactory

pytestmark = pytest.mark.django_db


def events(pledge):
    return list(PledgeEvent.objects.filter(pledge=pledge).values_list("from_status", "to_status", "actor", "note"))


class TestOfflineGiftAuditTrail:
    """`services.record_offline_gift`: the audit trail names the officer, cut to the column."""

    def gift(self, campaign, **kwargs):
        return PledgeFactory(campaign=campaign, status=S.PAID, source=Pledge.Source.CHEQUE, **kwargs)

    def test_the_officer_who_recorded_the_gift_is_the_actor(self, make_campaign):
        officer = User.objects.create_user(email="tresorerie@mairie.example.org", password="x")
        gift = self.gift(make_campaign())
        services.record_offline_gift(gift, officer)
        assert events(gift) == [("", S.PAID, "tresorerie@mairie.example.org", "offline gift")]

    def test_a_long_login_is_cut_to_forty_characters(self, make_campaign):
        login = "a-very-long-name-for-a-finance-officer@mairie.example.org"
        officer = User.objects.create_user(email=login, password="x")
        gift = self.gift(make_campaign())
        services.record_offline_gift(gift, officer)
        assert events(gift) == [("", S.PAID, login[:40], "offline gift")]

    def test_without_a_user_the_actor_is_admin(self, make_campaign):
        gift = self.gift(make_campaign())
        services.record_offline_gift(gift)
        assert events(gift) == [("", S.PAID, "admin", "offline gift")]

    def test_recording_twice_writes_one_event(self, make_campaign):
        gift = self.gift(make_campaign())
        services.record_offline_gift(gift)
        services.record_offline_gift(gift)
        assert len(events(gift)) == 1


def test_the_close_summary_lists_every_count_for_the_task_result(make_campaign):
    """`CloseSummary.as_dict` is the task's result: every field, by name."""
    campaign = make_campaign(starts_in=timedelta(days=-40), lasts=timedelta(days=30), goal=100)
    summary = closing.close_campaigns(now=timezone.now())
    assert summary.as_dict() == {
        "closed": [f"{campaign.pk}:failed"],
        "charged": 0,
        "action_required": 0,
        "cancelled": 0,
        "failed_after_grace": 0,
        "refunded": 0,
        "hand_refunds": [],
        "offline_gifts": 0,
        "waiting": 0,
        "errors": [],
    }


# Closing and cancelling: the audit trail, the summary and the errors, exactly -----------------

ENDED = {"starts_in": timedelta(days=-40), "lasts": timedelta(days=30)}
LONG_ACTOR = "finances-" + "x" * 150  # longer than both the event (40) and the closing (150) columns


class FailingDemoGateway(DemoGateway):
    """The demo gateway with a provider that refuses (`GatewayError`) or answers nothing: the
    failures a real provider may have, which the demo gateway never shows."""

    def __init__(self, *, release=None, refund="demo"):
        self.release, self.refund_answer = release, refund

    def release_card(self, pledge):
        if self.release:
            raise GatewayError(self.release)
        return None

    def refund(self, pledge):
        if self.refund_answer == "demo":
            return super().refund(pledge)
        if isinstance(self.refund_answer, Exception):
            raise self.refund_answer
        return self.refund_answer


def committed(campaign, amount=2500, **kwargs):
    pledge = PledgeFactory(campaign=campaign, amount_cents=amount, status=S.PENDING, provider="demo", **kwargs)
    return services.transition(pledge, S.COMMITTED, actor="test")


def paid(campaign, amount=2500, **kwargs):
    pledge = PledgeFactory(campaign=campaign, amount_cents=amount, status=S.PENDING, provider="demo", **kwargs)
    return services.transition(pledge, S.PAID, actor="test")


class TestFailedClose:
    def test_each_committed_pledge_is_cancelled_with_its_audit_line_and_email(self, make_campaign, mailoutbox):
        campaign = make_campaign(goal=100, **ENDED)
        pledge = committed(campaign)
        summary = closing.close_campaigns(gateway=DemoGateway())
        assert events(pledge)[-1] == (S.COMMITTED, S.CANCELLED, "system", "campaign failed: nobody charged")
        assert (summary.cancelled, summary.errors) == (1, [])
        assert [m.to for m in mailoutbox] == [[pledge.backer_email]]

    def test_a_card_the_provider_cannot_release_stays_committed_and_is_reported(self, make_campaign, mailoutbox):
        campaign = make_campaign(goal=100, **ENDED)
        pledge = committed(campaign)
        summary = closing.close_campaigns(gateway=FailingDemoGateway(release="provider down"))
        assert summary.errors == [f"pledge {pledge.pk}: card not released (provider down)"]
        assert summary.cancelled == 0
        assert Pledge.objects.get(pk=pledge.pk).status == S.COMMITTED
        assert mailoutbox == []


class TestCancellation:
    def test_every_pledge_is_settled_with_its_audit_line(self, make_campaign):
        campaign = make_campaign(goal=1000)
        online_paid = paid(campaign, payment_intent_id="demo_pi_1")
        waiting = committed(campaign)
        pending = PledgeFactory(campaign=campaign, status=S.PENDING, provider="demo")
        gifts = [
            PledgeFactory(campaign=campaign, status=S.PAID, source=Pledge.Source.CHEQUE, amount_cents=1000)
            for _ in range(2)
        ]

        summary = closing.cancel_campaign(campaign, actor=LONG_ACTOR, reason="Projet abandonné", gateway=DemoGateway())

        actor = LONG_ACTOR[:40]
        assert events(online_paid)[-1] == (S.PAID, S.REFUNDED, actor, "campaign cancelled: refunded")
        assert PledgeEvent.objects.filter(pledge=online_paid).last().data == {"refund_id": f"demo_re_{online_paid.pk}"}
        assert Pledge.objects.get(pk=online_paid.pk).refund_id == f"demo_re_{online_paid.pk}"
        assert events(waiting)[-1] == (S.COMMITTED, S.CANCELLED, actor, "campaign cancelled")
        assert events(pending)[-1] == (S.PENDING, S.CANCELLED, actor, "campaign cancelled")
        assert [Pledge.objects.get(pk=g.pk).status for g in gifts] == [S.PAID, S.PAID]
        assert (summary.refunded, summary.cancelled, summary.offline_gifts, summary.errors) == (1, 2, 2, [])
        closed = CampaignClosing.objects.get(campaign=campaign)
        assert (closed.outcome, closed.cancelled_by, closed.reason) == (
            "cancelled",
            LONG_ACTOR[:150],
            "Projet abandonné",
        )
        assert closed.finished_at is not None

    def test_a_paid_pledge_without_payment_id_is_noted_once_for_a_refund_by_hand(self, make_campaign):
        campaign = make_campaign(goal=1000)
        first, second = paid(campaign), paid(campaign)
        for _ in range(2):  # a re-run notes nothing more
            summary = closing.cancel_campaign(campaign, actor=LONG_ACTOR, reason="r", gateway=DemoGateway())
            assert summary.hand_refunds == [first.pk, second.pk]
        for pledge in (first, second):
            assert events(pledge)[1:] == [(S.PAID, S.PAID, LONG_ACTOR[:40], closing.HAND_REFUND_NOTE)]
            assert Pledge.objects.get(pk=pledge.pk).status == S.PAID

    @pytest.mark.parametrize(
        "answer, error",
        [
            (GatewayError("refused"), "refund failed (refused)"),
            (None, "the provider returned no refund"),
            ("", "the provider returned no refund"),
        ],
    )
    def test_a_refund_the_provider_does_not_make_leaves_the_pledge_paid(self, make_campaign, answer, error):
        campaign = make_campaign(goal=1000)
        pledge = paid(campaign, payment_intent_id="pi_1")
        summary = closing.cancel_campaign(
            campaign, actor="finances", reason="r", gateway=FailingDemoGateway(refund=answer)
        )
        assert summary.errors == [f"pledge {pledge.pk}: {error}"]
        stored = Pledge.objects.get(pk=pledge.pk)
        assert (stored.status, stored.refund_id) == (S.PAID, "")
        assert CampaignClosing.objects.get(campaign=campaign).finished_at is None

    def test_a_card_the_provider_cannot_release_is_reported_and_the_closing_left_open(self, make_campaign):
        campaign = make_campaign(goal=1000)
        pledge = committed(campaign)
        summary = closing.cancel_campaign(
            campaign, actor="finances", reason="r", gateway=FailingDemoGateway(release="provider down")
        )
        assert summary.errors == [f"pledge {pledge.pk}: card not released (provider down)"]
        assert Pledge.objects.get(pk=pledge.pk).status == S.COMMITTED
        assert CampaignClosing.objects.get(campaign=campaign).finished_at is None

    def test_cancelling_a_closed_campaign_records_who_and_why(self, make_campaign):
        campaign = make_campaign(goal=1000, **ENDED)
        closing.close_campaigns(gateway=DemoGateway())
        assert CampaignClosing.objects.get(campaign=campaign).outcome == "failed"
        closing.cancel_campaign(campaign, actor=LONG_ACTOR, reason="Erreur de saisie", gateway=DemoGateway())
        closed = CampaignClosing.objects.get(campaign=campaign)
        assert (closed.outcome, closed.cancelled_by, closed.reason) == (
            "cancelled",
            LONG_ACTOR[:150],
            "Erreur de saisie",
        )
        assert closed.finished_at is not None

    @pytest.mark.parametrize("reason", ["", "   ", None])
    def test_a_cancellation_needs_a_reason(self, make_campaign, reason):
        campaign = make_campaign()
        with pytest.raises(ValueError, match=r"^A cancellation needs a reason\.$"):
            closing.cancel_campaign(campaign, actor="finances", reason=reason, gateway=DemoGateway())
        assert not CampaignClosing.objects.exists()

    def test_only_the_cancelled_campaigns_matching_is_released(self, make_campaign, theme):
        cancelled, other = make_campaign(themes=[theme]), make_campaign(themes=[theme])
        MatchingOffer.objects.create(
            sponsor=Sponsor.objects.create(name="Mairie"),
            scope=MatchingOffer.Scope.THEME,
            theme=theme,
            ratio=Decimal("1"),
            envelope_cents=100_000,
        )
        kept = committed(other, 1000)
        gift = PledgeFactory(campaign=cancelled, status=S.PAID, source=Pledge.Source.CHEQUE, amount_cents=1000)
        services.record_offline_gift(gift)
        closing.cancel_campaign(cancelled, actor="finances", reason="r", gateway=DemoGateway())
        assert sorted(MatchAllocation.objects.values_list("pledge_id", "released")) == sorted(
            [(kept.pk, False), (gift.pk, True)]
        )

    def test_pledges_already_settled_need_no_provider(self, make_campaign, settings):
        """Stripe is not configured here: a cancelled Stripe pledge, and a paid one whose refund
        id was stored before a crash, need no call to Stripe, so the cancellation goes on."""
        settings.STRIPE_SECRET_KEY = ""
        campaign = make_campaign(goal=1000)
        PledgeFactory(campaign=campaign, status=S.CANCELLED, provider="stripe")
        refunded_before_crash = PledgeFactory(
            campaign=campaign, status=S.PAID, provider="stripe", payment_intent_id="pi_1", refund_id="re_1"
        )
        summary = closing.cancel_campaign(campaign, actor="finances", reason="r")
        assert (summary.refunded, summary.errors) == (1, [])
        assert Pledge.objects.get(pk=refunded_before_crash.pk).status == S.REFUNDED


# Checkout holds -----------------------------------------------------------------------------


class TestCheckoutExpiresAt:
    def test_a_pledge_without_a_hold_gets_one_from_its_creation(self, make_campaign):
        campaign = make_campaign()
        rules_ = services.platform_rules(campaign)
        rules_.pending_checkout_minutes = 20
        rules_.save()
        pledge = PledgeFactory(campaign=campaign, status=S.PENDING, expires_at=None)
        other = PledgeFactory(campaign=campaign, status=S.PENDING, expires_at=None)
        expected = pledge.created_at + timedelta(minutes=20)
        assert services.checkout_expires_at(pledge) == expected
        assert pledge.expires_at == expected
        assert Pledge.objects.get(pk=pledge.pk).expires_at == expected
        assert Pledge.objects.get(pk=other.pk).expires_at is None

    def test_a_later_checkout_end_extends_the_hold_of_a_pending_pledge_only(self, make_campaign):
        campaign = make_campaign()
        now = timezone.now()
        pending = PledgeFactory(campaign=campaign, status=S.PENDING, expires_at=now)
        later = now + timedelta(minutes=31)
        assert services.checkout_expires_at(pending, at_least=now - timedelta(minutes=1)) == now
        assert services.checkout_expires_at(pending, at_least=later) == later
        assert Pledge.objects.get(pk=pending.pk).expires_at == later
        done = PledgeFactory(campaign=campaign, status=S.COMMITTED, expires_at=now)
        services.checkout_expires_at(done, at_least=later)
        assert Pledge.objects.get(pk=done.pk).expires_at == now


def test_an_amount_is_reached_from_its_exact_cent():
    """`CampaignFigures.reached` (stretch goals): the crowd and the matching together, `>=`."""
    now = timezone.now()
    figures = ledger.figures(10_000, now - timedelta(days=1), now + timedelta(days=1), 6_000, 2, now, 2_000)
    assert (figures.raised_cents, figures.reached(8_000), figures.reached(8_001)) == (8_000, True, False)
