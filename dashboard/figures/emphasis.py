"""What the map emphasises for a sentence of the article, and a figure drawn so.

A sentence supports records (geodata.coverage: the records whose quotes lie in it). Each record
is drawn by items of the map, which the figure's traces name: `meta.ids` (a point or a location
each), `meta.parts` (the item of each part of a trace of lines) and `meta.items` (the items each
label, or each label's leader line, names). `record_items` says which items draw a record:

- an actor: its country; a grouping: its symbol and its members' countries (its area);
- a membership `nato/DEU`: the country and the grouping's symbol; an inclusion `like_minded/nato`:
  both groupings' symbols; a domain's attribution `cyber/CHN`: its badge on China, a domain: all
  its badges;
- a relation drawn as an arc: the arc (line, arrowhead, handle, label); one marked at its source:
  what stands for its source; one only listed: nothing;
- a threat, a region, an event: its own marks;
- a topic, which has no place of its own: what stands for the records it is about (`about`),
  another topic only when it is about nothing else.

`emphasized` keeps the elements that draw the items as they are and fades the rest: a point, a
label or a country by plotly's `selectedpoints` (the others take the `unselected` style), a trace
of lines by its opacity, with the parts it emphasises drawn again, as the trace draws them, on
one of the figure's empty overlay traces (`emphasis_slots`, drawn over every layer and under the
labels, each map its own), which then also carries the trace's legend entry (so that the legend shows what is
emphasised at full strength, and only what is not faded). The dashboard works out the same in
the browser (assets/atlas.js, `emphasisOf`) and paints it on the drawn map (`paintEmphasis`: no
geometry is sent, and plotly does not draw the map again); the export draws the figure this
module returns.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from functools import cached_property
from typing import Any

from shapely.geometry import LineString, MultiLineString

from dashboard.figures.context import Trace, make_uid, scattergeo
from dashboard.figures.hiding import is_hidden
from geodata.atlas import Atlas, derived, records
from geodata.coverage import SentenceCoverage, sentence_coverage
from geodata.geometry import path_coordinates
from geodata.records import cited_records
from geodata.select import Layers
from geodata.sentences import split_sentences

FADE = 0.2  # what is not emphasised keeps this share of its opacity
FADED_TEXT = "rgba(120,120,120,0.45)"  # the labels of what is not emphasised
SLOT_KIND = "emphasis"
SLOTS = 8  # overlay traces per map: the looks of lines one emphasis can redraw in part
SLOT_LAYER = "base"  # always shown; an overlay shows or hides with the trace it redraws
# legend-only entries, the overlays themselves, the Europe inset's outline, title and locator
# frame, and the focus ring are never faded
NOT_FADED = frozenset({"key", "legend", SLOT_KIND, "inset_frame", "inset_title", "inset_locator"})
MAX_TOPIC_DEPTH = 4  # a topic about a topic about …: how deep `about` is followed
# an overlay's look when it draws nothing
EMPTY_SLOT: dict[str, Any] = {
    "lon": [],
    "lat": [],
    "mode": "lines",
    "fill": "none",
    "visible": True,
    "showlegend": False,
    "name": "",
}
# what an overlay copies of the legend entry of the trace it draws in part
LEGEND_KEYS = ("name", "legendgroup", "legendgrouptitle", "legendrank")


def emphasis_slots() -> list[tuple[str, Trace]]:
    """A map's empty overlay traces, with their uids (see the module's docstring)."""
    return [
        (
            make_uid(SLOT_LAYER, f"emphasis/{n}"),
            scattergeo(
                lon=[],
                lat=[],
                mode="lines",
                hoverinfo="skip",
                showlegend=False,
                name="",
                meta={"layer": SLOT_LAYER, "kind": SLOT_KIND, "ids": []},
            ),
        )
        for n in range(1, SLOTS + 1)
    ]


# --- which items draw a record ---------------------------------------------------------------


class _Records:
    """The atlas's cited records by id, and what each one's items are (made once per atlas)."""

    def __init__(self, atlas: Atlas) -> None:
        self.knowledge, self.article = atlas.knowledge, atlas.article  # not the atlas: see derived
        self.kinds = {item.id: (item.kind, item.record) for item in cited_records(atlas.knowledge)}
        self.members: dict[str, list[str]] = {}
        for row in records(atlas.memberships[["grouping", "iso3"]]):
            self.members.setdefault(row.grouping, []).append(row.iso3)

    @cached_property
    def coverage(self) -> dict[str, SentenceCoverage]:
        rows = sentence_coverage(self.knowledge, split_sentences(self.article))
        return {row.sentence.id: row for row in rows}

    def items(self, record_id: str) -> tuple[str, ...]:
        """The items that draw a record cited in its own right."""
        kind, record = self.kinds.get(record_id, ("", None))
        if kind == "grouping":
            return (record_id, *self.members.get(record_id, ()))
        if kind == "membership":
            grouping, iso3 = record_id.split("/")
            return (iso3, grouping)
        if kind == "inclusion":
            return tuple(record_id.split("/"))
        if kind == "relation":
            return self._relation(record)
        if kind == "topic":
            return tuple(dict.fromkeys(self._about(record, 0)))
        return self.place(record_id)

    def place(self, record_id: str, depth: int = 0) -> tuple[str, ...]:
        """The items that stand for a record another one names (a topic's `about`, a relation's
        source): a grouping by its symbol, a topic by what it is about."""
        kind, record = self.kinds.get(record_id, ("", None))
        if kind == "domain":
            return tuple(f"{record_id}:{a.actor}" for a in record.attributions)
        if kind == "attribution":
            return (record_id.replace("/", ":"),)
        if kind == "relation":
            return self._relation(record)
        if kind == "topic":
            return tuple(dict.fromkeys(self._about(record, depth + 1)))
        return (record_id,) if kind else ()

    def _relation(self, relation: Any) -> tuple[str, ...]:
        if relation.placement == "arc":
            return (relation.id,)
        if relation.placement == "at_source":
            return self.place(relation.source)
        return ()

    def _about(self, topic: Any, depth: int) -> Iterator[str]:
        """What stands for the records a topic is about. A topic it is about counts only when
        it is about nothing else: DIANA, about NATO and the EDTs, is NATO's; it does not also
        bring what the EDTs are about (the Five Eyes)."""
        if depth > MAX_TOPIC_DEPTH:
            return
        places = [a for a in topic.about if self.kinds.get(a, ("",))[0] != "topic"]
        for about in places or topic.about:
            yield from self.place(about, depth)


def _records(atlas: Atlas) -> _Records:
    return derived(atlas, _Records)


def record_items(atlas: Atlas, record_id: str) -> tuple[str, ...]:
    """The ids of the map's items that draw a record (a record id of geodata.coverage)."""
    return _records(atlas).items(record_id)


