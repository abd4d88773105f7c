"""Following a campaign and hearing back: double opt-in, unsubscribe by signed link, backers
following by default, update emails sent once per recipient, launch alerts, rate limit."""

import importlib
import re
import time
from datetime import timedelta
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from bs4 import BeautifulSoup
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core import mail, signing
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.utils import timezone, translation
from wagtail import hooks
from wagtail.models import Locale, Page

from accounts.personal_data import ERASE_HOOK, EXPORT_HOOK
from follows import services, tasks, tokens, views
from follows.forms import FollowForm
from follows.management.commands.send_launch_notices import send_launch_notices
from follows.models import Follow, UpdateAnnouncement, UpdateDelivery
from tests.factories.follows import FollowFactory
from tests.factories.projects import CampaignUpdatePageFactory, PledgeFactory

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def follow_url(campaign):
    return campaign.url + "suivre/"


def emails(campaign):
    return {person.email for person in services.recipients(campaign)}


def link_in(body, name):
    """The path of the first `/suivi/<name>/<token>/` link in an email body."""
    match = re.search(rf"https?://[^/\s]+((?:/en)?/suivi/{name}/[^/\s]+/)", body)
    assert match, body
    return match.group(1)


def translate(page, locale, **fields):
    copy = page.specific.copy_for_translation(locale)
    for name, value in fields.items():
        setattr(copy, name, value)
    copy.save_revision().publish()
    return Page.objects.get(pk=copy.pk).specific


@pytest.fixture
def campaign(make_campaign):
    return make_campaign(title="Jardin partagé", slug="jardin-partage")


@pytest.fixture
def upcoming(make_campaign):
    return make_campaign(title="Fresque du marché", slug="fresque", starts_in=timedelta(days=3))


@pytest.fixture
def locale_en(db):
    return Locale.objects.get_or_create(language_code="en")[0]


@pytest.fixture
def english(home, project_index, locale_en):
    """English home and project index, so campaigns can be translated."""
    translate(home, locale_en, title="Home")
    translate(project_index, locale_en, title="Projects", slug="projects")
    return locale_en


def publish_update(campaign, **fields):
    update = CampaignUpdatePageFactory(parent=campaign, **fields)
    update.save_revision().publish()
    return Page.objects.get(pk=update.pk).specific


def confirmed(campaign, email, language="fr"):
    return FollowFactory(campaign=campaign, email=email, language=language)


# The form ----------------------------------------------------------------------------------


def test_follow_page_has_an_accessible_form_without_script(client, campaign):
    response = client.get(follow_url(campaign))
    assert response.status_code == 200
    page = soup(response)
    form = page.select_one("form.follow-form")
    assert form["method"] == "post" and form["action"] == follow_url(campaign)
    field = form.select_one("input[type=email]")
    assert page.select_one(f"label[for={field['id']}]").get_text(strip=True) == "Votre adresse e-mail"
    help_text = page.select_one(f"#{field['aria-describedby']}").get_text(" ", strip=True)
    assert "lien de désabonnement en un clic" in help_text
    assert "actualités" in help_text
    assert form.select_one("button").get_text(strip=True) == "Suivre ce projet"
    # The honeypot is hidden from everyone, assistive technologies included, and out of the tab order.
    honeypot = form.select_one("input[name=website]")
    assert honeypot.find_parent("div").has_attr("hidden") and honeypot["tabindex"] == "-1"
    assert not page.select("script:not([src])") and not page.select("style")


def test_upcoming_campaign_offers_the_launch_alert(client, upcoming):
    page = soup(client.get(follow_url(upcoming)))
    assert page.select_one("form.follow-form button").get_text(strip=True) == "Prévenez-moi du lancement"


