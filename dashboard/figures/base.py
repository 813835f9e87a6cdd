"""The geo subplot: projection, rotation, focus and zoom, the calm base map, and the layout.

Also a small model of how plotly.js fits the projection into the plot area (d3 ``fitExtent`` on
the lon/lat range box, then ``projection.scale`` about ``geo.center``), so that labels can be
placed without collisions for a nominal figure size.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from shapely.geometry import LineString, MultiLineString

from dashboard.figures import style
from dashboard.figures.text import t
from geodata.atlas import Atlas
from geodata.geometry import path_coordinates
from geodata.scenario import Lang
from geodata.select import Layers

# iso3 codes of the countries layer that plotly's world_50m base map has no outline for
# (checked against shared/plotly-topojson/world_50m.json by tests/test_figures.py)
MISSING_FROM_BASEMAP: frozenset[str] = frozenset({"ATC", "CYN", "IOA", "KAS", "SOL", "TUV", "XKX"})

ROBINSON_CENTRE_LON = 10.0  # puts the map's edge through the Bering Strait
ROBINSON_LAT_RANGE = (-58.0, 86.0)
EUROPE = (10.0, 50.0)
FOCUS_SCALE = {"robinson": 3.0, "orthographic": 1.5}
# The figure size labels are placed for (the export size; the dashboard is about as large).
NOMINAL_SIZE = (1600, 900)
# Robinson (wide) maps have the legend under the map, the round views (orthographic, polar) on
# the right; the nominal space the legend takes, for label placement:
NOMINAL_LEGEND_HEIGHT = 170
NOMINAL_LEGEND_WIDTH = 330
MARGIN = {"l": 4, "r": 4, "t": 4, "b": 4}


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
        if len(rows):
            coords = path_coordinates(rows.geometry.iloc[0])
            return coords[len(coords) // 2]
    return None


def make_view(layers: Layers, atlas: Atlas, visible: Iterable[str] | None = None) -> View:
    """The view a scenario asks for; the polar view is zoomed to what the shown layers draw."""
    scenario = layers.scenario
    focus = focus_point(atlas, scenario.focus)
    if scenario.projection == "orthographic":
        lon, lat = focus or atlas.anchors.get("euro_atlantic", EUROPE)
        scale = FOCUS_SCALE["orthographic"] if focus else 1.0
        return View("orthographic", "orthographic", (lon, lat), (lon, lat), scale, None)
    if scenario.projection == "polar":
        lon = focus[0] if focus else ROBINSON_CENTRE_LON
        scale = _polar_scale(
            layers, atlas, focus, set(scenario.layers if visible is None else visible)
        )
        return View("polar", "azimuthal equal area", (lon, 90.0), (lon, 90.0), scale, None)
    lat_range = ROBINSON_LAT_RANGE
    if focus:
        return View(
            "robinson", "robinson", (focus[0], 0.0), focus, FOCUS_SCALE["robinson"], lat_range
        )
    centre = (ROBINSON_CENTRE_LON, (lat_range[0] + lat_range[1]) / 2)
    return View("robinson", "robinson", (ROBINSON_CENTRE_LON, 0.0), centre, 1.0, lat_range)


def _polar_scale(
    layers: Layers, atlas: Atlas, focus: tuple[float, float] | None, visible: set[str]
) -> float:
    """Zoom of the north-polar view: the threat picture if it is shown, else everything shown,
    and the focus, fit with a margin. plotly fits the northern hemisphere (latitude 0–90, a
    disc of radius √2) at scale 1; colatitude c lies at 2·sin(c/2)."""
    lats = [p[1] for p in _drawn_points(layers, atlas, visible)]
    if focus:
        lats.append(focus[1])
    southmost = min(lats, default=0.0)
    colatitude = min(90.0 - southmost + 22.0, 179.0)
    radius = 2.0 * math.sin(math.radians(colatitude) / 2.0)
    return float(min(max(math.sqrt(2.0) / radius, 0.7), 3.0))


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


def geo_layout(view: View) -> dict:
    """The layout.geo dict: calm greys, no frame, the view's projection."""
    projection: dict = {
        "type": view.plotly_type,
        "rotation": {"lon": round(view.rotation[0], 3), "lat": round(view.rotation[1], 3)},
        "scale": round(view.scale, 4),
    }
    geo = {
        "projection": projection,
        "center": {"lon": round(view.center[0], 3), "lat": round(view.center[1], 3)},
        "resolution": 50,
        "showframe": False,
        "showland": True,
        "landcolor": style.LAND,
        "showocean": True,
        "oceancolor": style.OCEAN,
        "showlakes": True,
        "lakecolor": style.OCEAN,
        "showcoastlines": True,
        "coastlinecolor": style.COASTLINE,
        "coastlinewidth": 0.6,
        "showcountries": True,
        "countrycolor": style.BORDER,
        "countrywidth": 0.5,
        "showrivers": False,
        "showsubunits": False,
        "bgcolor": "rgba(0,0,0,0)",
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


def layout(view: View, lang: Lang) -> dict:
    """The whole figure layout: geo, tight margins, a grouped legend, fonts and hover labels."""
    return {
        "geo": geo_layout(view),
        "margin": dict(MARGIN),
        "paper_bgcolor": style.WHITE,
        "font": {"family": style.FONT_FAMILY, "size": 12, "color": style.DARK},
        "showlegend": True,
        "legend": {
            **_legend_position(view),
            "bgcolor": "rgba(255,255,255,0.92)",
            "bordercolor": "#D0D0D0",
            "borderwidth": 1,
            "font": {"size": 11},
            "grouptitlefont": {"size": 12, "color": style.DARK},
            "tracegroupgap": 6,
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


def _legend_position(view: View) -> dict:
    """Under a wide (Robinson) map, in columns by layer; right of a round map, in one column."""
    if view.projection == "robinson":
        return {"orientation": "h", "x": 0.0, "xanchor": "left", "y": 0.0, "yanchor": "top"}
    return {"orientation": "v", "x": 1.0, "xanchor": "left", "y": 1.0, "yanchor": "top"}


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

    def __init__(self, view: View, size: tuple[int, int] = NOMINAL_SIZE) -> None:
        self.view = view
        wide = view.projection == "robinson"
        width = size[0] - (0 if wide else NOMINAL_LEGEND_WIDTH) - MARGIN["l"] - MARGIN["r"]
        height = size[1] - (NOMINAL_LEGEND_HEIGHT if wide else 0) - MARGIN["t"] - MARGIN["b"]
        self.width, self.height = float(width), float(height)
        if view.projection == "orthographic":  # the whole visible hemisphere (see geo_layout)
            bw = bh = 2.0
        else:
            box = self._range_box()
            xs, ys, _ = self._unit(box[:, 0], box[:, 1])
            bw, bh = float(np.nanmax(xs) - np.nanmin(xs)), float(np.nanmax(ys) - np.nanmin(ys))
        fit = min(self.width / bw, self.height / bh)
        self.frame_w, self.frame_h = bw * fit, bh * fit
        self.x0 = (self.width - self.frame_w) / 2.0
        self.y0 = (self.height - self.frame_h) / 2.0
        self.k = fit * view.scale
        cx, cy, _ = self._unit(np.array([view.center[0]]), np.array([view.center[1]]))
        self.cx, self.cy = float(cx[0]), float(cy[0])

    def _range_box(self) -> np.ndarray:
        view = self.view
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

    def _unit(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Projected coordinates on the unit sphere (y up) and visibility."""
        view = self.view
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
        x, y, ok = self._unit(np.array([lon]), np.array([lat]))
        px = self.x0 + self.frame_w / 2.0 + self.k * (float(x[0]) - self.cx)
        py = self.y0 + self.frame_h / 2.0 - self.k * (float(y[0]) - self.cy)
        inside = (
            bool(ok[0])
            and self.x0 <= px <= self.x0 + self.frame_w
            and self.y0 <= py <= self.y0 + self.frame_h
        )
        return px, py, inside

    def offset(self, lon: float, lat: float, dx: float, dy: float) -> tuple[float, float]:
        """The lon/lat that lies (dx, dy) pixels from a point (x right, y down), by the local
        linear approximation of the projection."""
        if dx == 0.0 and dy == 0.0:
            return lon, lat
        step = 0.25
        x0, y0, _ = self(lon, lat)
        lon1 = (lon + step + 180.0) % 360.0 - 180.0
        x_lon, y_lon, _ = self(lon1, lat)
        lat1 = lat + step if lat + step < 89.9 else lat - step
        x_lat, y_lat, _ = self(lon, lat1)
        dlat_step = lat1 - lat
        a, b = (x_lon - x0) / step, (x_lat - x0) / dlat_step
        c, d = (y_lon - y0) / step, (y_lat - y0) / dlat_step
        det = a * d - b * c
        if abs(det) < 1e-9:
            return lon, lat
        dlon = (d * dx - b * dy) / det
        dlat = (-c * dx + a * dy) / det
        return (lon + dlon + 180.0) % 360.0 - 180.0, max(-89.9, min(89.9, lat + dlat))

    def frame(self) -> tuple[float, float, float, float]:
        """The map's pixel box (x0, y0, x1, y1) in the plot area."""
        return self.x0, self.y0, self.x0 + self.frame_w, self.y0 + self.frame_h


def legend_title(layer: str, lang: Lang) -> str:
    """The legend group title of a layer."""
    return t(f"layer.{layer}", lang)
