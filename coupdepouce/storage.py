"""Private storage: files outside MEDIA_ROOT, with no public URL.

Application attachments, beneficiaries' signatures and tax receipts live here. Files are served
only by views that check who asks (a permission, or a signed link).
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """A file-system storage rooted at PRIVATE_MEDIA_ROOT, read at each use (tests override it)."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no public URL: use a permission-checked download view.")


PRIVATE_STORAGE = PrivateStorage()


def private_storage():
    """The storage of private files (a callable, so migrations do not freeze its settings)."""
    return PRIVATE_STORAGE
