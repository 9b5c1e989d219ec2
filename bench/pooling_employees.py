"""Monthly re-invoicing of shared employees (`ptce.pooling.employees.rules`).

A synthetic groupement d'employeurs, fixed seed: 50 employees (hourly cost 18 to 45 €),
each of whom worked for every one of 500 members in the month (0.01 to 0.40 h each, so
that no employee goes past the plausible monthly total): 25,000 timesheet rows.

* the invoicing path `months._build_invoices` runs (without the database): rows grouped by
  employee, one `split_month` per employee (pay and overhead rounded once, split by hours
  with the largest remainder), then summed per member into 500 invoices;
* against the naive per-row loop, in the same run: for every timesheet row, that
  employee's month is split again and the row's member picks its share (timed on a sample
  of rows, extrapolated to the 25,000). Both must give the same cents for the sampled rows,
  and the invoices must add up exactly to the employees' rounded pay and overhead.
"""

from __future__ import annotations

import time
from collections import defaultdict
from decimal import Decimal

import numpy as np

from bench import Report
from ptce.pooling.employees.rules import overhead_cents, pay_cents, split_month

SEED = 20261204
MEMBERS = 500
EMPLOYEES = 50
OVERHEAD = Decimal("0.08")
NAIVE_ROWS = 400

Row = tuple[int, str, Decimal]  # employee, member, hours


def _month(seed: int = SEED) -> tuple[list[Row], dict[int, int]]:
    rng = np.random.default_rng(seed)
    costs = {e: int(c) for e, c in enumerate(rng.integers(1_800, 4_500, EMPLOYEES))}
    hours = rng.integers(1, 41, (EMPLOYEES, MEMBERS))
    rows = [
        (e, f"m{m:03d}", Decimal(int(hours[e, m])) / 100)
        for e in range(EMPLOYEES)
        for m in range(MEMBERS)
    ]
    return rows, costs


def invoice(rows: list[Row], costs: dict[int, int]) -> dict[str, list[int]]:
    """The platform's way: one split per employee, summed per member: {member: [pay, overhead]}."""
    by_employee: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for employee, member, hours in rows:
        by_employee[employee][member] = hours
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for employee, hours in by_employee.items():
        for member, share in split_month(hours, costs[employee], OVERHEAD).items():
            totals[member][0] += share.pay_cents
            totals[member][1] += share.overhead_cents
    return totals


def naive_row(rows: list[Row], costs: dict[int, int], row: Row) -> tuple[int, int]:
    """The naive per-row loop: gather the row's employee's month, split it, pick the row."""
    employee, member, _hours = row
    hours = {m: h for e, m, h in rows if e == employee}
    share = split_month(hours, costs[employee], OVERHEAD)[member]
    return share.pay_cents, share.overhead_cents


def run(report: Report) -> None:
    rows, costs = _month()
    started = time.perf_counter()
    totals = invoice(rows, costs)
    elapsed = time.perf_counter() - started
    # exact: the invoices add up to each employee's month rounded once
    expected_pay = expected_overhead = 0
    for employee in range(EMPLOYEES):
        worked = sum((h for e, _m, h in rows if e == employee), Decimal(0))
        pay = pay_cents(worked, costs[employee])
        expected_pay += pay
        expected_overhead += overhead_cents(pay, OVERHEAD)
    if (
        sum(p for p, _o in totals.values()) != expected_pay
        or sum(o for _p, o in totals.values()) != expected_overhead
        or len(totals) != MEMBERS
    ):
        raise AssertionError("the invoices do not add up to the employees' pay and overhead")
    rng = np.random.default_rng(SEED + 1)
    sample = [rows[int(i)] for i in rng.choice(len(rows), NAIVE_ROWS, replace=False)]
    per_row: dict[tuple[int, str], tuple[int, int]] = {}
    by_employee: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for employee, member, hours in rows:
        by_employee[employee][member] = hours
    for employee, hours in by_employee.items():
        for member, share in split_month(hours, costs[employee], OVERHEAD).items():
            per_row[(employee, member)] = (share.pay_cents, share.overhead_cents)
    started = time.perf_counter()
    naive = [naive_row(rows, costs, row) for row in sample]
    naive_month = (time.perf_counter() - started) / NAIVE_ROWS * len(rows)
    if naive != [per_row[(e, m)] for e, m, _h in sample]:
        raise AssertionError("the per-row loop and the per-employee split disagree")
    report(
        name=f"GE monthly invoicing, {MEMBERS} members x {EMPLOYEES} employees (vs per row)",
        value=elapsed * 1e3,
        unit="ms",
        baseline=naive_month * 1e3,
        higher_is_better=False,
        target=2_000,
        target_ratio=10,
    )
    report(
        name="  per timesheet row",
        value=elapsed / len(rows) * 1e6,
        unit="µs",
        higher_is_better=False,
    )
