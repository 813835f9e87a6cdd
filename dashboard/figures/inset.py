"""The Europe inset: on a map where Europe, where most of the article happens, is drawn too small
to read (Brussels to Moscow under 200 px of a 1080 px slide) and its items crowd, a magnified map
of Europe in the corner of the main map that covers least of what is drawn, outlined, with a
locator frame on the main map.

The inset is a second geo subplot in a Miller projection: its range box (a lon/lat box, whose
parallels and meridians are straight there) is the rectangle plotly clips it to, so its outline
and the locator are that same lon/lat box in any figure size.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache

import numpy as np

from dashboard.figures.geo import DETAIL_RESOLUTION, Frame, Projector, basemap_file
from dashboard.figures.projection import (
    View,
    box_extent,
    invert,
    range_box,
    unit,
    world_view,
)

EUROPE_LONS = (
    -12.0,
    44.0,
)  # Portugal to the Urals' foothills: Brussels, the Baltic, Ukraine, Moscow
EUROPE_LATS = (34.0, 71.0)  # Crete and Sicily to the North Cape
# the inset's geo subplot has plotly's scope "europe" only for the file it draws its base map
# from (`<scope>_<resolution>m.json`): ours, the 1:50m world cut to the inset's box
# (scripts/make_inset_basemap.py); its framing is the world scope's (the range box set)
INSET_SCOPE = "europe"
INSET_BASEMAP = basemap_file(DETAIL_RESOLUTION, INSET_SCOPE)
BRUSSELS = (4.35, 50.85)
MOSCOW = (37.62, 55.75)
# Europe is legible when Brussels–Moscow spans this share of the map's height: 200 px of the
# ~700 px map of a 1080 px slide
LEGIBLE_SHARE = 0.28
CROWDED = 4  # things drawn in Europe that make it crowded
MAX_HEIGHT = 0.5  # of the main map's frame
MAX_WIDTH = 0.4
GAP = 6.0  # px between the inset and the main map's edge
# the corners tried, best first on a tie: (x side, y side) of the main map's frame
CORNERS = (("left", "bottom"), ("right", "bottom"), ("left", "top"), ("right", "top"))


@cache
def europe_view() -> View:
    """The inset's view: Europe's lon/lat box in a Miller projection."""
    rotation = ((EUROPE_LONS[0] + EUROPE_LONS[1]) / 2.0, 0.0)
    draft = View("miller", "miller", rotation, rotation, 1.0, EUROPE_LATS, EUROPE_LONS)
    x0, y0, x1, y1 = box_extent(draft)
    return replace(draft, center=invert(draft, (x0 + x1) / 2.0, (y0 + y1) / 2.0))


@lru_cache(maxsize=16)
def shown_extent(view: View) -> tuple[float, float, float, float]:
    """West, south, east, north of what a Miller view shows: its range box's bounds (the top
    side's great circles bulge north of its last parallel)."""
    box = range_box(view)
    return view.lons[0], view.lat_range[0], view.lons[1], float(box[:, 1].max())  # type: ignore[index]


def within(extent: tuple[float, float, float, float], lon: float, lat: float) -> bool:
    """Whether a point lies in a (west, south, east, north) box."""
    west, south, east, north = extent
    return west <= lon <= east and south <= lat <= north


def wanted(view: View, features: Sequence[np.ndarray]) -> bool:
    """Whether a map needs the inset: Europe drawn too small to read (Brussels–Moscow under
    LEGIBLE_SHARE of the map's height) and at least CROWDED of the things it draws in Europe
    (`features`: each a lon/lat point array, see dashboard.figures.framing.content_features).

    Reckoned on the view alone (not on a figure's size), so that a view has the inset or not
    wherever it is drawn."""
    return europe_too_small(view) and _crowd(shown_extent(europe_view()), features) >= CROWDED


@lru_cache(maxsize=64)
def europe_too_small(view: View) -> bool:
    """Whether Europe is drawn too small to read on a view (Brussels–Moscow on the map and
    under LEGIBLE_SHARE of its height). Memoised: a layer toggle's table of framings asks it of
    the same few views for every set of layers."""
    xs, ys, drawn = unit(
        view, np.array([BRUSSELS[0], MOSCOW[0]]), np.array([BRUSSELS[1], MOSCOW[1]])
    )
    if not drawn.all():
        return False
    _, y0, _, y1 = box_extent(view)
    span = math.dist((xs[0], ys[0]), (xs[1], ys[1])) * view.scale / (y1 - y0)
    return span < LEGIBLE_SHARE


def _crowd(extent: tuple[float, float, float, float], features: Sequence[np.ndarray]) -> int:
    """How many of the features have a point in a (west, south, east, north) box."""
    drawn = [points for points in features if len(points)]
    if not drawn:
        return 0
    starts = np.cumsum([0] + [len(points) for points in drawn[:-1]])
    return int(np.logical_or.reduceat(_within_all(extent, np.vstack(drawn)), starts).sum())


