"""Private storage: files with no public URL, on this machine's disk or in a private S3 bucket.

Application attachments, beneficiaries' signatures and tax receipts live here. Files are served
only by views that check who asks (a permission, or a signed link).

Model fields take `private_storage()` once, at import; `PRIVATE_STORAGE` therefore hands every
call to the backend that `STORAGES["private"]` names *at the time of the call* (settings,
`override_settings` in tests). By default that is `PrivateFileSystemStorage` (a folder outside
MEDIA_ROOT, `PRIVATE_MEDIA_ROOT`); with several machines, `PrivateS3Storage`, a bucket of its own
with no public access (`coupdepouce.settings.base.storages_from_environment`).
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from storages.backends.s3 import S3Storage

PRIVATE_ALIAS = "private"
NO_URL = "Private files have no public URL: use a permission-checked download view."


class PrivateFileSystemStorage(FileSystemStorage):
    """A file-system storage rooted at PRIVATE_MEDIA_ROOT, read at each use (tests override it)."""

    def __init__(self, **kwargs):
        kwargs["base_url"] = None
        super().__init__(**kwargs)

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError(NO_URL)


class PrivateS3Storage(S3Storage):
    """An S3 bucket that nobody reads without credentials: private ACL, and no URL, not even a
    signed one (a signed URL would outlive the permission check that handed it out)."""

    def __init__(self, **settings_overrides):
        settings_overrides.setdefault("default_acl", "private")
        settings_overrides.setdefault("querystring_auth", True)
        super().__init__(**settings_overrides)

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise ValueError(NO_URL)


def private_backend():
    """The storage STORAGES["private"] configures now (file system if the alias is missing)."""
    if PRIVATE_ALIAS in settings.STORAGES:
        return storages[PRIVATE_ALIAS]
    return _FILE_SYSTEM


_FILE_SYSTEM = PrivateFileSystemStorage()


class PrivateStorage(Storage):
    """Hands each operation to `private_backend()`; `url()` always refuses."""

    def open(self, name, mode="rb"):
        return private_backend().open(name, mode)

    def save(self, name, content, max_length=None):
        return private_backend().save(name, content, max_length=max_length)

    def get_valid_name(self, name):
        return private_backend().get_valid_name(name)

    def get_alternative_name(self, file_root, file_ext):
        return private_backend().get_alternative_name(file_root, file_ext)

    def get_available_name(self, name, max_length=None):
        return private_backend().get_available_name(name, max_length=max_length)

    def generate_filename(self, filename):
        return private_backend().generate_filename(filename)

    def path(self, name):
        return private_backend().path(name)

    def delete(self, name):
        return private_backend().delete(name)

    def exists(self, name):
        return private_backend().exists(name)

    def listdir(self, path):
        return private_backend().listdir(path)

    def size(self, name):
        return private_backend().size(name)

    def url(self, name):
        raise ValueError(NO_URL)

    def get_accessed_time(self, name):
        return private_backend().get_accessed_time(name)

    def get_created_time(self, name):
        return private_backend().get_created_time(name)

    def get_modified_time(self, name):
        return private_backend().get_modified_time(name)


PRIVATE_STORAGE = PrivateStorage()


def private_storage():
    """The storage of private files (a callable, so migrations do not freeze its settings)."""
    return PRIVATE_STORAGE
