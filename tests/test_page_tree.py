"""Page-tree rules: where each page type may live, what it may hold, and how many of it."""

from django.urls import reverse
from wagtail.models import Locale, Page
from wagtail.test.utils import WagtailPageTestCase

from calls.models import CallForProjectsPage, CallIndexPage
from home.models import HomePage, StandardPage
from projects.models import CampaignPage, CampaignUpdatePage, ProjectIndexPage
from tests.factories.calls import CallIndexPageFactory
from tests.factories.home import HomePageFactory
from tests.factories.projects import ProjectIndexPageFactory
from tests.factories.themes import ThemeIndexPageFactory
from themes.models import ThemeIndexPage, ThemePage

ALL_TYPES = {
    HomePage,
    StandardPage,
    ThemeIndexPage,
    ThemePage,
    ProjectIndexPage,
    CampaignPage,
    CampaignUpdatePage,
    CallIndexPage,
    CallForProjectsPage,
}


class PageTypeRulesTests(WagtailPageTestCase):
    """Declared parent/subpage types, checked both ways."""

    def test_home_page(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertAllowedSubpageTypes(HomePage, {ThemeIndexPage, ProjectIndexPage, CallIndexPage, StandardPage})
        self.assertCanCreateAt(Page, HomePage)

    def test_standard_page(self):
        self.assertAllowedParentPageTypes(StandardPage, {HomePage, StandardPage})
        self.assertAllowedSubpageTypes(StandardPage, {StandardPage})
        self.assertCanCreateAt(HomePage, StandardPage)
        self.assertCanCreateAt(StandardPage, StandardPage)

    def test_theme_pages(self):
        self.assertAllowedParentPageTypes(ThemeIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(ThemeIndexPage, {ThemePage})
        self.assertAllowedParentPageTypes(ThemePage, {ThemeIndexPage})
        self.assertAllowedSubpageTypes(ThemePage, set())
        self.assertCanCreateAt(HomePage, ThemeIndexPage)
        self.assertCanCreateAt(ThemeIndexPage, ThemePage)

    def test_project_pages(self):
        self.assertAllowedParentPageTypes(ProjectIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(ProjectIndexPage, {CampaignPage})
        self.assertAllowedParentPageTypes(CampaignPage, {ProjectIndexPage})
        self.assertAllowedSubpageTypes(CampaignPage, {CampaignUpdatePage})
        self.assertAllowedParentPageTypes(CampaignUpdatePage, {CampaignPage})
        self.assertAllowedSubpageTypes(CampaignUpdatePage, set())
        self.assertCanCreateAt(HomePage, ProjectIndexPage)
        self.assertCanCreateAt(ProjectIndexPage, CampaignPage)
        self.assertCanCreateAt(CampaignPage, CampaignUpdatePage)

    def test_call_pages(self):
        self.assertAllowedParentPageTypes(CallIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(CallIndexPage, {CallForProjectsPage})
        self.assertAllowedParentPageTypes(CallForProjectsPage, {CallIndexPage})
        self.assertAllowedSubpageTypes(CallForProjectsPage, set())
        self.assertCanCreateAt(HomePage, CallIndexPage)
        self.assertCanCreateAt(CallIndexPage, CallForProjectsPage)

    def test_nothing_else_can_be_created_anywhere(self):
        allowed = {
            Page: {HomePage},
            HomePage: {ThemeIndexPage, ProjectIndexPage, CallIndexPage, StandardPage},
            StandardPage: {StandardPage},
            ThemeIndexPage: {ThemePage},
            ThemePage: set(),
            ProjectIndexPage: {CampaignPage},
            CampaignPage: {CampaignUpdatePage},
            CampaignUpdatePage: set(),
            CallIndexPage: {CallForProjectsPage},
            CallForProjectsPage: set(),
        }
        for parent, children in allowed.items():
            for child in ALL_TYPES:
                with self.subTest(parent=parent.__name__, child=child.__name__):
                    if child in children:
                        self.assertCanCreateAt(parent, child)
                    else:
                        self.assertCanNotCreateAt(parent, child)

    def test_campaign_cannot_sit_under_home_or_theme(self):
        self.assertCanNotCreateAt(HomePage, CampaignPage)
        self.assertCanNotCreateAt(ThemePage, CampaignPage)
        self.assertCanNotCreateAt(CallIndexPage, CampaignPage)
        self.assertCanNotCreateAt(Page, CampaignPage)


class PageCountRulesTests(WagtailPageTestCase):
    """One home page per locale under the root, one of each index per home."""

    @classmethod
    def setUpTestData(cls):
        cls.root = Page.get_first_root_node()
        cls.fr = Locale.objects.get(language_code="fr")
        cls.en = Locale.objects.create(language_code="en")

    def setUp(self):
        self.superuser = self.create_superuser("tree-admin")
        self.client.force_login(self.superuser)

    def add_url(self, model, parent):
        return reverse("wagtailadmin_pages:add", args=[model._meta.app_label, model._meta.model_name, parent.pk])

    def test_a_second_site_gets_its_own_home_page(self):
        # Each collectivité's site has its own home page under the root: a home page in
        # the same locale does not block the next one.
        self.assertTrue(HomePage.can_create_at(self.root))
        HomePageFactory.as_site_root(locale=self.fr)
        self.assertTrue(HomePage.can_create_at(self.root))
        response = self.client.get(self.add_url(HomePage, self.root))
        self.assertEqual(response.status_code, 200)

    def test_first_home_page_can_be_added_in_the_admin(self):
        response = self.client.get(self.add_url(HomePage, self.root))
        self.assertEqual(response.status_code, 200)

    def test_home_page_of_another_locale_does_not_block_french_one(self):
        HomePageFactory(locale=self.en, slug="home-en")
        # The root page is in French: only French home pages count against it.
        self.assertEqual(self.root.locale_id, self.fr.pk)
        self.assertTrue(HomePage.can_create_at(self.root))

    def test_one_index_of_each_kind_per_home(self):
        home = HomePageFactory.as_site_root(locale=self.fr)
        other_home = HomePageFactory(locale=self.en, slug="home-en")
        for model, factory in (
            (ProjectIndexPage, ProjectIndexPageFactory),
            (ThemeIndexPage, ThemeIndexPageFactory),
            (CallIndexPage, CallIndexPageFactory),
        ):
            with self.subTest(model=model.__name__):
                self.assertTrue(model.can_create_at(home))
                factory(parent=home)
                self.assertFalse(model.can_create_at(home))
                response = self.client.get(self.add_url(model, home))
                self.assertRedirects(response, reverse("wagtailadmin_home"), fetch_redirect_response=False)
                # Another home (another locale's tree) may still have its own.
                self.assertTrue(model.can_create_at(other_home))

    def test_standard_pages_are_not_limited(self):
        home = HomePageFactory.as_site_root(locale=self.fr)
        for n in range(3):
            self.assertTrue(StandardPage.can_create_at(home))
            home.add_child(instance=StandardPage(title="Mentions", slug=f"mentions-{n}"))
        self.assertTrue(StandardPage.can_create_at(home))
        self.assertEqual(StandardPage.objects.child_of(home).count(), 3)
