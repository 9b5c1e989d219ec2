"""Eligibility of a hub (PTCE): the State's conditions and the Labo de l'ESS checklist.

Pure module (no Django import). `evaluate` takes what the platform knows about a hub (its
carrier's legal form, its current members, three declarations) and returns every condition
with a status (`met`, `not_met`, `unknown`) and a sentence that says why (a translatable
`ptce.core.text.Message`, French source; `Condition.message` is the French text), with the
figures, and what would meet the condition. Unknown facts give `unknown`, never a guess.

Décret n° 2015-431 du 15 avril 2015 (checklist `decret_2015_431`), in this order:

1. `decret_private_law_person`: the hub is a private-law legal person. A declared
   association (loi 1901), a SCIC (SA, SARL or SAS), a SCOP, a GIE or an SAS are; an
   informal grouping ("none") is not and must create a legal structure; for "other" the
   explicit answer `carrier_private_law` decides.
2. `decret_three_legal_persons`: three legal persons or more among the members. A natural
   person (`actor_type == "person"`, whatever `legal_person` says) and an informal group
   never count; `legal_person is None` may count, which makes the condition `unknown`
   when the certain ones are fewer than three but the uncertain ones could make three.
3. `decret_ess_enterprise`: at least one ESS enterprise (art. 1 of the law of 31 July
   2014) among those legal persons.
4. `decret_enterprise_outside_ess`: at least one enterprise whose statutes are outside the
   ESS, or a grouping of enterprises most of whose members are outside the ESS, among
   those legal persons.
5. `decret_article9_other`: at least one other person named in article 9 of the law,
   among those legal persons.
6. `decret_distinct_members`: the three roles of 3-5 are held by three distinct members.

Decisions where the texts leave room (and why):

* Roles 3-5 must be held by legal persons: the décret reads "constitué de trois personnes
  morales ou plus, dont au moins : une entreprise de l'ESS [...], une entreprise [...] hors
  ESS [...] et une autre personne mentionnée à l'article 9". So a sole trader (an
  enterprise but a natural person), a citizen or an association that was never declared
  (no legal personality) fills no role; a member whose legal personality is unknown makes
  a role `unknown` rather than `met`.
* "Dont au moins une ..., une ..., une autre" asks for three different members, so one
  member cannot fill two roles. This matters for members that fit two roles: a business
  club that is an association (an ESS enterprise by law) but whose members are mostly
  outside the ESS (`outside_ess_grouping`), or a training body or research centre that is
  an ESS enterprise (`ess=True`). Conditions 3-5 say whether each role has a candidate;
  condition 6 says whether the roles can be given to distinct members (Hall's condition
  on the three roles, checked on the certain candidates for `met`, on the possible ones
  for `not_met`).
* ESS status of a member: `actor_type == "ess"` is ESS whatever `ess` says; a local
  authority, another public body or a natural person never is (public-law persons and
  natural persons are not ESS enterprises); an enterprise, research centre or training
  body is ESS only when `ess is True` (an ESS company typed "enterprise" is then an ESS
  enterprise, not one outside the ESS); for "other", `ess` decides and None is unknown.
* Enterprise outside the ESS: `actor_type == "enterprise"` without `ess=True`, or any
  member with `outside_ess_grouping` (a grouping most of whose members are outside the
  ESS, whatever its own form: the décret counts it in that role).
* "Other person named in article 9": article 9 names "collectivités territoriales et leurs
  groupements, centres de recherche, établissements d'enseignement supérieur et de
  recherche, organismes de formation ou toute autre personne physique ou morale". Read
  literally, the last words would admit any third legal person and make the condition
  void; the platform takes the prudent reading of the State's calls and counts the named
  categories plus other public bodies: actor types `local_authority`, `research`,
  `training` and `public_body`. A hub the platform calls eligible is so under both
  readings; the message says which types count.
* Not checked here (they are not facts of the member list): the innovative project on a
  defined territory, and that the hub was not already supported by a previous call.

Labo de l'ESS criteria (checklist `labo_ess`, softer, also in this order):

7. `labo_five_organisations`: at least five member organisations ("5 à 10 organisations
   au moins"); an organisation is any member that is not a natural person, with or
   without legal personality.
8. `labo_diverse_types`: "de types différents", read as at least three distinct actor
   types among those organisations (natural persons excluded: they are no organisation).
9. `labo_common_strategy`, 10. `labo_long_term`, 11. `labo_pooling`: the declarations
   `common_strategy_formalised`, `long_term_commitment`, `pooled_resources` (None is
   `unknown`, with what to declare).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Final

from ptce.actors.classification import ACTOR_TYPES
from ptce.core.text import Message, _, gettext_noop, joined, label, ngettext

__all__ = [
    "ACTOR_TYPE_LABELS",
    "ARTICLE9_TYPES",
    "CARRIER_LEGAL_FORMS",
    "CHECKLISTS",
    "CONDITION_CODES",
    "DECRET",
    "LABO",
    "MET",
    "NOT_MET",
    "PRIVATE_LAW_FORMS",
    "STATUSES",
    "UNKNOWN",
    "Condition",
    "HubFacts",
    "MemberFacts",
    "decret_eligible",
    "evaluate",
]

DECRET: Final = "decret_2015_431"
LABO: Final = "labo_ess"
CHECKLISTS: Final = (DECRET, LABO)

MET: Final = "met"
NOT_MET: Final = "not_met"
UNKNOWN: Final = "unknown"
STATUSES: Final = (MET, NOT_MET, UNKNOWN)

CONDITION_CODES: Final = (
    "decret_private_law_person",
    "decret_three_legal_persons",
    "decret_ess_enterprise",
    "decret_enterprise_outside_ess",
    "decret_article9_other",
    "decret_distinct_members",
    "labo_five_organisations",
    "labo_diverse_types",
    "labo_common_strategy",
    "labo_long_term",
    "labo_pooling",
)

# The carrier's legal form -> how a message names it (French, marked for translation).
CARRIER_LEGAL_FORMS: Final[dict[str, str]] = {
    "association": gettext_noop("association déclarée (loi 1901)"),
    "scic_sa": gettext_noop("SCIC sous forme de SA"),
    "scic_sarl": gettext_noop("SCIC sous forme de SARL"),
    "scic_sas": gettext_noop("SCIC sous forme de SAS"),
    "scop": "SCOP",
    "gie": "GIE",
    "sas": "SAS",
    "other": gettext_noop("autre forme"),
    "none": gettext_noop("aucune (groupement informel)"),
}
PRIVATE_LAW_FORMS: Final = frozenset(
    {"association", "scic_sa", "scic_sarl", "scic_sas", "scop", "gie", "sas"}
)

ACTOR_TYPE_LABELS: Final[dict[str, str]] = {
    "ess": gettext_noop("entreprise de l'ESS"),
    "enterprise": gettext_noop("autre entreprise"),
    "local_authority": gettext_noop("collectivité ou groupement"),
    "research": gettext_noop("recherche ou enseignement supérieur"),
    "training": gettext_noop("organisme de formation"),
    "public_body": gettext_noop("autre organisme public"),
    "person": gettext_noop("personne physique"),
    "other": gettext_noop("autre"),
}

# Actor types that count as "another person named in article 9" (see the docstring).
ARTICLE9_TYPES: Final = frozenset({"local_authority", "research", "training", "public_body"})
_NEVER_ESS: Final = frozenset({"local_authority", "public_body", "person"})
_ARTICLE9_TEXT: Final = gettext_noop(
    "collectivité territoriale ou groupement, centre de recherche, établissement "
    "d'enseignement supérieur et de recherche, organisme de formation ou autre organisme "
    "public"
)

_MIN_LEGAL_PERSONS: Final = 3
_MIN_ORGANISATIONS: Final = 5
_MIN_TYPES: Final = 3


@dataclass(frozen=True)
class MemberFacts:
    """A current member, as eligibility sees it."""

    actor_type: str  # a value of ACTOR_TYPES
    legal_person: bool | None  # has legal personality (SIREN or declared); None unknown
    ess: bool | None = None  # ESS status where the actor type leaves it open (see above)
    outside_ess_grouping: bool = False  # a grouping most of whose members are outside the ESS


@dataclass(frozen=True)
class HubFacts:
    carrier_legal_form: str | None  # a key of CARRIER_LEGAL_FORMS; None unknown
    carrier_private_law: bool | None  # the answer when the form is "other"; None unknown
    members: Sequence[MemberFacts]  # current members only
    common_strategy_formalised: bool | None  # a charter or strategy document exists
    long_term_commitment: bool | None  # e.g. a multi-year agreement
    pooled_resources: bool | None  # pooled resources or joint investment exist


@dataclass(frozen=True)
class Condition:
    code: str  # one of CONDITION_CODES
    checklist: str  # DECRET or LABO
    status: str  # MET, NOT_MET or UNKNOWN
    text: Message | str  # why, with the figures, and what would meet it (translatable)

    @property
    def message(self) -> str:
        """The French sentence (`ptce.core.i18n.translate(condition.text)` for the reader's
        language)."""
        return str(self.text)


def _status(certain: bool, possible: bool) -> str:
    if certain:
        return MET
    return UNKNOWN if possible else NOT_MET


# ------------------------------------------------------------------------------ carrier


def _carrier(facts: HubFacts) -> Condition:
    code = "decret_private_law_person"
    form = facts.carrier_legal_form
    text: Message
    if form is None:
        status = UNKNOWN
        text = _(
            "Forme juridique de la structure porteuse non renseignée : indiquez-la ; le décret "
            "exige que le pôle soit une personne morale de droit privé (association déclarée, "
            "SCIC, SCOP, GIE, SAS…)."
        )
    elif form in PRIVATE_LAW_FORMS:
        status = MET
        text = _(
            "Structure porteuse : %(form)s, personne morale de droit privé.",
            form=label(CARRIER_LEGAL_FORMS[form]),
        )
    elif form == "none":
        status = NOT_MET
        text = _(
            "Le pôle n'a pas de structure juridique (groupement informel) ; le décret exige "
            "que le pôle soit une personne morale de droit privé : créez une structure "
            "porteuse (association déclarée, SCIC, SCOP, GIE, SAS…)."
        )
    elif facts.carrier_private_law is True:
        status = MET
        text = _("Structure porteuse d'une autre forme, déclarée personne morale de droit privé.")
    elif facts.carrier_private_law is False:
        status = NOT_MET
        text = _(
            "La structure porteuse n'est pas une personne morale de droit privé ; le décret "
            "exige que le pôle soit une personne morale de droit privé : confiez le portage "
            "à une telle structure (association déclarée, SCIC, SCOP, GIE, SAS…)."
        )
    else:
        status = UNKNOWN
        text = _(
            "Structure porteuse d'une autre forme : indiquez s'il s'agit d'une personne "
            "morale de droit privé ; le décret exige que le pôle soit une personne morale de "
            "droit privé."
        )
    return Condition(code, DECRET, status, text)


# ------------------------------------------------------------------------ legal persons


def _legal(member: MemberFacts) -> bool | None:
    """Legal personality; a natural person never has one."""
    return False if member.actor_type == "person" else member.legal_person


def _three_legal_persons(members: Sequence[MemberFacts]) -> Condition:
    code = "decret_three_legal_persons"
    legal = [_legal(m) for m in members]
    certain = legal.count(True)
    unsure = legal.count(None)
    found = ngettext(
        "%(count)s personne morale parmi les membres",
        "%(count)s personnes morales parmi les membres",
        certain,
    )
    if certain >= _MIN_LEGAL_PERSONS:
        return Condition(code, DECRET, MET, _("%(found)s (au moins 3 requises).", found=found))
    if certain + unsure >= _MIN_LEGAL_PERSONS:
        return Condition(
            code,
            DECRET,
            UNKNOWN,
            ngettext(
                "%(found)s, et %(count)s membre dont la personnalité morale n'est pas "
                "renseignée ; il en faut au moins 3 : indiquez pour ce membre s'il s'agit "
                "d'une personne morale (SIREN ou statuts déclarés).",
                "%(found)s, et %(count)s membres dont la personnalité morale n'est pas "
                "renseignée ; il en faut au moins 3 : indiquez pour ces membres s'il s'agit "
                "d'une personne morale (SIREN ou statuts déclarés).",
                unsure,
                found=found,
            ),
        )
    missing = _MIN_LEGAL_PERSONS - certain
    return Condition(
        code,
        DECRET,
        NOT_MET,
        ngettext(
            "%(found)s ; il en faut au moins 3. Ajoutez %(count)s personne morale (les "
            "personnes physiques et les groupements sans personnalité morale ne comptent pas).",
            "%(found)s ; il en faut au moins 3. Ajoutez %(count)s personnes morales (les "
            "personnes physiques et les groupements sans personnalité morale ne comptent pas).",
            missing,
            found=found,
        ),
    )


# -------------------------------------------------------------------------------- roles

_ESS_ROLE: Final = "ess"
_OUTSIDE_ROLE: Final = "outside"
_ARTICLE9_ROLE: Final = "article9"
_ROLES: Final = (_ESS_ROLE, _OUTSIDE_ROLE, _ARTICLE9_ROLE)
_ROLE_LABELS: Final[dict[str, str]] = {
    _ESS_ROLE: gettext_noop("entreprise de l'ESS"),
    _OUTSIDE_ROLE: gettext_noop("entreprise hors ESS"),
    _ARTICLE9_ROLE: gettext_noop("autre personne de l'article 9"),
}


def _and(a: bool | None, b: bool | None) -> bool | None:
    """Three-valued (Kleene) conjunction."""
    if a is False or b is False:
        return False
    if a is True and b is True:
        return True
    return None


def _ess_status(member: MemberFacts) -> bool | None:
    if member.actor_type == "ess":
        return True
    if member.actor_type in _NEVER_ESS:
        return False
    if member.actor_type == "other":
        return member.ess
    return member.ess is True  # enterprise, research, training


def _fits(member: MemberFacts, role: str) -> bool | None:
    """Whether the member's type fits the role, legal personality aside."""
    if role == _ESS_ROLE:
        return _ess_status(member)
    if role == _OUTSIDE_ROLE:
        return member.outside_ess_grouping or (
            member.actor_type == "enterprise" and member.ess is not True
        )
    return member.actor_type in ARTICLE9_TYPES


