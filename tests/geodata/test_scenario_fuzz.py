"""Fuzzing (hypothesis) the URL state parser and the scenario file loader.

Properties:
- Scenario.from_query never raises, whatever the text; a valid view -> URL -> view is the
  identity (with no notice); every unknown or malformed part is dropped with a notice.
- Scenario.from_yaml raises nothing but ScenarioError, whatever the text; a valid view ->
  YAML -> view is the identity. Inputs that once escaped (anchors/aliases, nesting deeper than
  ~400, integers over 4300 digits) each have a case below; tests/adversarial/ holds the hostile
  inputs that cost time or memory.

Run with --hypothesis-show-statistics for the number of cases each property tried.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from strategies import PRESETS, any_char, json_values, nasty_text, queries, valid_scenarios

from geodata.knowledge import BASES
from geodata.scenario import LANGS, LAYERS, PROJECTIONS, QUERY_KEYS, Scenario, ScenarioError

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))


# --- the URL state parser -------------------------------------------------------------------


@FUZZ
@given(st.one_of(queries(), st.text(any_char, max_size=400)))
def test_from_query_never_raises(query):
    scenario, notices = Scenario.from_query(query, PRESETS)
    assert isinstance(scenario, Scenario)
    # values are cut to 40 characters, shown escaped (an astral character is 10)
    assert all(isinstance(n, str) and len(n) < 1000 for n in notices)


@FUZZ
@given(valid_scenarios())
def test_valid_state_url_state_is_the_identity(scenario):
    back, notices = Scenario.from_query(scenario.to_query(), PRESETS)
    assert notices == []
    assert back == scenario


BAD_VALUES = {
    # items none of which is a layer (only commas is the empty list: see below)
    "layers": st.text(st.characters(codec="ascii"), min_size=1, max_size=20).filter(
        lambda v: v.strip(",") and not set(v.split(",")) & set(LAYERS)
    ),
    "basis": nasty_text.filter(lambda v: v not in BASES),
    "proposals": nasty_text.filter(lambda v: v not in ("0", "1", "true", "false")),
    "from": nasty_text.filter(lambda v: v != "" and not _lax_date(v)),
    "to": st.sampled_from(["2024-02-30", "2024-13-01", "0000-01-01", "24-1-1", "9999-99-99"]),
    "projection": nasty_text.filter(lambda v: v not in PROJECTIONS),
    "lang": nasty_text.filter(lambda v: v not in LANGS),
    "focus": nasty_text.filter(lambda v: v != "" and not re.fullmatch(r"[A-Za-z0-9_]{1,64}", v)),
    "scenario": nasty_text.filter(lambda v: v not in PRESETS),
}
FIELD_OF = {"from": "date_from", "to": "date_to", "scenario": "id"}


def _lax_date(value: str) -> bool:
    """Whether pydantic's lax date parsing takes `value` (ISO dates, and more: see below)."""
    from datetime import date

    from pydantic import TypeAdapter, ValidationError

    try:
        TypeAdapter(date).validate_python(value)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("query", ["from=0", "to=2024-07-10T00:00:00Z"])
def test_only_iso_dates_are_taken_from_a_url(query):
    scenario, notices = Scenario.from_query(query)
    assert (scenario.date_from, scenario.date_to) == (None, None) and notices


@FUZZ
@given(
    base=valid_scenarios(),
    key_value=st.one_of([st.tuples(st.just(k), BAD_VALUES[k]) for k in sorted(BAD_VALUES)]),
    unknown=st.lists(
        st.text(
            st.characters(codec="ascii", categories=["L", "N"]), min_size=1, max_size=12
        ).filter(lambda k: k not in QUERY_KEYS),
        max_size=2,
    ),
)
@example(base=Scenario(), key_value=("basis", "\ud800"), unknown=[])  # a lone surrogate
def test_unknown_and_malformed_parts_are_dropped_with_a_notice(base, key_value, unknown):
    key, bad = key_value
    assume(key != "scenario" or base.id is None)
    assume(bad.strip("\x00") == bad or key != "scenario")
    params = [(k, v) for k, v in _query_pairs(base) if k != key]
    params.append((key, bad))
    params += [(name, "1") for name in unknown]
    # a lone surrogate reaches a server only as the bytes of its UTF-8 encoding (invalid UTF-8)
    query = urlencode(params, errors="surrogatepass")
    scenario, notices = Scenario.from_query(query, PRESETS)
    field = FIELD_OF.get(key, key)
    # a dropped part leaves the value of what the URL starts from: its preset, or the defaults
    start = PRESETS[base.id] if base.id and key != "scenario" else Scenario()
    expected = getattr(start, field)
    assert getattr(scenario, field) == expected
    assert any(n.startswith(f"ignored {key}") or f"unknown {key}" in n for n in notices) or (
        key == "scenario" and any("unknown scenario" in n for n in notices)
    ), notices
    for name in unknown:
        assert any(f"unknown parameter {name[:40]!r}" in n for n in notices)


