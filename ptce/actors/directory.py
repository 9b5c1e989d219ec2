"""The directory: search organisations by name (full text) and facets, count facets.

Name search uses SQLite FTS5 or PostgreSQL full-text search over `search_text` (see the
migration `0002_full_text_search`); facets filter on columns of organisations or, for
territory filters, on the existence of an active establishment there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Substr
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ptce.actors import naf
from ptce.actors.models import ActorType, EssFamily, Establishment, Organisation
from ptce.territories.models import Perimeter
from ptce.territories.names import normalize

HEADCOUNT_BANDS = {
    "NN": _("Non employeuse ou inconnue"),
    "00": _("0 salarié"),
    "01": _("1 ou 2 salariés"),
    "02": _("3 à 5 salariés"),
    "03": _("6 à 9 salariés"),
    "11": _("10 à 19 salariés"),
    "12": _("20 à 49 salariés"),
    "21": _("50 à 99 salariés"),
    "22": _("100 à 199 salariés"),
    "31": _("200 à 249 salariés"),
    "32": _("250 à 499 salariés"),
    "41": _("500 à 999 salariés"),
    "42": _("1 000 à 1 999 salariés"),
    "51": _("2 000 à 4 999 salariés"),
    "52": _("5 000 à 9 999 salariés"),
    "53": _("10 000 salariés et plus"),
}


@dataclass
class DirectoryFilters:
    q: str = ""
    actor_types: list[str] = field(default_factory=list)
    ess_families: list[str] = field(default_factory=list)
    naf_sections: list[str] = field(default_factory=list)
    naf: str = ""
    tranches: list[str] = field(default_factory=list)
    departements: list[str] = field(default_factory=list)
    epci: list[str] = field(default_factory=list)
    perimeter: str = ""
    active: bool | None = True
    ess: bool | None = None

    def establishment_filter(self) -> Q | None:
        q = Q()
        if self.departements:
            q &= Q(departement__in=self.departements)
        if self.epci:
            q &= Q(commune__epci_id__in=self.epci)
        if self.perimeter:
            perimeter_communes = Perimeter.communes.through.objects.filter(
                perimeter__slug=self.perimeter
            ).values("commune_id")
            q &= Q(code_commune__in=perimeter_communes)
        return q if q else None


def name_words(text: str) -> list[str]:
    """The words of a name query, normalized: each must start a word of a matching name."""
    return [w for w in normalize(text).split() if w][:8]


def name_search(queryset: QuerySet[Organisation], text: str) -> QuerySet[Organisation]:
    """Organisations whose name has words starting with each word of `text`, accents ignored."""
    words = name_words(text)
    if not words:
        return queryset
    if connection.vendor == "sqlite":
        match = " ".join('"' + w.replace('"', "") + '"*' for w in words)
        return queryset.filter(
            id__in=RawSQL(
                "SELECT rowid FROM actors_organisation_fts WHERE actors_organisation_fts MATCH %s",
                (match,),
            )
        )
    if connection.vendor == "postgresql":
        tsquery = " & ".join(w.replace("'", "") + ":*" for w in words)
        return queryset.annotate(_fts=SearchVector("search_text", config="simple")).filter(
            _fts=SearchQuery(tsquery, config="simple", search_type="raw")
        )
    return queryset.filter(*[Q(search_text__contains=w) for w in words])


def search(
    filters: DirectoryFilters, base: QuerySet[Organisation] | None = None
) -> QuerySet[Organisation]:
    """The organisations matching every filter."""
    qs = base if base is not None else Organisation.objects.all()
    qs = name_search(qs, filters.q)
    if filters.actor_types:
        qs = qs.filter(actor_type__in=filters.actor_types)
    if filters.ess_families:
        qs = qs.filter(ess_family__in=filters.ess_families)
    if filters.ess is not None:
        qs = (
            qs.filter(actor_type=ActorType.ESS)
            if filters.ess
            else qs.exclude(actor_type=ActorType.ESS)
        )
    if filters.naf:
        qs = qs.filter(naf__startswith=filters.naf)
    letters = [letter for letter in filters.naf_sections if letter in naf.SECTIONS]
    if letters:  # unknown letters are ignored, as by the map and the facet index
        section_q = Q()
        for letter in letters:
            low, high = naf.division_bounds(letter)
            section_q |= Q(naf__gte=low, naf__lt=high)
        # Two digits first, as `naf.section_of` reads a code ("1." lies between "05" and "10").
        second = Substr("naf", 2, 1)
        qs = qs.filter(section_q, GreaterThanOrEqual(second, "0"), LessThanOrEqual(second, "9"))
    if filters.tranches:
        qs = qs.filter(tranche_effectifs__in=filters.tranches)
    if filters.active is not None:
        qs = qs.filter(active=filters.active)
    where = filters.establishment_filter()
    if where is not None:
        # IN (subquery) lets the planner start from the establishments' département index
        # (an EXISTS per organisation scans every organisation on SQLite).
        qs = qs.filter(
            id__in=Establishment.objects.filter(where, active=True).values("organisation_id")
        )
    return qs


def facet_counts(queryset: QuerySet[Organisation]) -> dict[str, list[dict[str, Any]]]:
    """Counts per actor type, ESS family, NAF section and headcount band, in one GROUP BY
    over the four columns, added up per facet in Python."""
    groups = (
        queryset.order_by()
        .values_list("actor_type", "ess_family", Substr("naf", 1, 2), "tranche_effectifs")
        .annotate(n=Count("id"))
    )
    counts: dict[str, Counter[str]] = {key: Counter() for key in FACET_KEYS}
    for actor_type, family, division, band, n in groups:
        counts["actor_type"][actor_type] += n
        if family:
            counts["ess_family"][family] += n
        letter = naf.section_of(division)
        if letter:
            counts["naf_section"][letter] += n
        if band:
            counts["tranche_effectifs"][band] += n
    return facet_lists(counts)


def facets(filters: DirectoryFilters, user: Any) -> dict[str, list[dict[str, Any]]]:
    """The facet counts of the organisations `user` may see that pass `filters`: from the
    in-memory `facet_index` when it can evaluate the filters (no NAF code prefix or
    perimeter: the broad searches, slow in SQL), else `facet_counts` of the search."""
    from ptce.actors import facet_index  # it imports this module

    if facet_index.FacetIndex.handles(filters):
        counted = facet_index.get().counts(filters, user)
        if counted is not None:
            return facet_lists(counted)
    return facet_counts(search(filters, visible(user)))


class Results:
    """The organisations `user` may see that pass `filters`, in (name, id) order, for a
    paginator: `count()` and slices of organisations. From the in-memory `facet_index` when
    it can evaluate the filters (a broad name: thousands of hits that SQL would visit twice,
    to count them and to sort them), else from SQL. `decorate` adds to the queryset of the
    rows shown (annotations, prefetches)."""

    def __init__(
        self,
        filters: DirectoryFilters,
        user: Any,
        decorate: Callable[[QuerySet[Organisation]], QuerySet[Organisation]] = lambda qs: qs,
    ) -> None:
        from ptce.actors import facet_index  # it imports this module

        self.filters, self.user, self.decorate = filters, user, decorate
        self._index = facet_index.get() if facet_index.FacetIndex.handles(filters) else None
        self._count: int | None = None

    def _sql(self) -> QuerySet[Organisation]:
        return search(self.filters, visible(self.user)).order_by("name", "id")

    def count(self) -> int:
        if self._count is None:
            if self._index is not None:
                found = self._index.page(self.filters, self.user, 0, 0)
                assert found is not None
                self._count = found[0]
            else:
                self._count = self._sql().count()
        return self._count

    def __getitem__(self, window: slice) -> list[Organisation]:
        start, stop = window.start or 0, window.stop
        if stop is None or window.step not in (None, 1):
            raise TypeError("Results take a slice [start:stop].")
        if self._index is None:
            return list(self.decorate(self._sql())[start:stop])
        found = self._index.page(self.filters, self.user, start, max(stop - start, 0))
        assert found is not None
        self._count, ids = found
        rows = self.decorate(Organisation.objects.filter(pk__in=ids)).order_by().in_bulk()
        return [rows[pk] for pk in ids if pk in rows]


def visible(user: Any) -> QuerySet[Organisation]:
    """The organisations `user` may see, as a queryset safe to count and group by
    (`visible_to` with DISTINCT, which a GROUP BY does not see through, filters by id)."""
    qs = Organisation.objects.visible_to(user)
    if qs.query.distinct:
        qs = Organisation.objects.filter(pk__in=qs.values("pk"))
    return qs


FACET_KEYS = ("actor_type", "ess_family", "naf_section", "tranche_effectifs")


def facet_lists(counts: dict[str, Counter[str]]) -> dict[str, list[dict[str, Any]]]:
    """Counts per facet as the API and the pages show them: value, label, count, in the
    order of the choices, values without organisations left out."""
    types, families = counts["actor_type"], counts["ess_family"]
    sections, bands = counts["naf_section"], counts["tranche_effectifs"]
    return {
        "actor_type": [
            {"value": v, "label": str(label), "count": types[v]}
            for v, label in ActorType.choices
            if types[v]
        ],
        "ess_family": [
            {"value": v, "label": str(label), "count": families[v]}
            for v, label in EssFamily.choices
            if families[v]
        ],
        "naf_section": [
            {"value": letter, "label": gettext(naf.SECTIONS[letter][2]), "count": sections[letter]}
            for letter in sorted(sections)
        ],
        "tranche_effectifs": [
            {"value": code, "label": str(label), "count": bands[code]}
            for code, label in HEADCOUNT_BANDS.items()
            if bands[code]
        ],
    }
