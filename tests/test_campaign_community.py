"""What a citizen sees on a campaign page besides the money: in-kind needs and their progress,
following, questions, "Où en est le projet ?", sharing (plain links, Mastodon by instance, link to
copy, embeddable card), and the in-kind progress on listing cards."""

import re
from datetime import date, timedelta
from html import unescape
from urllib.parse import parse_qs, quote, quote_plus, urlsplit

import pytest
from django.utils import translation
from django.utils.translation import gettext

from offers.models import HelpOffer
from projects.models import BudgetLine, DeliveryStatus, InKindNeed, Milestone
from projects.sharing import clean_instance
from questions.models import Question
from tests.factories.home import HomeFeatureFactory
from tests.factories.projects import CampaignUpdatePageFactory, InKindNeedFactory, RewardTierFactory

pytestmark = pytest.mark.django_db

NBSP, NNBSP = "\u00a0", "\u202f"


def offer(campaign, need, *, status=HelpOffer.Status.ACCEPTED, quantity=1, n=0):
    return HelpOffer.objects.create(
        campaign=campaign,
        need=need,
        need_key=need.translation_key,
        need_label=need.description,
        name=f"Bénévole {n}",
        email=f"benevole{n}@example.org",
        offer="Deux bras.",
        quantity=quantity,
        status=status,
    )


def question(campaign, body, *, status=Question.Status.PUBLISHED, answer=""):
    return Question.objects.create(
        campaign=campaign,
        author_name="Camille",
        author_email="camille@example.org",
        body=body,
        status=status,
        answer=answer,
    )


def french(msgid):
    with translation.override("fr"):
        return gettext(msgid)


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response, response.content.decode()


def live_campaign(make_campaign, **kwargs):
    return make_campaign(**kwargs)


def ended_campaign(make_campaign, *, reached, **kwargs):
    # Goal 10 €: a 10 € pledge reaches it.
    pledges = [1000] if reached else [500]
    return make_campaign(starts_in=timedelta(days=-40), lasts=timedelta(days=30), goal=10, pledges=pledges, **kwargs)


# In-kind needs ----------------------------------------------------------------------------------


def test_needs_show_progress_counting_accepted_offers_only(client, make_campaign):
    campaign = live_campaign(make_campaign)
    need = InKindNeedFactory(
        page=campaign, kind=InKindNeed.Kind.VOLUNTEERING, quantity=5, description="Monter les bacs"
    )
    for n in range(3):
        offer(campaign, need, n=n)
    offer(campaign, need, status=HelpOffer.Status.PENDING, n=10)
    offer(campaign, need, status=HelpOffer.Status.DECLINED, quantity=2, n=11)
    other_need = InKindNeedFactory(
        page=campaign, kind=InKindNeed.Kind.EQUIPMENT, quantity=2, description="Une remorque"
    )
    offer(campaign, other_need, quantity=2, n=12)

    response, content = page(client, campaign.url)

    needs = response.context["needs"]
    assert [(n.pk, n.accepted_quantity) for n in needs] == [(need.pk, 3), (other_need.pk, 2)]
    assert "3 bénévoles sur 5" in content
    assert "2 prêts sur 2" in content
    # The bar reads like the money bar: a named progressbar with its value and text.
    bar = re.search(
        rf'<div class="progress__track" role="progressbar" aria-labelledby="need-{need.pk}-title"[^>]*>', content
    )
    assert bar, content
    assert 'aria-valuemax="5"' in bar.group(0)
    assert 'aria-valuenow="3"' in bar.group(0)
    assert 'aria-valuetext="3 bénévoles sur 5"' in bar.group(0)
    assert f'id="need-{need.pk}-title"' in content
    assert 'style="width: 60%"' in content
    # The covered need says so.
    assert content.count(french("This need is covered: thank you!")) == 1


def test_more_accepted_help_than_needed_fills_the_bar_without_overflowing(client, make_campaign):
    campaign = live_campaign(make_campaign)
    need = InKindNeedFactory(page=campaign, quantity=2)
    for n in range(3):
        offer(campaign, need, n=n)
    _, content = page(client, campaign.url)
    assert 'aria-valuenow="2"' in content
    assert 'style="width: 100%"' in content
    assert "3 bénévoles sur 2" in content


def test_i_can_help_links_each_need_while_offers_are_possible(client, make_campaign):
    campaign = live_campaign(make_campaign)
    needs = [InKindNeedFactory(page=campaign, description=f"Besoin {n}") for n in range(2)]
    _, content = page(client, campaign.url)
    for need in needs:
        assert f'href="{campaign.url}aider/?besoin={need.translation_key}"' in content
    assert content.count(french("I can help")) == 2
    # Upcoming campaigns take offers too.
    upcoming = make_campaign(starts_in=timedelta(days=5))
    need = InKindNeedFactory(page=upcoming)
    _, content = page(client, upcoming.url)
    assert f'href="{upcoming.url}aider/?besoin={need.translation_key}"' in content


