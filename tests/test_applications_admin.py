"""Staff side of applications in the Wagtail admin: the list (filters, search, constant
queries), the CSV / XLSX exports in French-friendly formats, the detail page, decisions (one
email per status change), jurors, juries, the summary and ranking per call."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from applications import emails, reports, workflow
from applications.admin_views import EXPORT_HEADINGS
from applications.models import ApplicationEvent, CallJury, EmailTemplate, JuryAssignment, Review
from applications.status import ApplicationStatus as S
from coupdepouce.editorial import ensure_communication_group
from tests.factories.applications import (
    DEFAULT_FORM,
    ApplicationFactory,
    AttachmentFactory,
    CallJuryFactory,
    CallWithFormFactory,
    EmailTemplateFactory,
    ReviewFactory,
    SubmittedApplicationFactory,
    UserFactory,
    question,
)
from tests.factories.calls import EvaluationCriterionFactory
from tests.factories.projects import TerritoryFactory
from tests.factories.themes import ThemePageFactory

pytestmark = pytest.mark.django_db

INDEX = "application:index"


def url(name, *args):
    return reverse(f"application:{name}", args=args)


def staff_user(*codenames, email="instructrice@example.org"):
    """An admin user whose group has `codenames` of the applications app."""
    group = Group.objects.create(name=f"Instruction {email}")
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    for codename in codenames:
        group.permissions.add(Permission.objects.get(content_type__app_label="applications", codename=codename))
    user = UserFactory(email=email, full_name="Inès Tructrice")
    user.groups.add(group)
    return user


@pytest.fixture
def staff(client):
    user = staff_user("view_application", "change_application", "change_calljury")
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def call(call_index):
    form = [*DEFAULT_FORM, question("date", "Date de début", id="q-start", required=False)]
    call = CallWithFormFactory(
        parent=call_index, title="Budget participatif 2027", slug="bp-2027", application_form=form
    )
    EvaluationCriterionFactory(page=call, title="Utilité", weight=3)
    EvaluationCriterionFactory(page=call, title="Faisabilité", weight=1)
    return call


def criteria_ids(call):
    return [str(c.pk) for c in call.criteria.order_by("weight").reverse()]  # [utilité (×3), faisabilité (×1)]


@pytest.fixture
def application(call, theme, territory):
    app = SubmittedApplicationFactory(
        call=call,
        title="Jardin partagé",
        reference="AAP-2027-0001",
        amount_requested=5000,
        territory=territory,
        submitted_at=datetime(2027, 3, 1, 10, 30, tzinfo=UTC),
        answers={
            "q-description": "Un jardin au pied des immeubles.",
            "q-budget": 123450,
            "q-consent": True,
            "q-start": "2027-06-15",
        },
        applicant=UserFactory(email="porteuse@example.org", full_name="Paula Porteuse"),
    )
    app.themes.add(theme)
    return app


def eligible(call, **kwargs):
    return SubmittedApplicationFactory(call=call, status=S.ELIGIBLE, **kwargs)


# The list ------------------------------------------------------------------------------------------


class TestList:
    def test_staff_see_submitted_applications_not_drafts(self, staff, application, call):
        ApplicationFactory(call=call, title="Brouillon secret")
        response = staff.get(reverse(INDEX))
        assert response.status_code == 200
        html = response.content.decode()
        assert "AAP-2027-0001" in html and "Jardin partagé" in html
        assert "Paula Porteuse" in html and "Budget participatif 2027" in html
        assert str(S.SUBMITTED.label) in html
        assert "5\u202f000\u00a0€" in html
        assert "Brouillon secret" not in html
        assert url("inspect", application.pk) in html
        # No way to create, edit or delete an application.
        assert "/admin/application/new/" not in html
        assert "/admin/application/edit/" not in html
        assert "/admin/application/delete/" not in html

    def test_filters_and_search(self, staff, application, call, call_index, theme_index, theme):
        other_call = CallWithFormFactory(parent=call_index, title="Fonds jeunesse")
        other_theme = ThemePageFactory(parent=theme_index, title="Sport")
        other_territory = TerritoryFactory(name="Les Hauts")
        b = eligible(call, title="Skatepark", territory=other_territory)
        b.themes.add(other_theme)
        c = SubmittedApplicationFactory(call=other_call, title="Fresque", holder_name="Collectif Mur")

        def titles(**params):
            response = staff.get(reverse(INDEX), params)
            assert response.status_code == 200
            return {a.title for a in response.context["object_list"]}

        assert titles() == {"Jardin partagé", "Skatepark", "Fresque"}
        assert titles(call=other_call.pk) == {"Fresque"}
        assert titles(status=S.ELIGIBLE) == {"Skatepark"}
        assert titles(themes=other_theme.pk) == {"Skatepark"}
        assert titles(territory=application.territory.pk) == {"Jardin partagé"}
        assert titles(q="porteuse@example") == {"Jardin partagé"}
        assert titles(q="AAP-2027-0001") == {"Jardin partagé"}
        assert titles(q="collectif mur") == {"Fresque"}
        assert c.pk and b.pk

    def test_filtered_on_a_call_links_its_summary(self, staff, application, call):
        html = staff.get(reverse(INDEX), {"call": call.pk}).content.decode()
        assert url("summary", call.pk) in html
        assert url("calls") in staff.get(reverse(INDEX)).content.decode()

    def test_constant_queries(self, staff, call, theme, territory):
        def list_queries():
            staff.get(reverse(INDEX))  # warm caches
            with CaptureQueriesContext(connection) as captured:
                assert staff.get(reverse(INDEX)).status_code == 200
            return len(captured.captured_queries)

        def add(n):
            for _ in range(n):
                app = SubmittedApplicationFactory(call=call, territory=territory)
                app.themes.add(theme)

        add(3)
        few = list_queries()
        add(27)
        assert list_queries() == few

    def test_export_constant_queries(self, staff, call, theme):
        def export_queries():
            with CaptureQueriesContext(connection) as captured:
                b"".join(staff.get(reverse(INDEX), {"export": "csv", "call": call.pk}).streaming_content)
            return len(captured.captured_queries)

        for _ in range(3):
            SubmittedApplicationFactory(call=call).themes.add(theme)
        export_queries()  # warm the caches (the request's site and home page)
        few = export_queries()
        for _ in range(27):
            SubmittedApplicationFactory(call=call).themes.add(theme)
        assert export_queries() == few


class TestAccess:
    def test_anonymous_goes_to_the_login(self, client, application):
        for target in (reverse(INDEX), url("inspect", application.pk), url("summary", application.call_id)):
            response = client.get(target)
            assert response.status_code == 302
            assert reverse("wagtailadmin_login") in response["Location"]

    @pytest.mark.parametrize("name", ["index", "inspect", "summary", "calls", "export"])
    def test_admin_users_without_the_permission_are_refused(self, client, application, name):
        client.force_login(staff_user())
        target = {
            "index": reverse(INDEX),
            "inspect": url("inspect", application.pk),
            "summary": url("summary", application.call_id),
            "calls": url("calls"),
            "export": reverse(INDEX) + "?export=csv",
        }[name]
        response = client.get(target)
        # Wagtail turns a PermissionDenied into a redirect to the dashboard with a message.
        assert response.status_code in (302, 403)
        if response.status_code == 302:
            assert response["Location"] == reverse("wagtailadmin_home")

    def test_the_communication_group_runs_the_selection(self, client, application):
        """The town's Communication group (coupdepouce/editorial.py) sees, screens and exports applications,
        and downloads their attachments; it is not a jury and sees no juror page."""
        officer = UserFactory(email="com@example.org", full_name="Nadia Com")
        officer.groups.add(ensure_communication_group())
        client.force_login(officer)
        assert client.get(reverse(INDEX)).status_code == 200
        assert client.get(reverse(INDEX) + "?export=csv").status_code == 200
        page = client.get(url("inspect", application.pk)).content.decode()
        assert 'name="action"' in page
        attachment = AttachmentFactory(application=application)
        download = client.get(reverse("applications:attachment", args=[attachment.token]))
        assert download.status_code == 200
        assert b"".join(download.streaming_content).startswith(b"%PDF")
        assert client.get(reverse("jury:application", args=[application.token])).status_code == 404

    def test_viewers_cannot_decide(self, client, application):
        client.force_login(staff_user("view_application"))
        response = client.get(url("inspect", application.pk))
        assert response.status_code == 200
        assert 'name="action"' not in response.content.decode()
        response = client.post(
            url("inspect", application.pk), {"action": "screening", "screening-to_status": S.ELIGIBLE}
        )
        assert response.status_code in (302, 403)
        application.refresh_from_db()
        assert application.status == S.SUBMITTED
        assert not mail.outbox

    def test_no_add_or_edit_views(self, staff):
        for path in ("/admin/application/new/", "/admin/application/edit/1/", "/admin/application/delete/1/"):
            assert staff.get(path).status_code == 404


# Exports --------------------------------------------------------------------------------------------


def csv_rows(response):
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=";"))


class TestExports:
    def test_csv(self, staff, application, call):
        response = staff.get(reverse(INDEX), {"export": "csv", "call": call.pk})
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        rows = csv_rows(response)
        headings, row = rows[0], rows[1]
        assert len(rows) == 2
        with translation.override("fr"):
            assert headings[:3] == [str(EXPORT_HEADINGS[k]) for k in ("reference", "title", "status")]
            status_label = str(S.SUBMITTED.label)
        values = dict(zip(headings, row, strict=True))
        assert values[str(EXPORT_HEADINGS["reference"])] == "AAP-2027-0001"
        assert values[str(EXPORT_HEADINGS["status"])] == status_label != "submitted"
        assert values[str(EXPORT_HEADINGS["amount_requested"])] == "5000,00"  # euros, not cents
        assert values[str(EXPORT_HEADINGS["submitted_at"])] == "01/03/2027 11:30"  # Europe/Paris (UTC+1)
        assert values[str(EXPORT_HEADINGS["applicant_email"])] == "porteuse@example.org"
        assert values[str(EXPORT_HEADINGS["themes"])] == "Culture"
        assert values[str(EXPORT_HEADINGS["territory"])] == "Centre-ville"
        # The call's questions, by their label: an amount in euros with a decimal comma.
        assert values["Budget total du projet"] == "1234,50"
        assert values["Décrivez votre projet"] == "Un jardin au pied des immeubles."
        assert values["J'accepte le règlement de l'appel"] in ("Oui", "Yes")
        assert values["Date de début"] == "15/06/2027"

    def test_csv_without_a_call_filter_has_the_fixed_columns_only(self, staff, application):
        headings = csv_rows(staff.get(reverse(INDEX), {"export": "csv"}))[0]
        assert len(headings) == len(EXPORT_HEADINGS)
        assert "Budget total du projet" not in headings

    def test_xlsx_keeps_numbers_and_local_times(self, staff, application, call):
        response = staff.get(reverse(INDEX), {"export": "xlsx", "call": call.pk})
        assert response.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        headings = [cell.value for cell in sheet[1]]
        cells = dict(zip(headings, sheet[2], strict=True))
        values = {heading: cell.value for heading, cell in cells.items()}
        assert values[str(EXPORT_HEADINGS["amount_requested"])] == 5000
        assert values["Budget total du projet"] == Decimal("1234.5")
        assert values["Date de début"] == date(2027, 6, 15)
        assert cells["Date de début"].number_format == "dd/mm/yyyy"
        submitted = cells[str(EXPORT_HEADINGS["submitted_at"])]
        assert submitted.value == datetime(2027, 3, 1, 11, 30)  # Europe/Paris, not UTC
        assert submitted.number_format == "dd/mm/yyyy hh:mm"
        with translation.override("fr"):
            assert values[str(EXPORT_HEADINGS["status"])] == str(S.SUBMITTED.label)

    def test_ranking_csv_uses_a_decimal_comma(self, staff, call):
        app = eligible(call, title="Verger")
        utilite, faisabilite = criteria_ids(call)
        ReviewFactory(application=app, scores={utilite: 4, faisabilite: 1})  # (12 + 1) / 4 = 3.25
        ReviewFactory(application=app, scores={utilite: 3, faisabilite: 3})  # 3.00
        rows = csv_rows(staff.get(url("summary", call.pk), {"export": "csv"}))
        assert rows[1][:2] == ["1", app.reference]
        assert "3,13" in rows[1]  # mean of 3.25 and 3.00, half up
        assert "0,25" in rows[1]  # spread


# The detail page --------------------------------------------------------------------------------------


class TestDetail:
    def test_shows_the_application_answers_files_history_and_jury(self, staff, application, call):
        attachment = AttachmentFactory(application=application, name="budget-2027.pdf")
        ApplicationEvent.objects.create(
            application=application, from_status="", to_status=S.SUBMITTED, actor=application.applicant
        )
        juror = UserFactory(full_name="Jules Juré")
        application.status = S.ELIGIBLE
        application.save()
        JuryAssignment.objects.create(application=application, juror=juror)
        utilite, faisabilite = criteria_ids(call)
        ReviewFactory(application=application, juror=juror, scores={utilite: 5, faisabilite: 1}, comment="Très utile")

        response = staff.get(url("inspect", application.pk))
        assert response.status_code == 200
        html = response.content.decode()
        for text in (
            "AAP-2027-0001",
            "Jardin partagé",
            "porteuse@example.org",
            "Décrivez votre projet",
            "Un jardin au pied des immeubles.",
            "Budget total du projet",
            "1\u202f234,50\u00a0€",
            "15/06/2027",
            "budget-2027.pdf",
            "Jules Juré",
            "Très utile",
            "4,00",  # (15 + 1) / 4
        ):
            assert text in html, text
        assert reverse("applications:attachment", args=[attachment.token]) in html
        assert str(S.SUBMITTED.label) in html  # history
        assert url("summary", call.pk) in html
        assert 'name="action" value="selection"' in html
        assert 'name="action" value="assign"' in html

    def test_the_ranking_line(self, staff, call):
        first, second = eligible(call), eligible(call)
        utilite, faisabilite = criteria_ids(call)
        ReviewFactory(application=first, scores={utilite: 5, faisabilite: 5})
        ReviewFactory(application=second, scores={utilite: 2, faisabilite: 2})
        response = staff.get(url("inspect", second.pk))
        assert response.context["ranking_line"][0] == 2
        assert response.context["ranked_count"] == 2


# Decisions -----------------------------------------------------------------------------------------


def post_decision(client, application, action, to_status, **fields):
    data = {"action": action, f"{action}-to_status": to_status}
    data.update({f"{action}-{name}": value for name, value in fields.items()})
    return client.post(url("inspect", application.pk), data)


class TestDecisions:
    def test_screening_sends_one_email_from_the_staff_template(
        self, staff, application, django_capture_on_commit_callbacks
    ):
        EmailTemplateFactory(
            kind=EmailTemplate.Kind.ELIGIBLE, subject="Recevable : {reference}", body="Bonjour {name}. {message}"
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = post_decision(staff, application, "screening", S.ELIGIBLE, message="Bravo !")
        assert response.status_code == 302
        application.refresh_from_db()
        assert application.status == S.ELIGIBLE
        assert len(mail.outbox) == 1
        email = mail.outbox[0]
        assert email.subject == "Recevable : AAP-2027-0001"
        assert email.to == ["porteuse@example.org"]
        assert "Bonjour Paula Porteuse. Bravo !" in email.body
        event = application.events.get()
        assert (event.from_status, event.to_status, event.actor, event.message, event.emailed) == (
            S.SUBMITTED,
            S.ELIGIBLE,
            staff.user,
            "Bravo !",
            True,
        )

    def test_the_same_decision_twice_sends_nothing_more(self, staff, application, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            assert workflow.decide(application, S.ELIGIBLE, actor=staff.user) is not None
            assert workflow.decide(application, S.ELIGIBLE, actor=staff.user) is None
        assert len(mail.outbox) == 1
        assert application.events.count() == 1

    def test_each_status_change_sends_its_own_email_with_the_default_text(
        self, staff, application, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            workflow.decide(application, S.ELIGIBLE, actor=staff.user)
            workflow.decide(application, S.SHORTLISTED, actor=staff.user)
            post_decision(staff, application, "selection", S.LAUREATE, message="Rendez-vous en mairie.")
        application.refresh_from_db()
        assert application.status == S.LAUREATE
        assert len(mail.outbox) == 3
        with translation.override("fr"):
            subject, _body = emails.default_text(EmailTemplate.Kind.LAUREATE)
        assert mail.outbox[-1].subject == subject.format(reference="AAP-2027-0001")
        assert "Rendez-vous en mairie." in mail.outbox[-1].body
        assert list(application.events.values_list("to_status", "emailed")) == [
            (S.ELIGIBLE, True),
            (S.SHORTLISTED, True),
            (S.LAUREATE, True),
        ]

    def test_a_refused_transition(self, staff, application, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(workflow.WorkflowError):
            workflow.decide(application, S.LAUREATE, actor=staff.user)
        with django_capture_on_commit_callbacks(execute=True):
            response = post_decision(staff, application, "selection", S.LAUREATE)
        assert response.status_code == 302
        application.refresh_from_db()
        assert application.status == S.SUBMITTED
        assert not mail.outbox
        assert not application.events.exists()
        with pytest.raises(workflow.WorkflowError):
            workflow.decide(application, S.SUBMITTED, actor=staff.user)  # not a decision

    def test_not_eligible_needs_a_reason(self, staff, application, django_capture_on_commit_callbacks):
        with pytest.raises(workflow.WorkflowError):
            workflow.decide(application, S.INELIGIBLE, actor=staff.user, reason="  ")
        with django_capture_on_commit_callbacks(execute=True):
            response = post_decision(staff, application, "screening", S.INELIGIBLE)
        assert response.status_code == 200
        assert response.context["forms"]["screening"].errors["reason"]
        application.refresh_from_db()
        assert application.status == S.SUBMITTED
        assert not mail.outbox

        with django_capture_on_commit_callbacks(execute=True):
            response = post_decision(staff, application, "screening", S.INELIGIBLE, reason="Hors territoire.")
        assert response.status_code == 302
        application.refresh_from_db()
        assert application.status == S.INELIGIBLE
        assert application.eligibility_reason == "Hors territoire."
        assert len(mail.outbox) == 1
        assert "Hors territoire." in mail.outbox[0].body
        assert "Hors territoire." in application.events.get().note

    def test_a_decision_rolled_back_sends_nothing(self, staff, application, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            workflow.decide(application, S.ELIGIBLE, actor=staff.user)
        assert len(callbacks) == 1
        assert not mail.outbox  # the email waits for the commit


# Jurors ---------------------------------------------------------------------------------------------


class TestJurors:
    def test_assign_is_idempotent(self, staff, call):
        app, juror = eligible(call), UserFactory()
        assert workflow.assign(app, juror, by=staff.user)[1] is True
        assert workflow.assign(app, juror, by=staff.user)[1] is False
        assert JuryAssignment.objects.filter(application=app, juror=juror).count() == 1
        assert app.events.count() == 1

    def test_only_eligible_applications_get_jurors(self, staff, application):
        with pytest.raises(workflow.WorkflowError):
            workflow.assign(application, UserFactory(), by=staff.user)
        with pytest.raises(workflow.WorkflowError):
            workflow.assign(application, application.applicant, by=staff.user)

    def test_assign_from_the_page_by_email(self, staff, call):
        app, juror = eligible(call), UserFactory(email="jules@example.org")
        data = {"action": "assign", "assign-email": "JULES@example.org"}
        assert staff.post(url("inspect", app.pk), data).status_code == 302
        assert staff.post(url("inspect", app.pk), data).status_code == 302
        assert list(app.assignments.values_list("juror", flat=True)) == [juror.pk]
        assert app.assignments.get().assigned_by == staff.user

    def test_assign_from_the_page_with_the_chooser(self, staff, call):
        app, juror = eligible(call), UserFactory()
        response = staff.post(url("inspect", app.pk), {"action": "assign", "assign-juror": juror.pk})
        assert response.status_code == 302
        assert app.assignments.get().juror == juror

    def test_inactive_accounts_cannot_be_assigned(self, staff, call):
        app, juror = eligible(call), UserFactory(is_active=False)
        response = staff.post(url("inspect", app.pk), {"action": "assign", "assign-juror": juror.pk})
        assert response.status_code == 200
        assert response.context["forms"]["assign"].errors
        assert not app.assignments.exists()

    def test_assign_jury_assigns_every_member(self, staff, call):
        members = [UserFactory() for _ in range(3)]
        CallJuryFactory(call=call, members=members)
        apps = [eligible(call), eligible(call)]
        draft = SubmittedApplicationFactory(call=call)  # not screened yet: skipped
        assert workflow.assign_jury(call, [*apps, draft], by=staff.user) == 6
        assert workflow.assign_jury(call, apps, by=staff.user) == 0
        for app in apps:
            assert set(app.assignments.values_list("juror", flat=True)) == {m.pk for m in members}
        assert not draft.assignments.exists()

    def test_assign_jury_from_the_page(self, staff, call):
        members = [UserFactory(), UserFactory()]
        CallJuryFactory(call=call, members=members)
        app = eligible(call)
        assert staff.post(url("inspect", app.pk), {"action": "assign_jury"}).status_code == 302
        assert app.assignments.count() == 2

    def test_a_call_without_jury(self, staff, call):
        with pytest.raises(workflow.WorkflowError):
            workflow.assign_jury(call, [eligible(call)], by=staff.user)

    def test_unassign(self, staff, call):
        app, juror, reviewer = eligible(call), UserFactory(), UserFactory()
        workflow.assign(app, juror, by=staff.user)
        workflow.assign(app, reviewer, by=staff.user)
        ReviewFactory(application=app, juror=juror, submitted_at=None)  # a draft goes with the assignment
        ReviewFactory(application=app, juror=reviewer)
        response = staff.post(url("inspect", app.pk), {"action": "unassign", "juror": juror.pk})
        assert response.status_code == 302
        assert not Review.objects.filter(application=app, juror=juror).exists()
        with pytest.raises(workflow.WorkflowError):
            workflow.unassign(app, reviewer, by=staff.user)
        assert list(app.assignments.values_list("juror", flat=True)) == [reviewer.pk]

    def test_the_account_chooser_lists_active_accounts_to_staff_only(self, staff):
        UserFactory(full_name="Active Annie")
        UserFactory(full_name="Ancien Arthur", is_active=False)
        response = staff.get(reverse("application_user_chooser:choose"), {"q": "A"})
        assert response.status_code == 200
        html = response.json()["html"]
        assert "Active Annie" in html and "Ancien Arthur" not in html
        annie = UserFactory(full_name="Annie Bis")
        assert staff.get(reverse("application_user_chooser:chosen", args=[annie.pk])).status_code == 200
        staff.force_login(staff_user(email="autre@example.org"))
        for target in (
            reverse("application_user_chooser:choose"),
            reverse("application_user_chooser:choose_results"),
            reverse("application_user_chooser:chosen", args=[annie.pk]),
        ):
            assert staff.get(target).status_code in (302, 403)


class TestJurySnippet:
    def test_members_added_with_the_chooser_and_removed_by_unticking(self, staff, call):
        keep, drop, new = UserFactory(), UserFactory(), UserFactory()
        jury = CallJuryFactory(call=call, members=[keep, drop])
        edit = reverse("wagtailsnippets_applications_calljury:edit", args=[jury.pk])
        assert staff.get(edit).status_code == 200
        response = staff.post(edit, {"call": call.pk, "members": [keep.pk], "add_member": new.pk})
        assert response.status_code == 302, response.context["form"].errors
        assert set(CallJury.objects.get().members.values_list("pk", flat=True)) == {keep.pk, new.pk}

    def test_listings(self, staff, call):
        CallJuryFactory(call=call, members=[UserFactory()])
        EmailTemplateFactory(kind=EmailTemplate.Kind.LAUREATE, subject="Lauréat !")
        superuser = UserFactory(is_superuser=True, is_staff=True)
        staff.force_login(superuser)
        html = staff.get(reverse("wagtailsnippets_applications_calljury:list")).content.decode()
        assert "Budget participatif 2027" in html
        assert "Lauréat !" in staff.get(reverse("wagtailsnippets_applications_emailtemplate:list")).content.decode()

    def test_email_templates_show_their_placeholders(self, client):
        client.force_login(UserFactory(is_superuser=True, is_staff=True))
        response = client.get(reverse("wagtailsnippets_applications_emailtemplate:add"), {"locale": "fr"})
        assert response.status_code == 200
        assert "{reference}" in response.content.decode()


# Summary and ranking ------------------------------------------------------------------------------------


class TestSummary:
    def test_figures(self, call, theme, theme_index, territory):
        sport = ThemePageFactory(parent=theme_index, title="Sport")
        quartier = TerritoryFactory(name="Les Hauts")
        a = SubmittedApplicationFactory(call=call, amount_requested=1000, territory=territory)
        a.themes.add(theme, sport)
        b = SubmittedApplicationFactory(call=call, status=S.ELIGIBLE, amount_requested=2500, territory=territory)
        b.themes.add(theme)
        SubmittedApplicationFactory(call=call, status=S.INELIGIBLE, amount_requested=None, territory=quartier)
        SubmittedApplicationFactory(call=call, status=S.WITHDRAWN, amount_requested=500, territory=None)
        ApplicationFactory(call=call, amount_requested=99999)  # a draft: counted apart

        summary = reports.call_summary(call)
        assert summary.received == 4
        assert summary.drafts == 1
        by_status = {line.key: line.count for line in summary.by_status}
        assert by_status[S.SUBMITTED] == 1 and by_status[S.ELIGIBLE] == 1
        assert by_status[S.INELIGIBLE] == 1 and by_status[S.WITHDRAWN] == 1
        assert S.DRAFT not in by_status
        assert [(line.label, line.count) for line in summary.by_theme] == [("Culture", 2), ("Sport", 1)]
        assert [(line.label, line.count) for line in summary.by_territory][:2] == [
            ("Centre-ville", 2),
            ("Les Hauts", 1),
        ]
        assert summary.by_territory[2].key is None and summary.by_territory[2].count == 1
        assert summary.amount_total == 4000
        assert summary.amount_count == 3
        assert summary.amount_mean == Decimal("1333.33")

    def test_constant_queries(self, call, theme):
        def queries():
            with CaptureQueriesContext(connection) as captured:
                reports.call_summary(call)
            return len(captured.captured_queries)

        SubmittedApplicationFactory(call=call).themes.add(theme)
        few = queries()
        for _ in range(10):
            SubmittedApplicationFactory(call=call).themes.add(theme)
        assert queries() == few

    def test_page_shows_the_figures_and_the_ranking(self, staff, call):
        best, second, unscored = eligible(call, title="Verger"), eligible(call, title="Piste"), eligible(call)
        utilite, faisabilite = criteria_ids(call)
        ReviewFactory(application=best, scores={utilite: 5, faisabilite: 3}, coup_de_coeur=True)  # 4.50
        ReviewFactory(application=best, scores={utilite: 4, faisabilite: 4})  # 4.00
        ReviewFactory(application=second, scores={utilite: 2, faisabilite: 2})
        SubmittedApplicationFactory(call=call)  # not eligible yet: not ranked

        response = staff.get(url("summary", call.pk))
        assert response.status_code == 200
        ranking = response.context["object_list"]
        assert [line.application for line in ranking] == [best, second, unscored]
        assert (ranking[0].average, ranking[0].reviews, ranking[0].spread, ranking[0].coups_de_coeur) == (
            Decimal("4.25"),
            2,
            Decimal("0.50"),
            1,
        )
        html = response.content.decode()
        assert 'data-figure="received">4<' in html
        assert "Verger" in html and "4,25" in html and "0,50" in html
        assert url("inspect", best.pk) in html

    def test_assign_the_jury_to_every_eligible_application(self, staff, call):
        members = [UserFactory(), UserFactory()]
        CallJuryFactory(call=call, members=members)
        apps = [eligible(call), eligible(call), SubmittedApplicationFactory(call=call)]
        viewer = Client()
        viewer.force_login(staff_user("view_application", email="lecteur@example.org"))
        assert viewer.post(url("summary", call.pk)).status_code in (302, 403)
        assert not JuryAssignment.objects.exists()

        response = staff.post(url("summary", call.pk))
        assert response.status_code == 302
        assert [a.assignments.count() for a in apps] == [2, 2, 0]
        staff.post(url("summary", call.pk))
        assert JuryAssignment.objects.count() == 4

    def test_calls_report_links_each_summary(self, staff, application, call):
        response = staff.get(url("calls"))
        assert response.status_code == 200
        assert url("summary", call.pk) in response.content.decode()
