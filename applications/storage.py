"""Private storage for application attachments: outside MEDIA_ROOT, with no public URL.

Files are served only by `applications.views.attachment` after a permission check.
"""

import os
import uuid

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
        raise ValueError("Private files have no public URL: use the permission-checked download view.")


PRIVATE_STORAGE = PrivateStorage()


def private_storage():
    return PRIVATE_STORAGE


def attachment_path(instance, filename):
    """A random name in a folder per application: the applicant's file name is never a path."""
    return f"applications/{instance.application.token}/{uuid.uuid4().hex}"
