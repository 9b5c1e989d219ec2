"""The demo GE of "Pôle Sud / Groupe Archer": a shared employee split between four members,
last month's timesheets and invoices that match to the cent; the demo member sees its own
invoice; idempotent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ptce.core.models import User
from ptce.poles import demo as poles_demo
from ptce.pooling.employees import demo, queries, rules
from ptce.pooling.employees.models import EmployerGroup, MonthPeriod, Timesheet
from tests.poles.test_demo import real_territory  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def test_demo_group_invoices_match_to_the_cent(real_territory):  # noqa: F811
    poles_demo.build(generated_hubs=0)
    created = demo.build()
    assert created["salariés partagés"] == 1
    group = EmployerGroup.objects.get(pole__slug=demo.HUB)
    assert group.carrier.name.startswith("Boutique coopérative")
    register = list(group.members.all())
    assert len(register) == 4
    assert [m.local_authority for m in register].count(True) == 1
    employee = group.employees.get()
    assert employee.plan_lines.count() == 4
    period = MonthPeriod.objects.get(group=group)
    assert period.closed
    sheets = Timesheet.objects.filter(month=period.month)
    hours = sum((s.hours for s in sheets), Decimal(0))
    assert hours == Decimal("133.50")
    pay = rules.pay_cents(hours, employee.hourly_cost_cents)
    expected = pay + rules.overhead_cents(pay, group.overhead_rate)
    invoices = list(group.invoices.filter(month=period.month))
    assert len(invoices) == 4
    assert sum(i.total_cents for i in invoices) == expected == 376_397
    member = User.objects.get(email=f"membre.archer@{poles_demo.DEMO_DOMAIN}")
    own = queries.invoices(member, group, period.month)
    assert [i.organisation.name for i in own] == [
        "Atelier coopératif de la chaussure romanaise (fictif)"
    ]
    assert demo.build() == {}  # idempotent
    assert EmployerGroup.objects.count() == 1
