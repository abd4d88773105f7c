"""Exports a French office can open (issue 9): the money report and the pledge ledger agree on
columns and figures; CSV with `;`, a decimal comma, euros, Europe/Paris time, French headings
and statuses, UTF-8 with a BOM; XLSX with numbers as numbers and dates as dates. The money
report counts backers as people; no bulk delete is offered to whom it would be refused. The
applications exports use the same format (`coupdepouce.exports`)."""

import csv
import datetime
import io
import re
from datetime import UTC
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from coupdepouce import exports
from coupdepouce.editorial import (
    COMMUNICATION_GROUP,
    FINANCES_GROUP,
    ensure_communication_group,
    ensure_finances_group,
)
from payments import reports
from payments.models import Pledge
from payments.rules import PledgeStatus as S
from tests.factories.applications import CallWithFormFactory, SubmittedApplicationFactory, UserFactory
from tests.factories.projects import PledgeFactory

pytestmark = pytest.mark.django_db

# Winter (CET, UTC+1) and summer (CEST, UTC+2): both read 21:30 in Paris.
WINTER = datetime.datetime(2026, 12, 6, 20, 30, tzinfo=UTC)
SUMMER = datetime.datetime(2026, 7, 1, 19, 30, tzinfo=UTC)

HEADINGS = [
    "N°",
    "Campagne",
    "Date de la promesse",
    "Date du paiement",
    "Nom du contributeur",
    "E-mail du contributeur",
    "Nom affiché",
    "Anonyme",
    "Montant (€)",
    "Abondement (€)",
    "Contrepartie",
    "Statut",
    "Moyen de paiement",
    "Prestataire de paiement",
    "Langue",
]


@pytest.fixture
def superuser_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("tresorier@example.org", "pw", full_name="Trésorier")
    client.force_login(user)
    return client


@pytest.fixture
def finances_client(client, django_user_model):
    ensure_finances_group()
    user = django_user_model.objects.create_user("finances@example.net", "pw", full_name="Finances")
    user.groups.add(Group.objects.get(name=FINANCES_GROUP))
    client.force_login(user)
    return client


@pytest.fixture
def campaign(make_campaign):
    """Two paid pledges (winter and summer times), a cheque, and a failed pledge."""
    campaign = make_campaign(title="Jardin partagé", goal=1000)
    winter = PledgeFactory(campaign=campaign, amount_cents=2550, status=S.PAID, backer_name="Émilie Côté")
    summer = PledgeFactory(campaign=campaign, amount_cents=1000, status=S.PAID, backer_name="Zoé")
    PledgeFactory(campaign=campaign, amount_cents=3000, status=S.PAID, source=Pledge.Source.CHEQUE)
    PledgeFactory(campaign=campaign, amount_cents=700, status=S.FAILED)
    Pledge.objects.filter(pk=winter.pk).update(created_at=WINTER, paid_at=WINTER)
    Pledge.objects.filter(pk=summer.pk).update(created_at=SUMMER, paid_at=None)
    return campaign


