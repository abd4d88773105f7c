import factory
import wagtail_factories
from wagtail.models import Page, Site

from home.models import HomeFeature, HomePage, StandardPage


def root_page():
    return Page.get_first_root_node()


class HomePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = HomePage

    title = "Accueil"
    slug = factory.Sequence(lambda n: f"accueil-{n}")
    hero_title = "Des projets locaux, financés par les habitants"
    hero_text = "Découvrez et soutenez les projets de votre territoire."
    parent = factory.LazyFunction(root_page)

    @classmethod
    def as_site_root(cls, **kwargs):
        """Create a home page and make it the root of the default site."""
        home = cls(**kwargs)
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
        else:
            site.root_page = home
            site.save()
        return home


class StandardPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = StandardPage

    title = factory.Sequence(lambda n: f"Page {n}")
    intro = "Une page de contenu."


class HomeFeatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HomeFeature

    home = None
    page = None
    locale = factory.LazyAttribute(lambda o: o.home.locale)
