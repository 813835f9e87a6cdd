"""The map figure as a user meets it: every preset in both languages builds within its size budget,
a toggle only hides or shows traces, hover and labels speak the view's language, and basis and status
are drawn as the legend says. Expectations come from the atlas, never from a saved figure."""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import re
from datetime import date
from functools import cache
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import pytest
from drawing import drawn
from locations import REPO

from dashboard.figures import (
    BASE_LAYER,
    CLICKABLE_KINDS,
    LAYER_IDS,
    LAYER_KEYS,
    build_figure,
    trace_layers,
)
from dashboard.figures import style as figure_style
from dashboard.figures.composition import SHARED as LAYER_JOIN
from dashboard.figures.composition import (
    Composition,
    Framing,
    InsetDrawing,
    MapDrawing,
    compose,
    figure_parts,
    framing,
    framings,
    legend_groups,
    shown_by,
    trace_layer,
)
from dashboard.figures.framing import make_view
from dashboard.figures.geo import (
    DETAIL_RESOLUTION,
    LEGEND_GAP,
    LEGEND_MAX_HEIGHT,
    MISSING_FROM_BASE_MAP,
    NOMINAL_SIZE,
    WORLD_RESOLUTION,
    legend_size,
    resolution_for,
)
from dashboard.figures.kit import WORLD_CLEARANCE, WORLD_ZOOM
from dashboard.figures.labels import PADDING
from dashboard.figures.layers import BUILDERS
from dashboard.figures.marks import MAX_EDGE, distance_deg, polygon_ring_area
from dashboard.figures.text import has_japanese, plain
from dashboard.i18n import t
from geodata.atlas import Atlas, load_atlas
from geodata.certainty import EVERY_STATE, split_state_key
from geodata.geometry import path_coordinates
from geodata.scenario import LAYERS, Scenario, key_layer, load_presets, shown_keys
from geodata.select import Layers, select

BASE_MAPS = REPO / "dashboard" / "assets" / "topojson"  # the topojson the app serves
MISSING_FROM_BASEMAP = MISSING_FROM_BASE_MAP[DETAIL_RESOLUTION]  # exports' base map
SIZE_BUDGET = 400_000  # bytes of fig.to_json() for a preset's default view
LANGS = ("ja", "en")
PRESETS = load_presets()
CASES = [(preset, lang) for preset in PRESETS for lang in LANGS]


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """The area two (x0, y0, x1, y1) boxes share."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 0 and height > 0 else 0.0


@pytest.fixture(scope="module")
def atlas() -> Atlas:
    return load_atlas()


def view(preset: str, lang: str, **update: object) -> Scenario:
    return PRESETS[preset].model_copy(update={"lang": lang, **update})


def all_layers(atlas: Atlas, scenario: Scenario) -> Layers:
    """What the app draws: every layer's data, whatever the scenario shows at first."""
    return select(atlas, scenario.model_copy(update={"layers": LAYERS}))


@cache
def figure_for(preset: str, lang: str) -> go.Figure:
    scenario = view(preset, lang)
    atlas = load_atlas()
    return build_figure(all_layers(atlas, scenario), atlas, visible_layers=scenario.layers)


@cache
def composed(scenario: Scenario, size: tuple[int, int] = NOMINAL_SIZE) -> Composition:
    """The composition of a view's map (every layer drawn) with its own layers shown, for `size`
    (shared by the tests that read it: do not change it)."""
    atlas = load_atlas()
    return compose(all_layers(atlas, scenario), atlas, {*scenario.layers, BASE_LAYER}, size)


def traces_of(
    figure: go.Figure, *, kind: str | None = None, item: str | None = None, geo: str = "geo"
) -> list:
    """The traces of one map (the main map's by default; "geo2": the Europe inset's)."""
    return [
        trace
        for trace in figure.data
        if (kind is None or trace.meta["kind"] == kind)
        and (item is None or item in trace.meta["ids"])
        and (trace.geo or "geo") == geo
    ]


def countries_trace(figure: go.Figure):
    """The one choropleth of plotly's base-map countries (every layer's fills and outlines)."""
    (trace,) = [
        t
        for t in figure.data
        if t.type == "choropleth" and t.locationmode == "ISO-3" and (t.geo or "geo") == "geo"
    ]
    return trace


def fill_colour(trace, iso3: str) -> str:
    """The colour plotly fills a country of a choropleth with: its z's place on the colorscale
    (a stepped one: the two stops around it have the same colour)."""
    z = trace.z[list(trace.locations).index(iso3)]
    at = (z - trace.zmin) / (trace.zmax - trace.zmin)
    for (low, low_colour), (high, high_colour) in itertools.pairwise(trace.colorscale):
        if low <= at <= high:
            assert low_colour == high_colour, (iso3, at)
            return low_colour
    raise AssertionError(f"{iso3}: z outside the colorscale")


def outline(trace, iso3: str) -> tuple[str, float]:
    """The colour and width of a country's outline in a choropleth."""
    index = list(trace.locations).index(iso3)
    return trace.marker.line.color[index], trace.marker.line.width[index]


def visible_strings(figure: go.Figure) -> list[str]:
    """Every text a user can read: labels, legend names and titles, hover text."""
    strings: list[str] = []
    for trace in figure.data:
        strings.append(trace.name or "")
        strings.append(trace.legendgrouptitle.text or "")
        for field in ("text", "hovertext"):
            value = getattr(trace, field, None)
            if isinstance(value, str):
                strings.append(value)
            elif value is not None:
                strings += [v for v in value if isinstance(v, str)]
    return [plain(s) for s in strings if s]


# --- builds, size, layers ------------------------------------------------------------------------


@pytest.mark.parametrize(("preset", "lang"), CASES)
def test_every_preset_builds_within_the_size_budget(preset: str, lang: str) -> None:
    figure = figure_for(preset, lang)
    assert len(figure.data) > 0
    size = len(figure.to_json())
    assert size <= SIZE_BUDGET, f"{preset}/{lang}: {size} bytes"


@pytest.mark.parametrize(("preset", "lang"), CASES)
def test_every_trace_names_its_layer_and_has_a_stable_uid(preset: str, lang: str) -> None:
    figure = figure_for(preset, lang)
    parts = [
        split_state_key(part) for key in trace_layers(figure) for part in key.split(LAYER_JOIN)
    ]
    assert {key for key, _ in parts} <= set(LAYER_KEYS)
    assert all(0 < states <= EVERY_STATE for _, states in parts)  # (each shows in some state)
    uids = [trace.uid for trace in figure.data]
    assert all(uids) and len(set(uids)) == len(uids)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", uid) for uid in uids)  # safe in CSS selectors
    assert [key_layer(key.split(LAYER_JOIN)[0]) for key in trace_layers(figure)] == [
        trace.meta["layer"] for trace in figure.data
    ]


@pytest.mark.parametrize(("preset", "lang"), CASES)
def test_only_the_scenarios_layers_are_visible(preset: str, lang: str) -> None:
    figure = figure_for(preset, lang)
    shown = set(PRESETS[preset].shown_keys()) | {BASE_LAYER}
    for trace in figure.data:
        assert drawn(trace) is shown_by(trace_layer(trace), shown), trace.uid


# the kinds of the traces a figure has where its labels went (one that draws nothing is left out)
LABEL_KINDS = ("label", "leader")


def unlabelled_uids(figure: go.Figure) -> list[str]:
    return [t.uid for t in figure.data if t.meta["kind"] not in LABEL_KINDS]


