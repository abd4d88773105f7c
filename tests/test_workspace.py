"""The holders' "Mon projet" (projects/workspace.py): who may open it, what it shows (figures,
links to the admin, the payout onboarding, rewards to deliver with their CSV, offers and
questions to answer), its forms (post/redirect/get, errors that keep the input, CSRF), and
its query count, the same whatever the number of backers, offers and questions.
"""

import csv
import io
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import GroupPagePermission, Locale

from applications.promotion import PromotedCampaign
from coupdepouce.editorial import ensure_campaign_workflow
from coupdepouce.money import format_euros
from holders import context_processors, services
from offers.models import HelpOffer
from payments.rules import PledgeStatus
from projects import workspace
from projects.models import CampaignPage
from projects.workspace_forms import MAX_ESTIMATED_VALUE_CENTS, euros_to_cents
from questions.models import Question
from tests.factories.applications import UserFactory
from tests.factories.offers import HelpOfferFactory
from tests.factories.projects import CampaignUpdatePageFactory, InKindNeedFactory, PledgeFactory, RewardTierFactory
from tests.factories.questions import QuestionFactory


def url(campaign):
    return reverse("projects:workspace_campaign", args=[campaign.pk])


def csv_url(campaign):
    return reverse("projects:workspace_rewards_csv", args=[campaign.pk])


def offer_url(campaign, offer):
    return reverse("projects:workspace_answer_offer", args=[campaign.pk, offer.pk])


def moderate_url(campaign, question):
    return reverse("projects:workspace_moderate_question", args=[campaign.pk, question.pk])


def answer_url(campaign, question):
    return reverse("projects:workspace_answer_question", args=[campaign.pk, question.pk])


@pytest.fixture
def campaign(make_campaign, project_index):
    ensure_campaign_workflow(project_index)
    page = make_campaign(title="Jardin des Lilas", pledges=[5000])
    RewardTierFactory(page=page, title="Un panier de légumes", min_amount=20)
    return page


@pytest.fixture
def reward(campaign):
    return campaign.rewards.get()


@pytest.fixture
def other_campaign(make_campaign):
    return make_campaign(title="Fresque du lavoir")


@pytest.fixture
def holder(campaign):
    user = UserFactory(email="porteuse@example.org")
    services.add_holder(user, campaign)
    return user


@pytest.fixture
def other_holder(other_campaign):
    user = UserFactory(email="autre@example.org")
    services.add_holder(user, other_campaign)
    return user


@pytest.fixture
def need(campaign):
    return InKindNeedFactory(page=campaign, description="Des bras pour le chantier", quantity=5)


@pytest.fixture
def offer(need):
    return HelpOfferFactory(need=need, name="Lucie Martin", email="lucie@example.org", quantity=2)


@pytest.fixture
def as_holder(client, holder):
    client.force_login(holder)
    return client


def html(response):
    return response.content.decode()


# Who may open it -----------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, campaign):
    for target in (reverse("projects:workspace"), url(campaign), csv_url(campaign)):
        response = client.get(target)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
        assert "next=" in response["Location"]


def test_another_holder_gets_a_404_everywhere(client, campaign, other_holder, offer, holder):
    question = QuestionFactory(campaign=campaign)
    client.force_login(other_holder)

    assert client.get(url(campaign)).status_code == 404
    assert client.get(csv_url(campaign)).status_code == 404
    assert client.post(offer_url(campaign, offer), {f"offer-{offer.pk}-decision": "accept"}).status_code == 404
    publish = {f"question-{question.pk}-decision": "publish"}
    assert client.post(moderate_url(campaign, question), publish).status_code == 404
    assert client.post(answer_url(campaign, question), {f"answer-{question.pk}-answer": "Oui"}).status_code == 404
    offer.refresh_from_db()
    question.refresh_from_db()
    assert offer.status == HelpOffer.Status.PENDING and question.status == Question.Status.PENDING


def test_a_signed_in_user_holding_nothing_gets_a_404(client, campaign):
    client.force_login(UserFactory())

    assert client.get(url(campaign)).status_code == 404
    response = client.get(reverse("projects:workspace"))
    assert response.status_code == 200
    assert "Jardin des Lilas" not in html(response)


