"""Hardening of the groupement d'employeurs: a person of hub A reaches nothing of hub B's
(pages, PDF/CSV, API); bad input never gives a 500; an adjustment is invoiced at the hourly
cost of the month it corrects; list pages and API lists run a bounded number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from ptce.core.choices import Role
from ptce.pooling.employees import services
from ptce.pooling.employees.models import Adjustment, Invoice, MonthPeriod, Timesheet
from tests.api.auth import bearer
from tests.poles import factories as poles
from tests.pooling.employees import factories
from tests.pooling.employees.factories import MONTH

pytestmark = pytest.mark.django_db


def _with_invoices(ge):
    factories.invoice_hours(ge, {"scop": "40.5", "sme": "30"})


@pytest.fixture
def two(territory):
    a = factories.build("A")
    b = factories.build("B")
    _with_invoices(b)
    people = {
        "coordinator": a.coordinator,
        "member": factories.member_of(a, "scop", "a-scop@example.org"),
        "observer": poles.person("a-obs@example.org", a.pole, Role.OBSERVER),
    }
    return a, b, people


def u(ge, name, *args):
    return reverse(f"employees:{name}", args=[ge.pole.slug, *args])


def post_hours(client, ge, employee, organisation, hours, auth):
    """The API's timesheet write on `ge`'s hub, for March 2026."""
    return client.post(
        f"/api/v1/poles/{ge.pole.slug}/employees/timesheets",
        {
            "employee_id": employee.pk,
            "organisation_id": organisation.pk,
            "month": "2026-03",
            "hours": hours,
        },
        content_type="application/json",
        **auth,
    )


def test_hub_a_reaches_nothing_of_hub_b(client, two):
    a, b, people = two
    invoice = Invoice.objects.filter(group=b.group).first()
    member = b.group.members.first()
    secret = b.employee.person_name
    for who, user in people.items():
        client.force_login(user)
        for name, args in (
            ("group", ()),
            ("timesheets", ()),
            ("invoices", ()),
            ("invoices_csv", ()),
            ("register_csv", ()),
            ("invoice_pdf", (invoice.pk,)),
        ):
            response = client.get(u(b, name, *args))
            assert response.status_code in (403, 404), (who, name)
            assert secret not in response.content.decode(errors="replace")
        for name, args in (
            ("employee_edit", (b.employee.pk,)),
            ("plan", (b.employee.pk,)),
            ("leave", (member.pk,)),
            ("invoice_pdf", (invoice.pk,)),
        ):
            response = client.get(u(a, name, *args))
            assert response.status_code in (403, 404), (who, name)
            assert secret not in response.content.decode(errors="replace")
        body = client.get(u(a, "invoices_csv") + "?mois=2026-03").content.decode()
        assert b.orgs["scop"].name not in body
        response = client.post(
            u(a, "adjust"),
            {
                "mois": "2026-03",
                "employee": b.employee.pk,
                "organisation": b.orgs["scop"].pk,
                "hours": "2",
                "reason": "Tentative",
            },
        )
        assert response.status_code in (400, 403, 404), who
        # the API: B's hub is invisible; B's employee through A's hub is not found
        auth = bearer(user)
        for tail in (
            "employees",
            "employees/timesheets",
            "employees/invoices",
            "employees/register",
        ):
            response = client.get(f"/api/v1/poles/{b.pole.slug}/{tail}", **auth)
            assert response.status_code in (403, 404), (who, tail)
            assert secret not in response.content.decode()
        response = client.get(f"/api/v1/poles/{a.pole.slug}/employees/{b.employee.pk}", **auth)
        assert response.status_code in (403, 404)
        response = post_hours(client, a, b.employee, b.orgs["scop"], "1", auth)
        assert response.status_code in (403, 404)
        # A's employee for B's organisation
        response = post_hours(client, a, a.employee, b.orgs["scop"], "1", auth)
        assert response.status_code in (403, 404, 422)
    assert not Adjustment.objects.exists()
    assert not Timesheet.objects.filter(employee=a.employee).exists()
    assert Timesheet.objects.filter(employee=b.employee).count() == 2


@pytest.mark.parametrize(
    "query", ["?mois=abc", "?mois=2026-13", "?mois=9999-12", "?mois=0001-01", "?mois=-1"]
)
def test_bad_months_never_fail(client, two, query):
    a, _b, people = two
    client.force_login(people["coordinator"])
    for name in ("timesheets", "invoices", "invoices_csv"):
        assert client.get(u(a, name) + query).status_code in (200, 400), (name, query)
    response = client.get(
        f"/api/v1/poles/{a.pole.slug}/employees/invoices{query.replace('mois', 'month')}",
        **bearer(people["coordinator"]),
    )
    assert response.status_code in (200, 422), query


def test_bad_hours_in_the_grid_are_named(client, two):
    a, _b, people = two
    client.force_login(people["coordinator"])
    page = client.get(u(a, "timesheets") + "?mois=2026-03").content.decode()
    import re

    field = re.search(r'name="(h-[^"]+)"', page).group(1)
    for bad in ("abc", "-3", "1e9", "12,345"):
        response = client.post(u(a, "timesheets") + "?mois=2026-03", {field: bad})
        assert response.status_code == 400, bad
        assert "Heures" in response.content.decode() or "heure" in response.content.decode()


def test_adjustment_uses_the_hourly_cost_of_the_month_it_corrects(two):
    _a, b, _people = two
    services.close_month(b.coordinator, group=b.group, month=MONTH)
    services.update_employee(b.coordinator, employee=b.employee, hourly_cost_cents=4_000)
    entry = services.record_adjustment(
        b.coordinator,
        employee=b.employee,
        organisation=b.orgs["scop"],
        month=MONTH,
        hours=Decimal(2),
        reason="Réunion oubliée",
    )
    assert entry.hourly_cost_cents == 2_500  # March's cost, not today's 40 EUR
    assert entry.pay_cents == 5_000
    assert entry.overhead_cents == 400  # 8 % of it


def test_list_pages_and_api_lists_run_bounded_queries(client, two):
    """Every list page and API list: the same number of queries with 1 and with 9 employees
    (each with hours for three members and invoices), at most 30 / 20."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    a, _b, people = two
    _with_invoices(a)
    pages = ("group", "timesheets", "invoices", "invoices_csv", "register_csv")
    tails = ("employees", "employees/timesheets", "employees/invoices", "employees/register")

    def counts():
        found = {}
        for who, user in people.items():
            client.force_login(user)
            for name in pages:
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(u(a, name) + "?mois=2026-03")
                assert response.status_code in (200, 403), (who, name)
                found[(who, name)] = len(queries)
            for tail in tails:
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(f"/api/v1/poles/{a.pole.slug}/{tail}", **bearer(user))
                assert response.status_code in (200, 403), (who, tail)
                found[(who, tail)] = len(queries)
        return found

    small = counts()
    for i in range(8):
        employee = factories.hire(
            a,
            f"Salarié {i}",
            hours_per_year=Decimal(1607),
            hourly_cost_cents=2_000 + i,
            start_on=dt.date(2025, 1, 1),
        )
        for key in ("scop", "sme", "asso"):
            services.record_timesheet(
                a.coordinator, employee=employee, organisation=a.orgs[key], month=MONTH, hours="10"
            )
    services.compute_invoices(a.coordinator, group=a.group, month=MONTH)
    large = counts()
    grown = {k: (small[k], large[k]) for k in small if large[k] > small[k]}
    assert not grown, grown
    for key, value in large.items():
        assert value <= (20 if key[1] in tails else 30), (key, value)
    assert MonthPeriod.objects.filter(group=a.group).exists()


