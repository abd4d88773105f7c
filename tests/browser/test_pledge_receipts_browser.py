"""Tax receipts on the pledge form, in Chromium: a pledge with a receipt without JavaScript, and
the form with its receipt fields (and with the counterpart error) at zero axe violations.

The demo data has a live campaign that offers receipts (the Kfé du 33); the tests find it, and
its rewards' values, through the site's own database (`shell_json`), never by a hard-coded slug.
"""

import itertools

import pytest
from axe_playwright_python.sync_playwright import Axe
from helpers import format_axe_violations
from liveserver import shell_json
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

AXE_TAGS = ["RGAAv4", "wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}

_donors = itertools.count(1)

RECEIPT_CAMPAIGNS_SCRIPT = r"""
import json
from wagtail.models import Locale
from payments import rules, services
from projects.models import CampaignPage
fr = Locale.objects.get(language_code="fr")
out = []
for c in CampaignPage.objects.live().filter(locale=fr).order_by("path"):
    if not (c.offers_tax_receipts and c.open_to_pledges):
        continue
    cap = services.counterpart_cap_cents(c)
    out.append({
        "url": c.get_url(),
        "rewards": [
            {
                "id": r.pk, "title": r.title, "min": r.min_amount, "left": r.stock_left,
                "keeps_at_min": rules.gift_keeps_receipt(r, r.min_amount_cents, cap),
            }
            for r in c.rewards_with_stock()
        ],
    })
print(json.dumps(out))
"""

PLEDGE_SCRIPT = r"""
import json
from payments.models import Pledge
p = Pledge.objects.filter(backer_email=EMAIL).order_by("-pk").first()
print(json.dumps(p and {
    "status": p.status, "wants_receipt": p.wants_receipt, "backer_name": p.backer_name,
    "address": [p.donor_street, p.donor_postal_code, p.donor_city, p.donor_country],
    "receipts": p.receipts.count(),
}))
"""


def receipt_campaign(site):
    campaigns = shell_json(site, RECEIPT_CAMPAIGNS_SCRIPT)
    assert campaigns, "the demo data has no live campaign that offers tax receipts"
    return campaigns[0]


def pledge_of(site, email):
    return shell_json(site, PLEDGE_SCRIPT.replace("EMAIL", repr(email)))


def test_a_pledge_with_a_tax_receipt_without_javascript(nojs_page, live_server_site):
    page = nojs_page
    campaign = receipt_campaign(live_server_site)
    email = f"donatrice.recu{next(_donors)}@example.org"
    assert page.goto(campaign["url"]).ok
    expect(page.locator(".funding-box")).to_contain_text("Votre don ouvre droit à un reçu fiscal.")
    page.get_by_role("link", name="Soutenir ce projet").click()

    expect(page.locator("#tax-reduction")).to_contain_text("66\u00a0% de votre don est déduit de votre impôt")
    expect(page.get_by_label("Je souhaite un reçu fiscal")).to_be_checked()
    expect(page.get_by_label("Pays")).to_have_value("France")
    page.get_by_label("Sans contrepartie : montant libre").check()
    page.get_by_label("Montant (€)").fill("30")
    page.get_by_label("Vos nom et prénom").fill("Jeanne Navigatrice")
    page.get_by_label("Votre adresse e-mail").fill(email)
    page.locator("#id_consent").check()
    # Without the address first: the fields are required for a receipt, nothing typed is lost.
    page.get_by_role("button", name="Continuer vers le paiement").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Indiquez votre adresse pour le reçu fiscal.")
    expect(page.get_by_label("Montant (€)")).to_have_value("30")
    expect(page.get_by_label("Vos nom et prénom")).to_have_value("Jeanne Navigatrice")
    expect(page.locator("#tax-reduction")).to_contain_text("Votre don de 30\u00a0€ vous coûterait 10,20\u00a0€")
    page.locator("#id_donor_street").fill("12 rue des Lilas")
    page.get_by_label("Code postal").fill("49990")
    page.get_by_label("Commune").fill("Beaupré-sur-Loire")
    page.locator("#id_consent").check()
    page.get_by_role("button", name="Continuer vers le paiement").click()

    expect(page.get_by_text("Paiement de démonstration — aucun débit réel")).to_be_visible()
    page.get_by_label("Numéro de carte (démo)").fill("4242 4242 4242 4242")
    page.locator('button[name="action"][value="pay"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merci pour votre soutien")

    pledge = pledge_of(live_server_site, email)
    assert pledge["wants_receipt"] is True
    assert pledge["backer_name"] == "Jeanne Navigatrice"
    assert pledge["address"] == ["12 rue des Lilas", "49990", "Beaupré-sur-Loire", "France"]
    # A promise is not a gift yet: the receipt comes once the pledge is paid.
    if pledge["status"] != "paid":
        assert pledge["receipts"] == 0


@pytest.fixture(scope="module")
def axe():
    return Axe()


def test_receipt_fields_and_the_counterpart_error_have_no_axe_violation(page, live_server_site, axe):
    campaign = receipt_campaign(live_server_site)
    url = f"{campaign['url']}soutenir/"
    assert page.goto(url).ok
    expect(page.get_by_label("Je souhaite un reçu fiscal")).to_be_checked()
    violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, format_axe_violations(url, violations)

    # A reward that does not keep the receipt at its minimum, with the box ticked: refused.
    reward = next(r for r in campaign["rewards"] if not r["keeps_at_min"] and r["left"] != 0)
    page.get_by_role("radio", name=reward["title"]).check()
    page.get_by_label("Montant (€)").fill(str(reward["min"]))
    page.get_by_label("Vos nom et prénom").fill("Jeanne Navigatrice")
    page.get_by_label("Votre adresse e-mail").fill("jeanne.axe@example.org")
    page.locator("#id_donor_street").fill("12 rue des Lilas")
    page.get_by_label("Code postal").fill("49990")
    page.get_by_label("Commune").fill("Beaupré-sur-Loire")
    page.locator("#id_consent").check()
    page.get_by_role("button", name="Continuer vers le paiement").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(f"La contrepartie «\u00a0{reward['title']}\u00a0»")
    expect(summary).to_contain_text("Sans contrepartie")
    expect(page.locator("#reward-error")).to_be_visible()
    expect(page.get_by_role("radio", name=reward["title"])).to_be_checked()
    expect(page.locator("#id_donor_street")).to_have_value("12 rue des Lilas")
    violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, format_axe_violations(url + " (counterpart error)", violations)
