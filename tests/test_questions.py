"""Public questions on a campaign: asked, held for moderation, published, answered, rejected,
reported; the honeypot and rate limits; questions across translations; the staff admin; the
personal-data hooks."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import Locale, Page

from accounts.personal_data import close_account, export
from coupdepouce.models import PlatformSettings
from holders import services as holder_services
from questions import services, views
from questions.forms import QuestionForm
from questions.models import Question, QuestionReport
from tests.factories.applications import UserFactory
from tests.factories.questions import QuestionFactory, QuestionReportFactory

pytestmark = pytest.mark.django_db

S = Question.Status


def nbsp(text):
    """French typography of the catalog: a no-break space inside « » and before ":"."""
    return text.replace("« ", "«\u00a0").replace(" »", "\u00a0»").replace(" :", "\u00a0:")


def soup(response_or_html):
    content = getattr(response_or_html, "content", response_or_html)
    return BeautifulSoup(content, "html.parser")


@pytest.fixture
def campaign(make_campaign):
    return make_campaign(title="Jardin partagé", slug="jardin-partage")


@pytest.fixture
def holder(campaign):
    user = UserFactory(email="porteuse@example.org", full_name="Porteuse du projet")
    holder_services.add_holder(user, campaign)
    return user


@pytest.fixture
def contact(home):
    settings = PlatformSettings.for_page(home)
    settings.contact_email = "mairie@example.org"
    settings.save()
    return settings.contact_email


@pytest.fixture
def staff():
    return UserFactory(email="agent@example.org", is_staff=True, is_superuser=True)


@pytest.fixture
def locale_en(db):
    return Locale.objects.get_or_create(language_code="en")[0]


def translate(page, locale, **fields):
    copy = page.specific.copy_for_translation(locale)
    for name, value in fields.items():
        setattr(copy, name, value)
    copy.save_revision().publish()
    return Page.objects.get(pk=copy.pk).specific


@pytest.fixture
def campaign_en(campaign, home, project_index, locale_en):
    translate(home, locale_en, title="Home")
    translate(project_index, locale_en, title="Projects", slug="projects")
    return translate(campaign, locale_en, title="Shared garden", slug="shared-garden")


def ask_url(campaign):
    return campaign.url + "questions/"


def sent_url(campaign):
    return campaign.url + "questions/merci/"


def question_data(**overrides):
    return {
        "name": "Camille Martin",
        "email": "camille@example.org",
        "question": "Le jardin sera-t-il ouvert aux écoles ?",
        "website": "",
        **overrides,
    }


def questions_section(response):
    section = soup(response).find("section", id="questions")
    assert section is not None, response.content.decode()[:2000]
    return section


def published(question, by):
    return services.publish(question, by=by)


# Asking -------------------------------------------------------------------------------------


def test_a_question_is_held_for_moderation_and_emails_the_holder_and_staff(client, campaign, holder, contact):
    response = client.post(ask_url(campaign), question_data())

    assert response.status_code == 302
    assert response["Location"] == sent_url(campaign)
    question = Question.objects.get()
    assert question.status == S.PENDING
    assert (question.author_name, question.author_email, question.language) == (
        "Camille Martin",
        "camille@example.org",
        "fr",
    )
    assert question.campaign_id == campaign.pk and question.user is None

    # Not public yet.
    page = client.get(campaign.url)
    assert "Le jardin sera-t-il ouvert aux écoles ?" not in page.content.decode()
    assert services.published_for(campaign) == [] and services.published_count(campaign) == 0
    assert list(services.pending_for(campaign)) == [question]

    # One email each to the holder and to the site's contact, in French, with absolute links.
    assert sorted(tuple(message.to) for message in mail.outbox) == [("mairie@example.org",), ("porteuse@example.org",)]
    message = mail.outbox[0]
    assert message.subject == nbsp("Nouvelle question sur « Jardin partagé »")
    assert "Le jardin sera-t-il ouvert aux écoles ?" in message.body
    assert "Camille Martin" in message.body
    assert f"http://localhost/admin/questions/inspect/{question.pk}/" in message.body
    assert "camille@example.org" not in message.body  # the author's address stays private
    html = message.alternatives[0][0]
    assert f'href="http://localhost/admin/questions/inspect/{question.pk}/"' in html


def test_the_email_links_to_the_holders_dashboard_when_it_exists(campaign, holder):
    question = services.ask(campaign, name="Camille", email="camille@example.org", body="Une question ?")
    try:
        workspace = reverse("projects:workspace_campaign", args=[campaign.pk])
    except Exception:  # noqa: BLE001 — the workspace (helper "holders") may not be routed yet
        pytest.skip("projects:workspace_campaign is not routed")
    [message] = mail.outbox
    assert f"http://localhost{workspace}" in message.body
    assert question.status == S.PENDING


def test_the_confirmation_page_says_the_question_waits_for_moderation(client, campaign):
    response = client.get(sent_url(campaign))
    assert response.status_code == 200
    page = soup(response)
    assert page.find("h1").get_text(strip=True) == "Votre question a été envoyée"
    assert "une fois que le porteur de projet ou l’équipe du site l’aura validée" in page.get_text(" ", strip=True)


def test_a_signed_in_citizen_s_question_is_linked_to_their_account(client, campaign):
    user = UserFactory()
    client.force_login(user)
    client.post(ask_url(campaign), question_data())
    assert Question.objects.get().user == user


def test_the_standalone_page_shows_the_form_and_the_published_questions(client, campaign, staff):
    published(QuestionFactory(campaign=campaign, body="Combien de parcelles ?"), staff)
    QuestionFactory(campaign=campaign, body="Question en attente")
    response = client.get(ask_url(campaign))
    assert response.status_code == 200
    page = soup(response)
    assert page.find("h1").get_text(strip=True) == nbsp("Poser une question sur « Jardin partagé »")
    form = page.find("form", class_="question-form")
    assert form["action"] == ask_url(campaign)
    assert {field["name"] for field in form.select("input, textarea") if field["name"] != "csrfmiddlewaretoken"} == {
        "name",
        "email",
        "question",
        "website",
    }
    assert "Combien de parcelles ?" in page.get_text()
    assert "Question en attente" not in page.get_text()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "email": "", "question": ""}, "name", "Indiquez votre nom."),
        ({"name": "", "email": "", "question": ""}, "email", "Indiquez votre adresse e-mail."),
        ({"name": "", "email": "", "question": ""}, "question", "Écrivez votre question."),
        ({"name": "   "}, "name", "Indiquez votre nom."),
        ({"question": "   "}, "question", "Écrivez votre question."),
        ({"email": "camille@"}, "email", "Indiquez une adresse e-mail valide, par exemple nom@example.org."),
        (
            {"question": "x" * 2001},
            "question",
            nbsp("Votre question est trop longue : 2000 caractères au plus (elle en a 2001)."),
        ),
        ({"name": "n" * 151}, "name", nbsp("Votre nom est trop long : 150 caractères au plus (il en a 151).")),
    ],
)
def test_bad_input_is_refused_with_a_clear_french_error_and_kept(client, campaign, data, field, message):
    response = client.post(ask_url(campaign), question_data(**data))

    assert response.status_code == 200
    assert not Question.objects.exists()
    assert mail.outbox == []
    page = soup(response)
    assert page.find("title").get_text().startswith("Erreur")
    summary = page.find(id="error-summary")
    assert summary is not None
    link = summary.find("a", string=message)
    assert link is not None, summary
    assert link["href"] == f"#question-{field}"
    error = page.find(id=f"question-{field}_error")
    assert message in error.get_text()
    widget = page.find(id=f"question-{field}")
    assert f"question-{field}_error" in widget["aria-describedby"]
    # What was typed comes back.
    typed = question_data(**data)
    for name in ("name", "email"):
        assert page.find(id=f"question-{name}").get("value", "") == typed[name]
    assert page.find(id="question-question").get_text().strip() == typed["question"].strip()


def test_the_honeypot_answers_like_a_success_and_saves_nothing(client, campaign, holder):
    response = client.post(ask_url(campaign), question_data(website="http://spam.example"))
    assert response.status_code == 302
    assert response["Location"] == sent_url(campaign)
    assert not Question.objects.exists()
    assert mail.outbox == []


def test_the_honeypot_is_hidden_from_people_and_assistive_technologies(client, campaign):
    page = soup(client.get(ask_url(campaign)))
    honeypot = page.find("input", attrs={"name": "website"})
    wrapper = honeypot.find_parent("div")
    assert wrapper.has_attr("hidden")
    assert honeypot["tabindex"] == "-1" and honeypot["autocomplete"] == "off"


def test_the_service_refuses_an_empty_question():
    with translation.override("en"), pytest.raises(services.QuestionError, match="Write your question"):
        services.ask(None, name="Camille", email="c@example.org", body="  ")


# The campaign page's section ---------------------------------------------------------------


def test_the_campaign_page_shows_the_questions_section_with_a_link_to_the_form(client, campaign, staff):
    published(QuestionFactory(campaign=campaign, body="Combien de parcelles ?"), staff)
    section = questions_section(client.get(campaign.url))

    assert section.find("h2").get_text(" ", strip=True) == "Questions (1)"
    assert "Combien de parcelles ?" in section.find("article").get_text()
    # Anonymous visitors get a link to the form's own page: no CSRF token, the page is cacheable.
    assert section.find("form") is None
    assert section.select_one("a.button")["href"] == ask_url(campaign)
    assert "Votre adresse e-mail n’est jamais affichée" in section.get_text()


def test_the_campaign_page_shows_the_question_form_to_signed_in_visitors(client, campaign, staff):
    published(QuestionFactory(campaign=campaign, body="Combien de parcelles ?"), staff)
    client.force_login(staff)
    section = questions_section(client.get(campaign.url))

    assert section.find("h2").get_text(" ", strip=True) == "Questions (1)"
    article = section.find("article")
    assert article.find("h3") is not None
    assert "Combien de parcelles ?" in article.get_text()
    form = section.find("form", class_="question-form")
    assert form["action"] == ask_url(campaign)
    assert form["method"] == "post"
    assert "après validation" in section.get_text() or "une fois que le porteur de projet" in section.get_text()
    assert "Votre adresse e-mail n’est jamais affichée" in section.get_text()
    # No inline script nor style element.
    assert section.find("script") is None and section.find("style") is None


def test_a_published_question_shows_in_the_partial_newest_first(campaign, staff, rf):
    older = published(QuestionFactory(campaign=campaign, body="Ancienne question"), staff)
    Question.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=2))
    published(QuestionFactory(campaign=campaign, body="Nouvelle question"), staff)
    QuestionFactory(campaign=campaign, body="Pas encore modérée")
    request = rf.get(campaign.url)
    with translation.override("fr"):
        html = render_to_string(
            "questions/_questions.html",
            {
                "campaign": campaign,
                "questions": services.published_for(campaign),
                "questions_count": services.published_count(campaign),
                "question_form": QuestionForm(),
                "request": request,
            },
        )
    bodies = [article.find("div", class_="question__body").get_text(strip=True) for article in soup(html)("article")]
    assert bodies == ["Nouvelle question", "Ancienne question"]
    assert "Pas encore modérée" not in html


def test_the_page_shows_at_most_page_size_questions_and_says_how_many(client, campaign, staff, monkeypatch):
    monkeypatch.setattr(services, "PAGE_SIZE", 2)
    for number in range(3):
        QuestionFactory(campaign=campaign, status=S.PUBLISHED, body=f"Question {number}")
    section = questions_section(client.get(campaign.url))
    assert len(section("article")) == 2
    assert "Les questions les plus récentes sont affichées, sur 3 en tout." in section.get_text(" ", strip=True)


def test_questions_of_the_english_translation_show_on_the_french_campaign(client, campaign, campaign_en, staff):
    english = QuestionFactory(campaign=campaign_en, body="Is the garden open to schools?", language="en")
    services.publish(english, by=staff)
    french = services.publish(QuestionFactory(campaign=campaign, body="Y a-t-il un composteur ?"), by=staff)

    assert services.published_for(campaign) == services.published_for(campaign_en) == [french, english]
    assert services.published_count(campaign) == 2
    for page in (campaign, campaign_en):
        text = questions_section(client.get(page.url)).get_text()
        assert "Is the garden open to schools?" in text and "Y a-t-il un composteur ?" in text


def test_a_question_asked_in_english_is_recorded_in_english(client, campaign_en, holder):
    response = client.post(ask_url(campaign_en), question_data(question="Is it open on Sundays?"))
    assert response["Location"] == sent_url(campaign_en)
    question = Question.objects.get()
    assert question.language == "en" and question.campaign_id == campaign_en.pk
    # The holder hears about it in the campaign's own language (French), on the French page.
    [message] = mail.outbox
    assert message.subject == nbsp("Nouvelle question sur « Jardin partagé »")


def test_published_for_is_one_query_whatever_the_number_of_questions(campaign, staff, django_assert_num_queries):
    def add(count):
        for _ in range(count):
            question = QuestionFactory(campaign=campaign, status=S.PUBLISHED, answer="Oui.", answered_by=staff)
            QuestionReportFactory(question=question)

    add(2)
    with django_assert_num_queries(1):
        assert len(services.published_for(campaign)) == 2
    add(20)
    with django_assert_num_queries(1):
        questions = services.published_for(campaign)
        assert len(questions) == services.PAGE_SIZE
        assert all(q.answer == "Oui." and q.by_holder is False for q in questions)


def test_the_campaign_page_runs_the_same_queries_when_questions_grow_tenfold(client, campaign, staff):
    def add(count):
        for _ in range(count):
            QuestionFactory(campaign=campaign, status=S.PUBLISHED, answer="Oui.", answered_by=staff)
            QuestionFactory(campaign=campaign)

    def queries():
        client.get(campaign.url)  # warm the caches (site root paths, settings)
        with CaptureQueriesContext(connection) as context:
            assert client.get(campaign.url).status_code == 200
        return len(context.captured_queries)

    add(2)
    few = queries()
    add(18)
    assert queries() == few


# Moderation ------------------------------------------------------------------------------------


def test_publish_shows_the_question_and_records_who_moderated(client, campaign, holder):
    question = QuestionFactory(campaign=campaign, body="Combien de parcelles ?")
    services.publish(question, by=holder)
    question.refresh_from_db()
    assert question.status == S.PUBLISHED
    assert question.moderated_by == holder and question.moderated_at is not None
    assert "Combien de parcelles ?" in questions_section(client.get(campaign.url)).get_text()


def test_answer_shows_beneath_the_question_and_emails_the_author_in_their_language(client, campaign, holder):
    question = QuestionFactory(
        campaign=campaign, body="Is it open on Sundays?", language="en", author_email="sam@example.org"
    )
    services.answer(question, by=holder, text="Oui, de 10 h à 18 h.")
    question.refresh_from_db()
    assert question.status == S.PUBLISHED
    assert (question.answered_by, question.moderated_by) == (holder, holder)

    article = questions_section(client.get(campaign.url)).find("article")
    assert article.find("h4").get_text(strip=True) == "Réponse du porteur de projet"
    assert "Oui, de 10 h à 18 h." in article.find("div", class_="question__answer").get_text()

    [message] = mail.outbox
    assert message.to == ["sam@example.org"]
    assert message.subject == "Your question on “Jardin partagé” was answered"
    assert "Oui, de 10 h à 18 h." in message.body
    assert "http://localhost/projets/jardin-partage/#questions" in message.body

    # Correcting the answer does not email the author again.
    services.answer(question, by=holder, text="Oui, de 10 h à 19 h.")
    assert len(mail.outbox) == 1
    question.refresh_from_db()
    assert question.answer == "Oui, de 10 h à 19 h."


def test_an_answer_by_staff_is_signed_by_the_site(client, campaign, staff):
    services.answer(QuestionFactory(campaign=campaign), by=staff, text="La mairie vous répond.")
    article = questions_section(client.get(campaign.url)).find("article")
    assert article.find("h4").get_text(strip=True) == "Réponse de l’équipe du site"


def test_a_french_author_is_emailed_in_french(campaign, staff):
    services.answer(QuestionFactory(campaign=campaign), by=staff, text="Oui.")
    [message] = mail.outbox
    assert message.subject == nbsp("Votre question sur « Jardin partagé » a reçu une réponse")


def test_reject_keeps_the_question_off_the_page(client, campaign, staff):
    question = QuestionFactory(campaign=campaign, body="Message hors sujet")
    services.reject(question, by=staff)
    question.refresh_from_db()
    assert question.status == S.REJECTED
    assert "Message hors sujet" not in client.get(campaign.url).content.decode()
    # A published question can be withdrawn too.
    other = services.publish(QuestionFactory(campaign=campaign, body="Autre message"), by=staff)
    services.reject(other, by=staff)
    assert services.published_for(campaign) == []


@pytest.mark.parametrize(
    ("status", "move", "message"),
    [
        (S.PUBLISHED, "publish", "This question is already published."),
        (S.REJECTED, "reject", "This question is already rejected."),
        (S.REJECTED, "answer", "This question was rejected: publish it before answering it."),
        (S.PENDING, "report", "Only published questions can be reported."),
        (S.REJECTED, "report", "Only published questions can be reported."),
    ],
)
def test_impossible_moves_are_refused_with_a_clear_error(campaign, staff, status, move, message):
    question = QuestionFactory(campaign=campaign, status=status)
    calls = {
        "publish": lambda: services.publish(question, by=staff),
        "reject": lambda: services.reject(question, by=staff),
        "answer": lambda: services.answer(question, by=staff, text="Une réponse."),
        "report": lambda: services.report(question, "spam"),
    }
    with translation.override("en"), pytest.raises(services.QuestionError) as error:
        calls[move]()
    assert error.value.message == message
    question.refresh_from_db()
    assert question.status == status
    assert not QuestionReport.objects.exists()


def test_an_empty_answer_is_refused(campaign, staff):
    question = QuestionFactory(campaign=campaign)
    with translation.override("en"), pytest.raises(services.QuestionError, match="Write an answer"):
        services.answer(question, by=staff, text="   ")
    question.refresh_from_db()
    assert question.status == S.PENDING


def test_the_error_of_a_move_is_in_french_for_a_french_reader(campaign, staff):
    question = QuestionFactory(campaign=campaign, status=S.PUBLISHED)
    with translation.override("fr"), pytest.raises(services.QuestionError) as error:
        services.publish(question, by=staff)
    assert error.value.message == "Cette question est déjà publiée."


# Reports ---------------------------------------------------------------------------------------


def report_url(question):
    return reverse("questions:report", args=[question.pk])


def test_a_report_sends_the_question_back_to_moderation(client, campaign, staff, holder, contact):
    question = services.answer(QuestionFactory(campaign=campaign, body="Message injurieux"), by=staff, text="Non.")
    mail.outbox.clear()
    assert report_url(question) == f"/questions/{question.pk}/signaler/"

    # The "Signaler" link of the campaign page leads to the report page.
    link = questions_section(client.get(campaign.url)).find("a", href=report_url(question))
    assert link.get_text(" ", strip=True).startswith("Signaler")
    page = client.get(report_url(question))
    assert page.status_code == 200
    assert "Message injurieux" in page.content.decode()

    response = client.post(report_url(question), {"reason": "Insultes envers un voisin."})
    assert response.status_code == 302
    assert response["Location"] == reverse("questions:report_sent", args=[question.pk])
    question.refresh_from_db()
    assert question.status == S.PENDING and question.reported_at is not None
    assert question.answer == "Non."  # kept for when it is published again
    assert [report.reason for report in question.reports.all()] == ["Insultes envers un voisin."]
    assert "Message injurieux" not in client.get(campaign.url).content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == ["mairie@example.org", "porteuse@example.org"]
    assert mail.outbox[0].subject == nbsp("Une question sur « Jardin partagé » a été signalée")
    assert "Insultes envers un voisin." in mail.outbox[0].body
    thanks = client.get(response["Location"]).content.decode()
    assert "La question est masquée" in thanks


def test_a_question_published_again_after_a_report_stays_online(campaign, staff, holder):
    question = services.publish(QuestionFactory(campaign=campaign), by=staff)
    services.report(question, "Je ne suis pas d'accord.")
    question.refresh_from_db()
    assert question.status == S.PENDING
    # The moderator looks and publishes it again: they have the last word.
    services.publish(question, by=staff)
    mail.outbox.clear()
    services.report(question, "Toujours pas d'accord.")
    question.refresh_from_db()
    assert question.status == S.PUBLISHED
    assert question.reports.count() == 2
    assert mail.outbox  # the team still hears about it


def test_reports_to_hide_is_small():
    assert 1 <= services.REPORTS_TO_HIDE <= 3


def test_only_published_questions_can_be_reported(client, campaign, staff):
    pending = QuestionFactory(campaign=campaign)
    rejected = QuestionFactory(campaign=campaign, status=S.REJECTED)
    for question in (pending, rejected):
        assert client.get(report_url(question)).status_code == 404
        assert client.post(report_url(question), {"reason": "x"}).status_code == 404
    assert client.get(reverse("questions:report", args=[999999])).status_code == 404
    assert not QuestionReport.objects.exists()


def test_a_report_reason_too_long_is_refused_and_kept(client, campaign, staff):
    question = services.publish(QuestionFactory(campaign=campaign), by=staff)
    response = client.post(report_url(question), {"reason": "x" * 1001})
    assert response.status_code == 200
    assert nbsp("La raison est trop longue : 1000 caractères au plus (elle en a 1001).") in response.content.decode()
    assert not QuestionReport.objects.exists()
    question.refresh_from_db()
    assert question.status == S.PUBLISHED


def test_the_report_honeypot_saves_nothing(client, campaign, staff):
    question = services.publish(QuestionFactory(campaign=campaign), by=staff)
    response = client.post(report_url(question), {"reason": "", "website": "spam"})
    assert response.status_code == 302
    assert not QuestionReport.objects.exists()
    question.refresh_from_db()
    assert question.status == S.PUBLISHED


# Rate limits -----------------------------------------------------------------------------------


def test_asking_is_rate_limited(client, campaign, low_rates):
    url = ask_url(campaign)
    assert [client.post(url, question_data()).status_code for _ in range(2)] == [302, 302]
    response = client.post(url, question_data())
    assert response.status_code == 429
    assert Question.objects.count() == 2
    assert client.get(url).status_code == 200  # reading is not limited


def test_reporting_is_rate_limited(client, campaign, staff, low_rates):
    questions = [services.publish(QuestionFactory(campaign=campaign), by=staff) for _ in range(3)]
    assert [client.post(report_url(q), {}).status_code for q in questions[:2]] == [302, 302]
    assert client.post(report_url(questions[2]), {}).status_code == 429
    assert QuestionReport.objects.count() == 2


# The views called directly (as the campaign page's routes call them) ---------------------------


def test_the_views_take_the_campaign_page(campaign, holder):
    request = RequestFactory().post(ask_url(campaign), question_data())
    request.user = UserFactory()
    request._dont_enforce_csrf_checks = True
    response = views.ask(request, campaign)
    assert response.status_code == 302 and response["Location"] == sent_url(campaign)
    assert Question.objects.get().user == request.user


# Staff admin -----------------------------------------------------------------------------------


@pytest.fixture
def moderator():
    """A member of a group with what the Communication group has on questions."""
    user = UserFactory(email="moderatrice@example.org")
    group = Group.objects.create(name="Modération des questions (test)")
    for codename in ("access_admin", "view_question", "change_question", "view_questionreport"):
        group.permissions.add(Permission.objects.get(codename=codename))
    user.groups.add(group)
    return user


@pytest.fixture
def viewer():
    user = UserFactory(email="lectrice@example.org")
    group = Group.objects.create(name="Lecture des questions (test)")
    for codename in ("access_admin", "view_question"):
        group.permissions.add(Permission.objects.get(codename=codename))
    user.groups.add(group)
    return user


def admin_index():
    return reverse("question_admin:index")


def admin_inspect(question):
    return reverse("question_admin:inspect", args=[question.pk])


def test_the_admin_lists_and_filters_questions(client, campaign, campaign_en, moderator, staff):
    reported = services.publish(QuestionFactory(campaign=campaign_en, body="Question signalée"), by=staff)
    services.report(reported, "spam")
    QuestionFactory(campaign=campaign, body="Question en attente")
    services.reject(QuestionFactory(campaign=campaign, body="Question rejetée"), by=staff)
    client.force_login(moderator)

    page = client.get(admin_index())
    assert page.status_code == 200
    text = page.content.decode()
    for body in ("Question signalée", "Question en attente", "Question rejetée"):
        assert body in text

    text = client.get(admin_index(), {"status": "rejected"}).content.decode()
    assert "Question rejetée" in text and "Question en attente" not in text
    text = client.get(admin_index(), {"reported": "yes"}).content.decode()
    assert "Question signalée" in text and "Question en attente" not in text
    # The French campaign stands for its English translation too.
    text = client.get(admin_index(), {"campaign": campaign.pk}).content.decode()
    assert "Question signalée" in text and "Question en attente" in text
    text = client.get(admin_index(), {"q": "rejetée"}).content.decode()
    assert "Question rejetée" in text and "Question en attente" not in text


def test_staff_publish_reject_and_answer_from_the_admin(client, campaign, moderator):
    question = QuestionFactory(campaign=campaign, body="Combien de parcelles ?")
    client.force_login(moderator)
    page = client.get(admin_inspect(question))
    assert page.status_code == 200
    assert "Combien de parcelles ?" in page.content.decode()

    response = client.post(admin_inspect(question), {"action": "publish"})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.status == S.PUBLISHED and question.moderated_by == moderator

    # An empty answer comes back with its error.
    response = client.post(admin_inspect(question), {"action": "answer", "answer-answer": ""})
    assert response.status_code == 200
    question.refresh_from_db()
    assert question.answer == ""

    client.post(admin_inspect(question), {"action": "answer", "answer-answer": "Douze parcelles."})
    question.refresh_from_db()
    assert question.answer == "Douze parcelles." and question.answered_by == moderator
    assert len(mail.outbox) == 1

    client.post(admin_inspect(question), {"action": "reject"})
    question.refresh_from_db()
    assert question.status == S.REJECTED

    # An impossible move is refused with a message, nothing changes.
    response = client.post(admin_inspect(question), {"action": "reject"}, follow=True)
    assert "Cette question est déjà refusée." in response.content.decode()


def test_viewing_without_change_permission_cannot_moderate(client, campaign, viewer):
    question = QuestionFactory(campaign=campaign)
    client.force_login(viewer)
    assert client.get(admin_inspect(question)).status_code == 200
    response = client.post(admin_inspect(question), {"action": "publish"})
    assert response.status_code == 302 and response["Location"] == "/admin/"  # Wagtail's "permission denied"
    question.refresh_from_db()
    assert question.status == S.PENDING


def test_the_admin_is_closed_to_citizens(client, campaign):
    client.force_login(UserFactory())
    question = QuestionFactory(campaign=campaign)
    assert client.get(admin_index()).status_code in (302, 403)
    assert client.post(admin_inspect(question), {"action": "publish"}).status_code in (302, 403)
    question.refresh_from_db()
    assert question.status == S.PENDING


# Personal data ---------------------------------------------------------------------------------


def test_export_and_erase_the_authors_questions(campaign, staff):
    user = UserFactory(email="camille@example.org")
    EmailAddress.objects.create(user=user, email="camille@example.org", verified=True, primary=True)
    by_email = services.answer(
        QuestionFactory(campaign=campaign, author_email="Camille@example.org", body="Par e-mail"), by=staff, text="Oui"
    )
    by_account = QuestionFactory(campaign=campaign, author_email="autre@example.org", user=user, body="Du compte")
    someone_else = QuestionFactory(campaign=campaign, author_email="voisin@example.org", body="Voisin")

    data = export(user)["questions"]
    assert sorted(item["question"] for item in data) == ["Du compte", "Par e-mail"]
    assert {item["answer"] for item in data} == {"Oui", ""}

    close_account(user)
    for question in (by_email, by_account):
        question.refresh_from_db()
        assert (question.author_name, question.author_email, question.user) == ("", "", None)
    someone_else.refresh_from_db()
    assert someone_else.author_email == "voisin@example.org"


def test_an_anonymised_question_shows_as_anonymous(client, campaign, staff):
    question = services.publish(QuestionFactory(campaign=campaign), by=staff)
    Question.objects.filter(pk=question.pk).update(author_name="", author_email="")
    article = questions_section(client.get(campaign.url)).find("article")
    assert article.find("h3").get_text(strip=True) == "Question anonyme"
