"""Exports of a GE: a member's monthly invoice (PDF, CSV) and the register of members (CSV).

PDFs use fpdf2's core fonts, which only know latin-1: amounts are written "1 234,56 EUR"
and characters outside latin-1 are replaced (typographic quotes, dashes).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext as _
from fpdf import FPDF

from ptce.pooling.employees.models import EmployerGroup, GroupMember, Invoice

_LATIN1 = str.maketrans(
    {
        "’": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
        "—": "-",
        "–": "-",
        "…": "...",
        "\u202f": " ",
        "€": "EUR",
        "œ": "oe",
        "Œ": "OE",
    }
)


def latin1(text: str) -> str:
    return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


def euros(cents: int) -> str:
    """`123456` -> `1 234,56 EUR` (French format, ASCII only)."""
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(int(cents)), 100)
    return f"{sign}{units:,}".replace(",", " ") + f",{rest:02d} EUR"


def hours(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def invoice_pdf(invoice: Invoice, *, compress: bool = True) -> bytes:
    """One member's invoice for one month: a line per employee, then the adjustments made
    after the close, then the totals (`compress=False` keeps the text readable, for tests)."""
    group = invoice.group
    pdf = FPDF(format="A4")
    pdf.set_compression(compress)
    pdf.set_title(latin1(invoice.number))
    pdf.set_author(latin1(group.name))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(
        0, 8, latin1(_("Facture de mise à disposition de personnel")), new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("Helvetica", "", 10)
    rows = [
        (_("Numéro"), invoice.number),
        (_("Groupement d'employeurs"), f"{group.name} ({group.carrier.name})"),
        (_("Membre facturé"), invoice.organisation.name),
        (_("Mois"), invoice.month.strftime("%m/%Y")),
        (_("Frais de gestion"), f"{invoice.overhead_rate * 100:.2f} %".replace(".", ",")),
    ]
    for label, value in rows:
        pdf.cell(55, 6, latin1(label))
        pdf.multi_cell(0, 6, latin1(str(value)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    widths = (62, 20, 30, 38, 38)
    header = (
        _("Salarié"),
        _("Heures"),
        _("Coût horaire"),
        _("Coût salarial"),
        _("Frais de gestion"),
    )

    def row(cells: Iterable[str], bold: bool = False) -> None:
        pdf.set_font("Helvetica", "B" if bold else "", 9)
        for i, (w, text) in enumerate(zip(widths, cells, strict=True)):
            pdf.cell(w, 6, latin1(text)[:48], border=1, align="L" if i == 0 else "R")
        pdf.ln()

    row(header, bold=True)
    for line in invoice.lines.all():
        row(
            (
                f"{line.employee.person_name} ({line.employee.job_title})",
                hours(line.hours),
                euros(line.hourly_cost_cents),
                euros(line.pay_cents),
                euros(line.overhead_cents),
            )
        )
    adjustments = list(invoice.adjustments.all())
    if adjustments:
        pdf.ln(2)
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(0, 6, latin1(_("Régularisations après clôture")), new_x="LMARGIN", new_y="NEXT")
        for fix in adjustments:
            row(
                (
                    f"{fix.employee.person_name} : {fix.reason}",
                    hours(fix.hours),
                    euros(fix.hourly_cost_cents),
                    euros(fix.pay_cents),
                    euros(fix.overhead_cents),
                )
            )
    pdf.ln(3)
    fixes = sum(a.total_cents for a in adjustments)
    totals = [
        (_("Coût salarial"), euros(invoice.pay_cents)),
        (_("Frais de gestion"), euros(invoice.overhead_cents)),
        (_("Total du mois"), euros(invoice.total_cents)),
    ]
    if adjustments:
        totals += [
            (_("Régularisations"), euros(fixes)),
            (_("Total dû"), euros(invoice.total_cents + fixes)),
        ]
    for label, value in totals:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(150, 6, latin1(label), align="R")
        pdf.cell(38, 6, latin1(value), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "I", 8)
    pdf.multi_cell(
        0,
        4,
        latin1(
            _(
                "Mise à disposition à but non lucratif (art. L1253-1 et suivants du Code du "
                "travail) : refacturation au coût (salaire et charges) et quote-part des frais "
                "de gestion. Arrondi au centime, au plus proche (demi-centime supérieur)."
            )
        ),
    )
    return bytes(pdf.output())


def _csv(rows: Iterable[Iterable[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    for r in rows:
        writer.writerow(r)
    return buffer.getvalue()


def invoices_csv(invoices: Iterable[Invoice]) -> str:
    """A line per invoice line and adjustment; amounts in cents (exact)."""
    header = [
        "numero",
        "mois",
        "membre",
        "siren",
        "salarie",
        "type",
        "heures",
        "cout_horaire_centimes",
        "cout_salarial_centimes",
        "frais_gestion_centimes",
        "total_centimes",
        "motif",
    ]
    rows: list[list[object]] = [header]
    for invoice in invoices:
        base = [
            invoice.number,
            invoice.month.strftime("%Y-%m"),
            invoice.organisation.name,
            invoice.organisation.siren or "",
        ]
        for line in invoice.lines.all():
            rows.append(
                [
                    *base,
                    line.employee.person_name,
                    "facture",
                    line.hours,
                    line.hourly_cost_cents,
                    line.pay_cents,
                    line.overhead_cents,
                    line.total_cents,
                    "",
                ]
            )
        for fix in invoice.adjustments.all():
            rows.append(
                [
                    *base,
                    fix.employee.person_name,
                    "regularisation",
                    fix.hours,
                    fix.hourly_cost_cents,
                    fix.pay_cents,
                    fix.overhead_cents,
                    fix.total_cents,
                    fix.reason,
                ]
            )
    return _csv(rows)


def register_csv(group: EmployerGroup, members: Iterable[GroupMember]) -> str:
    """The register of the GE's members, with their joined and left dates (joint liability
    for wage and social debts covers the time of membership)."""
    rows: list[list[object]] = [
        [
            "groupement",
            "structure_employeuse",
            "membre",
            "siren",
            "collectivite_territoriale",
            "entree_le",
            "sortie_le",
        ]
    ]
    for m in members:
        rows.append(
            [
                group.name,
                group.carrier.name,
                m.organisation.name,
                m.organisation.siren or "",
                "oui" if m.local_authority else "non",
                m.joined_on.isoformat(),
                m.left_on.isoformat() if m.left_on else "",
            ]
        )
    return _csv(rows)
