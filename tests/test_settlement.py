"""Settlement follows the pledge: each pledge is charged, released and refunded by the provider
recorded on it, never by the site's default; a provider not configured here stops the run
before anything changes. Also: demo payments are an explicit choice (setting and deploy check),
cancelling a campaign, the sponsors' "only if the campaign succeeds", failure after the grace
period, and emails enqueued in the transaction of their change of state.

Stand-ins: `Spy` is the demo gateway recording its calls. Where it stands in for Stripe it is
passed through the closing's `gateways` overrides (the seam for tests): these tests are about
which provider is asked, not about Stripe's API, which tests/stripe/ exercises on localstripe.
"""

import subprocess
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError, SystemCheckError
from django.db import connections
from django.test import override_settings
from django.utils import timezone

from payments import closing, emails, matching, reports, services
from payments.checks import check_payment_provider
from payments.demo_gateway import DemoGateway
from payments.gateway import ChargeResult, ProviderUnavailable, provider_name
from payments.models import CampaignClosing, MatchAllocation, MatchingOffer, Pledge, PledgeEvent, Sponsor
from payments.providers import get_gateway
from payments.rules import CampaignStatus, FundingModel
from payments.rules import PledgeStatus as S
from payments.stripe_gateway import StripeGateway
from tests.factories.projects import PledgeFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
ENDED = {"starts_in": timedelta(days=-40), "lasts": timedelta(days=30)}
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EMAIL_TASK = "coupdepouce.tasks.send_email_task"


class Spy(DemoGateway):
    """The demo gateway, recording every call. As "stripe", it answers like Stripe's gateway:
    `pi_…` payment ids and a Refund object (with `.id`) for a refund."""

    def __init__(self, name="demo"):
        self.name = name
        self.charges, self.released, self.refunded = [], [], []

    def charge_saved_card(self, pledge, *, attempt, application_fee_cents, destination=""):
        self.charges.append(pledge.pk)
        if self.name == "stripe":
            return ChargeResult(ChargeResult.SUCCEEDED, f"pi_{pledge.pk}")
        return super().charge_saved_card(
            pledge, attempt=attempt, application_fee_cents=application_fee_cents, destination=destination
        )

    def release_card(self, pledge):
        self.released.append(pledge.pk)

    def refund(self, pledge):
        self.refunded.append(pledge.pk)
        if self.name == "stripe":
            return SimpleNamespace(id=f"re_{pledge.pk}", object="refund")
        return super().refund(pledge)


def pledge(campaign, provider, status=S.COMMITTED, **kwargs):
    kwargs.setdefault("payment_method_id", "pm_card_visa" if provider == "stripe" else "demo_pm_4242424242424242")
    kwargs.setdefault("amount_cents", 6000)
    return PledgeFactory(
        campaign=campaign,
        status=status,
        provider=provider,
        funding_model=campaign.funding_model,
        customer_id="cus_1" if provider == "stripe" else "",
        **kwargs,
    )


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


@pytest.fixture
def no_stripe(settings):
    """The run's environment has no Stripe key (a thin cron environment); demo payments allowed."""
    settings.STRIPE_SECRET_KEY = ""
    settings.PAYMENTS_DEMO_MODE = True


@pytest.fixture
def production_like(settings):
    """Stripe configured, demo payments not allowed: the site's default provider is Stripe."""
    settings.STRIPE_SECRET_KEY = "sk_test_configured"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_configured"
    settings.PAYMENTS_DEMO_MODE = False


@pytest.fixture
def run_command(monkeypatch):
    """Run `manage.py close_campaigns ARGS` as the shell does, in this process; return its exit
    code. `run_from_argv` closes the database connections at its end, which would end the
    test's transaction on PostgreSQL: that one call is turned off."""
    monkeypatch.setattr(connections, "close_all", lambda: None)

    def run(*args):
        try:
            ManagementUtility(["manage.py", "close_campaigns", *args]).execute()
        except SystemExit as exit_:
            return exit_.code
        return 0

    return run


# Providers ---------------------------------------------------------------------------------


