"""Tax receipts in the admin: the beneficiary organisations (every field, SIREN/RNA and signature
checks), the register (filters, French CSV/XLSX exports, detail with history, PDF download),
duplicates and cancellations, and who may do what (Finances: everything; Communication:
the beneficiaries only, nothing of the receipts)."""

import csv
import io
from html import unescape

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from PIL import Image

from coupdepouce.editorial import (
    COMMUNICATION_GROUP,
    FINANCES_GROUP,
    ensure_communication_group,
    ensure_finances_group,
)
from coupdepouce.storage import private_storage
from payments.rules import PledgeStatus
from receipts.admin_forms import SIGNATURE_MAX_BYTES
from receipts.models import Beneficiary, LegalGround, Receipt, ReceiptEvent
from tests.factories.projects import PledgeFactory
from tests.factories.receipts import VALID_SIRENS, BeneficiaryFactory, ReceiptFactory

pytestmark = pytest.mark.django_db

INDEX = "receipt_register:index"
FAKE_PDF = b"%PDF-1.4\n% receipt as issued\n%%EOF\n"


def french(msgid, **values):
    with translation.override("fr"):
        translated = translation.gettext(msgid)
    assert translated != msgid, f"no French for {msgid!r}"
    return translated % values if values else translated


def text(response):
    return unescape(response.content.decode())


def image_bytes(fmt, size=(60, 20)):
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, format=fmt)
    return out.getvalue()


@pytest.fixture
def beneficiary(db):
    return BeneficiaryFactory(legal_name="Ville de Beaupré-sur-Loire")


@pytest.fixture
def pledge(make_campaign):
    # A campaign that offers no receipt: the services leave this paid pledge alone, and the
    # receipts below are written directly.
    campaign = make_campaign(title="Jardin partagé")
    return PledgeFactory(campaign=campaign, status=PledgeStatus.PAID, language="fr")


@pytest.fixture
def receipt(beneficiary, pledge):
    receipt = ReceiptFactory(beneficiary=beneficiary, pledge=pledge, year=2026, number=42, donor_name="Jeanne Dupont")
    receipt.pdf.save("receipt.pdf", ContentFile(FAKE_PDF))
    ReceiptEvent.objects.create(receipt=receipt, action=ReceiptEvent.Action.ISSUED)
    return receipt


@pytest.fixture
def group_client(client, django_user_model):
    ensure_communication_group()
    ensure_finances_group()

    def _login(group_name):
        user = django_user_model.objects.create_user(f"{group_name.lower()}@example.net", "pw", full_name=group_name)
        user.groups.add(Group.objects.get(name=group_name))
        client.force_login(user)
        client.user = user
        return client

    return _login


@pytest.fixture
def finances(group_client):
    return group_client(FINANCES_GROUP)


def inspect_url(receipt):
    return reverse("receipt_register:inspect", args=[receipt.pk])


def cache_control(response):
    return {part.strip() for part in response["Cache-Control"].split(",")}


def refused(response):
    """Wagtail's admin answers a refused view with a redirect to its dashboard."""
    return response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


# Groups ------------------------------------------------------------------------------------------


def receipt_codenames(group):
    return set(group.permissions.filter(content_type__app_label="receipts").values_list("codename", flat=True))


def test_finances_keeps_the_receipts_and_communication_only_sees_the_beneficiaries():
    assert receipt_codenames(ensure_finances_group()) == {
        "add_beneficiary",
        "change_beneficiary",
        "view_beneficiary",
        "view_receipt",
        "cancel_receipt",
        "reissue_receipt",
    }
    assert receipt_codenames(ensure_communication_group()) == {"view_beneficiary"}


def test_the_group_permission_form_offers_the_receipt_actions(admin_client):
    group = Group.objects.create(name="Comptable")
    html = text(admin_client.get(reverse("wagtailusers_groups:edit", args=[group.pk])))
    for codename in ("view_receipt", "cancel_receipt", "reissue_receipt", "change_beneficiary"):
        permission = Permission.objects.get(content_type__app_label="receipts", codename=codename)
        assert f'value="{permission.pk}"' in html, codename
    for codename in ("add_receipt", "change_receipt", "delete_receipt", "delete_beneficiary"):
        permission = Permission.objects.get(content_type__app_label="receipts", codename=codename)
        assert f'value="{permission.pk}"' not in html, codename


