"""`load_demo_data`: complete, coherent and idempotent (a second run adds nothing).

It needs neither the test factories (factory-boy, wagtail-factories: test-only dependencies)
nor port 8000: the default site and the printed URLs follow WAGTAILADMIN_BASE_URL.
"""

import os
import re
import subprocess
import sys
import textwrap
from datetime import timedelta
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import GroupPagePermission, Locale, Page, Revision, Site, WorkflowPage

from applications import jury, promotion, ranking, results, services
from applications.blocks import ApplicationFormBlock
from applications.models import (
    Application,
    ApplicationEvent,
    ApplicationVersion,
    Attachment,
    CallJury,
    JuryAssignment,
    ReferenceCounter,
    Review,
)
from applications.status import DECISIONS, REVIEWABLE, ApplicationStatus
from calls.models import CallForProjectsPage, CallPartner, EvaluationCriterion
from coupdepouce.editorial import CAMPAIGN_WORKFLOW, COMMUNICATION_GROUP, VALIDATION_GROUP
from coupdepouce.models import PlatformSettings
from demo import content
from demo.applications import APPLICANT_EMAIL, APPLICANT_EMAILS, JUROR_EMAILS
from demo.community import ACCOUNTABLE_CAMPAIGN, HOLDER_CAMPAIGN, HOLDER_EMAIL
from demo.loader import ADMIN_EMAIL, COMMUNICATION_EMAIL, DEMO_PASSWORD
from follows.models import Follow, UpdateAnnouncement, UpdateDelivery
from holders import services as holders
from holders.models import CampaignHolder
from home.models import HomeFeature, HomePage, StandardPage
from offers.models import HelpOffer
from payments import ledger, rules
from payments.models import Pledge
from projects.models import (
    BudgetLine,
    CampaignFAQ,
    CampaignPage,
    CampaignUpdatePage,
    InKindNeed,
    Milestone,
    ProjectIndexPage,
    RewardTier,
    StretchGoal,
    Territory,
)
from questions.models import Question
from receipts.models import Beneficiary, Receipt, ReceiptEvent
from themes.models import ThemePage

PROJECT_ROOT = Path(django_settings.BASE_DIR)

COUNTED_MODELS = [
    Page,
    CampaignPage,
    CampaignUpdatePage,
    ThemePage,
    CallForProjectsPage,
    StandardPage,
    Pledge,
    RewardTier,
    StretchGoal,
    InKindNeed,
    CampaignFAQ,
    EvaluationCriterion,
    CallPartner,
    get_image_model(),
    Territory,
    HomeFeature,
    get_user_model(),
    Site,
    Locale,
    PlatformSettings,
    WorkflowPage,
    Revision,
    Application,
    ApplicationVersion,
    ApplicationEvent,
    Attachment,
    CallJury,
    JuryAssignment,
    Review,
    ReferenceCounter,
    EmailAddress,
    Group,
    GroupPagePermission,
    CampaignHolder,
    HelpOffer,
    Question,
    Follow,
    Milestone,
    BudgetLine,
    UpdateAnnouncement,
    UpdateDelivery,
    Beneficiary,
    Receipt,
]


@pytest.fixture(autouse=True)
def private_storage(tmp_path, monkeypatch):
    """Attachments go to a temporary folder (the field's storage is built once, at import)."""
    storage = FileSystemStorage(location=tmp_path / "private")
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", storage)
    return storage


def counts():
    return {model.__name__: model.objects.count() for model in COUNTED_MODELS}


def contrast_with_white(hex_colour):
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(hex_colour[i : i + 2], 16)) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 1.05 / (luminance + 0.05)


