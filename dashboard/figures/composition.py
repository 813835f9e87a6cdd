"""Composing a figure: every layer's drawing, the labels placed over all of them, the one
countries trace, and the plotly Figure (or its parts, for callers that only serialise it).

The contract with the app is in the package's docstring (dashboard.figures)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

import plotly.graph_objects as go

from dashboard.figures import style
from dashboard.figures.context import (
    Context,
    Drawing,
    LabelRequest,
    Trace,
    line_meta,
    make_uid,
    scattergeo,
)
from dashboard.figures.countries import (
    CountryFills,
    countries_trace,
    country_fills,
)
from dashboard.figures.emphasis import emphasis_points, emphasis_slots
from dashboard.figures.geo import (
    DETAIL_RESOLUTION,
    NOMINAL_SIZE,
    Frame,
    LegendGroup,
    Projector,
    layout,
    legend_title,
    make_view,
    plan_frame,
    resolution_for,
)
from dashboard.figures.labels import LEADER_GAP, Placement, place_labels
from dashboard.figures.layers import BASE_LAYER, BUILDERS
from dashboard.figures.marks import LonLatList
from dashboard.figures.notes import map_notes
from geodata.atlas import Atlas
from geodata.scenario import LAYERS
from geodata.select import Layers

LAYER_IDS: tuple[str, ...] = (*LAYERS, BASE_LAYER)

LEGEND_RANK = {layer: 100 * (index + 1) for index, layer in enumerate(LAYER_IDS)}
# meta["kind"] of the traces whose points are clickable items (their customdata is the item id)
CLICKABLE_KINDS = frozenset(
    {"country", "grouping", "relation", "threat", "region", "event", "domain", "modality"}
)
LABEL_CLASSES = ("region", "relation", "event", "threat", "actor", "badge", "grouping")
COUNTRIES_UID = make_uid(BASE_LAYER, "countries")
# trace properties whose values are data kept as given (other dict values are plotly objects)
DATA_PROPERTIES = frozenset({"meta", "geojson"})


def build_figure(
    layers: Layers,
    atlas: Atlas,
    *,
    visible_layers: tuple[str, ...] | None = None,
    size: tuple[int, int] | None = None,
    frame: Frame | None = None,
    level_of_detail: bool = False,
) -> go.Figure:
    """The map of `layers`, with the traces of layers outside `visible_layers` hidden.

    `visible_layers` defaults to the scenario's layers. The view (projection, language, focus)
    comes from ``layers.scenario``. Labels of the visible layers are placed first (and the polar
    view is zoomed to them); the list of traces is the same whatever `visible_layers` is.
    `size` is the (width, height) in px the figure is laid out and its labels placed for (the
    1600×900 export size by default; a side-by-side map at half width should say so).
    `frame` instead fixes where the map goes (for a caller that lays out the legend itself, such
    as the slide export): the labels are placed for a map of exactly that plot area.
    The base map is the 1:50m one (exports: every size and zoom), or with `level_of_detail`
    (the dashboard) the one the view needs on screen (geo.resolution_for).
    """
    traces, figure_layout, *_ = figure_parts(
        layers,
        atlas,
        visible_layers=visible_layers,
        size=size,
        frame=frame,
        level_of_detail=level_of_detail,
    )
    # Validating every trace took most of the time: the traces skip it (the builders make them
    # right, and the tests check them) and only the small layout is validated. The figure is the
    # same as one made of validated graph objects (see _as_validated), and like one it validates
    # what callers add or change later.
    figure = go.Figure(data=traces, layout=figure_layout, _validate=False)
    for part in (figure, figure.layout, *figure.data):  # plotly keeps the flag it was built with
        part._validate = True
    return figure


class FigureParts(NamedTuple):
    """What build_figure wraps, and what a layer toggle needs to restyle the countries trace."""

    traces: list[dict[str, Any]]  # JSON-ready dicts
    layout: go.Layout  # validated
    countries: CountryFills  # every layer's country records
    countries_index: int  # where the countries trace is in `traces`


def figure_parts(
    layers: Layers,
    atlas: Atlas,
    *,
    visible_layers: tuple[str, ...] | None = None,
    size: tuple[int, int] | None = None,
    frame: Frame | None = None,
    level_of_detail: bool = False,
) -> FigureParts:
    """What build_figure wraps: the traces as plain JSON-ready dicts, and the validated layout
    (with the country records a toggle restyles the countries trace from).

    For callers that only serialise the figure (the dashboard), which saves go.Figure's copy of
    every trace."""
    scenario = layers.scenario
    visible = set(scenario.layers if visible_layers is None else visible_layers) | {BASE_LAYER}
    ctx, drawings, placements = compose(
        layers,
        atlas,
        visible,
        frame.size if frame else size or NOMINAL_SIZE,
        frame,
        level_of_detail=level_of_detail,
    )
    traces: list[tuple[str, str, Trace]] = []
    for drawing in drawings:
        traces += [(drawing.layer, uid, trace) for uid, trace in drawing.traces]
    # modality badges over every line and mark, whichever layer draws them (labels come later)
    traces.sort(key=lambda item: item[2]["meta"]["kind"] == "modality")
    countries = country_fills(drawings, ctx.country_hover)
    trace = countries_trace(countries, visible)
    trace["meta"] = {"layer": BASE_LAYER, "kind": "country", "ids": list(countries.locations)}
    at = max((i + 1 for i, (_, _, t) in enumerate(traces) if t["type"] == "choropleth"), default=0)
    traces.insert(at, (BASE_LAYER, COUNTRIES_UID, trace))
    # the emphasis's overlays: over every drawing, under the modality badges and the labels
    # (see figures.emphasis)
    badges = next(
        (i for i, (_, _, t) in enumerate(traces) if t["meta"]["kind"] == "modality"), len(traces)
    )
    traces[badges:badges] = [(BASE_LAYER, uid, slot) for uid, slot in emphasis_slots()]
    for drawing in drawings:
        traces += [
            (drawing.layer, uid, trace) for uid, trace in _label_traces(ctx, drawing, placements)
        ]
    for layer, uid, trace in traces:
        trace.update(
            uid=uid,
            visible=layer in visible,
            legendgroup=layer,
            legendgrouptitle={"text": legend_title(layer, scenario.lang)},
            legendrank=LEGEND_RANK[layer],
        )
    return FigureParts(
        [_as_validated(trace) for _, _, trace in traces],
        go.Layout(
            layout(ctx.view, scenario.lang, ctx.projector.frame_plan, ctx.resolution)
            | {"annotations": map_notes(scenario)}
        ),
        countries,
        at,
    )


def _as_validated(props: dict[str, Any]) -> dict[str, Any]:
    """Trace properties with nested plotly objects (marker, line, ...) in the order validation
    keeps them in: by name (a trace's own properties are put in that order by its class)."""
    return {
        key: _as_validated(value)
        if isinstance(value, dict) and key not in DATA_PROPERTIES
        else value
        for key, value in sorted(props.items())
    }


def compose(
    layers: Layers,
    atlas: Atlas,
    visible: set[str],
    size: tuple[int, int] = NOMINAL_SIZE,
    fixed_frame: Frame | None = None,
    *,
    level_of_detail: bool = False,
) -> tuple[Context, list[Drawing], dict[str, Placement]]:
    """Every layer's drawing and the placement of every label (the figure before plotly).

    The map's size depends on the legend (under or beside the map), and the legend on what the
    layers draw: the layers are drawn once to read the legend, and those that read the frame
    (pixel offsets such as badge spacing depend on it) again for the map's real size when that
    differs. A `fixed_frame` is used as it is. The base map's resolution: see build_figure.
    """
    view = make_view(layers, atlas, visible, keep=emphasis_points(layers, atlas))
    ctx = Context(
        layers=layers,
        atlas=atlas,
        lang=layers.scenario.lang,
        view=view,
        size=size,
        visible=frozenset(visible),
        resolution=resolution_for(view) if level_of_detail else DETAIL_RESOLUTION,
    )
    ctx.projector = Projector(view, fixed_frame or plan_frame(view, size=size))
    drawings, read_frame = [], []
    for _, build in BUILDERS:
        ctx.projector_read = False
        drawings.append(build(ctx))
        read_frame.append(ctx.projector_read)
    frame = fixed_frame or plan_frame(view, legend_groups(drawings, visible, ctx.lang), size)
    if frame != ctx.projector.frame_plan:
        ctx.projector = Projector(view, frame)
        drawings = [
            build(ctx) if again else drawing
            for (_, build), drawing, again in zip(BUILDERS, drawings, read_frame, strict=True)
        ]
    placements = place_labels(
        [label for d in drawings for label in d.labels],
        [obstacle for d in drawings for obstacle in d.obstacles],
        ctx.projector,
        first={label.key for d in drawings if d.layer in visible for label in d.labels},
        all_optional=ctx.compact,
    )
    return ctx, drawings, placements


def legend_groups(drawings: list[Drawing], visible: set[str], lang: str) -> list[LegendGroup]:
    """The legend plotly will draw: a group per shown layer in legend order, with the names of
    its traces that are in the legend."""
    groups = []
    for layer in sorted({d.layer for d in drawings}, key=LEGEND_RANK.__getitem__):
        if layer not in visible:
            continue
        names = [
            trace["name"]
            for d in drawings
            if d.layer == layer
            for _, trace in d.traces
            if trace.get("showlegend") and trace.get("name")
        ]
        if names:
            groups.append(LegendGroup(legend_title(layer, lang), tuple(names)))  # type: ignore[arg-type]
    return groups


def trace_layers(figure: go.Figure) -> list[str]:
    """The layer id of each trace of a figure built by build_figure (from trace.meta)."""
    return [trace.meta["layer"] for trace in figure.data]


def _gap_size(request: LabelRequest, placement: Placement) -> float:
    """The invisible marker size that makes plotly keep a label `gap` px off its point
    (plotly offsets text by marker radius / 0.8 + 1)."""
    gap = LEADER_GAP if placement.leader is not None else request.gap
    return round(max(0.0, (gap - 1.0) * 1.6), 2)


def _label_traces(
    ctx: Context, drawing: Drawing, placements: dict[str, Placement]
) -> Iterable[tuple[str, Trace]]:
    """One text trace of a layer's labels (class by class, in LABEL_CLASSES order: later ones are
    drawn on top) and one trace of leader lines. Few traces: plotly.js draws each text trace in
    its own pass, which was a good part of the map's first paint.

    Every label the layer asked for is in its trace (one left out has empty text), so that the
    traces do not depend on where labels went.
    """
    by_class: dict[str, list[LabelRequest]] = {}
    seen: set[str] = set()
    for request in drawing.labels:
        if request.key not in seen:
            seen.add(request.key)
            by_class.setdefault(request.cls, []).append(request)
    requests = [q for cls in LABEL_CLASSES for q in by_class.get(cls, [])]
    if requests:
        points = [placements[q.key].point or (q.lon, q.lat) for q in requests]
        shown = [placements[q.key].position is not None for q in requests]
        trace = scattergeo(  # points along arcs are numpy floats: rounded so, then made plain
            lon=[float(round(p[0], 2)) for p in points],
            lat=[float(round(p[1], 2)) for p in points],
            mode="markers+text",
            text=[q.text if ok else "" for q, ok in zip(requests, shown, strict=True)],
            textposition=[placements[q.key].position or q.positions[0] for q in requests],
            textfont={
                "size": [style.FONT_SIZE[q.cls] for q in requests],
                "color": [q.colour for q in requests],
                "family": style.FONT_FAMILY,
                "weight": [
                    "bold" if q.cls in ("grouping", "threat") else "normal" for q in requests
                ],
                "shadow": style.HALO,
            },
            marker={
                "size": [_gap_size(q, placements[q.key]) for q in requests],
                "color": style.TRANSPARENT,
            },
            hoverinfo="skip",
            showlegend=False,
            name="",
        )
        trace["meta"] = {
            "layer": drawing.layer,
            "kind": "label",
            "ids": [q.key for q in requests],
            "items": [q.item_ids for q in requests],
        }
        yield make_uid(drawing.layer, "labels"), trace
    if not seen:
        return
    moved = [
        q
        for qs in by_class.values()
        for q in qs
        if placements[q.key].leader is not None and placements[q.key].point is not None
    ]
    lines = LonLatList()
    for q in moved:
        lines.add([placements[q.key].leader, placements[q.key].point], q.key)  # type: ignore[list-item]
    trace = scattergeo(
        lon=lines.lon,
        lat=lines.lat,
        mode="lines",
        line={"color": "#8A8A8A", "width": 0.8},
        hoverinfo="skip",
        showlegend=False,
        name="",
    )
    trace["meta"] = line_meta(drawing.layer, "leader", [q.key for q in moved], trace, lines.parts)
    trace["meta"]["items"] = [q.item_ids for q in moved]
    yield make_uid(drawing.layer, "labels/leaders"), trace
