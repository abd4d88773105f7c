"""`services.create_pledge` at each of its boundaries, and the expiry of pending pledges.

Each rule is tested on both sides of its edge: the amount (zero, negative, not an integer),
the per-pledge maximum, the over-funding cap (its last cent), the stock of a reward, the
campaign's dates and state, and how long a pending checkout holds a reward and room under
the cap (`PlatformSettings.pending_checkout_minutes`, 30 minutes by default; not one second
more). A refused pledge records nothing.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from wagtail.models import Locale

from coupdepouce.models import PlatformSettings
from payments import ledger, services
from payments.models import CampaignClosing, Pledge, PledgeEvent
from payments.rules import CampaignStatus, PledgeStatus
from payments.services import PledgeError, PledgeRequest
from projects.models import RewardTier
from tests.factories.projects import PledgeFactory, RewardTierFactory

pytestmark = pytest.mark.django_db

S = PledgeStatus
SECOND = timedelta(seconds=1)


@pytest.fixture(autouse=True)
def _in_french():
    """The service's messages are translated when raised: in French, whatever ran before."""
    with translation.override("fr"):
        yield


@pytest.fixture
def site_rules(home):
    def _set(**values):
        rules = PlatformSettings.for_site(home.get_site())
        for name, value in values.items():
            setattr(rules, name, value)
        rules.save()
        return rules

    return _set


@pytest.fixture
def campaign(make_campaign, site_rules):
    # Goal 100 €, capped at 150 %: 150 € in all; one pledge may reach 2 000 €.
    site_rules(overfunding_cap_percent=150, max_pledge=2_000)
    return make_campaign(goal=100, title="Jardin partagé")


@pytest.fixture
def last_unit(campaign):
    return RewardTierFactory(page=campaign, title="Sachet de graines", min_amount=20, stock=1)


def request_for(amount_cents, reward=None):
    return PledgeRequest(
        amount_cents=amount_cents,
        backer_name="Camille Martin",
        backer_email="camille@example.org",
        reward_id=reward.pk if reward else None,
    )


def pledge(campaign, amount_cents, reward=None, now=None):
    return services.create_pledge(campaign, request_for(amount_cents, reward), provider="demo", now=now)


def refused(campaign, amount_cents, reward=None, now=None) -> PledgeError:
    """The error of a refused pledge, after checking that nothing was recorded."""
    before = (Pledge.objects.count(), PledgeEvent.objects.count())
    with pytest.raises(PledgeError) as error:
        pledge(campaign, amount_cents, reward, now)
    assert (Pledge.objects.count(), PledgeEvent.objects.count()) == before
    return error.value


def french(error: PledgeError) -> str:
    return str(error.message)


# The amount ----------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", [0, -1, -2500])
def test_zero_and_negative_amounts_are_refused(campaign, amount):
    error = refused(campaign, amount)
    assert (error.code, error.field) == ("min", "amount")
    assert french(error) == "Le montant doit être supérieur à zéro."


@pytest.mark.parametrize("amount", [25.0, 25.5, Decimal("25"), "2500", None, True])
def test_amounts_that_are_not_integer_cents_are_refused(campaign, amount):
    error = refused(campaign, amount)
    assert (error.code, error.field) == ("invalid", "amount")
    assert french(error) == "Indiquez un montant en euros, par exemple 25 ou 25,50."


def test_one_cent_is_accepted(campaign):
    assert pledge(campaign, 1).amount_cents == 1


def test_the_per_pledge_maximum_is_allowed_and_one_cent_more_is_not(campaign, site_rules):
    site_rules(max_pledge=100, overfunding_cap_percent=None)
    error = refused(campaign, 10_001)
    assert (error.code, error.field) == ("max", "amount")
    assert french(error) == "Une promesse de don ne peut pas dépasser 100\u00a0€."
    assert pledge(campaign, 10_000).amount_cents == 10_000


# The over-funding cap ----------------------------------------------------------------------------


def test_a_pledge_may_take_the_caps_last_cent_and_not_one_more(campaign):
    PledgeFactory(campaign=campaign, amount_cents=10_000)  # 100 € of 150 € counted

    error = refused(campaign, 5_001)
    assert (error.code, error.field) == ("over_cap", "amount")
    assert french(error) == (
        "Cette collecte est plafonnée à 150\u00a0€\u00a0: au plus 50\u00a0€ peuvent encore être promis."
    )
    assert pledge(campaign, 5_000).amount_cents == 5_000  # exactly the cap

    error = refused(campaign, 1)
    assert error.code == "over_cap"
    assert french(error) == (
        "Cette collecte est plafonnée à 150\u00a0€\u00a0: au plus 0\u00a0€ peuvent encore être promis."
    )


def test_the_room_left_is_shown_to_the_cent(campaign):
    PledgeFactory(campaign=campaign, amount_cents=14_999)
    error = refused(campaign, 2)
    assert french(error) == (
        "Cette collecte est plafonnée à 150\u00a0€\u00a0: au plus 0,01\u00a0€ peuvent encore être promis."
    )
    assert pledge(campaign, 1).amount_cents == 1


