"""Offline gifts (cheque, transfer, cash) recorded by the Finances in the admin ask for a tax
receipt like the pledge form does: the address is required then, and the receipt is issued at once
(the gift is paid), numbered like any other."""

import pytest
from django.core import mail
from django.urls import reverse

from payments.models import Pledge
from receipts.models import Receipt
from tests.factories.receipts import receipt_campaign

pytestmark = pytest.mark.django_db

ADDRESS = {
    "donor_street": "3 allée des Tilleuls",
    "donor_postal_code": "44100",
    "donor_city": "Beaupré-sur-Loire",
    "donor_country": "France",
}


@pytest.fixture
def finance_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("tresorier@example.org", "pw", full_name="Trésorier")
    client.force_login(user)
    return client


def post_gift(client, campaign, **overrides):
    data = {
        "campaign": campaign.pk,
        "amount_cents": "5000",
        "reward": "",
        "source": "cheque",
        "backer_name": "Josiane Perrin",
        "backer_email": "josiane@example.org",
        "public_name": "",
        "message": "",
        "wants_receipt": "on",
        **ADDRESS,
        **overrides,
    }
    return client.post(reverse("wagtailsnippets_payments_pledge:add"), data)


def test_a_cheque_gift_with_a_receipt_request_gets_its_receipt(finance_client, make_campaign):
    campaign = receipt_campaign(make_campaign)
    response = post_gift(finance_client, campaign)
    assert response.status_code == 302, response.content.decode()[:2000]
    gift = Pledge.objects.get(backer_name="Josiane Perrin")
    receipt = Receipt.objects.get(pledge=gift)
    assert receipt.status == Receipt.Status.ISSUED and receipt.number == 1
    assert receipt.amount_cents == 5000
    assert receipt.payment_method == Receipt.PaymentMethod.CHEQUE
    assert (receipt.donor_street, receipt.donor_city) == (ADDRESS["donor_street"], ADDRESS["donor_city"])
    [email] = [m for m in mail.outbox if m.to == ["josiane@example.org"]]
    assert email.attachments and email.attachments[0][0].endswith(".pdf")


def test_the_address_is_required_when_a_receipt_is_asked_and_nothing_is_recorded(finance_client, make_campaign):
    campaign = receipt_campaign(make_campaign)
    response = post_gift(finance_client, campaign, donor_street="", donor_postal_code="")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Indiquez votre adresse pour le reçu fiscal." in page
    assert "Indiquez votre code postal pour le reçu fiscal." in page
    assert "Josiane Perrin" in page  # what was typed is still there
    assert not Pledge.objects.filter(backer_name="Josiane Perrin").exists()
    assert not Receipt.objects.exists()


def test_no_receipt_without_the_request(finance_client, make_campaign):
    campaign = receipt_campaign(make_campaign)
    response = post_gift(finance_client, campaign, wants_receipt="", **{k: "" for k in ADDRESS})
    assert response.status_code == 302
    assert Pledge.objects.filter(backer_name="Josiane Perrin").exists()
    assert not Receipt.objects.exists()
