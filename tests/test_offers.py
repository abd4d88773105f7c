"""Help in kind ("Je peux aider"): the form, its refusals, the offer's emails, the answers, the
needs' progress over translations, constant queries, the money report's valuation, rate limit,
the admin and the personal-data hooks."""

import uuid
from datetime import timedelta
from html import unescape

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import connection
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from wagtail import hooks
from wagtail.models import Locale

from accounts.personal_data import ERASE_HOOK, EXPORT_HOOK
from coupdepouce.models import PlatformSettings
from holders.models import CampaignHolder
from offers import personal_data, services
from offers.models import HelpOffer
from payments import reports
from payments.models import CampaignClosing
from payments.rules import CampaignStatus
from projects.models import CampaignPage, InKindNeed
from tests.factories.applications import UserFactory
from tests.factories.offers import HelpOfferFactory
from tests.factories.projects import InKindNeedFactory, PledgeFactory

Status = HelpOffer.Status
pytestmark = pytest.mark.django_db


def french(msgid, **values):
    """The French text of `msgid`, as the page shows it once its entities are decoded (`text`)."""
    with translation.override("fr"):
        translated = translation.gettext(msgid)
    assert translated != msgid, f"no French for {msgid!r}"
    return translated % values if values else translated


def text(response):
    return unescape(response.content.decode())


@pytest.fixture
def holder(db):
    return UserFactory(email="porteuse@example.org", full_name="Porteuse")


@pytest.fixture
def campaign(make_campaign, holder):
    campaign = make_campaign(title="Jardin partagé", slug="jardin-partage")
    CampaignHolder.objects.create(campaign=campaign, user=holder)
    settings = PlatformSettings.for_page(campaign)
    settings.contact_email = "mairie@example.org"
    settings.save()
    return campaign


@pytest.fixture
def volunteers(campaign):
    return InKindNeedFactory(page=campaign, description="Bénévoles pour le chantier", quantity=5, sort_order=1)


@pytest.fixture
def trailer(campaign):
    return InKindNeedFactory(
        page=campaign, kind=InKindNeed.Kind.EQUIPMENT, description="Une remorque", quantity=1, sort_order=2
    )


def form_url(campaign):
    return campaign.url + "aider/"


