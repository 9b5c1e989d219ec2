"""Parallel clients booking the same slot: exactly one wins (PostgreSQL, real transactions)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from ptce.pooling import services
from ptce.pooling.models import Booking
from tests.pooling.factories import at, hub, next_monday

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="parallel transactions need PostgreSQL"
)

THREADS = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_clients_one_slot():
    h = hub("pole-concurrent")
    monday = next_monday()
    barrier = threading.Barrier(THREADS)
    results: list[str] = []
    lock = threading.Lock()

    def client(index: int) -> None:
        person, org = (h.alice, h.org_a) if index % 2 else (h.bruno, h.org_b)
        try:
            barrier.wait()
            services.book(
                person,
                unit=h.unit,
                organisation=org,
                starts_at=at(monday, 9, index % 3 * 10),
                ends_at=at(monday, 11),
            )
            outcome = "ok"
        except ValidationError as exc:
            outcome = " ".join(exc.messages)
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("ok") == 1
    refused = [r for r in results if r != "ok"]
    assert len(refused) == THREADS - 1
    assert all(r.startswith("Chevauchement") for r in refused), refused
    assert Booking.objects.filter(unit=h.unit).count() == 1


@pytest.mark.django_db(transaction=True)
def test_database_guard_alone_under_concurrency():
    """Without the service's lock, the exclusion constraint still keeps one booking."""
    from django.db import IntegrityError, transaction

    h = hub("pole-concurrent2")
    monday = next_monday()
    barrier = threading.Barrier(8)
    wins: list[int] = []

    def raw(index: int) -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                Booking.objects.create(
                    unit=h.unit,
                    organisation=h.org_a,
                    starts_at=at(monday, 9),
                    ends_at=at(monday, 10),
                )
            wins.append(index)
        except IntegrityError:
            pass
        finally:
            connections.close_all()

    threads = [threading.Thread(target=raw, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(wins) == 1