def test_no_i_can_help_link_once_the_campaign_failed(client, make_campaign):
    failed = ended_campaign(make_campaign, reached=False)
    InKindNeedFactory(page=failed)
    response, content = page(client, failed.url)
    assert response.context["figures"].is_failed
    assert "aider/?besoin=" not in content
    assert french("I can help") not in content
    # The needs and their progress still show.
    assert "0 bénévole sur 3" in content


def test_succeeded_campaign_still_takes_offers(client, make_campaign):
    succeeded = ended_campaign(make_campaign, reached=True)
    need = InKindNeedFactory(page=succeeded)
    _, content = page(client, succeeded.url)
    assert f"aider/?besoin={need.translation_key}" in content


def test_campaign_page_routes_delegate_to_the_offer_follow_and_question_pages(client, make_campaign):
    campaign = live_campaign(make_campaign)
    need = InKindNeedFactory(page=campaign)
    for suffix in (f"aider/?besoin={need.translation_key}", "suivre/", "questions/"):
        response = client.get(campaign.url + suffix)
        assert response.status_code == 200, suffix
    assert campaign.reverse_subpage("help_offer_sent") == "aider/merci/"
    assert campaign.reverse_subpage("question_sent") == "questions/merci/"
    assert campaign.reverse_subpage("embed") == "carte/"


# Following ----------------------------------------------------------------------------------------


def test_follow_box_says_follow_on_a_live_campaign(client, make_campaign):
    campaign = live_campaign(make_campaign)
    _, content = page(client, campaign.url)
    # Anonymous visitors: a link to the form's own page (the campaign page carries no CSRF token).
    assert f'href="{campaign.url}suivre/"' in content
    assert french("Follow this project") in content
    assert french("Be told when it launches") not in content


def test_follow_box_offers_the_launch_alert_on_an_upcoming_campaign(client, make_campaign):
    upcoming = make_campaign(starts_in=timedelta(days=5))
    _, content = page(client, upcoming.url)
    assert f'href="{upcoming.url}suivre/"' in content
    assert french("Be told when it launches") in content
    # The funding box leads to it, where a live campaign has its "Support" button.
    assert 'href="#follow-title"' in content


# Questions ----------------------------------------------------------------------------------------


def test_only_published_questions_show_with_their_answers(client, make_campaign):
    campaign = live_campaign(make_campaign)
    question(campaign, "Où sera installé le composteur ?", answer="Derrière l'école.")
    question(campaign, "Question en attente", status=Question.Status.PENDING)
    question(campaign, "Question refusée", status=Question.Status.REJECTED)
    response, content = page(client, campaign.url)
    assert response.context["questions_count"] == 1
    assert "Où sera installé le composteur ?" in content
    assert "Derrière l&#x27;école." in content
    assert "Question en attente" not in content
    assert "Question refusée" not in content
    assert f'href="{campaign.url}questions/"' in content


# Where the project stands -------------------------------------------------------------------------


def test_no_accountability_section_on_a_live_campaign_without_milestones(client, make_campaign):
    campaign = live_campaign(make_campaign)
    response, content = page(client, campaign.url)
    assert not response.context["show_accountability"]
    assert 'id="accountability-title"' not in content


def test_milestones_show_as_soon_as_there_are_some(client, make_campaign):
    campaign = live_campaign(make_campaign)
    Milestone.objects.create(
        page=campaign, locale=campaign.locale, title="Achat des bacs", due_date=date(2027, 3, 15), sort_order=0
    )
    Milestone.objects.create(
        page=campaign,
        locale=campaign.locale,
        title="Étude du sol",
        due_date=date(2027, 1, 10),
        status=Milestone.Status.DONE,
        done_on=date(2027, 1, 8),
        sort_order=1,
    )
    _, content = page(client, campaign.url)
    assert french("Where does the project stand?") in content
    titles = re.findall(r'<h4 class="milestone__title">([^<]+)</h4>', content)
    assert titles == ["Achat des bacs", "Étude du sol"]
    assert '<time datetime="2027-03-15">15 mars 2027</time>' in content
    assert '<time datetime="2027-01-08">8 janvier 2027</time>' in content
    with translation.override("fr"):
        assert str(Milestone.Status.DONE.label) in content


