"""Pooling pages: resources, booking with the rule named, calendars, usage, costs and their
import, rules, periods, statements (CSV, PDF), iCal feeds; permissions of the hub."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ptce.pooling import services
from ptce.pooling.models import Booking, Cost, FeedToken, Resource, Statement
from tests.pooling.factories import at, hub, next_monday


@pytest.fixture
def h(db):
    return hub()


def u(name, h, *args):
    return reverse(f"pooling:{name}", args=[h.pole.slug, *args])


def test_anonymous_and_strangers(client, h):
    assert client.get(u("index", h)).status_code == 302
    other = hub("pole-autre", prefix="x")
    client.force_login(other.alice)
    assert client.get(u("index", h)).status_code == 404
    client.force_login(h.alice)
    assert (
        client.get(reverse("pooling:resource", args=[h.pole.slug, other.room.pk])).status_code
        == 404
    )
    assert client.get(u("costs", h)).status_code == 403


def test_index_and_resource_pages(client, h, parse, django_assert_max_num_queries):
    for i in range(5):
        services.create_resource(None, pole=h.pole, name=f"Outil {i}", kind="equipment")
    client.force_login(h.alice)
    with django_assert_max_num_queries(20):
        response = client.get(u("index", h))
    assert response.status_code == 200
    page = parse(response)
    assert "Salle commune" in page.by_id("resources").text
    assert any("Mutualisation" in a.text for a in page.find_all("a", **{"aria-current": "page"}))
    response = client.get(u("resource", h, h.room.pk))
    assert "lundi 08:00–19:00" in response.content.decode()


def test_coordinator_creates_and_edits_resource(client, h):
    client.force_login(h.alice)
    assert client.get(u("resource_create", h)).status_code == 403
    client.force_login(h.coordinator)
    data = {
        "name": "Van",
        "kind": "vehicle",
        "status": "active",
        "ownership": "members",
        "organisations": [h.org_a.pk, h.org_b.pk],
        "bookable_by": "member",
        "open_days": ["0", "1"],
        "opens": "08:00",
        "closes": "",
        "closed_days": "",
    }
    response = client.post(u("resource_create", h), data)
    assert response.status_code == 400 and "ouverture et de fermeture" in response.content.decode()
    assert 'value="Van"' in response.content.decode()
    data["closes"] = "18:00"
    response = client.post(u("resource_create", h), data)
    assert response.status_code == 302
    van = Resource.objects.get(name="Van")
    assert sorted(s.ownership_share for s in van.shares.all()) == [50, 50]
    assert van.opening_hours.count() == 2
    data["units"] = "Van 1\nVan 2"
    assert client.post(u("resource_edit", h, van.pk), data).status_code == 302
    assert sorted(van.units.filter(active=True).values_list("name", flat=True)) == [
        "Van 1",
        "Van 2",
    ]
    data["name"] = "Salle commune"
    response = client.post(u("resource_edit", h, van.pk), data)
    assert response.status_code == 400 and "déjà ce nom" in response.content.decode()


def test_booking_form_names_the_rule(client, h, parse):
    monday = next_monday()
    services.book(
        h.bruno, unit=h.unit, organisation=h.org_b, starts_at=at(monday, 9), ends_at=at(monday, 11)
    )
    client.force_login(h.alice)
    form = {
        "unit": h.unit.pk,
        "organisation": h.org_a.pk,
        "day": monday.isoformat(),
        "start": "10:00",
        "end": "12:00",
        "note": "Réunion",
    }
    response = client.post(u("book", h), form)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Chevauchement" in body and 'value="Réunion"' in body
    for start, end, rule in (
        ("18:00", "20:00", "Hors des heures d’ouverture"),
        ("12:00", "17:00", "Réservation trop longue"),
    ):
        response = client.post(u("book", h), dict(form, start=start, end=end))
        assert rule in response.content.decode()
    past = dict(form, day=(monday - dt.timedelta(days=14)).isoformat(), start="09:00", end="10:00")
    assert "trop tardive" in client.post(u("book", h), past).content.decode()
    response = client.post(u("book", h), dict(form, start="11:00", end="12:00"))
    assert response.status_code == 302 and f"week={monday.isoformat()}" in response.url
    assert Booking.objects.filter(organisation=h.org_a).count() == 1
    # members book only for their own organisation
    response = client.post(
        u("book", h), dict(form, organisation=h.org_b.pk, start="13:00", end="14:00")
    )
    assert response.status_code == 400


def test_week_and_month_calendars(client, h, parse, django_assert_max_num_queries):
    monday = next_monday()
    services.book(
        h.bruno, unit=h.unit, organisation=h.org_b, starts_at=at(monday, 9), ends_at=at(monday, 11)
    )
    client.force_login(h.alice)
    with django_assert_max_num_queries(15):
        response = client.get(u("week", h) + f"?unit={h.unit.pk}&week={monday.isoformat()}")
    page = parse(response)
    body = response.content.decode()
    assert "09:00–11:00 Bureau Bêta (fictif)" in " ".join(body.split())
    links = [a.attrs["href"] for a in page.find_all("a", **{"class": "slot-link"})]
    assert any(f"day={monday.isoformat()}&start=11:00" in link for link in links)
    assert not any(f"day={monday.isoformat()}&start=09:00" in link for link in links)
    saturday = (monday + dt.timedelta(days=5)).isoformat()
    assert not any("start=07:00" in link or f"day={saturday}" in link for link in links)
    assert len(page.find_all("td", **{"class": "slot slot--closed"})) == 2 * 14 + 5 * 3
    nxt = page.find_all("a", rel="next")[0]
    assert "hx-get" in nxt.attrs
    partial = client.get(nxt.attrs["hx-get"], HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and b"<html" not in partial.content
    assert f"semaine du {(monday + dt.timedelta(days=7)).day} " in " ".join(
        partial.content.decode().split()
    )
    response = client.get(u("month", h) + f"?unit={h.unit.pk}&month={monday:%Y-%m}")
    assert "Bureau Bêta" in response.content.decode()
    assert client.get(u("month", h) + "?month=bad").status_code == 200
    client.force_login(h.observer)
    page = parse(client.get(u("week", h) + f"?week={monday.isoformat()}"))
    assert not page.find_all("a", **{"class": "slot-link"})


def test_cancel(client, h):
    monday = next_monday()
    booking = services.book(
        h.bruno, unit=h.unit, organisation=h.org_b, starts_at=at(monday, 9), ends_at=at(monday, 10)
    )
    client.force_login(h.alice)
    assert client.post(u("cancel", h, booking.pk)).status_code == 403
    client.force_login(h.bruno)
    page = client.get(u("index", h)).content.decode()
    assert u("cancel", h, booking.pk) in page  # the member's next bookings, with a cancel button
    assert client.post(u("cancel", h, booking.pk)).status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled"


def test_usage_page(client, h):
    client.force_login(h.alice)
    data = {
        "resource": h.room.pk,
        "organisation": h.org_a.pk,
        "day": "2026-03-03",
        "used_hours": "2,5",
    }
    response = client.post(u("usage", h), data)
    assert response.status_code == 302
    response = client.post(u("usage", h), dict(data, used_hours="-1"))
    assert response.status_code == 400 and "positif" in response.content.decode()
    assert "2,5" in client.get(u("usage", h)).content.decode()


def test_costs_import_rules_periods_statements(client, h, parse):
    client.force_login(h.coordinator)
    response = client.post(u("periods", h), {"kind": "month", "starts_on": "2026-03-02"})
    assert response.status_code == 400 and "premier jour" in response.content.decode()
    response = client.post(u("periods", h), {"kind": "month", "starts_on": "2026-03-01"})
    assert response.status_code == 302
    period = h.pole.pooling_periods.get()
    response = client.post(
        u("costs", h),
        {"resource": h.room.pk, "period": period.pk, "category": "rent", "amount": "-3"},
    )
    assert response.status_code == 400 and "positif" in response.content.decode()
    response = client.post(
        u("costs", h),
        {"resource": h.room.pk, "period": period.pk, "category": "rent", "amount": "1 000,01"},
    )
    assert response.status_code == 302 and Cost.objects.get().amount_cents == 100_001
    bad = "ressource;catégorie;montant\nSalle commune;loyer;10\nInconnue;loyer;5\n"
    response = client.post(
        u("cost_import", h),
        {"period": period.pk, "file": SimpleUploadedFile("c.csv", bad.encode())},
    )
    page = parse(response)
    assert response.status_code == 400
    assert "Ressource inconnue « Inconnue »" in page.by_id("rejected").text
    assert Cost.objects.count() == 1
    good = "ressource;catégorie;montant;libellé\nSalle commune;assurance;99,99;Assurance mars\n"
    response = client.post(
        u("cost_import", h),
        {"period": period.pk, "file": SimpleUploadedFile("c.csv", good.encode("cp1252"))},
    )
    assert response.status_code == 200 and "Importer ces coûts" in response.content.decode()
    assert Cost.objects.count() == 1  # preview only
    response = client.post(
        u("cost_import", h), {"period": period.pk, "content": good, "confirm": "True"}
    )
    assert response.status_code == 302 and Cost.objects.count() == 2
    response = client.post(
        u("rule", h, h.room.pk),
        {
            "method": "by_keys",
            "key": "headcount",
            f"key_{h.org_a.pk}": "3",
            f"key_{h.org_b.pk}": "1",
            "measure": "hours",
        },
    )
    assert response.status_code == 302
    response = client.post(
        u("rule", h, h.room.pk),
        {"method": "by_keys", "key": "surface", f"key_{h.org_a.pk}": "0", "measure": "hours"},
    )
    assert response.status_code == 400 and "toutes nulles" in response.content.decode()
    client.post(u("period_compute", h, period.pk))
    assert {s.organisation_id: s.total_cents for s in Statement.objects.all()} == {
        h.org_a.pk: 82_500,
        h.org_b.pk: 27_500,
    }  # 1 000,01 + 99,99 by 3:1
    client.post(u("period_compute", h, period.pk), {"close": "1"})
    period.refresh_from_db()
    assert period.closed
    response = client.post(
        u("adjustment", h, period.pk), {"organisation": h.org_a.pk, "amount": "0", "reason": "x"}
    )
    assert response.status_code == 400 and "non nul" in response.content.decode()
    response = client.post(
        u("adjustment", h, period.pk),
        {"organisation": h.org_a.pk, "amount": "-10", "reason": "Remise"},
    )
    assert response.status_code == 302
    csv_body = client.get(u("period_csv", h, period.pk)).content.decode("utf-8-sig")
    assert (
        "Atelier Alpha (fictif);Salle commune;Selon une clé;Effectif : 3 / 4;1100,00;825,00"
        in csv_body
    )
    assert "Régularisation;Remise;;-10,00" in csv_body
    statement = Statement.objects.get(organisation=h.org_a)
    pdf = client.get(u("statement_pdf", h, statement.pk))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # members see their own statement only; the observer the totals only
    client.force_login(h.bruno)
    page = client.get(u("period", h, period.pk)).content.decode()
    assert "Bureau Bêta (fictif) — 275,00" in page and "Atelier Alpha (fictif) —" not in page
    assert client.get(u("statement_pdf", h, statement.pk)).status_code == 404
    client.force_login(h.observer)
    page = client.get(u("period", h, period.pk)).content.decode()
    assert "1\u202f100,00" in page
    assert "Bureau Bêta (fictif) —" not in page
    assert client.get(u("statement_pdf", h, statement.pk)).status_code == 404
    assert client.get(u("period_compute", h, period.pk)).status_code in (403, 405)


def test_ical_feeds(client, h):
    monday = next_monday()
    booking = services.book(
        h.alice, unit=h.unit, organisation=h.org_a, starts_at=at(monday, 9), ends_at=at(monday, 10)
    )
    client.force_login(h.alice)
    client.post(u("feed_create", h), {"organisation": h.org_a.pk})
    token = FeedToken.objects.get(organisation=h.org_a)
    client.logout()
    response = client.get(reverse("pooling:feed", args=[token.token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert f"UID:booking-{booking.pk}@" in body and "Atelier Alpha" in body
    assert (
        client.get(reverse("pooling:feed", args=[token.token]))
        .content.decode()
        .count("BEGIN:VEVENT")
        == 1
    )
    client.force_login(h.alice)
    client.post(u("feed_revoke", h, token.pk))
    client.logout()
    assert client.get(reverse("pooling:feed", args=[token.token])).status_code == 404
    # bruno cannot make a feed of alice's organisation
    client.force_login(h.bruno)
    assert client.post(u("feed_create", h), {"organisation": h.org_a.pk}).status_code == 403
    client.post(u("feed_create", h), {"resource": h.room.pk})
    feed = FeedToken.objects.get(resource=h.room, revoked_at__isnull=True)
    assert "BEGIN:VEVENT" in client.get(reverse("pooling:feed", args=[feed.token])).content.decode()


def test_pages_are_accessible_and_strict(client, h, parse):
    """Every pooling page: one h1, labelled fields, no inline style or script, strict CSP."""
    monday = next_monday()
    services.book(
        h.alice, unit=h.unit, organisation=h.org_a, starts_at=at(monday, 9), ends_at=at(monday, 10)
    )
    from ptce.pooling import accounting

    period = accounting.open_period(None, pole=h.pole, kind="month", starts_on=dt.date(2026, 3, 1))
    accounting.record_cost(None, resource=h.room, period=period, category="rent", amount_cents=1000)
    accounting.close_period(None, period=period)
    client.force_login(h.coordinator)
    urls = [
        u("index", h),
        u("resource", h, h.room.pk),
        u("resource_create", h),
        u("resource_edit", h, h.room.pk),
        u("rule", h, h.room.pk),
        u("book", h),
        u("week", h) + f"?week={monday.isoformat()}",
        u("month", h),
        u("usage", h),
        u("costs", h),
        u("cost_import", h),
        u("periods", h),
        u("period", h, period.pk),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "style-src 'self'" in response["Content-Security-Policy"]
        page = parse(response)
        assert len(page.find_all("h1")) == 1, url
        assert not [e for e in page.elements if "style" in e.attrs], url
        for script in page.find_all("script"):
            assert "src" in script.attrs or script.attrs.get("type") == "application/json", url
        labelled = {e.attrs.get("for") for e in page.find_all("label")}
        for field in page.elements:
            if field.tag in {"input", "select", "textarea"} and field.attrs.get("type") not in {
                "hidden",
                "submit",
                "button",
            }:
                assert field.attrs.get("id") in labelled or field.attrs.get("aria-label"), (
                    url,
                    field.attrs,
                )
        for button in page.find_all("button"):
            assert button.text.strip() or button.attrs.get("aria-label"), url