def valid_data(for_need, **changes):
    data = {
        "need": str(for_need.translation_key),
        "offer": "Deux après-midi de jardinage.",
        "availability": "Les samedis de mai",
        "quantity": "2",
        "name": "Camille Martin",
        "email": "camille@example.org",
        "phone": "06 12 34 56 78",
        "consent": "on",
        "website": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# The form ----------------------------------------------------------------------------------------


def test_form_renders_with_the_need_preselected_and_its_progress(client, campaign, volunteers, trailer):
    HelpOfferFactory(need=volunteers, quantity=2, status=Status.ACCEPTED)
    response = client.get(form_url(campaign) + f"?besoin={volunteers.translation_key}")
    assert response.status_code == 200
    html = text(response)
    assert f'<option value="{volunteers.translation_key}" selected>' in html
    assert f'<option value="{trailer.translation_key}">' in html
    assert french("Already found: %(accepted)s of %(quantity)s", accepted=2, quantity=5) in html
    assert french("Offer your help to “%(title)s”") % {"title": "Jardin partagé"} in html
    # Labelled fields in fieldsets, the consent explains who sees the data, the honeypot is hidden.
    assert html.count("<fieldset") == 3 and html.count("<legend>") == 3
    assert 'aria-describedby="id_consent_helptext"' in html
    assert french("I agree to be contacted by the project holders about this offer.") in html
    assert '<div class="help-offer__trap" hidden aria-hidden="true">' in html
    assert 'aria-current="page"' in html and "<script" not in html.split("</main>")[0].split("<main")[1]


def test_unknown_preselection_preselects_nothing(client, campaign, volunteers):
    html = text(client.get(form_url(campaign) + "?besoin=nimporte"))
    select = html.split('name="need"')[1].split("</select>")[0]
    assert select.count(" selected>") == 1 and '<option value="" selected>' in select


MISSING = {
    "need": "Choose the need you can help with.",
    "offer": "Say what you offer.",
    "availability": "Say when you are available.",
    "quantity": "Enter a quantity, for example 1.",
    "name": "Enter your name.",
    "email": "Enter your email address.",
    "consent": "Tick this box: the project holders need to contact you.",
}


@pytest.mark.parametrize("field", list(MISSING))
def test_each_missing_field_is_refused_in_french_and_nothing_is_lost(client, campaign, volunteers, field):
    data = valid_data(volunteers, **{field: None})
    response = client.post(form_url(campaign), data)
    assert response.status_code == 200
    html = text(response)
    assert french(MISSING[field]) in html
    assert 'id="error-summary"' in html and f'href="#id_{field}"' in html
    assert f'aria-describedby="id_{field}' in html or field == "consent"
    assert HelpOffer.objects.count() == 0 and not mail.outbox
    if field != "name":
        assert 'value="Camille Martin"' in html
    if field != "offer":
        assert "Deux après-midi de jardinage." in html


@pytest.mark.parametrize(
    ("quantity", "msgid", "values"),
    [
        ("0", "The quantity must be at least 1.", {}),
        ("-3", "The quantity must be at least 1.", {}),
        ("deux", "Enter the quantity as a whole number, for example 1 or 2.", {}),
        ("1.5", "Enter the quantity as a whole number, for example 1 or 2.", {}),
        ("6", "This need asks for %(quantity)s at most: enter a quantity from 1 to %(quantity)s.", {"quantity": 5}),
    ],
)
def test_bad_quantities_are_refused(client, campaign, volunteers, quantity, msgid, values):
    response = client.post(form_url(campaign), valid_data(volunteers, quantity=quantity))
    html = text(response)
    assert french(msgid, **values) in html
    assert 'aria-invalid="true"' in html and f'value="{quantity}"' in html
    assert HelpOffer.objects.count() == 0 and not mail.outbox


def test_unknown_needs_and_needs_of_another_campaign_are_refused(client, make_campaign, campaign, volunteers):
    other = make_campaign(title="Autre projet")
    foreign = InKindNeedFactory(page=other, quantity=10)
    for need_key in ("pas-un-besoin", str(uuid.uuid4()), str(foreign.translation_key)):
        response = client.post(form_url(campaign), valid_data(volunteers, need=need_key))
        html = text(response)
        assert french("Choose one of this campaign's needs.") in html
        assert 'value="Camille Martin"' in html
    assert HelpOffer.objects.count() == 0 and not mail.outbox
    # The service refuses it too, whatever the form lets through.
    with pytest.raises(services.OfferError) as refused:
        services.make_offer(campaign, need_key=foreign.translation_key, name="X", email="x@example.org", offer="?")
    assert refused.value.field == "need"


def test_a_bad_phone_number_is_refused(client, campaign, volunteers):
    html = text(client.post(form_url(campaign), valid_data(volunteers, phone="appelez-moi")))
    assert french("Enter a phone number, for example 06 12 34 56 78.") in html
    assert HelpOffer.objects.count() == 0


def test_a_filled_honeypot_is_refused(client, campaign, volunteers):
    response = client.post(form_url(campaign), valid_data(volunteers, website="http://spam.example"))
    html = text(response)
    assert french("Your offer could not be sent. Please check the form and send it again.") in html
    assert 'value="Camille Martin"' in html and "spam.example" not in html
    assert HelpOffer.objects.count() == 0 and not mail.outbox


def _fail(campaign):
    CampaignPage.objects.filter(pk=campaign.pk).update(
        start_at=timezone.now() - timedelta(days=40), end_at=timezone.now() - timedelta(days=2)
    )
    CampaignClosing.objects.create(campaign=campaign, outcome=CampaignStatus.FAILED, raised_cents=0)
    return CampaignPage.objects.get(pk=campaign.pk)


def _cancel(campaign):
    CampaignClosing.objects.create(campaign=campaign, outcome=CampaignStatus.CANCELLED, raised_cents=0)
    return campaign


@pytest.mark.parametrize(
    ("close", "msgid"),
    [
        (_fail, "This campaign ended without reaching its goal: it no longer takes offers of help."),
        (_cancel, "This campaign was cancelled: it no longer takes offers of help."),
    ],
)
def test_closed_and_cancelled_campaigns_take_no_offer(client, campaign, volunteers, close, msgid):
    campaign = close(campaign)
    html = text(client.get(form_url(campaign)))
    assert french(msgid) in html and 'name="need"' not in html
    response = client.post(form_url(campaign), valid_data(volunteers))
    html = text(response)
    assert french(msgid) in html and 'value="Camille Martin"' in html
    assert HelpOffer.objects.count() == 0 and not mail.outbox
    with pytest.raises(services.OfferError):
        services.make_offer(campaign, need_key=volunteers.translation_key, name="X", email="x@example.org", offer="?")


def test_a_succeeded_campaign_still_takes_offers(campaign, volunteers):
    CampaignClosing.objects.create(campaign=campaign, outcome=CampaignStatus.SUCCEEDED, raised_cents=500_000)
    assert services.refusal(campaign) == ""


def test_an_unpublished_campaign_takes_no_offer(campaign, volunteers):
    campaign.live = False
    with translation.override("fr"):
        assert services.refusal(campaign) == translation.gettext(
            "This campaign does not take offers of help at the moment."
        )


# A sent offer and its emails ---------------------------------------------------------------------


def test_an_offer_is_saved_and_emailed_to_holders_staff_and_offerer(client, campaign, volunteers):
    response = client.post(form_url(campaign) + f"?besoin={volunteers.translation_key}", valid_data(volunteers))
    assert response.status_code == 302
    assert response["Location"] == campaign.url + "aider/merci/"
    offer = HelpOffer.objects.get()
    assert (offer.campaign_id, offer.need_id, offer.need_key) == (
        campaign.pk,
        volunteers.pk,
        volunteers.translation_key,
    )
    assert offer.need_label == "Bénévoles pour le chantier"
    assert (offer.name, offer.email, offer.phone, offer.quantity) == (
        "Camille Martin",
        "camille@example.org",
        "06 12 34 56 78",
        2,
    )
    assert (offer.availability, offer.language, offer.status) == ("Les samedis de mai", "fr", Status.PENDING)

    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"porteuse@example.org", "mairie@example.org", "camille@example.org"}
    to_holder = by_recipient["porteuse@example.org"]
    assert "Jardin partagé" in to_holder.subject and "Bénévoles pour le chantier" in to_holder.subject
    assert to_holder.extra_headers["Reply-To"] == "camille@example.org"
    for detail in (
        "Camille Martin",
        "camille@example.org",
        "06 12 34 56 78",
        "Deux après-midi de jardinage.",
        "Les samedis de mai",
    ):
        assert detail in to_holder.body
    admin_link = "http://localhost" + reverse("help_offers:inspect", args=[offer.pk])
    assert admin_link in to_holder.body
    assert admin_link in to_holder.alternatives[0][0]
    try:
        workspace = reverse("projects:workspace_campaign", args=[campaign.pk])
    except NoReverseMatch:  # the holder's workspace is another helper's, maybe not there yet
        workspace = None
    if workspace:
        assert "http://localhost" + workspace in to_holder.body
    assert by_recipient["mairie@example.org"].body == to_holder.body

    to_offerer = by_recipient["camille@example.org"]
    with translation.override("fr"):
        assert to_offerer.subject == translation.gettext("Your offer of help to “%(title)s”") % {
            "title": "Jardin partagé"
        }
    assert "Camille Martin" in to_offerer.body and "06 12 34 56 78" not in to_offerer.body

    sent = client.get(response["Location"])
    assert sent.status_code == 200
    assert french("Thank you for your offer of help!") in text(sent)


