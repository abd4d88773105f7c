"""Receipt numbers under real concurrency, on PostgreSQL (skipped elsewhere: tests/conftest.py).

Pledges paid at the same moment get the numbers 1..N of their beneficiary's series, without gap
or duplicate (the counter row is created race-free, then locked: `receipts.services._next_number`);
a pledge saved twice at once gets one receipt; a delivery task run twice at once emails once.
Removing the counter's `select_for_update`, the pledge lock of `sync_pledge` or the claim of
`deliver` makes one of these tests fail.
"""

from collections import Counter

import pytest
from django.core import mail
from django.utils import timezone

from coupdepouce.models import PlatformSettings
from payments import services as payment_services
from payments.models import Pledge
from payments.rules import PledgeStatus
from receipts import services
from receipts.models import Receipt, ReceiptCounter, ReceiptEvent
from tests.concurrency import run_together
from tests.factories.receipts import BeneficiaryFactory, receipt_campaign, receipt_pledge_fields

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

S = PledgeStatus


def committed_pledges(campaign, count, start=0):
    """`count` committed pledges asking for a receipt (promises: no receipt yet)."""
    # The site settings' row exists first: creating it in the race would queue the threads on it.
    PlatformSettings.for_page(campaign)
    return [
        Pledge.objects.create(
            campaign=campaign,
            amount_cents=2500,
            backer_email=f"h{start + i}@example.org",
            status=S.COMMITTED,
            language="fr",
            **receipt_pledge_fields(backer_name=f"Habitant {start + i}"),
        ).pk
        for i in range(count)
    ]


def test_pledges_paid_at_once_get_numbers_one_to_n(make_campaign):
    beneficiary = BeneficiaryFactory()
    campaign = receipt_campaign(make_campaign, beneficiary)
    pledges = committed_pledges(campaign, 12)
    assert not ReceiptCounter.objects.exists()  # the first ones race to create the counter too

    results, errors = run_together(12, lambda i: payment_services.transition(pledges[i], S.PAID, actor="test").pk)

    assert errors == {}
    assert sorted(results.values()) == pledges
    receipts = Receipt.objects.filter(beneficiary=beneficiary)
    assert sorted(receipts.values_list("number", flat=True)) == list(range(1, 13))
    assert sorted(receipts.values_list("pledge_id", flat=True)) == pledges
    year = timezone.localdate().year
    assert ReceiptCounter.objects.get(beneficiary=beneficiary, year=year).last_number == 12
    # Each donor got their own receipt, once.
    assert Counter(tuple(m.to) for m in mail.outbox) == {(f"h{i}@example.org",): 1 for i in range(12)}


def test_two_beneficiaries_paid_at_once_keep_their_own_series(make_campaign):
    first, second = BeneficiaryFactory(), BeneficiaryFactory()
    pledges = committed_pledges(receipt_campaign(make_campaign, first), 6)
    pledges += committed_pledges(receipt_campaign(make_campaign, second), 6, start=6)

    _results, errors = run_together(12, lambda i: payment_services.transition(pledges[i], S.PAID, actor="test"))

    assert errors == {}
    for beneficiary in (first, second):
        numbers = Receipt.objects.filter(beneficiary=beneficiary).values_list("number", flat=True)
        assert sorted(numbers) == [1, 2, 3, 4, 5, 6]


def test_one_pledge_saved_twice_at_once_gets_one_receipt(make_campaign):
    campaign = receipt_campaign(make_campaign)
    (pk,) = committed_pledges(campaign, 1)
    Pledge.objects.filter(pk=pk).update(status=S.PAID, paid_at=timezone.now())  # no receipt yet (no save)

    def save(_i):
        pledge = Pledge.objects.get(pk=pk)
        pledge.save()  # e.g. the webhook and the return page at once

    _results, errors = run_together(4, save)

    assert errors == {}
    assert Receipt.objects.filter(pledge_id=pk).count() == 1
    assert Receipt.objects.get().number == 1
    assert len(mail.outbox) == 1


def test_the_delivery_run_twice_at_once_emails_once(make_campaign):
    campaign = receipt_campaign(make_campaign)
    (pk,) = committed_pledges(campaign, 1)
    with services.muted():
        payment_services.transition(pk, S.PAID, actor="test")
    receipt = Receipt.objects.get()
    assert receipt.pdf and not mail.outbox

    results, errors = run_together(4, lambda _i: services.deliver(receipt.pk))

    assert errors == {}
    assert sorted(results.values()) == [False, False, False, True]
    assert len(mail.outbox) == 1
    assert receipt.events.filter(action=ReceiptEvent.Action.EMAILED).count() == 1
