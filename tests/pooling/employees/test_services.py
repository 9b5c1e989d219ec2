"""Writes on a groupement d'employeurs: register, employees, plans, timesheets, invoices,
close and adjustments, with their legal checks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ptce.core.models import AuditEntry
from ptce.poles import services as pole_services
from ptce.pooling.employees import checks, exports, services
from ptce.pooling.employees.models import Invoice, MonthPeriod, Timesheet
from tests.actors import factories as actors
from tests.pooling.employees import factories
from tests.pooling.employees.factories import JOINED, MONTH

pytestmark = pytest.mark.django_db


@pytest.fixture
def ge(territory):
    return factories.build()


def test_register_derives_local_authority_from_actor_type(ge):
    flags = {m.organisation.name: m.local_authority for m in ge.group.members.all()}
    assert flags == {
        ge.orgs["scop"].name: False,
        ge.orgs["sme"].name: False,
        ge.orgs["asso"].name: False,
        ge.orgs["commune"].name: True,
    }
    assert AuditEntry.objects.filter(verb="join_employer_group").count() == 4


def test_join_refuses_non_members_duplicates_and_the_carrier(ge):
    outsider = actors.scop("Scop extérieure (fictive)")
    with pytest.raises(ValidationError) as exc:
        services.join_group(ge.coordinator, group=ge.group, organisation=outsider)
    assert "n'est pas membre du pôle" in exc.value.message_dict["organisation"][0]
    with pytest.raises(ValidationError) as exc:
        services.join_group(ge.coordinator, group=ge.group, organisation=ge.orgs["scop"])
    assert "déjà membre du groupement" in exc.value.message_dict["organisation"][0]
    with pytest.raises(ValidationError) as exc:
        services.join_group(ge.coordinator, group=ge.group, organisation=ge.carrier)
    assert "porte le groupement" in exc.value.message_dict["organisation"][0]


def test_leave_keeps_the_register_line(ge):
    member = ge.group.members.get(organisation=ge.orgs["sme"])
    services.leave_group(ge.coordinator, member=member, left_on="2026-02-01")
    assert ge.group.members.count() == 4
    assert ge.group.members.current().count() == 3
    with pytest.raises(ValidationError) as exc:
        services.leave_group(ge.coordinator, member=member, left_on="2026-03-01")
    assert "left_on" in exc.value.message_dict


def test_only_coordination_manages(ge):
    member = factories.member_of(ge, "scop", "scop@example.org")
    with pytest.raises(PermissionDenied):
        services.hire_employee(
            member,
            group=ge.group,
            person_name="Léa Petit",
            job_title="Animatrice",
            contractual_hours_per_year=800,
            hourly_cost_cents=2000,
            start_on=JOINED,
        )
    with pytest.raises(PermissionDenied):
        services.close_month(member, group=ge.group, month=MONTH)


def test_hire_validates_with_french_messages_naming_fields(ge):
    with pytest.raises(ValidationError) as exc:
        services.hire_employee(
            ge.coordinator,
            group=ge.group,
            person_name="X",
            job_title="Animatrice",
            contractual_hours_per_year="beaucoup",
            hourly_cost_cents=-5,
            start_on="2026-13-01",
        )
    errors = exc.value.message_dict
    assert set(errors) >= {
        "person_name",
        "contractual_hours_per_year",
        "hourly_cost_cents",
        "start_on",
    }
    assert "n'est pas un nombre" in errors["contractual_hours_per_year"][0]


def test_plan_and_its_checks(ge):
    lines = [
        {"organisation": ge.orgs["scop"].pk, "mode": "days_per_week", "quantity": "2"},
        {"organisation": ge.orgs["commune"].pk, "mode": "hours_per_month", "quantity": "60"},
        {
            "organisation": ge.orgs["asso"].pk,
            "mode": "season",
            "quantity": "100",
            "starts_on": "2026-06-01",
            "ends_on": "2026-08-31",
        },
    ]
    services.set_plan(ge.coordinator, employee=ge.employee, lines=lines)
    assert ge.employee.plan_lines.count() == 3
    found = {c.finding.code: c for c in checks.overview(ge.group, 2026, MONTH)}
    assert found["plan_consistency"].level == "ok"
    assert found["local_authority_time_planned"].level == "ok"  # 720 h of 1205.25
    lines[1]["quantity"] = "110"  # 1320 h for the commune: more than 3/4 of 1607 h
    services.set_plan(ge.coordinator, employee=ge.employee, lines=lines)
    found = {c.finding.code: c for c in checks.overview(ge.group, 2026, MONTH)}
    assert found["local_authority_time_planned"].level == "error"
    assert "trois quarts" in found["local_authority_time_planned"].message
    assert found["plan_consistency"].level == "error"  # 642.8 + 1320 + 100 > 1607


def test_plan_refuses_non_members_and_bad_seasons(ge):
    outsider = actors.scop("Scop extérieure (fictive)")
    with pytest.raises(ValidationError) as exc:
        services.set_plan(
            ge.coordinator,
            employee=ge.employee,
            lines=[{"organisation": outsider.pk, "mode": "days_per_week", "quantity": "1"}],
        )
    assert "lines.0.organisation" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.set_plan(
            ge.coordinator,
            employee=ge.employee,
            lines=[{"organisation": ge.orgs["scop"].pk, "mode": "season", "quantity": "10"}],
        )
    assert "saison" in exc.value.message_dict["lines.0.starts_on"][0]


def test_timesheet_refuses_implausible_hours(ge):
    services.record_timesheet(
        ge.coordinator,
        employee=ge.employee,
        organisation=ge.orgs["scop"],
        month=MONTH,
        hours="150",
    )
    with pytest.raises(ValidationError) as exc:
        services.record_timesheet(
            ge.coordinator,
            employee=ge.employee,
            organisation=ge.orgs["sme"],
            month=MONTH,
            hours="70",
        )
    assert "220,00 h" in exc.value.message_dict["hours"][0]
    assert "48 h par semaine" in exc.value.message_dict["hours"][0]
    with pytest.raises(ValidationError) as exc:
        services.record_timesheet(
            ge.coordinator,
            employee=ge.employee,
            organisation=ge.orgs["sme"],
            month=MONTH,
            hours="-2",
        )
    assert "hours" in exc.value.message_dict


def test_timesheet_outside_contract_or_membership(ge):
    with pytest.raises(ValidationError) as exc:
        services.record_timesheet(
            ge.coordinator,
            employee=ge.employee,
            organisation=ge.orgs["scop"],
            month="2024-12",
            hours="10",
        )
    assert set(exc.value.message_dict) == {"organisation", "month"}


def test_member_records_only_its_own_timesheets(ge):
    member = factories.member_of(ge, "scop", "scop@example.org")
    sheet = services.record_timesheet(
        member, employee=ge.employee, organisation=ge.orgs["scop"], month=MONTH, hours="12.5"
    )
    assert sheet.hours == Decimal("12.5") and sheet.recorded_by == member
    with pytest.raises(PermissionDenied):
        services.record_timesheet(
            member, employee=ge.employee, organisation=ge.orgs["sme"], month=MONTH, hours="3"
        )


def _month_of_timesheets(ge):
    factories.record_hours(ge, {"scop": "40.5", "sme": "33.25", "asso": "20", "commune": "41"})


def test_invoices_match_hours_times_cost_plus_overhead_to_the_cent(ge):
    _month_of_timesheets(ge)
    invoices = services.compute_invoices(ge.coordinator, group=ge.group, month=MONTH)
    assert len(invoices) == 4
    # 134.75 h x 25 EUR = 3 368.75 EUR; 8 % = 269.50 EUR
    assert sum(i.pay_cents for i in invoices) == 336_875
    assert sum(i.overhead_cents for i in invoices) == 26_950
    scop = next(i for i in invoices if i.organisation_id == ge.orgs["scop"].pk)
    assert (scop.pay_cents, scop.overhead_cents, scop.total_cents) == (101_250, 8_100, 109_350)
    assert scop.lines.get().hours == Decimal("40.5")
    # recomputing replaces the drafts
    services.compute_invoices(ge.coordinator, group=ge.group, month=MONTH)
    assert Invoice.objects.filter(group=ge.group, month=MONTH).count() == 4


def test_close_locks_and_adjustments_are_new_entries(ge):
    _month_of_timesheets(ge)
    period = services.close_month(ge.coordinator, group=ge.group, month=MONTH)
    assert period.status == MonthPeriod.Status.CLOSED
    with pytest.raises(ValidationError) as exc:
        services.record_timesheet(
            ge.coordinator,
            employee=ge.employee,
            organisation=ge.orgs["scop"],
            month=MONTH,
            hours="1",
        )
    assert "est clos" in exc.value.message_dict["month"][0]
    with pytest.raises(ValidationError):
        services.compute_invoices(ge.coordinator, group=ge.group, month=MONTH)
    invoice = Invoice.objects.get(organisation=ge.orgs["scop"], month=MONTH)
    fix = services.record_adjustment(
        ge.coordinator,
        employee=ge.employee,
        organisation=ge.orgs["scop"],
        month=MONTH,
        hours="-2.5",
        reason="Heures comptées deux fois",
    )
    assert (fix.pay_cents, fix.overhead_cents) == (-6_250, -500)
    invoice.refresh_from_db()
    assert invoice.total_cents == 109_350  # the closed invoice is not edited
    assert Timesheet.objects.get(organisation=ge.orgs["scop"], month=MONTH).hours == Decimal("40.5")
    with pytest.raises(ValidationError) as exc:
        services.record_adjustment(
            ge.coordinator,
            employee=ge.employee,
            organisation=ge.orgs["scop"],
            month=MONTH,
            hours="-40",
            reason="Trop",
        )
    assert "négatif" in exc.value.message_dict["hours"][0]


def test_adjustment_needs_a_closed_month(ge):
    with pytest.raises(ValidationError) as exc:
        services.record_adjustment(
            ge.coordinator,
            employee=ge.employee,
            organisation=ge.orgs["scop"],
            month=MONTH,
            hours="1",
            reason="Oubli",
        )
    assert "ouvert" in exc.value.message_dict["month"][0]


def test_close_blocked_when_local_authorities_exceed_half_of_members(ge):
    other = actors.commune_body("Commune voisine")
    pole_services.add_member(None, pole=ge.pole, organisation=other, joined_on=JOINED)
    services.join_group(ge.coordinator, group=ge.group, organisation=other, joined_on=JOINED)
    for key in ("sme", "asso"):
        member = ge.group.members.get(organisation=ge.orgs[key])
        services.leave_group(ge.coordinator, member=member, left_on="2026-01-31")
    with pytest.raises(ValidationError) as exc:
        services.close_month(ge.coordinator, group=ge.group, month=MONTH)
    message = exc.value.message_dict["month"][0]
    assert message.startswith("Clôture impossible")
    assert "2 sur 3 membres" in message and "moitié" in message
    assert not MonthPeriod.objects.filter(status="closed").exists()


def test_close_blocked_when_local_authority_time_exceeds_three_quarters(ge):
    services.update_employee(ge.coordinator, employee=ge.employee, contractual_hours_per_year="600")
    for month in ("2026-01", "2026-02", "2026-03"):
        services.record_timesheet(
            ge.coordinator,
            employee=ge.employee,
            organisation=ge.orgs["commune"],
            month=month,
            hours="160",
        )
    # 480 h for the commune; limit 3/4 x 600 = 450 h
    found = {c.finding.code: c for c in checks.overview(ge.group, 2026, MONTH)}
    assert found["local_authority_time_actual"].level == "error"
    services.close_month(ge.coordinator, group=ge.group, month="2026-01")  # 160 h: fine
    with pytest.raises(ValidationError) as exc:
        services.close_month(ge.coordinator, group=ge.group, month=MONTH)
    assert "trois quarts" in exc.value.message_dict["month"][0]


def test_close_refuses_a_future_month(ge):
    with pytest.raises(ValidationError) as exc:
        services.close_month(ge.coordinator, group=ge.group, month=dt.date(2099, 1, 1))
    assert "à venir" in exc.value.message_dict["month"][0]


def test_writes_are_audited_with_the_acting_user(ge):
    _month_of_timesheets(ge)
    services.close_month(ge.coordinator, group=ge.group, month=MONTH)
    verbs = set(AuditEntry.objects.filter(actor=ge.coordinator).values_list("verb", flat=True))
    assert {
        "set_up_employer_group",
        "join_employer_group",
        "hire_employee",
        "record_timesheet",
        "close_employee_month",
    } <= verbs
    entry = AuditEntry.objects.filter(verb="record_timesheet").first()
    assert entry.changes["hours"][1] in {"40.5", "40.50", "33.25", "20", "41"}


def test_adjustments_keep_the_overhead_rate_of_the_month_they_correct(territory):
    """March closed at 7 %, the group's rate raised to 12 %: March's adjustments (and its
    invoice PDF) stay at 7 %, a month closed after the change is at 12 %."""
    ge = factories.build(overhead_rate="0.07")
    factories.record_hours(ge, {"scop": "40.5", "commune": "30"})
    services.close_month(ge.coordinator, group=ge.group, month=MONTH)
    march = Invoice.objects.get(organisation=ge.orgs["scop"], month=MONTH)
    assert march.overhead_rate == Decimal("0.07")
    assert (march.pay_cents, march.overhead_cents) == (101_250, 7_088)
    services.set_up_group(ge.coordinator, pole=ge.pole, carrier=ge.carrier, overhead_rate="0.12")
    ge.group.refresh_from_db()
    ge.employee.refresh_from_db()
    assert ge.employee.group.overhead_rate == Decimal("0.12")
    fix = services.record_adjustment(
        ge.coordinator,
        employee=ge.employee,
        organisation=ge.orgs["scop"],
        month=MONTH,
        hours="3.5",
        reason="Réunion oubliée",
    )
    # 3.5 h x 25 EUR = 87.50 EUR; 7 % = 6.125 EUR -> 6.13 EUR (12 % would be 10.50 EUR)
    assert (fix.invoice_id, fix.pay_cents, fix.overhead_cents) == (march.pk, 8_750, 613)
    # a member March did not invoice: its new invoice takes March's rate too
    other = services.record_adjustment(
        ge.coordinator,
        employee=ge.employee,
        organisation=ge.orgs["sme"],
        month=MONTH,
        hours="1",
        reason="Heure non déclarée",
    )
    assert other.invoice.overhead_rate == Decimal("0.07")
    assert (other.pay_cents, other.overhead_cents) == (2_500, 175)
    march.refresh_from_db()
    assert march.overhead_rate == Decimal("0.07")
    text = exports.invoice_pdf(march, compress=False).decode("latin-1")
    assert "7,00 %" in text and "12,00 %" not in text
    april = dt.date(2026, 4, 1)
    factories.record_hours(ge, {"scop": "10"}, month=april)
    services.close_month(ge.coordinator, group=ge.group, month=april)
    new = Invoice.objects.get(organisation=ge.orgs["scop"], month=april)
    assert new.overhead_rate == Decimal("0.12")
    assert (new.pay_cents, new.overhead_cents, new.total_cents) == (25_000, 3_000, 28_000)
    assert "12,00 %" in exports.invoice_pdf(new, compress=False).decode("latin-1")