@pytest.mark.django_db
def test_load_demo_data_twice(private_storage):
    """One test: the loader takes a few seconds, so it runs twice here and every check follows."""
    call_command("load_demo_data", "--quiet", "--allow-production")
    demo = counts()
    delivery = sorted(RewardTier.objects.values_list("pk", "delivery_status"))
    call_command("load_demo_data", "--quiet", "--allow-production")
    assert counts() == demo
    assert sorted(RewardTier.objects.values_list("pk", "delivery_status")) == delivery
    # The fictional applicants were sent nothing (no acknowledgement, no decision email).
    assert not [m for m in mail.outbox if set(m.to) & set(APPLICANT_EMAILS + JUROR_EMAILS)]
    assert demo["Page"] >= 40
    assert demo["CampaignPage"] >= 12
    assert demo["Pledge"] >= 500
    assert demo["RewardTier"] >= 30
    assert demo["Image"] >= 20
    assert demo["Territory"] >= 10
    assert demo["HomeFeature"] >= 4
    assert demo["User"] >= 2
    check_site_root_is_the_french_home_and_the_welcome_page_is_gone()
    check_campaigns_cover_every_status_within_the_rules()
    check_pledges_and_rewards()
    check_themes_have_dark_colours_and_images()
    check_calls_open_and_closed()
    check_english_versions()
    check_accounts_workflow_and_search()
    check_open_call_form()
    check_applications_in_every_status(private_storage)
    check_jury_reviews_and_conflict()
    check_closed_call_laureates_and_campaign()
    check_demo_applicants_and_jurors_sign_in()
    check_project_holder_account()
    check_help_offers_questions_and_followers()
    check_accountability_of_a_funded_campaign()
    check_tax_receipts()


def check_site_root_is_the_french_home_and_the_welcome_page_is_gone():
    site = Site.objects.get(is_default_site=True)
    assert Site.objects.count() == 1
    # The test settings' WAGTAILADMIN_BASE_URL (http://127.0.0.1:8000 unless the environment sets it).
    base_url = urlsplit(django_settings.WAGTAILADMIN_BASE_URL)
    assert (site.hostname, site.port) == (base_url.hostname, base_url.port or 80)
    root = site.root_page.specific
    assert isinstance(root, HomePage)
    assert root.locale.language_code == "fr"
    assert not Page.objects.filter(depth=2, title__startswith="Welcome").exists()
    assert [f.page.specific_class.__name__ for f in root.features.order_by("sort_order")] == [
        "CampaignPage",
        "ThemePage",
        "CallForProjectsPage",
        "StandardPage",
    ]
    assert any(f.title and f.teaser for f in root.features.all())
    # The published revision carries the features, so editing the home page keeps them.
    assert root.get_latest_revision_as_object().features.count() == 4
    settings = PlatformSettings.for_site(site)
    assert (settings.commission_rate, settings.max_goal, settings.overfunding_cap_percent) == (7, 20_000, 200)
    assert settings.max_campaign_days == 90


def check_campaigns_cover_every_status_within_the_rules():
    campaigns = list(ledger.with_figures(CampaignPage.objects.filter(locale__language_code="fr")))
    figures = [c.figures for c in campaigns]
    statuses = {f.status for f in figures}
    assert statuses == {"upcoming", "live", "succeeded", "failed"}
    assert any(f.status == "succeeded" and f.percent > 100 for f in figures)
    assert any(f.status == "failed" and 0 < f.percent < 100 for f in figures)
    assert any(f.percent == 100 and f.raised_cents == f.goal_cents for f in figures)
    assert len({f.percent for f in figures if f.status == "live"}) >= 4
    assert sum(1 for f in figures if f.status == "live" and f.days_left <= 3) >= 2
    for campaign in campaigns:
        assert campaign.goal <= 20_000
        assert campaign.end_at - campaign.start_at <= timedelta(days=90)
        assert campaign.themes.exists() and campaign.territory and campaign.hero_image
        assert campaign.rewards.exists()
        assert campaign.raised_cents <= 2 * campaign.goal_cents
    kinds = {c.holder_kind for c in campaigns}
    assert kinds == {"individual", "association", "company", "collectivite"}
    assert any(c.funding_model == "keep_it_all" for c in campaigns)
    assert any(c.tax_deductible for c in campaigns)
    assert any(c.source_call_id for c in campaigns)
    kfe = next(c for c in campaigns if c.slug == "kfe-du-33")
    assert kfe.goal == 6000
    assert {n.kind for n in kfe.needs.all()} >= {"volunteering", "skills", "equipment"}
    assert CampaignUpdatePage.objects.live().count() >= 4


