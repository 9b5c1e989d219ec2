"""Commune name normalisation and search-as-you-type.

Pure module (no Django import).

`normalize` folds a French place name to a search key: "St-Étienne", "saint etienne" and
"SAINT-ÉTIENNE" all become "saint etienne". `NameIndex` answers a typed query with indices
of the matching names, best first, in a few microseconds on the ~35,000 communes of France:
two sorted key lists searched with `bisect` (names, and every name's suffixes that start at
a later word), and a precomputed global rank so that each group is ordered by numpy
partitioning rather than by sorting its matches.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import Final

import numpy as np
from numpy.typing import NDArray

__all__ = ["NameIndex", "normalize"]

_ABBREVIATIONS: Final = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
# Letters NFKD does not decompose.
_FOLD: Final = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "đ": "d", "ł": "l", "ı": "i"})
# Anything but letters and digits separates words; the modifier-letter apostrophes count as
# letters for Unicode, not for French names.
_SEPARATORS: Final = re.compile(r"[\W_\u02b9\u02bb\u02bc\u02bd]+")
_HIGHEST: Final = "\U0010ffff"  # sorts after every character a key can hold


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.casefold().translate(_FOLD)


def normalize(text: str) -> str:
    """Search key of a name: lower case, accents and ligatures removed, every run of
    apostrophes, hyphens, punctuation or spaces made one space, and the abbreviations
    st/ste/sts/stes expanded to saint/sainte/saints/saintes when they are whole words.

    >>> normalize("St-Étienne-du-Rouvray")
    'saint etienne du rouvray'
    >>> normalize("  L'Haÿ-les-Roses ")
    'l hay les roses'
    """
    # One pass of _fold is a fixpoint (checked over every code point), so normalize is
    # idempotent: keys can be normalized again safely.
    words = _SEPARATORS.sub(" ", _fold(text)).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


class NameIndex:
    """Search-as-you-type over names, each with a population.

    `search` returns indices into the inputs, in three groups:

    1. names whose normalized form equals the normalized query;
    2. then names whose normalized form starts with it ("saint e" finds "Saint-Étienne");
    3. then names in which a later word starts with it ("etienne" finds "Saint-Étienne",
       "etienne du" finds "Saint-Étienne-du-Rouvray").

    Within a group: population descending, then normalized name, then name, then index.
    A blank query, or one that normalizes to nothing, finds nothing.
    """

    def __init__(self, names: Sequence[str], populations: Sequence[int]) -> None:
        if len(names) != len(populations):
            raise ValueError("NameIndex expects as many populations as names")
        count = len(names)
        keys = [normalize(name) for name in names]
        population = [int(p) for p in populations]
        order = sorted(range(count), key=lambda i: (-population[i], keys[i], names[i], i))
        # rank[i]: position of name i in the global ranking; smaller is better.
        rank = np.empty(count, dtype=np.int64)
        rank[np.asarray(order, dtype=np.int64)] = np.arange(count, dtype=np.int64)
        self._by_rank = np.asarray(order, dtype=np.int64)

        by_key = sorted(range(count), key=lambda i: keys[i])
        self._keys = [keys[i] for i in by_key]
        self._key_rank = rank[np.asarray(by_key, dtype=np.int64)]
        # position of each name in the key order, to tell group 2 names apart in group 3
        self._key_position = np.empty(count, dtype=np.int64)
        self._key_position[np.asarray(by_key, dtype=np.int64)] = np.arange(count)

        suffixes: list[tuple[str, int]] = []
        for i, key in enumerate(keys):
            start = key.find(" ")
            while start != -1:
                suffixes.append((key[start + 1 :], i))
                start = key.find(" ", start + 1)
        suffixes.sort()
        self._suffixes = [suffix for suffix, _ in suffixes]
        suffix_owner = np.asarray([i for _, i in suffixes], dtype=np.int64)
        self._suffix_rank = rank[suffix_owner]
        self._suffix_key_position = self._key_position[suffix_owner]
        self._count = count

    def __len__(self) -> int:
        return self._count

    def search(self, query: str, limit: int = 20) -> list[int]:
        """Indices of the names matching `query`, best first, at most `limit` of them."""
        q = normalize(query)
        if not q or limit <= 0:
            return []
        keys = self._keys
        lo = bisect_left(keys, q)
        equal_hi = bisect_right(keys, q, lo)
        hi = bisect_left(keys, q + _HIGHEST, equal_hi)

        found: list[int] = []
        for start, stop in ((lo, equal_hi), (equal_hi, hi)):
            if len(found) >= limit:
                return found
            found += self._best(self._key_rank[start:stop], limit - len(found))
        if len(found) >= limit:
            return found

        s_lo = bisect_left(self._suffixes, q)
        s_hi = bisect_left(self._suffixes, q + _HIGHEST, s_lo)
        if s_lo == s_hi:
            return found
        # Names already found by their start (key position in [lo, hi)) are not repeated.
        position = self._suffix_key_position[s_lo:s_hi]
        ranks = self._suffix_rank[s_lo:s_hi][(position < lo) | (position >= hi)]
        return found + self._best(ranks, limit - len(found), distinct=True)

    def _best(self, ranks: NDArray[np.int64], k: int, *, distinct: bool = False) -> list[int]:
        """Names of the k best (smallest) ranks, in rank order; `distinct` drops repeats of
        a name (a name may match through several of its words)."""
        if len(ranks) == 0:
            return []
        take = k
        while True:
            best = np.partition(ranks, take - 1)[:take] if take < len(ranks) else ranks
            best = np.unique(best) if distinct else np.sort(best)
            if len(best) >= k or take >= len(ranks):
                break
            take *= 2  # repeats took some of the places: look further
        names: list[int] = self._by_rank[best[:k]].tolist()
        return names