def test_rows_of_another_campaign_are_not_reachable_through_mine(as_holder, campaign, other_campaign):
    foreign_need = InKindNeedFactory(page=other_campaign)
    foreign_offer = HelpOfferFactory(need=foreign_need)
    foreign_question = QuestionFactory(campaign=other_campaign)

    assert as_holder.post(offer_url(campaign, foreign_offer), {}).status_code == 404
    assert as_holder.post(moderate_url(campaign, foreign_question), {}).status_code == 404
    assert as_holder.post(answer_url(campaign, foreign_question), {}).status_code == 404


def test_a_superuser_may_open_any_dashboard(client, campaign):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    assert client.get(url(campaign)).status_code == 200


def test_posts_only(as_holder, campaign, offer):
    assert as_holder.get(offer_url(campaign, offer)).status_code == 405


def test_posts_need_the_csrf_token(holder, campaign, offer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(holder)

    response = client.post(offer_url(campaign, offer), {f"offer-{offer.pk}-decision": "accept"})

    assert response.status_code == 403
    offer.refresh_from_db()
    assert offer.status == HelpOffer.Status.PENDING


# What it shows -------------------------------------------------------------------------------


def test_the_list_of_my_campaigns_with_their_state(as_holder, holder, campaign, make_campaign):
    draft = make_campaign(title="Boîte à livres")
    CampaignPage.objects.filter(pk=draft.pk).update(live=False)
    services.add_holder(holder, draft)
    submitted = make_campaign(title="Composteur collectif")
    CampaignPage.objects.filter(pk=submitted.pk).update(live=False)
    services.add_holder(holder, submitted)
    submitted = CampaignPage.objects.get(pk=submitted.pk)
    submitted.save_revision(user=holder)
    submitted.get_workflow().start(submitted, holder)

    page = html(as_holder.get(reverse("projects:workspace")))

    assert page.index("Boîte à livres") < page.index("Composteur collectif") < page.index("Jardin des Lilas")
    assert "Brouillon" in page and "Soumise à validation" in page and "Publiée" in page
    assert f'href="{url(campaign)}"' in page


def test_the_dashboard_shows_figures_and_admin_links(as_holder, campaign):
    page = html(as_holder.get(url(campaign)))

    assert "Jardin des Lilas" in page
    assert format_euros(5000) in page and format_euros(500000) in page  # raised, goal
    assert 'role="progressbar"' in page
    assert f'href="{reverse("wagtailadmin_pages:edit", args=[campaign.pk])}"' in page
    add_url = reverse("wagtailadmin_pages:add", args=["projects", "campaignupdatepage", campaign.pk])
    assert f'href="{add_url}"' in page
    assert reverse("payments_connect_onboarding", args=[campaign.pk]) not in page  # no Stripe here
    assert "<script" not in page.split("<main", 1)[1].split("</main>", 1)[0]


@override_settings(STRIPE_SECRET_KEY="sk_test_workspace")
def test_the_payout_onboarding_link_where_stripe_is_configured(as_holder, campaign):
    page = html(as_holder.get(url(campaign)))

    assert f'href="{reverse("payments_connect_onboarding", args=[campaign.pk])}"' in page


def test_rewards_to_deliver_list_counted_pledges_with_a_reward_only(as_holder, campaign, reward):
    PledgeFactory(campaign=campaign, reward=reward, backer_name="Ada Lovelace", backer_email="ada@example.org",
                  message="Bravo à toute l'équipe", amount_cents=4321)
    PledgeFactory(campaign=campaign, backer_name="Sans Contrepartie")
    PledgeFactory(campaign=campaign, reward=reward, backer_name="Paiement Abandonné", status=PledgeStatus.FAILED)

    page = html(as_holder.get(url(campaign)))

    assert "Ada Lovelace" in page and "ada@example.org" in page and "Un panier de légumes" in page
    assert "Sans Contrepartie" not in page and "Paiement Abandonné" not in page
    assert "43,21" not in page and "Bravo" not in page  # neither the amount nor the message


def test_the_delivery_csv_has_only_what_delivery_needs(as_holder, campaign, reward):
    when = timezone.make_aware(timezone.datetime(2026, 12, 6, 20, 30), timezone.get_fixed_timezone(0))
    pledge = PledgeFactory(campaign=campaign, reward=reward, backer_name="=HYPERLINK(\"http://x\")",
                           backer_email="ada@example.org", message="Un message", amount_cents=4321)
    PledgeFactory(campaign=campaign, backer_name="Sans Contrepartie")
    type(pledge).objects.filter(pk=pledge.pk).update(created_at=when)

    response = as_holder.get(csv_url(campaign))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="contreparties-')
    assert "no-store" in response["Cache-Control"]
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows == [
        ["Nom", "E-mail", "Contrepartie", "Date"],
        ["'=HYPERLINK(\"http://x\")", "ada@example.org", "Un panier de légumes", "06/12/2026 21:30"],
    ]


def test_the_backers_list_is_paginated(as_holder, campaign, reward):
    for n in range(workspace.PAGE_SIZE + 3):
        PledgeFactory(campaign=campaign, reward=reward, backer_name=f"Contributrice {n:02d}")

    first = html(as_holder.get(url(campaign)))
    second = html(as_holder.get(url(campaign), {workspace.BACKERS_PAGE: 2}))

    assert "Contributrice 00" in first and f"Contributrice {workspace.PAGE_SIZE:02d}" not in first
    assert f"Contributrice {workspace.PAGE_SIZE:02d}" in second and "Contributrice 00" not in second
    assert f"?{workspace.BACKERS_PAGE}=2#backers" in first


# Offers of help ------------------------------------------------------------------------------


def test_the_holder_accepts_an_offer_with_an_estimated_value(as_holder, holder, campaign, offer):
    response = as_holder.post(
        offer_url(campaign, offer),
        {f"offer-{offer.pk}-decision": "accept", f"offer-{offer.pk}-response": "Merci, à samedi !",
         f"offer-{offer.pk}-estimated_value": "1 250,50 €"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"{url(campaign)}#offers"
    offer.refresh_from_db()
    assert offer.status == HelpOffer.Status.ACCEPTED
    assert offer.estimated_value_cents == 125050
    assert offer.response == "Merci, à samedi !" and offer.decided_by == holder
    assert [m.to for m in mail.outbox] == [["lucie@example.org"]]
    page = html(as_holder.get(response["Location"]))
    assert "Lucie Martin" in page and "acceptée" in page
    assert format_euros(125050) in page


def test_the_holder_declines_an_offer(as_holder, campaign, offer):
    response = as_holder.post(
        offer_url(campaign, offer) + f"?{workspace.PENDING_OFFERS_PAGE}=1",
        {f"offer-{offer.pk}-decision": "decline", f"offer-{offer.pk}-response": "Nous avons déjà assez de monde."},
    )

    assert response.status_code == 302
    assert response["Location"] == f"{url(campaign)}?{workspace.PENDING_OFFERS_PAGE}=1#offers"
    offer.refresh_from_db()
    assert offer.status == HelpOffer.Status.DECLINED and offer.estimated_value_cents is None
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-5", "ne peut pas être négative"),
        ("beaucoup", "150,50"),
        ("12,345", "deux décimales"),
        ("2000000", "1"),
    ],
)
def test_a_bad_estimated_value_is_refused_and_the_input_kept(as_holder, campaign, offer, value, message):
    response = as_holder.post(
        offer_url(campaign, offer),
        {f"offer-{offer.pk}-decision": "accept", f"offer-{offer.pk}-response": "Merci beaucoup",
         f"offer-{offer.pk}-estimated_value": value},
    )

    assert response.status_code == 400
    page = html(response)
    assert message in page
    assert 'id="error-summary"' in page and f'href="#id_offer-{offer.pk}-estimated_value"' in page
    assert f'value="{value}"' in page and "Merci beaucoup</textarea>" in page
    assert 'aria-invalid="true"' in page
    offer.refresh_from_db()
    assert offer.status == HelpOffer.Status.PENDING and not mail.outbox


def test_declining_with_a_value_is_refused(as_holder, campaign, offer):
    response = as_holder.post(
        offer_url(campaign, offer),
        {f"offer-{offer.pk}-decision": "decline", f"offer-{offer.pk}-estimated_value": "30"},
    )

    assert response.status_code == 400
    assert "acceptée" in html(response)
    offer.refresh_from_db()
    assert offer.status == HelpOffer.Status.PENDING


def test_no_decision_is_refused(as_holder, campaign, offer):
    response = as_holder.post(offer_url(campaign, offer), {f"offer-{offer.pk}-response": "Hmm"})

    assert response.status_code == 400
    assert f'href="#offer-{offer.pk}-accept"' in html(response)


def test_an_offer_answered_meanwhile_gives_a_message(as_holder, campaign, offer, holder):
    HelpOffer.objects.filter(pk=offer.pk).update(status=HelpOffer.Status.DECLINED)

    response = as_holder.post(offer_url(campaign, offer), {f"offer-{offer.pk}-decision": "accept"}, follow=True)

    assert any("déjà" in str(m) for m in response.context["messages"])
    offer.refresh_from_db()
    assert offer.status == HelpOffer.Status.DECLINED and not mail.outbox


def test_euros_to_cents():
    assert euros_to_cents("") is None
    assert euros_to_cents("150") == 15000
    assert euros_to_cents("0,1") == 10
    assert euros_to_cents("1\u202f000.05") == 100005
    assert euros_to_cents("0") == 0
    assert euros_to_cents(f"{MAX_ESTIMATED_VALUE_CENTS // 100}") == MAX_ESTIMATED_VALUE_CENTS
    for bad in ("-1", "1e5", "nan", "1,2,3", "10000000,01", "0,001"):
        with pytest.raises(ValidationError):
            euros_to_cents(bad)


# Questions -----------------------------------------------------------------------------------


def test_the_holder_publishes_and_rejects_questions(as_holder, holder, campaign):
    kept = QuestionFactory(campaign=campaign, body="Quand commencent les travaux ?")
    spam = QuestionFactory(campaign=campaign, body="Achetez des montres")

    page = html(as_holder.get(url(campaign)))
    assert "Quand commencent les travaux ?" in page and "Achetez des montres" in page

    response = as_holder.post(moderate_url(campaign, kept), {f"question-{kept.pk}-decision": "publish"})
    assert response.status_code == 302 and response["Location"] == f"{url(campaign)}#questions"
    as_holder.post(moderate_url(campaign, spam), {f"question-{spam.pk}-decision": "reject"})

    kept.refresh_from_db()
    spam.refresh_from_db()
    assert (kept.status, kept.moderated_by) == (Question.Status.PUBLISHED, holder)
    assert spam.status == Question.Status.REJECTED
    page = html(as_holder.get(url(campaign)))
    assert "Achetez des montres" not in page
    assert f'action="{answer_url(campaign, kept)}"' in page  # published without an answer: to answer


def test_the_holder_answers_a_published_question(as_holder, holder, campaign):
    question = QuestionFactory(campaign=campaign, status=Question.Status.PUBLISHED, author_email="q@example.org")

    response = as_holder.post(answer_url(campaign, question), {f"answer-{question.pk}-answer": "En mars."})

    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.answer, question.answered_by) == ("En mars.", holder)
    assert [m.to for m in mail.outbox] == [["q@example.org"]]
    assert f'action="{answer_url(campaign, question)}"' not in html(as_holder.get(url(campaign)))


