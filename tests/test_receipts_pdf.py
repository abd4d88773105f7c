"""The tax receipt PDF (CERFA 11580*05 statements, read back with pypdf), amounts in words,
duplicates, cancelled and amended receipts, the embedded signature, no network, and the
donor's yearly summary."""

import base64
import io
import urllib.request
from datetime import UTC, date, datetime

import pypdf
import pytest
from django.core.files.base import ContentFile
from django.utils import translation
from PIL import Image

from payments.models import Pledge
from payments.rules import PledgeStatus
from receipts import pdf
from receipts.models import Beneficiary, LegalGround, Receipt
from receipts.words import amount_in_figures, amount_in_words
from tests.factories.projects import PledgeFactory

NBSP = "\u00a0"


# Amounts in words -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cents", "words"),
    [
        (100, "un euro"),
        (50, "cinquante centimes"),
        (1, "un centime"),
        (101, "un euro et un centime"),
        (2500, "vingt-cinq euros"),
        (2100, "vingt et un euros"),
        (7100, "soixante et onze euros"),
        (8000, "quatre-vingts euros"),
        (8100, "quatre-vingt-un euros"),
        (9900, "quatre-vingt-dix-neuf euros"),
        (20000, "deux cents euros"),
        (20100, "deux cent un euros"),
        (100000, "mille euros"),
        (200000, "deux mille euros"),
        (8000000, "quatre-vingt mille euros"),
        (123450, "mille deux cent trente-quatre euros et cinquante centimes"),
        (100000000, "un million d'euros"),
        (200000000, "deux millions d'euros"),
        (100010000, "un million cent euros"),
        (0, "zéro euro"),
    ],
)
def test_amounts_in_french_words(cents, words):
    assert amount_in_words(cents) == words


def test_a_negative_amount_has_no_words():
    with pytest.raises(ValueError):
        amount_in_words(-100)


@pytest.mark.parametrize(
    ("cents", "figures"),
    [(2500, "25,00"), (50, "0,50"), (123450, f"1{NBSP}234,50"), (100000000, f"1{NBSP}000{NBSP}000,00")],
)
def test_amounts_in_figures_have_two_decimals(cents, figures):
    assert amount_in_figures(cents) == figures


# Receipts -------------------------------------------------------------------------------------


def pdf_text(content: bytes) -> str:
    """Every page's text, whitespace collapsed (no-break spaces too)."""
    assert content.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def pdf_images(content: bytes) -> int:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return sum(len(page.images) for page in reader.pages)