class TestProviders:
    def test_new_pledges_use_stripe_then_demo_only_by_choice(self, settings):
        settings.STRIPE_SECRET_KEY, settings.PAYMENTS_DEMO_MODE = "sk_test_x", True
        assert provider_name() == "stripe"
        settings.STRIPE_SECRET_KEY = ""
        assert provider_name() == "demo"
        settings.PAYMENTS_DEMO_MODE = False
        with pytest.raises(ProviderUnavailable) as error:
            provider_name()
        assert str(error.value) == (
            "no payment provider: set STRIPE_SECRET_KEY, or PAYMENTS_DEMO_MODE for demo payments"
        )

    def test_get_gateway_gives_only_configured_providers(self, settings):
        settings.STRIPE_SECRET_KEY, settings.PAYMENTS_DEMO_MODE = "", True
        assert type(get_gateway("demo")) is DemoGateway
        with pytest.raises(ProviderUnavailable) as error:
            get_gateway("stripe")
        assert str(error.value) == "stripe: STRIPE_SECRET_KEY is not set"

        settings.STRIPE_SECRET_KEY, settings.PAYMENTS_DEMO_MODE = "sk_test_x", False
        assert type(get_gateway("stripe")) is StripeGateway
        with pytest.raises(ProviderUnavailable) as error:
            get_gateway("demo")
        assert str(error.value) == "demo: demo payments are not allowed here (PAYMENTS_DEMO_MODE is off)"
        with pytest.raises(ProviderUnavailable) as error:
            get_gateway("paypal")
        assert str(error.value) == "paypal: unknown payment provider"

    def test_demo_refunds_have_an_id(self, make_campaign):
        paid = pledge(make_campaign(), "demo", S.PAID)
        assert DemoGateway().refund(paid) == f"demo_re_{paid.pk}"


# The close refuses to settle through a provider that is not configured -------------------


class TestCloseNeedsEachPledgesProvider:
    def test_stripe_pledges_are_not_settled_by_the_demo_gateway(self, make_campaign, no_stripe):
        """The issue's scenario: a close run without STRIPE_SECRET_KEY."""
        campaign = make_campaign(goal=100, **ENDED)
        stripe_pledges = [pledge(campaign, "stripe"), pledge(campaign, "stripe")]
        events = PledgeEvent.objects.count()

        with pytest.raises(ProviderUnavailable) as error:
            closing.close_campaigns()

        ids = ", ".join(str(p.pk) for p in stripe_pledges)
        assert str(error.value) == f"stripe: STRIPE_SECRET_KEY is not set (pledges {ids}). Nothing was changed."
        for p in stripe_pledges:
            p = fresh(p)
            assert (p.status, p.charge_attempts, p.payment_intent_id) == (S.COMMITTED, 0, "")
        assert not Pledge.objects.filter(payment_intent_id__startswith="demo_pi_").exists()
        assert mail.outbox == []
        assert not CampaignClosing.objects.filter(campaign=campaign).exists()
        assert PledgeEvent.objects.count() == events

    def test_the_command_fails_loudly(self, make_campaign, no_stripe, capsys, run_command):
        campaign = make_campaign(goal=100, **ENDED)
        stuck = pledge(campaign, "stripe")

        assert run_command() == 1
        assert capsys.readouterr().err == (
            "CommandError: payment provider not available, nothing was changed: stripe: STRIPE_SECRET_KEY is "
            f"not set (pledges {stuck.pk}). Nothing was changed.\n"
        )
        assert fresh(stuck).status == S.COMMITTED
        assert not CampaignClosing.objects.filter(campaign=campaign).exists()

    def test_a_failed_campaign_is_not_released_through_another_provider(self, make_campaign, no_stripe):
        campaign = make_campaign(goal=10_000, **ENDED)
        waiting = [pledge(campaign, "stripe"), pledge(campaign, "demo", S.ACTION_REQUIRED)]
        with pytest.raises(ProviderUnavailable):
            closing.close_campaign(campaign)
        assert [fresh(p).status for p in waiting] == [S.COMMITTED, S.ACTION_REQUIRED]
        assert not CampaignClosing.objects.exists() and mail.outbox == []

    def test_nothing_changes_when_only_the_grace_period_needs_the_provider(self, make_campaign, no_stripe):
        """A campaign that can close and a Stripe pledge past its grace period: the whole run refuses."""
        closable = make_campaign(goal=10, **ENDED)
        demo = pledge(closable, "demo")
        overdue = pledge(
            make_campaign(**ENDED), "stripe", S.ACTION_REQUIRED, action_required_at=timezone.now() - timedelta(days=30)
        )
        with pytest.raises(ProviderUnavailable):
            closing.close_campaigns()
        assert (fresh(demo).status, fresh(overdue).status) == (S.COMMITTED, S.ACTION_REQUIRED)
        assert not CampaignClosing.objects.exists() and mail.outbox == []

    def test_demo_pledges_are_refused_where_demo_payments_are_off(self, make_campaign, production_like):
        """Stripe is the site's default here: demo pledges are not "charged" through it, nor faked."""
        campaign = make_campaign(goal=10, **ENDED)
        demo = pledge(campaign, "demo")
        with pytest.raises(ProviderUnavailable) as error:
            closing.close_campaigns()
        assert str(error.value) == (
            "demo: demo payments are not allowed here (PAYMENTS_DEMO_MODE is off) "
            f"(pledges {demo.pk}). Nothing was changed."
        )
        assert fresh(demo).status == S.COMMITTED

    def test_each_pledge_is_charged_by_its_own_provider(self, make_campaign, production_like, settings):
        settings.PAYMENTS_DEMO_MODE = True
        campaign = make_campaign(goal=100, **ENDED)
        by_stripe, by_demo = pledge(campaign, "stripe"), pledge(campaign, "demo")
        stripe_spy = Spy("stripe")

        summary = closing.close_campaigns(gateways={"stripe": stripe_spy})

        assert summary.charged == 2 and summary.errors == []
        assert stripe_spy.charges == [by_stripe.pk]
        assert fresh(by_stripe).payment_intent_id == f"pi_{by_stripe.pk}"
        assert fresh(by_demo).payment_intent_id == f"demo_pi_{by_demo.pk}"  # the real demo gateway
        assert {fresh(by_stripe).status, fresh(by_demo).status} == {S.PAID}


