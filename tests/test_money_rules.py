"""Each money rule is written once, in `payments.rules`, and every caller asks it.

The tests replace a rule with a sentinel and check that each place that applies the rule
gives the sentinel's answer: a second copy of the rule (in the close, the report, the
views, the services, the templates) would keep its own answer and fail the test. A last
test checks that the raw values of statuses and funding models are spelled only there.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from payments import closing, connect, ledger, reports, rules, services
from payments.gateway import ChargeResult
from payments.models import CampaignClosing, PayoutAccount, Pledge
from payments.rules import COUNTED_STATUSES, CampaignStatus, FundingModel, PledgeStatus
from payments.services import PledgeError, PledgeRequest
from projects.models import RewardTier
from tests.factories.projects import PledgeFactory, RewardTierFactory

ROOT = Path(__file__).resolve().parent.parent
FIRST_PARTY = ["coupdepouce", "accounts", "payments", "calls", "projects", "themes", "home", "demo"]


class RecordingGateway:
    """Records what the close sends to the provider; every charge succeeds."""

    name = "demo"

    def __init__(self):
        self.charges = []

    def charge_saved_card(self, pledge, *, attempt, application_fee_cents, destination=""):
        self.charges.append((pledge.amount_cents, application_fee_cents, destination))
        return ChargeResult(ChargeResult.SUCCEEDED, f"pi_{pledge.pk}")

    def release_card(self, pledge):
        return None

    def refund(self, pledge):
        return None


@pytest.fixture
def ended_success(make_campaign):
    """An all-or-nothing campaign that ended having reached its goal with two committed pledges."""
    return make_campaign(starts_in=timedelta(days=-40), lasts=timedelta(days=30), goal=30, pledges=[2500, 1050])


# Commission -------------------------------------------------------------------------------------


def test_commission_rounds_half_up_in_integer_cents():
    assert rules.commission_cents(1050, "7.5") == 79  # 78.75
    assert rules.commission_cents(1150, 5) == 58  # 57.5 → up
    assert rules.commission_cents(3, 7) == 0
    assert isinstance(rules.commission_cents(2500, 7), int)


def test_the_close_and_the_report_use_the_commission_rule(ended_success, monkeypatch):
    monkeypatch.setattr(rules, "commission_cents", lambda amount_cents, rate: 4242)
    gateway = RecordingGateway()

    closing.close_campaign(ended_success, gateway=gateway)

    assert [fee for _amount, fee, _dest in gateway.charges] == [4242, 4242]
    assert reports.campaign_report(ended_success).commission_cents == 2 * 4242


# Payout eligibility ---------------------------------------------------------------------------


def test_payout_destination_requires_an_account_that_can_take_charges():
    assert rules.payout_destination(None) == ""
    assert rules.payout_destination(PayoutAccount(stripe_account_id="acct_1", charges_enabled=False)) == ""
    assert rules.payout_destination(PayoutAccount(stripe_account_id="", charges_enabled=True)) == ""
    assert rules.payout_destination(PayoutAccount(stripe_account_id="acct_1", charges_enabled=True)) == "acct_1"


def test_the_close_asks_the_payout_rule(ended_success, monkeypatch):
    PayoutAccount.objects.create(
        campaign_key=ended_success.translation_key, stripe_account_id="acct_not_ready", charges_enabled=False
    )
    gateway = RecordingGateway()
    closing.close_campaign(ended_success, gateway=gateway)
    # The account cannot take charges: the close sends nothing to it (checkout would not either).
    assert {dest for _amount, _fee, dest in gateway.charges} == {""}


def test_the_close_sends_to_what_the_rule_names(ended_success, monkeypatch):
    monkeypatch.setattr(rules, "payout_destination", lambda account: "acct_from_the_rule")
    gateway = RecordingGateway()
    closing.close_campaign(ended_success, gateway=gateway)
    assert {dest for _amount, _fee, dest in gateway.charges} == {"acct_from_the_rule"}


def test_the_payout_button_asks_the_payout_rule(make_campaign, monkeypatch):
    campaign = make_campaign()
    assert connect.can_take_charges(campaign) is False
    monkeypatch.setattr(rules, "payout_destination", lambda account: "acct_from_the_rule")
    assert connect.can_take_charges(campaign) is True


# Open to pledges ------------------------------------------------------------------------------


def test_open_to_pledges_between_start_and_end_when_published(make_campaign):
    now = timezone.now()
    campaign = make_campaign()
    assert rules.is_open_to_pledges(campaign, now)
    assert not rules.is_open_to_pledges(campaign, campaign.end_at)
    assert rules.is_open_to_pledges(campaign, campaign.start_at)
    campaign.live = False
    assert not rules.is_open_to_pledges(campaign, now)


def test_service_view_and_page_all_ask_the_open_rule(client, make_campaign, monkeypatch):
    campaign = make_campaign()
    request = PledgeRequest(amount_cents=2500, backer_name="Zoé", backer_email="zoe@example.org")
    monkeypatch.setattr(rules, "is_open_to_pledges", lambda campaign, now: False)

    with pytest.raises(PledgeError) as refused:
        services.create_pledge(campaign, request, provider="demo")
    assert refused.value.code == "closed"

    form = client.get(campaign.pledge_url()).content.decode()
    assert "elle ne prend plus de promesses de don" in form
    page = client.get(campaign.url).content.decode()
    assert campaign.pledge_url() not in page

    # And the other way round: a rule that says "open" lets the pledge through.
    monkeypatch.setattr(rules, "is_open_to_pledges", lambda campaign, now: True)
    assert services.create_pledge(campaign, request, provider="demo").status == PledgeStatus.PENDING
    assert campaign.pledge_url() in client.get(campaign.url).content.decode()


# Statuses and funding models ------------------------------------------------------------------


def test_the_ledger_columns_use_the_rule_choices():
    assert Pledge._meta.get_field("status").choices == PledgeStatus.choices
    assert set(COUNTED_STATUSES) < set(PledgeStatus.values)
    assert {value for value, _label in CampaignClosing.OUTCOMES} == {
        CampaignStatus.SUCCEEDED,
        CampaignStatus.FAILED,
        CampaignStatus.CANCELLED,
    }
    assert not hasattr(Pledge, "Status")
    assert not hasattr(rules, "RESERVING_STATUSES")  # pending pledges hold only until they expire: `holding_q`


# What holds a reward and room under the cap -----------------------------------------------------


def test_holding_rule_counted_pledges_and_pending_ones_until_they_expire(make_campaign):
    now = timezone.now()
    campaign = make_campaign()
    second = timedelta(seconds=1)
    expected = {
        PledgeFactory(campaign=campaign, status=PledgeStatus.COMMITTED).pk,
        PledgeFactory(campaign=campaign, status=PledgeStatus.ACTION_REQUIRED).pk,
        PledgeFactory(campaign=campaign, status=PledgeStatus.PAID).pk,
        PledgeFactory(campaign=campaign, status=PledgeStatus.PENDING, expires_at=now + second).pk,
    }
    for status in (PledgeStatus.FAILED, PledgeStatus.CANCELLED, PledgeStatus.REFUNDED):
        PledgeFactory(campaign=campaign, status=status, expires_at=now + second)
    PledgeFactory(campaign=campaign, status=PledgeStatus.PENDING, expires_at=now)  # ends now: exclusive
    PledgeFactory(campaign=campaign, status=PledgeStatus.PENDING, expires_at=now - second)
    PledgeFactory(campaign=campaign, status=PledgeStatus.PENDING, expires_at=None)  # made before holds expired

    assert set(Pledge.objects.filter(rules.holding_q(now)).values_list("pk", flat=True)) == expected


def test_stock_cap_and_expiry_all_ask_the_holding_rule(make_campaign, monkeypatch):
    """A rule that says "nothing holds" frees the stock, the cap and stops expiry from sparing anything;
    a second copy of the rule in the service, the ledger or the expiry would keep its own answer."""
    campaign = make_campaign(goal=100)  # cap: 150 % of 100 € by default
    reward = RewardTierFactory(page=campaign, stock=1, min_amount=20)
    request = PledgeRequest(amount_cents=15_000, backer_name="Zoé", backer_email="zoe@example.org", reward_id=reward.pk)
    first = services.create_pledge(campaign, request, provider="demo")
    assert ledger.rewards_with_stock(RewardTier.objects.filter(pk=reward.pk)).get().reserved == 1
    with pytest.raises(PledgeError):
        services.create_pledge(campaign, request, provider="demo")

    nothing = Q(pk__in=[])
    monkeypatch.setattr(rules, "holding_q", lambda now: nothing)
    assert ledger.rewards_with_stock(RewardTier.objects.filter(pk=reward.pk)).get().reserved == 0
    assert services.create_pledge(campaign, request, provider="demo").status == PledgeStatus.PENDING
    assert services.holds(first) is False
    assert services.expire_pending_pledges() == 2


def test_funding_model_rule_decides_who_is_charged_at_the_close():
    assert rules.charges_at_close(FundingModel.ALL_OR_NOTHING)
    assert rules.charges_at_close("")  # pledges recorded before the field existed
    assert not rules.charges_at_close(FundingModel.KEEP_IT_ALL)


def test_the_page_states_the_funding_model_from_the_rule(client, make_campaign, monkeypatch):
    campaign = make_campaign(funding_model=FundingModel.KEEP_IT_ALL)
    assert "Tout ou rien" not in client.get(campaign.url).content.decode()
    monkeypatch.setattr(rules, "charges_at_close", lambda funding_model: True)
    assert "Tout ou rien" in client.get(campaign.url).content.decode()
    pledge = PledgeFactory(
        campaign=campaign,
        status=PledgeStatus.PENDING,
        provider="demo",
        funding_model="keep_it_all",
        expires_at=timezone.now() + timedelta(minutes=30),
    )
    checkout = client.get(reverse("payments:demo_checkout", kwargs={"token": pledge.token})).content.decode()
    assert "Enregistrer ma carte (démo)" in checkout


# Our own values ("paid", "succeeded" and "failed" are also Stripe's words for Stripe's objects).
VALUES = r"keep_it_all|all_or_nothing|pending|committed|action_required|cancelled|refunded"
# A raw value compared with (==, !=) or given (=, :) to something.
RAW_VALUES = re.compile(rf"""(==|!=|=|:)\s*["']({VALUES})["']|["']({VALUES})["']\s*(==|!=)""")
# A model's own choices (`PENDING = "pending", _("…")` in a TextChoices): other apps' statuses
# (offers, questions, follows) may share a pledge status's spelling.
CHOICE_DEFINITION = re.compile(r"""^\s*[A-Z_]+\s*=\s*["']""")


def is_models_module(path):
    return path.name == "models.py" or "models" in path.parts


def test_raw_status_and_funding_values_are_spelled_only_in_the_rules():
    """Views, emails, templates and services use the named constants, never the raw strings."""
    offenders = []
    for app in FIRST_PARTY:
        for path in (ROOT / app).rglob("*"):
            if path.suffix not in {".py", ".html", ".txt"} or "migrations" in path.parts:
                continue
            if path == ROOT / "payments" / "rules.py":
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if RAW_VALUES.search(line) and not (is_models_module(path) and CHOICE_DEFINITION.match(line)):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
