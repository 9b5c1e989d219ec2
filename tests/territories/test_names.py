"""names: normalisation of place names and the search-as-you-type index (no database)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ptce.territories.names import NameIndex, normalize

SETTINGS = settings(max_examples=150, deadline=None)

# ----------------------------------------------------------------------------- normalize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("St-Étienne", "saint etienne"),
        ("saint etienne", "saint etienne"),
        ("SAINT-ÉTIENNE", "saint etienne"),
        ("  Saint--Étienne  ", "saint etienne"),
        ("Ste-Foy-lès-Lyon", "sainte foy les lyon"),
        ("STE FOY", "sainte foy"),
        ("Sts-Geosmes", "saints geosmes"),
        ("Stes-Maries-de-la-Mer", "saintes maries de la mer"),
        ("St. Jean", "saint jean"),
        ("L'Haÿ-les-Roses", "l hay les roses"),
        ("L’Haÿ-les-Roses", "l hay les roses"),
        ("L\u02bcHaÿ-les-Roses", "l hay les roses"),  # modifier letter apostrophe
        ("Bœurs-en-Othe", "boeurs en othe"),
        ("Æ", "ae"),
        ("Strasbourg", "strasbourg"),  # "st" only as a whole word
        ("Est", "est"),
        ("Saint-Just", "saint just"),
        ("Paris 1er Arrondissement", "paris 1er arrondissement"),
        ("Marseille_2e", "marseille 2e"),
        ("Çà et là", "ca et la"),
        ("", ""),
        (" - ' . ", ""),
    ],
)
def test_normalize_examples(text, expected):
    assert normalize(text) == expected


@SETTINGS
@given(st.text())
def test_normalize_is_idempotent_and_tidy(text):
    key = normalize(text)
    assert normalize(key) == key
    assert key == key.strip()
    assert "  " not in key
    assert not any(unicodedata.combining(ch) for ch in key)
    assert all(ch == " " or ch.isalnum() for ch in key)
    assert not {"st", "ste", "sts", "stes"} & set(key.split())


FRENCH = "abcdefghijklmnopqrstuvwxyzàâäçéèêëîïôöùûüÿœæ"
french_words = st.lists(st.text(FRENCH, min_size=1, max_size=8), min_size=1, max_size=4)
separators = st.sampled_from([" ", "-", "'", "’", " - ", ". ", "--", " ' "])


@SETTINGS
@given(words=french_words, sep=separators, data=st.data())
def test_normalize_ignores_case_accents_and_separators(words, sep, data):
    spaced = " ".join(words)
    joined = sep.join(words)
    shouted = data.draw(separators).join(w.upper() for w in words)
    assert normalize(joined) == normalize(spaced) == normalize(shouted)
    assert normalize(spaced).isascii()
    assert len(normalize(spaced).split()) == len(words)


# ----------------------------------------------------------------------------- NameIndex


def reference_search(names, populations, query, limit):
    """The ranking rules, spelled out as a linear scan."""
    q = normalize(query)
    if not q or limit <= 0:
        return []
    keys = [normalize(n) for n in names]

    def group(i):
        if keys[i] == q:
            return 0
        if keys[i].startswith(q):
            return 1
        if any(" ".join(keys[i].split()[w:]).startswith(q) for w in range(1, len(keys[i].split()))):
            return 2
        return None

    matched = [i for i in range(len(names)) if group(i) is not None]
    matched.sort(key=lambda i: (group(i), -populations[i], keys[i], names[i], i))
    return matched[:limit]


SYLLABLES = ["Saint", "St", "Sainte", "Ste", "Mar", "Martin", "Ma", "É", "é", "la", "Le", "sur"]
name_strategy = st.lists(st.sampled_from(SYLLABLES), min_size=1, max_size=4).flatmap(
    lambda parts: st.lists(
        st.sampled_from(["-", " ", "", "'"]), min_size=len(parts) - 1, max_size=len(parts) - 1
    ).map(lambda seps: parts[0] + "".join(s + p for s, p in zip(seps, parts[1:], strict=True)))
)
entries = st.lists(st.tuples(name_strategy, st.integers(0, 50)), min_size=1, max_size=40)


@SETTINGS
@given(entries=entries, data=st.data())
def test_search_follows_the_ranking_rules(entries, data):
    names = [n for n, _ in entries]
    populations = [p for _, p in entries]
    index = NameIndex(names, populations)
    # prefixes of names or of their later words, and arbitrary text
    name = data.draw(st.sampled_from(names))
    start = data.draw(st.integers(0, len(name)))
    stop = data.draw(st.integers(start, len(name)))
    query = data.draw(st.one_of(st.just(name[start:stop]), st.text(FRENCH + " -'", max_size=6)))
    limit = data.draw(st.integers(0, 45))
    assert index.search(query, limit=limit) == reference_search(names, populations, query, limit)


@SETTINGS
@given(entries=entries, data=st.data())
def test_full_name_finds_its_equals_first(entries, data):
    names = [n for n, _ in entries]
    index = NameIndex(names, [p for _, p in entries])
    i = data.draw(st.integers(0, len(names) - 1))
    key = normalize(names[i])
    same = {j for j, n in enumerate(names) if normalize(n) == key}
    found = index.search(key, limit=len(names))
    assert set(found[: len(same)]) == same
    assert i in found[: len(same)]
    assert len(found) == len(set(found))


def test_search_groups_and_populations():
    names = [
        "Saint-Étienne",  # 0
        "Étienne",  # 1  (hypothetical commune called just that)
        "Saint-Étienne-du-Rouvray",  # 2
        "Étiennette",  # 3
        "Saint-Étienne-de-Tinée",  # 4
        "Paris",  # 5
        "Sainte-Foy-lès-Lyon",  # 6
    ]
    populations = [170_000, 120, 28_000, 50, 1_600, 2_100_000, 22_000]
    index = NameIndex(names, populations)
    assert index.search("etienne") == [1, 3, 0, 2, 4]  # exact, prefix, later word
    assert index.search("St-Étienne") == [0, 2, 4]
    assert index.search("SAINT ETIENNE DU") == [2]
    assert index.search("etienne du") == [2]
    assert index.search("Ste Foy") == [6]
    assert index.search("saint", limit=2) == [0, 2]
    assert index.search("saint", limit=0) == []
    assert index.search("lyon") == [6]
    assert index.search("rouvray") == [2]
    assert index.search("zzz") == []
    assert index.search("") == []
    assert index.search("  -- ' ") == []
    assert len(index) == len(names)


def test_equal_populations_are_ordered_by_name():
    names = ["Saint-Martin-de-Ré", "Saint-Martin", "Saint-Martin-d'Auxy", "saint martin"]
    index = NameIndex(names, [10, 10, 10, 10])
    # exact matches ("saint martin" twice: by name, "Saint-Martin" < "saint martin"), then
    # prefixes by normalized name
    assert index.search("saint martin") == [1, 3, 2, 0]


def test_a_name_matching_through_several_words_comes_once():
    index = NameIndex(["Le Mas du Mas", "Masseube", "Le Mas"], [5, 1, 10])
    assert index.search("mas") == [1, 2, 0]
    # the best later-word match repeats: the next places still go to other names
    index = NameIndex(["Le Mas du Mas", "Le Mas", "Masseube"], [10, 5, 1])
    assert index.search("mas", limit=3) == [2, 0, 1]
    assert index.search("mas", limit=2) == [2, 0]


def test_lengths_must_match():
    with pytest.raises(ValueError):
        NameIndex(["Paris"], [1, 2])
    empty = NameIndex([], [])
    assert empty.search("paris") == []