# Charging once -----------------------------------------------------------------------------


class TestChargeOnce:
    def test_a_paid_pledge_is_never_charged_again(self, make_campaign):
        campaign = make_campaign(goal=10, **ENDED)
        paid = pledge(campaign, "demo", S.PAID, payment_intent_id="demo_pi_x")
        closing.freeze_outcome(campaign)
        spy = Spy()
        assert closing.charge_pledge(paid.pk, gateway=spy, rate=Decimal("5"), destination="") is None
        assert spy.charges == [] and mail.outbox == []
        assert fresh(paid).charge_attempts == 0

    def test_two_runs_at_once_charge_and_email_each_pledge_once(self, make_campaign):
        """While the first run waits for the provider on its first charge, a second run goes
        through the whole close: it leaves the claimed pledge alone."""
        campaign = make_campaign(goal=100, **ENDED)
        pledges = [pledge(campaign, "demo") for _ in range(3)]
        inner = {}

        class SlowFirstCharge(Spy):
            def charge_saved_card(self, pledge, **kwargs):
                if not inner:
                    inner["summary"] = None
                    inner["summary"] = closing.close_campaigns(gateway=self)
                return super().charge_saved_card(pledge, **kwargs)

        spy = SlowFirstCharge()
        outer = closing.close_campaigns(gateway=spy)

        assert sorted(spy.charges) == sorted(p.pk for p in pledges)  # one charge each
        assert inner["summary"].waiting == 1 and inner["summary"].charged == 2
        assert inner["summary"].closed == []  # the claimed pledge was still being charged
        assert outer.charged == 1 and outer.closed == [f"{campaign.pk}:{CampaignStatus.SUCCEEDED}"]
        assert sorted(m.to[0] for m in mail.outbox) == sorted(p.backer_email for p in pledges)
        assert {fresh(p).status for p in pledges} == {S.PAID}
        assert CampaignClosing.objects.get(campaign=campaign).finished_at is not None

    def test_a_cancelled_campaign_stops_charges_not_yet_claimed(self, make_campaign):
        campaign = make_campaign(goal=10, **ENDED)
        waiting = pledge(campaign, "demo")
        closing.freeze_outcome(campaign)
        CampaignClosing.objects.filter(campaign=campaign).update(outcome=CampaignStatus.CANCELLED)
        spy = Spy()
        assert closing.charge_pledge(waiting.pk, gateway=spy, rate=Decimal("5"), destination="") is None
        assert spy.charges == [] and fresh(waiting).charge_attempts == 0


