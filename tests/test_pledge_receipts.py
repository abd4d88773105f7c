"""Tax receipts on the pledge form (issue 11): the explanation, the "I want a tax receipt" box
and the address, only on campaigns that offer receipts, and the rule on counterparts.

The rule (`payments.rules.gift_keeps_receipt`): a reward keeps the receipt when its value is at
most a quarter of the gift (the boundary itself keeps it), within the counterpart cap (73 € by
default); a reward whose value is not recorded gives none. `services.create_pledge` refuses a
receipt request that breaks it; the form comes back with the values typed.
"""

from decimal import Decimal

import pytest
from django.urls import reverse
from wagtail.models import Locale

from coupdepouce.models import PlatformSettings
from payments import services
from payments.models import Pledge
from projects.models import CampaignPage
from tests.admin_forms import admin_form_data, form_errors
from tests.factories.projects import RewardTierFactory
from tests.factories.receipts import BeneficiaryFactory, receipt_campaign

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"

EXPLANATION = (
    f"66{NBSP}% de votre don est déduit de votre impôt sur le revenu, dans la limite de 20{NBSP}% de votre "
    f"revenu imposable{NBSP}: 25{NBSP}€ vous coûtent 8,50{NBSP}€ après réduction d'impôt."
)


@pytest.fixture
def campaign(make_campaign):
    return receipt_campaign(make_campaign, goal=5000, title="Jardin partagé")


@pytest.fixture
def plain_campaign(make_campaign):
    return make_campaign(goal=5000, title="Sans reçu")


def form_url(page):
    return page.url + "soutenir/"


