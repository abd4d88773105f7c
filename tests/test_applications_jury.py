"""The jury: what a juror sees, declares and scores, and the ranking staff read.

- Ranking arithmetic: a review is the weighted mean of its criteria, an application the mean
  of its counted reviews (submitted, not conflicted); spread, count, coups de cœur; unscored last.
- A juror sees only the applications assigned to them (list and page); a conflicted juror
  gets a 404 and their score no longer counts.
- Scores are whole numbers from 0 to 5 for each criterion; a wrong one is refused with a
  message and nothing is saved. The other jurors' reviews show only after sending one's own.
"""

from decimal import Decimal

import pytest
from django.conf.urls.i18n import i18n_patterns
from django.urls import NoReverseMatch, include, path, reverse
from django.utils import translation

from applications import jury, ranking
from applications.models import ApplicationEvent, JuryAssignment, Review
from applications.status import ApplicationStatus
from coupdepouce import urls as root_urls
from tests.factories.applications import (
    ApplicationFactory,
    AttachmentFactory,
    CallWithFormFactory,
    JuryAssignmentFactory,
    ReviewFactory,
    UserFactory,
)
from tests.factories.calls import EvaluationCriterionFactory

pytestmark = pytest.mark.django_db

S = ApplicationStatus

# Until the site's URLconf includes "applications.jury_urls", these tests serve it in front of
# the site's own patterns (see the `_jury_urls` fixture).
urlpatterns = [
    *i18n_patterns(path("", include("applications.jury_urls")), prefix_default_language=False),
    *root_urls.urlpatterns,
]


@pytest.fixture(autouse=True)
def _jury_urls(settings):
    try:
        reverse("jury:index")
    except NoReverseMatch:
        settings.ROOT_URLCONF = __name__


def en(name, *args):
    """A jury URL under /en/, so that messages are read in English."""
    with translation.override("en"):
        return reverse(name, args=args)


# --- Fixtures ---------------------------------------------------------------------------


@pytest.fixture
def call(call_index):
    return CallWithFormFactory(parent=call_index, title="Budget participatif")


@pytest.fixture
def impact(call):
    return EvaluationCriterionFactory(page=call, title="Impact", weight=2, description="Pour qui, combien.")


@pytest.fixture
def feasibility(call):
    return EvaluationCriterionFactory(page=call, title="Faisabilité", weight=1)


@pytest.fixture
def criteria(impact, feasibility):
    return [impact, feasibility]


def scores_for(impact_score, feasibility_score, impact, feasibility):
    return {str(impact.pk): impact_score, str(feasibility.pk): feasibility_score}


def make_application(call, status=S.ELIGIBLE, **kwargs):
    kwargs.setdefault("reference", f"AAP-2099-{ApplicationFactory._meta.model.objects.count() + 1:04d}")
    return ApplicationFactory(call=call, status=status, **kwargs)


@pytest.fixture
def application(call, criteria):
    return make_application(
        call,
        title="Jardin partagé",
        answers={"q-description": "Des bacs de culture au pied des immeubles.", "q-consent": True},
    )


@pytest.fixture
def juror():
    return UserFactory(full_name="Élue Martin")


@pytest.fixture
def other_juror():
    return UserFactory(full_name="Agent Durand")


@pytest.fixture
def assignment(application, juror):
    return JuryAssignmentFactory(application=application, juror=juror)


def review(application, juror, impact_score, feasibility_score, impact, feasibility, **kwargs):
    return ReviewFactory(
        application=application,
        juror=juror,
        scores=scores_for(impact_score, feasibility_score, impact, feasibility),
        **kwargs,
    )


# --- Ranking arithmetic -----------------------------------------------------------------


def test_a_review_is_the_weighted_mean_of_its_criteria():
    weights = {"1": 2, "2": 1}
    assert ranking.review_score({"1": 5, "2": 2}, weights) == Decimal("4.00")
    assert ranking.review_score({"1": 3, "2": 3}, weights) == Decimal("3.00")
    # Rounded half up to two places: (2×4 + 1×5) / 3 = 4.333…, (2×5 + 1×4) / 3 = 4.666…
    assert ranking.review_score({"1": 4, "2": 5}, weights) == Decimal("4.33")
    assert ranking.review_score({"1": 5, "2": 4}, weights) == Decimal("4.67")
    assert ranking.review_score({}, weights) is None


