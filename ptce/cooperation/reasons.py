"""The reasons of a proposal as sentences in the reader's language, with numbers written the
local way ("0,8 km", "1 250 €" in French): the pure engine gives codes and figures
(`ptce.cooperation.proposals.REASON_MESSAGES`), this module writes them for pages, the API
and e-mails. Stored proposals keep their codes and figures, so a message is always rebuilt
from them rather than read from the stored text."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ptce.cooperation.proposals import REASON_MESSAGES
from ptce.cooperation.reference import KINDS

# unit codes the sentences show otherwise as typed ("50 piece")
UNIT_WORDS: dict[str, Any] = {
    "piece": gettext_lazy("pièce(s)"),
    "palette": gettext_lazy("palette(s)"),
    "lot": gettext_lazy("lot(s)"),
    "m3": "m³",
    "m2": "m²",
}


def number(value: Any) -> str:
    """A figure as the active language writes it (decimal comma, grouped thousands; a
    whole number without decimals: "10 km", not "10,0 km")."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    return str(formats.number_format(value, force_grouping=True))


# parameters holding a French label of a pure module's table (marked with gettext_noop):
# price intents, NAF levels, category labels; translated when the sentence is written
LABEL_PARAMS: frozenset[str] = frozenset({"need_label", "offer_label", "level", "label"})


def category_label(kind: Any, category: Any) -> str | None:
    """`Vehicles — Heavy truck` in the active language, or None for unknown codes."""
    entry = KINDS.get(kind) if isinstance(kind, str) else None
    if entry is None or not isinstance(category, str) or category not in entry.categories:
        return None
    return f"{_(entry.label)} — {_(entry.categories[category])}"


def _label(value: str) -> str:
    return _(value) if value else ""  # gettext("") would return the catalogue's header


def _param(name: str, value: Any) -> str:
    if isinstance(value, str):
        if name == "unit":
            return str(UNIT_WORDS.get(value, value))
        if name in LABEL_PARAMS:
            return _label(value)
        if name == "per":  # " par an" after a quantity, or nothing
            return f" {_label(value.strip())}" if value.strip() else ""
        return value
    return number(value)


def _params(params: Mapping[str, Any]) -> dict[str, str]:
    values = {k: _param(k, v) for k, v in params.items()}
    # the composite category label is rebuilt from the codes in the reader's language;
    # a stored label whose codes are unknown shows as stored
    if "label" in params:
        rebuilt = category_label(params.get("kind"), params.get("category"))
        if rebuilt is not None:
            values["label"] = rebuilt
    return values


def message(code: str, params: Mapping[str, Any], fallback: str = "") -> str:
    template = REASON_MESSAGES.get(code)
    if template is None:
        return fallback
    try:
        return _(template) % _params(params)
    except (KeyError, TypeError, ValueError):
        return fallback


def rows(reasons: Iterable[Any]) -> list[dict[str, Any]]:
    """`[{code, params, message}]` from engine reasons or stored rows (dicts)."""
    found = []
    for reason in reasons:
        if isinstance(reason, Mapping):
            code, params = str(reason.get("code", "")), dict(reason.get("params") or {})
            fallback = str(reason.get("message", ""))
        else:
            code, params, fallback = reason.code, dict(reason.params), reason.message
        found.append({"code": code, "params": params, "message": message(code, params, fallback)})
    return found
