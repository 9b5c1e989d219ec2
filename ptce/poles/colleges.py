"""Voting colleges of a hub (SCIC rules) and the weighted result of a vote.

Pure module (no Django import).

`validate_colleges` checks a list of colleges as a form would, and reports every rule
broken, each as a `CollegeError` naming the field, the college (its 0-based `index` in the
input, shown to people as "collège n° index + 1") and the rule (a translatable
`ptce.core.text.Message`, French source; `message` is the French text):

* no college at all is valid (a hub need not vote by colleges);
* otherwise at least 3 colleges (`too_few`, on `colleges`);
* every name is non-empty (`name_required`) and unique once case, accents and repeated
  spaces are ignored (`name_duplicate`, reported on every college of the clash, so that
  the errors do not depend on the order of the colleges);
* every weight is a finite number (`weight_invalid`) above 0 (`weight_not_positive`),
  at most `max_share` (`weight_above_max`, 50 % by default) and, when `min_share_rule`,
  at least `min_share` (`weight_below_min`, 10 % by default; DOMAIN.md marks this SCIC
  rule uncertain, hence the switch). A weight at or below 0 is reported once, as not
  positive, not also as below the minimum;
* the weights add up to 100 within `tolerance` (`sum_not_100`, on `colleges`, with the
  actual sum; not checked when a weight is not a finite number).

Errors come in a fixed order: `too_few`, then college by college (name, then weight),
then `sum_not_100`.

`weighted_share` and `weighted_result` compute DOMAIN.md's weighted result: the sum over
colleges of weight × (votes for / votes cast in that college). Decisions:

* A college where no vote was cast contributes 0: its weight stays in the total, so an
  absent college counts as not in favour (statutes that redistribute an absent college's
  weight among the others need another rule).
* The weights are divided by their sum, so that three colleges of 33.33 % weigh a third
  each and a unanimous vote gives exactly 100 %; when the weights add up to 100, as
  `validate_colleges` ensures, this is DOMAIN.md's formula unchanged.
* `weighted_share` is exact (a `Fraction` in 0..1): compare it, not the rounded figure,
  with a majority threshold. `weighted_result` is the figure to show, in percent,
  rounded half up to 0.01.
"""

from __future__ import annotations

import math
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Final

from ptce.core.text import Message, _, ngettext

__all__ = [
    "MIN_COLLEGES",
    "CollegeError",
    "CollegeInput",
    "format_percent",
    "normalise_name",
    "validate_colleges",
    "weighted_result",
    "weighted_share",
]

MIN_COLLEGES: Final = 3
_HUNDRED: Final = Decimal(100)


@dataclass(frozen=True)
class CollegeInput:
    name: str
    weight: Decimal  # share of the votes in percent, e.g. Decimal("33.33")


@dataclass(frozen=True)
class CollegeError:
    field: str  # "colleges", "name" or "weight"
    index: int | None  # position of the college in the input; None for the whole list
    code: str
    text: Message  # naming the college and the rule (translatable; French source)

    @property
    def message(self) -> str:
        """The French sentence (`ptce.core.i18n.translate(error.text)` for the reader's
        language)."""
        return str(self.text)


def normalise_name(name: str) -> str:
    """The key two college names are compared on: case, accents and spacing ignored."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def format_percent(value: Decimal) -> str:
    """`Decimal("33.330")` -> `33,33`, `Decimal("50")` -> `50`: French decimal comma."""
    if not value.is_finite():
        return str(value)
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


def _shown(value: Decimal) -> Decimal:
    """A percentage as a message parameter: trailing zeros dropped, never in exponent
    notation (`Decimal("33.330")` -> `33.33`, `Decimal("1E+2")` -> `100`); `str(message)`
    writes it the French way (`33,33`), `ptce.core.i18n.translate` the reader's way."""
    return Decimal(f"{value.normalize():f}") if value.is_finite() else value


def _college(index: int, name: str) -> Message:
    if name.strip():
        return _("Collège n° %(number)s « %(name)s »", number=index + 1, name=name.strip())
    return _("Collège n° %(number)s (sans nom)", number=index + 1)


def _numbers(indexes: Sequence[int]) -> Message:
    shown = [str(i + 1) for i in indexes]
    if len(shown) == 1:
        return _("le collège n° %(number)s", number=shown[0])
    return _(
        "les collèges n° %(numbers)s et %(last)s", numbers=", ".join(shown[:-1]), last=shown[-1]
    )


def _check_parameters(
    min_share: Decimal, max_share: Decimal, tolerance: Decimal, min_share_rule: bool
) -> None:
    if not (max_share.is_finite() and _HUNDRED >= max_share > 0):
        raise ValueError(f"max_share must be in ]0, 100], got {max_share}")
    if min_share_rule and not (min_share.is_finite() and 0 <= min_share <= max_share):
        raise ValueError(f"min_share must be in [0, max_share], got {min_share}")
    if not (tolerance.is_finite() and tolerance >= 0):
        raise ValueError(f"tolerance must be a non-negative number, got {tolerance}")