def test_a_closed_month_s_grid_is_read_only(client, two):
    _a, b, _people = two
    services.close_month(b.coordinator, group=b.group, month=MONTH)
    client.force_login(b.coordinator)
    page = client.get(u(b, "timesheets") + "?mois=2026-03").content.decode()
    assert page.count(" disabled") >= 2 and "Enregistrer les heures" not in page
    field = f"h-{b.employee.pk}-{b.orgs['scop'].pk}"
    client.post(u(b, "timesheets") + "?mois=2026-03", {field: "99"})
    sheet = Timesheet.objects.get(employee=b.employee, organisation=b.orgs["scop"])
    assert sheet.hours == Decimal("40.5")


def test_plan_modes_agree_with_the_quantity(client, two):
    _a, b, _people = two
    services.set_plan(
        b.coordinator,
        employee=b.employee,
        lines=[
            {"organisation": b.orgs["scop"].pk, "mode": "days_per_week", "quantity": "1"},
            {"organisation": b.orgs["sme"].pk, "mode": "days_per_week", "quantity": "2"},
            {"organisation": b.orgs["asso"].pk, "mode": "hours_per_month", "quantity": "1.5"},
        ],
    )
    client.force_login(b.coordinator)
    body = client.get(u(b, "group")).content.decode()
    assert "1 jour par semaine" in body and "2 jours par semaine" in body
    assert "1,50 heure par mois" in body and "1 jours" not in body


