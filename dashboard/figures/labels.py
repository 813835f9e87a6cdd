"""Label placement: every label gets the first of its candidate positions (plotly textposition)
that collides with no label placed before it, no drawn mark and no map edge, in the nominal
figure the view is fitted to. Labels are placed in priority order; a label that has no free
position next to its item is moved off it with a leader line (one that crosses no label) when it
may be, else left out (its item keeps its hover text): labels never overlap.
"""

from __future__ import annotations

import functools
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


def label_boxes(
    sides: Sides, x: np.ndarray, y: np.ndarray, width: float, height: float, gap: float
) -> np.ndarray:
    """The pixel boxes plotly gives a text at textpositions (their `sides`, see position_sides)
    around anchors (x, y) (arrays that broadcast against the positions): shape (…, 4)."""
    centre, right, top, bottom = sides
    x0 = np.where(centre, x - width / 2.0, np.where(right, x + gap, x - gap - width))
    y0 = np.where(top, y - gap - height, np.where(bottom, y + gap, y - height / 2.0))
    return np.stack(
        [x0 - PADDING, y0 - PADDING, x0 + width + PADDING, y0 + height + PADDING], axis=-1
    )


Sides = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@functools.cache
def position_sides(positions: tuple[str, ...]) -> Sides:
    """For each plotly textposition ("top center", "middle left" …): whether the text is centred
    on its anchor horizontally, right of it, above it, below it."""
    parts = [position.partition(" ") for position in positions]
    return (
        np.array([horizontal == "center" for _, _, horizontal in parts]),
        np.array([horizontal == "right" for _, _, horizontal in parts]),
        np.array([vertical == "top" for vertical, _, _ in parts]),
        np.array([vertical == "bottom" for vertical, _, _ in parts]),
    )


class _Blocked:
    """The boxes placed so far (in a buffer that doubles when full), with a vectorised overlap
    sum."""

    def __init__(self) -> None:
        self._buffer = np.zeros((64, 4))
        self._count = 0

    def append(self, box: Box) -> None:
        if self._count == len(self._buffer):
            self._buffer = np.concatenate([self._buffer, np.zeros_like(self._buffer)])
        self._buffer[self._count] = box
        self._count += 1

    def copy(self) -> _Blocked:
        """Another set holding the same boxes."""
        other = _Blocked()
        other._buffer = self._buffer.copy()
        other._count = self._count
        return other

    def array(self) -> np.ndarray:
        """The boxes placed so far (n × 4; a view of the buffer: do not change it)."""
        return self._buffer[: self._count]

    def overlap(self, boxes: np.ndarray) -> np.ndarray:
        """The area of each of `boxes` (n × 4) that the placed boxes cover (summed per box)."""
        if not self._count:
            return np.zeros(len(boxes))
        b = self.array()
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
# on the far side of the moved anchor: the four sides and four diagonals first, then the eight
# directions between them (a crowded place often has room only at an angle).
LEADER_DISTANCES = (30.0, 50.0, 72.0, 95.0, 120.0, 150.0, 190.0, 240.0)
DEFAULT_REACH = 95.0
REQUIRED_REACH = 240.0  # px a label that may not be left out goes off its anchor, at most
LEADER_DIRECTIONS: tuple[tuple[float, float, str], ...] = (
    (1.0, 0.0, "middle right"),
    (-1.0, 0.0, "middle left"),
    (0.0, -1.0, "top center"),
    (0.0, 1.0, "bottom center"),
    (0.8, -0.6, "top right"),
    (-0.8, -0.6, "top left"),
    (0.8, 0.6, "bottom right"),
    (-0.8, 0.6, "bottom left"),
    (0.92, -0.38, "middle right"),
    (-0.92, -0.38, "middle left"),
    (0.92, 0.38, "middle right"),
    (-0.92, 0.38, "middle left"),
    (0.38, -0.92, "top right"),
    (-0.38, -0.92, "top left"),
    (0.38, 0.92, "bottom right"),
    (-0.38, 0.92, "bottom left"),
)
LEADER_UX = np.array([ux for ux, _, _ in LEADER_DIRECTIONS])
LEADER_UY = np.array([uy for _, uy, _ in LEADER_DIRECTIONS])
LEADER_SIDES = position_sides(tuple(position for _, _, position in LEADER_DIRECTIONS))
LEADER_GAP = 2.0
LEADER_STEP = 4.0  # px between the small boxes that keep labels off a leader line
LEADER_HALF_WIDTH = 1.5
COVER_MARGIN = 4.0  # px kept free around a box drawn over the map (the inset)


