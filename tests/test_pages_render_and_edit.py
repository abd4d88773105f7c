"""Every page type renders and survives an admin edit; feeds, search, sitemap, errors and admin views."""

import json
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from admin_forms import admin_form_data, form_errors, new_campaign_form
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from wagtail.models import Page, Site
from wagtail.test.utils import WagtailPageTestCase

from coupdepouce.editorial import COMMUNICATION_GROUP
from coupdepouce.models import PlatformSettings
from coupdepouce.templatetags.money import euros
from home.models import StandardPage
from payments.rules import PledgeStatus
from projects.models import CampaignPage
from projects.rules import campaign_rule_errors
from tests.factories.calls import (
    CallForProjectsPageFactory,
    CallIndexPageFactory,
    CallPartnerFactory,
    EvaluationCriterionFactory,
)
from tests.factories.coupdepouce import ImageFactory
from tests.factories.home import HomeFeatureFactory, HomePageFactory, StandardPageFactory
from tests.factories.projects import (
    CampaignFAQFactory,
    CampaignPageFactory,
    CampaignUpdatePageFactory,
    InKindNeedFactory,
    PledgeFactory,
    ProjectIndexPageFactory,
    RewardTierFactory,
    StretchGoalFactory,
    TerritoryFactory,
)
from tests.factories.themes import ThemeIndexPageFactory, ThemePageFactory


def parse_xml(content):
    """Parse a feed or sitemap this site produced itself (trusted input)."""
    return ET.fromstring(content)  # noqa: S314


def body(image, link_page):
    """StreamField content using every block but the (network-bound) embed."""
    return json.dumps(
        [
            {"type": "heading", "value": {"text": "Le projet en bref", "level": "h2"}},
            {"type": "paragraph", "value": "<p>Un <b>paragraphe</b> de texte.</p>"},
            {"type": "image", "value": {"image": image.pk, "alt_text": "Le chantier", "decorative": False}},
            {"type": "quote", "value": {"text": "Une belle initiative.", "attribution": "Une habitante"}},
            {"type": "call_to_action", "value": {"text": "Voir les projets", "page": link_page.pk, "url": ""}},
        ]
    )


# Admin form data ------------------------------------------------------------------
# The admin renders StreamFields client-side, so `querydict_from_html` finds no field for
# them; their POST data is rebuilt here from the page's current value.


def build_site(cls):
    """The whole tree, with content in every inline panel; stored as class attributes."""
    cls.image = ImageFactory(title="Chantier")
    cls.home = HomePageFactory.as_site_root(hero_image=cls.image, hero_cta_text="Découvrir")
    cls.site = Site.objects.get(is_default_site=True)
    cls.theme_index = ThemeIndexPageFactory(parent=cls.home, intro="<p>Nos thématiques</p>")
    cls.theme = ThemePageFactory(parent=cls.theme_index, title="Culture", slug="culture", image=cls.image)
    cls.project_index = ProjectIndexPageFactory(parent=cls.home, intro="<p>Tous les projets</p>")
    cls.home.hero_cta_page = cls.project_index
    cls.home.body = body(cls.image, cls.project_index)
    cls.home.save()
    cls.standard = StandardPageFactory(parent=cls.home, title="Comment ça marche", slug="comment-ca-marche")
    cls.standard.body = body(cls.image, cls.project_index)
    cls.standard.save()
    cls.territory = TerritoryFactory(locale=cls.home.locale, name="Belleville", slug="belleville")
    cls.call_index = CallIndexPageFactory(parent=cls.home)
    cls.call = CallForProjectsPageFactory(
        parent=cls.call_index, title="Appel Culture 2025", image=cls.image, eligibility="<p>Associations</p>"
    )
    cls.call.themes.set([cls.theme])
    cls.call.body = body(cls.image, cls.project_index)
    cls.call.save_revision().publish()
    EvaluationCriterionFactory(page=cls.call, title="Utilité sociale", weight=3)
    EvaluationCriterionFactory(page=cls.call, title="Faisabilité", weight=1)
    CallPartnerFactory(page=cls.call, name="Fondation locale", logo=cls.image, url="https://example.org")

    cls.campaign = CampaignPageFactory(
        parent=cls.project_index,
        title="Jardin partagé des Lilas",
        slug="jardin-partage",
        summary="Un potager collectif au pied des immeubles.",
        hero_image=cls.image,
        territory=cls.territory,
        source_call=cls.call,
        tax_deductible=True,
        themes=[cls.theme],
    )
    cls.campaign.story = body(cls.image, cls.theme)
    cls.campaign.save_revision().publish()
    cls.reward = RewardTierFactory(page=cls.campaign, min_amount=10, title="Un sachet de graines", stock=None)
    cls.sold_out = RewardTierFactory(page=cls.campaign, min_amount=50, title="Un panier de légumes", stock=1)
    StretchGoalFactory(page=cls.campaign, amount=1000, description="Un récupérateur d'eau")
    InKindNeedFactory(page=cls.campaign, description="Prêt d'une bétonnière", kind="equipment")
    CampaignFAQFactory(page=cls.campaign)
    PledgeFactory(campaign=cls.campaign, amount_cents=100_000, reward=cls.reward)
    PledgeFactory(campaign=cls.campaign, amount_cents=25_000, reward=cls.sold_out, status=PledgeStatus.PAID)
    PledgeFactory(campaign=cls.campaign, amount_cents=99_900, status=PledgeStatus.FAILED)
    cls.update = CampaignUpdatePageFactory(
        parent=cls.campaign, title="Les premiers semis", intro="Tout a germé.", image=cls.image
    )
    cls.update.body = body(cls.image, cls.campaign)
    cls.update.save_revision().publish()
    HomeFeatureFactory(home=cls.home, page=cls.campaign, sort_order=0)
    HomeFeatureFactory(home=cls.home, page=cls.call, title="Appel ouvert", sort_order=1)
    HomeFeatureFactory(home=cls.home, page=cls.theme, sort_order=2)


class PageTypesTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        build_site(cls)
        cls.superuser = cls.create_superuser("editor-in-chief")

    def pages(self):
        return {
            "home": self.home,
            "standard": self.standard,
            "theme index": self.theme_index,
            "theme": self.theme,
            "project index": self.project_index,
            "campaign": self.campaign,
            "campaign update": self.update,
            "call index": self.call_index,
            "call": self.call,
        }

    def assertEditRoundTrip(self, page):
        """Publish the edit form as the admin renders it: it must validate and save a new revision."""
        self.client.force_login(self.superuser)
        url = reverse("wagtailadmin_pages:edit", args=[page.pk])
        data = admin_form_data(self.client, url, page.specific_class, page.specific)
        data["action-publish"] = "action-publish"
        revisions = page.revisions.count()
        response = self.client.post(url, data)
        if response.status_code != 302:
            self.fail(f"{type(page).__name__} edit form refused: {form_errors(response)}")
        self.assertEqual(page.revisions.count(), revisions + 1)
        self.client.logout()

    def test_every_page_type_renders(self):
        for name, page in self.pages().items():
            with self.subTest(page=name):
                self.assertPageIsRenderable(page)
                response = self.client.get(page.url)
                self.assertContains(response, page.title)
                self.assertTemplateUsed(response, page.specific_class.template)

    def test_every_page_type_is_editable(self):
        for name, page in self.pages().items():
            with self.subTest(page=name):
                self.client.force_login(self.superuser)
                url = reverse("wagtailadmin_pages:edit", args=[page.pk])
                post_data = admin_form_data(self.client, url, page.specific_class, page.specific)
                self.assertPageIsEditable(page, post_data=post_data, user=self.superuser)
                self.assertEditRoundTrip(page)

    def test_every_page_type_is_previewable(self):
        for name, page in self.pages().items():
            with self.subTest(page=name):
                self.client.force_login(self.superuser)
                url = reverse("wagtailadmin_pages:edit", args=[page.pk])
                post_data = admin_form_data(self.client, url, page.specific_class, page.specific)
                self.assertPageIsPreviewable(page, post_data=post_data, user=self.superuser)

    def test_campaign_page_shows_its_inline_content(self):
        response = self.client.get(self.campaign.url)
        self.assertEqual(response.status_code, 200)
        rewards = {r.pk: r for r in response.context["rewards"]}
        self.assertTrue(rewards[self.sold_out.pk].sold_out)
        self.assertFalse(rewards[self.reward.pk].sold_out)
        self.assertEqual(len(response.context["stretch_goals"]), 1)
        self.assertEqual(len(response.context["needs"]), 1)
        self.assertEqual(len(response.context["faqs"]), 1)
        self.assertEqual(response.context["updates"], [self.update])
        for text in (
            "Un sachet de graines",
            "Un panier de légumes",
            "Un récupérateur d&#x27;eau",
            "Prêt d&#x27;une bétonnière",
            "Quand le projet verra-t-il le jour ?",
            "Les premiers semis",
            "Belleville",
            "Le projet en bref",
        ):
            self.assertContains(response, text)
        # 1 000 € + 250 € raised; the failed pledge does not count.
        figures = response.context["page"].figures
        self.assertEqual((figures.raised_cents, figures.backers, figures.percent), (125_000, 2, 25))
        with translation.override("fr"):
            self.assertContains(response, euros(125_000))
        self.assertContains(response, "reward--sold-out", count=1)

    def test_campaign_preview_with_unsaved_inline_rows(self):
        """The preview renders rows and choices that exist only in the edit form."""
        self.client.force_login(self.superuser)
        edit_url = reverse("wagtailadmin_pages:edit", args=[self.campaign.pk])
        data = admin_form_data(self.client, edit_url, CampaignPage, self.campaign)
        n = int(data["rewards-TOTAL_FORMS"])
        data["rewards-TOTAL_FORMS"] = str(n + 1)
        for key, value in {
            "min_amount": "75",
            "title": "Une visite du jardin",
            "stock": "4",
            "ORDER": str(n + 1),
        }.items():
            data[f"rewards-{n}-{key}"] = value
        data.setlist("themes", [])  # untick every theme
        preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=[self.campaign.pk])
        response = self.client.post(preview_url, data)
        self.assertJSONEqual(response.content.decode(), {"is_valid": True, "is_available": True})
        response = self.client.get(preview_url)
        self.assertEqual(response.status_code, 200)
        rewards = response.context["rewards"]
        self.assertEqual([r.title for r in rewards][-1], "Une visite du jardin")
        self.assertEqual([(r.reserved, r.stock_left) for r in rewards if r.pk is None], [(0, 4)])
        self.assertTrue(next(r for r in rewards if r.pk == self.sold_out.pk).sold_out)
        self.assertEqual(response.context["themes"], [])
        self.assertContains(response, "Une visite du jardin")
        # Nothing was saved.
        self.assertEqual(self.campaign.rewards.count(), 2)

    def test_sold_out_reward_is_labelled(self):
        response = self.client.get(self.campaign.url)
        with translation.override("fr"):
            sold_out = translation.gettext("Sold out")  # "Épuisé" once messages are compiled
        self.assertContains(response, sold_out, count=1)
        self.assertContains(response, "reward--sold-out", count=1)

    def test_update_page_links_back_to_its_campaign(self):
        response = self.client.get(self.update.url)
        self.assertEqual(response.context["campaign"], self.campaign)
        self.assertContains(response, self.campaign.url)

    def test_campaign_rss_feed(self):
        response = self.client.get(self.campaign.url + "rss/")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("application/rss+xml"))
        channel = parse_xml(response.content).find("channel")
        self.assertIn(self.campaign.title, channel.findtext("title"))
        self.assertEqual(channel.findtext("description"), self.campaign.summary)
        items = channel.findall("item")
        self.assertEqual([i.findtext("title") for i in items], ["Les premiers semis"])
        self.assertEqual(items[0].findtext("description"), "Tout a germé.")
        self.assertTrue(items[0].findtext("link").endswith(self.update.url))
        self.assertTrue(items[0].findtext("pubDate"))

    def test_feed_leaves_out_unpublished_updates(self):
        draft = CampaignUpdatePageFactory(parent=self.campaign, title="Brouillon secret")
        draft.unpublish()
        response = self.client.get(self.campaign.url + "rss/")
        self.assertNotContains(response, "Brouillon secret")

    def test_search_finds_a_campaign(self):
        response = self.client.get(reverse("search"), {"q": "potager"})
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "search.html")
        results = [page.specific for page in response.context["search_results"]]
        self.assertIn(self.campaign, results)
        self.assertContains(response, self.campaign.url)
        self.assertEqual(reverse("search"), "/recherche/")

    def test_search_without_query_and_without_match(self):
        response = self.client.get(reverse("search"))
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(response.context["search_results"])
        response = self.client.get(reverse("search"), {"q": "zzyzxnothinghere"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(response.context["search_results"]), 0)

    def test_sitemap(self):
        response = self.client.get("/sitemap.xml")
        self.assertEqual(response.status_code, 200)
        locations = {
            loc.text for loc in parse_xml(response.content).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
        }
        for page in self.pages().values():
            self.assertIn(page.full_url, locations)

    def test_robots_txt(self):
        response = self.client.get("/robots.txt")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("text/plain"))
        content = response.content.decode()
        self.assertIn("Disallow: /admin/", content)
        self.assertIn("Sitemap: http://testserver/sitemap.xml", content)

    def test_404_page(self):
        response = self.client.get("/cette-page-n-existe-pas/")
        self.assertEqual(response.status_code, 404)
        self.assertTemplateUsed(response, "404.html")
        self.assertContains(response, reverse("search"), status_code=404)


class AdminTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        build_site(cls)
        cls.superuser = cls.create_superuser("admin-tests")
        cls.ended = CampaignPageFactory(
            parent=cls.project_index,
            title="Fresque terminée",
            goal=100,
            start_at=timezone.now() - timedelta(days=40),
            end_at=timezone.now() - timedelta(days=10),
        )
        PledgeFactory(campaign=cls.ended, amount_cents=15_000)

    def setUp(self):
        self.client.force_login(self.superuser)

    # Flat campaign listing ---------------------------------------------------

    def test_campaign_listing_shows_status_and_raised_amount(self):
        url = reverse("campaigns:index")
        self.assertEqual(url, "/admin/campaigns/")
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        with translation.override("fr"):
            live_raised = f"{euros(125_000)} / {euros(500_000)} (25 %)"
            ended_raised = f"{euros(15_000)} / {euros(10_000)} (150 %)"
            live_label, succeeded_label = str(self.campaign.status_label()), str(self.ended.status_label())
        self.assertContains(response, self.campaign.title)
        self.assertContains(response, self.ended.title)
        self.assertContains(response, live_raised)
        self.assertContains(response, ended_raised)
        self.assertContains(response, live_label)
        self.assertContains(response, succeeded_label)
        self.assertNotEqual(live_label, succeeded_label)

    def test_campaign_listing_sorts_by_raised_amount(self):
        response = self.client.get(reverse("campaigns:index"), {"ordering": "-raised_cents"})
        self.assertEqual(response.status_code, 200)
        content = response.content.decode()
        self.assertLess(content.index(self.campaign.title), content.index(self.ended.title))
        response = self.client.get(reverse("campaigns:index"), {"ordering": "raised_cents"})
        content = response.content.decode()
        self.assertLess(content.index(self.ended.title), content.index(self.campaign.title))

    # Campaign rules in the page editor ---------------------------------------

    def add_campaign(self, **fields):
        url, data = new_campaign_form(self.client, self.project_index, **fields)
        return self.client.post(url, data)

    def rules(self, max_goal=None, max_days=None):
        settings_ = PlatformSettings.for_site(self.site)
        settings_.max_goal = max_goal or settings_.max_goal
        settings_.max_campaign_days = max_days or settings_.max_campaign_days
        settings_.save()
        return settings_

    def test_valid_campaign_is_created(self):
        self.rules(max_goal=8000, max_days=60)
        start = timezone.localtime(timezone.now()).replace(second=0, microsecond=0)
        response = self.add_campaign(goal="8000", end_at=(start + timedelta(days=60)).strftime("%Y-%m-%d %H:%M"))
        self.assertEqual(response.status_code, 302, form_errors(response))
        created = CampaignPage.objects.get(slug="nouvelle-collecte")
        self.assertTrue(created.live)
        self.assertEqual(created.goal, 8000)

    def test_goal_over_platform_maximum_is_refused(self):
        self.rules(max_goal=8000)
        before = CampaignPage.objects.count()
        response = self.add_campaign(goal="8001")
        self.assertEqual(response.status_code, 200)
        with translation.override("fr"):
            [(field, message)] = campaign_rule_errors(goal=8001, start_at=None, end_at=None, max_goal=8000, max_days=90)
        self.assertEqual(field, "goal")
        self.assertIn(message, response.context["form"].errors["goal"])
        self.assertContains(response, escape(message))
        self.assertEqual(CampaignPage.objects.count(), before)
        self.assertFalse(Page.objects.filter(slug="nouvelle-collecte").exists())

    def test_duration_over_platform_maximum_is_refused(self):
        self.rules(max_days=45)
        before = CampaignPage.objects.count()
        start = timezone.localtime(timezone.now()).replace(second=0, microsecond=0)
        response = self.add_campaign(end_at=(start + timedelta(days=45, hours=1)).strftime("%Y-%m-%d %H:%M"))
        self.assertEqual(response.status_code, 200)
        with translation.override("fr"):
            [(field, message)] = campaign_rule_errors(
                goal=None, start_at=start, end_at=start + timedelta(days=46), max_goal=None, max_days=45
            )
        self.assertEqual(field, "end_at")
        self.assertIn("45", message)
        self.assertIn(message, response.context["form"].errors["end_at"])
        self.assertContains(response, escape(message))
        self.assertEqual(CampaignPage.objects.count(), before)
        self.assertFalse(Page.objects.filter(slug="nouvelle-collecte").exists())

    def test_end_before_start_is_refused(self):
        start = timezone.localtime(timezone.now()).replace(second=0, microsecond=0)
        response = self.add_campaign(end_at=(start - timedelta(days=1)).strftime("%Y-%m-%d %H:%M"))
        self.assertEqual(response.status_code, 200)
        self.assertIn("end_at", response.context["form"].errors)
        self.assertFalse(CampaignPage.objects.filter(slug="nouvelle-collecte").exists())

    def test_editing_an_existing_campaign_applies_the_rules_too(self):
        self.rules(max_goal=4000)
        url = reverse("wagtailadmin_pages:edit", args=[self.campaign.pk])
        data = admin_form_data(self.client, url, CampaignPage, self.campaign)
        data["goal"] = "4001"
        data["action-publish"] = "action-publish"
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        self.assertIn("goal", response.context["form"].errors)
        self.campaign.refresh_from_db()
        self.assertEqual(self.campaign.goal, 5000)

    # The Communication group -------------------------------------------------

    def communication_user(self):
        user = self.create_user("chargee-com", email="com@example.org", password="not-a-real-one")
        user.groups.add(Group.objects.get(name=COMMUNICATION_GROUP))
        return user

    def test_communication_group_can_add_pages_and_submit_them_for_validation(self):
        """Communication writes and submits; publishing is the Validation group's (tests/test_moderation.py)."""
        user = self.communication_user()
        self.client.force_login(user)
        self.assertEqual(self.client.get(reverse("wagtailadmin_home")).status_code, 200)
        url = reverse("wagtailadmin_pages:add", args=["home", "standardpage", self.home.pk])
        data = admin_form_data(self.client, url, StandardPage)
        data.update({"title": "Mentions légales", "slug": "mentions-legales", "action-submit": "action-submit"})
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302, form_errors(response))
        page = StandardPage.objects.get(slug="mentions-legales")
        self.assertFalse(page.live)
        self.assertEqual(page.current_workflow_state.status, "in_progress")
        # Editing a campaign and submitting it is allowed too.
        url = reverse("wagtailadmin_pages:edit", args=[self.campaign.pk])
        data = admin_form_data(self.client, url, CampaignPage, self.campaign)
        data["action-submit"] = "action-submit"
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302, form_errors(response))
        campaign = CampaignPage.objects.get(pk=self.campaign.pk)
        self.assertEqual(campaign.current_workflow_state.status, "in_progress")

    def test_communication_group_has_no_access_to_settings_and_users(self):
        self.client.force_login(self.communication_user())
        forbidden = [
            reverse("wagtailsettings:edit", args=["coupdepouce", "platformsettings", self.site.pk]),
            reverse("wagtailsettings:edit", args=["coupdepouce", "platformsettings"]),
            reverse("wagtailusers_users:index"),
            reverse("wagtailusers_groups:index"),
            reverse("wagtailsites:index"),
        ]
        for url in forbidden:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertIn(response.status_code, (302, 403))
                if response.status_code == 302:
                    self.assertEqual(response["Location"], reverse("wagtailadmin_home"))
        # A superuser does get them: the refusal above is about permissions, not broken URLs.
        self.client.force_login(self.superuser)
        for url in (forbidden[0], forbidden[2]):
            self.assertEqual(self.client.get(url).status_code, 200)


@pytest.mark.django_db
def test_home_page_key_figures_and_features(client, home, make_campaign, theme):
    """The home page context: live campaigns ending soon, features, themes and key figures."""
    campaigns = [make_campaign(lasts=timedelta(days=n), pledges=[1000 * n]) for n in (5, 3, 10, 4)]
    for n, campaign in enumerate(campaigns[:2]):
        HomeFeatureFactory(home=home, page=campaign, sort_order=n)
    response = client.get(home.url)
    assert response.status_code == 200
    context = response.context
    assert [c.pk for c in context["ending_soon"]] == [campaigns[1].pk, campaigns[3].pk, campaigns[0].pk]
    assert [card.page.pk for card in context["features"]] == [campaigns[0].pk, campaigns[1].pk]
    assert context["features"][0].figures.raised_cents == 5000
    assert context["themes"] == [theme]
    assert context["key_figures"]["raised_cents"] == 22_000