def test_an_offer_in_english_is_acknowledged_in_english(campaign, volunteers):
    offer = services.make_offer(
        campaign,
        need_key=volunteers.translation_key,
        name="Sam",
        email="sam@example.org",
        offer="A trailer",
        quantity=1,
        language="en",
    )
    acknowledgement = next(message for message in mail.outbox if message.to == ["sam@example.org"])
    assert acknowledgement.subject == "Your offer of help to “Jardin partagé”"
    assert 'lang="en"' in acknowledgement.alternatives[0][0]
    to_holder = next(message for message in mail.outbox if message.to == ["porteuse@example.org"])
    assert to_holder.subject.startswith("Nouvelle")  # holders and staff read the site's language
    assert offer.language == "en"


# Answers ------------------------------------------------------------------------------------------


def test_accepting_records_the_answer_and_emails_the_offerer(campaign, volunteers, holder):
    offer = HelpOfferFactory(need=volunteers, email="camille@example.org", quantity=2)
    services.accept(offer, by=holder, response="Merci, rendez-vous samedi !", estimated_value_cents=15_000)
    offer.refresh_from_db()
    assert (offer.status, offer.decided_by, offer.estimated_value_cents) == (Status.ACCEPTED, holder, 15_000)
    assert offer.decided_at is not None and offer.response == "Merci, rendez-vous samedi !"
    (message,) = mail.outbox
    assert message.to == ["camille@example.org"]
    assert "Merci, rendez-vous samedi !" in message.body
    with translation.override("fr"):
        assert message.subject == translation.gettext("Your offer of help to “%(title)s” is accepted") % {
            "title": "Jardin partagé"
        }