def place_labels(
    requests: list[LabelRequest],
    obstacles: list[Obstacle],
    projector: Projector,
    first: set[str] | None = None,
    *,
    all_optional: bool = False,
    covered: Box | None = None,
) -> dict[str, Placement]:
    """Positions for every label key (labels with one key are placed once).

    Labels whose key is in `first` (those of the layers shown at first) are placed before the
    others, so that the view as opened gets the best positions; the rest fit around them; among
    labels of one priority, those naming what the article states come first. With
    `all_optional` (a small figure) every label that finds no free spot is left out. No label
    overlaps another, a leader line or a certainty badge: a label that finds no free spot next
    to its item is moved off it with a leader line that crosses no label, or left out. When a
    label that may not be left out finds no room, the labels are placed again with it first
    (and one crowded out again before those; up to RETRIES times), and the placement that
    leaves out fewest such names (then fewest naming what the article states, then fewest badge
    strips) is kept.
    `covered` is a pixel box drawn over the map (the inset): nothing is placed on it, and items
    under it get no label.
    """
    first = first or set()
    unique: dict[str, LabelRequest] = {}
    for request in requests:
        unique.setdefault(request.key, request)
    x0, y0, x1, y1 = projector.frame()
    # a little inside the map's edge: the text widths are estimates, and text past the edge is
    # cut off
    frame = (x0 + EDGE_MARGIN, y0 + EDGE_MARGIN, x1 - EDGE_MARGIN, y1 - EDGE_MARGIN)
    hard, marks = _Blocked(), _Blocked()
    if covered is not None:
        marks.append(_grown(covered, COVER_MARGIN))
    placed_marks = projector.pixels([(obstacle.lon, obstacle.lat) for obstacle in obstacles])
    for obstacle, (x, y, inside) in zip(obstacles, placed_marks, strict=True):
        if inside:
            box = _grown((x, y, x, y), obstacle.radius)
            (hard if obstacle.hard else marks).append(box)
    points = list(
        dict.fromkeys(p for q in unique.values() for p in ((q.lon, q.lat), *q.alternatives))
    )
    pixel = {
        point: (x, y, inside and not (covered is not None and _contains(covered, x, y)))
        for point, (x, y, inside) in zip(points, projector.pixels(points), strict=True)
    }
    class_anchors: dict[str, list[tuple[str, tuple[float, float]]]] = {}
    for q in unique.values():
        class_anchors.setdefault(q.cls, []).append((q.key, pixel[(q.lon, q.lat)][:2]))
    layout = _Layout(projector, frame, marks, pixel, class_anchors, all_optional, covered)
    # labels placed before the others: those crowded out once (in the usual order), and before
    # them those crowded out again although promoted (the latest first)
    promoted: set[str] = set()
    urgent: list[str] = []
    best: tuple[tuple[int, int, int], dict[str, Placement]] | None = None
    for _ in range(RETRIES + 1):
        rank = {key: index for index, key in enumerate(urgent)}
        order = sorted(
            unique.values(),
            key=lambda q: (
                rank.get(q.key, len(rank)),
                q.key not in promoted,
                q.key not in first,
                q.optional,
                q.priority,
                not q.stated,
                q.key,
            ),
        )
        placed, crowded = layout.place(order, hard.copy())
        missed = [k for k in crowded if k in first and not unique[k].optional]
        # names first (a badge strip's groupings are also in the country's hover), then the
        # names of what the article states
        names = [k for k in missed if unique[k].cls != "badge"]
        score = (len(names), sum(1 for k in names if unique[k].stated), len(missed))
        if best is None or score < best[0]:
            best = (score, placed)
        if not missed or all_optional:
            break
        again = [key for key in missed if key in promoted]
        urgent = again + [key for key in urgent if key not in again]
        promoted |= set(missed)
    assert best is not None
    return best[1]


RETRIES = 3