def validate_colleges(
    colleges: Sequence[CollegeInput],
    *,
    min_share_rule: bool = True,
    min_share: Decimal = Decimal("10"),
    max_share: Decimal = Decimal("50"),
    tolerance: Decimal = Decimal("0.01"),
) -> list[CollegeError]:
    """Every rule the colleges break (see the module docstring); empty when valid.
    Raises ValueError on inconsistent parameters."""
    _check_parameters(min_share, max_share, tolerance, min_share_rule)
    if not colleges:
        return []
    errors: list[CollegeError] = []
    count = len(colleges)
    if count < MIN_COLLEGES:
        errors.append(
            CollegeError(
                "colleges",
                None,
                "too_few",
                ngettext(
                    "%(count)s collège ; il en faut au moins 3 pour voter par collèges (ou "
                    "aucun, si le pôle ne vote pas par collèges).",
                    "%(count)s collèges ; il en faut au moins 3 pour voter par collèges (ou "
                    "aucun, si le pôle ne vote pas par collèges).",
                    count,
                ),
            )
        )

    same_name: dict[str, list[int]] = defaultdict(list)
    for index, college in enumerate(colleges):
        key = normalise_name(college.name)
        if key:
            same_name[key].append(index)

    for index, college in enumerate(colleges):
        who = _college(index, college.name)
        if not normalise_name(college.name):
            errors.append(
                CollegeError(
                    "name",
                    index,
                    "name_required",
                    _("%(college)s : le nom du collège est obligatoire.", college=who),
                )
            )
        else:
            others = [i for i in same_name[normalise_name(college.name)] if i != index]
            if others:
                errors.append(
                    CollegeError(
                        "name",
                        index,
                        "name_duplicate",
                        _(
                            "%(college)s : même nom que %(others)s ; chaque collège doit avoir "
                            "un nom distinct (majuscules, accents et espaces ne comptent pas).",
                            college=who,
                            others=_numbers(others),
                        ),
                    )
                )
        errors.extend(
            _weight_errors(index, who, college.weight, min_share_rule, min_share, max_share)
        )

    if all(c.weight.is_finite() for c in colleges):
        total = sum((c.weight for c in colleges), Decimal(0))
        if abs(total - _HUNDRED) > tolerance:
            errors.append(
                CollegeError(
                    "colleges",
                    None,
                    "sum_not_100",
                    _(
                        "La somme des poids des collèges est de %(total)s %% ; elle doit être "
                        "de 100 %% (à %(tolerance)s près).",
                        total=_shown(total),
                        tolerance=_shown(tolerance),
                    ),
                )
            )
    return errors


def _weight_errors(
    index: int,
    who: Message,
    weight: Decimal,
    min_share_rule: bool,
    min_share: Decimal,
    max_share: Decimal,
) -> list[CollegeError]:
    if not weight.is_finite():
        return [
            CollegeError(
                "weight",
                index,
                "weight_invalid",
                _(
                    "%(college)s : le poids doit être un nombre (pourcentage des voix).",
                    college=who,
                ),
            )
        ]
    shown = _shown(weight)
    if weight <= 0:
        return [
            CollegeError(
                "weight",
                index,
                "weight_not_positive",
                _(
                    "%(college)s : poids de %(weight)s %% ; il doit être supérieur à 0 %%.",
                    college=who,
                    weight=shown,
                ),
            )
        ]
    if weight > max_share:
        return [
            CollegeError(
                "weight",
                index,
                "weight_above_max",
                _(
                    "%(college)s : %(weight)s %% des voix ; un collège ne peut pas détenir "
                    "plus de %(limit)s %% des voix.",
                    college=who,
                    weight=shown,
                    limit=_shown(max_share),
                ),
            )
        ]
    if min_share_rule and weight < min_share:
        return [
            CollegeError(
                "weight",
                index,
                "weight_below_min",
                _(
                    "%(college)s : %(weight)s %% des voix ; un collège ne peut pas détenir "
                    "moins de %(limit)s %% des voix.",
                    college=who,
                    weight=shown,
                    limit=_shown(min_share),
                ),
            )
        ]
    return []


def weighted_share(
    votes: Mapping[str, tuple[int, int]], weights: Mapping[str, Decimal]
) -> Fraction:
    """The exact weighted share in favour, in 0..1: sum over colleges of weight × (votes
    for / votes cast), divided by the sum of the weights. `votes` maps a college name to
    (votes for, votes cast); a college of `weights` missing from `votes`, or where no vote
    was cast, contributes 0. Raises ValueError on a vote from an unknown college, counts
    outside 0 <= for <= cast, or weights that are not finite and positive."""
    if not weights:
        raise ValueError("no college weights")
    for name, weight in weights.items():
        if not (weight.is_finite() and weight > 0):
            raise ValueError(f"college {name!r}: weight must be positive, got {weight}")
    unknown = set(votes) - set(weights)
    if unknown:
        raise ValueError(f"votes from unknown colleges: {sorted(unknown)}")
    total = sum((Fraction(w) for w in weights.values()), Fraction(0))
    weighted = Fraction(0)
    for name, (votes_for, votes_cast) in votes.items():
        if not 0 <= votes_for <= votes_cast:
            raise ValueError(
                f"college {name!r}: need 0 <= votes for <= votes cast, got "
                f"{votes_for} for, {votes_cast} cast"
            )
        if votes_cast:
            weighted += Fraction(weights[name]) * Fraction(votes_for, votes_cast)
    return weighted / total


def weighted_result(
    votes: Mapping[str, tuple[int, int]], weights: Mapping[str, Decimal]
) -> Decimal:
    """`weighted_share` in percent (0 to 100), rounded half up to 0.01, e.g.
    Decimal("66.67"). For display; decide majorities on `weighted_share`."""
    hundredths = math.floor(weighted_share(votes, weights) * 10_000 + Fraction(1, 2))
    return Decimal(hundredths).scaleb(-2)