def test_partial_for_the_campaign_page(rf, campaign, upcoming):
    request = rf.get(campaign.url)
    html = render_to_string(
        "follows/_follow_form.html",
        {"campaign": campaign, "figures": campaign.figures, "follow_form": FollowForm()},
        request=request,
    )
    page = BeautifulSoup(html, "html.parser")
    assert page.select_one("h2").get_text(strip=True) == "Suivre ce projet"
    # Anonymous visitors: a link to the form's own page (no CSRF token: the page is cacheable).
    assert page.select_one("form") is None and "csrfmiddlewaretoken" not in html
    assert page.select_one("a.button")["href"] == follow_url(campaign)
    assert page.select_one("a.button").get_text(strip=True) == "Suivre ce projet"
    html = render_to_string(
        "follows/_follow_form.html",
        {"campaign": upcoming, "figures": upcoming.figures, "follow_form": FollowForm()},
        request=request,
    )
    assert "Prévenez-moi du lancement" in html


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Indiquez votre adresse e-mail."),
        ("pas-une-adresse", "Indiquez une adresse e-mail valide, par exemple nom@example.org."),
    ],
)
def test_a_bad_address_gets_its_error_and_nothing_is_saved(client, campaign, email, message):
    response = client.post(follow_url(campaign), {"email": email, "website": ""})
    assert response.status_code == 200
    page = soup(response)
    assert page.select_one("#error-summary a").get_text(strip=True) == message
    field = page.select_one("input[name=email]")
    assert field["aria-invalid"] == "true" and field.get("value", "") == email
    assert message in page.select_one(f"#{field['aria-describedby'].split()[-1]}").get_text()
    assert page.title.get_text().startswith("Erreur")
    assert not Follow.objects.exists() and not mail.outbox


def test_a_filled_honeypot_is_refused_and_nothing_is_saved(client, campaign):
    response = client.post(follow_url(campaign), {"email": "bot@example.org", "website": "http://spam.example"})
    assert response.status_code == 200
    page = soup(response)
    assert "Votre demande n'a pas pu être envoyée" in page.select_one("#error-summary").get_text()
    assert page.select_one("input[name=email]")["value"] == "bot@example.org"  # nothing lost
    assert page.select_one("input[name=website]")["value"] == ""
    assert not Follow.objects.exists() and not mail.outbox


def test_the_follow_form_is_rate_limited(client, campaign, low_rates):
    statuses = [client.post(follow_url(campaign), {"email": f"p{n}@example.org"}).status_code for n in range(3)]
    assert statuses == [200, 200, 429]
    assert Follow.objects.count() == 2
    assert client.get(follow_url(campaign)).status_code == 200  # reading the form is not limited


# Double opt-in -----------------------------------------------------------------------------


def test_double_opt_in(client, campaign):
    response = client.post(follow_url(campaign), {"email": " Camille@Example.org ", "website": ""})
    assert response.status_code == 200
    assert "Consultez votre boîte de réception" in response.content.decode()
    follow = Follow.objects.get()
    assert (follow.email, follow.status, follow.language) == ("camille@example.org", "pending", "fr")
    assert follow.campaign_key == campaign.translation_key and not follow.notify_launch
    assert emails(campaign) == set()  # pending: not a recipient

    (message,) = mail.outbox
    assert message.to == ["camille@example.org"]
    assert message.subject == f"Confirmez que vous suivez «{NBSP}Jardin partagé{NBSP}»"
    assert "List-Unsubscribe" not in message.extra_headers
    assert client.head(link_in(message.body, "confirmer")).status_code == 405  # a link checker confirms nothing
    assert Follow.objects.get().status == "pending"
    page = client.get(link_in(message.body, "confirmer"))
    assert page.status_code == 200
    text = soup(page).get_text(" ", strip=True)
    assert "Vous suivez ce projet" in text and "Jardin partagé" in text
    assert soup(page).find("a", href=campaign.url)
    follow.refresh_from_db()
    assert follow.status == "confirmed" and follow.confirmed_at
    assert emails(campaign) == {"camille@example.org"}
    assert services.follower_count(campaign) == 1
    # Opening the link again changes nothing.
    assert client.get(link_in(message.body, "confirmer")).status_code == 200
    assert Follow.objects.count() == 1


def test_upcoming_campaign_follow_asks_for_the_launch(client, upcoming):
    client.post(follow_url(upcoming), {"email": "lea@example.org"})
    assert Follow.objects.get().notify_launch
    assert "lancement" in mail.outbox[0].subject


def test_an_address_that_already_follows_gets_no_second_row_and_the_same_page(client, campaign):
    confirmed(campaign, "camille@example.org")
    new = client.post(follow_url(campaign), {"email": "nouveau@example.org"})
    again = client.post(follow_url(campaign), {"email": "CAMILLE@example.org"})
    assert again.status_code == new.status_code == 200
    assert soup(again).h1.get_text() == soup(new).h1.get_text() == "Consultez votre boîte de réception"
    assert Follow.objects.filter(email="camille@example.org").count() == 1
    assert Follow.objects.get(email="camille@example.org").status == "confirmed"
    told = [m for m in mail.outbox if m.to == ["camille@example.org"]][0]
    assert "suivez déjà" in told.subject and "/suivi/confirmer/" not in told.body


