"""Where application attachments go: the site's private storage (`coupdepouce.storage`).

Files are served only by `applications.views.attachment` after a permission check.
"""

import uuid

from coupdepouce.storage import PRIVATE_STORAGE, PrivateStorage

__all__ = ["PRIVATE_STORAGE", "PrivateStorage", "attachment_path", "private_storage"]


def private_storage():
    """The private storage (named here because migrations refer to this function)."""
    return PRIVATE_STORAGE


def attachment_path(instance, filename):
    """A random name in a folder per application: the applicant's file name is never a path."""
    return f"applications/{instance.application.token}/{uuid.uuid4().hex}"
