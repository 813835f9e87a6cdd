"""Where a view looks, and the projections as plotly.js (d3-geo) computes them, so that labels,
frames and insets can be placed in pixels before the browser draws anything.

plotly.js fits d3's range box of a geo subplot (``makeRangeBox``: the lon/lat axis ranges as a
polygon with four *great-circle* segments per parallel side) into the plot area, clips what it
draws to that box's bounding rectangle, then scales by ``projection.scale`` about
``geo.center``. `range_box` builds the same polygon, `unit` projects as d3 does (its Robinson
with the quadratic table interpolation, its Miller), and `invert` goes back.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

ROBINSON_CENTRE_LON = 10.0  # puts the map's edge through the Bering Strait
ROBINSON_LAT_RANGE = (-58.0, 86.0)
# views framed by a lon/lat range box (the others are the clipped, round ones)
RANGED = frozenset({"robinson", "miller"})
CLIP_PAD = 1e-3  # plotly's constants.clipPad, taken off each end of the axis ranges
GREAT_CIRCLE_STEPS = 48  # points per segment of the range box
VIEWS_KEPT = 256  # the bounds of the last views asked for (see box_extent)


@dataclass(frozen=True)
class View:
    """Where a map looks: projection, rotation, centre, zoom and the lon/lat range it frames."""

    projection: str  # the scenario's name (robinson | orthographic | polar), or miller (the inset)
    plotly_type: str
    rotation: tuple[float, float]
    center: tuple[float, float]
    scale: float
    lat_range: tuple[float, float] | None
    # the longitudes a ranged view frames (None: the whole world about its rotation)
    lon_range: tuple[float, float] | None = None
    # how much larger than on the whole-world map a degree is drawn, when `scale` does not say
    magnification: float | None = None

    @property
    def zoom(self) -> float:
        """How much larger than the whole-world view one degree is drawn (for symbol sizes)."""
        if self.magnification is not None:
            return self.magnification
        if self.projection == "robinson":
            return self.scale
        if self.projection == "orthographic":
            return self.scale * 1.6
        return self.scale * 1.1

    @property
    def lons(self) -> tuple[float, float]:
        """The lon range a ranged view frames."""
        return self.lon_range or (self.rotation[0] - 180.0, self.rotation[0] + 180.0)


def world_view() -> View:
    """The whole-world Robinson map (centred on ROBINSON_CENTRE_LON): what a view's
    magnification is reckoned against."""
    centre = (ROBINSON_CENTRE_LON, 0.0)
    return View("robinson", "robinson", centre, centre, 1.0, ROBINSON_LAT_RANGE)


# d3-geo-projection's Robinson table (latitude -5, 0, 5 … 90 degrees), its y column stretched as
# d3 does; interpolated quadratically between rows
# fmt: off
_ROBINSON = np.array([
    [0.9986, -0.062], [1.0, 0.0], [0.9986, 0.062], [0.9954, 0.124], [0.99, 0.186],
    [0.9822, 0.248], [0.973, 0.31], [0.96, 0.372], [0.9427, 0.434], [0.9216, 0.4958],
    [0.8962, 0.5571], [0.8679, 0.6176], [0.835, 0.6769], [0.7986, 0.7346], [0.7597, 0.7903],
    [0.7186, 0.8435], [0.6732, 0.8936], [0.6213, 0.9394], [0.5722, 0.9761], [0.5322, 1.0],
]) * np.array([1.0, 1.0144])
# fmt: on


def _robinson_factors(lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """d3's Robinson x factor and signed y of latitudes (degrees)."""
    i = np.minimum(18.0, np.abs(lat) / 5.0)
    i0 = np.floor(i).astype(int)
    di = i - i0
    a, b, c = _ROBINSON[i0], _ROBINSON[i0 + 1], _ROBINSON[np.minimum(19, i0 + 2)]
    value = b + di[:, None] * (c - a) / 2 + (di * di)[:, None] * (c - 2 * b + a) / 2
    return value[:, 0], np.sign(lat) * (math.pi / 2) * value[:, 1]


_INVERSE_LATS = np.linspace(0.0, 90.0, 3601)
_INVERSE_YS = _robinson_factors(_INVERSE_LATS)[1]


def wrap(delta: np.ndarray) -> np.ndarray:
    """Longitude differences into [-180, 180)."""
    return (delta + 180.0) % 360.0 - 180.0