@dataclass(frozen=True)
class _Layout:
    """What one placement pass needs besides the order: the map, its marks and anchors."""

    projector: Projector
    frame: Box
    marks: _Blocked
    pixel: dict[tuple[float, float], tuple[float, float, bool]]
    # the anchor (px) of every label of each class, by key
    class_anchors: dict[str, list[tuple[str, tuple[float, float]]]]
    all_optional: bool
    covered: Box | None

    def place(
        self, order: list[LabelRequest], texts: _Blocked
    ) -> tuple[dict[str, Placement], list[str]]:
        """Each label in turn at its first free spot (see place_labels); and the keys of the
        labels left out for want of room."""
        projector, frame, marks, pixel = self.projector, self.frame, self.marks, self.pixel
        placed: dict[str, Placement] = {}
        crowded: list[str] = []
        for request in order:
            anchors = [(request.lon, request.lat), *request.alternatives]
            width, height = text_size(request.text, FONT_SIZE[request.cls])
            candidates, boxes = self._candidates(request, anchors, width, height)
            if not candidates:
                if projector.view.projection == "robinson" and self.covered is None:
                    # off the map in this view: kept for when the user pans there
                    placed[request.key] = Placement(request.positions[0], None, anchors[0])
                else:
                    # a round view draws text whose anchor is outside its square frame into the
                    # margin (over the legend), and an item under the inset is hidden: left out
                    placed[request.key] = Placement(None, None, None)
                continue
            costs, on_text = _costs(boxes, texts, marks, frame, request.clearance, projector)
            best = int(np.argmin(costs))
            point, position = candidates[best]
            box: Box = tuple(boxes[best].tolist())  # type: ignore[assignment]
            optional = request.optional or self.all_optional
            if costs[best] > 0.0 and not (optional and not request.reach):
                anchor = pixel[(request.lon, request.lat)]
                rivals = np.array(
                    [
                        point
                        for key, point in self.class_anchors[request.cls]
                        if request.distinct and key != request.key
                    ]
                ).reshape(-1, 2)
                moved = (
                    _move_off(
                        request, anchor[:2], (width, height), texts, marks, frame, projector, rivals
                    )
                    if anchor[2]
                    else None
                )
                if moved is not None:
                    _add_label(texts, moved.box, anchor[:2], moved)  # type: ignore[arg-type]
                    placed[request.key] = moved
                    continue
            if costs[best] > 0.0 and (optional or on_text[best] > 0.0):
                # no free spot: left out (its item keeps its hover text) rather than over a label
                placed[request.key] = Placement(None, None, None)
                crowded.append(request.key)
                continue
            _add_label(texts, box)
            placed[request.key] = Placement(position, box, point)
        return placed, crowded

    def _candidates(
        self, request: LabelRequest, anchors: list[tuple[float, float]], width: float, height: float
    ) -> tuple[list[tuple[tuple[float, float], str]], np.ndarray]:
        """Every position at every anchor on the map, in the order they are tried, as (anchor,
        position), and their boxes (n × 4)."""
        on_map = [point for point in anchors if self.pixel[point][2]]
        x = np.array([self.pixel[point][0] for point in on_map])[:, None]
        y = np.array([self.pixel[point][1] for point in on_map])[:, None]
        sides = position_sides(request.positions)
        boxes = label_boxes(sides, x, y, width, height, request.gap).reshape(-1, 4)
        return [(point, position) for point in on_map for position in request.positions], boxes


def _grown(box: Box, by: float) -> Box:
    return box[0] - by, box[1] - by, box[2] + by, box[3] + by


def _contains(box: Box, x: float, y: float) -> bool:
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _add_label(
    texts: _Blocked,
    box: Box,
    anchor: tuple[float, float] | None = None,
    moved: Placement | None = None,
) -> None:
    """Block a placed label's box and, for a moved one, its leader line (as small boxes along
    it, so that no later label sits on the line)."""
    texts.append(box)
    if anchor is None or moved is None:
        return
    end = _leader_end(moved.box, anchor)  # type: ignore[arg-type]
    steps = max(1, int(math.dist(anchor, end) / LEADER_STEP))
    for i in range(steps + 1):
        x = anchor[0] + (end[0] - anchor[0]) * i / steps
        y = anchor[1] + (end[1] - anchor[1]) * i / steps
        texts.append(_grown((x, y, x, y), LEADER_HALF_WIDTH))


def _leader_end(box: Box, anchor: tuple[float, float]) -> tuple[float, float]:
    """Where a leader from `anchor` meets a label's box: its nearest point."""
    return (min(max(anchor[0], box[0]), box[2]), min(max(anchor[1], box[1]), box[3]))


