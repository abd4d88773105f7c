"""Money in the admin: the per-campaign report and its CSV, the dashboard panel, offline
gifts, read-only online pledges, sponsors and matching offers."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

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
        from django.contrib.auth.models import Permission

        editor = django_user_model.objects.create_user("r@example.org", "pw", full_name="Rédaction")
        editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
        client.force_login(editor)
        # Wagtail's admin turns PermissionDenied into a redirect to the dashboard with a message.
        for name in ("payments_campaign_report", "payments_campaign_report_csv"):
            response = client.get(reverse(name, args=[funded.pk]))
            assert response.status_code in (302, 403)
            assert "Fondation" not in response.content.decode()


class TestCsv:
    def test_content(self, admin_client, funded):
        response = admin_client.get(reverse("payments_campaign_report_csv", args=[funded.pk]))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        raw = response.content
        assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, for Excel
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
        assert len(rows) == 5
        assert list(rows[0]) == reports.CSV_HEADER
        by_amount = {row["amount_eur"]: row for row in rows}
        assert set(by_amount) == {"25.00", "10.50", "5.00", "30.00", "10.00"}
        assert by_amount["25.00"]["backer_name"] == "Émilie Côté"
        assert by_amount["25.00"]["matched_eur"] == "20.00"
        assert by_amount["25.00"]["status"] == "committed"
        assert by_amount["30.00"]["source"] == "cheque"

    def test_only_this_campaign(self, admin_client, funded, make_campaign):
        PledgeFactory(campaign=make_campaign(), amount_cents=9999)
        text = reports.pledges_csv(funded)
        assert "99.99" not in text

    @pytest.mark.parametrize("cents, text", [(0, "0.00"), (5, "0.05"), (2550, "25.50"), (-5, "-0.05")])
    def test_euros_decimal(self, cents, text):
        assert reports.euros_decimal(cents) == text


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

        response, few = listing_queries()
        html = response.content.decode().replace("\u202f", " ").replace("\xa0", " ").replace("&nbsp;", " ")
        assert "20 € spent, 0 € left of 20 €" in html or "20 € dépensés, 0 € restants sur 20 €" in html
        sponsor = Sponsor.objects.create(name="Banque")
        for _ in range(4):
            MatchingOffer.objects.create(sponsor=sponsor, campaign=make_campaign(), envelope_cents=5000)
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
