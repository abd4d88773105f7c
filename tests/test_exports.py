"""Every CSV export neutralises formula cells (OWASP CSV injection): a text cell starting with
`=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`; numbers stay numbers.

The rule is `coupdepouce.exports.safe_cell`; each export of the project is checked here with
hostile values: the money report's CSV, the pledge ledger's CSV and XLSX, the applications
list, the calls report and a call's ranking."""

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from wagtail.admin.views.mixins import Echo, SpreadsheetExportMixin

from coupdepouce import exports
from coupdepouce.exports import FrenchSpreadsheetMixin
from payments import reports
from payments.models import Pledge
from tests.factories.applications import CallWithFormFactory, SubmittedApplicationFactory, UserFactory
from tests.factories.projects import PledgeFactory

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("http://x")', "-2+3", "@SUM(A1)", "+33 6 12", "\tcmd", "\rcmd"]


@pytest.fixture
def superuser_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("tresorier@example.org", "pw", full_name="Trésorier")
    client.force_login(user)
    return client


class TestSafeCell:
    @pytest.mark.parametrize("value", HOSTILE)
    def test_formula_text_is_quoted(self, value):
        assert exports.safe_cell(value) == "'" + value

    @pytest.mark.parametrize("value", ["Émilie Côté", "", "a=b", "x-1", "mail@example.org", " =1"])
    def test_other_text_is_unchanged(self, value):
        assert exports.safe_cell(value) == value

    @pytest.mark.parametrize("value", [-5, Decimal("-2.50"), -0.5, 0, 12])
    def test_numbers_are_not_text(self, value):
        """A negative amount stays a number: a spreadsheet must still add it up."""
        assert exports.safe_cell(value) is value

    def test_other_values_are_written_as_text(self):
        class Title:
            def __str__(self):
                return "=1+1"

        assert exports.safe_cell(None) is None
        assert exports.safe_cell(True) == "True"
        assert exports.safe_cell(Title()) == "'=1+1"

    def test_writer(self):
        out = io.StringIO()
        exports.FrenchCsvWriter(out).writerow(["=1+1", -3, Decimal("-2.50"), exports.euros_cell(-5), "ok"])
        assert out.getvalue() == "'=1+1;-3;-2,50;-0,05;ok\r\n"


class TestWagtailMixin:
    """Views on Wagtail's SpreadsheetExportMixin (Wagtail 8 writes CSV cells as they are)."""

    class View(FrenchSpreadsheetMixin, SpreadsheetExportMixin):
        list_export = ["name", "amount", "count"]

    def row(self, **values):
        return self.View().write_csv_row(exports.FrenchCsvWriter(Echo()), values)

    def test_text_is_quoted_numbers_are_not(self):
        line = self.row(name="-2+3", amount=Decimal("-12.5"), count=-4)
        assert line == b"'-2+3;-12,50;-4\r\n"

    def test_wagtail_alone_does_not_protect_csv(self):
        """Why the mixin exists: without it, Wagtail writes the formula as it is."""

        class Plain(SpreadsheetExportMixin):
            list_export = ["name"]

        writer = csv.DictWriter(Echo(), fieldnames=["name"])
        assert Plain().write_csv_row(writer, {"name": "=1+1"}) == b"=1+1\r\n"


# The money report -----------------------------------------------------------------------------


@pytest.fixture
def hostile_pledges(make_campaign):
    campaign = make_campaign(title="Jardin")
    for index, name in enumerate(HOSTILE[:3]):
        PledgeFactory(
            campaign=campaign,
            amount_cents=1000 + index,
            backer_name=name,
            public_name=name,
            backer_email=f"b{index}@example.org",
        )
    return campaign


def read_csv(text, delimiter=";"):
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter))