def _crosses_any(start: tuple[float, float], end: tuple[float, float], boxes: np.ndarray) -> bool:
    """Whether the segment from `start` to `end` passes through any of `boxes` (n × 4), by
    Liang–Barsky for all of them at once: the segment's range [low, high] inside each box's four
    half-planes (only ever narrowed), empty when it misses the box."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    low, high = np.zeros(len(boxes)), np.ones(len(boxes))
    missed = np.zeros(len(boxes), dtype=bool)
    for p, q in (
        (-dx, start[0] - boxes[:, 0]),
        (dx, boxes[:, 2] - start[0]),
        (-dy, start[1] - boxes[:, 1]),
        (dy, boxes[:, 3] - start[1]),
    ):
        if p == 0.0:  # parallel to the side: misses the box when outside it
            missed |= q < 0.0
        elif p < 0.0:
            low = np.maximum(low, q / p)
        else:
            high = np.minimum(high, q / p)
    return bool(np.any(~missed & (low <= high)))


def _costs(
    boxes: np.ndarray,
    texts: _Blocked,
    marks: _Blocked,
    frame: Box,
    clearance: float,
    projector: Projector,
) -> tuple[np.ndarray, np.ndarray]:
    """How bad each box is as a label's place: the area placed labels and leaders cover (grown
    by `clearance`), plus the area drawn marks cover, plus four times the area off the map; and
    the first part alone."""
    array = boxes
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
    on_text = texts.overlap(grown)
    return on_text + marks.overlap(array) + 4.0 * outside, on_text


def _move_off(
    request: LabelRequest,
    anchor: tuple[float, float],
    size: tuple[float, float],
    texts: _Blocked,
    marks: _Blocked,
    frame: Box,
    projector: Projector,
    rivals: np.ndarray,
) -> Placement | None:
    """The nearest free spot for a label away from its anchor (at pixel `anchor`), reached by a
    leader line that crosses no placed label, and no nearer any of the `rivals` (other anchors,
    in px, n × 2) than its own."""
    x, y = anchor
    reach = request.reach or (DEFAULT_REACH if request.optional else REQUIRED_REACH)
    distances = np.array([distance for distance in LEADER_DISTANCES if distance <= reach])
    # every direction at every distance, nearest first: (distances × directions)
    spot_x = x + LEADER_UX * distances[:, None]
    spot_y = y + LEADER_UY * distances[:, None]
    usable = _clear_of_rivals(anchor, distances, spot_x, spot_y, rivals)
    if not usable.any():
        return None
    boxes = label_boxes(LEADER_SIDES, spot_x, spot_y, size[0], size[1], LEADER_GAP)[usable]
    costs, _ = _costs(boxes, texts, marks, frame, request.clearance, projector)
    positions = np.broadcast_to(np.array([p for _, _, p in LEADER_DIRECTIONS]), usable.shape)
    spots = zip(
        spot_x[usable].tolist(), spot_y[usable].tolist(), positions[usable].tolist(), strict=True
    )
    labels = texts.array()
    for (nx, ny, position), row, cost in zip(spots, boxes.tolist(), costs, strict=True):
        if cost > 0.0:
            continue
        box: Box = tuple(row)  # type: ignore[assignment]
        end = _leader_end(box, anchor)
        if _crosses_any(anchor, end, labels):
            continue
        point = projector.offset(request.lon, request.lat, nx - x, ny - y)
        return Placement(position, box, point, (request.lon, request.lat))
    return None


def _clear_of_rivals(
    anchor: tuple[float, float],
    distances: np.ndarray,
    spot_x: np.ndarray,
    spot_y: np.ndarray,
    rivals: np.ndarray,
) -> np.ndarray:
    """Whether each spot (distances × directions) is farther from every rival than its distance
    from the anchor."""
    usable = np.ones(spot_x.shape, dtype=bool)
    if not len(rivals):
        return usable
    from_anchor = np.hypot(rivals[:, 0] - anchor[0], rivals[:, 1] - anchor[1])
    for row, distance in enumerate(distances.tolist()):
        # a rival more than twice the distance (and a pixel, for rounding) from the anchor is
        # farther than that from every spot at the distance: only the others are measured
        near = rivals[~(from_anchor > 2.0 * distance + 1.0)].tolist()
        if near:
            usable[row] = [
                all(math.dist(spot, rival) > distance for rival in near)
                for spot in zip(spot_x[row].tolist(), spot_y[row].tolist(), strict=True)
            ]
    return usable
