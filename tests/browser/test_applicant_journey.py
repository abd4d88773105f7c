"""An applicant's journey in Chromium: sign up, verify the address from the mail folder, fill the
call's application form with a PDF, save a draft, submit, and find the reference in their space.

Without JavaScript (the whole journey, from the call page) and with it (a signed-up account
submits), and axe-core (RGAA 4 and WCAG 2.1 A/AA rules) on each page of the way: sign-up and
sign-in as reached from the call, the application form (blank and with errors), the dashboard.

The call is made for this module in the live site's database (`SETUP_SCRIPT`): open, with
one question of each kind, so the test knows what to fill without depending on the demo's
form. Interface labels (buttons, statuses) are read from the site's own French catalogue,
so the test follows the translations instead of hard-coding them.
"""

import email
import email.policy
import itertools
import json
import re
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from helpers import format_axe_violations, path_of
from liveserver import shell_json
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

AXE_TAGS = ["RGAAv4", "wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}

REFERENCE = re.compile(r"AAP-\d{4}-\d{4}")
PASSWORD = "Parcours-candidat-2026!"  # noqa: S105 - accounts of a throw-away site
CALL_SLUG = "parcours-candidat-navigateur"

# The call's questions: (kind, label, extra block values). All required, so a submission
# without answers shows an error on each kind of field.
QUESTIONS = [
    ("short_text", "Nom de la structure", {}),
    ("long_text", "Décrivez votre projet", {"max_length": 2000}),
    ("single_choice", "Stade du projet", {"choices": ["Idée", "Prototype", "Activité installée"]}),
    ("multiple_choice", "Publics visés", {"choices": ["Familles", "Jeunes", "Seniors"]}),
    ("amount", "Budget total du projet (€)", {}),
    ("date", "Date de démarrage prévue", {}),
    ("file", "Budget prévisionnel", {"allowed_types": ["pdf"], "max_size_mb": 2}),
    ("consent", "J'accepte le règlement de l'appel", {}),
]

# Interface strings the test clicks or reads, as (context or None, English msgid).
MSGIDS = {
    "apply": (None, "Submit an application"),
    "save": (None, "Save the draft"),
    "submit": (None, "Submit the application"),
    "saved": (None, "Your draft is saved. You can come back to it until the deadline."),
    "submitted_title": (None, "Your application is submitted"),
    "my_applications": (None, "My applications"),
    "confirm": (None, "Confirm"),
    "sign_in": (None, "Sign In"),
    "error": (None, "Error:"),
    "draft": ("application status", "Draft"),
    "status_submitted": ("application status", "Submitted"),
}

# Builds the call and the accounts, and reads the labels, in the live site's database.
SETUP_SCRIPT = r"""
import json
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext
from wagtail.models import Locale

from calls.models import CallForProjectsPage, CallIndexPage

params = json.loads(PARAMS)
fr = Locale.objects.get(language_code="fr")
call = CallForProjectsPage.objects.filter(slug=params["slug"], locale=fr).first()
if call is None:
    now = timezone.now()
    index = CallIndexPage.objects.live().get(locale=fr)
    call = CallForProjectsPage(
        title="Parcours candidat : appel de test",
        slug=params["slug"],
        locale=fr,
        summary="Un appel ouvert, fait pour les tests de navigateur.",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
        application_form=[
            {"type": kind, "value": {"label": label, "help_text": "", "required": True, **extra}}
            for kind, label, extra in params["questions"]
        ],
    )
    index.add_child(instance=call)
    call.save_revision().publish()
User = get_user_model()
for address in params["accounts"]:
    if not User.objects.filter(email__iexact=address).exists():
        user = User.objects.create_user(address, params["password"], full_name="Camille Candidate")
        EmailAddress.objects.create(user=user, email=address, verified=True, primary=True)
with translation.override("fr"):
    labels = {
        key: pgettext(context, msgid) if context else gettext(msgid)
        for key, (context, msgid) in params["msgids"].items()
    }
    dashboard = reverse("applications:dashboard")
print(json.dumps({"call": call.get_url(), "apply": call.apply_url(), "dashboard": dashboard, "labels": labels}))
"""

_numbers = itertools.count(1)


def unique_email(who):
    return f"{who}-{next(_numbers)}-{time.monotonic_ns()}@example.org"


@pytest.fixture(scope="module")
def setup(live_server_site):
    accounts = {"js": unique_email("avec-js"), "a11y": unique_email("axe")}
    params = {
        "slug": CALL_SLUG,
        "questions": QUESTIONS,
        "accounts": list(accounts.values()),
        "password": PASSWORD,
        "msgids": MSGIDS,
    }
    data = shell_json(live_server_site, f"PARAMS = {json.dumps(json.dumps(params))}\n{SETUP_SCRIPT}")
    assert data["call"] and data["apply"].startswith(data["call"]), data
    return {**data, "accounts": accounts}


@pytest.fixture(scope="module")
def axe():
    return Axe()


@pytest.fixture(scope="module")
def pdf_file(tmp_path_factory):
    """A small, real one-page PDF."""
    path = tmp_path_factory.mktemp("uploads") / "budget-previsionnel.pdf"
    stream = b"BT /F1 14 Tf 56 780 Td (Budget previsionnel : 1250 EUR) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(pdf))
    return path


# Helpers --------------------------------------------------------------------------------


def assert_no_violation(page, axe, what):
    violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, format_axe_violations(f"{page.url} ({what})", violations)


def submit_form(page, button):
    with page.expect_navigation():
        button.click()


def emails_to(mail_dir: Path, address: str) -> list[email.message.EmailMessage]:
    """Messages the site wrote for `address`, oldest first.

    Django's file backend writes one file per connection, messages separated by a line of 79 dashes.
    """
    found = []
    for path in sorted(mail_dir.glob("*"), key=lambda p: p.stat().st_mtime_ns):
        if path.suffix not in {".log", ".eml"}:
            continue
        for chunk in re.split(rb"\n-{79}\n", path.read_bytes()):
            if not chunk.strip():
                continue
            message = email.message_from_bytes(chunk.lstrip(), policy=email.policy.default)
            if address.lower() in str(message.get("To", "")).lower():
                found.append(message)
    return found


def wait_for_email(mail_dir: Path, address: str, count: int = 1, timeout: float = 15):
    """The newest message to `address` once there are at least `count` of them."""
    deadline = time.monotonic() + timeout
    while True:
        messages = emails_to(mail_dir, address)
        if len(messages) >= count:
            return messages[-1]
        assert time.monotonic() < deadline, f"no email number {count} to {address} in {mail_dir}"
        time.sleep(0.2)


def text_of(message) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, f"email without a text part: {message['Subject']}"
    return part.get_content()


def sign_in(page, setup, who):
    """From the call page, through its apply link: the sign-in page, then back to the form."""
    open_apply_link(page, setup)
    page.locator("#id_login").fill(setup["accounts"][who])
    page.locator("#id_password").fill(PASSWORD)
    submit_form(page, page.locator("main form").get_by_role("button", name=setup["labels"]["sign_in"]))
    assert path_of(page.url) == setup["apply"], page.url


def open_apply_link(page, setup):
    assert page.goto(setup["call"]).ok
    with page.expect_navigation():
        page.get_by_role("link", name=setup["labels"]["apply"]).click()


ANSWERS = {
    "Nom de la structure": "Atelier vélo des Tanneurs",
    "Décrivez votre projet": "Un atelier où les habitants réparent eux-mêmes leur vélo avec des bénévoles.",
    "Stade du projet": "Prototype",
    "Publics visés": ["Familles", "Jeunes"],
    "Budget total du projet (€)": "1250",
    "Date de démarrage prévue": "2027-03-15",
    "Budget prévisionnel": None,  # the PDF
    "J'accepte le règlement de l'appel": True,
}


def fill_application(page, title, pdf_file):
    """The fixed fields, then every question of the call by its label."""
    page.locator("#id_title").fill(title)
    page.locator("#id_summary").fill("Réparer plutôt que jeter : un atelier ouvert deux soirs par semaine.")
    page.locator("#id_holder_name").fill("Association Roue libre")
    page.locator('input[name="holder_kind"][value="company"]').check()
    page.locator("#id_amount_requested").fill("5 000")
    themes = page.locator('input[name="themes"]')
    if themes.count():
        themes.first.check()
    territory = page.locator("select#id_territory")
    if territory.count():
        territory.select_option(index=1)
    for kind, label, _extra in QUESTIONS:
        answer = ANSWERS[label]
        if kind == "single_choice":
            page.get_by_role("group", name=label).get_by_label(answer, exact=True).check()
        elif kind == "multiple_choice":
            for choice in answer:
                page.get_by_role("group", name=label).get_by_label(choice, exact=True).check()
        elif kind == "file":
            page.get_by_label(label, exact=True).set_input_files(pdf_file)
        elif kind == "consent":
            page.get_by_label(label, exact=True).check()
        else:
            page.get_by_label(label, exact=True).fill(answer)


def expect_answers_kept(page, title, pdf_file):
    expect(page.locator("#id_title")).to_have_value(title)
    expect(page.locator("#id_holder_name")).to_have_value("Association Roue libre")
    expect(page.locator('input[name="holder_kind"][value="company"]')).to_be_checked()
    expect(page.locator("#id_amount_requested")).to_have_value("5000")
    for kind, label, _extra in QUESTIONS:
        answer = ANSWERS[label]
        if kind == "single_choice":
            expect(page.get_by_role("group", name=label).get_by_label(answer, exact=True)).to_be_checked()
        elif kind == "multiple_choice":
            for choice in answer:
                expect(page.get_by_role("group", name=label).get_by_label(choice, exact=True)).to_be_checked()
        elif kind == "file":
            # The stored file is named under the field, with a private download link.
            current = page.locator(".field__current").filter(has_text=pdf_file.name)
            expect(current).to_have_count(1)
            expect(current.get_by_role("link", name=pdf_file.name)).to_be_visible()
        elif kind == "consent":
            expect(page.get_by_label(label, exact=True)).to_be_checked()
        elif kind == "date":
            # An <input type="date"> shows only a value written YYYY-MM-DD (whatever the language).
            message = f"the saved date of “{label}” is not shown back in its date field"
            expect(page.get_by_label(label, exact=True), message).to_have_value(answer)
        elif kind == "amount":
            expect(page.get_by_label(label, exact=True)).to_have_value(re.compile(r"^1250([.,]0+)?$"))
        else:
            expect(page.get_by_label(label, exact=True)).to_have_value(answer)


def submit_and_check_reference(page, setup, title):
    """Submit; the confirmation shows the reference; the dashboard lists it as submitted."""
    labels = setup["labels"]
    submit_form(page, page.get_by_role("button", name=labels["submit"], exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text(labels["submitted_title"])
    reference_text = page.locator("main .reference").inner_text()
    match = REFERENCE.search(reference_text)
    assert match, f"no AAP-YYYY-NNNN reference on the confirmation page: {reference_text!r}"
    reference = match.group(0)

    with page.expect_navigation():
        page.locator("main").get_by_role("link", name=labels["my_applications"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(labels["my_applications"])
    row = page.locator(".my-application").filter(has=page.get_by_role("heading", name=title))
    expect(row).to_have_count(1)
    expect(row).to_contain_text(reference)
    expect(row.locator("dd strong")).to_have_text(labels["status_submitted"])
    return reference


# The journeys ---------------------------------------------------------------------------


def test_applicant_signs_up_and_submits_without_javascript(nojs_page, setup, live_server_site, pdf_file):
    page = nojs_page
    labels = setup["labels"]
    address = unique_email("sans-js")

    # The call's apply link leads to the sign-in page, which remembers where to come back.
    open_apply_link(page, setup)
    assert path_of(page.url).endswith("/comptes/login/"), page.url
    assert parse_qs(urlsplit(page.url).query).get("next") == [setup["apply"]], page.url

    # Sign up (the link keeps the way back to the form).
    signup = page.locator('main a[href*="/comptes/signup/"]')
    expect(signup).to_have_count(1)
    with page.expect_navigation():
        signup.click()
    assert path_of(page.url).endswith("/comptes/signup/"), page.url
    page.locator("#id_full_name").fill("Camille Sans-Script")
    page.locator("#id_email").fill(address)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    submit_form(page, page.locator('main form button[type="submit"]'))
    expect(page.locator("#error-summary")).to_have_count(0)

    # The verification email, as a file in the mail folder (var/mail/ in development).
    message = wait_for_email(live_server_site.mail_dir, address)
    links = re.findall(r"https?://[^\s<>\"]+/confirm-email/[^\s<>\"]+", text_of(message))
    assert links, f"no verification link in:\n{text_of(message)}"
    assert page.goto(links[0]).ok
    confirm = page.locator("main form").get_by_role("button", name=labels["confirm"])
    if confirm.count():  # allauth asks to confirm with a POST
        submit_form(page, confirm)
    # Signed in: the header offers to sign out.
    expect(page.locator('header form[action$="/comptes/logout/"] button')).to_have_count(1)

    # Signed in: back to the call, its apply link now opens the form.
    open_apply_link(page, setup)
    assert path_of(page.url) == setup["apply"], page.url
    expect(page.get_by_role("heading", level=1)).to_contain_text("Parcours candidat")
    title = "Atelier vélo des Tanneurs (sans JavaScript)"
    fill_application(page, title, pdf_file)

    # A draft: saved, confirmed by a message, every answer and the file kept.
    submit_form(page, page.get_by_role("button", name=labels["save"], exact=True))
    expect(page.get_by_role("status")).to_contain_text(labels["saved"])
    expect(page.locator("#error-summary")).to_have_count(0)
    assert path_of(page.url).startswith(setup["dashboard"]), page.url
    expect(page.locator("main .meta strong").first).to_have_text(labels["draft"])
    expect_answers_kept(page, title, pdf_file)

    # Submitted: the reference, on the page, in the dashboard and in the acknowledgement.
    reference = submit_and_check_reference(page, setup, title)
    acknowledgement = wait_for_email(live_server_site.mail_dir, address, count=2)
    assert reference in str(acknowledgement["Subject"]) + text_of(acknowledgement)


def test_signed_up_applicant_submits_with_javascript(page, setup, pdf_file, axe):
    title = "Atelier vélo des Tanneurs (avec JavaScript)"
    sign_in(page, setup, "js")
    fill_application(page, title, pdf_file)
    submit_and_check_reference(page, setup, title)
    # The dashboard with a submitted application.
    assert_no_violation(page, axe, "dashboard with a submitted application")


# Accessibility ----------------------------------------------------------------------------


def test_sign_in_and_sign_up_from_the_call_have_no_axe_violation(page, setup, axe):
    open_apply_link(page, setup)
    assert path_of(page.url).endswith("/comptes/login/"), page.url
    assert_no_violation(page, axe, "sign-in")

    with page.expect_navigation():
        page.locator('main a[href*="/comptes/signup/"]').click()
    expect(page.locator("#id_full_name")).to_be_visible()
    assert_no_violation(page, axe, "sign-up")

    page.locator("#id_email").fill("pas-une-adresse")
    page.locator("#id_password1").fill("court")
    submit_form(page, page.locator('main form button[type="submit"]'))
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#id_full_name")).to_have_attribute("aria-invalid", "true")
    assert_no_violation(page, axe, "sign-up with errors")


def test_application_form_and_dashboard_have_no_axe_violation(page, setup, axe):
    labels = setup["labels"]
    sign_in(page, setup, "a11y")
    expect(page.locator("#id_title")).to_have_value("")
    assert_no_violation(page, axe, "blank application form")

    # Submitted with nothing answered: one error per field a submission needs.
    submit_form(page, page.get_by_role("button", name=labels["submit"], exact=True))
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    assert page.title().startswith(labels["error"]), page.title()
    for name in ("title", "summary", "holder_name", "amount_requested"):
        expect(page.locator(f"#id_{name}")).to_have_attribute("aria-invalid", "true")
        expect(summary.locator(f'a[href="#id_{name}"]')).to_have_count(1)
    # Every question is required: each has its message in the summary, linked to its field.
    expect(summary.locator("li")).to_have_count(4 + len(QUESTIONS))
    for href in summary.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href'))"):
        expect(page.locator(href)).to_have_count(1)
    assert_no_violation(page, axe, "application form with errors")

    # The refused submission left a draft, listed in the dashboard.
    assert page.goto(setup["dashboard"]).ok
    expect(page.get_by_role("heading", level=1)).to_have_text(labels["my_applications"])
    expect(page.locator(".my-application dd strong")).to_have_text([labels["draft"]])
    assert_no_violation(page, axe, "dashboard with a draft")
