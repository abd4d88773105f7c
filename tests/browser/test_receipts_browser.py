"""Issue 11 in Chromium: a donor asks for the yearly summary of their tax receipts without
JavaScript (error summary, then the answer, then the email with the PDF), and downloads a
receipt by its signed link; axe-core (RGAA 4 and WCAG 2.1 A/AA rules, which need JavaScript
to run) at zero on the form, the form with errors, the answer and the cancelled-receipt page.

The receipts are written in the live site's database by `shell_json` (on a paid pledge of
the demo, with a beneficiary of their own): receipts change no campaign figure, so the other
browser tests keep what they read at start. The form is limited to 5 POSTs an hour per
address ("receipt_summary"): this module sends 4.
"""

import json
import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from helpers import email_text, format_axe_violations, wait_for_email
from liveserver import shell_json
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

AXE_TAGS = ["RGAAv4", "wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
SUMMARY_PATH = "/recus/recapitulatif/"
DONOR = f"donateur-{time.monotonic_ns()}@example.org"

# Two receipts of DONOR this year (one issued with its PDF stored, one cancelled), on the
# first paid pledge of the demo; prints their links.
RECEIPTS_SCRIPT = r"""
import json
from django.core.files.base import ContentFile
from django.utils import timezone
from payments.models import Pledge
from receipts import pdf, tokens
from receipts.models import Beneficiary, Receipt

params = json.loads(PARAMS)
pledge = Pledge.objects.filter(status="paid").order_by("pk").first()
beneficiary, _ = Beneficiary.objects.get_or_create(
    legal_name="Commune d'essai du navigateur",
    defaults=dict(
        street="1 place de la Mairie", postal_code="44000", city="Beaupré-sur-Loire", siren="214401093",
        purpose="Projets d'intérêt général", legal_ground="local_authority", signatory_name="Claire Martin",
        signatory_title="Maire",
    ),
)
today = timezone.localdate()
last = Receipt.objects.filter(beneficiary=beneficiary, year=today.year).order_by("-number").first()
number = last.number if last else 0
out = {"year": today.year, "pledge": pledge is not None}
if pledge is not None:
    for status, amount in (("issued", 4500), ("cancelled", 2000)):
        number += 1
        receipt = Receipt.objects.create(
            beneficiary=beneficiary, year=today.year, number=number, pledge=pledge, status=status,
            donor_name="Dominique Donateur", donor_street="3 rue des Lilas", donor_postal_code="44100",
            donor_city="Beaupré-sur-Loire", donor_email=params["email"], amount_cents=amount, paid_on=today,
            payment_method="card", campaign_title="Essai",
            cancelled_at=timezone.now() if status == "cancelled" else None,
            cancel_reason="refund" if status == "cancelled" else "",
        )
        if status == "issued":
            receipt.pdf.save("receipt.pdf", ContentFile(pdf.render_receipt(receipt)), save=True)
        out[status] = {"path": tokens.download_path(receipt), "number": receipt.display_number}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def axe():
    return Axe()


@pytest.fixture(scope="module")
def receipts(live_server_site):
    params = json.dumps(json.dumps({"email": DONOR}))
    data = shell_json(live_server_site, f"PARAMS = {params}\n{RECEIPTS_SCRIPT}")
    assert data["pledge"], "the demo has no paid pledge to attach a receipt to"
    return data


def assert_no_violation(page, axe, what):
    violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, format_axe_violations(f"{page.url} ({what})", violations)


def submit(page):
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def test_the_yearly_summary_without_javascript(nojs_page, receipts, live_server_site):
    page = nojs_page
    assert page.goto(SUMMARY_PATH).ok
    expect(page.locator("h1")).to_have_text("Récapitulatif de mes reçus fiscaux")

    # A wrong address: the error summary links to the field, and what was typed is kept.
    page.get_by_label("Votre adresse e-mail").fill("dominique@")
    page.get_by_label("Année").select_option(str(receipts["year"]))
    submit(page)
    assert page.title().startswith("Erreur")
    summary = page.locator(".error-summary")
    expect(summary.locator("a[href='#id_email']")).to_have_text(
        "Indiquez une adresse e-mail valide, par exemple nom@example.org."
    )
    expect(page.get_by_label("Votre adresse e-mail")).to_have_value("dominique@")
    expect(page.get_by_label("Année")).to_have_value(str(receipts["year"]))

    page.get_by_label("Votre adresse e-mail").fill(DONOR)
    submit(page)
    expect(page.locator("h1")).to_have_text("Consultez votre boîte de réception")
    expect(page.locator("main [role=status]")).to_contain_text(
        f"Si des reçus fiscaux existent pour {DONOR} pour des dons versés en {receipts['year']}"
    )

    message = wait_for_email(live_server_site.mail_dir, DONOR, containing="capitulatif", timeout=60)
    assert "2 reçus figurent dans le PDF joint" in email_text(message)
    attachments = [part for part in message.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert len(attachments) == 1 and attachments[0].get_content().startswith(b"%PDF-")


def test_the_summary_pages_have_no_axe_violation(page, axe, receipts):
    assert page.goto(SUMMARY_PATH).ok
    assert_no_violation(page, axe, "the summary form")
    submit(page)
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_violation(page, axe, "the summary form with errors")
    page.get_by_label("Votre adresse e-mail").fill("personne@example.org")
    submit(page)
    expect(page.locator("h1")).to_have_text("Consultez votre boîte de réception")
    assert_no_violation(page, axe, "the summary's answer")


def test_the_signed_link_of_a_receipt(page, axe, receipts):
    response = page.request.get(receipts["issued"]["path"])
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert "attachment" in response.headers["content-disposition"]
    assert response.body().startswith(b"%PDF-")

    path = receipts["issued"]["path"]
    last = path[-2]
    tampered = f"{path[:-2]}{'A' if last != 'A' else 'B'}/"
    assert page.request.get(tampered).status == 404

    answer = page.goto(receipts["cancelled"]["path"])
    assert answer.status == 410
    expect(page.locator("h1")).to_have_text(f"Le reçu fiscal n° {receipts['cancelled']['number']} a été annulé")
    assert_no_violation(page, axe, "a cancelled receipt")