def parse_csv(raw: bytes) -> list[list[str]]:
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the accents right
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def report_csv(client, campaign):
    response = client.get(reverse("payments_campaign_report_csv", args=[campaign.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return parse_csv(response.content)


def ledger_export(client, campaign, export_format):
    url = reverse("wagtailsnippets_payments_pledge:list")
    response = client.get(url, {"export": export_format, "campaign": campaign.pk})
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def by_name(rows):
    header, *lines = rows
    return {line[header.index("Nom du contributeur")]: dict(zip(header, line, strict=True)) for line in lines}


class TestCells:
    @pytest.mark.parametrize(
        "value, text",
        [
            (exports.euros_cell(2550), "25,50"),
            (exports.euros_cell(-1250), "-12,50"),  # a number, not neutralised text
            (exports.euros_cell(123456), "1234,56"),
            (Decimal("3.5"), "3,50"),
            (12, "12"),
            (True, "Oui"),
            (False, "Non"),
            (None, ""),
            (WINTER, "06/12/2026 21:30"),
            (SUMMER, "01/07/2026 21:30"),
            (datetime.date(2027, 3, 1), "01/03/2027"),
            (["a", "b"], "a, b"),
            ("=1+1", "'=1+1"),
        ],
    )
    def test_csv_text(self, value, text):
        assert exports.csv_text(value) == text

    def test_local_datetime_cell(self):
        assert exports.local_datetime_cell(SUMMER) == datetime.datetime(2026, 7, 1, 21, 30)
        assert exports.local_datetime_cell(WINTER) == datetime.datetime(2026, 12, 6, 21, 30)


class TestMoneyReportCsv:
    def test_format(self, superuser_client, campaign):
        rows = report_csv(superuser_client, campaign)
        assert rows[0] == HEADINGS
        assert len(rows) == 5
        winter, summer = by_name(rows)["Émilie Côté"], by_name(rows)["Zoé"]
        assert winter["Montant (€)"] == "25,50"
        assert winter["Abondement (€)"] == "0,00"
        assert winter["Date de la promesse"] == "06/12/2026 21:30"
        assert winter["Date du paiement"] == "06/12/2026 21:30"
        assert summer["Date de la promesse"] == "01/07/2026 21:30"
        assert summer["Date du paiement"] == ""
        assert winter["Statut"] == "Payé"
        assert winter["Moyen de paiement"] == "En ligne"
        assert winter["Anonyme"] == "Non"
        assert winter["Campagne"] == "Jardin partagé"
        assert {row[HEADINGS.index("Statut")] for row in rows[1:]} == {"Payé", "En échec"}


class TestLedgerAgreesWithTheReport:
    def test_same_columns_and_rows(self, superuser_client, campaign):
        report_rows = report_csv(superuser_client, campaign)
        ledger_rows = parse_csv(ledger_export(superuser_client, campaign, "csv"))
        assert ledger_rows[0] == report_rows[0] == HEADINGS
        assert sorted(ledger_rows[1:]) == sorted(report_rows[1:])

    def test_same_totals(self, superuser_client, campaign):
        """The ledger's counted amounts add up to the report's crowd total."""
        report = reports.campaign_report(campaign)
        rows = parse_csv(ledger_export(superuser_client, campaign, "csv"))
        amount, status = HEADINGS.index("Montant (€)"), HEADINGS.index("Statut")
        counted = [Decimal(row[amount].replace(",", ".")) for row in rows[1:] if row[status] == "Payé"]
        assert sum(counted) * 100 == report.crowd_cents == 6550

    def test_xlsx_keeps_numbers_and_dates(self, superuser_client, campaign):
        sheet = openpyxl.load_workbook(io.BytesIO(ledger_export(superuser_client, campaign, "xlsx"))).active
        header, *lines = list(sheet.iter_rows())
        assert [cell.value for cell in header] == HEADINGS
        rows = {line[HEADINGS.index("Nom du contributeur")].value: line for line in lines}
        amount = rows["Émilie Côté"][HEADINGS.index("Montant (€)")]
        assert amount.data_type == "n"
        assert amount.value == 25.5
        assert "€" in amount.number_format
        pledged = rows["Zoé"][HEADINGS.index("Date de la promesse")]
        assert pledged.is_date
        assert pledged.value == datetime.datetime(2026, 7, 1, 21, 30)
        assert rows["Émilie Côté"][HEADINGS.index("N°")].data_type == "n"
        assert rows["Émilie Côté"][HEADINGS.index("Statut")].value == "Payé"


class TestMoneyReportXlsx:
    def test_numbers_dates_and_same_rows_as_the_ledger(self, superuser_client, campaign):
        response = superuser_client.get(reverse("payments_campaign_report_xlsx", args=[campaign.pk]))
        assert response.status_code == 200
        assert response["Content-Disposition"] == f'attachment; filename="pledges-{campaign.slug}.xlsx"'
        report = openpyxl.load_workbook(io.BytesIO(response.content)).active
        header, *lines = list(report.iter_rows())
        assert [cell.value for cell in header] == HEADINGS
        rows = {line[HEADINGS.index("Nom du contributeur")].value: line for line in lines}
        amount = rows["Émilie Côté"][HEADINGS.index("Montant (€)")]
        assert (amount.data_type, amount.value) == ("n", 25.5)
        assert "€" in amount.number_format
        pledged = rows["Émilie Côté"][HEADINGS.index("Date de la promesse")]
        assert pledged.value == datetime.datetime(2026, 12, 6, 21, 30)
        ledger = openpyxl.load_workbook(io.BytesIO(ledger_export(superuser_client, campaign, "xlsx"))).active

        def values(sheet):
            return sorted(tuple(str(cell.value) for cell in row) for row in sheet.iter_rows())

        assert values(report) == values(ledger)

    def test_without_backers_for_communication(self, client, django_user_model, campaign):
        ensure_communication_group()
        user = django_user_model.objects.create_user("com@example.net", "pw", full_name="Com")
        user.groups.add(Group.objects.get(name=COMMUNICATION_GROUP))
        client.force_login(user)
        response = client.get(reverse("payments_campaign_report_xlsx", args=[campaign.pk]))
        assert response.status_code == 200
        header, *rows = openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
        backer_headings = ("Nom du contributeur", "E-mail du contributeur", "Nom affiché")
        assert list(header) == [heading for heading in HEADINGS if heading not in backer_headings]
        assert len(rows) == 4
        assert not [value for row in rows for value in row if "Côté" in str(value)]


class TestListingLabels:
    def test_columns_are_french(self, superuser_client, campaign):
        response = superuser_client.get(reverse("wagtailsnippets_payments_pledge:list"))
        assert response.status_code == 200
        labels = [str(column.label) for column in response.context["table"].columns.values()]
        assert "Contributeur" in labels
        assert "Montant" in labels
        assert {"Display name", "Amount display"}.isdisjoint(labels)


class TestBackersAreCounted:
    def test_report_shows_people_then_euros(self, superuser_client, campaign):
        response = superuser_client.get(reverse("payments_campaign_report", args=[campaign.pk]))
        assert response.status_code == 200
        html = response.content.decode().replace("\u202f", " ").replace("\xa0", " ")
        assert response.context["report"].backers_count == campaign.figures.backers == 3
        label = re.escape("Total des contributeurs (en ligne et hors ligne)")
        row = re.search(label + r'</th><td data-figure="(\w+)">([^<]*)<', html)
        assert row.groups() == ("backers", "3")
        assert (
            'Montant versé par les contributeurs (en ligne et hors ligne)</th><td data-figure="crowd">65,50 €' in html
        )


class TestNoRefusedBulkDelete:
    def delete_url(self, model_name):
        return reverse("wagtail_bulk_action", args=["payments", model_name, "delete"])

    def test_finances_sees_no_bulk_delete_of_pledges(self, finances_client, campaign):
        response = finances_client.get(reverse("wagtailsnippets_payments_pledge:list"))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Émilie Côté" in html
        assert self.delete_url("pledge") not in html
        assert "data-bulk-action-checkbox" not in html
        assert "data-bulk-action-footer" not in html

    def test_offered_where_allowed(self, finances_client, superuser_client, campaign):
        """Finances may delete sponsors; a superuser may delete (offline) pledges."""
        html = finances_client.get(reverse("wagtailsnippets_payments_sponsor:list")).content.decode()
        assert self.delete_url("sponsor") in html
        html = superuser_client.get(reverse("wagtailsnippets_payments_pledge:list")).content.decode()
        assert self.delete_url("pledge") in html
        assert "data-bulk-action-checkbox" in html


# Applications --------------------------------------------------------------------------------------


@pytest.fixture
def applications(call_index):
    call = CallWithFormFactory(parent=call_index, title="Appel 2027", slug="appel-2027")
    for title, submitted_at in (("Été", SUMMER), ("Hiver", WINTER)):
        SubmittedApplicationFactory(
            call=call,
            title=title,
            amount_requested=5000,
            submitted_at=submitted_at,
            answers={"q-description": "Un jardin", "q-budget": 123450, "q-consent": True},
            applicant=UserFactory(email=f"{title.lower()}@example.org", full_name="Paula"),
        )
    return call


class TestApplicationExports:
    def test_csv(self, superuser_client, applications):
        response = superuser_client.get(reverse("application:index"), {"export": "csv", "call": applications.pk})
        assert response.status_code == 200
        header, *lines = parse_csv(b"".join(response.streaming_content))
        rows = {line[header.index("Titre du projet")]: dict(zip(header, line, strict=True)) for line in lines}
        assert rows["Été"]["Montant demandé (€)"] == "5000,00"
        assert rows["Été"]["Budget total du projet"] == "1234,50"
        assert rows["Été"]["Date de dépôt"] == "01/07/2026 21:30"
        assert rows["Hiver"]["Date de dépôt"] == "06/12/2026 21:30"
        assert rows["Été"]["Statut"] == "Déposée"

    def test_xlsx(self, superuser_client, applications):
        response = superuser_client.get(reverse("application:index"), {"export": "xlsx", "call": applications.pk})
        assert response.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        header, first, *_ = list(sheet.iter_rows())
        amount = first[[cell.value for cell in header].index("Montant demandé (€)")]
        assert amount.data_type == "n"
        assert amount.value == 5000
        assert "€" in amount.number_format
