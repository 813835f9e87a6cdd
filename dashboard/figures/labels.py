"""Label placement: every label gets the first of its candidate positions (plotly textposition)
that collides with no label placed before it, no drawn mark and no map edge, in the nominal
figure the view is fitted to. Labels are placed in priority order; an optional label that has no
free position is left out (its item keeps its hover text), a required one takes the position
with the least overlap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from dashboard.figures.context import LabelRequest, Obstacle
from dashboard.figures.geo import Projector
from dashboard.figures.style import FONT_SIZE
from dashboard.figures.text import text_size

PADDING = 2.0
EDGE_MARGIN = 8.0  # px: how far inside the map's edge labels keep

Box = tuple[float, float, float, float]


def label_box(position: str, x: float, y: float, width: float, height: float, gap: float) -> Box:
    """The pixel box plotly gives a text at `position` around the anchor (x, y)."""
    vertical, _, horizontal = position.partition(" ")
    if horizontal == "center":
        x0 = x - width / 2.0
    elif horizontal == "right":
        x0 = x + gap
    else:
        x0 = x - gap - width
    if vertical == "top":
        y0 = y - gap - height
    elif vertical == "bottom":
        y0 = y + gap
    else:
        y0 = y - height / 2.0
    return x0 - PADDING, y0 - PADDING, x0 + width + PADDING, y0 + height + PADDING


class _Blocked:
    """The boxes placed so far, with a vectorised overlap sum."""

    def __init__(self) -> None:
        self._boxes = np.zeros((0, 4))

    def append(self, box: Box) -> None:
        self._boxes = np.vstack([self._boxes, np.asarray(box, dtype=float)])

    def overlap(self, boxes: np.ndarray) -> np.ndarray:
        """The area of each of `boxes` (n × 4) that the placed boxes cover (summed per box)."""
        if not len(self._boxes):
            return np.zeros(len(boxes))
        b = self._boxes
        width = np.minimum(boxes[:, 2:3], b[:, 2]) - np.maximum(boxes[:, 0:1], b[:, 0])
        height = np.minimum(boxes[:, 3:4], b[:, 3]) - np.maximum(boxes[:, 1:2], b[:, 1])
        return np.sum(np.maximum(width, 0.0) * np.maximum(height, 0.0), axis=1)


@dataclass(frozen=True)
class Placement:
    """Where a label went: its anchor, plotly textposition and pixel box (position None: left
    out). `leader` is the point a leader line runs to when the label was moved off it."""

    position: str | None
    box: Box | None
    point: tuple[float, float] | None = None
    leader: tuple[float, float] | None = None


# Moved labels: distances (px) and directions tried, with the textposition that puts the text
# on the far side of the moved anchor.
LEADER_DISTANCES = (30.0, 50.0, 72.0, 95.0, 120.0, 150.0)
DEFAULT_REACH = 95.0
LEADER_DIRECTIONS: tuple[tuple[float, float, str], ...] = (
    (1.0, 0.0, "middle right"),
    (-1.0, 0.0, "middle left"),
    (0.0, -1.0, "top center"),
    (0.0, 1.0, "bottom center"),
    (0.8, -0.6, "top right"),
    (-0.8, -0.6, "top left"),
    (0.8, 0.6, "bottom right"),
    (-0.8, 0.6, "bottom left"),
)
LEADER_GAP = 2.0


def place_labels(
    requests: list[LabelRequest],
    obstacles: list[Obstacle],
    projector: Projector,
    first: set[str] | None = None,
    *,
    all_optional: bool = False,
) -> dict[str, Placement]:
    """Positions for every label key (labels with one key are placed once).

    Labels whose key is in `first` (those of the layers shown at first) are placed before the
    others, so that the view as opened gets the best positions; the rest fit around them. With
    `all_optional` (a small figure) every label that finds no free spot is left out.
    """
    first = first or set()
    unique: dict[str, LabelRequest] = {}
    for request in requests:
        unique.setdefault(request.key, request)
    order = sorted(
        unique.values(), key=lambda q: (q.key not in first, q.optional, q.priority, q.key)
    )
    x0, y0, x1, y1 = projector.frame()
    # a little inside the map's edge: the text widths are estimates, and text past the edge is
    # cut off
    frame = (x0 + EDGE_MARGIN, y0 + EDGE_MARGIN, x1 - EDGE_MARGIN, y1 - EDGE_MARGIN)
    blocked = _Blocked()
    marks = projector.pixels([(obstacle.lon, obstacle.lat) for obstacle in obstacles])
    for obstacle, (x, y, inside) in zip(obstacles, marks, strict=True):
        if inside:
            radius = obstacle.radius
            blocked.append((x - radius, y - radius, x + radius, y + radius))
    points = list(dict.fromkeys(p for q in order for p in ((q.lon, q.lat), *q.alternatives)))
    pixel = dict(zip(points, projector.pixels(points), strict=True))
    placed: dict[str, Placement] = {}
    for request in order:
        anchors = [(request.lon, request.lat), *request.alternatives]
        width, height = text_size(request.text, FONT_SIZE[request.cls])
        # every position at every anchor on the map, in the order they are tried
        candidates = [
            (point, position, label_box(position, x, y, width, height, request.gap))
            for point in anchors
            for x, y, inside in [pixel[point]]
            if inside
            for position in request.positions
        ]
        boxes = [box for _, _, box in candidates]
        costs = _costs(boxes, blocked, frame, request.clearance, projector)
        best: tuple[float, str, Box, tuple[float, float]] | None = None
        for (point, position, box), cost in zip(candidates, costs, strict=True):
            if best is None or cost < best[0]:
                best = (float(cost), position, box, point)
            if cost == 0.0:
                break
        if best is None:
            if projector.view.projection == "robinson":
                # off the map in this view: kept for when the user pans there
                placed[request.key] = Placement(request.positions[0], None, anchors[0])
            else:
                # a round view draws text whose anchor is outside its square frame into the
                # margin (over the legend): left out
                placed[request.key] = Placement(None, None, None)
            continue
        cost, position, box, point = best
        optional = request.optional or all_optional
        if cost > 0.0 and optional and not request.reach:
            placed[request.key] = Placement(None, None, None)
            continue
        if cost > 0.0:
            anchor = pixel[(request.lon, request.lat)][:2]
            rivals = (
                [pixel[(q.lon, q.lat)][:2] for q in order if q.cls == request.cls and q != request]
                if request.distinct
                else []
            )
            moved = _move_off(request, anchor, (width, height), blocked, frame, projector, rivals)
            if moved is None and optional:
                placed[request.key] = Placement(None, None, None)
                continue
            if moved is not None:
                blocked.append(moved.box)  # type: ignore[arg-type]
                placed[request.key] = moved
                continue
        blocked.append(box)
        placed[request.key] = Placement(position, box, point)
    return placed


def _costs(
    boxes: list[Box], blocked: _Blocked, frame: Box, clearance: float, projector: Projector
) -> np.ndarray:
    """How bad each box is as a label's place: the area placed boxes cover (grown by
    `clearance`) plus four times the area off the map."""
    array = np.array(boxes, dtype=float).reshape(-1, 4)
    x0, y0, x1, y1 = array.T
    area = (x1 - x0) * (y1 - y0)
    width = np.minimum(x1, frame[2]) - np.maximum(x0, frame[0])
    height = np.minimum(y1, frame[3]) - np.maximum(y0, frame[1])
    outside = area - np.where((width > 0) & (height > 0), width * height, 0.0)
    # a Robinson map's outline is rounder than its frame: a quarter of the box per corner off it
    corners = (np.concatenate([x0, x1, x0, x1]), np.concatenate([y0, y0, y1, y1]))
    corners_off = np.sum(~projector.within_outline(*corners).reshape(4, -1), axis=0)
    outside += area / 4.0 * corners_off
    c = clearance
    grown = array + np.array([-c, -c, c, c]) if c else array
    return blocked.overlap(grown) + 4.0 * outside


def _move_off(
    request: LabelRequest,
    anchor: tuple[float, float],
    size: tuple[float, float],
    blocked: _Blocked,
    frame: Box,
    projector: Projector,
    rivals: list[tuple[float, float]],
) -> Placement | None:
    """The nearest free spot for a label away from its anchor (at pixel `anchor`), reached by a
    leader line, and no nearer any of the `rivals` (other anchors, in px) than its own."""
    x, y = anchor
    reach = request.reach or DEFAULT_REACH
    spots = [
        (x + ux * distance, y + uy * distance, position)
        for distance in LEADER_DISTANCES
        if distance <= reach
        for ux, uy, position in LEADER_DIRECTIONS
        if all(
            math.dist((x + ux * distance, y + uy * distance), rival) > distance for rival in rivals
        )
    ]
    if not spots:
        return None
    boxes = [
        label_box(position, nx, ny, size[0], size[1], LEADER_GAP) for nx, ny, position in spots
    ]
    costs = _costs(boxes, blocked, frame, request.clearance, projector)
    for (nx, ny, position), box, cost in zip(spots, boxes, costs, strict=True):
        if cost == 0.0:
            point = projector.offset(request.lon, request.lat, nx - x, ny - y)
            return Placement(position, box, point, (request.lon, request.lat))
    return None
