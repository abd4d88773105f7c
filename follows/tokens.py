"""The signed tokens of follow links (django.core.signing, keyed by the SECRET_KEY).

- Confirmation (double opt-in): the campaign's `translation_key`, the address and the time
  of the request; valid `CONFIRM_MAX_AGE` (7 days). A link issued before the address
  unsubscribed never confirms it again (`services.confirm`).
- Unsubscribe: the campaign's `translation_key` and the address; it never expires, so the
  link of any email keeps working, for followers and backers alike.

The two use different salts: one cannot stand for the other. Addresses are in lower case.
"""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

from django.core import signing

CONFIRM_SALT = "follows.confirm"
CONFIRM_MAX_AGE = timedelta(days=7)
UNSUBSCRIBE_SALT = "follows.unsubscribe"


class InvalidToken(Exception):
    """A link that was forged, damaged, or has expired (`expired`)."""

    def __init__(self, *, expired=False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def confirm_token(campaign_key, email: str, issued_at: float | None = None) -> str:
    issued_at = time.time() if issued_at is None else issued_at
    payload = {"k": str(campaign_key), "e": normalize_email(email), "t": issued_at}
    return signing.dumps(payload, salt=CONFIRM_SALT, compress=True)


def read_confirm_token(token: str) -> tuple[uuid.UUID, str, float]:
    """(campaign_key, email, issued at as a POSIX timestamp); raises InvalidToken."""
    try:
        payload = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired:
        raise InvalidToken(expired=True) from None
    except signing.BadSignature:
        raise InvalidToken() from None
    return _parse(payload, ("k", "e", "t"))


def unsubscribe_token(campaign_key, email: str) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object([str(campaign_key), normalize_email(email)], compress=True)


def read_unsubscribe_token(token: str) -> tuple[uuid.UUID, str]:
    """(campaign_key, email); raises InvalidToken."""
    try:
        payload = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except signing.BadSignature:
        raise InvalidToken() from None
    if not isinstance(payload, list) or len(payload) != 2:
        raise InvalidToken()
    return _parse(dict(zip(("k", "e"), payload, strict=True)), ("k", "e"))


def _parse(payload, keys):
    try:
        values = [payload[key] for key in keys]
        values[0] = uuid.UUID(values[0])
        if not isinstance(values[1], str) or "@" not in values[1]:
            raise ValueError(values[1])
        if len(values) == 3:
            values[2] = float(values[2])
    except (KeyError, TypeError, ValueError, AttributeError):
        raise InvalidToken() from None
    return tuple(values)
