"""The audit log: services call `record` inside their transaction."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from ptce.core.models import AuditEntry, User

Snapshot = dict[str, Any]


def _plain(value: Any) -> Any:
    """A JSON-friendly form of a field value."""
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return f"<{len(value)} octets>"
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> Snapshot:
    """The current values of a model's concrete fields (foreign keys by id)."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    return {name: _plain(getattr(obj, name)) for name in names}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as {field: [old, new]}."""
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def record(
    acting_user: User | None,
    *,
    verb: str,
    obj: models.Model,
    action: str = AuditEntry.Action.UPDATE,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    object_repr: str | None = None,
) -> AuditEntry:
    """Write one audit entry: who did `verb` to `obj`, and which fields went from what to what."""
    if after is None:
        after = snapshot(obj)
    changes = diff(before or {}, after)
    actor = acting_user if acting_user is not None and acting_user.is_authenticated else None
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        verb=verb,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=(object_repr if object_repr is not None else str(obj))[:255],
        changes=changes,
    )


def forget(obj: models.Model, *, label: str) -> None:
    """Scrub the personal data of `obj` from its past audit entries (right to erasure)."""
    AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
    ).update(object_repr=label, changes={})
