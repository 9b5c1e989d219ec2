"""Translatable text of pure modules: `Message` renders French by itself and the reader's
language through Django, and makemessages extracts the templates the pure modules mark."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import translation

from ptce.actors import classification, naf
from ptce.core.i18n import translate
from ptce.core.text import Message, _, gettext_noop, joined, label, ngettext
from ptce.poles import eligibility
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
    ]
    for template in expected:
        assert template in found, template
