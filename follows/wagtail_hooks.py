"""Wagtail hooks of follows: the personal data export and erasure (`follows.personal_data`)."""

from follows import personal_data  # noqa: F401  (registers the hooks)
