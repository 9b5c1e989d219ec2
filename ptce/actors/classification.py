"""Classify an organisation from its register data: actor type, ESS family, size class.

Pure module (no Django import). The inputs are the SIRENE fields of a legal unit:
`categorie_juridique` (INSEE level III, four digits), the ESS flag
(`economieSocialeSolidaireUniteLegale`, O/N turned into a bool), the main activity `naf`
(NAF rév. 2, `62.01Z` or `6201Z`) and `tranche_effectifs`. The result carries a reason code
and its parameters; `REASON_MESSAGES` turns them into a French sentence a hub coordinator
can read ("why is this member an ESS enterprise?"). The templates are marked with
`gettext_noop` for makemessages; the Django layer translates `Classification.message`
with `ptce.core.i18n.translate` and lets a user declare another type (natural persons,
SCIC without the ESS flag, informal groups); `classify` itself never answers `person`.

The rules are the table `RULES`, tried in order; the first whose predicate holds decides
(reason code: condition -> actor type / ESS family, size class):

 1. `no_register_data`: no category and no SIREN -> other.
 2. `missing_legal_category`: no category -> other.
 3. `unknown_legal_category`: the category is not four ASCII digits -> other.
 4. `legal_category_sole_trader`: 1000 (entrepreneur individuel) -> enterprise,
    sole_trader.
 5. `legal_category_association`: 9210, 9220-9224, 9230, 9240, 9260 -> ess / association.
 6. `legal_category_foundation`: 9300 -> ess / foundation.
 7. `legal_category_mutual`: 8210, 8250, 8290, 6411 -> ess / mutual.
 8. `legal_category_scop`: 5458, 5558, 5658 -> ess / scop.
 9. `legal_category_cooperative_bank`: 5191-5196, 6595, 6596 -> ess / cooperative.
10. `legal_category_cooperative`: 5203, 5307, 5309, 5443-5460, 5543-5560, 5643-5660,
    6316-6318, 6543-6560, minus the SCOP codes and `NON_COOPERATIVE` -> ess / cooperative.
11. `legal_category_university`: 7383 (EPSCP: universities) -> research.
12. `legal_category_local_authority`: 72xx (territorial authorities), 7312-7314 (parts of
    communes), 7340-7357 (EPCI, syndicats, pôles, PETR) -> local_authority.
13. `naf_research`: a public category (4xxx, 7xxx) and NAF 72.xx or 85.42Z -> research.
14. `naf_training`: NAF 85.59A, 85.59B, 85.32Z or 85.41Z, on a public category or on a
    private one without the ESS flag -> training.
15. `legal_category_local_public_body`: other 7310-7379 (local public establishments:
    ASA, EPLE, CCAS, hospitals, OPH, SDIS, régies...) -> local_authority.
16. `legal_category_public_body`: any other 4xxx or 7xxx -> public_body.
17. `ess_flag_company`: a company (5xxx, 6xxx, 3120, 3220) with the ESS flag -> ess /
    ess_company, size from the headcount.
18. `ess_flag`: any other category with the ESS flag (2xxx, 3xxx, 8xxx, 9xxx, 0000) -> ess,
    family "" (to be declared).
19. `naf_research`: 8xxx or 9xxx and NAF 72.xx or 85.42Z -> research.
20. `legal_category_company`: a company (5xxx, 6xxx, 3120, 3220) -> enterprise, size from
    the headcount.
21. `legal_category_other`: anything else (0000, 2xxx, other 3xxx, 8xxx, 9xxx) -> other.

Decisions where DOMAIN.md leaves room (and why):

* A legal category that makes an organisation ESS by law (rules 5-10) wins over the NAF
  code: an association doing research or training stays an ESS enterprise, which is what
  a hub's eligibility needs to know. The ESS flag also wins over a training NAF code on a
  private category (an ESS training company is an ESS enterprise).
* The ESS flag is ignored for public categories (4xxx, 7xxx: public-law persons cannot be
  ESS enterprises, law of 31 July 2014 art. 1) and for 1000 (a natural person).
* Within the cooperative ranges of DOMAIN.md, INSEE codes that are not cooperatives are
  excluded (`NON_COOPERATIVE`): 5546/5646 SA d'HLM, 5548/5648 SA de crédit immobilier,
  6544 SCI d'accession progressive à la propriété. With the ESS flag they are ESS
  companies (rule 17), without it enterprises.
* 73xx are "établissements publics administratifs": the groupings of local authorities
  and the local public establishments (7310-7379) count as local authorities, as DOMAIN.md
  says; the national ones (7381 chambres consulaires, 7382, 7384, 7385, 7389) are not
  local and count as other public bodies (7383 is rule 11).
* Territorial authorities and their groupings (rule 12) are never reclassified by their
  NAF code; other public bodies are: a public research body (CNRS-like, 7389 + 72.19Z) is
  research, an EPLE running vocational training (7331 + 85.32Z, a GRETA 85.59A) is
  training.
* 3120 and 3220 (foreign companies) are companies; other 3xxx are "other".
* Research by NAF is also granted to non-ESS private non-profit bodies (8xxx, 9xxx), e.g.
  an industrial technical centre (8470 + 72.19Z); never to companies (a private R&D
  company is an enterprise).
* The size class is computed for enterprises and ESS companies only (sole traders are
  `sole_trader`); it is `unknown` for every other type.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

from ptce.core.text import Message, gettext_noop

__all__ = [
    "ACTOR_TYPES",
    "ASSOCIATIONS",
    "COOPERATIVES",
    "COOPERATIVE_BANKS",
    "ESS_FAMILIES",
    "FOUNDATIONS",
    "LOCAL_AUTHORITIES",
    "LOCAL_PUBLIC_BODIES",
    "MUTUALS",
    "NON_COOPERATIVE",
    "REASON_MESSAGES",
    "RULES",
    "SCOPS",
    "SIZE_CLASSES",
    "Classification",
    "Rule",
    "classify",
    "classify_many",
    "headcount_range",
    "size_from_tranche",
]

ACTOR_TYPES: Final = (
    "ess",
    "enterprise",
    "local_authority",
    "research",
    "training",
    "public_body",
    "person",
    "other",
)
ESS_FAMILIES: Final = ("association", "cooperative", "scop", "mutual", "foundation", "ess_company")
SIZE_CLASSES: Final = ("sole_trader", "micro", "sme", "mid", "large", "unknown")


@dataclass(frozen=True)
class Classification:
    """The outcome of `classify`. Results are shared between identical inputs by
    `classify_many`: treat `params` as read-only."""

    actor_type: str
    ess_family: str  # "" when not ESS (or an ESS enterprise whose family is unknown)
    size_class: str
    reason: str  # a key of REASON_MESSAGES
    params: dict[str, str] = field(default_factory=dict)  # the values its message needs

    @property
    def message(self) -> Message:
        """The reason as a translatable `Message` (`str()` of it is the French sentence)."""
        return Message(REASON_MESSAGES[self.reason], self.params)


# --------------------------------------------------------------------------- headcount

# Tranche d'effectifs -> (lowest, highest) headcount; None: no upper bound (10,000+).
_HEADCOUNT: Final[dict[str, tuple[int, int | None]]] = {
    "00": (0, 0),
    "01": (1, 2),
    "02": (3, 5),
    "03": (6, 9),
    "11": (10, 19),
    "12": (20, 49),
    "21": (50, 99),
    "22": (100, 199),
    "31": (200, 249),
    "32": (250, 499),
    "41": (500, 999),
    "42": (1000, 1999),
    "51": (2000, 4999),
    "52": (5000, 9999),
    "53": (10000, None),
}


def headcount_range(tranche: str | None) -> tuple[int, int | None] | None:
    """The headcount band of a `tranche_effectifs`: "12" -> (20, 49), "00" -> (0, 0),
    "53" -> (10000, None) (no upper bound); None for NN (none or unknown), empty, None or
    any unknown value."""
    if tranche is None:
        return None
    return _HEADCOUNT.get(tranche.strip())


def size_from_tranche(tranche: str | None) -> str:
    """Size class from the headcount alone (the EU thresholds, on staff only): micro below
    10 (00 to 03), sme 10-249, mid 250-4,999, large 5,000 or more, unknown otherwise."""
    band = headcount_range(tranche)
    if band is None:
        return "unknown"
    low = band[0]
    if low < 10:
        return "micro"
    if low < 250:
        return "sme"
    if low < 5000:
        return "mid"
    return "large"


# ------------------------------------------------------------------- legal categories


def _codes(*spans: int | tuple[int, int]) -> frozenset[int]:
    """Codes from single values and inclusive (first, last) ranges."""
    found: set[int] = set()
    for span in spans:
        if isinstance(span, tuple):
            found.update(range(span[0], span[1] + 1))
        else:
            found.add(span)
    return frozenset(found)


ASSOCIATIONS: Final = _codes(9210, 9220, 9221, 9222, 9223, 9224, 9230, 9240, 9260)
FOUNDATIONS: Final = _codes(9300)
MUTUALS: Final = _codes(8210, 8250, 8290, 6411)
SCOPS: Final = _codes(5458, 5558, 5658)
COOPERATIVE_BANKS: Final = _codes((5191, 5196), 6595, 6596)
# INSEE codes inside the cooperative ranges of DOMAIN.md that are not cooperatives.
NON_COOPERATIVE: Final = _codes(5546, 5548, 5646, 5648, 6544)
COOPERATIVES: Final = (
    _codes(
        5203,
        5307,
        5309,
        (5443, 5460),
        (5543, 5560),
        (5643, 5660),
        (6316, 6318),
        (6543, 6560),
    )
    - SCOPS
    - NON_COOPERATIVE
)
UNIVERSITIES: Final = _codes(7383)
# Territorial authorities, parts of communes, EPCI and other groupings of authorities.
LOCAL_AUTHORITIES: Final = _codes((7200, 7299), (7312, 7314), (7340, 7357))
# Local public establishments (ASA, EPLE, CCAS, hospitals, OPH, SDIS, régies...).
LOCAL_PUBLIC_BODIES: Final = _codes((7310, 7379)) - LOCAL_AUTHORITIES
FOREIGN_COMPANIES: Final = _codes(3120, 3220)

RESEARCH_NAF_DIVISIONS: Final = frozenset({"72"})  # recherche-développement scientifique
RESEARCH_NAF: Final = frozenset({"8542Z"})  # enseignement supérieur
TRAINING_NAF: Final = frozenset({"8559A", "8559B", "8532Z", "8541Z"})


@dataclass(frozen=True)
class _Facts:
    """Normalised inputs the rules look at."""

    category: str  # stripped, "" when missing
    code: int  # the category as a number; -1 when missing or malformed
    ess: bool  # the ESS flag is true
    naf: str  # "8559A" (dots removed, upper case), "" when missing
    has_siren: bool

    @property
    def public(self) -> bool:
        return 4000 <= self.code <= 4999 or 7000 <= self.code <= 7999

    @property
    def company(self) -> bool:
        return 5000 <= self.code <= 6999 or self.code in FOREIGN_COMPANIES

    @property
    def non_profit(self) -> bool:  # private non-commercial bodies: unions, orders, ...
        return 8000 <= self.code <= 9999

    @property
    def research_naf(self) -> bool:
        return self.naf[:2] in RESEARCH_NAF_DIVISIONS or self.naf in RESEARCH_NAF

    @property
    def training_naf(self) -> bool:
        return self.naf in TRAINING_NAF


_ESS_CATEGORIES: Final = (
    ASSOCIATIONS | FOUNDATIONS | MUTUALS | SCOPS | COOPERATIVE_BANKS | COOPERATIVES
)


@dataclass(frozen=True)
class Rule:
    """When `applies`, the organisation is `actor_type` / `ess_family`; `size` says how
    its size class is found: "headcount" (from the tranche), "sole_trader", or "unknown"."""

    reason: str
    applies: Callable[[_Facts], bool]
    actor_type: str
    ess_family: str = ""
    size: str = "unknown"


RULES: Final[tuple[Rule, ...]] = (
    Rule("no_register_data", lambda f: not f.category and not f.has_siren, "other"),
    Rule("missing_legal_category", lambda f: not f.category, "other"),
    Rule("unknown_legal_category", lambda f: f.code < 0, "other"),
    Rule("legal_category_sole_trader", lambda f: f.code == 1000, "enterprise", size="sole_trader"),
    Rule("legal_category_association", lambda f: f.code in ASSOCIATIONS, "ess", "association"),
    Rule("legal_category_foundation", lambda f: f.code in FOUNDATIONS, "ess", "foundation"),
    Rule("legal_category_mutual", lambda f: f.code in MUTUALS, "ess", "mutual"),
    Rule("legal_category_scop", lambda f: f.code in SCOPS, "ess", "scop"),
    Rule(
        "legal_category_cooperative_bank",
        lambda f: f.code in COOPERATIVE_BANKS,
        "ess",
        "cooperative",
    ),
    Rule("legal_category_cooperative", lambda f: f.code in COOPERATIVES, "ess", "cooperative"),
    Rule("legal_category_university", lambda f: f.code in UNIVERSITIES, "research"),
    Rule(
        "legal_category_local_authority",
        lambda f: f.code in LOCAL_AUTHORITIES,
        "local_authority",
    ),
    Rule("naf_research", lambda f: f.public and f.research_naf, "research"),
    Rule(
        "naf_training",
        lambda f: f.training_naf and (f.public or not f.ess),
        "training",
    ),
    Rule(
        "legal_category_local_public_body",
        lambda f: f.code in LOCAL_PUBLIC_BODIES,
        "local_authority",
    ),
    Rule("legal_category_public_body", lambda f: f.public, "public_body"),
    Rule("ess_flag_company", lambda f: f.company and f.ess, "ess", "ess_company", "headcount"),
    Rule("ess_flag", lambda f: f.ess, "ess"),
    Rule("naf_research", lambda f: f.non_profit and f.research_naf, "research"),
    Rule("legal_category_company", lambda f: f.company, "enterprise", size="headcount"),
    Rule("legal_category_other", lambda f: True, "other"),
)

REASON_MESSAGES: Final[dict[str, str]] = {
    "no_register_data": gettext_noop(
        "Ni SIREN ni catégorie juridique : le type d'acteur est à déclarer "
        "(groupement informel, personne physique…)."
    ),
    "missing_legal_category": gettext_noop(
        "Catégorie juridique absente : le type d'acteur est à déclarer."
    ),
    "unknown_legal_category": gettext_noop(
        "Catégorie juridique « %(categorie_juridique)s » non reconnue (quatre chiffres "
        "attendus) : le type d'acteur est à déclarer."
    ),
    "legal_category_sole_trader": gettext_noop(
        "Catégorie juridique %(categorie_juridique)s : entrepreneur individuel, "
        "entreprise hors ESS."
    ),
    "legal_category_association": gettext_noop(
        "Catégorie juridique %(categorie_juridique)s : association, entreprise de l'ESS par "
        "la loi du 31 juillet 2014."
    ),
    "legal_category_foundation": gettext_noop(
        "Catégorie juridique %(categorie_juridique)s : fondation, entreprise de l'ESS par la "
        "loi du 31 juillet 2014."
    ),
    "legal_category_mutual": gettext_noop(
        "Catégorie juridique %(categorie_juridique)s : mutuelle ou société d'assurance "
        "mutuelle, entreprise de l'ESS par la loi du 31 juillet 2014."
    ),
    "legal_category_scop": gettext_noop(
        "Catégorie juridique %(categorie_juridique)s : société coopérative et participative "
        "(SCOP), entreprise de l'ESS par la loi du 31 juillet 2014."
    ),
    "legal_category_cooperative_bank": gettext_noop(
        "Catégorie juridique %(categorie_juridique)s : banque coopérative ou mutualiste, "
        "entreprise de l'ESS par la loi du 31 juillet 2014."
    ),
    "legal_category_cooperative": gettext_noop(
        "Catégorie juridique %(categorie_juridique)s : société coopérative, entreprise de "
        "l'ESS par la loi du 31 juillet 2014."
    ),
    "legal_category_university": gettext_noop(
        "Catégorie juridique %(categorie_juridique)s : établissement public à caractère "
        "scientifique, culturel et professionnel (université, grande école), classé en "
        "recherche et enseignement supérieur."
    ),
    "legal_category_local_authority": gettext_noop(
        "Catégorie juridique %(categorie_juridique)s : collectivité territoriale ou "
        "groupement de collectivités."
    ),
    "legal_category_local_public_body": gettext_noop(
        "Catégorie juridique %(categorie_juridique)s : établissement public local, rattaché "
        "à une ou plusieurs collectivités et classé avec elles."
    ),
    "naf_research": gettext_noop(
        "Catégorie juridique %(categorie_juridique)s (hors ESS) et activité principale "
        "%(naf)s (recherche-développement ou enseignement supérieur) : classé en recherche "
        "et enseignement supérieur."
    ),
    "naf_training": gettext_noop(
        "Catégorie juridique %(categorie_juridique)s (hors ESS) et activité principale "
        "%(naf)s (formation) : classé en organisme de formation."
    ),
    "legal_category_public_body": gettext_noop(
        "Catégorie juridique %(categorie_juridique)s : personne morale de droit public "
        "autre qu'une collectivité, classée en autre organisme public."
    ),
    "ess_flag_company": gettext_noop(
        "Catégorie juridique %(categorie_juridique)s : société inscrite comme entreprise de "
        "l'ESS au répertoire SIRENE (société commerciale de l'ESS, loi du 31 juillet 2014)."
    ),
    "ess_flag": gettext_noop(
        "Catégorie juridique %(categorie_juridique)s : personne morale inscrite comme "
        "entreprise de l'ESS au répertoire SIRENE ; sa famille de l'ESS est à préciser."
    ),
    "legal_category_company": gettext_noop(
        "Catégorie juridique %(categorie_juridique)s : société non inscrite comme entreprise "
        "de l'ESS au répertoire SIRENE, classée en autre entreprise."
    ),
    "legal_category_other": gettext_noop(
        "Catégorie juridique %(categorie_juridique)s : ni entreprise, ni organisme public "
        "(syndicat, ordre professionnel, groupement sans personnalité morale, organisme "
        "étranger…) ; le type d'acteur est à préciser si besoin."
    ),
}

_CATEGORY = re.compile(r"[0-9]{4}")
_NAF_CHARS = frozenset(string.ascii_uppercase + string.digits)


def _normalise_naf(naf: str | None) -> str:
    if not naf:
        return ""
    return naf.strip().replace(".", "").upper()


def _display_naf(naf: str) -> str:
    """`8559A` -> `85.59A`, the way INSEE writes NAF rév. 2 codes."""
    if len(naf) == 5 and set(naf) <= _NAF_CHARS:
        return f"{naf[:2]}.{naf[2:]}"
    return naf


def _params(facts: _Facts, message: str) -> dict[str, str]:
    params: dict[str, str] = {}
    if "%(categorie_juridique)s" in message:
        params["categorie_juridique"] = facts.category
    if "%(naf)s" in message:
        params["naf"] = _display_naf(facts.naf)
    return params


def classify(
    categorie_juridique: str | None,
    ess: bool | None,
    naf: str | None,
    tranche_effectifs: str | None,
    *,
    has_siren: bool = True,
) -> Classification:
    """Actor type, ESS family and size class of a legal unit from its register data; the
    first rule of `RULES` that applies decides (see the module docstring)."""
    category = (categorie_juridique or "").strip()
    facts = _Facts(
        category=category,
        code=int(category) if _CATEGORY.fullmatch(category) else -1,
        ess=ess is True,
        naf=_normalise_naf(naf),
        has_siren=has_siren,
    )
    rule = next(r for r in RULES if r.applies(facts))
    size = size_from_tranche(tranche_effectifs) if rule.size == "headcount" else rule.size
    return Classification(
        actor_type=rule.actor_type,
        ess_family=rule.ess_family,
        size_class=size,
        reason=rule.reason,
        params=_params(facts, REASON_MESSAGES[rule.reason]),
    )


def classify_many(
    categories: Sequence[str | None],
    ess: Sequence[bool | None],
    nafs: Sequence[str | None],
    tranches: Sequence[str | None],
) -> list[Classification]:
    """`classify` for each row (with a SIREN), computed once per distinct row: register
    extracts repeat the same few thousand combinations over millions of rows. Rows with
    the same inputs share one (frozen) `Classification`."""
    if not len(categories) == len(ess) == len(nafs) == len(tranches):
        raise ValueError(
            "classify_many: categories, ess, nafs and tranches must have the same length "
            f"({len(categories)}, {len(ess)}, {len(nafs)}, {len(tranches)})"
        )
    cache: dict[tuple[str | None, bool | None, str | None, str | None], Classification] = {}
    results: list[Classification] = []
    append = results.append
    for key in zip(categories, ess, nafs, tranches, strict=True):
        found = cache.get(key)
        if found is None:
            found = cache[key] = classify(*key)
        append(found)
    return results