@dataclass(frozen=True)
class _Candidates:
    """Members (by position) that certainly or possibly hold a role, and those that fit
    it by type but are certainly not legal persons."""

    certain: frozenset[int]
    possible: frozenset[int]  # certain ones included
    without_personality: int


def _candidates(members: Sequence[MemberFacts], role: str) -> _Candidates:
    certain: set[int] = set()
    possible: set[int] = set()
    without = 0
    for i, member in enumerate(members):
        fits = _fits(member, role)
        holds = _and(fits, _legal(member))
        if holds is True:
            certain.add(i)
        if holds is not False:
            possible.add(i)
        elif fits is True and _legal(member) is False:
            without += 1
    return _Candidates(frozenset(certain), frozenset(possible), without)


_NONE_FOUND: Final[dict[str, str]] = {
    _ESS_ROLE: gettext_noop("Aucune entreprise de l'ESS dotée de la personnalité morale"),
    _OUTSIDE_ROLE: gettext_noop("Aucune entreprise hors ESS dotée de la personnalité morale"),
    _ARTICLE9_ROLE: gettext_noop("Aucune autre personne morale de l'article 9"),
}
# What would meet the role.
_WANTED: Final[dict[str, str]] = {
    _ESS_ROLE: gettext_noop(
        "association déclarée, coopérative, mutuelle, fondation ou société commerciale de l'ESS"
    ),
    _OUTSIDE_ROLE: gettext_noop(
        "une entreprise dont les statuts ne relèvent pas de l'ESS (PME, grande entreprise…) "
        "ou un groupement d'entreprises dont la majorité des membres ne relève pas de l'ESS"
    ),
    _ARTICLE9_ROLE: _ARTICLE9_TEXT,
}
_ROLE_CODES: Final[dict[str, str]] = {
    _ESS_ROLE: "decret_ess_enterprise",
    _OUTSIDE_ROLE: "decret_enterprise_outside_ess",
    _ARTICLE9_ROLE: "decret_article9_other",
}