def test_the_cap_message_in_english(campaign):
    PledgeFactory(campaign=campaign, amount_cents=10_000)
    with translation.override("en"):
        error = refused(campaign, 5_001)
        assert french(error) == "This campaign is capped at €150: at most €50 can still be pledged."


# Rewards -------------------------------------------------------------------------------------------


def test_a_sold_out_reward_is_refused(campaign, last_unit):
    PledgeFactory(campaign=campaign, reward=last_unit)
    error = refused(campaign, 2_500, last_unit)
    assert (error.code, error.field) == ("sold_out", "reward")
    assert french(error) == "Cette contrepartie est épuisée."


def test_the_last_unit_goes_to_one_pledge_only(campaign, last_unit):
    assert pledge(campaign, 2_500, last_unit).reward_id == last_unit.pk
    assert refused(campaign, 2_500, last_unit).code == "sold_out"


def test_below_the_rewards_minimum_and_at_it(campaign, last_unit):
    error = refused(campaign, 1_999, last_unit)
    assert (error.code, error.field) == ("below_reward", "amount")
    assert pledge(campaign, 2_000, last_unit).reward_id == last_unit.pk


# The campaign's dates and state ---------------------------------------------------------------


def test_a_closed_campaign_is_refused(make_campaign):
    ended = make_campaign(starts_in=timedelta(days=-40), lasts=timedelta(days=30))
    error = refused(ended, 2_500)
    assert (error.code, error.field) == ("closed", None)
    assert french(error) == "Cette collecte est terminée\u00a0: elle ne prend plus de promesses de don."


def test_a_campaign_is_open_until_its_end_exclusive(campaign):
    assert pledge(campaign, 100, now=campaign.end_at - SECOND).status == S.PENDING
    assert refused(campaign, 100, now=campaign.end_at).code == "closed"


def test_a_campaign_not_open_yet_is_refused(make_campaign):
    upcoming = make_campaign(starts_in=timedelta(days=2))
    error = refused(upcoming, 2_500)
    assert (error.code, error.field) == ("not_open", None)
    assert french(error) == "Cette collecte n'est pas encore ouverte."
    assert pledge(upcoming, 2_500, now=upcoming.start_at).status == S.PENDING  # its start is included


def test_a_cancelled_campaign_is_refused(campaign):
    CampaignClosing.objects.create(
        campaign=campaign, outcome=CampaignStatus.CANCELLED, raised_cents=0, cancelled_by="finance@example.org"
    )
    error = refused(campaign, 2_500)
    assert (error.code, error.field) == ("cancelled", None)
    assert french(error) == "Cette collecte a été annulée\u00a0: elle ne prend plus de promesses de don."
    assert services.campaign_takes_pledges(campaign) is False


def test_a_closed_campaign_whose_end_was_moved_stays_closed(campaign):
    CampaignClosing.objects.create(campaign=campaign, outcome=CampaignStatus.SUCCEEDED, raised_cents=10_000)
    assert refused(campaign, 2_500).code == "closed"


def test_an_unpublished_campaign_is_refused(campaign):
    campaign.unpublish()
    error = refused(campaign, 2_500)
    assert error.code == "unpublished"
    assert french(error) == "Cette collecte ne prend pas de promesses de don pour le moment."


def test_a_translation_follows_the_french_pages_dates(campaign):
    english = campaign.copy_for_translation(Locale.objects.get_or_create(language_code="en")[0], copy_parents=True)
    english.save_revision().publish()
    type(campaign).objects.filter(pk=campaign.pk).update(start_at=timezone.now() + timedelta(days=1))
    assert refused(english, 2_500).code == "not_open"


# How long a pending checkout holds -------------------------------------------------------------------


def test_a_new_pledge_holds_for_the_site_setting(campaign, site_rules):
    now = timezone.now()
    assert pledge(campaign, 100, now=now).expires_at == now + timedelta(minutes=30)  # the default
    site_rules(pending_checkout_minutes=45)
    assert pledge(campaign, 100, now=now).expires_at == now + timedelta(minutes=45)


def test_a_pending_pledge_holds_the_last_unit_until_it_expires_not_one_second_later(campaign, last_unit):
    made_at = timezone.now()
    first = pledge(campaign, 2_500, last_unit, now=made_at)
    assert first.expires_at == made_at + timedelta(minutes=30)

    # One second before its end: still held, by the service and in the ledger.
    assert refused(campaign, 2_500, last_unit, now=first.expires_at - SECOND).code == "sold_out"
    stock = ledger.rewards_with_stock(RewardTier.objects.filter(pk=last_unit.pk), now=first.expires_at - SECOND)
    assert stock.get().sold_out
    # One second after: free, although the pledge is still pending (not cancelled yet).
    stock = ledger.rewards_with_stock(RewardTier.objects.filter(pk=last_unit.pk), now=first.expires_at + SECOND)
    assert stock.get().stock_left == 1
    second = pledge(campaign, 2_500, last_unit, now=first.expires_at + SECOND)
    assert second.reward_id == last_unit.pk
    first.refresh_from_db()
    assert first.status == S.PENDING


