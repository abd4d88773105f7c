"""Project index filters: theme, territory, status, sort and pagination, all as plain GET parameters."""

from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.models import Locale

from payments.rules import PledgeStatus
from tests.factories.projects import CampaignPageFactory, PledgeFactory, TerritoryFactory
from tests.factories.themes import ThemePageFactory

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture
def catalogue(project_index, theme_index, theme, territory):
    """Seven campaigns, one per situation, with distinct dates and amounts."""
    now = timezone.now()
    other_theme = ThemePageFactory(parent=theme_index, title="Mobilité", slug="mobilite")
    quartier = TerritoryFactory(locale=territory.locale, name="Gare", slug="gare", parent=territory)

    def make(title, start, end, *, themes=(), where=None, raised=0, goal=1000):
        campaign = CampaignPageFactory(
            parent=project_index,
            title=title,
            start_at=now + start,
            end_at=now + end,
            goal=goal,
            territory=where,
            themes=list(themes),
        )
        if raised:
            PledgeFactory(campaign=campaign, amount_cents=raised)
        return campaign

    c = {
        "live_soon": make("Live soon", -5 * DAY, 2 * DAY, themes=[theme], where=territory, raised=20_000),
        "live_later": make("Live later", -1 * DAY, 20 * DAY, themes=[other_theme], where=quartier, raised=90_000),
        "live_both": make("Live both", -3 * DAY, 10 * DAY, themes=[theme, other_theme], raised=5_000),
        "upcoming": make("Upcoming", 5 * DAY, 40 * DAY, themes=[theme], where=quartier),
        "succeeded": make("Succeeded", -60 * DAY, -30 * DAY, where=territory, raised=150_000),
        "failed_recent": make("Failed recent", -20 * DAY, -2 * DAY, themes=[other_theme], raised=10_000),
        "failed_old": make("Failed old", -90 * DAY, -70 * DAY, themes=[theme]),
    }
    # Not listed: a draft, and the English translation of a listed campaign.
    draft = make("Draft", -1 * DAY, 5 * DAY, themes=[theme])
    draft.unpublish()
    english = Locale.objects.get_or_create(language_code="en")[0]
    translation = c["live_soon"].copy_for_translation(english, copy_parents=True)
    translation.save_revision().publish()
    c["other_theme"] = other_theme
    c["quartier"] = quartier
    return c


def listing(client, index_page, **params):
    response = client.get(index_page.url, params)
    assert response.status_code == 200
    assert response.templates[0].name == "projects/project_index_page.html"
    return response, [campaign.title for campaign in response.context["campaigns"].object_list]


def test_default_lists_live_campaigns_of_this_locale_ending_soonest_first(client, project_index, catalogue):
    response, titles = listing(client, project_index)
    # Live and upcoming ones by end date, then ended ones from the most recent.
    assert titles == ["Live soon", "Live both", "Live later", "Upcoming", "Failed recent", "Succeeded", "Failed old"]
    content = response.content.decode()
    assert 'method="get"' in content and 'name="theme"' in content and 'name="sort"' in content
    assert "Draft" not in titles


def test_filter_by_theme(client, project_index, catalogue, theme):
    _, titles = listing(client, project_index, theme=theme.slug)
    assert titles == ["Live soon", "Live both", "Upcoming", "Failed old"]  # no duplicate for two themes
    _, titles = listing(client, project_index, theme="mobilite")
    assert titles == ["Live both", "Live later", "Failed recent"]


def test_filter_by_territory(client, project_index, catalogue, territory):
    _, titles = listing(client, project_index, territory=territory.slug)
    assert titles == ["Live soon", "Succeeded"]
    _, titles = listing(client, project_index, territory="gare")
    assert titles == ["Live later", "Upcoming"]


@pytest.mark.parametrize(
    "status, expected",
    [
        ("live", ["Live soon", "Live both", "Live later"]),
        ("upcoming", ["Upcoming"]),
        ("succeeded", ["Succeeded"]),
        ("failed", ["Failed recent", "Failed old"]),
    ],
)
def test_filter_by_status(client, project_index, catalogue, status, expected):
    response, titles = listing(client, project_index, status=status)
    assert titles == expected
    assert {c.status for c in response.context["campaigns"].object_list} == {status}


def test_filters_combine(client, project_index, catalogue, theme):
    _, titles = listing(client, project_index, theme=theme.slug, status="live")
    assert titles == ["Live soon", "Live both"]
    _, titles = listing(client, project_index, theme="mobilite", territory="gare", status="live")
    assert titles == ["Live later"]
    response, titles = listing(client, project_index, theme="mobilite", status="succeeded")
    assert titles == []
    assert response.context["campaigns"].paginator.count == 0


