"""In-memory indexes over the territory reference, built once per process from the database.

The point-in-commune index (`geo.CommuneIndex`) and the name index (`names.NameIndex`) are
rebuilt when `ReferenceVersion` changes (checked at most every `CHECK_SECONDS`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ptce.core.stamped import Stamped
from ptce.territories.geo import CommuneIndex
from ptce.territories.models import Commune, ReferenceVersion
from ptce.territories.names import NameIndex

CHECK_SECONDS = 30.0


@dataclass(frozen=True)
class Indexes:
    codes: list[str]  # communes proper (COM), in index order
    geo: CommuneIndex
    names: NameIndex
    arrondissement_codes: list[str]
    arrondissements: CommuneIndex | None


def _current_version() -> str:
    row = ReferenceVersion.objects.values_list("version", flat=True).first()
    return row or ""


def _build() -> Indexes:
    rows = list(
        Commune.objects.order_by("code_insee").values_list(
            "code_insee", "type", "nom", "population", "geometry"
        )
    )
    communes = [r for r in rows if r[1] == Commune.Type.COMMUNE]
    arrondissements = [r for r in rows if r[1] == Commune.Type.ARRONDISSEMENT]
    return Indexes(
        codes=[r[0] for r in communes],
        geo=CommuneIndex.from_wkb([bytes(r[4]) for r in communes]),
        names=NameIndex([r[2] for r in communes], [r[3] for r in communes]),
        arrondissement_codes=[r[0] for r in arrondissements],
        arrondissements=(
            CommuneIndex.from_wkb([bytes(r[4]) for r in arrondissements])
            if arrondissements
            else None
        ),
    )


# A new reference is rare and everything geographic depends on it: always rebuilt before
# answering.
_cache: Stamped[Indexes] = Stamped(
    _build, _current_version, CHECK_SECONDS, background_after=float("inf")
)


def get() -> Indexes:
    """The indexes for the reference currently loaded."""
    return _cache.get()


def reset() -> None:
    """Forget the indexes (tests, and after a load in the same process)."""
    _cache.reset()