def test_requesting_again_refreshes_the_pending_follow(client, campaign):
    client.post(follow_url(campaign), {"email": "camille@example.org"})
    client.post(follow_url(campaign), {"email": "camille@example.org"})
    assert Follow.objects.count() == 1 and len(mail.outbox) == 2
    client.get(link_in(mail.outbox[0].body, "confirmer"))  # either link confirms
    assert Follow.objects.get().status == "confirmed"


def test_english_reader_follows_in_english(client, campaign, english, locale_en):
    campaign_en = translate(campaign, locale_en, title="Shared garden", slug="shared-garden")
    client.post(campaign_en.url + "suivre/", {"email": "sam@example.org"})
    follow = Follow.objects.get()
    assert follow.language == "en" and follow.campaign_key == campaign.translation_key
    (message,) = mail.outbox
    assert message.subject == "Confirm that you follow “Shared garden”"
    assert "/en/suivi/confirmer/" in message.body


@pytest.mark.parametrize("kind", ["forged", "damaged", "expired", "other salt"])
def test_a_bad_confirmation_link_says_so_and_changes_nothing(client, campaign, kind):
    client.post(follow_url(campaign), {"email": "camille@example.org"})
    good = link_in(mail.outbox[0].body, "confirmer").split("/")[-2]
    if kind == "forged":
        token = signing.dumps(
            {"k": str(campaign.translation_key), "e": "camille@example.org", "t": time.time()}, salt="other"
        )
    elif kind == "damaged":
        token = good[:-3]
    elif kind == "other salt":
        token = tokens.unsubscribe_token(campaign.translation_key, "camille@example.org")
    else:
        with mock.patch("django.core.signing.time.time", return_value=time.time() - 8 * 86400):
            token = tokens.confirm_token(campaign.translation_key, "camille@example.org")
    response = client.get(f"/suivi/confirmer/{token}/")
    assert response.status_code == 400
    title = "Ce lien a expiré" if kind == "expired" else "Ce lien n'est pas valide"
    assert soup(response).h1.get_text() == title
    assert "Rien n'a été modifié" in response.content.decode()
    assert Follow.objects.get().status == "pending"


# Unsubscribe ------------------------------------------------------------------------------


def test_unsubscribe_by_signed_link_without_login(campaign):
    confirmed(campaign, "camille@example.org")
    publish_update(campaign, title="Les travaux commencent")
    (message,) = mail.outbox
    path = link_in(message.body, "desabonnement")
    client = Client(enforce_csrf_checks=True)

    page = client.get(path)
    assert page.status_code == 200
    form = soup(page).select_one("form[method=post]")
    assert form["action"] == path
    assert form.select_one("button").get_text(strip=True) == "Me désabonner"
    assert "ni ses actualités ni son lancement" in page.content.decode()
    assert Follow.objects.get().status == "confirmed"  # GET changes nothing

    done = client.post(path)
    assert done.status_code == 200
    assert "Désabonnement effectué" in done.content.decode()
    follow = Follow.objects.get()
    assert follow.status == "unsubscribed" and follow.unsubscribed_at
    assert emails(campaign) == set()


