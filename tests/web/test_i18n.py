"""The interface languages: French by default, English on request, and a complete English catalogue."""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

LOCALE = Path(settings.LOCALE_PATHS[0])
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
EN_MO = LOCALE / "en" / "LC_MESSAGES" / "django.mo"
FR_PO = LOCALE / "fr" / "LC_MESSAGES" / "django.po"

HTML_LANG = re.compile(r'<html lang="([a-z-]+)"')
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%%|%[sd]|\{[a-z_]+\}")


# --- a small reader for the .po files (polib is not a dependency) ---------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    msgctxt: str | None = None
    flags: set[str] = field(default_factory=set)
    line: int = 0


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')


def read_po(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    entry: Entry | None = None
    target: str | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            if entry is not None:
                entries.append(entry)
            entry, target = None, None
            continue
        if entry is None:
            entry = Entry(line=number)
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, index, literal = match.groups()
            target = "msgstr" if keyword.startswith("msgstr") else keyword
            if target == "msgstr":
                index = int(index or 0)
                entry.msgstr[index] = ""
                target = f"msgstr[{index}]"
            else:
                setattr(entry, keyword, "")
        else:
            literal = line
        assert target is not None, f"{path}:{number}: text outside an entry"
        text = ast.literal_eval(literal)
        if target.startswith("msgstr["):
            index = int(target[7:-1])
            entry.msgstr[index] += text
        else:
            setattr(entry, target, (getattr(entry, target) or "") + text)
    if entry is not None:
        entries.append(entry)
    return entries


def header(entries: list[Entry]) -> dict[str, str]:
    first = entries[0]
    assert first.msgid == "", "the catalogue starts with its header"
    fields = {}
    for line in first.msgstr[0].splitlines():
        name, _, value = line.partition(":")
        fields[name.strip()] = value.strip()
    return fields


def messages(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if e.msgid != ""]


# --- the pages in each language -----------------------------------------------------------


def choose_english(client) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def page_language(response) -> str:
    match = HTML_LANG.search(response.content.decode())
    assert match, "the page declares its language"
    return match.group(1)


PAGES = [
    pytest.param("/", None, ["The platform for territorial economic cooperation hubs"], id="home"),
    pytest.param(
        "/territoires/", {"q": "roma"}, ["2 communes found for “roma”.", "Browse by"], id="search"
    ),
    pytest.param(
        "/territoires/communes/26281/",
        None,
        ["At a glance", "INSEE code", "Neighboring communes", "inhabitants"],
        id="commune",
    ),
    pytest.param(
        "/observatoire/",
        None,
        ["Observatory of territorial economic cooperation hubs (PTCE)", "Open data"],
        id="observatory",
    ),
    pytest.param(
        "/annuaire/", None, ["Actor directory", "Apply filters", "Headcount band"], id="directory"
    ),
]

NAVIGATION_EN = ["Home", "Observatory", "Directory", "Territories", "Sign in", "Skip to content"]
NAVIGATION_FR = ["Accueil", "Observatoire", "Annuaire", "Territoires", "Connexion"]


@pytest.mark.parametrize(("url", "params", "words"), PAGES)
def test_pages_render_in_english_once_chosen(client, territory, url, params, words):
    choose_english(client)
    response = client.get(url, params)
    assert response.status_code == 200
    assert page_language(response) == "en"
    assert response["Content-Language"] == "en"
    text = response.content.decode()
    for word in [*NAVIGATION_EN, *words]:
        assert word in text, word
    for word in ["Aller au contenu", "Annuaire", "Observatoire", "Se connecter", "Connexion"]:
        assert word not in text, word


@pytest.mark.parametrize(("url", "params", "words"), PAGES)
def test_french_is_the_default_without_a_cookie(client, territory, url, params, words):
    response = client.get(url, params)  # the test client sends no Accept-Language header
    assert response.status_code == 200
    assert page_language(response) == "fr"
    text = response.content.decode()
    for word in NAVIGATION_FR:
        assert word in text, word
    for word in words:
        assert word not in text, word


def test_english_sticks_across_requests_and_french_comes_back(client, territory):
    choose_english(client)
    assert page_language(client.get("/")) == "en"
    assert page_language(client.get("/annuaire/")) == "en"
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert response.status_code == 302
    home = client.get("/")
    assert page_language(home) == "fr"
    assert "Se connecter" in home.content.decode()


def test_the_english_plural_forms_are_applied(client, territory):
    choose_english(client)
    text = client.get("/territoires/departements/26/").content.decode()
    assert "4 communes" in text
    assert "Département in the Auvergne-Rhône-Alpes région." in text


# --- the catalogues ------------------------------------------------------------------------


def test_the_english_catalogue_is_complete():
    entries = read_po(EN_PO)
    fields = header(entries)
    assert fields["Language"] == "en"
    assert fields["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert "fuzzy" not in entries[0].flags
    found = messages(entries)
    assert len(found) > 900
    untranslated = [
        e.msgid for e in found if not e.msgstr or any(not s.strip() for s in e.msgstr.values())
    ]
    assert untranslated == []
    fuzzy = [e.msgid for e in found if "fuzzy" in e.flags]
    assert fuzzy == []
    plurals = [e for e in found if e.msgid_plural is not None]
    assert plurals
    assert all(sorted(e.msgstr) == [0, 1] for e in plurals)


def test_the_english_catalogue_keeps_every_placeholder():
    wrong = []
    for e in messages(read_po(EN_PO)):
        sources = [e.msgid] if e.msgid_plural is None else [e.msgid, e.msgid_plural]
        for source, translation in zip(sources, e.msgstr.values(), strict=True):
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translation)):
                wrong.append((source, translation))
            if source[:1].isspace() != translation[:1].isspace():
                wrong.append((source, translation))
            if source[-1:].isspace() != translation[-1:].isspace():
                wrong.append((source, translation))
    assert wrong == []


def test_the_compiled_english_catalogue_matches_the_po_file():
    with EN_MO.open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = []
    for e in messages(read_po(EN_PO)):
        if e.msgid_plural is None:
            if e.msgctxt is None:
                got = [compiled.gettext(e.msgid)]
            else:
                got = [compiled.pgettext(e.msgctxt, e.msgid)]
        elif e.msgctxt is None:
            got = [compiled.ngettext(e.msgid, e.msgid_plural, n) for n in (1, 2)]
        else:
            got = [compiled.npgettext(e.msgctxt, e.msgid, e.msgid_plural, n) for n in (1, 2)]
        if got != list(e.msgstr.values()):
            stale.append(e.msgid)
    assert stale == [], "run `make messages` (compilemessages) after editing the .po file"


def test_the_french_catalogue_is_the_source():
    entries = read_po(FR_PO)
    fields = header(entries)
    assert fields["Language"] == "fr"
    assert fields["Plural-Forms"] == "nplurals=2; plural=(n > 1);"
    assert {e.msgid for e in messages(entries)} == {e.msgid for e in messages(read_po(EN_PO))}
