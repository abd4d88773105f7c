"""Money in the admin: the per-campaign report and its CSV, the dashboard panel, offline
gifts, read-only online pledges, sponsors and matching offers."""

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coupdepouce import exports
from coupdepouce.editorial import (
    COMMUNICATION_GROUP,
    FINANCES_GROUP,
    ensure_communication_group,
    ensure_finances_group,
)
from demo.loader import DEMO_PASSWORD, FINANCES_EMAIL, DemoLoader
from payments import ledger, reports, services
from payments.models import MatchAllocation, MatchingOffer, Pledge, PledgeEvent, Sponsor
from payments.rules import PledgeStatus as S
from tests.factories.projects import PledgeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("tresorier@example.org", "pw", full_name="Trésorier")
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def funded(make_campaign):
    """A campaign with one pledge of each kind, and a 1:1 sponsor (envelope 20 €)."""
    campaign = make_campaign(goal=100, title="Jardin partagé")
    sponsor = Sponsor.objects.create(name="Fondation du Val")
    MatchingOffer.objects.create(sponsor=sponsor, campaign=campaign, ratio=Decimal("1"), envelope_cents=2000)
    committed = PledgeFactory(campaign=campaign, amount_cents=2500, status=S.PENDING, backer_name="Émilie Côté")
    services.transition(committed, S.COMMITTED)  # matched 20 € (envelope)
    PledgeFactory(campaign=campaign, amount_cents=1050, status=S.PAID)
    PledgeFactory(campaign=campaign, amount_cents=500, status=S.FAILED)
    PledgeFactory(campaign=campaign, amount_cents=3000, status=S.PAID, source=Pledge.Source.CHEQUE)
    PledgeFactory(campaign=campaign, amount_cents=1000, status=S.PAID, source=Pledge.Source.CASH)
    return campaign


