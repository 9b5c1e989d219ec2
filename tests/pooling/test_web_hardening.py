"""Hardening of pooling's pages and API: a person of hub A reaches nothing of hub B (pages,
htmx fragments, iCal feeds, PDF/CSV, API); observers see "réservé", never who booked; bad
input gives a French message naming the field, never a 500; list pages and API lists run a
bounded number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from ptce.pooling import accounting, services
from ptce.pooling.models import FeedToken, Period, ResourceShare, Statement
from tests.api.auth import bearer
from tests.pooling.factories import at, hub, next_monday


@pytest.fixture
def a(db):
    return hub("pole-a", prefix="a-")


@pytest.fixture
def b(db):
    return hub("pole-b", prefix="b-")


def u(name, h, *args):
    return reverse(f"pooling:{name}", args=[h.pole.slug, *args])


def api(h, tail=""):
    return f"/api/v1/poles/{h.pole.slug}/{tail}"


def _closed_month_with_statements(h):
    """A booking, a cost, a computed month period with statements."""
    day = dt.date(2026, 1, 1)
    period = accounting.open_period(h.coordinator, pole=h.pole, kind="month", starts_on=day)
    accounting.record_cost(
        h.coordinator, resource=h.room, period=period, category="rent", amount_cents=100_001
    )
    accounting.compute_statements(h.coordinator, period=period)
    return period


def _b_objects(b):
    monday = next_monday()
    booking = services.book(
        b.alice, unit=b.unit, organisation=b.org_a, starts_at=at(monday, 9), ends_at=at(monday, 10)
    )
    period = _closed_month_with_statements(b)
    statement = Statement.objects.filter(period=period).first()
    cost = period.costs.first()
    token = services.create_feed_token(b.alice, pole=b.pole, organisation=b.org_a)
    return booking, period, statement, cost, token


# ------------------------------------------------------------------------- other hubs


def test_people_of_hub_a_reach_nothing_of_hub_b_through_pages(client, a, b):
    booking, period, statement, cost, token = _b_objects(b)
    secret = "b-Atelier Alpha"
    for user in (a.coordinator, a.alice, a.observer):
        client.force_login(user)
        # B's own addresses: the members-only hub is invisible
        for name, args in (
            ("index", ()),
            ("week", ()),
            ("month", ()),
            ("resource", (b.room.pk,)),
            ("periods", ()),
            ("period", (period.pk,)),
            ("period_csv", (period.pk,)),
            ("statement_pdf", (statement.pk,)),
            ("costs", ()),
        ):
            response = client.get(u(name, b, *args))
            assert response.status_code == 404, (user, name)
        # B's ids through A's addresses
        for name, args in (
            ("resource", (b.room.pk,)),
            ("resource_edit", (b.room.pk,)),
            ("rule", (b.room.pk,)),
            ("period", (period.pk,)),
            ("period_csv", (period.pk,)),
            ("statement_pdf", (statement.pk,)),
        ):
            response = client.get(u(name, a, *args))
            assert response.status_code in (403, 404), (user, name)
            assert secret not in response.content.decode(errors="replace")
        # htmx fragments of A's calendar with B's unit: A's own unit is shown instead
        for name in ("week", "month"):
            response = client.get(u(name, a) + f"?unit={b.unit.pk}", HTTP_HX_REQUEST="true")
            assert response.status_code == 200
            assert secret not in response.content.decode()
        # writes on B's objects through A's addresses
        for name, args in (
            ("cancel", (booking.pk,)),
            ("cost_delete", (cost.pk,)),
            ("feed_revoke", (token.pk,)),
            ("period_compute", (period.pk,)),
            ("adjustment", (period.pk,)),
        ):
            response = client.post(u(name, a, *args), {"close": "1"})
            assert response.status_code in (403, 404), (user, name)
    booking.refresh_from_db()
    token.refresh_from_db()
    assert booking.status == "confirmed" and token.revoked_at is None
    assert Period.objects.get(pk=period.pk).status == "open"
    # a coordinator of A cannot make a feed of B's organisation, nor of B's resource
    client.force_login(a.coordinator)
    assert client.post(u("feed_create", a), {"organisation": b.org_a.pk}).status_code in (403, 404)
    assert client.post(u("feed_create", a), {"resource": b.room.pk}).status_code == 404
    assert not FeedToken.objects.filter(organisation=b.org_a, pole=a.pole).exists()
    # a member of A cannot book B's unit through A's form
    client.force_login(a.alice)
    monday = next_monday()
    response = client.post(
        u("book", a),
        {
            "unit": b.unit.pk,
            "organisation": a.org_a.pk,
            "day": monday.isoformat(),
            "start": "09:00",
            "end": "10:00",
        },
    )
    assert response.status_code == 400
    assert b.unit.bookings.count() == 1


def test_people_of_hub_a_reach_nothing_of_hub_b_through_the_api(client, a, b):
    booking, period, _statement, cost, _token = _b_objects(b)
    for user in (a.coordinator, a.alice, a.observer):
        auth = bearer(user)
        for tail in ("resources", "bookings", "costs", "statements"):
            assert client.get(api(b, tail), **auth).status_code == 404
        response = client.get(api(a, f"bookings?resource_id={b.room.pk}"), **auth)
        assert response.status_code == 404
        assert client.patch(
            api(a, f"resources/{b.room.pk}"), {"name": "x"}, content_type="application/json", **auth
        ).status_code in (403, 404)
        assert client.delete(api(a, f"bookings/{booking.pk}"), **auth).status_code == 404
        assert (
            client.patch(
                api(a, f"bookings/{booking.pk}"),
                {
                    "starts_at": booking.starts_at.isoformat(),
                    "ends_at": booking.ends_at.isoformat(),
                },
                content_type="application/json",
                **auth,
            ).status_code
            == 404
        )
        assert client.delete(api(a, f"costs/{cost.pk}"), **auth).status_code in (403, 404)
        response = client.post(
            api(a, "statements"),
            {"period_id": period.pk, "close": True},
            content_type="application/json",
            **auth,
        )
        assert response.status_code in (403, 404)
        response = client.post(
            api(a, "costs"),
            {
                "resource_id": b.room.pk,
                "period_id": period.pk,
                "category": "rent",
                "amount_cents": 100,
            },
            content_type="application/json",
            **auth,
        )
        assert response.status_code in (403, 404)
    # a coordinator of A cannot share A's resource with B's organisation, nor name it owner
    response = client.post(
        api(a, "resources"),
        {"name": "Van", "kind": "vehicle", "ownership": "member", "owner_id": b.org_a.pk},
        content_type="application/json",
        **bearer(a.coordinator),
    )
    assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.status == "confirmed" and booking.unit.bookings.count() == 1


# ------------------------------------------------------------------------------ observers


def test_observers_see_reserved_not_who_booked(client, a):
    monday = next_monday()
    services.book(
        a.alice,
        unit=a.unit,
        organisation=a.org_a,
        starts_at=at(monday, 9),
        ends_at=at(monday, 10),
        note="Conseil d’administration secret",
    )
    name = "a-Atelier Alpha"
    client.force_login(a.observer)
    week = f"?unit={a.unit.pk}&week={monday.isoformat()}"
    month = f"?unit={a.unit.pk}&month={monday:%Y-%m}"
    for address in (
        u("week", a) + week,
        u("month", a) + month,
        u("resource", a, a.room.pk),
    ):
        for htmx in ({}, {"HTTP_HX_REQUEST": "true"}):
            body = client.get(address, **htmx).content.decode()
            assert "réservé" in body, address
            assert name not in body and "secret" not in body, address
    rows = client.get(api(a, "bookings"), **bearer(a.observer)).json()
    assert len(rows) == 1
    assert rows[0]["organisation"] == "réservé" and rows[0]["organisation_id"] is None
    assert rows[0]["note"] == ""
    # the resource's iCal feed made by an observer says "réservé" too
    client.post(u("feed_create", a), {"resource": a.room.pk})
    feed = FeedToken.objects.get(resource=a.room, revoked_at__isnull=True)
    client.logout()
    body = client.get(reverse("pooling:feed", args=[feed.token])).content.decode()
    assert "BEGIN:VEVENT" in body and name not in body and "secret" not in body
    # members and coordination see who booked
    client.force_login(a.bruno)
    assert name in client.get(u("week", a) + week).content.decode()
    assert name in client.get(api(a, "bookings"), **bearer(a.bruno)).json()[0]["organisation"]


def test_a_feed_dies_with_its_maker_s_role(client, a):
    from ptce.poles.models import PoleRole

    client.force_login(a.observer)
    client.post(u("feed_create", a), {"resource": a.room.pk})
    feed = FeedToken.objects.get(resource=a.room, revoked_at__isnull=True)
    PoleRole.objects.filter(user=a.observer, pole=a.pole).delete()
    client.logout()
    assert client.get(reverse("pooling:feed", args=[feed.token])).status_code == 404


def test_observers_read_totals_but_no_statement(client, a):
    period = _closed_month_with_statements(a)
    statement = Statement.objects.filter(period=period).first()
    client.force_login(a.observer)
    body = client.get(u("period", a, period.pk)).content.decode()
    assert "000,01" in body
    assert "a-Atelier Alpha" not in body
    assert client.get(u("statement_pdf", a, statement.pk)).status_code == 404
    csv = client.get(u("period_csv", a, period.pk)).content.decode("utf-8-sig")
    assert "a-Atelier Alpha" not in csv
    data = client.get(api(a, "statements"), **bearer(a.observer)).json()
    assert data[0]["total_cents"] == 100_001 and data[0]["statements"] == []
    # a member reads only its own statement
    client.force_login(a.alice)
    csv = client.get(u("period_csv", a, period.pk)).content.decode("utf-8-sig")
    assert "a-Atelier Alpha" in csv and "b-Bureau" not in csv
    other = Statement.objects.get(period=period, organisation=a.org_b)
    assert client.get(u("statement_pdf", a, other.pk)).status_code == 404


# ------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    "query",
    [
        "?week=9999-12-31",
        "?week=0001-01-01",
        "?week=abc&unit=abc",
        "?week=2026-02-30",
        "?month=9999-12",
        "?month=0001-01",
        "?month=2026-13",
        "?month=abc",
        "?month=-1--1",
    ],
)
def test_calendars_never_fail_on_bad_dates(client, a, query):
    client.force_login(a.alice)
    for name in ("week", "month"):
        for htmx in ({}, {"HTTP_HX_REQUEST": "true"}):
            assert client.get(u(name, a) + query, **htmx).status_code == 200, (name, query)


def test_bad_booking_input_is_refused_in_french_with_the_input_kept(client, a):
    client.force_login(a.alice)
    base = {
        "unit": a.unit.pk,
        "organisation": a.org_a.pk,
        "day": next_monday().isoformat(),
        "start": "09:00",
        "end": "10:00",
    }
    for change, field_text in (
        ({"day": "31/02/2026"}, "date"),
        ({"start": "25:99"}, "heure"),
        ({"unit": "abc"}, ""),
        ({"organisation": "abc"}, ""),
        ({"weeks": "-3"}, ""),
        ({"end": "08:00"}, "fin"),
    ):
        response = client.post(u("book", a), {**base, **change})
        assert response.status_code == 400, change
        body = response.content.decode()
        assert field_text in body.lower(), change
        assert "Ressource" in body or "Unité" in body


def test_bad_cost_input(client, a):
    accounting.open_period(a.coordinator, pole=a.pole, kind="month", starts_on=dt.date(2026, 1, 1))
    period = Period.objects.get(pole=a.pole)
    client.force_login(a.coordinator)
    for amount in ("", "-12", "0", "abc", "1e400", "12,345"):
        response = client.post(
            u("costs", a),
            {"resource": a.room.pk, "period": period.pk, "category": "rent", "amount": amount},
        )
        assert response.status_code == 400, amount
        body = response.content.decode()
        assert "Montant" in body or "montant" in body, amount
        assert f'value="{amount}"' in body or amount == "", amount
    # malformed CSV files: a preview naming the line, never a 500
    for content in (
        b"\xff\xfe\x00garbage",
        b"",
        b"ressource;categorie;montant\nSalle commune;loyer;-5\n",
        b"ressource;categorie;montant\nInconnue;loyer;12\n",
        b"a,b\n" + b'"unterminated\n',
        b"ressource;categorie;montant\nSalle commune;loyer;\n",
    ):
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = client.post(
            u("cost_import", a),
            {"period": period.pk, "file": SimpleUploadedFile("c.csv", content)},
        )
        assert response.status_code in (200, 400), content
    # a closed period is refused with a French message
    accounting.close_period(a.coordinator, period=period)
    response = client.post(
        api(a, "costs"),
        {"resource_id": a.room.pk, "period_id": period.pk, "category": "rent", "amount_cents": 5},
        content_type="application/json",
        **bearer(a.coordinator),
    )
    assert response.status_code == 422 and "clôturée" in response.json()["detail"]


def test_bad_api_input_gives_422_in_french(client, a):
    auth = bearer(a.coordinator)
    period = accounting.open_period(
        a.coordinator, pole=a.pole, kind="month", starts_on=dt.date(2026, 1, 1)
    )

    def post(tail, data):
        return client.post(api(a, tail), data, content_type="application/json", **auth)

    for tail, data, word in (
        (
            "costs",
            {
                "resource_id": a.room.pk,
                "period_id": period.pk,
                "category": "rent",
                "amount_cents": -5,
            },
            "montant",
        ),
        (
            "costs",
            {
                "resource_id": a.room.pk,
                "period_id": period.pk,
                "category": "rent",
                "amount_cents": 0,
            },
            "montant",
        ),
        (
            "costs",
            {"resource_id": a.room.pk, "period_id": period.pk, "category": "x", "amount_cents": 5},
            "catégorie",
        ),
        (
            "costs",
            {"resource_id": "abc", "period_id": period.pk, "category": "rent", "amount_cents": 5},
            "resource_id",
        ),
        ("periods", {"kind": "month", "starts_on": "2026-02-30"}, "starts_on"),
        ("periods", {"kind": "week", "starts_on": "2026-02-01"}, "type"),
        (
            "bookings",
            {
                "unit_id": a.unit.pk,
                "organisation_id": a.org_a.pk,
                "starts_at": "demain",
                "ends_at": "x",
            },
            "starts_at",
        ),
    ):
        response = post(tail, data)
        assert response.status_code == 422, (tail, data, response.content)
        assert word.lower() in response.json()["detail"].lower(), (tail, data, response.json())
    response = client.put(
        api(a, f"resources/{a.room.pk}/rule"),
        {
            "method": "by_keys",
            "key": "headcount",
            "key_values": {str(a.org_a.pk): 0, str(a.org_b.pk): 0},
        },
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 422 and "nulles" in response.json()["detail"].lower()
    for bad in ("abc", "-1", "99999999999999999999"):
        assert client.get(api(a, f"bookings/{bad}"), **auth).status_code in (404, 405, 422)
        assert client.get(api(a, f"costs?period_id={bad}"), **auth).status_code in (404, 422)
        assert client.get(api(a, f"bookings?resource_id={bad}"), **auth).status_code in (404, 422)
    response = client.get(api(a, "bookings?start=hier"), **auth)
    assert response.status_code == 422 and "start" in response.json()["detail"]


def test_all_zero_keys_on_the_rule_page(client, a):
    client.force_login(a.coordinator)
    response = client.post(
        u("rule", a, a.room.pk),
        {
            "method": "by_keys",
            "key": "headcount",
            f"key_{a.org_a.pk}": "0",
            f"key_{a.org_b.pk}": "0",
            "measure": "hours",
        },
    )
    assert response.status_code == 400
    assert "toutes nulles" in response.content.decode().lower()


# ------------------------------------------------------------------------- ownership shares


def test_coordinators_set_ownership_shares_in_the_resource_form(client, a):
    client.force_login(a.coordinator)
    data = {
        "name": "Camion",
        "kind": "vehicle",
        "status": "active",
        "ownership": "members",
        "organisations": [a.org_a.pk, a.org_b.pk],
        f"share_{a.org_a.pk}": "70",
        f"share_{a.org_b.pk}": "30",
        "units": "Camion",
        "min_notice_minutes": "0",
        "bookable_by": "member",
    }
    response = client.post(u("resource_create", a), data)
    assert response.status_code == 302, response.content.decode()
    shares = dict(
        ResourceShare.objects.filter(resource__name="Camion").values_list(
            "organisation_id", "ownership_share"
        )
    )
    assert shares == {a.org_a.pk: Decimal(70), a.org_b.pk: Decimal(30)}
    resource_id = ResourceShare.objects.filter(resource__name="Camion").first().resource_id
    page = client.get(u("resource_edit", a, resource_id)).content.decode()
    assert f'name="share_{a.org_a.pk}"' in page and 'value="70' in page
    # shares that do not make 100 %: refused, input kept
    response = client.post(
        u("resource_edit", a, resource_id),
        {**data, f"share_{a.org_a.pk}": "60", f"share_{a.org_b.pk}": "30"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "100" in body and "90" in body and 'value="60' in body
    # a negative share, or a share for an organisation not ticked
    response = client.post(
        u("resource_edit", a, resource_id),
        {**data, f"share_{a.org_a.pk}": "130", f"share_{a.org_b.pk}": "-30"},
    )
    assert response.status_code == 400
    # no share typed at all: split evenly, as before
    response = client.post(
        u("resource_edit", a, resource_id),
        {**data, f"share_{a.org_a.pk}": "", f"share_{a.org_b.pk}": ""},
    )
    assert response.status_code == 302
    shares = dict(
        ResourceShare.objects.filter(resource_id=resource_id).values_list(
            "organisation_id", "ownership_share"
        )
    )
    assert shares == {a.org_a.pk: Decimal(70), a.org_b.pk: Decimal(30)}  # kept


# -------------------------------------------------------------------------- query counts


def _grow(a, monday, count, first_month):
    """`count` more resources, bookings, usages and month periods with costs and statements."""
    for i in range(count):
        resource = services.create_resource(
            None,
            pole=a.pole,
            name=f"Outil {first_month}-{i}",
            kind="equipment",
            organisations=[a.org_a, a.org_b],
        )
        services.book(
            a.alice if i % 2 else a.bruno,
            unit=resource.units.get(),
            organisation=a.org_a if i % 2 else a.org_b,
            starts_at=at(monday, 9),
            ends_at=at(monday, 10),
        )
        day = monday + dt.timedelta(days=i % 5)
        hour = 8 + (first_month + i // 5) * 2 % 10
        services.book(
            a.alice,
            unit=a.unit,
            organisation=a.org_a,
            starts_at=at(day, hour),
            ends_at=at(day, hour + 1),
        )
        services.record_usage(
            a.alice,
            resource=resource,
            organisation=a.org_a,
            day=dt.date(2025, 1, 2),
            used_hours=Decimal(1),
        )
    periods = []
    for m in range(first_month, first_month + count // 2):
        period = accounting.open_period(
            a.coordinator, pole=a.pole, kind="month", starts_on=dt.date(2025, m, 1)
        )
        accounting.record_cost(
            a.coordinator, resource=a.room, period=period, category="rent", amount_cents=1000 + m
        )
        accounting.compute_statements(a.coordinator, period=period)
        periods.append(period)
    return periods


def test_list_pages_and_api_lists_run_bounded_queries(client, a, django_assert_max_num_queries):
    """Every list page and API list: the same number of queries with 2 and with 12 resources,
    bookings, usages and periods (and at most 25 / 15)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monday = next_monday()
    first = _grow(a, monday, 2, 1)[0]
    week = f"?unit={a.unit.pk}&week={monday.isoformat()}"
    pages = [
        u("index", a),
        u("week", a) + week,
        u("month", a) + f"?unit={a.unit.pk}&month={monday:%Y-%m}",
        u("usage", a),
        u("costs", a),
        u("periods", a),
        u("period", a, first.pk),
        u("period_csv", a, first.pk),
        u("resource", a, a.room.pk),
    ]
    tails = ("resources", "bookings", "costs", "statements")

    def counts():
        found = {}
        for user in (a.coordinator, a.alice, a.observer):
            client.force_login(user)
            for address in pages:
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(address)
                assert response.status_code in (200, 403), address
                found[(user.email, address)] = len(queries)
            for tail in tails:
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(api(a, tail), **bearer(user))
                assert response.status_code in (200, 403), tail
                found[(user.email, tail)] = len(queries)
        return found

    small = counts()
    _grow(a, monday, 12, 3)
    large = counts()
    grown = {k: (small[k], large[k]) for k in small if large[k] > small[k]}
    assert not grown, grown
    for key, value in large.items():
        assert value <= (15 if key[1] in tails else 25), (key, value)