def test_one_click_unsubscribe_from_the_mail_program(campaign):
    confirmed(campaign, "camille@example.org")
    publish_update(campaign)
    (message,) = mail.outbox
    header = message.extra_headers["List-Unsubscribe"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = header.strip("<>")
    assert url.startswith("http://") and "/suivi/desabonnement/" in url
    path = "/" + url.split("/", 3)[3]
    response = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert Follow.objects.get().status == "unsubscribed"


def test_a_forged_unsubscribe_link_is_refused(client, campaign):
    confirmed(campaign, "camille@example.org")
    forged = signing.Signer(salt="other").sign_object([str(campaign.translation_key), "camille@example.org"])
    for token in (forged, "abc", tokens.confirm_token(campaign.translation_key, "camille@example.org")):
        for method in (client.get, client.post):
            response = method(f"/suivi/desabonnement/{token}/")
            assert response.status_code == 400
            assert soup(response).h1.get_text() == "Ce lien n'est pas valide"
    assert Follow.objects.get().status == "confirmed"


def test_an_unsubscribed_address_follows_again_only_through_a_new_confirmation(client, campaign):
    client.post(follow_url(campaign), {"email": "camille@example.org"})
    old_link = link_in(mail.outbox[0].body, "confirmer")
    client.get(old_link)
    services.unsubscribe(campaign.translation_key, "camille@example.org")

    # The link of the first request no longer confirms anything.
    assert client.get(old_link).status_code == 400
    client.post(follow_url(campaign), {"email": "camille@example.org"})
    assert Follow.objects.get().status == "pending"
    assert emails(campaign) == set()
    assert client.get(old_link).status_code == 400
    client.get(link_in(mail.outbox[-1].body, "confirmer"))
    assert Follow.objects.get().status == "confirmed"
    assert emails(campaign) == {"camille@example.org"}


# Backers -----------------------------------------------------------------------------------


def test_backers_are_recipients_by_default_and_stop_after_unsubscribing(client, campaign, english, locale_en):
    campaign_en = translate(campaign, locale_en, title="Shared garden", slug="shared-garden")
    PledgeFactory(campaign=campaign, backer_email="Backer@Example.org", language="fr")
    PledgeFactory(campaign=campaign_en, backer_email="sam@example.org", language="en")
    PledgeFactory(campaign=campaign, backer_email="pending@example.org", status="pending")
    PledgeFactory(campaign=campaign, backer_email="refunded@example.org", status="refunded")
    PledgeFactory(campaign=campaign, backer_email="")  # erased personal data
    confirmed(campaign, "backer@example.org")  # follows and backs: once
    assert sorted((p.email, p.language) for p in services.recipients(campaign)) == [
        ("backer@example.org", "fr"),
        ("sam@example.org", "en"),
    ]

    url = services.unsubscribe_url(campaign.translation_key, "SAM@example.org", "http://localhost")
    assert client.post(url.removeprefix("http://localhost")).status_code == 200
    assert emails(campaign) == {"backer@example.org"}
    row = Follow.objects.get(email="sam@example.org")
    assert row.status == "unsubscribed" and row.campaign_key == campaign.translation_key

    # A later pledge does not subscribe them again; a later follow request waits for its confirmation.
    PledgeFactory(campaign=campaign, backer_email="sam@example.org", language="en")
    assert emails(campaign) == {"backer@example.org"}
    services.request_follow(campaign, "sam@example.org", language="en")
    assert emails(campaign) == {"backer@example.org"}


def test_a_backer_with_a_pending_follow_still_hears_back(campaign):
    PledgeFactory(campaign=campaign, backer_email="backer@example.org")
    services.request_follow(campaign, "backer@example.org", language="fr")
    assert emails(campaign) == {"backer@example.org"}


def test_follower_count_counts_confirmed_followers_over_translations(campaign):
    confirmed(campaign, "a@example.org")
    confirmed(campaign, "b@example.org")
    FollowFactory(campaign=campaign, email="c@example.org", status="pending")
    FollowFactory(campaign=campaign, email="d@example.org", status="unsubscribed")
    assert services.follower_count(campaign) == 2


# Update emails -----------------------------------------------------------------------------


def test_each_recipient_gets_the_update_once_with_unsubscribe_headers_and_link(campaign):
    confirmed(campaign, "follower@example.org")
    PledgeFactory(campaign=campaign, backer_email="backer@example.org")
    FollowFactory(campaign=campaign, email="pending@example.org", status="pending")
    update = publish_update(campaign, title="Les travaux commencent", intro="Premier coup de pioche lundi.")

    assert sorted(m.to[0] for m in mail.outbox) == ["backer@example.org", "follower@example.org"]
    for message in mail.outbox:
        assert message.subject == f"Des nouvelles de «{NBSP}Jardin partagé{NBSP}»{NBSP}: Les travaux commencent"
        assert "Premier coup de pioche lundi." in message.body
        assert f"http://localhost{update.url}" in message.body
        unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
        assert unsubscribe in message.body and unsubscribe in message.alternatives[0][0]
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        path = "/" + unsubscribe.split("/", 3)[3]
        assert tokens.read_unsubscribe_token(path.split("/")[-2]) == (campaign.translation_key, message.to[0])
    deliveries = UpdateDelivery.objects.all()
    assert deliveries.count() == 2 and not deliveries.filter(sent_at__isnull=True).exists()

    # The task runs again (a retry, a second worker): nobody gets it twice.
    assert tasks.announce_update_task.call(page_id=update.pk) == 0
    tasks.announce_update_task.enqueue(page_id=update.pk)
    assert len(mail.outbox) == 2


def test_republishing_or_translating_an_update_sends_nothing(campaign, english, locale_en):
    confirmed(campaign, "follower@example.org")
    update = publish_update(campaign)
    assert len(mail.outbox) == 1
    update.title = "Titre corrigé"
    update.save_revision().publish()
    campaign_en = translate(campaign, locale_en, title="Shared garden", slug="shared-garden")
    translate(update, locale_en, title="Work starts", slug="work-starts")
    assert Page.objects.get(pk=campaign_en.pk)
    assert len(mail.outbox) == 1
    assert services.announce_update(update) is False


def test_a_new_recipient_after_a_retry_gets_the_update_once(campaign):
    confirmed(campaign, "first@example.org")
    update = publish_update(campaign)
    confirmed(campaign, "second@example.org")
    tasks.announce_update_task.call(page_id=update.pk)
    tasks.announce_update_task.call(page_id=update.pk)
    assert sorted(m.to[0] for m in mail.outbox) == ["first@example.org", "second@example.org"]


def test_a_delivery_claimed_by_a_concurrent_run_is_not_sent_again(campaign, monkeypatch):
    for name in ("a", "b", "c"):
        confirmed(campaign, f"{name}@example.org")
    with mock.patch.object(services, "announce_update_task"):
        update = publish_update(campaign)
    real_pending = tasks.pending_deliveries

    def racing(update_key):
        rows = real_pending(update_key)  # this run read the three rows...
        # ...then another worker claimed one of them before this run did.
        UpdateDelivery.objects.filter(pk=rows[1].pk).update(sent_at=timezone.now())
        return rows

    monkeypatch.setattr(tasks, "pending_deliveries", racing)
    assert tasks.announce_update_task.call(page_id=update.pk) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "c@example.org"]


