"""The page cache for anonymous visitors (coupdepouce/page_cache.py): what is stored, who is served
from it, and that every change shows at once (no waiting for the time limit)."""

import threading
import time
from datetime import timedelta
from uuid import uuid4

import pytest
from allauth.account.models import EmailAddress
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.contrib.frontend_cache.backends import BaseBackend

from coupdepouce import page_cache
from coupdepouce.models import MenuItem, NavigationMenu
from home.models import HomeFeature
from offers import services as offer_services
from payments import demo_gateway, services
from payments.models import Pledge
from payments.personal_data import erase_pledges
from payments.rules import PledgeStatus
from questions import services as question_services
from tests.factories.applications import UserFactory
from tests.factories.calls import CallForProjectsPageFactory
from tests.factories.holders import CampaignHolderFactory
from tests.factories.home import HomeFeatureFactory
from tests.factories.offers import HelpOfferFactory
from tests.factories.projects import InKindNeedFactory, PledgeFactory, RewardTierFactory
from tests.factories.questions import QuestionFactory
from tests.factories.themes import ThemePageFactory

pytestmark = pytest.mark.django_db

HEADER = "X-Page-Cache"


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300


@pytest.fixture
def campaign(make_campaign, theme, home):
    campaign = make_campaign(goal=1000, title="Jardin partagé", slug="jardin-partage", pledges=[2000])
    campaign.themes.set([theme])
    campaign.save_revision().publish()
    HomeFeatureFactory(home=home, page=campaign, sort_order=0)
    home.save_revision().publish()
    return campaign


def text(response):
    return BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)


def served_twice(client, url):
    first = client.get(url)
    second = client.get(url)
    return first, second


def test_an_anonymous_visitor_is_served_the_stored_page_without_a_query(client, campaign):
    first = client.get(campaign.url)
    assert first.status_code == 200 and first[HEADER] == "miss"
    with CaptureQueriesContext(connection) as queries:
        second = client.get(campaign.url)
    assert second[HEADER] == "hit" and second.content == first.content
    assert len(queries) == 0
    # The site's security headers are added to stored pages too.
    assert "Content-Security-Policy" in second and second["X-Frame-Options"] == "SAMEORIGIN"


@pytest.mark.parametrize("page", ["home", "theme", "project_index"])
def test_listing_pages_are_stored_too(client, campaign, page, request):
    url = request.getfixturevalue(page).url
    first, second = served_twice(client, url)
    assert (first[HEADER], second[HEADER]) == ("miss", "hit")


def test_a_stored_embeddable_card_may_still_be_framed_by_any_site(client, campaign):
    first, second = served_twice(client, campaign.url + "carte/")
    assert second[HEADER] == "hit"
    for response in (first, second):
        assert "frame-ancestors *" in response["Content-Security-Policy"]
        assert "X-Frame-Options" not in response


def test_signed_in_visitors_and_visitors_with_a_session_are_never_served_from_it(client, campaign):
    client.get(campaign.url)
    client.cookies["sessionid"] = "someone"
    assert HEADER not in client.get(campaign.url)
    del client.cookies["sessionid"]
    client.force_login(UserFactory())
    response = client.get(campaign.url)
    assert HEADER not in response and "Se déconnecter" in text(response)


def test_pages_with_a_form_and_a_csrf_token_are_not_stored(client, campaign):
    for url in (campaign.url + "soutenir/", campaign.url + "suivre/", campaign.url + "questions/"):
        first, second = served_twice(client, url)
        assert first.status_code == 200 and "csrfmiddlewaretoken" in first.content.decode()
        assert HEADER not in first and HEADER not in second


def test_errors_and_other_views_are_not_stored(client, campaign):
    missing = client.get(campaign.url + "nothing-here/")
    assert missing.status_code == 404 and HEADER not in missing
    assert HEADER not in client.get(reverse("search") + "?q=jardin")


def test_a_pledge_shows_on_the_campaign_page_and_every_list_at_once_after_the_backer_is_redirected(
    client, campaign, home, theme, project_index
):
    pages = [campaign.url, home.url, theme.url, project_index.url]
    for url in pages:
        client.get(url)
        assert client.get(url)[HEADER] == "hit"
        assert "20\u00a0€" in text(client.get(url))

    backer = type(client)()
    backer.get(campaign.url + "soutenir/")
    response = backer.post(
        campaign.url + "soutenir/",
        {
            "reward": "",
            "amount": "30",
            "backer_name": "Camille Martin",
            "backer_email": "camille@example.org",
            "public_name": "Camille",
            "consent": "on",
        },
    )
    assert response.status_code == 302
    paid = backer.post(response["Location"], {"card_number": demo_gateway.DEMO_SUCCESS, "action": "pay"})
    assert paid.status_code == 302
    assert Pledge.objects.get(backer_email="camille@example.org").status == PledgeStatus.COMMITTED

    for url in pages:
        response = client.get(url)
        assert response[HEADER] == "miss", url
        assert "50\u00a0€" in text(response), url


