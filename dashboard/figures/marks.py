"""Drawing helpers shared by the layer builders: paths along arcs, arrowheads, wide arrows,
region polygons, and lon/lat lists for scattergeo (None between parts, rounded for size).

Winding: plotly draws scattergeo fills and choropleth GeoJSON with d3-geo, which reads a ring as
the area on the *right* of its direction of travel (clockwise rings are small areas). Every ring
made here follows that rule.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence

import numpy as np
import shapely
from shapely import affinity
from shapely.geometry import LineString, MultiLineString, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from geodata import geometry
from geodata.geometry import arrow_head, bearing_deg, path_coordinates, wrap180

LonLat = tuple[float, float]
DIGITS = 2  # 0.01° ≈ 1 km: far below a pixel at every zoom the app offers


def r(value: float) -> float:
    """A coordinate rounded for the figure JSON."""
    return round(float(value), DIGITS)


def lonlat(points: Iterable[LonLat]) -> dict[str, list[float]]:
    """A trace's `lon` and `lat` of (lon, lat) points, rounded as `r` rounds."""
    points = list(points)
    return {"lon": [r(p[0]) for p in points], "lat": [r(p[1]) for p in points]}


def distance_deg(a: LonLat, b: LonLat) -> float:
    """Great-circle distance between two points, in degrees (haversine)."""
    phi1, phi2 = math.radians(a[1]), math.radians(b[1])
    dphi, dlam = phi2 - phi1, math.radians(b[0] - a[0])
    h = math.sin(dphi / 2.0) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2.0) ** 2
    return math.degrees(2.0 * math.asin(min(1.0, math.sqrt(h))))


def destination(point: LonLat, bearing: float, dist_deg: float) -> LonLat:
    """The point `dist_deg` of arc from `point` along `bearing` (0 = north), in [-180, 180)."""
    lon, lat = geometry.destination(point[0], point[1], bearing, dist_deg)
    return wrap180(lon), lat


def path(geom: LineString | MultiLineString) -> list[LonLat]:
    """Travel-ordered coordinates of an arc (antimeridian-safe, see geometry.path_coordinates)."""
    return [(float(x), float(y)) for x, y in path_coordinates(geom)]


def cumulative(coords: Sequence[LonLat]) -> np.ndarray:
    """Arc length (degrees) from the start of a path to each of its points."""
    array = np.radians(np.asarray(coords, dtype=float))
    if len(array) < 2:
        return np.zeros(len(array))
    lam, phi = array[:, 0], array[:, 1]
    dphi, dlam = np.diff(phi), np.diff(lam)
    h = np.sin(dphi / 2.0) ** 2 + np.cos(phi[:-1]) * np.cos(phi[1:]) * np.sin(dlam / 2.0) ** 2
    steps = np.degrees(2.0 * np.arcsin(np.minimum(1.0, np.sqrt(h))))
    return np.concatenate([[0.0], np.cumsum(steps)])


def length_deg(coords: Sequence[LonLat]) -> float:
    return float(cumulative(coords)[-1])


def _between(a: LonLat, b: LonLat, f: float) -> LonLat:
    """A point a fraction f of the way from a to b (short steps: linear in wrapped lon/lat)."""
    lon = a[0] + f * wrap180(b[0] - a[0])
    return wrap180(lon) if abs(lon) > 180.0 else lon, a[1] + f * (b[1] - a[1])


def point_at(
    coords: Sequence[LonLat], distance: float, lengths: np.ndarray | None = None
) -> LonLat:
    """The point `distance` degrees along a path (clamped to its ends)."""
    lengths = cumulative(coords) if lengths is None else lengths
    if distance <= 0.0:
        return coords[0]
    if distance >= lengths[-1]:
        return coords[-1]
    index = int(np.searchsorted(lengths, distance))
    step = lengths[index] - lengths[index - 1]
    f = 0.0 if step == 0.0 else (distance - lengths[index - 1]) / step
    return _between(coords[index - 1], coords[index], f)


def cut(coords: Sequence[LonLat], start: float, end: float) -> list[LonLat]:
    """The part of a path between arc lengths `start` and `end` (degrees from its start)."""
    lengths = cumulative(coords)
    total = float(lengths[-1])
    start, end = max(0.0, start), min(total, end)
    if end <= start:
        return [
            point_at(coords, start, lengths),
            point_at(coords, min(total, start + 1e-6), lengths),
        ]
    points = [point_at(coords, start, lengths)]
    points += [p for p, c in zip(coords, lengths, strict=True) if start < c < end]
    points.append(point_at(coords, end, lengths))
    out = [points[0]]
    for point in points[1:]:
        if distance_deg(out[-1], point) > 1e-6:
            out.append(point)
    if len(out) == 1:
        out.append(points[-1])
    return out


