"""Translatable text of pure modules: `Message` renders French by itself and the reader's
language through Django, and makemessages extracts the templates the pure modules mark."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from ptce.actors import classification, naf
from ptce.core.i18n import translate
from ptce.core.text import Message, _, gettext_noop, joined, label, ngettext
from ptce.poles import colleges, eligibility
from ptce.pooling import keys
from tests.web.test_i18n import read_po

ROOT = Path(__file__).resolve().parents[2]


def test_a_message_is_its_french_sentence():
    found = ngettext("%(count)s membre", "%(count)s membres", 1)
    assert str(found) == "1 membre"
    assert str(ngettext("%(count)s membre", "%(count)s membres", 0)) == "0 membre"
    assert str(ngettext("%(count)s membre", "%(count)s membres", 12000)) == "12\u202f000 membres"
    nested = _("%(found)s parmi %(who)s.", found=found, who=label(gettext_noop("les pôles")))
    assert str(nested) == "1 membre parmi les pôles."
    assert str(joined(["a", label("b"), 3])) == "a, b, 3"
    assert str(_("Taux : 100 %")) == "Taux : 100 %"  # no parameters: used as it is
    assert str(_("Taux : %(x)s %%", x="5")) == "Taux : 5 %"


def test_translate_uses_the_active_language(db):
    message = classification.classify("9220", True, "88.99B", None).message
    french = str(message)
    assert french.startswith("Catégorie juridique 9220 : association")
    with translation.override("fr"):
        assert translate(message) == french
    assert translate("") == ""
    assert isinstance(message, Message)


def test_decimal_parameters_are_french_in_the_sentence_and_local_once_translated(db):
    weight = _("%(weight)s %% des voix", weight=Decimal("33.33"))
    assert str(weight) == "33,33 % des voix"
    assert str(_("%(x)s", x=Decimal("1234.50"))) == "1234,50"  # its digits, ungrouped
    assert str(_("%(x)s", x=0.1)) == "0,1"  # a float as written
    assert str(_("%(x)s", x=Decimal("-2"))) == "-2"
    assert str(_("%(x)s", x=Decimal("NaN"))) == "NaN"
    assert str(_("%(x)s", x=float("inf"))) == "inf"
    with translation.override("fr"):
        assert translate(weight) == "33,33 % des voix"
        assert translate(_("%(x)s", x=Decimal("1234.50"))) == "1\u00a0234,50"
    with translation.override("en"):  # no English for the template: only the figure changes
        assert translate(weight) == "33.33 % des voix"
        assert translate(_("%(x)s", x=Decimal("1234.50"))) == "1,234.50"
        assert translate(_("%(x)s", x=0.25)) == "0.25"
        assert translate(_("%(n)s", n=12000)) == "12,000"  # integers as before


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_a_decimal_parameter_is_written_with_a_decimal_comma(value):
    assert str(_("%(x)s", x=value)) == f"{value:f}".replace(".", ",")


def test_college_errors_carry_their_percentages_as_decimals():
    errors = colleges.validate_colleges(
        [
            colleges.CollegeInput(name, Decimal(w))
            for name, w in (("A", "33.330"), ("B", "33.33"), ("C", "33.3"))
        ]
    )
    (total,) = errors
    assert total.code == "sum_not_100"
    assert total.text.params["total"] == Decimal("99.96")
    assert total.message == (
        "La somme des poids des collèges est de 99,96 % ; elle doit être de 100 % (à 0,01 près)."
    )


def test_conditions_and_college_errors_keep_their_french_message():
    facts = eligibility.HubFacts("association", None, [], None, None, None)
    first = eligibility.evaluate(facts)[0]
    assert isinstance(first.text, Message)
    assert first.message == (
        "Structure porteuse : association déclarée (loi 1901), personne morale de droit privé."
    )


XGETTEXT = [
    "xgettext",
    "--language=Python",
    "--from-code=UTF-8",
    # the keywords Django's makemessages adds to xgettext's defaults (_, gettext, ngettext...)
    "--keyword=gettext_noop",
    "--keyword=gettext_lazy",
    "--keyword=ngettext_lazy:1,2",
    "--keyword=pgettext:1c,2",
    "--keyword=npgettext:1c,2,3",
]
SOURCES = [
    "ptce/actors/classification.py",
    "ptce/actors/naf.py",
    "ptce/poles/eligibility.py",
    "ptce/poles/colleges.py",
    "ptce/poles/profile.py",
    "ptce/poles/models.py",
    "ptce/pooling/keys.py",  # not pure, but its templates are marked the same way
]


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext tools not installed")
def test_makemessages_extracts_the_templates_of_the_pure_modules(tmp_path):
    po = tmp_path / "django.po"
    subprocess.run([*XGETTEXT, f"--output={po}", *SOURCES], cwd=ROOT, check=True)
    found = set()
    for entry in read_po(po):
        found.add(entry.msgid)
        if entry.msgid_plural:
            found.add(entry.msgid_plural)
    expected = [
        *classification.REASON_MESSAGES.values(),
        *(label for *_bounds, label in naf.SECTIONS.values()),
        *eligibility.ACTOR_TYPE_LABELS.values(),
        *(f for f in eligibility.CARRIER_LEGAL_FORMS.values() if f not in {"SCOP", "GIE", "SAS"}),
        "Structure porteuse : %(form)s, personne morale de droit privé.",
        "%(count)s personnes morales parmi les membres",  # a plural form
        "Collège n° %(number)s « %(name)s »",
        "entre %(low)s et %(high)s emplois directs (%(note)s)",
        "Mature (capable de changer d'échelle)",
        *keys.USAGE.values(),
        keys.FIXED_PLUS_USAGE,
        keys.KEYS,
    ]
    for template in expected:
        assert template in found, template
