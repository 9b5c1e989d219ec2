"""Indicators of a campaign (or of every campaign of a hub): pure, vectorised with numpy.

A ticket is what one subscription counts for (its allotment once settled, else its amount),
in integer cents. Investors are counted once per `investor` key (a person who subscribed
twice is one investor with one ticket, the sum of theirs). Local means living in a commune of
the hub's perimeter. Shares are fractions in [0, 1] (display only, never money).

`Figures.communes` holds the exact figures per commune, for the hub's coordination only. What
is published (public campaign page, its map, the public API) goes through `disclose`, a
statistical-disclosure rule in the manner of INSEE's secret statistique:

- a commune's investors and amount are shown only when it has at least
  `DISCLOSURE_THRESHOLD` investors;
- the other communes are merged into "other communes" buckets: one per département whose
  hidden communes together have at least the threshold, the rest (and investors whose commune
  is unknown or erased) in one national bucket; if that national remainder would be below the
  threshold, every hidden commune goes into the single national bucket instead;
- if the national bucket is still below the threshold (for example one commune with a single
  investor, all the others shown), the smallest shown communes are merged into it until it
  reaches the threshold, so it cannot be subtracted back from the campaign total;
- shown communes plus buckets add up to the campaign's total investors and amount.

When the whole campaign has fewer investors than the threshold, there is one national bucket
equal to the campaign's total (which is published anyway) and no commune is shown.

The campaign-wide figures go through `publishable` (same rule, same threshold):

- the amount raised and the number of investors are always published (the progress bar);
- the median ticket is published only from `DISCLOSURE_THRESHOLD` investors: below, it is
  one or two persons' ticket;
- the smallest and largest tickets are never published: each is one person's amount, whatever
  the number of investors (the campaign's *rules*, minimum and maximum ticket allowed, are
  not figures about people and stay public);
- the local figures (local amount, local investors and both local shares) are published only
  when the campaign counts at least the threshold and neither the local investors nor the
  others (total minus local) number 1 to threshold - 1; and, since the shown communes carry
  their locality, the local (respectively non-local) investors outside the shown communes
  must also be none or at least the threshold, so that "local total minus shown local
  communes" cannot single out a hidden commune's one or two investors.

A withheld figure is `None` with a reason code in `PublicFigures.withheld` (`WITHHELD`
gives the sentence to show in its place).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ptce.core.text import Message, gettext_noop

__all__ = [
    "DISCLOSURE_THRESHOLD",
    "FEW_INVESTORS",
    "LOCAL_FIELDS",
    "SMALL_LOCAL_GROUP",
    "WITHHELD",
    "CommuneFigure",
    "Disclosed",
    "Figures",
    "OtherCommunes",
    "PublicFigures",
    "Ticket",
    "by_commune",
    "departement_of",
    "disclose",
    "figures",
    "local_part",
    "publishable",
]

DISCLOSURE_THRESHOLD = 3
"""The fewest investors a published cell (a commune, a bucket of other communes) may count."""


@dataclass(frozen=True)
class Ticket:
    investor: str  # a stable key of the investor (pseudonymised id)
    amount_cents: int
    is_local: bool
    commune: str = ""  # code INSEE, "" when unknown


@dataclass(frozen=True)
class CommuneFigure:
    commune: str
    investors: int
    amount_cents: int
    is_local: bool
    local_investors: int = 0  # of `investors`, those living in the perimeter (internal)


@dataclass(frozen=True)
class OtherCommunes:
    """Communes merged so that none of them discloses fewer investors than the threshold."""

    departement: str  # code of the département, "" for the national bucket
    investors: int
    amount_cents: int
    is_local: bool  # at least one merged commune is in the hub's perimeter
    communes: tuple[str, ...] = ()  # the merged codes: internal, never to be published


@dataclass(frozen=True)
class Disclosed:
    """What may be published per commune: the communes shown and the buckets of the others."""

    shown: list[CommuneFigure]
    others: list[OtherCommunes]
    threshold: int = DISCLOSURE_THRESHOLD


@dataclass(frozen=True)
class Figures:
    raised_cents: int = 0
    investors: int = 0
    local_cents: int = 0
    local_investors: int = 0
    median_ticket_cents: int = 0
    communes: list[CommuneFigure] = field(default_factory=list)

    @property
    def local_share_amount(self) -> float:
        return self.local_cents / self.raised_cents if self.raised_cents else 0.0

    @property
    def local_share_investors(self) -> float:
        return self.local_investors / self.investors if self.investors else 0.0


def _per_investor(tickets: Sequence[Ticket]) -> tuple[list[str], np.ndarray, np.ndarray, list[str]]:
    """Merge tickets by investor: keys, amounts, locality, commune (first seen)."""
    index: dict[str, int] = {}
    amounts: list[int] = []
    local: list[bool] = []
    communes: list[str] = []
    for t in tickets:
        if t.amount_cents <= 0:
            continue
        i = index.get(t.investor)
        if i is None:
            index[t.investor] = len(amounts)
            amounts.append(t.amount_cents)
            local.append(t.is_local)
            communes.append(t.commune)
        else:
            amounts[i] += t.amount_cents
    return (
        list(index),
        np.asarray(amounts, dtype=np.int64),
        np.asarray(local, dtype=bool),
        communes,
    )


def median_cents(amounts: np.ndarray) -> int:
    """The median ticket, in whole cents (even count: mean of the two middle, rounded down)."""
    if amounts.size == 0:
        return 0
    ordered = np.sort(amounts)
    mid = ordered.size // 2
    if ordered.size % 2:
        return int(ordered[mid])
    return int((int(ordered[mid - 1]) + int(ordered[mid])) // 2)


def by_commune(tickets: Iterable[Ticket]) -> list[CommuneFigure]:
    """Investors and amount per commune (for the map), largest amount first."""
    _keys, amounts, local, communes = _per_investor(list(tickets))
    if amounts.size == 0:
        return []
    codes, inverse = np.unique(np.asarray(communes, dtype=str), return_inverse=True)
    sums = np.zeros(codes.size, dtype=np.int64)
    np.add.at(sums, inverse, amounts)  # exact integer sums, no float
    counts = np.bincount(inverse, minlength=codes.size)
    any_local = np.bincount(inverse, weights=local.astype(np.float64), minlength=codes.size)
    rows = [
        CommuneFigure(
            commune=str(code),
            investors=int(counts[i]),
            amount_cents=int(sums[i]),
            is_local=bool(any_local[i] > 0),
            local_investors=int(any_local[i]),
        )
        for i, code in enumerate(codes)
        if str(code)
    ]
    rows.sort(key=lambda r: (-r.amount_cents, r.commune))
    return rows


def departement_of(code: str) -> str:
    """The département of a code INSEE: its first two characters (2A, 2B included), three
    overseas (97x); "" for an unknown commune."""
    if len(code) != 5:
        return ""
    return code[:3] if code.startswith("97") else code[:2]


def _bucket(departement: str, cells: Sequence[CommuneFigure]) -> OtherCommunes:
    return OtherCommunes(
        departement=departement,
        investors=sum(c.investors for c in cells),
        amount_cents=sum(c.amount_cents for c in cells),
        is_local=any(c.is_local for c in cells),
        communes=tuple(sorted(c.commune for c in cells)),
    )


def _smallest_first(cell: CommuneFigure) -> tuple[int, int, str]:
    return (cell.investors, cell.amount_cents, cell.commune)


def disclose(
    communes: Iterable[CommuneFigure],
    *,
    threshold: int = DISCLOSURE_THRESHOLD,
    departements: Mapping[str, str] | None = None,
) -> Disclosed:
    """The per-commune figures that may be published (see the module's docstring).

    `departements` maps a code INSEE to its département (from the territorial reference); a
    commune missing from it counts as unknown. Without it, the département is read from the
    code. Every published cell counts at least `threshold` investors, unless the campaign
    itself counts fewer (then the one national bucket is the campaign's total).
    """
    threshold = max(threshold, 1)

    def dep(code: str) -> str:
        if not code:
            return ""
        return departement_of(code) if departements is None else departements.get(code, "")

    cells = [c for c in communes if c.investors > 0]
    unknown = [c for c in cells if not dep(c.commune)]
    known = [c for c in cells if dep(c.commune)]
    shown = [c for c in known if c.investors >= threshold]
    hidden = [c for c in known if c.investors < threshold]
    groups: dict[str, list[CommuneFigure]] = defaultdict(list)
    for c in hidden:
        groups[dep(c.commune)].append(c)
    by_dep = {d: g for d, g in groups.items() if sum(c.investors for c in g) >= threshold}
    rest = unknown + [c for d, g in groups.items() if d not in by_dep for c in g]
    if rest and sum(c.investors for c in rest) < threshold:
        # The remainder alone could be subtracted back to one or two persons.
        rest, by_dep = unknown + hidden, {}
        shown.sort(key=_smallest_first)
        while shown and sum(c.investors for c in rest) < threshold:
            rest.append(shown.pop(0))  # complementary secret: the next smallest commune
    shown.sort(key=lambda r: (-r.amount_cents, r.commune))
    others = [_bucket(d, by_dep[d]) for d in sorted(by_dep)]
    if rest:
        others.append(_bucket("", rest))
    return Disclosed(shown=shown, others=others, threshold=threshold)


def figures(tickets: Iterable[Ticket]) -> Figures:
    """Amount raised, investors, local share of both, median ticket, per-commune figures."""
    listed = list(tickets)
    _keys, amounts, local, _communes = _per_investor(listed)
    if amounts.size == 0:
        return Figures()
    return Figures(
        raised_cents=int(amounts.sum()),
        investors=int(amounts.size),
        local_cents=int(amounts[local].sum()),
        local_investors=int(local.sum()),
        median_ticket_cents=median_cents(amounts),
        communes=by_commune(listed),
    )


def local_part(local_cents: int, total_cents: int) -> float:
    """The part of a project's total financed by local investors, in [0, 1]."""
    if total_cents <= 0:
        return 0.0
    return min(max(local_cents, 0) / total_cents, 1.0)


FEW_INVESTORS = "few_investors"
"""Reason code: the campaign counts fewer investors than the threshold."""
SMALL_LOCAL_GROUP = "small_local_group"
"""Reason code: the local or the non-local investors (or those of them outside the shown
communes) number 1 to threshold - 1."""

WITHHELD: dict[str, str] = {
    FEW_INVESTORS: gettext_noop("non publié (moins de %(n)s souscripteurs)"),
    SMALL_LOCAL_GROUP: gettext_noop(
        "non publié (moins de %(n)s souscripteurs du territoire ou d’ailleurs)"
    ),
}
"""The sentence shown in place of a withheld figure, per reason code (`n`: the threshold)."""


@dataclass(frozen=True)
class PublicFigures:
    """The campaign-wide figures that may be published; `None` when withheld, with the
    reason code per withheld field in `withheld` (see the module's docstring)."""

    raised_cents: int
    investors: int
    local_cents: int | None
    local_investors: int | None
    local_share_amount: float | None
    local_share_investors: float | None
    median_ticket_cents: int | None
    withheld: dict[str, str] = field(default_factory=dict)
    threshold: int = DISCLOSURE_THRESHOLD

    def reason(self, name: str) -> Message | None:
        """Why the figure `name` is withheld, as a sentence; None when it is published."""
        code = self.withheld.get(name)
        if code is None:
            return None
        return Message(WITHHELD[code], {"n": self.threshold})


LOCAL_FIELDS = ("local_cents", "local_investors", "local_share_amount", "local_share_investors")


def _small(count: int, threshold: int) -> bool:
    return 0 < count < threshold


def publishable(
    fig: Figures, disclosed: Disclosed | None = None, *, threshold: int | None = None
) -> PublicFigures:
    """What of `fig` may be published (see the module's docstring). `disclosed` is what is
    published per commune (`disclose`), computed from `fig.communes` when not given."""
    if disclosed is None:
        disclosed = disclose(fig.communes, threshold=threshold or DISCLOSURE_THRESHOLD)
    k = max(threshold if threshold is not None else disclosed.threshold, 1)
    withheld: dict[str, str] = {}
    if fig.investors < k:
        withheld["median_ticket_cents"] = FEW_INVESTORS
        withheld.update(dict.fromkeys(LOCAL_FIELDS, FEW_INVESTORS))
    else:
        others = fig.investors - fig.local_investors
        shown_local = sum(c.local_investors for c in disclosed.shown)
        shown_other = sum(c.investors - c.local_investors for c in disclosed.shown)
        if (
            _small(fig.local_investors, k)
            or _small(others, k)
            or _small(fig.local_investors - shown_local, k)
            or _small(others - shown_other, k)
        ):
            withheld.update(dict.fromkeys(LOCAL_FIELDS, SMALL_LOCAL_GROUP))
    local = "local_cents" not in withheld
    return PublicFigures(
        raised_cents=fig.raised_cents,
        investors=fig.investors,
        local_cents=fig.local_cents if local else None,
        local_investors=fig.local_investors if local else None,
        local_share_amount=fig.local_share_amount if local else None,
        local_share_investors=fig.local_share_investors if local else None,
        median_ticket_cents=(
            fig.median_ticket_cents if "median_ticket_cents" not in withheld else None
        ),
        withheld=withheld,
        threshold=k,
    )
