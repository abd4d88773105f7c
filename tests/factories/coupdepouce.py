"""Shared factories: images in the root collection, the default site's home."""

import factory
from factory.django import DjangoModelFactory
from wagtail.images import get_image_model
from wagtail.models import Collection


class ImageFactory(DjangoModelFactory):
    class Meta:
        model = get_image_model()

    title = factory.Sequence(lambda n: f"Image {n}")
    file = factory.django.ImageField(width=640, height=360, color="#1f5fa8", filename="image.png")
    collection = factory.LazyFunction(Collection.get_first_root_node)