# Failure after the grace period ------------------------------------------------------------


class TestFailAfterGrace:
    def overdue(self, make_campaign, provider="demo", language="fr"):
        campaign = make_campaign(goal=100, title="Jardin partagé", **ENDED)
        return pledge(
            campaign,
            provider,
            S.ACTION_REQUIRED,
            language=language,
            charge_attempts=1,
            action_required_at=timezone.now() - timedelta(days=8),
        )

    def test_the_backer_is_told_and_the_card_released_by_its_provider(self, make_campaign, production_like):
        stuck = self.overdue(make_campaign, "stripe")
        stripe_spy = Spy("stripe")

        assert closing.fail_after_grace(gateways={"stripe": stripe_spy}) == 1

        assert fresh(stuck).status == S.FAILED
        assert stripe_spy.released == [stuck.pk]
        [message] = mail.outbox
        assert message.to == [stuck.backer_email]
        assert message.subject == "Votre promesse de don à « Jardin partagé » n'a pas pu être payée"
        assert "n'a pas été finalisé à temps : votre promesse de don est donc annulée." in message.body
        assert "Vous n'avez pas été débité" in message.body

    def test_the_email_is_in_the_backers_language(self, make_campaign):
        stuck = self.overdue(make_campaign, language="en")
        closing.fail_after_grace(gateway=Spy())
        [message] = mail.outbox
        assert message.subject == "Your pledge to “Jardin partagé” could not be paid"
        assert "was not completed in time, so your pledge has been cancelled." in message.body
        assert fresh(stuck).status == S.FAILED

    @override_settings(TASKS=DB_TASKS)
    def test_a_crash_after_the_change_rolls_it_back_and_one_email_is_queued(self, make_campaign, monkeypatch):
        from django_tasks_db.models import DBTaskResult

        stuck = self.overdue(make_campaign)
        send = emails.send_payment_failed

        def crash(moved):
            send(moved)
            raise RuntimeError("worker killed right after the change")

        monkeypatch.setattr(emails, "send_payment_failed", crash)
        summary = closing.CloseSummary()
        assert closing.fail_after_grace(summary=summary, gateway=Spy()) == 0
        assert summary.errors == [f"pledge {stuck.pk}: worker killed right after the change"]
        assert fresh(stuck).status == S.ACTION_REQUIRED
        assert not PledgeEvent.objects.filter(pledge=stuck, to_status=S.FAILED).exists()
        assert DBTaskResult.objects.filter(task_path=EMAIL_TASK).count() == 0

        monkeypatch.setattr(emails, "send_payment_failed", send)
        assert closing.fail_after_grace(gateway=Spy()) == 1
        assert fresh(stuck).status == S.FAILED
        [queued] = DBTaskResult.objects.filter(task_path=EMAIL_TASK)
        assert queued.args_kwargs["kwargs"]["to"] == [stuck.backer_email]
        assert mail.outbox == []  # queued for the worker, not sent here

    @override_settings(TASKS=DB_TASKS)
    def test_a_charge_at_the_close_queues_exactly_one_email(self, make_campaign):
        from django_tasks_db.models import DBTaskResult

        campaign = make_campaign(goal=10, **ENDED)
        charged = pledge(campaign, "demo")
        closing.close_campaigns(gateway=Spy())
        closing.close_campaigns(gateway=Spy())
        assert fresh(charged).status == S.PAID
        [queued] = DBTaskResult.objects.filter(task_path=EMAIL_TASK)
        assert queued.args_kwargs["kwargs"]["to"] == [charged.backer_email]


# Cancelling a campaign ---------------------------------------------------------------------


