"""Allocation rules, statements and their closing: every resource's cost for a period is
split between the organisations that share it (`ptce.pooling.allocation`, in integer cents
that add up exactly to the cost); closing computes a period one last time and locks it;
later corrections are `Adjustment` entries, never edits."""

from __future__ import annotations

from collections import defaultdict
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
from ptce.pooling import allocation, keys
from ptce.pooling.costs import euros
from ptce.pooling.models import (
    Adjustment,
    AllocationRule,
    Cost,
    Key,
    Measure,
    Method,
    Period,
    PeriodStatus,
    Resource,
    Statement,
    StatementLine,
    Usage,
)
from ptce.pooling.periods import locked, require_open
from ptce.pooling.resources import hub_organisation_ids, members_of, require_manager

SHAPLEY_PERMUTATIONS = 2000


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
    if method == Method.FIXED_USAGE:
        share = Decimal(fixed_share) if fixed_share is not None else None
        if share is None or not share.is_finite() or not (0 <= share <= 1):
            errors["fixed_share"] = _("La part fixe est comprise entre 0 et 1 (par exemple 0,3).")
        elif share != share.quantize(Decimal("0.001")):
            errors["fixed_share"] = _("La part fixe a au plus 3 décimales (par exemple 0,125).")
    known = {str(i) for i in hub_organisation_ids(resource.pole)} | {
        str(s.organisation_id) for s in resource.shares.all()
    }
    strangers = sorted(
        str(k) for k in [*(key_values or {}), *(standalone_costs or {})] if str(k) not in known
    )
    if strangers:
        errors["key_values" if method == Method.KEYS else "standalone_costs"] = _(
            "Ces identifiants ne sont pas des membres du pôle : %(i)s."
        ) % {"i": ", ".join(strangers)}
    if method == Method.SHAPLEY:
        if not standalone_costs or any(
            not 0 <= int(v) <= allocation.MAX_COST_CENTS for v in standalone_costs.values()
        ):
            errors["standalone_costs"] = _(
                "Indiquez le coût isolé (positif, en centimes, au plus %(max)s) de chaque membre."
            ) % {"max": euros(allocation.MAX_COST_CENTS)}
        if shared_cost_cents is None or not 0 < shared_cost_cents <= allocation.MAX_COST_CENTS:
            errors["shared_cost_cents"] = _(
                "Indiquez le coût (positif, au plus %(max)s) de l’option partagée."
            ) % {"max": euros(allocation.MAX_COST_CENTS)}
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
    key_label: str  # French, for the exports
    key_params: dict[str, Any] = field(default_factory=dict)  # `ptce.pooling.keys`


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
    """Split `total` cents of `resource` for `period` by its rule (equal shares without one).
    Each share carries its key: figures (`key_params`, written at display in the reader's
    language by `ptce.pooling.keys`) and the French text (`key_label`)."""
    members = members_of(resource, period.ends_on)
    if not members:
        raise ValidationError(
            {"resource": _("« %(r)s » n’a aucun membre entre qui répartir.") % {"r": resource.name}}
        )
    names = [str(o.pk) for o in members]
    rule = getattr(resource, "allocation_rule", None)
    method = rule.method if rule else Method.EQUAL
    params: dict[str, dict[str, Any]]
    try:
        if method == Method.EQUAL:
            shares = allocation.equal(total, names)
            params = {n: {"members": len(names)} for n in names}
        elif method in (Method.USAGE, Method.FIXED_USAGE):
            assert rule is not None
            used = _usage(resource, period, rule.measure)
            usage = {n: used.get(int(n), Decimal(0)) for n in names}
            whole = sum(usage.values(), Decimal(0))
            fixed = Decimal(rule.fixed_share or 0) if method == Method.FIXED_USAGE else Decimal(0)
            shares = allocation.fixed_plus_usage(total, fixed, names, usage)
            base = {"measure": str(rule.measure), "whole": keys.figure(whole)}
            if method == Method.FIXED_USAGE:
                base["fixed"] = keys.figure(fixed * 100)
            params = {n: {**base, "used": keys.figure(usage[n])} for n in names}
        elif method == Method.KEYS:
            assert rule is not None
            if rule.key == Key.OWNERSHIP:
                owned = {str(s.organisation_id): s.ownership_share for s in resource.shares.all()}
                values = {n: Decimal(owned.get(n, 0)) for n in names}
            else:
                values = {n: Decimal(rule.key_values.get(n, "0")) for n in names}
            shares = allocation.by_keys(total, values)
            whole = sum(values.values(), Decimal(0))
            params = {
                n: {
                    "key": str(rule.key),
                    "value": keys.figure(values[n]),
                    "whole": keys.figure(whole),
                }
                for n in names
            }
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
                shapley = allocation.shapley(names, cost)
            else:  # sampled, with each estimate's standard error on the statement
                shapley, errors = allocation.shapley_with_error(
                    names, cost, permutations=SHAPLEY_PERMUTATIONS
                )
            if any(shapley.values()):
                shares = allocation.by_keys(total, {n: max(v, 0) for n, v in shapley.items()})
            else:
                shares = allocation.equal(total, names)
            grand = cost(frozenset(names))
            params = {
                n: {
                    "value": int(shapley[n]),
                    "total": grand,
                    **(
                        {"permutations": SHAPLEY_PERMUTATIONS, "error": round(errors[n])}
                        if errors
                        else {}
                    ),
                }
                for n in names
            }
    except allocation.AllocationError as exc:
        raise ValidationError({"resource": f"« {resource.name} » : {exc}"}) from exc
    return [
        Share(
            o,
            shares[str(o.pk)],
            keys.french_label(method, params[str(o.pk)]),
            params[str(o.pk)],
        )
        for o in members
    ]


def compute_statements(acting_user: User | None, *, period: Period) -> list[Statement]:
    """(Re)compute every member's statement of an open period; the lines of each resource
    add up to its cost, to the cent."""
    require_manager(acting_user, period.pole)
    with transaction.atomic():
        period = locked(period)
        require_open(period)
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
                    key_params=share.key_params,
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
        require_open(period)
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
    elif abs(amount_cents) > allocation.MAX_COST_CENTS:
        errors["amount_cents"] = _("Le montant d’une régularisation est au plus %(max)s.") % {
            "max": euros(allocation.MAX_COST_CENTS)
        }
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