def check_pledges_and_rewards():
    rewards = list(ledger.rewards_with_stock(RewardTier.objects.all()))
    assert any(r.sold_out for r in rewards)
    # No reward is oversold.
    assert all(r.stock is None or r.reserved <= r.stock for r in rewards)
    assert Pledge.objects.filter(anonymous=True).exists()
    assert Pledge.objects.exclude(source=Pledge.Source.ONLINE).filter(status="paid").exists()
    assert set(Pledge.objects.values_list("status", flat=True)) <= {"committed", "paid"}
    assert not Pledge.objects.filter(campaign__start_at__gt=timezone.now()).exists()


def check_themes_have_dark_colours_and_images():
    themes = ThemePage.objects.filter(locale__language_code="fr")
    assert themes.count() == 6
    assert len({t.pictogram for t in themes}) == 6
    for theme in themes:
        assert contrast_with_white(theme.colour) >= 4.5, theme.title
        assert theme.image and theme.image.title
        assert theme.body


def check_calls_open_and_closed():
    statuses = {c.status for c in CallForProjectsPage.objects.live()}
    assert statuses == {"open", "closed"}
    for call in CallForProjectsPage.objects.all():
        assert call.criteria.count() >= 3 and call.partners.exists() and call.themes.exists()
    closed = next(c for c in CallForProjectsPage.objects.all() if c.status == "closed")
    assert CampaignPage.objects.filter(source_call=closed).count() >= 1
    # Round times in Paris, as an officer sets them, not the time the demo was loaded.
    for call in CallForProjectsPage.objects.all():
        assert timezone.localtime(call.opens_at).strftime("%H:%M:%S") == "09:00:00"
        assert timezone.localtime(call.closes_at).strftime("%H:%M:%S") == "23:59:00"


def check_english_versions():
    en = Locale.objects.get(language_code="en")
    home_en = HomePage.objects.get(locale=en)
    assert home_en.live and home_en.get_parent().is_root()
    assert home_en.translation_key == Site.objects.get(is_default_site=True).root_page.translation_key
    theme_en = ThemePage.objects.get(locale=en)
    assert theme_en.live and theme_en.get_parent().get_parent().specific == home_en
    campaign_en = CampaignPage.objects.get(locale=en)
    assert campaign_en.live and campaign_en.get_parent().specific == ProjectIndexPage.objects.get(locale=en)
    assert campaign_en.title != campaign_en.get_translation(Locale.objects.get(language_code="fr")).title
    assert campaign_en.rewards.count() == 5
    assert set(campaign_en.rewards.values_list("locale", flat=True)) == {en.pk}
    assert campaign_en.rewards.get(sort_order=0).title == "A fair-trade coffee"
    assert campaign_en.territory.locale == en
    # Figures aggregate over translations: the English page shows the French page's pledges.
    assert campaign_en.figures.raised_cents > 0
    assert Territory.objects.filter(locale=en).count() == Territory.objects.filter(locale__language_code="fr").count()


def check_accounts_workflow_and_search():
    User = get_user_model()
    assert (ADMIN_EMAIL, COMMUNICATION_EMAIL) == ("admin@example.org", "communication@example.org")
    assert DEMO_PASSWORD == "coupdepouce-demo"  # noqa: S105 — documented in the README
    admin = User.objects.get(email="admin@example.org")
    assert admin.is_superuser and admin.is_staff and admin.check_password("coupdepouce-demo")
    assert admin.full_name == "Admin Démo"
    officer = User.objects.get(email="communication@example.org")
    assert officer.check_password("coupdepouce-demo") and not officer.is_superuser
    assert officer.full_name == "Nadia Lemaire"
    assert set(officer.groups.values_list("name", flat=True)) == {COMMUNICATION_GROUP}
    validator = User.objects.get(email="validation@example.org")
    assert set(validator.groups.values_list("name", flat=True)) == {VALIDATION_GROUP}
    project_index = ProjectIndexPage.objects.get(locale__language_code="fr")
    assert project_index.get_workflow().name == CAMPAIGN_WORKFLOW
    statement = str(StandardPage.objects.get(slug="accessibilite").body)
    assert "partiellement conforme" in statement and "Défenseur des droits" in statement
    assert CampaignPage.objects.live().search("AMAP").count() >= 1


