"""The geo subplot: projection, rotation, focus and zoom, the calm base map, and the layout.

Also a small model of how plotly.js fits the projection into the plot area (d3 ``fitExtent`` on
the lon/lat range box, then ``projection.scale`` about ``geo.center``), so that labels can be
placed without collisions for a nominal figure size.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from shapely.geometry import LineString, MultiLineString

from dashboard.figures import style
from dashboard.figures.text import LINE_SPACING, text_width
from dashboard.i18n import t
from geodata.atlas import Atlas, spherical_mean
from geodata.geometry import path_coordinates
from geodata.scenario import Lang
from geodata.select import Layers

# plotly's base maps: Natural Earth 1:110m for world views, 1:50m for zoomed views and exports
WORLD_RESOLUTION = 110
DETAIL_RESOLUTION = 50
DETAIL_ZOOM = 1.8  # a view zoomed this much or more (View.zoom) draws the 1:50m base map
# iso3 codes of the atlas's countries that plotly's base map of each resolution has no outline
# for (checked against dashboard/assets/topojson by tests/dashboard/figures/test_figures.py)
_NO_OUTLINE_AT_50M = frozenset({"ATC", "CYN", "IOA", "KAS", "SOL", "TUV", "XKX"})
# the atlas's countries missing from world_110m only: small islands and states (none the article
# names: tests/dashboard/figures/test_figures.py), drawn as points on world views
# fmt: off
_NO_OUTLINE_AT_110M_ONLY = frozenset({
    "ABW", "AIA", "ALA", "AND", "ASM", "ATG", "BHR", "BLM", "BMU", "BRB", "COK", "COM", "CPV", "CUW", "CYM",
    "DMA", "FRO", "FSM", "GGY", "GRD", "GUM", "HKG", "HMD", "IMN", "IOT", "JEY", "KIR", "KNA", "LCA", "LIE",
    "MAC", "MAF", "MCO", "MDV", "MHL", "MLT", "MNP", "MSR", "MUS", "NFK", "NIU", "NRU", "PCN", "PLW", "PYF",
    "SGP", "SGS", "SHN", "SMR", "SPM", "STP", "SXM", "SYC", "TCA", "TON", "VAT", "VCT", "VGB", "VIR", "WLF",
    "WSM",
})
# fmt: on
MISSING_FROM_BASE_MAP: dict[int, frozenset[str]] = {
    DETAIL_RESOLUTION: _NO_OUTLINE_AT_50M,
    WORLD_RESOLUTION: _NO_OUTLINE_AT_50M | _NO_OUTLINE_AT_110M_ONLY,
}

ROBINSON_CENTRE_LON = 10.0  # puts the map's edge through the Bering Strait
ROBINSON_LAT_RANGE = (-58.0, 86.0)
EUROPE = (10.0, 50.0)
FOCUS_SCALE = {"robinson": 3.0, "orthographic": 1.5}
# The figure size labels are placed for (the export size; the dashboard is about as large).
NOMINAL_SIZE = (1600, 900)
EDGE = 4  # px of paper around the map and its legend
LEGEND_GAP = 8  # px between the map and its legend
LEGEND_FONT = 11
LEGEND_TITLE_FONT = 12
LEGEND_GROUP_GAP = 6
LEGEND_MAX_HEIGHT = 0.42  # a horizontal legend taller than this share of the figure scrolls
MIN_MAP_SHARE = 0.55  # the map keeps at least this share of the figure's height (or width)
# plotly fits a Robinson map a little taller than the model: a plot area a little taller than
# the map keeps the fit width-limited (so labels land where they are placed)
ROBINSON_HEADROOM = 1.08
# plotly.js legend metrics: item gap, symbol column (itemwidth 30 + two gaps), border width
_ITEM_GAP = 5.0
_SYMBOL = 40.0
_BORDER = 1.0


@dataclass(frozen=True)
class View:
    """Where the map looks: plotly projection type, rotation, centre, zoom and latitude range."""

    projection: str  # the scenario's name: robinson | orthographic | polar
    plotly_type: str
    rotation: tuple[float, float]
    center: tuple[float, float]
    scale: float
    lat_range: tuple[float, float] | None

    @property
    def zoom(self) -> float:
        """How much larger than the whole-world view one degree is drawn (for symbol sizes)."""
        if self.projection == "robinson":
            return self.scale
        if self.projection == "orthographic":
            return self.scale * 1.6
        return self.scale * 1.1


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
    """The view a scenario asks for; the polar view is zoomed to what the shown layers draw.

    `keep`: points the view must show (what a selected sentence emphasises). When the view
    leaves some out, it is widened to them: a Robinson map zoomed on its focus to the whole
    world, the globe turned to face them, the polar view zoomed out to take them in."""
    view = _asked_view(layers, atlas, visible)
    if not keep or shows(view, keep):
        return view
    if view.projection == "orthographic":
        lon, lat = spherical_mean(list(keep))
        return View("orthographic", "orthographic", (lon, lat), (lon, lat), 1.0, None)
    if view.projection == "polar":
        visible = set(layers.scenario.layers if visible is None else visible)
        lon0 = view.rotation[0]
        focus = focus_point(atlas, layers.scenario.focus)
        centre, scale = _polar_frame(layers, atlas, lon0, focus, visible, keep)
        return View("polar", "azimuthal equal area", (lon0, 90.0), centre, scale, None)
    return _world_robinson()


def shows(view: View, points: Sequence[tuple[float, float]]) -> bool:
    """Whether every point is on the map of a view (a Robinson map's latitudes clipped to its
    range: what lies beyond it, such as Antarctica, is never on it)."""
    if view.lat_range is not None:
        low, high = view.lat_range
        points = [(lon, min(max(lat, low), high)) for lon, lat in points]
    return all(inside for _, _, inside in Projector(view).pixels(points))


def _world_robinson() -> View:
    lat_range = ROBINSON_LAT_RANGE
    centre = (ROBINSON_CENTRE_LON, (lat_range[0] + lat_range[1]) / 2)
    return View("robinson", "robinson", (ROBINSON_CENTRE_LON, 0.0), centre, 1.0, lat_range)


def _asked_view(layers: Layers, atlas: Atlas, visible: Iterable[str] | None) -> View:
    """The view of the scenario's projection and focus."""
    scenario = layers.scenario
    focus = focus_point(atlas, scenario.focus)
    if scenario.projection == "orthographic":
        lon, lat = focus or atlas.anchors.get("euro_atlantic", EUROPE)
        scale = FOCUS_SCALE["orthographic"] if focus else 1.0
        return View("orthographic", "orthographic", (lon, lat), (lon, lat), scale, None)
    if scenario.projection == "polar":
        lon = focus[0] if focus else ROBINSON_CENTRE_LON
        centre, scale = _polar_frame(
            layers, atlas, lon, focus, set(scenario.layers if visible is None else visible)
        )
        return View("polar", "azimuthal equal area", (lon, 90.0), centre, scale, None)
    if focus:
        return View(
            "robinson",
            "robinson",
            (focus[0], 0.0),
            focus,
            FOCUS_SCALE["robinson"],
            ROBINSON_LAT_RANGE,
        )
    return _world_robinson()


