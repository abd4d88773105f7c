"""Tax receipts follow their pledge (receipts.services): issued when paid, never at a promise,
only where the campaign offers them and the reward keeps the gift eligible; numbered without
gap per beneficiary and year; cancelled on refund; amended when the amount changes; emailed
with the PDF once; duplicates; muted for the demo loader.
"""

import datetime as dt
import types
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from coupdepouce.models import PlatformSettings
from coupdepouce.storage import private_storage
from payments import demo_gateway
from payments import services as payment_services
from payments import wagtail_hooks as payment_hooks
from payments.models import Pledge
from payments.rules import PledgeStatus
from receipts import pdf, services, tasks, tokens
from receipts.models import Receipt, ReceiptCounter, ReceiptEvent
from tests.factories.projects import RewardTierFactory
from tests.factories.receipts import BeneficiaryFactory, paid_pledge, receipt_campaign, receipt_pledge_fields

pytestmark = pytest.mark.django_db

S = PledgeStatus
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def beneficiary(db):
    return BeneficiaryFactory(legal_name="Ville de Beaupré-sur-Loire")


@pytest.fixture
def campaign(make_campaign, beneficiary):
    return receipt_campaign(make_campaign, beneficiary, title="Jardin partagé", funding_model="keep_it_all")


@pytest.fixture
def officer(django_user_model):
    return django_user_model.objects.create_user(email="tresorier@example.org", password="x")


def attachments_of(message):
    return [(name, mimetype) for name, _content, mimetype in message.attachments]


def actions(receipt):
    return list(receipt.events.values_list("action", flat=True))


def asked_for_receipt(pledge):
    """What the pledge form stores when the donor ticks "I want a tax receipt" (without a save)."""
    Pledge.objects.filter(pk=pledge.pk).update(**receipt_pledge_fields())
    pledge.refresh_from_db()
    return pledge


def online_pledge(campaign, amount_cents=2500, reward=None, email="jeanne@example.org"):
    request = payment_services.PledgeRequest(
        amount_cents=amount_cents,
        backer_name="Jeanne Dupont",
        backer_email=email,
        reward_id=reward.pk if reward else None,
    )
    return asked_for_receipt(payment_services.create_pledge(campaign, request, provider="demo"))


# Issued when paid ---------------------------------------------------------------------------


def test_a_demo_payment_issues_the_receipt_and_emails_it_with_the_pdf(client, campaign, beneficiary):
    pledge = online_pledge(campaign, 4000)
    checkout = reverse("payments:demo_checkout", kwargs={"token": pledge.token})
    response = client.post(checkout, {"card_number": demo_gateway.DEMO_SUCCESS, "action": "pay"})
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.status == S.PAID

    receipt = Receipt.objects.get(pledge=pledge)
    year = timezone.localtime(timezone.now(), PARIS).year
    assert (receipt.beneficiary, receipt.year, receipt.number) == (beneficiary, year, 1)
    assert receipt.display_number == f"{year}-00001"
    assert receipt.status == Receipt.Status.ISSUED
    assert (receipt.donor_name, receipt.donor_street, receipt.donor_postal_code, receipt.donor_city) == (
        "Jeanne Dupont",
        "12 rue des Lilas",
        "44100",
        "Beaupré-sur-Loire",
    )
    assert (receipt.donor_country, receipt.donor_email) == ("France", "jeanne@example.org")
    assert receipt.amount_cents == 4000
    assert receipt.paid_on == timezone.localtime(pledge.paid_at, PARIS).date()
    assert receipt.payment_method == Receipt.PaymentMethod.CARD
    assert receipt.campaign_title == "Jardin partagé"
    assert receipt.replaces is None
    # The PDF is stored once, in the private storage, under the beneficiary and the year.
    assert receipt.pdf.name.startswith(f"receipts/{beneficiary.pk}/{year}/{year}-00001-")
    with private_storage().open(receipt.pdf.name, "rb") as handle:
        stored = handle.read()
    assert stored.startswith(b"%PDF")
    assert receipt.emailed_at is not None
    assert actions(receipt) == [ReceiptEvent.Action.ISSUED, ReceiptEvent.Action.EMAILED]

    receipt_mails = [m for m in mail.outbox if "reçu fiscal" in m.subject]
    assert len(receipt_mails) == 1
    message = receipt_mails[0]
    assert message.to == ["jeanne@example.org"]
    assert message.subject == f"Votre reçu fiscal n°\u00a0{year}-00001"
    assert attachments_of(message) == [(f"recu-{year}-00001.pdf", "application/pdf")]
    assert message.attachments[0][1] == stored
    assert tokens.download_url(receipt) in message.body
    assert "Ville de Beaupré-sur-Loire" in message.body
    assert "40\u00a0€" in message.body and "26,40\u00a0€" in message.body  # the gift and its 66 % reduction
    html = message.alternatives[0][0]
    assert tokens.download_url(receipt) in html