class TestCancel:
    def test_pledges_stop_before_any_refund(self, make_campaign):
        campaign = make_campaign(goal=100, funding_model=FundingModel.KEEP_IT_ALL)
        paid = pledge(campaign, "demo", S.PAID, payment_intent_id="demo_pi_1")
        assert services.campaign_takes_pledges(campaign) is True
        seen = []

        class Watching(Spy):
            def refund(self, pledge):
                seen.append(services.campaign_takes_pledges(campaign))
                return super().refund(pledge)

        summary = closing.cancel_campaign(campaign, actor="finances", reason="Projet abandonné", gateway=Watching())
        assert seen == [False]
        assert summary.refunded == 1 and fresh(paid).status == S.REFUNDED
        assert services.campaign_takes_pledges(campaign) is False

    def test_all_or_nothing_pledges_are_cancelled_and_cards_released_by_their_provider(
        self, make_campaign, production_like, settings
    ):
        settings.PAYMENTS_DEMO_MODE = True
        campaign = make_campaign(goal=100, title="Jardin partagé")
        committed = pledge(campaign, "stripe")
        needs_action = pledge(campaign, "demo", S.ACTION_REQUIRED, charge_attempts=1)
        pending = pledge(campaign, "stripe", S.PENDING, payment_method_id="")
        stripe_spy, demo_spy = Spy("stripe"), Spy()

        summary = closing.cancel_campaign(
            campaign, actor="finances", reason="Terrain indisponible", gateways={"stripe": stripe_spy, "demo": demo_spy}
        )

        assert summary.cancelled == 3 and summary.errors == [] and summary.refunded == 0
        assert {fresh(p).status for p in (committed, needs_action, pending)} == {S.CANCELLED}
        assert stripe_spy.released == [committed.pk, pending.pk] and demo_spy.released == [needs_action.pk]
        assert stripe_spy.charges == stripe_spy.refunded == demo_spy.refunded == []
        # The backers who had given a card are told; the unfinished checkout is not.
        assert sorted(m.to[0] for m in mail.outbox) == sorted([committed.backer_email, needs_action.backer_email])
        assert {m.subject for m in mail.outbox} == {"La collecte « Jardin partagé » a été annulée"}
        closed = CampaignClosing.objects.get(campaign=campaign)
        assert (closed.outcome, closed.reason, closed.finished_at is not None) == (
            CampaignStatus.CANCELLED,
            "Terrain indisponible",
            True,
        )

    def test_refund_id_is_kept_and_a_retry_days_later_does_not_refund_again(self, make_campaign, monkeypatch):
        campaign = make_campaign(goal=100, funding_model=FundingModel.KEEP_IT_ALL)
        paid = pledge(campaign, "stripe", S.PAID, payment_intent_id="pi_paid")
        stripe_spy = Spy("stripe")
        send = emails.send_refund

        def crash(moved):
            raise RuntimeError("killed after the refund")

        monkeypatch.setattr(emails, "send_refund", crash)
        summary = closing.cancel_campaign(campaign, actor="finances", reason="r", gateways={"stripe": stripe_spy})
        assert summary.errors == [f"pledge {paid.pk}: killed after the refund"]
        assert stripe_spy.refunded == [paid.pk]
        assert (fresh(paid).status, fresh(paid).refund_id) == (S.PAID, f"re_{paid.pk}")
        assert CampaignClosing.objects.get(campaign=campaign).finished_at is None

        # A day later, Stripe's idempotency key has expired: the stored id says it was refunded.
        monkeypatch.setattr(emails, "send_refund", send)
        again = Spy("stripe")
        summary = closing.cancel_campaign(campaign, actor="finances", reason="r", gateways={"stripe": again})
        assert again.refunded == [] and summary.refunded == 1 and summary.errors == []
        assert (fresh(paid).status, fresh(paid).refund_id) == (S.REFUNDED, f"re_{paid.pk}")
        event = PledgeEvent.objects.get(pledge=paid, to_status=S.REFUNDED)
        assert event.data == {"refund_id": f"re_{paid.pk}"}
        assert [m.to for m in mail.outbox] == [[paid.backer_email]]

    def test_a_paid_pledge_without_payment_id_is_left_for_a_hand_refund(self, make_campaign):
        campaign = make_campaign(goal=100, funding_model=FundingModel.KEEP_IT_ALL)
        orphan = pledge(campaign, "demo", S.PAID, payment_intent_id="")
        spy = Spy()

        summary = closing.cancel_campaign(campaign, actor="finances", reason="r", gateway=spy)
        closing.cancel_campaign(campaign, actor="finances", reason="r", gateway=spy)

        assert spy.refunded == [] and summary.refunded == 0
        assert summary.hand_refunds == [orphan.pk]
        assert fresh(orphan).status == S.PAID and fresh(orphan).refund_id == ""
        notes = PledgeEvent.objects.filter(pledge=orphan, note=closing.HAND_REFUND_NOTE)
        assert list(notes.values_list("from_status", "to_status")) == [(S.PAID, S.PAID)]  # noted once
        assert mail.outbox == []

    def test_a_closed_campaign_can_be_cancelled_and_its_charges_refunded(self, make_campaign):
        campaign = make_campaign(goal=100, **ENDED)
        backers = [pledge(campaign, "demo"), pledge(campaign, "demo")]
        closing.close_campaigns(gateway=Spy())
        assert {fresh(p).status for p in backers} == {S.PAID}

        spy = Spy()
        summary = closing.cancel_campaign(campaign, actor="finances", reason="Fraude", gateway=spy)
        assert sorted(spy.refunded) == sorted(p.pk for p in backers) and summary.refunded == 2
        assert {fresh(p).status for p in backers} == {S.REFUNDED}
        closed = CampaignClosing.objects.get(campaign=campaign)
        assert (closed.outcome, closed.cancelled_by, closed.finished_at is not None) == (
            CampaignStatus.CANCELLED,
            "finances",
            True,
        )

    def test_a_charge_sent_but_not_recorded_is_not_cancelled_blindly(self, make_campaign):
        campaign = make_campaign(goal=100, **ENDED)
        in_flight = pledge(campaign, "demo", charge_attempts=1)
        closing.freeze_outcome(campaign)
        summary = closing.cancel_campaign(campaign, actor="finances", reason="r", gateway=Spy())
        assert summary.errors == [
            f"pledge {in_flight.pk}: a charge was sent at the close and its result is not recorded yet; "
            "re-run the cancellation later (a paid pledge is then refunded)"
        ]
        assert fresh(in_flight).status == S.COMMITTED
        assert CampaignClosing.objects.get(campaign=campaign).finished_at is None

    def test_no_provider_no_change(self, make_campaign, no_stripe):
        campaign = make_campaign(goal=100, funding_model=FundingModel.KEEP_IT_ALL)
        paid = pledge(campaign, "stripe", S.PAID, payment_intent_id="pi_paid")
        with pytest.raises(ProviderUnavailable):
            closing.cancel_campaign(campaign, actor="finances", reason="r")
        assert not CampaignClosing.objects.exists()
        assert services.campaign_takes_pledges(campaign) is True
        assert fresh(paid).status == S.PAID

    def test_a_reason_is_required(self, make_campaign):
        campaign = make_campaign()
        with pytest.raises(ValueError, match="A cancellation needs a reason."):
            closing.cancel_campaign(campaign, actor="finances", reason="  ")
        assert not CampaignClosing.objects.exists()