GARBAGE = ["", "abc", "-1", "0", "1e400", "99999999999999999999", "2026-02-30", "25:99", "nan"]


def _field_names(html):
    import re

    return sorted(set(re.findall(r'name="([^"]+)"', html)) - {"csrfmiddlewaretoken", "language"})


def test_no_form_of_pooling_fails_on_garbage(client, a):
    """Every pooling form, every field given the same garbage: a 4xx or a redirect, never a
    500 (the Django test client raises on a server error)."""
    period = _closed_month_with_statements(a)
    open_period = accounting.open_period(
        a.coordinator, pole=a.pole, kind="month", starts_on=dt.date(2026, 2, 1)
    )
    accounting.close_period(a.coordinator, period=period)
    client.force_login(a.coordinator)
    forms = [
        (u("resource_create", a), u("resource_create", a)),
        (u("resource_edit", a, a.room.pk), u("resource_edit", a, a.room.pk)),
        (u("rule", a, a.room.pk), u("rule", a, a.room.pk)),
        (u("book", a), u("book", a)),
        (u("usage", a), u("usage", a)),
        (u("costs", a), u("costs", a)),
        (u("cost_import", a), u("cost_import", a)),
        (u("periods", a), u("periods", a)),
        (u("period", a, period.pk), u("adjustment", a, period.pk)),
        (u("period", a, open_period.pk), u("period_compute", a, open_period.pk)),
        (u("index", a), u("feed_create", a)),
    ]
    for page, target in forms:
        names = _field_names(client.get(page).content.decode())
        names = names or ["resource", "organisation", "close"]
        for value in GARBAGE:
            response = client.post(target, dict.fromkeys(names, value))
            assert response.status_code in (200, 302, 400, 403, 404), (target, value)


