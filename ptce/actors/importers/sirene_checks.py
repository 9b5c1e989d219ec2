"""Vectorised checks and conversions of SIRENE columns: SIREN and SIRET check digits (the
rules of python-stdnum, which the tests use as the oracle), NAF codes, dates, decimals,
search keys of names, sets of keys already seen. No Django import."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from ptce.actors.importers.sirene_files import (
    LA_POSTE_HEAD_OFFICE,
    LA_POSTE_SIREN,
    MASKED,
)
from ptce.actors.naf import DIVISIONS
from ptce.territories import names

# ------------------------------------------------------------------ vectorised checks


def to_numpy_bool(array: pa.Array) -> NDArray[np.bool_]:
    return np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=bool)


def digits_of(array: pa.Array, width: int) -> tuple[NDArray[np.bool_], NDArray[np.int64]]:
    """Which values are exactly `width` ASCII digits, and their values (0 elsewhere)."""
    ok = to_numpy_bool(pc.match_substring_regex(array, f"^[0-9]{{{width}}}$"))
    values = np.zeros(len(array), dtype=np.int64)
    if ok.any():
        values[ok] = pc.cast(array.filter(pa.array(ok)), pa.int64()).to_numpy()
    return ok, values


def _digit_sums(values: NDArray[np.int64], width: int) -> tuple[NDArray[np.int64], ...]:
    """(Luhn sum, plain digit sum) of each number written on `width` digits."""
    rest = values.copy()
    luhn = np.zeros_like(values)
    plain = np.zeros_like(values)
    for position in range(width):  # from the rightmost digit
        digit = rest % 10
        rest //= 10
        plain += digit
        if position % 2:
            digit = digit * 2
            digit -= 9 * (digit > 9)
        luhn += digit
    return luhn, plain


def valid_siren(array: pa.Array) -> tuple[NDArray[np.bool_], NDArray[np.int64]]:
    """SIREN check (9 digits, Luhn), as `stdnum.fr.siren.is_valid`; and the values."""
    ok, values = digits_of(array, 9)
    luhn, _ = _digit_sums(values, 9)
    return ok & (luhn % 10 == 0), values


def valid_siret(array: pa.Array) -> tuple[NDArray[np.bool_], NDArray[np.int64]]:
    """SIRET check, as `stdnum.fr.siret.is_valid`: 14 digits, a valid SIREN first, then the
    Luhn key, except for La Poste (SIREN 356000000) whose establishments other than the
    head office are valid when the sum of their 14 digits is a multiple of 5."""
    ok, values = digits_of(array, 14)
    luhn, plain = _digit_sums(values, 14)
    siren_luhn, _ = _digit_sums(values // 100_000, 9)
    la_poste = (values // 100_000 == LA_POSTE_SIREN) & (values != LA_POSTE_HEAD_OFFICE)
    key_ok = np.where(la_poste, plain % 5 == 0, luhn % 10 == 0)
    return ok & key_ok & (siren_luhn % 10 == 0), values


def unmask(columns: dict[str, pa.Array], names_: Sequence[str]) -> NDArray[np.bool_]:
    """Blank the `[ND]` values of the given columns in place; which rows had one."""
    length = len(columns[names_[0]]) if names_ else 0
    masked = np.zeros(length, dtype=bool)
    for name in names_:
        hit = to_numpy_bool(pc.equal(columns[name], MASKED))
        if hit.any():
            masked |= hit
            columns[name] = pc.if_else(pa.array(hit), "", columns[name])
    return masked


_NAF_DIVISIONS = pa.array(sorted(f"{d:02d}" for d in DIVISIONS))


def naf_rev2(codes: pa.Array, nomenclature: pa.Array | None) -> pa.Array:
    """NAF rév. 2 codes (`62.01Z` of an existing division) kept, anything else made empty;
    with a nomenclature column, only rows it says are NAFRev2."""
    ok = pc.and_(
        pc.match_substring_regex(codes, r"^[0-9]{2}\.[0-9]{2}[A-Z]$"),
        pc.is_in(pc.utf8_slice_codeunits(codes, 0, 2), value_set=_NAF_DIVISIONS),
    )
    if nomenclature is not None:
        ok = pc.and_(ok, pc.equal(nomenclature, "NAFRev2"))
    return pc.if_else(ok, codes, "")


def iso_dates(values: pa.Array) -> pa.Array:
    """`YYYY-MM-DD` calendar dates kept, anything else null."""
    parsed = pc.strptime(values, format="%Y-%m-%d", unit="s", error_is_null=True)
    exact = pc.equal(pc.utf8_length(values), 10)
    return pc.if_else(pc.and_(pc.is_valid(parsed), exact), values, pa.scalar(None, pa.string()))


def decimals(values: pa.Array) -> NDArray[np.float64]:
    """Decimal numbers as floats; NaN where the text is not one."""
    ok = pc.match_substring_regex(values, r"^-?[0-9]+(\.[0-9]*)?$")
    numbers = pc.cast(pc.if_else(ok, values, pa.scalar(None, pa.string())), pa.float64())
    return np.asarray(pc.fill_null(numbers, np.nan).to_numpy(zero_copy_only=False), dtype=float)


def truncate(values: pa.Array, length: int) -> pa.Array:
    return pc.utf8_slice_codeunits(values, 0, length)


def first_filled(*columns: pa.Array) -> pa.Array:
    """Element-wise, the first non-empty value."""
    result = columns[-1]
    for column in reversed(columns[:-1]):
        result = pc.if_else(pc.not_equal(column, ""), column, result)
    return result


def join_words(*columns: pa.Array, separator: str = " ") -> pa.Array:
    """The non-empty values joined by `separator` (no doubled or dangling separators)."""
    result = columns[0]
    for column in columns[1:]:
        both = pc.and_(pc.not_equal(result, ""), pc.not_equal(column, ""))
        joined = pc.binary_join_element_wise(result, column, separator)
        result = pc.if_else(both, joined, first_filled(result, column))
    return result


# ------------------------------------------------------------------------ search keys

# Rows that need more than lower-casing: a separator other than single inner spaces, or
# an abbreviation to expand (see names.normalize).
_NEEDS_SEPARATOR = r"[^a-z0-9 ]|  |^ | $"
_ABBREVIATION = r"\b(" + "|".join(sorted(names._ABBREVIATIONS)) + r")\b"


def _where(values: pa.Array, mask: pa.Array, transform: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """`values` with `transform` applied to the rows of `mask` only."""
    chosen = to_numpy_bool(mask)
    if not chosen.any():
        return values
    changed = transform(values.filter(pa.array(chosen)))
    return pc.replace_with_mask(values, pa.array(chosen), changed)


def _ascii_keys(values: pa.Array) -> pa.Array:
    keys = pc.ascii_lower(values)
    keys = _where(
        keys,
        pc.match_substring_regex(keys, _NEEDS_SEPARATOR),
        lambda v: pc.ascii_trim(pc.replace_substring_regex(v, "[^a-z0-9]+", " "), " "),
    )

    def expand(v: pa.Array) -> pa.Array:
        for short, full in names._ABBREVIATIONS.items():
            v = pc.replace_substring_regex(v, rf"\b{short}\b", full)
        return v

    return _where(keys, pc.match_substring_regex(keys, _ABBREVIATION), expand)


def normalize_many(values: pa.Array) -> pa.Array:
    """`names.normalize` of each value: vectorised for ASCII text (the bulk of SIRENE
    names), `names.normalize` itself for the others."""
    ascii_rows = to_numpy_bool(pc.string_is_ascii(values))
    if ascii_rows.all():
        return _ascii_keys(values)
    keys = values.to_pylist()
    for i in np.flatnonzero(~ascii_rows).tolist():
        keys[i] = names.normalize(keys[i])
    if ascii_rows.any():
        fast = _ascii_keys(values.filter(pa.array(ascii_rows))).to_pylist()
        for i, key in zip(np.flatnonzero(ascii_rows).tolist(), fast, strict=True):
            keys[i] = key
    return pa.array(keys, type=pa.string())


# ------------------------------------------------------------------- keys already seen


class KeySet:
    """A growing set of int64 keys, each with the line where it was first seen.

    Sorted runs merged like a log-structured tree (a run is merged into the previous one
    when it is at least half its size), so adding N keys costs O(N log N) and memory
    stays at 12 bytes a key: 44 M SIRETs take about 530 MB, a region's 2 M take 24 MB.
    """

    def __init__(self) -> None:
        self._runs: list[tuple[NDArray[np.int64], NDArray[np.uint32]]] = []

    def __len__(self) -> int:
        return sum(len(keys) for keys, _ in self._runs)

    def add(self, keys: NDArray[np.int64], lines: NDArray[np.int64]) -> NDArray[np.int64]:
        """Add the keys; for each, the line of an earlier occurrence (in a previous call
        or earlier in this one), or 0 when it is new."""
        earlier = np.zeros(len(keys), dtype=np.int64)
        if len(keys) == 0:
            return earlier
        for run_keys, run_lines in self._runs:
            position = np.minimum(np.searchsorted(run_keys, keys), len(run_keys) - 1)
            hit = run_keys[position] == keys
            earlier[hit] = run_lines[position[hit]]
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        starts = np.concatenate(([True], ordered[1:] != ordered[:-1]))
        # Original index of the first occurrence (in file order: the sort is stable).
        first = order[np.maximum.accumulate(np.where(starts, np.arange(len(order)), 0))]
        repeated = order[~starts]
        from_runs = earlier[repeated]
        earlier[repeated] = np.where(from_runs == 0, lines[first[~starts]], from_runs)
        new = order[starts]
        new = new[earlier[new] == 0]
        if len(new):
            self._push(keys[new], lines[new].astype(np.uint32))
        return earlier

    def _push(self, keys: NDArray[np.int64], lines: NDArray[np.uint32]) -> None:
        self._runs.append((keys, lines))  # keys sorted: taken in sorted order
        while len(self._runs) > 1 and len(self._runs[-2][0]) <= 2 * len(self._runs[-1][0]):
            (k2, l2), (k1, l1) = self._runs.pop(), self._runs.pop()
            keys_all = np.concatenate((k1, k2))
            order = np.argsort(keys_all, kind="stable")
            self._runs.append((keys_all[order], np.concatenate((l1, l2))[order]))

    def sorted_keys(self) -> NDArray[np.int64]:
        """All the keys, sorted (one array; the runs are left as they are)."""
        if not self._runs:
            return np.empty(0, dtype=np.int64)
        keys = np.concatenate([keys for keys, _ in self._runs])
        keys.sort()  # in place: no third copy of the keys
        return keys


def distinct_sorted(values: NDArray[np.int64]) -> NDArray[np.int64]:
    """The distinct values of a sorted array (no sort needed, unlike `np.unique`)."""
    if len(values) == 0:
        return values
    return values[np.concatenate(([True], values[1:] != values[:-1]))]


def member_of(values: NDArray[np.int64], sorted_keys: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Which values are among `sorted_keys` (a sorted array)."""
    if len(sorted_keys) == 0:
        return np.zeros(len(values), dtype=bool)
    position = np.minimum(np.searchsorted(sorted_keys, values), len(sorted_keys) - 1)
    return np.asarray(sorted_keys[position] == values, dtype=bool)