def test_a_refund_a_question_and_the_reward_stock_show_at_once(client, campaign):
    reward = RewardTierFactory(page=campaign, title="Sachet de graines", min_amount=5, stock=1)
    campaign.save_revision().publish()
    client.get(campaign.url)
    assert client.get(campaign.url)[HEADER] == "hit"

    pledge = PledgeFactory(
        campaign=campaign,
        amount_cents=500,
        status="pending",
        reward=reward,
        expires_at=timezone.now() + timedelta(hours=1),
    )
    response = client.get(campaign.url)
    assert response[HEADER] == "miss" and "Épuisé" in text(response)

    services.transition(pledge, PledgeStatus.CANCELLED)  # the checkout abandoned
    client.get(campaign.url)
    assert "Épuisé" not in text(client.get(campaign.url))

    question = QuestionFactory(campaign=campaign, body="Combien de parcelles ?")
    staff = UserFactory(is_staff=True, is_superuser=True)
    question_services.publish(question, by=staff)
    response = client.get(campaign.url)
    assert response[HEADER] == "miss" and "Combien de parcelles ?" in text(response)


def test_the_backer_list_is_read_once_per_change_and_an_erased_backer_leaves_it_at_once(client, campaign):
    user = UserFactory(email="zoe@example.org")
    EmailAddress.objects.create(user=user, email="zoe@example.org", verified=True, primary=True)
    PledgeFactory(campaign=campaign, backer_name="Zoé Lefèvre", backer_email="zoe@example.org", status="committed")
    client.cookies["sessionid"] = "uncached"  # the page itself not stored: only the backer list
    assert "Zoé Lefèvre" in text(client.get(campaign.url))
    with CaptureQueriesContext(connection) as queries:
        client.get(campaign.url)
    backer_list_queries = [
        q for q in queries if q["sql"].startswith('SELECT "payments_pledge"') and '"created_at" DESC' in q["sql"]
    ]
    assert backer_list_queries == []
    # Erasing the account's data is a queryset update (no signal): everything stored is forgotten.
    erase_pledges(user)
    assert "Zoé Lefèvre" not in text(client.get(campaign.url))


def test_a_reward_edited_outside_publishing_shows_at_once(client, campaign):
    reward = RewardTierFactory(page=campaign, title="Sachet de graines", min_amount=5)
    campaign.save_revision().publish()
    assert "Sachet de graines" in text(client.get(campaign.url))
    reward.title = "Panier de légumes"  # as the holder's workspace saves a row (no publishing)
    reward.save()
    response = client.get(campaign.url)
    assert response[HEADER] == "miss" and "Panier de légumes" in text(response)


def test_the_homes_key_figures_are_summed_once_per_pledge_and_follow_each_pledge(client, campaign, home):
    client.cookies["sessionid"] = "uncached"  # the page itself not stored: only the site's sums
    assert client.get(home.url).context["key_figures"]["raised_cents"] == 2000
    with CaptureQueriesContext(connection) as queries:
        client.get(home.url)
    assert not [q for q in queries if "COUNT(DISTINCT" in q["sql"] and "backer_email" in q["sql"]]
    PledgeFactory(campaign=campaign, amount_cents=700, status="committed")
    assert client.get(home.url).context["key_figures"]["raised_cents"] == 2700


def test_publishing_a_page_shows_at_once_on_itself_its_parent_and_the_home(client, campaign, home, project_index):
    for url in (campaign.url, project_index.url, home.url):
        client.get(url)
    campaign.title = "Jardin des Lilas"
    campaign.save_revision().publish()
    for url in (campaign.url, project_index.url, home.url):
        response = client.get(url)
        assert response[HEADER] == "miss" and "Jardin des Lilas" in text(response), url


def test_a_campaign_moved_to_another_theme_leaves_the_old_theme_page_at_once(client, campaign, theme, theme_index):
    nature = ThemePageFactory(parent=theme_index, title="Nature", slug="nature")
    for url in (theme.url, nature.url):
        client.get(url)
    assert "Jardin partagé" in text(client.get(theme.url))
    campaign.themes.set([nature])
    campaign.save_revision().publish()
    assert "Jardin partagé" not in text(client.get(theme.url))
    assert "Jardin partagé" in text(client.get(nature.url))


def test_unpublishing_removes_the_page_and_its_card_at_once(client, campaign, project_index):
    client.get(campaign.url), client.get(project_index.url)
    campaign.unpublish()
    assert client.get(campaign.url).status_code == 404
    assert "Jardin partagé" not in text(client.get(project_index.url))