def valid_data(**overrides):
    data = {
        "reward": "",
        "amount": "30",
        "backer_name": "Camille Martin",
        "backer_email": "camille@example.org",
        "wants_receipt": "on",
        "donor_street": "12 rue des Lilas",
        "donor_postal_code": "49990",
        "donor_city": "Beaupré-sur-Loire",
        "donor_country": "France",
        "consent": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def post(client, page, **overrides):
    return client.post(form_url(page), valid_data(**overrides))


def reward_worth(campaign, value, min_amount=20, **fields):
    return RewardTierFactory(
        page=campaign, min_amount=min_amount, value=None if value is None else Decimal(value), **fields
    )


# The rule itself, as the service applies it -------------------------------------------------


def request(amount_cents, reward=None, **fields):
    values = {
        "amount_cents": amount_cents,
        "backer_name": "Camille Martin",
        "backer_email": "camille@example.org",
        "reward_id": reward.pk if reward else None,
        "wants_receipt": True,
        "donor_street": "12 rue des Lilas",
        "donor_postal_code": "49990",
        "donor_city": "Beaupré-sur-Loire",
        "donor_country": "France",
    }
    values.update(fields)
    return services.PledgeRequest(**values)


def test_without_a_reward_every_gift_keeps_its_receipt(campaign):
    pledge = services.create_pledge(campaign, request(100), provider="demo")
    assert pledge.wants_receipt is True
    assert (pledge.donor_street, pledge.donor_postal_code, pledge.donor_city, pledge.donor_country) == (
        "12 rue des Lilas",
        "49990",
        "Beaupré-sur-Loire",
        "France",
    )


@pytest.mark.parametrize(
    ("value", "amount_cents", "keeps"),
    [
        ("5.00", 2000, True),  # exactly a quarter: kept
        ("5.01", 2000, False),  # one cent above the quarter: lost
        ("5.00", 2001, True),
        ("0.00", 2000, True),
        ("73.00", 29200, True),  # a quarter of 292 € is the cap itself
        ("73.00", 29199, False),  # a quarter of 291,99 € is below 73 €
        ("73.01", 100000, False),  # over the cap: no gift keeps it
    ],
)
def test_the_rule_on_counterparts_at_its_boundaries(campaign, value, amount_cents, keeps):
    reward = reward_worth(campaign, value)
    if keeps:
        pledge = services.create_pledge(campaign, request(amount_cents, reward), provider="demo")
        assert pledge.wants_receipt and pledge.reward_id == reward.pk
    else:
        with pytest.raises(services.PledgeError) as refused:
            services.create_pledge(campaign, request(amount_cents, reward), provider="demo")
        assert (refused.value.field, refused.value.code) == ("reward", "counterpart")
        assert not Pledge.objects.exists()


def test_the_cap_is_the_site_setting(campaign):
    settings = PlatformSettings.for_page(campaign)
    settings.counterpart_cap = 10
    settings.save()
    reward = reward_worth(campaign, "10.01", min_amount=20)
    with pytest.raises(services.PledgeError) as refused:
        services.create_pledge(campaign, request(100000, reward), provider="demo")
    assert refused.value.code == "counterpart"
    assert "10\u00a0€" in refused.value.message
    within = reward_worth(campaign, "10.00", min_amount=20)
    assert services.create_pledge(campaign, request(4000, within), provider="demo").wants_receipt


def test_a_reward_without_a_recorded_value_gives_no_receipt(campaign):
    reward = reward_worth(campaign, None)
    with pytest.raises(services.PledgeError) as refused:
        services.create_pledge(campaign, request(100000, reward), provider="demo")
    assert refused.value.code == "counterpart"
    # Without the receipt, the same reward is fine.
    pledge = services.create_pledge(campaign, request(100000, reward, wants_receipt=False), provider="demo")
    assert pledge.reward_id == reward.pk and not pledge.wants_receipt


def test_the_service_refuses_a_receipt_request_without_an_address(campaign):
    with pytest.raises(services.PledgeError) as refused:
        services.create_pledge(campaign, request(2500, donor_city="  "), provider="demo")
    assert (refused.value.field, refused.value.code) == ("donor_city", "required")
    assert not Pledge.objects.exists()


@pytest.mark.parametrize(
    "beneficiary_fields",
    [None, {"issues_receipts": False}, {"signatory_name": ""}],
    ids=["no beneficiary", "no mandate", "incomplete beneficiary"],
)
def test_a_campaign_that_offers_no_receipt_never_records_one(make_campaign, beneficiary_fields):
    beneficiary = None if beneficiary_fields is None else BeneficiaryFactory(**beneficiary_fields)
    page = make_campaign(tax_deductible=True, beneficiary=beneficiary)
    assert not page.offers_tax_receipts
    reward = reward_worth(page, None)
    pledge = services.create_pledge(page, request(2500, reward), provider="demo")
    assert not pledge.wants_receipt
    assert (pledge.donor_street, pledge.donor_postal_code, pledge.donor_city, pledge.donor_country) == ("",) * 4


def test_the_french_page_decides_for_a_translation(campaign):
    english = campaign.copy_for_translation(Locale.objects.get_or_create(language_code="en")[0], copy_parents=True)
    english.save_revision().publish()
    # A translation's own fields do not count.
    CampaignPage.objects.filter(pk=english.pk).update(tax_deductible=False, beneficiary=None)
    english = CampaignPage.objects.get(pk=english.pk)
    assert not english.offers_tax_receipts
    assert services.tax_receipt_terms(english).offered
    pledge = services.create_pledge(english, request(2500), provider="demo")
    assert pledge.wants_receipt and pledge.campaign_id == campaign.pk


# The pledge form --------------------------------------------------------------------------


def test_the_form_explains_the_reduction_and_offers_the_receipt(client, campaign):
    content = client.get(form_url(campaign)).content.decode()
    assert EXPLANATION in content
    assert f"50{NBSP}€ vous coûtent 17{NBSP}€" in content
    assert f"100{NBSP}€ vous coûtent 34{NBSP}€" in content
    assert "Je souhaite un reçu fiscal" in content
    # Ticked by default; the address with France as the country; the name is the full name.
    assert 'name="wants_receipt" id="id_wants_receipt" checked' in content
    for name in ("donor_street", "donor_postal_code", "donor_city"):
        assert f'name="{name}"' in content
    assert 'name="donor_country" value="France"' in content
    assert "Vos nom et prénom" in content
    assert "Sans contrepartie, tout don conserve son reçu fiscal." in content


def test_each_reward_says_whether_it_keeps_the_receipt(client, campaign):
    reward_worth(campaign, "5.00", min_amount=10, title="Sachet de graines")  # a quarter of 20 €
    reward_worth(campaign, "2.00", min_amount=20, title="Carte postale")  # fine from its minimum
    reward_worth(campaign, "80.00", min_amount=100, title="Dîner")
    reward_worth(campaign, None, min_amount=30, title="Visite")
    for url in (form_url(campaign), campaign.url):
        content = client.get(url).content.decode()
        assert (
            f"Vaut 5{NBSP}€{NBSP}: avec cette contrepartie, un don de 20{NBSP}€ ou plus conserve son reçu fiscal."
        ) in content
        assert (
            f"Vaut 2{NBSP}€{NBSP}: avec cette contrepartie, un don de 20{NBSP}€ ou plus conserve son reçu fiscal."
        ) in content
        assert (
            f"Vaut 80{NBSP}€, plus que les 73{NBSP}€ admis{NBSP}: avec cette contrepartie, aucun don ne donne "
            "droit à un reçu fiscal."
        ) in content
        assert "Sa valeur n'est pas indiquée : avec cette contrepartie, aucun don ne donne droit à un reçu fiscal." in (
            content.replace(NBSP, " ")
        )


def test_the_campaign_page_announces_the_receipt(client, campaign, plain_campaign):
    content = client.get(campaign.url).content.decode()
    assert "Votre don ouvre droit à un reçu fiscal." in content
    assert EXPLANATION in content
    other = client.get(plain_campaign.url).content.decode()
    assert "reçu fiscal" not in other
    assert "impôt" not in other


@pytest.mark.parametrize("kind", ["not tax-deductible", "no beneficiary", "no mandate"])
def test_no_receipt_anywhere_on_a_campaign_that_offers_none(client, make_campaign, kind):
    fields = {
        "not tax-deductible": {"tax_deductible": False, "beneficiary": BeneficiaryFactory()},
        "no beneficiary": {"tax_deductible": True},
        "no mandate": {"tax_deductible": True, "beneficiary": BeneficiaryFactory(issues_receipts=False)},
    }[kind]
    page = make_campaign(**fields)
    reward_worth(page, "5.00")
    for url in (form_url(page), page.url):
        content = client.get(url).content.decode()
        assert "reçu fiscal" not in content and "impôt" not in content
        assert 'name="wants_receipt"' not in content and 'name="donor_street"' not in content
    # Whatever is posted, no receipt is asked for.
    response = post(client, page)
    assert response.status_code == 302
    pledge = Pledge.objects.get()
    assert not pledge.wants_receipt and pledge.donor_street == ""


def test_the_english_form_says_it_in_english(client, campaign):
    content = client.get(form_url(campaign) + "?lang=en").content.decode()
    assert (
        "66% of your gift is deducted from your income tax, within 20% of your taxable income: "
        "€25 cost you €8.50 after the tax reduction."
    ) in content
    assert "I want a tax receipt" in content
    assert "reçu" not in content and "impôt" not in content


def test_a_pledge_with_a_receipt_records_the_address(client, campaign):
    response = post(client, campaign, donor_country="  France ")
    assert response.status_code == 302, response.content.decode()[:2000]
    pledge = Pledge.objects.get()
    assert pledge.wants_receipt
    assert pledge.backer_name == "Camille Martin"
    assert (pledge.donor_street, pledge.donor_postal_code, pledge.donor_city, pledge.donor_country) == (
        "12 rue des Lilas",
        "49990",
        "Beaupré-sur-Loire",
        "France",
    )


def test_without_the_box_no_address_is_needed_nor_kept(client, campaign):
    response = post(client, campaign, wants_receipt=None, donor_street="", donor_postal_code="", donor_city="x")
    assert response.status_code == 302, response.content.decode()[:2000]
    pledge = Pledge.objects.get()
    assert not pledge.wants_receipt
    assert (pledge.donor_street, pledge.donor_city, pledge.donor_country) == ("", "", "")


def test_the_address_is_required_only_when_the_box_is_ticked(client, campaign):
    response = post(client, campaign, amount="40", donor_street="", donor_postal_code=" ", donor_city="")
    assert response.status_code == 200
    assert not Pledge.objects.exists()
    form = response.context["form"]
    assert set(form.errors) == {"donor_street", "donor_postal_code", "donor_city"}
    content = response.content.decode()
    assert "Indiquez votre adresse pour le reçu fiscal." in content
    assert "Indiquez votre code postal pour le reçu fiscal." in content
    assert "Indiquez votre commune pour le reçu fiscal." in content
    # The summary links to each field; what was typed is still there.
    assert 'href="#id_donor_street"' in content
    assert 'name="amount" value="40"' in content
    assert 'name="backer_name" value="Camille Martin"' in content
    assert 'name="wants_receipt" id="id_wants_receipt" aria-invalid' not in content
    assert "checked" in content.split('name="wants_receipt"', 1)[1].split(">", 1)[0]
    # And the cost of the amount typed.
    assert f"Votre don de 40{NBSP}€ vous coûterait 13,60{NBSP}€ après réduction d'impôt." in content


def test_a_french_postal_code_has_five_digits(client, campaign):
    response = post(client, campaign, donor_postal_code="4999")
    assert response.status_code == 200
    assert "Indiquez un code postal français à cinq chiffres, par exemple 49990." in response.content.decode()
    # Abroad, the code is the donor's own.
    assert post(client, campaign, donor_postal_code="1000", donor_country="Belgique").status_code == 302
    assert Pledge.objects.get().donor_country == "Belgique"


def test_a_reward_that_breaks_the_rule_is_refused_with_the_ways_out(client, campaign):
    reward = reward_worth(campaign, "12.00", min_amount=20, title="Panier de légumes")
    response = post(client, campaign, reward=str(reward.pk), amount="40", message="Bravo")
    assert response.status_code == 200
    assert not Pledge.objects.exists()
    content = response.content.decode()
    error = response.context["form"].errors["reward"][0]
    assert error.startswith(
        f"La contrepartie «{NBSP}Panier de légumes{NBSP}» vaut 12{NBSP}€{NBSP}: avec elle, un don conserve son "
        f"reçu fiscal à partir de 48{NBSP}€."
    )
    assert "Sans contrepartie" in error and "Je souhaite un reçu fiscal" in error
    # In the summary (linking to the first choice, "No reward") and next to the rewards.
    assert 'href="#reward-none"' in content
    assert 'id="reward-error"' in content
    # Nothing lost: the reward, the amount, the address, the box.
    assert f'value="{reward.pk}" data-min-amount="20" aria-describedby="reward-{reward.pk}-details" checked' in content
    assert 'name="amount" value="40"' in content
    assert 'name="donor_street" value="12 rue des Lilas"' in content
    assert "checked" in content.split('name="wants_receipt"', 1)[1].split(">", 1)[0]


def test_a_reward_over_the_cap_names_no_smallest_gift(client, campaign):
    reward = reward_worth(campaign, "90.00", min_amount=100, title="Dîner")
    response = post(client, campaign, reward=str(reward.pk), amount="500")
    error = response.context["form"].errors["reward"][0]
    assert error.startswith(
        f"La contrepartie «{NBSP}Dîner{NBSP}» vaut 90{NBSP}€, plus que les 73{NBSP}€ admis{NBSP}: avec elle, aucun "
        "don ne donne droit à un reçu fiscal."
    )


@pytest.mark.parametrize(
    "way_out",
    [{"reward": ""}, {"wants_receipt": None}, {"amount": "48"}],
    ids=["give up the reward", "untick the box", "give enough"],
)
def test_each_way_out_of_the_refusal_works(client, campaign, way_out):
    reward = reward_worth(campaign, "12.00", min_amount=20)
    assert post(client, campaign, reward=str(reward.pk), amount="40").status_code == 200
    response = post(client, campaign, **{"reward": str(reward.pk), "amount": "40", **way_out})
    assert response.status_code == 302, response.content.decode()[:2000]
    pledge = Pledge.objects.get()
    assert pledge.wants_receipt == (way_out != {"wants_receipt": None})
    assert pledge.reward_id == (None if way_out == {"reward": ""} else reward.pk)


# The campaign editor ---------------------------------------------------------------------


def edit(client, page, rewards, **fields):
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    data = admin_form_data(client, url, CampaignPage, page)
    data["rewards-TOTAL_FORMS"] = str(len(rewards))
    for n, reward in enumerate(rewards):
        values = {
            "min_amount": "20",
            "title": f"Contrepartie {n}",
            "ORDER": str(n + 1),
            "value": "",
            "delivery_status": "not_started",
            **reward,
        }
        for key, value in values.items():
            data[f"rewards-{n}-{key}"] = value
    for key, value in fields.items():
        data[key] = value
    data["action-publish"] = "action-publish"
    return client.post(url, data)


def test_a_campaign_offering_receipts_needs_every_rewards_value(admin_client, campaign):
    offers = {"tax_deductible": "on", "beneficiary": str(campaign.beneficiary_id)}
    response = edit(admin_client, campaign, [{"value": "5"}, {"value": ""}], **offers)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Cette collecte propose des reçus fiscaux : indiquez la valeur de chaque contrepartie." in (
        content.replace(NBSP, " ")
    )
    formset = response.context["form"].formsets["rewards"]
    assert not formset.forms[0].errors
    assert "Indiquez la valeur de cette contrepartie" in formset.forms[1].errors["value"][0]
    assert campaign.rewards.count() == 0
    response = edit(admin_client, campaign, [{"value": "5"}, {"value": "0"}], **offers)
    assert response.status_code == 302, form_errors(response)
    assert sorted(campaign.rewards.values_list("value", flat=True)) == [Decimal("0.00"), Decimal("5.00")]


def test_a_campaign_without_receipts_may_leave_values_empty(admin_client, plain_campaign):
    response = edit(admin_client, plain_campaign, [{"value": ""}])
    assert response.status_code == 302, form_errors(response)
    beneficiary = BeneficiaryFactory(issues_receipts=False)
    response = edit(admin_client, plain_campaign, [{"value": ""}], tax_deductible="on", beneficiary=str(beneficiary.pk))
    assert response.status_code == 302, form_errors(response)
