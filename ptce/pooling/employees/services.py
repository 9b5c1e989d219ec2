"""Writes on a hub's groupement d'employeurs: the group, its register, employees, plans;
and, re-exported from `months`, timesheets, monthly invoices, month close and adjustments.

Every function checks the acting user's permission (None = the system), validates with a
French message naming the field, runs in a transaction and records an audit entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ptce.actors.models import ActorType, Organisation
from ptce.core import audit
from ptce.core.models import AuditEntry, User
from ptce.poles.models import Pole
from ptce.pooling.employees import rules
from ptce.pooling.employees.common import (  # noqa: F401 - parse_month re-exported
    decimal,
    is_local_authority,
    parse_day,
    parse_month,
    require_manager,
)
from ptce.pooling.employees.models import (
    Employee,
    EmployerGroup,
    GroupMember,
    PlanMode,
    TimeSharePlanLine,
)
from ptce.pooling.employees.months import (  # noqa: F401 - re-exported: the services of a GE
    close_month,
    compute_invoices,
    may_record_for,
    record_adjustment,
    record_timesheet,
)

MAX_DAYS_PER_WEEK = Decimal(6)
MAX_OVERHEAD_RATE = Decimal(1)
MAX_HOURLY_COST_CENTS = 100_000  # 1 000 EUR an hour: beyond, a typo


# --------------------------------------------------------------------- group


def set_up_group(
    acting_user: User | None,
    *,
    pole: Pole,
    carrier: Organisation,
    name: str = "",
    overhead_rate: Decimal | str | int = 0,
) -> EmployerGroup:
    """Create (or change) the hub's GE: the organisation that employs, and its overhead rate
    (a share of the pay, from 0 to 1: 0.08 = 8 %)."""
    require_manager(acting_user, pole)
    rate = decimal(overhead_rate, "overhead_rate", _("Taux de frais de gestion"))
    errors: dict[str, str] = {}
    if rate < 0 or rate > MAX_OVERHEAD_RATE:
        errors["overhead_rate"] = _(
            "Taux de frais de gestion : entre 0 et 1 (0,08 pour 8 %%), pas %(v)s."
        ) % {"v": rate}
    elif rate != rate.quantize(Decimal("0.0001")):
        errors["overhead_rate"] = _("Taux de frais de gestion : au plus 4 décimales.")
    kind = carrier.actor_type
    if kind in {ActorType.LOCAL_AUTHORITY, ActorType.PUBLIC_BODY, ActorType.PERSON}:
        errors["carrier"] = _(
            "Structure employeuse : un groupement d'employeurs est une association ou une "
            "coopérative, pas « %(v)s »."
        ) % {"v": carrier.get_actor_type_display()}
    name = (name or "").strip() or _("Groupement d'employeurs %(p)s") % {"p": pole.name}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        group = EmployerGroup.objects.select_for_update().filter(pole=pole).first()
        before = audit.snapshot(group) if group else {}
        if group is None:
            group = EmployerGroup(pole=pole)
        group.carrier = carrier
        group.name = name[:200]
        group.overhead_rate = rate
        group.save()
        audit.record(
            acting_user,
            verb="set_up_employer_group",
            obj=group,
            action=AuditEntry.Action.UPDATE if before else AuditEntry.Action.CREATE,
            before=before,
        )
    return group


def join_group(
    acting_user: User | None,
    *,
    group: EmployerGroup,
    organisation: Organisation,
    joined_on: dt.date | str | None = None,
) -> GroupMember:
    """Enter an organisation (a current member of the hub) in the GE's register."""
    pole = group.pole
    require_manager(acting_user, pole)
    day = parse_day(joined_on, "joined_on") if joined_on else timezone.localdate()
    errors: dict[str, str] = {}
    if not pole.memberships.current().filter(organisation=organisation).exists():
        errors["organisation"] = _(
            "%(org)s n'est pas membre du pôle : seuls ses membres adhèrent au groupement."
        ) % {"org": organisation.name}
    elif organisation.pk == group.carrier_id:
        errors["organisation"] = _(
            "%(org)s porte le groupement : elle en est l'employeur, pas un membre utilisateur."
        ) % {"org": organisation.name}
    elif group.members.current().filter(organisation=organisation).exists():
        errors["organisation"] = _("%(org)s est déjà membre du groupement.") % {
            "org": organisation.name
        }
    last_left = (
        group.members.filter(organisation=organisation, left_on__isnull=False)
        .order_by("-left_on")
        .values_list("left_on", flat=True)
        .first()
    )
    if last_left is not None and day < last_left:
        errors["joined_on"] = _(
            "Date d'entrée : %(org)s est sortie du groupement le %(d)s ; une nouvelle entrée "
            "vient après."
        ) % {"org": organisation.name, "d": last_left.strftime("%d/%m/%Y")}
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            member = GroupMember.objects.create(
                group=group,
                organisation=organisation,
                local_authority=is_local_authority(pole, organisation),
                joined_on=day,
            )
            audit.record(
                acting_user, verb="join_employer_group", obj=member, action=AuditEntry.Action.CREATE
            )
    except IntegrityError:
        raise ValidationError(
            {
                "organisation": _("%(org)s est déjà membre du groupement.")
                % {"org": organisation.name}
            }
        ) from None
    return member


