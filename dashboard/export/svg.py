"""The exported SVG for editing: small enough to open and edit (a few hundred KB, not 9 MB), its
text kept as text in one font stack, its label halo as SVG rather than CSS.

plotly.js writes its geo paths (the 1:50m base map, the countries) with absolute coordinates of
13–16 significant digits: 96 % of the file. Each such path is rewritten with coordinates rounded
to a tenth of an output pixel, relative, and simplified (Douglas–Peucker) by a quarter of an
output pixel: the same picture to the eye (anti-aliasing at edges aside), at the same 1:50m base
map as the PNG and PDF. The labels' halo is a CSS text-shadow, which editors drop: it becomes a
white stroke painted under the text (`paint-order: stroke`).
"""

from __future__ import annotations

import re

import numpy as np
import shapely
from lxml import etree

SVG = "{http://www.w3.org/2000/svg}"
DIGITS = 1  # decimals of a user unit kept
TOLERANCE_PX = 0.25  # output pixels a simplified outline may move
MIN_PATH = 200  # characters: shorter paths are left as they are
# plotly's geo paths: absolute moveto / lineto / closepath only
_POLYLINE = re.compile(r"^[MLZ0-9.,eE+\-\s]*$")
_TOKEN = re.compile(r"([MLZ])|(-?\d*\.?\d+(?:[eE][-+]?\d+)?)")
_SHADOW = re.compile(r"text-shadow:[^;\"]*")
HALO = (
    "paint-order: stroke; stroke: rgb(255, 255, 255); stroke-width: 3px; "
    "stroke-linejoin: round; stroke-opacity: 0.95"
)


def finish_svg(data: bytes) -> bytes:
    """plotly's SVG with its geo paths rounded and simplified for its output size, and its text
    halo as an SVG stroke."""
    root = etree.fromstring(data)
    scale = _pixels_per_unit(root)
    tolerance = TOLERANCE_PX / scale
    digits = DIGITS + max(0, round(np.log10(scale))) if scale > 1 else DIGITS
    for element in root.iter(f"{SVG}path"):
        path = element.get("d")
        if path and len(path) > MIN_PATH and _POLYLINE.match(path):
            element.set("d", slim_path(path, digits, tolerance))
    for element in root.iter():
        style = element.get("style")
        if style and "text-shadow" in style:
            element.set("style", _SHADOW.sub(HALO, style))
    return etree.tostring(root, encoding="utf-8")


def _pixels_per_unit(root: etree._Element) -> float:
    """Output pixels per user unit: the SVG's width over its viewBox's."""
    box = (root.get("viewBox") or "").split()
    width = re.match(r"[\d.]+", root.get("width") or "")
    if len(box) == 4 and width and float(box[2]) > 0:
        return float(width[0]) / float(box[2])
    return 1.0


def slim_path(path: str, digits: int, tolerance: float) -> str:
    """A polyline path (M/L/Z) simplified by `tolerance`, rounded to `digits` decimals, with
    relative coordinates."""
    out = []
    for points, closed in _subpaths(path):
        array = np.asarray(points, dtype=float)
        if tolerance and len(array) > 3:
            line = (
                shapely.LinearRing(array)
                if closed and len(array) >= 4
                else shapely.LineString(array)
            )
            simple = shapely.simplify(line, tolerance, preserve_topology=False)
            if not simple.is_empty:
                coords = np.asarray(simple.coords)
                array = coords[:-1] if closed else coords
        rounded = np.round(array, digits)
        keep = np.r_[True, np.any(rounded[1:] != rounded[:-1], axis=1)]
        rounded = rounded[keep]
        if len(rounded) < 2 and not closed:
            continue
        steps = np.round(np.diff(rounded, axis=0), digits)
        relative = " ".join(f"{_number(x, digits)},{_number(y, digits)}" for x, y in steps)
        start = f"M{_number(rounded[0, 0], digits)},{_number(rounded[0, 1], digits)}"
        out.append(start + (f"l{relative}" if relative else "") + ("Z" if closed else ""))
    return "".join(out)


def _subpaths(path: str) -> list[tuple[list[tuple[float, float]], bool]]:
    """The (points, closed) of each subpath of an absolute M/L/Z path."""
    parts: list[tuple[list[tuple[float, float]], bool]] = []
    current: list[tuple[float, float]] | None = None
    closed = False
    numbers: list[float] = []
    for command, number in _TOKEN.findall(path):
        if command == "M":
            if current:
                parts.append((current, closed))
            current, closed = [], False
        elif command == "Z":
            closed = True
        elif not command and current is not None:
            numbers.append(float(number))
            if len(numbers) == 2:
                current.append((numbers[0], numbers[1]))
                numbers = []
    if current:
        parts.append((current, closed))
    return parts


def _number(value: float, digits: int) -> str:
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