def test_a_menu_change_shows_on_every_stored_page(client, campaign, home):
    client.get(campaign.url)
    menu = NavigationMenu.objects.create(
        site=home.get_site(), location=NavigationMenu.Location.MAIN, locale=home.locale
    )
    MenuItem.objects.create(menu=menu, url="https://example.org/agenda", label="Agenda", sort_order=0)
    response = client.get(campaign.url)
    assert response[HEADER] == "miss" and "Agenda" in text(response)


def test_a_new_release_does_not_serve_the_pages_stored_by_the_previous_one(rf, monkeypatch):
    request = rf.get("/projets/")
    before = page_cache._entry_key(request)
    page_cache.release.cache_clear()
    monkeypatch.setenv("RELEASE_ID", "2026-12-07.2")
    try:
        assert page_cache._entry_key(request) != before
    finally:
        page_cache.release.cache_clear()


def test_each_host_language_and_query_has_its_own_entry(rf):
    keys = {
        page_cache._entry_key(rf.get(path, HTTP_HOST=host))
        for host in ("beaupre.example.org", "autre.example.org")
        for path in ("/projets/", "/en/projets/", "/projets/?page=2")
    }
    assert len(keys) == 6
    # The language is the one LocaleMiddleware activates: the URL's prefix, else French.
    assert page_cache._language(rf.get("/en/projects/")) == "en"
    assert page_cache._language(rf.get("/projets/", HTTP_ACCEPT_LANGUAGE="en")) == "fr"


def test_a_stored_page_keeps_the_headers_of_the_language_it_was_rendered_in(client, campaign):
    first, second = served_twice(client, campaign.url)
    assert second[HEADER] == "hit" and second["Content-Language"] == first["Content-Language"] == "fr"


def test_an_entry_lives_no_longer_than_the_next_opening_or_closing(campaign, make_campaign):
    assert page_cache._timeout() == 300
    make_campaign(
        title="Bientôt fini", slug="bientot-fini", starts_in=timedelta(days=-2), lasts=timedelta(days=2, seconds=40)
    )
    assert 0 < page_cache._timeout() <= 41


def test_an_entry_lives_no_longer_than_the_next_call_deadline_or_feature_change(campaign, home, call_index):
    assert page_cache._timeout() == 300
    now = timezone.now()
    feature = HomeFeature.objects.get(page=campaign)
    feature.end_at = now + timedelta(seconds=200)
    feature.save()
    assert 150 < page_cache._timeout() <= 201
    CallForProjectsPageFactory(
        parent=call_index, opens_at=now - timedelta(days=1), closes_at=now + timedelta(seconds=60)
    )
    assert 0 < page_cache._timeout() <= 61


def test_turned_off_with_zero_seconds(client, campaign, settings):
    settings.PAGE_CACHE_SECONDS = 0
    assert HEADER not in client.get(campaign.url) and HEADER not in client.get(campaign.url)


class RecordingBackend(BaseBackend):
    """A CDN stand-in: there is no local CDN to purge, so the purged URLs are recorded."""

    purged: list = []

    def purge(self, url):
        self.purged.append(url)


def test_a_cdn_in_front_is_purged_with_the_page_cache(client, campaign, settings, django_capture_on_commit_callbacks):
    settings.WAGTAILFRONTENDCACHE = {"test": {"BACKEND": f"{__name__}.RecordingBackend"}}
    RecordingBackend.purged.clear()
    response = client.get(campaign.url)
    assert "s-maxage=" in response["Cache-Control"] and "public" in response["Cache-Control"]
    with django_capture_on_commit_callbacks(execute=True):
        PledgeFactory(campaign=campaign, amount_cents=700, status="committed")
    assert any(url.endswith(campaign.url) for url in RecordingBackend.purged)
    assert any(url.endswith("/projets/") for url in RecordingBackend.purged)


def hold_the_only_reward(campaign, seconds):
    """A reward with one unit, held by a checkout for `seconds` more."""
    reward = RewardTierFactory(page=campaign, title="Sachet de graines", min_amount=5, stock=1)
    campaign.save_revision().publish()
    expires_at = timezone.now() + timedelta(seconds=seconds)
    PledgeFactory(campaign=campaign, amount_cents=500, status="pending", reward=reward, expires_at=expires_at)


def test_a_reward_held_by_a_checkout_is_shown_free_again_when_the_hold_expires(client, campaign):
    hold_the_only_reward(campaign, 90)
    assert "Épuisé" in text(client.get(campaign.url))
    # No save happens when the hold ends: the entry ends with it.
    assert 0 < page_cache._timeout() <= 91