POLAR_PAD = 0.1  # of the framed half-size, around what the polar view frames
POLAR_SCALES = (0.95, 3.0)
POLAR_MIN_SCALE_TO_KEEP = 0.3  # zoomed out this far at most to show points kept in view


def _polar_frame(
    layers: Layers,
    atlas: Atlas,
    lon0: float,
    focus: tuple[float, float] | None,
    visible: set[str],
    keep: Sequence[tuple[float, float]] = (),
) -> tuple[tuple[float, float], float]:
    """Centre and zoom of the north-polar view: the square about the pole around what the shown
    layers draw in the Northern hemisphere (the threat picture alone when it is shown) and the
    focus, with a margin. What lies further south, such as Australia, is left to panning,
    unless it is a point to `keep` in view (then the view zooms out to it).

    plotly fits latitude 0–90 (a disc of radius √2 on the unit sphere) at scale 1; the square
    frame then spans ±√2, so a square of half-size h about the pole is framed at scale √2 / h.
    (The view stays centred on the pole: plotly moves an off-pole `center` of this projection
    in a way the label placement does not model.)"""
    points = [p for p in _drawn_points(layers, atlas, visible) if p[1] >= 0.0]
    if focus:
        points.append(focus)
    points += keep
    if not points:
        return (lon0, 90.0), 1.0
    pole = View("polar", "azimuthal equal area", (lon0, 90.0), (lon0, 90.0), 1.0, None)
    lons, lats = np.array([p[0] for p in points]), np.array([p[1] for p in points])
    xs, ys, _ = Projector.unit(pole, lons, lats)
    half = float(max(np.abs(xs).max(), np.abs(ys).max())) * (1.0 + POLAR_PAD) + 0.04
    low = POLAR_MIN_SCALE_TO_KEEP if keep else POLAR_SCALES[0]
    scale = float(min(max(math.sqrt(2.0) / half, low), POLAR_SCALES[1]))
    return (lon0, 90.0), scale


