"""What citizens and holders do around the demo campaigns: a holder account, help in kind,
questions, followers, and the accountability of a funded campaign.

- `porteur@example.org` (Alexis Fontaine) holds the live campaign "Le Kfé du 33", with the
  rights `holders.services.add_holder` gives (edit the campaign and add updates, never publish).
- In-kind offers on the needs of a few campaigns: accepted ones (with an estimated value),
  pending ones still to answer, a declined one.
- Questions: published ones with their answer, one still held for moderation.
- Followers: confirmed ones, one awaiting confirmation, a launch alert on an upcoming campaign.
- On the succeeded "tables de pique-nique" campaign: milestones, budget lines (announced vs
  spent) and the delivery status of each reward ("Où en est le projet ?").

The offers, questions and follows are plain rows in the state they would have reached: the
apps' services (`offers.services.accept`, `questions.services.answer`, the follow request)
email the people concerned, and the demo's people are fictional, so nothing is sent (as in
`demo.applications`). Each kind of row is only added to a campaign that has none.
"""

from __future__ import annotations

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone

from demo import content
from follows import services as follow_services
from follows.models import Follow
from holders.services import add_holder
from offers.models import HelpOffer
from projects.models import BudgetLine, CampaignPage, Milestone
from questions.models import Question

HOLDER_EMAIL = "porteur@example.org"
HOLDER_FULL_NAME = "Alexis Fontaine"
HOLDER_CAMPAIGN = "kfe-du-33"
ACCOUNTABLE_CAMPAIGN = "tables-de-pique-nique-parc-victor-hugo"


def load_community(loader, password):
    """Add the community content to the campaigns of `loader` (a `demo.loader.DemoLoader`)."""
    campaigns = loader.campaigns
    holder = holder_account(loader, password)
    kfe = campaigns[HOLDER_CAMPAIGN]
    if not kfe.holders.filter(user=holder).exists():
        add_holder(holder, kfe, by=loader.admin)
        loader.created["holders"] += 1
    for slug, offers in content.HELP_OFFERS.items():
        help_offers(loader, campaigns[slug], offers, decided_by=holder if slug == HOLDER_CAMPAIGN else loader.admin)
    for slug, questions in content.QUESTIONS.items():
        campaign_questions(loader, campaigns[slug], questions, holder if slug == HOLDER_CAMPAIGN else loader.admin)
    for slug, followers in content.FOLLOWERS.items():
        campaign_followers(loader, campaigns[slug], followers)
    accountability(loader, campaigns[ACCOUNTABLE_CAMPAIGN], content.ACCOUNTABILITY)


def mark_update_announced(update):
    """The demo's updates are history: publishing them emails nobody (the backers are fictional).

    `follows.services.announce_update` announces an update once, on the first publication that
    finds it not announced yet; the demo records it as announced before publishing.
    """
    follow_services.mark_announced(update)


def holder_account(loader, password):
    User = get_user_model()
    user = User.objects.filter(email__iexact=HOLDER_EMAIL).first()
    if user is None:
        user = User.objects.create_user(HOLDER_EMAIL, password, full_name=HOLDER_FULL_NAME)
        loader.created["users"] += 1
    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user


def _ago(loader, days, hours=0):
    return loader.now - timedelta(days=days, hours=hours)


def _backdate(model, pk, **dates):
    """`auto_now_add` fields get the moment of creation: set the story's dates afterwards."""
    model.objects.filter(pk=pk).update(**dates)


def help_offers(loader, campaign, offers, *, decided_by):
    if HelpOffer.objects.filter(campaign=campaign).exists():
        return
    needs = list(campaign.needs.order_by("sort_order"))
    for spec in offers:
        need = needs[spec["need"]]
        status = spec["status"]
        decided = status != HelpOffer.Status.PENDING
        offer = HelpOffer.objects.create(
            campaign=campaign,
            need=need,
            need_key=need.translation_key,
            need_label=need.description,
            name=spec["name"],
            email=spec["email"],
            phone=spec.get("phone", ""),
            offer=spec["offer"],
            availability=spec.get("availability", ""),
            quantity=spec.get("quantity", 1),
            status=status,
            response=spec.get("response", ""),
            estimated_value_cents=spec.get("value", 0) * 100 or None,
            language="fr",
            decided_by=decided_by if decided else None,
            decided_at=_ago(loader, spec["days_ago"] - 1) if decided else None,
        )
        _backdate(HelpOffer, offer.pk, created_at=_ago(loader, spec["days_ago"], hours=3))
        loader.created["help offers"] += 1


def campaign_questions(loader, campaign, questions, answerer):
    if Question.objects.filter(campaign=campaign).exists():
        return
    for spec in questions:
        asked_at = _ago(loader, spec["days_ago"], hours=5)
        answered = bool(spec.get("answer"))
        published = spec["status"] == Question.Status.PUBLISHED
        question = Question.objects.create(
            campaign=campaign,
            author_name=spec["name"],
            author_email=spec["email"],
            body=spec["body"],
            language="fr",
            status=spec["status"],
            answer=spec.get("answer", ""),
            answered_by=answerer if answered else None,
            answered_at=asked_at + timedelta(hours=20) if answered else None,
            moderated_by=answerer if published else None,
            moderated_at=asked_at + timedelta(hours=20) if published else None,
        )
        _backdate(Question, question.pk, created_at=asked_at)
        loader.created["questions"] += 1


def campaign_followers(loader, campaign, followers):
    if Follow.objects.filter(campaign_key=campaign.translation_key).exists():
        return
    for email, status, days_ago, notify_launch in followers:
        confirmed = status == Follow.Status.CONFIRMED
        follow = Follow.objects.create(
            campaign=campaign,
            campaign_key=campaign.translation_key,
            email=email,
            language="fr",
            status=status,
            notify_launch=notify_launch,
            confirmed_at=_ago(loader, days_ago, hours=-1) if confirmed else None,
        )
        _backdate(Follow, follow.pk, created_at=_ago(loader, days_ago))
        loader.created["followers"] += 1


def accountability(loader, campaign, spec):
    """Milestones, budget lines and reward deliveries of a funded campaign, then publish once."""
    if campaign.milestones.exists() or campaign.budget_lines.exists():
        return
    end = timezone.localdate(campaign.end_at)
    for order, (title, description, due_days, status, done_days) in enumerate(spec["milestones"]):
        Milestone.objects.create(
            page=campaign,
            locale=campaign.locale,
            title=title,
            description=description,
            due_date=end + timedelta(days=due_days),
            status=status,
            done_on=end + timedelta(days=done_days) if done_days is not None else None,
            sort_order=order,
        )
        loader.created["milestones"] += 1
    for order, (label, announced, spent) in enumerate(spec["budget"]):
        BudgetLine.objects.create(
            page=campaign, locale=campaign.locale, label=label, announced=announced, spent=spent, sort_order=order
        )
        loader.created["budget lines"] += 1
    for reward, status in zip(campaign.rewards.order_by("sort_order"), spec["deliveries"], strict=False):
        reward.delivery_status = status
        reward.save(update_fields=["delivery_status"])
    page = CampaignPage.objects.get(pk=campaign.pk)
    page.save_revision(user=loader.admin).publish(user=loader.admin)