class TestCancelCommand:
    def test_cancel_refunds_and_exits_zero(self, make_campaign, capsys, run_command):
        campaign = make_campaign(goal=100, funding_model=FundingModel.KEEP_IT_ALL)
        paid = pledge(campaign, "demo", S.PAID, payment_intent_id="demo_pi_1")

        assert run_command("--cancel", str(campaign.pk), "--reason", "Projet abandonné") == 0

        out = capsys.readouterr()
        assert out.err == ""
        assert out.out.splitlines() == [
            f"cancelled {campaign.pk} ({campaign.title})",
            f"closed {campaign.pk}:cancelled",
            "charged 0, action required 0, cancelled 0, failed after grace 0, refunded 1",
        ]
        assert (fresh(paid).status, fresh(paid).refund_id) == (S.REFUNDED, f"demo_re_{paid.pk}")
        closed = CampaignClosing.objects.get(campaign=campaign)
        assert (closed.cancelled_by, closed.reason) == ("command", "Projet abandonné")

    def test_hand_refunds_exit_non_zero(self, make_campaign, capsys, run_command):
        campaign = make_campaign(goal=100, funding_model=FundingModel.KEEP_IT_ALL)
        orphan = pledge(campaign, "demo", S.PAID, payment_intent_id="")
        assert run_command("--cancel", str(campaign.pk), "--reason", "r") == 1
        assert capsys.readouterr().err == (
            f"to refund by hand (no payment id): pledges {orphan.pk}\n"
            "CommandError: 1 pledges need attention (see above); a re-run resumes what failed.\n"
        )

    def test_a_reason_and_a_campaign_are_required(self, make_campaign):
        campaign = make_campaign()
        with pytest.raises(CommandError) as error:
            call_command("close_campaigns", "--cancel", str(campaign.pk))
        assert str(error.value) == '--cancel needs --reason "…" (kept with the campaign\'s closing).'
        with pytest.raises(CommandError) as error:
            call_command("close_campaigns", "--cancel", "999999", "--reason", "r")
        assert str(error.value) == "no campaign with page id 999999"
        assert not CampaignClosing.objects.exists()

    def test_close_errors_exit_non_zero(self, make_campaign, capsys, monkeypatch, run_command):
        campaign = make_campaign(goal=10, **ENDED)
        pledge(campaign, "demo")

        def unreachable(self, pledge, **kwargs):
            raise RuntimeError("provider unreachable")

        monkeypatch.setattr(DemoGateway, "charge_saved_card", unreachable)
        assert run_command() == 1
        # (The logged traceback comes first.)
        assert capsys.readouterr().err.splitlines()[-2:] == [
            f"error: {campaign.pk}: provider unreachable",
            "CommandError: 1 pledges need attention (see above); a re-run resumes what failed.",
        ]


