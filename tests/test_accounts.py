"""The user model: the email address is the login, whatever its case; a full name; no username."""

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse

User = get_user_model()


@pytest.fixture
def marie(db):
    return User.objects.create_user("Marie.Curie@Example.org", "un-mot-de-passe-solide", full_name="Marie Curie")


def test_the_model_has_an_email_login_and_a_full_name_and_no_username():
    assert User.USERNAME_FIELD == "email"
    assert User._meta.label == "accounts.User"
    names = {field.name for field in User._meta.get_fields()}
    assert {"email", "full_name"} <= names
    assert not names & {"username", "first_name", "last_name"}


def test_the_domain_is_normalised_and_the_name_shown(marie):
    assert marie.email == "Marie.Curie@example.org"
    assert (str(marie), marie.get_full_name(), marie.get_short_name()) == ("Marie Curie", "Marie Curie", "Marie")


def test_sign_in_ignores_the_case_of_the_address(marie):
    assert authenticate(username="marie.curie@EXAMPLE.org", password="un-mot-de-passe-solide") == marie
    assert authenticate(username="marie.curie@example.org", password="wrong") is None


def test_two_accounts_cannot_share_an_address_in_another_case(marie):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("marie.curie@example.org", "x", full_name="Homonyme")


def test_createsuperuser_needs_no_username(db):
    admin = User.objects.create_superuser("admin@example.org", "pw", full_name="Admin")
    assert admin.is_staff and admin.is_superuser


def test_admin_login_with_the_email_address(client, marie):
    marie.is_superuser = marie.is_staff = True
    marie.save()
    response = client.post(
        reverse("wagtailadmin_login"), {"username": "MARIE.CURIE@example.org", "password": "un-mot-de-passe-solide"}
    )
    assert response.status_code == 302
    assert client.get(reverse("wagtailadmin_home")).status_code == 200


def test_wagtail_user_admin_creates_and_edits_with_a_full_name(admin_client):
    form = admin_client.get(reverse("wagtailusers_users:add")).content.decode()
    assert 'name="full_name"' in form and 'name="first_name"' not in form and 'name="username"' not in form
    response = admin_client.post(
        reverse("wagtailusers_users:add"),
        {
            "email": "agent@beaupre.example",
            "full_name": "Agent Municipal",
            "password1": "Une-phrase-de-passe-1",
            "password2": "Une-phrase-de-passe-1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    agent = User.objects.get(email="agent@beaupre.example")
    assert agent.full_name == "Agent Municipal"

    edit = reverse("wagtailusers_users:edit", args=[agent.pk])
    response = admin_client.post(
        edit, {"email": "agent@beaupre.example", "full_name": "Agente Municipale", "is_active": "on"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    agent.refresh_from_db()
    assert agent.full_name == "Agente Municipale"


def test_the_user_admin_refuses_an_address_taken_in_another_case(admin_client, marie):
    response = admin_client.post(
        reverse("wagtailusers_users:add"),
        {
            "email": "MARIE.curie@example.org",
            "full_name": "Autre Marie",
            "password1": "Une-phrase-de-passe-1",
            "password2": "Une-phrase-de-passe-1",
        },
    )
    assert response.status_code == 200
    assert "Un compte existe déjà avec cette adresse e-mail." in response.content.decode()
    assert User.objects.filter(email__iexact="marie.curie@example.org").count() == 1