# The register --------------------------------------------------------------------------------------


def test_the_register_lists_issued_and_cancelled_receipts(finances, receipt, beneficiary, pledge):
    ReceiptFactory(
        beneficiary=beneficiary,
        pledge=pledge,
        year=2026,
        number=43,
        donor_name="Paul Martin",
        status=Receipt.Status.CANCELLED,
        cancel_reason="refund",
        amount_cents=8050,
    )
    response = finances.get(reverse(INDEX))
    assert response.status_code == 200
    html = text(response).replace("\xa0", " ").replace("\u202f", " ")
    for value in ("2026-00042", "2026-00043", "Jeanne Dupont", "Paul Martin", "25 €", "80,50 €"):
        assert value in html, value
    assert french("Issued") in html and "Annulé" in html


def test_the_register_filters_by_beneficiary_year_and_status(finances, receipt, pledge):
    other = BeneficiaryFactory(legal_name="Association du Kfé du 33", siren="", rna="W443000123")
    ReceiptFactory(beneficiary=other, pledge=pledge, year=2026, number=1, donor_name="Lina Kfé")
    ReceiptFactory(beneficiary=receipt.beneficiary, pledge=pledge, year=2025, number=9, donor_name="Ancien Don")
    ReceiptFactory(
        beneficiary=receipt.beneficiary,
        pledge=pledge,
        year=2026,
        number=43,
        donor_name="Paul Annulé",
        status=Receipt.Status.CANCELLED,
        cancel_reason="refund",
    )

    def names(**params):
        html = text(finances.get(reverse(INDEX), params))
        return {name for name in ("Jeanne Dupont", "Lina Kfé", "Ancien Don", "Paul Annulé") if name in html}

    assert names() == {"Jeanne Dupont", "Lina Kfé", "Ancien Don", "Paul Annulé"}
    assert names(beneficiary=other.pk) == {"Lina Kfé"}
    assert names(year=2025) == {"Ancien Don"}
    assert names(status="cancelled") == {"Paul Annulé"}
    assert names(beneficiary=receipt.beneficiary.pk, year=2026, status="issued") == {"Jeanne Dupont"}
    assert names(q="Lina") == {"Lina Kfé"}
    # The year filter offers the years that have receipts.
    assert '<option value="2025">2025</option>' in text(finances.get(reverse(INDEX)))


def test_the_register_orders_numbers_within_their_year(finances, receipt, pledge):
    for year, number in ((2025, 100), (2026, 2), (2026, 7)):
        ReceiptFactory(beneficiary=receipt.beneficiary, pledge=pledge, year=year, number=number)
    html = text(finances.get(reverse(INDEX), {"ordering": "number"}))
    positions = [html.index(number) for number in ("2025-00100", "2026-00002", "2026-00007", "2026-00042")]
    assert positions == sorted(positions)
    newest_first = text(finances.get(reverse(INDEX)))
    positions = [newest_first.index(number) for number in ("2026-00042", "2026-00007", "2026-00002", "2025-00100")]
    assert positions == sorted(positions)


def test_the_register_costs_the_same_queries_whatever_the_receipts(finances, receipt, pledge):
    def listing_queries():
        with CaptureQueriesContext(connection) as queries:
            assert finances.get(reverse(INDEX)).status_code == 200
        return len(queries)

    listing_queries()  # warm the caches (the request's site and home page)
    few = listing_queries()
    previous = receipt
    for number in range(50, 56):
        previous = ReceiptFactory(beneficiary=receipt.beneficiary, pledge=pledge, year=2026, number=number)
    ReceiptFactory(beneficiary=BeneficiaryFactory(), pledge=pledge, year=2026, number=1, replaces=previous)
    assert listing_queries() == few