def _query_pairs(scenario: Scenario) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl

    return parse_qsl(scenario.to_query(), keep_blank_values=True)


# --- the scenario loader --------------------------------------------------------------------


def _from_yaml_contract(text: str) -> None:
    try:
        scenario = Scenario.from_yaml(text)
    except ScenarioError as error:
        assert error.problems
        for line, message in error.problems:
            assert isinstance(line, int) and line >= 1
            assert isinstance(message, str) and message
    else:
        assert isinstance(scenario, Scenario)


field_names = st.sampled_from(
    [
        "version",
        "id",
        "title_ja",
        "title_en",
        "layers",
        "groupings",
        "directions",
        "domains",
        "from",
        "to",
        "basis",
        "proposals",
        "projection",
        "lang",
        "focus",
        "layerz",
        "extra",
    ]
)


yaml_ish = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=300),
    st.text(st.sampled_from(list("ab1: -[]{},'\"#!|>\n\t .~?%@`=")), max_size=300),
    st.lists(
        st.tuples(
            field_names, st.text(st.sampled_from(list("ab1: -[]{},'\"#|>.~?%@")), max_size=30)
        ),
        max_size=8,
    ).map(lambda pairs: "".join(f"{k}: {v}\n" for k, v in pairs)),
    st.text(any_char, max_size=300),
)


@FUZZ
@given(yaml_ish)
def test_from_yaml_raises_only_scenario_error(text):
    _from_yaml_contract(text)


@FUZZ
@given(st.dictionaries(field_names, json_values, max_size=8) | json_values)
def test_from_yaml_on_yaml_documents_raises_only_scenario_error(data):
    text = yaml.safe_dump(data, allow_unicode=True)
    groupings = data.get("groupings") if isinstance(data, dict) else None
    assume(not (isinstance(groupings, list) and not all(isinstance(g, str) for g in groupings)))
    _from_yaml_contract(text)


@FUZZ
@given(valid_scenarios(), st.text(max_size=80), st.text(max_size=80))
def test_valid_state_yaml_state_is_the_identity(scenario, title, description):
    if scenario.id is None:
        scenario = scenario.model_copy(update={"title_en": title, "description_ja": description})
    assert Scenario.from_yaml(scenario.to_yaml()) == scenario


def _alias_bomb(levels: int) -> str:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    lines.append(f"groupings: *a{levels - 1}")
    return "\n".join(lines)


HOSTILE_YAML = {
    "nul character": "title_en: a\x00b\n",
    "lone surrogate": "title_en: \ud800\n",
    "control character in a key": "\x1b: 1\n",
    "recursive anchor": "groupings: &a [*a]\n",
    "deep nesting": "[" * 600,
    "4301-digit integer": "version: " + "9" * 4301 + "\n",
    "list in groupings": "groupings: [[a], [b]]\n",
    "null and false in groupings": "groupings: [null, false]\n",
    "alias bomb": _alias_bomb(3),
}


@pytest.mark.parametrize("text", HOSTILE_YAML.values(), ids=HOSTILE_YAML.keys())
def test_hostile_yaml_is_a_scenario_error_with_a_line(text):
    """What YAML forbids, what Python cannot build and what does not fit the fields: each is one
    ScenarioError naming a line, never another exception."""
    with pytest.raises(ScenarioError) as raised:
        Scenario.from_yaml(text)
    assert raised.value.problems
    for line, message in raised.value.problems:
        assert isinstance(line, int) and line >= 1
        assert isinstance(message, str) and 0 < len(message) < 300


def test_line_recording_visits_each_yaml_node_once(monkeypatch):
    """An alias is its anchor's node: the line recorder records each place a node is referenced
    once and goes into each node once, so an alias bomb (9 ** levels paths) costs a walk of
    the document as written, not of its expansion."""
    from geodata import yamlio

    levels = 5
    root = yaml.compose(_alias_bomb(levels))
    calls = []
    original = yamlio._record_lines

    def counting(node, path, lines, seen):
        calls.append(id(node))
        return original(node, path, lines, seen)

    monkeypatch.setattr(yamlio, "_record_lines", counting)
    lines: dict = {}
    yamlio._record_lines(root, (), lines, set())
    # the places a node is referenced in the text: the root, one value per key (a0 … a4 and
    # groupings), the 9 strings of a0 and the 9 aliases of each of a1 … a4
    assert len(calls) == 1 + (levels + 1) + 9 + 9 * (levels - 1)
    # the nodes: the root, one list per level (groupings is a4's), the 9 strings
    assert len(set(calls)) == 1 + levels + 9
    assert lines[("a0", 8)] == 1 and lines[("a4",)] == levels


@pytest.mark.parametrize("key", ["layers", "directions", "domains"])
def test_a_list_of_only_commas_is_the_empty_list(key):
    assert Scenario.from_query(f"{key}=,,") == Scenario.from_query(f"{key}=")
    assert getattr(Scenario.from_query(f"{key}=,")[0], key) == ()