def _drawn_points(layers: Layers, atlas: Atlas, visible: set[str]) -> Iterable[tuple[float, float]]:
    """End points of what the shown layers draw (threats alone when they are shown)."""
    anchors = atlas.anchors
    threats_only = "threats" in visible and len(layers.threats) > 0
    frames = [layers.threats]
    if not threats_only:
        frames.append(layers.relations[layers.relations.layer.isin(visible)])
    for frame in frames:
        for geom in frame.geometry:
            if isinstance(geom, LineString | MultiLineString):
                coords = path_coordinates(geom)
                yield coords[0]
                yield coords[-1]
    if threats_only:
        return
    if "events" in visible:
        for point in layers.events.geometry:
            yield float(point.x), float(point.y)
    for iso3 in set(layers.memberships.iso3):
        if iso3 in anchors:
            yield anchors[iso3]


def resolution_for(view: View) -> int:
    """The base map a view needs on screen: 1:110m for the whole world (at dashboard size it
    shows all that 1:50m does, from an eighth of the data, drawn ~4x faster), 1:50m once zoomed
    in (a focus, a polar view fitted to a region), where 1:110m coasts turn angular."""
    return DETAIL_RESOLUTION if view.zoom >= DETAIL_ZOOM else WORLD_RESOLUTION


def geo_layout(view: View, resolution: int = DETAIL_RESOLUTION) -> dict:
    """The layout.geo dict: calm greys and the view's projection, on the base map of
    `resolution` (50 or 110).

    The sea is the paper (lakes too), the frame outlines the map, and the countries' outlines
    draw the coasts: plotly.js converts and draws the topojson once per base layer, and an
    ocean fill plus a coastline layer cost ~60 ms more drawing of the dashboard's map."""
    projection: dict = {
        "type": view.plotly_type,
        "rotation": {"lon": round(view.rotation[0], 3), "lat": round(view.rotation[1], 3)},
        "scale": round(view.scale, 4),
    }
    geo = {
        "projection": projection,
        "center": {"lon": round(view.center[0], 3), "lat": round(view.center[1], 3)},
        "resolution": resolution,
        "showframe": True,
        "framecolor": style.FRAME,
        "framewidth": 0.8,
        "showland": True,
        "landcolor": style.LAND,
        "showocean": False,
        "showlakes": True,
        "lakecolor": style.WHITE,
        "showcoastlines": False,
        "showcountries": True,
        "countrycolor": style.BORDER,
        "countrywidth": 0.5,
        "showrivers": False,
        "showsubunits": False,
        "bgcolor": style.TRANSPARENT,
        "fitbounds": False,
        "lonaxis": {"showgrid": False},
        "lataxis": {"showgrid": False},
    }
    if view.lat_range is not None:
        geo["lataxis"] = {"showgrid": False, "range": list(view.lat_range)}
    if view.projection == "orthographic":
        # fit the whole visible hemisphere (the default lon ±90 box misses the far side of the
        # pole, and plotly clips the globe to the box it fitted)
        geo["lonaxis"] = {
            "showgrid": False,
            "range": [view.rotation[0] - 180.0, view.rotation[0] + 180.0],
        }
        geo["lataxis"] = {"showgrid": False, "range": [-90.0, 90.0]}
    if view.projection == "robinson" and view.scale == 1.0:
        geo["lonaxis"] = {
            "showgrid": False,
            "range": [view.rotation[0] - 180.0, view.rotation[0] + 180.0],
        }
    return geo


@dataclass(frozen=True)
class LegendGroup:
    """One legend group as plotly draws it: a title and the names of its entries."""

    title: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Frame:
    """Where the map and its legend go in a figure of a nominal size (px, y down).

    The margins hold the legend (under a wide map, right of a round one), so that the plot area
    is the map's own box and labels can be placed for it. The figure keeps plotly's automatic
    margins, so a browser at another size still fits everything in.
    """

    size: tuple[int, int]
    margin: tuple[float, float, float, float]  # l, t, r, b
    legend: dict

    def plot_box(self) -> tuple[float, float, float, float]:
        """The plot area (x0, y0, width, height) the map is fitted into."""
        left, top, right, bottom = self.margin
        return left, top, self.size[0] - left - right, self.size[1] - top - bottom