def test_ranking_averages_reviews_and_measures_the_spread(call, impact, feasibility, application):
    a, b = UserFactory(), UserFactory()
    review(application, a, 5, 2, impact, feasibility)  # 4.00
    review(application, b, 3, 3, impact, feasibility)  # 3.00

    (ranked,) = ranking.rank(call, [application])

    assert ranked.average == Decimal("3.50")
    assert ranked.spread == Decimal("1.00")
    assert ranked.reviews == 2
    assert ranked.coups_de_coeur == 0


def test_the_average_is_rounded_once_at_the_end(call, impact, feasibility, application):
    # 4.333… and 4.333… and 5: rounding each review first would give 4.55, not 4.56.
    for impact_score, feasibility_score in [(4, 5), (4, 5), (5, 5)]:
        review(application, UserFactory(), impact_score, feasibility_score, impact, feasibility)

    (ranked,) = ranking.rank(call, [application])

    assert ranked.average == Decimal("4.56")
    assert ranked.spread == Decimal("0.67")


def test_best_first_unscored_last_and_ties_go_to_coups_de_coeur(call, impact, feasibility):
    low, high, tied, unscored = (make_application(call, title=t) for t in ("Bas", "Haut", "Ex aequo", "Sans note"))
    review(low, UserFactory(), 1, 1, impact, feasibility)
    review(high, UserFactory(), 4, 4, impact, feasibility)
    review(tied, UserFactory(), 4, 4, impact, feasibility, coup_de_coeur=True)

    ranked = ranking.rank(call, [unscored, low, high, tied])

    assert [r.application for r in ranked] == [tied, high, low, unscored]
    assert ranked[0].coups_de_coeur == 1
    assert ranked[-1].average is None and ranked[-1].spread is None and ranked[-1].reviews == 0


def test_drafts_do_not_count(call, impact, feasibility, application):
    review(application, UserFactory(), 5, 5, impact, feasibility)
    review(application, UserFactory(), 0, 0, impact, feasibility, submitted_at=None, coup_de_coeur=True)

    (ranked,) = ranking.rank(call, [application])

    assert (ranked.average, ranked.reviews, ranked.coups_de_coeur) == (Decimal("5.00"), 1, 0)


def test_a_conflicted_jurors_review_is_excluded(call, impact, feasibility, application, assignment, juror):
    review(application, juror, 0, 0, impact, feasibility, coup_de_coeur=True)
    review(application, UserFactory(), 4, 4, impact, feasibility, coup_de_coeur=True)
    assert ranking.rank(call, [application])[0].average == Decimal("2.00")

    jury.declare_conflict(assignment, "Je préside l'association.")

    (ranked,) = ranking.rank(call, [application])
    assert (ranked.average, ranked.reviews, ranked.coups_de_coeur) == (Decimal("4.00"), 1, 1)
    assert ranked.spread == Decimal("0.00")


def test_coups_de_coeur_are_counted(call, impact, feasibility, application):
    for heart in (True, True, False):
        review(application, UserFactory(), 3, 3, impact, feasibility, coup_de_coeur=heart)

    assert ranking.rank(call, [application])[0].coups_de_coeur == 2


def test_each_application_is_scored_on_the_criteria_of_its_own_call(call_index, call, impact, feasibility):
    # An application made to another page of the call (a translation has its own criteria rows).
    other_call = CallWithFormFactory(parent=call_index)
    c1 = EvaluationCriterionFactory(page=other_call, weight=1)
    c3 = EvaluationCriterionFactory(page=other_call, weight=3)
    application = make_application(other_call)
    ReviewFactory(application=application, juror=UserFactory(), scores={str(c1.pk): 5, str(c3.pk): 1})

    (ranked,) = ranking.rank(call, [application])

    assert ranked.average == Decimal("2.00")  # (1×5 + 3×1) / 4


def test_ranking_runs_a_constant_number_of_queries(call, impact, feasibility, django_assert_num_queries):
    applications = [make_application(call) for _ in range(4)]
    for application in applications:
        review(application, UserFactory(), 3, 4, impact, feasibility)
    with django_assert_num_queries(3):
        ranking.rank(call, applications)


# --- Services ---------------------------------------------------------------------------