def test_a_failed_sending_releases_the_claim_for_the_next_attempt(campaign):
    confirmed(campaign, "a@example.org")
    confirmed(campaign, "b@example.org")
    with mock.patch.object(services, "announce_update_task"):
        update = publish_update(campaign)
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=OSError("down")):
        assert tasks.announce_update_task.call(page_id=update.pk) == 0
    assert UpdateDelivery.objects.filter(sent_at__isnull=True).count() == 2
    assert tasks.announce_update_task.call(page_id=update.pk) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]


def test_update_emails_are_in_each_recipients_language(campaign, english, locale_en):
    campaign_en = translate(campaign, locale_en, title="Shared garden", slug="shared-garden")
    confirmed(campaign, "lea@example.org", language="fr")
    confirmed(campaign_en, "sam@example.org", language="en")
    with mock.patch.object(services, "announce_update_task"):
        update = publish_update(campaign, title="Les travaux commencent", slug="travaux")
        update_en = translate(update, locale_en, title="Work starts", slug="work-starts")
    tasks.announce_update_task.call(page_id=update.pk)
    by_address = {m.to[0]: m for m in mail.outbox}
    assert by_address["sam@example.org"].subject == "News from “Shared garden”: Work starts"
    assert f"http://localhost{update_en.url}" in by_address["sam@example.org"].body
    assert "/en/suivi/desabonnement/" in by_address["sam@example.org"].body
    assert by_address["lea@example.org"].subject.endswith(f"{NBSP}: Les travaux commencent")
    assert '<html lang="fr">' in by_address["lea@example.org"].alternatives[0][0]


def test_untranslated_update_goes_in_french_around_english_words(campaign, english, locale_en):
    translate(campaign, locale_en, title="Shared garden", slug="shared-garden")
    confirmed(campaign, "sam@example.org", language="en")
    update = publish_update(campaign, title="Les travaux commencent")
    (message,) = mail.outbox
    assert message.subject == "News from “Jardin partagé”: Les travaux commencent"
    assert f"http://localhost{update.url}" in message.body


# Launch alerts -----------------------------------------------------------------------------


