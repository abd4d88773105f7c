"""Retention of payment data (`payments.retention`, `manage.py purge_payment_data`): Stripe event
payloads reduced to their ids, personal data of cancelled and failed pledges erased, each after
its site setting; the accounting (paid, committed, refunded…) untouched; idempotent."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Site

from coupdepouce.models import PlatformSettings
from payments import retention
from payments.models import Pledge, PledgeEvent, WebhookEvent
from payments.rules import PledgeStatus as S
from tests.factories.projects import PledgeFactory

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
NOW = timezone.now().replace(microsecond=0)


@pytest.fixture
def settings_of_site(home):
    settings = PlatformSettings.for_site(Site.objects.get(is_default_site=True))
    settings.pledge_data_retention_days = 90
    settings.webhook_retention_days = 30
    settings.save()
    return settings


def event(event_id, received_at):
    payload = {
        "id": event_id,
        "type": "checkout.session.completed",
        "data": {"object": {"customer_details": {"email": "backer@example.org", "name": "Backer"}}},
    }
    row = WebhookEvent.objects.create(event_id=event_id, type="checkout.session.completed", payload=payload)
    WebhookEvent.objects.filter(pk=row.pk).update(received_at=received_at)
    return row


def pledge(campaign, status, last_activity, **fields):
    row = PledgeFactory(
        campaign=campaign,
        status=status,
        message="Bon courage !",
        customer_id="cus_123",
        payment_method_id="pm_123",
        payment_intent_id="pi_123",
        **fields,
    )
    Pledge.objects.filter(pk=row.pk).update(updated_at=last_activity, created_at=last_activity)
    return row


class TestWebhookEvents:
    def test_reduced_after_the_period_only(self, settings_of_site):
        old = event("evt_old", NOW - 30 * DAY - DAY)
        at_cutoff = event("evt_cutoff", NOW - 30 * DAY)
        recent = event("evt_recent", NOW - 30 * DAY + DAY)
        report = retention.purge(now=NOW)
        assert report.webhook_events == 1
        old.refresh_from_db()
        assert old.payload == {"id": "evt_old", "type": "checkout.session.completed"}
        for kept in (at_cutoff, recent):
            kept.refresh_from_db()
            assert kept.payload["data"]["object"]["customer_details"]["email"] == "backer@example.org"
        # The id still makes a replay of the event a no-op.
        assert WebhookEvent.objects.filter(event_id="evt_old").exists()

    def test_idempotent_and_dry_run(self, settings_of_site):
        event("evt_old", NOW - 31 * DAY)
        assert retention.purge(now=NOW, dry_run=True).webhook_events == 1
        assert "data" in WebhookEvent.objects.get(event_id="evt_old").payload
        assert retention.purge(now=NOW).webhook_events == 1
        assert retention.purge(now=NOW).webhook_events == 0

    def test_setting_is_read(self, settings_of_site):
        event("evt", NOW - 31 * DAY)
        settings_of_site.webhook_retention_days = 60
        settings_of_site.save()
        assert retention.purge(now=NOW).webhook_events == 0


class TestPledges:
    def test_cancelled_and_failed_are_erased_after_the_period(self, settings_of_site, make_campaign):
        campaign = make_campaign()
        cancelled = pledge(campaign, S.CANCELLED, NOW - 90 * DAY - DAY)
        failed = pledge(campaign, S.FAILED, NOW - 90 * DAY - DAY)
        recent = pledge(campaign, S.CANCELLED, NOW - 90 * DAY + DAY)
        report = retention.purge(now=NOW)
        assert report.pledges == 2
        for erased in (cancelled, failed):
            erased.refresh_from_db()
            assert (erased.backer_name, erased.backer_email, erased.public_name, erased.message) == ("", "", "", "")
            assert (erased.customer_id, erased.payment_method_id) == ("", "")
            assert erased.anonymous is True
            assert erased.personal_data_erased_at == NOW
            # Kept for statistics and reconciliation.
            assert erased.amount_cents == 2500 and erased.payment_intent_id == "pi_123"
        assert failed.status == S.FAILED and cancelled.status == S.CANCELLED
        recent.refresh_from_db()
        assert recent.backer_email.endswith("@example.org") and recent.personal_data_erased_at is None

    def test_accounting_is_never_touched(self, settings_of_site, make_campaign):
        campaign = make_campaign()
        kept = [
            pledge(campaign, status, NOW - 400 * DAY)
            for status in (S.PAID, S.COMMITTED, S.ACTION_REQUIRED, S.REFUNDED, S.PENDING)
        ]
        assert retention.purge(now=NOW).pledges == 0
        for row in kept:
            row.refresh_from_db()
            assert row.backer_email.endswith("@example.org") and row.message == "Bon courage !"
            assert row.personal_data_erased_at is None

    def test_counted_from_the_last_event(self, settings_of_site, make_campaign):
        campaign = make_campaign()
        row = pledge(campaign, S.CANCELLED, NOW - 200 * DAY)
        note = PledgeEvent.objects.create(pledge=row, from_status=S.CANCELLED, to_status=S.CANCELLED, note="note")
        PledgeEvent.objects.filter(pk=note.pk).update(created_at=NOW - 90 * DAY + DAY)
        assert retention.purge(now=NOW).pledges == 0
        PledgeEvent.objects.filter(pk=note.pk).update(created_at=NOW - 90 * DAY - DAY)
        assert retention.purge(now=NOW).pledges == 1

    def test_idempotent_and_dry_run(self, settings_of_site, make_campaign):
        campaign = make_campaign()
        row = pledge(campaign, S.CANCELLED, NOW - 91 * DAY)
        assert retention.purge(now=NOW, dry_run=True).pledges == 1
        row.refresh_from_db()
        assert row.backer_name and row.personal_data_erased_at is None
        assert retention.purge(now=NOW).pledges == 1
        assert retention.purge(now=NOW + DAY).pledges == 0
        row.refresh_from_db()
        assert row.personal_data_erased_at == NOW  # the first erasure's date

    def test_setting_is_read(self, settings_of_site, make_campaign):
        pledge(make_campaign(), S.CANCELLED, NOW - 91 * DAY)
        settings_of_site.pledge_data_retention_days = 120
        settings_of_site.save()
        assert retention.purge(now=NOW).pledges == 0


class TestCommand:
    def test_dry_run_then_run(self, settings_of_site, make_campaign):
        pledge(make_campaign(), S.FAILED, timezone.now() - 100 * DAY)
        event("evt_old", timezone.now() - 40 * DAY)
        out = StringIO()
        call_command("purge_payment_data", "--dry-run", stdout=out)
        assert out.getvalue().strip() == (
            "Would reduce 1 webhook event(s) to their ids and erase the personal data of 1 pledge(s)."
        )
        assert Pledge.objects.get().personal_data_erased_at is None
        out = StringIO()
        call_command("purge_payment_data", stdout=out)
        assert out.getvalue().strip() == (
            "Reduced 1 webhook event(s) to their ids and erased the personal data of 1 pledge(s)."
        )
        assert Pledge.objects.get().backer_email == ""
        out = StringIO()
        call_command("purge_payment_data", stdout=out)
        assert out.getvalue().strip() == (
            "Reduced 0 webhook event(s) to their ids and erased the personal data of 0 pledge(s)."
        )
