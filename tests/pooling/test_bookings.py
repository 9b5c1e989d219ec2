import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from ptce.core.models import AuditEntry
from ptce.pooling import services
from ptce.pooling.models import Booking, BookingStatus, Resource, ResourceStatus
from tests.pooling.factories import at, hub, next_monday, organisation


@pytest.fixture
def h(db):
    return hub()


def messages(exc) -> str:
    return " ".join(m for ms in exc.value.message_dict.values() for m in ms)


def test_create_draft_resource_for_cooperation(h):
    resource = services.create_draft_resource(
        h.alice,
        pole=h.pole,
        name="Camion frigorifique",
        kind="vehicle",
        organisations=[h.org_a, h.org_b],
        note="Proposé en réunion",
    )
    assert resource.status == ResourceStatus.DRAFT
    assert resource.description == "Proposé en réunion"
    assert {s.organisation for s in resource.shares.all()} == {h.org_a, h.org_b}
    assert resource.units.count() == 1
    again = services.create_draft_resource(
        None, pole=h.pole, name="Camion frigorifique", kind="vehicle", organisations=[], note=""
    )
    assert again.name == "Camion frigorifique (2)"
    outsider = organisation("Hors pôle (fictif)")
    third = services.create_draft_resource(
        None,
        pole=h.pole,
        name="Camion frigorifique",
        kind="vehicle",
        organisations=[h.org_a.pk, outsider],
        note="",
    )
    assert third.name == "Camion frigorifique (3)"
    assert [s.organisation for s in third.shares.all()] == [h.org_a]
    assert AuditEntry.objects.filter(verb="pooling.create_resource").count() == 4
    with pytest.raises(PermissionDenied):
        services.create_draft_resource(
            h.observer, pole=h.pole, name="X", kind="vehicle", organisations=[], note=""
        )
    with pytest.raises(ValidationError):
        services.create_draft_resource(
            None, pole=h.pole, name="X", kind="boat", organisations=[], note=""
        )
    # a draft cannot be booked
    with pytest.raises(ValidationError, match="pas ouverte"):
        services.book(
            h.alice,
            unit=resource.units.get(),
            organisation=h.org_a,
            starts_at=at(next_monday(), 9),
            ends_at=at(next_monday(), 10),
        )


def test_resource_management_is_for_coordination(h):
    with pytest.raises(PermissionDenied):
        services.create_resource(h.alice, pole=h.pole, name="Van", kind="vehicle")
    van = services.create_resource(h.coordinator, pole=h.pole, name="Van", kind="vehicle")
    with pytest.raises(ValidationError, match="déjà ce nom"):
        services.create_resource(h.coordinator, pole=h.pole, name="van", kind="vehicle")
    services.archive_resource(h.coordinator, resource=van)
    assert Resource.objects.get(pk=van.pk).status == ResourceStatus.ARCHIVED
    with pytest.raises(ValidationError, match="100"):
        services.create_resource(
            h.coordinator,
            pole=h.pole,
            name="Four",
            kind="equipment",
            ownership="members",
            organisations=[h.org_a, h.org_b],
            shares={h.org_a.pk: 60, h.org_b.pk: 30},
        )


def test_book_and_rules_named(h):
    monday = next_monday()
    booking = services.book(
        h.alice, unit=h.unit, organisation=h.org_a, starts_at=at(monday, 9), ends_at=at(monday, 11)
    )
    assert booking.status == BookingStatus.CONFIRMED and booking.booked_by == h.alice
    with pytest.raises(ValidationError) as exc:
        services.book(
            h.bruno,
            unit=h.unit,
            organisation=h.org_b,
            starts_at=at(monday, 10),
            ends_at=at(monday, 12),
        )
    assert "Chevauchement" in messages(exc) and "09h00" in messages(exc)
    # touching is fine (half-open intervals)
    services.book(
        h.bruno, unit=h.unit, organisation=h.org_b, starts_at=at(monday, 11), ends_at=at(monday, 12)
    )
    with pytest.raises(ValidationError) as exc:
        services.book(
            h.bruno,
            unit=h.unit,
            organisation=h.org_b,
            starts_at=at(monday, 18),
            ends_at=at(monday, 20),
        )
    assert "Hors des heures d’ouverture" in exc.value.message_dict["starts_at"][0]
    with pytest.raises(ValidationError) as exc:
        services.book(
            h.bruno,
            unit=h.unit,
            organisation=h.org_b,
            starts_at=at(monday, 13),
            ends_at=at(monday, 18),
        )
    assert "trop longue" in exc.value.message_dict["ends_at"][0]
    saturday = monday + dt.timedelta(days=5)
    with pytest.raises(ValidationError, match="fermée le samedi"):
        services.book(
            h.bruno,
            unit=h.unit,
            organisation=h.org_b,
            starts_at=at(saturday, 9),
            ends_at=at(saturday, 10),
        )
    services.update_resource(h.coordinator, resource=h.room, min_notice_minutes=60 * 24 * 30)
    with pytest.raises(ValidationError, match="trop tardive"):
        services.book(
            h.bruno,
            unit=h.unit,
            organisation=h.org_b,
            starts_at=at(monday, 14),
            ends_at=at(monday, 15),
        )