def test_the_csv_export_is_in_french_format(finances, receipt, pledge):
    amended = ReceiptFactory(
        beneficiary=receipt.beneficiary,
        pledge=pledge,
        year=2026,
        number=43,
        amount_cents=123456,
        donor_name="=HYPERLINK(1)",
        replaces=None,
        status=Receipt.Status.CANCELLED,
        cancel_reason="refund",
    )
    ReceiptFactory(beneficiary=receipt.beneficiary, pledge=pledge, year=2026, number=44, replaces=amended)
    response = finances.get(reverse(INDEX), {"export": "csv", "year": "2026"})
    assert response.status_code == 200
    assert 'filename="recus-fiscaux-2026.csv"' in response["Content-Disposition"]
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(content[1:]), delimiter=";"))
    by_number = {row["Numéro du reçu"]: row for row in rows}
    assert set(by_number) == {"2026-00042", "2026-00043", "2026-00044"}
    first = by_number["2026-00042"]
    assert first["Montant (€)"] == "25,00"
    assert first["Organisme bénéficiaire"] == "Ville de Beaupré-sur-Loire"
    assert first["SIREN / RNA"] == f"SIREN {VALID_SIRENS[0]}"
    assert first["Donateur"] == "Jeanne Dupont"
    assert first["Code postal du donateur"] == "44100"
    assert first["Date du versement"] == receipt.paid_on.strftime("%d/%m/%Y")
    assert first["Mode de versement"] == "Carte bancaire"
    assert first["Statut"] == "Émis"
    cancelled = by_number["2026-00043"]
    assert cancelled["Montant (€)"] == "1234,56"
    assert cancelled["Statut"] == "Annulé"
    assert cancelled["Motif d'annulation"] == french("the gift was refunded")
    assert cancelled["Donateur"] == "'=HYPERLINK(1)"  # never a formula
    assert by_number["2026-00044"]["Remplace le reçu"] == "2026-00043"