def test_a_promise_gets_no_receipt_until_it_is_paid(make_campaign, beneficiary):
    campaign = receipt_campaign(make_campaign, beneficiary)  # all-or-nothing: committed at checkout
    pledge = online_pledge(campaign)
    assert pledge.status == S.PENDING
    payment_services.complete_checkout(pledge, S.COMMITTED, actor="test", payment_method_id="demo_pm")
    payment_services.transition(pledge, S.ACTION_REQUIRED, actor="test")
    assert not Receipt.objects.exists()
    assert not ReceiptCounter.objects.exists()
    assert not mail.outbox

    payment_services.transition(pledge, S.PAID, actor="closing")
    receipt = Receipt.objects.get()
    assert (receipt.pledge, receipt.number, receipt.amount_cents) == (pledge, 1, 2500)
    assert len(mail.outbox) == 1


def test_saving_a_promise_runs_no_query(campaign, django_assert_num_queries):
    pledge = online_pledge(campaign)
    for status in (S.PENDING, S.COMMITTED, S.ACTION_REQUIRED, S.FAILED, S.CANCELLED):
        pledge.status = status  # never paid: paid_at is None
        with django_assert_num_queries(0):
            services.sync_pledge(pledge)


def test_an_offline_gift_by_cheque_is_issued_when_recorded(campaign, officer):
    # What the admin's "add" view does: save the paid gift, then the after-create hook.
    gift = Pledge.objects.create(
        campaign=campaign,
        amount_cents=5000,
        backer_email="",
        status=S.PAID,
        source=Pledge.Source.CHEQUE,
        **receipt_pledge_fields(backer_name="Paul Durand"),
    )
    payment_hooks.record_offline_gift(types.SimpleNamespace(user=officer), gift)

    receipt = Receipt.objects.get(pledge=gift)
    assert receipt.payment_method == Receipt.PaymentMethod.CHEQUE
    assert (receipt.donor_name, receipt.amount_cents) == ("Paul Durand", 5000)
    assert receipt.paid_on == timezone.localdate()
    # Stored, but nobody to email: no email, no "emailed" event.
    assert receipt.pdf and receipt.emailed_at is None
    assert actions(receipt) == [ReceiptEvent.Action.ISSUED]
    assert not mail.outbox


@pytest.mark.parametrize(
    "source, method",
    [
        (Pledge.Source.TRANSFER, Receipt.PaymentMethod.TRANSFER),
        (Pledge.Source.CASH, Receipt.PaymentMethod.CASH),
        (Pledge.Source.ONLINE, Receipt.PaymentMethod.CARD),
    ],
)
def test_payment_method_follows_the_source(campaign, source, method):
    assert Receipt.objects.get(pledge=paid_pledge(campaign, source=source)).payment_method == method


# Who gets one ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "campaign_fields",
    [
        {"tax_deductible": False},
        {"beneficiary": None},
    ],
    ids=["not-tax-deductible", "no-beneficiary"],
)
def test_no_receipt_where_the_campaign_does_not_offer_them(make_campaign, beneficiary, campaign_fields):
    fields = {"tax_deductible": True, "beneficiary": beneficiary, **campaign_fields}
    campaign = make_campaign(**fields)
    paid_pledge(campaign)
    assert not Receipt.objects.exists()
    assert not mail.outbox


def test_no_receipt_when_the_beneficiary_gave_no_mandate(make_campaign):
    campaign = receipt_campaign(make_campaign, BeneficiaryFactory(issues_receipts=False))
    paid_pledge(campaign)
    assert not Receipt.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"wants_receipt": False},
        {"donor_street": ""},
        {"donor_postal_code": "  "},
        {"donor_city": ""},
    ],
    ids=["not-asked", "no-street", "blank-postal-code", "no-city"],
)
def test_no_receipt_unless_asked_with_an_address(campaign, fields):
    paid_pledge(campaign, **fields)
    assert not Receipt.objects.exists()


