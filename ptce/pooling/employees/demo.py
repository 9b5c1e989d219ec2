"""Demo data: the groupement d'employeurs of "Pôle Sud / Groupe Archer" (Romans-sur-Isère),
the hub whose room and van `ptce.pooling.demo` shares.

The hub's cooperative shop (a SCIC) carries the GE and employs a shared administrative and
payroll officer, split between four members: the shoemaking SCOP (the one the demo member
account speaks for, so it sees its own timesheets and invoice), the insertion workshop, an
ESS company and the Commune de Romans-sur-Isère, a local authority. Last month's timesheets
are recorded, invoiced at cost plus 7 % overhead and the month is closed; the invoices add
up to the cent to hours x hourly cost + overhead.

Idempotent: nothing is done when the hub already has its GE, or when the hub is missing
(run `ptce load-demo` first, which builds the hubs before this).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from ptce.poles.models import Pole
from ptce.pooling.employees import rules, services
from ptce.pooling.employees.models import EmployerGroup

HUB = "pole-sud-groupe-archer"
CARRIER = "Boutique coopérative des savoir-faire romanais"
# (start of the member's name, plan line, hours worked last month)
MEMBERS: tuple[tuple[str, dict[str, Any], str], ...] = (
    ("Atelier coopératif de la chaussure", {"mode": "days_per_week", "quantity": "2"}, "56.00"),
    ("Atelier d'insertion cuir", {"mode": "days_per_week", "quantity": "1"}, "28.50"),
    ("Semelle circulaire", {"mode": "hours_per_month", "quantity": "20"}, "21.25"),
    ("Commune de Romans", {"mode": "days_per_week", "quantity": "1"}, "27.75"),
)
GE_SINCE = dt.date(2024, 1, 1)


def _organisation(pole: Pole, start: str) -> Any:
    membership = (
        pole.memberships.current()
        .select_related("organisation")
        .filter(organisation__name__startswith=start)
        .first()
    )
    return membership


@transaction.atomic
def build() -> dict[str, int]:
    """Create the demo GE if missing; returns what was created."""
    pole = Pole.objects.filter(slug=HUB).first()
    if pole is None or EmployerGroup.objects.filter(pole=pole).exists():
        return {}
    carrier = _organisation(pole, CARRIER)
    if carrier is None:
        return {}
    group = services.set_up_group(
        None,
        pole=pole,
        carrier=carrier.organisation,
        name="Groupement d'employeurs des métiers du cuir romanais (fictif)",
        overhead_rate=Decimal("0.07"),
    )
    last_month = rules.month_start(rules.month_start(timezone.localdate()) - dt.timedelta(days=1))
    employee = services.hire_employee(
        None,
        group=group,
        person_name="Nadia Lefebvre (fictive)",
        job_title="Gestionnaire administrative et paie",
        contractual_hours_per_year=Decimal(1607),
        hourly_cost_cents=2_635,
        start_on=GE_SINCE,
    )
    lines = []
    sheets = []
    for start, line, hours in MEMBERS:
        membership = _organisation(pole, start)
        if membership is None:
            continue
        services.join_group(
            None,
            group=group,
            organisation=membership.organisation,
            joined_on=max(membership.joined_on, GE_SINCE),
        )
        lines.append({"organisation": membership.organisation_id, **line})
        sheets.append((membership.organisation, hours))
    services.set_plan(None, employee=employee, lines=lines)
    for organisation, hours in sheets:
        services.record_timesheet(
            None, employee=employee, organisation=organisation, month=last_month, hours=hours
        )
    services.close_month(None, group=group, month=last_month)
    return {
        "groupements d'employeurs": 1,
        "salariés partagés": 1,
        "relevés d'heures": len(sheets),
        "factures": group.invoices.count(),
    }
