"""Costs of shared resources per period: amounts in cents (`euros`, `parse_amount`), entered
one by one or imported from a CSV file (all or nothing, every rejected row named)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ptce.core import audit
from ptce.core.models import AuditEntry, User
from ptce.poles.models import Pole
from ptce.pooling.allocation import MAX_COST_CENTS
from ptce.pooling.models import (
    Cost,
    CostCategory,
    Period,
    Resource,
)
from ptce.pooling.periods import locked, require_open
from ptce.pooling.resources import require_manager

MAX_IMPORT_ROWS = 5000


def euros(cents: int) -> str:
    """1234567 -> "12 345,67 €" (no-break spaces)."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole:,}".replace(",", "\u202f") + f",{rest:02d}\u00a0€"


AMOUNT = re.compile(r"^-?\d+(?:[.,]\d{1,2})?$")


def parse_amount(text: str) -> int:
    """ "1 234,56 €" / "1234.56" -> 123456 cents; ValueError with a French message."""
    cleaned = re.sub(r"[\s\u00a0\u202f€]|EUR", "", text or "")
    if not AMOUNT.match(cleaned):
        raise ValueError(_("montant illisible « %(v)s » (exemple : 1 234,56)") % {"v": text})
    units, _sep, decimals = cleaned.replace(",", ".").partition(".")
    if len(units.lstrip("-")) > 16:  # before int(): no huge number is even built
        raise ValueError(_("montant trop grand « %(v)s »") % {"v": text})
    cents = abs(int(units)) * 100 + int((decimals + "00")[:2])
    if cents > MAX_COST_CENTS:
        raise ValueError(
            _("montant trop grand « %(v)s » (au plus %(max)s)")
            % {"v": text, "max": euros(MAX_COST_CENTS)}
        )
    return -cents if cleaned.startswith("-") else cents


# ---------------------------------------------------------------------------------- costs


def record_cost(
    acting_user: User | None,
    *,
    resource: Resource,
    period: Period,
    category: str,
    amount_cents: int,
    label: str = "",
) -> Cost:
    require_manager(acting_user, resource.pole)
    errors: dict[str, str] = {}
    if period.pole_id != resource.pole_id:
        errors["period"] = _("Cette période n’est pas celle du pôle de la ressource.")
    if category not in CostCategory.values:
        errors["category"] = _("Catégorie de coût inconnue : %(v)s.") % {"v": category}
    if not isinstance(amount_cents, int) or isinstance(amount_cents, bool) or amount_cents <= 0:
        errors["amount_cents"] = _("Le montant d’un coût doit être positif (reçu : %(v)s).") % {
            "v": amount_cents
        }
    elif amount_cents > MAX_COST_CENTS:
        errors["amount_cents"] = _("Le montant d’un coût est au plus %(max)s.") % {
            "max": euros(MAX_COST_CENTS)
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        period = locked(period)
        require_open(period)
        cost = Cost.objects.create(
            resource=resource,
            period=period,
            category=category,
            amount_cents=amount_cents,
            label=label.strip()[:255],
            created_by=acting_user,
        )
        audit.record(
            acting_user, verb="pooling.record_cost", obj=cost, action=AuditEntry.Action.CREATE
        )
    return cost


def delete_cost(acting_user: User | None, *, cost: Cost) -> None:
    require_manager(acting_user, cost.resource.pole)
    with transaction.atomic():
        require_open(locked(cost.period))
        audit.record(
            acting_user,
            verb="pooling.delete_cost",
            obj=cost,
            action=AuditEntry.Action.DELETE,
            before=audit.snapshot(cost),
            after={},
        )
        cost.delete()


@dataclass
class CostRow:
    line: int
    resource: Resource
    category: str
    amount_cents: int
    label: str


@dataclass
class CostImport:
    rows: list[CostRow] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.rejected

    @property
    def total_cents(self) -> int:
        return sum(row.amount_cents for row in self.rows)


HEADERS = {
    "resource": ("ressource", "resource"),
    "category": ("catégorie", "categorie", "category"),
    "amount": ("montant", "amount"),
    "label": ("libellé", "libelle", "label"),
}


def _category(text: str) -> str | None:
    value = text.strip().lower()
    for choice in CostCategory:
        if value in (choice.value, str(choice.label).lower()):
            return choice.value
    return None


def read_costs(pole: Pole, content: str | bytes) -> CostImport:
    """Parse a CSV of costs (columns ressource, catégorie, montant, libellé; `;` or `,`),
    every rejected row with its line number and reason. Writes nothing."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            content = content.decode("cp1252")
    result = CostImport()
    content = content.lstrip("\ufeff")
    if not content.strip():
        result.rejected.append((1, _("Fichier vide.")))
        return result
    first = content.splitlines()[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(content), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader)]
    columns: dict[str, int] = {}
    for key, names in HEADERS.items():
        for position, name in enumerate(header):
            if name in names:
                columns[key] = position
    missing = [HEADERS[k][0] for k in ("resource", "category", "amount") if k not in columns]
    if missing:
        result.rejected.append((1, _("Colonnes manquantes : %(c)s.") % {"c": ", ".join(missing)}))
        return result
    resources = {r.name.lower(): r for r in Resource.objects.filter(pole=pole)}
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if number > MAX_IMPORT_ROWS + 1:
            result.rejected.append(
                (number, _("Trop de lignes (%(n)s au plus).") % {"n": MAX_IMPORT_ROWS})
            )
            break

        def cell(key: str, row: list[str] = row) -> str:
            position = columns.get(key)
            return row[position].strip() if position is not None and position < len(row) else ""

        reasons = []
        resource = resources.get(cell("resource").lower())
        if resource is None:
            reasons.append(_("ressource inconnue « %(v)s »") % {"v": cell("resource")})
        category = _category(cell("category"))
        if category is None:
            reasons.append(_("catégorie inconnue « %(v)s »") % {"v": cell("category")})
        amount = 0
        try:
            amount = parse_amount(cell("amount"))
            if amount <= 0:
                reasons.append(_("montant négatif ou nul (%(v)s)") % {"v": cell("amount")})
        except ValueError as exc:
            reasons.append(str(exc))
        if reasons:
            text = "; ".join(reasons)
            result.rejected.append((number, text[:1].upper() + text[1:] + "."))
        else:
            assert resource is not None and category is not None
            result.rows.append(CostRow(number, resource, category, amount, cell("label")[:255]))
    if not result.rows and not result.rejected:
        result.rejected.append((2, _("Aucune ligne de coût.")))
    return result


def import_costs(
    acting_user: User | None, *, pole: Pole, period: Period, content: str | bytes
) -> CostImport:
    """All or nothing: when any row is rejected nothing is written (see `rejected`)."""
    require_manager(acting_user, pole)
    require_open(period)
    result = read_costs(pole, content)
    if not result.ok:
        return result
    with transaction.atomic():
        require_open(locked(period))
        Cost.objects.bulk_create(
            Cost(
                resource=row.resource,
                period=period,
                category=row.category,
                amount_cents=row.amount_cents,
                label=row.label,
                created_by=acting_user,
            )
            for row in result.rows
        )
        audit.record(
            acting_user,
            verb="pooling.import_costs",
            obj=period,
            after={"rows": len(result.rows), "total_cents": result.total_cents},
        )
    return result