@pytest.mark.parametrize(
    "amount_cents, value, cap, keeps",
    [
        (10_000, Decimal("25.00"), 73, True),  # exactly a quarter of 100 €: kept
        (10_000, Decimal("25.01"), 73, False),  # one cent more: lost
        (40_000, Decimal("73.00"), 73, True),  # a quarter is 100 €, the cap 73 €: at the cap, kept
        (40_000, Decimal("73.01"), 73, False),  # one cent over the cap: lost
        (40_000, Decimal("80.00"), 80, True),  # the cap is a site setting
        (2500, None, 73, False),  # a reward whose value was not recorded: no receipt
    ],
)
def test_a_reward_keeps_the_receipt_up_to_a_quarter_within_the_cap(campaign, home, amount_cents, value, cap, keeps):
    settings = PlatformSettings.for_site(home.get_site())
    settings.counterpart_cap = cap
    settings.save()
    reward = RewardTierFactory(page=campaign, min_amount=1, value=value)
    paid_pledge(campaign, amount_cents=amount_cents, reward=reward)
    assert Receipt.objects.exists() is keeps


def test_a_gift_without_reward_keeps_its_receipt(campaign):
    paid_pledge(campaign, amount_cents=100)
    assert Receipt.objects.get().amount_cents == 100


def test_a_pledge_on_the_english_page_counts_on_the_french_campaign(campaign):
    # Pledges always point at the French page; the receipt names its title and beneficiary.
    receipt = Receipt.objects.get(pledge=paid_pledge(campaign, language="en"))
    assert receipt.beneficiary == campaign.beneficiary
    message = mail.outbox[0]
    assert message.subject == f"Your tax receipt no. {receipt.display_number}"
    assert "Thank you for your gift of" in message.body


# Refunds, cancellations, amended receipts -----------------------------------------------------


def test_a_refund_cancels_the_receipt_and_tells_the_donor(campaign):
    pledge = paid_pledge(campaign)
    receipt = Receipt.objects.get()
    mail.outbox.clear()

    payment_services.transition(pledge, S.REFUNDED, actor="webhook")

    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.CANCELLED
    assert receipt.cancel_reason == services.REASON_REFUND
    assert receipt.cancelled_at is not None
    assert receipt.number == 1  # a cancelled receipt keeps its number
    assert actions(receipt)[-1] == ReceiptEvent.Action.CANCELLED
    assert services.active_receipt(pledge) is None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == f"Votre reçu fiscal n°\u00a0{receipt.display_number} est annulé"
    assert "Motif\u00a0: le don a été remboursé." in message.body
    assert not message.attachments

    # The next receipt of the beneficiary does not reuse the number.
    paid_pledge(campaign, backer_email="autre@example.org")
    assert Receipt.objects.get(status=Receipt.Status.ISSUED).number == 2


def test_a_paid_pledge_cancelled_later_cancels_its_receipt(campaign):
    pledge = paid_pledge(campaign)
    pledge.status = S.CANCELLED
    pledge.save()
    receipt = Receipt.objects.get()
    assert (receipt.status, receipt.cancel_reason) == (Receipt.Status.CANCELLED, services.REASON_PLEDGE_CANCELLED)


def test_a_changed_amount_replaces_the_receipt_by_an_amended_one(campaign):
    pledge = paid_pledge(campaign, amount_cents=2500)
    old = Receipt.objects.get()
    mail.outbox.clear()

    pledge.amount_cents = 3000
    pledge.save()

    old.refresh_from_db()
    new = services.active_receipt(pledge)
    assert (old.status, old.cancel_reason) == (Receipt.Status.CANCELLED, services.REASON_AMENDED)
    assert (new.number, new.amount_cents, new.replaces) == (2, 3000, old)
    assert old.replaced_by == new
    assert actions(old)[-2:] == [ReceiptEvent.Action.CANCELLED, ReceiptEvent.Action.AMENDED]
    assert actions(new) == [ReceiptEvent.Action.ISSUED, ReceiptEvent.Action.EMAILED]
    # One email: the amended receipt, saying which one it replaces (no separate "cancelled" email).
    assert len(mail.outbox) == 1
    assert attachments_of(mail.outbox[0]) == [(f"recu-{new.display_number}.pdf", "application/pdf")]
    assert f"Il remplace le reçu n°\u00a0{old.display_number}" in mail.outbox[0].body

    # Saving again with the same amount changes nothing.
    pledge.save()
    assert Receipt.objects.count() == 2
    assert len(mail.outbox) == 1


def test_saving_a_paid_pledge_again_issues_nothing_more(campaign):
    pledge = paid_pledge(campaign)
    pledge.message = "Bravo"
    pledge.save()
    payment_services.transition(pledge, S.PAID, actor="webhook")  # a replayed event
    assert Receipt.objects.count() == 1
    assert len(mail.outbox) == 1


