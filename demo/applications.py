"""Applications to the demo calls for projects, their jury and their laureates.

The open call ("Makers de Beaupré") gets a real application form and applications in every
status from the demo applicants, with their history, submitted versions and a few PDF
budgets; its jury (two jurors) has assignments, reviews and one declared conflict of
interest. The closed call ("Quartiers à vivre 2025") publishes its laureates, two of which
became the demo campaigns that name it as their source call.

Built with the models and the applications app's own functions, without sending any email:
references come from `services.next_reference` (the `ReferenceCounter`), versions from
`services.snapshot`, scores are checked by `jury.clean_scores`, jurors are assigned with
`workflow.assign` and declare their conflict with `jury.declare_conflict`, holders get
their edit rights from `promotion.grant_edit_rights`. Dates are set in the past, in order,
so the history reads like a real one.

Idempotent: accounts are looked up by email, applications by call and title, the jury by
call, assignments and reviews by application and juror; a call's form is only set when it
has none.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone, translation

from applications import jury, promotion, services, workflow
from applications.blocks import FILE_TYPES
from applications.models import (
    Application,
    ApplicationEvent,
    ApplicationVersion,
    Attachment,
    CallJury,
    JuryAssignment,
    Review,
)
from applications.status import DECISIONS, REVIEWABLE, ApplicationStatus
from calls.models import CallForProjectsPage
from coupdepouce.editorial import COMMUNICATION_GROUP
from demo import content

S = ApplicationStatus

# Block ids of the demo forms: uuid5(NAMESPACE, "<call slug>/<question key>"), the same on every run.
NAMESPACE = uuid.UUID("6f0b8f8e-4c1e-4d7a-9d43-7c1f1f3b7a55")
BUDGET_FILE_NAME = "budget-previsionnel.pdf"

APPLICANT_EMAIL = content.APPLICANTS[0][0]
APPLICANT_EMAILS = [email for email, _name in content.APPLICANTS]
JUROR_EMAILS = [email for email, _name in content.JURORS]


def block_id(call_slug, key):
    return str(uuid.uuid5(NAMESPACE, f"{call_slug}/{key}"))


def form_data(call_slug):
    """Raw StreamField data of a demo call's application form (`content.APPLICATION_FORMS`)."""
    blocks = []
    for key, kind, label, options in content.APPLICATION_FORMS[call_slug]:
        value = {
            "label": label,
            "help_text": options.get("help_text", ""),
            "required": options.get("required", True),
        }
        if kind == "long_text":
            value["max_length"] = options.get("max_length", 2000)
        elif kind in ("single_choice", "multiple_choice"):
            value["choices"] = list(options["choices"])
        elif kind == "file":
            value["allowed_types"] = list(options.get("allowed_types", ["pdf"]))
            value["max_size_mb"] = options.get("max_size_mb", 5)
        blocks.append({"type": kind, "value": value, "id": block_id(call_slug, key)})
    return blocks


def budget_pdf(title, lines):
    """A one-page PDF: the title, then one line per (label, euros) and the total."""
    total = sum(euros for _label, euros in lines)

    def euros(amount):
        return f"{amount:,} €".replace(",", " ")

    def text(value):
        raw = value.encode("cp1252", "replace")
        return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")

    rows = [b"BT /F1 15 Tf 56 780 Td (" + text("Budget prévisionnel") + b") Tj ET"]
    rows.append(b"BT /F1 11 Tf 56 758 Td (" + text(title) + b") Tj ET")
    y = 720
    for label, amount in [*lines, ("Total", total)]:
        rows.append(b"BT /F1 11 Tf 56 %d Td (" % y + text(label) + b") Tj ET")
        rows.append(b"BT /F1 11 Tf 440 %d Td (" % y + text(euros(amount)) + b") Tj ET")
        y -= 20
    stream = b"\n".join(rows)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        pdf += b"%010d 00000 n \n" % offset
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(pdf)


def load_applications(loader, password):
    """Forms, accounts, applications, jury and laureates of the demo calls. Returns what was created.

    `loader` is the `DemoLoader` that built the calls, campaigns, themes and territories;
    `password` is the demo accounts' password (set on the accounts this creates).
    """
    return ApplicationsLoader(loader, password).run()


