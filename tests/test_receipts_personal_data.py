"""Tax receipts and personal data: the data export lists the person's receipts and says why they
are kept; closing an account erases the pledge's name, email and postal address but never a
receipt (nor its file); the retention purge erases the postal address of unfinished pledges
and leaves paid ones and their receipts alone; receipts cannot be deleted. Also: the docs state
the rules `payments.rules` applies."""

import importlib
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db.models import ProtectedError
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone, translation

from accounts import personal_data as account_data
from coupdepouce.models import PlatformSettings
from coupdepouce.money import format_euros
from payments import retention
from payments.models import Pledge
from payments.rules import COUNTERPART_SHARE_PERCENT, TAX_REDUCTION_PERCENT, PledgeStatus
from receipts import personal_data
from receipts.models import Beneficiary, LegalGround, Receipt, ReceiptEvent
from tests.factories.projects import PledgeFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
ROOT = Path(__file__).resolve().parent.parent
ADDRESS = {
    "donor_street": "12 rue des Tilleuls",
    "donor_postal_code": "49000",
    "donor_city": "Beaupré-sur-Loire",
    "donor_country": "France",
}
NO_ADDRESS = dict.fromkeys(ADDRESS, "")


@pytest.fixture
def citizen(home):
    user = User.objects.create_user("camille.martin@example.org", "Une-phrase-de-passe-42", full_name="Camille Martin")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def beneficiary(db):
    return Beneficiary.objects.create(
        legal_name="Ville de Beaupré-sur-Loire",
        street="1 place de la Mairie",
        postal_code="49000",
        city="Beaupré-sur-Loire",
        siren="732829320",
        purpose="Projets d'intérêt général de la commune",
        legal_ground=LegalGround.LOCAL_AUTHORITY,
        signatory_name="Claire Dupont",
        signatory_title="Maire",
        issues_receipts=True,
    )


@pytest.fixture
def campaign(make_campaign):
    return make_campaign(title="Jardin partagé")


def paid_pledge(campaign, email="camille.martin@example.org", amount_cents=5000, **fields):
    """A paid pledge that asked for a receipt (the campaign offers none: no service issues one)."""
    fields = {"backer_name": "Camille Martin", "wants_receipt": True, **ADDRESS, **fields}
    return PledgeFactory(
        campaign=campaign,
        backer_email=email,
        amount_cents=amount_cents,
        status=PledgeStatus.PAID,
        paid_at=timezone.now(),
        **fields,
    )


def receipt(beneficiary, pledge, number, **fields):
    values = {
        "beneficiary": beneficiary,
        "year": 2026,
        "number": number,
        "pledge": pledge,
        "donor_name": "Camille Martin",
        "donor_street": ADDRESS["donor_street"],
        "donor_postal_code": ADDRESS["donor_postal_code"],
        "donor_city": ADDRESS["donor_city"],
        "donor_country": "France",
        "donor_email": pledge.backer_email,
        "amount_cents": pledge.amount_cents,
        "paid_on": date(2026, 3, 14),
        "payment_method": Receipt.PaymentMethod.CARD,
        "campaign_title": "Jardin partagé",
        **fields,
    }
    return Receipt.objects.create(**values)


def export_of(client, user, lang="fr"):
    client.force_login(user)
    with translation.override(lang):
        path = reverse("account_export")
    response = client.get(path)
    assert response.status_code == 200
    return json.loads(response.content)


def in_language(lang, text_function):
    with translation.override(lang):
        return text_function()


# The export ---------------------------------------------------------------------------------


