"""Write the Europe inset's base map: plotly's 1:50m world topojson cut to the inset's box.

plotly.js projects every vertex of a geo subplot's base map, also those its clip extent then
throws away: the inset of Europe, drawn on the whole 1:50m world (1.1 MB), cost ~190 ms of the
dashboard's first paint. The inset's geo subplot has the scope "europe", so plotly.js draws it
from `europe_50m.json` in the same folder: this file, the layers the atlas's maps draw (land,
lakes, countries) cut to the inset's box with a margin (MARGIN_DEGREES), on the world file's own
grid (its vertices are the world file's, unmoved; only the cuts add some, on the box's edge,
outside the inset; a shape across the antimeridian, as Russia's, is unwrapped first, and the
few still not valid in the plane, small self-touching rings, are made valid). The layers the
maps never show (coastlines, ocean, rivers, subunits) are
empty.

Its lines are generalised to the inset's scale first (SIMPLIFY_DEGREES, Douglas–Peucker on each
of the world file's arcs, which neighbours share, so a border stays one line for both): the
1:50m grid has a vertex every ~0.02-0.04°, and the inset shows about 5-7 px a degree (dashboard,
export), so most vertices lie within a fraction of a pixel of their neighbours' line. plotly.js
projects and draws every one at each drawing of the inset: the generalisation keeps about a
third of them (32,203 -> 11,370), and the inset's drawing at first paint fell from ~120 to
~60-90 ms.

    .venv/bin/python scripts/make_inset_basemap.py          # writes the file
    .venv/bin/python scripts/make_inset_basemap.py --check  # exit 1 if it is not up to date
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon
from shapely.geometry.polygon import orient

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from dashboard.figures.inset import INSET_BASEMAP, europe_view, shown_extent  # noqa: E402

TOPOJSON_DIR = REPO / "dashboard" / "assets" / "topojson"
WORLD = TOPOJSON_DIR / "world_50m.json"
OUTPUT = TOPOJSON_DIR / f"{INSET_BASEMAP}.json"
MARGIN_DEGREES = 10.0  # around what the inset shows: a little panning stays drawn
PARALLEL_STEP = 14  # grid steps (about half a degree of longitude) along a cut on a parallel
DRAWN = ("land", "lakes", "countries")  # the layers the maps draw (geo.geo_layout)
# how far (degrees) a generalised line may pass from a vertex it leaves out: under half a pixel
# of the inset at the sizes it is drawn (~300 px for 56° in the dashboard, ~400 px in the
# 1600 px export), and under the 1:50m data's own accuracy (0.5 mm at 1:50M is 25 km, ~0.2°)
SIMPLIFY_DEGREES = 0.05


class Grid:
    """A topojson's quantized grid: its arcs as absolute integer points."""

    def __init__(self, topology: dict[str, Any], tolerance: float = 0.0) -> None:
        """The arcs of `topology`, each generalised to `tolerance` degrees (see `simplified`)."""
        scale = topology["transform"]["scale"]
        self.half_turn = round(180 / scale[0])  # 180° of longitude
        self.arcs = []
        for arc in topology["arcs"]:
            x = y = 0
            points = []
            for dx, dy in arc:
                x, y = x + dx, y + dy
                points.append((x, y))
            self.arcs.append(simplified(points, scale, tolerance) if tolerance else points)

    def line(self, indexes: list[int]) -> list[tuple[int, int]]:
        """The points of a chain of arcs (~i: arc i reversed), each joint once, continuous in
        longitude: a step across the antimeridian (Russia's to Chukotka) goes on past 180°
        instead of jumping back 360°, so that the shape is one in the plane too."""
        points: list[tuple[int, int]] = []
        for index in indexes:
            arc = self.arcs[index] if index >= 0 else self.arcs[~index][::-1]
            points.extend(arc if not points else arc[1:])
        if not points:
            return points
        turn, shift = 2 * self.half_turn, 0
        for i in range(1, len(points)):
            step = points[i][0] + shift - points[i - 1][0]
            if abs(step) > self.half_turn:
                shift -= round(step / turn) * turn
            points[i] = (points[i][0] + shift, points[i][1])
        # the whole line a number of turns over, so that its middle is on the map (-180..180°)
        middle = (min(x for x, _ in points) + max(x for x, _ in points)) / 2
        whole = -round((middle - self.half_turn) / turn) * turn
        return [(x + whole, y) for x, y in points]

    def shape(self, geometry: dict[str, Any]) -> shapely.Geometry:
        kind, arcs = geometry["type"], geometry.get("arcs") or []
        if not arcs:  # (a null geometry)
            return Polygon()
        if kind == "Polygon":
            return Polygon(self.line(arcs[0]), [self.line(ring) for ring in arcs[1:]])
        if kind == "MultiPolygon":
            return MultiPolygon(
                [Polygon(self.line(p[0]), [self.line(r) for r in p[1:]]) for p in arcs if p]
            )
        if kind == "LineString":
            return LineString(self.line(arcs))
        if kind == "MultiLineString":
            return MultiLineString([self.line(line) for line in arcs])
        raise ValueError(f"unexpected geometry type {kind}")


