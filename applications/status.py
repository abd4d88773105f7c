"""The states of an application and the moves between them, written once.

brouillon → déposée → recevable | irrecevable; recevable → présélectionnée → lauréate | non retenue.
An applicant may withdraw a draft or a submitted application before the deadline.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("application status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("application status", "Submitted")
    ELIGIBLE = "eligible", pgettext_lazy("application status", "Eligible")
    INELIGIBLE = "ineligible", pgettext_lazy("application status", "Not eligible")
    SHORTLISTED = "shortlisted", pgettext_lazy("application status", "Shortlisted")
    LAUREATE = "laureate", pgettext_lazy("application status", "Laureate")
    NOT_SELECTED = "not_selected", pgettext_lazy("application status", "Not selected")
    WITHDRAWN = "withdrawn", pgettext_lazy("application status", "Withdrawn")


S = ApplicationStatus

# The state machine; staff decisions are the moves out of SUBMITTED and later.
ALLOWED = {
    S.DRAFT: {S.SUBMITTED, S.WITHDRAWN},
    S.SUBMITTED: {S.ELIGIBLE, S.INELIGIBLE, S.WITHDRAWN},
    S.ELIGIBLE: {S.SHORTLISTED, S.NOT_SELECTED, S.INELIGIBLE},
    S.INELIGIBLE: {S.ELIGIBLE},
    S.SHORTLISTED: {S.LAUREATE, S.NOT_SELECTED},
    S.LAUREATE: {S.NOT_SELECTED},
    S.NOT_SELECTED: {S.SHORTLISTED, S.LAUREATE},
    S.WITHDRAWN: set(),
}

# Statuses staff decide (each sends the applicant an email from an editable template).
DECISIONS = (S.ELIGIBLE, S.INELIGIBLE, S.SHORTLISTED, S.LAUREATE, S.NOT_SELECTED)
# Applications a jury may be asked to score.
REVIEWABLE = (S.ELIGIBLE, S.SHORTLISTED, S.LAUREATE, S.NOT_SELECTED)
# Applications that were not retained: their answers and attachments are deleted after the
# retention period (PlatformSettings.application_retention_days).
NOT_RETAINED = (S.INELIGIBLE, S.NOT_SELECTED, S.WITHDRAWN)

REASON_REQUIRED = {S.INELIGIBLE: _("Say why the application is not eligible.")}
