"""Proposals of the synergy engine: `Reason` (a code and its figures), `Proposal`, the
French messages of the reasons and the deterministic ranking. Pure module (no Django).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final, NamedTuple

from ptce.cooperation.reference import ProposalKind
from ptce.core.text import gettext_noop

ParamValue = str | int | float


class Reason(NamedTuple):
    """Why a proposal is made: a code of `REASON_MESSAGES` and the figures its message
    needs (as `ptce.actors.classification` does). Treat `params` as read-only."""

    code: str
    params: dict[str, ParamValue]

    @classmethod
    def of(cls, code: str, **params: ParamValue) -> Reason:
        return cls(code, params)

    @property
    def message(self) -> str:
        """The French sentence (the app wraps the template with gettext)."""
        return REASON_MESSAGES[self.code] % self.params


@dataclass(frozen=True, slots=True)
class Proposal:
    """A proposed exchange, pool or prospect.

    `item_ids` are sorted, except for an exchange: (need, offer). For exchanges and pools,
    `organisations` are those of `item_ids`, position by position; for a prospect, the
    candidate organisation comes first, then the organisations of `item_ids`.
    """

    kind: ProposalKind
    item_ids: tuple[int, ...]
    organisations: tuple[int, ...]
    score: float
    reasons: tuple[Reason, ...]
    saving_cents: int | None = None


REASON_MESSAGES: Final[dict[str, str]] = {
    "distance": gettext_noop(
        "À %(km)s km, dans la limite de %(limit_km)s km que s'est fixée chaque partie "
        "(proximité %(score_pct)s %%)."
    ),
    "distance_unlimited": gettext_noop(
        "À %(km)s km ; aucune distance maximale n'est déclarée (proximité %(score_pct)s %%)."
    ),
    "quantity_fit": gettext_noop(
        "Quantités comparables : %(need)s %(unit)s%(per)s demandés, %(offer)s %(unit)s%(per)s "
        "proposés (rapport %(ratio_pct)s %%)."
    ),
    "quantity_unknown": gettext_noop(
        "Quantité non précisée d'un côté au moins (score neutre de %(score_pct)s %%)."
    ),
    "period_overlap": gettext_noop(
        "%(overlap_days)s jours en commun, soit %(share_pct)s %% de la période du besoin."
    ),
    "period_open": gettext_noop(
        "Périodes compatibles, sans date de début ou de fin commune "
        "(%(share_pct)s %% de la période du besoin)."
    ),
    "price": gettext_noop(
        "Prix : le besoin est prêt à payer %(need_label)s, l'offre est proposée "
        "%(offer_label)s (compatibilité %(score_pct)s %%)."
    ),
    "pool_members": gettext_noop(
        "%(count)s organisations distinctes ont ce besoin (taille du groupe %(score_pct)s %%)."
    ),
    "pool_distance": gettext_noop(
        "Toutes à moins de %(radius_km)s km du besoin central : au plus %(max_km)s km, "
        "%(mean_km)s km en moyenne (proximité %(score_pct)s %%)."
    ),
    "pool_period": gettext_noop(
        "Périodes partagées avec le besoin central : en moyenne %(share_pct)s %% de la plus "
        "courte des deux."
    ),
    "pool_quantity": gettext_noop(
        "Besoins de %(min)s à %(max)s %(unit)s%(per)s, %(total)s %(unit)s%(per)s au total "
        "(rapport %(ratio_pct)s %%)."
    ),
    "saving": gettext_noop(
        "Économie estimée : %(euros)s € par an, %(rate_pct)s %% des coûts annuels déclarés "
        "par %(known)s des %(count)s organisations."
    ),
    "saving_unknown": gettext_noop(
        "Économie non estimée : aucune des %(count)s organisations n'a déclaré son coût annuel."
    ),
    "prospect_activity": gettext_noop(
        "Activité principale %(naf)s, rattachée à l'entrée « %(entry)s » (%(level)s) de la "
        "table des activités (précision %(score_pct)s %%)."
    ),
    "prospect_offers": gettext_noop(
        "Son activité offre habituellement « %(label)s », que demandent %(count)s besoin(s) "
        "de membres à sa portée."
    ),
    "prospect_needs": gettext_noop(
        "Son activité a habituellement besoin de « %(label)s », que proposent %(count)s "
        "offre(s) de membres à sa portée."
    ),
    "prospect_reach": gettext_noop(
        "%(count)s déclaration(s) de membres la concernent à leur distance maximale "
        "(étendue %(score_pct)s %%)."
    ),
}


def rank_key(proposal: Proposal) -> tuple[float, tuple[int, ...], tuple[int, ...], str]:
    return (-proposal.score, proposal.item_ids, proposal.organisations, proposal.kind)


def rank(proposals: Sequence[Proposal]) -> list[Proposal]:
    """Highest score first; then by item ids, organisations and kind (a total order)."""
    return sorted(proposals, key=rank_key)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while proposals are built: they are hundreds of
    thousands of small tuples, none in a cycle, and each collection would walk them all
    again (it made the build four times slower). Restored on exit, even on error."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