def simplified(
    points: list[tuple[int, int]], scale: list[float], tolerance: float
) -> list[tuple[int, int]]:
    """An arc's grid points generalised by Douglas–Peucker in degrees (`scale`: degrees per grid
    step in x and y) to `tolerance`: a subset of them, its two ends kept (where it meets the
    arcs it joins). A closed arc (a whole island or lake) that would shrink to fewer than four
    points is kept whole."""
    if len(points) < 3:
        return points
    sx, sy = scale
    line = shapely.simplify(
        LineString([(x * sx, y * sy) for x, y in points]), tolerance, preserve_topology=False
    )
    kept = [(round(x / sx), round(y / sy)) for x, y in line.coords]
    if points[0] == points[-1] and len(kept) < 4:
        return points
    return kept


class Arcs:
    """The arcs of the file written: one per ring or line, delta-encoded on the grid. A cut
    along the box's south or north side is a parallel, but d3-geo joins two points by a great
    circle, which bows towards the pole (and could cross the shape's own coast): such an edge
    gets a point every PARALLEL_STEP grid steps, as a parallel is drawn."""

    def __init__(self, box: tuple[float, float, float, float]) -> None:
        self.arcs: list[list[list[int]]] = []
        self.parallels = (box[1], box[3])

    def add(self, coordinates: Any) -> int | None:
        points: list[tuple[int, int]] = []
        previous = None
        for x, y in coordinates:
            if previous is not None and y == previous[1] and y in self.parallels:
                steps = int(abs(x - previous[0]) // PARALLEL_STEP)
                for k in range(1, steps + 1):
                    self._append(points, previous[0] + (x - previous[0]) * k / (steps + 1), y)
            self._append(points, x, y)
            previous = (x, y)
        if len(points) < 2:
            return None
        deltas = [list(points[0])]
        deltas += [[x1 - x0, y1 - y0] for (x0, y0), (x1, y1) in itertools.pairwise(points)]
        self.arcs.append(deltas)
        return len(self.arcs) - 1

    @staticmethod
    def _append(points: list[tuple[int, int]], x: float, y: float) -> None:
        point = (round(x), round(y))
        if not points or point != points[-1]:
            points.append(point)


def _polygon_arcs(polygon: Polygon, arcs: Arcs) -> list[list[int]] | None:
    """A polygon's rings as arcs, wound as d3-geo reads them (as the world file has them: the
    outer ring clockwise, holes anticlockwise); None when its outer ring is too small to keep."""
    polygon = orient(polygon, sign=-1.0)
    outer = arcs.add(polygon.exterior.coords)
    if outer is None:
        return None
    holes = [arcs.add(ring.coords) for ring in polygon.interiors]
    return [[outer], *([hole] for hole in holes if hole is not None)]


def _encoded(shape: shapely.Geometry, arcs: Arcs) -> dict[str, Any] | None:
    """A cut shape as a topojson geometry (None when nothing of it is left)."""
    parts = getattr(shape, "geoms", [shape])
    polygons = [p for p in parts if isinstance(p, Polygon) and not p.is_empty]
    lines = [p for p in parts if isinstance(p, LineString) and not p.is_empty]
    if polygons:
        rings = [r for r in (_polygon_arcs(p, arcs) for p in polygons) if r is not None]
        if not rings:
            return None
        if len(rings) == 1:
            return {"type": "Polygon", "arcs": rings[0]}
        return {"type": "MultiPolygon", "arcs": rings}
    chains = [[index] for index in (arcs.add(line.coords) for line in lines) if index is not None]
    if not chains:
        return None
    if len(chains) == 1:
        return {"type": "LineString", "arcs": chains[0]}
    return {"type": "MultiLineString", "arcs": chains}


def inset_basemap(world: dict[str, Any]) -> dict[str, Any]:
    """The world topology cut to the inset's box (with the margin), on its grid."""
    (sx, sy), (tx, ty) = world["transform"]["scale"], world["transform"]["translate"]
    west, south, east, north = shown_extent(europe_view())
    box = (
        (west - MARGIN_DEGREES - tx) / sx,
        (south - MARGIN_DEGREES - ty) / sy,
        (east + MARGIN_DEGREES - tx) / sx,
        (min(north + MARGIN_DEGREES, 90.0) - ty) / sy,
    )
    grid, arcs = Grid(world, SIMPLIFY_DEGREES), Arcs(box)
    objects: dict[str, Any] = {}
    for name, layer in world["objects"].items():
        kept = []
        for geometry in layer["geometries"] if name in DRAWN else []:
            cut = shapely.clip_by_rect(shapely.make_valid(grid.shape(geometry)), *box)
            encoded = None if cut.is_empty else _encoded(cut, arcs)
            if encoded is not None:
                kept.append(
                    encoded | {k: v for k, v in geometry.items() if k not in ("type", "arcs")}
                )
        objects[name] = {"type": "GeometryCollection", "geometries": kept}
    corner = [box[0] * sx + tx, box[1] * sy + ty, box[2] * sx + tx, box[3] * sy + ty]
    return {
        "type": "Topology",
        "objects": objects,
        "arcs": arcs.arcs,
        "transform": world["transform"],
        "bbox": [round(x, 6) for x in corner],
    }


def text_of(topology: dict[str, Any]) -> str:
    """The file's text (compact, as the world files are)."""
    return json.dumps(topology, separators=(",", ":"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    text = text_of(inset_basemap(json.loads(WORLD.read_text())))
    if args.check:
        current = OUTPUT.read_text() if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT} is not up to date: run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text)
    print(f"wrote {OUTPUT} ({len(text) / 1024:.0f} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
