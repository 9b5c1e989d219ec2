"""Figures inside sentences and next to labels follow the reader's language: the college
weights of a hub (workspace page) and the decimals of the college rules' messages. French
stays unchanged. A small English catalogue of the tests' own is put in front of the
project's (see tests/web/test_i18n_pure_modules.py)."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from ptce.core.choices import Role
from ptce.poles import services
from tests.poles import factories
from tests.web.html import squash
from tests.web.test_i18n import choose_english
from tests.web.test_i18n_pure_modules import write_mo

SUM = (
    "La somme des poids des collèges est de %(total)s %% ; elle doit être de 100 %% "
    "(à %(tolerance)s près)."
)
ENGLISH = {
    SUM: "The college weights add up to %(total)s%%; they must add up to 100%% "
    "(within %(tolerance)s).",
    "Collèges": "Colleges",
}
WEIGHTS = {
    "rows": "3",
    "name_0": "Salariés",
    "weight_0": "33,33",
    "name_1": "Usagers",
    "weight_1": "33,33",
    "name_2": "Collectivités",
    "weight_2": "33,3",
}


@pytest.fixture
def english_sentences(tmp_path):
    write_mo(tmp_path / "en" / "LC_MESSAGES" / "django.mo", ENGLISH)
    with override_settings(LOCALE_PATHS=[str(tmp_path), *settings.LOCALE_PATHS]):
        yield


@pytest.fixture
def hub(client, territory):
    pole = factories.eligible_pole("Pôle Sud (fictif)")
    coordinator = factories.person("coord@example.org", pole, Role.COORDINATOR)
    client.force_login(coordinator)
    return pole, coordinator


def text_of(response) -> str:
    """The page's text, without its tags."""
    return squash(html.unescape(re.sub(r"<[^>]+>", "", response.content.decode())))


def thirds(pole, coordinator) -> None:
    services.set_colleges(
        coordinator,
        pole=pole,
        colleges=[
            ("Salariés", Decimal("33.33")),
            ("Usagers", Decimal("33.33")),
            ("Collectivités", Decimal("33.34")),
        ],
    )


def test_college_weights_are_french_by_default(client, hub):
    pole, coordinator = hub
    thirds(pole, coordinator)
    text = text_of(client.get(reverse("workspace:pole", args=[pole.slug])))
    assert "Salariés — 33,33\u00a0%" in text
    assert "Collectivités — 33,34\u00a0%" in text
    assert "33.33" not in text


def test_college_weights_are_written_the_english_way_once_chosen(client, hub):
    pole, coordinator = hub
    thirds(pole, coordinator)
    services.set_colleges(
        coordinator,
        pole=pole,
        colleges=[
            ("Salariés", Decimal("40.00")),
            ("Usagers", Decimal("33.33")),
            ("Collectivités", Decimal("26.67")),
        ],
    )
    choose_english(client)
    text = text_of(client.get(reverse("workspace:pole", args=[pole.slug])))
    assert "Salariés — 40%" in text  # trailing zeros dropped
    assert "Usagers — 33.33%" in text
    assert "33,33" not in text and "33.33 %" not in text


def test_college_rule_messages_keep_their_french_decimals(client, hub):
    pole, _coordinator = hub
    response = client.post(reverse("workspace:colleges", args=[pole.slug]), WEIGHTS)
    assert response.status_code == 400
    assert (
        "La somme des poids des collèges est de 99,96 % ; elle doit être de 100 % (à 0,01 près)."
        in text_of(response)
    )


def test_college_rule_messages_write_decimals_the_english_way_once_chosen(
    client, hub, english_sentences
):
    pole, _coordinator = hub
    choose_english(client)
    response = client.post(reverse("workspace:colleges", args=[pole.slug]), WEIGHTS)
    assert response.status_code == 400
    text = text_of(response)
    assert "The college weights add up to 99.96%; they must add up to 100% (within 0.01)." in text
    assert "99,96" not in text and "0,01" not in text