def test_staff_cancel_needs_a_reason_is_recorded_and_tells_the_donor(campaign, officer):
    receipt = Receipt.objects.get(pledge=paid_pledge(campaign))
    mail.outbox.clear()

    with pytest.raises(services.ReceiptError):
        services.cancel(receipt, reason="  ", user=officer)
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.ISSUED

    services.cancel(receipt, reason="Don en double", user=officer)
    receipt.refresh_from_db()
    assert (receipt.status, receipt.cancel_reason) == (Receipt.Status.CANCELLED, "Don en double")
    event = receipt.events.get(action=ReceiptEvent.Action.CANCELLED)
    assert (event.user, event.actor, event.note) == (officer, "tresorier@example.org", "Don en double")
    assert len(mail.outbox) == 1 and "Motif\u00a0: Don en double." in mail.outbox[0].body

    # Cancelling again changes nothing and emails nobody.
    services.cancel(receipt, reason="Autre motif", user=officer)
    receipt.refresh_from_db()
    assert receipt.cancel_reason == "Don en double"
    assert receipt.events.filter(action=ReceiptEvent.Action.CANCELLED).count() == 1
    assert len(mail.outbox) == 1


def test_cancel_without_notice(campaign):
    receipt = Receipt.objects.get(pledge=paid_pledge(campaign))
    mail.outbox.clear()
    services.cancel(receipt, reason="Erreur de saisie", notify=False)
    assert receipt.status == Receipt.Status.CANCELLED
    assert not mail.outbox


# Numbering ------------------------------------------------------------------------------------


def test_numbers_follow_each_other_per_beneficiary(make_campaign, campaign, beneficiary):
    other = receipt_campaign(make_campaign, BeneficiaryFactory(legal_name="Association du Kfé"))
    second_of_first = receipt_campaign(make_campaign, beneficiary)
    numbers = []
    for target in (campaign, other, campaign, second_of_first, other, campaign):
        numbers.append((target.beneficiary.legal_name, Receipt.objects.get(pledge=paid_pledge(target)).number))
    assert numbers == [
        ("Ville de Beaupré-sur-Loire", 1),
        ("Association du Kfé", 1),
        ("Ville de Beaupré-sur-Loire", 2),
        ("Ville de Beaupré-sur-Loire", 3),  # the same beneficiary's other campaign shares its counter
        ("Association du Kfé", 2),
        ("Ville de Beaupré-sur-Loire", 4),
    ]
    assert dict(ReceiptCounter.objects.values_list("beneficiary__legal_name", "last_number")) == {
        "Ville de Beaupré-sur-Loire": 4,
        "Association du Kfé": 2,
    }


def test_numbering_starts_again_each_year_of_issue_in_paris(campaign, monkeypatch):
    def issue_at(moment):
        monkeypatch.setattr(services.timezone, "now", lambda: moment)
        return Receipt.objects.get(pledge=paid_pledge(campaign, paid_at=moment))

    first = issue_at(dt.datetime(2026, 12, 31, 22, 30, tzinfo=dt.UTC))  # 23:30 in Paris
    second = issue_at(dt.datetime(2026, 12, 31, 22, 59, tzinfo=dt.UTC))
    # 23:30 UTC on 31 December is already 00:30 on 1 January in Paris: a new year, a new series.
    third = issue_at(dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC))
    fourth = issue_at(dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC))
    assert [r.display_number for r in (first, second, third, fourth)] == [
        "2026-00001",
        "2026-00002",
        "2027-00001",
        "2027-00002",
    ]
    assert third.paid_on == dt.date(2027, 1, 1)