@pytest.mark.parametrize("preset", list(PRESETS))
def test_the_trace_list_does_not_depend_on_the_visible_layers(atlas: Atlas, preset: str) -> None:
    scenario = view(preset, "ja")
    layers = all_layers(atlas, scenario)
    variants = [(), LAYERS, scenario.layers, ("threats", "events"), ("proposals",)]
    references: dict[Framing, tuple[list, list]] = {}
    for visible in variants:
        # the traces as the dashboard sends them (plain dicts, no go.Figure)
        parts = figure_parts(layers, atlas, visible_layers=visible)
        data = parts.traces
        traces = [
            (t["uid"], t["type"], t["meta"]["layer"], t["meta"]["kind"])
            for t in data
            if t["meta"]["kind"] not in LABEL_KINDS  # (there where labels went)
        ]
        locations = list(data[parts.countries[0][0]]["locations"])  # the main map's countries
        # the same framing (extent, inset or not): the same traces, whatever is shown; a toggle
        # restyles the countries trace, never moves its countries
        reference = references.setdefault(
            framing(layers, atlas, {*visible, BASE_LAYER}), (traces, locations)
        )
        assert (traces, locations) == reference
        shown = {*shown_keys(visible, scenario.directions), BASE_LAYER}
        for trace in data:
            assert drawn(trace) is shown_by(trace_layer(trace), shown)


def test_visible_layers_default_to_the_scenarios(atlas: Atlas) -> None:
    scenario = view("ukraine_support", "en")
    layers = select(atlas, scenario)
    figure = build_figure(layers, atlas)
    for trace in figure.data:
        assert drawn(trace) is shown_by(trace_layer(trace), {*scenario.shown_keys(), BASE_LAYER})


# --- clicks and hover --------------------------------------------------------------------------


@pytest.mark.parametrize(("preset", "lang"), CASES)
def test_clickable_points_carry_their_item_id(atlas: Atlas, preset: str, lang: str) -> None:
    known = set(atlas.countries.iso3) | set(atlas.groupings.id) | set(atlas.relations.id)
    known |= set(atlas.threats.id) | set(atlas.regions.id) | set(atlas.events.id)
    known |= set(atlas.domains.domain)
    clickable = [t for t in figure_for(preset, lang).data if t.meta["kind"] in CLICKABLE_KINDS]
    assert clickable
    for trace in clickable:
        points = trace.locations if trace.type == "choropleth" else trace.lon
        assert len(trace.customdata) == len(points) == len(trace.hovertext), trace.uid
        assert set(trace.customdata) <= known, trace.uid


@pytest.mark.parametrize(("preset", "lang"), CASES)
def test_a_countrys_hover_names_every_grouping_it_is_in(
    atlas: Atlas, preset: str, lang: str
) -> None:
    figure = figure_for(preset, lang)
    names = dict(zip(atlas.groupings.id, atlas.groupings[f"name_{lang}"], strict=True))
    usa = set(atlas.memberships.loc[atlas.memberships.iso3 == "USA", "grouping"])
    assert {"nato", "five_eyes", "japan_us_alliance"} <= usa
    hovers = [
        hover
        for trace in traces_of(figure, kind="country")
        for iso3, hover in zip(trace.customdata, trace.hovertext, strict=True)
        if iso3 == "USA"
    ]
    assert hovers, "the USA is always a hover target"
    actor = next(a for a in atlas.knowledge.actors if a.id == "USA")
    for hover in hovers:
        text = plain(hover)
        assert getattr(actor, f"name_{lang}") in text
        for grouping in usa:
            assert names[grouping] in text


def test_hover_gives_basis_and_status(atlas: Atlas) -> None:
    figure = figure_for("concept_diagram", "en")
    relations = atlas.relations.set_index("id")
    for trace in traces_of(figure, kind="relation"):
        for item, hover in zip(trace.customdata, trace.hovertext, strict=True):
            relation = relations.loc[item]
            assert f"Basis: {relation.basis}" in hover
            assert f"status: {relation.status}" in hover


# --- basis and status --------------------------------------------------------------------------


def line_trace(figure: go.Figure, relation_id: str):
    (trace,) = traces_of(figure, kind="relation_line", item=relation_id)
    return trace


def test_inferred_relations_are_lighter_and_dotted(atlas: Atlas) -> None:
    figure = figure_for("concept_diagram", "ja")
    drawn = all_layers(atlas, view("concept_diagram", "ja")).relations
    existing = drawn[drawn.status == "existing"]
    compared = 0
    for layer, rows in existing.groupby("layer"):
        stated = rows[rows.basis == "stated"]
        inferred = rows[rows.basis == "inferred"]
        if not len(stated) or not len(inferred):
            continue
        a, b = line_trace(figure, stated.id.iloc[0]), line_trace(figure, inferred.id.iloc[0])
        assert a.line.dash == "solid" and b.line.dash == "dot", layer
        assert b.opacity < a.opacity, layer
        compared += 1
    assert compared >= 2  # support flows and the authoritarian partnerships both have both


def test_inferred_memberships_are_filled_lighter(atlas: Atlas) -> None:
    figure = figure_for("authoritarian_partnerships", "en")
    members = atlas.memberships[atlas.memberships.grouping == "authoritarian"]
    basis = dict(zip(members.iso3, members.basis, strict=True))
    assert {basis[c] for c in ("CHN", "RUS", "PRK")} == {"stated"}
    assert {basis[c] for c in ("IRN", "BLR")} == {"inferred"}
    fill = countries_trace(figure)

    def alpha(iso3: str) -> float:
        return float(fill_colour(fill, iso3).rsplit(",", 1)[1].rstrip(")"))

    for stated in ("CHN", "RUS", "PRK"):
        for inferred in ("IRN", "BLR"):
            assert alpha(inferred) < alpha(stated)


def test_proposed_relations_are_dashed_with_hollow_heads(atlas: Atlas) -> None:
    figure = figure_for("proposals_japan_five_eyes_nato", "ja")
    relations = all_layers(atlas, view("proposals_japan_five_eyes_nato", "ja")).relations
    assert not relations.placement.eq("arc").all()  # e.g. NATO's concern: listed, not drawn
    drawn = relations[relations.placement == "arc"]
    for relation_id in relations[relations.placement != "arc"].id:
        assert not traces_of(figure, kind="relation_line", item=relation_id), relation_id
    proposed = drawn[drawn.status == "proposed"]
    assert len(proposed) >= 3
    for relation_id in proposed.id:
        assert line_trace(figure, relation_id).line.dash == "dash"
        for head in traces_of(figure, kind="relation_head", item=relation_id):
            assert head.fillcolor == figure_style.WHITE
    for relation_id in drawn[drawn.status == "existing"].id:
        assert line_trace(figure, relation_id).line.dash != "dash"


def test_the_legend_explains_basis_and_status() -> None:
    figure = figure_for("concept_diagram", "en")
    keys = {t.uid: t for t in traces_of(figure, kind="key")}
    assert keys["base-key-stated"].line.dash == "solid"
    assert keys["base-key-inferred"].line.dash == "dot"
    assert keys["base-key-proposed"].line.dash == "dash"
    assert keys["base-key-inferred"].opacity < keys["base-key-stated"].opacity
    assert all(t.showlegend and t.name for t in keys.values())


def test_only_drawn_bases_get_a_legend_key(atlas: Atlas) -> None:
    for preset in PRESETS:
        layers = all_layers(atlas, view(preset, "en"))
        arcs = layers.relations[layers.relations.placement == "arc"]  # the others are not drawn
        bases = set(layers.memberships.basis) | set(arcs.basis)
        bases |= set(layers.threats.basis) | set(layers.regions.basis) | set(layers.domains.basis)
        bases |= set(layers.events.basis) | set(layers.events.place_basis)
        proposed = (arcs.status == "proposed").any() or (
            layers.groupings.status == "proposed"
        ).any()
        expected = {f"base-key-{b}" for b in bases} | ({"base-key-proposed"} if proposed else set())
        keys = {t.uid for t in traces_of(figure_for(preset, "en"), kind="key")}
        assert {k for k in keys if "modality" not in k} == expected, preset
    # a view of stated items only (no events in its dates, no proposals) explains only "stated"
    scenario = view(
        "concept_diagram",
        "en",
        basis="stated",
        proposals=False,
        date_from=date(2016, 1, 1),
        date_to=date(2016, 12, 31),
    )
    figure = build_figure(all_layers(atlas, scenario), atlas, visible_layers=scenario.layers)
    keys = {t.uid for t in traces_of(figure, kind="key")}
    assert {k for k in keys if "modality" not in k} == {"base-key-stated"}