def test_members_book_only_for_their_organisation(h):
    monday = next_monday()
    with pytest.raises(PermissionDenied):
        services.book(
            h.alice,
            unit=h.unit,
            organisation=h.org_b,
            starts_at=at(monday, 9),
            ends_at=at(monday, 10),
        )
    with pytest.raises(PermissionDenied):
        services.book(
            h.observer,
            unit=h.unit,
            organisation=h.org_a,
            starts_at=at(monday, 9),
            ends_at=at(monday, 10),
        )
    # coordination books for anyone
    services.book(
        h.coordinator,
        unit=h.unit,
        organisation=h.org_b,
        starts_at=at(monday, 9),
        ends_at=at(monday, 10),
    )
    services.update_resource(h.coordinator, resource=h.room, bookable_by="coordinator")
    with pytest.raises(PermissionDenied):
        services.book(
            h.alice,
            unit=h.unit,
            organisation=h.org_a,
            starts_at=at(monday, 12),
            ends_at=at(monday, 13),
        )


def test_change_and_cancel(h):
    monday = next_monday()
    a = services.book(
        h.alice, unit=h.unit, organisation=h.org_a, starts_at=at(monday, 9), ends_at=at(monday, 10)
    )
    b = services.book(
        h.bruno, unit=h.unit, organisation=h.org_b, starts_at=at(monday, 10), ends_at=at(monday, 11)
    )
    with pytest.raises(ValidationError, match="Chevauchement"):
        services.change_booking(
            h.alice, booking=a, starts_at=at(monday, 9), ends_at=at(monday, 10, 30)
        )
    with pytest.raises(PermissionDenied):
        services.change_booking(h.bruno, booking=a, starts_at=at(monday, 8), ends_at=at(monday, 9))
    services.change_booking(h.alice, booking=a, starts_at=at(monday, 8), ends_at=at(monday, 9, 30))
    assert services.cancel_booking(h.bruno, booking=b) == 1
    # the freed slot can be booked again
    services.change_booking(h.alice, booking=a, starts_at=at(monday, 9), ends_at=at(monday, 11))
    with pytest.raises(ValidationError, match="annulée"):
        services.cancel_booking(h.bruno, booking=b)


def test_series_all_or_nothing_names_each_conflict(h):
    monday = next_monday()
    services.book(
        h.bruno,
        unit=h.unit,
        organisation=h.org_b,
        starts_at=at(monday + dt.timedelta(weeks=2), 9),
        ends_at=at(monday + dt.timedelta(weeks=2), 10),
    )
    services.book(
        h.bruno,
        unit=h.unit,
        organisation=h.org_b,
        starts_at=at(monday + dt.timedelta(weeks=3), 9),
        ends_at=at(monday + dt.timedelta(weeks=3), 10),
    )
    with pytest.raises(ValidationError) as exc:
        services.book_series(
            h.alice,
            unit=h.unit,
            organisation=h.org_a,
            starts_at=at(monday, 9),
            ends_at=at(monday, 10),
            count=5,
        )
    problems = exc.value.message_dict["starts_at"]
    assert len(problems) == 2
    assert (monday + dt.timedelta(weeks=2)).strftime("%d/%m/%Y") in problems[0]
    assert Booking.objects.filter(organisation=h.org_a).count() == 0
    series = services.book_series(
        h.alice,
        unit=h.unit,
        organisation=h.org_a,
        starts_at=at(monday, 12),
        ends_at=at(monday, 13),
        until=monday + dt.timedelta(weeks=3),
    )
    assert len(series) == 4 and len({b.series for b in series}) == 1
    assert services.cancel_booking(h.alice, booking=series[1], whole_series=True) == 3