def test_a_juror_is_given_only_their_reviewable_unconflicted_assignments(call, criteria, juror, other_juror):
    mine = make_application(call, title="À moi")
    shortlisted = make_application(call, status=S.SHORTLISTED)
    not_yet = make_application(call, status=S.SUBMITTED)
    conflicted = make_application(call)
    someone_elses = make_application(call)
    for application in (mine, shortlisted, not_yet):
        JuryAssignmentFactory(application=application, juror=juror)
    JuryAssignmentFactory(application=conflicted, juror=juror, conflict_of_interest=True)
    JuryAssignmentFactory(application=someone_elses, juror=other_juror)

    assert {a.application for a in jury.assignments_for(juror)} == {mine, shortlisted}
    assert [a.application for a in jury.conflicts_of(juror)] == [conflicted]


def test_declaring_a_conflict_hides_the_application_and_is_kept_in_its_history(assignment, juror, application):
    jury.declare_conflict(assignment, "  Je préside l'association.  ")
    jury.declare_conflict(assignment, "une seconde fois")

    assignment.refresh_from_db()
    assert assignment.conflict_of_interest and assignment.conflict_declared_at
    assert assignment.conflict_note == "Je préside l'association."
    assert not jury.assignments_for(juror).exists()
    (event,) = ApplicationEvent.objects.filter(application=application)
    assert event.actor == juror and "Je préside l'association." in event.note and "Élue Martin" in event.note
    assert event.to_status == ""  # a note, not a change of status


def test_a_draft_may_leave_criteria_unscored_and_submitting_needs_them_all(assignment, impact, feasibility):
    draft = jury.save_review(assignment, {str(impact.pk): "4"}, "À revoir", False, submit=False)
    assert draft.submitted_at is None and draft.scores == {str(impact.pk): 4}

    with pytest.raises(jury.ReviewError) as refused:
        jury.save_review(assignment, {str(impact.pk): "4"}, "À revoir", False, submit=True)
    assert list(refused.value.errors) == [str(feasibility.pk)]
    assert "Faisabilité" in str(refused.value.errors[str(feasibility.pk)][0])
    assert Review.objects.get().submitted_at is None

    sent = jury.save_review(assignment, scores_for("4", 2, impact, feasibility), "Solide", True, submit=True)
    assert sent.submitted_at is not None
    assert (sent.scores, sent.comment, sent.coup_de_coeur) == (
        {str(impact.pk): 4, str(feasibility.pk): 2},
        "Solide",
        True,
    )


@pytest.mark.parametrize("bad", [6, -1, "6", "3.5", "trois", 2.5, True])
def test_a_score_out_of_range_or_not_whole_is_refused_and_nothing_saved(assignment, impact, feasibility, bad):
    with pytest.raises(jury.ReviewError) as refused:
        jury.save_review(assignment, scores_for(bad, 3, impact, feasibility), "", False, submit=False)

    assert list(refused.value.errors) == [str(impact.pk)]
    assert "Impact" in str(refused.value.errors[str(impact.pk)][0])
    assert not Review.objects.exists()


def test_a_sent_review_stays_sent_and_complete_when_changed(assignment, impact, feasibility):
    jury.save_review(assignment, scores_for(5, 5, impact, feasibility), "", False, submit=True)
    first = Review.objects.get().submitted_at

    with pytest.raises(jury.ReviewError):
        jury.save_review(assignment, {str(impact.pk): 4}, "", False, submit=False)
    changed = jury.save_review(assignment, scores_for(4, 4, impact, feasibility), "Revu", False, submit=False)

    assert changed.submitted_at == first
    assert changed.scores == scores_for(4, 4, impact, feasibility)


@pytest.mark.parametrize("status", [S.LAUREATE, S.NOT_SELECTED])
def test_no_scoring_once_staff_have_decided(assignment, application, impact, feasibility, status):
    application.status = status
    application.save()
    with pytest.raises(jury.ReviewError) as refused:
        jury.save_review(assignment, scores_for(5, 5, impact, feasibility), "", False, submit=True)
    assert None in refused.value.errors
    assert not Review.objects.exists()


def test_a_conflicted_juror_cannot_save_a_review(assignment, impact, feasibility):
    jury.declare_conflict(assignment)
    assignment.refresh_from_db()
    with pytest.raises(jury.ReviewError):
        jury.save_review(assignment, scores_for(5, 5, impact, feasibility), "", False, submit=True)
    assert not Review.objects.exists()