def _role_found(role: str, count: int) -> Message:
    if role == _ESS_ROLE:
        return ngettext(
            "%(count)s entreprise de l'ESS dotée de la personnalité morale parmi les membres "
            "(au moins 1 requise).",
            "%(count)s entreprises de l'ESS dotées de la personnalité morale parmi les "
            "membres (au moins 1 requise).",
            count,
        )
    if role == _OUTSIDE_ROLE:
        return ngettext(
            "%(count)s entreprise hors ESS (ou groupement majoritairement hors ESS) dotée de "
            "la personnalité morale parmi les membres (au moins 1 requise).",
            "%(count)s entreprises hors ESS (ou groupements majoritairement hors ESS) dotées "
            "de la personnalité morale parmi les membres (au moins 1 requise).",
            count,
        )
    return ngettext(
        "%(count)s autre personne morale de l'article 9 parmi les membres (au moins 1 requise).",
        "%(count)s autres personnes morales de l'article 9 parmi les membres (au moins 1 requise).",
        count,
    )


def _role_uncertain(role: str, count: int) -> Message:
    none_found = label(_NONE_FOUND[role])
    if role == _ESS_ROLE:
        return ngettext(
            "%(none_found)s n'est certaine parmi les membres ; %(count)s membre pourrait "
            "compter : indiquez sa personnalité morale (SIREN ou statuts) et son appartenance "
            "à l'ESS.",
            "%(none_found)s n'est certaine parmi les membres ; %(count)s membres pourraient "
            "compter : indiquez leur personnalité morale (SIREN ou statuts) et leur "
            "appartenance à l'ESS.",
            count,
            none_found=none_found,
        )
    return ngettext(
        "%(none_found)s n'est certaine parmi les membres ; %(count)s membre pourrait compter "
        ": indiquez sa personnalité morale (SIREN ou statuts).",
        "%(none_found)s n'est certaine parmi les membres ; %(count)s membres pourraient "
        "compter : indiquez leur personnalité morale (SIREN ou statuts).",
        count,
        none_found=none_found,
    )


