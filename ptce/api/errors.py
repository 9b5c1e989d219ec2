"""French error messages for the API: each names the parameter and the rule it breaks."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

_PARAMETER = gettext_lazy("paramètre")
_FIELD = gettext_lazy("champ")
_LOCATIONS = {"query": _PARAMETER, "path": _PARAMETER, "body": _FIELD, "form": _FIELD}


def _field_name(loc: tuple[Any, ...] | list[Any]) -> tuple[str, str]:
    parts = [str(p) for p in loc]
    kind = str(_LOCATIONS.get(parts[0], _FIELD)) if parts else str(_FIELD)
    names = [p for p in parts[1:] if p not in {"payload", "filters"}] or parts[-1:]
    return kind, ".".join(names)


def french_message(error: dict[str, Any]) -> str:
    """One pydantic error as a French sentence naming the field and the rule."""
    kind, name = _field_name(error.get("loc", ()))
    ctx = error.get("ctx") or {}
    subject = _("Le %(kind)s « %(name)s »") % {"kind": kind, "name": name}
    rules = {
        "missing": _("est obligatoire"),
        "float_parsing": _("doit être un nombre (par exemple 45.04)"),
        "float_type": _("doit être un nombre (par exemple 45.04)"),
        "int_parsing": _("doit être un nombre entier"),
        "int_type": _("doit être un nombre entier"),
        "bool_parsing": _("doit valoir true ou false"),
        "finite_number": _("doit être un nombre fini"),
        "greater_than_equal": _("doit être supérieur ou égal à %(v)s") % {"v": ctx.get("ge")},
        "greater_than": _("doit être strictement supérieur à %(v)s") % {"v": ctx.get("gt")},
        "less_than_equal": _("doit être inférieur ou égal à %(v)s") % {"v": ctx.get("le")},
        "less_than": _("doit être strictement inférieur à %(v)s") % {"v": ctx.get("lt")},
        "string_too_short": _("doit compter au moins %(v)s caractère(s)")
        % {"v": ctx.get("min_length")},
        "string_too_long": _("doit compter au plus %(v)s caractère(s)")
        % {"v": ctx.get("max_length")},
        "string_pattern_mismatch": _("n'a pas le format attendu"),
        "string_type": _("doit être un texte"),
        "enum": _("doit valoir l'une des valeurs : %(v)s") % {"v": ctx.get("expected")},
        "literal_error": _("doit valoir l'une des valeurs : %(v)s") % {"v": ctx.get("expected")},
        "json_invalid": _("n'est pas un JSON valide"),
    }
    rule = rules.get(error.get("type", ""), _("est invalide"))
    return f"{subject} {rule}."


def validation_payload(errors: list[dict[str, Any]]) -> dict[str, Any]:
    details = []
    for error in errors:
        _kind, name = _field_name(error.get("loc", ()))
        details.append({"field": name, "type": error.get("type"), "message": french_message(error)})
    return {"detail": " ".join(d["message"] for d in details), "errors": details}
