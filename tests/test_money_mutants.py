"""Tests written to kill mutants of the money code that survived the rest of the suite.

`make mutation` (docs/testing.md) mutates payments/ledger.py, services.py, closing.py,
matching.py, webhooks.py and rules.py one small change at a time and runs the money tests
against each change. A mutant that survives is either equivalent (no behaviour changes) or a
behaviour no test pinned down; each test below pins one such behaviour, and names it.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from payments import closing, services
from payments.models import Pledge, PledgeEvent
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