# Signed-in visitors (never served a stored page): what the campaign page and the lists show of
# the ledger, offers and questions is kept with each page (`page_cache.cached_for_page`) and
# follows every change at once.

LEDGER_TABLES = ("payments_campaigntotals", "projects_rewardtier", "projects_inkindneed", "questions_question")


def ledger_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200 and HEADER not in response
    return [q["sql"] for q in queries if any(f'FROM "{table}"' in q["sql"] for table in LEDGER_TABLES)]


def test_a_signed_in_visitor_sees_every_change_of_the_campaign_at_once_with_its_rows_read_once_per_change(
    client, campaign
):
    reward = RewardTierFactory(page=campaign, title="Sachet de graines", min_amount=5, stock=1)
    need = InKindNeedFactory(page=campaign, quantity=3)
    campaign.save_revision().publish()
    need = campaign.needs.get()  # the published row
    client.force_login(UserFactory())
    assert "20\u00a0€" in text(client.get(campaign.url))
    assert ledger_queries(client, campaign.url) == []

    pledge = PledgeFactory(campaign=campaign, amount_cents=700, status="paid", reward=reward)
    page = text(client.get(campaign.url))
    assert "27\u00a0€" in page and "Épuisé" in page
    assert ledger_queries(client, campaign.url) == []

    services.transition(pledge, PledgeStatus.REFUNDED)
    page = text(client.get(campaign.url))
    assert "20\u00a0€" in page and "Épuisé" not in page

    offer = HelpOfferFactory(need=need, quantity=2)
    staff = UserFactory(is_staff=True, is_superuser=True)
    offer_services.accept(offer, by=staff)
    assert "2 bénévoles sur 3" in text(client.get(campaign.url))

    question = QuestionFactory(campaign=campaign, body="Combien de parcelles ?")
    question_services.answer(question, by=staff, text="Douze parcelles.")
    page = text(client.get(campaign.url))
    assert "Combien de parcelles ?" in page and "Douze parcelles." in page


def test_the_campaigns_rows_end_when_a_reward_hold_ends(client, campaign):
    hold_the_only_reward(campaign, 2)
    client.force_login(UserFactory())
    assert "Épuisé" in text(client.get(campaign.url))
    assert "Épuisé" in text(client.get(campaign.url))  # read from the cache
    time.sleep(3.2)  # no save happens when the hold ends: the kept rows end with it
    assert "Épuisé" not in text(client.get(campaign.url))


def test_a_signed_in_visitor_sees_a_pledge_on_every_list_at_once_with_the_cards_read_once_per_change(
    client, campaign, home, theme, project_index
):
    client.force_login(UserFactory())
    lists = [home.url, theme.url, project_index.url]
    for url in lists:
        assert "20\u00a0€" in text(client.get(url)), url
        assert ledger_queries(client, url) == [], url
    PledgeFactory(campaign=campaign, amount_cents=700, status="committed")
    for url in lists:
        assert "27\u00a0€" in text(client.get(url)), url


def test_the_answer_of_a_new_holder_is_labelled_as_theirs_at_once(client, campaign):
    holder = UserFactory()
    question = QuestionFactory(campaign=campaign, body="Combien de parcelles ?")
    question_services.answer(question, by=holder, text="Douze parcelles.")
    client.force_login(UserFactory())
    assert "Réponse de l’équipe du site" in text(client.get(campaign.url))
    CampaignHolderFactory(campaign=campaign, user=holder)
    page = text(client.get(campaign.url))
    assert "Réponse du porteur de projet" in page and "Réponse de l’équipe du site" not in page


def test_while_one_view_computes_a_pages_rows_the_others_wait_for_them_instead_of_querying():
    key, computed, seen = uuid4(), [], {}

    def other_view():
        seen["other"] = page_cache.cached_for_page(key, "rows", lambda: computed.append("other") or "theirs")

    def first_view_computes():
        computed.append("first")
        seen["thread"] = threading.Thread(target=other_view)
        seen["thread"].start()
        time.sleep(0.3)  # the other view asks meanwhile
        return "rows"

    assert page_cache.cached_for_page(key, "rows", first_view_computes) == "rows"
    seen["thread"].join(5)
    assert seen["other"] == "rows" and computed == ["first"]


def test_a_view_waiting_for_rows_computes_them_itself_when_the_first_one_fails():
    key, seen = uuid4(), {}

    def other_view():
        seen["other"] = page_cache.cached_for_page(key, "rows", lambda: "theirs")

    def first_view_fails():
        seen["thread"] = threading.Thread(target=other_view)
        seen["thread"].start()
        time.sleep(0.2)
        raise ConnectionError("the database went away")

    with pytest.raises(ConnectionError):
        page_cache.cached_for_page(key, "rows", first_view_fails)
    seen["thread"].join(5)
    assert seen["other"] == "theirs"