def leave_group(
    acting_user: User | None, *, member: GroupMember, left_on: dt.date | str | None = None
) -> GroupMember:
    """Record an organisation's exit in the register (the line is kept: joint liability)."""
    require_manager(acting_user, member.group.pole)
    day = parse_day(left_on, "left_on") if left_on else timezone.localdate()
    if member.left_on is not None:
        raise ValidationError({"left_on": _("Ce membre est déjà sorti du groupement.")})
    if day < member.joined_on:
        raise ValidationError(
            {
                "left_on": _("Date de sortie : elle ne peut précéder l'entrée (%(d)s).")
                % {"d": member.joined_on.strftime("%d/%m/%Y")}
            }
        )
    with transaction.atomic():
        before = audit.snapshot(member)
        member.left_on = day
        member.save(update_fields=["left_on"])
        audit.record(acting_user, verb="leave_employer_group", obj=member, before=before)
    return member


# ----------------------------------------------------------------- employees


def _employee_values(values: Mapping[str, Any], current: Employee | None) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field, label in (("person_name", _("Nom")), ("job_title", _("Poste"))):
        if field in values:
            text = (values[field] or "").strip()
            if len(text) < 2:
                errors[field] = _("%(label)s : au moins 2 caractères.") % {"label": label}
            cleaned[field] = text[:200]
    if "contractual_hours_per_year" in values:
        try:
            hours = decimal(
                values["contractual_hours_per_year"],
                "contractual_hours_per_year",
                _("Heures contractuelles par an"),
            )
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
        else:
            if hours <= 0 or hours > rules.FULL_TIME_HOURS_PER_YEAR * 2:
                errors["contractual_hours_per_year"] = _(
                    "Heures contractuelles par an : entre 0 et %(max)s heures."
                ) % {"max": rules.FULL_TIME_HOURS_PER_YEAR * 2}
            cleaned["contractual_hours_per_year"] = hours.quantize(Decimal("0.01"))
    if "hourly_cost_cents" in values:
        cost = values["hourly_cost_cents"]
        if (
            not isinstance(cost, int)
            or isinstance(cost, bool)
            or not 0 < cost <= MAX_HOURLY_COST_CENTS
        ):
            errors["hourly_cost_cents"] = _(
                "Coût horaire chargé : un nombre entier de centimes entre 1 et %(max)s."
            ) % {"max": MAX_HOURLY_COST_CENTS}
        cleaned["hourly_cost_cents"] = cost
    for field in ("start_on", "end_on"):
        if field in values:
            try:
                cleaned[field] = parse_day(values[field], field) if values[field] else None
            except ValidationError as exc:
                errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if "start_on" in cleaned and cleaned["start_on"] is None:
        errors["start_on"] = _("Date d'embauche : obligatoire.")
    start = cleaned.get("start_on", current.start_on if current else None)
    end = cleaned.get("end_on", current.end_on if current else None)
    if start and end and end < start and "end_on" not in errors:
        errors["end_on"] = _("Fin du contrat : elle ne peut précéder l'embauche.")
    if errors:
        raise ValidationError(errors)
    return cleaned


def hire_employee(
    acting_user: User | None,
    *,
    group: EmployerGroup,
    person_name: str,
    job_title: str,
    contractual_hours_per_year: Decimal | str | int,
    hourly_cost_cents: int,
    start_on: dt.date | str,
    end_on: dt.date | str | None = None,
) -> Employee:
    require_manager(acting_user, group.pole)
    values = _employee_values(
        {
            "person_name": person_name,
            "job_title": job_title,
            "contractual_hours_per_year": contractual_hours_per_year,
            "hourly_cost_cents": hourly_cost_cents,
            "start_on": start_on,
            "end_on": end_on,
        },
        None,
    )
    with transaction.atomic():
        employee = Employee.objects.create(group=group, **values)
        audit.record(
            acting_user, verb="hire_employee", obj=employee, action=AuditEntry.Action.CREATE
        )
    return employee


