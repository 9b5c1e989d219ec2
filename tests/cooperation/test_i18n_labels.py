"""The labels of the synergy engine's tables (kinds and categories, units, periodicities,
price intents, NAF levels, actor groups) follow the reader's language: the pure modules mark
them with `gettext_noop`, the models, forms, reasons and e-mails translate them at display.

As in `tests/web/test_i18n_pure_modules.py`, a small English catalogue of the test's own is
put in front of the project's, so the tests do not depend on the catalogue's state.
"""

from __future__ import annotations

import html
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from ptce.cooperation import graph, reasons, services, units
from ptce.cooperation.models import Proposal
from ptce.cooperation.proposals import REASON_MESSAGES
from ptce.cooperation.prospects import LEVELS
from ptce.cooperation.reference import CONFIDENTIALITIES, KINDS, PRICE_INTENTS
from tests.cooperation import factories as f
from tests.core.test_text import XGETTEXT
from tests.web.html import squash
from tests.web.test_i18n import choose_english, read_po
from tests.web.test_i18n_pure_modules import write_mo

ROOT = Path(__file__).resolve().parents[2]

ENGLISH = {
    REASON_MESSAGES["price"]: (
        "Price: the need is willing to pay %(need_label)s, the offer is made "
        "%(offer_label)s (compatibility %(score_pct)s %%)."
    ),
    REASON_MESSAGES["quantity_fit"]: (
        "Comparable quantities: %(need)s %(unit)s%(per)s needed, %(offer)s %(unit)s%(per)s "
        "offered (ratio %(ratio_pct)s %%)."
    ),
    REASON_MESSAGES["prospect_offers"]: (
        "Its activity usually offers “%(label)s”, asked for by %(count)s need(s) of members "
        "within its reach."
    ),
    REASON_MESSAGES["prospect_activity"]: (
        "Main activity %(naf)s, under the entry “%(entry)s” (%(level)s) of the activity table "
        "(precision %(score_pct)s %%)."
    ),
    "Véhicules": "Vehicles",
    "Véhicule utilitaire": "Van",
    "Services": "Services",
    "Collecte des déchets": "Waste collection",
    "journée de travail (7 h)": "workday (7 h)",
    "temps de travail": "working time",
    "à prix coûtant": "at cost",
    "au prix du marché": "at market price",
    "par an": "per year",
    "par semaine": "per week",
    "sous-classe": "subclass",
    "Entreprises de l'ESS": "SSE enterprises",
}


@pytest.fixture
def english_labels(tmp_path):
    write_mo(tmp_path / "en" / "LC_MESSAGES" / "django.mo", ENGLISH)
    # Changing LOCALE_PATHS resets Django's translation caches (and again on the way out).
    with override_settings(LOCALE_PATHS=[str(tmp_path), *settings.LOCALE_PATHS]):
        yield


# a prospect's reason as stored by the engine (codes and the French composite label), and
# one stored before the codes were known to this version: its label shows as stored
STORED_PROSPECT = {
    "code": "prospect_offers",
    "params": {
        "kind": "services",
        "category": "waste_collection",
        "label": "Services — Collecte des déchets",
        "count": 2,
    },
    "message": "",
}
OLD_PROSPECT = {
    "code": "prospect_offers",
    "params": {"kind": "retired", "category": "gone", "label": "Ancien — Libellé", "count": 1},
    "message": "",
}
ACTIVITY = {
    "code": "prospect_activity",
    "params": {"naf": "38.11Z", "entry": "38.11Z", "level": "sous-classe", "score_pct": 100},
    "message": "",
}


@pytest.fixture
def exchange(db):
    h = f.hub()
    common = {"quantity": "2", "unit": "jour", "periodicity": "week"}
    f.need(h, h.org_a, price_intent="at_cost", **common)
    f.offer(h, h.org_b, price_intent="market", **common)
    services.run_synergies(h.coordinator, pole=h.pole, notify=False)
    proposal = Proposal.objects.get(kind="exchange")
    proposal.reasons = [*proposal.reasons, STORED_PROSPECT, OLD_PROSPECT, ACTIVITY]
    proposal.save(update_fields=["reasons"])
    return h, proposal


