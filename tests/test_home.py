"""The home page: key figures and "À la Une" tell the same story in French and in English."""

import re
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Locale, Page

from coupdepouce.models import PlatformSettings
from home.models import HomeFeature, HomePage
from tests.admin_forms import admin_form_data, form_errors
from tests.factories.home import HomeFeatureFactory
from tests.factories.projects import PledgeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def locale_en(db):
    return Locale.objects.get_or_create(language_code="en")[0]


@pytest.fixture
def home_en(home, locale_en):
    english = home.copy_for_translation(locale_en)
    english.save_revision().publish()
    return HomePage.objects.get(pk=english.pk)


def translate(page, locale):
    """Publish the translation of `page` in `locale`, its parents made aliases when needed."""
    copy = page.specific.copy_for_translation(locale, copy_parents=True)
    copy.save_revision().publish()
    return Page.objects.get(pk=copy.pk).specific


def soup(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def rendered_key_figures(response):
    """The key figures as shown: the digits of each value, in order (raised, backers, funded, rate)."""
    values = soup(response).select(".key-figures .key-figures__value")
    return [int(re.sub(r"\D", "", value.get_text())) for value in values]


class TestKeyFiguresInEveryLanguage:
    @pytest.fixture
    def campaigns(self, make_campaign, home_en, locale_en):
        """French campaigns, some translated into English: funded (translated), failed (not
        translated), funded (not translated), live (translated, one pledge on each language)."""
        ago, month = timedelta(days=-40), timedelta(days=30)
        funded_en = make_campaign(starts_in=ago, lasts=month, goal=100, pledges=[6_000, 4_000])
        make_campaign(starts_in=ago, lasts=month, goal=100, pledges=[2_000])
        make_campaign(starts_in=ago, lasts=month, goal=50, pledges=[5_000, 1_000])
        live = make_campaign(goal=1000, pledges=[2_500])
        translate(funded_en, locale_en)
        live_en = translate(live, locale_en)
        PledgeFactory(campaign=live_en, amount_cents=1_500)
        return funded_en, live

    def test_french_and_english_homes_show_the_same_figures(self, client, home, home_en, campaigns):
        french = client.get(home.url)
        english = client.get(home_en.url)
        assert english.context["page"] == home_en
        expected = {
            "raised_cents": 6_000 + 4_000 + 2_000 + 5_000 + 1_000 + 2_500 + 1_500,
            "backers": 7,
            "funded": 2,
            "ended": 3,
            "success_rate": 67,
        }
        # The funded campaign and the live one exist in both languages: each counts once.
        assert french.context["key_figures"] == expected
        assert english.context["key_figures"] == expected
        shown = [22_000 // 100, 7, 2, 67]
        assert rendered_key_figures(french) == shown
        assert rendered_key_figures(english) == shown


def feature_forms(data, *features):
    """Replace the "À la Une" inline forms of posted admin data by `features` (dicts of fields)."""
    for key in [key for key in data if key.startswith("features-")]:
        del data[key]
    data["features-TOTAL_FORMS"] = str(len(features))
    data["features-INITIAL_FORMS"] = "0"
    data["features-MIN_NUM_FORMS"] = "0"
    data["features-MAX_NUM_FORMS"] = "1000"
    for i, fields in enumerate(features):
        row = {"id": "", "ORDER": str(i + 1), "DELETE": "", "title": "", "teaser": "", "image": ""}
        row |= {"start_at": "", "end_at": ""} | fields
        for name, value in row.items():
            data[f"features-{i}-{name}"] = value
    return data


class TestFeaturedList:
    def edit(self, admin_client, home, *features):
        url = reverse("wagtailadmin_pages:edit", args=[home.pk])
        data = feature_forms(admin_form_data(admin_client, url, HomePage, home), *features)
        data["action-publish"] = "action-publish"
        return admin_client.post(url, data)

    def test_the_same_page_cannot_be_featured_twice(self, admin_client, home, make_campaign):
        campaign, other = make_campaign(), make_campaign()
        response = self.edit(
            admin_client, home, {"page": str(campaign.pk)}, {"page": str(other.pk)}, {"page": str(campaign.pk)}
        )
        assert response.status_code == 200
        formset = response.context["form"].formsets["features"]
        assert [form.errors for form in formset.forms] == [
            {},
            {},
            {"page": ["Cette page est déjà à la Une de cette liste."]},
        ]
        assert "Cette page est déjà à la Une de cette liste." in response.content.decode()
        assert HomeFeature.objects.count() == 0

    def test_distinct_pages_and_dates_are_saved(self, admin_client, home, make_campaign):
        campaign, other = make_campaign(), make_campaign()
        response = self.edit(
            admin_client,
            home,
            {"page": str(campaign.pk), "start_at": "2030-01-01 08:00", "end_at": "2030-02-01 08:00"},
            {"page": str(other.pk)},
        )
        assert response.status_code == 302, form_errors(response)
        first, second = HomeFeature.objects.order_by("sort_order")
        assert (first.page_id, second.page_id) == (campaign.pk, other.pk)
        assert timezone.localtime(first.start_at).strftime("%Y-%m-%d %H:%M") == "2030-01-01 08:00"
        assert timezone.localtime(first.end_at).strftime("%Y-%m-%d %H:%M") == "2030-02-01 08:00"
        assert (second.start_at, second.end_at) == (None, None)

    def test_an_end_before_the_start_is_refused(self, admin_client, home, make_campaign):
        campaign = make_campaign()
        response = self.edit(
            admin_client,
            home,
            {"page": str(campaign.pk), "start_at": "2030-02-01 08:00", "end_at": "2030-01-01 08:00"},
        )
        assert response.status_code == 200
        errors = response.context["form"].formsets["features"].forms[0].errors
        assert errors == {"end_at": ["La date de fin doit être postérieure à la date de début."]}
        assert HomeFeature.objects.count() == 0

    def test_only_features_in_force_are_shown(self, client, home, make_campaign):
        now = timezone.now()
        hour = timedelta(hours=1)
        pages = [make_campaign(title=f"Projet {n}") for n in range(6)]
        windows = [
            (None, None),  # always
            (now - hour, None),  # started
            (None, now + hour),  # not ended yet
            (now - hour, now + hour),  # in force
            (now + hour, None),  # not started yet
            (None, now - hour),  # ended
        ]
        for n, (page, (start_at, end_at)) in enumerate(zip(pages, windows, strict=True)):
            HomeFeatureFactory(home=home, page=page, sort_order=n, start_at=start_at, end_at=end_at)
        response = client.get(home.url)
        assert [card.page for card in response.context["features"]] == pages[:4]
        titles = [a.get_text() for a in soup(response).select("#features-title + ul .card__title a")]
        assert titles == ["Projet 0", "Projet 1", "Projet 2", "Projet 3"]


class TestEnglishHomeFollowsTheFrenchSelection:
    @pytest.fixture
    def selection(self, home, home_en, locale_en, make_campaign):
        """The French home features a translated campaign (with an English override) and an
        untranslated one; the English home still holds an old feature of its own."""
        translated = make_campaign(title="Potager des Lilas", summary="Un potager partagé.")
        untranslated = make_campaign(title="Fresque du Port", summary="Une fresque sur le quai.")
        old = make_campaign(title="Ancien projet")
        translated_en = translate(translated, locale_en)
        translated_en.title, translated_en.summary = "Lilac garden", "A shared garden."
        translated_en.save_revision().publish()
        first = HomeFeatureFactory(home=home, page=translated, sort_order=0, title="Le potager")
        HomeFeatureFactory(home=home, page=untranslated, sort_order=1, teaser="Peinte par les habitants.")
        HomeFeatureFactory(
            home=home_en, page=translated_en, locale=locale_en, translation_key=first.translation_key, title="Garden"
        )
        HomeFeatureFactory(home=home_en, page=old, locale=locale_en, sort_order=5)
        return translated, translated_en, untranslated

    def test_english_cards_are_the_french_selection(self, client, home_en, selection):
        translated, translated_en, untranslated = selection
        response = client.get(home_en.url)
        cards = response.context["features"]
        assert [(card.page.pk, card.title, card.lang) for card in cards] == [
            (translated_en.pk, "Garden", ""),
            (untranslated.pk, "Fresque du Port", "fr"),
        ]
        english, french = soup(response).select("#features-title + ul > li")
        assert english.select_one(".card__title a")["href"] == translated_en.url
        assert english.select_one(".card__title").get_text(strip=True) == "Garden"
        assert english.select_one(".card__text").get_text(strip=True) == "A shared garden."
        assert not english.select("[lang]")
        title, text = french.select_one(".card__title"), french.select_one(".card__text")
        assert (title["lang"], title.get_text(strip=True)) == ("fr", "Fresque du Port")
        assert title.a["href"] == untranslated.url
        assert not title.a["href"].startswith("/en/")
        assert (text["lang"], text.get_text(strip=True)) == ("fr", "Peinte par les habitants.")

    def test_french_home_shows_its_own_selection_without_lang(self, client, home, selection):
        translated, _, untranslated = selection
        response = client.get(home.url)
        assert [(card.page.pk, card.title, card.lang) for card in response.context["features"]] == [
            (translated.pk, "Le potager", ""),
            (untranslated.pk, "Fresque du Port", ""),
        ]
        assert not soup(response).select("#features-title + ul [lang]")


def test_home_title_is_the_sites_name_and_tagline(client, home):
    PlatformSettings.objects.update_or_create(
        site=home.get_site(),
        defaults={"platform_name": "Coup de pouce Beaupré", "tagline": "Les projets des habitants, financés ensemble"},
    )
    title = soup(client.get(home.url)).title.get_text()
    assert title == "Coup de pouce Beaupré – Les projets des habitants, financés ensemble"
    assert home.hero_title not in title


def test_home_title_without_tagline_is_the_sites_name(client, home):
    PlatformSettings.objects.update_or_create(
        site=home.get_site(), defaults={"platform_name": "Coup de pouce Beaupré", "tagline": ""}
    )
    assert soup(client.get(home.url)).title.get_text() == "Coup de pouce Beaupré"