def test_sort_newest(client, project_index, catalogue):
    _, titles = listing(client, project_index, sort="newest")
    assert titles == ["Upcoming", "Live later", "Live both", "Live soon", "Failed recent", "Succeeded", "Failed old"]


def test_sort_most_funded(client, project_index, catalogue):
    _, titles = listing(client, project_index, sort="funded")
    # By amount raised; ties (nothing raised) by end date.
    assert titles == ["Succeeded", "Live later", "Live soon", "Failed recent", "Live both", "Failed old", "Upcoming"]


def test_sort_most_funded_ignores_uncounted_pledges(client, project_index, catalogue):
    PledgeFactory(campaign=catalogue["failed_old"], amount_cents=1_000_000, status=PledgeStatus.PENDING)
    PledgeFactory(campaign=catalogue["upcoming"], amount_cents=1_000_000, status=PledgeStatus.REFUNDED)
    _, titles = listing(client, project_index, sort="funded")
    assert titles[0] == "Succeeded" and titles[-2:] == ["Failed old", "Upcoming"]


def test_sort_ending_explicit_equals_default(client, project_index, catalogue):
    _, default = listing(client, project_index)
    _, explicit = listing(client, project_index, sort="ending")
    assert default == explicit


@pytest.mark.parametrize(
    "params, field",
    [
        ({"theme": "n-existe-pas"}, "theme"),
        ({"territory": "atlantide"}, "territory"),
        ({"status": "bogus"}, "status"),
        ({"status": "1 OR 1=1"}, "status"),
    ],
)
def test_invalid_filter_value_is_reported_and_ignored(client, project_index, catalogue, params, field):
    response, titles = listing(client, project_index, **params)
    form = response.context["filter"].form
    assert field in form.errors
    assert len(titles) == 7  # the invalid filter is not applied


def test_invalid_value_does_not_cancel_the_other_filters(client, project_index, catalogue, theme):
    _, titles = listing(client, project_index, theme=theme.slug, status="bogus")
    assert titles == ["Live soon", "Live both", "Upcoming", "Failed old"]


def test_invalid_sort_falls_back_to_default(client, project_index, catalogue):
    _, default = listing(client, project_index)
    for bad in ("bogus", "-end_at", "raised_cents"):
        _, titles = listing(client, project_index, sort=bad)
        assert titles == default, bad


def test_repeated_and_empty_parameters(client, project_index, catalogue, theme):
    response = client.get(project_index.url + f"?theme=&territory=&status=&sort=&theme={theme.slug}")
    assert response.status_code == 200
    response = client.get(project_index.url + "?theme=&territory=&status=&sort=")
    assert response.status_code == 200
    assert response.context["campaigns"].paginator.count == 7


@pytest.fixture
def many_campaigns(project_index, theme):
    now = timezone.now()
    campaigns = []
    for n in range(14):
        campaigns.append(
            CampaignPageFactory(
                parent=project_index,
                title=f"Projet {n:02d}",
                start_at=now - DAY,
                end_at=now + (n + 1) * DAY,
                themes=[theme] if n % 2 == 0 else [],
            )
        )
    return campaigns


def test_pagination(client, project_index, many_campaigns):
    response, titles = listing(client, project_index)
    assert titles == [f"Projet {n:02d}" for n in range(12)]
    page = response.context["campaigns"]
    assert (page.number, page.paginator.num_pages, page.paginator.count) == (1, 2, 14)
    assert 'href="?page=2"' in response.content.decode()

    _, titles = listing(client, project_index, page=2)
    assert titles == ["Projet 12", "Projet 13"]


@pytest.mark.parametrize("page_number, shown", [("abc", 1), ("0", 2), ("-1", 2), ("99", 2), ("", 1), ("2.5", 1)])
def test_invalid_page_numbers(client, project_index, many_campaigns, page_number, shown):
    response, _ = listing(client, project_index, page=page_number)
    assert response.context["campaigns"].number == shown


def test_pagination_keeps_the_filters(client, project_index, many_campaigns, theme):
    for campaign in many_campaigns[1::2]:
        campaign.themes.set([theme])
        campaign.save_revision().publish()
    response, titles = listing(client, project_index, theme=theme.slug, sort="newest")
    assert len(titles) == 12
    content = response.content.decode()
    assert f"?theme={theme.slug}&amp;sort=newest&amp;page=2" in content
    _, titles = listing(client, project_index, theme=theme.slug, sort="newest", page=2)
    assert len(titles) == 2