def test_event_places_from_outside_the_article_are_hollow(atlas: Atlas) -> None:
    figure = figure_for("summit_outcomes", "en")
    events = atlas.events.set_index("id")
    for trace in traces_of(figure, kind="event"):
        for item in trace.customdata:
            basis = events.loc[item].place_basis
            assert ("open" in trace.marker.symbol) is (basis != "stated")


# --- geometry on the map -------------------------------------------------------------------------


def rings(trace) -> list[list[tuple[float, float]]]:
    """The None-separated parts of a scattergeo trace."""
    parts: list[list[tuple[float, float]]] = [[]]
    for lon, lat in zip(trace.lon, trace.lat, strict=True):
        if lon is None:
            parts.append([])
        else:
            parts[-1].append((lon, lat))
    return [p for p in parts if p]


def test_the_west_threat_crosses_the_pacific_without_a_jump(atlas: Atlas) -> None:
    west = atlas.threats[atlas.threats.direction == "west"].id.iloc[0]
    figure = figure_for("threats_360", "en")
    (arrow,) = traces_of(figure, kind="threat_arrow", item=west)
    outline = rings(arrow)[arrow.meta["ids"].index(west)]
    steps = [b[0] - a[0] for a, b in itertools.pairwise(outline)]
    wrapped = [(d + 180.0) % 360.0 - 180.0 for d in steps]
    assert any(abs(d) > 180.0 for d in steps), "the arrow crosses the antimeridian"
    assert max(abs(d) for d in wrapped) < 15.0, "no segment runs across the whole map"


def test_filled_shapes_are_wound_for_d3() -> None:
    """d3-geo fills the area right of a ring's travel: a ring wound the other way would flood the
    globe. Arrowheads and threat arrows are small clockwise rings; region exteriors too (or loop
    around a pole), region holes anticlockwise."""
    figure = figure_for("concept_diagram", "en")
    filled = [t for t in figure.data if t.type == "scattergeo" and t.fill == "toself"]
    assert filled
    for trace in filled:
        for ring in rings(trace):
            assert polygon_ring_area(ring) < 0, trace.uid
    features = [f for trace in region_traces(figure) for f in trace.geojson["features"]]
    assert features
    for feature in features:
        for polygon in feature["geometry"]["coordinates"]:
            exterior, *holes = polygon
            lats = [p[1] for p in exterior]
            around_pole = (
                abs(
                    sum(
                        (b[0] - a[0] + 180.0) % 360.0 - 180.0
                        for a, b in itertools.pairwise(exterior)
                    )
                )
                > 300
            )
            assert around_pole or polygon_ring_area(exterior) < 0, feature["id"]
            assert all(polygon_ring_area(h) > 0 for h in holes), feature["id"]
            assert max(lats) <= 90 and min(lats) >= -90


def region_traces(figure: go.Figure) -> list:
    """The main map's region polygons: a trace for the regions of each set of directions."""
    return [
        t
        for t in traces_of(figure, kind="region")
        if t.type == "choropleth" and (t.geo or "geo") == "geo"
    ]


def winds_around_a_pole(ring: list) -> bool:
    """Whether a closed lon/lat ring goes once round the globe (it encloses a pole)."""
    turn = sum((b[0] - a[0] + 180.0) % 360.0 - 180.0 for a, b in itertools.pairwise(ring))
    return abs(turn) > 300.0


def test_regions_keep_to_one_side_of_the_antimeridian(atlas: Atlas) -> None:
    """plotly tests hover on the flat lon/lat rings and d3 joins ring points by great circles: a
    region across the antimeridian is cut into parts that each keep to one side of it, and no
    edge is long enough to bulge off its parallel."""
    across = [
        r.id for r in atlas.knowledge.regions if r.extent.box and r.extent.box[0] > r.extent.box[2]
    ]
    assert "indo_pacific" in across
    traces = region_traces(figure_for("concept_diagram", "en"))
    features = {f["id"]: f for trace in traces for f in trace.geojson["features"]}
    assert set(across) <= set(features)
    for region_id, feature in features.items():
        sides = set()
        for polygon in feature["geometry"]["coordinates"]:
            for ring in polygon:
                lons = [p[0] for p in ring]
                assert min(lons) > -180 and max(lons) < 180, region_id
                if not winds_around_a_pole(ring):  # a loop around the pole is whole
                    assert max(lons) - min(lons) < 180, region_id
                    sides.add(min(lons) >= 0)
                for a, b in itertools.pairwise(ring):
                    assert abs(b[0] - a[0]) <= MAX_EDGE + 0.02 or abs(b[0] - a[0]) > 300
                    assert distance_deg(tuple(a), tuple(b)) <= MAX_EDGE * 1.5, region_id
        if region_id in across:
            assert sides == {True, False}, region_id


def test_named_areas_are_light_tints_with_a_dotted_edge_along_their_extent(atlas: Atlas) -> None:
    figure = figure_for("concept_diagram", "ja")
    traces = region_traces(figure)
    for trace in traces:
        alphas = [float(colour.rsplit(",", 1)[1].rstrip(")")) for _, colour in trace.colorscale]
        assert max(alphas) <= 0.2
        assert trace.marker.line.width == 0  # no edge along the seam at ±180
    regions = atlas.regions.set_index("id")
    edges = [t for t in traces_of(figure, kind="region_edge") if (t.geo or "geo") == "geo"]
    assert {r for t in edges for r in t.meta["ids"]} == {r for t in traces for r in t.locations}
    extents = {r.id: r.extent for r in atlas.knowledge.regions}
    for edge in edges:
        bases = {regions.loc[r].basis for r in edge.meta["ids"]}
        assert len(bases) == 1
        assert (edge.line.dash == "solid") is (bases == {"stated"})
        if bases == {"external"}:
            assert edge.line.color == figure_style.GREY
    # the Indo-Pacific's edge runs along its box (the parallels and meridians of its extent),
    # never along a coast or the antimeridian
    west, south, east, north = extents["indo_pacific"].box
    (edge,) = [t for t in edges if "indo_pacific" in t.meta["ids"] and (t.geo or "geo") == "geo"]
    own = [p for p in rings(edge) if all(-46 <= q[1] <= 51 for q in p)]
    points = {q for part in own for q in part}
    assert any(q[1] == north for q in points) and any(q[1] == south for q in points)
    assert any(q[0] == east for q in points) and any(q[0] == west for q in points)
    assert not any(abs(q[0]) > 179.995 for q in points)


def test_countries_come_from_the_base_map() -> None:
    figure = figure_for("concept_diagram", "ja")
    assert figure.layout.geo.resolution == 50
    for trace in figure.data:
        if trace.type == "choropleth" and trace.meta["kind"] == "country":
            assert trace.locationmode == "ISO-3" and trace.geojson is None
            assert not set(trace.locations) & MISSING_FROM_BASEMAP


@pytest.mark.parametrize("resolution", [DETAIL_RESOLUTION, WORLD_RESOLUTION])
def test_missing_outlines_match_the_base_map(atlas: Atlas, resolution: int) -> None:
    topology = json.loads((BASE_MAPS / f"world_{resolution}m.json").read_text(encoding="utf-8"))
    ids = {g.get("id") for g in topology["objects"]["countries"]["geometries"]}
    assert set(atlas.countries.iso3) - ids == MISSING_FROM_BASE_MAP[resolution]


def test_every_named_state_has_an_outline_at_both_scales(atlas: Atlas) -> None:
    """The states the article names (its actors, and every member of its groupings) are
    outlined on both base maps: level of detail changes how coasts look, not what is drawn."""
    named = {a.id for a in atlas.knowledge.actors if a.id in set(atlas.countries.iso3)}
    named |= set(atlas.memberships.iso3)
    assert len(named) >= 42
    for missing in MISSING_FROM_BASE_MAP.values():
        assert not named & missing, sorted(named & missing)