@pytest.mark.parametrize(
    "payload",
    [
        {"method": "fixed_plus_usage", "fixed_share": "5"},
        {"method": "fixed_plus_usage", "fixed_share": "-1"},
        {"method": "fixed_plus_usage", "fixed_share": "1e400"},
        {"method": "fixed_plus_usage", "fixed_share": "0.12345"},
        {"method": "shapley", "standalone_costs": {"1": 10**30}, "shared_cost_cents": 10**30},
        {"method": "shapley", "standalone_costs": {"x": 5}, "shared_cost_cents": 10},
        {"method": "by_keys", "key": "headcount", "key_values": {"1": "1e400", "2": "-3"}},
        {"method": "by_keys", "key": "nope"},
        {"method": "nope"},
    ],
)
def test_the_rule_api_refuses_garbage_in_french(client, a, payload):
    response = client.put(
        api(a, f"resources/{a.room.pk}/rule"),
        payload,
        content_type="application/json",
        **bearer(a.coordinator),
    )
    assert response.status_code == 422, response.content
    assert response.json()["detail"]


@pytest.mark.parametrize("amount", [10**30, 2**63, -(2**63), 0, -5])
def test_the_cost_api_refuses_absurd_amounts(client, a, amount):
    period = accounting.open_period(
        a.coordinator, pole=a.pole, kind="month", starts_on=dt.date(2026, 1, 1)
    )
    response = client.post(
        api(a, "costs"),
        {
            "resource_id": a.room.pk,
            "period_id": period.pk,
            "category": "rent",
            "amount_cents": amount,
        },
        content_type="application/json",
        **bearer(a.coordinator),
    )
    assert response.status_code == 422, response.content
    assert "montant" in response.json()["detail"].lower()