def sentence_coverage_of(atlas: Atlas, sentence_id: str) -> SentenceCoverage | None:
    """A sentence of the atlas's article with what it supports (None for an unknown id)."""
    return _records(atlas).coverage.get(sentence_id)


def sentence_items(atlas: Atlas, sentence_id: str) -> tuple[str, ...]:
    """The ids of the map's items that draw what a sentence supports (none for an unknown id or
    a sentence that maps to nothing)."""
    row = sentence_coverage_of(atlas, sentence_id)
    if row is None:
        return ()
    return tuple(dict.fromkeys(item for rid in row.records for item in record_items(atlas, rid)))


def view_items(layers: Layers) -> frozenset[str]:
    """The items a view's layers draw: its groupings, arcs, threats, regions, events, domain
    badges, and the countries a shown grouping has as members or a shown link ends at."""
    relations = layers.relations
    arcs = relations[relations["placement"] == "arc"] if len(relations) else relations
    countries = {*layers.memberships["iso3"], *relations["source"], *relations["target"]}
    domains = zip(layers.domains["domain"], layers.domains["actor"], strict=True)
    return frozenset(
        {
            *arcs["id"],
            *layers.threats["id"],
            *layers.regions["id"],
            *layers.events["id"],
            *layers.groupings["id"],
            *countries,
            *(f"{d}:{a}" for d, a in domains),
        }
    )