def test_launch_notices_are_sent_once_when_the_campaign_opens(upcoming, campaign):
    FollowFactory(campaign=upcoming, email="lea@example.org", notify_launch=True)
    FollowFactory(campaign=upcoming, email="pending@example.org", notify_launch=True, status="pending")
    FollowFactory(campaign=upcoming, email="plain@example.org")
    FollowFactory(campaign=campaign, email="open@example.org", notify_launch=True, launch_notified_at=timezone.now())

    call_command("send_launch_notices", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert mail.outbox == []  # not started yet

    upcoming.start_at = timezone.now() - timedelta(minutes=1)
    upcoming.save_revision().publish()
    assert send_launch_notices() == 1
    (message,) = mail.outbox
    assert message.to == ["lea@example.org"]
    assert message.subject == (
        f"La collecte «{NBSP}Fresque du marché{NBSP}» est lancée{NBSP}: vous pouvez la soutenir dès maintenant"
    )
    assert "/suivi/desabonnement/" in message.extra_headers["List-Unsubscribe"]
    assert Follow.objects.get(email="lea@example.org").launch_notified_at
    assert send_launch_notices() == 0
    assert len(mail.outbox) == 1


# Personal data -----------------------------------------------------------------------------


def test_personal_data_export_and_erase(campaign):
    user = get_user_model().objects.create_user(email="lea@example.org", password="x")
    EmailAddress.objects.create(user=user, email="Lea@example.org", verified=True, primary=True)
    confirmed(campaign, "lea@example.org")
    confirmed(campaign, "other@example.org")
    publish_update(campaign, title="Les travaux commencent")
    export = {}
    for contribute in hooks.get_hooks(EXPORT_HOOK):
        export.update(contribute(user))
    assert [row["email"] for row in export["follows"]] == ["lea@example.org"]
    assert [row["update"] for row in export["update_emails"]] == ["Les travaux commencent"]
    for erase in hooks.get_hooks(ERASE_HOOK):
        erase(user)
    assert list(Follow.objects.values_list("email", flat=True)) == ["other@example.org"]
    assert not UpdateDelivery.objects.filter(email="lea@example.org").exists()


def test_view_called_directly_keeps_the_active_language(campaign):
    request = RequestFactory().get("/en/whatever/")
    request.user = AnonymousUser()
    with translation.override("en"):
        response = views.follow(request, campaign)
    assert response.status_code == 200
    assert b"Follow this project" in response.content


def test_a_failed_launch_notice_is_tried_again_by_the_next_run(upcoming):
    FollowFactory(campaign=upcoming, email="lea@example.org", notify_launch=True)
    upcoming.start_at = timezone.now() - timedelta(minutes=1)
    upcoming.save_revision().publish()
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=OSError("down")):
        assert send_launch_notices() == 0
    assert Follow.objects.get().launch_notified_at is None
    assert send_launch_notices() == 1
    assert [m.to for m in mail.outbox] == [["lea@example.org"]]


def test_the_campaign_page_leads_anonymous_visitors_to_the_follow_form(client, campaign):
    page = soup(client.get(campaign.url))
    assert page.select_one("form.follow-form") is None
    link = page.select_one(".follow a.button")
    assert link["href"] == follow_url(campaign) and link.get_text(strip=True) == "Suivre ce projet"
    form = soup(client.get(link["href"])).select_one("form.follow-form")
    assert form["action"] == follow_url(campaign)


def test_the_campaign_page_shows_the_follow_form_to_signed_in_visitors(client, campaign, django_user_model):
    client.force_login(django_user_model.objects.create_user(email="lea@example.org", password="x"))
    page = soup(client.get(campaign.url))
    form = page.select_one("form.follow-form")
    assert form["action"] == follow_url(campaign)
    assert form.select_one("button").get_text(strip=True) == "Suivre ce projet"


def test_updates_published_before_the_feature_count_as_announced(campaign):
    with mock.patch.object(services, "announce_update_task"):
        update = publish_update(campaign)
    UpdateAnnouncement.objects.all().delete()  # as before the feature
    migration = importlib.import_module("follows.migrations.0002_mark_published_updates_announced")
    migration.mark_announced(apps, None)
    confirmed(campaign, "lea@example.org")
    update.save_revision().publish()
    assert mail.outbox == []