class ApplicationsLoader:
    def __init__(self, loader, password):
        self.loader = loader
        self.password = password
        self.now = loader.now
        self.created = Counter()

    def run(self):
        # Notes written by the applications app (gettext) in the site's default language.
        with translation.override(settings.LANGUAGE_CODE):
            self.staff = self.decision_maker()
            self.users = self.load_accounts()
            self.calls = {slug: self.load_call(slug) for slug in content.APPLICATION_FORMS}
            self.load_applications()
            self.load_juries()
            self.link_campaigns()
        return self.created

    # ------------------------------------------------------------------ accounts

    def decision_maker(self):
        """Staff decisions are taken by the communication officer (the admin if there is none)."""
        User = get_user_model()
        officer = User.objects.filter(groups__name=COMMUNICATION_GROUP, is_active=True).order_by("pk").first()
        return officer or self.loader.admin

    def load_accounts(self):
        """The applicants and jurors, with a verified email address (allauth asks for one)."""
        User = get_user_model()
        users = {}
        for email, full_name in [*content.APPLICANTS, *content.JURORS]:
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                user = User.objects.create_user(email, self.password, full_name=full_name)
                self.created["users"] += 1
            address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
            if address is None:
                primary = not EmailAddress.objects.filter(user=user, primary=True).exists()
                EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=primary)
            elif not address.verified:
                address.verified = True
                address.save(update_fields=["verified"])
            users[email] = user
        return users

    # ------------------------------------------------------------------ calls

    def load_call(self, slug):
        """The call with its application form and, if its spec says so, its results published."""
        call = CallForProjectsPage.objects.get(pk=self.loader.calls[slug].pk)
        spec = next(c for c in content.CALLS if c["slug"] == slug)
        raw = form_data(slug)
        for page in [call, *(t.specific for t in call.get_translations())]:
            changed = False
            if not len(page.application_form):
                # Translations keep the same block ids: the answers are stored by id.
                page.application_form = raw
                changed = True
                self.created["application forms"] += 1
            if spec.get("results_published") and not page.results_published:
                page.results_published = True
                changed = True
            if changed:
                # The demo writes its content directly; in the admin, changes go through validation.
                page.save_revision(user=self.staff).publish(user=self.staff, skip_permission_checks=True)
        return CallForProjectsPage.objects.get(pk=call.pk)

    # ------------------------------------------------------------------ applications

    def moment(self, days, salt):
        """`days` from now, a few hours off so that the times look real, never in the future."""
        rng = random.Random(salt)  # noqa: S311 — demo data
        return min(self.now + timedelta(days=days, minutes=rng.randint(-240, 240)), self.now - timedelta(minutes=5))

    def load_applications(self):
        # In order of submission, so the references (AAP-<year>-NNNN) follow the dates.
        for spec in sorted(content.APPLICATIONS, key=lambda s: s["days"][0]):
            call = self.calls[spec["call"]]
            if Application.objects.filter(call__translation_key=call.translation_key, title=spec["title"]).exists():
                continue
            self.create_application(call, spec)

    def answers(self, call_slug, call, spec):
        """The spec's answers as stored: by block id, amounts in cents, dates as ISO strings."""
        kinds = {block.id: block.block_type for block in services.questions(call)}
        answers = {}
        for key, value in spec["answers"].items():
            question = block_id(call_slug, key)
            if question not in kinds:
                continue  # the call's form was not the demo's
            if kinds[question] == "amount":
                value = value * 100
            elif kinds[question] == "date":
                value = (timezone.localdate(self.now) + timedelta(days=value)).isoformat()
            answers[question] = value
        return answers

    def create_application(self, call, spec):
        applicant = self.users[spec["applicant"]]
        times = [self.moment(days, f"{spec['title']}/{n}") for n, days in enumerate(spec["days"])]
        started = times[0] - timedelta(days=2) if spec["steps"] else times[0]
        themes = [self.loader.themes[slug] for slug in spec["themes"]]
        application = Application.objects.create(
            call=call,
            applicant=applicant,
            title=spec["title"],
            summary=spec["summary"],
            holder_name=spec["holder_name"],
            holder_kind=spec["holder_kind"],
            amount_requested=spec["amount"],
            territory=self.loader.territories.get(spec["territory"]),
            answers=self.answers(spec["call"], call, spec),
            language=call.locale.language_code,
        )
        application.themes.set(themes)
        self.created["applications"] += 1
        self.event(application, started, to_status=S.DRAFT, actor=applicant, note="started")

        status = S.DRAFT
        # A draft's only date is its start; otherwise one date per step.
        for step, when in zip(spec["steps"], times if spec["steps"] else [], strict=True):
            step = S(step)
            if step == S.SUBMITTED:
                self.submit(application, spec, when)
            elif step == S.WITHDRAWN:
                self.event(application, when, from_status=status, to_status=step, actor=applicant, note="withdrawn")
            else:
                reason = spec.get("reason", "") if step == S.INELIGIBLE else ""
                if step in (S.ELIGIBLE, S.INELIGIBLE):
                    application.eligibility_reason = reason
                self.event(
                    application,
                    when,
                    from_status=status,
                    to_status=step,
                    actor=self.staff,
                    note=reason,
                    message=spec.get("messages", {}).get(step, content.DECISION_MESSAGES[step]),
                    emailed=True,
                )
            status = step
        application.status = status
        application.save(update_fields=["status", "eligibility_reason"])
        Application.objects.filter(pk=application.pk).update(created_at=started, updated_at=times[-1])

    def submit(self, application, spec, when):
        """What `services.submit` keeps, dated `when`: reference, version, event (no email is sent)."""
        if spec.get("budget_pdf"):
            self.attach_budget(application, spec)
        application.reference = services.next_reference(when)
        application.status = S.SUBMITTED
        application.submitted_at = when
        application.save(update_fields=["reference", "status", "submitted_at"])
        version = ApplicationVersion.objects.create(
            application=application, number=1, data=services.snapshot(application, when)
        )
        ApplicationVersion.objects.filter(pk=version.pk).update(submitted_at=when)
        self.event(
            application,
            when,
            from_status=S.DRAFT,
            to_status=S.SUBMITTED,
            actor=application.applicant,
            note="version 1",
            emailed=True,
        )

    def attach_budget(self, application, spec):
        question = block_id(spec["call"], "budget_file")
        if question not in {block.id for block in services.questions(application.call)}:
            return
        data = budget_pdf(spec["title"], spec["budget_pdf"])
        attachment = Attachment(
            application=application,
            question=question,
            name=BUDGET_FILE_NAME,
            content_type=FILE_TYPES["pdf"],
            size=len(data),
        )
        attachment.file.save(BUDGET_FILE_NAME, ContentFile(data), save=False)
        attachment.save()
        self.created["attachments"] += 1

    @staticmethod
    def event(application, when, **fields):
        event = ApplicationEvent.objects.create(application=application, **fields)
        ApplicationEvent.objects.filter(pk=event.pk).update(created_at=when)
        return event

    # ------------------------------------------------------------------ jury

    def load_juries(self):
        specs = {}
        for spec in content.APPLICATIONS:
            if spec.get("reviews") or spec.get("conflict"):
                specs.setdefault(spec["call"], []).append(spec)
        jurors = [self.users[email] for email in JUROR_EMAILS]
        for slug, call_specs in specs.items():
            call = self.calls[slug]
            call_jury, created = CallJury.objects.get_or_create(call=call)
            self.created["juries"] += int(created)
            call_jury.members.add(*jurors)
            criteria = list(call.criteria.order_by("sort_order", "pk"))
            by_title = {spec["title"]: spec for spec in call_specs}
            applications = Application.objects.filter(call=call, status__in=REVIEWABLE).order_by("submitted_at")
            for application in applications:
                assigned_at = self.assign(application, jurors)
                spec = by_title.get(application.title, {})
                for email, review in spec.get("reviews", {}).items():
                    self.review(application, self.users[email], criteria, review, assigned_at)
                for email, note in spec.get("conflict", {}).items():
                    self.declare_conflict(application, self.users[email], note, assigned_at)

    def assign(self, application, jurors):
        """Both jurors assigned the day after the application was found eligible; returns that moment."""
        eligible = application.events.filter(to_status=S.ELIGIBLE).order_by("created_at", "pk").first()
        assigned_at = (eligible.created_at if eligible else self.now) + timedelta(hours=20)
        assigned_at = min(assigned_at, self.now - timedelta(minutes=1))
        for juror in jurors:
            latest = application.events.order_by("-pk").values_list("pk", flat=True).first() or 0
            assignment, created = workflow.assign(application, juror, by=self.staff)
            if created:
                JuryAssignment.objects.filter(pk=assignment.pk).update(assigned_at=assigned_at)
                application.events.filter(pk__gt=latest).update(created_at=assigned_at)
                self.created["jury assignments"] += 1
        return assigned_at

    def next_decision(self, application, after):
        """When staff decided after the jury's work (shortlist, laureate, not selected), or None."""
        event = (
            application.events.filter(created_at__gt=after, to_status__in=[s for s in DECISIONS if s != S.ELIGIBLE])
            .order_by("created_at")
            .first()
        )
        return event.created_at if event else None

    def review(self, application, juror, criteria, review, assigned_at):
        scores, comment, coup_de_coeur, submitted = review
        if Review.objects.filter(application=application, juror=juror).exists():
            return
        raw = {str(c.pk): score for c, score in zip(criteria, scores, strict=False) if score is not None}
        decided = self.next_decision(application, assigned_at)
        end = decided or self.now
        submitted_at = assigned_at + (end - assigned_at) * (0.4 if juror.email == JUROR_EMAILS[0] else 0.6)
        Review.objects.create(
            application=application,
            juror=juror,
            scores=jury.clean_scores(criteria, raw, complete=submitted),
            comment=comment,
            coup_de_coeur=coup_de_coeur,
            submitted_at=submitted_at if submitted else None,
        )
        self.created["reviews"] += 1

    def declare_conflict(self, application, juror, note, assigned_at):
        assignment = JuryAssignment.objects.get(application=application, juror=juror)
        if assignment.conflict_of_interest:
            return
        latest = application.events.order_by("-pk").values_list("pk", flat=True).first() or 0
        jury.declare_conflict(assignment, note)
        declared_at = min(assigned_at + timedelta(hours=5), self.now - timedelta(minutes=1))
        JuryAssignment.objects.filter(pk=assignment.pk).update(conflict_declared_at=declared_at)
        application.events.filter(pk__gt=latest).update(created_at=declared_at)
        self.created["conflicts of interest"] += 1

    # ------------------------------------------------------------------ laureates and campaigns

    def link_campaigns(self):
        """Laureates that became demo campaigns: the application names its campaign, and its
        applicant may edit that page (as after `promotion.promote`)."""
        for spec in content.APPLICATIONS:
            slug = spec.get("campaign")
            if slug is None:
                continue
            call = self.calls[spec["call"]]
            campaign = self.loader.campaigns[slug]
            if campaign.source_call_id != call.pk:
                raise ValueError(f"The demo campaign {slug!r} does not come from the call {call.slug!r}")
            application = Application.objects.filter(call=call, title=spec["title"]).first()
            if application is None or not promotion.can_promote(application):
                continue  # staff changed the demo's decision meanwhile: leave it as it is
            if application.campaign_id is None:
                application.campaign = campaign
                application.save(update_fields=["campaign"])
                laureate = application.events.filter(to_status=S.LAUREATE).order_by("-created_at").first()
                when = min(laureate.created_at + timedelta(days=6), campaign.start_at - timedelta(days=7))
                self.event(
                    application,
                    when,
                    from_status=S.LAUREATE,
                    to_status=S.LAUREATE,
                    actor=self.staff,
                    note=f"Collecte créée à partir de la candidature : « {campaign.title} ».",
                )
                self.created["campaigns linked"] += 1
            promotion.grant_edit_rights(application.applicant, campaign)
