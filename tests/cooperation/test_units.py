"""units: the registry, conversions and their refusals, periodicity (no database)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ptce.cooperation.units import (
    BASE_UNITS,
    DIMENSIONS,
    PERIODICITIES,
    UNITS,
    UnitError,
    base_unit,
    comparable_key,
    convert,
    convertible,
    get_unit,
    per_year,
    to_base,
)

CODES = [u.code for u in UNITS]
SETTINGS = settings(max_examples=200, deadline=None)


@pytest.mark.parametrize(
    ("value", "source", "target", "expected"),
    [
        (2.5, "t", "kg", 2500.0),
        (1500.0, "kg", "t", 1.5),
        (250.0, "g", "kg", 0.25),
        (3.0, "m3", "L", 3000.0),
        (750.0, "L", "m3", 0.75),
        (12.0, "km", "m", 12_000.0),
        (2.0, "ha", "m2", 20_000.0),
        (1.2, "MWh", "kWh", 1200.0),
        (3.0, "MW", "kW", 3000.0),
        (1.0, "jour", "h", 7.0),  # a working day
        (1.0, "semaine", "h", 35.0),  # a working week
        (1.0, "semaine", "jour", 5.0),
        (3.0, "demi_journee", "jour", 1.5),
        (1.0, "mois", "h", 151.67),
        (1.0, "etp", "h", 1607.0),
        (4.0, "piece", "piece", 4.0),
        (4.0, "palette", "palette", 4.0),
    ],
)
def test_convert(value, source, target, expected):
    assert convert(value, source, target) == pytest.approx(expected, rel=1e-12)
    assert convertible(source, target)


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("kg", "m3"),  # mass is not volume (no density is assumed)
        ("kW", "kWh"),  # power is not energy
        ("h", "piece"),
        ("palette", "piece"),  # a pallet holds a varying number of pieces
        ("lot", "palette"),
        ("m2", "m"),
        ("ha", "t"),
    ],
)
def test_refusals(source, target):
    assert not convertible(source, target)
    assert not convertible(target, source)
    with pytest.raises(UnitError, match="Impossible de convertir"):
        convert(1.0, source, target)


def test_refusal_message_names_both_units_and_their_dimensions():
    with pytest.raises(UnitError) as caught:
        convert(5.0, "kg", "m3")
    assert str(caught.value) == (
        "Impossible de convertir des « kilogramme » (masse) en « mètre cube (m³) » (volume)."
    )


@pytest.mark.parametrize("call", [get_unit, base_unit, comparable_key])
def test_unknown_unit(call):
    with pytest.raises(UnitError, match="Unité inconnue : « kilo »"):
        call("kilo")


def test_unknown_units_in_conversions():
    with pytest.raises(UnitError, match="« tonnes »"):
        convertible("tonnes", "kg")
    with pytest.raises(UnitError, match="« KG »"):
        convert(1.0, "kg", "KG")


def test_registry():
    assert len(set(CODES)) == len(CODES)
    assert {"t", "kg", "g", "m3", "L", "m", "km", "m2", "ha", "kWh", "MWh", "kW", "h"} <= set(CODES)
    assert {"jour", "piece", "palette"} <= set(CODES)
    for dimension, code in BASE_UNITS.items():
        assert get_unit(code).dimension == dimension
        assert get_unit(code).factor == 1.0
    for unit in UNITS:
        assert unit.label and unit.dimension in DIMENSIONS
        assert unit.factor is None or unit.factor > 0


def test_keys_and_base_units():
    assert comparable_key("t") == comparable_key("g") == "mass"
    assert comparable_key("jour") == "time"
    assert comparable_key("palette") == "palette"  # convertible with itself only
    assert comparable_key("lot") == "lot"
    assert base_unit("t") == "kg"
    assert base_unit("MWh") == "kWh"
    assert base_unit("semaine") == "h"
    assert base_unit("palette") == "palette"
    assert to_base(2.0, "t") == 2000.0
    assert to_base(3.0, "palette") == 3.0


@pytest.mark.parametrize(
    ("periodicity", "expected"),
    [("once", 10.0), ("day", 3650.0), ("week", 520.0), ("month", 120.0), ("year", 10.0)],
)
def test_per_year(periodicity, expected):
    assert per_year(10.0, periodicity) == expected


def test_per_year_refuses_an_unknown_periodicity():
    assert set(PERIODICITIES) == {"once", "day", "week", "month", "year"}
    with pytest.raises(UnitError, match="Périodicité inconnue : « hourly »"):
        per_year(1.0, "hourly")  # type: ignore[arg-type]


values = st.floats(min_value=1e-6, max_value=1e9, allow_nan=False, allow_infinity=False)


@SETTINGS
@given(value=values, a=st.sampled_from(CODES), b=st.sampled_from(CODES))
def test_convertible_exactly_within_a_family(value, a, b):
    assert convertible(a, b) == convertible(b, a) == (comparable_key(a) == comparable_key(b))
    if convertible(a, b):
        there = convert(value, a, b)
        assert base_unit(a) == base_unit(b)
        assert math.isclose(to_base(there, b), to_base(value, a), rel_tol=1e-12)
        assert math.isclose(convert(there, b, a), value, rel_tol=1e-12)
    else:
        with pytest.raises(UnitError):
            convert(value, a, b)
