"""The key of a statement line ("3 h / 4 h", "fixe 20 % + …", "Effectif : 3 / 10", "Shapley …"),
written in the reader's language.

A statement line stores its key as a code (the line's `method`) and figures
(`StatementLine.key_params`, JSON: decimals as strings, amounts in cents), and also as
French text (`key_label`) for the exports made for French accounting (CSV, PDF). Pages
build the text at display from the code and the figures (`shown`), in the active language;
lines computed before the figures were stored (`key_params` null) show their stored text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_noop, override

from ptce.core import i18n
from ptce.core.text import Message, joined
from ptce.pooling.costs import euros as french_euros
from ptce.pooling.models import Key, Measure, Method

__all__ = ["figure", "french_label", "message", "shown"]

# "1/3": the same in every language, not for translators.
EQUAL = "1/%(members)s"
USAGE = {
    Measure.HOURS: gettext_noop("%(used)s h / %(whole)s h"),
    Measure.KM: gettext_noop("%(used)s km / %(whole)s km"),
    Measure.UNITS: gettext_noop("%(used)s u. / %(whole)s u."),
}
FIXED_PLUS_USAGE = gettext_noop("fixe %(fixed)s %% + %(usage)s")
KEYS = gettext_noop("%(key)s : %(value)s / %(whole)s")
SHAPLEY = gettext_noop("Shapley %(v)s sur %(t)s")
SHAPLEY_SAMPLED = gettext_noop(" (estimé sur %(p)s ordres, erreur type %(e)s)")


def figure(value: Decimal) -> str:
    """A figure of a key as stored: whole numbers without decimals ("3"), others with two
    ("2.50")."""
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.2f}"


def message(method: str, params: Mapping[str, Any], money: Callable[[int], str]) -> Message:
    """The key as a message, `money` writing amounts in cents. Raises KeyError, ValueError
    (or InvalidOperation) on figures that do not fit the method."""
    if method == Method.EQUAL:
        return Message(EQUAL, {"members": str(int(params["members"]))})
    if method in (Method.USAGE, Method.FIXED_USAGE):
        usage = Message(
            USAGE[Measure(params["measure"])],
            {"used": Decimal(params["used"]), "whole": Decimal(params["whole"])},
        )
        if method == Method.USAGE:
            return usage
        return Message(FIXED_PLUS_USAGE, {"fixed": Decimal(params["fixed"]), "usage": usage})
    if method == Method.KEYS:
        return Message(
            KEYS,
            {
                "key": str(Key(params["key"]).label),  # in the active language
                "value": Decimal(params["value"]),
                "whole": Decimal(params["whole"]),
            },
        )
    if method == Method.SHAPLEY:
        base = Message(
            SHAPLEY, {"v": money(int(params["value"])), "t": money(int(params["total"]))}
        )
        if "error" not in params:
            return base
        sampled = Message(
            SHAPLEY_SAMPLED, {"p": int(params["permutations"]), "e": money(int(params["error"]))}
        )
        return joined([base, sampled], "")
    raise ValueError(f"unknown method {method!r}")


def french_label(method: str, params: Mapping[str, Any]) -> str:
    """The key in French, as statements and exports write it (figures ungrouped, decimal
    comma, amounts "1 234,56 €")."""
    with override(settings.LANGUAGE_CODE):
        return str(message(method, params, french_euros))


def _page_euros(cents: int) -> str:
    return i18n.euros(cents, True, narrow=True)


def shown(line: Any) -> str:
    """A statement line's key in the active language; its stored French text for lines
    computed before the figures were stored (or with figures that no longer fit)."""
    params = line.key_params
    if not isinstance(params, dict):
        return str(line.key_label)
    try:
        return i18n.translate(message(line.method, params, _page_euros))
    except (KeyError, ValueError, TypeError, InvalidOperation):
        return str(line.key_label)
