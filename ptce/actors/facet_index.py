"""The organisations of the directory as in-memory columns, for facet counts and result
pages at scale.

Counting the facets of a broad search (every enterprise: 800,000 of 1 M organisations) is a
GROUP BY over most of the table in SQL: 3 s on SQLite, 1.4 s on PostgreSQL (bench
`directory_search`). Over small integer codes in numpy it is a mask and four `bincount`s.
A broad name ("sci": 68,000 of 1 M organisations) costs SQL a visit of most of the table to
count the hits and again to sort them by name; here it is a slice of a posting list and a
partial sort of the hits' ranks.

The index holds, per organisation (sorted by id): actor type, ESS family, NAF section and
headcount band as codes, active, public, and its rank in the database's (name, id) order;
the words of its `search_text` (the vocabulary sorted, with the organisations of each word:
a word prefix is a range of it); per active establishment: its organisation, its
département and its EPCI as codes. `counts` and `page` answer the filters it can evaluate
exactly from these columns and return None for the others (a NAF code prefix, a
perimeter): `directory` then asks SQL, where those filters are selective. A name matches as
in SQL's full-text search (`directory.name_search`): each word of the normalized query
starts a word of the organisation's `search_text`.

Freshness (ADR 0008): built once per process from two queries; rebuilt when organisations
or establishments change, which a process notices at once for its own writes (the signals
of `ptce.actors.signals` call `reset`) and within `CHECK_SECONDS` for the others' (a stamp:
counts and last update times). What a user may see is computed per call from their
affiliations, never cached.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection, connections
from django.db.models import Case, CharField, Count, Max, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Coalesce, Concat, Substr
from numpy.typing import NDArray

from ptce.actors import naf
from ptce.actors.directory import HEADCOUNT_BANDS, DirectoryFilters, name_words
from ptce.actors.models import ActorType, DirectoryVersion, EssFamily, Establishment, Organisation
from ptce.core.choices import Visibility
from ptce.core.stamped import Stamped

CHECK_SECONDS = 30.0
_HIGHEST = "\U0010ffff"  # sorts after every character a word can hold

ACTOR_TYPES: tuple[str, ...] = tuple(ActorType.values)
FAMILIES: tuple[str, ...] = tuple(EssFamily.values)
SECTIONS: tuple[str, ...] = tuple(sorted(naf.SECTIONS))
BANDS: tuple[str, ...] = tuple(HEADCOUNT_BANDS)


def _position(value: str, vocabulary: tuple[str, ...]) -> int:
    return vocabulary.index(value) if value in vocabulary else -1


def _section(code: str) -> int:
    letter = naf.section_of(code)
    return SECTIONS.index(letter) if letter else -1


def _encoded(keys: list[str]) -> tuple[NDArray[np.int64], list[str]]:
    """`keys` as positions in their list of distinct values (dictionary encoding in
    pyarrow: one pass in C over a million strings)."""
    encoded = pa.array(keys, type=pa.string()).dictionary_encode()
    return (
        encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64),
        encoded.dictionary.to_pylist(),
    )


@dataclass(frozen=True)
class FacetIndex:
    ids: NDArray[np.int64]  # organisation ids, sorted
    types: NDArray[np.int8]  # position in ACTOR_TYPES, -1 unknown
    families: NDArray[np.int8]  # position in FAMILIES, -1 none
    sections: NDArray[np.int8]  # position in SECTIONS, -1 none
    bands: NDArray[np.int8]  # position in BANDS, -1 none
    active: NDArray[np.bool_]
    public: NDArray[np.bool_]
    # Active establishments: their organisation's position in `ids`, their territory codes.
    site_owner: NDArray[np.int64]
    site_departement: NDArray[np.int32]  # position in `departements`
    site_epci: NDArray[np.int32]  # position in `epcis`, -1 none
    departements: tuple[str, ...]
    epcis: tuple[str, ...]
    # Names: each organisation's rank in (name, id) order; the distinct words of the
    # `search_text`s, sorted, and the organisations (positions in `ids`) of word i in
    # word_orgs[word_starts[i]:word_starts[i + 1]].
    rank: NDArray[np.int32]
    words: list[str]
    word_starts: NDArray[np.int64]
    word_orgs: NDArray[np.int32]

    @staticmethod
    def handles(filters: DirectoryFilters) -> bool:
        """Whether `counts` and `page` can evaluate every filter of `filters` exactly."""
        return not (filters.naf or filters.perimeter)

    def named(self, text: str) -> NDArray[np.bool_] | None:
        """The organisations with, for each word of `text` (normalized), a word of their
        `search_text` that starts with it; None when `text` has no word (no filter)."""
        found: NDArray[np.bool_] | None = None
        for word in name_words(text):
            start = bisect_left(self.words, word)
            end = bisect_left(self.words, word + _HIGHEST, lo=start)
            hits = np.zeros(len(self.ids), dtype=np.bool_)
            hits[self.word_orgs[self.word_starts[start] : self.word_starts[end]]] = True
            found = hits if found is None else found & hits
        return found

    def visible(self, user: Any) -> NDArray[np.bool_]:
        """What `Organisation.objects.visible_to(user)` keeps, as a mask."""
        if user.is_authenticated and user.is_staff:
            return np.ones(len(self.ids), dtype=np.bool_)
        if not user.is_authenticated:
            return self.public
        own = np.array(
            list(user.affiliations.values_list("organisation_id", flat=True)), dtype=np.int64
        )
        return self.public | np.isin(self.ids, own)

    def mask(self, filters: DirectoryFilters) -> NDArray[np.bool_]:
        """The organisations passing `filters` (which `handles`), as `directory.search`."""
        named = self.named(filters.q)
        keep = named if named is not None else np.ones(len(self.ids), dtype=np.bool_)
        if filters.actor_types:
            keep &= np.isin(self.types, _positions(filters.actor_types, ACTOR_TYPES))
        if filters.ess_families:
            keep &= np.isin(self.families, _positions(filters.ess_families, FAMILIES))
        if filters.ess is not None:
            keep &= (self.types == ACTOR_TYPES.index(ActorType.ESS)) == filters.ess
        sections = _positions(filters.naf_sections, SECTIONS)
        if len(sections):  # unknown letters are ignored, as by `directory.search`
            keep &= np.isin(self.sections, sections)
        if filters.tranches:
            keep &= np.isin(self.bands, _positions(filters.tranches, BANDS))
        if filters.active is not None:
            keep &= self.active == filters.active
        if filters.departements or filters.epci:
            sites = np.ones(len(self.site_owner), dtype=np.bool_)
            if filters.departements:
                wanted = _positions(filters.departements, self.departements)
                sites &= np.isin(self.site_departement, wanted)
            if filters.epci:
                sites &= np.isin(self.site_epci, _positions(filters.epci, self.epcis))
            present = np.zeros(len(self.ids), dtype=np.bool_)
            present[self.site_owner[sites]] = True
            keep &= present
        return keep

    def counts(self, filters: DirectoryFilters, user: Any) -> dict[str, Counter[str]] | None:
        """Organisations per actor type, ESS family, NAF section and headcount band among
        those `user` may see that pass `filters`; None when `filters` need SQL."""
        if not self.handles(filters):
            return None
        keep = self.mask(filters) & self.visible(user)
        return {
            "actor_type": _count(self.types[keep], ACTOR_TYPES),
            "ess_family": _count(self.families[keep], FAMILIES),
            "naf_section": _count(self.sections[keep], SECTIONS),
            "tranche_effectifs": _count(self.bands[keep], BANDS),
        }

    def page(
        self, filters: DirectoryFilters, user: Any, start: int, size: int
    ) -> tuple[int, list[int]] | None:
        """How many organisations `user` may see pass `filters`, and the ids of those at
        [start:start + size] in (name, id) order; None when `filters` need SQL."""
        if not self.handles(filters):
            return None
        found = np.flatnonzero(self.mask(filters) & self.visible(user))
        end = min(start + size, len(found))
        if start >= end:
            return len(found), []
        ranks = self.rank[found]
        if end < len(found):  # the first `end` by rank, unordered, then sorted
            first = np.argpartition(ranks, end - 1)[:end]
            chosen = first[np.argsort(ranks[first])][start:end]
        else:
            chosen = np.argsort(ranks)[start:end]
        return len(found), self.ids[found[chosen]].tolist()


def _positions(values: list[str], vocabulary: tuple[str, ...]) -> NDArray[np.int64]:
    position = {v: i for i, v in enumerate(vocabulary)}
    return np.array([position[v] for v in values if v in position], dtype=np.int64)


def _count(codes: NDArray[np.int8], vocabulary: tuple[str, ...]) -> Counter[str]:
    tally = np.bincount(codes.astype(np.int64) + 1, minlength=len(vocabulary) + 1)[1:]
    return Counter({v: int(n) for v, n in zip(vocabulary, tally.tolist(), strict=True) if n})


# ------------------------------------------------------------------------------ building


def _stamp() -> tuple[Any, ...]:
    organisations = Organisation.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    establishments = Establishment.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    return (
        organisations["n"],
        organisations["last"],
        establishments["n"],
        establishments["last"],
    )


def _fetch(queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a `values_list` queryset through a raw cursor (the ORM's per-row work
    would be most of the build)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value("1")), default=Value("0"), output_field=CharField())


def _key(*parts: Any) -> Concat:
    """The columns of a row as one "a|b|c" string: a million rows fetch as two Python
    objects each instead of seven, and the few distinct keys are decoded once."""
    separated: list[Any] = []
    for part in parts:
        separated += [part, Value("|")]
    return Concat(*separated[:-1], output_field=CharField())


def _word_lists(
    texts: pa.Array, count: int
) -> tuple[list[str], NDArray[np.int64], NDArray[np.int32]]:
    """The distinct words of `texts` (one per organisation, normalized: words separated by
    spaces), sorted, and per word the positions of the texts holding it (CSR)."""
    split = pc.utf8_split_whitespace(texts)
    owners = pc.list_parent_indices(split).to_numpy().astype(np.int64)
    encoded = pc.list_flatten(split).dictionary_encode()
    vocabulary = encoded.dictionary
    order = pc.array_sort_indices(vocabulary).to_numpy()  # code point order, as Python's
    sorted_position = np.empty(len(order), dtype=np.int64)
    sorted_position[order] = np.arange(len(order), dtype=np.int64)
    word = sorted_position[encoded.indices.to_numpy(zero_copy_only=False)]
    pairs = np.sort(word * max(count, 1) + owners)  # by word then text
    if len(pairs):  # without repeats ("la la")
        pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))]
    starts = np.searchsorted(pairs // max(count, 1), np.arange(len(order) + 1))
    return (
        vocabulary.take(pa.array(order)).to_pylist(),
        starts.astype(np.int64),
        (pairs % max(count, 1)).astype(np.int32),
    )


def _build() -> FacetIndex:
    # In the database's (name, id) order: the position of a row is its rank.
    organisations = _fetch(
        Organisation.objects.order_by("name", "id").values_list(
            "id",
            Coalesce("search_text", Value(""), output_field=TextField()),
            _key(
                Coalesce("actor_type", Value("")),
                Coalesce("ess_family", Value("")),
                Coalesce(Substr("naf", 1, 2), Value("")),
                Coalesce("tranche_effectifs", Value("")),
                _flag(Q(active=True)),
                _flag(Q(visibility=Visibility.PUBLIC)),
            ),
        )
    )
    by_name = np.fromiter((r[0] for r in organisations), dtype=np.int64, count=len(organisations))
    by_id = np.argsort(by_name, kind="stable")
    ids = by_name[by_id]
    texts = pa.array([r[1] for r in organisations], type=pa.string()).take(pa.array(by_id))
    rows, keys = _encoded([r[2] for r in organisations])
    rows = rows[by_id]
    del organisations
    words, word_starts, word_orgs = _word_lists(texts, len(ids))
    # Per distinct key: its codes, then spread to the rows.
    parsed = [key.split("|") for key in keys]
    per_key = np.array(
        [
            (
                _position(t, ACTOR_TYPES),
                _position(f, FAMILIES),
                _section(d),
                _position(b, BANDS),
                a == "1",
                p == "1",
            )
            for t, f, d, b, a, p in parsed
        ],
        dtype=np.int8,
    ).reshape(-1, 6)[rows]
    sites = _fetch(
        Establishment.objects.filter(active=True)
        .order_by()
        .values_list(
            "organisation_id",
            _key(Coalesce("departement", Value("")), Coalesce("commune__epci_id", Value(""))),
        )
    )
    owners = np.fromiter((r[0] for r in sites), dtype=np.int64, count=len(sites))
    places, place_keys = _encoded([r[1] for r in sites])
    del sites
    pairs = [key.split("|") for key in place_keys]
    departements = tuple(sorted({d for d, _ in pairs}))
    epcis = tuple(sorted({e for _, e in pairs if e}))
    per_place = np.array(
        [(departements.index(d), _position(e, epcis)) for d, e in pairs], dtype=np.int32
    ).reshape(-1, 2)[places]
    return FacetIndex(
        ids=ids,
        types=per_key[:, 0].copy(),
        families=per_key[:, 1].copy(),
        sections=per_key[:, 2].copy(),
        bands=per_key[:, 3].copy(),
        active=per_key[:, 4].astype(np.bool_),
        public=per_key[:, 5].astype(np.bool_),
        site_owner=np.searchsorted(ids, owners),
        site_departement=per_place[:, 0].copy(),
        site_epci=per_place[:, 1].copy(),
        departements=departements,
        epcis=epcis,
        rank=by_id.astype(np.int32),
        words=words,
        word_starts=word_starts,
        word_orgs=word_orgs,
    )


_cache: Stamped[FacetIndex] = Stamped(
    _build,
    _stamp,
    CHECK_SECONDS,
    version=DirectoryVersion.current,
    thread_done=connections.close_all,
)


def get() -> FacetIndex:
    return _cache.get()


def reset() -> None:
    _cache.reset()


def expire() -> None:
    _cache.expire()