def test_the_export_lists_the_persons_receipts_and_says_why_they_are_kept(client, citizen, beneficiary, campaign):
    mine = paid_pledge(campaign, email="Camille.Martin@Example.org", amount_cents=5000)
    amended = receipt(beneficiary, mine, 1, donor_email="Camille.Martin@Example.org", amount_cents=4000)
    Receipt.objects.filter(pk=amended.pk).update(
        status=Receipt.Status.CANCELLED, cancelled_at=timezone.now(), cancel_reason="amended"
    )
    receipt(beneficiary, mine, 2, donor_email="Camille.Martin@Example.org", replaces=amended)
    # Found through the pledge's address when the receipt's own copy differs.
    offline = paid_pledge(campaign, amount_cents=2000)
    receipt(
        beneficiary, offline, 3, donor_email="", payment_method=Receipt.PaymentMethod.CHEQUE, paid_on=date(2026, 4, 2)
    )
    # Someone else's, and one of an address the citizen has not verified (it may be someone else's).
    receipt(beneficiary, paid_pledge(campaign, email="quelqu.un@example.org"), 4)
    EmailAddress.objects.create(user=citizen, email="autre@example.org", verified=False)
    receipt(beneficiary, paid_pledge(campaign, email="autre@example.org"), 5)

    section = export_of(client, citizen)["tax_receipts"]

    assert [row["number"] for row in section["receipts"]] == ["2026-00001", "2026-00002", "2026-00003"]
    first, second, third = section["receipts"]
    assert (first["status"], first["amount_cents"], first["cancel_reason"]) == ("cancelled", 4000, "amended")
    assert first["cancelled_at"] is not None
    assert (second["status"], second["amount_cents"], second["replaces"]) == ("issued", 5000, "2026-00001")
    assert second["amount"] == format_euros(5000) == "50\u00a0€"
    assert second["beneficiary"] == "Ville de Beaupré-sur-Loire"
    assert second["campaign"] == "Jardin partagé"
    assert second["paid_on"] == "2026-03-14"
    assert second["donor_name"] == "Camille Martin"
    assert second["donor_address"] == ["12 rue des Tilleuls", "49000 Beaupré-sur-Loire", "France"]
    assert second["issued_at"]
    assert (third["number"], third["paid_on"], third["payment_method"]) == ("2026-00003", "2026-04-02", "Chèque")
    assert third["amount"] == format_euros(2000)
    # Why they stay, in French: a legal obligation, six years.
    kept = section["kept_because"]
    assert kept == in_language("fr", personal_data.why_kept)
    assert kept != in_language("en", personal_data.why_kept)
    plain = kept.replace("\u00a0", " ")
    assert "L. 102 E" in plain and "6-1-c" in plain and "obligation légale" in plain and "six ans" in plain


def test_the_export_speaks_english_under_en(client, citizen, beneficiary, campaign):
    receipt(beneficiary, paid_pledge(campaign), 7)
    section = export_of(client, citizen, lang="en")["tax_receipts"]
    assert "legal obligation" in section["kept_because"] and "six years" in section["kept_because"]
    assert section["receipts"][0]["payment_method"] == "Bank card"
    assert section["receipts"][0]["status_label"] == "Issued"


def test_no_verified_address_no_receipt_in_the_export(home, beneficiary, campaign):
    user = User.objects.create_user("sans.verif@example.org", "Une-phrase-de-passe-42")
    receipt(beneficiary, paid_pledge(campaign, email="sans.verif@example.org"), 1)
    assert account_data.export(user)["tax_receipts"]["receipts"] == []


def test_the_pledges_section_shows_the_postal_address_given_for_the_receipt(client, citizen, campaign):
    paid_pledge(campaign)
    pledge = export_of(client, citizen)["pledges"][0]
    assert pledge["wants_receipt"] is True
    assert pledge["address"] == {
        "street": "12 rue des Tilleuls",
        "postal_code": "49000",
        "city": "Beaupré-sur-Loire",
        "country": "France",
    }


def test_receipts_take_part_in_the_export_through_the_apps_wagtail_hooks():
    """Wagtail loads hooks from the apps' `wagtail_hooks.py`: receipts' must import its personal_data module."""
    hooks_module = importlib.import_module("receipts.wagtail_hooks")
    assert getattr(hooks_module, "personal_data", None) is personal_data, (
        "receipts/wagtail_hooks.py does not import receipts.personal_data"
    )


# Closing an account ---------------------------------------------------------------------------