def test_funded_campaign_shows_budget_announced_and_spent_and_reward_delivery(client, make_campaign):
    campaign = ended_campaign(make_campaign, reached=True)
    BudgetLine.objects.create(
        page=campaign, locale=campaign.locale, label="Bacs", announced=1200, spent=950, sort_order=0
    )
    BudgetLine.objects.create(page=campaign, locale=campaign.locale, label="Terreau", announced=300, sort_order=1)
    RewardTierFactory(page=campaign, title="Un panier", delivery_status=DeliveryStatus.DELIVERED)
    response, content = page(client, campaign.url)
    assert response.context["figures"].is_succeeded
    assert response.context["show_accountability"]
    section = content[content.index('id="accountability-title"') :]
    assert f"1{NNBSP}200{NBSP}€" in section
    assert f"950{NBSP}€" in section
    # Totals: announced 1 500 €, spent 950 € (the line not spent yet counts for nothing).
    tfoot = section[section.index("<tfoot>") : section.index("</tfoot>")]
    assert f"1{NNBSP}500{NBSP}€" in tfoot
    assert f"950{NBSP}€" in tfoot
    assert french("not spent yet") in section
    assert "Un panier" in section
    assert french("Delivered") in section


def test_budget_total_spent_says_not_spent_when_nothing_is(client, make_campaign):
    campaign = ended_campaign(make_campaign, reached=True)
    BudgetLine.objects.create(page=campaign, locale=campaign.locale, label="Bacs", announced=100, sort_order=0)
    response, content = page(client, campaign.url)
    assert response.context["budget_spent"] is None
    tfoot = content[content.index("<tfoot>") : content.index("</tfoot>")]
    assert french("not spent yet") in tfoot


# Sharing ------------------------------------------------------------------------------------------


def hrefs(content):
    return [unescape(href) for href in re.findall(r'href="([^"]+)"', content)]


def test_share_links_are_plain_links_with_the_encoded_url_and_no_third_party_script(client, make_campaign):
    campaign = live_campaign(make_campaign, title="Jardin & potager")
    response, content = page(client, campaign.url)
    url = campaign.get_full_url()
    assert url.startswith("http")
    links = hrefs(content)
    assert f"https://www.facebook.com/sharer/sharer.php?u={quote_plus(url)}" in links
    assert f"https://www.linkedin.com/sharing/share-offsite/?url={quote_plus(url)}" in links
    assert f"https://wa.me/?text={quote(f'Jardin & potager {url}', safe='')}" in links
    mailto = next(link for link in links if link.startswith("mailto:"))
    params = parse_qs(urlsplit(mailto).query)
    assert params["subject"] == ["Jardin & potager"]
    assert url in params["body"][0]
    assert "%20" in mailto and "+" not in mailto  # mail clients read "+" literally
    # The link to copy, in a labelled read-only field; the copy button comes from a static script.
    assert f'<label for="share-url">{french("Link to this project")}</label>' in content
    assert re.search(rf'<input type="text" id="share-url" value="{re.escape(url)}" readonly', content)
    # No third-party script, no inline script: only the site's own static files.
    scripts = re.findall(r"<script\b[^>]*>", content)
    assert scripts
    assert all(re.search(r'src="/static/', tag) for tag in scripts), scripts
    assert "/static/js/copy.js" in content
    assert "<iframe" not in content.split('id="embed-code"')[0]


def test_embed_snippet_is_an_iframe_to_the_card_in_a_labelled_textarea(client, make_campaign):
    campaign = live_campaign(make_campaign, title='Le "grand" jardin')
    _, content = page(client, campaign.url)
    url = campaign.get_full_url()
    assert f'<label for="embed-code">{french("Code to embed")}</label>' in content
    textarea = re.search(r'<textarea id="embed-code"[^>]*readonly[^>]*>([^<]*)</textarea>', content)
    assert textarea
    # The browser shows the snippet once unescaped: valid HTML with the title's quotes escaped.
    snippet = unescape(textarea.group(1))
    assert snippet.startswith(f'<iframe src="{url}carte/" title="')
    assert "&quot;grand&quot;" in snippet
    assert snippet.endswith("></iframe>")


def test_mastodon_link_leads_to_the_share_page_whose_form_alone_may_leave_the_site(client, make_campaign):
    campaign = live_campaign(make_campaign)
    response, content = page(client, campaign.url)
    assert f'href="{campaign.url}partager/mastodon/">Mastodon</a>' in content
    # The campaign page keeps the strict policy: its forms stay on the site (and Stripe).
    # (django-csp writes the directives in no fixed order: read them one by one.)
    directives = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert directives["form-action"] == "'self' https://checkout.stripe.com"
    assert directives["frame-ancestors"] == "'self'"
    # The Mastodon page's GET form is answered by a redirect to the reader's own instance.
    response, content = page(client, campaign.url + "partager/mastodon/")
    assert f'method="get" action="{campaign.url}partager/mastodon/"' in content
    assert f'<label for="mastodon-instance">{french("Your Mastodon instance")}</label>' in content
    assert "form-action 'self' https://checkout.stripe.com https:" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    "typed", ["mastodon.social", " https://Mastodon.Social/ ", "@camille@mastodon.social", "camille@mastodon.social"]
)
def test_mastodon_share_redirects_to_the_instance_share_page(client, make_campaign, typed):
    campaign = live_campaign(make_campaign, title="Jardin partagé")
    response = client.get(campaign.url + "partager/mastodon/", {"instance": typed})
    assert response.status_code == 302
    location = response["Location"]
    parts = urlsplit(location)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "mastodon.social", "/share")
    assert parse_qs(parts.query)["text"] == [f"Jardin partagé {campaign.get_full_url()}"]


