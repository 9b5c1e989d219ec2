"""The in-memory indexes of the directory (`map_index`, `facet_index`) forget what they hold
when this process writes an organisation or an establishment, at once and when the
transaction commits; the other processes at their next use, by the `DirectoryVersion` the
write raised in its transaction. Bulk writes (the SIRENE import) send no signal: they
call `forget_indexes` themselves; writes behind the ORM's back show within `CHECK_SECONDS`
(the stamp)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from ptce.actors import facet_index, map_index
from ptce.actors.models import DirectoryVersion, Establishment, Organisation


def forget_indexes() -> None:
    """Rebuild the directory's in-memory indexes at their next use after the commit, in this
    process and (the version raised in the transaction) in the others."""
    DirectoryVersion.bump()
    transaction.on_commit(reset_indexes)


def reset_indexes() -> None:
    """Forget the in-memory indexes at once (their next use rebuilds them)."""
    map_index.reset()
    facet_index.reset()


@receiver(post_save, sender=Organisation)
@receiver(post_delete, sender=Organisation)
@receiver(post_save, sender=Establishment)
@receiver(post_delete, sender=Establishment)
def _changed(sender: Any, **kwargs: Any) -> None:
    # At once, so that the rest of this transaction reads its own writes, and again after
    # the commit, in case another request of this process rebuilt in between from the
    # committed state. A rollback leaves a stale index until the stamp check (CHECK_SECONDS).
    reset_indexes()
    forget_indexes()
