"""The applicant's side of calls for projects: apply, save a draft, attach files, submit, withdraw, follow.

The deadline is checked on the server to the second (also across a daylight-saving change);
references are sequential per year; every submission keeps a version and sends one
acknowledgement; files are checked by content and served only to who may see them.
"""

import io
import zipfile
from datetime import UTC, datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from applications import services
from applications.forms import ApplicationForm
from applications.models import Application, ApplicationEvent, Attachment, ReferenceCounter
from applications.status import ApplicationStatus
from calls.models import CallForProjectsPage
from tests.factories.applications import (
    PDF_BYTES,
    ApplicationEventFactory,
    ApplicationFactory,
    AttachmentFactory,
    CallWithFormFactory,
    EmailTemplateFactory,
    JuryAssignmentFactory,
    SubmittedApplicationFactory,
    UserFactory,
)

S = ApplicationStatus
PARIS = ZoneInfo("Europe/Paris")
FILE_QUESTION = "q-budget-file"
FILE_FIELD = services.field_name(FILE_QUESTION)


def fr(message):
    """A message as the French site shows it (whatever the catalog holds today)."""
    with translation.override("fr"):
        return gettext(message)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(autouse=True)
def private_media(tmp_path, settings, monkeypatch):
    """Attachments go to a temporary PRIVATE_MEDIA_ROOT. The field's storage is built once, at
    import, so it is pointed there too."""
    root = tmp_path / "private"
    root.mkdir()
    settings.PRIVATE_MEDIA_ROOT = root
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", FileSystemStorage(location=root))
    return root


def stored_files(root):
    return [path for path in root.rglob("*") if path.is_file()]


@pytest.fixture
def call(call_index):
    return CallWithFormFactory(parent=call_index, title="Embellir le quartier", slug="embellir")


@pytest.fixture
def applicant(db):
    return UserFactory(email="camille@example.org", full_name="Camille Martin")


@pytest.fixture
def draft(call, applicant):
    return ApplicationFactory(call=call, applicant=applicant, title="Jardin partagé")


def block(call, block_id):
    return next(b for b in call.application_form if b.id == block_id)


