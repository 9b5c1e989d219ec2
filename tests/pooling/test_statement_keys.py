"""The key of a statement line: stored as figures (`key_params`) and as French text
(`key_label`, for the exports made for French accounting); the period page writes it in the
reader's language. Lines computed before the figures were stored show their stored text.

A small English catalogue of the tests' own is put in front of the project's (as in
tests/web/test_i18n_pure_modules.py), so that the tests do not depend on its state.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from ptce.pooling import accounting, keys, services
from ptce.pooling.models import Method, StatementLine
from tests.pooling.factories import hub
from tests.web.html import squash
from tests.web.test_i18n import choose_english
from tests.web.test_i18n_pure_modules import write_mo

ENGLISH = {
    keys.USAGE["hours"]: "%(used)s h / %(whole)s h",
    keys.FIXED_PLUS_USAGE: "fixed %(fixed)s%% + %(usage)s",
    keys.KEYS: "%(key)s: %(value)s / %(whole)s",
    keys.SHAPLEY: "Shapley %(v)s of %(t)s",
    keys.SHAPLEY_SAMPLED: " (estimated over %(p)s orderings, standard error %(e)s)",
    "Effectif": "Headcount",
}


@pytest.fixture
def english_sentences(tmp_path):
    write_mo(tmp_path / "en" / "LC_MESSAGES" / "django.mo", ENGLISH)
    with override_settings(LOCALE_PATHS=[str(tmp_path), *settings.LOCALE_PATHS]):
        yield


@pytest.fixture
def h(db):
    return hub()


@pytest.fixture
def month(h):
    period = accounting.open_period(
        h.coordinator, pole=h.pole, kind="month", starts_on=dt.date(2026, 3, 1)
    )
    accounting.record_cost(
        h.coordinator, resource=h.room, period=period, category="rent", amount_cents=100_000
    )
    return period


def lines_of(h, period) -> dict[str, StatementLine]:
    accounting.compute_statements(h.coordinator, period=period)
    return {
        line.statement.organisation.name: line
        for line in StatementLine.objects.select_related("statement__organisation")
    }


def fixed_plus_usage(h, period) -> dict[str, StatementLine]:
    accounting.set_allocation_rule(
        h.coordinator,
        resource=h.room,
        method="fixed_plus_usage",
        fixed_share=Decimal("0.2"),
        measure="hours",
    )
    for person, org, hours in ((h.alice, h.org_a, "3.5"), (h.bruno, h.org_b, "1")):
        services.record_usage(
            person, resource=h.room, organisation=org, day=dt.date(2026, 3, 3), used_hours=hours
        )
    return lines_of(h, period)


def by_headcount(h, period) -> dict[str, StatementLine]:
    accounting.set_allocation_rule(
        h.coordinator,
        resource=h.room,
        method="by_keys",
        key="headcount",
        key_values={str(h.org_a.pk): "12.5", str(h.org_b.pk): "1000"},
    )
    return lines_of(h, period)


def test_the_stored_french_text_is_unchanged(h, month):
    equal = lines_of(h, month)[h.org_a.name]
    assert equal.key_label == "1/2" and equal.key_params == {"members": 2}
    line = fixed_plus_usage(h, month)[h.org_a.name]
    assert line.key_label == "fixe 20 % + 3,50 h / 4,50 h"
    assert line.key_params == {"measure": "hours", "fixed": "20", "used": "3.50", "whole": "4.50"}
    line = by_headcount(h, month)[h.org_b.name]
    assert line.key_label == "Effectif : 1000 / 1012,50"
    assert line.key_params == {"key": "headcount", "value": "1000", "whole": "1012.50"}


def test_the_stored_text_stays_french_when_an_english_reader_computes(h, month, english_sentences):
    with translation.override("en"):
        line = by_headcount(h, month)[h.org_a.name]
        assert line.key_text == "Headcount: 12.50 / 1,012.50"
    assert line.key_label == "Effectif : 12,50 / 1012,50"


def test_the_key_is_written_in_the_active_language(h, month, english_sentences):
    line = fixed_plus_usage(h, month)[h.org_a.name]
    with translation.override("fr"):
        assert line.key_text == "fixe 20 % + 3,50 h / 4,50 h"
    with translation.override("en"):
        assert line.key_text == "fixed 20% + 3.50 h / 4.50 h"
    line = by_headcount(h, month)[h.org_b.name]
    with translation.override("fr"):
        assert line.key_text == "Effectif : 1\u00a0000 / 1\u00a0012,50"  # grouped on pages
    with translation.override("en"):
        assert line.key_text == "Headcount: 1,000 / 1,012.50"


def test_shapley_keys_write_amounts_in_the_active_language(h, month, english_sentences):
    accounting.set_allocation_rule(
        h.coordinator,
        resource=h.room,
        method="shapley",
        standalone_costs={str(h.org_a.pk): 300_000, str(h.org_b.pk): 100_000},
        shared_cost_cents=200_000,
    )
    line = lines_of(h, month)[h.org_a.name]
    assert line.key_params == {"value": 150_000, "total": 200_000}
    assert line.key_label == "Shapley 1\u202f500,00\u00a0€ sur 2\u202f000,00\u00a0€"
    with translation.override("en"):
        assert line.key_text == "Shapley €1,500.00 of €2,000.00"
    with translation.override("fr"):
        assert line.key_text == "Shapley 1\u202f500,00\u00a0€ sur 2\u202f000,00\u00a0€"
    sampled = keys.message(
        Method.SHAPLEY,
        {"value": 100, "total": 200, "permutations": 2000, "error": 3},
        lambda cents: f"{cents} c",
    )
    assert str(sampled) == "Shapley 100 c sur 200 c (estimé sur 2\u202f000 ordres, erreur type 3 c)"


def test_lines_without_figures_show_their_stored_text(h, month, english_sentences):
    line = lines_of(h, month)[h.org_a.name]
    StatementLine.objects.filter(pk=line.pk).update(key_params=None, key_label="ancienne clé")
    line.refresh_from_db()
    with translation.override("en"):
        assert line.key_text == "ancienne clé"
    # figures that no longer fit the method: the stored text too
    StatementLine.objects.filter(pk=line.pk).update(key_params={"x": 1})
    line.refresh_from_db()
    assert line.key_text == "ancienne clé"


def page_text(client, h, period) -> str:
    response = client.get(reverse("pooling:period", args=[h.pole.slug, period.pk]))
    assert response.status_code == 200
    return squash(html.unescape(re.sub(r"<[^>]+>", "", response.content.decode())))


def test_the_period_page_shows_the_key_in_french_by_default(client, h, month):
    fixed_plus_usage(h, month)
    client.force_login(h.coordinator)
    text = page_text(client, h, month)
    assert "fixe 20 % + 3,50 h / 4,50 h" in text
    assert "fixe 20 % + 1 h / 4,50 h" in text


def test_the_period_page_shows_the_key_in_english_once_chosen_and_the_csv_stays_french(
    client, h, month, english_sentences
):
    fixed_plus_usage(h, month)
    client.force_login(h.coordinator)
    choose_english(client)
    text = page_text(client, h, month)
    assert "fixed 20% + 3.50 h / 4.50 h" in text
    assert "fixed 20% + 1 h / 4.50 h" in text
    assert "fixe 20" not in text
    csv_body = client.get(reverse("pooling:period_csv", args=[h.pole.slug, month.pk]))
    assert "fixe 20 % + 3,50 h / 4,50 h" in csv_body.content.decode("utf-8-sig")
