"""The demo pooling of Pôle Sud: a room and a van, last month's bookings and usage, closed
month's statements that add up to the costs to the cent; idempotent."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from ptce.poles import demo as poles_demo
from ptce.pooling import demo
from ptce.pooling.models import Booking, Cost, Period, Resource, Statement, StatementLine
from tests.poles.test_demo import real_territory  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def test_demo_statements_match_costs_to_the_cent(real_territory):  # noqa: F811
    poles_demo.build(generated_hubs=0)
    created = demo.build()
    assert created["ressources partagées"] == 2
    assert {r.name for r in Resource.objects.all()} == {demo.ROOM, demo.VAN}
    closed = Period.objects.get(status="closed")
    costs = Cost.objects.filter(period=closed).aggregate(t=Sum("amount_cents"))["t"]
    assert costs == 162_211
    assert Statement.objects.filter(period=closed).aggregate(t=Sum("total_cents"))["t"] == costs
    for resource in Resource.objects.all():
        shared = Cost.objects.filter(period=closed, resource=resource).aggregate(
            t=Sum("amount_cents")
        )["t"]
        lines = StatementLine.objects.filter(statement__period=closed, resource=resource)
        assert lines.aggregate(t=Sum("amount_cents"))["t"] == shared
    assert Booking.objects.count() == created["réservations"] > 20
    assert demo.build() == {}  # idempotent
    assert Resource.objects.count() == 2
