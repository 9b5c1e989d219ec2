"""Statements as CSV and PDF, and iCal feeds of bookings.

The PDF uses fpdf2's core Helvetica font (latin-1: French accents render, the euro sign
does not, so amounts are written "EUR"); it needs no font file, so it works on any machine.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF
from icalendar import Calendar, Event

from ptce.pooling.models import Adjustment, Booking, Method, Statement

PRODID = "-//ptce//Mutualisation//FR"


def plain_euros(cents: int) -> str:
    """1234567 -> "12 345,67 EUR" (latin-1 only, for the PDF)."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole:,}".replace(",", " ") + f",{rest:02d} EUR"


def _latin1(text: str) -> str:
    table = {
        "\u2019": "'",
        "\u2018": "'",
        "\u202f": " ",
        "\u00a0": " ",
        "\u2013": "-",
        "\u2014": "-",
        "€": "EUR",
        "\u2026": "...",
    }
    for old, new in table.items():
        text = text.replace(old, new)
    return text.encode("latin-1", "replace").decode("latin-1")


def _method_label(value: str) -> str:
    return str(Method(value).label)


def statement_csv(statements: Iterable[Statement], adjustments: Iterable[Adjustment] = ()) -> str:
    """One row per statement line (then adjustments), `;`-separated, amounts in euros with
    a decimal comma, as French spreadsheets read them."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            _("période"),
            _("membre"),
            _("ressource"),
            _("méthode"),
            _("clé"),
            _("coût partagé"),
            _("montant"),
        ]
    )

    def money(cents: int) -> str:
        return f"{cents / 100:.2f}".replace(".", ",") if abs(cents) < 10**15 else str(cents)

    for statement in statements:
        for line in statement.lines.all():
            writer.writerow(
                [
                    statement.period.label,
                    statement.organisation.name,
                    line.resource.name,
                    _method_label(line.method),
                    line.key_label,
                    money(line.cost_cents),
                    money(line.amount_cents),
                ]
            )
        writer.writerow(
            [
                statement.period.label,
                statement.organisation.name,
                _("TOTAL"),
                "",
                "",
                "",
                money(statement.total_cents),
            ]
        )
    for entry in adjustments:
        writer.writerow(
            [
                entry.period.label,
                entry.organisation.name,
                entry.resource.name if entry.resource else "",
                _("Régularisation"),
                entry.reason,
                "",
                money(entry.amount_cents),
            ]
        )
    return out.getvalue()


def statement_pdf(statement: Statement, adjustments: Iterable[Adjustment] = ()) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(_latin1(_("Relevé de mutualisation")))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    period = statement.period
    pdf.cell(
        0,
        10,
        _latin1(_("Relevé de mutualisation – %(p)s") % {"p": period.label}),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("Helvetica", "", 11)
    for text in (
        period.pole.name,
        _("Membre : %(o)s") % {"o": statement.organisation.name},
        _("Du %(a)s au %(b)s")
        % {"a": f"{period.starts_on:%d/%m/%Y}", "b": f"{period.ends_on:%d/%m/%Y}"},
    ):
        pdf.cell(0, 7, _latin1(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    widths = (45, 40, 55, 25, 25)
    pdf.set_font("Helvetica", "B", 9)
    for width, title in zip(
        widths,
        (_("Ressource"), _("Méthode"), _("Clé utilisée"), _("Coût partagé"), _("Montant")),
        strict=True,
    ):
        pdf.cell(width, 7, _latin1(title), border=1)
    pdf.ln()
    pdf.set_font("Helvetica", "", 8)
    for line in statement.lines.all():
        cells = (
            line.resource.name,
            _method_label(line.method),
            line.key_label,
            plain_euros(line.cost_cents),
            plain_euros(line.amount_cents),
        )
        for width, text in zip(widths, cells, strict=True):
            pdf.cell(width, 7, _latin1(text)[:48], border=1, align="R" if "EUR" in text else "L")
        pdf.ln()
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(sum(widths[:-1]), 8, _latin1(_("Total")), border=1)
    pdf.cell(widths[-1], 8, plain_euros(statement.total_cents), border=1, align="R")
    pdf.ln()
    entries = list(adjustments)
    if entries:
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(0, 7, _latin1(_("Régularisations après clôture")), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        for entry in entries:
            pdf.cell(sum(widths[:-1]), 7, _latin1(entry.reason)[:90], border=1)
            pdf.cell(widths[-1], 7, plain_euros(entry.amount_cents), border=1, align="R")
            pdf.ln()
        total = statement.total_cents + sum(e.amount_cents for e in entries)
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(sum(widths[:-1]), 8, _latin1(_("Total après régularisations")), border=1)
        pdf.cell(widths[-1], 8, plain_euros(total), border=1, align="R")
        pdf.ln()
    pdf.ln(6)
    pdf.set_font("Helvetica", "I", 8)
    state = _("clôturée") if period.closed else _("ouverte (montants provisoires)")
    pdf.cell(
        0,
        6,
        _latin1(
            _("Période %(s)s. Édité le %(d)s.")
            % {"s": state, "d": f"{timezone.localdate():%d/%m/%Y}"}
        ),
    )
    return bytes(pdf.output())


def ical(name: str, bookings: Iterable[Booking], host: str, *, shows_who: bool = True) -> bytes:
    """A VCALENDAR of the bookings; each VEVENT's UID is stable (the booking's id).
    Without `shows_who` (an observer's feed) an event says "réservé": no organisation, no
    object."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    stamp = dt.datetime.now(dt.UTC)
    for booking in bookings:
        event = Event()
        event.add("uid", f"booking-{booking.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", booking.starts_at.astimezone(dt.UTC))
        event.add("dtend", booking.ends_at.astimezone(dt.UTC))
        who = booking.organisation.name if shows_who else _("réservé")
        event.add("summary", f"{booking.unit.name} – {who}")
        if shows_who and booking.note:
            event.add("description", booking.note)
        event.add("status", "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()
