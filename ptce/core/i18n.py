"""Render the `Message`s of pure modules (`ptce.core.text`) in the active language, and write
numbers on pages the active language's way.

Number helpers (page display only; documents for French accounting keep their own French
formatting): `number`, `euros`, `percent`, `with_unit`. French: "1 234,56 €", "84,0 %"
(no-break spaces); English: "€1,234.56", "84.0%", "12.50 h".
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils import formats
from django.utils.translation import get_language, gettext, ngettext, override

from ptce.core.text import Message

__all__ = ["euros", "is_french", "number", "percent", "translate", "with_unit"]

NBSP = "\u00a0"  # no-break space (French: before a unit, and Django's thousands separator)
NNBSP = "\u202f"  # narrow no-break space (French typography: thousands, before % in places)


def _number(value: int | Decimal) -> str:
    if isinstance(value, Decimal):  # its digits, the active language's way ("33,33", "33.33")
        return number(value)
    return str(formats.number_format(value, force_grouping=True))


def translate(text: Message | str) -> str:
    """A message of a pure module (or a marked template string) in the active language;
    French when no language is chosen. Nested messages are translated too; integer and
    decimal parameters are written the active language's way ("1 234,5" / "1,234.5")."""
    if isinstance(text, Message):
        return text.render(gettext, ngettext, _number)
    return gettext(text) if text else ""


def is_french() -> bool:
    """True when the active language is French (or none is active: French is the default)."""
    language = get_language() or "fr"
    return language.split("-")[0].lower() == "fr"


def number(
    value: Any, decimals: int | None = None, *, narrow: bool = False, minus: str = "-"
) -> str:
    """`value` grouped by thousands, the active language's way: 1234.5 -> "1 234,50" in
    French, "1,234.50" in English (`decimals=2`). `decimals=None` keeps the digits of the
    value (a `Decimal` is shown as it is, `normalize()` it first to drop trailing zeros).
    Rounds half to even like `f"{x:.2f}"`. `narrow=True` groups French thousands with a narrow
    no-break space (U+202F) instead of Django's no-break space; `minus` is the sign shown
    before negative numbers ("−" U+2212 in places)."""
    try:
        # a float exactly as it is stored when rounded (as `f"{x:.2f}"` does), as written
        # (its repr) when shown whole
        exact = isinstance(value, float) and decimals is not None
        figure = Decimal(repr(value)) if isinstance(value, float) and not exact else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    if not figure.is_finite():
        return str(value)
    if decimals is not None:
        figure = Decimal(f"{figure:.{decimals}f}")
    negative = figure < 0
    if get_language() is None:  # outside a request: the default language, French
        with override(settings.LANGUAGE_CODE):
            text = str(formats.number_format(abs(figure), decimals, force_grouping=True))
    else:
        text = str(formats.number_format(abs(figure), decimals, force_grouping=True))
    if narrow and is_french():
        text = text.replace(NBSP, NNBSP)
    return f"{minus}{text}" if negative else text


def euros(
    cents: int,
    decimals: bool | None = None,
    *,
    narrow: bool = False,
    minus: str = "-",
) -> str:
    """An amount in integer cents: 123456 -> "1 234,56 €" (French), "€1,234.56" (English).
    `decimals=None` shows the cents only when there are some; True/False always/never (cents
    dropped are truncated, as `ptce.financing.money.format_euros` does)."""
    cents = int(cents)
    whole, rest = divmod(abs(cents), 100)
    show = decimals if decimals is not None else rest != 0
    amount = Decimal(whole) + (Decimal(rest) / 100 if show else 0)
    body = number(amount, 2 if show else 0, narrow=narrow)
    sign = minus if cents < 0 else ""
    if is_french():
        return f"{sign}{body}{NBSP}€"
    return f"{sign}€{body}"


def percent(
    fraction: Any, decimals: int | None = 1, *, space: str = NBSP, narrow: bool = False
) -> str:
    """A fraction as a percentage: 0.734 -> "73,4 %" (French), "73.4%" (English).
    `decimals=None` shows the digits of the value (a `Decimal` fraction, normalised);
    `space` is what French puts before the sign (a no-break space, or a narrow one)."""
    try:
        value = Decimal(fraction * 100) if isinstance(fraction, float) else Decimal(fraction) * 100
    except (InvalidOperation, TypeError, ValueError):
        return ""
    if decimals is None:
        value = _plain(value)
    text = number(value, decimals, narrow=narrow)
    return f"{text}{space}%" if is_french() else f"{text}%"


def with_unit(text: str, unit: str) -> str:
    """A written number and its unit ("h", "Mo"/"MB"...): separated by a no-break space in
    French, a plain space otherwise."""
    return f"{text}{NBSP}{unit}" if is_french() else f"{text} {unit}"


def _plain(value: Decimal) -> Decimal:
    """Trailing zeros dropped, never in exponent notation (Decimal("1E+2") -> 100)."""
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral() else normal