def test_closing_the_account_erases_the_pledges_address_but_never_the_receipts(citizen, beneficiary, campaign):
    pledge = paid_pledge(campaign, message="Bravo !", public_name="Camille")
    issued = receipt(beneficiary, pledge, 1)
    issued.pdf.save("recu.pdf", ContentFile(b"%PDF-1.7 receipt as issued"), save=True)
    issued.refresh_from_db()
    before = model_to_dict(issued, exclude=["pdf"]) | {"pdf": issued.pdf.name}
    events_before = ReceiptEvent.objects.count()
    other = paid_pledge(campaign, email="quelqu.un@example.org")

    account_data.close_account(citizen)

    pledge.refresh_from_db()
    assert (pledge.backer_name, pledge.backer_email, pledge.public_name, pledge.message) == ("", "", "", "")
    assert {field: getattr(pledge, field) for field in ADDRESS} == NO_ADDRESS
    assert pledge.anonymous
    assert (pledge.amount_cents, pledge.status, pledge.wants_receipt) == (5000, PledgeStatus.PAID, True)
    issued = Receipt.objects.get(pk=issued.pk)
    assert model_to_dict(issued, exclude=["pdf"]) | {"pdf": issued.pdf.name} == before
    assert issued.donor_name == "Camille Martin" and issued.donor_email == "camille.martin@example.org"
    assert issued.pdf.storage.exists(issued.pdf.name)
    with issued.pdf.open("rb") as stored:
        assert stored.read() == b"%PDF-1.7 receipt as issued"
    assert ReceiptEvent.objects.count() == events_before
    other.refresh_from_db()
    assert other.donor_street == ADDRESS["donor_street"] and other.backer_email == "quelqu.un@example.org"


# Retention of unfinished pledges --------------------------------------------------------------


def test_the_retention_purge_erases_the_address_of_unfinished_pledges_only(home, beneficiary, campaign):
    days = PlatformSettings.for_page(campaign).pledge_data_retention_days
    later = timezone.now() + timedelta(days=days + 1)
    cancelled = PledgeFactory(campaign=campaign, status=PledgeStatus.CANCELLED, wants_receipt=True, **ADDRESS)
    failed = PledgeFactory(campaign=campaign, status=PledgeStatus.FAILED, wants_receipt=True, **ADDRESS)
    paid = paid_pledge(campaign)
    kept = receipt(beneficiary, paid, 1)
    before = model_to_dict(kept)

    assert retention.erase_pledges(now=later, dry_run=True) == 2
    assert retention.erase_pledges(now=later) == 2

    for pledge in (cancelled, failed):
        pledge.refresh_from_db()
        assert {field: getattr(pledge, field) for field in ADDRESS} == NO_ADDRESS
        assert pledge.backer_name == "" and pledge.personal_data_erased_at == later
    paid.refresh_from_db()
    assert {field: getattr(paid, field) for field in ADDRESS} == ADDRESS
    assert paid.backer_name == "Camille Martin" and paid.personal_data_erased_at is None
    assert model_to_dict(Receipt.objects.get(pk=kept.pk)) == before


def test_erased_fields_blank_the_address_everywhere():
    """The purge and the closing of an account erase the same postal address fields."""
    for field in ADDRESS:
        assert retention.ERASED_FIELDS[field] == ""
        assert Pledge._meta.get_field(field).blank


# Never deleted ----------------------------------------------------------------------------------


def test_a_receipt_its_pledge_and_its_beneficiary_cannot_be_deleted(beneficiary, campaign):
    pledge = paid_pledge(campaign)
    receipt(beneficiary, pledge, 1)
    with pytest.raises(ProtectedError):
        Pledge.objects.filter(pk=pledge.pk).delete()
    with pytest.raises(ProtectedError):
        beneficiary.delete()
    assert Receipt.objects.filter(pledge=pledge).count() == 1


# The docs say what the code does ----------------------------------------------------------------


def test_the_receipts_doc_states_the_rules_the_code_applies():
    doc = (ROOT / "docs" / "receipts.md").read_text(encoding="utf-8")
    cap = PlatformSettings._meta.get_field("counterpart_cap").default
    assert f"**{TAX_REDUCTION_PERCENT} %**" in doc
    assert f"at most {COUNTERPART_SHARE_PERCENT} % of the gift" in doc
    assert f"default {cap} €" in doc and f"**{cap} € since 1 January 2021**" in doc
    for source in (
        "CGI art. 200-1",
        "CGI art. 238 bis",
        "BOI-IR-RICI-250-10-20-10",
        "BOI-IR-RICI-250-40",
        "arrêté du 26 juin 2008",
        "Rép. min. n° 4771",
        "QE Sénat n° 08845",
        "LPF art. L. 102 E",
        "CGI art. 222 bis",
        "CGI art. 1740 A",
        "GDPR art. 6-1-c",
        "PRIVATE_MEDIA_ROOT",
        "receipts/signatures/",
    ):
        assert source in doc, source
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/receipts.md)" in readme
    operations = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    assert "## Backups" in operations and "PRIVATE_MEDIA_ROOT/receipts/" in operations
