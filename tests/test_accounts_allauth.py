"""Citizen accounts with django-allauth: sign-up with email verification, sign-in and out,
password reset, email change, the personal data export, the closing of an account, the
rate limits, in French (`/comptes/…`) and English (`/en/comptes/…`), in the site's layout.
"""

import json
import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from wagtail import hooks

from accounts import personal_data
from applications.models import Application
from payments.models import Pledge
from tests.factories.calls import CallForProjectsPageFactory
from tests.factories.projects import PledgeFactory

User = get_user_model()

PASSWORD = "Une-phrase-de-passe-solide-42"
NEW_PASSWORD = "Une-autre-phrase-de-passe-73"


@pytest.fixture
def citizen(home):
    """A citizen who signed up and verified their address."""
    user = User.objects.create_user("camille.martin@example.org", PASSWORD, full_name="Camille Martin")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def signed_in(client, citizen):
    client.force_login(citizen)
    return client


def url(name, *args, lang="fr"):
    with translation.override(lang):
        return reverse(name, args=args)


def link_in(message):
    found = re.findall(r"https?://\S+", message.body)
    assert found, message.body
    return re.sub(r"^https?://[^/]+", "", found[0])


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def html(response):
    return response.content.decode()


def french(msgid):
    """The French of an interface string (allauth's catalog or ours) as the page escapes it; it must be translated."""
    with translation.override("fr"):
        text = translation.gettext(msgid)
    assert text != msgid, f"no French for {msgid!r}"
    return escape(text)


# Sign-up, verification, sign-in, sign-out --------------------------------------------------


def test_signup_asks_the_full_name_first_in_the_site_layout(client, home):
    response = client.get(url("account_signup"))
    page = html(response)
    assert response.status_code == 200
    assert '<html lang="fr">' in page and 'class="site-header"' in page
    assert '<meta name="robots" content="noindex">' in page
    form = page.split('action="/comptes/signup/"', 1)[1]
    names = [name for name in re.findall(r'<input[^>]* name="(\w+)"', form) if name != "csrfmiddlewaretoken"]
    assert names[:4] == ["full_name", "email", "password1", "password2"]
    assert '<label for="id_full_name">' in page