@pytest.mark.parametrize(
    ("update", "resolution"),
    [
        ({}, WORLD_RESOLUTION),
        ({"projection": "orthographic"}, WORLD_RESOLUTION),
        ({"projection": "polar"}, WORLD_RESOLUTION),
        ({"focus": "JPN"}, DETAIL_RESOLUTION),
        ({"focus": "EST", "projection": "orthographic"}, DETAIL_RESOLUTION),
        ({"focus": "UKR", "projection": "polar"}, WORLD_RESOLUTION),  # polar frames the pole
        # the polar view fitted to the northern threats: a region, not a hemisphere
        ({"projection": "polar", "layers": ("threats",), "directions": ("north",)}, 50),
    ],
)
def test_world_views_draw_the_110m_base_map_and_zoomed_views_the_50m(
    atlas: Atlas, update: dict, resolution: int
) -> None:
    """On screen (level_of_detail) the base map follows the zoom; exports always draw 1:50m."""
    scenario = view("concept_diagram", "en", **update)
    layers = all_layers(atlas, scenario)
    on_screen = figure_parts(
        layers, atlas, visible_layers=scenario.layers, size=(1200, 675), level_of_detail=True
    ).layout
    assert on_screen.geo.resolution == resolution
    assert resolution_for(make_view(layers, atlas, set(scenario.layers))) == resolution
    exported = figure_parts(layers, atlas, visible_layers=scenario.layers).layout
    assert exported.geo.resolution == DETAIL_RESOLUTION


def test_a_member_without_a_base_map_outline_is_still_drawn(atlas: Atlas) -> None:
    """Kosovo has no outline in plotly's world_50m: were it a member, it would be a point."""
    missing = sorted(MISSING_FROM_BASEMAP & set(atlas.countries.iso3))[0]
    scenario = view("value_community", "en")
    layers = all_layers(atlas, scenario)
    row = layers.memberships[layers.memberships.grouping == "nato"].iloc[[0]].copy()
    row["iso3"] = missing
    layers = dataclasses.replace(layers, memberships=pd.concat([layers.memberships, row]))
    figure = build_figure(layers, atlas, visible_layers=scenario.layers)
    countries = traces_of(figure, kind="country", item=missing)
    assert countries and all(t.type == "scattergeo" for t in countries)
    assert any(missing in t.customdata for t in countries)
    for trace in figure.data:
        if trace.type == "choropleth" and trace.locationmode == "ISO-3":
            assert missing not in trace.locations


def _with_member(atlas: Atlas, scenario: Scenario, iso3: str) -> Layers:
    """The view's layers with `iso3` made a NATO member."""
    layers = all_layers(atlas, scenario)
    row = layers.memberships[layers.memberships.grouping == "nato"].iloc[[0]].copy()
    row["iso3"] = row["id"] = iso3
    return dataclasses.replace(layers, memberships=pd.concat([layers.memberships, row]))


@pytest.mark.parametrize(("focus", "drawn_as"), [(None, "scattergeo"), ("EST", "choropleth")])
def test_a_member_outlined_only_at_50m_is_drawn_at_either_scale(
    atlas: Atlas, focus: str | None, drawn_as: str
) -> None:
    """Malta is on the 1:50m base map, not on the 1:110m one: were it a member, a world view
    (1:110m) would draw it as a point of its own, a zoomed one (1:50m) fill its outline."""
    missing = sorted(MISSING_FROM_BASE_MAP[WORLD_RESOLUTION] - MISSING_FROM_BASEMAP)
    assert "MLT" in missing
    scenario = view("value_community", "en", focus=focus)
    layers = _with_member(atlas, scenario, "MLT")
    figure = build_figure(layers, atlas, visible_layers=scenario.layers, level_of_detail=True)
    assert figure.layout.geo.resolution == (WORLD_RESOLUTION if focus is None else 50)
    countries = countries_trace(figure)
    drawn = [t for t in traces_of(figure, kind="country", item="MLT") if t is not countries]
    if drawn_as == "scattergeo":
        assert "MLT" not in countries.locations
        assert drawn and all(t.type == "scattergeo" for t in drawn)
        assert any("MLT" in t.customdata for t in drawn)
        # a filled point (the member's fill), with the hover line saying why it is a point
        (point,) = [t for t in drawn if t.meta["layer"] == "value_community"]
        assert _alpha(point.marker.color[list(point.customdata).index("MLT")]) > 0
        assert t("hover.base_map_missing", "en") in point.hovertext[0]
    else:
        assert "MLT" in countries.locations
        assert _alpha(fill_colour(countries, "MLT")) > 0
        assert not drawn


# --- the countries trace -----------------------------------------------------------------------


@pytest.mark.parametrize(("preset", "lang"), CASES)
def test_one_choropleth_draws_the_countries_of_every_layer(
    atlas: Atlas, preset: str, lang: str
) -> None:
    """plotly.js converts the whole base map for every ISO-3 choropleth it draws: a map has
    one (the main map, and the Europe inset when there is one), always shown, with every country
    the view involves once (a click and hover target)."""
    figure = figure_for(preset, lang)
    traces = [t for t in figure.data if t.type == "choropleth" and t.locationmode == "ISO-3"]
    maps = [key for key in figure.layout.to_plotly_json() if re.fullmatch(r"geo\d*", key)]
    assert sorted(t.geo or "geo" for t in traces) == sorted(maps)
    trace = countries_trace(figure)
    assert trace.meta["layer"] == BASE_LAYER and drawn(trace)
    assert trace.meta["kind"] == "country" and list(trace.customdata) == list(trace.locations)
    layers = all_layers(atlas, view(preset, lang))
    involved = set(layers.memberships.iso3) | {a.id for a in atlas.knowledge.actors}
    outlined = set(atlas.countries.iso3) - MISSING_FROM_BASEMAP
    assert sorted(trace.locations) == sorted(involved & outlined)
    # what the shown layers fill is filled: the members of the shown (existing) value groupings
    if "value_community" in PRESETS[preset].layers:
        groupings = layers.groupings
        value = set(groupings[(groupings.camp == "value") & (groupings.status == "existing")].id)
        members = set(layers.memberships[layers.memberships.grouping.isin(value)].iso3)
        assert members & outlined
        for iso3 in members & outlined:
            assert _alpha(fill_colour(trace, iso3)) > 0, iso3


def _alpha(colour: str) -> float:
    return float(colour.rsplit(",", 1)[1].rstrip(")")) if colour.startswith("rgba") else 1.0


def test_a_country_keeps_its_hover_and_click_target_when_its_layer_is_off(atlas: Atlas) -> None:
    """Ukraine is filled by the ukraine layer only: with the layer off it is not filled or
    outlined, but still there to hover (its own text, not the layer's) and to click."""
    scenario = view("ukraine_support", "en")
    layers = all_layers(atlas, scenario)
    support = layers.relations[
        (layers.relations.layer == "ukraine") & (layers.relations.kind == "support")
    ]
    only_ukraine = set(support.target) & set(atlas.countries.iso3) - set(layers.memberships.iso3)
    assert only_ukraine
    recipient = t("hover.recipient", "en")
    names = dict(zip(atlas.countries.iso3, atlas.countries.name_en, strict=True))
    on = countries_trace(build_figure(layers, atlas, visible_layers=scenario.layers))
    others = tuple(layer for layer in scenario.layers if layer != "ukraine")
    off = countries_trace(build_figure(layers, atlas, visible_layers=others))
    assert drawn(off)
    for iso3 in only_ukraine:
        index = list(off.locations).index(iso3)
        assert off.customdata[index] == iso3
        assert names[iso3] in plain(off.hovertext[index])
        assert recipient not in off.hovertext[index]
        assert _alpha(fill_colour(off, iso3)) == 0 and outline(off, iso3)[1] == 0
        index = list(on.locations).index(iso3)
        assert recipient in on.hovertext[index]
        assert _alpha(fill_colour(on, iso3)) > 0 and outline(on, iso3)[1] > 0


