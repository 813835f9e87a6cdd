"""select(): what a view shows for a scenario — basis, proposals, layers, dates, groupings."""

from __future__ import annotations

import calendar
import dataclasses
import gc
import weakref
from datetime import date, timedelta

import pytest
import yaml
from expected import BASES, DIRECTIONS, DOMAINS, LAYERS, MODALITIES, MODALITY_LEVELS
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import subset

from geodata.atlas import derived, load_atlas
from geodata.certainty import any_of, item_states, split_state_key
from geodata.knowledge import KNOWLEDGE_DIR
from geodata.scenario import Scenario, load_presets
from geodata.select import Layers, select, widest_dates

GROUPING_IDS = [
    g["id"]
    for g in yaml.safe_load((KNOWLEDGE_DIR / "groupings.yaml").read_text(encoding="utf-8"))[
        "groupings"
    ]
]
ATLAS = load_atlas()  # cached: the same object as the session fixture
PRESETS = load_presets()
SETTINGS = settings(max_examples=40, deadline=None)

# the frames of a view and the columns that identify a row
KEYS = {
    "memberships": ["grouping", "iso3"],
    "groupings": ["id"],
    "relations": ["id"],
    "threats": ["id"],
    "regions": ["id"],
    "events": ["id"],
    "domains": ["domain", "actor"],
    "topics": ["id"],
}


def keys(layers: Layers, frame: str) -> set[tuple]:
    """The keys of a frame's rows (read column by column: selecting columns of a GeoDataFrame
    builds a new one, 20 times slower)."""
    data = getattr(layers, frame)
    return set(zip(*(data[column].tolist() for column in KEYS[frame]), strict=True))


