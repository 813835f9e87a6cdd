"""How a map is framed for a set of shown layers, against definitions written out point by point:
the Europe inset counts each thing drawn in Europe once, and the polar view frames the ends of
what the shown layers draw (a layer toggle's table asks both for every set of layers)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from shapely.geometry import LineString, MultiLineString

from dashboard.figures.framing import _polar_points, content_features, make_view
from dashboard.figures.inset import CROWDED, europe_too_small, europe_view, shown_extent, wanted
from dashboard.figures.inset import within as in_box
from dashboard.figures.projection import world_view
from geodata.atlas import Atlas
from geodata.geometry import path_coordinates
from geodata.scenario import LAYERS, Scenario, load_presets
from geodata.select import Layers, select

PRESETS = load_presets()
SOME_SETS = [set(c) for n in (0, 1, 2, 4, 7) for c in itertools.combinations(LAYERS, n)][::3]


def _selection(atlas: Atlas, scenario: Scenario) -> Layers:
    return select(atlas, scenario.model_copy(update={"layers": LAYERS}))


def _in_europe(points: np.ndarray) -> bool:
    extent = shown_extent(europe_view())
    return any(in_box(extent, float(lon), float(lat)) for lon, lat in points)


def test_the_inset_counts_each_thing_drawn_in_europe_once() -> None:
    """On a world map (Europe too small to read), CROWDED things with a point in Europe want
    the inset, one fewer do not, however many points each has or how many lie elsewhere."""
    world = world_view()
    assert europe_too_small(world)
    paris, tokyo = (2.35, 48.86), (139.7, 35.7)
    in_europe = [np.array([tokyo, paris, paris]) for _ in range(CROWDED - 1)]
    elsewhere = [np.array([tokyo]), np.zeros((0, 2)), np.array([tokyo, (-74.0, 40.7)])]
    assert not wanted(world, in_europe + elsewhere)
    assert wanted(world, [*in_europe, np.array([paris]), *elsewhere])


@pytest.mark.parametrize("preset", ["default", "concept_diagram", "summit_outcomes"])
def test_the_inset_is_wanted_as_counted_point_by_point(atlas: Atlas, preset: str) -> None:
    """For sets of shown layers of a preset's map, over the whole world and fitted to what is
    drawn: the inset is wanted exactly when Europe is too small to read and at least CROWDED of
    the things drawn have a point in Europe."""
    scenario = PRESETS.get(preset, Scenario())
    outcomes = set()
    for extent in ("world", "content"):
        layers = _selection(atlas, scenario.model_copy(update={"extent": extent}))
        for shown in SOME_SETS:
            view = make_view(layers, atlas, shown)
            features = content_features(layers, atlas, shown)
            counted = sum(_in_europe(points) for points in features)
            expected = europe_too_small(view) and counted >= CROWDED
            assert wanted(view, features) == expected, (extent, shown)
            outcomes.add(expected)
    assert outcomes == {True, False}


def _line_ends(frame) -> list[tuple[float, float]]:
    ends = []
    for geometry in frame.geometry:
        if isinstance(geometry, LineString | MultiLineString):
            coords = path_coordinates(geometry)
            ends += [coords[0], coords[-1]]
    return ends


@pytest.mark.parametrize("preset", ["threats_360", "concept_diagram", "ukraine_support"])
def test_the_polar_view_frames_the_ends_of_what_is_shown(atlas: Atlas, preset: str) -> None:
    """The points the polar view is zoomed to, for every set of shown layers: the ends of the
    threat arrows and, unless the threats are shown (then they alone), the ends of the shown
    layers' relations, the shown events and every member state's anchor."""
    layers = _selection(atlas, PRESETS[preset].model_copy(update={"projection": "polar"}))
    relations = layers.relations
    for n in range(len(LAYERS) + 1):
        for shown in map(set, itertools.combinations(LAYERS, n)):
            expected = _line_ends(layers.threats)
            if not ("threats" in shown and len(layers.threats)):
                expected += _line_ends(relations[relations.layer.isin(shown)])
                if "events" in shown:
                    expected += [(float(p.x), float(p.y)) for p in layers.events.geometry]
                members = set(layers.memberships.iso3)
                expected += [atlas.anchors[iso3] for iso3 in members if iso3 in atlas.anchors]
            assert sorted(_polar_points(layers, atlas, shown)) == sorted(expected), shown
