"""Member lists from CSV or XLSX: read, match each row against the directory, then create
what is missing, all or nothing.

A row names an organisation by SIRET (or SIREN), or by name and commune (code INSEE,
postal code or name). The preview says, for each row, what it matched or why it is refused.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from ptce.actors import services
from ptce.actors.models import Establishment, Organisation
from ptce.core.models import User
from ptce.territories.lookups import search_communes
from ptce.territories.names import normalize

MAX_ROWS = 5000
HEADER_ALIASES = {
    "siret": "siret",
    "siren": "siret",
    "nom": "name",
    "name": "name",
    "raison sociale": "name",
    "denomination": "name",
    "organisation": "name",
    "commune": "commune",
    "ville": "commune",
    "code commune": "commune",
    "code insee": "commune",
    "code postal": "commune",
    "cp": "commune",
}


class MemberListError(Exception):
    """The file cannot be read at all (format, encoding, no usable column)."""


@dataclass
class RowResult:
    line: int
    values: dict[str, str]
    status: str  # matched, new, error
    message: str
    organisation: Organisation | None = None
    commune_code: str = ""


@dataclass
class Preview:
    rows: list[RowResult] = field(default_factory=list)

    @property
    def errors(self) -> list[RowResult]:
        return [r for r in self.rows if r.status == "error"]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise MemberListError(_("Encodage du fichier non reconnu : enregistrez-le en UTF-8."))


def _records(data: bytes, filename: str) -> Iterator[tuple[int, dict[str, str]]]:
    if filename.lower().endswith((".xlsx", ".xlsm")):
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:
            raise MemberListError(_("Fichier XLSX illisible : %(e)s") % {"e": exc}) from exc
        sheet = workbook.worksheets[0]
        lines = (
            ["" if v is None else str(v).strip() for v in row]
            for row in sheet.iter_rows(values_only=True)
        )
    elif filename.lower().endswith((".csv", ".txt")):
        text = _decode(data)
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        lines = ([v.strip() for v in row] for row in csv.reader(io.StringIO(text), dialect))
    else:
        raise MemberListError(_("Format non pris en charge : envoyez un fichier CSV ou XLSX."))
    header = next(lines, None)
    if header is None:
        raise MemberListError(_("Le fichier est vide."))
    columns = [HEADER_ALIASES.get(normalize(h), "") for h in header]
    if "siret" not in columns and "name" not in columns:
        raise MemberListError(
            _("Colonnes attendues : « siret », ou « nom » et « commune » (ligne 1 du fichier).")
        )
    for number, line in enumerate(lines, start=2):
        if not any(line):
            continue
        if number - 1 > MAX_ROWS:
            raise MemberListError(_("Au plus %(n)s lignes par fichier.") % {"n": MAX_ROWS})
        record = {col: value for col, value in zip(columns, line, strict=False) if col}
        yield number, record


def _match_siret(value: str) -> tuple[str, str, Organisation | None]:
    digits = value.replace(" ", "")
    try:
        if len(digits) == 9:
            siren = services.validate_siren(digits, field="siret")
            org = Organisation.objects.filter(siren=siren).first()
        else:
            siret = services.validate_siret(digits)
            est = Establishment.objects.select_related("organisation").filter(siret=siret).first()
            org = est.organisation if est else Organisation.objects.filter(siren=siret[:9]).first()
    except ValidationError as exc:
        return "error", exc.message_dict["siret"][0], None
    if org is None:
        return (
            "error",
            _(
                "SIRET inconnu de l'annuaire : importez le répertoire SIRENE ou ajoutez l'organisation par son nom."
            ),
            None,
        )
    return "matched", _("Trouvée par SIRET : %(name)s") % {"name": org.name}, org


def _match_name(name: str, commune: str) -> tuple[str, str, Organisation | None, str]:
    if not name:
        return "error", _("Ni SIRET ni nom : l'un des deux est obligatoire."), None, ""
    if not commune:
        return (
            "error",
            _("Commune manquante : elle est obligatoire quand il n'y a pas de SIRET."),
            None,
            "",
        )
    communes = search_communes(commune, limit=2)
    if not communes:
        return "error", _("Commune inconnue : « %(c)s ».") % {"c": commune}, None, ""
    if len(communes) > 1 and normalize(communes[0].nom) == normalize(communes[1].nom):
        return (
            "error",
            _("Commune ambiguë : « %(c)s » ; indiquez son code INSEE ou postal.") % {"c": commune},
            None,
            "",
        )
    code = communes[0].code_insee
    key = normalize(name)
    # search_text holds the name then the acronym: narrow on its start, then compare names.
    nearby = Organisation.objects.filter(
        search_text__startswith=key, establishments__code_commune=code
    ).distinct()[:20]
    candidates = [org for org in nearby if normalize(org.name) == key][:2]
    if len(candidates) > 1:
        return (
            "error",
            _("Plusieurs organisations de ce nom dans la commune : indiquez le SIRET."),
            None,
            code,
        )
    if candidates:
        return (
            "matched",
            _("Trouvée par nom et commune : %(name)s") % {"name": candidates[0].name},
            candidates[0],
            code,
        )
    return (
        "new",
        _("Nouvelle organisation, à %(commune)s") % {"commune": communes[0].nom},
        None,
        code,
    )


def preview(data: bytes, filename: str) -> Preview:
    """Read and match every row; nothing is written."""
    result = Preview()
    seen: dict[str, int] = {}
    for line, values in _records(data, filename):
        if values.get("siret"):
            status, message, org = _match_siret(values["siret"])
            code = ""
        else:
            status, message, org, code = _match_name(
                values.get("name", ""), values.get("commune", "")
            )
        key = f"org:{org.pk}" if org else f"new:{normalize(values.get('name', ''))}:{code}"
        if status != "error" and key in seen:
            status, message = "error", _("Doublon de la ligne %(n)s.") % {"n": seen[key]}
        seen.setdefault(key, line)
        result.rows.append(RowResult(line, values, status, message, org, code))
    if not result.rows:
        raise MemberListError(_("Le fichier ne contient aucune ligne de données."))
    return result


@transaction.atomic
def apply(acting_user: User | None, result: Preview) -> list[Organisation]:
    """Create the new organisations and return every organisation of the list, in order.
    Refuses the whole file if any row is in error."""
    if not result.ok:
        raise ValidationError(
            _("%(n)s ligne(s) en erreur : corrigez le fichier, rien n'a été importé.")
            % {"n": len(result.errors)}
        )
    organisations = []
    for row in result.rows:
        if row.status == "new":
            org = services.create_organisation(acting_user, name=row.values["name"])
            services.add_establishment(
                acting_user, organisation=org, code_commune=row.commune_code, siege=True
            )
            organisations.append(org)
        else:
            assert row.organisation is not None
            organisations.append(row.organisation)
    return organisations