GARBAGE = ["", "abc", "-1", "0", "1e400", "99999999999999999999", "2026-02-30", "nan"]


def test_no_form_of_the_ge_fails_on_garbage(client, two):
    import re

    _a, b, _people = two
    services.close_month(b.coordinator, group=b.group, month=MONTH)
    member = b.group.members.first()
    client.force_login(b.coordinator)
    forms = [
        (u(b, "setup"), u(b, "setup")),
        (u(b, "group"), u(b, "join")),
        (u(b, "leave", member.pk), u(b, "leave", member.pk)),
        (u(b, "employee_new"), u(b, "employee_new")),
        (u(b, "employee_edit", b.employee.pk), u(b, "employee_edit", b.employee.pk)),
        (u(b, "plan", b.employee.pk), u(b, "plan", b.employee.pk)),
        (u(b, "timesheets") + "?mois=2026-04", u(b, "timesheets") + "?mois=2026-04"),
        (u(b, "invoices") + "?mois=2026-03", u(b, "adjust")),
        (u(b, "invoices") + "?mois=2026-03", u(b, "invoices_action", "calcul")),
        (u(b, "invoices") + "?mois=2026-03", u(b, "invoices_action", "cloture")),
    ]
    for page, target in forms:
        html = client.get(page).content.decode()
        names = sorted(
            set(re.findall(r'name="([^"]+)"', html)) - {"csrfmiddlewaretoken", "language"}
        )
        for value in GARBAGE:
            response = client.post(target, dict.fromkeys(names, value))
            assert response.status_code in (200, 302, 400, 403, 404), (target, value)


def test_the_api_refuses_garbage_hours_in_french(client, two):
    _a, b, _people = two
    for value in ("abc", "-1", "1e400", "99999999999999999999", "nan", "0.001"):
        response = post_hours(client, b, b.employee, b.orgs["scop"], value, bearer(b.coordinator))
        assert response.status_code == 422, (value, response.content)
        assert (
            "hours" in response.content.decode().lower()
            or "heures" in response.json()["detail"].lower()
        )


def test_invoices_page_shows_the_rate_a_closed_month_was_invoiced_at(client, two):
    _a, b, _people = two
    services.close_month(b.coordinator, group=b.group, month=MONTH)
    services.set_up_group(b.coordinator, pole=b.pole, carrier=b.carrier, overhead_rate="0.12")
    client.force_login(b.coordinator)
    march = client.get(u(b, "invoices") + "?mois=2026-03").content.decode()
    assert "frais de gestion 8" in march and "frais de gestion 12" not in march
    april = client.get(u(b, "invoices") + "?mois=2026-04").content.decode()
    assert "frais de gestion 12" in april  # an open month: the group's current rate
