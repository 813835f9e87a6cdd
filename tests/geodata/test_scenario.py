"""Scenario: YAML and URL round trips, and how bad URL values are dropped with a notice."""

from __future__ import annotations

import string
from datetime import date
from urllib.parse import quote

import pytest
import yaml
from expected import BASES, DIRECTIONS, DOMAINS, LAYERS, MODALITY_LEVELS, PROJECTIONS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import subset

from geodata.knowledge import KNOWLEDGE_DIR
from geodata.scenario import (
    MAX_LIST_ITEMS,
    MAX_NOTICES,
    MAX_PROBLEMS,
    MAX_QUERY_CHARS,
    Scenario,
    ScenarioError,
    load_presets,
)


def _ids(file_name: str) -> list[str]:
    data = yaml.safe_load((KNOWLEDGE_DIR / file_name).read_text(encoding="utf-8"))
    return [record["id"] for record in data[file_name.removesuffix(".yaml")]]


GROUPING_IDS = _ids("groupings.yaml")
FOCUS_IDS = sorted(
    {
        i
        for name in ("actors", "groupings", "regions", "threats", "relations", "events")
        for i in _ids(f"{name}.yaml")
    }
)
SENTENCE_IDS = _ids("sentences.yaml")
PRESETS = load_presets()
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def free_text(size: int) -> st.SearchStrategy[str]:
    return st.text(st.characters(codec="utf-8"), max_size=size)


# the strategies' parts, made once: a strategy is validated and labelled when first drawn from
_DAYS = st.none() | st.dates(min_value=date(1940, 1, 1), max_value=date(2035, 12, 31))
_PRESET_IDS = st.none() | st.sampled_from(sorted(PRESETS))
_TITLES, _DESCRIPTIONS = free_text(200), free_text(300)
_GROUPINGS, _LAYERS, _DIRECTIONS, _DOMAINS = map(
    subset, (GROUPING_IDS, LAYERS, DIRECTIONS, DOMAINS)
)
_BASES, _MODALITIES, _PROJECTIONS, _LANGS = map(
    st.sampled_from, (BASES, MODALITY_LEVELS, PROJECTIONS, ["ja", "en"])
)
_FOCUS, _SENTENCES = (
    st.none() | st.sampled_from(FOCUS_IDS),
    st.none() | st.sampled_from(SENTENCE_IDS),
)


@st.composite
def scenarios(draw, *, free_titles: bool = False, preset_ids: bool = True) -> Scenario:
    """Valid scenarios; with an id, titles and descriptions are that preset's own."""
    preset_id = draw(_PRESET_IDS) if preset_ids else None
    texts = {"title_ja": "", "title_en": "", "description_ja": "", "description_en": ""}
    if preset_id is not None:
        texts = {key: getattr(PRESETS[preset_id], key) for key in texts}
    elif free_titles:
        texts = {
            "title_ja": draw(_TITLES),
            "title_en": draw(_TITLES),
            "description_ja": draw(_DESCRIPTIONS),
            "description_en": draw(_DESCRIPTIONS),
        }
    date_from, date_to = draw(_DAYS), draw(_DAYS)
    if date_from and date_to and date_from > date_to:
        date_from, date_to = date_to, date_from
    return Scenario(
        id=preset_id,
        **texts,
        groupings=draw(_GROUPINGS),
        layers=draw(_LAYERS),
        directions=draw(_DIRECTIONS),
        domains=draw(_DOMAINS),
        date_from=date_from,
        date_to=date_to,
        basis=draw(_BASES),
        modality=draw(_MODALITIES),
        proposals=draw(st.booleans()),
        projection=draw(_PROJECTIONS),
        lang=draw(_LANGS),
        focus=draw(_FOCUS),
        sentence=draw(_SENTENCES),
    )


# --- round trips --------------------------------------------------------------------------


@SETTINGS
@given(scenarios(free_titles=True))
def test_yaml_round_trip(scenario: Scenario) -> None:
    text = scenario.to_yaml()
    assert Scenario.from_yaml(text) == scenario
    data = yaml.safe_load(text)
    assert data["version"] == 1
    assert list(data["layers"]) == list(scenario.layers)