def open_call():
    return CallForProjectsPage.objects.get(slug="makers-economie-circulaire", locale__language_code="fr")


def check_open_call_form():
    call = open_call()
    assert call.status == "open"
    blocks = {block.block_type: block for block in call.application_form}
    assert set(blocks) == set(ApplicationFormBlock.base_blocks)  # every kind of question
    assert blocks["long_text"].value["label"] == "Décrivez votre projet"
    assert blocks["long_text"].value["max_length"] == 2000
    assert (blocks["file"].value["allowed_types"], blocks["file"].value["max_size_mb"]) == (["pdf"], 5)
    assert blocks["consent"].value["label"].startswith("J'accepte que mes données soient traitées")
    assert len(blocks["single_choice"].value["choices"]) >= 3
    assert len(blocks["multiple_choice"].value["choices"]) >= 3
    assert call.criteria.count() >= 3
    # The published revision carries the form: editing the call in the admin keeps it.
    assert len(call.get_latest_revision_as_object().application_form) == len(call.application_form)


def check_applications_in_every_status(private_storage):
    call = open_call()
    applications = list(Application.objects.filter(call=call))
    assert {a.status for a in applications} == set(ApplicationStatus.values)
    references = []
    for application in Application.objects.exclude(status=ApplicationStatus.DRAFT).select_related("call"):
        assert re.fullmatch(r"AAP-\d{4}-\d{4}", application.reference), application.title
        references.append(application.reference)
        assert application.submitted_at and application.versions.count() == 1
        assert application.versions.get().data["reference"] == application.reference
        # Nothing a submission needs is missing, and every answer fits its question.
        assert services.missing_answers(application) == {}, application.title
        for block in services.questions(application.call):
            answer = application.answers.get(block.id)
            if answer is not None:
                block.block.form_field(block.value).clean(services.answer_from_json(block.block_type, answer))
        events = list(application.events.order_by("created_at", "pk"))
        assert [e.to_status for e in events if e.to_status][:2] == ["draft", "submitted"]
        assert events[-1].created_at <= timezone.now()
        if application.status in DECISIONS:
            decision = (
                application.events.filter(to_status=application.status).exclude(from_status=application.status).get()
            )
            assert decision.message and decision.actor.groups.filter(name=COMMUNICATION_GROUP).exists()
    # References from the counter: one per submitted application, numbered without a gap.
    assert len(set(references)) == len(references)
    for counter in ReferenceCounter.objects.all():
        numbers = sorted(int(r[-4:]) for r in references if r.startswith(f"AAP-{counter.year}-"))
        assert numbers == list(range(1, counter.last + 1))
    draft = next(a for a in applications if a.status == ApplicationStatus.DRAFT)
    assert draft.reference is None and not draft.versions.exists()
    ineligible = next(a for a in applications if a.status == ApplicationStatus.INELIGIBLE)
    assert ineligible.eligibility_reason
    # PDF budgets in the private storage, recognised as PDF by their content.
    attachments = list(Attachment.objects.all())
    assert len(attachments) >= 2
    for attachment in attachments:
        assert attachment.file.storage is private_storage and private_storage.exists(attachment.file.name)
        with attachment.file.open("rb") as handle:
            assert services.detect_content_type(handle) == "application/pdf"
        assert attachment.size == attachment.file.size
        assert attachment.question in {
            b.id for b in services.questions(attachment.application.call) if b.block_type == "file"
        }