def bounds(value: str) -> tuple[date, date]:
    """First and last day of a partial ISO date (written here, not taken from the library)."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 1:
        return date(parts[0], 1, 1), date(parts[0], 12, 31)
    if len(parts) == 2:
        last = calendar.monthrange(parts[0], parts[1])[1]
        return date(parts[0], parts[1], 1), date(parts[0], parts[1], last)
    return date(*parts), date(*parts)


# scenarios()' parts, made once: a strategy is validated and labelled when first drawn from
_DAYS = st.none() | st.dates(min_value=date(1945, 1, 1), max_value=date(2026, 12, 31))
_GROUPINGS = st.just(()) | subset(GROUPING_IDS)
_LAYERS, _DIRECTIONS, _DOMAINS = (
    st.just(tuple(choices)) | subset(choices) for choices in (LAYERS, DIRECTIONS, DOMAINS)
)
_BASES, _MODALITIES = st.sampled_from(BASES), st.sampled_from(MODALITY_LEVELS)


@st.composite
def scenarios(draw) -> Scenario:
    first, second = draw(_DAYS), draw(_DAYS)
    if first and second and first > second:
        first, second = second, first
    return Scenario(
        groupings=draw(_GROUPINGS),
        layers=draw(_LAYERS),
        directions=draw(_DIRECTIONS),
        domains=draw(_DOMAINS),
        date_from=first,
        date_to=second,
        basis=draw(_BASES),
        modality=draw(_MODALITIES),
        proposals=draw(st.booleans()),
    )


# --- basis ------------------------------------------------------------------------------------


@SETTINGS
@given(scenarios())
def test_basis_filter_is_monotone(scenario: Scenario) -> None:
    views = [select(ATLAS, scenario.model_copy(update={"basis": b})) for b in BASES]
    for frame in KEYS:
        stated, inferred, external = (keys(v, frame) for v in views)
        assert stated <= inferred <= external, frame


@SETTINGS
@given(scenarios())
def test_nothing_above_the_scenarios_basis_is_selected(scenario: Scenario) -> None:
    view = select(ATLAS, scenario)
    allowed = set(BASES[: BASES.index(scenario.basis) + 1])
    for frame in KEYS:
        data = getattr(view, frame)
        assert set(data.basis) <= allowed, (frame, set(data.basis))


# --- modality (how strongly the article says it) --------------------------------------------


def passes(modality: str, level: str) -> bool:
    """Whether an item of this modality passes a view's level (written here, not imported):
    a recommendation is as far from an assertion as a projection."""
    rank = {"asserted": 0, "assessed": 1, "projected": 2, "recommended": 2}
    return rank[modality] <= rank[level]


@SETTINGS
@given(scenarios())
def test_modality_filter_is_monotone(scenario: Scenario) -> None:
    views = [select(ATLAS, scenario.model_copy(update={"modality": m})) for m in MODALITY_LEVELS]
    for frame in KEYS:
        asserted, assessed, projected = (keys(v, frame) for v in views)
        assert asserted <= assessed <= projected, frame


@SETTINGS
@given(scenarios())
def test_nothing_less_certain_than_the_scenarios_modality_is_selected(scenario: Scenario) -> None:
    view = select(ATLAS, scenario)
    for frame in KEYS:
        data = getattr(view, frame)
        assert set(data.modality) <= set(MODALITIES), frame
        assert all(passes(m, scenario.modality) for m in data.modality), (frame, scenario.modality)


@SETTINGS
@given(scenarios(), st.sampled_from(BASES), st.sampled_from(MODALITY_LEVELS))
def test_narrowing_both_filters_never_adds_an_item(scenario: Scenario, basis, modality) -> None:
    narrower = scenario.model_copy(
        update={
            "basis": min(basis, scenario.basis, key=BASES.index),
            "modality": min(modality, scenario.modality, key=MODALITY_LEVELS.index),
        }
    )
    wide, narrow = select(ATLAS, scenario), select(ATLAS, narrower)
    for frame in KEYS:
        assert keys(narrow, frame) <= keys(wide, frame), frame


def test_the_modality_filter_hides_exactly_the_less_certain_records() -> None:
    everything = select(ATLAS, Scenario())
    asserted = select(ATLAS, Scenario(modality="asserted"))
    relations = everything.relations.set_index("id").modality
    assert set(asserted.relations.id) == {r for r, m in relations.items() if m == "asserted"}
    # the article's hedges: China only "coming to be perceived" as an existential threat, the
    # NATO–Japan change "expected", the liaison office a projection
    assert relations["chn_threat_europe"] == "assessed"
    assert relations["nato_japan_cooperation"] == "projected"
    assert relations["nato_liaison_office_japan"] == "projected"
    assert relations["japan_nato_trilateral"] == "recommended"
    assessed = select(ATLAS, Scenario(modality="assessed"))
    assert "chn_threat_europe" in set(assessed.relations.id)
    assert {"nato_japan_cooperation", "japan_nato_trilateral"}.isdisjoint(assessed.relations.id)
    # a record stated once for certain stays: the cyber domain is asserted in P10
    assert "cyber" in set(everything.domains.domain)
    cyber = asserted.domains[asserted.domains.domain == "cyber"]
    assert cyber.empty  # its attribution to China and Russia is only "believed" (と見られる)


def test_stated_view_shows_only_stated_memberships() -> None:
    data = yaml.safe_load((KNOWLEDGE_DIR / "groupings.yaml").read_text(encoding="utf-8"))
    view = select(ATLAS, Scenario(basis="stated"))
    for grouping in data["groupings"]:
        if grouping.get("includes"):
            continue  # reached through other groupings: see test_knowledge
        stated = {m["iso3"] for m in grouping["members"] if m["basis"] == "stated"}
        shown = set(view.memberships.loc[view.memberships.grouping == grouping["id"], "iso3"])
        assert shown == stated, grouping["id"]
    # the article lists the Five Eyes by name (P12), so they survive the strictest view
    five_eyes = view.memberships[view.memberships.grouping == "five_eyes"]
    assert set(five_eyes.iso3) == {"USA", "GBR", "CAN", "AUS", "NZL"}
    assert "rus_irn_technology" not in set(view.relations.id)  # inferred in relations.yaml


def test_domain_basis_is_the_weaker_of_domain_and_attribution() -> None:
    data = yaml.safe_load((KNOWLEDGE_DIR / "domains.yaml").read_text(encoding="utf-8"))
    for basis in BASES:
        allowed = BASES[: BASES.index(basis) + 1]
        expected = {
            (d["id"], a["actor"])
            for d in data["domains"]
            for a in d["attributions"]
            if d["basis"] in allowed and a["basis"] in allowed
        }
        assert keys(select(ATLAS, Scenario(basis=basis)), "domains") == expected


# --- proposals ------------------------------------------------------------------------------


@SETTINGS
@given(scenarios())
def test_proposals_off_removes_every_proposal(scenario: Scenario) -> None:
    view = select(ATLAS, scenario.model_copy(update={"proposals": False}))
    assert not (view.groupings.status == "proposed").any()
    assert not (view.relations.status == "proposed").any()
    assert not (view.memberships.status == "proposed").any()
    with_proposals = select(ATLAS, scenario.model_copy(update={"proposals": True}))
    for frame in KEYS:
        assert keys(view, frame) <= keys(with_proposals, frame), frame


def test_the_articles_proposals_come_and_go_with_the_switch() -> None:
    raw = yaml.safe_load((KNOWLEDGE_DIR / "relations.yaml").read_text(encoding="utf-8"))
    proposed = {r["id"] for r in raw["relations"] if r.get("status") == "proposed"}
    on = select(ATLAS, Scenario(proposals=True))
    off = select(ATLAS, Scenario(proposals=False))
    assert proposed <= set(on.relations.id)
    assert proposed.isdisjoint(off.relations.id)
    assert {"japan_five_eyes_nato", "indo_pacific_tech_hub"} <= set(on.groupings.id)
    assert {"japan_five_eyes_nato", "indo_pacific_tech_hub"}.isdisjoint(off.groupings.id)


# --- layers ---------------------------------------------------------------------------------


@SETTINGS
@given(scenarios(), st.sampled_from(LAYERS))
def test_turning_a_layer_off_removes_exactly_its_relations(scenario: Scenario, layer: str) -> None:
    on = scenario.model_copy(update={"layers": tuple(sorted({*scenario.layers, layer}))})
    off = scenario.model_copy(update={"layers": tuple(x for x in on.layers if x != layer)})
    view_on, view_off = select(ATLAS, on), select(ATLAS, off)
    removed = set(view_on.relations.id) - set(view_off.relations.id)
    assert removed == set(view_on.relations.loc[view_on.relations.layer == layer, "id"])
    assert layer not in set(view_off.relations.layer)
    for frame in KEYS:
        assert keys(view_off, frame) <= keys(view_on, frame), frame  # never adds anything


def test_layers_off_show_nothing_of_theirs() -> None:
    view = select(ATLAS, Scenario(layers=()))
    assert view.relations.empty and view.threats.empty and view.events.empty
    assert view.groupings.empty and view.memberships.empty and view.domains.empty
    assert view.is_empty()


# --- dates ----------------------------------------------------------------------------------


def overlaps(value: str, start: date | None, end: date | None) -> bool:
    first, last = bounds(value)
    return (start is None or last >= start) and (end is None or first <= end)


@SETTINGS
@given(scenarios())
def test_selected_dated_items_overlap_the_range(scenario: Scenario) -> None:
    view = select(ATLAS, scenario)
    start, end = scenario.date_from, scenario.date_to
    for value in view.events.date:
        assert overlaps(value, start, end), value
    for value in view.relations.date:
        if isinstance(value, str):
            assert overlaps(value, start, end), value
    # and nothing that overlaps is lost: the date filter is the only one that differs here
    undated = select(ATLAS, scenario.model_copy(update={"date_from": None, "date_to": None}))
    for frame in ("events", "relations"):
        data = getattr(undated, frame)
        kept = {
            i
            for i, d in zip(data.id, data.date, strict=True)
            if not isinstance(d, str) or overlaps(d, start, end)
        }
        assert set(getattr(view, frame).id) == kept, frame


@SETTINGS
@given(scenarios())
def test_widest_dates_select_the_same_items_and_contain_the_range(scenario: Scenario) -> None:
    widest = widest_dates(ATLAS, scenario)
    for frame in KEYS:
        assert keys(select(ATLAS, widest), frame) == keys(select(ATLAS, scenario), frame), frame
    start, end = scenario.date_from, scenario.date_to
    if widest.date_from is not None:
        assert start is not None and widest.date_from <= start
    if widest.date_to is not None:
        assert end is not None and widest.date_to >= end
    assert widest_dates(ATLAS, widest) == widest
    assert widest.model_copy(update={"date_from": start, "date_to": end}) == scenario


def test_ranges_that_select_the_same_items_share_one_widest_range() -> None:
    """The article dates nothing between mid-2015 and mid-2020: two starts in that stretch give
    one range; a bound beyond every item is no bound; a bound on either side of an item's first
    day is kept apart."""
    quiet = [Scenario(date_from=date(2016, 3, 1)), Scenario(date_from=date(2019, 11, 30))]
    assert widest_dates(ATLAS, quiet[0]) == widest_dates(ATLAS, quiet[1])
    assert widest_dates(ATLAS, Scenario(date_from=date(1900, 1, 1))).date_from is None
    assert widest_dates(ATLAS, Scenario(date_to=date(2030, 1, 1))).date_to is None
    last = max(bounds(d)[0] for d in ATLAS.events.date)
    before, on = (widest_dates(ATLAS, Scenario(date_to=day)) for day in (last - timedelta(1), last))
    assert keys(select(ATLAS, before), "events") != keys(select(ATLAS, on), "events")
    assert before.date_to is not None and before.date_to < last
    assert on.date_to is None or on.date_to >= last


@pytest.mark.parametrize(
    ("start", "end", "shown"),
    [
        ("2015-05-31", "2015-05-31", True),
        ("2015-05-01", "2015-05-01", True),
        ("2015-06-01", None, False),
        (None, "2015-04-30", False),
        ("2015-04-30", "2015-05-01", True),
    ],
)
def test_a_month_date_covers_the_whole_month(start, end, shown: bool) -> None:
    scenario = Scenario(
        date_from=date.fromisoformat(start) if start else None,
        date_to=date.fromisoformat(end) if end else None,
    )
    view = select(ATLAS, scenario)
    assert ("chn_rus_med_exercise_2015" in set(view.events.id)) is shown  # dated 2015-05
    assert ("chn_rus_med_exercise" in set(view.relations.id)) is shown  # dated 2015-05


def test_a_year_date_covers_the_whole_year() -> None:
    late = select(ATLAS, Scenario(date_from=date(2022, 12, 31), date_to=date(2022, 12, 31)))
    after = select(ATLAS, Scenario(date_from=date(2023, 1, 1)))
    assert "nato_360_approach" in set(late.events.id)  # dated 2022
    assert "nato_360_approach" not in set(after.events.id)


def test_undated_relations_always_pass_the_date_filter() -> None:
    raw = yaml.safe_load((KNOWLEDGE_DIR / "relations.yaml").read_text(encoding="utf-8"))
    undated = {r["id"] for r in raw["relations"] if "date" not in r}
    assert undated
    for start, end in [(date(1900, 1, 1), date(1900, 1, 1)), (date(2099, 1, 1), None)]:
        view = select(ATLAS, Scenario(date_from=start, date_to=end))
        assert set(view.relations.id) == undated
        assert view.events.empty


# --- groupings ------------------------------------------------------------------------------


@SETTINGS
@given(scenarios())
def test_groupings_filter_keeps_only_those_memberships(scenario: Scenario) -> None:
    view = select(ATLAS, scenario)
    if scenario.groupings:
        assert set(view.memberships.grouping) <= set(scenario.groupings)
        assert set(view.groupings.id) <= set(scenario.groupings)
    assert set(view.memberships.grouping) <= set(view.groupings.id)
    shown = view.memberships.groupby("iso3")["grouping"].agg(set).to_dict()
    for iso3, groupings in zip(view.countries.iso3, view.countries.groupings, strict=True):
        assert set(groupings) == shown.get(iso3, set())


def test_one_grouping_shows_exactly_its_members() -> None:
    view = select(ATLAS, Scenario(groupings=("ap4",)))
    assert set(view.memberships.grouping) == {"ap4"}
    assert set(view.memberships.iso3) == {"JPN", "AUS", "NZL", "KOR"}
    assert list(view.groupings.id) == ["ap4"]


GROUPING_LAYERS = ("value_community", "authoritarian", "proposals")


@SETTINGS
@given(subset(GROUPING_IDS))
def test_relations_of_a_grouping_view_have_no_party_outside_it(chosen: tuple[str, ...]) -> None:
    """A view that names groupings shows a relation of the grouping layers only when each party
    at its ends is in the view: a state a member of a chosen grouping, a grouping a chosen one.
    Regions and topics are not parties (the bloc's influence reaches the south, whoever is
    chosen)."""
    view = select(ATLAS, Scenario(groupings=chosen))
    if not chosen:
        return
    members = set(view.memberships.iso3)
    groupings = set(ATLAS.groupings.id)
    places = set(ATLAS.regions.id) | set(ATLAS.topics.id)
    everything = select(ATLAS, Scenario())
    for row in everything.relations.itertuples():
        if row.layer not in GROUPING_LAYERS:
            continue
        ends = (row.source, row.target)
        parties = [end for end in ends if end not in places]
        inside = all(end in chosen if end in groupings else end in members for end in parties)
        touches = any(end in chosen or end in members for end in parties)
        assert (row.id in set(view.relations.id)) == (inside and touches), (chosen, row.id)


def test_nato_alone_does_not_show_natos_links_to_other_groupings() -> None:
    nato = set(select(ATLAS, Scenario(groupings=("nato",))).relations.id)
    assert not {"nato_ap4_partnership", "japan_us_nato_posture"} & nato
    assert "nato_ap4_partnership" in set(
        select(ATLAS, Scenario(groupings=("nato", "ap4"))).relations.id
    )
    # the bloc alone: its partnerships and its reach into regions, not its words about NATO
    bloc = set(select(ATLAS, Scenario(groupings=("authoritarian",))).relations.id)
    assert {"chn_rus_partnership", "rus_influence_south", "authoritarian_rejects_order"} <= bloc
    assert "chn_nato_cold_war_relic" not in bloc


# --- presets --------------------------------------------------------------------------------


def layer_rows(view: Layers, layer: str) -> int:
    """How many things a view draws in one layer."""
    relations = int((view.relations.layer == layer).sum())
    members = view.memberships
    if layer == "threats":
        return len(view.threats)
    if layer == "events":
        return len(view.events)
    if layer == "proposals":
        return relations + int((members.status == "proposed").sum())
    if layer in ("value_community", "authoritarian"):
        camp = "value" if layer == "value_community" else "authoritarian"
        own = members[(members.camp == camp) & (members.status != "proposed")]
        return relations + len(own)
    return relations


@pytest.mark.parametrize("preset_id", sorted(PRESETS))
def test_each_preset_shows_something_in_each_of_its_layers(preset_id: str) -> None:
    preset = PRESETS[preset_id]
    everything = select(ATLAS, Scenario())
    view = select(ATLAS, preset)
    assert not view.is_empty()
    for layer in preset.layers:
        if layer_rows(everything, layer):
            assert layer_rows(view, layer) > 0, (preset_id, layer)
    # a preset shows every grouping it names (each is in one of its layers)
    assert set(view.groupings.id) == set(preset.groupings or everything.groupings.id)


def test_regions_at_the_ends_of_shown_relations_are_shown() -> None:
    view = select(ATLAS, Scenario(layers=("authoritarian",), basis="external"))
    assert {"chn_influence_south", "chn_influence_indo_pacific"} <= set(view.relations.id)
    assert {"southern_neighbourhood", "indo_pacific", "euro_atlantic"} <= set(view.regions.id)
    inferred = select(ATLAS, Scenario(layers=("authoritarian",), basis="inferred"))
    assert {"chn_influence_south", "chn_influence_indo_pacific"} <= set(inferred.relations.id)
    # which countries or waters make up these areas is outside knowledge: external
    assert inferred.regions.empty


def test_region_layers_name_what_draws_each_region() -> None:
    for scenario in (Scenario(), Scenario(basis="inferred"), *PRESETS.values()):
        view = select(ATLAS, scenario)
        assert list(view.region_layers) == list(view.regions.id)
        for region_id, layers in view.region_layers.items():
            expected = [
                f"threats-{direction}"
                for direction, regions in zip(
                    view.threats.direction, view.threats.regions, strict=True
                )
                if region_id in regions
            ]
            expected += [
                layer
                for source, target, layer, placement in zip(
                    view.relations.source,
                    view.relations.target,
                    view.relations.layer,
                    view.relations.placement,
                    strict=True,
                )
                # an arc is drawn at both ends, a mark at its source, a listed relation nowhere
                if region_id in {"arc": (source, target), "at_source": (source,)}.get(placement, ())
            ]
            keys = tuple(split_state_key(key)[0] for key in layers)
            assert keys == tuple(dict.fromkeys(expected)), (scenario.id, region_id)
            # each shows while the region and one of its items of that key do
            (region,) = view.regions[view.regions.id == region_id].itertuples()
            for key, states in map(split_state_key, layers):
                drawers = [
                    item_states(t.basis, t.modality)
                    for t in view.threats.itertuples()
                    if f"threats-{t.direction}" == key and region_id in t.regions
                ] + [
                    item_states(r.basis, r.modality)
                    for r in view.relations.itertuples()
                    if r.layer == key
                    and region_id
                    in {"arc": (r.source, r.target), "at_source": (r.source,)}.get(r.placement, ())
                ]
                assert states == any_of(drawers) & item_states(region.basis, region.modality)


def test_each_atlas_is_read_for_itself() -> None:
    """What select keeps of an atlas is kept per atlas (atlases are equal only to themselves)."""
    other = dataclasses.replace(ATLAS, relations=ATLAS.relations.iloc[:0])
    assert select(ATLAS, Scenario()).relations.size
    assert select(other, Scenario()).relations.empty
    assert select(ATLAS, Scenario()).relations.size


# --- what the views name: events and topics follow the groupings --------------------------------


def test_events_and_topics_follow_the_chosen_groupings() -> None:
    everything = select(ATLAS, Scenario())
    nato_only = select(ATLAS, Scenario(groupings=("nato",)))
    actors = everything.events.set_index("id").actors
    groupings = yaml.safe_load((KNOWLEDGE_DIR / "groupings.yaml").read_text(encoding="utf-8"))
    nato = {g["id"]: g for g in groupings["groupings"]}["nato"]
    nato_states = {m["iso3"] for m in nato["members"]}
    for event_id, parties in actors.items():
        touches = any(p == "nato" or p in nato_states for p in parties)
        assert (event_id in set(nato_only.events.id)) == touches, event_id
    # China's exercise with Belarus at the time of the summit is not a NATO event
    assert "chn_blr_exercise_2024" not in set(nato_only.events.id)
    assert "chn_blr_exercise_2024" in set(everything.events.id)


def test_the_summit_preset_shows_the_three_themes_and_only_summit_events() -> None:
    view = select(ATLAS, PRESETS["summit_outcomes"])
    themes = {"theme_ukraine_support", "theme_deterrence_defence", "theme_global_partnerships"}
    assert themes <= set(view.topics.id)
    # events of the summit: dated within it, or by the article only as "at this summit"
    assert set(view.events.id) == {
        "washington_summit",
        "ap4_summit_meeting",
        "ukraine_long_term_support",
        "south_action_plan",
    }


def test_what_is_derived_from_a_selection_is_kept_with_it_and_goes_with_it() -> None:
    """Values derived from a selection (the figures' records and layer contents) are made once
    per selection, told apart from an equal selection made again, and do not keep it alive."""
    made: list[int] = []

    def count_rows(layers: Layers) -> list[int]:
        made.append(len(layers.memberships))
        return made[-1:]

    layers = select(load_atlas(), Scenario())
    kept = derived(layers, count_rows)
    assert derived(layers, count_rows) is kept and len(made) == 1
    again = select(load_atlas(), Scenario())
    assert derived(again, count_rows) is not kept and len(made) == 2
    gone = weakref.ref(layers)
    del layers
    gc.collect()
    assert gone() is None
