"""Donors' receipt pages: the signed download link (valid, tampered, another receipt's
signature, cancelled, not ready) and the yearly summary form (errors, nothing lost, the same
answer for every address, the summary emailed only when receipts exist, honeypot, rate limit)."""

import io
import re
from datetime import UTC, date, datetime

import pypdf
import pytest
from bs4 import BeautifulSoup
from django.core import mail, signing
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation

from coupdepouce.storage import private_storage
from payments.rules import PledgeStatus
from receipts import pdf, tokens
from receipts.forms import SummaryForm, default_year, offered_years
from receipts.models import Beneficiary, LegalGround, Receipt, ReceiptEvent
from tests.factories.projects import PledgeFactory

pytestmark = pytest.mark.django_db

SUMMARY_URL = "/recus/recapitulatif/"
NBSP = "\u00a0"
TOO_MANY = "Be patient, you are sending too many requests."
YEAR = timezone.localdate().year


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def text_of(response):
    return " ".join(soup(response).get_text(" ").split())


def link(receipt, language="fr"):
    """The receipt's link path in `language` (a request to /en/ leaves English active)."""
    with translation.override(language):
        return tokens.download_path(receipt)


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


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
        signatory_name="Claire Martin",
        signatory_title="Maire",
        issues_receipts=True,
    )


@pytest.fixture
def campaign(make_campaign):
    return make_campaign(title="Le Kfé du 33")


@pytest.fixture
def make_receipt(beneficiary, campaign):
    numbers = iter(range(1, 1000))

    def _make(*, stored=True, **fields):
        values = {
            "beneficiary": beneficiary,
            "year": YEAR,
            "number": next(numbers),
            "pledge": PledgeFactory(campaign=campaign, amount_cents=2500, status=PledgeStatus.PAID),
            "donor_name": "Camille Durand",
            "donor_street": "3 rue des Lilas",
            "donor_postal_code": "44100",
            "donor_city": "Orléans",
            "donor_email": "camille@example.org",
            "amount_cents": 2500,
            "paid_on": date(YEAR, 1, 15),
            "payment_method": Receipt.PaymentMethod.CARD,
            "campaign_title": "Le Kfé du 33",
            **fields,
        }
        receipt = Receipt.objects.create(**values)
        if stored:
            receipt.pdf.save("receipt.pdf", ContentFile(pdf.render_receipt(receipt)), save=True)
        return receipt

    return _make


# The signed link ------------------------------------------------------------------------------


def test_the_link_is_signed_french_and_absolute_on_the_campaigns_site(make_receipt, campaign):
    receipt = make_receipt(stored=False)
    path = link(receipt)
    assert re.fullmatch(r"/recus/[0-9a-f-]{36}:[\w-]+/", path), path
    assert path.startswith(f"/recus/{receipt.token}:")
    with translation.override("fr"):
        assert tokens.download_url(receipt) == f"http://localhost{path}"
    assert tokens.receipt_for(tokens.sign(receipt)) == receipt
    with translation.override("en"):
        assert tokens.download_path(receipt) == f"/en{path}"


def test_a_valid_link_gives_the_stored_pdf_never_cached_nor_indexed(client, make_receipt):
    receipt = make_receipt()
    stored = receipt.pdf.read()
    receipt.pdf.close()

    response = client.get(link(receipt))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="recu-{receipt.display_number}.pdf"'
    assert set(response["Cache-Control"].replace(" ", "").split(",")) >= {"private", "no-store"}
    assert "noindex" in response["X-Robots-Tag"]
    body = b"".join(response.streaming_content)
    assert body == stored
    assert f"Numéro d'ordre du reçu : {receipt.display_number}" in pdf_text(body)
    event = receipt.events.get()
    assert (event.action, event.actor) == (ReceiptEvent.Action.DOWNLOADED, "donor")


def test_the_english_link_works_too(client, make_receipt):
    receipt = make_receipt()
    path = link(receipt, "en")
    response = client.get(path)
    assert path.startswith("/en/recus/") and response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_a_head_request_downloads_nothing(client, make_receipt):
    receipt = make_receipt()
    assert client.head(link(receipt)).status_code == 200
    assert not receipt.events.exists()


def test_a_tampered_link_is_not_found(client, make_receipt):
    receipt = make_receipt()
    signed = tokens.sign(receipt)
    value, signature = signed.split(":")
    for bad in (
        f"{value}:{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",  # one character changed
        f"{value}:",  # no signature
        value,  # the bare token
        f"{value[:-1]}{'0' if value[-1] != '0' else '1'}:{signature}",  # another token, same signature
        "recu",
    ):
        response = client.get(f"/recus/{bad}/")
        assert response.status_code == 404, bad
    assert not receipt.events.exists()


