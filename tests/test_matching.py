"""Matching (abondement): ratio, caps, envelope, scope, release, and where it shows."""

from decimal import Decimal

import pytest

from payments import ledger, matching, services
from payments.models import MatchAllocation, MatchingOffer, Sponsor
from payments.rules import PledgeStatus as S
from tests.factories.calls import CallForProjectsPageFactory
from tests.factories.projects import PledgeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sponsor():
    return Sponsor.objects.create(name="Fondation du Val")


def offer_for(sponsor, campaign=None, **kwargs):
    kwargs.setdefault("ratio", Decimal("1"))
    kwargs.setdefault("envelope_cents", 1_000_000)
    if campaign is not None:
        kwargs.setdefault("scope", MatchingOffer.Scope.CAMPAIGN)
        kwargs["campaign"] = campaign
    return MatchingOffer.objects.create(sponsor=sponsor, **kwargs)


def commit(campaign, amount):
    """A pledge made pending then committed through the services (which allocate matching)."""
    pledge = PledgeFactory(campaign=campaign, amount_cents=amount, status=S.PENDING)
    return services.transition(pledge, S.COMMITTED, actor="test")


def matched(pledge):
    return sum(a.amount_cents for a in MatchAllocation.objects.filter(pledge=pledge, released=False))


class TestAmounts:
    @pytest.mark.parametrize(
        "amount, ratio, cap, expected",
        [
            (2500, "1", None, 2500),
            (2500, "0.5", None, 1250),
            (2501, "0.5", None, 1250),  # rounded down: the sponsor never pays a fraction of a cent more
            (2500, "2", None, 5000),
            (2500, "1", 1000, 1000),
            (333, "0.33", None, 109),
            (2500, "0", None, 0),
        ],
    )
    def test_matched_amount(self, amount, ratio, cap, expected):
        assert matching.matched_amount(amount, Decimal(ratio), cap) == expected

    def test_ratio_one_to_one(self, make_campaign, sponsor):
        campaign = make_campaign()
        offer_for(sponsor, campaign)
        assert matched(commit(campaign, 2500)) == 2500

    def test_ratio_half(self, make_campaign, sponsor):
        campaign = make_campaign()
        offer_for(sponsor, campaign, ratio=Decimal("0.5"))
        assert matched(commit(campaign, 3000)) == 1500

    def test_cap_per_pledge(self, make_campaign, sponsor):
        campaign = make_campaign()
        offer_for(sponsor, campaign, cap_per_pledge_cents=1000)
        assert matched(commit(campaign, 5000)) == 1000
        assert matched(commit(campaign, 700)) == 700

    def test_cap_per_campaign(self, make_campaign, sponsor, theme):
        first = make_campaign(themes=[theme])
        second = make_campaign(themes=[theme])
        offer_for(sponsor, scope=MatchingOffer.Scope.THEME, theme=theme, cap_per_campaign_cents=4000)
        assert matched(commit(first, 3000)) == 3000
        assert matched(commit(first, 3000)) == 1000
        assert matched(commit(first, 3000)) == 0
        assert matched(commit(second, 3000)) == 3000  # the cap is per campaign
        assert ledger.matched_for(first.translation_key) == 4000

    def test_envelope_exhausted(self, make_campaign, sponsor):
        campaign = make_campaign()
        offer = offer_for(sponsor, campaign, envelope_cents=5000)
        assert matched(commit(campaign, 3000)) == 3000
        assert matched(commit(campaign, 3000)) == 2000
        assert matched(commit(campaign, 3000)) == 0
        assert matching.offer_usage(offer) == (5000, 0)
        assert MatchAllocation.objects.filter(offer=offer).count() == 2

    def test_allocation_is_made_once_per_pledge(self, make_campaign, sponsor):
        campaign = make_campaign()
        offer_for(sponsor, campaign)
        pledge = commit(campaign, 2000)
        services.transition(pledge, S.PAID, actor="test")  # committed → paid: still counted, no new share
        matching.allocate(pledge)
        assert MatchAllocation.objects.filter(pledge=pledge).count() == 1
        assert matched(pledge) == 2000

    def test_inactive_offer_gives_nothing(self, make_campaign, sponsor):
        campaign = make_campaign()
        offer_for(sponsor, campaign, active=False)
        assert matched(commit(campaign, 2000)) == 0

    def test_pending_pledges_are_not_matched(self, make_campaign, sponsor):
        """Through the real services: the pledge form's pending pledge gets no share, neither
        does one that is then abandoned; the same pledge gets its share once committed."""
        campaign = make_campaign()
        offer = offer_for(sponsor, campaign)
        request = services.PledgeRequest(amount_cents=2000, backer_name="Ada", backer_email="ada@example.org")
        pending = services.create_pledge(campaign, request, provider="demo")
        abandoned = services.create_pledge(campaign, request, provider="demo")
        assert pending.status == S.PENDING
        assert MatchAllocation.objects.count() == 0
        services.transition(abandoned, S.CANCELLED, actor="test")
        assert MatchAllocation.objects.count() == 0  # not even a share made and released
        assert matching.offer_usage(offer) == (0, 1_000_000)

        services.transition(pending, S.COMMITTED, actor="test")
        assert list(MatchAllocation.objects.values_list("pledge_id", "amount_cents", "released")) == [
            (pending.pk, 2000, False)
        ]