def _item_height(text: str, size: float) -> float:
    lines = text.count("<br>") + 1
    return max(size * LINE_SPACING * lines, 16.0) + 3.0


def legend_size(
    groups: list[LegendGroup], orientation: str, max_width: float
) -> tuple[float, float]:
    """Width and height (px) of a grouped legend, laid out as plotly.js does (horizontal: group
    columns side by side, wrapped into rows at `max_width`; vertical: one column)."""
    if not groups:
        return 0.0, 0.0
    widths, heights = [], []
    for group in groups:
        title_w = text_width(group.title, LEGEND_TITLE_FONT) - 30.0
        item_w = [text_width(item, LEGEND_FONT) for item in group.items]
        widths.append(max([title_w, *item_w]) + _SYMBOL)
        heights.append(
            _item_height(group.title, LEGEND_TITLE_FONT)
            + sum(_item_height(item, LEGEND_FONT) for item in group.items)
        )
    pad = 2.0 * (_BORDER + _ITEM_GAP)
    if orientation == "v":
        height = sum(heights) + pad + (len(groups) - 1) * LEGEND_GROUP_GAP
        return max(widths) + _ITEM_GAP + 2.0 * _BORDER, height
    x = row_top = row_height = widest = 0.0
    for width, height in zip(widths, heights, strict=True):
        column = width + _ITEM_GAP
        if x > 0 and column + _BORDER + x > max_width:
            widest, x = max(widest, x), 0.0
            row_top += row_height + LEGEND_GROUP_GAP
            row_height = height
        else:
            row_height = max(row_height, height)
        x += column
    return max(widest, x) + _BORDER, row_top + row_height + pad


def plan_frame(
    view: View, groups: list[LegendGroup] | None = None, size: tuple[int, int] = NOMINAL_SIZE
) -> Frame:
    """The margins and legend position for a view with this legend at a nominal size.

    A wide (Robinson) map takes the full width and as much height as its aspect wants, with the
    legend in the band under it; a round map (orthographic, polar) is a square as tall as the
    figure with the legend in a column to its right.
    """
    width, height = size
    groups = groups or []
    if view.projection == "robinson":
        plot_w = width - 2 * EDGE
        legend_w, legend_h = legend_size(groups, "h", plot_w)
        band = legend_h + LEGEND_GAP if groups else 0.0
        fit_h = plot_w / map_aspect(view) * ROBINSON_HEADROOM
        map_h = max(min(fit_h, height - 2 * EDGE - band), MIN_MAP_SHARE * height)
        map_h = min(map_h, fit_h, height - 2 * EDGE)
        bottom = height - EDGE - map_h
        legend = {
            "orientation": "h",
            "x": 0.0,
            "xanchor": "left",
            "y": round(-LEGEND_GAP / map_h, 4),
            "yanchor": "top",
            "maxheight": LEGEND_MAX_HEIGHT,
        }
        return Frame(size, (EDGE, EDGE, EDGE, bottom), legend)
    legend_w, _ = legend_size(groups, "v", width)
    column = legend_w + LEGEND_GAP if groups else 0.0
    column = min(column, (1.0 - MIN_MAP_SHARE) * width)
    side = min(height - 2 * EDGE, width - 2 * EDGE - column)
    # the square map and the legend's column beside it, centred as one block
    slack = max(0.0, (width - 2 * EDGE - column - side) / 2.0)
    legend = {"orientation": "v", "x": 1.0, "xanchor": "left", "y": 1.0, "yanchor": "top"}
    return Frame(size, (EDGE + slack, EDGE, EDGE + column + slack, EDGE), legend)


def map_aspect(view: View) -> float:
    """Width / height of the map's frame (1 for the round views)."""
    if view.projection != "robinson":
        return 1.0
    box = Projector.range_box(view)
    xs, ys, _ = Projector.unit(view, box[:, 0], box[:, 1])
    return float((np.nanmax(xs) - np.nanmin(xs)) / (np.nanmax(ys) - np.nanmin(ys)))


