"""Translatable text for pure modules (no Django import).

Pure modules write user-facing sentences in French, the source language of the catalogues,
but must not call Django's gettext. They build `Message`s instead: a template marked for
extraction plus its parameters. `makemessages` (xgettext) extracts the templates because
the markers below carry the names of xgettext's Python keywords:

* `gettext_noop("...")` returns the template unchanged: for tables of templates (a dict
  of reason codes to sentences, a tuple of labels);
* `_("... %(x)s ...", x=...)` returns a `Message` (keyword `_`);
* `ngettext("%(count)s membre", "%(count)s membres", n, ...)` returns a plural `Message`
  (keyword `ngettext:1,2`); `count` is added to the parameters.

Parameters are strings, integers, decimals (`Decimal`, `float`: shown with their digits,
`normalize()` a `Decimal` first to drop trailing zeros) and nested messages.

`str(message)` is the French sentence (French plural rule: 0 and 1 take the singular;
integers grouped by thousands with a narrow no-break space, decimals with a decimal comma
and no grouping, as `33,33`), so pure tests and French-only callers keep working;
`ptce.core.i18n.translate` renders a `Message` in the active language with
gettext/ngettext, translating nested `Message` parameters as well. A template with
parameters goes through `%` with a dict (a literal percent sign is written `%%` there);
one without parameters is used as it is.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final, Union

__all__ = [
    "Message",
    "Number",
    "Param",
    "_",
    "gettext_noop",
    "joined",
    "label",
    "ngettext",
    "render",
]

_NARROW_NBSP: Final = "\u202f"  # French thousands separator (espace fine insécable)

Param = Union[str, int, Decimal, float, "Message"]
Number = int | Decimal  # what a message's number writer receives (a float as a Decimal)


def gettext_noop(template: str) -> str:
    """Marks a template for extraction; returns it unchanged."""
    return template


@dataclass(frozen=True, slots=True)
class Message:
    """A template (French, marked for extraction) and its parameters; `plural` and `count`
    for a sentence that agrees with a number. Treat `params` as read-only."""

    template: str
    params: Mapping[str, Param] = field(default_factory=dict)
    plural: str = ""
    count: int | None = None

    def render(
        self,
        gettext: Callable[[str], str],
        ngettext: Callable[[str, str, int], str],
        number: Callable[[Number], str],
    ) -> str:
        """The sentence with the given translation functions; nested messages are rendered
        with the same functions, integers and decimals with `number` (a float is passed as
        the `Decimal` of its repr, `0.1` -> `Decimal("0.1")`)."""
        if self.plural and self.count is not None:
            template = ngettext(self.template, self.plural, self.count)
        else:
            template = gettext(self.template)
        if not self.params:
            return template
        values = {
            key: _value(value, gettext, ngettext, number) for key, value in self.params.items()
        }
        return template % values

    def __str__(self) -> str:
        return self.render(_identity, _french_plural, _french_number)


def _value(
    value: Param,
    gettext: Callable[[str], str],
    ngettext: Callable[[str, str, int], str],
    number: Callable[[Number], str],
) -> str:
    if isinstance(value, Message):
        return value.render(gettext, ngettext, number)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return number(Decimal(repr(value))) if math.isfinite(value) else str(value)
    if isinstance(value, Decimal):
        return number(value) if value.is_finite() else str(value)
    if isinstance(value, int):
        return number(value)
    return value


def _identity(template: str) -> str:
    return template


def _french_plural(singular: str, plural: str, count: int) -> str:
    return singular if count < 2 else plural


def _french_number(value: Number) -> str:
    """`10000` -> `10 000` with a narrow no-break space, as French writes it; a decimal with
    a decimal comma and its digits, ungrouped: `Decimal("33.33")` -> `33,33`."""
    if isinstance(value, Decimal):
        return f"{value:f}".replace(".", ",")
    return f"{value:,}".replace(",", _NARROW_NBSP)


def _(template: str, /, **params: Param) -> Message:
    """A sentence to translate, with its parameters."""
    return Message(template, params)


def ngettext(singular: str, plural: str, count: int, /, **params: Param) -> Message:
    """A sentence that agrees with `count` (available to the templates as `%(count)s`)."""
    return Message(singular, {"count": count, **params}, plural, count)


def label(template: str) -> Message:
    """A marked label of a table (`gettext_noop`) as a message without parameters."""
    return Message(template)


def joined(parts: Sequence[Param], separator: str = ", ") -> Message:
    """Parts put side by side with a separator that no language changes (", ", " "); the
    template is not for translators (gettext returns it unchanged)."""
    keys = [f"p{i}" for i in range(len(parts))]
    template = separator.replace("%", "%%").join(f"%({key})s" for key in keys)
    return Message(template, dict(zip(keys, parts, strict=True)))


def render(text: Message | str) -> str:
    """French text of a message or plain string."""
    return str(text)