def test_the_recipients_fill_keeps_its_legend_entry(atlas: Atlas) -> None:
    """The legend's square for Ukraine's fill is drawn as the map draws Ukraine, and shows and
    hides with the ukraine layer."""
    name = t("legend.ukraine_recipient", "en")
    figure = figure_for("summit_outcomes", "en")
    (entry,) = [t for t in figure.data if t.name == name and t.showlegend]
    assert entry.meta["layer"] == "ukraine" and drawn(entry)
    assert entry.hoverinfo == "skip" and all(lon is None for lon in entry.lon)
    recipients = set(
        atlas.relations[
            (atlas.relations.layer == "ukraine") & (atlas.relations.kind == "support")
        ].target
    )
    stated = {a.id for a in atlas.knowledge.actors if a.basis == "stated"}
    trace = countries_trace(figure)
    filled = sorted(recipients & stated & set(trace.locations))
    assert filled
    for iso3 in filled:
        assert entry.marker.color == fill_colour(trace, iso3)
        assert entry.marker.line.color == outline(trace, iso3)[0]
    scenario = view("summit_outcomes", "en")
    hidden = build_figure(
        all_layers(atlas, scenario),
        atlas,
        visible_layers=tuple(x for x in scenario.layers if x != "ukraine"),
    )
    assert not [t for t in hidden.data if t.name == name and drawn(t)]


@pytest.mark.parametrize("preset", [p for p, s in PRESETS.items() if "ukraine" in s.layers])
def test_a_thick_outline_is_drawn_after_its_neighbours_thin_ones(atlas: Atlas, preset: str) -> None:
    """plotly.js draws a choropleth's countries in location order, each over the ones before:
    Hungary's objection outline (and Ukraine's edge) come after their neighbours, whose fills and
    thin white outlines would otherwise cover half of them."""
    trace = countries_trace(figure_for(preset, "en"))
    order = list(trace.locations)
    shown = all_layers(atlas, view(preset, "en")).relations
    objection = shown[(shown.kind == "objection") & (shown.layer == "ukraine")]
    objectors = set(objection.source) & set(order)
    # the summit's own window (9–11 July) leaves out Hungary's objection "just before" it
    assert ("HUN" in objectors) == (preset != "summit_outcomes")
    geometry = dict(zip(atlas.countries.iso3, atlas.countries.geometry, strict=True))
    grown = {c: geometry[c].buffer(0.05) for c in order}
    checked = 0
    for a in order:
        width = outline(trace, a)[1]
        for b in order:
            if a != b and grown[a].intersects(geometry[b]) and outline(trace, b)[1] < width:
                assert order.index(a) > order.index(b), (a, b)
                checked += 1
    for iso3 in objectors:
        assert outline(trace, iso3)[0] == figure_style.OBJECTION
        neighbours = [c for c in order if c != iso3 and grown[iso3].intersects(geometry[c])]
        assert neighbours
        assert all(order.index(c) < order.index(iso3) for c in neighbours), iso3
    assert checked >= len(objectors)


# --- language ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_natos_legend_entry_and_hover_give_its_japanese_full_name(lang: str) -> None:
    """The article writes only "NATO": a Japanese map's legend entry and hover add the
    organisation's Japanese full name (a reader, or a search of the exported PDF, finds 北大西洋);
    its map label stays short, and an English map says "NATO"."""
    for preset in ("value_community", "threats_360", "ukraine_support"):
        figure = figure_for(preset, lang)
        (trace,) = traces_of(figure, kind="grouping", item="nato")
        if lang == "ja":
            assert trace.name.startswith("NATO") and "北大西洋" in trace.name, trace.name
        else:
            assert trace.name == "NATO"
        assert f"<b>{trace.name}</b>" in trace.hovertext[0]
        labels = [
            plain(text)
            for geo in ("geo", "geo2")
            for t in traces_of(figure, kind="label", geo=geo)
            for key, text in zip(t.meta["ids"], t.text, strict=True)
            if key == "grouping:nato" and text
        ]
        assert labels == ["NATO"]


@pytest.mark.parametrize("preset", list(PRESETS))
def test_english_views_have_no_japanese_text(atlas: Atlas, preset: str) -> None:
    no_english = set()
    for frame in (atlas.countries, atlas.groupings, atlas.regions, atlas.events, atlas.threats):
        for _, row in frame.iterrows():
            if not isinstance(row.get("name_en"), str) or not row.get("name_en"):
                no_english.add(row.name_ja)
    for text in visible_strings(figure_for(preset, "en")):
        if has_japanese(text):
            assert any(name in text for name in no_english), text


@pytest.mark.parametrize(("preset", "lang"), CASES)
def test_labels_name_the_stated_actors_and_groupings_in_the_views_language(
    atlas: Atlas, preset: str, lang: str
) -> None:
    figure = figure_for(preset, lang)
    shown = set(PRESETS[preset].layers)
    label_traces = [t for geo in ("geo", "geo2") for t in traces_of(figure, kind="label", geo=geo)]
    labels = [
        plain(text)
        for trace in label_traces
        if shown_by(trace_layer(trace), shown)
        for text in trace.text
    ]
    stated = {a.id: a for a in atlas.knowledge.actors if a.basis == "stated"}
    labelled = {
        key.split(":", 1)[1]
        for trace in label_traces
        if shown_by(trace_layer(trace), shown)
        for key in trace.meta["ids"]
        if key.startswith(("actor:", "grouping:"))
    }
    assert labelled, "a view labels its actors or groupings"
    groupings = dict(zip(atlas.groupings.id, atlas.groupings[f"name_{lang}"], strict=True))
    for item in labelled:
        name = getattr(stated[item], f"name_{lang}") if item in stated else groupings[item]
        assert any(
            name.replace(" ", "") in text.replace("\n", "").replace(" ", "") for text in labels
        ), item
    if lang == "ja":
        assert any(has_japanese(text) for text in labels)


def test_not_every_nato_member_is_labelled(atlas: Atlas) -> None:
    figure = figure_for("value_community", "ja")
    nato = set(atlas.memberships.loc[atlas.memberships.grouping == "nato", "iso3"])
    labelled = {
        key.split(":", 1)[1]
        for trace in traces_of(figure, kind="label")
        for key in trace.meta["ids"]
        if key.startswith("actor:")
    }
    assert labelled & nato
    assert len(labelled & nato) < len(nato) / 4


@pytest.mark.parametrize(("preset", "lang"), CASES)
def test_labels_of_the_shown_layers_do_not_collide(preset: str, lang: str) -> None:
    """In the nominal figure the view is fitted to (the export size), no two placed labels of the
    layers shown at first overlap: their texts (the boxes without the placer's padding) share no
    pixel. (A threat label that finds no free spot near its own arrow may touch another rather
    than go beside another arrow.)"""
    scenario = view(preset, lang)
    visible = {*scenario.layers, BASE_LAYER}
    for part in maps_of(composed(scenario)):
        keys = {q.key for d in part.drawings if d.layer in visible for q in d.labels}
        p = PADDING
        boxes = [
            (x0 + p, y0 + p, x1 - p, y1 - p)
            for k in sorted(keys)
            if k in part.placements and part.placements[k].box is not None
            for x0, y0, x1, y1 in [part.placements[k].box]
        ]
        for index, box in enumerate(boxes):
            for other in boxes[index + 1 :]:
                assert _overlap(box, other) == 0.0


@pytest.mark.parametrize("size", [(1600, 900), (1920, 1080)])
@pytest.mark.parametrize(("preset", "lang"), CASES)
def test_no_label_covers_a_certainty_badge(preset: str, lang: str, size: tuple[int, int]) -> None:
    """The ?/→/! badges say how certain the article is: no placed label of a shown layer (its
    text, without the placer's padding) covers a shown badge's circle, on either map."""
    scenario = view(preset, lang)
    visible = {*scenario.layers, BASE_LAYER}
    checked = 0
    for ctx, drawings, placements in (part[-3:] for part in maps_of(composed(scenario, size))):
        points = [
            (lon, lat)
            for d in drawings
            if d.layer in visible
            for _, trace in d.traces
            if trace["meta"]["kind"] == "modality"
            for lon, lat in zip(trace["lon"], trace["lat"], strict=True)
        ]
        r = figure_style.BADGE_SIZE / 2
        badges = [(x - r, y - r, x + r, y + r) for x, y, on in ctx.projector.pixels(points) if on]
        keys = {q.key for d in drawings if d.layer in visible for q in d.labels}
        p = PADDING
        for key in keys:
            box = placements[key].box if key in placements else None
            if box is None:
                continue
            text = (box[0] + p, box[1] + p, box[2] - p, box[3] - p)
            for badge in badges:
                assert _overlap(text, badge) == 0.0, (key, badge)
                checked += 1
    if preset in ("concept_diagram", "proposals_japan_five_eyes_nato"):
        assert checked  # these views draw badges and labels


