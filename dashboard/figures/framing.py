"""Which part of the world a view frames: the focus when it has one, else what its shown layers
draw (with a margin), or the whole world when the scenario asks for it (`extent: world`).

- Robinson frames the lon/lat box around what is drawn: the longitudes on the far side of the
  widest empty gap (the whole way round when nothing leaves such a gap) and the latitudes from
  the southernmost to the northernmost point. plotly fits that box into the plot area, so the
  map's frame takes the box's aspect.
- The globe turns to the middle of what is drawn and zooms in when all of it lies on one side.
- The polar view zooms to what is drawn north of the equator (the threat picture alone when it
  is shown) and stays centred on the pole.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon

from dashboard.figures.geo import Projector
from dashboard.figures.projection import (
    ROBINSON_CENTRE_LON,
    ROBINSON_LAT_RANGE,
    VIEWS_KEPT,
    View,
    box_extent,
    invert,
    unit,
    world_view,
    wrap,
)
from geodata.atlas import Atlas, derived, spherical_mean
from geodata.geometry import path_coordinates
from geodata.scenario import Scenario
from geodata.select import Layers

EUROPE = (10.0, 50.0)
FOCUS_SCALE = {"robinson": 3.0, "orthographic": 1.5}
# Robinson: longitudes are cropped to what is drawn only across an empty gap at least this wide
MIN_GAP = 60.0
LON_MARGIN = (5.0, 0.04)  # degrees, and a share of the framed longitudes, on each side
LAT_MARGIN = (4.0, 0.04)
MIN_SPAN = (40.0, 24.0)  # the smallest box framed (lon, lat degrees)
SNAP = 5.0  # degrees: the framed box's edges are multiples of this
# the size of the map the magnification is reckoned for: a slide's map, about 1800×700 px
REFERENCE_MAP = (1800.0, 700.0)
ORTHOGRAPHIC_REACH = 80.0  # degrees: the globe turns to what is drawn when all of it is this near
ORTHOGRAPHIC_SCALES = (1.0, 3.0)
ORTHOGRAPHIC_FILL = 0.88  # of the globe's radius, what is drawn may take when zoomed in
POLAR_PAD = 0.1  # of the framed half-size, around what the polar view frames
POLAR_SCALES = (0.95, 3.0)
POLAR_STEP = 0.05
POLAR_MIN_SCALE_TO_KEEP = 0.3  # zoomed out this far at most to show points kept in view
SHAPE_TOLERANCE = 0.5  # degrees: country and region outlines are simplified this much to frame them
MAIN_PART = 0.2  # parts of a country smaller than this share of its largest are not framed


def focus_point(atlas: Atlas, focus: str | None) -> tuple[float, float] | None:
    """The lon/lat a focus id refers to: an anchor (country, region, grouping) or an item."""
    if not focus:
        return None
    for key in (focus, focus.upper()):
        if key in atlas.anchors:
            lon, lat = atlas.anchors[key]
            return float(lon), float(lat)
    events = atlas.events[atlas.events.id == focus]
    if len(events):
        point = events.geometry.iloc[0]
        return float(point.x), float(point.y)
    for frame in (atlas.relations, atlas.threats):
        rows = frame[frame.id == focus]
        if len(rows) and rows.geometry.iloc[0] is not None:  # a listed relation has no line
            coords = path_coordinates(rows.geometry.iloc[0])
            return coords[len(coords) // 2]
    return None


def make_view(
    layers: Layers,
    atlas: Atlas,
    visible: Iterable[str] | None = None,
    keep: Sequence[tuple[float, float]] = (),
) -> View:
    """The view a scenario asks for, framing what its shown layers draw (`visible`, the
    scenario's layers by default) unless it has a focus or asks for the whole world.

    `keep`: points the view must show (what a selected sentence emphasises). When the view
    leaves some out, it is widened to them: a framed or focused Robinson map to the whole
    world, the globe turned to face them, the polar view zoomed out to take them in."""
    view = _asked_view(layers, atlas, visible)
    if not keep or shows(view, keep):
        return view
    if view.projection == "orthographic":
        lon, lat = spherical_mean(list(keep))
        return View("orthographic", "orthographic", (lon, lat), (lon, lat), 1.0, None)
    if view.projection == "polar":
        shown = set(layers.scenario.layers if visible is None else visible)
        lon0 = view.rotation[0]
        focus = focus_point(atlas, layers.scenario.focus)
        scale = _polar_scale(layers, atlas, lon0, focus, shown, keep)
        return View("polar", "azimuthal equal area", (lon0, 90.0), (lon0, 90.0), scale, None)
    return robinson_view(
        ROBINSON_CENTRE_LON - 180.0, ROBINSON_CENTRE_LON + 180.0, *ROBINSON_LAT_RANGE
    )


def shows(view: View, points: Sequence[tuple[float, float]]) -> bool:
    """Whether every point is on the map of a view (a Robinson map's latitudes clipped to its
    range: what lies beyond it, such as Antarctica, is never on it)."""
    if view.lat_range is not None:
        low, high = view.lat_range
        points = [(lon, min(max(lat, low), high)) for lon, lat in points]
    return all(inside for _, _, inside in Projector(view).pixels(points))


def _asked_view(layers: Layers, atlas: Atlas, visible: Iterable[str] | None) -> View:
    """The view of the scenario's projection, focus and extent."""
    scenario = layers.scenario
    shown = set(scenario.layers if visible is None else visible)
    focus = focus_point(atlas, scenario.focus)
    fitted = scenario.extent == "content" and focus is None
    if scenario.projection == "orthographic":
        if focus:
            scale = FOCUS_SCALE["orthographic"]
            return View("orthographic", "orthographic", focus, focus, scale, None)
        if fitted:
            view = _globe_view(content_points(layers, atlas, shown))
            if view is not None:
                return view
        lon, lat = atlas.anchors.get("euro_atlantic", EUROPE)
        return View("orthographic", "orthographic", (lon, lat), (lon, lat), 1.0, None)
    if scenario.projection == "polar":
        lon = focus[0] if focus else ROBINSON_CENTRE_LON
        if scenario.extent == "world" and not focus:
            return View("polar", "azimuthal equal area", (lon, 90.0), (lon, 90.0), 1.0, None)
        scale = _polar_scale(layers, atlas, lon, focus, shown)
        return View("polar", "azimuthal equal area", (lon, 90.0), (lon, 90.0), scale, None)
    if focus:
        scale = FOCUS_SCALE["robinson"]
        return View("robinson", "robinson", (focus[0], 0.0), focus, scale, ROBINSON_LAT_RANGE)
    whole = (ROBINSON_CENTRE_LON - 180.0, ROBINSON_CENTRE_LON + 180.0)
    if fitted:
        points = content_points(layers, atlas, shown)
        lons = _lon_window(points[:, 0]) if len(points) else whole
        if lons != whole:  # what is drawn leaves a wide gap: framed; else the world map
            return robinson_view(*lons, *_lat_window(points[:, 1]))
    return robinson_view(*whole, *ROBINSON_LAT_RANGE)


@lru_cache(maxsize=VIEWS_KEPT, typed=True)
def robinson_view(west: float, east: float, south: float, north: float) -> View:
    """A Robinson map of the lon/lat box (the whole way round when `east - west` is 360),
    centred on it, its magnification against the whole world reckoned for a slide's map
    (memoised: framed boxes snap to SNAP degrees, so few are ever asked for)."""
    whole = east - west >= 359.999
    rotation = ((west + east) / 2.0, 0.0)
    lons = None if whole else (west, east)
    draft = View("robinson", "robinson", rotation, rotation, 1.0, (south, north), lons)
    x0, y0, x1, y1 = box_extent(draft)
    centre = invert(draft, (x0 + x1) / 2.0, (y0 + y1) / 2.0)
    centre = (rotation[0], centre[1]) if whole else centre
    return replace(draft, center=centre, magnification=_magnification(draft, world_view()))


def _magnification(view: View, world: View) -> float:
    """How much larger a degree is drawn in `view` than in the whole-world view, both fitted
    into a slide's map (REFERENCE_MAP)."""

    def fit(v: View) -> float:
        x0, y0, x1, y1 = box_extent(v)
        return min(REFERENCE_MAP[0] / (x1 - x0), REFERENCE_MAP[1] / (y1 - y0)) * v.scale

    return max(1.0, fit(view) / fit(world))


def _lon_window(lons: np.ndarray) -> tuple[float, float]:
    """West and east (east > west) of the longitudes to frame: the far side of the widest gap
    between drawn points, with a margin; the whole world about ROBINSON_CENTRE_LON when there is
    no gap of MIN_GAP degrees."""
    whole = (ROBINSON_CENTRE_LON - 180.0, ROBINSON_CENTRE_LON + 180.0)
    ordered = np.sort(wrap(np.asarray(lons, dtype=float)))
    gaps = np.diff(np.append(ordered, ordered[0] + 360.0))
    widest = int(np.argmax(gaps))
    if gaps[widest] < MIN_GAP:
        return whole
    west = float(ordered[(widest + 1) % len(ordered)])
    east = float(ordered[widest])
    if east < west:
        east += 360.0
    span = east - west
    margin = LON_MARGIN[0] + LON_MARGIN[1] * span
    west, east = _snap(west - margin, -1), _snap(east + margin, 1)
    if east - west < MIN_SPAN[0]:
        middle = (west + east) / 2.0
        west, east = middle - MIN_SPAN[0] / 2.0, middle + MIN_SPAN[0] / 2.0
    if east - west >= 360.0 - MIN_GAP / 2.0:
        return whole
    return west, east


def _snap(value: float, direction: int) -> float:
    """`value` rounded outwards (down for -1, up for 1) to a multiple of SNAP degrees, so that a
    little more or less drawn near an edge does not move the frame."""
    return (math.floor(value / SNAP) if direction < 0 else math.ceil(value / SNAP)) * SNAP


def _lat_window(lats: np.ndarray) -> tuple[float, float]:
    """South and north of the latitudes to frame, with a margin, within the world map's."""
    south, north = float(np.min(lats)), float(np.max(lats))
    margin = LAT_MARGIN[0] + LAT_MARGIN[1] * (north - south)
    south = max(ROBINSON_LAT_RANGE[0], _snap(south - margin, -1))
    north = min(ROBINSON_LAT_RANGE[1], _snap(north + margin, 1))
    if north - south < MIN_SPAN[1]:
        middle = min(max((north + south) / 2.0, -40.0), 70.0)
        south, north = middle - MIN_SPAN[1] / 2.0, middle + MIN_SPAN[1] / 2.0
    return south, north


def _globe_view(points: np.ndarray) -> View | None:
    """The globe turned to the middle of what is drawn and zoomed to it, or None when it does
    not all lie within ORTHOGRAPHIC_REACH of that middle."""
    if not len(points):
        return None
    lon, lat = np.radians(points[:, 0]), np.radians(points[:, 1])
    vectors = np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
    mean = vectors.mean(axis=0)
    if np.linalg.norm(mean) < 1e-6:
        return None
    mean /= np.linalg.norm(mean)
    if math.degrees(math.acos(float(np.clip((vectors @ mean).min(), -1.0, 1.0)))) > (
        ORTHOGRAPHIC_REACH
    ):
        return None
    centre = (math.degrees(math.atan2(mean[1], mean[0])), math.degrees(math.asin(mean[2])))
    view = View("orthographic", "orthographic", centre, centre, 1.0, None)
    xs, ys, _ = unit(view, points[:, 0], points[:, 1])
    reach = float(max(np.abs(xs).max(), np.abs(ys).max()))
    scale = ORTHOGRAPHIC_FILL / max(reach, 1e-6)
    return replace(view, scale=min(max(scale, ORTHOGRAPHIC_SCALES[0]), ORTHOGRAPHIC_SCALES[1]))


def _polar_scale(
    layers: Layers,
    atlas: Atlas,
    lon0: float,
    focus: tuple[float, float] | None,
    visible: set[str],
    keep: Sequence[tuple[float, float]] = (),
) -> float:
    """The zoom of the north-polar view: the square about the pole around what the shown layers
    draw in the Northern hemisphere (the threat picture alone when it is shown) and the focus,
    with a margin. What lies further south, such as Australia, is left to panning, unless it is
    a point to `keep` in view (then the view zooms out to it).

    plotly fits latitude 0–90 (a disc of radius √2 on the unit sphere) at scale 1; the square
    frame then spans ±√2, so a square of half-size h about the pole is framed at scale √2 / h.
    (The view stays centred on the pole: plotly moves an off-pole `center` of this projection
    in a way the label placement does not model.)"""
    points = [p for p in _polar_points(layers, atlas, visible) if p[1] >= 0.0]
    if focus:
        points.append(focus)
    points += keep
    if not points:
        return 1.0
    pole = View("polar", "azimuthal equal area", (lon0, 90.0), (lon0, 90.0), 1.0, None)
    lons, lats = np.array([p[0] for p in points]), np.array([p[1] for p in points])
    xs, ys, _ = unit(pole, lons, lats)
    half = float(max(np.abs(xs).max(), np.abs(ys).max())) * (1.0 + POLAR_PAD) + 0.04
    scale = math.floor(math.sqrt(2.0) / half / POLAR_STEP) * POLAR_STEP  # a steady frame
    low = POLAR_MIN_SCALE_TO_KEEP if keep else POLAR_SCALES[0]
    return float(min(max(scale, low), POLAR_SCALES[1]))


def _polar_points(layers: Layers, atlas: Atlas, visible: set[str]) -> list[tuple[float, float]]:
    """End points of what the shown layers draw (threats alone when they are shown)."""
    content = _layer_content(layers, atlas)
    threats_only = "threats" in visible and len(layers.threats) > 0
    points = list(content.threat_ends)
    if threats_only:
        return points
    points += [p for layer, ends in content.relation_ends if layer in visible for p in ends]
    if "events" in visible:
        points += content.event_points
    return points + content.member_anchors


# --- what a view draws, as points to frame ----------------------------------------------------


def content_points(layers: Layers, atlas: Atlas, visible: set[str]) -> np.ndarray:
    """Lon/lat points (n × 2) along everything the shown layers draw (see `content_features`)."""
    features = content_features(layers, atlas, visible)
    return np.vstack(features) if features else np.zeros((0, 2))


def content_features(layers: Layers, atlas: Atlas, visible: set[str]) -> list[np.ndarray]:
    """Lon/lat points (n × 2) along each thing the shown layers draw: the countries they fill
    (their main parts' outlines), arcs, threat arrows and the areas they name, markers and
    events. (Each layer's things are found once per selection: a layer toggle's table of
    framings asks for every set of layers of one selection, see dashboard.service.maps.)"""
    return _features(layers, atlas, content_key(layers, atlas, visible))


class ContentKey(NamedTuple):
    """Which of a selection's things a set of shown layers draws (see `content_features`): two
    sets with the same key draw the same things."""

    proposals: bool
    relations: tuple[int, ...]  # positions in _LayerContent.relations
    threats: bool
    events: bool
    filled: tuple[str, ...]  # countries, sorted
    marked: tuple[str, ...]  # groupings, sorted


def content_key(layers: Layers, atlas: Atlas, visible: set[str]) -> ContentKey:
    """What the shown layers of a selection draw, as a key (see ContentKey)."""
    content = _layer_content(layers, atlas)
    shapes, anchors = derived(atlas, _country_outlines), atlas.anchors
    filled = {c for layer in visible for c in content.filled.get(layer, ()) if c in shapes}
    marked = {g for layer in visible for g in content.marked.get(layer, ()) if g in anchors}
    return ContentKey(
        proposals="proposals" in visible and _any_points(content.proposals),
        relations=tuple(
            i
            for i, (layer, points) in enumerate(content.relations)
            if layer in visible and len(points)
        ),
        threats="threats" in visible and _any_points(content.threats),
        events="events" in visible and _any_points(content.events),
        filled=tuple(sorted(filled)),
        marked=tuple(sorted(marked)),
    )


def _any_points(parts: list[np.ndarray]) -> bool:
    return any(len(p) for p in parts)


def frames_by_content(scenario: Scenario) -> bool:
    """Whether the view's framing depends on its shown layers only through what they draw
    (content_key): every map but the polar one, which frames the end points of the lines of
    the layers shown (see _polar_points)."""
    return scenario.projection != "polar"


def _features(layers: Layers, atlas: Atlas, key: ContentKey) -> list[np.ndarray]:
    content = _layer_content(layers, atlas)
    parts: list[np.ndarray] = []
    if key.proposals:
        parts += content.proposals
    parts += [content.relations[i][1] for i in key.relations]
    if key.threats:
        parts += content.threats
    if key.events:
        parts += content.events
    shapes = derived(atlas, _country_outlines)
    parts += [shapes[c] for c in key.filled]
    parts += [_anchor_points(atlas.anchors, [grouping]) for grouping in key.marked]
    return [p for p in parts if len(p)]


class _LayerContent(NamedTuple):
    """What each layer of a selection draws, as points to frame (see `content_features`)."""

    proposals: list[np.ndarray]  # the proposals' direct members
    relations: list[tuple[str, np.ndarray]]  # each arc's layer and path, in the frame's order
    threats: list[np.ndarray]  # threat arrows, the regions they name, the domains' actors
    events: list[np.ndarray]
    filled: dict[str, frozenset[str]]  # the countries each layer fills
    marked: dict[str, frozenset[str]]  # the groupings each layer marks
    # what the polar view frames (see _polar_points): the end points of the threat arrows and of
    # each relation's line (with its layer), the events, the member states' anchors
    threat_ends: list[tuple[float, float]]
    relation_ends: list[tuple[str, list[tuple[float, float]]]]
    event_points: list[tuple[float, float]]
    member_anchors: list[tuple[float, float]]


def _layer_content(layers: Layers, atlas: Atlas) -> _LayerContent:
    """What each layer of a selection draws (found once per selection and kept with it)."""
    return derived(layers, _find_layer_content, atlas)


def _find_layer_content(layers: Layers, atlas: Atlas) -> _LayerContent:
    anchors, points = atlas.anchors, derived(atlas, _item_points)
    camp_of = dict(zip(layers.groupings.id, layers.groupings.camp, strict=True))
    status_of = dict(zip(layers.groupings.id, layers.groupings.status, strict=True))
    members = list(
        zip(
            layers.memberships.grouping.tolist(),
            layers.memberships.iso3.tolist(),
            layers.memberships.via.isna().tolist(),
            strict=True,
        )
    )
    filled: dict[str, frozenset[str]] = {}
    marked: dict[str, frozenset[str]] = {}
    for layer, camp in (("value_community", "value"), ("authoritarian", "authoritarian")):
        shown = {g for g, c in camp_of.items() if c == camp and status_of[g] == "existing"}
        filled[layer] = frozenset(iso3 for g, iso3, _ in members if g in shown)
        marked[layer] = frozenset(shown)
    proposed = {g for g, s in status_of.items() if s == "proposed"}
    marked["proposals"] = frozenset(proposed)
    direct = [iso3 for g, iso3, not_via in members if g in proposed and not_via]
    relations = list(
        zip(
            layers.relations.id.tolist(),
            layers.relations.layer.tolist(),
            layers.relations.placement.tolist(),
            layers.relations.kind.tolist(),
            layers.relations.source.tolist(),
            layers.relations.target.tolist(),
            strict=True,
        )
    )
    filled["ukraine"] = frozenset(
        end
        for _, layer, placement, kind, source, target in relations
        if placement == "arc" and layer == "ukraine" and kind in ("support", "objection")
        for end in (source, target)
    )
    threat_ids = layers.threats.id.tolist()
    named = {r for regions in layers.threats.regions for r in regions}
    region_shapes = derived(atlas, _region_outlines)
    event_points = [points.events[event_id] for event_id in layers.events.id]
    return _LayerContent(
        proposals=[_anchor_points(anchors, [iso3]) for iso3 in direct],
        relations=[
            (layer, points.relation_arrays[relation_id])
            for relation_id, layer, placement, *_ in relations
            if placement == "arc"
        ],
        threats=[
            *(points.threat_arrays[threat_id] for threat_id in threat_ids),
            *(region_shapes[r] for r in layers.regions.id if r in named),
            *(_anchor_points(anchors, [actor]) for actor in layers.domains.actor),
        ],
        events=[np.array([point], dtype=float) for point in event_points],
        filled=filled,
        marked=marked,
        threat_ends=[point for t in threat_ids for point in points.threat_ends[t]],
        relation_ends=[
            (layer, points.relation_ends[relation_id]) for relation_id, layer, *_ in relations
        ],
        event_points=event_points,
        member_anchors=[
            anchors[iso3] for iso3 in {iso3 for _, iso3, _ in members} if iso3 in anchors
        ],
    )


class _ItemPoints(NamedTuple):
    """Each relation's path and each threat's arrow as points (n × 2), with their end points,
    and each event's point, by id: the same in every selection of an atlas (made once)."""

    relation_arrays: dict[str, np.ndarray]
    relation_ends: dict[str, list[tuple[float, float]]]
    threat_arrays: dict[str, np.ndarray]
    threat_ends: dict[str, list[tuple[float, float]]]
    events: dict[str, tuple[float, float]]


def _item_points(atlas: Atlas) -> _ItemPoints:
    relations = {
        i: _path(g) for i, g in zip(atlas.relations.id, atlas.relations.geometry, strict=True)
    }
    threats = {
        i: path_coordinates(g)
        for i, g in zip(atlas.threats.id, atlas.threats.geometry, strict=True)
    }
    return _ItemPoints(
        relation_arrays={i: np.array(path, dtype=float) for i, path in relations.items()},
        relation_ends={i: path[:1] + path[-1:] for i, path in relations.items()},
        threat_arrays={i: np.array(path, dtype=float) for i, path in threats.items()},
        threat_ends={i: path[:1] + path[-1:] for i, path in threats.items()},
        events={
            i: (float(p.x), float(p.y))
            for i, p in zip(atlas.events.id, atlas.events.geometry, strict=True)
        },
    )


def _path(geometry: LineString | MultiLineString | None) -> list[tuple[float, float]]:
    """The points of a line (none for anything else, such as a listed relation's)."""
    if not isinstance(geometry, LineString | MultiLineString):
        return []
    return path_coordinates(geometry)


def _anchor_points(anchors: dict, ids: Iterable[str]) -> np.ndarray:
    points = [anchors[i] for i in ids if i in anchors]
    return np.array(points, dtype=float).reshape(-1, 2)


def _country_outlines(atlas: Atlas) -> dict[str, np.ndarray]:
    """Each country's main parts' outline points, simplified (framing needs no detail)."""
    return _outlines(atlas.countries.iso3, atlas.countries.geometry)


def _region_outlines(atlas: Atlas) -> dict[str, np.ndarray]:
    """Each region's main parts' outline points, simplified (see `_country_outlines`)."""
    return _outlines(atlas.regions.id, atlas.regions.geometry)


def _outlines(
    ids: Iterable[str], geometries: Iterable[Polygon | MultiPolygon | None]
) -> dict[str, np.ndarray]:
    return {
        key: _outline(geometry)
        for key, geometry in zip(ids, geometries, strict=True)
        if geometry is not None
    }


def _outline(geometry: Polygon | MultiPolygon) -> np.ndarray:
    """The exterior points of a shape's main parts (MAIN_PART of the largest, or more)."""
    polygons = list(geometry.geoms) if isinstance(geometry, MultiPolygon) else [geometry]
    largest = max(p.area for p in polygons)
    rings = [
        shapely.simplify(p.exterior, SHAPE_TOLERANCE)
        for p in polygons
        if p.area >= MAIN_PART * largest
    ]
    return np.vstack([np.asarray(r.coords)[:, :2] for r in rings])