def test_another_receipts_signature_does_not_open_this_one(client, make_receipt):
    mine, other = make_receipt(), make_receipt()
    other_signature = tokens.sign(other).split(":")[1]
    assert client.get(f"/recus/{mine.token}:{other_signature}/").status_code == 404
    # A signature of this very token under another salt (another kind of link) is refused too.
    foreign = signing.Signer(salt="follows.unsubscribe").sign(str(mine.token))
    assert client.get(f"/recus/{foreign}/").status_code == 404
    assert tokens.receipt_for(foreign) is None


def test_a_link_to_an_unknown_receipt_is_not_found(client, make_receipt):
    receipt = make_receipt()
    signed = tokens.sign(receipt)
    receipt_pk = receipt.pk
    ReceiptEvent.objects.filter(receipt_id=receipt_pk).delete()
    Receipt.objects.filter(pk=receipt_pk).update(token="00000000-0000-4000-8000-000000000000")
    assert client.get(f"/recus/{signed}/").status_code == 404


def test_a_cancelled_receipt_answers_410_and_says_why(client, make_receipt):
    old = make_receipt(
        status=Receipt.Status.CANCELLED,
        cancelled_at=datetime(YEAR, 3, 2, 10, 0, tzinfo=UTC),
        cancel_reason="amended",
    )
    new = make_receipt(replaces=old)

    response = client.get(link(old))

    assert response.status_code == 410
    assert response["Content-Type"].startswith("text/html")
    assert "no-store" in response["Cache-Control"] and "noindex" in response["X-Robots-Tag"]
    page = text_of(response)
    assert f"Le reçu fiscal n° {old.display_number} a été annulé" in page
    assert f"Ce reçu a été annulé le 2 mars {YEAR} : il n'ouvre plus droit à réduction d'impôt" in page
    assert "Motif : il a été remplacé par un reçu rectificatif." in page
    assert f"Il a été remplacé par le reçu rectificatif n° {new.display_number}" in page
    assert soup(response).find("html")["lang"] == "fr"
    assert not old.events.filter(action=ReceiptEvent.Action.DOWNLOADED).exists()


def test_a_cancelled_receipt_in_english(client, make_receipt):
    receipt = make_receipt(
        status=Receipt.Status.CANCELLED, cancelled_at=datetime(YEAR, 3, 2, 10, 0, tzinfo=UTC), cancel_reason="refund"
    )
    response = client.get(link(receipt, "en"))
    assert response.status_code == 410
    assert f"Tax receipt No. {receipt.display_number} was cancelled" in text_of(response)
    assert "Reason: the gift was refunded." in text_of(response)


def test_a_receipt_not_stored_yet_asks_to_come_back(client, make_receipt):
    receipt = make_receipt(stored=False)
    response = client.get(link(receipt))
    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    assert "Votre reçu fiscal est en préparation" in text_of(response)
    # A stored file that went missing gives the same page, not a crash.
    stored = make_receipt()
    private_storage().delete(stored.pdf.name)
    assert client.get(link(stored)).status_code == 503


def test_only_get_and_head(client, make_receipt):
    receipt = make_receipt()
    assert client.post(link(receipt)).status_code == 405


# The yearly summary ---------------------------------------------------------------------------


def summary_data(**overrides):
    return {"email": "camille@example.org", "year": str(YEAR), "website": "", **overrides}


def summary_emails():
    return [message for message in mail.outbox if "capitulatif" in message.subject]


def test_the_summary_form_is_labelled_and_offers_the_years_kept():
    today = date(2027, 3, 1)
    assert offered_years(today) == [2027, 2026, 2025, 2024, 2023, 2022, 2021]
    assert default_year(today) == 2026  # income tax return season: last year's gifts
    assert default_year(date(2027, 7, 1)) == 2027
    form = SummaryForm(today=today)
    assert form.fields["year"].initial == 2026


def test_the_summary_page(client, home):
    response = client.get(SUMMARY_URL)
    assert response.status_code == 200
    page = soup(response)
    form = page.select_one("main form[method=post]")
    assert form["action"] == SUMMARY_URL
    assert page.select_one("label[for=id_email]").get_text(strip=True) == "Votre adresse e-mail"
    assert page.select_one("label[for=id_year]").get_text(strip=True) == "Année"
    assert page.select_one("#id_email")["autocomplete"] == "email"
    assert page.select_one("#id_email")["aria-describedby"] == "id_email_helptext"
    honeypot = page.select_one("#id_website")
    assert honeypot.find_parent(attrs={"hidden": True}) is not None and honeypot["tabindex"] == "-1"
    assert page.find("h1").get_text(strip=True) == "Récapitulatif de mes reçus fiscaux"
    assert "n'est pas un reçu" in text_of(response)
    with translation.override("fr"):
        assert reverse("receipts:summary") == SUMMARY_URL