@pytest.mark.parametrize("size", [(1600, 900), (1920, 1080), (1100, 700)])
@pytest.mark.parametrize(("preset", "lang"), CASES)
def test_a_threat_label_stays_nearest_its_own_arrow(
    preset: str, lang: str, size: tuple[int, int]
) -> None:
    """A threat direction's name, even when a leader line takes it off its arrow, is nearer its
    own arrow's handle than any other arrow's: it cannot be read as another direction."""
    scenario = view(preset, lang)
    for ctx, drawings, placements in (part[-3:] for part in maps_of(composed(scenario, size))):
        requests = {q.key: q for d in drawings for q in d.labels if q.cls == "threat"}
        anchors = ctx.projector.pixels([(q.lon, q.lat) for q in requests.values()])
        handles = dict(zip(requests, anchors, strict=True))
        for key in requests:
            placement = placements.get(key)
            if placement is None or placement.box is None or placement.leader is None:
                continue
            if not handles[key][2]:
                continue
            ((x, y, _),) = ctx.projector.pixels([placement.point])
            own = math.dist((x, y), handles[key][:2])
            for other, (hx, hy, inside) in handles.items():
                if other != key and inside:
                    assert own < math.dist((x, y), (hx, hy)), (key, other)


def maps_of(composition: Composition) -> list[MapDrawing | InsetDrawing]:
    """The main map's drawing, and the inset's when there is one."""
    return [composition.main, *([composition.inset] if composition.inset else [])]


def placed_boxes(scenario: Scenario, size: tuple[int, int] = NOMINAL_SIZE):
    """(context, drawings, {key: box}) of the labels of the layers shown at first."""
    visible = {*scenario.layers, BASE_LAYER}
    ctx, drawings, placements = composed(scenario, size).main
    keys = {q.key for d in drawings if d.layer in visible for q in d.labels}
    boxes = {k: placements[k].box for k in sorted(keys) if placements[k].box is not None}
    return ctx, drawings, boxes


@pytest.mark.parametrize("lang", LANGS)
def test_world_maps_thin_out_dense_relation_labels(atlas: Atlas, lang: str) -> None:
    """At world scale a relation label keeps room around it: where arcs crowd, some are left out
    and keep their text in the hover."""
    scenario = view("concept_diagram", lang)
    ctx, drawings, boxes = placed_boxes(scenario)
    assert ctx.view.zoom < WORLD_ZOOM
    relation_keys = {
        q.key
        for d in drawings
        if d.layer in scenario.layers
        for q in d.labels
        if q.cls == "relation"
    }
    shown = relation_keys & set(boxes)
    assert shown and len(shown) < len(relation_keys)
    proposals = {
        f"relation:{r}"
        for r in all_layers(atlas, scenario).relations.query("status == 'proposed'").id
    }
    inset = composed(scenario).inset
    in_inset = {k for k, p in inset.placements.items() if p.box is not None} if inset else set()
    assert proposals <= set(boxes) | in_inset  # the article's proposals are always named
    for key in shown - proposals:
        c = WORLD_CLEARANCE - 0.01
        x0, y0, x1, y1 = boxes[key]
        grown = (x0 - c, y0 - c, x1 + c, y1 + c)
        assert all(_overlap(grown, box) == 0.0 for k, box in boxes.items() if k != key), key
    figure = figure_for("concept_diagram", lang)
    left_out = [k.split(":", 1)[1] for k in relation_keys - shown]
    relations = atlas.relations.set_index("id")
    for trace in traces_of(figure, kind="relation"):
        for item, hover in zip(trace.customdata, trace.hovertext, strict=True):
            if item in left_out:
                assert plain(relations.loc[item][f"label_{lang}"]) in plain(hover).replace("\n", "")


@pytest.mark.parametrize("lang", LANGS)
def test_the_legend_has_room_under_or_beside_the_map(lang: str) -> None:
    """The margins hold the legend plotly will draw, so the map is the size labels are placed
    for: under a Robinson map, beside a round one."""
    for preset, scenario in PRESETS.items():
        scenario = scenario.model_copy(update={"lang": lang})
        visible = {*scenario.layers, BASE_LAYER}
        ctx, drawings, _ = composed(scenario).main
        figure = figure_for(preset, lang)
        shown = [t for t in figure.data if drawn(t) and t.showlegend and t.name]
        groups = legend_groups(drawings, visible, lang)
        assert sorted(i for g in groups for i in g.items) == sorted(t.name for t in shown)
        margin = figure.layout.margin
        width, height = ctx.projector.frame_plan.size
        if scenario.projection == "robinson":
            _, legend_h = legend_size(groups, "h", width - margin.l - margin.r)
            assert margin.b >= min(legend_h, LEGEND_MAX_HEIGHT * height) + LEGEND_GAP - 1, preset
            assert figure.layout.legend.orientation == "h"
        else:
            legend_w, _ = legend_size(groups, "v", width)
            assert margin.r >= legend_w + LEGEND_GAP - 1, preset
            assert figure.layout.legend.orientation == "v" and figure.layout.legend.x == 1
        x0, y0, x1, y1 = ctx.projector.frame()
        assert x1 - x0 <= width - margin.l - margin.r + 0.5
        assert y1 - y0 <= height - margin.t - margin.b + 0.5


@pytest.mark.parametrize("lang", LANGS)
def test_round_views_keep_their_labels_inside_the_map(atlas: Atlas, lang: str) -> None:
    """A round view's frame is a square: no label runs over its edge into the legend, and a
    label whose point is outside the square is left out (plotly would draw it in the margin)."""
    for update in ({"projection": "polar"}, {"projection": "orthographic", "focus": "JPN"}):
        scenario = view("concept_diagram", lang, **update)
        ctx, _, boxes = placed_boxes(scenario)
        x0, y0, x1, y1 = ctx.projector.frame()
        for key, box in boxes.items():
            assert (
                x0 - 1 <= box[0] and box[2] <= x1 + 1 and y0 - 1 <= box[1] and box[3] <= y1 + 1
            ), key
        figure = build_figure(all_layers(atlas, scenario), atlas, visible_layers=scenario.layers)
        for trace in traces_of(figure, kind="label"):
            for lon, lat, text in zip(trace.lon, trace.lat, trace.text, strict=True):
                if text:
                    assert ctx.projector(lon, lat)[2], (trace.uid, text)


def test_the_polar_view_frames_the_northern_hemisphere(atlas: Atlas) -> None:
    """Zoomed to what it shows north of the equator (not out to Australia): every threat's ends
    are on the map, and the southern points of the concept diagram are not what sets the zoom."""
    from dashboard.figures.framing import make_view
    from dashboard.figures.geo import Projector

    scenario = view("threats_360", "en")
    layers = all_layers(atlas, scenario)
    polar = make_view(layers, atlas, set(scenario.layers))
    projector = Projector(polar)
    for geom in layers.threats.geometry:
        coords = path_coordinates(geom)
        for lon, lat in (coords[0], coords[-1]):
            assert projector(lon, lat)[2]
    concept = view("concept_diagram", "en", projection="polar")
    zoom = make_view(all_layers(atlas, concept), atlas, set(concept.layers)).scale
    southern = [a for a in ("AUS", "NZL") if atlas.anchors[a][1] < 0]
    assert southern and zoom > 0.9  # not zoomed out to fit Australia (scale < 0.8)
    assert not Projector(make_view(all_layers(atlas, concept), atlas, set(concept.layers)))(
        *atlas.anchors["NZL"]
    )[2]