def test_an_empty_answer_is_refused_with_a_clear_error(as_holder, campaign):
    question = QuestionFactory(campaign=campaign, status=Question.Status.PUBLISHED)

    response = as_holder.post(answer_url(campaign, question), {f"answer-{question.pk}-answer": "   "})

    assert response.status_code == 400
    page = html(response)
    assert "Écrivez une réponse" in page and f'href="#id_answer-{question.pk}-answer"' in page
    question.refresh_from_db()
    assert question.answer == ""


def test_a_too_long_answer_keeps_the_text(as_holder, campaign):
    question = QuestionFactory(campaign=campaign, status=Question.Status.PUBLISHED)
    text = "Très long. " * 500

    response = as_holder.post(answer_url(campaign, question), {f"answer-{question.pk}-answer": text})

    assert response.status_code == 400
    assert text.strip()[:200] in html(response)


# Query counts --------------------------------------------------------------------------------


def _grow(campaign, reward, need, n):
    for _ in range(n):
        PledgeFactory(campaign=campaign, reward=reward)
        HelpOfferFactory(need=need)
        HelpOfferFactory(need=need, status=HelpOffer.Status.ACCEPTED, estimated_value_cents=1000)
        QuestionFactory(campaign=campaign)
        QuestionFactory(campaign=campaign, status=Question.Status.PUBLISHED)
        CampaignUpdatePageFactory(parent=campaign)


