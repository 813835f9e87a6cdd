"""Tests for geodata.geometry.

Expected values are derived independently of the module under test: distances from
the haversine formula, bearings from local east/north tangent vectors, the
antimeridian crossing latitude from the closed-form "latitude of a great circle at a
given longitude" formula, areas from rectangle arithmetic.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import shapely
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon, box

from geodata.geometry import (
    arrow_head,
    bearing_deg,
    end_bearing,
    great_circle_arc,
    lonlat_box,
    path_coordinates,
    sea_area,
    unwrap_longitudes,
)

BEIJING = (116.4, 39.9)
WASHINGTON = (-77.0, 38.9)
TOKYO = (139.7, 35.7)
SAN_FRANCISCO = (-122.4, 37.8)
MOSCOW = (37.6, 55.75)
BERLIN = (13.4, 52.52)


# --------------------------------------------------------------------------- independent maths


def haversine_deg(p, q) -> float:
    """Great-circle distance in degrees of arc (haversine formula)."""
    lon1, lat1, lon2, lat2 = map(math.radians, (p[0], p[1], q[0], q[1]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return math.degrees(2 * math.asin(min(1.0, math.sqrt(h))))


def vec(p) -> np.ndarray:
    lon, lat = math.radians(p[0]), math.radians(p[1])
    return np.array([math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)])


def enu_bearing(p, q) -> float:
    """Initial bearing p→q from the tangent direction projected on local east/north axes."""
    lon, lat = math.radians(p[0]), math.radians(p[1])
    east = np.array([-math.sin(lon), math.cos(lon), 0.0])
    north = np.array(
        [-math.sin(lat) * math.cos(lon), -math.sin(lat) * math.sin(lon), math.cos(lat)]
    )
    a, b = vec(p), vec(q)
    tangent = b - np.dot(a, b) * a
    return math.degrees(math.atan2(np.dot(tangent, east), np.dot(tangent, north))) % 360.0


def angle_diff(a: float, b: float) -> float:
    """Smallest absolute difference between two angles in degrees."""
    return abs((a - b + 180.0) % 360.0 - 180.0)


def wrap(delta: float) -> float:
    return (delta + 180.0) % 360.0 - 180.0


def gc_lat_at_lon(p, q, lon: float) -> float:
    """Latitude where the great circle through p and q meets meridian ``lon``."""
    l1, f1, l2, f2, lam = map(math.radians, (p[0], p[1], q[0], q[1], lon))
    num = math.tan(f1) * math.sin(lam - l2) - math.tan(f2) * math.sin(lam - l1)
    return math.degrees(math.atan(num / math.sin(l1 - l2)))


def parts_of(geom) -> list[list[tuple[float, float]]]:
    if isinstance(geom, LineString):
        return [list(geom.coords)]
    assert isinstance(geom, MultiLineString)
    return [list(g.coords) for g in geom.geoms]


def all_points(geom) -> list[tuple[float, float]]:
    return [p for part in parts_of(geom) for p in part]


def segments(geom):
    for part in parts_of(geom):
        yield from itertools.pairwise(part)


def path_length_deg(geom) -> float:
    return sum(haversine_deg(p, q) for p, q in segments(geom))


def same_place(got, want) -> bool:
    """Exact equality, allowing only the equivalent spellings of ±180 and the poles."""
    if got[1] != want[1]:
        return False
    if abs(want[1]) == 90.0:
        return True
    return got[0] == want[0] or (abs(got[0]) == 180.0 and abs(want[0]) == 180.0)


def spherical_hausdorff_deg(g1, g2) -> float:
    a = np.array([vec(p) for p in all_points(g1)])
    b = np.array([vec(p) for p in all_points(g2)])
    ang = np.degrees(np.arccos(np.clip(a @ b.T, -1.0, 1.0)))
    return float(max(ang.min(axis=1).max(), ang.min(axis=0).max()))


lons = st.floats(-180.0, 180.0, allow_nan=False)
lats = st.floats(-90.0, 90.0, allow_nan=False)
points = st.tuples(lons, lats)
steps = st.floats(0.25, 5.0)


# --------------------------------------------------------------------------- great_circle_arc


@pytest.mark.parametrize(
    ("start", "end"),
    [(BEIJING, WASHINGTON), (TOKYO, SAN_FRANCISCO), (MOSCOW, BERLIN), (SAN_FRANCISCO, TOKYO)],
)
def test_arc_starts_and_ends_exactly_at_endpoints(start, end):
    geom = great_circle_arc(start, end)
    pts = all_points(geom)
    assert pts[0] == start
    assert pts[-1] == end


@pytest.mark.parametrize(
    ("start", "end"), [(BEIJING, WASHINGTON), (TOKYO, SAN_FRANCISCO), (SAN_FRANCISCO, TOKYO)]
)
@pytest.mark.parametrize("step", [1.0, 0.5, 3.0])
def test_transpacific_arcs_split_cleanly_at_antimeridian(start, end, step):
    # Along a minor great-circle arc the longitude changes monotonically by the shortest
    # signed difference, so the path crosses ±180 iff start + that difference leaves
    # [-180, 180].  All three pairs do (Beijing→Washington crosses over the Arctic).
    dlon = wrap(end[0] - start[0])
    assert not -180.0 <= start[0] + dlon <= 180.0

    geom = great_circle_arc(start, end, step_deg=step)
    assert isinstance(geom, MultiLineString)
    parts = parts_of(geom)
    assert len(parts) == 2
    first_end, second_start = parts[0][-1], parts[1][0]
    eastward = dlon > 0
    assert first_end[0] == (180.0 if eastward else -180.0)
    assert second_start[0] == (-180.0 if eastward else 180.0)
    assert first_end[1] == second_start[1]
    assert first_end[1] == pytest.approx(gc_lat_at_lon(start, end, 180.0), abs=1e-6)

    for lon, lat in all_points(geom):
        assert -180.0 <= lon <= 180.0
        assert -90.0 <= lat <= 90.0
    for p, q in segments(geom):
        assert haversine_deg(p, q) <= step * 1.5
        assert abs(q[0] - p[0]) < 90.0  # no line sweeping across the flat map
    assert path_length_deg(geom) == pytest.approx(haversine_deg(start, end), rel=1e-6)


def test_moscow_to_berlin_is_single_westward_line():
    geom = great_circle_arc(MOSCOW, BERLIN)
    assert isinstance(geom, LineString)
    lons_ = [p[0] for p in geom.coords]
    assert all(b < a for a, b in itertools.pairwise(lons_))
    assert 240.0 <= bearing_deg(MOSCOW, BERLIN) <= 300.0
    assert bearing_deg(MOSCOW, BERLIN) == pytest.approx(enu_bearing(MOSCOW, BERLIN), abs=1e-9)
    assert 240.0 <= end_bearing(geom) <= 300.0


def test_arc_point_count_follows_step():
    d = haversine_deg(MOSCOW, BERLIN)
    fine = great_circle_arc(MOSCOW, BERLIN, step_deg=0.5)
    coarse = great_circle_arc(MOSCOW, BERLIN, step_deg=5.0)
    assert len(fine.coords) - 1 == math.ceil(d / 0.5)
    assert len(coarse.coords) - 1 == max(2, math.ceil(d / 5.0))


def test_arc_ending_on_antimeridian_keeps_exact_endpoint():
    geom = great_circle_arc((170.0, 10.0), (180.0, 20.0))
    assert isinstance(geom, LineString)
    assert geom.coords[-1] == (180.0, 20.0)


def test_short_hop_across_antimeridian():
    geom = great_circle_arc((179.5, -16.0), (-179.5, -17.0), step_deg=0.3)
    parts = parts_of(geom)
    assert len(parts) == 2
    assert parts[0][-1][0] == 180.0 and parts[1][0][0] == -180.0
    assert parts[0][-1][1] == pytest.approx(
        gc_lat_at_lon((179.5, -16.0), (-179.5, -17.0), 180.0), abs=1e-9
    )


@settings(deadline=None, max_examples=200)
@given(start=points, end=points, step=steps)
def test_arc_properties_random_pairs(start, end, step):
    d = haversine_deg(start, end)
    assume(0.01 < d < 179.0)
    geom = great_circle_arc(start, end, step_deg=step)
    pts = all_points(geom)

    assert same_place(pts[0], start)
    assert same_place(pts[-1], end)
    if abs(start[0]) < 180.0 and abs(start[1]) < 90.0:
        assert pts[0] == start
    if abs(end[0]) < 180.0 and abs(end[1]) < 90.0:
        assert pts[-1] == end

    a, b = vec(start), vec(end)
    normal = np.cross(a, b)
    normal /= np.linalg.norm(normal)
    prev_from_start = -1.0
    for p in pts:
        assert -180.0 <= p[0] <= 180.0
        assert abs(float(np.dot(vec(p), normal))) < 1e-6  # on the great-circle plane
        from_start, to_end = haversine_deg(start, p), haversine_deg(p, end)
        assert from_start + to_end == pytest.approx(d, abs=1e-6)  # on the minor arc
        assert from_start >= prev_from_start - 1e-9  # in travel order
        prev_from_start = from_start

    for p, q in segments(geom):
        assert haversine_deg(p, q) <= step * 1.5 + 1e-9
        assert abs(q[0] - p[0]) <= 180.0  # never a line across the whole map

    assert path_length_deg(geom) == pytest.approx(d, rel=0.01)

    parts = parts_of(geom)
    for left, right in itertools.pairwise(parts):
        assert abs(left[-1][0]) == 180.0
        assert right[0][0] == -left[-1][0]
        assert right[0][1] == left[-1][1]

    # Whether the path crosses ±180, predicted from the shortest signed longitude
    # difference (skipping poles, ±180 endpoints and cases within rounding of an edge).
    dlon = wrap(end[0] - start[0])
    clear_of_edges = (
        max(abs(start[1]), abs(end[1])) < 90.0
        and max(abs(start[0]), abs(end[0])) < 180.0 - 1e-9
        and abs(abs(dlon) - 180.0) > 1e-6
        and abs(abs(start[0] + dlon) - 180.0) > 1e-9
    )
    if clear_of_edges:
        crosses = not -180.0 <= start[0] + dlon <= 180.0
        assert isinstance(geom, MultiLineString) == crosses


@settings(deadline=None, max_examples=100)
@given(start=points, end=points)
def test_bowed_arcs_in_opposite_directions_do_not_coincide(start, end):
    d = haversine_deg(start, end)
    assume(20.0 < d < 170.0)
    there = great_circle_arc(start, end, bow=0.15)
    back = great_circle_arc(end, start, bow=0.15)

    assert same_place(all_points(there)[0], start)
    assert same_place(all_points(there)[-1], end)
    assert same_place(all_points(back)[0], end)
    assert same_place(all_points(back)[-1], start)
    for p, q in segments(there):
        assert haversine_deg(p, q) <= 1.5
        assert abs(q[0] - p[0]) <= 180.0
    assert spherical_hausdorff_deg(there, back) > 1.0

    # The largest sideways displacement is bow × distance, on the left of travel.
    normal = np.cross(vec(start), vec(end))
    normal /= np.linalg.norm(normal)
    offsets = [math.degrees(math.asin(float(np.dot(vec(p), normal)))) for p in all_points(there)]
    assert max(offsets) == pytest.approx(0.15 * d, rel=0.02)
    assert min(offsets) > -1e-6


def test_unbowed_arcs_in_opposite_directions_coincide():
    # Control for the test above: without bow the two directions share one path.
    there = great_circle_arc(TOKYO, SAN_FRANCISCO)
    back = great_circle_arc(SAN_FRANCISCO, TOKYO)
    assert spherical_hausdorff_deg(there, back) < 0.01


def test_negative_bow_bends_right():
    geom = great_circle_arc(MOSCOW, BERLIN, bow=-0.2)
    normal = np.cross(vec(MOSCOW), vec(BERLIN))
    offsets = [float(np.dot(vec(p), normal)) for p in geom.coords[1:-1]]
    assert max(offsets) < 0.0


@pytest.mark.parametrize(
    ("start", "end", "kwargs", "message"),
    [
        (BERLIN, BERLIN, {}, "same point"),
        ((0.0, 90.0), (45.0, 90.0), {}, "same point"),
        ((0.0, 0.0), (180.0, 0.0), {}, "antipodal"),
        (MOSCOW, BERLIN, {"step_deg": 0.0}, "step_deg"),
        (MOSCOW, BERLIN, {"bow": 2.0}, "bow"),
        ((200.0, 0.0), BERLIN, {}, "longitude"),
    ],
)
def test_arc_rejects_bad_input(start, end, kwargs, message):
    with pytest.raises(ValueError, match=message):
        great_circle_arc(start, end, **kwargs)


# --------------------------------------------------------------------------- path helpers


def test_path_coordinates_joins_split_path():
    geom = great_circle_arc(TOKYO, SAN_FRANCISCO)
    parts = parts_of(geom)
    coords = path_coordinates(geom)
    assert len(coords) == sum(len(p) for p in parts) - (len(parts) - 1)
    assert coords[0] == TOKYO and coords[-1] == SAN_FRANCISCO
    assert all(-180.0 <= lon <= 180.0 for lon, _ in coords)
    assert all(p != q for p, q in itertools.pairwise(coords))
    for p, q in itertools.pairwise(coords):
        assert haversine_deg(p, q) <= 1.5


def test_path_coordinates_of_plain_line_is_unchanged():
    geom = great_circle_arc(MOSCOW, BERLIN)
    assert path_coordinates(geom) == list(geom.coords)


def test_unwrap_longitudes_makes_path_continuous():
    assert unwrap_longitudes([(170.0, 0.0), (180.0, 1.0), (-180.0, 1.0), (-170.0, 2.0)]) == [
        (170.0, 0.0),
        (180.0, 1.0),
        (190.0, 2.0),
    ]
    coords = unwrap_longitudes(great_circle_arc(TOKYO, SAN_FRANCISCO))
    assert coords[0] == TOKYO
    assert coords[-1][0] == pytest.approx(SAN_FRANCISCO[0] + 360.0)
    assert all(abs(q[0] - p[0]) < 5.0 for p, q in itertools.pairwise(coords))


def test_unwrap_longitudes_westward():
    assert unwrap_longitudes(MultiLineString([[(-170, 5), (-180, 6)], [(180, 6), (170, 7)]])) == [
        (-170.0, 5.0),
        (-180.0, 6.0),
        (-190.0, 7.0),
    ]


# --------------------------------------------------------------------------- lonlat_box


def test_lonlat_box_across_antimeridian():
    geom = lonlat_box(170, -10, -170, 10)
    assert isinstance(geom, MultiPolygon)
    assert geom.is_valid
    assert geom.area == pytest.approx(((180 - 170) + (-170 + 180)) * (10 - -10))
    bounds = sorted(p.bounds for p in geom.geoms)
    assert bounds == [(-180.0, -10.0, -170.0, 10.0), (170.0, -10.0, 180.0, 10.0)]


@pytest.mark.parametrize(
    "args", [(-10.0, 35.0, 40.0, 70.0), (170.0, -10.0, -170.0, 10.0), (0.0, 0.0, 0.3, 0.2)]
)
def test_lonlat_box_edges_are_densified(args):
    geom = lonlat_box(*args)
    polys = geom.geoms if isinstance(geom, MultiPolygon) else [geom]
    for poly in polys:
        ring = list(poly.exterior.coords)
        for (x0, y0), (x1, y1) in itertools.pairwise(ring):
            assert math.hypot(x1 - x0, y1 - y0) <= 1.0 + 1e-9
            assert x0 == x1 or y0 == y1  # edges follow meridians and parallels
        assert poly.exterior.is_ccw


def test_lonlat_box_plain():
    geom = lonlat_box(-10, 35, 40, 70)
    assert isinstance(geom, Polygon) and geom.is_valid
    assert geom.area == pytest.approx(50 * 35)
    assert geom.bounds == (-10, 35, 40, 70)
    assert len(geom.exterior.coords) > 2 * (50 + 35)


def test_lonlat_box_rejects_bad_input():
    with pytest.raises(ValueError):
        lonlat_box(0, 10, 10, 10)
    with pytest.raises(ValueError):
        lonlat_box(5, 0, 5, 10)


# --------------------------------------------------------------------------- sea_area


def _baltic_land():
    south_coast = box(9, 53, 31, 54.5)  # 22 × 1.5 = 33
    sweden = box(11, 55.5, 19, 66)  # 8 × 10.5 = 84
    lagoon_ring = box(25, 58, 27, 60).difference(box(25.8, 58.8, 26.2, 59.2))  # 4 − 0.16
    island = box(22, 62, 22.1, 63)  # 0.1, surrounded by sea
    return shapely.union_all([south_coast, sweden, lagoon_ring, island])


def test_sea_area_over_baltic():
    extent = lonlat_box(9, 53, 31, 66)  # 22 × 13 = 286
    sea = sea_area(extent, _baltic_land())
    assert sea.is_valid
    assert isinstance(sea, Polygon | MultiPolygon)
    assert sea.area < extent.area
    # the 0.16 deg² enclosed lagoon is a sliver below min_area and is dropped;
    # the island stays a hole in the sea
    assert sea.area == pytest.approx(286 - 33 - 84 - 4 - 0.1, rel=1e-9)
    assert not sea.intersects(box(25.9, 58.9, 26.1, 59.1))
    assert not sea.contains(shapely.Point(22.05, 62.5))
    assert sea.contains(shapely.Point(20, 60))

    kept = sea_area(extent, _baltic_land(), min_area=0.0)
    assert kept.area == pytest.approx(286 - 33 - 84 - 4 - 0.1 + 0.16, rel=1e-9)


def test_sea_area_repairs_invalid_land():
    bowtie = Polygon([(10, 10), (12, 12), (12, 10), (10, 12)])
    assert not bowtie.is_valid
    sea = sea_area(box(5, 5, 15, 15), bowtie)
    assert sea.is_valid
    assert sea.area == pytest.approx(100 - 2)  # two triangles of 1 deg² each


def test_sea_area_everything_land():
    sea = sea_area(box(0, 0, 1, 1), box(-1, -1, 2, 2))
    assert sea.is_empty and isinstance(sea, Polygon)


# --------------------------------------------------------------------------- bearings / arrows


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ((0, 0), (0, 10), 0.0),
        ((0, 0), (10, 0), 90.0),
        ((0, 0), (0, -10), 180.0),
        ((0, 0), (-10, 0), 270.0),
        ((179, 0), (-179, 0), 90.0),
        ((-179, 0), (179, 0), 270.0),
    ],
)
def test_bearing_cardinal(start, end, expected):
    assert angle_diff(bearing_deg(start, end), expected) < 1e-9


@settings(deadline=None)
@given(start=st.tuples(lons, st.floats(-89.0, 89.0)), end=st.tuples(lons, st.floats(-89.0, 89.0)))
def test_bearing_matches_tangent_vector(start, end):
    assume(0.01 < haversine_deg(start, end) < 179.0)
    got = bearing_deg(start, end)
    assert 0.0 <= got < 360.0
    assert angle_diff(got, enu_bearing(start, end)) < 1e-6


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (TOKYO, SAN_FRANCISCO),
        (BEIJING, WASHINGTON),
        (MOSCOW, BERLIN),
        ((170.0, 0.0), (-179.5, 0.0)),
        ((-170.0, 5.0), (179.9, 4.0)),
    ],
)
def test_end_bearing_is_direction_of_travel_at_end(start, end):
    # Direction of travel at the end is the reverse of the bearing from end back to start.
    expected = (enu_bearing(end, start) + 180.0) % 360.0
    assert angle_diff(end_bearing(great_circle_arc(start, end)), expected) < 1e-6


@settings(deadline=None)
@given(
    tip=st.tuples(lons, st.floats(-80.0, 80.0)),
    bearing=st.floats(0.0, 360.0, exclude_max=True),
    length=st.floats(0.5, 5.0),
    spread=st.floats(5.0, 60.0),
)
def test_arrow_head_barbs_symmetric_and_behind(tip, bearing, length, spread):
    left, mid, right = arrow_head(tip, bearing, length_deg=length, spread_deg=spread)
    assert mid == tip
    for barb in (left, right):
        assert -180.0 <= barb[0] <= 180.0
        assert haversine_deg(tip, barb) == pytest.approx(length, rel=1e-9)
    b_left, b_right = enu_bearing(tip, left), enu_bearing(tip, right)
    back = (bearing + 180.0) % 360.0
    # symmetric about the reverse direction, each `spread` away from it ...
    assert angle_diff(b_left, back) == pytest.approx(spread, abs=1e-6)
    assert angle_diff(b_right, back) == pytest.approx(spread, abs=1e-6)
    # ... i.e. behind the tip (more than 90° from the direction of travel) ...
    assert angle_diff(b_left, bearing) > 90.0
    assert angle_diff(b_right, bearing) > 90.0
    # ... with the left barb on the left of travel (anticlockwise from the back bearing).
    assert angle_diff(b_left, (back + spread) % 360.0) < 1e-6
    assert angle_diff(b_right, (back - spread) % 360.0) < 1e-6


def test_arrow_head_east_at_equator():
    left, tip, right = arrow_head((0.0, 0.0), 90.0, length_deg=2.0, spread_deg=30.0)
    assert tip == (0.0, 0.0)
    assert left[0] < 0 and right[0] < 0  # behind an eastward tip
    assert left[1] > 0 > right[1]  # left of eastward travel is north
    assert left[1] == pytest.approx(-right[1], abs=1e-12)
    assert left[0] == pytest.approx(right[0], abs=1e-12)


def test_arrow_head_on_arc_tip_across_antimeridian():
    geom = great_circle_arc((170.0, 0.0), (-179.5, 0.0))
    tip = path_coordinates(geom)[-1]
    left, _, right = arrow_head(tip, end_bearing(geom), length_deg=1.0)
    # the tip is 0.5° east of the antimeridian, so the barbs wrap to the western side
    assert left[0] > 170.0 and right[0] > 170.0
    assert haversine_deg(left, tip) == pytest.approx(1.0)