def test_the_xlsx_export_keeps_numbers_and_dates(finances, receipt):
    response = finances.get(reverse(INDEX), {"export": "xlsx"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    headings, values = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert "Montant (€)" in headings
    assert float(values["Montant (€)"]) == 25.0
    paid_on = values["Date du versement"]
    assert getattr(paid_on, "date", lambda: paid_on)() == receipt.paid_on
    assert values["Numéro du reçu"] == "2026-00042"


# One receipt --------------------------------------------------------------------------------------


def test_the_detail_page_shows_the_receipt_its_history_and_its_actions(finances, receipt):
    ReceiptEvent.objects.create(receipt=receipt, action=ReceiptEvent.Action.EMAILED)
    response = finances.get(inspect_url(receipt))
    assert response.status_code == 200
    html = text(response).replace("\xa0", " ")
    for value in ("2026-00042", "Jeanne Dupont", "12 rue des Lilas, 44100 Beaupré-sur-Loire, France", "25 €"):
        assert value in html, value
    assert "jeanne@example.org" in html and "Ville de Beaupré-sur-Loire" in html
    assert french("Issued") in html and french("Emailed") in html  # the history
    assert french("the site (automatic)") in html
    assert reverse("receipt_register:download", args=[receipt.pk]) in html
    assert 'name="cancel-reason"' in html and 'name="duplicate-delivery"' in html
    assert french("Reissue (duplicate)") in html and french("Cancel this receipt") in html


def test_the_stored_pdf_is_downloaded_privately(finances, receipt):
    response = finances.get(reverse("receipt_register:download", args=[receipt.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == FAKE_PDF
    assert response["Content-Type"] == "application/pdf"
    assert 'attachment; filename="recu-2026-00042.pdf"' == response["Content-Disposition"]
    assert {"private", "no-store"} <= cache_control(response)


def test_a_receipt_without_its_pdf_yet_says_so(finances, beneficiary, pledge):
    waiting = ReceiptFactory(beneficiary=beneficiary, pledge=pledge, year=2026, number=7)
    html = text(finances.get(inspect_url(waiting)))
    assert french("The PDF of this receipt is not ready yet.") in html
    response = finances.get(reverse("receipt_register:download", args=[waiting.pk]), follow=True)
    assert response.redirect_chain[-1][0] == inspect_url(waiting)
    assert french("The PDF of this receipt is not ready yet: try again in a few minutes.") in text(response)


def test_cancelling_needs_a_reason_and_keeps_the_receipt_in_the_register(finances, receipt):
    url = reverse("receipt_register:cancel", args=[receipt.pk])
    response = finances.post(url, {"cancel-reason": "   "})
    assert response.status_code == 200
    assert french("Give the reason for cancelling this receipt.") in text(response)
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.ISSUED and not mail.outbox

    response = finances.post(url, {"cancel-reason": "Don  fait par erreur"}, follow=True)
    assert response.redirect_chain[-1][0] == inspect_url(receipt)
    receipt.refresh_from_db()
    assert (receipt.status, receipt.cancel_reason) == (Receipt.Status.CANCELLED, "Don fait par erreur")
    event = receipt.events.get(action=ReceiptEvent.Action.CANCELLED)
    assert event.user == finances.user and event.note == "Don fait par erreur"
    assert [message.to for message in mail.outbox] == [["jeanne@example.org"]]
    assert "Don fait par erreur" in mail.outbox[0].body
    html = text(response)
    assert french("Cancel this receipt") not in html and 'name="cancel-reason"' not in html
    assert "Don fait par erreur" in html
    # Still in the register, with its number.
    assert "2026-00042" in text(finances.get(reverse(INDEX), {"status": "cancelled"}))
    # Cancelling again changes nothing and sends nothing.
    again = finances.post(url, {"cancel-reason": "Encore"}, follow=True)
    assert french("This receipt is already cancelled.") in text(again)
    receipt.refresh_from_db()
    assert receipt.cancel_reason == "Don fait par erreur" and len(mail.outbox) == 1


def test_an_amended_receipt_and_the_one_it_replaces_link_to_each_other(finances, receipt, pledge):
    receipt.status, receipt.cancel_reason = Receipt.Status.CANCELLED, "amended"
    receipt.save()
    amended = ReceiptFactory(
        beneficiary=receipt.beneficiary, pledge=pledge, year=2026, number=43, amount_cents=3000, replaces=receipt
    )
    old = text(finances.get(inspect_url(receipt)))
    assert f'<a href="{inspect_url(amended)}">2026-00043</a>' in old
    assert french("it was replaced by an amended receipt") in old
    new = text(finances.get(inspect_url(amended)))
    assert f'<a href="{inspect_url(receipt)}">2026-00042</a>' in new


def test_a_system_cancel_reason_is_shown_translated(finances, receipt):
    receipt.status, receipt.cancel_reason = Receipt.Status.CANCELLED, "refund"
    receipt.save()
    ReceiptEvent.objects.create(receipt=receipt, action=ReceiptEvent.Action.CANCELLED, note="refund")
    html = text(finances.get(inspect_url(receipt)))
    assert html.count(french("the gift was refunded")) >= 2  # banner, field and history
    assert ">refund<" not in html


def test_a_duplicate_is_emailed_to_the_donor(finances, receipt):
    response = finances.post(
        reverse("receipt_register:duplicate", args=[receipt.pk]), {"duplicate-delivery": "email"}, follow=True
    )
    assert response.redirect_chain[-1][0] == inspect_url(receipt)
    assert french("A duplicate of receipt %(number)s was sent to %(email)s.") % {
        "number": "2026-00042",
        "email": "jeanne@example.org",
    } in text(response)
    assert [message.to for message in mail.outbox] == [["jeanne@example.org"]]
    (name, content, mimetype), *_ = mail.outbox[0].attachments
    assert name == "recu-2026-00042-duplicata.pdf" and mimetype == "application/pdf"
    assert content.startswith(b"%PDF")
    event = receipt.events.get(action=ReceiptEvent.Action.DUPLICATE)
    assert event.user == finances.user
    receipt.refresh_from_db()
    assert receipt.pdf.read() == FAKE_PDF  # the original is never rendered again


def test_a_duplicate_is_downloaded(finances, receipt):
    response = finances.post(
        reverse("receipt_register:duplicate", args=[receipt.pk]), {"duplicate-delivery": "download"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == 'attachment; filename="recu-2026-00042-duplicata.pdf"'
    assert {"private", "no-store"} <= cache_control(response)
    assert receipt.events.filter(action=ReceiptEvent.Action.DUPLICATE).count() == 1 and not mail.outbox


def test_a_donor_without_email_gets_a_downloaded_duplicate_only(finances, beneficiary, pledge):
    receipt = ReceiptFactory(beneficiary=beneficiary, pledge=pledge, year=2026, number=8, donor_email="")
    html = text(finances.get(inspect_url(receipt)))
    assert 'value="email"' not in html
    assert french("No email address is known for this donor: the duplicate can only be downloaded.") in html
    response = finances.post(reverse("receipt_register:duplicate", args=[receipt.pk]), {"duplicate-delivery": "email"})
    assert response.status_code == 200 and not mail.outbox
    assert not receipt.events.filter(action=ReceiptEvent.Action.DUPLICATE).exists()
    assert 'name="duplicate-delivery"' in text(response)


def test_no_delivery_chosen_is_refused_in_french(finances, receipt):
    response = finances.post(reverse("receipt_register:duplicate", args=[receipt.pk]), {})
    assert response.status_code == 200
    assert french("Choose how to deliver the duplicate.") in text(response)
    assert not receipt.events.filter(action=ReceiptEvent.Action.DUPLICATE).exists()


def test_a_cancelled_receipt_is_not_reissued(finances, receipt):
    receipt.status, receipt.cancel_reason = Receipt.Status.CANCELLED, "refund"
    receipt.save()
    assert 'name="duplicate-delivery"' not in text(finances.get(inspect_url(receipt)))
    response = finances.post(
        reverse("receipt_register:duplicate", args=[receipt.pk]), {"duplicate-delivery": "email"}, follow=True
    )
    assert french("A cancelled receipt cannot be reissued.") in text(response)
    assert not mail.outbox and not receipt.events.filter(action=ReceiptEvent.Action.DUPLICATE).exists()


def test_the_action_urls_do_nothing_on_get(finances, receipt):
    for name in ("cancel", "duplicate"):
        response = finances.get(reverse(f"receipt_register:{name}", args=[receipt.pk]))
        assert response.status_code == 302 and response["Location"] == inspect_url(receipt)
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.ISSUED and receipt.events.count() == 1


# Who may do what -----------------------------------------------------------------------------------


def test_communication_sees_nothing_of_the_receipts(group_client, receipt):
    client = group_client(COMMUNICATION_GROUP)
    urls = [
        reverse(INDEX),
        f"{reverse(INDEX)}?export=csv",
        inspect_url(receipt),
        reverse("receipt_register:download", args=[receipt.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert refused(response), url
        assert b"Jeanne Dupont" not in response.content
    assert refused(client.post(reverse("receipt_register:cancel", args=[receipt.pk]), {"cancel-reason": "Non"}))
    assert refused(
        client.post(reverse("receipt_register:duplicate", args=[receipt.pk]), {"duplicate-delivery": "download"})
    )
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.ISSUED and receipt.events.count() == 1 and not mail.outbox
    home = text(client.get(reverse("wagtailadmin_home")))
    assert reverse(INDEX) not in home
    assert reverse("receipt_beneficiaries:index") in home
    assert client.get(reverse("receipt_beneficiaries:index")).status_code == 200
    assert refused(client.get(reverse("receipt_beneficiaries:add")))
    assert refused(client.get(reverse("receipt_beneficiaries:edit", args=[receipt.beneficiary.pk])))


@pytest.mark.parametrize("missing", ["cancel_receipt", "reissue_receipt"])
def test_each_action_needs_its_own_permission(client, django_user_model, receipt, missing):
    user = django_user_model.objects.create_user("lecture@example.net", "pw", full_name="Lecture")
    codenames = {"access_admin", "view_receipt", "cancel_receipt", "reissue_receipt"} - {missing}
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    html = text(client.get(inspect_url(receipt)))
    assert ('name="cancel-reason"' in html) is (missing != "cancel_receipt")
    assert ('name="duplicate-delivery"' in html) is (missing != "reissue_receipt")
    if missing == "cancel_receipt":
        response = client.post(reverse("receipt_register:cancel", args=[receipt.pk]), {"cancel-reason": "Erreur"})
    else:
        response = client.post(
            reverse("receipt_register:duplicate", args=[receipt.pk]), {"duplicate-delivery": "email"}
        )
    assert refused(response)
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.ISSUED and receipt.events.count() == 1 and not mail.outbox


def test_viewing_receipts_needs_the_view_permission(client, django_user_model, receipt):
    user = django_user_model.objects.create_user("annule@example.net", "pw", full_name="Sans lecture")
    user.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin", "cancel_receipt"]))
    client.force_login(user)
    assert refused(client.get(reverse(INDEX)))
    assert refused(client.get(inspect_url(receipt)))
    assert refused(client.get(reverse("receipt_register:download", args=[receipt.pk])))


def test_signed_out_visitors_are_sent_to_the_login(client, receipt):
    for url in (reverse(INDEX), reverse("receipt_register:download", args=[receipt.pk])):
        response = client.get(url)
        assert response.status_code == 302 and reverse("wagtailadmin_login") in response["Location"]


# Beneficiary organisations ------------------------------------------------------------------------


def beneficiary_data(**changes):
    data = {
        "legal_name": "Association Le Kfé du 33",
        "street": "33 rue de la Gare",
        "postal_code": "44100",
        "city": "Beaupré-sur-Loire",
        "siren": "",
        "rna": "w443000123",
        "site": "",
        "purpose": "Animation d'un café associatif de quartier.",
        "legal_ground": LegalGround.GENERAL_INTEREST,
        "legal_ground_details": "Rescrit fiscal du 3 mars 2025",
        "signatory_name": "Nora Benali",
        "signatory_title": "Présidente",
        "issues_receipts": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_finances_creates_a_beneficiary_with_every_field_and_a_signature(finances):
    signature = SimpleUploadedFile("signature.png", image_bytes("PNG"), content_type="image/png")
    response = finances.post(reverse("receipt_beneficiaries:add"), {**beneficiary_data(), "signature": signature})
    assert response.status_code == 302, text(response)[:3000]
    beneficiary = Beneficiary.objects.get()
    assert beneficiary.rna == "W443000123" and beneficiary.can_issue
    assert beneficiary.legal_ground_details == "Rescrit fiscal du 3 mars 2025"
    assert beneficiary.signature.name.startswith("receipts/signatures/")
    assert private_storage().exists(beneficiary.signature.name)
    assert "Association Le Kfé du 33" in text(finances.get(reverse("receipt_beneficiaries:index")))

    # The form shows the stored signature through the permission-checked preview, not a public URL.
    edit = text(finances.get(reverse("receipt_beneficiaries:edit", args=[beneficiary.pk])))
    preview = reverse("receipt_beneficiaries:signature", args=[beneficiary.pk])
    assert preview in edit and beneficiary.signature.name not in edit
    image = finances.get(preview)
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert {"private", "no-store"} <= cache_control(image)
    assert b"".join(image.streaming_content) == image_bytes("PNG")


def test_a_signature_preview_needs_the_view_permission(client, django_user_model, finances):
    beneficiary = BeneficiaryFactory()
    beneficiary.signature.save("s.jpg", ContentFile(image_bytes("JPEG")))
    assert finances.get(reverse("receipt_beneficiaries:signature", args=[beneficiary.pk])).status_code == 200
    user = django_user_model.objects.create_user("autre@example.net", "pw", full_name="Autre")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert refused(client.get(reverse("receipt_beneficiaries:signature", args=[beneficiary.pk])))


@pytest.mark.parametrize(
    ("changes", "field", "msgid"),
    [
        ({"siren": "214401094", "rna": ""}, "siren", "Enter a valid SIREN: nine digits."),
        ({"siren": "", "rna": "123"}, "rna", "Enter a valid RNA number: W followed by nine digits."),
        ({"siren": "", "rna": ""}, "siren", "A receipt must state a SIREN or an RNA number."),
    ],
)
def test_the_model_checks_are_shown_and_nothing_is_lost(finances, changes, field, msgid):
    response = finances.post(reverse("receipt_beneficiaries:add"), beneficiary_data(**changes))
    assert response.status_code == 200 and not Beneficiary.objects.exists()
    assert field in response.context["form"].errors
    html = text(response)
    assert french(msgid) in html
    for value in ("Association Le Kfé du 33", "33 rue de la Gare", "Rescrit fiscal du 3 mars 2025", "Présidente"):
        assert value in html, value


@pytest.mark.parametrize(
    ("upload", "msgid"),
    [
        (("signature.png", b"not an image at all", "image/png"), "The signature must be a PNG or JPEG image."),
        (("signature.gif", image_bytes("GIF"), "image/gif"), "The signature must be a PNG or JPEG image."),
        (
            ("signature.png", image_bytes("PNG")[:40], "image/png"),
            "The signature image cannot be read: save it again as PNG or JPEG.",
        ),
        (
            ("signature.png", image_bytes("PNG") + b"\0" * SIGNATURE_MAX_BYTES, "image/png"),
            "The signature file is too large: 1 MB at most.",
        ),
    ],
)
def test_a_bad_signature_is_refused_by_its_content_and_nothing_else_is_lost(finances, upload, msgid):
    name, content, content_type = upload
    data = {**beneficiary_data(), "signature": SimpleUploadedFile(name, content, content_type=content_type)}
    response = finances.post(reverse("receipt_beneficiaries:add"), data)
    assert response.status_code == 200 and not Beneficiary.objects.exists()
    assert list(response.context["form"].errors) == ["signature"]
    html = text(response)
    assert french(msgid) in html
    assert "Association Le Kfé du 33" in html and "Animation d'un café associatif de quartier." in html


def test_a_jpeg_named_png_is_accepted_by_its_content(finances):
    signature = SimpleUploadedFile("scan.png", image_bytes("JPEG"), content_type="application/octet-stream")
    response = finances.post(reverse("receipt_beneficiaries:add"), {**beneficiary_data(), "signature": signature})
    assert response.status_code == 302
    assert Beneficiary.objects.get().signature


def test_editing_keeps_the_signature_and_beneficiaries_are_never_deleted(finances):
    beneficiary = BeneficiaryFactory()
    beneficiary.signature.save("s.png", ContentFile(image_bytes("PNG")))
    name = beneficiary.signature.name
    url = reverse("receipt_beneficiaries:edit", args=[beneficiary.pk])
    spaced = f"{VALID_SIRENS[1][:3]} {VALID_SIRENS[1][3:6]} {VALID_SIRENS[1][6:]}"  # as copied from a register
    data = beneficiary_data(legal_name="Ville de Beaupré", siren=spaced, rna="")
    response = finances.post(url, data)
    assert response.status_code == 302, text(response)[:2000]
    beneficiary.refresh_from_db()
    assert (beneficiary.legal_name, beneficiary.siren, beneficiary.signature.name) == (
        "Ville de Beaupré",
        VALID_SIRENS[1],
        name,
    )
    # Removing the signature is possible; deleting the organisation is not.
    finances.post(url, {**data, "signature-clear": "on"})
    beneficiary.refresh_from_db()
    assert not beneficiary.signature
    html = text(finances.get(url))
    assert "/delete/" not in html
    assert finances.get(url.replace("/edit/", "/delete/")).status_code == 404