def proposals_page(client, h) -> str:
    client.force_login(h.alice)
    response = client.get(reverse("cooperation:proposals", args=[h.pole.slug]))
    assert response.status_code == 200
    return squash(html.unescape(response.content.decode()))


def test_the_proposals_page_shows_the_engine_labels_in_french_by_default(client, exchange):
    h, _proposal = exchange
    text = proposals_page(client, h)
    assert "Véhicules, Véhicule utilitaire · 2 × journée de travail (7 h)" in text
    assert "le besoin est prêt à payer à prix coûtant, l'offre est proposée au prix du marché" in (
        text
    )
    assert "728 h par an demandés" in text
    assert "offre habituellement « Services — Collecte des déchets »" in text
    assert "offre habituellement « Ancien — Libellé »" in text
    assert "(sous-classe)" in text


def test_the_proposals_page_shows_the_engine_labels_in_english_once_chosen(
    client, exchange, english_labels
):
    h, _proposal = exchange
    choose_english(client)
    text = proposals_page(client, h)
    # the declarations: kind, category and unit
    assert "Vehicles, Van · 2 × workday (7 h)" in text
    # the reasons: price intents, "per year", the composite category rebuilt from its codes,
    # the NAF level; an old stored label whose codes are unknown shows as stored
    assert "the need is willing to pay at cost, the offer is made at market price" in text
    assert "728 h per year needed" in text
    assert "usually offers “Services — Waste collection”" in text
    assert "usually offers “Ancien — Libellé”" in text
    assert "(subclass)" in text
    for french in ("Véhicule utilitaire", "journée de travail", "prix coûtant", "par an"):
        assert french not in text, french


def test_e_mails_and_the_api_write_the_reasons_in_the_active_language(exchange, english_labels):
    _h, proposal = exchange
    with translation.override("en"):
        messages = [row["message"] for row in reasons.rows(proposal.reasons)]
    assert any("willing to pay at cost" in m for m in messages)
    assert any("“Services — Waste collection”" in m for m in messages)


def test_the_declaration_form_and_the_graph_are_translated(client, exchange, english_labels):
    h, _proposal = exchange
    choose_english(client)
    client.force_login(h.alice)
    form = client.get(reverse("cooperation:declarations", args=[h.pole.slug, "besoins"]))
    text = html.unescape(form.content.decode())
    assert ">Van</option>" in text and "workday (7 h) (working time)" in text
    assert 'label="Vehicles"' in text and ">per week</option>" in text
    # the list of needs: category, unit and periodicity
    assert "Vehicles — Van" in text and "2 × workday (7 h) (per week)" in text
    page = client.get(reverse("cooperation:graph", args=[h.pole.slug]))
    assert "SSE enterprises" in html.unescape(page.content.decode())


def test_a_stored_label_with_unknown_codes_or_none_is_kept():
    assert reasons.category_label("services", "waste_collection") == (
        "Services — Collecte des déchets"
    )
    assert reasons.category_label("retired", "gone") is None
    assert reasons.category_label(None, None) is None
    # an empty label is not looked up (gettext("") is the catalogue's header)
    assert reasons._param("label", "") == ""
    assert reasons._param("per", "") == ""
    assert reasons._param("per", " par an") == " par an"


def _labels() -> list[str]:
    found = [entry.label for entry in KINDS.values()]
    found += [label for entry in KINDS.values() for label in entry.categories.values()]
    found += [*PRICE_INTENTS.values(), *CONFIDENTIALITIES.values()]
    found += [u.label for u in units.UNITS] + list(units.DIMENSIONS.values())
    found += [label for label, _n in units.PERIODICITIES.values()]
    found += [label for label, _s in LEVELS.values()] + list(graph.ACTOR_GROUPS.values())
    return found


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext tools not installed")
def test_makemessages_extracts_every_label_of_the_engine_tables(tmp_path):
    po = tmp_path / "django.po"
    sources = [
        "ptce/cooperation/reference.py",
        "ptce/cooperation/units.py",
        "ptce/cooperation/prospects.py",
        "ptce/cooperation/graph.py",
    ]
    subprocess.run([*XGETTEXT, f"--output={po}", *sources], cwd=ROOT, check=True)
    found = {entry.msgid for entry in read_po(po)}
    missing = [label for label in _labels() if label not in found]
    assert not missing