def check_jury_reviews_and_conflict():
    User = get_user_model()
    call = open_call()
    jure, jure2 = (User.objects.get(email=email) for email in ("jure@example.org", "jure2@example.org"))
    assert set(CallJury.objects.get(call=call).members.all()) == {jure, jure2}
    criteria = {str(c.pk) for c in call.criteria.all()}
    for juror in (jure, jure2):
        submitted = Review.objects.filter(juror=juror, submitted_at__isnull=False)
        assert submitted.count() >= 2
        for review in submitted:
            assert set(review.scores) == criteria and review.comment
    assert not JuryAssignment.objects.exclude(application__status__in=REVIEWABLE).exists()
    for status in (ApplicationStatus.ELIGIBLE, ApplicationStatus.SHORTLISTED, ApplicationStatus.LAUREATE):
        assert JuryAssignment.objects.filter(application__call=call, application__status=status).exists()
    conflict = JuryAssignment.objects.get(conflict_of_interest=True)
    assert conflict.juror == jure2 and conflict.conflict_note and conflict.conflict_declared_at
    assert conflict.application not in [a.application for a in jury.assignments_for(jure2)]
    # jure2 still has an application to score; jure has a draft review.
    assert any(jury.review_of(a) is None for a in jury.assignments_for(jure2))
    assert Review.objects.filter(juror=jure, submitted_at__isnull=True).exists()
    # The ranking puts the laureate first and the application not selected last among the scored.
    ranked = [r for r in ranking.rank(call, Application.objects.filter(call=call, status__in=REVIEWABLE)) if r.reviews]
    assert ranked[0].application.status == ApplicationStatus.LAUREATE
    assert ranked[-1].application.status == ApplicationStatus.NOT_SELECTED


def check_closed_call_laureates_and_campaign():
    closed = CallForProjectsPage.objects.get(slug="quartiers-a-vivre-2025")
    assert closed.status == "closed" and closed.results_published
    assert closed.get_latest_revision_as_object().results_published
    laureates = results.laureates(closed)
    assert len(laureates) >= 2
    linked = [a for a in laureates if a.campaign_id]
    assert linked and all(a.campaign.source_call_id == closed.pk for a in linked)
    assert all(a.public_campaign is not None for a in linked)
    assert any(a.campaign_id is None for a in laureates)  # staff can still turn one into a campaign
    assert not Application.objects.filter(call=open_call(), campaign__isnull=False).exists()
    response = Client().get(closed.url)
    assert response.status_code == 200
    page = response.content.decode()
    for application in laureates:
        assert application.title in page
    assert linked[0].campaign.url in page
    # The applicant of the linked laureate finds the campaign in their space, and may edit it.
    campaigns = promotion.campaigns_for(linked[0].applicant)
    assert linked[0].campaign in [c.campaign for c in campaigns]
    assert linked[0].campaign.permissions_for_user(linked[0].applicant).can_edit()


def check_demo_applicants_and_jurors_sign_in():
    User = get_user_model()
    for email in APPLICANT_EMAILS + JUROR_EMAILS:
        user = User.objects.get(email=email)
        assert user.full_name and not user.is_staff
        assert EmailAddress.objects.filter(user=user, email=email, verified=True, primary=True).exists()
        assert Client().login(email=email, password=DEMO_PASSWORD), email
    assert APPLICANT_EMAIL == "candidat@example.org"
    assert User.objects.get(email="candidat@example.org").full_name == "Camille Martin"
    assert User.objects.get(email="jure@example.org").full_name == "Jules Bernard"
    assert User.objects.get(email="jure2@example.org").full_name == "Inès Moreau"
    # Through allauth's sign-in form (email verification is mandatory), then their spaces.
    client = Client()
    response = client.post(reverse("account_login"), {"login": APPLICANT_EMAIL, "password": DEMO_PASSWORD})
    assert response.status_code == 302 and "confirm" not in response["Location"]
    response = client.get("/espace/candidatures/")
    assert response.status_code == 200
    for application in Application.objects.filter(applicant__email=APPLICANT_EMAIL):
        assert application.title in response.content.decode()
    client = Client()
    client.login(email="jure@example.org", password=DEMO_PASSWORD)
    response = client.get("/espace/jury/")
    assert response.status_code == 200
    for assignment in jury.assignments_for(User.objects.get(email="jure@example.org")):
        assert assignment.application.title in response.content.decode()