def end_bearing(coords: Sequence[LonLat]) -> float:
    """Direction of travel at the end of a path (degrees, 0 = north)."""
    tip = coords[-1]
    for prev in reversed(coords[:-1]):
        if distance_deg(prev, tip) > 1e-6:
            return (bearing_deg(tip, prev) + 180.0) % 360.0
    raise ValueError("a path needs two distinct points")


def arrowhead_ring(coords: Sequence[LonLat], length: float, spread: float = 24.0) -> list[LonLat]:
    """A closed, clockwise triangle whose tip is the path's end (geodata.geometry.arrow_head)."""
    left, tip, right = arrow_head(
        coords[-1], end_bearing(coords), length_deg=length, spread_deg=spread
    )
    return [left, tip, right, left]


def wide_arrow_ring(
    coords: Sequence[LonLat], width: float, head_width: float, head_length: float
) -> list[LonLat]:
    """A closed outline of a wide arrow along a path: a tapering shaft and a broad head.

    `width` and `head_width` are half-widths in degrees; the tip is the path's end.
    """
    total = length_deg(coords)
    head_length = min(head_length, 0.45 * total)
    shaft = cut(coords, 0.0, total - head_length)
    lengths = cumulative(shaft)
    left, right = [], []
    for index, point in enumerate(shaft):
        if index + 1 < len(shaft):
            bearing = bearing_deg(point, shaft[index + 1])
        else:
            bearing = end_bearing(shaft)
        half = width * (0.45 + 0.55 * (lengths[index] / max(lengths[-1], 1e-9)))
        left.append(destination(point, bearing - 90.0, half))
        right.append(destination(point, bearing + 90.0, half))
    base, bearing = shaft[-1], end_bearing(shaft)
    head_left = destination(base, bearing - 90.0, head_width)
    head_right = destination(base, bearing + 90.0, head_width)
    ring = [*left, head_left, coords[-1], head_right, *reversed(right)]
    return [*ring, ring[0]]


class LonLatList:
    """lon and lat lists for one scattergeo trace, parts separated by None, and the id of the
    item each part draws (`parts`: what the map emphasises part by part)."""

    def __init__(self) -> None:
        self.lon: list[float | None] = []
        self.lat: list[float | None] = []
        self.parts: list[str] = []

    def add(self, coords: Sequence[LonLat], owner: str = "") -> None:
        if self.lon:
            self.lon.append(None)
            self.lat.append(None)
        for lon, lat in coords:
            self.lon.append(r(lon))
            self.lat.append(r(lat))
        self.parts.append(owner)

    def __bool__(self) -> bool:
        return bool(self.lon)


# --- region polygons ---------------------------------------------------------------------------


def _parts(geom: BaseGeometry) -> list[Polygon]:
    if isinstance(geom, Polygon):
        return [] if geom.is_empty else [geom]
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in _parts(g)]
    return []


SEAM = 179.99  # region rings keep to one side of the antimeridian, just short of it
MAX_EDGE = 2.0  # degrees: longer edges are split, so that they follow parallels and meridians


def _on_one_side(geom: BaseGeometry) -> list[Polygon]:
    """The parts of a region, cut at the antimeridian so that each part's longitudes keep to one
    side of it (parts joined across it, with longitudes past ±180, are cut and wrapped back)."""
    parts = []
    for part in _parts(geom):
        west, _, east, _ = part.bounds
        if west >= -180.0 and east <= 180.0:
            parts.append(part)
            continue
        for shift in (-360.0, 0.0, 360.0):
            piece = part.intersection(shapely.box(-180.0 - shift, -90.0, 180.0 - shift, 90.0))
            parts += [affinity.translate(p, xoff=shift) for p in _parts(piece)]
    return parts


def _off_seam(lon: float) -> float:
    return max(-SEAM, min(SEAM, lon))


