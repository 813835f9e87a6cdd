"""The geo subplot's layout (projection, rotation, range, the calm base map), where the map and
its legend go in a figure (`Frame`), and the `Projector` that places lon/lat points in the
figure's pixels as plotly.js will draw them (see dashboard.figures.projection), so that labels
can be placed without collisions for a nominal figure size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dashboard.figures import style
from dashboard.figures.projection import (
    RANGED,
    View,
    box_extent,
    invert,
    map_aspect,
    robinson_half_width,
    unit,
)
from dashboard.figures.text import LINE_SPACING, text_width
from dashboard.i18n import t
from geodata.scenario import Lang

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

# The figure size labels are placed for (the export size; the dashboard is about as large).
NOMINAL_SIZE = (1600, 900)
EDGE = 4  # px of paper around the map and its legend
LEGEND_GAP = 8  # px between the map and its legend
LEGEND_FONT = 11
LEGEND_TITLE_FONT = 12
LEGEND_GROUP_GAP = 6
LEGEND_MAX_HEIGHT = 0.42  # a horizontal legend taller than this share of the figure scrolls
MIN_MAP_SHARE = 0.55  # the map keeps at least this share of the figure's height (or width)
# a map fitted to its width (plan_frame's fit_height) is at most this share of it high: a view
# framed on a tall region is narrower instead (plotly fits its box into the plot area)
TALLEST_FITTED_MAP = 9 / 16
# plotly.js legend metrics: item gap, symbol column (itemwidth 30 + two gaps), border width
_ITEM_GAP = 5.0
_SYMBOL = 40.0
_BORDER = 1.0


def resolution_for(view: View) -> int:
    """The base map a view needs on screen: 1:110m for the whole world (at dashboard size it
    shows all that 1:50m does, from an eighth of the data, drawn ~4x faster), 1:50m once zoomed
    in (a focus, a polar view fitted to a region), where 1:110m coasts turn angular."""
    return DETAIL_RESOLUTION if view.zoom >= DETAIL_ZOOM else WORLD_RESOLUTION


def basemap_file(resolution: int, scope: str = "world") -> str:
    """The name of the topojson file (without `.json`) plotly.js draws a geo subplot's base map
    from: `<scope>_<resolution>m`."""
    return f"{scope}_{resolution}m"


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
    if view.projection in RANGED:
        # the range box plotly fits, always explicit (plotly's default lon range for a zoomed
        # map in a plot area of another aspect is not rotation ± 180)
        geo["lonaxis"] = {"showgrid": False, "range": [round(x, 3) for x in view.lons]}
        if view.lat_range is not None:
            geo["lataxis"] = {"showgrid": False, "range": [round(x, 3) for x in view.lat_range]}
    if view.projection == "orthographic":
        # fit the whole visible hemisphere (the default lon ±90 box misses the far side of the
        # pole, and plotly clips the globe to the box it fitted)
        geo["lonaxis"] = {
            "showgrid": False,
            "range": [view.rotation[0] - 180.0, view.rotation[0] + 180.0],
        }
        geo["lataxis"] = {"showgrid": False, "range": [-90.0, 90.0]}
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
    view: View,
    groups: list[LegendGroup] | None = None,
    size: tuple[int, int] = NOMINAL_SIZE,
    *,
    fit_height: bool = False,
) -> Frame:
    """The margins and legend position for a view with this legend at a nominal size.

    A wide (Robinson) map takes the full width and as much height as its aspect wants, with the
    legend in the band under it; a round map (orthographic, polar) is a square as tall as the
    figure with the legend in a column to its right. With `fit_height` (the dashboard, whose page
    gives the graph the height its width asks for: see map_box_style) the figure is as tall as
    the map at its full aspect and its legend need, whatever the height of `size`.
    """
    width, height = size
    groups = groups or []
    if view.projection in RANGED:
        plot_w = width - 2 * EDGE
        legend_w, legend_h = legend_size(groups, "h", plot_w)
        band = legend_h + LEGEND_GAP if groups else 0.0
        fit_h = plot_w / map_aspect(view)
        if fit_height:
            map_h = min(fit_h, TALLEST_FITTED_MAP * plot_w)
            height = round(2 * EDGE + map_h + band)
        else:
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
        return Frame((width, height), (EDGE, EDGE, EDGE, bottom), legend)
    legend_w, _ = legend_size(groups, "v", width)
    column = legend_w + LEGEND_GAP if groups else 0.0
    column = min(column, (1.0 - MIN_MAP_SHARE) * width)
    if fit_height:
        height = round(width - column)
    side = min(height - 2 * EDGE, width - 2 * EDGE - column)
    # the square map and the legend's column beside it, centred as one block
    slack = max(0.0, (width - 2 * EDGE - column - side) / 2.0)
    legend = {"orientation": "v", "x": 1.0, "xanchor": "left", "y": 1.0, "yanchor": "top"}
    return Frame((width, height), (EDGE + slack, EDGE, EDGE + column + slack, EDGE), legend)


def map_aspect_of(frame: Frame) -> float:
    """The plot area's height / width."""
    _, _, plot_w, plot_h = frame.plot_box()
    return round(plot_h / plot_w, 5)


