"""Exports: the invoice PDF (latin-1 core fonts, amounts in EUR), the CSV of invoices in
exact cents, the register with joined and left dates."""

from __future__ import annotations

import pytest

from ptce.pooling.employees import exports, queries, services
from tests.pooling.employees import factories
from tests.pooling.employees.factories import MONTH

pytestmark = pytest.mark.django_db


@pytest.fixture
def ge(territory):
    ge = factories.build()
    factories.record_hours(ge, {"scop": "40.5", "commune": "30"})
    services.close_month(ge.coordinator, group=ge.group, month=MONTH)
    services.record_adjustment(
        ge.coordinator,
        employee=ge.employee,
        organisation=ge.orgs["scop"],
        month=MONTH,
        hours="-0.5",
        reason="Pause déjeuner comptée « par erreur »",
    )
    return ge


def test_euros_and_latin1():
    assert exports.euros(109_350) == "1 093,50 EUR"
    assert exports.euros(-5) == "-0,05 EUR"
    assert exports.latin1("l’équipe — 5 €") == "l'équipe - 5 EUR"


def test_invoice_pdf_shows_lines_adjustments_and_totals(ge):
    invoice = queries.invoices(ge.coordinator, ge.group, MONTH).get(organisation=ge.orgs["scop"])
    data = exports.invoice_pdf(invoice, compress=False)
    assert data.startswith(b"%PDF")
    text = data.decode("latin-1")
    for expected in (
        "1 012,50 EUR",
        "81,00 EUR",
        "1 093,50 EUR",
        "-12,50 EUR",
        "-1,00 EUR",
        "1 080,00 EUR",
        "Pause déjeuner",
    ):
        assert expected in text, expected
    assert exports.invoice_pdf(invoice).startswith(b"%PDF")


def test_invoices_csv_in_exact_cents(ge):
    text = exports.invoices_csv(queries.invoices(ge.coordinator, ge.group, MONTH))
    lines = text.strip().splitlines()
    assert lines[0].startswith("numero;mois;membre")
    assert len(lines) == 4  # two invoice lines and one adjustment
    assert any(";regularisation;-0.50;2500;-1250;-100;-1350;" in line for line in lines)


def test_register_csv_has_dates(ge):
    member = ge.group.members.get(organisation=ge.orgs["sme"])
    services.leave_group(ge.coordinator, member=member, left_on="2026-02-28")
    text = exports.register_csv(ge.group, queries.register(ge.group))
    assert f"{ge.orgs['sme'].name};" in text and "non;2025-01-01;2026-02-28" in text