@pytest.mark.parametrize(
    "typed",
    [
        "localhost",
        "127.0.0.1",
        "mastodon.social/path",
        "evil.example/share?x=1",
        "javascript:alert(1)",
        "exa mple.org",
        "-bad.org",
        "a..b",
        "x" * 64 + ".org",
    ],
)
def test_mastodon_share_refuses_what_is_not_a_host_name(client, make_campaign, typed):
    campaign = live_campaign(make_campaign)
    response = client.get(campaign.url + "partager/mastodon/", {"instance": typed})
    assert response.status_code == 400
    content = response.content.decode()
    assert french("Enter a host name such as mastodon.social, without a path.") in content
    assert 'class="error-summary"' in content
    assert 'aria-invalid="true"' in content
    assert "mastodon-instance_error" in content
    # What was typed is kept in the field.
    assert 'value="' in content and 'name="instance"' in content


def test_mastodon_share_without_an_instance_shows_the_form(client, make_campaign):
    campaign = live_campaign(make_campaign)
    response = client.get(campaign.url + "partager/mastodon/")
    assert response.status_code == 200
    assert 'name="instance"' in response.content.decode()
    response = client.get(campaign.url + "partager/mastodon/", {"instance": ""})
    assert response.status_code == 400
    assert french("Enter the name of your Mastodon instance, for example mastodon.social.") in response.content.decode()


def test_clean_instance_accepts_international_names_in_ascii():
    assert clean_instance("piaille.fr") == "piaille.fr"
    assert clean_instance("équipe.example") == "xn--quipe-9ra.example"
    assert clean_instance("mastodon.social:8080") is None
    assert clean_instance("") is None


# Cards -----------------------------------------------------------------------------------------------


def test_cards_show_the_needs_progress(client, make_campaign, project_index):
    campaign = live_campaign(make_campaign, title="Potager des Lilas")
    need = InKindNeedFactory(page=campaign, quantity=5)
    offer(campaign, need)
    InKindNeedFactory(page=campaign, kind=InKindNeed.Kind.SKILLS, quantity=1)
    live_campaign(make_campaign, title="Sans besoin")
    _, content = page(client, project_index.url)
    card = content[content.index("Potager des Lilas") :]
    card = card[: card.index("</article>")]
    assert french("Help in kind:") in card
    assert "1 bénévole sur 5" in card
    assert "0 compétence sur 1" in card
    other = content[content.index("Sans besoin") :]
    assert french("Help in kind:") not in other[: other.index("</article>")]


def test_theme_cards_show_the_needs_progress(client, make_campaign, theme):
    campaign = live_campaign(make_campaign, themes=[theme])
    need = InKindNeedFactory(page=campaign, quantity=4)
    offer(campaign, need, quantity=2)
    _, content = page(client, theme.url)
    assert "2 bénévoles sur 4" in content


# Publishing an update -------------------------------------------------------------------------------


def test_publishing_an_update_announces_it_to_followers(make_campaign, monkeypatch):
    announced = []
    monkeypatch.setattr("follows.services.announce_update", lambda page: announced.append(page.pk))
    campaign = live_campaign(make_campaign)
    campaign.save_revision().publish()
    assert announced == []  # publishing a campaign announces nothing
    update = CampaignUpdatePageFactory(parent=campaign, live=False, title="Le chantier démarre")
    assert announced == []
    update.save_revision().publish()
    assert announced == [update.pk]
    # Each publication is passed on; follows.services announces an update once.
    update.save_revision().publish()
    assert announced == [update.pk, update.pk]


def test_featured_campaign_cards_on_the_home_page_show_the_needs_progress(client, make_campaign, home):
    campaign = live_campaign(make_campaign, title="À la Une")
    need = InKindNeedFactory(page=campaign, quantity=5)
    offer(campaign, need)
    HomeFeatureFactory(home=home, page=campaign, sort_order=0)
    response, content = page(client, home.url)
    assert [card.needs for card in response.context["features"]] == [[need]]
    assert "1 bénévole sur 5" in content