def test_other_reviews_show_only_once_the_juror_has_sent_theirs(
    assignment, application, juror, other_juror, impact, feasibility
):
    review(application, other_juror, 2, 3, impact, feasibility, comment="Budget fragile")
    review(application, UserFactory(), 5, 5, impact, feasibility, submitted_at=None)  # a draft
    conflicted = UserFactory()
    JuryAssignmentFactory(application=application, juror=conflicted, conflict_of_interest=True)
    review(application, conflicted, 5, 5, impact, feasibility)

    assert jury.other_reviews_visible_to(juror, application) == []
    jury.save_review(assignment, scores_for(4, 4, impact, feasibility), "", False, submit=False)
    assert jury.other_reviews_visible_to(juror, application) == []

    jury.save_review(assignment, scores_for(4, 4, impact, feasibility), "", False, submit=True)
    (other,) = jury.other_reviews_visible_to(juror, application)
    assert other.juror == other_juror and other.comment == "Budget fragile"
    assert other.score == Decimal("2.33")
    assert other.scores == [(impact, 2), (feasibility, 3)]


# --- Pages ------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, assignment, application):
    for url in (en("jury:index"), en("jury:application", application.token)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    response = client.post(en("jury:conflict", application.token))
    assert response.status_code == 302
    assert not JuryAssignment.objects.filter(conflict_of_interest=True).exists()


def test_my_jury_lists_only_my_assignments_and_my_conflicts(client, call, criteria, juror, other_juror):
    mine = make_application(call, title="Jardin partagé")
    hidden = make_application(call, title="Fresque du gymnase")
    declared = make_application(call, title="Ruches du parc")
    JuryAssignmentFactory(application=mine, juror=juror)
    JuryAssignmentFactory(application=hidden, juror=other_juror)
    JuryAssignmentFactory(application=declared, juror=juror, conflict_of_interest=True)
    client.force_login(juror)

    response = client.get(en("jury:index"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Jardin partagé" in content and mine.reference in content and "Budget participatif" in content
    assert en("jury:application", mine.token) in content
    assert "To score" in content
    assert "Fresque du gymnase" not in content
    # The conflict is summed up, without a link to the application.
    assert "Ruches du parc" in content and en("jury:application", declared.token) not in content


def test_a_juror_cannot_open_an_application_not_assigned_to_them(client, application, other_juror, assignment):
    client.force_login(other_juror)
    assert client.get(en("jury:application", application.token)).status_code == 404
    assert client.post(en("jury:conflict", application.token)).status_code == 404
    assert client.post(en("jury:application", application.token), {"action": "submit"}).status_code == 404
    assert not Review.objects.exists()


def test_an_application_not_yet_eligible_is_not_shown_to_its_juror(client, application, juror, assignment):
    application.status = S.SUBMITTED
    application.save()
    client.force_login(juror)
    assert client.get(en("jury:application", application.token)).status_code == 404


def test_the_page_shows_the_application_its_answers_attachments_and_criteria(
    client, application, juror, assignment, impact
):
    attachment = AttachmentFactory(application=application)
    client.force_login(juror)

    response = client.get(en("jury:application", application.token))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Jardin partagé" in content and application.reference in content
    assert "Décrivez votre projet" in content and "Des bacs de culture au pied des immeubles." in content
    assert "J&#x27;accepte le règlement de l&#x27;appel" in content and "Yes" in content
    link = reverse("applications:attachment", args=[attachment.token])
    assert link in content
    assert client.get(link).status_code == 200  # the juror may download what they are shown
    # One labelled radio group per criterion, with its description and weight.
    assert "<legend>Impact" in content and "(weight 2)" in content and "Pour qui, combien." in content
    assert f'aria-describedby="id_score_{impact.pk}_helptext"' in content
    assert content.count(f'name="score_{impact.pk}"') == 6
    assert 'value="save"' in content and 'value="submit"' in content
    assert en("jury:conflict", application.token) in content


def test_invalid_scores_are_refused_with_messages_and_nothing_saved(
    client, application, juror, assignment, impact, feasibility
):
    client.force_login(juror)
    data = {f"score_{impact.pk}": "9", "comment": "Très bien", "coup_de_coeur": "on", "action": "submit"}

    response = client.post(en("jury:application", application.token), data)

    content = response.content.decode()
    assert response.status_code == 200
    assert not Review.objects.exists()
    assert 'id="error-summary"' in content
    assert "The score of “Impact” must be a whole number from 0 to 5." in content
    assert "Give “Faisabilité” a score from 0 to 5." in content
    assert f'href="#id_score_{impact.pk}_0"' in content
    assert f'aria-describedby="id_score_{impact.pk}_helptext id_score_{impact.pk}_error"' in content
    assert "Très bien" in content  # what was typed is kept


def test_save_then_send_and_only_then_read_the_others(
    client, application, juror, other_juror, assignment, impact, feasibility
):
    review(application, other_juror, 1, 2, impact, feasibility, comment="Trop cher pour ce quartier")
    client.force_login(juror)
    url = en("jury:application", application.token)

    response = client.post(url, {f"score_{impact.pk}": "4", "comment": "À compléter", "action": "save"})
    assert response.status_code == 302 and response["Location"] == url
    mine = Review.objects.get(juror=juror)
    assert mine.submitted_at is None and mine.scores == {str(impact.pk): 4}
    page = client.get(url).content.decode()
    assert "Trop cher pour ce quartier" not in page and "Agent Durand" not in page
    assert f'value="4" name="score_{impact.pk}"' in page or f'name="score_{impact.pk}" value="4"' in page

    data = {f"score_{impact.pk}": "5", f"score_{feasibility.pk}": "2", "comment": "Beau projet", "action": "submit"}
    response = client.post(url, data, follow=True)

    page = response.content.decode()
    mine.refresh_from_db()
    assert mine.submitted_at is not None and mine.scores == scores_for(5, 2, impact, feasibility)
    assert "Your evaluation is sent." in page
    assert "Trop cher pour ce quartier" in page and "Agent Durand" in page and "1.33 / 5" in page
    assert 'value="save"' not in page  # a sent review is updated, not saved back to a draft


def test_a_conflicted_juror_gets_a_404_and_their_score_no_longer_counts(
    client, call, application, juror, assignment, impact, feasibility
):
    review(application, juror, 0, 0, impact, feasibility)
    review(application, UserFactory(), 5, 5, impact, feasibility)
    client.force_login(juror)

    response = client.post(en("jury:conflict", application.token), {"note": "Ma sœur porte le projet."})

    assert response.status_code == 302 and response["Location"] == en("jury:index")
    assert client.get(en("jury:application", application.token)).status_code == 404
    post = client.post(en("jury:application", application.token), {"action": "submit"})
    assert post.status_code == 404
    assert ranking.rank(call, [application])[0].average == Decimal("5.00")
    assert "Ma sœur porte le projet." in ApplicationEvent.objects.get(application=application).note


def test_a_too_long_conflict_note_is_refused_and_nothing_declared(client, application, juror, assignment):
    client.force_login(juror)

    response = client.post(en("jury:conflict", application.token), {"note": "x" * 2001})

    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="error-summary"' in content and 'href="#id_note"' in content
    assert not JuryAssignment.objects.get().conflict_of_interest
    assert not ApplicationEvent.objects.exists()


def test_declaring_a_conflict_is_a_post(client, application, juror, assignment):
    client.force_login(juror)
    assert client.get(en("jury:conflict", application.token)).status_code == 405
    assert not JuryAssignment.objects.get().conflict_of_interest


def test_once_staff_have_decided_the_review_is_read_only(client, application, juror, assignment, impact, feasibility):
    review(application, juror, 3, 4, impact, feasibility, comment="Mon avis")
    application.status = S.LAUREATE
    application.save()
    client.force_login(juror)
    url = en("jury:application", application.token)

    page = client.get(url).content.decode()
    assert "Scoring is closed" in page and "Mon avis" in page and 'value="submit"' not in page

    response = client.post(url, {f"score_{impact.pk}": "0", f"score_{feasibility.pk}": "0", "action": "submit"})
    assert response.status_code == 302
    assert Review.objects.get().scores == scores_for(3, 4, impact, feasibility)


def test_the_french_pages_are_served_without_prefix(client, application, juror, assignment):
    client.force_login(juror)
    with translation.override("fr"):
        url = reverse("jury:application", args=[application.token])
    assert url == f"/espace/jury/{application.token}/"
    assert client.get(url).status_code == 200
    assert client.get("/espace/jury/").status_code == 200