@pytest.mark.parametrize("text", ["\x85", "Summit\x85outcomes"])
def test_yaml_round_trip_keeps_a_next_line_character(text: str) -> None:
    scenario = Scenario(title_en=text, description_ja=text)
    assert Scenario.from_yaml(scenario.to_yaml()) == scenario


@pytest.mark.parametrize(
    "text", ["\u2028", "a\rb", "\ufeff", "\t", " lead", "trail ", "a\n", "x: y # z"]
)
def test_yaml_round_trip_keeps_awkward_text(text: str) -> None:
    scenario = Scenario(title_en=text, description_ja=text)
    assert Scenario.from_yaml(scenario.to_yaml()) == scenario


@SETTINGS
@given(scenarios(preset_ids=False))
def test_url_round_trip_without_a_preset(scenario: Scenario) -> None:
    assert Scenario.from_query(scenario.to_query(), PRESETS) == (scenario, [])
    assert Scenario.from_query("https://example.org/?" + scenario.to_query()) == (scenario, [])


@SETTINGS
@given(scenarios())
def test_url_round_trip_with_a_preset(scenario: Scenario) -> None:
    assert Scenario.from_query(scenario.to_query(), PRESETS) == (scenario, [])


@pytest.mark.parametrize(
    ("preset_id", "cleared"),
    [
        ("summit_outcomes", {"date_from": None, "date_to": None}),
        ("ukraine_support", {"focus": None}),
    ],
)
def test_url_round_trip_of_a_preset_with_a_cleared_field(preset_id: str, cleared: dict) -> None:
    scenario = PRESETS[preset_id].model_copy(update=cleared)
    Scenario.model_validate(scenario.model_dump())  # still a valid view
    assert Scenario.from_query(scenario.to_query(), PRESETS) == (scenario, [])


def test_presets_round_trip_through_both_forms() -> None:
    assert len(PRESETS) == 7
    for preset_id, preset in PRESETS.items():
        assert preset.id == preset_id
        assert Scenario.from_query(preset.to_query(), PRESETS) == (preset, [])
        assert Scenario.from_query(f"scenario={preset_id}", PRESETS) == (preset, [])
        assert Scenario.from_yaml(preset.to_yaml()) == preset


# --- from_query never raises ----------------------------------------------------------------

KEYS = [
    "scenario",
    "layers",
    "groupings",
    "directions",
    "domains",
    "basis",
    "modality",
    "proposals",
    "from",
    "to",
    "projection",
    "lang",
    "focus",
    "sentence",
]
query_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=400)
pieces = st.one_of(
    st.sampled_from(["&", "=", "%", "%2", "%zz", "%E3%81", "+", "?", "#", ",", ";", "://"]),
    st.sampled_from(KEYS),
    st.sampled_from(
        [*LAYERS, *BASES, *MODALITY_LEVELS, *GROUPING_IDS, "2024-07-01", "2024-13-01", "0", "1"]
    ),
    st.text(max_size=20),
)


@SETTINGS
@given(st.one_of(query_text, st.lists(pieces, max_size=40).map("".join)))
def test_from_query_never_raises(query: str) -> None:
    scenario, notices = Scenario.from_query(query, PRESETS)
    assert isinstance(scenario, Scenario)
    Scenario.model_validate(scenario.model_dump(by_alias=True))
    assert all(isinstance(n, str) and 0 < len(n) < 1_000 for n in notices)


@pytest.mark.parametrize("key", ["scenario", "layers", "basis", "from", "focus", "zoom"])
def test_huge_values_give_short_notices(key: str) -> None:
    value = ("あ&=%\U00018cd6 " * 20_000)[:100_000]
    for query in (f"{key}={quote(value)}", f"{quote(value)}=1", f"{key}={value}", value):
        scenario, notices = Scenario.from_query(query, PRESETS)
        assert isinstance(scenario, Scenario)
        assert notices  # something was wrong and the user is told
        assert all(len(n) < 1_000 for n in notices)  # without echoing the whole value


# --- bad values: a notice, and the field keeps its previous value ----------------------------

BAD_VALUES = {
    "basis": ["guessed", "STATED", ""],
    "modality": ["recommended", "certain", "Asserted", ""],
    "proposals": ["yes", "2", ""],
    "projection": ["mercator", ""],
    "lang": ["fr", "JA"],
    "from": ["2024-13-01", "2024-02-30", "yesterday", "2024/07/01"],
    "to": ["2024-00-10", "2023-02-29", "31-12-2024"],
    "focus": ["bad id", "JP-N", "x" * 65],
    "sentence": ["P6", "6.2", "P6.2.1", "p6.2", "P0.1", "fn.1", "P6.2 ", "x" * 65],
}
FIELD = {"from": "date_from", "to": "date_to"}


