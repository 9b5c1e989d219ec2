"""The establishments of the directory as in-memory arrays, for the map at scale.

Built once per process from one query and rebuilt when establishments change (checked at
most every `CHECK_SECONDS`); filters become numpy masks, clustering is `clustering.query`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connections
from django.db.models import Count, Max
from numpy.typing import NDArray

from ptce.actors import facet_index, naf
from ptce.actors.clustering import PointSet
from ptce.actors.directory import DirectoryFilters, name_search
from ptce.actors.models import DirectoryVersion, Establishment, Organisation
from ptce.core.choices import Visibility
from ptce.core.stamped import Stamped

CHECK_SECONDS = 30.0
MAX_NAME_MATCHES = 500_000


@dataclass(frozen=True)
class MapIndex:
    points: PointSet
    organisation_ids: NDArray[np.int64]
    actor_types: NDArray[np.object_]
    ess_families: NDArray[np.object_]
    divisions: NDArray[np.int16]  # NAF division of the establishment, -1 when unknown
    departements: NDArray[np.object_]
    epci: NDArray[np.object_]
    tranches: NDArray[np.object_]
    active: NDArray[np.bool_]
    public: NDArray[np.bool_]  # the organisation is public (register data, or chosen so)
    sorted_ids: NDArray[np.int64]  # establishment ids, sorted
    sorted_organisations: NDArray[np.int64]  # their organisations, in the same order

    def organisations_of(self, establishment_ids: NDArray[np.int64]) -> NDArray[np.int64]:
        """The organisation of each establishment id (all must be in the index)."""
        return self.sorted_organisations[np.searchsorted(self.sorted_ids, establishment_ids)]

    def visible_mask(self, user: Any) -> NDArray[np.bool_]:
        """The points `user` may see: public organisations, and those the user speaks for."""
        if user.is_authenticated and user.is_staff:
            return np.ones(len(self.public), dtype=np.bool_)
        if not user.is_authenticated:
            return self.public
        own = np.array(
            list(user.affiliations.values_list("organisation_id", flat=True)), dtype=np.int64
        )
        return self.public | np.isin(self.organisation_ids, own)

    def mask(self, filters: DirectoryFilters) -> NDArray[np.bool_]:
        """The points whose establishment and organisation pass every filter."""
        keep = np.ones(len(self.organisation_ids), dtype=np.bool_)
        if filters.active is not None:
            keep &= self.active == filters.active
        if filters.actor_types:
            keep &= np.isin(self.actor_types, filters.actor_types)
        if filters.ess is not None:
            keep &= (self.actor_types == "ess") == filters.ess
        if filters.ess_families:
            keep &= np.isin(self.ess_families, filters.ess_families)
        if filters.departements:
            keep &= np.isin(self.departements, filters.departements)
        if filters.epci:
            keep &= np.isin(self.epci, filters.epci)
        if filters.tranches:
            keep &= np.isin(self.tranches, filters.tranches)
        letters = [letter for letter in filters.naf_sections if letter in naf.SECTIONS]
        if letters:
            sections = np.zeros(len(keep), dtype=np.bool_)
            for letter in letters:
                first, last, _label = naf.SECTIONS[letter]
                sections |= (self.divisions >= first) & (self.divisions <= last)
            keep &= sections
        if filters.q or filters.naf or filters.perimeter:
            wanted = self._organisations_matching(filters)
            # A table by organisation id: one lookup per point (np.isin sorts both sides).
            table = np.zeros(
                int(max(wanted.max(initial=0), self.organisation_ids.max(initial=0))) + 1,
                dtype=np.bool_,
            )
            table[wanted] = True
            keep &= table[self.organisation_ids]
        return keep

    def _organisations_matching(self, filters: DirectoryFilters) -> NDArray[np.int64]:
        if filters.q and facet_index.FacetIndex.handles(filters):
            # The name words of the facet index: a broad name ("sci": 68,000 organisations
            # of a million) without a full-text query.
            directory = facet_index.get()
            named = directory.named(filters.q)
            if named is not None:
                return directory.ids[named]
        qs = Organisation.objects.all()
        if filters.q:
            qs = name_search(qs, filters.q)
        if filters.naf:
            qs = qs.filter(naf__startswith=filters.naf)
        if filters.perimeter:
            qs = qs.filter(establishments__commune__perimeters__slug=filters.perimeter).distinct()
        ids = list(qs.values_list("id", flat=True)[:MAX_NAME_MATCHES])
        return np.array(ids, dtype=np.int64)


def _stamp() -> tuple[Any, ...]:
    agg = Establishment.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    return (agg["n"], agg["last"])


def _build() -> MapIndex:
    rows = list(
        Establishment.objects.filter(lat__isnull=False, lon__isnull=False)
        .order_by()
        .values_list(
            "id",
            "organisation_id",
            "lon",
            "lat",
            "organisation__actor_type",
            "organisation__ess_family",
            "naf",
            "departement",
            "commune__epci_id",
            "tranche_effectifs",
            "active",
            "organisation__visibility",
        )
        .iterator(chunk_size=20_000)
    )
    columns = list(zip(*rows, strict=True)) if rows else [()] * 12

    def strings(values: tuple[Any, ...]) -> NDArray[np.object_]:
        return np.array([v or "" for v in values], dtype=object)

    ids = np.array(columns[0], dtype=np.int64)
    organisations = np.array(columns[1], dtype=np.int64)
    order = np.argsort(ids)
    divisions = np.array(
        [int(code[:2]) if code and code[:2].isdigit() else -1 for code in columns[6]],
        dtype=np.int16,
    )
    return MapIndex(
        points=PointSet(
            ids,
            np.array(columns[2], dtype=np.float64),
            np.array(columns[3], dtype=np.float64),
        ),
        organisation_ids=organisations,
        actor_types=strings(columns[4]),
        ess_families=strings(columns[5]),
        divisions=divisions,
        departements=strings(columns[7]),
        epci=strings(columns[8]),
        tranches=strings(columns[9]),
        active=np.array(columns[10], dtype=np.bool_),
        public=np.array([v == Visibility.PUBLIC for v in columns[11]], dtype=np.bool_),
        sorted_ids=ids[order],
        sorted_organisations=organisations[order],
    )


_cache: Stamped[MapIndex] = Stamped(
    _build,
    _stamp,
    CHECK_SECONDS,
    version=DirectoryVersion.current,
    thread_done=connections.close_all,
)


def get() -> MapIndex:
    return _cache.get()


def reset() -> None:
    _cache.reset()


def expire() -> None:
    _cache.expire()