def test_a_gift_paid_on_31_december_issued_in_january_belongs_to_the_year_of_payment(campaign, monkeypatch):
    issued = dt.datetime(2027, 1, 2, 10, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(services.timezone, "now", lambda: issued)
    pledge = paid_pledge(campaign, paid_at=dt.datetime(2026, 12, 31, 15, 0, tzinfo=dt.UTC))
    receipt = Receipt.objects.get(pledge=pledge)
    assert (receipt.year, receipt.paid_on) == (2027, dt.date(2026, 12, 31))
    assert list(services.receipts_of("JEANNE@example.org", 2026)) == [receipt]
    assert list(services.receipts_of("jeanne@example.org", 2027)) == []


# Delivery: the PDF once, the email once --------------------------------------------------------


def test_the_task_run_twice_renders_and_emails_once(campaign, monkeypatch):
    renders = []
    render = pdf.render_receipt

    def counting_render(receipt, **kwargs):
        renders.append((receipt.pk, kwargs))
        return render(receipt, **kwargs)

    monkeypatch.setattr(pdf, "render_receipt", counting_render)
    receipt = Receipt.objects.get(pledge=paid_pledge(campaign))
    stored_as = receipt.pdf.name
    assert renders == [(receipt.pk, {})]
    assert len(mail.outbox) == 1

    tasks.deliver_receipt_task.enqueue(receipt_id=receipt.pk)
    tasks.deliver_receipt_task.enqueue(receipt_id=receipt.pk, send=True)

    receipt.refresh_from_db()
    assert receipt.pdf.name == stored_as
    assert renders == [(receipt.pk, {})]
    assert len(mail.outbox) == 1
    assert receipt.events.filter(action=ReceiptEvent.Action.EMAILED).count() == 1


def test_a_receipt_cancelled_before_its_task_ran_is_not_emailed(campaign):
    with services.muted():
        receipt = Receipt.objects.get(pledge=paid_pledge(campaign))
    services.cancel(receipt, reason="Erreur", notify=False)
    assert services.deliver(receipt.pk) is False
    assert not mail.outbox


def test_muted_issues_and_stores_but_emails_nobody(campaign):
    with services.muted():
        pledge = paid_pledge(campaign)
        receipt = Receipt.objects.get(pledge=pledge)
        payment_services.transition(pledge, S.REFUNDED, actor="demo")
        services.reissue_duplicate(receipt)
    receipt.refresh_from_db()
    assert receipt.pdf and receipt.emailed_at is None
    assert receipt.status == Receipt.Status.CANCELLED
    assert not mail.outbox
    assert not services.is_muted()


# Duplicates -------------------------------------------------------------------------------------


def test_a_duplicate_has_the_same_number_and_is_emailed_as_an_attachment(campaign, officer, monkeypatch):
    receipt = Receipt.objects.get(pledge=paid_pledge(campaign))
    mail.outbox.clear()
    renders = []
    render = pdf.render_receipt
    monkeypatch.setattr(pdf, "render_receipt", lambda r, **kw: renders.append(kw) or render(r, **kw))

    content = services.reissue_duplicate(receipt, user=officer)

    assert content.startswith(b"%PDF")
    assert renders == [{"duplicate": True}]
    assert Receipt.objects.count() == 1  # no new number
    event = receipt.events.get(action=ReceiptEvent.Action.DUPLICATE)
    assert (event.user, event.actor) == (officer, "tresorier@example.org")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == f"Duplicata de votre reçu fiscal n°\u00a0{receipt.display_number}"
    assert attachments_of(message) == [(f"recu-{receipt.display_number}-duplicata.pdf", "application/pdf")]
    assert message.attachments[0][1] == content
    # The original stays as issued.
    with private_storage().open(receipt.pdf.name, "rb") as handle:
        assert handle.read() != content


def test_a_duplicate_to_download_is_not_emailed(campaign):
    receipt = Receipt.objects.get(pledge=paid_pledge(campaign))
    mail.outbox.clear()
    assert services.reissue_duplicate(receipt, send=False).startswith(b"%PDF")
    assert receipt.events.get(action=ReceiptEvent.Action.DUPLICATE).note == "downloaded"
    assert not mail.outbox


def test_a_cancelled_receipt_is_not_sent_again(campaign):
    receipt = Receipt.objects.get(pledge=paid_pledge(campaign))
    services.cancel(receipt, reason="Erreur", notify=False)
    mail.outbox.clear()
    with pytest.raises(services.ReceiptError):
        services.reissue_duplicate(receipt)
    assert not receipt.events.filter(action=ReceiptEvent.Action.DUPLICATE).exists()
    assert services.reissue_duplicate(receipt, send=False).startswith(b"%PDF")
    assert not mail.outbox


# Reads ----------------------------------------------------------------------------------------


def test_receipts_of_a_donor_for_a_year(make_campaign, campaign):
    mine = paid_pledge(campaign, backer_email="Jeanne@Example.org")
    other_beneficiary = receipt_campaign(make_campaign, BeneficiaryFactory(legal_name="Association du Kfé"))
    second = paid_pledge(other_beneficiary, backer_email="jeanne@example.org")
    paid_pledge(campaign, backer_email="paul@example.org")
    payment_services.transition(second, S.REFUNDED, actor="test")
    year = timezone.localdate().year

    found = list(services.receipts_of(" jeanne@example.org ", year))
    assert [(r.pledge_id, r.status) for r in found] == [
        (second.pk, Receipt.Status.CANCELLED),  # by beneficiary's name on the same day
        (mine.pk, Receipt.Status.ISSUED),
    ]
    assert list(services.receipts_of("jeanne@example.org", year - 1)) == []
    assert list(services.receipts_of("", year)) == []