@SETTINGS
@given(
    st.sampled_from([None, *sorted(PRESETS)]),
    st.sampled_from(sorted(BAD_VALUES)).flatmap(
        lambda key: st.tuples(st.just(key), st.sampled_from(BAD_VALUES[key]))
    ),
)
def test_a_bad_value_gives_a_notice_and_keeps_the_previous_value(preset_id, bad) -> None:
    key, value = bad
    base = PRESETS[preset_id] if preset_id else Scenario()
    query = (f"scenario={preset_id}&" if preset_id else "") + f"{key}={quote(value)}"
    scenario, notices = Scenario.from_query(query, PRESETS)
    assert len(notices) == 1 and key in notices[0]
    assert scenario == base
    assert getattr(scenario, FIELD.get(key, key)) == getattr(base, FIELD.get(key, key))


def test_unknown_parameter() -> None:
    scenario, notices = Scenario.from_query("layer=events&zoom=3", PRESETS)
    assert scenario == Scenario()
    assert len(notices) == 2
    assert "'layer'" in notices[0] and "layers" in notices[0]  # with a suggestion
    assert "'zoom'" in notices[1]


def test_unknown_scenario_keeps_the_defaults() -> None:
    scenario, notices = Scenario.from_query("scenario=threat_360&basis=stated", PRESETS)
    assert scenario == Scenario(basis="stated")
    assert len(notices) == 1
    assert "threat_360" in notices[0] and "threats_360" in notices[0]


def test_bad_layer_item_is_dropped_with_a_notice() -> None:
    base = PRESETS["threats_360"]
    scenario, notices = Scenario.from_query("scenario=threats_360&layers=events,evnts", PRESETS)
    assert len(notices) == 1 and "evnts" in notices[0] and "'events'" in notices[0]
    assert "evnts" not in scenario.layers
    assert scenario.layers in {("events",), base.layers}
    assert scenario.model_copy(update={"layers": base.layers}) == base


def test_all_bad_layer_items_keep_the_previous_layers() -> None:
    base = PRESETS["threats_360"]
    scenario, notices = Scenario.from_query("scenario=threats_360&layers=threat", PRESETS)
    assert len(notices) == 1 and "threat" in notices[0]
    assert scenario.layers == base.layers


@pytest.mark.parametrize("value", ["2024-13-01", "2024-02-30", "2024-7-1"])
def test_bad_date_keeps_the_previous_date(value: str) -> None:
    base = PRESETS["summit_outcomes"]
    scenario, notices = Scenario.from_query(f"scenario=summit_outcomes&from={value}", PRESETS)
    assert len(notices) == 1 and value in notices[0]
    assert (scenario.date_from, scenario.date_to) == (base.date_from, base.date_to)


def test_from_after_to_gives_a_notice_and_keeps_the_previous_date() -> None:
    base = PRESETS["summit_outcomes"]  # 2024-07-09 … 2024-07-11
    scenario, notices = Scenario.from_query("scenario=summit_outcomes&from=2024-08-01", PRESETS)
    assert len(notices) == 1 and "2024-08-01" in notices[0]
    assert (scenario.date_from, scenario.date_to) == (base.date_from, base.date_to)
    scenario, notices = Scenario.from_query("from=2024-08-01&to=2024-07-01")
    assert len(notices) == 1
    assert scenario.date_from is None or scenario.date_to is None
    assert (scenario.date_from, scenario.date_to) != (date(2024, 8, 1), date(2024, 7, 1))


@pytest.mark.parametrize(
    "query",
    [
        "scenario=summit_outcomes&from=2024-08-01&to=2024-09-30",
        "scenario=summit_outcomes&to=2024-05-31&from=2024-05-01",
    ],
)
def test_a_consistent_new_range_replaces_a_presets_range(query: str) -> None:
    scenario, notices = Scenario.from_query(query, PRESETS)
    assert notices == []
    wanted = dict(pair.split("=") for pair in query.split("&"))
    assert scenario.date_from == date.fromisoformat(wanted["from"])
    assert scenario.date_to == date.fromisoformat(wanted["to"])