def test_absurd_amounts_on_the_pages_and_in_csv(client, a):
    period = accounting.open_period(
        a.coordinator, pole=a.pole, kind="month", starts_on=dt.date(2026, 1, 1)
    )
    client.force_login(a.coordinator)
    huge = "9" * 40
    response = client.post(
        u("costs", a),
        {"resource": a.room.pk, "period": period.pk, "category": "rent", "amount": huge},
    )
    assert response.status_code == 400 and "trop grand" in response.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = f"ressource;catégorie;montant\nSalle commune;loyer;{huge}\n".encode()
    response = client.post(
        u("cost_import", a), {"period": period.pk, "file": SimpleUploadedFile("c.csv", content)}
    )
    assert response.status_code == 400 and "trop grand" in response.content.decode()
    response = client.post(
        u("cost_import", a), {"period": period.pk, "content": content.decode(), "confirm": "1"}
    )
    assert response.status_code in (200, 400)
    assert not period.costs.exists()


@pytest.mark.parametrize(
    "shares",
    [
        {"A": "150", "B": "-50"},
        {"A": "100.0001", "B": "-0.0001"},
        {"A": "60", "B": "30"},
        {"A": "50", "B": "50", "X": "0"},
        {"A": "NaN", "B": "50"},
    ],
)
def test_the_api_validates_ownership_shares(client, a, b, shares):
    ids = {"A": a.org_a.pk, "B": a.org_b.pk, "X": b.org_a.pk}
    response = client.post(
        api(a, "resources"),
        {
            "name": "Presse",
            "kind": "equipment",
            "ownership": "members",
            "organisation_ids": [a.org_a.pk, a.org_b.pk],
            "shares": {str(ids[k]): v for k, v in shares.items()},
        },
        content_type="application/json",
        **bearer(a.coordinator),
    )
    assert response.status_code == 422, response.content
    assert "part" in response.json()["detail"].lower() or "shares" in response.content.decode()