# Sponsors who pay only if the campaign succeeds --------------------------------------------


class TestOnlyOnSuccess:
    @pytest.fixture
    def offers(self):
        def _make(campaign):
            conditional = MatchingOffer.objects.create(
                sponsor=Sponsor.objects.create(name="Fondation"),
                campaign=campaign,
                ratio=1,
                envelope_cents=100_000,
                only_on_success=True,
            )
            firm = MatchingOffer.objects.create(
                sponsor=Sponsor.objects.create(name="Mairie"),
                campaign=campaign,
                ratio=Decimal("0.5"),
                envelope_cents=100_000,
                only_on_success=False,
            )
            return conditional, firm

        return _make

    def paid(self, campaign, amount):
        """A keep-it-all pledge paid through the services (which allocate the matching)."""
        made = PledgeFactory(campaign=campaign, amount_cents=amount, status=S.PENDING, provider="demo")
        return services.transition(made, S.PAID, actor="test", payment_intent_id=f"demo_pi_{made.pk}")

    def test_keep_it_all_failed_releases_only_the_conditional_offer(self, make_campaign, offers):
        campaign = make_campaign(goal=100, funding_model=FundingModel.KEEP_IT_ALL, **ENDED)
        conditional, firm = offers(campaign)
        self.paid(campaign, 2000)
        before = reports.campaign_report(campaign)
        assert before.matching == [
            {"sponsor": "Fondation", "amount_cents": 2000},
            {"sponsor": "Mairie", "amount_cents": 1000},
        ]

        closing.close_campaigns(gateway=Spy())

        assert CampaignClosing.objects.get(campaign=campaign).outcome == CampaignStatus.FAILED
        assert matching.offer_usage(conditional) == (0, 100_000)
        assert matching.offer_usage(firm) == (1000, 99_000)
        report = reports.campaign_report(campaign)
        assert report.matching == [{"sponsor": "Mairie", "amount_cents": 1000}]
        assert report.matched_cents == 1000
        assert type(campaign).objects.get(pk=campaign.pk).figures.matched_cents == 1000

    def test_keep_it_all_succeeded_keeps_every_offer(self, make_campaign, offers):
        campaign = make_campaign(goal=30, funding_model=FundingModel.KEEP_IT_ALL, **ENDED)
        offers(campaign)
        self.paid(campaign, 2000)
        closing.close_campaigns(gateway=Spy())
        assert CampaignClosing.objects.get(campaign=campaign).outcome == CampaignStatus.SUCCEEDED
        assert reports.campaign_report(campaign).matched_cents == 3000
        assert MatchAllocation.objects.filter(released=True).count() == 0

    def test_all_or_nothing_failed_releases_the_conditional_share_of_offline_gifts(self, make_campaign, offers):
        campaign = make_campaign(goal=100, **ENDED)
        offers(campaign)
        gift = PledgeFactory(campaign=campaign, amount_cents=2000, status=S.PAID, source=Pledge.Source.CHEQUE)
        services.record_offline_gift(gift)
        online = pledge(campaign, "demo", S.PENDING, amount_cents=1000)
        services.transition(online, S.COMMITTED, actor="test")

        closing.close_campaigns(gateway=Spy())

        assert fresh(online).status == S.CANCELLED
        assert list(
            MatchAllocation.objects.filter(released=False).values_list("pledge_id", "offer__sponsor__name")
        ) == [(gift.pk, "Mairie")]
        assert reports.campaign_report(campaign).matching == [{"sponsor": "Mairie", "amount_cents": 1000}]

    def test_a_cancelled_campaign_releases_every_offer(self, make_campaign, offers):
        campaign = make_campaign(goal=100, funding_model=FundingModel.KEEP_IT_ALL)
        offers(campaign)
        self.paid(campaign, 2000)
        gift = PledgeFactory(campaign=campaign, amount_cents=500, status=S.PAID, source=Pledge.Source.CHEQUE)
        services.record_offline_gift(gift)

        closing.cancel_campaign(campaign, actor="finances", reason="r", gateway=Spy())

        assert MatchAllocation.objects.filter(released=False).count() == 0
        report = reports.campaign_report(campaign)
        assert (report.matching, report.matched_cents) == ([], 0)