def _without_personality(role: str, count: int) -> Message:
    if role == _ESS_ROLE:
        return ngettext(
            "(%(count)s membre de l'ESS sans personnalité morale ne compte pas.)",
            "(%(count)s membres de l'ESS sans personnalité morale ne comptent pas.)",
            count,
        )
    if role == _OUTSIDE_ROLE:
        return ngettext(
            "(%(count)s entreprise sans personnalité morale (entrepreneur individuel…) ne "
            "compte pas.)",
            "(%(count)s entreprises sans personnalité morale (entrepreneurs individuels…) ne "
            "comptent pas.)",
            count,
        )
    return ngettext(
        "(%(count)s organisme sans personnalité morale (laboratoire, service…) ne compte pas.)",
        "(%(count)s organismes sans personnalité morale (laboratoires, services…) ne "
        "comptent pas.)",
        count,
    )


def _role_condition(role: str, found: _Candidates) -> Condition:
    certain = len(found.certain)
    unsure = len(found.possible) - certain
    status = _status(certain > 0, unsure > 0)
    parts: list[Message] = []
    if status == MET:
        parts.append(_role_found(role, certain))
    elif status == UNKNOWN:
        parts.append(_role_uncertain(role, unsure))
    else:
        parts.append(
            _(
                "%(none_found)s parmi les membres ; il en faut au moins 1 : %(wanted)s.",
                none_found=label(_NONE_FOUND[role]),
                wanted=label(_WANTED[role]),
            )
        )
        if found.without_personality:
            parts.append(_without_personality(role, found.without_personality))
    if role == _ARTICLE9_ROLE:
        if status == NOT_MET:
            parts.append(
                _(
                    "L'article 9 cite aussi « toute autre personne physique ou morale », que la "
                    "plateforme ne retient pas (lecture prudente)."
                )
            )
        else:
            parts.append(
                _(
                    "Comptent ici : %(types)s ; l'article 9 cite aussi « toute autre personne "
                    "physique ou morale », que la plateforme ne retient pas (lecture prudente).",
                    types=label(_ARTICLE9_TEXT),
                )
            )
    text = parts[0] if len(parts) == 1 else joined(parts, " ")
    return Condition(_ROLE_CODES[role], DECRET, status, text)


