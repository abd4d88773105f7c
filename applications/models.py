"""Applications (candidatures) to calls for projects, their history, attachments and jury.

Hypha's shape: the call is a Page; applications, versions, reviews and assignments are plain
rows with explicit states and unique constraints. The call is reached by name
(`calls.CallForProjectsPage`, above this app): this app imports no call code.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import TranslatableMixin

from applications.status import ApplicationStatus
from applications.storage import attachment_path, private_storage
from projects.models import CampaignPage

CALL_MODEL = "calls.CallForProjectsPage"


class Application(models.Model):
    """One project proposed to a call by an applicant (an account)."""

    HolderKind = CampaignPage.HolderKind

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    call = models.ForeignKey(
        CALL_MODEL, verbose_name=_("call for projects"), on_delete=models.PROTECT, related_name="applications"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applicant"), on_delete=models.PROTECT, related_name="applications"
    )
    reference = models.CharField(_("reference"), max_length=32, unique=True, null=True, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    # What a campaign page is made of, asked of every applicant.
    title = models.CharField(_("project title"), max_length=150)
    summary = models.TextField(_("summary"), max_length=400, blank=True)
    holder_name = models.CharField(_("project holder"), max_length=150, blank=True)
    holder_kind = models.CharField(
        _("holder kind"),
        max_length=20,
        choices=CampaignPage.HolderKind.choices,
        default=CampaignPage.HolderKind.ASSOCIATION,
    )
    amount_requested = models.PositiveIntegerField(_("amount requested (€)"), null=True, blank=True)
    themes = models.ManyToManyField("themes.ThemePage", verbose_name=_("themes"), blank=True, related_name="+")
    territory = models.ForeignKey(
        "projects.Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The call's own questions, by block id.
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    language = models.CharField(max_length=10, blank=True, editable=False)
    eligibility_reason = models.TextField(_("eligibility reason"), blank=True)
    campaign = models.OneToOneField(
        CampaignPage,
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="source_application",
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)
    personal_data_erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-submitted_at", "-created_at"]
        indexes = [models.Index(fields=["call", "status"])]

    def __str__(self):
        return f"{self.reference or _('draft')} — {self.title}"

    @property
    def amount_requested_cents(self):
        return None if self.amount_requested is None else self.amount_requested * 100


class ApplicationVersion(models.Model):
    """A submitted version, kept as it was sent (every submission adds one)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    data = models.JSONField(default=dict)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("submitted version")
        ordering = ["application", "number"]
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="one_version_number_per_application")
        ]

    def __str__(self):
        return f"{self.application} v{self.number}"


class Attachment(models.Model):
    """A file sent with an application, stored privately; `question` is the file block's id."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    question = models.CharField(max_length=64)
    file = models.FileField(storage=private_storage, upload_to=attachment_path, max_length=255)
    name = models.CharField(_("file name"), max_length=150)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.name


class ApplicationEvent(models.Model):
    """The history of an application: every change of status, and every message sent to the applicant."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("internal note"), blank=True)
    message = models.TextField(_("message to the applicant"), blank=True)
    emailed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("application event")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.application_id}: {self.from_status or '∅'} → {self.to_status}"


class CallJury(models.Model):
    """The jury of a call: staff assign it to applications at once, or jurors one by one."""

    call = models.OneToOneField(
        CALL_MODEL, verbose_name=_("call for projects"), on_delete=models.CASCADE, related_name="jury"
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("jurors"), blank=True, related_name="juries"
    )

    panels = [FieldPanel("call"), FieldPanel("members")]

    class Meta:
        verbose_name = _("jury")
        verbose_name_plural = _("juries")

    def __str__(self):
        return str(_("Jury of %(call)s") % {"call": self.call})


class JuryAssignment(models.Model):
    """A juror asked to score an application. A declared conflict of interest hides it from them."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="assignments")
    juror = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jury_assignments")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    conflict_of_interest = models.BooleanField(_("conflict of interest"), default=False)
    conflict_note = models.TextField(_("conflict of interest: why"), blank=True)
    conflict_declared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("jury assignment")
        constraints = [models.UniqueConstraint(fields=["application", "juror"], name="one_assignment_per_juror")]

    def __str__(self):
        return f"{self.juror} → {self.application}"


class Review(models.Model):
    """A juror's scores (0 to 5 per criterion of the call, by criterion id) and comment."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    juror = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews")
    scores = models.JSONField(default=dict)
    comment = models.TextField(_("comment"), blank=True)
    coup_de_coeur = models.BooleanField(_("coup de cœur"), default=False)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("review")
        constraints = [models.UniqueConstraint(fields=["application", "juror"], name="one_review_per_juror")]

    def __str__(self):
        return f"{self.juror} / {self.application}"


SCORE_VALIDATORS = [MinValueValidator(0), MaxValueValidator(5)]


class ReferenceCounter(models.Model):
    """The last reference number given in a year (AAP-2027-0042), locked while incremented."""

    year = models.PositiveIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"


class EmailTemplate(TranslatableMixin, models.Model):
    """The emails sent to applicants, edited by staff (a translatable snippet).

    `subject` and `body` may use {reference}, {title}, {call}, {name}, {reason}, {message}, {url}.
    """

    class Kind(models.TextChoices):
        ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement of submission")
        ELIGIBLE = ApplicationStatus.ELIGIBLE.value, _("Decision: eligible")
        INELIGIBLE = ApplicationStatus.INELIGIBLE.value, _("Decision: not eligible")
        SHORTLISTED = ApplicationStatus.SHORTLISTED.value, _("Decision: shortlisted")
        LAUREATE = ApplicationStatus.LAUREATE.value, _("Decision: laureate")
        NOT_SELECTED = ApplicationStatus.NOT_SELECTED.value, _("Decision: not selected")
        REMINDER = "reminder", _("Reminder: draft not submitted")

    kind = models.CharField(_("email"), max_length=30, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(
        _("body"),
        help_text=_("Placeholders: {reference}, {title}, {call}, {name}, {reason}, {message}, {url}."),
    )

    panels = [FieldPanel("kind"), FieldPanel("subject"), FieldPanel("body")]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("email to applicants")
        verbose_name_plural = _("emails to applicants")
        unique_together = [("translation_key", "locale"), ("kind", "locale")]

    def __str__(self):
        return self.get_kind_display()