def _count(client, target):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(target).status_code == 200
    return len(queries)


def test_the_dashboard_query_count_does_not_grow_with_the_data(as_holder, campaign, reward, need):
    _grow(campaign, reward, need, 2)
    _count(as_holder, url(campaign))  # warm caches (site, settings, content types)
    small = _count(as_holder, url(campaign))

    _grow(campaign, reward, need, 3 * workspace.PAGE_SIZE)
    _count(as_holder, url(campaign))  # the caches the new update pages emptied (site, home page)
    large = _count(as_holder, url(campaign))

    assert large == small


# Links to "Mon projet" ------------------------------------------------------------------------


def test_the_applicant_dashboard_links_to_mon_projet_while_they_hold_it(holder, campaign):
    row = workspace_row(holder, campaign)
    html_row = render_to_string("applications/_my_campaigns.html", {"campaigns": [row]})
    assert f'href="{url(campaign)}"' in html_row

    html_row = render_to_string("applications/_my_campaigns.html", {"campaigns": [row._replace(workspace_url="")]})
    assert f'href="{url(campaign)}"' not in html_row


def workspace_row(holder, campaign):
    """The partial's row, as `applications.promotion.campaigns_for` builds it."""
    return PromotedCampaign(
        application=SimpleNamespace(call=SimpleNamespace(title="Budget participatif")),
        campaign=campaign,
        edit_url=reverse("wagtailadmin_pages:edit", args=[campaign.pk]),
        state="live",
        workspace_url=url(campaign),
    )


