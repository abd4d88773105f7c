"""Factories of the receipts app: beneficiaries, receipts, and a campaign that offers receipts.

- `BeneficiaryFactory`: an organisation the site issues receipts for (`can_issue` is True;
  its SIREN passes the Luhn check);
- `ReceiptFactory`: an issued receipt row with a paid pledge, built directly (no service, no
  PDF, no email): for tests of views and the admin. Give `pledge=` to attach it to yours;
  `number` follows a sequence, give it to control numbering;
- `receipt_campaign(make_campaign, **kwargs)`: a tax-deductible campaign naming a beneficiary;
- `receipt_pledge_fields()`: the pledge fields that ask for a receipt (name, address).
"""

import factory
from django.utils import timezone

from payments.models import Pledge
from payments.rules import PledgeStatus
from receipts.models import Beneficiary, LegalGround, Receipt

# Valid SIREN numbers (Luhn check digit): 214 401 093 (a commune), 552 100 554, 732 829 320.
VALID_SIRENS = ("214401093", "552100554", "732829320")


class BeneficiaryFactory(factory.django.DjangoModelFactory):
    """A commune the site issues receipts for, with every statement a receipt needs."""

    class Meta:
        model = Beneficiary

    legal_name = factory.Sequence(lambda n: f"Commune de Beaupré {n}")
    street = "1 place de la Mairie"
    postal_code = "44000"
    city = "Beaupré-sur-Loire"
    siren = VALID_SIRENS[0]
    rna = ""
    purpose = "Soutien aux projets d'intérêt général de la commune."
    legal_ground = LegalGround.LOCAL_AUTHORITY
    signatory_name = "Claire Martin"
    signatory_title = "Maire"
    issues_receipts = True


def receipt_pledge_fields(**overrides) -> dict:
    """Pledge fields of a donor who asks for a receipt (full name and postal address)."""
    fields = {
        "wants_receipt": True,
        "backer_name": "Jeanne Dupont",
        "donor_street": "12 rue des Lilas",
        "donor_postal_code": "44100",
        "donor_city": "Beaupré-sur-Loire",
        "donor_country": "France",
    }
    fields.update(overrides)
    return fields


def receipt_campaign(make_campaign, beneficiary=None, **kwargs):
    """A live campaign whose gifts give a receipt (tax-deductible, naming a beneficiary)."""
    return make_campaign(tax_deductible=True, beneficiary=beneficiary or BeneficiaryFactory(), **kwargs)


class ReceiptFactory(factory.django.DjangoModelFactory):
    """An issued receipt of 25 €, as `receipts.services.issue` would have written it (no PDF)."""

    class Meta:
        model = Receipt

    beneficiary = factory.SubFactory(BeneficiaryFactory)
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    number = factory.Sequence(lambda n: n + 1)
    pledge = None  # required: pass a paid pledge of a campaign
    status = Receipt.Status.ISSUED
    donor_name = "Jeanne Dupont"
    donor_street = "12 rue des Lilas"
    donor_postal_code = "44100"
    donor_city = "Beaupré-sur-Loire"
    donor_country = "France"
    donor_email = "jeanne@example.org"
    amount_cents = 2500
    paid_on = factory.LazyFunction(lambda: timezone.localdate())
    payment_method = Receipt.PaymentMethod.CARD
    campaign_title = factory.LazyAttribute(lambda o: o.pledge.campaign.title if o.pledge else "")


def paid_pledge(campaign, **fields) -> Pledge:
    """A paid online pledge of 25 € on `campaign` asking for a receipt (saving it runs the services)."""
    values = {
        "campaign": campaign,
        "amount_cents": 2500,
        "backer_email": "jeanne@example.org",
        "status": PledgeStatus.PAID,
        "source": Pledge.Source.ONLINE,
        "paid_at": timezone.now(),
        "language": "fr",
        **receipt_pledge_fields(),
    }
    values.update(fields)
    values.setdefault("public_name", values["backer_name"])
    return Pledge.objects.create(**values)


__all__ = [
    "VALID_SIRENS",
    "BeneficiaryFactory",
    "ReceiptFactory",
    "paid_pledge",
    "receipt_campaign",
    "receipt_pledge_fields",
]