def update_employee(acting_user: User | None, *, employee: Employee, **values: Any) -> Employee:
    """Change an employee's name, job, contractual hours, cost or dates (closed months keep
    the cost they were invoiced with)."""
    require_manager(acting_user, employee.group.pole)
    allowed = {
        "person_name",
        "job_title",
        "contractual_hours_per_year",
        "hourly_cost_cents",
        "start_on",
        "end_on",
    }
    unknown = set(values) - allowed
    if unknown:
        raise ValidationError({next(iter(unknown)): _("Champ inconnu.")})
    cleaned = _employee_values(values, employee)
    with transaction.atomic():
        before = audit.snapshot(employee)
        for field, value in cleaned.items():
            setattr(employee, field, value)
        employee.save()
        audit.record(acting_user, verb="update_employee", obj=employee, before=before)
    return employee


def end_employee(
    acting_user: User | None, *, employee: Employee, end_on: dt.date | str
) -> Employee:
    """End an employee's contract (the employee and their history stay)."""
    if not end_on:
        raise ValidationError({"end_on": _("Fin du contrat : indiquez une date.")})
    return update_employee(acting_user, employee=employee, end_on=end_on)


def set_plan(
    acting_user: User | None, *, employee: Employee, lines: Sequence[Mapping[str, Any]]
) -> list[TimeSharePlanLine]:
    """Replace the employee's plan: lines of {organisation, mode, quantity, starts_on,
    ends_on}. Each organisation must be a member of the GE."""
    group = employee.group
    require_manager(acting_user, group.pole)
    members = {m.organisation_id: m for m in group.members.current().select_related("organisation")}
    built: list[TimeSharePlanLine] = []
    for i, raw in enumerate(lines):
        field = f"lines.{i}"
        organisation = raw.get("organisation")
        org_id = organisation.pk if isinstance(organisation, Organisation) else organisation
        if org_id not in members:
            raise ValidationError(
                {
                    f"{field}.organisation": _(
                        "Ligne %(n)s : ce n'est pas un membre du groupement."
                    )
                    % {"n": i + 1}
                }
            )
        mode = raw.get("mode")
        if mode not in PlanMode.values:
            raise ValidationError(
                {
                    f"{field}.mode": _("Ligne %(n)s : mode inconnu « %(v)s ».")
                    % {"n": i + 1, "v": mode}
                }
            )
        quantity = decimal(raw.get("quantity"), f"{field}.quantity", _("Quantité"))
        starts = parse_day(raw["starts_on"], f"{field}.starts_on") if raw.get("starts_on") else None
        ends = parse_day(raw["ends_on"], f"{field}.ends_on") if raw.get("ends_on") else None
        problem = None
        if quantity <= 0 or quantity != quantity.quantize(Decimal("0.01")):
            problem = _("Ligne %(n)s : quantité positive, au plus 2 décimales.")
        elif mode == PlanMode.DAYS_PER_WEEK and quantity > MAX_DAYS_PER_WEEK:
            problem = _("Ligne %(n)s : au plus 6 jours par semaine.")
        elif mode == PlanMode.HOURS_PER_MONTH and quantity > rules.MAX_HOURS_PER_MONTH:
            problem = _("Ligne %(n)s : au plus %(max)s heures par mois (48 h par semaine).")
        if problem:
            raise ValidationError(
                {f"{field}.quantity": problem % {"n": i + 1, "max": rules.MAX_HOURS_PER_MONTH}}
            )
        if mode == PlanMode.SEASON and (starts is None or ends is None):
            raise ValidationError(
                {
                    f"{field}.starts_on": _(
                        "Ligne %(n)s : une saison a une date de début et de fin."
                    )
                    % {"n": i + 1}
                }
            )
        if starts and ends and ends < starts:
            raise ValidationError(
                {f"{field}.ends_on": _("Ligne %(n)s : la fin précède le début.") % {"n": i + 1}}
            )
        built.append(
            TimeSharePlanLine(
                employee=employee,
                organisation_id=org_id,
                mode=mode,
                quantity=quantity,
                starts_on=starts,
                ends_on=ends,
            )
        )
    with transaction.atomic():
        before = {"lines": [_plan_text(x) for x in employee.plan_lines.all()]}
        employee.plan_lines.all().delete()
        created = TimeSharePlanLine.objects.bulk_create(built)
        audit.record(
            acting_user,
            verb="set_time_share_plan",
            obj=employee,
            before=before,
            after={"lines": [_plan_text(x) for x in created]},
        )
    return created


def _plan_text(line: TimeSharePlanLine) -> str:
    return f"{line.organisation_id}:{line.mode}:{line.quantity}:{line.starts_on}:{line.ends_on}"
