"""Issue 10 in Chromium: a citizen offers help in kind, follows a project (double opt-in, then
unsubscribes by the signed link) and asks a question, without JavaScript; axe-core (RGAA 4 and
WCAG 2.1 A/AA rules) on every page of those journeys, on the report page and on the holder's
"Mon projet" pages.

The campaign is chosen from the demo content (`community_data` in conftest.py): the live
campaign held by porteur@example.org, which has in-kind needs. What the site recorded and who
was emailed are read from the live site's database (`shell_json`) and its mail folder.

Rate limits count per address, and every request comes from 127.0.0.1: this module sends
at most 4 offers ("help_offer": 5/h), 3 questions ("question": 5/h) and 4 follow requests.
"""

import http.server
import itertools
import json
import re
import threading
import time
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from helpers import email_text, format_axe_violations, path_of, urls_in, wait_for_email
from liveserver import shell_json
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

AXE_TAGS = ["RGAAv4", "wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}

HOLDER_EMAIL = "porteur@example.org"
HOLDER_PASSWORD = "coupdepouce-demo"  # noqa: S105 — the documented demo password

_numbers = itertools.count(1)
RUN = time.monotonic_ns()


def unique_email(who):
    return f"{who}-{next(_numbers)}-{RUN}@example.org"


# The citizen of the no-JavaScript journeys (the same person offers, follows and asks).
CITIZEN = {"name": f"Dominique Entraide {RUN % 100_000}", "email": unique_email("dominique")}

# What the site recorded for an address on a campaign, and who hears about offers and questions.
STATE_SCRIPT = r"""
import json
from follows.models import Follow
from holders.services import notify_emails
from offers.models import HelpOffer
from projects.models import CampaignPage
from questions.models import Question

params = json.loads(PARAMS)
campaign = CampaignPage.objects.get(pk=params["campaign"])
email = params["email"]
print(json.dumps({
    "offers": [
        {"status": o.status, "need_key": str(o.need_key), "name": o.name, "offer": o.offer, "quantity": o.quantity}
        for o in HelpOffer.objects.filter(campaign=campaign, email__iexact=email)
    ],
    "follows": [
        {"status": f.status, "confirmed": bool(f.confirmed_at), "unsubscribed": bool(f.unsubscribed_at)}
        for f in Follow.objects.filter(campaign_key=campaign.translation_key, email__iexact=email)
    ],
    "questions": [
        {"status": q.status, "body": q.body, "reported": bool(q.reported_at)}
        for q in Question.objects.filter(campaign=campaign, author_email__iexact=email)
    ],
    "notify": notify_emails(campaign),
}))
"""

# A published question of our own, to report without hiding the demo's questions.
PUBLISHED_QUESTION_SCRIPT = r"""
import json
from django.utils import timezone
from projects.models import CampaignPage
from questions.models import Question

params = json.loads(PARAMS)
campaign = CampaignPage.objects.get(pk=params["campaign"])
question = Question.objects.create(
    campaign=campaign, author_name="Question à signaler", author_email=params["email"], body=params["body"],
    language="fr", status="published", answer="Une réponse du porteur.", answered_at=timezone.now(),
    moderated_at=timezone.now(),
)
print(json.dumps({"pk": question.pk}))
"""


# The signed unsubscribe link of an address, as the update emails carry it.
UNSUBSCRIBE_URL_SCRIPT = r"""
import json
from follows.emails import unsubscribe_url
from projects.models import CampaignPage

params = json.loads(PARAMS)
campaign = CampaignPage.objects.get(pk=params["campaign"])
print(json.dumps({"url": unsubscribe_url(campaign.translation_key, params["email"], "http://testserver", "fr")}))
"""

# An update (actualité) published on the campaign: followers and backers get it by email, each
# with the campaign's signed unsubscribe link and List-Unsubscribe headers.
PUBLISH_UPDATE_SCRIPT = r"""
import json
from projects.models import CampaignPage, CampaignUpdatePage

params = json.loads(PARAMS)
campaign = CampaignPage.objects.get(pk=params["campaign"])
update = CampaignUpdatePage(title=params["title"], slug=params["slug"], intro="Des nouvelles du chantier.")
campaign.add_child(instance=update)
update.save_revision().publish()
print(json.dumps({"url": update.get_url()}))
"""


def site_state(site, campaign, email):
    params = json.dumps(json.dumps({"campaign": campaign["id"], "email": email}))
    return shell_json(site, f"PARAMS = {params}\n{STATE_SCRIPT}")


@pytest.fixture(scope="module")
def axe():
    return Axe()


@pytest.fixture(scope="module")
def target(community_data):
    """The live campaign of porteur@example.org (another live one with needs otherwise)."""
    live = [c for c in community_data["campaigns"] if c["status"] == "live" and c["needs"]]
    assert live, "the demo has no live campaign with in-kind needs"
    return max(live, key=lambda c: (c["held"], c["published_questions"]))


def assert_no_violation(page, axe, what):
    violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, format_axe_violations(f"{page.url} ({what})", violations)


def submit(page, form):
    """Click the form's submit button and wait for the next page."""
    with page.expect_navigation():
        form.locator("button[type=submit], input[type=submit]").last.click()


def errors_shown(page):
    """The error summary's text, to explain a form that was not accepted."""
    summary = page.locator(".error-summary")
    return summary.inner_text() if summary.count() else "(no error summary)"


def form_with(page, selector):
    """The form of <main> holding `selector` (one of them)."""
    forms = page.locator("main form").filter(has=page.locator(selector))
    expect(forms.first).to_be_attached()
    return forms.first


def fill_offer(form, who, text):
    fill(form, offer_values(who, text))
    form.locator("[name='consent']").check()


def fill(form, values):
    """Fill fields by name; a key may be "a|b" when the field may have either name."""
    for names, value in values.items():
        field = form.locator(", ".join(f"[name='{name}']" for name in names.split("|")))
        assert field.count(), f"no field named {names} in the form"
        field.first.fill(str(value))


def same_site_path(url):
    """Path and query of an absolute link from an email, served by the live site under test."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def need_link(page, need):
    """The "Je peux aider" link of one need on the campaign page."""
    link = page.locator(f"main a[href*='besoin={need['key']}']").first
    expect(link).to_contain_text("Je peux aider")
    return link


def offer_values(who, text):
    return {
        "name": who["name"],
        "email": who["email"],
        "phone": "06 11 22 33 44",
        "offer": text,
        "availability": "Le samedi matin",
        "quantity": 1,
    }


# No JavaScript: offer, follow, ask ---------------------------------------------------------


def test_citizen_offers_help_without_javascript(nojs_page, live_server_site, target):
    page, site = nojs_page, live_server_site
    need = target["needs"][0]  # the demo's first need still has room (some accepted, not all)
    assert page.goto(target["url"]).ok
    with page.expect_navigation():
        need_link(page, need).click()
    assert path_of(page.url) == target["url"] + "aider/", page.url
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    form = form_with(page, "textarea[name='offer']")
    # The need is chosen from the link, and named on the page.
    expect(page.locator("main")).to_contain_text(need["description"])
    expect(form.locator("select[name='need']")).to_have_value(need["key"])

    # Sent empty: the error summary, and nothing recorded.
    submit(page, form)
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("[name='email']")).to_have_attribute("aria-invalid", "true")
    assert site_state(site, target, CITIZEN["email"])["offers"] == []

    # Filled in: the confirmation page, a pending offer on that need, and the holder is told.
    text = "Je peux venir poncer et peindre avec ma propre ponceuse."
    form = form_with(page, "textarea[name='offer']")
    fill_offer(form, CITIZEN, text)
    submit(page, form)
    assert path_of(page.url) == target["url"] + "aider/merci/", f"{page.url}: {errors_shown(page)}"
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    state = site_state(site, target, CITIZEN["email"])
    assert [(o["status"], o["need_key"], o["offer"]) for o in state["offers"]] == [("pending", need["key"], text)]
    assert HOLDER_EMAIL in state["notify"] or not target["held"], state["notify"]
    assert state["notify"], "nobody hears about the offers on this campaign"
    for recipient in state["notify"]:
        message = wait_for_email(site.mail_dir, recipient, containing=CITIZEN["name"])
        assert text in email_text(message) or CITIZEN["email"] in email_text(message)


def test_citizen_follows_then_unsubscribes_without_javascript(nojs_page, live_server_site, target):
    page, site = nojs_page, live_server_site
    assert page.goto(target["url"]).ok
    # The campaign page (cached for anonymous visitors: no form with a CSRF token) leads to the form.
    page.locator("main").get_by_role("link", name="Suivre ce projet").click()
    assert path_of(page.url) == target["url"] + "suivre/", page.url
    button = page.get_by_role("button", name="Suivre ce projet")
    expect(page.locator("main").get_by_role("button", name="Suivre ce projet")).to_be_visible()
    form = page.locator("main form").filter(has=button)
    fill(form, {"email": CITIZEN["email"]})
    submit(page, form)
    assert path_of(page.url).startswith(target["url"] + "suivre/"), page.url
    # "Check your inbox": nothing is followed until the address is confirmed.
    expect(page.locator("main")).to_contain_text(re.compile(r"boîte|messagerie|e-mail", re.I))
    assert [f["status"] for f in site_state(site, target, CITIZEN["email"])["follows"]] == ["pending"]

    message = wait_for_email(site.mail_dir, CITIZEN["email"], containing="/suivi/confirmer/")
    confirm = next(url for url in urls_in(email_text(message)) if "/suivi/confirmer/" in url)
    assert page.goto(same_site_path(confirm)).ok
    if site_state(site, target, CITIZEN["email"])["follows"][0]["status"] == "pending":
        # A page with a button (mail scanners open links): confirming is a POST.
        submit(page, page.locator("main form").first)
    follows = site_state(site, target, CITIZEN["email"])["follows"]
    assert [(f["status"], f["confirmed"]) for f in follows] == [("confirmed", True)]
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    # An update is published: the follower gets it, with the signed unsubscribe link of the
    # project in the text and in the List-Unsubscribe headers (one-click, RFC 8058).
    title = f"Point d'étape {RUN}"
    params = json.dumps(json.dumps({"campaign": target["id"], "title": title, "slug": f"point-etape-{RUN}"}))
    shell_json(site, f"PARAMS = {params}\n{PUBLISH_UPDATE_SCRIPT}")
    message = wait_for_email(site.mail_dir, CITIZEN["email"], containing=title, timeout=90)
    links = [u for u in urls_in(email_text(message)) if "/suivi/desabonnement/" in u]
    assert links, f"no unsubscribe link in the update email:\n{email_text(message)}"
    assert links[0] in message["List-Unsubscribe"], message["List-Unsubscribe"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert page.goto(same_site_path(links[0])).ok
    if site_state(site, target, CITIZEN["email"])["follows"][0]["status"] != "unsubscribed":
        submit(page, page.locator("main form").first)
    follows = site_state(site, target, CITIZEN["email"])["follows"]
    assert [(f["status"], f["unsubscribed"]) for f in follows] == [("unsubscribed", True)]
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_citizen_asks_a_question_held_for_moderation_without_javascript(nojs_page, live_server_site, target):
    page, site = nojs_page, live_server_site
    body = f"Le café acceptera-t-il les chiens ? ({RUN})"
    assert page.goto(target["url"]).ok
    page.locator("#questions").get_by_role("link", name="Poser une question").click()
    assert path_of(page.url) == target["url"] + "questions/", page.url
    form = form_with(page, "textarea[name='question']")
    fill(form, {"name": CITIZEN["name"], "email": CITIZEN["email"], "question": body})
    submit(page, form)
    assert path_of(page.url) == target["url"] + "questions/merci/", f"{page.url}: {errors_shown(page)}"
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    state = site_state(site, target, CITIZEN["email"])
    assert [(q["status"], q["body"]) for q in state["questions"]] == [("pending", body)]
    # Held: not on the campaign page until the holder or staff publish it.
    assert page.goto(target["url"]).ok
    expect(page.locator("main")).not_to_contain_text(body)


# axe on each page of the journeys (with JavaScript: axe runs in the page) ---------------------


def test_offer_pages_have_no_axe_violation(page, live_server_site, target, axe):
    need = target["needs"][0]
    assert page.goto(f"{target['url']}aider/?besoin={need['key']}").ok
    assert_no_violation(page, axe, "offer form")
    form = form_with(page, "textarea[name='offer']")
    fill(form, {"email": "pas-une-adresse"})
    submit(page, form)
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(page.locator("[name='email']")).to_have_value("pas-une-adresse")  # nothing lost
    assert_no_violation(page, axe, "offer form with errors")
    who = {"name": "Axe Aide", "email": unique_email("axe-offre")}
    fill_offer(form_with(page, "textarea[name='offer']"), who, "Un coup de main le soir.")
    submit(page, form_with(page, "textarea[name='offer']"))
    assert path_of(page.url) == target["url"] + "aider/merci/", f"{page.url}: {errors_shown(page)}"
    assert_no_violation(page, axe, "offer sent")


def test_follow_pages_have_no_axe_violation(page, live_server_site, target, axe):
    site = live_server_site
    assert page.goto(target["url"] + "suivre/").ok
    assert_no_violation(page, axe, "follow form")
    form = form_with(page, "input[name='email']")
    fill(form, {"email": "pas-une-adresse"})
    submit(page, form)
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_violation(page, axe, "follow form with errors")
    email = unique_email("axe-suivi")
    fill(form_with(page, "input[name='email']"), {"email": email})
    submit(page, form_with(page, "input[name='email']"))
    assert_no_violation(page, axe, "follow requested (check your inbox)")

    message = wait_for_email(site.mail_dir, email, containing="/suivi/confirmer/")
    confirm = next(url for url in urls_in(email_text(message)) if "/suivi/confirmer/" in url)
    assert page.goto(same_site_path(confirm)).ok
    assert site_state(site, target, email)["follows"][0]["status"] == "confirmed"
    assert_no_violation(page, axe, "follow confirmed")

    params = json.dumps(json.dumps({"campaign": target["id"], "email": email}))
    link = shell_json(site, f"PARAMS = {params}\n{UNSUBSCRIBE_URL_SCRIPT}")["url"]
    assert page.goto(same_site_path(link)).ok
    assert_no_violation(page, axe, "unsubscribe")
    submit(page, page.locator("main form").first)
    assert_no_violation(page, axe, "unsubscribed")
    assert site_state(site, target, email)["follows"][0]["status"] == "unsubscribed"


def test_question_pages_have_no_axe_violation(page, live_server_site, target, axe):
    assert page.goto(target["url"] + "questions/").ok
    assert_no_violation(page, axe, "question form")
    form = form_with(page, "textarea[name='question']")
    fill(form, {"email": "pas-une-adresse"})
    submit(page, form)
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("[name='question']")).to_have_attribute("aria-invalid", "true")
    assert_no_violation(page, axe, "question form with errors")
    form = form_with(page, "textarea[name='question']")
    fill(form, {"name": "Axe Question", "email": unique_email("axe-question"), "question": "Une question ?"})
    submit(page, form)
    assert path_of(page.url) == target["url"] + "questions/merci/", f"{page.url}: {errors_shown(page)}"
    assert_no_violation(page, axe, "question sent")


def test_report_page_has_no_axe_violation(page, live_server_site, target, axe):
    site = live_server_site
    email = unique_email("signalement")
    body = f"Question publiée pour le test de signalement ({RUN})"
    params = json.dumps(json.dumps({"campaign": target["id"], "email": email, "body": body}))
    pk = shell_json(site, f"PARAMS = {params}\n{PUBLISHED_QUESTION_SCRIPT}")["pk"]

    # The campaign page shows it, with its "Signaler" link to the report form.
    assert page.goto(target["url"]).ok
    expect(page.locator("main")).to_contain_text(body)
    report_url = f"/questions/{pk}/signaler/"
    link = page.locator(f"main a[href$='{report_url}']")
    expect(link).to_have_count(1)
    expect(link).to_contain_text("Signaler")
    with page.expect_navigation():
        link.click()
    assert path_of(page.url) == report_url, page.url
    assert_no_violation(page, axe, "report form")
    form = form_with(page, "[name='reason']")
    form.locator("[name='reason']").fill("Hors sujet.")
    submit(page, form)
    assert path_of(page.url).startswith(report_url), page.url
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_violation(page, axe, "report sent")
    assert site_state(site, target, email)["questions"][0]["reported"]


def test_embed_card_and_mastodon_share_have_no_axe_violation(page, live_server_site, target, axe):
    response = page.goto(target["url"] + "carte/")
    assert response.ok, response.status
    assert_no_violation(page, axe, "embed card")
    expect(page.get_by_role("link", name=re.compile("Soutenir"))).to_be_visible()
    headers = response.all_headers()
    assert "x-frame-options" not in headers, headers.get("x-frame-options")
    assert "frame-ancestors *" in headers.get("content-security-policy", ""), headers.get("content-security-policy")
    assert "public" in headers.get("cache-control", ""), headers.get("cache-control")


def test_another_site_frames_the_card_and_only_the_card(page, live_server_site, target):
    """A page of another origin (a server on another port) frames the card; the campaign page is refused."""
    base = live_server_site.base_url
    html = (
        '<!doctype html><html lang="fr"><title>Un autre site</title>'
        f'<iframe id="card" title="card" src="{base}{target["url"]}carte/" width="360" height="480"></iframe>'
        f'<iframe id="page" title="page" src="{base}{target["url"]}" width="360" height="480"></iframe></html>'
    ).encode()

    class OtherSite(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), OtherSite)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert page.goto(f"http://127.0.0.1:{server.server_address[1]}/").ok
        card = page.frame_locator("#card")
        expect(card.get_by_role("link", name=re.compile("Soutenir"))).to_be_visible()
        expect(card.locator("body")).to_contain_text(target["title"])
        page.wait_for_timeout(500)
        framed = [frame.url for frame in page.frames if path_of(frame.url) == target["url"]]
        assert not framed, "another site can frame the campaign page itself"
    finally:
        server.shutdown()
        server.server_close()


def test_holder_pages_have_no_axe_violation(page, live_server_site, community_data, axe):
    held = [c for c in community_data["campaigns"] if c["held"]]
    assert held, "porteur@example.org holds no live campaign"
    assert page.goto("/comptes/login/").ok
    page.locator("#id_login").fill(HOLDER_EMAIL)
    page.locator("#id_password").fill(HOLDER_PASSWORD)
    submit(page, page.locator("main form").filter(has=page.locator("#id_password")))
    # Both pages are checked before failing, so that the report names every violation.
    reports = []
    for url, what in [("/espace/projets/", "Mon projet: list"), (f"/espace/projets/{held[0]['id']}/", "dashboard")]:
        response = page.goto(url)
        assert response.ok, f"{url} answered {response.status}"
        expect(page.locator("main")).to_contain_text(held[0]["title"])
        violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
        if violations:
            reports.append(format_axe_violations(f"{page.url} ({what})", violations))
    assert not reports, "\n\n".join(reports)


# Sharing with JavaScript: the copy button -----------------------------------------------------


def test_copy_link_button_with_javascript(browser, base_url, target, axe):
    context = browser.new_context(
        base_url=base_url, locale="fr-FR", permissions=["clipboard-read", "clipboard-write"]
    )
    try:
        page = context.new_page()
        assert page.goto(target["url"]).ok
        field = page.locator("#share-url")
        link = field.input_value()
        assert urlsplit(link).path == target["url"] and urlsplit(link).scheme in {"http", "https"}, link
        button = page.get_by_role("button", name="Copier le lien")
        expect(button).to_be_visible()
        button.click()
        # Announced in a live region, and in the clipboard.
        status = page.locator("#share-url ~ [role='status']").first
        expect(status).to_have_text("Lien copié.")
        assert page.evaluate("navigator.clipboard.readText()") == link
        assert_no_violation(page, axe, "after copying the link")
    finally:
        context.close()


def test_without_javascript_the_link_is_there_to_copy_by_hand(nojs_page, target):
    page = nojs_page
    assert page.goto(target["url"]).ok
    expect(page.get_by_label("Lien vers ce projet")).to_have_attribute("readonly", "")
    assert urlsplit(page.locator("#share-url").input_value()).path == target["url"]
    expect(page.get_by_role("button", name="Copier le lien")).to_have_count(0)
    # Plain share links: no third-party script on the page.
    share = page.locator("#share")
    for host in ("facebook.com", "linkedin.com", "wa.me"):
        assert share.locator(f"a[href*='{host}']").count() == 1, host
    scripts = page.locator("script[src]").evaluate_all("els => els.map(e => e.src)")
    assert all(urlsplit(src).netloc == urlsplit(page.url).netloc for src in scripts), scripts