# Demo payments are an explicit choice: the deploy check -------------------------------------


class TestDeployCheck:
    @pytest.mark.parametrize(
        "debug, stripe_key, webhook_secret, demo, expected",
        [
            (False, "", "", False, ["payments.E001"]),
            (False, "", "", True, ["payments.W001"]),
            (False, "sk_live_x", "", False, ["payments.E002"]),
            (False, "sk_live_x", "whsec_x", False, []),
            (False, "sk_live_x", "whsec_x", True, ["payments.W001"]),
            (True, "", "", False, []),
            (True, "", "", True, []),
        ],
    )
    def test_payment_configuration(self, debug, stripe_key, webhook_secret, demo, expected):
        with override_settings(
            DEBUG=debug, STRIPE_SECRET_KEY=stripe_key, STRIPE_WEBHOOK_SECRET=webhook_secret, PAYMENTS_DEMO_MODE=demo
        ):
            assert [message.id for message in check_payment_provider()] == expected

    def test_the_warning_says_no_money_moves(self):
        with override_settings(DEBUG=False, STRIPE_SECRET_KEY="", PAYMENTS_DEMO_MODE=True):
            [warning] = check_payment_provider()
        assert warning.msg == "PAYMENTS_DEMO_MODE is on with DEBUG off: demo payments: no money moves."

    def test_check_deploy_fails_without_a_provider(self):
        with override_settings(DEBUG=False, STRIPE_SECRET_KEY="", PAYMENTS_DEMO_MODE=False):
            with pytest.raises(SystemCheckError) as error:
                call_command("check", "--deploy", "--tag", "payments")
        assert "payments.E001" in str(error.value)
        assert "No payment provider: STRIPE_SECRET_KEY is empty and PAYMENTS_DEMO_MODE is off." in str(error.value)
        with override_settings(
            DEBUG=False, STRIPE_SECRET_KEY="sk_live_x", STRIPE_WEBHOOK_SECRET="whsec_x", PAYMENTS_DEMO_MODE=False
        ):
            call_command("check", "--deploy", "--tag", "payments", "--fail-level", "WARNING")

    def test_production_settings_without_a_provider_fail_the_deploy_check(self, tmp_path):
        """The real production settings, in a fresh process (they read the environment at import)."""
        env = {
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "coupdepouce.settings.production",
            "DJANGO_SECRET_KEY": "x" * 60,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        }
        done = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--tag", "payments"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert done.returncode == 1
        assert "(payments.E001) No payment provider" in done.stderr
        done = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--tag", "payments", "--fail-level", "WARNING"],
            cwd=ROOT,
            env={**env, "STRIPE_SECRET_KEY": "sk_test_check", "STRIPE_WEBHOOK_SECRET": "whsec_check"},
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert (done.returncode, done.stderr) == (0, "")