def map_box_style(frame: Frame) -> dict[str, str]:
    """CSS custom properties that let the page size a map's box to its figure (assets/style.css,
    `.map`): the graph is as tall as its width gives the plot area the frame's aspect, plus the
    figure's margins (the legend's band under a wide map). assets/atlas.js (fitBox) sets the same
    from a figure's layout: its meta (map_aspect_of) and margins."""
    left, top, right, bottom = (round(m) for m in frame.margin)  # as the layout has them
    return {
        "--map-aspect": f"{map_aspect_of(frame):g}",  # as JavaScript writes the number
        "--map-margin-x": f"{left + right}px",
        "--map-margin-y": f"{top + bottom}px",
    }


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
            # a key, not a control: a click on an entry would hide its trace behind the view's
            # back (its URL, file and export would still show it); the layers are switched by
            # the page's own controls
            "itemclick": False,
            "itemdoubleclick": False,
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
    }


# --- plotly's projection fit, for placing labels ------------------------------------------------


class Projector:
    """Lon/lat → pixel position in a figure's plot area (see dashboard.figures.projection), and
    whether the point is on the map."""

    def __init__(self, view: View, frame: Frame | None = None) -> None:
        self.view = view
        self.frame_plan = frame or plan_frame(view)
        self.left, self.top, width, height = self.frame_plan.plot_box()
        self.width, self.height = float(width), float(height)
        bx0, by0, bx1, by1 = box_extent(view)
        bw, bh = bx1 - bx0, by1 - by0
        fit = min(self.width / bw, self.height / bh)
        self.frame_w, self.frame_h = bw * fit, bh * fit
        self.x0 = (self.width - self.frame_w) / 2.0
        self.y0 = (self.height - self.frame_h) / 2.0
        self.k = fit * view.scale
        cx, cy, _ = unit(view, np.array([view.center[0]]), np.array([view.center[1]]))
        self.cx, self.cy = float(cx[0]), float(cy[0])
        # d3 centres the fitted box in the plot area and draws `center` at its middle
        self.mid = (self.x0 + self.frame_w / 2.0, self.y0 + self.frame_h / 2.0)

    def __call__(self, lon: float, lat: float) -> tuple[float, float, bool]:
        """Pixel (x right, y down) of a point in the plot area, and whether it is on the map."""
        return self.pixels([(lon, lat)])[0]

    def pixels(self, points: Sequence[tuple[float, float]]) -> list[tuple[float, float, bool]]:
        """The pixel of each lon/lat point and whether it is on the map (see __call__)."""
        lon, lat = np.array(points, dtype=float).reshape(-1, 2).T
        x, y, ok = unit(self.view, lon, lat)
        px = self.mid[0] + self.k * (x - self.cx)
        py = self.mid[1] - self.k * (y - self.cy)
        inside = ok & (self.x0 <= px) & (px <= self.x0 + self.frame_w)
        inside &= (self.y0 <= py) & (py <= self.y0 + self.frame_h)
        return list(zip(px.tolist(), py.tolist(), inside.tolist(), strict=True))

    def lonlat(self, px: float, py: float) -> tuple[float, float]:
        """The lon/lat drawn at a pixel of a ranged view's plot area."""
        x = self.cx + (px - self.mid[0]) / self.k
        return invert(self.view, x, self.cy - (py - self.mid[1]) / self.k)

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
        """Whether pixels lie on the map: inside the Robinson world's curved outline (all, for
        the other views, whose frame is all map)."""
        if self.view.projection != "robinson":
            return np.ones(np.shape(px), dtype=bool)
        uy = self.cy + (self.mid[1] - np.asarray(py)) / self.k
        half = robinson_half_width(uy)
        ux = self.cx + (np.asarray(px) - self.mid[0]) / self.k
        return np.abs(ux) <= half - 2.0 / self.k

    def frame(self) -> tuple[float, float, float, float]:
        """The map's pixel box (x0, y0, x1, y1) in the plot area: what plotly clips it to."""
        return self.x0, self.y0, self.x0 + self.frame_w, self.y0 + self.frame_h


def legend_title(layer: str, lang: Lang) -> str:
    """The legend group title of a layer."""
    return t(f"layer.{layer}", lang)