@pytest.mark.parametrize("lang", LANGS)
def test_a_half_width_map_is_laid_out_for_its_size(atlas: Atlas, lang: str) -> None:
    """A side-by-side map (about 780×600) gets the same traces, a frame of its own size and
    labels that do not collide there."""
    scenario = view("concept_diagram", lang)
    layers = all_layers(atlas, scenario)
    full = figure_for("concept_diagram", lang)
    half = build_figure(layers, atlas, visible_layers=scenario.layers, size=(780, 600))
    assert unlabelled_uids(half) == unlabelled_uids(full)
    assert half.layout.margin.b < full.layout.margin.b or half.layout.margin.b <= 600 * 0.45
    ctx, _, boxes = placed_boxes(scenario, (780, 600))
    assert ctx.projector.frame_plan.size == (780, 600)
    x0, _, x1, _ = ctx.projector.frame()
    assert x1 - x0 <= 780
    listed = sorted(boxes.values())
    for index, box in enumerate(listed):
        for other in listed[index + 1 :]:
            assert _overlap(box, other) == 0.0


# --- projections ---------------------------------------------------------------------------------


def test_polar_is_azimuthal_equal_area_over_the_north_pole(atlas: Atlas) -> None:
    polar = [p for p, s in PRESETS.items() if s.projection == "polar"]
    assert polar
    for preset in polar:
        for lang in LANGS:
            projection = figure_for(preset, lang).layout.geo.projection
            assert projection.type == "azimuthal equal area"
            assert projection.rotation.lat == 90
    scenario = view("concept_diagram", "en", projection="polar", focus="JPN")
    figure = build_figure(all_layers(atlas, scenario), atlas, visible_layers=scenario.layers)
    projection = figure.layout.geo.projection
    assert projection.type == "azimuthal equal area" and projection.rotation.lat == 90
    assert projection.rotation.lon == pytest.approx(atlas.anchors["JPN"][0], abs=0.01)


def test_robinson_is_the_default_and_focus_zooms_there(atlas: Atlas) -> None:
    figure = figure_for("concept_diagram", "ja")
    assert figure.layout.geo.projection.type == "robinson"
    geo = figure.layout.geo
    assert geo.showframe or geo.showocean, "the map's outline must show on the white paper"
    focused = figure_for("ukraine_support", "ja")
    lon, lat = atlas.anchors[PRESETS["ukraine_support"].focus]
    assert focused.layout.geo.center.lon == pytest.approx(lon, abs=0.01)
    assert focused.layout.geo.center.lat == pytest.approx(lat, abs=0.01)
    assert focused.layout.geo.projection.scale > 1


def test_orthographic_turns_to_the_focus_or_to_europe(atlas: Atlas) -> None:
    for focus in (None, "JPN"):
        scenario = view("concept_diagram", "en", projection="orthographic", focus=focus)
        figure = build_figure(all_layers(atlas, scenario), atlas, visible_layers=scenario.layers)
        rotation = figure.layout.geo.projection.rotation
        lon, lat = atlas.anchors[focus or "euro_atlantic"]
        assert figure.layout.geo.projection.type == "orthographic"
        assert (rotation.lon, rotation.lat) == (
            pytest.approx(lon, abs=0.01),
            pytest.approx(lat, abs=0.01),
        )


def test_an_empty_view_still_builds(atlas: Atlas) -> None:
    scenario = view("concept_diagram", "en", groupings=("nato",), layers=(), basis="stated")
    layers = select(atlas, scenario.model_copy(update={"directions": (), "domains": ()}))
    figure = build_figure(layers, atlas, visible_layers=())
    assert {part for key in trace_layers(figure) for part in key.split(LAYER_JOIN)} <= set(
        LAYER_IDS
    )
    assert all(drawn(t) is (t.meta["layer"] == BASE_LAYER) for t in figure.data)


# --- modality: how strongly the article says it --------------------------------------------------


def drawn_items(layers: Layers) -> list[tuple[str, str, str]]:
    """(item id, modality, status) of every claim the map draws with a mark of its own: arcs and
    marks of relations (not those only listed), groupings, threats, events, domains. (A region is
    a named place: its modality is in its hover and details, not on the map.)"""
    relations = layers.relations[layers.relations.placement != "listed"]
    items = list(zip(relations.id, relations.modality, relations.status, strict=True))
    items += list(
        zip(layers.groupings.id, layers.groupings.modality, layers.groupings.status, strict=True)
    )
    for frame in (layers.threats, layers.events):
        items += [(i, m, "existing") for i, m in zip(frame.id, frame.modality, strict=True)]
    items += [
        (d, m, "existing")
        for d, m in zip(layers.domains.domain, layers.domains.modality, strict=True)
    ]
    return items


GLYPHS = {"assessed": "?", "projected": "→", "recommended": "!"}


@pytest.mark.parametrize(("preset", "lang"), CASES)
def test_hedged_and_projected_items_carry_their_badge(atlas: Atlas, preset: str, lang: str) -> None:
    """Every item the article does not simply assert has a badge of its modality beside its mark
    (? assessed, → projected, ! recommended unless it is drawn as a proposal), which clicks and
    hovers as the item does; an asserted item has none."""
    figure = figure_for(preset, lang)
    badges: dict[str, set[str]] = {}
    for trace in traces_of(figure, kind="modality"):
        assert trace.mode == "markers+text" and trace.textposition == "middle center"
        assert len(trace.customdata) == len(trace.text) == len(trace.hovertext) == len(trace.lon)
        for item, glyph, hover in zip(trace.customdata, trace.text, trace.hovertext, strict=True):
            badges.setdefault(item, set()).add(glyph)
            assert t("details.modality", lang) in hover
    expected: dict[str, set[str]] = {}
    for item, modality, status in drawn_items(all_layers(atlas, view(preset, lang))):
        if modality in GLYPHS and not (modality == "recommended" and status == "proposed"):
            expected.setdefault(item, set()).add(GLYPHS[modality])
    assert badges == expected, preset


def test_a_badge_combines_with_the_basis_style(atlas: Atlas) -> None:
    """Modality and basis are drawn independently: China's projected influence in the
    Indo-Pacific, which the article does not state in words (inferred), is dotted and light and
    carries the projection's badge; the hedged threat to Europe is solid and carries "?"."""
    figure = figure_for("concept_diagram", "en")
    relations = atlas.relations.set_index("id")
    assert relations.loc["chn_influence_indo_pacific", ["basis", "modality"]].tolist() == [
        "inferred",
        "projected",
    ]
    assert relations.loc["chn_threat_europe", ["basis", "modality"]].tolist() == [
        "stated",
        "assessed",
    ]
    assert line_trace(figure, "chn_influence_indo_pacific").line.dash == "dot"
    assert line_trace(figure, "chn_threat_europe").line.dash == "solid"
    (projected,) = traces_of(figure, kind="modality", item="chn_influence_indo_pacific")
    (assessed,) = traces_of(figure, kind="modality", item="chn_threat_europe")
    glyph = dict(zip(projected.customdata, projected.text, strict=True))
    assert glyph["chn_influence_indo_pacific"] == "→"
    assert dict(zip(assessed.customdata, assessed.text, strict=True))["chn_threat_europe"] == "?"
    # the badges are drawn over every line and mark (later traces are on top)
    kinds = [trace.meta["kind"] for trace in traces_of(figure)]  # the main map's
    above = ("modality", "label", "leader", "inset_locator")
    last_mark = max(i for i, k in enumerate(kinds) if k not in above)
    assert min(i for i, k in enumerate(kinds) if k == "modality") > last_mark


@pytest.mark.parametrize("lang", LANGS)
def test_the_legend_explains_each_badge_drawn_and_no_other(atlas: Atlas, lang: str) -> None:
    figure = figure_for("concept_diagram", lang)
    keys = {t.uid: t.name for t in traces_of(figure, kind="key")}
    drawn = {g for trace in traces_of(figure, kind="modality") for g in trace.text}
    for modality, glyph in GLYPHS.items():
        uid = f"base-key-modality-{modality}"
        assert (uid in keys) == (glyph in drawn), modality
        if uid in keys:
            assert keys[uid] == t(f"key.modality.{modality}", lang)
            assert keys[uid].startswith(glyph)
    assert {"?", "→"} <= drawn
    # a view of what the article asserts has neither badges nor their legend entries
    asserted = view("concept_diagram", lang, modality="asserted")
    figure = build_figure(all_layers(atlas, asserted), atlas, visible_layers=asserted.layers)
    assert traces_of(figure, kind="modality") == []
    assert not [t for t in traces_of(figure, kind="key") if "modality" in t.uid]