def unit(view: View, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Projected coordinates on the unit sphere (y up) and whether each point is drawn."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    lon0, lat0 = view.rotation
    lam = np.radians(wrap(lon - lon0))
    if view.projection == "robinson":
        x_factor, y = _robinson_factors(np.clip(lat, -90.0, 90.0).ravel())
        return lam * x_factor.reshape(lam.shape), y.reshape(lam.shape), np.ones(lam.shape, bool)
    if view.projection == "miller":
        phi = np.radians(np.clip(lat, -89.9, 89.9))
        return lam, 1.25 * np.log(np.tan(math.pi / 4 + 0.4 * phi)), np.ones(lam.shape, bool)
    phi, phi0 = np.radians(lat), math.radians(lat0)
    cos_c = math.sin(phi0) * np.sin(phi) + math.cos(phi0) * np.cos(phi) * np.cos(lam)
    x = np.cos(phi) * np.sin(lam)
    y = math.cos(phi0) * np.sin(phi) - math.sin(phi0) * np.cos(phi) * np.cos(lam)
    if view.projection == "orthographic":
        return x, y, cos_c > 0.0
    k = np.sqrt(2.0 / np.maximum(1.0 + cos_c, 1e-9))
    return k * x, k * y, cos_c > -0.999


def invert(view: View, x: float, y: float) -> tuple[float, float]:
    """The lon/lat of a point in a ranged view's unit coordinates."""
    lon0 = view.rotation[0]
    if view.projection == "miller":
        lat = math.degrees((math.atan(math.exp(y / 1.25)) - math.pi / 4) / 0.4)
        return float(wrap(np.array(lon0 + math.degrees(x)))), lat
    if view.projection != "robinson":
        raise ValueError(f"no inverse for {view.projection}")
    lat = math.copysign(float(np.interp(abs(y), _INVERSE_YS, _INVERSE_LATS)), y)
    x_factor = float(_robinson_factors(np.array([lat]))[0][0])
    return float(wrap(np.array(lon0 + math.degrees(x / x_factor)))), lat


def robinson_half_width(y: np.ndarray) -> np.ndarray:
    """Half the width (unit x) of the Robinson world at projected heights `y`."""
    lat = np.interp(np.abs(np.asarray(y, dtype=float)), _INVERSE_YS, _INVERSE_LATS)
    return _robinson_factors(lat.ravel())[0].reshape(lat.shape) * math.pi


def great_circle(
    start: tuple[float, float], end: tuple[float, float], steps: int = GREAT_CIRCLE_STEPS
) -> np.ndarray:
    """Points (lon, lat) along the great circle from `start` to `end`, longitudes continuous from
    `start`'s (as d3 draws a polygon's edge)."""
    (lon1, lat1), (lon2, lat2) = np.radians(start), np.radians(end)
    p = np.array([math.cos(lat1) * math.cos(lon1), math.cos(lat1) * math.sin(lon1), math.sin(lat1)])
    q = np.array([math.cos(lat2) * math.cos(lon2), math.cos(lat2) * math.sin(lon2), math.sin(lat2)])
    angle = math.acos(float(np.clip(p @ q, -1.0, 1.0)))
    if angle < 1e-9:
        return np.array([start, end], dtype=float)
    f = np.linspace(0.0, 1.0, steps)[:, None]
    points = (np.sin((1 - f) * angle) * p + np.sin(f * angle) * q) / math.sin(angle)
    lons = np.degrees(np.arctan2(points[:, 1], points[:, 0]))
    lons = start[0] + wrap(lons - start[0])
    lons[-1] = end[0]
    return np.column_stack([lons, np.degrees(np.arcsin(np.clip(points[:, 2], -1.0, 1.0)))])


def range_box(view: View) -> np.ndarray:
    """Points along the lon/lat range box plotly fits into the plot area."""
    if view.projection in RANGED:
        lo, hi = view.lat_range or (-90.0, 90.0)
        west, east = view.lons
        west, east, lo, hi = west + CLIP_PAD, east - CLIP_PAD, lo + CLIP_PAD, hi - CLIP_PAD
        step = (east - west) / 4.0
        ring = [(west, lo), (west, hi)]
        ring += [(west + i * step, hi) for i in (1, 2, 3)] + [(east, hi), (east, lo)]
        ring += [(east - i * step, lo) for i in (1, 2, 3)] + [(west, lo)]
        return np.vstack([great_circle(a, b) for a, b in itertools.pairwise(ring)])
    # clipped projections: plotly's default axis ranges, rotation ± half the span
    lon0, lat0 = view.rotation
    half = 179.999
    lo, hi = max(lat0 - 90.0, -90.0), min(lat0 + 90.0, 90.0)
    lons = np.linspace(lon0 - half, lon0 + half, 145)
    lats = np.linspace(lo, hi, 73)
    edge = [(x, lo) for x in lons] + [(x, hi) for x in lons]
    edge += [(lons[0], y) for y in lats] + [(lons[-1], y) for y in lats]
    return np.array(edge)


@lru_cache(maxsize=VIEWS_KEPT)
def box_extent(view: View) -> tuple[float, float, float, float]:
    """The unit-coordinate bounds (x0, y0, x1, y1) of what plotly fits: the range box (the
    whole visible hemisphere of the orthographic globe). Memoised: framing a view's map for
    every set of its layers asks for the same few views' bounds many times."""
    if view.projection == "orthographic":
        return -1.0, -1.0, 1.0, 1.0
    box = range_box(view)
    xs, ys, _ = unit(view, box[:, 0], box[:, 1])
    return float(np.nanmin(xs)), float(np.nanmin(ys)), float(np.nanmax(xs)), float(np.nanmax(ys))


def map_aspect(view: View) -> float:
    """Width / height of the map's frame (1 for the round views)."""
    if view.projection not in RANGED:
        return 1.0
    x0, y0, x1, y1 = box_extent(view)
    return (x1 - x0) / (y1 - y0)
