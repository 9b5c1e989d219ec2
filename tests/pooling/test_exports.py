import datetime as dt
import re
import zlib

import pytest
from icalendar import Calendar

from ptce.pooling import accounting, exports, services
from ptce.pooling.models import Booking, Statement
from tests.pooling.factories import at, hub, next_monday


@pytest.fixture
def closed(db):
    h = hub()
    period = accounting.open_period(None, pole=h.pole, kind="month", starts_on=dt.date(2026, 3, 1))
    accounting.record_cost(
        None, resource=h.room, period=period, category="rent", amount_cents=123_457
    )
    accounting.close_period(None, period=period)
    accounting.add_adjustment(
        None, period=period, organisation=h.org_a, amount_cents=-500, reason="Remise « fête » €"
    )
    return h, period


def _pdf_text(data: bytes) -> str:
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            chunks.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            chunks.append(stream.decode("latin-1"))
    return "".join(chunks)


def test_pdf_renders_accents_and_amounts(closed):
    h, period = closed
    statement = Statement.objects.get(organisation=h.org_b)
    data = exports.statement_pdf(statement, period.adjustments.filter(organisation=h.org_b))
    assert data.startswith(b"%PDF")
    text = _pdf_text(data)
    assert "Relevé de mutualisation - 03/2026" in text
    assert "Membre : Bureau Bêta" in text
    assert "617,28 EUR" in text and "clôturée" in text
    statement_a = Statement.objects.get(organisation=h.org_a)
    text = _pdf_text(exports.statement_pdf(statement_a, period.adjustments.all()))
    assert "Remise \xab f\xeate \xbb EUR" in text and "612,29 EUR" in text  # 617,29 - 5,00


def test_csv(closed):
    _h, period = closed
    body = exports.statement_csv(
        Statement.objects.filter(period=period).order_by("organisation__name"),
        period.adjustments.all(),
    )
    lines = body.splitlines()
    assert lines[0] == "période;membre;ressource;méthode;clé;coût partagé;montant"
    assert (
        lines[1] == "03/2026;Atelier Alpha (fictif);Salle commune;Parts égales;1/2;1234,57;617,29"
    )
    assert lines[-1].endswith(";Régularisation;Remise « fête » €;;-5,00")


def test_ical_uids_are_stable(db):
    h = hub()
    monday = next_monday()
    b = services.book(
        h.alice,
        unit=h.unit,
        organisation=h.org_a,
        starts_at=at(monday, 9),
        ends_at=at(monday, 10),
        note="Atelier",
    )
    rows = Booking.objects.select_related("unit", "organisation")
    first = Calendar.from_ical(exports.ical("Salle", rows, "ptce.example"))
    second = Calendar.from_ical(exports.ical("Salle", rows, "ptce.example"))
    events = list(first.walk("VEVENT"))
    assert [str(e["uid"]) for e in events] == [f"booking-{b.pk}@ptce.example"]
    assert [str(e["uid"]) for e in second.walk("VEVENT")] == [f"booking-{b.pk}@ptce.example"]
    assert events[0].decoded("dtstart") == b.starts_at
    assert str(events[0]["summary"]) == "Salle commune – Atelier Alpha (fictif)"
