"""NAF rév. 2: sections (A-U) and their divisions. Pure module.

A NAF code reads `62.01Z`: division `62`, group `62.0`, class `62.01`, sub-class `62.01Z`.
"""

from __future__ import annotations

import re
from typing import Final

from ptce.core.text import gettext_noop

# section -> (first division, last division, label); the labels are French, marked for
# makemessages: translate them at display (`gettext(label)`).
SECTIONS: Final[dict[str, tuple[int, int, str]]] = {
    "A": (1, 3, gettext_noop("Agriculture, sylviculture et pêche")),
    "B": (5, 9, gettext_noop("Industries extractives")),
    "C": (10, 33, gettext_noop("Industrie manufacturière")),
    "D": (
        35,
        35,
        gettext_noop(
            "Production et distribution d'électricité, de gaz, de vapeur et d'air conditionné"
        ),
    ),
    "E": (
        36,
        39,
        gettext_noop(
            "Production et distribution d'eau ; assainissement, gestion des déchets et dépollution"
        ),
    ),
    "F": (41, 43, gettext_noop("Construction")),
    "G": (45, 47, gettext_noop("Commerce ; réparation d'automobiles et de motocycles")),
    "H": (49, 53, gettext_noop("Transports et entreposage")),
    "I": (55, 56, gettext_noop("Hébergement et restauration")),
    "J": (58, 63, gettext_noop("Information et communication")),
    "K": (64, 66, gettext_noop("Activités financières et d'assurance")),
    "L": (68, 68, gettext_noop("Activités immobilières")),
    "M": (69, 75, gettext_noop("Activités spécialisées, scientifiques et techniques")),
    "N": (77, 82, gettext_noop("Activités de services administratifs et de soutien")),
    "O": (84, 84, gettext_noop("Administration publique")),
    "P": (85, 85, gettext_noop("Enseignement")),
    "Q": (86, 88, gettext_noop("Santé humaine et action sociale")),
    "R": (90, 93, gettext_noop("Arts, spectacles et activités récréatives")),
    "S": (94, 96, gettext_noop("Autres activités de services")),
    "T": (
        97,
        98,
        gettext_noop(
            "Activités des ménages en tant qu'employeurs et producteurs pour usage propre"
        ),
    ),
    "U": (99, 99, gettext_noop("Activités extra-territoriales")),
}

# The 88 divisions that exist (some numbers in the ranges are unused).
DIVISIONS: Final[frozenset[int]] = frozenset(
    {1, 2, 3, 5, 6, 7, 8, 9}
    | set(range(10, 34))
    | {35, 36, 37, 38, 39, 41, 42, 43, 45, 46, 47, 49, 50, 51, 52, 53, 55, 56}
    | {58, 59, 60, 61, 62, 63, 64, 65, 66, 68, 69, 70, 71, 72, 73, 74, 75}
    | {77, 78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99}
)

NAF_CODE_RE: Final = re.compile(r"^\d{2}\.\d{2}[A-Z]$")


def is_naf_code(code: str) -> bool:
    """A well-formed NAF rév. 2 sub-class code of an existing division (`62.01Z`)."""
    return bool(NAF_CODE_RE.match(code)) and int(code[:2]) in DIVISIONS


def section_of(code: str | None) -> str | None:
    """The section letter of a NAF code or division (`62.01Z` -> `J`), None if unknown."""
    if not code or len(code) < 2 or not code[:2].isdigit():
        return None
    division = int(code[:2])
    if division not in DIVISIONS:
        return None
    for letter, (first, last, _label) in SECTIONS.items():
        if first <= division <= last:
            return letter
    return None


def division_bounds(section: str) -> tuple[str, str]:
    """NAF codes of a section lie in [low, high) as strings (`J` -> ("58", "64")); for the
    last section, high is "9:" (`:` follows `9`), so that only codes starting with 99 are in
    `U` — the same codes as `section_of` (a stray "A1" is in no section)."""
    first, last, _label = SECTIONS[section]
    return f"{first:02d}", (f"{last + 1:02d}" if last < 99 else "9:")
