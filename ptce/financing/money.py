"""Euro amounts in integer cents: French formatting and parsing (pure, no Django, no float)."""

from __future__ import annotations

import re

__all__ = ["format_euros", "parse_euros"]

_AMOUNT = re.compile(r"^(?P<sign>-?)(?P<units>\d+)(?:[.,](?P<cents>\d{1,2}))?$")


def format_euros(cents: int, *, symbol: str = "€", decimals: bool | None = None) -> str:
    """`123456` -> "1 234,56 €" (thin groups with a no-break space, as French writes them).

    `decimals=None` shows cents only when there are some.
    """
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(int(cents)), 100)
    groups = f"{whole:,}".replace(",", "\u00a0")
    show = decimals if decimals is not None else rest != 0
    body = f"{groups},{rest:02d}" if show else groups
    return f"{sign}{body}\u00a0{symbol}" if symbol else f"{sign}{body}"


def parse_euros(text: str) -> int:
    """ "1 234,5" / "1234.50" / "1 234 €" -> cents. Raises ValueError on anything else."""
    cleaned = (
        str(text)
        .replace("€", "")
        .replace("EUR", "")
        .replace("\u00a0", "")
        .replace("\u202f", "")
        .replace(" ", "")
        .strip()
    )
    match = _AMOUNT.match(cleaned)
    if match is None:
        raise ValueError(text)
    cents = int(match["units"]) * 100 + int((match["cents"] or "0").ljust(2, "0"))
    return -cents if match["sign"] else cents