def test_signup_sends_a_verification_link_that_signs_in(client, home, mailoutbox):
    response = client.post(
        url("account_signup"),
        {"full_name": "Léa Dubois", "email": "Lea.Dubois@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == url("account_email_verification_sent")
    user = User.objects.get(email__iexact="lea.dubois@example.org")
    assert user.full_name == "Léa Dubois"
    # Not signed in before the address is verified.
    assert signed_in_user_id(client) is None
    assert client.get(url("account_space")).status_code == 302

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["lea.dubois@example.org"]
    confirm = link_in(mailoutbox[0])
    page = client.get(confirm)
    assert page.status_code == 200
    assert "lea.dubois@example.org" in html(page)
    response = client.post(confirm)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert signed_in_user_id(client) == str(user.pk)
    assert client.get(url("account_space")).status_code == 200


def test_signup_errors_are_summarised_and_linked_to_their_fields(client, home):
    response = client.post(
        url("account_signup"),
        {"full_name": "", "email": "pas-une-adresse", "password1": PASSWORD, "password2": "autre chose"},
    )
    page = html(response)
    assert response.status_code == 200
    assert not User.objects.exists()
    assert f"<title>{french('Error:')} " in page
    assert 'role="alert"' in page and 'href="#id_full_name"' in page and 'href="#id_email"' in page
    assert re.search(r'<input[^>]*name="full_name"[^>]*aria-invalid="true"', page)
    assert re.search(r'<input[^>]*name="full_name"[^>]*aria-describedby="id_full_name_error"', page)
    assert 'id="id_full_name_error"' in page


def test_sign_in_with_the_email_address_whatever_its_case(client, citizen):
    response = client.post(url("account_login"), {"login": "CAMILLE.Martin@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("applications:dashboard")
    assert signed_in_user_id(client) == str(citizen.pk)


def test_a_wrong_password_is_refused_with_a_clear_error(client, citizen):
    response = client.post(url("account_login"), {"login": citizen.email, "password": "pas le bon"})
    assert response.status_code == 200
    assert french("The email address and/or password you specified are not correct.") in html(response)
    assert signed_in_user_id(client) is None


def test_the_header_offers_sign_in_then_my_space_and_sign_out(client, citizen, home):
    page = html(client.get(home.url))
    assert f'href="{url("account_login")}"' in page
    assert f'action="{url("account_logout")}"' not in page

    client.force_login(citizen)
    page = html(client.get(home.url))
    assert f'href="{url("account_space")}"' in page
    assert re.search(rf'<form method="post" action="{url("account_logout")}">.*?<button type="submit"', page, re.S)
    assert f'href="{url("account_login")}"' not in page


def test_sign_out_is_a_post(signed_in, citizen):
    assert signed_in.get(url("account_logout")).status_code == 200  # a confirmation page, still signed in
    assert signed_in_user_id(signed_in) == str(citizen.pk)
    response = signed_in.post(url("account_logout"))
    assert response.status_code == 302
    assert signed_in_user_id(signed_in) is None


# Password reset and email change -----------------------------------------------------------


def test_password_reset_by_email(client, citizen, mailoutbox):
    response = client.post(url("account_reset_password"), {"email": citizen.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [citizen.email]

    response = client.get(link_in(mailoutbox[0]))
    assert response.status_code == 302  # the key moves to the session, out of the address bar
    set_password = response.url
    assert client.get(set_password).status_code == 200
    response = client.post(set_password, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302

    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)
    client.logout()
    client.post(url("account_login"), {"login": citizen.email, "password": NEW_PASSWORD})
    assert signed_in_user_id(client) == str(citizen.pk)


def test_email_change_takes_effect_once_the_new_address_is_verified(signed_in, citizen, mailoutbox):
    page = html(signed_in.get(url("account_email")))
    assert citizen.email in page and 'name="action_add"' in page

    response = signed_in.post(url("account_email"), {"email": "camille@nouvelle-adresse.example", "action_add": ""})
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.email == "camille.martin@example.org"  # unchanged until verified
    assert mailoutbox[-1].to == ["camille@nouvelle-adresse.example"]
    assert "camille@nouvelle-adresse.example" in html(signed_in.get(url("account_email")))

    assert signed_in.post(link_in(mailoutbox[-1])).status_code == 302
    citizen.refresh_from_db()
    assert citizen.email == "camille@nouvelle-adresse.example"
    addresses = list(EmailAddress.objects.filter(user=citizen).values_list("email", "verified", "primary"))
    assert addresses == [("camille@nouvelle-adresse.example", True, True)]


# My space, export, deletion ----------------------------------------------------------------


def test_my_space_links_to_applications_and_account_management(client, signed_in):
    page = html(signed_in.get(url("account_space")))
    for name in ("account_email", "account_change_password", "account_export", "account_delete"):
        assert f'href="{url(name)}"' in page, name
    assert f'href="{reverse("applications:dashboard")}"' in page
    assert client.get("/comptes/").url == url("account_space")


@pytest.mark.parametrize("name", ["account_space", "account_export", "account_delete"])
def test_the_account_pages_need_a_signed_in_person(client, home, name):
    response = client.get(url(name))
    assert response.status_code == 302
    assert response.url.startswith(url("account_login"))


@pytest.fixture
def pledges(citizen, make_campaign):
    """Two pledges of the citizen (one typed in another case), one of someone else."""
    campaign = make_campaign(title="Jardin partagé")
    mine = [
        PledgeFactory(
            campaign=campaign,
            amount_cents=2500,
            backer_name="Camille Martin",
            backer_email="camille.martin@example.org",
            public_name="Camille",
            message="Bravo !",
        ),
        PledgeFactory(campaign=campaign, amount_cents=4000, backer_email="Camille.Martin@Example.org"),
    ]
    other = PledgeFactory(campaign=campaign, amount_cents=1000, backer_email="quelqu.un@example.org")
    return campaign, mine, other


def test_the_data_export_is_a_json_file_of_the_account_and_its_pledges(signed_in, citizen, pledges):
    # An address the citizen has not verified may be someone else's: its pledges are not theirs.
    EmailAddress.objects.create(user=citizen, email="quelqu.un@example.org", verified=False)
    response = signed_in.get(url("account_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["account"]["email"] == "camille.martin@example.org"
    assert data["account"]["full_name"] == "Camille Martin"
    assert data["account"]["date_joined"]
    assert {a["email"]: a["verified"] for a in data["account"]["email_addresses"]} == {
        "camille.martin@example.org": True,
        "quelqu.un@example.org": False,
    }
    assert sorted(p["amount_cents"] for p in data["pledges"]) == [2500, 4000]
    first = next(p for p in data["pledges"] if p["amount_cents"] == 2500)
    assert (first["campaign"], first["message"], first["public_name"]) == ("Jardin partagé", "Bravo !", "Camille")


def test_payments_contributes_to_the_export_and_the_erasure():
    """Wagtail loads hooks from the apps' `wagtail_hooks.py`: payments' must import its personal_data module."""
    for hook in (personal_data.EXPORT_HOOK, personal_data.ERASE_HOOK):
        modules = {fn.__module__ for fn in hooks.get_hooks(hook)}
        assert "payments.personal_data" in modules, (
            f"payments/wagtail_hooks.py does not import payments.personal_data ({hook})"
        )


def test_apps_contribute_to_the_export_through_the_hook(signed_in):
    def contribute(user):
        return {"example_section": {"email_seen": user.email}}

    with hooks.register_temporarily(personal_data.EXPORT_HOOK, contribute):
        data = json.loads(signed_in.get(url("account_export")).content)
    assert data["example_section"] == {"email_seen": "camille.martin@example.org"}


def test_the_deletion_page_says_what_happens_and_asks_the_password(signed_in):
    page = html(signed_in.get(url("account_delete", lang="en")))
    assert 'type="password"' in page and 'autocomplete="current-password"' in page
    assert f'href="{url("account_export", lang="en")}"' in page
    for consequence in ("can no longer sign in", "your pledges", "draft applications", "applications you submitted"):
        assert consequence in page, consequence


def test_a_wrong_password_does_not_delete_the_account(signed_in, citizen):
    response = signed_in.post(url("account_delete"), {"password": "pas le bon"})
    page = html(response)
    assert response.status_code == 200
    assert french("Incorrect password.") in page
    assert 'href="#id_password"' in page
    assert re.search(r'<input[^>]*name="password"[^>]*aria-invalid="true"', page)
    citizen.refresh_from_db()
    assert citizen.is_active and citizen.email == "camille.martin@example.org"
    assert signed_in_user_id(signed_in) == str(citizen.pk)


def test_deleting_the_account_anonymises_it_and_keeps_the_ledger_and_applications(
    signed_in, citizen, pledges, call_index
):
    campaign, mine, other = pledges
    raised_before = campaign.figures.raised_cents
    application = Application.objects.create(
        call=CallForProjectsPageFactory(parent=call_index),
        applicant=citizen,
        title="Un jardin au pied des immeubles",
        status="submitted",
        reference="AAP-2025-0001",
        submitted_at=timezone.now() - timedelta(days=3),
    )

    response = signed_in.post(url("account_delete"), {"password": PASSWORD})
    assert response.status_code == 302
    assert signed_in_user_id(signed_in) is None

    citizen.refresh_from_db()
    assert citizen.email.endswith("@deleted.invalid") and "camille" not in citizen.email
    assert citizen.full_name == ""
    assert not citizen.is_active and not citizen.has_usable_password()
    assert not EmailAddress.objects.filter(user=citizen).exists()
    # Nobody can sign in with the old address any more.
    signed_in.post(url("account_login"), {"login": "camille.martin@example.org", "password": PASSWORD})
    assert signed_in_user_id(signed_in) is None

    for pledge in mine:
        pledge.refresh_from_db()
        assert (pledge.backer_name, pledge.backer_email, pledge.public_name, pledge.message) == ("", "", "", "")
        assert pledge.anonymous
    assert sorted(Pledge.objects.filter(pk__in=[p.pk for p in mine]).values_list("amount_cents", flat=True)) == [
        2500,
        4000,
    ]
    other.refresh_from_db()
    assert other.backer_email == "quelqu.un@example.org"
    assert type(campaign).objects.get(pk=campaign.pk).figures.raised_cents == raised_before

    application.refresh_from_db()
    assert application.applicant_id == citizen.pk and application.status == "submitted"


def test_the_deletion_message_shows_after_the_redirect(signed_in):
    response = signed_in.post(url("account_delete", lang="en"), {"password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert "Your account has been deleted." in html(response)


def test_staff_accounts_are_not_closed_from_the_site(client, citizen):
    citizen.is_staff = True
    citizen.save()
    client.force_login(citizen)
    page = html(client.get(url("account_delete")))
    assert 'type="password"' not in page
    client.post(url("account_delete"), {"password": PASSWORD})
    citizen.refresh_from_db()
    assert citizen.is_active and citizen.email == "camille.martin@example.org"
    with pytest.raises(ValueError):
        personal_data.close_account(citizen)


# Languages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "title"),
    [("account_login", "Sign In"), ("account_signup", "Sign Up"), ("account_reset_password", "Password Reset")],
)
def test_account_pages_speak_french_and_english(client, home, name, title):
    fr = client.get(url(name))
    assert url(name).startswith("/comptes/")
    assert '<html lang="fr">' in html(fr) and f"<h1>{french(title)}</h1>" in html(fr)
    en = client.get(url(name, lang="en"))
    assert url(name, lang="en").startswith("/en/comptes/")
    assert '<html lang="en">' in html(en) and f"<h1>{title}</h1>" in html(en)


# Rate limits -------------------------------------------------------------------------------


def test_repeated_failed_sign_ins_lock_the_address_for_a_while(client, citizen):
    login = url("account_login", lang="en")
    for _ in range(5):
        response = client.post(login, {"login": citizen.email, "password": "pas le bon"})
        assert "The email address and/or password you specified are not correct." in html(response)
    # Even the right password is refused now.
    response = client.post(login, {"login": citizen.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed login attempts. Try again later." in html(response)
    assert signed_in_user_id(client) is None


def test_too_many_requests_get_a_429_page_in_the_site_layout(client, citizen):
    login = url("account_login")
    statuses = [client.post(login, {"login": f"x{n}@example.org", "password": "x"}).status_code for n in range(31)]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429
    response = client.post(login, {"login": citizen.email, "password": PASSWORD})
    page = html(response)
    assert response.status_code == 429
    assert 'class="site-header"' in page and '<html lang="fr">' in page
    assert french("Be patient, you are sending too many requests.") in page