def _hall_violation(sets: dict[str, frozenset[int]]) -> tuple[tuple[str, ...], int] | None:
    """The smallest group of roles whose candidates are fewer than the roles (Hall's
    condition), with the number of those candidates; None when the roles can be held by
    distinct members."""
    for size in range(1, len(_ROLES) + 1):
        for group in combinations(_ROLES, size):
            union: set[int] = set()
            for role in group:
                union |= sets[role]
            if len(union) < size:
                return group, len(union)
    return None


def _quoted(role: str) -> Message:
    return _("« %(role)s »", role=label(_ROLE_LABELS[role]))


def _and_list(roles: Sequence[str]) -> Message:
    """« a », « b » et « c »."""
    items = [_quoted(r) for r in roles]
    if len(items) == 1:
        return items[0]
    return _("%(first)s et %(last)s", first=joined(items[:-1]), last=items[-1])


def _or_list(roles: Sequence[str]) -> Message:
    """a ou b (ou c)."""
    items = [label(_ROLE_LABELS[r]) for r in roles]
    if len(items) == 1:
        return items[0]
    return _("%(first)s ou %(last)s", first=joined(items[:-1], " ou "), last=items[-1])


def _distinct(found: dict[str, _Candidates]) -> Condition:
    code = "decret_distinct_members"
    roles_text = joined([label(_ROLE_LABELS[r]) for r in _ROLES])
    if _hall_violation({r: c.certain for r, c in found.items()}) is None:
        return Condition(
            code,
            DECRET,
            MET,
            _(
                "Les trois rôles (%(roles)s) peuvent être tenus par trois personnes morales "
                "distinctes.",
                roles=roles_text,
            ),
        )
    violation = _hall_violation({r: c.possible for r, c in found.items()})
    if violation is None:
        return Condition(
            code,
            DECRET,
            UNKNOWN,
            _(
                "Les trois rôles (%(roles)s) ne peuvent être tenus par trois personnes morales "
                "distinctes qu'en comptant des membres dont la personnalité morale ou "
                "l'appartenance à l'ESS n'est pas renseignée : renseignez-les.",
                roles=roles_text,
            ),
        )
    group, holders = violation
    text: Message
    if holders == 0:
        (role,) = group
        text = _(
            "Aucun membre ne peut tenir le rôle « %(role)s » (voir la condition "
            "correspondante) : les trois rôles ne peuvent pas être tenus par trois personnes "
            "morales distinctes.",
            role=label(_ROLE_LABELS[role]),
        )
    elif len(group) == 2:
        text = ngettext(
            "Les rôles %(roles)s ne peuvent être tenus que par %(count)s membre à eux deux ; "
            "un même membre ne peut tenir deux rôles : ajoutez une personne morale pour l'un "
            "de ces rôles (%(either)s).",
            "Les rôles %(roles)s ne peuvent être tenus que par %(count)s membres à eux deux ; "
            "un même membre ne peut tenir deux rôles : ajoutez une personne morale pour l'un "
            "de ces rôles (%(either)s).",
            holders,
            roles=_and_list(group),
            either=_or_list(group),
        )
    else:
        text = ngettext(
            "Les rôles %(roles)s ne peuvent être tenus que par %(count)s membre à eux trois ; "
            "un même membre ne peut tenir deux rôles : ajoutez une personne morale pour l'un "
            "de ces rôles (%(either)s).",
            "Les rôles %(roles)s ne peuvent être tenus que par %(count)s membres à eux trois ; "
            "un même membre ne peut tenir deux rôles : ajoutez une personne morale pour l'un "
            "de ces rôles (%(either)s).",
            holders,
            roles=_and_list(group),
            either=_or_list(group),
        )
    return Condition(code, DECRET, NOT_MET, text)