def test_declining_emails_the_offerer_in_their_language(campaign, volunteers, holder):
    offer = HelpOfferFactory(need=volunteers, email="sam@example.org", language="en")
    services.decline(offer, by=holder, response="We have enough volunteers, thank you.")
    offer.refresh_from_db()
    assert offer.status == Status.DECLINED and offer.decided_by == holder
    (message,) = mail.outbox
    assert message.subject == "Your offer of help to “Jardin partagé”: the answer"
    assert "cannot take it up" in message.body and "We have enough volunteers, thank you." in message.body


@pytest.mark.parametrize("first", [services.accept, services.decline])
def test_an_offer_is_answered_once(campaign, volunteers, holder, first):
    offer = HelpOfferFactory(need=volunteers)
    first(offer, by=holder)
    mail.outbox.clear()
    for again in (services.accept, services.decline):
        with pytest.raises(services.OfferError) as refused:
            again(HelpOffer.objects.get(pk=offer.pk), by=holder, response="Finalement…")
        assert refused.value.code == "answered"
    assert not mail.outbox
    assert HelpOffer.objects.get(pk=offer.pk).response == ""


# Progress -----------------------------------------------------------------------------------------


@pytest.fixture
def english(campaign, volunteers, trailer):
    locale = Locale.objects.get_or_create(language_code="en")[0]
    page = campaign.copy_for_translation(locale, copy_parents=True)
    page.save_revision().publish()
    return CampaignPage.objects.get(pk=page.pk)


def test_progress_adds_accepted_offers_of_every_translation(campaign, volunteers, trailer, english):
    english_volunteers = english.needs.get(translation_key=volunteers.translation_key)
    assert english_volunteers.pk != volunteers.pk
    HelpOfferFactory(need=volunteers, quantity=1, status=Status.ACCEPTED)
    HelpOfferFactory(need=english_volunteers, quantity=2, status=Status.ACCEPTED)
    HelpOfferFactory(need=volunteers, quantity=3, status=Status.PENDING)
    HelpOfferFactory(need=english_volunteers, quantity=4, status=Status.DECLINED)
    HelpOfferFactory(need=trailer, quantity=1, status=Status.ACCEPTED)

    french_needs = services.needs_with_progress(campaign)
    assert [(n.pk, n.accepted_quantity) for n in french_needs] == [(volunteers.pk, 3), (trailer.pk, 1)]
    english_needs = services.needs_with_progress(english)
    assert [n.accepted_quantity for n in english_needs] == [3, 1]
    assert all(n.locale_id == english.locale_id for n in english_needs)
    # An offer on the English page counts for the French campaign's offers and value too.
    assert services.offers_for(campaign).count() == 5
    assert services.offers_for(english, status=Status.ACCEPTED).count() == 3


def test_an_offer_on_the_english_page_names_the_shared_need(campaign, volunteers, english):
    offer = services.make_offer(
        english, need_key=volunteers.translation_key, name="Sam", email="sam@example.org", offer="Hands", quantity=5
    )
    assert offer.campaign_id == english.pk and offer.need.locale_id == english.locale_id
    services.accept(offer, by=None)
    assert services.needs_with_progress(campaign)[0].accepted_quantity == 5


def _count_queries(function):
    function()  # warm the caches (locales, content types)
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured.captured_queries)


def test_needs_with_progress_runs_one_query_whatever_the_offers(campaign, volunteers, trailer):
    def progress():
        return services.needs_with_progress(CampaignPage.objects.get(pk=campaign.pk))

    HelpOfferFactory(need=volunteers, status=Status.ACCEPTED)
    few = _count_queries(progress) - 1  # the campaign's own query aside
    for _ in range(20):
        HelpOfferFactory(need=volunteers, status=Status.ACCEPTED)
        HelpOfferFactory(need=trailer, status=Status.PENDING)
    assert _count_queries(progress) - 1 == few == 1
    assert progress()[0].accepted_quantity == 21


