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

from geodata.knowledge import KNOWLEDGE_DIR
from geodata.scenario import Scenario, ScenarioError, load_presets


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
PRESETS = load_presets()
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def subset(choices: list[str]) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(choices), unique=True).map(tuple)


def free_text(size: int) -> st.SearchStrategy[str]:
    return st.text(st.characters(codec="utf-8"), max_size=size)


@st.composite
def date_ranges(draw) -> tuple[date | None, date | None]:
    days = st.dates(min_value=date(1940, 1, 1), max_value=date(2035, 12, 31))
    first, second = draw(st.none() | days), draw(st.none() | days)
    if first and second and first > second:
        first, second = second, first
    return first, second


@st.composite
def scenarios(draw, *, free_titles: bool = False, preset_ids: bool = True) -> Scenario:
    """Valid scenarios; with an id, titles and descriptions are that preset's own."""
    preset_id = draw(st.none() | st.sampled_from(sorted(PRESETS))) if preset_ids else None
    texts = {"title_ja": "", "title_en": "", "description_ja": "", "description_en": ""}
    if preset_id is not None:
        texts = {key: getattr(PRESETS[preset_id], key) for key in texts}
    elif free_titles:
        texts = {
            "title_ja": draw(free_text(200)),
            "title_en": draw(free_text(200)),
            "description_ja": draw(free_text(300)),
            "description_en": draw(free_text(300)),
        }
    date_from, date_to = draw(date_ranges())
    return Scenario(
        id=preset_id,
        **texts,
        groupings=draw(subset(GROUPING_IDS)),
        layers=draw(subset(LAYERS)),
        directions=draw(subset(DIRECTIONS)),
        domains=draw(subset(DOMAINS)),
        date_from=date_from,
        date_to=date_to,
        basis=draw(st.sampled_from(BASES)),
        modality=draw(st.sampled_from(MODALITY_LEVELS)),
        proposals=draw(st.booleans()),
        projection=draw(st.sampled_from(PROJECTIONS)),
        lang=draw(st.sampled_from(["ja", "en"])),
        focus=draw(st.none() | st.sampled_from(FOCUS_IDS)),
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
    assert line == 2 and "likely" in message and "'projected'" in message
