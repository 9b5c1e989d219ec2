"""Sentences written by pure modules (classification reasons, eligibility conditions) follow
the reader's language: the pure modules return marked templates and parameters, the pages
and the API translate them when they show them. French stays the default.

The English of these sentences comes from the catalogue the lead regenerates; so that these
tests do not depend on its state, they add a small English catalogue of their own in front
of the project's (LOCALE_PATHS) for a few of the templates.
"""

from __future__ import annotations

import html
import struct
from array import array
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from ptce.actors import classification
from ptce.core.choices import Role
from tests.actors import factories as actors
from tests.poles import factories
from tests.web.html import squash
from tests.web.test_i18n import EN_PO, choose_english, page_language, read_po

ASSOCIATION = classification.REASON_MESSAGES["legal_category_association"]
ENGLISH = {
    ASSOCIATION: (
        "Legal category %(categorie_juridique)s: association, an SSE enterprise under the law "
        "of 31 July 2014."
    ),
    "Structure porteuse : %(form)s, personne morale de droit privé.": (
        "Carrier: %(form)s, a private-law legal person."
    ),
    "association déclarée (loi 1901)": "declared association (1901 law)",
    "%(found)s (au moins 3 requises).": "%(found)s (at least 3 required).",
    # a plural entry: msgid and msgid_plural, the English forms
    "%(count)s personne morale parmi les membres\x00"
    "%(count)s personnes morales parmi les membres": (
        "%(count)s legal person among the members\x00%(count)s legal persons among the members"
    ),
}


def write_mo(path: Path, messages: dict[str, str]) -> None:
    """A GNU .mo file (the format msgfmt writes), without needing the gettext tools."""
    catalogue = {
        "": "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=2; plural=(n != 1);\n",
        **messages,
    }
    keys = sorted(k.encode() for k in catalogue)
    values = [catalogue[k.decode()].encode() for k in keys]
    ids = strs = b""
    table = []
    for key, value in zip(keys, values, strict=True):
        table.append((len(ids), len(key), len(strs), len(value)))
        ids += key + b"\0"
        strs += value + b"\0"
    key_start = 7 * 4 + 16 * len(keys)
    value_start = key_start + len(ids)
    key_offsets: list[int] = []
    value_offsets: list[int] = []
    for id_at, id_len, str_at, str_len in table:
        key_offsets += [id_len, id_at + key_start]
        value_offsets += [str_len, str_at + value_start]
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + len(keys) * 8, 0, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header + array("i", key_offsets + value_offsets).tobytes() + ids + strs)


@pytest.fixture
def english_sentences(tmp_path):
    write_mo(tmp_path / "en" / "LC_MESSAGES" / "django.mo", ENGLISH)
    # Changing LOCALE_PATHS resets Django's translation caches (and again on the way out).
    with override_settings(LOCALE_PATHS=[str(tmp_path), *settings.LOCALE_PATHS]):
        yield


@pytest.fixture
def association(territory):
    return actors.association("Les Jardins Partagés (fictive)")


@pytest.fixture
def hub(territory):
    hub = factories.eligible_pole("Pôle Sud (fictif)")
    coordinator = factories.person("coord@example.org", hub, Role.COORDINATOR)
    return hub, coordinator


FRENCH_REASON = (
    "Catégorie juridique 9220 : association, entreprise de l'ESS par la loi du 31 juillet 2014."
)
ENGLISH_REASON = (
    "Legal category 9220: association, an SSE enterprise under the law of 31 July 2014."
)


def organisation_page(client, organisation) -> str:
    response = client.get(reverse("directory:organisation", args=[organisation.pk]))
    assert response.status_code == 200
    return squash(html.unescape(response.content.decode()))


def test_the_classification_reason_is_french_by_default(client, association):
    text = organisation_page(client, association)
    assert FRENCH_REASON in text
    assert ENGLISH_REASON not in text


def test_the_classification_reason_renders_in_english_once_chosen(
    client, association, english_sentences
):
    choose_english(client)
    text = organisation_page(client, association)
    assert ENGLISH_REASON in text
    assert "Catégorie juridique 9220" not in text


def hub_page(client, hub) -> tuple[str, object]:
    pole, coordinator = hub
    client.force_login(coordinator)
    response = client.get(reverse("observatory:pole", args=[pole.slug]))
    assert response.status_code == 200
    return squash(html.unescape(response.content.decode())), response


def test_the_eligibility_verdict_and_conditions_are_french_by_default(client, hub):
    text, response = hub_page(client, hub)
    assert page_language(response) == "fr"
    assert "éligible" in text
    assert (
        "Structure porteuse : association déclarée (loi 1901), personne morale de droit privé."
        in text
    )
    assert "3 personnes morales parmi les membres (au moins 3 requises)." in text


def test_the_eligibility_verdict_and_conditions_render_in_english_once_chosen(
    client, hub, english_sentences
):
    choose_english(client)
    text, response = hub_page(client, hub)
    assert page_language(response) == "en"
    assert 'id="eligibility-badge">eligible<' in response.content.decode().replace("\n", "")
    # a nested label, then a plural form inside another sentence
    assert "Carrier: declared association (1901 law), a private-law legal person." in text
    assert "3 legal persons among the members (at least 3 required)." in text
    assert "Structure porteuse" not in text
    assert "personnes morales parmi les membres" not in text


def test_the_eligibility_api_answers_in_the_request_language(client, hub, english_sentences):
    pole, coordinator = hub
    client.force_login(coordinator)
    url = f"/api/v1/poles/{pole.slug}/eligibility"
    french = {c["code"]: c["message"] for c in client.get(url).json()}
    assert french["decret_private_law_person"] == (
        "Structure porteuse : association déclarée (loi 1901), personne morale de droit privé."
    )
    english = {c["code"]: c["message"] for c in client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()}
    assert english["decret_private_law_person"] == (
        "Carrier: declared association (1901 law), a private-law legal person."
    )


@pytest.mark.skipif(
    ASSOCIATION not in {e.msgid for e in read_po(EN_PO)},
    reason="the English catalogue has not been regenerated with the pure modules' templates yet",
)
def test_the_project_catalogue_translates_the_classification_reason(client, association):
    choose_english(client)
    text = organisation_page(client, association)
    assert "Catégorie juridique 9220" not in text
