"""Writes on users and API tokens. Every write records an audit entry."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from ptce.core import audit
from ptce.core.models import ApiToken, AuditEntry, User, hash_token

TOKEN_PREFIX = "ptce_"  # noqa: S105 - a public prefix, not a secret
_USER_FIELDS = ("email", "first_name", "last_name", "is_staff", "is_active", "is_superuser")


@transaction.atomic
def create_user(
    acting_user: User | None,
    *,
    email: str,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    is_staff: bool = False,
) -> User:
    user = User.objects.create_user(
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        is_staff=is_staff,
    )
    audit.record(
        acting_user,
        verb="create_user",
        obj=user,
        action=AuditEntry.Action.CREATE,
        after=audit.snapshot(user, _USER_FIELDS),
    )
    return user


@transaction.atomic
def update_user(acting_user: User | None, *, user: User, **fields: object) -> User:
    unknown = set(fields) - set(_USER_FIELDS)
    if unknown:
        raise TypeError(f"update_user() cannot change {sorted(unknown)}")
    before = audit.snapshot(user, _USER_FIELDS)
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save()
    audit.record(
        acting_user,
        verb="update_user",
        obj=user,
        before=before,
        after=audit.snapshot(user, _USER_FIELDS),
    )
    return user


@transaction.atomic
def create_api_token(acting_user: User | None, *, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; the raw key is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[: len(TOKEN_PREFIX) + 6], key_hash=hash_token(raw)
    )
    audit.record(
        acting_user,
        verb="create_api_token",
        obj=token,
        action=AuditEntry.Action.CREATE,
        after={"user": user.pk, "name": name, "prefix": token.prefix},
    )
    return token, raw


@transaction.atomic
def revoke_api_token(acting_user: User | None, *, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            acting_user,
            verb="revoke_api_token",
            obj=token,
            before={"revoked_at": None},
            after={"revoked_at": token.revoked_at.isoformat()},
        )
    return token


def authenticate_token(raw: str) -> User | None:
    """The active user behind a raw API key, or None. Marks the token as used."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.active().select_related("user").filter(key_hash=hash_token(raw)).first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