def _pole_ring(ring: Sequence[LonLat]) -> list[LonLat] | None:
    """A ring that runs along a lon/lat box edge at a pole, turned into a loop around the pole.

    Drops the pole edge and the ±180 meridian edges; the loop goes west around the north pole
    (east around the south pole) so that the pole is on its right, inside.
    """
    pole = [p for p in ring if abs(p[1]) >= 89.999]
    if not pole:
        return None
    north = pole[0][1] > 0
    kept = [p for p in ring[:-1] if abs(p[1]) < 89.999 and not (abs(p[0]) >= 179.999)]
    if len(kept) < 3:
        return None
    unwrapped = [kept[0][0]]
    for lon, _ in kept[1:]:
        prev = unwrapped[-1]
        unwrapped.append(lon + 360.0 * round((prev - lon) / 360.0))
    eastward = unwrapped[-1] > unwrapped[0]
    if eastward == north:  # north: must travel west; south: east
        kept = kept[::-1]
    return [*kept, kept[0]]


def region_rings(
    geom: BaseGeometry, tolerance: float, min_area: float, min_hole: float
) -> list[list[list[LonLat]]]:
    """A region as GeoJSON polygon coordinates (d3 winding), simplified for the figure's size.

    d3 draws a polygon's edges as great-circle arcs and plotly tests hover on the flat lon/lat
    rings: so every part keeps to one side of the antimeridian (a region across it, such as the
    Indo-Pacific, is two parts meeting at ±179.99°), and long edges are split every MAX_EDGE
    degrees so that a box's edges follow their parallels instead of bulging towards a pole.
    """
    polygons: list[list[list[LonLat]]] = []
    simplified = shapely.make_valid(geom).simplify(tolerance, preserve_topology=True)
    for part in _on_one_side(simplified):
        if part.area < min_area:
            continue
        holes = [h for h in part.interiors if Polygon(h).area >= min_hole]
        shaped = shapely.segmentize(orient(Polygon(part.exterior, holes), sign=-1.0), MAX_EDGE)
        exterior = [(r(_off_seam(x)), r(y)) for x, y in shaped.exterior.coords]
        around_pole = _pole_ring(exterior)
        rings = [around_pole or exterior]
        rings += [[(r(x), r(y)) for x, y in h.coords] for h in shaped.interiors]
        polygons.append([[list(p) for p in ring] for ring in rings])
    return polygons


def region_outline(
    polygons: list[list[list[LonLat]]], lons: set[float], lats: set[float], whole: bool
) -> list[list[LonLat]]:
    """The lines that bound a region's extent: its exterior rings less the seams at the
    antimeridian and the poles, and, unless `whole`, less the coasts (only the edges that run
    along one of the extent's meridians `lons` or parallels `lats` are kept)."""

    def on_extent(a: LonLat, b: LonLat) -> bool:
        if abs(a[0]) >= SEAM - 0.01 and abs(b[0]) >= SEAM - 0.01:
            return False  # the seam at the antimeridian
        if abs(a[1]) >= 89.99 or abs(b[1]) >= 89.99:
            return False  # the pole
        if whole:
            return True
        same_lon = a[0] == b[0] and any(abs(a[0] - x) < 0.006 for x in lons)
        same_lat = a[1] == b[1] and any(abs(a[1] - y) < 0.006 for y in lats)
        return same_lon or same_lat

    lines: list[list[LonLat]] = []
    for polygon in polygons:
        ring = [(float(p[0]), float(p[1])) for p in polygon[0]]
        current: list[LonLat] = []
        for a, b in itertools.pairwise(ring):
            if on_extent(a, b):
                if not current:
                    current = [a]
                current.append(b)
            elif current:
                lines.append(current)
                current = []
        if current:
            lines.append(current)
    return lines


def region_feature(region_id: str, polygons: list) -> dict:
    """A GeoJSON feature for a choropleth (matched on the feature id)."""
    return {
        "type": "Feature",
        "id": region_id,
        "properties": {},
        "geometry": {"type": "MultiPolygon", "coordinates": polygons},
    }


def polygon_ring_area(ring: Sequence[LonLat]) -> float:
    """Signed planar area (lon/lat, unwrapped): negative for clockwise rings."""
    lons = [ring[0][0]]
    for lon, _ in ring[1:]:
        lons.append(lon + 360.0 * round((lons[-1] - lon) / 360.0))
    area = 0.0
    for (x0, (_, y0)), (x1, (_, y1)) in zip(
        zip(lons, ring, strict=True), zip(lons[1:], ring[1:], strict=True), strict=False
    ):
        area += x0 * y1 - x1 * y0
    return area / 2.0