def test_to_query_uses_only_url_safe_characters() -> None:
    allowed = set(string.ascii_letters + string.digits + "-_.~&=,%")
    for preset in PRESETS.values():
        assert set(preset.to_query()) <= allowed


# --- messages: plain words, and a bounded number of them -------------------------------------

PYDANTIC_WORDS = (
    "Input should",
    "Value error",
    "String should",
    "Tuple should",
    "pydantic",
    "http",
)


def _either(words: list[str]) -> str:
    return f"{', '.join(words[:-1])} or {words[-1]}"


BAD_FILE = {  # field: (its line in the text below, the words its problem must have)
    "version": (1, "2 is not a scenario file version; use 1"),
    "layers": (2, f"'xyz' is not a layer; use {_either(LAYERS)}"),
    "basis": (3, f"'rumour' is not a basis; use {_either(BASES)}"),
    "lang": (4, "'fr' is not a language; use ja or en"),
    "projection": (5, f"'mercator' is not a projection; use {_either(PROJECTIONS)}"),
    "proposals": (6, "expected true or false, not 'maybe'"),
    "from": (7, "'2024-02-30' is not a real date; use YYYY-MM-DD"),
    "focus": (8, "'a b' is not allowed: a focus is an id of letters, digits and '_'"),
    "title_en": (9, "at most 200 characters, not 5,000"),
    "groupings": (10, "expected text, not a list of 1 item"),
    "title_ja": (11, "expected text, not a mapping of 3 keys"),
}


def test_a_bad_file_gets_one_plain_problem_per_field_at_its_line() -> None:
    text = (
        "version: 2\nlayers: [threats, xyz]\nbasis: rumour\nlang: fr\nprojection: mercator\n"
        "proposals: maybe\nfrom: 2024-02-30\nfocus: a b\ntitle_en: " + "x" * 5000 + "\n"
        "groupings: [[a]]\ntitle_ja: {a: 1, b: 2, c: 3}\n"
    )
    with pytest.raises(ScenarioError) as raised:
        Scenario.from_yaml(text)
    problems = raised.value.problems
    assert len(problems) == len(BAD_FILE)
    for line, message in problems:
        field, words = message.split(": ", 1)
        assert (line, True) == (BAD_FILE[field][0], words.startswith(BAD_FILE[field][1])), message
        assert not any(w in message for w in PYDANTIC_WORDS), message
        assert len(message) < 200


def test_a_file_with_many_problems_shows_twenty_and_counts_the_rest() -> None:
    text = "groupings: [" + ", ".join(str(i) for i in range(50)) + "]\n"
    with pytest.raises(ScenarioError) as raised:
        Scenario.from_yaml(text)
    problems = raised.value.problems
    assert len(problems) == MAX_PROBLEMS == 20
    assert problems[0] == (1, "groupings: expected text, not 0")
    assert problems[-1] == (1, "and 31 more problems")


def test_url_notices_are_plain_words() -> None:
    query = "layers=xyz&basis=rumour&lang=fr&proposals=maybe&focus=a%20b&zoom=3"
    scenario, notices = Scenario.from_query(query)
    assert scenario == Scenario()
    assert notices == [
        f"ignored basis='rumour': 'rumour' is not a basis; use {_either(BASES)}",
        "ignored proposals='maybe': use 0 or 1",
        "ignored lang='fr': 'fr' is not a language; use ja or en",
        "ignored focus='a b': 'a b' is not allowed: a focus is an id of letters, digits and '_', "
        "such as JPN or nato",
        f"ignored layers item 'xyz': not a layer; use {_either(LAYERS)}",
        "ignored unknown parameter 'zoom'",
    ]