def check_project_holder_account():
    User = get_user_model()
    holder = User.objects.get(email=HOLDER_EMAIL)
    assert HOLDER_EMAIL == "porteur@example.org"
    assert holder.full_name == "Alexis Fontaine" and not holder.is_superuser
    assert EmailAddress.objects.filter(user=holder, email=HOLDER_EMAIL, verified=True, primary=True).exists()
    assert Client().login(email=HOLDER_EMAIL, password=DEMO_PASSWORD)
    campaign = CampaignPage.objects.get(slug=HOLDER_CAMPAIGN, locale__language_code="fr")
    assert campaign.live and campaign.figures.status == "live"
    assert holders.is_holder(holder, campaign)
    assert list(CampaignHolder.objects.filter(user=holder).values_list("campaign", flat=True)) == [campaign.pk]
    # The English translation is held too, and the rights are those of a holder: edit, never publish.
    english = campaign.get_translation_or_none(Locale.objects.get(language_code="en"))
    assert english is not None and holders.is_holder(holder, english)
    permissions = campaign.permissions_for_user(holder)
    assert permissions.can_edit() and not permissions.can_publish()
    other = CampaignPage.objects.exclude(translation_key=campaign.translation_key).first()
    assert not other.permissions_for_user(holder).can_edit()
    assert HOLDER_EMAIL in holders.notify_emails(campaign)


def check_help_offers_questions_and_followers():
    campaign = CampaignPage.objects.get(slug=HOLDER_CAMPAIGN, locale__language_code="fr")
    offers = HelpOffer.objects.filter(campaign=campaign)
    statuses = set(offers.values_list("status", flat=True))
    assert statuses == {"accepted", "pending", "declined"}
    needs = {need.translation_key: need for need in campaign.needs.all()}
    for offer in HelpOffer.objects.select_related("need"):
        # Each offer answers a need of its campaign, as the form would have recorded it.
        assert offer.need.page_id == offer.campaign_id and offer.need_key == offer.need.translation_key
        assert offer.need_label == offer.need.description and offer.language == "fr"
        if offer.status == "pending":
            assert offer.decided_at is None and offer.estimated_value_cents is None
        else:
            assert offer.decided_at and offer.decided_by and offer.response
    accepted = offers.filter(status="accepted")
    assert accepted.count() >= 3 and all(o.estimated_value_cents > 0 for o in accepted)
    assert not offers.filter(status="declined", estimated_value_cents__isnull=False).exists()
    # Some needs are partly met, none more than asked.
    for key, need in needs.items():
        taken = sum(o.quantity for o in accepted if o.need_key == key)
        assert taken <= need.quantity, need.description
    assert any(0 < sum(o.quantity for o in accepted if o.need_key == k) < n.quantity for k, n in needs.items())
    funded = CampaignPage.objects.get(slug=ACCOUNTABLE_CAMPAIGN, locale__language_code="fr")
    assert HelpOffer.objects.filter(campaign=funded, status="accepted").exists()

    questions = Question.objects.filter(campaign=campaign)
    published = questions.filter(status="published")
    assert published.count() >= 2 and all(q.answer and q.answered_at and q.moderated_by for q in published)
    assert questions.filter(status="pending", answer="", moderated_at__isnull=True).exists()
    assert all(q.created_at < timezone.now() - timedelta(hours=1) for q in questions)

    follows = Follow.objects.filter(campaign_key=campaign.translation_key)
    assert follows.filter(status="confirmed", confirmed_at__isnull=False).count() >= 3
    assert follows.filter(status="pending", confirmed_at__isnull=True).exists()
    upcoming = [c for c in CampaignPage.objects.filter(locale__language_code="fr") if c.figures.status == "upcoming"]
    assert Follow.objects.filter(
        campaign__in=upcoming, notify_launch=True, status="confirmed", launch_notified_at__isnull=True
    ).exists()
    # The fictional people of the community content, and the backers, were sent nothing: the demo's
    # updates are marked as announced before they are published (no update email fan-out).
    update_keys = set(CampaignUpdatePage.objects.values_list("translation_key", flat=True))
    assert set(UpdateAnnouncement.objects.values_list("update_key", flat=True)) == update_keys
    assert not UpdateDelivery.objects.exists()
    people = set(Pledge.objects.exclude(backer_email="").values_list("backer_email", flat=True))
    people |= set(HelpOffer.objects.values_list("email", flat=True))
    people |= set(Question.objects.values_list("author_email", flat=True))
    people |= set(Follow.objects.values_list("email", flat=True))
    assert not [m for m in mail.outbox if set(m.to) & people]