def layout(
    view: View, lang: Lang, frame: Frame | None = None, resolution: int = DETAIL_RESOLUTION
) -> dict:
    """The whole figure layout: geo, margins that hold the legend, fonts and hover labels."""
    frame = frame or plan_frame(view)
    left, top, right, bottom = frame.margin
    return {
        "geo": geo_layout(view, resolution),
        "margin": {"l": round(left), "t": round(top), "r": round(right), "b": round(bottom)},
        "paper_bgcolor": style.WHITE,
        "font": {"family": style.FONT_FAMILY, "size": 12, "color": style.DARK},
        "showlegend": True,
        "legend": {
            **frame.legend,
            "bgcolor": "rgba(255,255,255,0.92)",
            "bordercolor": "#D0D0D0",
            "borderwidth": 1,
            "font": {"size": LEGEND_FONT},
            "grouptitlefont": {"size": LEGEND_TITLE_FONT, "color": style.DARK},
            "tracegroupgap": LEGEND_GROUP_GAP,
            "itemsizing": "constant",
            "groupclick": "toggleitem",
            "traceorder": "grouped",
            "title": {"text": ""},
        },
        "hoverlabel": {
            "font": {"family": style.FONT_FAMILY, "size": 12},
            "bgcolor": "rgba(255,255,255,0.96)",
            "bordercolor": "#888",
            "align": "left",
        },
        "hovermode": "closest",
        "dragmode": "pan",
        "uirevision": f"{view.projection}:{lang}:{view.center[0]:.2f},{view.center[1]:.2f}",
        "meta": {"projection": view.projection, "lang": lang},
    }


# --- a model of plotly's projection fit, for placing labels ----------------------------------

# fmt: off
_ROBINSON_X = np.array([
    1.0, 0.9986, 0.9954, 0.9900, 0.9822, 0.9730, 0.9600, 0.9427, 0.9216, 0.8962,
    0.8679, 0.8350, 0.7986, 0.7597, 0.7186, 0.6732, 0.6213, 0.5722, 0.5322,
])
_ROBINSON_Y = np.array([
    0.0, 0.0620, 0.1240, 0.1860, 0.2480, 0.3100, 0.3720, 0.4340, 0.4958, 0.5571,
    0.6176, 0.6769, 0.7346, 0.7903, 0.8435, 0.8936, 0.9394, 0.9761, 1.0,
])
# fmt: on
_ROBINSON_LATS = np.arange(0.0, 90.1, 5.0)


def _wrap(delta: np.ndarray) -> np.ndarray:
    return (delta + 180.0) % 360.0 - 180.0