def test_a_query_over_the_length_limit_is_ignored_whole() -> None:
    query = "lang=en&" + "x=1&" * (MAX_QUERY_CHARS // 4)
    scenario, notices = Scenario.from_query(query)
    assert scenario == Scenario()
    assert notices == [
        f"ignored the whole query: it is {len(query):,} characters long; "
        f"a view's query has at most {MAX_QUERY_CHARS:,}"
    ]


def test_a_list_over_the_length_limit_is_ignored() -> None:
    at_limit = ",".join(["events"] * MAX_LIST_ITEMS)
    assert Scenario.from_query(f"layers={at_limit}") == (Scenario(layers=("events",)), [])
    scenario, notices = Scenario.from_query(f"layers={at_limit},events&basis=stated")
    assert scenario == Scenario(basis="stated")
    assert notices == ["ignored layers: it lists 101 items; a list may have at most 100"]


def test_unknown_items_are_named_three_times_then_counted() -> None:
    query = "layers=events," + ",".join(f"x{i}" for i in range(50))
    scenario, notices = Scenario.from_query(query)
    assert scenario.layers == ("events",)
    assert [n.split(":")[0] for n in notices] == [
        "ignored layers item 'x0'",
        "ignored layers item 'x1'",
        "ignored layers item 'x2'",
        "ignored 47 more layers items that are not layers",
    ]


def test_notices_are_capped_and_the_single_values_come_first() -> None:
    junk = [",".join(f"{key[0]}{i}" for i in range(30)) for key in ("layers", "directions")]
    query = "&".join(
        [f"p{i}=1" for i in range(30)]
        + [f"layers={junk[0]}", f"directions={junk[1]}", "lang=fr", "basis=rumour"]
    )
    scenario, notices = Scenario.from_query(query)
    assert scenario == Scenario()
    assert len(notices) == MAX_NOTICES
    assert notices[0].startswith("ignored basis='rumour'")
    assert notices[1].startswith("ignored lang='fr'")
    # 2 single values, 4 + 4 list notices, 4 unknown-parameter notices: 9 shown, 5 counted
    assert notices[-1] == "and 5 more problems in the address"


# --- the modality filter ----------------------------------------------------------------------


def test_modality_defaults_to_showing_everything_and_round_trips() -> None:
    assert Scenario().modality == "projected"
    for level in MODALITY_LEVELS:
        scenario = Scenario(modality=level)
        assert f"modality={level}" in scenario.to_query()
        assert Scenario.from_query(f"modality={level}", PRESETS) == (scenario, [])
        assert yaml.safe_load(scenario.to_yaml())["modality"] == level
        assert Scenario.from_yaml(scenario.to_yaml()) == scenario


def test_a_recommendation_passes_only_with_projections() -> None:
    assert Scenario(modality="projected").shows_modality("recommended")
    assert not Scenario(modality="assessed").shows_modality("recommended")
    assert not Scenario(modality="asserted").shows_modality("assessed")
    assert Scenario(modality="assessed").shows_modality("asserted")


def test_a_scenario_file_with_a_bad_modality_is_refused_at_its_line() -> None:
    with pytest.raises(ScenarioError) as error:
        Scenario.from_yaml("title_en: x\nmodality: likely\n")
    ((line, message),) = error.value.problems
    assert (line, message) == (
        2,
        f"modality: 'likely' is not a modality; use {_either(MODALITY_LEVELS)}",
    )


# --- the selected sentence ----------------------------------------------------------------------


def test_a_sentence_round_trips_through_the_url_and_yaml_and_is_left_out_when_unset() -> None:
    scenario = PRESETS["threats_360"].model_copy(update={"sentence": "P5.1"})
    query = scenario.to_query()
    assert "sentence=P5.1" in query.split("&")
    assert Scenario.from_query(query, PRESETS) == (scenario, [])
    assert Scenario.from_yaml(scenario.to_yaml()) == scenario
    assert "sentence" not in PRESETS["threats_360"].to_query()
    assert "sentence" not in PRESETS["threats_360"].to_yaml()
    footnote = Scenario(sentence="fn15.1")
    assert Scenario.from_query(footnote.to_query())[0].sentence == "fn15.1"


def test_a_sentence_that_is_not_in_the_article_is_named_with_the_sentences_of_its_place() -> None:
    from geodata.validate import check_scenario_ids, load_knowledge

    knowledge = load_knowledge()
    assert check_scenario_ids(Scenario(sentence="P6.2"), knowledge) == []
    assert check_scenario_ids(Scenario(sentence="P6.4"), knowledge) == [
        "unknown sentence id P6.4: P6 has sentences P6.1…P6.3"
    ]
    assert check_scenario_ids(Scenario(sentence="fn3.1"), knowledge) == [
        "unknown sentence id fn3.1: the article has no sentences in fn3"
    ]
