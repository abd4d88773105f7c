"""A citizen pledges in demo mode, with and without JavaScript, and sees the campaign change.

The figures before and after come from the site's own database (`shell_json`), so the
test checks what the page shows against the ledger, never against hard-coded numbers.
Each run pledges on a live campaign without money raised if there is one, so the other
browser tests (which prefer campaigns with money) keep the figures they read at start.
"""

import itertools

import pytest
from axe_playwright_python.sync_playwright import Axe
from helpers import amount_regex, format_axe_violations, percent_regex
from liveserver import shell_json
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

AXE_TAGS = ["RGAAv4", "wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}

_backer_numbers = itertools.count(1)

# The live French campaigns and their rewards with stock left, read fresh each time.
FIGURES_SCRIPT = r"""
import json
from wagtail.models import Locale
from projects.models import CampaignPage
fr = Locale.objects.get(language_code="fr")
out = []
for c in CampaignPage.objects.live().filter(locale=fr).order_by("path"):
    f = c.figures
    if not f.is_live:
        continue
    rewards = [
        {"id": r.pk, "title": r.title, "min": r.min_amount, "stock": r.stock, "left": r.stock_left}
        for r in c.rewards_with_stock()
    ]
    out.append({
        "url": c.get_url(), "key": str(c.translation_key), "raised_cents": f.raised_cents, "percent": f.percent,
        "backers": f.backers, "goal": c.goal, "model": c.funding_model, "rewards": rewards,
    })
print(json.dumps(out))
"""


def live_campaigns(site):
    return shell_json(site, FIGURES_SCRIPT)


def choose_target(site):
    """A live campaign with a reward that has at least one unit left; unfunded ones first."""
    candidates = [
        (campaign, reward)
        for campaign in live_campaigns(site)
        for reward in campaign["rewards"]
        if reward["stock"] is not None and reward["left"] >= 1
    ]
    assert candidates, "the demo data has no live campaign with a reward in limited stock"
    return min(candidates, key=lambda pair: (pair[0]["raised_cents"] > 0, -pair[1]["left"]))


def figures_of(site, key):
    return next(c for c in live_campaigns(site) if c["key"] == key)


def pledge_with_reward(page, site):
    """Campaign page → reward link → form → demo checkout → thanks → campaign page."""
    campaign, reward = choose_target(site)
    # Enough to move the percentage by at least one point, within the per-pledge maximum.
    amount = max(reward["min"], campaign["goal"] // 100 + 1)
    public_name = f"Navigatrice {next(_backer_numbers)} {campaign['key'][:6]}"

    assert page.goto(campaign["url"]).ok
    expect(page.get_by_role("link", name="Soutenir ce projet")).to_be_visible()
    page.get_by_role("link", name=f"Choisir cette contrepartie – {reward['title']}").click()

    # The form: the reward is chosen and its minimum filled in, from the server.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Soutenir")
    expect(page.get_by_role("radio", name=reward["title"])).to_be_checked()
    expect(page.get_by_label("Montant (€)")).to_have_value(str(reward["min"]))
    page.get_by_label("Montant (€)").fill(str(amount))
    page.get_by_label("Votre nom").fill("Camille Navigateur")
    page.get_by_label("Votre adresse e-mail").fill("camille.navigateur@example.org")
    page.get_by_label("Nom affiché publiquement").fill(public_name)
    page.get_by_label("Afficher mon montant sur la page de la collecte").check()
    page.locator("#id_consent").check()  # the consent, worded for the funding model
    page.get_by_role("button", name="Continuer vers le paiement").click()

    # The demo checkout.
    expect(page.get_by_text("Paiement de démonstration — aucun débit réel")).to_be_visible()
    page.get_by_label("Numéro de carte (démo)").fill("4242 4242 4242 4242")
    page.locator('button[name="action"][value="pay"]').click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Merci pour votre soutien")
    expect(page.locator("main")).to_contain_text(reward["title"])
    page.get_by_role("link", name="Retour à la collecte").click()

    after = figures_of(site, campaign["key"])
    assert after["backers"] == campaign["backers"] + 1
    assert after["raised_cents"] >= campaign["raised_cents"] + amount * 100
    assert after["percent"] > campaign["percent"]
    main = page.locator("main")
    text = main.inner_text()
    assert amount_regex(after["raised_cents"]).search(text), f"raised {after['raised_cents'] / 100} € not shown"
    assert percent_regex(after["percent"]).search(text), f"{after['percent']} % not shown"
    expect(page.locator(".figures")).to_contain_text(str(after["backers"]))
    backers = page.locator("section[aria-labelledby='backers-title']")
    expect(backers).to_contain_text(public_name)
    left = next(r for r in after["rewards"] if r["id"] == reward["id"])["left"]
    assert left == reward["left"] - 1
    tier = page.locator(".reward").filter(has=page.get_by_role("heading", name=reward["title"]))
    if left:
        expect(tier).to_contain_text(f"{left} disponible")
    else:
        expect(tier).to_contain_text("Épuisé")
    return campaign, reward


def test_citizen_pledges_with_a_reward_and_sees_the_campaign_change(page, live_server_site):
    pledge_with_reward(page, live_server_site)


def test_the_same_flow_works_without_javascript(nojs_page, live_server_site):
    pledge_with_reward(nojs_page, live_server_site)


@pytest.fixture(scope="module")
def axe():
    return Axe()


def test_pledge_form_has_no_axe_violation(page, live_server_site, axe):
    campaign, reward = choose_target(live_server_site)
    url = f"{campaign['url']}soutenir/?reward={reward['id']}"
    assert page.goto(url).ok
    violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, format_axe_violations(url, violations)

    # And with errors shown: summary, inline messages, aria-invalid.
    page.get_by_label("Montant (€)").fill("abc")
    page.get_by_role("button", name="Continuer vers le paiement").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(page.get_by_label("Montant (€)")).to_have_attribute("aria-invalid", "true")
    violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, format_axe_violations(url + " (with errors)", violations)


def test_with_javascript_the_form_opens_in_place_on_the_campaign_page(page, live_server_site, axe):
    campaign, _reward = choose_target(live_server_site)
    assert page.goto(campaign["url"]).ok
    support = page.get_by_role("link", name="Soutenir ce projet")
    support.click()

    # Same page, the form is now below the funding box, and its heading has the focus.
    section = page.locator("#pledge-inline")
    expect(section).to_be_visible()
    assert page.url.split("#")[0].endswith(campaign["url"])
    expect(section.get_by_role("heading", level=2)).to_be_focused()
    expect(support).to_have_attribute("aria-expanded", "true")
    violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, format_axe_violations(campaign["url"] + " (form in place)", violations)

    # Submitting it empty goes to the form's own page with the errors, as without JavaScript.
    section.get_by_role("button", name="Continuer vers le paiement").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert page.url.split("?")[0].endswith(campaign["url"] + "soutenir/")