def test_english_hover_gives_the_hedges_meaning_and_japanese_its_words() -> None:
    """The hover of the hedged cyber attribution says how the article says it: と見られる in the
    Japanese view, its meaning in the English one."""
    for lang, expected in (("ja", "と見られる"), ("en", "“is seen as / reportedly”")):
        figure = figure_for("threats_360", lang)
        hovers = [
            hover
            for trace in traces_of(figure, kind="domain", item="cyber:CHN")
            for item, hover in zip(trace.customdata, trace.hovertext, strict=True)
            if item == "cyber"
        ]
        assert hovers and all(expected in hover for hover in hovers), lang
        assert all(t("modality.assessed", lang) in hover for hover in hovers)


# --- external members of a stated grouping --------------------------------------------------


def _rgba(colour: str) -> tuple[int, int, int, float]:
    red, green, blue, alpha = re.findall(r"[\d.]+", colour)
    return int(red), int(green), int(blue), float(alpha)


@pytest.mark.parametrize("lang", LANGS)
def test_unnamed_members_read_as_their_grouping_yet_unlike_the_named(
    atlas: Atlas, lang: str
) -> None:
    """NATO's members that the article does not name (external) keep NATO's hue, greyed and
    paler than the members it implies (inferred), never plain grey; the legend says what they
    are, with the external mark."""
    figure = figure_for("threats_360", lang)
    countries = countries_trace(figure)
    members = atlas.memberships[atlas.memberships.grouping == "nato"].set_index("iso3").basis
    assert members["DEU"] == "external" and members["USA"] == "inferred"
    external, inferred = _rgba(fill_colour(countries, "DEU")), _rgba(fill_colour(countries, "USA"))
    red, green, blue, alpha = external
    assert blue > red + 40  # still blue: NATO's hue, not grey
    assert (red, green, blue) != _rgba(figure_style.rgba(figure_style.GREY, 1))[:3]
    assert alpha < inferred[3]  # paler than the members the article implies
    assert max(external[:3]) - min(external[:3]) < max(inferred[:3]) - min(inferred[:3])  # greyer
    name = t("legend.external_members", lang, name="NATO")
    entries = [tr for tr in traces_of(figure, kind="legend") if tr.name == name]
    assert len(entries) == 1 and entries[0].showlegend
    assert t("mark.external", lang) in name
    # a view without external knowledge has no such members, and no such entry
    stated = view("threats_360", lang, basis="inferred")
    figure = build_figure(all_layers(atlas, stated), atlas, visible_layers=stated.layers)
    assert not [tr for tr in traces_of(figure, kind="legend") if tr.name == name]


# --- relations without a place at one end ----------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_a_relation_to_a_value_is_a_mark_at_its_source(atlas: Atlas, lang: str) -> None:
    """The bloc's rejection of Western values and the international order (placement at_source)
    is a clickable mark at the bloc, with hover, never an arc; a listed relation is neither."""
    figure = figure_for("authoritarian_partnerships", lang)
    relations = atlas.relations.set_index("id")
    marked = set(relations.index[relations.placement == "at_source"])
    listed = set(relations.index[relations.placement == "listed"])
    assert "authoritarian_rejects_order" in marked
    lines = {i for trace in traces_of(figure, kind="relation_line") for i in trace.meta["ids"]}
    assert not (marked | listed) & lines
    (trace,) = traces_of(figure, kind="relation", item="authoritarian_rejects_order")
    assert trace.mode == "markers" and trace.showlegend
    hover = dict(zip(trace.customdata, trace.hovertext, strict=True))["authoritarian_rejects_order"]
    assert plain(relations.loc["authoritarian_rejects_order", f"label_{lang}"]) in plain(hover)
    topic = atlas.topics.set_index("id").loc["shared_values", f"name_{lang}"]
    assert t("hover.marked", lang, target=topic) in hover
    (point,) = [
        (lon, lat)
        for item, lon, lat in zip(trace.customdata, trace.lon, trace.lat, strict=True)
        if item == "authoritarian_rejects_order"
    ]
    assert marks_distance(point, atlas.anchors["authoritarian"]) < 5.0  # at its source
    drawn = {i for trace in figure.data for i in trace.meta["ids"]}
    assert not listed & drawn


def marks_distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return distance_deg((float(a[0]), float(a[1])), (float(b[0]), float(b[1])))


# --- the concept diagram says what it is, on the map ---------------------------------------------


@pytest.mark.parametrize(("preset", "lang"), CASES)
def test_the_concept_diagram_says_on_the_map_that_it_is_a_reconstruction(
    preset: str, lang: str
) -> None:
    notes = [a for a in figure_for(preset, lang).layout.annotations if a.name == "map-concept-note"]
    if preset != "concept_diagram":
        assert notes == []
        return
    (note,) = notes
    assert note.text == t("map.concept_note", lang)
    words = ("再構成", "概念") if lang == "ja" else ("reconstruction", "conceptual")
    assert all(word in note.text for word in words)
    assert note.xref == note.yref == "paper" and 0 <= note.x <= 1 and 0 <= note.y <= 1


def test_the_drawing_pauses_after_each_layer_and_each_label(atlas) -> None:
    """A server running its requests by turns in one thread gets a pause to let the others run
    (dashboard.service.maps.taking_turns) after each layer drawn and each label placed, and
    after each set of layers framed for a layer toggle's table."""
    pauses = []
    scenario = view("concept_diagram", "en", inset="none")
    layers = all_layers(atlas, scenario)
    sets = [{BASE_LAYER}, {BASE_LAYER, "threats"}, {BASE_LAYER, *LAYERS}]
    framings(layers, atlas, sets, pause=lambda: pauses.append(1))
    assert len(pauses) == len(sets)
    pauses.clear()
    composition = compose(
        layers,
        atlas,
        {*scenario.layers, BASE_LAYER},
        pause=lambda: pauses.append(1),
    )
    assert composition.inset is None
    assert len(composition.main.placements) > 20
    assert len(pauses) >= len(BUILDERS) + len(composition.main.placements)


# the kinds of traces a map draws of its own (not copies of the other map's layers)
NOT_COPIED = {
    "key",
    "legend",
    "label",
    "leader",
    "emphasis",
    "inset_locator",
    "inset_frame",
    "inset_title",
}


@pytest.mark.parametrize(("preset", "lang"), CASES)
def test_the_inset_keeps_every_trace_that_draws_within_it(preset: str, lang: str) -> None:
    """The inset leaves out the copies of traces that draw nothing in its box (points all far
    away, or none): every trace of the main map with a point within the inset's box has its
    copy on the inset (labels aside: each map places its own); and some are left out."""
    figure = figure_for(preset, lang)
    if "geo2" not in figure.layout or figure.layout.geo2.lonaxis.range is None:
        pytest.skip("no Europe inset")
    (west, east), (south, north) = (
        figure.layout.geo2.lonaxis.range,
        figure.layout.geo2.lataxis.range,
    )

    def copied(trace: Any, geo: str) -> bool:
        return (
            (trace.geo or "geo") == geo
            and trace.type == "scattergeo"
            and (trace.meta["kind"] not in NOT_COPIED | {"inset_title"})
        )

    main = [t for t in figure.data if copied(t, "geo")]
    on_inset = {t.uid for t in figure.data if copied(t, "geo2")}
    for trace in main:
        points = zip(trace.lon or (), trace.lat or (), strict=False)
        if any(x is not None and west <= x <= east and south <= y <= north for x, y in points):
            assert f"{trace.uid}-inset" in on_inset, trace.uid
    assert len(on_inset) < len(main)