def test_a_pending_pledge_does_not_hold_the_last_unit_for_ten_years(campaign, last_unit):
    made_at = timezone.now()
    first = pledge(campaign, 2_500, last_unit, now=made_at)
    assert first.expires_at - made_at == timedelta(minutes=30)
    later = made_at + timedelta(minutes=30) + SECOND
    second = pledge(campaign, 2_500, last_unit, now=later)
    assert second.reward_id == last_unit.pk
    # And the new pledge holds it for its own 30 minutes, no more.
    assert refused(campaign, 2_500, last_unit, now=second.expires_at - SECOND).code == "sold_out"
    assert pledge(campaign, 2_500, last_unit, now=second.expires_at).reward_id == last_unit.pk


def test_a_pending_pledge_holds_room_under_the_cap_until_it_expires(campaign):
    made_at = timezone.now()
    first = pledge(campaign, 15_000, now=made_at)  # the whole cap

    assert refused(campaign, 1, now=first.expires_at - SECOND).code == "over_cap"
    assert pledge(campaign, 15_000, now=first.expires_at + SECOND).amount_cents == 15_000


def test_a_pending_pledge_made_before_holds_expired_holds_nothing(campaign, last_unit):
    PledgeFactory(campaign=campaign, reward=last_unit, amount_cents=15_000, status=S.PENDING, expires_at=None)
    assert pledge(campaign, 15_000, last_unit).reward_id == last_unit.pk


def test_a_provider_that_needs_a_longer_checkout_extends_the_hold(campaign, last_unit):
    made_at = timezone.now()
    first = pledge(campaign, 2_500, last_unit, now=made_at)
    assert services.checkout_expires_at(first) == made_at + timedelta(minutes=30)
    at_least = made_at + timedelta(minutes=31)
    assert services.checkout_expires_at(first, at_least=at_least) == at_least
    first.refresh_from_db()
    assert first.expires_at == at_least
    assert refused(campaign, 2_500, last_unit, now=made_at + timedelta(minutes=30, seconds=30)).code == "sold_out"
    # Never shortened.
    assert services.checkout_expires_at(first, at_least=made_at) == at_least


# Expiring pending pledges -------------------------------------------------------------------------


@pytest.fixture
def pledges_around_now(campaign, last_unit):
    now = timezone.now()
    expired = PledgeFactory(campaign=campaign, reward=last_unit, status=S.PENDING, expires_at=now - SECOND)
    legacy = PledgeFactory(campaign=campaign, status=S.PENDING, expires_at=None)
    running = PledgeFactory(campaign=campaign, status=S.PENDING, expires_at=now + timedelta(minutes=5))
    committed = PledgeFactory(campaign=campaign, status=S.COMMITTED, expires_at=now - SECOND)
    return now, {"expired": expired, "legacy": legacy, "running": running, "committed": committed}


def statuses(pledges):
    return {name: Pledge.objects.get(pk=p.pk).status for name, p in pledges.items()}


def test_expire_pending_pledges_cancels_only_those_past_their_time(pledges_around_now):
    now, pledges = pledges_around_now
    assert services.expire_pending_pledges(now) == 2
    assert statuses(pledges) == {
        "expired": S.CANCELLED,
        "legacy": S.CANCELLED,
        "running": S.PENDING,
        "committed": S.COMMITTED,
    }
    event = pledges["expired"].events.get()
    assert (event.from_status, event.to_status, event.actor, event.note) == (
        S.PENDING,
        S.CANCELLED,
        "system",
        "checkout expired",
    )
    # Safe to run again: nothing more to do.
    assert services.expire_pending_pledges(now) == 0


def test_expire_pledges_command(pledges_around_now, capsys):
    _now, pledges = pledges_around_now
    call_command("expire_pledges")
    assert capsys.readouterr().out == "expired 2 pending pledges\n"
    assert statuses(pledges)["running"] == S.PENDING


def test_expire_pledges_task(pledges_around_now):
    _now, pledges = pledges_around_now
    result = services.expire_pending_pledges_task.enqueue()
    assert result.return_value == 2
    assert statuses(pledges)["expired"] == S.CANCELLED


def test_expire_pending_pledges_at_the_boundary(campaign):
    now = timezone.now()
    at_end = PledgeFactory(campaign=campaign, status=S.PENDING, expires_at=now)
    just_before = PledgeFactory(campaign=campaign, status=S.PENDING, expires_at=now + SECOND)
    assert services.expire_pending_pledges(now) == 1
    assert statuses({"at_end": at_end, "just_before": just_before}) == {"at_end": S.CANCELLED, "just_before": S.PENDING}