# --------------------------------------------------------------------------------- labo


def _five_organisations(members: Sequence[MemberFacts]) -> Condition:
    code = "labo_five_organisations"
    count = sum(1 for m in members if m.actor_type != "person")
    if count >= _MIN_ORGANISATIONS:
        text = ngettext(
            "%(count)s organisation membre (au moins 5 selon les critères du Labo de l'ESS ; "
            "les personnes physiques ne comptent pas).",
            "%(count)s organisations membres (au moins 5 selon les critères du Labo de "
            "l'ESS ; les personnes physiques ne comptent pas).",
            count,
        )
        return Condition(code, LABO, MET, text)
    text = ngettext(
        "%(count)s organisation membre ; il en faut au moins 5 selon les critères du Labo de "
        "l'ESS : ajoutez-en %(missing)s (les personnes physiques ne comptent pas).",
        "%(count)s organisations membres ; il en faut au moins 5 selon les critères du Labo "
        "de l'ESS : ajoutez-en %(missing)s (les personnes physiques ne comptent pas).",
        count,
        missing=_MIN_ORGANISATIONS - count,
    )
    return Condition(code, LABO, NOT_MET, text)


def _diverse_types(members: Sequence[MemberFacts]) -> Condition:
    code = "labo_diverse_types"
    present = {m.actor_type for m in members if m.actor_type != "person"}
    ordered = [t for t in ACTOR_TYPES if t in present]
    if ordered:
        head = ngettext(
            "%(count)s type d'acteur distinct parmi les organisations membres (%(types)s)",
            "%(count)s types d'acteurs distincts parmi les organisations membres (%(types)s)",
            len(ordered),
            types=joined([label(ACTOR_TYPE_LABELS[t]) for t in ordered]),
        )
    else:
        head = ngettext(
            "%(count)s type d'acteur distinct parmi les organisations membres",
            "%(count)s types d'acteurs distincts parmi les organisations membres",
            0,
        )
    if len(ordered) >= _MIN_TYPES:
        text = _(
            "%(head)s ; au moins 3 requis (les personnes physiques ne comptent pas).", head=head
        )
        return Condition(code, LABO, MET, text)
    absent = [t for t in ACTOR_TYPES if t not in present and t not in {"person", "other"}]
    text = ngettext(
        "%(head)s ; il en faut au moins 3 (les personnes physiques ne comptent pas) : il "
        "manque %(count)s type, ajoutez des organisations d'autres types, par exemple : "
        "%(examples)s.",
        "%(head)s ; il en faut au moins 3 (les personnes physiques ne comptent pas) : il "
        "manque %(count)s types, ajoutez des organisations d'autres types, par exemple : "
        "%(examples)s.",
        _MIN_TYPES - len(ordered),
        head=head,
        examples=joined([label(ACTOR_TYPE_LABELS[t]) for t in absent[:3]]),
    )
    return Condition(code, LABO, NOT_MET, text)