def png_bytes(size=(60, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 20, 90)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def beneficiary(db):
    return Beneficiary.objects.create(
        legal_name="Ville de Beaupré-sur-Loire",
        street="1 place de la Mairie",
        postal_code="44000",
        city="Beaupré-sur-Loire",
        siren="732829320",
        purpose="Projets d'intérêt général de la commune",
        legal_ground=LegalGround.LOCAL_AUTHORITY,
        legal_ground_details="délibération du 3 février 2026",
        signatory_name="Claire Martin",
        signatory_title="Maire",
        issues_receipts=True,
    )


@pytest.fixture
def pledge(make_campaign):
    campaign = make_campaign(title="Le Kfé du 33")
    return PledgeFactory(campaign=campaign, amount_cents=123450, status=PledgeStatus.PAID)


@pytest.fixture
def make_receipt(beneficiary, pledge):
    numbers = iter(range(42, 1000))

    def _make(**fields):
        values = {
            "beneficiary": beneficiary,
            "year": 2026,
            "number": next(numbers),
            "pledge": pledge,
            "donor_name": "Camille Durand",
            "donor_street": "3 rue des Lilas",
            "donor_postal_code": "44100",
            "donor_city": "Orléans",
            "donor_country": "France",
            "donor_email": "camille@example.org",
            "amount_cents": 123450,
            "paid_on": date(2026, 3, 12),
            "payment_method": Receipt.PaymentMethod.CARD,
            "campaign_title": "Le Kfé du 33",
            **fields,
        }
        receipt = Receipt.objects.create(**values)
        # Issued late on 5 January in UTC: already the 6th in Paris.
        Receipt.objects.filter(pk=receipt.pk).update(issued_at=datetime(2026, 1, 5, 23, 30, tzinfo=UTC))
        receipt.refresh_from_db()
        return receipt

    return _make


def test_the_receipt_states_everything_cerfa_11580_asks(make_receipt):
    text = pdf_text(pdf.render_receipt(make_receipt()))

    expected = [
        # Title, law, order number.
        "Reçu au titre des dons à certains organismes d'intérêt général",
        "Articles 200 et 978 du code général des impôts",
        "Cerfa n° 11580*05",
        "Numéro d'ordre du reçu : 2026-00042",
        # Beneficiary: name, SIREN, address, purpose, legal ground.
        "Bénéficiaire des versements",
        "Nom ou dénomination : Ville de Beaupré-sur-Loire",
        "N° SIREN ou RNA : SIREN 732829320",
        "Adresse : 1 place de la Mairie, 44000 Beaupré-sur-Loire",
        "Objet : Projets d'intérêt général de la commune",
        "Qualité : Collectivité territoriale (dons affectés à un projet d'intérêt général) "
        "(délibération du 3 février 2026)",
        # Donor.
        "Donateur",
        "Nom et prénoms : Camille Durand",
        "Adresse : 3 rue des Lilas, 44100 Orléans, France",
        # The gift: amount in figures and words, date, certification, form, nature, method.
        "Le bénéficiaire reconnaît avoir reçu au titre des dons et versements ouvrant droit à réduction "
        "d'impôt, la somme de : ***1 234,50*** euros",
        "Somme en toutes lettres : mille deux cent trente-quatre euros et cinquante centimes",
        "Date du versement ou du don : 12 mars 2026",
        "Projet soutenu : Le Kfé du 33",
        "Le bénéficiaire certifie sur l'honneur que les dons et versements qu'il reçoit ouvrent droit à la "
        "réduction d'impôt prévue à l'article 200 du CGI.",
        "Forme du don : Déclaration de don manuel",
        "Nature du don : Numéraire",
        "Mode de versement du don : Carte bancaire",
        # Place, date (of issue, in Paris) and signatory.
        "Date et signature",
        "Fait à Beaupré-sur-Loire, le 6 janvier 2026",
        "Claire Martin, Maire",
    ]
    missing = [statement for statement in expected if statement not in text]
    assert not missing, f"missing {missing} in:\n{text}"
    assert "DUPLICATA" not in text and "ANNULÉ" not in text and "remplace" not in text


def test_the_receipt_is_in_french_whatever_the_language(make_receipt):
    receipt = make_receipt()
    with translation.override("en"):
        text = pdf_text(pdf.render_receipt(receipt))
        assert translation.get_language() == "en"
    assert "Reçu au titre des dons" in text and "Date du versement ou du don : 12 mars 2026" in text
    assert "Receipt for gifts" not in text


@pytest.mark.parametrize(
    ("method", "label"),
    [
        (Receipt.PaymentMethod.CARD, "Carte bancaire"),
        (Receipt.PaymentMethod.CHEQUE, "Chèque"),
        (Receipt.PaymentMethod.TRANSFER, "Virement"),
        (Receipt.PaymentMethod.CASH, "Remise d'espèces"),
    ],
)
def test_the_method_of_payment_is_stated(make_receipt, method, label):
    text = pdf_text(pdf.render_receipt(make_receipt(payment_method=method)))
    assert f"Mode de versement du don : {label} " in text


@pytest.mark.parametrize(
    ("ground", "quality"),
    [
        (LegalGround.PUBLIC_UTILITY, "Association ou fondation reconnue d'utilité publique"),
        (LegalGround.GENERAL_INTEREST, "Œuvre ou organisme d'intérêt général"),
        (LegalGround.LOCAL_AUTHORITY, "Collectivité territoriale"),
        (LegalGround.ENDOWMENT_FUND, "Fonds de dotation"),
        (LegalGround.EDUCATION, "Établissement d'enseignement supérieur ou d'enseignement artistique"),
    ],
)
def test_every_legal_ground_is_stated_in_french(make_receipt, beneficiary, ground, quality):
    beneficiary.legal_ground = ground
    beneficiary.legal_ground_details = ""
    beneficiary.save()
    text = pdf_text(pdf.render_receipt(make_receipt()))
    assert f"Qualité : {quality}" in text


def test_an_association_is_identified_by_its_rna(make_receipt, beneficiary):
    beneficiary.siren = ""
    beneficiary.rna = "W452001234"
    beneficiary.legal_name = "Association Le Kfé du 33"
    beneficiary.save()
    text = pdf_text(pdf.render_receipt(make_receipt(amount_cents=8000)))
    assert "N° SIREN ou RNA : RNA W452001234" in text
    assert "Nom ou dénomination : Association Le Kfé du 33" in text
    assert "***80,00*** euros" in text and "Somme en toutes lettres : quatre-vingts euros" in text


def test_a_duplicate_says_so_with_the_same_number(make_receipt):
    receipt = make_receipt()
    text = pdf_text(pdf.render_receipt(receipt, duplicate=True))
    assert "DUPLICATA" in text
    assert "du reçu émis le 6 janvier 2026, sous le même numéro" in text
    assert "Numéro d'ordre du reçu : 2026-00042" in text
    # Everything else is stated as on the original.
    assert "***1 234,50*** euros" in text and "Nom et prénoms : Camille Durand" in text


def test_a_cancelled_receipt_carries_the_banner_and_the_reason(make_receipt):
    receipt = make_receipt(
        status=Receipt.Status.CANCELLED,
        cancelled_at=datetime(2026, 4, 2, 10, 0, tzinfo=UTC),
        cancel_reason="refund",
    )
    text = pdf_text(pdf.render_receipt(receipt))
    assert "ANNULÉ" in text
    assert "Ce reçu a été annulé le 2 avril 2026 : il n'ouvre pas droit à réduction d'impôt." in text
    assert "Motif : le don a été remboursé." in text


def test_a_staff_reason_is_stated_as_written(make_receipt):
    receipt = make_receipt(
        status=Receipt.Status.CANCELLED,
        cancelled_at=datetime(2026, 4, 2, 10, 0, tzinfo=UTC),
        cancel_reason="Erreur de saisie du montant.",
    )
    assert "Motif : Erreur de saisie du montant. " in pdf_text(pdf.render_receipt(receipt)) + " "


def test_an_amended_receipt_names_the_one_it_replaces(make_receipt):
    old = make_receipt(status=Receipt.Status.CANCELLED, cancel_reason="amended")
    new = make_receipt(replaces=old, amount_cents=5000)
    text = pdf_text(pdf.render_receipt(new))
    assert "Ce reçu rectificatif annule et remplace le reçu n° 2026-00042." in text
    assert "Numéro d'ordre du reçu : 2026-00043" in text
    assert "Somme en toutes lettres : cinquante euros" in text


def test_the_scanned_signature_is_embedded(make_receipt, beneficiary):
    assert pdf_images(pdf.render_receipt(make_receipt())) == 0
    beneficiary.signature.save("signature.png", ContentFile(png_bytes()), save=True)
    assert pdf.signature_data_uri(beneficiary).startswith("data:image/png;base64,")
    assert pdf_images(pdf.render_receipt(make_receipt())) == 1


def test_a_signature_that_is_not_an_image_is_left_out(make_receipt, beneficiary):
    beneficiary.signature.save("signature.png", ContentFile(b"<svg xmlns='http://www.w3.org/2000/svg'/>"), save=True)
    assert pdf.signature_data_uri(beneficiary) == ""
    text = pdf_text(pdf.render_receipt(make_receipt()))
    assert "Claire Martin, Maire" in text


def test_a_missing_signature_file_does_not_stop_the_receipt(make_receipt, beneficiary):
    beneficiary.signature.save("signature.png", ContentFile(png_bytes()), save=True)
    beneficiary.signature.storage.delete(beneficiary.signature.name)
    assert pdf.signature_data_uri(beneficiary) == ""
    assert "Claire Martin, Maire" in pdf_text(pdf.render_receipt(make_receipt()))


def test_nothing_is_fetched_from_the_network(monkeypatch):
    opened = []
    original = urllib.request.OpenerDirector.open

    def spy(self, url, *args, **kwargs):
        opened.append(getattr(url, "full_url", url))
        return original(self, url, *args, **kwargs)

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", spy)
    html = (
        '<html><head><link rel="stylesheet" href="http://192.0.2.1/style.css"></head>'
        '<body><p>Texte</p><img src="https://192.0.2.1/x.png" alt=""><img src="file:///etc/hostname" alt="">'
        f'<img src="data:image/png;base64,{base64.b64encode(png_bytes()).decode()}" alt="">'
        "</body></html>"
    )
    content = pdf.write_pdf(html)
    assert pdf_images(content) == 1  # only the data: URI
    assert [url for url in opened if not url.startswith("data:")] == []


# Yearly summary -------------------------------------------------------------------------------


def test_the_summary_lists_receipts_and_totals_the_issued_ones(make_receipt, make_campaign):
    issued = make_receipt(amount_cents=5000, paid_on=date(2026, 2, 1))
    cancelled = make_receipt(
        amount_cents=3000, paid_on=date(2026, 3, 1), status=Receipt.Status.CANCELLED, cancel_reason="refund"
    )
    other = Beneficiary.objects.create(
        legal_name="Association Le Kfé du 33",
        street="33 rue du Port",
        postal_code="44000",
        city="Beaupré-sur-Loire",
        rna="W452001234",
        purpose="Café associatif",
        legal_ground=LegalGround.GENERAL_INTEREST,
        signatory_name="Sam Leroy",
        signatory_title="Président",
    )
    third = make_receipt(beneficiary=other, number=1, amount_cents=12345, paid_on=date(2026, 5, 9))
    with translation.override("fr"):
        text = pdf_text(pdf.render_summary("camille@example.org", 2026, [third, cancelled, issued]))
    assert "Récapitulatif de vos reçus fiscaux, 2026" in text
    assert "Pour camille@example.org" in text
    assert "Ce récapitulatif n'est pas un reçu fiscal." in text
    for receipt in (issued, cancelled, third):
        assert receipt.display_number in text
    # In order of payment, with beneficiary, date, amount and status.
    assert text.index("2026-00042") < text.index("2026-00043") < text.index("2026-00001")
    assert "2026-00042 Ville de Beaupré-sur-Loire Le Kfé du 33 1 février 2026 50,00 € Émis" in text
    assert "1 mars 2026 30,00 € Annulé : non compté" in text
    assert "Association Le Kfé du 33" in text and "123,45 €" in text
    assert "Total des reçus émis 173,45 €" in text


def test_the_summary_follows_the_language_it_is_asked_in(make_receipt):
    receipt = make_receipt(amount_cents=5000)
    with translation.override("en"):
        text = pdf_text(pdf.render_summary("camille@example.org", 2026, [receipt]))
    assert "Summary of your tax receipts, 2026" in text
    assert "This summary is not a tax receipt." in text
    assert "€50.00" in text and "Total of the receipts issued €50.00" in text


def test_the_paid_pledge_fixture_stays_without_receipt(pledge):
    # The receipts here are built by hand: the pledge does not ask for one, so saving it
    # paid issued none of its own (the numbers the tests read are theirs).
    assert pledge.status == PledgeStatus.PAID and not Pledge.objects.get(pk=pledge.pk).wants_receipt
    assert not Receipt.objects.exists()
