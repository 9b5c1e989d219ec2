"""Parallel timesheet entries for one employee and month: the monthly plausibility limit
holds under concurrency (PostgreSQL, real transactions)."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from ptce.pooling.employees import services
from ptce.pooling.employees.models import MonthPeriod, Timesheet
from tests.pooling.employees import factories
from tests.pooling.employees.factories import MONTH

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="parallel transactions need PostgreSQL"
)


@pytest.mark.django_db(transaction=True)
def test_parallel_entries_never_exceed_the_monthly_limit(territory):
    ge = factories.build("C")
    # The month's row exists already: only the row lock (not a unique insert) serialises.
    MonthPeriod.objects.create(group=ge.group, month=MONTH)
    keys = ["scop", "sme", "asso", "commune"]
    barrier = threading.Barrier(len(keys))
    results: list[str] = []
    lock = threading.Lock()

    def client(key: str) -> None:
        try:
            barrier.wait()
            services.record_timesheet(
                ge.coordinator,
                employee=ge.employee,
                organisation=ge.orgs[key],
                month=MONTH,
                hours="120",
            )
            outcome = "ok"
        except ValidationError as exc:
            outcome = " ".join(exc.messages)
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=client, args=(k,)) for k in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("ok") == 1, results  # 2 x 120 h > 212,57 h
    assert all("plausible" in r for r in results if r != "ok")
    assert Timesheet.objects.filter(employee=ge.employee, month=MONTH).count() == 1