def pdf(name="budget.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def complete(application):
    """Answer every required question and attach the required file."""
    application.answers = {"q-description": "Des bacs et des bancs.", "q-consent": True}
    application.save()
    services.store_attachment(application, FILE_QUESTION, pdf(), block(application.call, FILE_QUESTION).value)
    return application


def reopen(call, *, opens_at, closes_at, **fields):
    CallForProjectsPage.objects.filter(pk=call.pk).update(opens_at=opens_at, closes_at=closes_at, **fields)
    call.refresh_from_db()
    return call


# --------------------------------------------------------------------------- the deadline (pure)


def test_the_window_is_exact_to_the_second():
    opens = datetime(2027, 1, 4, 9, 0, tzinfo=PARIS)
    closes = datetime(2027, 3, 1, 12, 0, tzinfo=PARIS)
    window = services.submission_window
    assert window(opens, closes, opens - timedelta(seconds=1)) == "upcoming"
    assert window(opens, closes, opens) == "open"
    assert window(opens, closes, closes - timedelta(seconds=1)) == "open"
    assert window(opens, closes, closes) == "closed"
    assert window(opens, closes, closes + timedelta(microseconds=1)) == "closed"


def test_the_window_holds_across_the_spring_daylight_saving_change():
    # On 28 March 2027 Paris clocks jump from 02:00 to 03:00: 03:00 CEST is 01:00 UTC.
    closes = datetime(2027, 3, 28, 3, 0, tzinfo=PARIS)
    opens = closes - timedelta(days=30)
    one_second_before = closes.astimezone(UTC) - timedelta(seconds=1)
    # The wall clock then read 01:59:59 (CET): an hour earlier, not 02:59:59.
    assert one_second_before.astimezone(PARIS).strftime("%H:%M:%S %Z") == "01:59:59 CET"
    assert services.submission_window(opens, closes, one_second_before) == "open"
    assert services.submission_window(opens, closes, closes.astimezone(UTC)) == "closed"
    # "02:59:59" that day does not exist in Paris; Python reads it as 01:59:59 UTC, after the
    # deadline. Compared by wall clock (same tzinfo) it would wrongly look one second early.
    assert services.submission_window(opens, closes, datetime(2027, 3, 28, 2, 59, 59, tzinfo=PARIS)) == "closed"


def test_the_window_holds_across_the_autumn_daylight_saving_change():
    # On 31 October 2027, 02:00 to 03:00 happens twice in Paris (fold=0 in CEST, fold=1 in CET).
    closes = datetime(2027, 10, 31, 2, 30, fold=1, tzinfo=PARIS)  # 01:30 UTC
    opens = closes - timedelta(days=30)
    first_pass = datetime(2027, 10, 31, 2, 45, fold=0, tzinfo=PARIS)  # 00:45 UTC
    assert services.submission_window(opens, closes, first_pass) == "open"
    assert services.submission_window(opens, closes, closes.astimezone(UTC) - timedelta(seconds=1)) == "open"
    assert services.submission_window(opens, closes, closes.astimezone(UTC)) == "closed"


# --------------------------------------------------------------------------- submitting


def test_a_submission_one_second_before_the_deadline_is_accepted(call, draft, mailoutbox):
    complete(draft)
    now = call.closes_at - timedelta(seconds=1)
    services.submit(draft, draft.applicant, now=now)
    draft.refresh_from_db()
    assert draft.status == S.SUBMITTED
    assert draft.submitted_at == now
    assert draft.versions.get().submitted_at == now


def test_nothing_is_submitted_at_the_deadline(call, draft, mailoutbox):
    complete(draft)
    with pytest.raises(ValidationError) as refused:
        services.submit(draft, draft.applicant, now=call.closes_at)
    assert refused.value.code == "closed"
    draft.refresh_from_db()
    assert (draft.status, draft.reference, draft.submitted_at) == (S.DRAFT, None, None)
    assert not draft.versions.exists()
    assert mailoutbox == []


def test_nothing_is_submitted_before_the_call_opens(call, draft):
    complete(draft)
    with pytest.raises(ValidationError):
        services.submit(draft, draft.applicant, now=call.opens_at - timedelta(seconds=1))
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


def test_the_deadline_holds_across_a_daylight_saving_change(call, draft):
    complete(draft)
    closes = datetime(2027, 3, 28, 3, 0, tzinfo=PARIS)
    reopen(call, opens_at=closes - timedelta(days=60), closes_at=closes)
    with pytest.raises(ValidationError):
        services.submit(draft, draft.applicant, now=closes)
    services.submit(draft, draft.applicant, now=closes.astimezone(UTC) - timedelta(seconds=1))
    draft.refresh_from_db()
    assert draft.status == S.SUBMITTED
    assert draft.reference == "AAP-2027-0001"


def test_a_submission_needs_every_required_answer(call, draft):
    draft.title = ""
    draft.save()
    with pytest.raises(ValidationError) as refused:
        services.submit(draft, draft.applicant)
    errors = refused.value.message_dict
    assert set(errors) == {"title", "q_q-description", "q_q-consent", FILE_FIELD}
    assert "Budget prévisionnel" in errors[FILE_FIELD][0]
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


def test_references_follow_each_other_within_a_year_of_submission_in_paris(call, applicant, mailoutbox):
    reopen(call, opens_at=datetime(2026, 1, 1, tzinfo=PARIS), closes_at=datetime(2029, 1, 1, tzinfo=PARIS))
    drafts = [complete(ApplicationFactory(call=call, applicant=applicant)) for _ in range(4)]
    moments = [
        datetime(2027, 5, 2, 10, 0, tzinfo=PARIS),
        datetime(2027, 5, 3, 10, 0, tzinfo=PARIS),
        # 31 December 23:30 UTC is already 1 January in Paris.
        datetime(2027, 12, 31, 23, 30, tzinfo=UTC),
        datetime(2028, 2, 1, 10, 0, tzinfo=PARIS),
    ]
    for application, now in zip(drafts, moments, strict=True):
        services.submit(application, applicant, now=now)
    assert [a.reference for a in drafts] == ["AAP-2027-0001", "AAP-2027-0002", "AAP-2028-0001", "AAP-2028-0002"]
    assert dict(ReferenceCounter.objects.values_list("year", "last")) == {2027: 2, 2028: 2}


def test_the_acknowledgement_is_sent_once_with_the_reference(call, draft, mailoutbox):
    complete(draft)
    services.submit(draft, draft.applicant)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["camille@example.org"]
    assert draft.reference in message.subject
    assert draft.reference in message.body
    event = draft.events.get(to_status=S.SUBMITTED)
    assert (event.from_status, event.emailed, event.actor) == (S.DRAFT, True, draft.applicant)
    # A second submission of the same version is refused and sends nothing.
    with pytest.raises(ValidationError):
        services.submit(draft, draft.applicant)
    assert len(mailoutbox) == 1


def test_the_acknowledgement_uses_the_template_staff_wrote(call, draft, mailoutbox):
    EmailTemplateFactory(subject="Candidature {reference} bien reçue")
    complete(draft)
    services.submit(draft, draft.applicant)
    assert mailoutbox[0].subject == f"Candidature {draft.reference} bien reçue"


def test_every_submitted_version_is_kept_when_the_call_allows_changes(call, draft, mailoutbox):
    reopen(call, opens_at=call.opens_at, closes_at=call.closes_at, edit_after_submission=True)
    complete(draft)
    services.submit(draft, draft.applicant)
    reference = draft.reference
    assert services.can_edit(draft)

    services.save_answers(
        draft, {"title": "Jardin partagé et composteur"}, {}, submit_after=True, actor=draft.applicant
    )
    draft.refresh_from_db()
    assert draft.reference == reference
    versions = list(draft.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert [v.data["title"] for v in versions] == ["Jardin partagé", "Jardin partagé et composteur"]
    assert versions[0].data["attachments"] == [
        {"question": FILE_QUESTION, "name": "budget.pdf", "content_type": "application/pdf", "size": len(PDF_BYTES)}
    ]
    assert versions[0].data["answers"]["q-description"] == "Des bacs et des bancs."
    assert len(mailoutbox) == 2
    # After the deadline, no more changes.
    assert not services.can_edit(draft, now=call.closes_at)


def test_a_submitted_application_being_changed_is_changed_all_at_once_or_not_at_all(call, draft):
    reopen(call, opens_at=call.opens_at, closes_at=call.closes_at, edit_after_submission=True)
    complete(draft)
    services.submit(draft, draft.applicant)
    with pytest.raises(ValidationError) as refused:
        services.save_answers(draft, {"title": "", "summary": "Autre"}, {}, submit_after=True, actor=draft.applicant)
    assert "title" in refused.value.message_dict
    draft.refresh_from_db()
    assert (draft.title, draft.summary) == ("Jardin partagé", "Un jardin partagé au pied des immeubles.")
    assert draft.versions.count() == 1


def test_without_the_call_allowing_it_a_submitted_application_is_frozen(call, draft):
    complete(draft)
    services.submit(draft, draft.applicant)
    assert not services.can_edit(draft)
    with pytest.raises(ValidationError):
        services.save_draft(draft, {"title": "Autre"})


# --------------------------------------------------------------------------- withdrawing


def test_an_applicant_withdraws_before_the_deadline_not_after(call, applicant):
    submitted = complete(ApplicationFactory(call=call, applicant=applicant))
    services.submit(submitted, applicant)
    services.withdraw(submitted, actor=applicant)
    submitted.refresh_from_db()
    assert submitted.status == S.WITHDRAWN
    assert submitted.events.filter(from_status=S.SUBMITTED, to_status=S.WITHDRAWN, actor=applicant).exists()

    late = ApplicationFactory(call=call, applicant=applicant)
    with pytest.raises(ValidationError):
        services.withdraw(late, now=call.closes_at)
    late.refresh_from_db()
    assert late.status == S.DRAFT


def test_withdraw_through_the_pages(client, draft):
    client.force_login(draft.applicant)
    url = reverse("applications:withdraw", args=[draft.token])
    assert client.get(url).status_code == 200
    assert Application.objects.get(pk=draft.pk).status == S.DRAFT  # a GET only asks
    response = client.post(url)
    assert response.status_code == 302
    assert Application.objects.get(pk=draft.pk).status == S.WITHDRAWN


# --------------------------------------------------------------------------- attachments


def elf_named_pdf():
    return SimpleUploadedFile("budget.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 200, content_type="application/pdf")


def exe_named_pdf():
    return SimpleUploadedFile("budget.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, content_type="application/pdf")


def too_large_pdf():
    return SimpleUploadedFile("budget.pdf", PDF_BYTES + b" " * (1024 * 1024), content_type="application/pdf")


def empty_pdf():
    return SimpleUploadedFile("budget.pdf", b"", content_type="application/pdf")


def zip_document(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, compression in entries:
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return buffer.getvalue()


def xlsx_bytes(padding=0):
    entries = [("[Content_Types].xml", b"<Types/>", zipfile.ZIP_DEFLATED)]
    if padding:
        # A big first part pushes the workbook beyond what `filetype` reads.
        entries.append(("docProps/thumbnail.jpeg", b"\xff" * padding, zipfile.ZIP_STORED))
    entries += [("_rels/.rels", b"<Relationships/>", zipfile.ZIP_DEFLATED)]
    entries += [("xl/workbook.xml", b"<workbook/>", zipfile.ZIP_DEFLATED)]
    return zip_document(entries)


def docx_bytes():
    return zip_document(
        [
            ("[Content_Types].xml", b"<Types/>", zipfile.ZIP_DEFLATED),
            ("word/document.xml", b"<document/>", zipfile.ZIP_DEFLATED),
        ]
    )


def ods_bytes():
    return zip_document(
        [
            ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED),
            ("content.xml", b"<office:document-content/>", zipfile.ZIP_DEFLATED),
        ]
    )


@pytest.mark.parametrize(
    "upload, code, words",
    [
        (elf_named_pdf, "wrong_type", "PDF, XLSX, ODS"),
        (exe_named_pdf, "wrong_type", "PDF, XLSX, ODS"),
        (lambda: SimpleUploadedFile("budget.xlsx", docx_bytes()), "wrong_type", "budget.xlsx"),
        (lambda: SimpleUploadedFile("budget.pdf", b"juste du texte"), "wrong_type", "budget.pdf"),
        (too_large_pdf, "too_large", "1 Mo"),
        (empty_pdf, "empty", "budget.pdf"),
    ],
    ids=["elf-named-pdf", "exe-named-pdf", "docx-named-xlsx", "text-named-pdf", "too-large", "empty"],
)
def test_a_refused_upload_says_why_and_stores_nothing(call, draft, private_media, upload, code, words):
    with pytest.raises(ValidationError) as refused:
        services.store_attachment(draft, FILE_QUESTION, upload(), block(call, FILE_QUESTION).value)
    [error] = refused.value.error_dict[FILE_FIELD]
    assert error.code == code
    message = error.messages[0]
    assert "Budget prévisionnel" in message  # it names the question
    assert words in message
    assert not Attachment.objects.exists()
    assert stored_files(private_media) == []


@pytest.mark.parametrize(
    "name, content, content_type",
    [
        ("budget.pdf", PDF_BYTES, "application/pdf"),
        ("budget.xlsx", xlsx_bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("budget.xlsx", xlsx_bytes(padding=9000), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("budget.ods", ods_bytes(), "application/vnd.oasis.opendocument.spreadsheet"),
    ],
    ids=["pdf", "xlsx", "xlsx-with-a-big-first-part", "ods"],
)
def test_accepted_types_are_recognised_by_their_content(call, draft, private_media, name, content, content_type):
    attachment = services.store_attachment(
        draft, FILE_QUESTION, SimpleUploadedFile(name, content), block(call, FILE_QUESTION).value
    )
    assert attachment.content_type == content_type
    assert attachment.size == len(content)
    [path] = stored_files(private_media)
    assert path.read_bytes() == content


@pytest.mark.parametrize(
    "raw, safe",
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\camille\\Budget final (v2).pdf", "Budget_final_v2.pdf"),
        (".htaccess.pdf", "htaccess.pdf"),
        ("budget", "budget.pdf"),
        ("x" * 300 + ".pdf", "x" * 146 + ".pdf"),
    ],
)
def test_file_names_are_sanitised_and_never_a_path(call, draft, private_media, raw, safe):
    attachment = services.store_attachment(draft, FILE_QUESTION, pdf(name=raw), block(call, FILE_QUESTION).value)
    assert attachment.name == safe
    [path] = stored_files(private_media)
    assert path.is_relative_to(private_media / "applications" / str(draft.token))
    assert "passwd" not in path.name and "budget" not in path.name.lower()


def test_a_new_file_replaces_the_previous_one(call, draft):
    value = block(call, FILE_QUESTION).value
    first = services.store_attachment(draft, FILE_QUESTION, pdf("v1.pdf"), value)
    second = services.store_attachment(draft, FILE_QUESTION, pdf("v2.pdf"), value)
    assert list(draft.attachments.all()) == [second]
    assert not Attachment.objects.filter(pk=first.pk).exists()


# --------------------------------------------------------------------------- the pages


def apply_url(call):
    return call.url + "candidater/"


def form_data(**overrides):
    data = {
        "title": "Jardin partagé",
        "summary": "Des bacs et des bancs.",
        "holder_name": "Les Amis du square",
        "holder_kind": "association",
        "amount_requested": "4 500",
        "q_q-description": "Un jardin partagé au pied des immeubles.",
        "q_q-budget": "",
        "action": "save",
    }
    data.update(overrides)
    return data


def test_start_save_come_back_and_submit(client, call, applicant, mailoutbox):
    client.force_login(applicant)
    assert client.get(apply_url(call)).status_code == 200

    response = client.post(apply_url(call), form_data())
    application = Application.objects.get(applicant=applicant)
    url = reverse("applications:application", args=[application.token])
    assert response.status_code == 302 and response.url == url
    assert (application.status, application.title, application.amount_requested) == (S.DRAFT, "Jardin partagé", 4500)
    assert application.language == "fr"

    # Come back later: the call page's button leads to the draft, and the answers are there.
    assert client.get(apply_url(call)).url == url
    page = client.get(url).content.decode()
    assert "Un jardin partagé au pied des immeubles." in page and 'value="4500"' in page

    # Submit without the required file and consent: refused, the answers stay.
    response = client.post(url, form_data(action="submit"))
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"q_q-consent", FILE_FIELD}
    application.refresh_from_db()
    assert application.status == S.DRAFT

    response = client.post(url, form_data(action="submit", **{"q_q-consent": "on", FILE_FIELD: pdf()}))
    application.refresh_from_db()
    assert response.status_code == 302
    assert response.url == reverse("applications:confirmation", args=[application.token])
    assert application.status == S.SUBMITTED
    assert application.reference.startswith(f"AAP-{timezone.localtime().year}-")
    confirmation = client.get(response.url).content.decode()
    assert application.reference in confirmation
    assert len(mailoutbox) == 1

    # Submitted and not editable: the page is read only, with its file.
    detail = client.get(url)
    assert detail.templates[0].name == "applications/application_detail.html"
    assert reverse("applications:attachment", args=[application.attachments.get().token]) in detail.content.decode()


def test_a_bad_answer_on_a_draft_keeps_the_others(client, draft):
    client.force_login(draft.applicant)
    url = reverse("applications:application", args=[draft.token])
    response = client.post(
        url, form_data(title="Nouveau titre", amount_requested="beaucoup", **{FILE_FIELD: elf_named_pdf()})
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"amount_requested", FILE_FIELD}
    assert "Budget prévisionnel" in errors[FILE_FIELD][0]
    page = response.content.decode()
    assert 'value="beaucoup"' in page  # what was typed is shown again
    assert 'id="error-summary"' in page and f'href="#id_{FILE_FIELD}"' in page
    draft.refresh_from_db()
    assert draft.title == "Nouveau titre"  # the valid answers are saved
    assert draft.amount_requested == 5000
    assert not Attachment.objects.exists()


def test_a_refused_answer_stops_a_submission_even_when_the_draft_was_complete(client, draft, mailoutbox):
    complete(draft)
    client.force_login(draft.applicant)
    url = reverse("applications:application", args=[draft.token])
    data = form_data(action="submit", amount_requested="beaucoup", **{"q_q-consent": "on"})
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "amount_requested": [ApplicationForm.base_fields["amount_requested"].error_messages["invalid"]]
    }
    draft.refresh_from_db()
    assert draft.status == S.DRAFT and draft.reference is None
    assert mailoutbox == []


def test_an_empty_file_through_the_form_is_refused_by_name(client, draft, private_media):
    client.force_login(draft.applicant)
    url = reverse("applications:application", args=[draft.token])
    response = client.post(url, form_data(**{FILE_FIELD: empty_pdf()}))
    [message] = response.context["form"].errors[FILE_FIELD]
    assert "Budget prévisionnel" in message and "budget.pdf" in message
    assert stored_files(private_media) == []


def test_a_submitted_application_is_not_half_changed_through_the_form(client, call, draft):
    reopen(call, opens_at=call.opens_at, closes_at=call.closes_at, edit_after_submission=True)
    complete(draft)
    services.submit(draft, draft.applicant)
    client.force_login(draft.applicant)
    url = reverse("applications:application", args=[draft.token])
    page = client.get(url).content.decode()
    assert 'value="save"' not in page and 'value="submit"' in page  # one button: submit the changes
    response = client.post(url, form_data(title="Nouveau titre", amount_requested="beaucoup", **{"q_q-consent": "on"}))
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.title == "Jardin partagé"
    assert draft.versions.count() == 1
    response = client.post(url, form_data(title="Nouveau titre", **{"q_q-consent": "on"}))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Nouveau titre"
    assert draft.versions.count() == 2


def test_a_late_post_is_refused_with_what_was_typed_kept(client, call, draft):
    client.force_login(draft.applicant)
    url = reverse("applications:application", args=[draft.token])
    reopen(call, opens_at=call.opens_at, closes_at=timezone.now() - timedelta(seconds=1))
    response = client.post(url, form_data(title="Trop tard", action="submit"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="Trop tard"' in page
    assert response.context["form"].non_field_errors()
    assert 'name="action"' not in page  # no button to try again
    draft.refresh_from_db()
    assert (draft.title, draft.status) == ("Jardin partagé", S.DRAFT)


def test_a_closed_call_takes_no_new_application(client, call, applicant):
    client.force_login(applicant)
    reopen(call, opens_at=call.opens_at, closes_at=timezone.now() - timedelta(seconds=1))
    assert client.get(apply_url(call)).templates[0].name == "applications/call_closed.html"
    response = client.post(apply_url(call), form_data(title="Trop tard"))
    assert response.status_code == 200
    assert 'value="Trop tard"' in response.content.decode()
    assert not Application.objects.exists()


def test_the_form_offers_the_site_themes_and_territories_and_says_the_limits(call, theme, territory):
    form = ApplicationForm(call)
    assert list(form.fields["themes"].queryset) == [theme]
    assert list(form.fields["territory"].queryset) == [territory]
    help_text = str(form.fields[FILE_FIELD].help_text)
    assert "PDF, XLSX, ODS" in help_text and "1" in help_text
    assert form.fields[FILE_FIELD].widget.attrs["accept"] == ".pdf,.xlsx,.ods"
    assert not any(field.required for field in form.fields.values())  # drafts may be incomplete
    assert {"title", "q_q-description", FILE_FIELD, "q_q-consent"} <= form.required_names
    assert "q_q-budget" not in form.required_names


def test_amounts_of_questions_are_stored_in_cents_and_shown_in_euros(call, draft):
    services.save_draft(draft, {"q_q-budget": "1234.5"})
    draft.refresh_from_db()
    assert draft.answers["q-budget"] == 123450
    assert str(ApplicationForm(call, draft)["q_q-budget"].initial) == "1234.5"


# --------------------------------------------------------------------------- who sees what


@pytest.fixture
def other(call):
    return ApplicationFactory(call=call, applicant=UserFactory(email="dominique@example.org"))


@pytest.fixture
def attachment(other):
    return AttachmentFactory(application=other)


def test_an_applicant_cannot_open_someone_elses_application(client, draft, other, attachment):
    client.force_login(draft.applicant)
    for name in ("application", "confirmation", "withdraw"):
        assert client.get(reverse(f"applications:{name}", args=[other.token])).status_code == 404
    assert client.post(reverse("applications:withdraw", args=[other.token])).status_code == 404
    assert client.get(reverse("applications:attachment", args=[attachment.token])).status_code == 404
    other.refresh_from_db()
    assert other.status == S.DRAFT


def test_anonymous_visitors_are_sent_to_sign_in_but_get_no_file(client, call, other, attachment):
    login = reverse("account_login")
    for url in (
        reverse("applications:dashboard"),
        reverse("applications:application", args=[other.token]),
        apply_url(call),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == f"{login}?next={quote(url)}"
    assert client.get(reverse("applications:attachment", args=[attachment.token])).status_code == 404


def download(client, attachment):
    return client.get(reverse("applications:attachment", args=[attachment.token]))


def test_the_owner_downloads_the_file_as_an_attachment(client, other, attachment):
    client.force_login(other.applicant)
    response = download(client, attachment)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"] == 'attachment; filename="budget.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_staff_need_the_permission_to_view_applications(client, attachment):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert download(client, attachment).status_code == 404
    permission = Permission.objects.get(codename="view_application", content_type__app_label="applications")
    staff.user_permissions.add(permission)
    client.force_login(type(staff).objects.get(pk=staff.pk))
    assert download(client, attachment).status_code == 200


def test_an_assigned_juror_downloads_unless_in_conflict(client, other, attachment):
    juror = JuryAssignmentFactory(application=other).juror
    conflicted = JuryAssignmentFactory(application=other, conflict_of_interest=True).juror
    elsewhere = JuryAssignmentFactory(application=ApplicationFactory(call=other.call)).juror
    client.force_login(juror)
    assert download(client, attachment).status_code == 200
    client.force_login(conflicted)
    assert download(client, attachment).status_code == 404
    client.force_login(elsewhere)
    assert download(client, attachment).status_code == 404


def test_a_missing_file_is_a_404(client, other, attachment, private_media):
    attachment.file.storage.delete(attachment.file.name)
    client.force_login(other.applicant)
    assert download(client, attachment).status_code == 404


# --------------------------------------------------------------------------- the call page


def test_the_call_page_offers_to_apply_while_open(client, call):
    page = client.get(call.url).content.decode()
    assert f'href="{apply_url(call)}"' in page


def test_the_call_page_says_when_applications_open(client, call_index):
    opens = timezone.now() + timedelta(days=5)
    upcoming = CallWithFormFactory(parent=call_index, opens_at=opens)
    page = client.get(upcoming.url).content.decode()
    assert "candidater/" not in page
    with translation.override("fr"):
        when = formats.date_format(timezone.localtime(opens), "j F Y, H:i")
    assert fr("Applications from %(date)s") % {"date": when} in page
    assert client.get(apply_url(upcoming)).status_code == 302  # to sign in


def test_the_call_page_says_the_call_is_closed(client, call_index):
    closed = CallWithFormFactory(parent=call_index, opens_at=timezone.now() - timedelta(days=90))
    reopen(closed, opens_at=closed.opens_at, closes_at=timezone.now() - timedelta(days=1))
    page = client.get(closed.url).content.decode()
    assert "candidater/" not in page
    assert fr("Call closed") in page


# --------------------------------------------------------------------------- reminders


def test_reminders_go_once_to_each_unsubmitted_draft_closing_soon(call, call_index, mailoutbox):
    reopen(call, opens_at=call.opens_at, closes_at=timezone.now() + timedelta(days=2))
    drafts = [ApplicationFactory(call=call) for _ in range(2)]
    SubmittedApplicationFactory(call=call)
    ApplicationFactory(call=call, status=S.WITHDRAWN)
    later = CallWithFormFactory(parent=call_index, closes_at=timezone.now() + timedelta(days=20))
    ApplicationFactory(call=later)

    call_command("remind_drafts", stdout=io.StringIO())
    assert sorted(m.to[0] for m in mailoutbox) == sorted(d.applicant.email for d in drafts)
    assert all(call.title in m.subject for m in mailoutbox)
    assert ApplicationEvent.objects.filter(note=services.REMINDER_NOTE).count() == 2

    call_command("remind_drafts", stdout=io.StringIO())
    assert len(mailoutbox) == 2

    call_command("remind_drafts", "--days", "30", stdout=io.StringIO())
    assert len(mailoutbox) == 3  # the later call's draft, now within 30 days


# --------------------------------------------------------------------------- my applications


def test_the_dashboard_lists_status_reference_and_staff_messages(client, call, applicant):
    draft = ApplicationFactory(call=call, applicant=applicant, title="Brouillon du square")
    submitted = SubmittedApplicationFactory(call=call, applicant=applicant, status=S.INELIGIBLE)
    ApplicationEventFactory(
        application=submitted, to_status=S.INELIGIBLE, message="Le projet sort du périmètre.", note="interne"
    )
    ApplicationFactory(call=call, title="Pas à moi")
    client.force_login(applicant)
    page = client.get(reverse("applications:dashboard")).content.decode()
    assert "Brouillon du square" in page and "Pas à moi" not in page
    assert submitted.reference in page
    assert "Le projet sort du périmètre." in page and "interne" not in page
    with translation.override("fr"):
        assert str(S.INELIGIBLE.label) in page and str(S.DRAFT.label) in page
    assert reverse("applications:withdraw", args=[draft.token]) in page


def test_the_dashboard_runs_the_same_queries_for_ten_times_more_applications(client, call, call_index, applicant):
    calls = [call, CallWithFormFactory(parent=call_index)]

    def grow(count):
        for index in range(count):
            application = SubmittedApplicationFactory(call=calls[index % 2], applicant=applicant)
            ApplicationEventFactory(application=application, message=f"Message {index}")
            AttachmentFactory(application=application)

    client.force_login(applicant)
    url = reverse("applications:dashboard")
    grow(3)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    grow(27)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.content.decode().count('class="my-application"') == 30
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
