"""Label placement: every label gets the first of its candidate positions (plotly textposition)
that collides with no label placed before it, no drawn mark and no map edge, in the nominal
figure the view is fitted to. Labels are placed in priority order; a label that has no free
position next to its item is moved off it with a leader line (one that crosses no label) when it
may be, else left out (its item keeps its hover text): labels never overlap.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from dashboard.figures.context import LabelRequest, Obstacle
from dashboard.figures.geo import Projector
from dashboard.figures.style import FONT_SIZE
from dashboard.figures.text import text_size

PADDING = 2.0
EDGE_MARGIN = 8.0  # px: how far inside the map's edge labels keep

Box = tuple[float, float, float, float]


def label_boxes(
    sides: Sides,
    x: np.ndarray,
    y: np.ndarray,
    width: np.ndarray | float,
    height: np.ndarray | float,
    gap: np.ndarray | float,
) -> np.ndarray:
    """The pixel boxes plotly gives texts of a size at textpositions (their `sides`, see
    position_sides) around anchors (x, y), at a gap from them (arrays that broadcast against the
    positions): shape (…, 4)."""
    centre, right, top, bottom = sides
    x0 = np.where(centre, x - width / 2.0, np.where(right, x + gap, x - gap - width))
    y0 = np.where(top, y - gap - height, np.where(bottom, y + gap, y - height / 2.0))
    return np.stack(
        [x0 - PADDING, y0 - PADDING, x0 + width + PADDING, y0 + height + PADDING], axis=-1
    )


Sides = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def position_sides(positions: Sequence[str]) -> Sides:
    """For each plotly textposition ("top center", "middle left" …): whether the text is centred
    on its anchor horizontally, right of it, above it, below it."""
    flags = np.array([_side_flags(position) for position in positions], dtype=bool).reshape(-1, 4)
    return flags[:, 0], flags[:, 1], flags[:, 2], flags[:, 3]


@functools.cache
def _side_flags(position: str) -> tuple[bool, bool, bool, bool]:
    vertical, _, horizontal = position.partition(" ")
    return horizontal == "center", horizontal == "right", vertical == "top", vertical == "bottom"


Pause = Callable[[], None]


def carry_on() -> None:
    """No pause: the figures are built in one go (a server that runs requests by turns in one
    thread passes a pause that lets the others run: dashboard.service.maps)."""


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
LEADER_POSITIONS = np.array([position for _, _, position in LEADER_DIRECTIONS])
LEADER_SIDES = position_sides(LEADER_POSITIONS.tolist())
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
    pause: Pause = carry_on,
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
    under it get no label. `pause` is called after each label placed (see Pause).
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
    candidates = _places_at_anchors(unique.values(), pixel, marks, frame, projector)
    layout = _Layout(
        projector, frame, marks, pixel, class_anchors, candidates, all_optional, covered
    )
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
        placed, crowded = layout.place(order, hard.copy(), pause)
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
class _Places:
    """A label's places to try, in order, with the parts of their cost that placed labels do not
    change (worked out once for all of place_labels' passes)."""

    spots: list[tuple[tuple[float, float], str]]  # (anchor, plotly textposition)
    boxes: np.ndarray  # n × 4 px
    on_marks: np.ndarray  # the area drawn marks cover
    off_map: np.ndarray  # four times the area off the map

    @classmethod
    def of(
        cls,
        spots: list[tuple[tuple[float, float], str]],
        boxes: np.ndarray,
        marks: _Blocked,
        frame: Box,
        projector: Projector,
    ) -> _Places:
        """Places with their boxes (n × 4) and the fixed parts of their cost (see costs)."""
        x0, y0, x1, y1 = boxes.T
        area = (x1 - x0) * (y1 - y0)
        width = np.minimum(x1, frame[2]) - np.maximum(x0, frame[0])
        height = np.minimum(y1, frame[3]) - np.maximum(y0, frame[1])
        outside = area - np.where((width > 0) & (height > 0), width * height, 0.0)
        # a Robinson map's outline is rounder than its frame: a quarter of the box per corner
        # off it
        corners = (np.concatenate([x0, x1, x0, x1]), np.concatenate([y0, y0, y1, y1]))
        corners_off = np.sum(~projector.within_outline(*corners).reshape(4, -1), axis=0)
        outside += area / 4.0 * corners_off
        return cls(spots, boxes, marks.overlap(boxes), 4.0 * outside)

    def take(self, indices: np.ndarray) -> _Places:
        """The places at `indices` (in their order)."""
        return _Places(
            [self.spots[index] for index in indices.tolist()],
            self.boxes[indices],
            self.on_marks[indices],
            self.off_map[indices],
        )

    def costs(self, texts: _Blocked, clearance: float) -> tuple[np.ndarray, np.ndarray]:
        """How bad each place is: the area placed labels and leaders cover (of its box grown by
        `clearance`), plus the area drawn marks cover, plus four times the area off the map; and
        the first part alone."""
        c = clearance
        grown = self.boxes + np.array([-c, -c, c, c]) if c else self.boxes
        on_text = texts.overlap(grown)
        return on_text + self.on_marks + self.off_map, on_text


@dataclass(frozen=True)
class _Layout:
    """What one placement pass needs besides the order: the map, its marks and anchors; and
    each label's places, kept for the next pass."""

    projector: Projector
    frame: Box
    marks: _Blocked
    pixel: dict[tuple[float, float], tuple[float, float, bool]]
    # the anchor (px) of every label of each class, by key
    class_anchors: dict[str, list[tuple[str, tuple[float, float]]]]
    # each label's places next to its item (None: no anchor on the map)
    candidates: dict[str, _Places | None]
    all_optional: bool
    covered: Box | None
    leader_spots: dict[str, _Places | None] = field(default_factory=dict)

    def place(
        self, order: list[LabelRequest], texts: _Blocked, pause: Pause
    ) -> tuple[dict[str, Placement], list[str]]:
        """Each label in turn at its first free spot (see place_labels); and the keys of the
        labels left out for want of room."""
        placed: dict[str, Placement] = {}
        crowded: list[str] = []
        for request in order:
            pause()
            places = self.candidates[request.key]
            if places is None:
                if self.projector.view.projection == "robinson" and self.covered is None:
                    # off the map in this view: kept for when the user pans there
                    placed[request.key] = Placement(
                        request.positions[0], None, (request.lon, request.lat)
                    )
                else:
                    # a round view draws text whose anchor is outside its square frame into the
                    # margin (over the legend), and an item under the inset is hidden: left out
                    placed[request.key] = Placement(None, None, None)
                continue
            costs, on_text = places.costs(texts, request.clearance)
            best = int(np.argmin(costs))
            point, position = places.spots[best]
            box: Box = tuple(places.boxes[best].tolist())  # type: ignore[assignment]
            optional = request.optional or self.all_optional
            if costs[best] > 0.0 and not (optional and not request.reach):
                moved = self._move_off(request, texts)
                if moved is not None:
                    anchor = self.pixel[(request.lon, request.lat)][:2]
                    _add_label(texts, moved.box, anchor, moved)  # type: ignore[arg-type]
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

    def _move_off(self, request: LabelRequest, texts: _Blocked) -> Placement | None:
        """The nearest free spot for a label away from its anchor, reached by a leader line that
        crosses no placed label (see _leader_spots)."""
        spots = self._leader_spots(request)
        if spots is None:
            return None
        anchor = self.pixel[(request.lon, request.lat)][:2]
        costs, _ = spots.costs(texts, request.clearance)
        labels = texts.array()
        for index in np.flatnonzero(~(costs > 0.0)).tolist():
            box: Box = tuple(spots.boxes[index].tolist())  # type: ignore[assignment]
            if _crosses_any(anchor, _leader_end(box, anchor), labels):
                continue
            (x, y), position = spots.spots[index]
            point = self.projector.offset(request.lon, request.lat, x - anchor[0], y - anchor[1])
            return Placement(position, box, point, (request.lon, request.lat))
        return None

    def _leader_spots(self, request: LabelRequest) -> _Places | None:
        """The spots (px) a label may be moved to from its anchor, nearest first, that no drawn
        mark or map edge blocks and, for a label that must be distinct, that are no nearer
        another anchor of its class than its own (None: its anchor is off the map, or no such
        spot); kept for the next pass."""
        if request.key not in self.leader_spots:
            self.leader_spots[request.key] = self._spots_around(request)
        return self.leader_spots[request.key]

    def _spots_around(self, request: LabelRequest) -> _Places | None:
        x, y, inside = self.pixel[(request.lon, request.lat)]
        if not inside:
            return None
        reach = request.reach or (DEFAULT_REACH if request.optional else REQUIRED_REACH)
        distances = np.array([distance for distance in LEADER_DISTANCES if distance <= reach])
        # every direction at every distance, nearest first: (distances × directions)
        spot_x = x + LEADER_UX * distances[:, None]
        spot_y = y + LEADER_UY * distances[:, None]
        rivals = [
            point
            for key, point in self.class_anchors[request.cls]
            if request.distinct and key != request.key
        ]
        usable = _clear_of_rivals(
            (x, y), distances, spot_x, spot_y, np.array(rivals).reshape(-1, 2)
        )
        if not usable.any():
            return None
        width, height = text_size(request.text, FONT_SIZE[request.cls])
        boxes = label_boxes(LEADER_SIDES, spot_x, spot_y, width, height, LEADER_GAP)[usable]
        positions = np.broadcast_to(LEADER_POSITIONS, usable.shape)[usable].tolist()
        points = zip(spot_x[usable].tolist(), spot_y[usable].tolist(), strict=True)
        spots = list(zip(points, positions, strict=True))
        return _unblocked(_Places.of(spots, boxes, self.marks, self.frame, self.projector))


def _places_at_anchors(
    requests: Iterable[LabelRequest],
    pixel: dict[tuple[float, float], tuple[float, float, bool]],
    marks: _Blocked,
    frame: Box,
    projector: Projector,
) -> dict[str, _Places | None]:
    """Every position at every anchor on the map of each label, in the order they are tried
    (None: no anchor on it); worked out for all labels at once."""
    spots: list[tuple[tuple[float, float], str]] = []
    rows: list[tuple[float, float, float, float, float]] = []  # x, y, width, height, gap
    spans: dict[str, tuple[int, int]] = {}  # each label's rows
    for request in requests:
        start = len(spots)
        anchors = [(request.lon, request.lat), *request.alternatives]
        width, height = text_size(request.text, FONT_SIZE[request.cls])
        for point in anchors:
            x, y, inside = pixel[point]
            if inside:
                spots += [(point, position) for position in request.positions]
                rows += [(x, y, width, height, request.gap)] * len(request.positions)
        spans[request.key] = (start, len(spots))
    x, y, width, height, gap = np.array(rows, dtype=float).reshape(-1, 5).T
    boxes = label_boxes(position_sides([p for _, p in spots]), x, y, width, height, gap)
    places = _Places.of(spots, boxes, marks, frame, projector)
    return {
        key: places.take(np.arange(*span)) if span[1] > span[0] else None
        for key, span in spans.items()
    }


def _unblocked(places: _Places) -> _Places | None:
    """The places that no drawn mark or map edge blocks (None: none). A place is free when all of
    its cost's parts, none negative, are zero."""
    free = np.flatnonzero(~(places.on_marks + places.off_map > 0.0))
    return places.take(free) if len(free) else None


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