def _within_all(extent: tuple[float, float, float, float], points: np.ndarray) -> np.ndarray:
    west, south, east, north = extent
    lon, lat = points[:, 0], points[:, 1]
    return (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)


@dataclass(frozen=True)
class Inset:
    """Where the inset goes: its view, its box in the figure (px), and its Projector."""

    view: View
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in the figure
    projector: Projector

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """West, south, east, north of what it shows."""
        return shown_extent(self.view)

    def inner_extent(self, inside: float) -> tuple[float, float, float, float]:
        """The lon/lat box `inside` px within the inset's edge."""
        x0, y0, x1, y1 = self.projector.frame()
        west, north = self.projector.lonlat(x0 + inside, y0 + inside)
        east, south = self.projector.lonlat(x1 - inside, y1 - inside)
        return west, south, east, north

    def domain(self, main: Frame) -> dict:
        """The inset's `domain` in the main map's plot area (paper fractions)."""
        left, top, width, height = main.plot_box()
        x0, y0, x1, y1 = self.box
        return {
            "x": [round((x0 - left) / width, 5), round((x1 - left) / width, 5)],
            "y": [round(1.0 - (y1 - top) / height, 5), round(1.0 - (y0 - top) / height, 5)],
        }

    def main_box(self, main: Projector) -> tuple[float, float, float, float]:
        """The inset's box in the main map's plot-area pixels (as labels are placed there)."""
        x0, y0, x1, y1 = self.box
        return x0 - main.left, y0 - main.top, x1 - main.left, y1 - main.top

    def magnification(self, main: Projector) -> float:
        """How much larger a degree of Europe is drawn here than on a whole-world map of the
        main map's size."""
        world = world_view()
        step = [(16.0, 52.0), (17.0, 52.0)]

        def per_degree(projector: Projector) -> float:
            (x0, y0, _), (x1, y1, _) = projector.pixels(step)
            return math.dist((x0, y0), (x1, y1))

        return per_degree(self.projector) / per_degree(Projector(world, main.frame_plan))


def place(main: Projector, avoid: Sequence[tuple[float, float]]) -> Inset:
    """The inset in the corner of the main map's frame where it covers fewest of the points to
    `avoid` (what the main map draws), and never Europe itself."""
    view = europe_view()
    x0, y0, x1, y1 = box_extent(view)
    aspect = (x1 - x0) / (y1 - y0)
    fx0, fy0, fx1, fy1 = main.frame()
    height = min(MAX_HEIGHT * (fy1 - fy0), MAX_WIDTH * (fx1 - fx0) / aspect)
    width = height * aspect
    pixels = np.array([(x, y) for x, y, on in main.pixels(list(avoid)) if on]).reshape(-1, 2)
    europe = np.array([(x, y) for x, y, _ in main.pixels(_corners(shown_extent(view)))])
    best: tuple[float, tuple[float, float, float, float]] | None = None
    for side_x, side_y in CORNERS:
        left = fx0 + GAP if side_x == "left" else fx1 - GAP - width
        top = fy1 - GAP - height if side_y == "bottom" else fy0 + GAP
        box = (left, top, left + width, top + height)
        covered = float(np.sum(_inside(pixels, box))) + 1000.0 * _overlaps(europe, box)
        if best is None or covered < best[0]:
            best = (covered, box)
    assert best is not None
    box = tuple(v + offset for v, offset in zip(best[1], (main.left, main.top) * 2, strict=True))
    size = main.frame_plan.size
    frame = Frame(size, (box[0], box[1], size[0] - box[2], size[1] - box[3]), {})
    return Inset(view, box, Projector(view, frame))  # type: ignore[arg-type]


def _corners(extent: tuple[float, float, float, float]) -> list[tuple[float, float]]:
    west, south, east, north = extent
    lons = np.linspace(west, east, 9)
    return [(lon, lat) for lon in lons for lat in (south, north)]


def _inside(points: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    x0, y0, x1, y1 = box
    return (points[:, 0] >= x0) & (points[:, 0] <= x1) & (points[:, 1] >= y0) & (points[:, 1] <= y1)


def _overlaps(points: np.ndarray, box: tuple[float, float, float, float]) -> bool:
    """Whether the bounding box of `points` meets `box`."""
    x0, y0 = points.min(axis=0)
    x1, y1 = points.max(axis=0)
    return bool(x0 < box[2] and box[0] < x1 and y0 < box[3] and box[1] < y1)


def outline(
    extent: tuple[float, float, float, float], steps: int = 24
) -> list[tuple[float, float]]:
    """A closed lon/lat ring along a (west, south, east, north) box, dense enough to follow the
    parallels and meridians on any projection."""
    west, south, east, north = extent
    lons, lats = np.linspace(west, east, steps), np.linspace(south, north, steps)
    ring = [(lon, south) for lon in lons] + [(east, lat) for lat in lats[1:]]
    ring += [(lon, north) for lon in lons[::-1][1:]] + [(west, lat) for lat in lats[::-1][1:]]
    return [(round(float(lon), 3), round(float(lat), 3)) for lon, lat in ring]