class Projector:
    """Lon/lat → pixel position in the nominal plot area, and whether the point is on the map."""

    def __init__(self, view: View, frame: Frame | None = None) -> None:
        self.view = view
        self.frame_plan = frame or plan_frame(view)
        self.left, self.top, width, height = self.frame_plan.plot_box()
        self.width, self.height = float(width), float(height)
        if view.projection == "orthographic":  # the whole visible hemisphere (see geo_layout)
            bw = bh = 2.0
        else:
            box = self.range_box(view)
            xs, ys, _ = self.unit(view, box[:, 0], box[:, 1])
            bw, bh = float(np.nanmax(xs) - np.nanmin(xs)), float(np.nanmax(ys) - np.nanmin(ys))
        fit = min(self.width / bw, self.height / bh)
        self.frame_w, self.frame_h = bw * fit, bh * fit
        self.x0 = (self.width - self.frame_w) / 2.0
        self.y0 = (self.height - self.frame_h) / 2.0
        self.k = fit * view.scale
        cx, cy, _ = self.unit(view, np.array([view.center[0]]), np.array([view.center[1]]))
        self.cx, self.cy = float(cx[0]), float(cy[0])

    @staticmethod
    def range_box(view: View) -> np.ndarray:
        """Points along the lon/lat range box plotly fits into the plot area."""
        if view.projection == "robinson":
            lo, hi = view.lat_range or (-90.0, 90.0)
            lon0 = view.rotation[0]
            lons = np.linspace(lon0 - 179.999, lon0 + 179.999, 73)
            lats = np.linspace(lo, hi, 37)
            edge = [(x, lo) for x in lons] + [(x, hi) for x in lons]
            edge += [(lons[0], y) for y in lats] + [(lons[-1], y) for y in lats]
            return np.array(edge)
        # clipped projections: plotly's default axis ranges, rotation ± half the span
        lon0, lat0 = view.rotation
        half = 179.999
        lo, hi = max(lat0 - 90.0, -90.0), min(lat0 + 90.0, 90.0)
        lons = np.linspace(lon0 - half, lon0 + half, 145)
        lats = np.linspace(lo, hi, 73)
        edge = [(x, lo) for x in lons] + [(x, hi) for x in lons]
        edge += [(lons[0], y) for y in lats] + [(lons[-1], y) for y in lats]
        return np.array(edge)

    @staticmethod
    def unit(
        view: View, lon: np.ndarray, lat: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Projected coordinates on the unit sphere (y up) and visibility."""
        lon0, lat0 = view.rotation
        if view.projection == "robinson":
            lam = np.radians(_wrap(lon - lon0))
            alat = np.clip(np.abs(lat), 0.0, 90.0)
            x = 0.8487 * np.interp(alat, _ROBINSON_LATS, _ROBINSON_X) * lam
            y = 1.3523 * np.interp(alat, _ROBINSON_LATS, _ROBINSON_Y) * np.sign(lat)
            return x, y, np.ones_like(x, dtype=bool)
        lam = np.radians(_wrap(lon - lon0))
        phi, phi0 = np.radians(lat), math.radians(lat0)
        cos_c = math.sin(phi0) * np.sin(phi) + math.cos(phi0) * np.cos(phi) * np.cos(lam)
        x = np.cos(phi) * np.sin(lam)
        y = math.cos(phi0) * np.sin(phi) - math.sin(phi0) * np.cos(phi) * np.cos(lam)
        if view.projection == "orthographic":
            return x, y, cos_c > 0.0
        k = np.sqrt(2.0 / np.maximum(1.0 + cos_c, 1e-9))
        return k * x, k * y, cos_c > -0.999

    def __call__(self, lon: float, lat: float) -> tuple[float, float, bool]:
        """Pixel (x right, y down) of a point in the plot area, and whether it is on the map."""
        return self.pixels([(lon, lat)])[0]

    def pixels(self, points: Sequence[tuple[float, float]]) -> list[tuple[float, float, bool]]:
        """The pixel of each lon/lat point and whether it is on the map (see __call__)."""
        lon, lat = np.array(points, dtype=float).reshape(-1, 2).T
        x, y, ok = self.unit(self.view, lon, lat)
        px = self.x0 + self.frame_w / 2.0 + self.k * (x - self.cx)
        py = self.y0 + self.frame_h / 2.0 - self.k * (y - self.cy)
        inside = ok & (self.x0 <= px) & (px <= self.x0 + self.frame_w)
        inside &= (self.y0 <= py) & (py <= self.y0 + self.frame_h)
        return list(zip(px.tolist(), py.tolist(), inside.tolist(), strict=True))

    def offset(self, lon: float, lat: float, dx: float, dy: float) -> tuple[float, float]:
        """The lon/lat that lies (dx, dy) pixels from a point (x right, y down), by the local
        linear approximation of the projection."""
        if dx == 0.0 and dy == 0.0:
            return lon, lat
        step = 0.25
        lon1 = (lon + step + 180.0) % 360.0 - 180.0
        lat1 = lat + step if lat + step < 89.9 else lat - step
        (x0, y0, _), (x_lon, y_lon, _), (x_lat, y_lat, _) = self.pixels(
            [(lon, lat), (lon1, lat), (lon, lat1)]
        )
        dlat_step = lat1 - lat
        a, b = (x_lon - x0) / step, (x_lat - x0) / dlat_step
        c, d = (y_lon - y0) / step, (y_lat - y0) / dlat_step
        det = a * d - b * c
        if abs(det) < 1e-9:
            return lon, lat
        dlon = (d * dx - b * dy) / det
        dlat = (-c * dx + a * dy) / det
        return (lon + dlon + 180.0) % 360.0 - 180.0, max(-89.9, min(89.9, lat + dlat))

    def within_outline(self, px: np.ndarray, py: np.ndarray) -> np.ndarray:
        """Whether pixels lie inside a Robinson map's curved outline (all, for the round views,
        whose frame is their square)."""
        if self.view.projection != "robinson":
            return np.ones(np.shape(px), dtype=bool)
        uy = self.cy + (self.y0 + self.frame_h / 2.0 - py) / self.k
        alat = np.interp(np.abs(uy) / 1.3523, _ROBINSON_Y, _ROBINSON_LATS)
        half = 0.8487 * np.interp(alat, _ROBINSON_LATS, _ROBINSON_X) * math.pi
        ux = self.cx + (px - self.x0 - self.frame_w / 2.0) / self.k
        return np.abs(ux) <= half - 2.0 / self.k

    def frame(self) -> tuple[float, float, float, float]:
        """The map's pixel box (x0, y0, x1, y1) in the plot area."""
        return self.x0, self.y0, self.x0 + self.frame_w, self.y0 + self.frame_h


def legend_title(layer: str, lang: Lang) -> str:
    """The legend group title of a layer."""
    return t(f"layer.{layer}", lang)
