"""A write to an organisation or an establishment raises the `DirectoryVersion` in its
transaction: the in-memory indexes of the directory (`map_index`, `facet_index`), which
compare it on each use, are rebuilt (see `core.stamped` for when the rebuild waits and when
it runs beside). Bulk writes (the SIRENE import) send no signal: they call `forget_indexes`
themselves; writes behind the ORM's back show within `CHECK_SECONDS` (the stamp)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from ptce.actors import facet_index, map_index
from ptce.actors.models import DirectoryVersion, Establishment, Organisation


def forget_indexes() -> None:
    """Raise the directory version in the current transaction: every process, this one
    included, rebuilds its in-memory indexes at their next use that sees it (this
    transaction's own reads at once, the others' after the commit)."""
    DirectoryVersion.bump()


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
