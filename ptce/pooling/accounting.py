"""Costs, allocation rules, periods, statements and adjustments of a hub's pooling.

The maths is `ptce.pooling.allocation` (pure): every resource's cost for a period is split
between the organisations that share it, in integer cents that add up exactly to the cost.
A period is computed as often as wanted while open; closing computes it one last time and
locks it (no cost, usage or statement change); later corrections are `Adjustment` entries.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ptce.actors.models import Organisation
from ptce.core import audit
from ptce.core.models import AuditEntry, User
from ptce.poles.models import Pole
from ptce.pooling import allocation
from ptce.pooling.models import (
    Adjustment,
    AllocationRule,
    Cost,
    CostCategory,
    Key,
    Measure,
    Method,
    Period,
    PeriodKind,
    PeriodStatus,
    Resource,
    Statement,
    StatementLine,
    Usage,
)
from ptce.pooling.resources import members_of, require_manager

SHAPLEY_PERMUTATIONS = 2000
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
    cents = abs(int(units)) * 100 + int((decimals + "00")[:2])
    return -cents if cleaned.startswith("-") else cents


# -------------------------------------------------------------------------------- periods


def period_end(kind: str, starts_on: dt.date) -> dt.date:
    months = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}[PeriodKind(kind)]
    month = starts_on.month - 1 + months
    first_after = dt.date(starts_on.year + month // 12, month % 12 + 1, 1)
    return first_after - dt.timedelta(days=1)


def open_period(acting_user: User | None, *, pole: Pole, kind: str, starts_on: dt.date) -> Period:
    """A month, quarter or year starting on its first day."""
    require_manager(acting_user, pole)
    errors: dict[str, str] = {}
    if kind not in PeriodKind.values:
        errors["kind"] = _("Type de période inconnu : %(v)s.") % {"v": kind}
    elif starts_on.day != 1 or (
        (kind == PeriodKind.QUARTER and starts_on.month not in (1, 4, 7, 10))
        or (kind == PeriodKind.YEAR and starts_on.month != 1)
    ):
        errors["starts_on"] = _(
            "Une période commence le premier jour d’un mois, d’un trimestre ou d’une année."
        )
    elif Period.objects.filter(pole=pole, kind=kind, starts_on=starts_on).exists():
        errors["starts_on"] = _("Cette période existe déjà.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        period = Period.objects.create(
            pole=pole, kind=kind, starts_on=starts_on, ends_on=period_end(kind, starts_on)
        )
        audit.record(
            acting_user, verb="pooling.open_period", obj=period, action=AuditEntry.Action.CREATE
        )
    return period


def _locked(period: Period) -> Period:
    """The period row, locked until the end of the transaction (closing waits for writes
    in progress, and they see a close that happened meanwhile)."""
    return Period.objects.select_for_update().select_related("pole").get(pk=period.pk)


def _require_open(period: Period, field: str = "period") -> None:
    if period.closed:
        raise ValidationError(
            {
                field: _(
                    "La période %(p)s est clôturée : elle ne peut plus changer ; "
                    "corrigez par une régularisation."
                )
                % {"p": period.label}
            }
        )


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
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        period = _locked(period)
        _require_open(period)
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
        _require_open(_locked(cost.period))
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
    _require_open(period)
    result = read_costs(pole, content)
    if not result.ok:
        return result
    with transaction.atomic():
        _require_open(_locked(period))
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


# ---------------------------------------------------------------------------------- rules


def set_allocation_rule(
    acting_user: User | None,
    *,
    resource: Resource,
    method: str,
    key: str = "",
    key_values: dict[str, Any] | None = None,
    fixed_share: Decimal | None = None,
    measure: str = Measure.HOURS,
    standalone_costs: dict[str, int] | None = None,
    shared_cost_cents: int | None = None,
) -> AllocationRule:
    require_manager(acting_user, resource.pole)
    errors: dict[str, str] = {}
    if method not in Method.values:
        errors["method"] = _("Méthode de répartition inconnue : %(v)s.") % {"v": method}
    if method == Method.KEYS and key not in Key.values:
        errors["key"] = _(
            "Choisissez la clé : effectif, chiffre d’affaires, surface ou part de propriété."
        )
    if measure not in Measure.values:
        errors["measure"] = _("Mesure inconnue : %(v)s.") % {"v": measure}
    clean_keys: dict[str, str] = {}
    for org_id, value in (key_values or {}).items():
        try:
            number = Decimal(str(value).replace(",", "."))
        except InvalidOperation:
            errors["key_values"] = _("Valeur de clé illisible : %(v)s.") % {"v": value}
            continue
        if not number.is_finite() or number < 0:
            errors["key_values"] = _("Une valeur de clé est négative : %(v)s.") % {"v": value}
        clean_keys[str(org_id)] = str(number)
    if (
        method == Method.KEYS
        and key in (Key.HEADCOUNT, Key.TURNOVER, Key.SURFACE)
        and (not clean_keys or all(Decimal(v) == 0 for v in clean_keys.values()))
    ):
        errors["key_values"] = _(
            "Les valeurs de la clé sont toutes nulles : impossible de répartir."
        )
    if method == Method.FIXED_USAGE and (
        fixed_share is None or not (0 <= Decimal(fixed_share) <= 1)
    ):
        errors["fixed_share"] = _("La part fixe est comprise entre 0 et 1 (par exemple 0,3).")
    if method == Method.SHAPLEY:
        if not standalone_costs or any(int(v) < 0 for v in standalone_costs.values()):
            errors["standalone_costs"] = _("Indiquez le coût isolé (positif) de chaque membre.")
        if shared_cost_cents is None or shared_cost_cents <= 0:
            errors["shared_cost_cents"] = _("Indiquez le coût (positif) de l’option partagée.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rule, _created = AllocationRule.objects.update_or_create(
            resource=resource,
            defaults={
                "method": method,
                "key": key if method == Method.KEYS else "",
                "key_values": clean_keys,
                "fixed_share": fixed_share if method == Method.FIXED_USAGE else None,
                "measure": measure,
                "standalone_costs": {str(k): int(v) for k, v in (standalone_costs or {}).items()},
                "shared_cost_cents": shared_cost_cents if method == Method.SHAPLEY else None,
            },
        )
        audit.record(acting_user, verb="pooling.set_allocation_rule", obj=rule)
    return rule


# ------------------------------------------------------------------------------ statements


@dataclass
class Share:
    organisation: Organisation
    amount_cents: int
    key_label: str


def _number(value: Decimal) -> str:
    text = f"{value.normalize():f}" if value == value.to_integral() else f"{value:.2f}"
    return text.replace(".", ",")


def _usage(resource: Resource, period: Period, measure: str) -> dict[int, Decimal]:
    column = {Measure.HOURS: "used_hours", Measure.KM: "km", Measure.UNITS: "units"}[
        Measure(measure)
    ]
    rows = (
        Usage.objects.filter(resource=resource, day__gte=period.starts_on, day__lte=period.ends_on)
        .values("organisation_id")
        .annotate(total=Sum(column))
    )
    return {row["organisation_id"]: max(row["total"] or Decimal(0), Decimal(0)) for row in rows}


UNIT_OF = {Measure.HOURS: "h", Measure.KM: "km", Measure.UNITS: "u."}


def allocate(resource: Resource, period: Period, total: int) -> list[Share]:
    """Split `total` cents of `resource` for `period` by its rule (equal shares without one)."""
    members = members_of(resource, period.ends_on)
    if not members:
        raise ValidationError(
            {"resource": _("« %(r)s » n’a aucun membre entre qui répartir.") % {"r": resource.name}}
        )
    names = [str(o.pk) for o in members]
    rule = getattr(resource, "allocation_rule", None)
    method = rule.method if rule else Method.EQUAL
    labels: dict[str, str]
    try:
        if method == Method.EQUAL:
            shares = allocation.equal(total, names)
            labels = {n: f"1/{len(names)}" for n in names}
        elif method in (Method.USAGE, Method.FIXED_USAGE):
            assert rule is not None
            used = _usage(resource, period, rule.measure)
            usage = {n: used.get(int(n), Decimal(0)) for n in names}
            whole = sum(usage.values(), Decimal(0))
            unit = UNIT_OF[Measure(rule.measure)]
            fixed = Decimal(rule.fixed_share or 0) if method == Method.FIXED_USAGE else Decimal(0)
            shares = allocation.fixed_plus_usage(total, fixed, names, usage)
            prefix = (
                _("fixe %(f)s %% + ") % {"f": _number(fixed * 100)}
                if method == Method.FIXED_USAGE
                else ""
            )
            labels = {
                n: prefix + f"{_number(usage[n])} {unit} / {_number(whole)} {unit}" for n in names
            }
        elif method == Method.KEYS:
            assert rule is not None
            if rule.key == Key.OWNERSHIP:
                owned = {str(s.organisation_id): s.ownership_share for s in resource.shares.all()}
                keys = {n: Decimal(owned.get(n, 0)) for n in names}
            else:
                keys = {n: Decimal(rule.key_values.get(n, "0")) for n in names}
            shares = allocation.by_keys(total, keys)
            whole = sum(keys.values(), Decimal(0))
            label = Key(rule.key).label
            labels = {n: f"{label} : {_number(keys[n])} / {_number(whole)}" for n in names}
        else:
            assert rule is not None and rule.shared_cost_cents is not None
            alone = {n: int(rule.standalone_costs.get(n, 0)) for n in names}
            shared = int(rule.shared_cost_cents)

            def cost(coalition: frozenset[str]) -> int:
                if not coalition:
                    return 0
                return min(sum(alone[m] for m in coalition), shared)

            errors: dict[str, float] = {}
            if len(names) <= allocation.MAX_EXACT_MEMBERS:
                values = allocation.shapley(names, cost)
            else:  # sampled, with each estimate's standard error on the statement
                values, errors = allocation.shapley_with_error(
                    names, cost, permutations=SHAPLEY_PERMUTATIONS
                )
            if any(values.values()):
                shares = allocation.by_keys(total, {n: max(v, 0) for n, v in values.items()})
            else:
                shares = allocation.equal(total, names)
            labels = {
                n: _("Shapley %(v)s sur %(t)s")
                % {"v": euros(values[n]), "t": euros(cost(frozenset(names)))}
                + (
                    _(" (estimé sur %(p)s ordres, erreur type %(e)s)")
                    % {"p": SHAPLEY_PERMUTATIONS, "e": euros(round(errors[n]))}
                    if errors
                    else ""
                )
                for n in names
            }
    except allocation.AllocationError as exc:
        raise ValidationError({"resource": f"« {resource.name} » : {exc}"}) from exc
    return [Share(o, shares[str(o.pk)], labels[str(o.pk)]) for o in members]


def compute_statements(acting_user: User | None, *, period: Period) -> list[Statement]:
    """(Re)compute every member's statement of an open period; the lines of each resource
    add up to its cost, to the cent."""
    require_manager(acting_user, period.pole)
    with transaction.atomic():
        period = _locked(period)
        _require_open(period)
        statements = _compute(period)
        audit.record(
            acting_user,
            verb="pooling.compute_statements",
            obj=period,
            after={
                "statements": len(statements),
                "total_cents": sum(s.total_cents for s in statements),
            },
        )
    return statements


def _compute(period: Period) -> list[Statement]:
    totals = (
        Cost.objects.filter(period=period)
        .values("resource_id")
        .annotate(total=Sum("amount_cents"))
        .order_by()
    )
    by_resource = {row["resource_id"]: int(row["total"]) for row in totals}
    resources = Resource.objects.filter(pk__in=by_resource).select_related(
        "allocation_rule", "pole"
    )
    lines: dict[int, list[StatementLine]] = defaultdict(list)
    organisations: dict[int, Organisation] = {}
    for resource in resources:
        rule = getattr(resource, "allocation_rule", None)
        for share in allocate(resource, period, by_resource[resource.pk]):
            organisations[share.organisation.pk] = share.organisation
            lines[share.organisation.pk].append(
                StatementLine(
                    resource=resource,
                    method=rule.method if rule else Method.EQUAL,
                    key_label=share.key_label[:255],
                    cost_cents=by_resource[resource.pk],
                    amount_cents=share.amount_cents,
                )
            )
    Statement.objects.filter(period=period).delete()
    statements = []
    for org_id, org_lines in lines.items():
        statement = Statement.objects.create(
            period=period,
            organisation=organisations[org_id],
            total_cents=sum(line.amount_cents for line in org_lines),
        )
        for line in org_lines:
            line.statement = statement
        StatementLine.objects.bulk_create(org_lines)
        statements.append(statement)
    return statements


def close_period(acting_user: User | None, *, period: Period) -> Period:
    """Compute the statements one last time and lock the period."""
    require_manager(acting_user, period.pole)
    with transaction.atomic():
        period = Period.objects.select_for_update().get(pk=period.pk)
        _require_open(period)
        _compute(period)
        period.status = PeriodStatus.CLOSED
        period.closed_at = timezone.now()
        period.closed_by = acting_user
        period.save(update_fields=["status", "closed_at", "closed_by"])
        audit.record(
            acting_user, verb="pooling.close_period", obj=period, after={"status": "closed"}
        )
    return period


def add_adjustment(
    acting_user: User | None,
    *,
    period: Period,
    organisation: Organisation,
    amount_cents: int,
    reason: str,
    resource: Resource | None = None,
) -> Adjustment:
    """A correction of a closed period, for one member (positive: it owes more)."""
    require_manager(acting_user, period.pole)
    period = Period.objects.select_related("pole").get(pk=period.pk)  # closed since loaded?
    errors: dict[str, str] = {}
    if not period.closed:
        errors["period"] = _(
            "La période %(p)s est ouverte : modifiez-la directement, puis recalculez."
        ) % {"p": period.label}
    if not isinstance(amount_cents, int) or amount_cents == 0:
        errors["amount_cents"] = _("Le montant d’une régularisation est non nul.")
    if not reason.strip():
        errors["reason"] = _("Indiquez le motif de la régularisation.")
    if not Statement.objects.filter(period=period, organisation=organisation).exists() and not (
        period.pole.memberships.filter(organisation=organisation).exists()
    ):
        errors["organisation"] = _("%(o)s n’est pas membre du pôle.") % {"o": organisation.name}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        entry = Adjustment.objects.create(
            period=period,
            organisation=organisation,
            resource=resource,
            amount_cents=amount_cents,
            reason=reason.strip()[:255],
            created_by=acting_user,
        )
        audit.record(
            acting_user, verb="pooling.add_adjustment", obj=entry, action=AuditEntry.Action.CREATE
        )
    return entry


def period_totals(period: Period) -> dict[str, Any]:
    """What observers read: the cost per resource and the total shared (no member detail)."""
    rows = (
        Cost.objects.filter(period=period)
        .values("resource__name")
        .annotate(total=Sum("amount_cents"))
        .order_by("resource__name")
    )
    adjustments = (
        Adjustment.objects.filter(period=period).aggregate(t=Sum("amount_cents"))["t"] or 0
    )
    by_resource = [(row["resource__name"], int(row["total"])) for row in rows]
    return {
        "resources": by_resource,
        "total_cents": sum(t for _, t in by_resource),
        "adjustments_cents": int(adjustments),
    }


Formatter = Callable[[int], str]