def test_annotate_progress_in_a_prefetch_runs_constant_queries(make_campaign, campaign, volunteers):
    def cards():
        needs = services.annotate_progress(InKindNeed.objects.order_by("sort_order"))
        campaigns = CampaignPage.objects.live().prefetch_related(Prefetch("needs", queryset=needs))
        return {c.pk: [n.accepted_quantity for n in c.needs.all()] for c in campaigns}

    HelpOfferFactory(need=volunteers, quantity=2, status=Status.ACCEPTED)
    few = _count_queries(cards)
    for _ in range(10):
        other = make_campaign()
        need = InKindNeedFactory(page=other, quantity=9)
        for _ in range(3):
            HelpOfferFactory(need=need, status=Status.ACCEPTED)
    assert _count_queries(cards) == few == 2
    result = cards()
    assert result[campaign.pk] == [2] and sorted(set(map(tuple, result.values()))) == [(2,), (3,)]


# The money report ---------------------------------------------------------------------------------


def test_the_money_report_shows_the_in_kind_value_apart_from_the_money(admin_client, campaign, volunteers, trailer):
    PledgeFactory(campaign=campaign, amount_cents=2500)
    before = reports.campaign_report(campaign)
    HelpOfferFactory(need=volunteers, status=Status.ACCEPTED, estimated_value_cents=12_000)
    HelpOfferFactory(need=trailer, status=Status.ACCEPTED, estimated_value_cents=3_050)
    HelpOfferFactory(need=volunteers, status=Status.ACCEPTED)  # accepted, no value given
    HelpOfferFactory(need=volunteers, status=Status.PENDING, estimated_value_cents=99_900)
    HelpOfferFactory(need=volunteers, status=Status.DECLINED, estimated_value_cents=99_900)

    report = reports.campaign_report(campaign)
    (line,) = report.in_kind
    assert (str(line["label"]), line["count"], line["value_cents"]) == (french("Accepted offers of help"), 3, 15_050)
    assert (report.in_kind_count, report.in_kind_value_cents) == (3, 15_050)
    assert services.in_kind_value_cents(campaign) == 15_050
    for figure in (
        "crowd_cents",
        "total_cents",
        "net_payout_cents",
        "matched_cents",
        "commission_cents",
        "backers_count",
    ):
        assert getattr(report, figure) == getattr(before, figure)
    assert report.total_cents == campaign.figures.raised_cents == 2500

    response = admin_client.get(reverse("payments_campaign_report", args=[campaign.pk]))
    html = text(response)
    assert french("Valuation of in-kind gifts") in html
    assert french("Accepted offers of help") in html
    assert "150,50" in html.split("data-in-kind")[1]
    assert "150,50" not in html.split("data-in-kind")[0]  # not in any money figure


def test_the_in_kind_lines_cost_one_query_whatever_the_offers(campaign, volunteers):
    def in_kind():
        return services.in_kind_summary(campaign) and reports.in_kind_lines(campaign)

    HelpOfferFactory(need=volunteers, status=Status.ACCEPTED, estimated_value_cents=1000)
    few = _count_queries(in_kind)
    for _ in range(10):
        HelpOfferFactory(need=volunteers, status=Status.ACCEPTED, estimated_value_cents=1000)
    assert _count_queries(in_kind) == few == 2
    assert reports.in_kind_lines(campaign)[0]["value_cents"] == 11_000


# Rate limit ---------------------------------------------------------------------------------------


