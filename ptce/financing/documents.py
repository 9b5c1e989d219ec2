"""Documents of a campaign: an investor's certificate (PDF) and the investor register (CSV,
XLSX).

PDFs use fpdf2's core fonts, which only know latin-1 (no font file ships with the project):
amounts are written "1 234,56 EUR" and characters outside latin-1 are replaced.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from fpdf import FPDF
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from ptce.financing.models import Campaign, Subscription
from ptce.financing.money import format_euros

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
        "\u00a0": " ",
        "€": "EUR",
        "œ": "oe",
        "Œ": "OE",
    }
)


def latin1(text: str) -> str:
    return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


def euros(cents: int | None) -> str:
    return format_euros(int(cents or 0), symbol="EUR", decimals=True).replace("\u00a0", " ")


def _day(value: object) -> str:
    if value is None:
        return ""
    return date_format(timezone.localtime(value), "SHORT_DATE_FORMAT")  # type: ignore[arg-type]


def certificate_pdf(subscription: Subscription) -> bytes:
    """The investor's certificate: who subscribed what to which campaign, and its status."""
    campaign = subscription.campaign
    pole = campaign.pole
    pdf = FPDF(format="A4")
    pdf.set_title(
        latin1(_("Attestation de souscription %(ref)s") % {"ref": subscription.public_id})
    )
    pdf.set_author(latin1(pole.name))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(0, 8, latin1(_("Attestation de souscription")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 6, latin1(f"{pole.name} - {campaign.title}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    allotted = subscription.allotted_cents
    rows = [
        (_("Référence"), str(subscription.public_id)),
        (_("Investisseur"), subscription.name or _("(données effacées)")),
        (_("Type"), str(subscription.get_investor_kind_display())),
    ]
    if subscription.representative:
        rows.append((_("Représenté par"), subscription.representative))
    address = " ".join(
        p
        for p in (
            subscription.address,
            subscription.postcode,
            subscription.commune.nom if subscription.commune else "",
        )
        if p
    )
    rows += [
        (_("Adresse"), address),
        (_("Projet"), str(campaign.project)),
        (_("Instrument"), str(campaign.get_instrument_display())),
    ]
    if subscription.units:
        rows.append(
            (
                _("Titres souscrits"),
                _("%(n)s x %(p)s")
                % {"n": subscription.units, "p": euros(campaign.unit_price_cents)},
            )
        )
    rows += [
        (_("Montant souscrit"), euros(subscription.amount_cents)),
        (
            _("Montant attribué"),
            euros(allotted) if allotted is not None else _("en attente de la clôture"),
        ),
        (_("Souscrit le"), _day(subscription.created_at)),
        (_("Paiement"), str(subscription.get_payment_status_display())),
        (_("Versement reçu le"), _day(subscription.paid_at) or "-"),
        (_("État de la campagne"), str(campaign.get_state_display())),
    ]
    for label, value in rows:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(55, 7, latin1(label))
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(0, 7, latin1(str(value)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "I", 9)
    pdf.multi_cell(
        0,
        5,
        latin1(
            _(
                "Attestation établie le %(day)s par %(pole)s d'après son registre des "
                "investisseurs. Les fonds sont conservés jusqu'à ce que le montant minimum de "
                "la campagne (%(min)s) soit atteint ; à défaut, ils sont remboursés."
            )
            % {
                "day": _day(timezone.now()),
                "pole": pole.name,
                "min": euros(campaign.minimum_cents),
            }
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())


REGISTER_COLUMNS = [
    gettext_lazy("Référence"),
    gettext_lazy("Souscrite le"),
    gettext_lazy("Type"),
    gettext_lazy("Nom"),
    gettext_lazy("Représentant"),
    gettext_lazy("E-mail"),
    gettext_lazy("Adresse"),
    gettext_lazy("Code postal"),
    gettext_lazy("Code INSEE"),
    gettext_lazy("Commune"),
    gettext_lazy("Habite le périmètre"),
    gettext_lazy("Titres"),
    gettext_lazy("Montant souscrit (EUR)"),
    gettext_lazy("Montant attribué (EUR)"),
    gettext_lazy("Paiement"),
    gettext_lazy("Versé le"),
    gettext_lazy("Remboursé le"),
    gettext_lazy("IBAN"),
    gettext_lazy("BIC"),
    gettext_lazy("Consentement (version)"),
    gettext_lazy("Consentement le"),
]


def _eur_number(cents: int | None) -> str:
    return "" if cents is None else f"{cents // 100}.{cents % 100:02d}"


# What a spreadsheet takes for a formula at the start of a cell (CSV/formula injection):
# text typed by the public is written with a leading apostrophe in the CSV, as text in XLSX.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_TYPED = (3, 4, 5, 6)  # name, representative, e-mail, address: free text typed by the public


def _inert(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def register_rows(subscriptions: Iterable[Subscription]) -> Iterable[list[object]]:
    for s in subscriptions:
        yield [
            str(s.public_id),
            s.created_at.isoformat(timespec="seconds"),
            s.get_investor_kind_display(),
            s.name,
            s.representative,
            s.email,
            s.address,
            s.postcode,
            s.commune_id or "",
            s.commune.nom if s.commune else "",
            _("oui") if s.is_local else _("non"),
            s.units if s.units is not None else "",
            _eur_number(s.amount_cents),
            _eur_number(s.allotted_cents),
            s.get_payment_status_display(),
            s.paid_at.isoformat(timespec="seconds") if s.paid_at else "",
            s.refunded_at.isoformat(timespec="seconds") if s.refunded_at else "",
            s.iban,
            s.bic,
            s.consent_version,
            s.consent_at.isoformat(timespec="seconds"),
        ]


def register_csv(subscriptions: Iterable[Subscription]) -> bytes:
    """The register as CSV (UTF-8 with BOM, semicolons: what French spreadsheets open)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([str(c) for c in REGISTER_COLUMNS])
    for row in register_rows(subscriptions):
        for i in _TYPED:
            row[i] = _inert(str(row[i]))
        writer.writerow(row)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def register_xlsx(campaign: Campaign, subscriptions: Iterable[Subscription]) -> bytes:
    """The register as an Excel workbook, amounts as numbers in euros."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("Registre")[:31])
    sheet.append([str(c) for c in REGISTER_COLUMNS])
    for row in register_rows(subscriptions):
        for i in (12, 13):
            row[i] = Decimal(str(row[i])) if row[i] != "" else None
        for i in _TYPED:
            if str(row[i]).startswith(_FORMULA_START):
                cell = WriteOnlyCell(sheet, value=str(row[i]))
                cell.data_type = "s"  # text, never a formula
                row[i] = cell
        sheet.append(row)
    info = book.create_sheet(title=_("Campagne")[:31])
    info.append([_("Campagne"), campaign.title])
    info.append([_("Pôle"), campaign.pole.name])
    info.append([_("État"), str(campaign.get_state_display())])
    info.append([_("Exporté le"), timezone.now().isoformat(timespec="seconds")])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