def test_database_refuses_overlap_without_the_service(h):
    monday = next_monday()
    Booking.objects.create(
        unit=h.unit, organisation=h.org_a, starts_at=at(monday, 9), ends_at=at(monday, 10)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            unit=h.unit,
            organisation=h.org_b,
            starts_at=at(monday, 9, 30),
            ends_at=at(monday, 10, 30),
        )
    # a cancelled booking does not count
    Booking.objects.create(
        unit=h.unit,
        organisation=h.org_b,
        starts_at=at(monday, 9, 30),
        ends_at=at(monday, 10, 30),
        status=BookingStatus.CANCELLED,
    )
    other = Booking.objects.create(
        unit=h.unit, organisation=h.org_b, starts_at=at(monday, 10), ends_at=at(monday, 11)
    )
    other.starts_at = at(monday, 8)
    with pytest.raises(IntegrityError), transaction.atomic():
        other.save()


def test_usage_and_adjustment(h):
    monday = next_monday()
    booking = services.book(
        h.alice, unit=h.unit, organisation=h.org_a, starts_at=at(monday, 9), ends_at=at(monday, 11)
    )
    usage = services.record_usage(
        h.alice,
        resource=h.room,
        organisation=h.org_a,
        day=monday,
        used_hours="1,5",
        booking=booking,
    )
    assert str(usage.booked_hours) == "2.00" and str(usage.used_hours) == "1.5"
    with pytest.raises(PermissionDenied):
        services.record_usage(
            h.bruno, resource=h.room, organisation=h.org_a, day=monday, used_hours=1
        )
    with pytest.raises(ValidationError, match="positif"):
        services.record_usage(
            h.alice, resource=h.room, organisation=h.org_a, day=monday, used_hours=-1
        )
    with pytest.raises(PermissionDenied):
        services.record_usage(
            h.alice,
            resource=h.room,
            organisation=h.org_a,
            day=monday,
            used_hours=-1,
            adjustment=True,
            reason="erreur",
        )
    with pytest.raises(ValidationError, match="motif"):
        services.record_usage(
            h.coordinator,
            resource=h.room,
            organisation=h.org_a,
            day=monday,
            used_hours=-1,
            adjustment=True,
        )
    adj = services.record_usage(
        h.coordinator,
        resource=h.room,
        organisation=h.org_a,
        day=monday,
        used_hours=-1,
        adjustment=True,
        reason="Saisie en double",
    )
    assert adj.is_adjustment and adj.used_hours == -1


def test_units(h):
    van = services.create_resource(
        h.coordinator,
        pole=h.pole,
        name="Fourgons",
        kind="vehicle",
        units=["Fourgon 1", "Fourgon 2"],
    )
    one, two = van.units.order_by("name")
    monday = next_monday()
    for unit in (one, two):  # two units, the same slot: no conflict
        services.book(
            h.alice,
            unit=unit,
            organisation=h.org_a,
            starts_at=at(monday, 9),
            ends_at=at(monday, 10),
        )
    services.set_units(h.coordinator, resource=van, names=["Fourgon 1", "Fourgon 3"])
    two.refresh_from_db()
    assert not two.active and two.bookings.count() == 1
    assert sorted(u.name for u in van.units.filter(active=True)) == ["Fourgon 1", "Fourgon 3"]
    with pytest.raises(ValidationError, match="pas ouverte"):
        services.book(
            h.alice,
            unit=two,
            organisation=h.org_a,
            starts_at=at(monday, 11),
            ends_at=at(monday, 12),
        )
    with pytest.raises(ValidationError, match="au moins une unité"):
        services.set_units(h.coordinator, resource=van, names=[" "])
    with pytest.raises(PermissionDenied):
        services.set_units(h.alice, resource=van, names=["X"])