def test_the_form_is_rate_limited(client, campaign, volunteers, low_rates):
    statuses = [client.post(form_url(campaign), valid_data(volunteers, quantity="1")).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert HelpOffer.objects.count() == 2
    assert client.get(form_url(campaign)).status_code == 200  # reading the form is not limited


# Admin --------------------------------------------------------------------------------------------


def test_staff_list_and_answer_an_offer_in_the_admin(admin_client, campaign, volunteers):
    offer = HelpOfferFactory(need=volunteers, name="Camille Martin", email="camille@example.org")
    index = admin_client.get(reverse("help_offers:index"))
    assert index.status_code == 200 and "Camille Martin" in text(index)
    filtered = admin_client.get(reverse("help_offers:index"), {"status": "accepted"})
    assert "Camille Martin" not in text(filtered)
    url = reverse("help_offers:inspect", args=[offer.pk])
    page = text(admin_client.get(url))
    assert 'name="answer-decision"' in page

    refused = admin_client.post(url, {"answer-decision": "decline", "answer-estimated_value": "20"})
    assert refused.status_code == 200 and HelpOffer.objects.get().status == Status.PENDING
    response = admin_client.post(
        url, {"answer-decision": "accept", "answer-response": "Bienvenue !", "answer-estimated_value": "150,50"}
    )
    assert response.status_code == 302
    offer.refresh_from_db()
    assert (offer.status, offer.estimated_value_cents, offer.response) == (Status.ACCEPTED, 15_050, "Bienvenue !")
    assert [message.to for message in mail.outbox] == [["camille@example.org"]]
    assert 'name="answer-decision"' not in text(admin_client.get(url))
    # Answered once: a second answer is refused with a message.
    again = admin_client.post(url, {"answer-decision": "decline"}, follow=True)
    assert HelpOffer.objects.get().status == Status.ACCEPTED and len(mail.outbox) == 1
    assert "already answered" in text(again) or "déjà" in text(again)


def test_the_campaign_filter_covers_every_translation(admin_client, campaign, volunteers, english):
    HelpOfferFactory(need=english.needs.get(translation_key=volunteers.translation_key), name="Sam English")
    html = text(admin_client.get(reverse("help_offers:index"), {"campaign": campaign.pk}))
    assert "Sam English" in html


def test_viewing_does_not_allow_answering(client, campaign, volunteers):
    viewer = UserFactory(email="lecture@example.org")
    viewer.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin", "view_helpoffer"]))
    client.force_login(viewer)
    offer = HelpOfferFactory(need=volunteers)
    url = reverse("help_offers:inspect", args=[offer.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert french("You may see this offer but not answer it.") in text(page) and "answer-decision" not in text(page)
    refused = client.post(url, {"answer-decision": "accept"})
    assert refused.status_code in (302, 403) and refused.get("Location", "") != url  # Wagtail: permission denied
    assert HelpOffer.objects.get().status == Status.PENDING and not mail.outbox


# Personal data -------------------------------------------------------------------------------------


def test_personal_data_export_and_erasure(campaign, volunteers):
    user = UserFactory(email="camille@example.org")
    user.emailaddress_set.create(email="camille@example.org", verified=True, primary=True)
    mine = HelpOfferFactory(
        need=volunteers, email="Camille@example.org", phone="0612", status=Status.ACCEPTED, quantity=2
    )
    signed_in = HelpOfferFactory(need=volunteers, email="autre@example.org", user=user)
    theirs = HelpOfferFactory(need=volunteers, email="someone@example.org")
    assert personal_data.export_offers in hooks.get_hooks(EXPORT_HOOK)
    assert personal_data.erase_offers in hooks.get_hooks(ERASE_HOOK)

    exported = personal_data.export_offers(user)["help_offers"]
    assert sorted(row["email"] for row in exported) == ["Camille@example.org", "autre@example.org"]

    personal_data.erase_offers(user)
    for offer in (mine, signed_in):
        offer.refresh_from_db()
        assert (offer.email, offer.phone, offer.offer, offer.availability) == ("", "", "", "")
        assert offer.name != "Camille" and offer.user is None
    theirs.refresh_from_db()
    assert theirs.email == "someone@example.org"
    assert services.needs_with_progress(campaign)[0].accepted_quantity == 2  # progress unchanged


def test_the_english_page_serves_the_form_in_english(client, campaign, volunteers, english):
    response = client.get(english.url + "aider/")
    assert response.status_code == 200
    html = text(response)
    assert "Offer your help to “Jardin partagé”" in html and "Already found: 0 of 5" in html
    response = client.post(english.url + "aider/", valid_data(volunteers, quantity="1"))
    assert response["Location"] == english.url + "aider/merci/"
    offer = HelpOffer.objects.get()
    assert (offer.campaign_id, offer.language) == (english.pk, "en")
    acknowledgement = next(message for message in mail.outbox if message.to == ["camille@example.org"])
    assert acknowledgement.subject == "Your offer of help to “Jardin partagé”"


def test_needs_with_progress_in_a_preview_reads_the_rows_in_memory(campaign, volunteers):
    HelpOfferFactory(need=volunteers, quantity=2, status=Status.ACCEPTED)
    page = CampaignPage.objects.get(pk=campaign.pk)
    fresh = InKindNeed(kind=InKindNeed.Kind.SKILLS, description="Un graphiste", quantity=1, sort_order=0)
    volunteers.sort_order = 5
    page.needs = [volunteers, fresh]  # as the edit form's preview holds them, unsaved
    with CaptureQueriesContext(connection) as captured:
        needs = services.needs_with_progress(page)
    assert len(captured.captured_queries) == 1
    assert [(need.description, need.accepted_quantity) for need in needs] == [
        ("Un graphiste", 0),
        ("Bénévoles pour le chantier", 2),
    ]