def emphasis_points(
    layers: Layers, atlas: Atlas, sentence: str | None = None
) -> list[tuple[float, float]]:
    """Where the items a sentence emphasises are (the view's selected sentence by default), of
    those the view draws: the points its map must show (see framing.make_view's `keep`)."""
    sentence = sentence or layers.scenario.sentence
    items = set(sentence_items(atlas, sentence)) & view_items(layers) if sentence else set()
    if not items:
        return []
    points: list[tuple[float, float]] = []
    for frame in (layers.relations, layers.threats):
        for item_id, geometry in zip(frame["id"], frame.geometry, strict=True):
            if item_id in items and isinstance(geometry, LineString | MultiLineString):
                coords = path_coordinates(geometry)
                points += [coords[0], coords[len(coords) // 2], coords[-1]]
    for item_id, point in zip(layers.events["id"], layers.events.geometry, strict=True):
        if item_id in items:
            points.append((float(point.x), float(point.y)))
    anchors = atlas.anchors
    placed = [item.split(":")[-1] for item in items]  # a domain badge is at its state
    points += [tuple(map(float, anchors[i])) for i in placed if i in anchors]
    return points


# --- the figure, emphasised ----------------------------------------------------------------


def elements(trace: Trace) -> list[list[str]]:
    """The items of each element of a trace: of each point or location, of each part of a
    trace of lines (one part for the whole trace when its parts are not named)."""
    meta = trace.get("meta") or {}
    if "items" in meta:
        return [list(items) for items in meta["items"]]
    if "parts" in meta:
        return [[part] for part in meta["parts"]]
    if is_lines(trace):
        return [list(meta.get("ids") or ())]
    return [[item] for item in meta.get("ids") or ()]


def is_lines(trace: Trace) -> bool:
    """Whether a trace draws lines only (its elements are parts, faded by its opacity)."""
    return trace.get("type") == "scattergeo" and trace.get("mode") == "lines"


def fadeable(trace: Trace) -> bool:
    """Whether the emphasis changes a trace: every drawn trace of the layers with items (not a
    hidden one, whose emphasis is painted when its layer shows, and not the legend's entries,
    the overlays or the focus ring)."""
    meta = trace.get("meta") or {}
    return "ids" in meta and meta.get("kind") not in NOT_FADED and not is_hidden(trace)


def parts(lon: list[Any], lat: list[Any]) -> list[tuple[list[Any], list[Any]]]:
    """A trace's coordinates split into its parts (at the None between them)."""
    if not lon:
        return []
    split: list[tuple[list[Any], list[Any]]] = [([], [])]
    for x, y in zip(lon, lat, strict=True):
        if x is None:
            split.append(([], []))
        else:
            split[-1][0].append(x)
            split[-1][1].append(y)
    return split


def emphasized(figure: dict[str, Any], items: Collection[str] | None) -> dict[str, Any]:
    """A copy of a figure (as JSON data) with the elements that draw `items` as they are and
    every other element faded; `items` None: nothing emphasised, nothing faded (the figure as
    built). Shares what it does not change with `figure`."""
    data = [dict(trace) for trace in figure.get("data", [])]
    slots = [
        i for i, trace in enumerate(data) if (trace.get("meta") or {}).get("kind") == SLOT_KIND
    ]
    for index in slots:
        data[index] |= EMPTY_SLOT
    wanted = None if items is None else set(items)
    overlays = _Overlays(data, slots)
    for trace in data:
        if not fadeable(trace):
            continue
        chosen = (
            None
            if wanted is None
            else [j for j, element in enumerate(elements(trace)) if wanted.intersection(element)]
        )
        if is_lines(trace):
            _fade_lines(trace, chosen, overlays)
        elif chosen is None:
            trace["selectedpoints"] = None
        else:
            trace["selectedpoints"] = chosen
            trace["unselected"] = _unselected(trace)
    return {**figure, "data": data}


def _unselected(trace: Trace) -> dict[str, Any]:
    """The style of a trace's elements that are not emphasised."""
    style: dict[str, Any] = {"marker": {"opacity": FADE}}
    if "text" in (trace.get("mode") or ""):
        style["textfont"] = {"color": FADED_TEXT}
    return style


class _Overlays:
    """The figure's overlay traces, handed out one per look and map (traces of lines drawn alike
    on one geo subplot share one), in the order the looks first come. Each map (the main map,
    the Europe inset) has overlays of its own, so that what one redraws stays on its map."""

    def __init__(self, data: list[Trace], slots: list[int]) -> None:
        self.data = data
        self.free: dict[str, list[int]] = {}
        for slot in slots:
            self.free.setdefault(data[slot].get("geo", "geo"), []).append(slot)
        self.by_look: dict[str, int] = {}

    def add(self, geo: str, look: dict[str, Any], lon: list[Any], lat: list[Any]) -> bool:
        """Draw these parts with this look on the map `geo`; False when no overlay of that map
        is free for a new look."""
        key = geo + json.dumps(look)
        if key not in self.by_look:
            free = self.free.get(geo)
            if not free:
                return False
            slot = free.pop(0)
            self.by_look[key] = slot
            self.data[slot] |= look
        slot_trace = self.data[self.by_look[key]]
        gap = [None] if slot_trace["lon"] else []
        slot_trace["lon"] = [*slot_trace["lon"], *gap, *lon]
        slot_trace["lat"] = [*slot_trace["lat"], *gap, *lat]
        return True


def _fade_lines(trace: Trace, chosen: list[int] | None, overlays: _Overlays) -> None:
    """Fade a trace of lines and draw its chosen parts again, as it draws them, on an overlay
    (none free: leave the trace as it is, chosen parts and all)."""
    meta = trace["meta"]
    base = meta.get("opacity", trace.get("opacity", 1.0))
    legend = meta.get("showlegend", trace.get("showlegend", True))
    trace["opacity"] = base
    trace["showlegend"] = legend
    if chosen is None:
        return
    if chosen:
        lon: list[Any] = []
        lat: list[Any] = []
        split = parts(trace.get("lon") or [], trace.get("lat") or [])
        for index in chosen:
            gap = [None] if lon else []
            lon += [*gap, *split[index][0]]
            lat += [*gap, *split[index][1]]
        look = {
            "mode": trace.get("mode", "lines"),
            "line": trace.get("line", {}),
            "fill": trace.get("fill", "none"),
            "fillcolor": trace.get("fillcolor"),
            "opacity": base,
            "visible": True,
            "showlegend": legend,
        }
        if legend:
            look |= {key: trace.get(key) for key in LEGEND_KEYS}
            trace["showlegend"] = False
        if not overlays.add(trace.get("geo", "geo"), look, lon, lat):
            trace["showlegend"] = legend
            return
    trace["opacity"] = round(base * FADE, 4)
