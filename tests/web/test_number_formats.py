"""Numbers on pages are written the active language's way: French by default ("1 200 €",
"25,0 %"), English when chosen ("€1,200", "25.0%"). Documents keep their French format."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from ptce.core import i18n
from tests.financing import factories as f
from tests.web.test_i18n import choose_english

NBSP, NNBSP = "\u00a0", "\u202f"


# ----------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", ["1\u00a0234,56\u00a0€", "1\u00a0800\u00a0000\u00a0€", "84,0\u00a0%", "12,50"]),
        ("en", ["€1,234.56", "€1,800,000", "84.0%", "12.50"]),
    ],
)
def test_helpers_write_numbers_the_language_way(language, expected):
    with translation.override(language):
        got = [
            i18n.euros(123456),
            i18n.euros(180_000_000),
            i18n.percent(0.84),
            i18n.number(Decimal("12.5"), 2),
        ]
    assert got == expected


def test_french_options_keep_the_typography_of_each_page():
    with translation.override("fr"):
        assert i18n.euros(-123456, True, narrow=True, minus="−") == "−1\u202f234,56\u00a0€"
        assert i18n.euros(1800000, False) == "18\u00a0000\u00a0€"
        assert i18n.percent(Decimal("0.08"), None) == "8\u00a0%"
        assert i18n.percent(0.5, 0, space=NNBSP) == "50\u202f%"
        assert i18n.with_unit(i18n.number(Decimal("12.5"), 2), "h") == "12,50\u00a0h"
    with translation.override("en"):
        assert i18n.euros(-123456, True, narrow=True, minus="−") == "−€1,234.56"
        assert i18n.percent(Decimal("0.085"), None) == "8.5%"
        assert i18n.with_unit(i18n.number(Decimal("12.5"), 2), "h") == "12.50 h"


def test_no_language_is_french():
    with translation.override(None):
        assert i18n.euros(123456) == "1\u00a0234,56\u00a0€"


def test_bad_values_do_not_break_a_page():
    assert i18n.percent(None) == "" and i18n.percent("abc") == ""
    assert i18n.number("abc") == "abc"


@pytest.mark.parametrize(
    ("template", "fr", "en"),
    [
        ("{% load financing %}{{ 123456|euros }}", "1\u00a0234,56\u00a0€", "€1,234.56"),
        ("{% load financing %}{{ 0.734|percent }}", "73,4\u00a0%", "73.4%"),
        ("{% load employees_tags %}{{ 123456|euros }}", "1\u202f234,56\u00a0€", "€1,234.56"),
        ("{% load employees_tags %}{{ h|hours }}", "1\u202f234,50\u00a0h", "1,234.50 h"),
        ("{% load employees_tags %}{{ rate|percent }}", "8\u00a0%", "8%"),
        ("{% load pooling_tags %}{{ 123456|euros }}", "1\u202f234,56\u00a0€", "€1,234.56"),
        ("{% load projects_tags %}{{ 1800000|project_euros }}", "18\u202f000\u00a0€", "€18,000"),
        ("{% load projects_tags %}{{ 0.4|project_percent }}", "40\u00a0%", "40%"),
    ],
)
def test_template_filters(template, fr, en):
    context = {"h": Decimal("1234.5"), "rate": Decimal("0.08")}
    with translation.override("fr"):
        assert Template(template).render(Context(context)) == fr
    with translation.override("en"):
        assert Template(template).render(Context(context)) == en


# ------------------------------------------------------------------------------- pages


@pytest.fixture
def campaign(territory):
    cache.clear()
    c = f.campaign(f.hub())
    romans, stetienne = ("26281", "26100"), ("42218", "42000")
    for n, (commune, postcode, units) in enumerate(
        [(*romans, 1)] * 3 + [(*stetienne, 3)] * 3, start=1
    ):
        f.subscribe(c, n, units=units, commune=commune, postcode=postcode)
    yield c
    cache.clear()


@pytest.mark.django_db
def test_campaign_page_in_french(client, campaign, parse):
    page = parse(client.get(reverse("financing:campaign", args=[campaign.pk])))
    assert page.by_id("campaign-raised").text.strip() == "1\u00a0200\u00a0€"
    assert page.by_id("campaign-local").text.strip() == "25,0\u00a0%"
    assert page.by_id("campaign-median").text.strip() == "200\u00a0€"


@pytest.mark.django_db
def test_campaign_page_in_english(client, campaign, parse):
    choose_english(client)
    response = client.get(reverse("financing:campaign", args=[campaign.pk]))
    page = parse(response)
    assert page.by_id("campaign-raised").text.strip() == "€1,200"
    assert page.by_id("campaign-local").text.strip() == "25.0%"
    assert page.by_id("campaign-median").text.strip() == "€200"
    assert "€5,000" in response.content.decode()  # the target
    assert "\u00a0€" not in response.content.decode()