def check_accountability_of_a_funded_campaign():
    campaign = CampaignPage.objects.get(slug=ACCOUNTABLE_CAMPAIGN, locale__language_code="fr")
    assert campaign.figures.status == "succeeded"
    milestones = list(campaign.milestones.order_by("sort_order"))
    assert len(milestones) == len(content.ACCOUNTABILITY["milestones"])
    assert {m.status for m in milestones} >= {"done", "late", "planned"}
    assert all(m.done_on for m in milestones if m.status == "done")
    assert not any(m.done_on for m in milestones if m.status != "done")
    lines = list(campaign.budget_lines.order_by("sort_order"))
    # Everything raised is announced; some is spent, a little over or under each line.
    assert sum(line.announced for line in lines) == campaign.figures.raised_cents // 100
    assert any(line.spent is None for line in lines)
    assert any(line.spent and line.spent > line.announced for line in lines)
    assert sum(line.spent or 0 for line in lines) < sum(line.announced for line in lines)
    assert {r.delivery_status for r in campaign.rewards.all()} == {"delivered", "in_progress", "not_started"}
    # The published revision carries them, so editing the page in the admin keeps them.
    revision = campaign.get_latest_revision_as_object()
    assert revision.milestones.count() == len(milestones) and revision.budget_lines.count() == len(lines)
    assert {r.delivery_status for r in revision.rewards.all()} == {"delivered", "in_progress", "not_started"}
    assert not campaign.has_unpublished_changes


@pytest.mark.django_db
def test_refuses_to_run_with_debug_off_unless_allowed(settings):
    """Demo accounts have a published password: never created on a production site by mistake."""
    from django.core.management.base import CommandError

    settings.DEBUG = False
    pages_before = Page.objects.count()
    with pytest.raises(CommandError, match="--allow-production"):
        call_command("load_demo_data", "--quiet")
    assert Page.objects.count() == pages_before
    assert not get_user_model().objects.filter(email="admin@example.org").exists()


@pytest.mark.django_db
@override_settings(WAGTAILADMIN_BASE_URL="http://127.0.0.1:8730")
def test_site_and_printed_urls_follow_the_base_url():
    """`PORT=8730 make run`: the default site and the banner use port 8730, never 8000."""
    out = StringIO()
    call_command("load_demo_data", "--allow-production", stdout=out)
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("127.0.0.1", 8730)
    assert site.root_page.specific_class is HomePage
    output = out.getvalue()
    assert "http://127.0.0.1:8730/admin/" in output
    assert "admin@example.org" in output and "communication@example.org" in output
    assert "http://127.0.0.1:8730/espace/candidatures/" in output and "candidat@example.org" in output
    assert "http://127.0.0.1:8730/espace/jury/" in output and "jure2@example.org" in output
    assert "8000" not in output

    assert "http://127.0.0.1:8730/espace/projets/" in output and "porteur@example.org" in output

    # Running again with another port moves the site there; nothing else is added.
    out = StringIO()
    with override_settings(WAGTAILADMIN_BASE_URL="http://localhost:8731/"):
        call_command("load_demo_data", "--allow-production", stdout=out)
    site = Site.objects.get(is_default_site=True)
    assert (Site.objects.count(), site.hostname, site.port) == (1, "localhost", 8731)
    assert "nothing (already loaded)" in out.getvalue() and "http://localhost:8731/admin/" in out.getvalue()


# One interpreter with the test factories unimportable (`import factory` raises ImportError):
# migrate a fresh database, then load the demo content.
WITHOUT_FACTORIES = textwrap.dedent(
    """
    import sys

    for name in ("factory", "wagtail_factories", "tests.factories"):
        sys.modules[name] = None

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_demo_data", "--allow-production")
    assert not any(sys.modules.get(name) for name in ("factory", "wagtail_factories")), "factories imported"
    """
)


