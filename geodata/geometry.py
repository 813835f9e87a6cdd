"""Pure geometry helpers for the map: great-circle arcs, boxes, sea areas, arrowheads.

All coordinates are ``(lon, lat)`` in degrees (EPSG:4326).  Longitudes returned by
this module are within ``[-180, 180]`` unless a function says otherwise
(:func:`unwrap_longitudes`).  Paths that cross the antimeridian are split into a
:class:`~shapely.MultiLineString` whose parts meet exactly at ±180.

Spherical maths is done on unit vectors (a spherical Earth); planar areas
(:func:`sea_area`, :func:`lonlat_box`) are in square degrees.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

LonLat = tuple[float, float]

__all__ = [
    "LonLat",
    "angular_distance_deg",
    "arrow_head",
    "bearing_deg",
    "destination",
    "end_bearing",
    "great_circle_arc",
    "lonlat_box",
    "path_coordinates",
    "sea_area",
    "unwrap_longitudes",
    "wrap180",
]

_SAME_POINT_RAD = 1e-12  # angular separation (radians) below which two points are "the same"
_ANTIPODAL_RAD = math.pi - 1e-9  # beyond this the great circle is undefined
_MAX_BOW = 0.5


# --------------------------------------------------------------------------- helpers


def _check_point(point: Sequence[float], name: str) -> LonLat:
    """Validate a ``(lon, lat)`` pair and return it as a tuple of floats."""
    try:
        lon, lat = (float(v) for v in point)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a (lon, lat) pair, got {point!r}") from exc
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise ValueError(f"{name} must be finite, got {point!r}")
    if not -180.0 <= lon <= 180.0:
        raise ValueError(f"{name} longitude {lon} is outside [-180, 180]")
    if not -90.0 <= lat <= 90.0:
        raise ValueError(f"{name} latitude {lat} is outside [-90, 90]")
    return lon, lat


def _to_vec(lon: float, lat: float) -> np.ndarray:
    """Unit vector (x, y, z) of a lon/lat point in degrees."""
    lam, phi = math.radians(lon), math.radians(lat)
    return np.array([math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi)])


def _to_lonlat(vecs: np.ndarray) -> np.ndarray:
    """Convert an ``(n, 3)`` array of unit vectors to an ``(n, 2)`` array of lon/lat degrees."""
    x, y, z = vecs[:, 0], vecs[:, 1], vecs[:, 2]
    lon = np.degrees(np.arctan2(y, x))
    lat = np.degrees(np.arctan2(z, np.hypot(x, y)))
    return np.column_stack([lon, lat])


def _angle(u: np.ndarray, v: np.ndarray) -> float:
    """Angle in radians between two unit vectors (numerically stable for small angles)."""
    return math.atan2(float(np.linalg.norm(np.cross(u, v))), float(np.dot(u, v)))


def _angles(vecs: np.ndarray) -> np.ndarray:
    """Angles in radians between consecutive rows of an ``(n, 3)`` array of unit vectors."""
    a, b = vecs[:-1], vecs[1:]
    return np.arctan2(np.linalg.norm(np.cross(a, b), axis=1), np.einsum("ij,ij->i", a, b))


def wrap180(delta: float) -> float:
    """Wrap a longitude (or a longitude difference) into ``[-180, 180)``."""
    return (delta + 180.0) % 360.0 - 180.0


def _normalise_lon(lon: float) -> float:
    """Longitude in ``[-180, 180]`` (values already in range are returned unchanged)."""
    if -180.0 <= lon <= 180.0:
        return lon
    return wrap180(lon)


def _at_pole(lat: float) -> bool:
    return abs(lat) >= 90.0


def angular_distance_deg(start: Sequence[float], end: Sequence[float]) -> float:
    """Great-circle (central) angle between two lon/lat points, in degrees."""
    a = _to_vec(*_check_point(start, "start"))
    b = _to_vec(*_check_point(end, "end"))
    return math.degrees(_angle(a, b))


# --------------------------------------------------------------------------- arcs


def _arc_vectors(a: np.ndarray, b: np.ndarray, d: float, n_seg: int, bow: float) -> np.ndarray:
    """``n_seg + 1`` unit vectors along the (optionally bowed) great circle from a to b."""
    t = np.linspace(0.0, 1.0, n_seg + 1)
    sin_d = math.sin(d)
    g = (np.sin((1.0 - t) * d)[:, None] * a + np.sin(t * d)[:, None] * b) / sin_d
    g /= np.linalg.norm(g, axis=1)[:, None]
    if bow == 0.0:
        return g
    # Displace each point towards the pole of the great circle (left of travel) by an
    # angle that follows a parabola: 0 at both ends, bow * d at the midpoint.  Since
    # g(t) is perpendicular to the pole vector the result stays on the unit sphere.
    normal = np.cross(a, b)
    normal /= np.linalg.norm(normal)
    delta = 4.0 * bow * d * t * (1.0 - t)
    return np.cos(delta)[:, None] * g + np.sin(delta)[:, None] * normal


def _split_antimeridian(lonlat: list[LonLat], vecs: np.ndarray) -> list[list[LonLat]]:
    """Split a dense path (longitudes in [-180, 180]) at the antimeridian.

    Works in unwrapped-longitude space: consecutive longitudes are made continuous,
    crossing points are inserted wherever the path passes an odd multiple of 180°
    (latitude from the exact great-circle intersection with the 180° meridian plane),
    and the path is cut into parts that each lie within one 360°-wide cell, which are
    then shifted back into ``[-180, 180]``.
    """
    n = len(lonlat)
    lons = [p[0] for p in lonlat]
    lats = [p[1] for p in lonlat]
    # Longitude is meaningless at a pole: borrow it from the neighbour so that the pole
    # point never creates a spurious crossing.
    eff = list(lons)
    for i in range(n):
        if _at_pole(lats[i]):
            j = i - 1 if i > 0 else i + 1
            if 0 <= j < n and not _at_pole(lats[j]):
                eff[i] = lons[j]
    # Unwrap by whole turns, kept as integers next to the original longitude, so that a
    # point in the same 360° cell as its part comes back bit-for-bit unchanged.
    turns = [0]
    for i in range(1, n):
        prev_x = eff[i - 1] + 360.0 * turns[-1]
        turns.append(round((prev_x - eff[i]) / 360.0))

    # Insert crossing points; each point is (lon in [-180, 180], turns, lat).  All
    # decisions use the integer turns, so float rounding near ±180 cannot misplace a
    # point: consecutive turns differ by at most one, and when they do the segment
    # passes the boundary between the two cells (strictly, unless it ends on it).
    pts: list[tuple[float, int, float]] = [(eff[0], turns[0], lats[0])]
    for i in range(1, n):
        lon0, t0, lon1, t1 = eff[i - 1], turns[i - 1], eff[i], turns[i]
        east = t1 > t0 and lon0 < 180.0 and lon1 > -180.0
        west = t1 < t0 and lon0 > -180.0 and lon1 < 180.0
        if east or west:
            p, q = vecs[i - 1], vecs[i]
            denom = p[1] - q[1]
            s = float(p[1] / denom) if denom != 0.0 else 0.5
            s = min(max(s, 0.0), 1.0)
            v = (1.0 - s) * p + s * q
            lat_c = math.degrees(math.atan2(v[2], math.hypot(v[0], v[1])))
            pts.append((180.0, min(t0, t1), lat_c))
        pts.append((lon1, t1, lats[i]))

    def cells(lon: float, t: int) -> set[int]:
        """The 360° cells (by turn number) whose closed range contains the point."""
        return {t} | ({t + 1} if lon == 180.0 else set()) | ({t - 1} if lon == -180.0 else set())

    # Group segments by cell and shift each group back into [-180, 180].
    parts: list[list[LonLat]] = []
    prev_cell: int | None = None
    for i in range(1, len(pts)):
        (lon0, t0, lat0), (lon1, t1, lat1) = pts[i - 1], pts[i]
        shared = cells(lon0, t0) & cells(lon1, t1)
        if prev_cell in shared:
            cell = prev_cell
        elif t0 in shared:
            cell = t0
        elif shared:  # the segment starts on ±180 and leaves into the next cell
            cell = min(shared)
        else:  # cannot happen after crossing insertion; stay robust anyway
            cell = t1
        if cell != prev_cell:
            parts.append([(lon0 + 360.0 * (t0 - cell), lat0)])
            prev_cell = cell
        parts[-1].append((lon1 + 360.0 * (t1 - cell), lat1))
    return parts


def great_circle_arc(
    start: Sequence[float],
    end: Sequence[float],
    *,
    step_deg: float = 1.0,
    bow: float = 0.0,
) -> LineString | MultiLineString:
    """Densified great-circle path from ``start`` to ``end`` (lon/lat degrees).

    Points are spaced at most ``step_deg`` degrees of arc apart (at least two
    segments).  ``bow`` bends the path sideways, to the left of travel when positive:
    the midpoint is displaced perpendicular to the great circle by ``bow`` times the
    angular distance, tapering smoothly (parabolically) to zero at both ends, so
    A→B and B→A with the same bow lie on opposite sides.  ``|bow|`` must be ≤ 0.5.

    The first coordinate is ``start`` and the last is ``end``, exactly, with two
    equivalent-point exceptions: a ±180 longitude is reported with the sign of the
    side the path leaves/arrives on, and a pole takes the longitude of the meridian
    the path leaves/arrives along (so no segment runs along the top of a flat map).
    If the path crosses the antimeridian a :class:`MultiLineString` is returned,
    split at ±180 with the crossing latitude on the great circle; its parts are in
    travel order and every longitude is within ``[-180, 180]``.

    Raises :class:`ValueError` for identical or antipodal endpoints (no unique great
    circle), out-of-range coordinates, a non-positive ``step_deg`` or a too large bow.
    """
    s_lon, s_lat = _check_point(start, "start")
    e_lon, e_lat = _check_point(end, "end")
    if not (math.isfinite(step_deg) and step_deg > 0.0):
        raise ValueError(f"step_deg must be a positive number, got {step_deg!r}")
    if not (math.isfinite(bow) and abs(bow) <= _MAX_BOW):
        raise ValueError(f"bow must be within [-{_MAX_BOW}, {_MAX_BOW}], got {bow!r}")
    a, b = _to_vec(s_lon, s_lat), _to_vec(e_lon, e_lat)
    d = _angle(a, b)
    if d < _SAME_POINT_RAD:
        raise ValueError(
            f"great_circle_arc: start {start!r} and end {end!r} are the same point; "
            "an arc needs two distinct endpoints"
        )
    if d > _ANTIPODAL_RAD:
        raise ValueError(
            f"great_circle_arc: start {start!r} and end {end!r} are antipodal; "
            "the great circle between them is not unique"
        )

    step = math.radians(step_deg)
    n_seg = max(2, math.ceil(d / step - 1e-9))
    vecs = _arc_vectors(a, b, d, n_seg, bow)
    for _ in range(20):  # a bowed path is longer than d: refine until every step fits
        longest = float(_angles(vecs).max())
        if longest <= step * (1.0 + 1e-9):
            break
        n_seg = math.ceil(n_seg * longest / step) + 1
        vecs = _arc_vectors(a, b, d, n_seg, bow)
    vecs[0], vecs[-1] = a, b

    lonlat: list[LonLat] = [(float(x), float(y)) for x, y in _to_lonlat(vecs)]
    lonlat[0] = (s_lon, s_lat)
    lonlat[-1] = (e_lon, e_lat)

    parts = _split_antimeridian(lonlat, vecs)
    if len(parts) == 1:
        return LineString(parts[0])
    return MultiLineString(parts)


# --------------------------------------------------------------------------- paths


def _iter_points(coords: LineString | MultiLineString | Iterable[Sequence[float]]):
    if isinstance(coords, LineString):
        yield from ((float(x), float(y)) for x, y, *_ in coords.coords)
    elif isinstance(coords, MultiLineString):
        for part in coords.geoms:
            yield from ((float(x), float(y)) for x, y, *_ in part.coords)
    elif isinstance(coords, BaseGeometry):
        raise TypeError(f"expected a LineString or MultiLineString, got {coords.geom_type}")
    else:
        for point in coords:
            lon, lat = point[0], point[1]
            yield float(lon), float(lat)


def unwrap_longitudes(
    coords: LineString | MultiLineString | Iterable[Sequence[float]],
) -> list[LonLat]:
    """Join a (possibly antimeridian-split) path into one continuous coordinate list.

    Accepts a LineString, a travel-ordered MultiLineString or an iterable of
    ``(lon, lat)`` pairs.  Each longitude is shifted by whole turns so that it is
    within 180° of its predecessor (the first is kept as is), so the result may leave
    ``[-180, 180]``; the duplicate point where split parts meet (±180) is dropped.
    """
    out: list[LonLat] = []
    for lon, lat in _iter_points(coords):
        if out:
            prev = out[-1][0]
            lon = lon + 360.0 * round((prev - lon) / 360.0)
            if (lon, lat) == out[-1]:
                continue
        out.append((lon, lat))
    return out


def path_coordinates(geom: LineString | MultiLineString) -> list[LonLat]:
    """Travel-ordered coordinates of a path, longitudes normalised to ``[-180, 180]``.

    The duplicate point at the antimeridian where split parts meet is removed.  Plotly
    ``scattergeo`` draws each segment as the shortest geodesic, so this list crosses
    the antimeridian correctly when drawn as ``lon``/``lat`` arrays.
    """
    if not isinstance(geom, LineString | MultiLineString):
        raise TypeError(f"expected a LineString or MultiLineString, got {type(geom).__name__}")
    out: list[LonLat] = []
    for lon, lat in _iter_points(geom):
        lon = _normalise_lon(lon)
        if out and lat == out[-1][1]:
            prev = out[-1][0]
            if lon == prev or (abs(lon) == 180.0 and abs(prev) == 180.0):
                continue
        out.append((lon, lat))
    return out


# --------------------------------------------------------------------------- areas


def _densify(a: float, b: float, max_step: float = 1.0) -> np.ndarray:
    """Evenly spaced values from a to b (inclusive) no more than ``max_step`` apart."""
    n = max(1, math.ceil(abs(b - a) / max_step - 1e-9))
    return np.linspace(a, b, n + 1)


def _box_polygon(west: float, south: float, east: float, north: float) -> Polygon:
    """Counter-clockwise rectangle with every edge densified to ≤ 1°."""
    lons = _densify(west, east)
    lats = _densify(south, north)
    ring = (
        [(float(x), south) for x in lons]
        + [(east, float(y)) for y in lats[1:]]
        + [(float(x), north) for x in lons[::-1][1:]]
        + [(west, float(y)) for y in lats[::-1][1:]]
    )
    return orient(Polygon(ring), sign=1.0)


def lonlat_box(west: float, south: float, east: float, north: float) -> Polygon | MultiPolygon:
    """A lon/lat rectangle densified along its edges (vertices ≤ 1° apart).

    When ``west > east`` the box crosses the antimeridian and is returned as a
    :class:`MultiPolygon` split at ±180 (``[west, 180]`` and ``[-180, east]``).
    """
    for name, lon in (("west", west), ("east", east)):
        if not (math.isfinite(lon) and -180.0 <= lon <= 180.0):
            raise ValueError(f"{name} longitude {lon!r} is outside [-180, 180]")
    for name, lat in (("south", south), ("north", north)):
        if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
            raise ValueError(f"{name} latitude {lat!r} is outside [-90, 90]")
    if not south < north:
        raise ValueError(f"south ({south}) must be less than north ({north})")
    if west == east:
        raise ValueError(f"west and east are both {west}: the box has no width")
    if west < east:
        return _box_polygon(west, south, east, north)
    parts = [_box_polygon(w, south, e, north) for w, e in ((west, 180.0), (-180.0, east)) if w < e]
    if len(parts) == 1:
        return parts[0]
    return MultiPolygon(parts)


def _polygon_parts(geom: BaseGeometry) -> list[Polygon]:
    """All non-empty polygons in a geometry (collections are flattened)."""
    if geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in _polygon_parts(g)]
    return []


def _valid(geom: BaseGeometry) -> BaseGeometry:
    return geom if geom.is_valid else shapely.make_valid(geom)


def sea_area(
    extent: Polygon | MultiPolygon,
    land: BaseGeometry,
    *,
    min_area: float = 0.5,
) -> Polygon | MultiPolygon:
    """``extent`` minus ``land``, keeping only polygonal parts of at least ``min_area`` deg².

    Invalid inputs are repaired with :func:`shapely.make_valid`; the result is valid
    and polygonal (an empty :class:`Polygon` if nothing is left).  Holes (islands)
    are kept; only whole parts smaller than ``min_area`` are dropped.
    """
    if not isinstance(extent, Polygon | MultiPolygon):
        raise TypeError(f"extent must be a Polygon or MultiPolygon, got {type(extent).__name__}")
    if min_area < 0 or not math.isfinite(min_area):
        raise ValueError(f"min_area must be a non-negative number, got {min_area!r}")
    base = _valid(extent)
    sea = base if land is None or land.is_empty else base.difference(_valid(land))
    parts = [p for p in _polygon_parts(_valid(sea)) if p.area >= min_area and p.area > 0.0]
    if not parts:
        return Polygon()
    result: Polygon | MultiPolygon = parts[0] if len(parts) == 1 else MultiPolygon(parts)
    if not result.is_valid:  # defensive: overlapping parts from an odd repair
        merged = shapely.unary_union(parts)
        parts = _polygon_parts(_valid(merged))
        result = parts[0] if len(parts) == 1 else MultiPolygon(parts)
    return result


# --------------------------------------------------------------------------- bearings


def bearing_deg(start: Sequence[float], end: Sequence[float]) -> float:
    """Initial great-circle bearing from ``start`` to ``end`` in degrees [0, 360).

    0 = north, 90 = east.  Raises :class:`ValueError` if the points coincide.
    """
    s_lon, s_lat = _check_point(start, "start")
    e_lon, e_lat = _check_point(end, "end")
    if _angle(_to_vec(s_lon, s_lat), _to_vec(e_lon, e_lat)) < _SAME_POINT_RAD:
        raise ValueError(f"bearing is undefined: {start!r} and {end!r} are the same point")
    phi1, phi2 = math.radians(s_lat), math.radians(e_lat)
    dlam = math.radians(e_lon - s_lon)
    y = math.sin(dlam) * math.cos(phi2)
    x = math.cos(phi1) * math.sin(phi2) - math.sin(phi1) * math.cos(phi2) * math.cos(dlam)
    result = math.degrees(math.atan2(y, x)) % 360.0
    return 0.0 if result >= 360.0 else result  # -1e-300 % 360 rounds to 360.0


def destination(lon: float, lat: float, bearing: float, dist_deg: float) -> LonLat:
    """Point reached from (lon, lat) travelling ``dist_deg`` of arc along ``bearing`` (0 =
    north); its longitude is not wrapped (callers wrap it as they need)."""
    phi1, lam1 = math.radians(lat), math.radians(lon)
    theta, delta = math.radians(bearing), math.radians(dist_deg)
    sin_phi2 = math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(theta)
    phi2 = math.asin(max(-1.0, min(1.0, sin_phi2)))
    lam2 = lam1 + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi1),
        math.cos(delta) - math.sin(phi1) * sin_phi2,
    )
    return math.degrees(lam2), math.degrees(phi2)


def arrow_head(
    tip: Sequence[float],
    bearing: float,
    *,
    length_deg: float = 2.5,
    spread_deg: float = 25.0,
) -> list[LonLat]:
    """``[left_barb, tip, right_barb]`` of an arrowhead at ``tip`` pointing along ``bearing``.

    ``bearing`` is the direction of travel at the tip (see :func:`end_bearing`).
    Each barb is ``length_deg`` of great-circle arc behind the tip, ``spread_deg``
    either side of the reverse bearing; "left" is left of the direction of travel.
    """
    t_lon, t_lat = _check_point(tip, "tip")
    if not (math.isfinite(length_deg) and length_deg > 0.0):
        raise ValueError(f"length_deg must be positive, got {length_deg!r}")
    if not (math.isfinite(spread_deg) and 0.0 < spread_deg < 90.0):
        raise ValueError(f"spread_deg must be within (0, 90), got {spread_deg!r}")
    if not math.isfinite(bearing):
        raise ValueError(f"bearing must be finite, got {bearing!r}")
    back = bearing + 180.0

    def barb(turn: float) -> LonLat:
        lon, lat = destination(t_lon, t_lat, (back + turn) % 360.0, length_deg)
        return _normalise_lon(lon), lat

    return [barb(spread_deg), (t_lon, t_lat), barb(-spread_deg)]


def end_bearing(geom: LineString | MultiLineString) -> float:
    """Direction of travel (degrees, 0 = north) at the end of a path.

    Uses the final segment: the final bearing of the geodesic from the last-but-one
    distinct point to the last point (i.e. the reverse of the bearing back along it),
    which is exact for a densified great-circle path and antimeridian-safe.
    """
    coords = path_coordinates(geom)
    if not coords:
        raise ValueError("end_bearing: the path is empty")
    last = coords[-1]
    last_vec = _to_vec(*last)
    for prev in reversed(coords[:-1]):
        if _angle(_to_vec(*prev), last_vec) >= _SAME_POINT_RAD:
            result = (bearing_deg(last, prev) + 180.0) % 360.0
            return 0.0 if result >= 360.0 else result
    raise ValueError("end_bearing: the path has fewer than two distinct points")