def test_holds_campaigns_context(holder, campaign):
    request = RequestFactory().get("/")
    request.user = holder
    assert bool(context_processors.holder(request)["holds_campaigns"]) is True
    request.user = UserFactory()
    assert bool(context_processors.holder(request)["holds_campaigns"]) is False


def test_staff_without_backer_rights_see_figures_but_no_backer(client, campaign, reward):
    PledgeFactory(campaign=campaign, reward=reward, backer_name="Ada Lovelace")
    publisher = UserFactory(is_staff=True)
    group = Group.objects.create(name="Éditeurs en chef")
    GroupPagePermission.objects.create(
        group=group, page=campaign.get_parent(), permission=Permission.objects.get(codename="publish_page")
    )
    publisher.groups.add(group)
    client.force_login(publisher)

    page = html(client.get(url(campaign)))

    assert "Ada Lovelace" not in page and "équipe Finances" in page
    assert client.get(csv_url(campaign)).status_code == 404
    publisher.user_permissions.add(Permission.objects.get(codename="view_backer_data"))
    assert "Ada Lovelace" in html(client.get(url(campaign)))
    assert client.get(csv_url(campaign)).status_code == 200


def test_moderating_without_a_decision_is_refused(as_holder, campaign):
    question = QuestionFactory(campaign=campaign)

    response = as_holder.post(moderate_url(campaign, question), {f"question-{question.pk}-decision": "delete"})

    assert response.status_code == 400
    page = html(response)
    assert "Choisissez de publier ou de refuser la question." in page
    assert f'href="#question-{question.pk}-publish"' in page
    question.refresh_from_db()
    assert question.status == Question.Status.PENDING


def test_the_dashboard_of_a_translation_is_the_default_language_campaign(as_holder, campaign):
    english = Locale.objects.create(language_code="en")
    campaign_en = campaign.copy_for_translation(english, copy_parents=True)

    page = html(as_holder.get(url(campaign_en)))

    assert f'href="{reverse("wagtailadmin_pages:edit", args=[campaign.pk])}"' in page


def test_the_dashboard_lists_the_updates_with_their_state(as_holder, holder, campaign):
    live = CampaignUpdatePageFactory(parent=campaign, title="Les premiers semis")
    draft = CampaignUpdatePageFactory(parent=campaign, title="La récolte", live=False)
    draft.save_revision(user=holder)
    draft.get_workflow().start(draft, holder)

    page = html(as_holder.get(url(campaign)))

    assert "Les premiers semis" in page and "La récolte" in page
    assert f'href="{reverse("wagtailadmin_pages:edit", args=[live.pk])}"' in page
    assert "Soumise à validation" in page