def test_load_demo_data_runs_without_the_test_factories(tmp_path):
    """factory-boy and wagtail-factories are test-only: the demo content must not need them."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "coupdepouce.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
        "WAGTAILADMIN_BASE_URL": "http://127.0.0.1:8730",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    result = subprocess.run(  # noqa: S603 — our own interpreter and code
        [sys.executable, "-c", WITHOUT_FACTORIES],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"migrate + load_demo_data failed:\n{result.stdout}\n{result.stderr}"
    output = result.stdout
    assert "Demo data loaded" in output
    assert re.search(r"pledges: [1-9]", output)
    assert "http://127.0.0.1:8730/admin/ — admin@example.org / coupdepouce-demo" in output


def test_no_test_factories_outside_tests():
    """Only tests/ may import factory-boy or wagtail-factories (they are in requirements-test.txt)."""
    pattern = re.compile(r"^\s*(from|import)\s+(factory|wagtail_factories|tests\.factories)\b", re.MULTILINE)
    offenders = [
        str(path.relative_to(PROJECT_ROOT))
        for path in PROJECT_ROOT.rglob("*.py")
        if not {"tests", ".venv", "node_modules"} & set(path.relative_to(PROJECT_ROOT).parts)
        and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    runtime = (PROJECT_ROOT / "requirements.txt").read_text()
    assert "factory" not in runtime.lower()


def check_tax_receipts():
    """Two beneficiaries (the town, the Kfé's association), their campaigns offer receipts, every
    reward there has a value, and paid pledges that asked for one have their receipt, numbered
    from 1 per beneficiary; nobody was emailed a receipt."""
    town = Beneficiary.objects.get(legal_name="Ville de Beaupré-sur-Loire")
    kfe = Beneficiary.objects.get(legal_name="Association Le Kfé du 33")
    for beneficiary in (town, kfe):
        beneficiary.full_clean()
        assert beneficiary.can_issue
    assert (town.legal_ground, town.signatory_title, bool(town.siren)) == ("local_authority", "Maire", True)
    assert (kfe.legal_ground, bool(kfe.rna)) == ("general_interest", True)
    offering = {c.slug: c for c in CampaignPage.objects.filter(locale__language_code="fr") if c.offers_tax_receipts}
    assert set(offering) == {"kfe-du-33", "imprimante-3d-mediatheque"}
    assert offering["kfe-du-33"].beneficiary == kfe and offering["imprimante-3d-mediatheque"].beneficiary == town
    cap = PlatformSettings.for_page(offering["kfe-du-33"]).counterpart_cap * 100
    rewards = [r for c in offering.values() for r in c.rewards.all()]
    assert all(r.value_cents is not None for r in rewards)
    # Some rewards keep the receipt from their minimum, one needs more, one never does.
    assert any(rules.counterpart_allows_receipt(r.value_cents, r.min_amount_cents, cap) for r in rewards)
    assert any((rules.min_gift_for_counterpart_cents(r.value_cents, cap) or 0) > r.min_amount_cents for r in rewards)
    assert any(rules.min_gift_for_counterpart_cents(r.value_cents, cap) is None for r in rewards)
    receipts = list(Receipt.objects.select_related("pledge"))
    by_beneficiary = {b: sorted(r.number for r in receipts if r.beneficiary_id == b.pk) for b in (town, kfe)}
    assert by_beneficiary[town] == list(range(1, 7))
    assert by_beneficiary[kfe] == [1]
    for receipt in receipts:
        pledge = receipt.pledge
        assert receipt.status == Receipt.Status.ISSUED
        assert pledge.status == "paid" and pledge.wants_receipt and pledge.donor_street and pledge.paid_at
        assert receipt.amount_cents == pledge.amount_cents
        assert rules.gift_keeps_receipt(pledge.reward, pledge.amount_cents, cap)
    assert {r.donor_name for r in receipts if r.beneficiary_id == kfe.pk} == {"Mme Josiane Perrin"}
    # Loading the demo emailed nobody a receipt.
    assert not [r for r in receipts if r.emailed_at]
    assert not ReceiptEvent.objects.filter(action="emailed").exists()
    assert not [m for m in mail.outbox if m.attachments]
