"""Hypothesis strategies shared by the fuzz tests: hostile text and JSON, valid views, queries."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from hypothesis import strategies as st

from geodata.knowledge import BASES, DIRECTIONS
from geodata.scenario import DOMAINS, LANGS, LAYERS, PROJECTIONS, QUERY_KEYS, Scenario, load_presets
from geodata.validate import focus_ids, load_knowledge

PRESETS = load_presets()

any_char = st.characters(codec=None, exclude_categories=())  # surrogates and controls included
nasty_text = st.one_of(
    st.text(max_size=60),
    st.text(any_char, max_size=60),
    st.sampled_from(
        [
            "../../etc/passwd",
            "..\\..\\windows\\win.ini",
            "%00",
            "\x00",
            "\u202e\u2028\u2029\x85",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "{{7*7}}",
            "%(x)s",
            "🗾" * 30,
            "a" * 5000,
            "-1",
            "1e309",
            "NaN",
            "null",
        ]
    ),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | nasty_text,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(nasty_text, children, max_size=4)
    ),
    max_leaves=12,
)


def subset(choices) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(list(choices)), unique=True).map(tuple)


@st.composite
def valid_scenarios(draw, atlas_ids: bool = False) -> Scenario:
    """Views whose every field is in range; the URL form carries all but the free texts."""
    parts = _ATLAS_PARTS if atlas_ids else _MADE_UP_PARTS
    preset = draw(_PRESET_IDS)
    texts = {}
    if preset is not None:
        texts = {
            k: getattr(PRESETS[preset], k)
            for k in ("title_ja", "title_en", "description_ja", "description_en")
        }
    first, second = draw(_DAYS), draw(_DAYS)
    if first and second and first > second:
        first, second = second, first
    return Scenario(
        id=preset,
        **texts,
        groupings=draw(parts["groupings"]),
        layers=draw(_LAYERS),
        directions=draw(_DIRECTIONS),
        domains=draw(_DOMAINS),
        **{"from": first, "to": second},
        basis=draw(_BASES),
        proposals=draw(st.booleans()),
        projection=draw(_PROJECTIONS),
        lang=draw(_LANGS),
        focus=draw(parts["focus"]),
        sentence=draw(parts["sentence"]),
    )


def _knowledge_ids() -> tuple[list[str], list[str], list[str]]:
    knowledge = load_knowledge()
    return (
        sorted(g.id for g in knowledge.groupings),
        sorted(focus_ids(knowledge)),
        [note.id for note in knowledge.sentences],
    )


GROUPINGS, FOCUS, SENTENCES = _knowledge_ids()

# valid_scenarios' parts, made once: a strategy is validated and labelled when first drawn from
_PRESET_IDS = st.none() | st.sampled_from(sorted(PRESETS))
_DAYS = st.none() | st.dates(min_value=datetime.date(1900, 1, 1))
_LAYERS, _DIRECTIONS, _DOMAINS = subset(LAYERS), subset(DIRECTIONS), subset(DOMAINS)
_BASES, _PROJECTIONS, _LANGS = map(st.sampled_from, (BASES, PROJECTIONS, LANGS))
# ids of the bundled knowledge base, or ids some made up (known or not)
_ATLAS_PARTS = {
    "groupings": subset(GROUPINGS),
    "focus": st.none() | st.sampled_from(FOCUS),
    "sentence": st.none() | st.sampled_from(SENTENCES),
}
_MADE_UP_PARTS = {
    "groupings": subset(["nato", "g7", "x_y"]),
    "focus": st.none() | st.sampled_from(["USA", "JPN", "x_1"]),
    "sentence": st.none() | st.sampled_from(["P6.2", "fn99.9"]),
}

query_keys = st.sampled_from([*QUERY_KEYS, "layer", "Layers", "scenario[]", "", "%", "ſcenario"])
query_values = st.one_of(
    nasty_text,
    st.lists(st.sampled_from([*LAYERS, *DIRECTIONS, *DOMAINS, "x", ""]), max_size=6).map(",".join),
    st.sampled_from([*BASES, *PROJECTIONS, *LANGS, "0", "1", "2", "2024-02-30", "2024-07-10"]),
    st.sampled_from(sorted(PRESETS)),
)

# queries()' parts, made once
_QUERY_PAIRS = st.lists(st.tuples(query_keys, query_values), max_size=8)
_QUERY_STYLES = st.sampled_from(["encoded", "raw", "url", "junk"])
_JUNK = st.text(any_char, max_size=200)
_QUERY_PREFIXES = st.sampled_from(["", "?", "??", "&"])


@st.composite
def queries(draw) -> str:
    """Query strings and URLs: real keys with hostile values, repeats, junk, bad escapes."""
    pairs = draw(_QUERY_PAIRS)
    style = draw(_QUERY_STYLES)
    # a lone surrogate goes in as the (invalid UTF-8) bytes it would be, not as an error here
    if style == "encoded":
        text = urlencode(pairs, errors="surrogatepass")
    elif style == "raw":
        text = "&".join(f"{k}={v}" for k, v in pairs)
    elif style == "url":
        text = "https://example.org/x?" + urlencode(pairs, errors="surrogatepass") + "#frag"
    else:
        text = draw(_JUNK)
    prefix = draw(_QUERY_PREFIXES)
    return prefix + text