class TestMoneyReportCsv:
    def test_backer_names_are_quoted_amounts_are_numbers(self, superuser_client, hostile_pledges):
        response = superuser_client.get(reverse("payments_campaign_report_csv", args=[hostile_pledges.pk]))
        assert response.status_code == 200
        rows = read_csv(response.content.decode("utf-8"))
        by_amount = {row["Montant (€)"]: row for row in rows}
        assert set(by_amount) == {"10,00", "10,01", "10,02"}
        assert by_amount["10,00"]["Nom du contributeur"] == '\'=HYPERLINK("http://x")'
        assert by_amount["10,01"]["Nom du contributeur"] == "'-2+3"
        assert by_amount["10,02"]["Nom affiché"] == "'@SUM(A1)"
        assert {row["Abondement (€)"] for row in rows} == {"0,00"}

    def test_without_backers_too(self, hostile_pledges):
        Pledge.objects.filter(campaign=hostile_pledges).update(reward_title="=cmd|' /C calc'!A0")
        rows = read_csv(reports.pledges_csv(hostile_pledges, backers=False))
        assert {row["Contrepartie"] for row in rows} == {"'=cmd|' /C calc'!A0"}


class TestPledgeLedgerExport:
    def test_csv(self, superuser_client, hostile_pledges):
        url = reverse("wagtailsnippets_payments_pledge:list")
        response = superuser_client.get(url, {"export": "csv"})
        assert response.status_code == 200
        rows = read_csv(b"".join(response.streaming_content).decode("utf-8"))
        names = {row["Nom du contributeur"] for row in rows}
        assert names == {'\'=HYPERLINK("http://x")', "'-2+3", "'@SUM(A1)"}
        assert {row["Montant (€)"] for row in rows} == {"10,00", "10,01", "10,02"}  # euros, numbers

    def test_xlsx_cells_are_text(self, superuser_client, hostile_pledges):
        """Wagtail 8 already types an XLSX cell starting with "=" as text, not a formula."""
        url = reverse("wagtailsnippets_payments_pledge:list")
        response = superuser_client.get(url, {"export": "xlsx"})
        assert response.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        headings = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
        cells = [row[headings.index("Nom du contributeur")] for row in sheet.iter_rows(min_row=2)]
        assert {cell.value for cell in cells} == set(HOSTILE[:3])
        assert {cell.data_type for cell in cells} == {"s"}


# Applications -----------------------------------------------------------------------------------


@pytest.fixture
def hostile_application(call_index):
    call = CallWithFormFactory(parent=call_index, title='=HYPERLINK("http://x")', slug="appel")
    return SubmittedApplicationFactory(
        call=call,
        title="-2+3",
        holder_name="@SUM(A1)",
        amount_requested=5000,
        submitted_at=datetime(2027, 3, 1, 10, 30, tzinfo=UTC),
        answers={"q-description": "=1+1", "q-budget": 123450, "q-consent": True},
        applicant=UserFactory(email="porteuse@example.org", full_name="+Paula"),
    )


class TestApplicationExports:
    def rows(self, response):
        assert response.status_code == 200
        return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))

    def test_list(self, superuser_client, hostile_application):
        response = superuser_client.get(
            reverse("application:index"), {"export": "csv", "call": hostile_application.call_id}
        )
        headings, row = self.rows(response)
        values = dict(zip(headings, row, strict=True))
        cells = set(row)
        assert {"'-2+3", "'@SUM(A1)", "'+Paula", "'=1+1", '\'=HYPERLINK("http://x")'} <= cells
        assert values["Budget total du projet"] == "1234,50"

    def test_calls_report(self, superuser_client, hostile_application):
        _headings, row = self.rows(superuser_client.get(reverse("application:calls"), {"export": "csv"}))
        assert row == ['\'=HYPERLINK("http://x")', "1", "5000,00"]

    def test_ranking(self, superuser_client, hostile_application):
        hostile_application.status = "eligible"
        hostile_application.save()
        response = superuser_client.get(
            reverse("application:summary", args=[hostile_application.call_id]), {"export": "csv"}
        )
        rows = self.rows(response)
        assert "'-2+3" in rows[1]