def _declared(
    code: str, value: bool | None, met: Message, not_met: Message, unknown: Message
) -> Condition:
    if value is None:
        return Condition(code, LABO, UNKNOWN, unknown)
    return Condition(code, LABO, MET if value else NOT_MET, met if value else not_met)


# ------------------------------------------------------------------------------- public


def _check(facts: HubFacts) -> None:
    form = facts.carrier_legal_form
    if form is not None and form not in CARRIER_LEGAL_FORMS:
        raise ValueError(f"unknown carrier legal form {form!r}")
    for member in facts.members:
        if member.actor_type not in ACTOR_TYPES:
            raise ValueError(f"unknown actor type {member.actor_type!r}")


def evaluate(facts: HubFacts) -> list[Condition]:
    """Every condition, in the order of CONDITION_CODES (décret first). Raises ValueError
    on an unknown carrier legal form or actor type."""
    _check(facts)
    members = facts.members
    found = {role: _candidates(members, role) for role in _ROLES}
    return [
        _carrier(facts),
        _three_legal_persons(members),
        *(_role_condition(role, found[role]) for role in _ROLES),
        _distinct(found),
        _five_organisations(members),
        _diverse_types(members),
        _declared(
            "labo_common_strategy",
            facts.common_strategy_formalised,
            _("Une stratégie commune est formalisée (charte ou document stratégique)."),
            _(
                "Aucune stratégie commune formalisée ; rédigez avec les membres une charte ou "
                "un document stratégique commun."
            ),
            _(
                "Stratégie commune non renseignée : indiquez si une charte ou un document "
                "stratégique commun existe."
            ),
        ),
        _declared(
            "labo_long_term",
            facts.long_term_commitment,
            _("Les membres sont engagés dans la durée (convention pluriannuelle ou équivalent)."),
            _(
                "Aucun engagement dans la durée ; formalisez-le, par exemple par une convention "
                "pluriannuelle entre les membres."
            ),
            _(
                "Engagement dans la durée non renseigné : indiquez si une convention "
                "pluriannuelle ou un engagement équivalent lie les membres."
            ),
        ),
        _declared(
            "labo_pooling",
            facts.pooled_resources,
            _("Des ressources sont mutualisées ou des investissements réalisés en commun."),
            _(
                "Aucune ressource mutualisée ni investissement commun ; enregistrez une "
                "première mutualisation (locaux, matériel, emplois, compétences) ou un "
                "investissement commun."
            ),
            _(
                "Mutualisation non renseignée : indiquez si des ressources sont mutualisées ou "
                "des investissements réalisés en commun."
            ),
        ),
    ]


def decret_eligible(conditions: Sequence[Condition]) -> str:
    """`met` when every condition of the décret is met, `not_met` when one is not met,
    `unknown` otherwise. Raises ValueError when `conditions` holds none of the décret."""
    statuses = [c.status for c in conditions if c.checklist == DECRET]
    if not statuses:
        raise ValueError("no condition of the décret n° 2015-431 to decide on")
    if NOT_MET in statuses:
        return NOT_MET
    if all(s == MET for s in statuses):
        return MET
    return UNKNOWN