def test_summary_errors_are_translated_and_nothing_is_lost(client, home, make_receipt):
    make_receipt()
    response = client.post(SUMMARY_URL, summary_data(email="camille@", year="1990"))

    assert response.status_code == 200
    page = soup(response)
    assert page.find("title").get_text().startswith(f"Erreur{NBSP}:")
    summary = page.select_one(".error-summary")
    assert summary is not None and summary["role"] == "alert"
    links = {a["href"]: a.get_text(strip=True) for a in summary.select("a")}
    assert links == {
        "#id_email": "Indiquez une adresse e-mail valide, par exemple nom@example.org.",
        "#id_year": "Choisissez une année dans la liste.",
    }
    assert page.select_one("#id_email")["value"] == "camille@"
    assert page.select_one("#id_email")["aria-invalid"] == "true"
    assert not summary_emails()

    response = client.post(SUMMARY_URL, summary_data(email="", year=""))
    messages = [li.get_text(strip=True) for li in soup(response).select(".error-summary li")]
    assert messages == ["Indiquez votre adresse e-mail.", "Choisissez une année."]

    # The year chosen is kept when the address is wrong.
    response = client.post(SUMMARY_URL, summary_data(email="nope", year=str(YEAR - 1)))
    assert soup(response).select_one(f"#id_year option[value='{YEAR - 1}']").has_attr("selected")


def test_the_summary_is_emailed_when_receipts_exist(client, home, make_receipt, beneficiary):
    first = make_receipt(amount_cents=5000, paid_on=date(YEAR, 2, 1))
    cancelled = make_receipt(
        amount_cents=3000, paid_on=date(YEAR, 3, 1), status=Receipt.Status.CANCELLED, cancel_reason="refund"
    )
    make_receipt(donor_email="someone.else@example.org", amount_cents=7000)
    make_receipt(paid_on=date(YEAR - 1, 12, 20), year=YEAR - 1, amount_cents=9000)
    mail.outbox.clear()

    response = client.post(SUMMARY_URL, summary_data(email="Camille@Example.org"))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert (
        f"Si des reçus fiscaux existent pour Camille@Example.org pour des dons versés en {YEAR}, "
        "un récapitulatif vient d'être envoyé à cette adresse." in text_of(response)
    )
    [message] = summary_emails()
    assert message.to == ["Camille@Example.org"]
    assert message.subject == f"Récapitulatif de vos reçus fiscaux, {YEAR}"
    assert "2 reçus figurent dans le PDF joint" in message.body
    assert "Le récapitulatif n'est pas un reçu" in message.body
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == (f"recapitulatif-recus-fiscaux-{YEAR}.pdf", "application/pdf")
    text = pdf_text(content)
    assert first.display_number in text and cancelled.display_number in text
    assert "70,00" not in text and "90,00" not in text  # another donor's, another year's
    assert "Total des reçus émis 50,00 €" in text
    # Stored in the private storage for the email task (attachments are read from there), and
    # deleted once sent: a summary is not a receipt and is not kept.
    assert private_storage().listdir(f"receipts/summaries/{YEAR}")[1] == []


def test_the_same_answer_and_no_email_without_receipts(client, home, make_receipt):
    make_receipt()
    mail.outbox.clear()
    with_receipts = client.post(SUMMARY_URL, summary_data())
    without = client.post(SUMMARY_URL, summary_data(email="nobody@example.org"))
    other_year = client.post(SUMMARY_URL, summary_data(year=str(YEAR - 1)))

    assert with_receipts.status_code == without.status_code == other_year.status_code == 200
    answer = text_of(with_receipts).replace("camille@example.org", "X")
    assert text_of(without).replace("nobody@example.org", "X") == answer
    assert len(summary_emails()) == 1 and summary_emails()[0].to == ["camille@example.org"]


def test_the_summary_email_follows_the_language_of_the_request(client, home, make_receipt):
    make_receipt()
    mail.outbox.clear()
    response = client.post("/en" + SUMMARY_URL, summary_data())
    assert response.status_code == 200
    assert "If tax receipts exist for camille@example.org" in text_of(response)
    [message] = summary_emails() or [m for m in mail.outbox if "Summary" in m.subject]
    assert message.subject == f"Summary of your tax receipts, {YEAR}"
    assert "1 receipt is listed in the attached PDF" in message.body
    assert "Summary of your tax receipts" in pdf_text(message.attachments[0][1])


def test_a_filled_honeypot_is_refused(client, home, make_receipt):
    make_receipt()
    mail.outbox.clear()
    response = client.post(SUMMARY_URL, summary_data(website="http://spam.example"))
    assert response.status_code == 200
    assert "Votre demande n'a pas pu être envoyée. Veuillez réessayer." in text_of(response)
    assert soup(response).select_one("#id_email")["value"] == "camille@example.org"
    assert not mail.outbox


def test_the_summary_form_is_rate_limited(client, home, low_rates):
    post = lambda **kw: client.post(SUMMARY_URL, summary_data(email="nobody@example.org"), **kw)  # noqa: E731
    assert [post().status_code for _ in range(2)] == [200, 200]
    response = post()
    assert response.status_code == 429
    with translation.override("fr"):
        assert translation.gettext(TOO_MANY) in response.content.decode()
    assert client.get(SUMMARY_URL).status_code == 200  # reading the form is not limited
    assert post(REMOTE_ADDR="192.0.2.7").status_code == 200