class TestScope:
    def test_campaign_scope_covers_only_that_campaign(self, make_campaign, sponsor):
        covered, other = make_campaign(), make_campaign()
        offer_for(sponsor, covered)
        assert matched(commit(covered, 1000)) == 1000
        assert matched(commit(other, 1000)) == 0

    def test_theme_scope(self, make_campaign, sponsor, theme):
        in_theme, outside = make_campaign(themes=[theme]), make_campaign()
        offer_for(sponsor, scope=MatchingOffer.Scope.THEME, theme=theme)
        assert matched(commit(in_theme, 1000)) == 1000
        assert matched(commit(outside, 1000)) == 0

    def test_call_scope(self, make_campaign, sponsor, call_index):
        call = CallForProjectsPageFactory(parent=call_index)
        from_call, other = make_campaign(source_call=call), make_campaign()
        offer_for(sponsor, scope=MatchingOffer.Scope.CALL, call=call)
        assert matched(commit(from_call, 1000)) == 1000
        assert matched(commit(other, 1000)) == 0

    def test_offer_needs_its_target(self, sponsor):
        from django.core.exceptions import ValidationError

        offer = MatchingOffer(sponsor=sponsor, scope=MatchingOffer.Scope.THEME, envelope_cents=100)
        with pytest.raises(ValidationError) as error:
            offer.clean()
        assert "theme" in error.value.message_dict

    def test_several_sponsors_add_up(self, make_campaign, sponsor):
        campaign = make_campaign()
        offer_for(sponsor, campaign)
        offer_for(Sponsor.objects.create(name="Banque locale"), campaign, ratio=Decimal("0.5"))
        assert matched(commit(campaign, 2000)) == 3000


class TestRelease:
    @pytest.mark.parametrize("to", [S.CANCELLED, S.FAILED])
    def test_release_gives_the_envelope_back(self, make_campaign, sponsor, to):
        campaign = make_campaign()
        offer = offer_for(sponsor, campaign, envelope_cents=3000)
        pledge = commit(campaign, 3000)
        assert matching.offer_usage(offer) == (3000, 0)
        services.transition(pledge, to, actor="test")
        assert matching.offer_usage(offer) == (0, 3000)
        assert ledger.matched_for(campaign.translation_key) == 0
        assert matched(commit(campaign, 1000)) == 1000  # the envelope is available again

    def test_refund_releases(self, make_campaign, sponsor):
        campaign = make_campaign()
        offer = offer_for(sponsor, campaign)
        pledge = commit(campaign, 3000)
        services.transition(pledge, S.PAID, actor="test")
        services.transition(pledge, S.REFUNDED, actor="test")
        assert matching.offer_usage(offer)[0] == 0


class TestWhereItShows:
    def test_figures_include_matching_as_its_own_part(self, make_campaign, sponsor):
        campaign = make_campaign(goal=100)
        offer_for(sponsor, campaign)
        commit(campaign, 2500)
        campaign.refresh_from_db()
        figures = type(campaign).objects.get(pk=campaign.pk).figures
        assert figures.matched_cents == 2500
        assert figures.crowd_cents == 2500
        assert figures.raised_cents == 5000
        assert figures.percent == 50
        assert figures.backers == 1

    def test_listing_annotation_agrees(self, make_campaign, sponsor):
        campaign = make_campaign(goal=100)
        offer_for(sponsor, campaign)
        commit(campaign, 2500)
        annotated = ledger.with_figures(type(campaign).objects.filter(pk=campaign.pk)).get()
        assert annotated.figures.matched_cents == 2500
        assert annotated.figures.raised_cents == 5000

    def test_matched_by_sponsor(self, make_campaign, sponsor):
        campaign = make_campaign()
        offer_for(sponsor, campaign)
        offer_for(Sponsor.objects.create(name="Banque locale"), campaign, ratio=Decimal("0.5"))
        commit(campaign, 2000)
        commit(campaign, 1000)
        assert ledger.matched_by_sponsor(campaign.translation_key) == [
            {"offer__sponsor__name": "Banque locale", "amount_cents": 1500},
            {"offer__sponsor__name": "Fondation du Val", "amount_cents": 3000},
        ]

    def test_campaign_page_names_the_sponsor(self, client, make_campaign, sponsor):
        campaign = make_campaign(goal=100)
        offer_for(sponsor, campaign)
        commit(campaign, 2500)
        response = client.get(campaign.url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "progress__bar--matched" in html
        assert "Fondation du Val" in html