class TestReport:
    def test_figures(self, funded):
        report = reports.campaign_report(funded)
        lines = {line.status: (line.count, line.cents) for line in report.by_status}
        assert lines[S.COMMITTED] == (1, 2500)
        assert lines[S.PAID] == (3, 5050)
        assert lines[S.FAILED] == (1, 500)
        assert lines[S.PENDING] == (0, 0)
        assert report.online_cents == 3550
        assert report.offline_cents == 4000 and report.offline_count == 2
        assert report.crowd_cents == 7550
        assert report.matching == [{"sponsor": "Fondation du Val", "amount_cents": 2000}]
        assert report.matched_cents == 2000
        # 7 % of each online pledge, rounded half up: 175 + 73.5→74
        assert report.commission_cents == 175 + 74
        assert report.net_payout_cents == 7550 + 2000 - 249
        assert report.crowd_cents + report.matched_cents == funded.figures.raised_cents

    def test_constant_queries(self, funded):
        def report_queries():
            reports.campaign_report(funded)  # warm: locale, site and settings caches
            with CaptureQueriesContext(connection) as captured:
                reports.campaign_report(funded)
            return len(captured.captured_queries)

        few = report_queries()
        for amount in range(1000, 1020):
            PledgeFactory(campaign=funded, amount_cents=amount, status=S.PAID)
        assert report_queries() == few <= 8

    def test_page(self, admin_client, funded):
        response = admin_client.get(reverse("payments_campaign_report", args=[funded.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Jardin partagé" in html
        assert "Fondation du Val" in html
        assert "Chèque" in html or "Cheque" in html
        report = response.context["report"]
        assert report.net_payout_cents == 9301
        assert reverse("payments_campaign_report_csv", args=[funded.pk]) in html

    def test_linked_from_the_campaign_listing(self, admin_client, funded):
        response = admin_client.get(reverse("campaigns:index"))
        assert response.status_code == 200
        assert reverse("payments_campaign_report", args=[funded.pk]) in response.content.decode()

    def test_needs_permission(self, client, django_user_model, funded):
        editor = django_user_model.objects.create_user("r@example.org", "pw", full_name="Rédaction")
        editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
        client.force_login(editor)
        # Wagtail's admin turns PermissionDenied into a redirect to the dashboard with a message.
        for name in ("payments_campaign_report", "payments_campaign_report_csv", "payments_campaign_report_xlsx"):
            response = client.get(reverse(name, args=[funded.pk]))
            assert response.status_code == 302
            assert response["Location"] == reverse("wagtailadmin_home")


class TestCsv:
    def test_content(self, admin_client, funded):
        response = admin_client.get(reverse("payments_campaign_report_csv", args=[funded.pk]))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        raw = response.content
        assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, for Excel
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
        assert len(rows) == 5
        assert list(rows[0]) == reports.pledge_headings(backers=True)
        by_amount = {row["Montant (€)"]: row for row in rows}
        assert set(by_amount) == {"25,00", "10,50", "5,00", "30,00", "10,00"}
        assert by_amount["25,00"]["Nom du contributeur"] == "Émilie Côté"
        assert by_amount["25,00"]["Abondement (€)"] == "20,00"
        assert by_amount["25,00"]["Statut"] == "Confirmé"
        assert by_amount["30,00"]["Moyen de paiement"] == "Chèque"

    def test_only_this_campaign(self, admin_client, funded, make_campaign):
        PledgeFactory(campaign=make_campaign(), amount_cents=9999)
        text = reports.pledges_csv(funded, backers=True)
        rows = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")
        amounts = [row["Montant (€)"] for row in rows]
        assert sorted(amounts) == ["10,00", "10,50", "25,00", "30,00", "5,00"]

    @pytest.mark.parametrize("cents, text", [(0, "0.00"), (5, "0.05"), (2550, "25.50"), (-5, "-0.05")])
    def test_euros_cell(self, cents, text):
        value = exports.euros_cell(cents)
        assert isinstance(value, Decimal)
        assert str(value) == text


class TestDashboard:
    def test_panel(self, admin_client, funded, make_campaign):
        from datetime import timedelta

        ended = make_campaign(title="Ancienne collecte", starts_in=timedelta(days=-60), lasts=timedelta(days=10))
        response = admin_client.get(reverse("wagtailadmin_home"))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Jardin partagé" in html
        assert ended.title not in html
        assert reverse("payments_campaign_report", args=[funded.pk]) in html

    def test_raised_this_month(self, funded):
        from datetime import timedelta

        from django.utils import timezone

        # Counted pledges of this month: 2500 + 1050 + 3000 + 1000 (the failed one does not count).
        assert reports.raised_this_month() == 7550
        old = Pledge.objects.filter(campaign=funded, amount_cents=1050)
        old.update(created_at=timezone.now() - timedelta(days=70), paid_at=timezone.now() - timedelta(days=70))
        assert reports.raised_this_month() == 6500
        # Pledged long ago but paid (charged at the close) this month: counts this month.
        old.update(paid_at=timezone.now())
        assert reports.raised_this_month() == 7550

    def test_constant_queries(self, admin_client, make_campaign):
        def dashboard_queries():
            with CaptureQueriesContext(connection) as captured:
                reports.dashboard()
            return len(captured.captured_queries)

        make_campaign(pledges=[1000])
        few = dashboard_queries()
        for _ in range(5):
            make_campaign(pledges=[1000, 2000])
        assert dashboard_queries() == few <= 4


class TestOfflineGifts:
    def post_gift(self, client, campaign, **overrides):
        data = {
            "campaign": campaign.pk,
            "amount_cents": "4000",
            "reward": "",
            "status": "cancelled",  # ignored: a new gift is paid
            "source": "cheque",
            "backer_name": "Mme Durand",
            "backer_email": "",
            "public_name": "Famille Durand",
            "message": "",
            **overrides,
        }
        return client.post(reverse("wagtailsnippets_payments_pledge:add"), data)

    def test_creation_counts_in_totals_marked_offline(self, admin_client, funded):
        before = funded.figures.raised_cents
        response = self.post_gift(admin_client, funded)
        assert response.status_code == 302, response.content.decode()[:2000]
        gift = Pledge.objects.get(backer_name="Mme Durand")
        assert gift.status == S.PAID and gift.source == Pledge.Source.CHEQUE and gift.is_offline
        assert gift.paid_at is not None
        assert gift.recorded_by == admin_client.user
        event = PledgeEvent.objects.get(pledge=gift)
        assert (event.to_status, event.actor, event.note) == (S.PAID, "tresorier@example.org", "offline gift")
        fresh = type(funded).objects.get(pk=funded.pk)
        assert fresh.figures.raised_cents == before + 4000  # matching envelope already spent: nothing more
        report = reports.campaign_report(funded)
        assert report.offline_count == 3 and report.offline_cents == 8000
        assert gift in ledger.backers_list(funded.translation_key)

    def test_gift_is_matched(self, admin_client, make_campaign):
        campaign = make_campaign()
        offer = MatchingOffer.objects.create(
            sponsor=Sponsor.objects.create(name="Mairie"), campaign=campaign, envelope_cents=10_000
        )
        self.post_gift(admin_client, campaign, source="transfer")
        gift = Pledge.objects.get(backer_name="Mme Durand")
        assert MatchAllocation.objects.get(pledge=gift, offer=offer).amount_cents == 4000
        assert ledger.matched_for(campaign.translation_key) == 4000

    def test_online_source_is_refused(self, admin_client, funded):
        response = self.post_gift(admin_client, funded, source="online")
        assert response.status_code == 200
        assert not Pledge.objects.filter(backer_name="Mme Durand").exists()


class TestOnlinePledgesReadOnly:
    def test_status_cannot_be_edited(self, admin_client, funded):
        pledge = Pledge.objects.get(campaign=funded, amount_cents=2500)
        url = reverse("wagtailsnippets_payments_pledge:edit", args=[pledge.pk])
        page = admin_client.get(url)
        assert page.status_code == 200
        assert page.context["form"].fields["status"].disabled
        assert all(field.disabled for field in page.context["form"].fields.values())
        admin_client.post(
            url,
            {
                "campaign": funded.pk,
                "amount_cents": "1",
                "status": "paid",
                "source": "cash",
                "backer_name": "Pirate",
                "backer_email": "p@example.org",
            },
        )
        pledge.refresh_from_db()
        assert pledge.status == S.COMMITTED
        assert pledge.amount_cents == 2500
        assert pledge.source == Pledge.Source.ONLINE
        assert pledge.backer_name == "Émilie Côté"
        assert list(pledge.events.values_list("to_status", flat=True)) == [S.COMMITTED]

    def test_offline_gift_status_and_amount_are_fixed(self, admin_client, funded):
        gift = Pledge.objects.get(campaign=funded, source=Pledge.Source.CHEQUE)
        form = admin_client.get(reverse("wagtailsnippets_payments_pledge:edit", args=[gift.pk])).context["form"]
        assert form.fields["status"].disabled and form.fields["amount_cents"].disabled
        assert not form.fields["backer_name"].disabled

    def test_online_pledge_cannot_be_deleted(self, admin_client, funded):
        pledge = Pledge.objects.get(campaign=funded, amount_cents=2500)
        response = admin_client.post(reverse("wagtailsnippets_payments_pledge:delete", args=[pledge.pk]))
        assert response.status_code == 302
        assert Pledge.objects.filter(pk=pledge.pk).exists()


class TestMatchingAdmin:
    def test_offer_listing_shows_envelope_usage_without_n_plus_one(self, admin_client, funded, make_campaign):
        url = reverse("wagtailsnippets_payments_matchingoffer:list")

        def listing_queries():
            with CaptureQueriesContext(connection) as captured:
                response = admin_client.get(url)
            assert response.status_code == 200
            return response, len(captured.captured_queries)

        listing_queries()  # warm the caches (the request's site and home page)
        response, few = listing_queries()
        html = response.content.decode().replace("\u202f", " ").replace("\xa0", " ").replace("&nbsp;", " ")
        assert "20 € spent, 0 € left of 20 €" in html or "20 € dépensés, 0 € restants sur 20 €" in html
        sponsor = Sponsor.objects.create(name="Banque")
        for _ in range(4):
            MatchingOffer.objects.create(sponsor=sponsor, campaign=make_campaign(), envelope_cents=5000)
        listing_queries()  # the caches the new pages emptied
        _response, many = listing_queries()
        assert many == few

    def test_sponsor_and_offer_can_be_created(self, admin_client, funded):
        response = admin_client.post(
            reverse("wagtailsnippets_payments_sponsor:add"), {"name": "Crédit local", "url": ""}
        )
        assert response.status_code == 302
        sponsor = Sponsor.objects.get(name="Crédit local")
        response = admin_client.post(
            reverse("wagtailsnippets_payments_matchingoffer:add"),
            {
                "sponsor": sponsor.pk,
                "scope": "campaign",
                "campaign": funded.pk,
                "ratio": "0.5",
                "envelope_cents": "10000",
                "only_on_success": "on",
                "active": "on",
            },
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        assert MatchingOffer.objects.filter(sponsor=sponsor, campaign=funded).exists()


# Who sees backers' personal data --------------------------------------------------------------


@pytest.fixture
def group_client(client, django_user_model):
    """A client signed in as a member of the named group (groups as `coupdepouce.editorial` makes them)."""
    ensure_communication_group()
    ensure_finances_group()

    def _login(group_name):
        user = django_user_model.objects.create_user(f"{group_name.lower()}@example.net", "pw", full_name=group_name)
        user.groups.add(Group.objects.get(name=group_name))
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def with_message(funded):
    """The funded campaign with a backer's message (and name, email) somebody might leak."""
    pledge = Pledge.objects.get(campaign=funded, amount_cents=2500)
    pledge.backer_email = "emilie.cote@example.org"
    pledge.message = "Message privé pour l'équipe"
    pledge.save()
    return funded


def backer_data(campaign):
    """Every name, email and message of the campaign's backers (none is empty)."""
    values = set()
    for name, email, public_name, message in Pledge.objects.filter(campaign=campaign).values_list(
        "backer_name", "backer_email", "public_name", "message"
    ):
        values |= {name, email, public_name, message}
    values.discard("")
    assert len(values) >= 8
    return values


class TestGroups:
    def test_permissions(self):
        communication, finances = ensure_communication_group(), ensure_finances_group()

        def codenames(group):
            return set(group.permissions.filter(content_type__app_label="payments").values_list("codename", flat=True))

        assert codenames(communication) == {"view_pledge"}
        assert {"view_backer_data", "change_campaign_terms", "add_pledge", "change_pledge", "view_pledge"} <= (
            codenames(finances)
        )
        assert {"add_sponsor", "change_matchingoffer", "view_payoutaccount", "view_campaignclosing"} <= codenames(
            finances
        )
        assert "delete_pledge" not in codenames(finances)
        # Finances handles money, not pages.
        assert not finances.page_permissions.exists()

    def test_rule_is_the_backer_data_permission(self, django_user_model):
        ensure_communication_group()
        ensure_finances_group()
        users = {}
        for name in (COMMUNICATION_GROUP, FINANCES_GROUP):
            users[name] = django_user_model.objects.create_user(f"{name}@example.net", "pw", full_name=name)
            users[name].groups.add(Group.objects.get(name=name))
        assert reports.can_see_backers(users[COMMUNICATION_GROUP]) is False
        assert reports.can_see_backers(users[FINANCES_GROUP]) is True

    def test_demo_finances_account(self):
        DemoLoader().load_users()
        user = Pledge._meta.get_field("recorded_by").related_model.objects.get(email=FINANCES_EMAIL)
        assert FINANCES_EMAIL == "finances@example.org"
        assert user.check_password(DEMO_PASSWORD) and not user.is_superuser
        assert list(user.groups.values_list("name", flat=True)) == [FINANCES_GROUP]


class TestCommunicationSeesFiguresOnly:
    def test_report_page_has_the_figures_and_no_backer(self, group_client, with_message):
        client = group_client(COMMUNICATION_GROUP)
        response = client.get(reverse("payments_campaign_report", args=[with_message.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert response.context["report"].net_payout_cents == 9301
        assert 'data-figure="crowd">75,50' in html.replace("\u202f", " ").replace("\xa0", " ")
        for value in backer_data(with_message):
            assert value not in html
        assert "sans les noms et adresses des contributeurs (réservés au groupe Finances)" in html

    def test_report_csv_has_no_backer_column(self, group_client, with_message):
        client = group_client(COMMUNICATION_GROUP)
        response = client.get(reverse("payments_campaign_report_csv", args=[with_message.pk]))
        assert response.status_code == 200
        text = response.content.decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
        assert list(rows[0]) == reports.pledge_headings(backers=False)
        assert {"Nom du contributeur", "E-mail du contributeur", "Nom affiché"}.isdisjoint(rows[0])
        assert sorted(row["Montant (€)"] for row in rows) == ["10,00", "10,50", "25,00", "30,00", "5,00"]
        for value in backer_data(with_message):
            assert value not in text
        assert "@" not in text

    @pytest.mark.parametrize("view", ["list", "csv", "xlsx", "edit", "add"])
    def test_pledge_ledger_is_refused(self, group_client, with_message, view):
        client = group_client(COMMUNICATION_GROUP)
        pledge = Pledge.objects.get(campaign=with_message, amount_cents=2500)
        list_url = reverse("wagtailsnippets_payments_pledge:list")
        url = {
            "list": list_url,
            "csv": f"{list_url}?export=csv",
            "xlsx": f"{list_url}?export=xlsx",
            "edit": reverse("wagtailsnippets_payments_pledge:edit", args=[pledge.pk]),
            "add": reverse("wagtailsnippets_payments_pledge:add"),
        }[view]
        response = client.get(url)
        # Wagtail's admin answers a refused view with a redirect to the dashboard and a message.
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")
        assert b"emilie.cote@example.org" not in response.content

    def test_pledges_are_not_in_the_menu(self, group_client, with_message):
        client = group_client(COMMUNICATION_GROUP)
        html = client.get(reverse("wagtailadmin_home")).content.decode()
        assert reverse("wagtailsnippets_payments_pledge:list") not in html
        # The dashboard panel (figures) is there.
        assert reverse("payments_campaign_report", args=[with_message.pk]) in html


class TestFinancesSeesBackers:
    def test_report_csv_has_the_backers(self, group_client, with_message):
        client = group_client(FINANCES_GROUP)
        response = client.get(reverse("payments_campaign_report_csv", args=[with_message.pk]))
        assert response.status_code == 200
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        assert list(rows[0]) == reports.pledge_headings(backers=True)
        by_amount = {row["Montant (€)"]: row for row in rows}
        assert by_amount["25,00"]["E-mail du contributeur"] == "emilie.cote@example.org"
        assert by_amount["25,00"]["Nom du contributeur"] == "Émilie Côté"

    def test_report_page_offers_the_terms_change(self, group_client, with_message):
        client = group_client(FINANCES_GROUP)
        response = client.get(reverse("payments_campaign_report", args=[with_message.pk]))
        assert response.status_code == 200
        assert reverse("payments_campaign_terms", args=[with_message.pk]) in response.content.decode()
        # Communication has no such link.
        other = group_client(COMMUNICATION_GROUP)
        html = other.get(reverse("payments_campaign_report", args=[with_message.pk])).content.decode()
        assert reverse("payments_campaign_terms", args=[with_message.pk]) not in html

    def test_pledge_ledger_and_its_export(self, group_client, with_message):
        client = group_client(FINANCES_GROUP)
        list_url = reverse("wagtailsnippets_payments_pledge:list")
        assert client.get(list_url).status_code == 200
        response = client.get(f"{list_url}?export=csv")
        assert response.status_code == 200
        text = b"".join(response.streaming_content).decode("utf-8")
        assert "emilie.cote@example.org" in text
        home = client.get(reverse("wagtailadmin_home")).content.decode()
        assert list_url in home

    def test_records_an_offline_gift(self, group_client, with_message):
        client = group_client(FINANCES_GROUP)
        response = TestOfflineGifts().post_gift(client, with_message)
        assert response.status_code == 302
        gift = Pledge.objects.get(backer_name="Mme Durand")
        assert (gift.status, gift.source) == (S.PAID, Pledge.Source.CHEQUE)

    def test_cannot_edit_pages(self, group_client, with_message):
        client = group_client(FINANCES_GROUP)
        response = client.get(reverse("wagtailadmin_pages:edit", args=[with_message.pk]))
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")


class TestCampaignReportsList:
    """Reports > Campaign money reports: how the Finances group (no page permissions) reaches any campaign."""

    def test_finances_reaches_every_campaign(self, group_client, funded, make_campaign):
        from datetime import timedelta

        ended = make_campaign(title="Fresque terminée", starts_in=timedelta(days=-60), lasts=timedelta(days=10))
        client = group_client(FINANCES_GROUP)
        response = client.get(reverse("payments_campaign_reports"))
        assert response.status_code == 200
        html = response.content.decode()
        for campaign in (funded, ended):
            assert reverse("payments_campaign_report", args=[campaign.pk]) in html
            assert reverse("payments_campaign_terms", args=[campaign.pk]) in html
        assert "Non financée" in html  # the ended campaign's status
        assert reverse("payments_campaign_reports") in client.get(reverse("wagtailadmin_home")).content.decode()

    def test_communication_sees_figures_without_terms(self, group_client, funded):
        client = group_client(COMMUNICATION_GROUP)
        html = client.get(reverse("payments_campaign_reports")).content.decode()
        assert reverse("payments_campaign_report", args=[funded.pk]) in html
        assert reverse("payments_campaign_terms", args=[funded.pk]) not in html

    def test_constant_queries(self, admin_client, make_campaign):
        def listing_queries():
            with CaptureQueriesContext(connection) as captured:
                assert admin_client.get(reverse("payments_campaign_reports")).status_code == 200
            return len(captured.captured_queries)

        make_campaign(pledges=[1000])
        listing_queries()
        few = listing_queries()
        for _ in range(4):
            make_campaign(pledges=[1000, 2000])
        listing_queries()  # the caches the new pages emptied (the request's site and home page)
        assert listing_queries() == few

    def test_needs_the_report_permission(self, client, django_user_model):
        editor = django_user_model.objects.create_user("r@example.org", "pw", full_name="Rédaction")
        editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
        client.force_login(editor)
        response = client.get(reverse("payments_campaign_reports"))
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")
