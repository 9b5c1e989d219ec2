"""A write to an organisation or an establishment expires this process's in-memory
indexes of the directory (`map_index`, `facet_index`) and raises the `DirectoryVersion`
after its commit: every process compares it on each use and rebuilds (see `core.stamped`
for when the rebuild waits and when it runs beside). Bulk writes (the SIRENE import) send
no signal: they call `forget_indexes` themselves; writes behind the ORM's back show within
`CHECK_SECONDS` (the stamp)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from ptce.actors import facet_index, map_index
from ptce.actors.models import DirectoryVersion, Establishment, Organisation


def forget_indexes() -> None:
    """The directory changed in the current transaction: this process's in-memory indexes
    are rebuilt at their next use (which, inside the transaction, sees its writes), and
    every process's after the commit, when the directory version is raised (in a
    transaction of its own: taken inside the writer's, its row lock could deadlock two
    transactions that each hold an organisation the other wants)."""
    map_index.expire()
    facet_index.expire()
    if not _bump_pending():
        transaction.on_commit(_bump)


def _bump() -> None:
    DirectoryVersion.bump()


def _bump_pending() -> bool:
    """Whether this transaction will raise the version at its commit already (one raise per
    transaction, not one per row; a rollback discards the pending raise with the writes)."""
    try:
        return any(item[1] is _bump for item in transaction.get_connection().run_on_commit)
    except (AttributeError, IndexError, TypeError):  # Django's internals changed: raise again
        return False


def reset_indexes() -> None:
    """Forget the in-memory indexes of this process at once (their next use rebuilds them)."""
    map_index.reset()
    facet_index.reset()


@receiver(post_save, sender=Organisation)
@receiver(post_delete, sender=Organisation)
@receiver(post_save, sender=Establishment)
@receiver(post_delete, sender=Establishment)
def _changed(sender: Any, **kwargs: Any) -> None:
    forget_indexes()
