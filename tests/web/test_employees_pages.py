"""Pages of the groupement d'employeurs: who sees what, the legal checks, the timesheet grid,
invoices with PDF and CSV, close and adjustments, forms that keep the input."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ptce.core.choices import Role
from ptce.pooling.employees import services
from ptce.pooling.employees.models import MonthPeriod, Timesheet
from tests.poles import factories as poles
from tests.pooling.employees import factories
from tests.pooling.employees.factories import MONTH

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(territory):
    ge = factories.build("A")
    other = factories.build("B")
    services.set_plan(
        ge.coordinator,
        employee=ge.employee,
        lines=[
            {"organisation": ge.orgs["scop"].pk, "mode": "days_per_week", "quantity": "2"},
            {"organisation": ge.orgs["commune"].pk, "mode": "hours_per_month", "quantity": "50"},
        ],
    )
    factories.invoice_hours(ge, {"scop": "40.5", "commune": "30"})
    people = {
        "coordinator": ge.coordinator,
        "scop": factories.member_of(ge, "scop", "scop@example.org"),
        "observer": poles.person("observer@example.org", ge.pole, Role.OBSERVER),
        "other_hub": other.coordinator,
    }
    return ge, people


def u(ge, name, *args):
    return reverse(f"employees:{name}", args=[ge.pole.slug, *args])


def test_anonymous_is_sent_to_sign_in(client, world):
    ge, _ = world
    response = client.get(u(ge, "group"))
    assert response.status_code == 302
    assert u(ge, "group") in response["Location"]


@pytest.mark.parametrize(
    "name", ["group", "timesheets", "invoices", "register_csv", "invoices_csv"]
)
def test_other_hubs_see_nothing(client, world, name):
    ge, people = world
    client.force_login(people["other_hub"])
    assert client.get(u(ge, name)).status_code == 403


def test_ge_page_for_the_coordinator(client, world, parse, django_assert_max_num_queries):
    ge, people = world
    client.force_login(people["coordinator"])
    with django_assert_max_num_queries(25):
        response = client.get(u(ge, "group"))
    assert response.status_code == 200
    page = parse(response)
    register = page.by_id("register")
    assert ge.orgs["commune"].name in register.text and "collectivité" in register.text
    checks = page.by_id("legal-checks").text
    assert "1 sur 4 membres" in checks
    assert "Camille Martin" in response.content.decode()
    assert page.find_all("a", href=u(ge, "plan", ge.employee.pk))
    nav = [
        a for a in page.find_all("a", href=u(ge, "group")) if a.attrs.get("aria-current") == "page"
    ]
    assert nav


def test_ge_page_for_an_observer_shows_totals_not_employees(client, world, parse):
    ge, people = world
    client.force_login(people["observer"])
    response = client.get(u(ge, "group"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Camille Martin" not in body
    assert parse(response).by_id("month-totals") is not None
    assert client.get(u(ge, "timesheets")).status_code == 403
    page = parse(client.get(u(ge, "invoices") + "?mois=2026-03"))
    assert page.by_id("invoices-total") is None  # no invoice for an observer
    assert "1\u202f903,50\u00a0€" in page.by_id("month-totals").text  # 70.5 h x 25 EUR + 8 %


def test_planned_time_warning_shown(client, world, parse):
    ge, people = world
    services.set_plan(
        ge.coordinator,
        employee=ge.employee,
        lines=[
            {"organisation": ge.orgs["commune"].pk, "mode": "hours_per_month", "quantity": "95"},
        ],
    )
    client.force_login(people["coordinator"])
    checks = parse(client.get(u(ge, "group"))).by_id("legal-checks").text
    assert "proche du plafond des trois quarts" in checks  # 1140 h of 1205.25 h


def test_member_enters_its_own_hours(client, world, parse):
    ge, people = world
    client.force_login(people["scop"])
    response = client.get(u(ge, "timesheets") + "?mois=2026-04")
    page = parse(response)
    inputs = [
        i.attrs["name"] for i in page.find_all("input") if i.attrs.get("name", "").startswith("h-")
    ]
    assert inputs == [f"h-{ge.employee.pk}-{ge.orgs['scop'].pk}"]
    response = client.post(u(ge, "timesheets") + "?mois=2026-04", {inputs[0]: "12.5"})
    assert response.status_code == 302
    assert Timesheet.objects.get(month="2026-04-01", organisation=ge.orgs["scop"]).hours == 12.5


def test_implausible_hours_are_refused_next_to_the_cell(client, world, parse):
    ge, people = world
    client.force_login(people["coordinator"])
    name = f"h-{ge.employee.pk}-{ge.orgs['sme'].pk}"
    response = client.post(u(ge, "timesheets") + "?mois=2026-03", {name: "180"})
    assert response.status_code == 400
    page = parse(response)
    assert "plausible" in page.by_id(f"id_{name}_errors").text
    assert page.by_id(f"id_{name}").attrs["value"] == "180"


def test_invoices_page_pdf_and_csv(client, world, parse):
    ge, people = world
    client.force_login(people["scop"])
    response = client.get(u(ge, "invoices") + "?mois=2026-03")
    page = parse(response)
    assert page.by_id("invoices-total").text == "1\u202f093,50\u00a0€"  # 40.5 h x 25 + 8 %
    invoice = ge.group.invoices.get(organisation=ge.orgs["scop"])
    pdf = client.get(u(ge, "invoice_pdf", invoice.pk))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    other = ge.group.invoices.get(organisation=ge.orgs["commune"])
    assert client.get(u(ge, "invoice_pdf", other.pk)).status_code == 404
    csv_text = client.get(u(ge, "invoices_csv") + "?mois=2026-03").content.decode()
    assert len(csv_text.strip().splitlines()) == 2 and "101250;8100;109350" in csv_text


def test_register_csv(client, world):
    ge, people = world
    client.force_login(people["observer"])
    text = client.get(u(ge, "register_csv")).content.decode()
    assert "collectivite_territoriale;entree_le;sortie_le" in text
    assert f"{ge.orgs['commune'].name};" in text and "oui;2025-01-01;" in text


def test_close_month_and_adjust(client, world, parse):
    ge, people = world
    client.force_login(people["scop"])
    assert client.post(u(ge, "invoices_action", "cloture"), {"mois": "2026-03"}).status_code == 403
    client.force_login(people["coordinator"])
    response = client.post(u(ge, "invoices_action", "cloture"), {"mois": "2026-03"})
    assert response.status_code == 302
    assert MonthPeriod.objects.get(group=ge.group, month=MONTH).closed
    page = parse(client.get(u(ge, "invoices") + "?mois=2026-03"))
    assert page.by_id("period-status").text == "clos"
    response = client.post(
        u(ge, "adjust"),
        {
            "mois": "2026-03",
            "employee": ge.employee.pk,
            "organisation": ge.orgs["scop"].pk,
            "hours": "1.5",
            "reason": "",
        },
    )
    assert response.status_code == 400
    response = client.post(
        u(ge, "adjust"),
        {
            "mois": "2026-03",
            "employee": ge.employee.pk,
            "organisation": ge.orgs["scop"].pk,
            "hours": "1.5",
            "reason": "Réunion oubliée",
        },
    )
    assert response.status_code == 302
    body = client.get(u(ge, "invoices") + "?mois=2026-03").content.decode()
    assert "Réunion oubliée" in body


def test_close_blocked_shows_the_legal_message(client, world):
    ge, people = world
    services.update_employee(ge.coordinator, employee=ge.employee, contractual_hours_per_year="39")
    client.force_login(people["coordinator"])
    response = client.post(u(ge, "invoices_action", "cloture"), {"mois": "2026-03"}, follow=True)
    body = response.content.decode()
    assert "Clôture impossible" in body and "trois quarts" in body
    assert not MonthPeriod.objects.get(group=ge.group, month=MONTH).closed


def test_hire_form_keeps_input_and_names_the_field(client, world, parse):
    ge, people = world
    client.force_login(people["coordinator"])
    response = client.post(
        u(ge, "employee_new"),
        {
            "person_name": "Léa Petit",
            "job_title": "A",
            "contractual_hours_per_year": "800",
            "hourly_cost": "22.50",
            "start_on": "2026-01-05",
        },
    )
    assert response.status_code == 400
    page = parse(response)
    assert "Poste" in page.by_id("id_job_title_errors").text
    assert page.by_id("id_person_name").attrs["value"] == "Léa Petit"
    response = client.post(
        u(ge, "employee_new"),
        {
            "person_name": "Léa Petit",
            "job_title": "Animatrice",
            "contractual_hours_per_year": "800",
            "hourly_cost": "22.50",
            "start_on": "2026-01-05",
        },
    )
    assert response.status_code == 302
    assert ge.group.employees.get(person_name="Léa Petit").hourly_cost_cents == 2250


def test_plan_form_errors_on_the_line(client, world, parse):
    ge, people = world
    client.force_login(people["coordinator"])
    response = client.post(
        u(ge, "plan", ge.employee.pk),
        {
            "l0-organisation": ge.orgs["asso"].pk,
            "l0-mode": "season",
            "l0-quantity": "80",
        },
    )
    assert response.status_code == 400
    assert "saison" in parse(response).by_id("id_l0-starts_on_errors").text
    response = client.post(
        u(ge, "plan", ge.employee.pk),
        {
            "l0-organisation": ge.orgs["asso"].pk,
            "l0-mode": "season",
            "l0-quantity": "80",
            "l0-starts_on": "2026-06-01",
            "l0-ends_on": "2026-08-31",
        },
    )
    assert response.status_code == 302
    assert ge.employee.plan_lines.get().mode == "season"


def test_setup_join_and_leave(client, world, parse):
    ge, people = world
    client.force_login(people["coordinator"])
    response = client.post(
        u(ge, "setup"), {"carrier": ge.carrier.pk, "name": "", "overhead_percent": "12.5"}
    )
    assert response.status_code == 302
    ge.group.refresh_from_db()
    assert str(ge.group.overhead_rate) == "0.1250"
    member = ge.group.members.get(organisation=ge.orgs["sme"])
    response = client.post(u(ge, "leave", member.pk), {"left_on": "2024-01-01"})
    assert response.status_code == 400
    assert "précéder" in parse(response).by_id("id_left_on_errors").text
    response = client.post(u(ge, "leave", member.pk), {"left_on": "2026-01-31"})
    assert response.status_code == 302
    response = client.post(
        u(ge, "join"), {"organisation": ge.orgs["sme"].pk, "joined_on": "2026-01-15"}
    )
    assert response.status_code == 400
    assert "sortie du groupement" in parse(response).by_id("id_joined_on_errors").text


def test_page_queries_do_not_grow_with_employees(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ge, people = world
    client.force_login(people["coordinator"])

    def counts():
        found = []
        for name in ("group", "invoices", "timesheets"):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(u(ge, name) + "?mois=2026-03").status_code == 200
            found.append(len(ctx.captured_queries))
        return found

    before = counts()
    for i in range(3):
        employee = factories.hire(
            ge, f"Salarié {i}", hours_per_year="800", hourly_cost_cents=2000, start_on="2025-01-01"
        )
        services.set_plan(
            ge.coordinator,
            employee=employee,
            lines=[{"organisation": ge.orgs["asso"].pk, "mode": "days_per_week", "quantity": "1"}],
        )
        services.record_timesheet(
            ge.coordinator,
            employee=employee,
            organisation=ge.orgs["asso"],
            month=MONTH,
            hours="10",
        )
    services.compute_invoices(ge.coordinator, group=ge.group, month=MONTH)
    assert counts() == before


def test_a_member_role_without_organisation_cannot_enter_hours(client, world):
    ge, _ = world
    client.force_login(poles.person("lone-member@example.org", ge.pole, Role.MEMBER))
    assert client.get(u(ge, "timesheets")).status_code == 403
    assert client.get(u(ge, "group")).status_code == 200


def test_timesheet_page_warns_when_local_authority_time_approaches(client, world, parse):
    ge, people = world
    services.update_employee(ge.coordinator, employee=ge.employee, contractual_hours_per_year="42")
    client.force_login(people["coordinator"])
    page = parse(client.get(u(ge, "timesheets") + "?mois=2026-03"))
    notices = page.find_all("div", **{"data-check": "local_authority_time_actual"})
    # 30 h for the commune, limit 3/4 x 42 = 31.5 h: beyond 90 % of it
    assert notices and "proche du plafond" in notices[0].text
