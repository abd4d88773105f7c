"""A person's data: the export of their account, and the closing (deletion) of it.

Other apps hold personal data too (pledges keyed by an email address, applications…). They
take part through two Wagtail hooks, registered in a module their app's `wagtail_hooks.py`
imports (Wagtail only loads hooks from those modules):

``personal_data_export`` (`EXPORT_HOOK`): ``fn(user) -> dict``
    The app's sections of the export, keyed by a stable name of its own, for example
    ``{"pledges": [...]}``. Values must serialise with Django's JSON encoder (str, numbers,
    bool, None, lists, dicts, dates and datetimes, Decimal, UUID). Two hooks may not use the
    same section name, nor the account's own ones (`ACCOUNT_SECTIONS`).

``personal_data_erase`` (`ERASE_HOOK`): ``fn(user) -> None``
    Called when the person closes their account, inside the closing's transaction and
    *before* the user row is anonymised: ``user.email`` and `verified_emails(user)` still
    hold the real addresses. Erase or anonymise what identifies the person and keep what the
    site must keep (the amounts of the ledger, submitted applications and their history).
    The user row itself is never deleted (foreign keys to it are PROTECT): rows that point at
    it stay valid and now point at an anonymous, inactive account.

Rows found by an email address must be matched against `verified_emails(user)` only: an
address the person has not proved to own (a pending email change) could be someone else's.

Closing an account (`close_account`): the hooks erase, allauth's email addresses are deleted,
then the user row loses its name and address (a unique placeholder replaces it) and its
password, and becomes inactive: nobody can sign in to it again and its sessions end.
Staff accounts are closed by an administrator in Wagtail's user admin, not here
(`can_close`), so that nobody locks the site's administrators out by mistake.
"""

import secrets

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone
from wagtail import hooks

EXPORT_HOOK = "personal_data_export"
ERASE_HOOK = "personal_data_erase"

ACCOUNT_SECTIONS = ("exported_at", "account")

# Replaces the address of a closed account: unique, and on a domain that can never receive mail.
CLOSED_EMAIL_DOMAIN = "deleted.invalid"


def verified_emails(user) -> list[str]:
    """The addresses the person proved to own (allauth's verified addresses), in lower case."""
    addresses = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    return sorted({address.lower() for address in addresses})


def export(user) -> dict:
    """Everything the site holds about `user`: the account, then each app's sections (JSON-ready)."""
    addresses = EmailAddress.objects.filter(user=user).order_by("-primary", "email")
    data = {
        "exported_at": timezone.now(),
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "email_addresses": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in addresses
            ],
        },
    }
    for contribute in hooks.get_hooks(EXPORT_HOOK):
        for section, value in contribute(user).items():
            if section in data:
                raise ValueError(f"Two contributions to the personal data export use the section {section!r}.")
            data[section] = value
    return data


def can_close(user) -> bool:
    """Whether the person may close their own account here (staff accounts: an administrator does)."""
    return user.is_authenticated and user.is_active and not (user.is_staff or user.is_superuser)


@transaction.atomic
def close_account(user) -> None:
    """Erase the person's data (every app's `ERASE_HOOK`), then anonymise and deactivate the account."""
    if not can_close(user):
        raise ValueError("This account cannot be closed by its owner.")
    for erase in hooks.get_hooks(ERASE_HOOK):
        erase(user)
    EmailAddress.objects.filter(user=user).delete()  # their confirmations cascade
    user.email = f"deleted-{user.pk}-{secrets.token_hex(6)}@{CLOSED_EMAIL_DOMAIN}"
    user.full_name = ""
    user.set_unusable_password()
    user.is_active = False
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
