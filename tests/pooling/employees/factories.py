"""A hub with a groupement d'employeurs, built through the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from ptce.actors.models import Affiliation, Organisation
from ptce.core.choices import Role
from ptce.core.models import User
from ptce.poles import services as pole_services
from ptce.poles.models import Pole
from ptce.pooling.employees import services
from ptce.pooling.employees.models import Employee, EmployerGroup
from tests.actors import factories as actors
from tests.poles import factories as poles

JOINED = dt.date(2025, 1, 1)
MONTH = dt.date(2026, 3, 1)


@dataclass
class GE:
    pole: Pole
    group: EmployerGroup
    coordinator: User
    carrier: Organisation
    orgs: dict[str, Organisation]
    employee: Employee
    people: dict[str, User] = field(default_factory=dict)


def build(prefix: str = "", *, overhead_rate: str = "0.08") -> GE:
    """A hub (coordinator, GE carried by an association), members: a SCOP, an SME, an
    association and a commune (local authority); one employee at 1 607 h, 25 EUR an hour."""
    coordinator = poles.person(f"coord{prefix}@example.org")
    pole = poles.pole(f"Pôle {prefix} GE (fictif)", coordinator=coordinator)
    carrier = actors.association(f"Groupement d'employeurs {prefix} (fictif)")
    orgs = {
        "scop": actors.scop(f"Scop {prefix} (fictive)"),
        "sme": actors.sme(f"Menuiserie {prefix} SARL (fictive)"),
        "asso": actors.association(f"Association {prefix} (fictive)"),
        "commune": actors.commune_body(f"Commune {prefix}"),
    }
    for org in (carrier, *orgs.values()):
        pole_services.add_member(None, pole=pole, organisation=org, joined_on=JOINED)
    group = services.set_up_group(
        coordinator, pole=pole, carrier=carrier, overhead_rate=overhead_rate
    )
    for org in orgs.values():
        services.join_group(coordinator, group=group, organisation=org, joined_on=JOINED)
    employee = services.hire_employee(
        coordinator,
        group=group,
        person_name="Camille Martin",
        job_title="Comptable",
        contractual_hours_per_year=Decimal(1607),
        hourly_cost_cents=2_500,
        start_on=JOINED,
    )
    return GE(pole, group, coordinator, carrier, orgs, employee)


def hire(
    ge: GE,
    person_name: str,
    *,
    hours_per_year: Decimal | str | int,
    hourly_cost_cents: int,
    start_on: dt.date | str = JOINED,
    job_title: str = "Agent",
) -> Employee:
    """One more employee of the GE, hired by its coordinator (values passed as given)."""
    return services.hire_employee(
        ge.coordinator,
        group=ge.group,
        person_name=person_name,
        job_title=job_title,
        contractual_hours_per_year=hours_per_year,
        hourly_cost_cents=hourly_cost_cents,
        start_on=start_on,
    )


def record_hours(ge: GE, hours: dict[str, str], *, month: dt.date = MONTH) -> None:
    """The coordinator records the employee's hours for each member (key of `ge.orgs`)."""
    for key, value in hours.items():
        services.record_timesheet(
            ge.coordinator,
            employee=ge.employee,
            organisation=ge.orgs[key],
            month=month,
            hours=value,
        )


def invoice_hours(ge: GE, hours: dict[str, str], *, month: dt.date = MONTH) -> None:
    """`record_hours`, then the month's invoices computed."""
    record_hours(ge, hours, month=month)
    services.compute_invoices(ge.coordinator, group=ge.group, month=month)


def member_of(ge: GE, org_key: str, email: str, role: str = Role.MEMBER) -> User:
    """A person with a role on the hub who speaks for one member organisation."""
    user = poles.person(email, ge.pole, role)
    Affiliation.objects.create(user=user, organisation=ge.orgs[org_key])
    return user
