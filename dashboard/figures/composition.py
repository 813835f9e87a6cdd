"""Composing a figure: every layer's drawing, the labels placed over all of them, the one
countries trace, and the plotly Figure (or its parts, for callers that only serialise it).

The contract with the app is in the package's docstring (dashboard.figures)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import replace
from typing import Any, NamedTuple

import plotly.graph_objects as go
import shapely

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
from dashboard.figures.framing import (
    ContentKey,
    content_features,
    content_key,
    content_points,
    frames_by_content,
    make_view,
)
from dashboard.figures.geo import (
    DETAIL_RESOLUTION,
    NOMINAL_SIZE,
    Frame,
    LegendGroup,
    Projector,
    geo_layout,
    layout,
    legend_title,
    plan_frame,
    resolution_for,
)
from dashboard.figures.hiding import hide, with_own_style
from dashboard.figures.inset import INSET_SCOPE, Inset, outline, place, wanted, within
from dashboard.figures.labels import LEADER_GAP, Pause, Placement, carry_on, place_labels
from dashboard.figures.layers import BASE_LAYER, BUILDERS
from dashboard.figures.marks import LonLatList
from dashboard.figures.notes import map_notes
from dashboard.figures.projection import View
from dashboard.figures.states import label_states, limited_keys, with_states
from dashboard.figures.text import text_size
from dashboard.i18n import t
from geodata.atlas import Atlas
from geodata.certainty import WIDEST_STATE, shows, split_state_key, state_index
from geodata.knowledge import Basis, Direction, ModalityLevel
from geodata.scenario import DIRECTION_KEYS, LAYERS, Scenario, key_layer, shown_keys
from geodata.select import Layers

LAYER_IDS: tuple[str, ...] = (*LAYERS, BASE_LAYER)
Certainty = tuple[Basis, ModalityLevel]  # a view's two certainty filters
# what a trace may show with (its meta's layers): a layer, or a threat direction's part of it
LAYER_KEYS: tuple[str, ...] = (*LAYER_IDS, *DIRECTION_KEYS)

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
    directions: tuple[Direction, ...] | None = None,
    size: tuple[int, int] | None = None,
    frame: Frame | None = None,
    level_of_detail: bool = False,
    certainty: Certainty | None = None,
) -> go.Figure:
    """The map of `layers`, with the traces of layers outside `visible_layers` hidden, and
    those of threat directions outside `directions`.

    `visible_layers` and `directions` default to the scenario's. The view (projection, language,
    focus) comes from ``layers.scenario``. Labels of the visible layers are placed first (and the
    polar view is zoomed to them); the list of traces is the same whatever `visible_layers` is,
    but for the traces of labels (see _label_traces).
    `size` is the (width, height) in px the figure is laid out and its labels placed for (the
    1600×900 export size by default; a side-by-side map at half width should say so).
    `frame` instead fixes where the map goes (for a caller that lays out the legend itself, such
    as the slide export): the labels are placed for a map of exactly that plot area.
    The base map is the 1:50m one (exports: every size and zoom), or with `level_of_detail`
    (the dashboard) the one the view needs on screen (geo.resolution_for).
    `certainty`: see figure_parts.
    """
    traces, figure_layout, *_ = figure_parts(
        layers,
        atlas,
        visible_layers=visible_layers,
        directions=directions,
        size=size,
        frame=frame,
        level_of_detail=level_of_detail,
        certainty=certainty,
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
    """What build_figure wraps, and what a layer toggle needs to restyle the countries traces."""

    traces: list[dict[str, Any]]  # JSON-ready dicts
    layout: go.Layout  # validated
    # each countries trace (the main map's, then the inset's) as (its index in `traces`, the
    # country records it is drawn from: every layer's)
    countries: tuple[tuple[int, CountryFills], ...]
    frame: Frame  # where the main map and the legend go


def figure_parts(
    layers: Layers,
    atlas: Atlas,
    *,
    visible_layers: tuple[str, ...] | None = None,
    directions: tuple[Direction, ...] | None = None,
    size: tuple[int, int] | None = None,
    frame: Frame | None = None,
    level_of_detail: bool = False,
    fit_height: bool = False,
    pause: Pause = carry_on,
    certainty: Certainty | None = None,
) -> FigureParts:
    """What build_figure wraps: the traces as plain JSON-ready dicts, and the validated layout
    (with the country records a toggle restyles the countries traces from).

    For callers that only serialise the figure (the dashboard), which saves go.Figure's copy of
    every trace. `pause` is called between the steps of the drawing (see labels.Pause). With
    `fit_height` (the dashboard) the figure is as tall as its map and legend need at the width of
    `size` (geo.plan_frame; its page sizes the graph's box to the frame: geo.map_box_style).
    The threats of the `directions` (by default the scenario's) show, those of the others are
    hidden: the map is framed, and its labels placed, for all it draws, so that a direction
    toggle only flips what is shown (see geodata.scenario.shown_keys).
    So are the things of a certainty the view's filters leave out, when `layers` draws them:
    `certainty` is the (basis, modality) of the filters the map shows (by default those of
    `layers`, which may select wider ones; see geodata.certainty); the map is framed for all it
    draws, so that a certainty toggle only flips what is shown."""
    scenario = layers.scenario
    shown = shown_keys(
        scenario.layers if visible_layers is None else visible_layers,
        scenario.directions if directions is None else directions,
    )
    visible = {*shown, BASE_LAYER}
    state = state_index(*(certainty or (scenario.basis, scenario.modality)))
    main, inset = compose(
        layers,
        atlas,
        visible,
        frame.size if frame else size or NOMINAL_SIZE,
        frame,
        level_of_detail=level_of_detail,
        fit_height=fit_height,
        pause=pause,
        state=state,
    )
    traces: list[tuple[str, str, Trace]] = []
    countries: list[tuple[int, CountryFills]] = []
    # each map: its drawing, its traces' uid suffix, the countries it draws (None: all) and the
    # box beyond which its traces draw nothing (None: the whole world)
    maps = [(main, "", None, None)]
    if inset is not None:
        extent = inset.plan.extent
        maps.append((inset, INSET_SUFFIX, set(_countries_within(atlas, extent)), extent))
    for part, suffix, only, extent in maps:
        at = len(traces)
        drawn = [
            (trace_layer(trace), uid, trace)
            for d in part.drawings
            for uid, trace in d.traces
            if extent is None or _drawn_on_inset(trace, extent)
        ]
        # modality badges over every line and mark, whichever layer draws them (labels later);
        # the emphasis's overlays over every drawing, under the badges (see figures.emphasis)
        drawn.sort(key=lambda item: item[2]["meta"]["kind"] == "modality")
        badges = next(
            (i for i, (_, _, t) in enumerate(drawn) if t["meta"]["kind"] == "modality"), len(drawn)
        )
        drawn[badges:badges] = [(BASE_LAYER, uid, slot) for uid, slot in emphasis_slots()]
        traces += _subplot(drawn, suffix)
        fills = country_fills(part.drawings, part.ctx.country_hover, only)
        trace = countries_trace(fills, visible, state)
        trace["meta"] = {"layer": BASE_LAYER, "kind": "country", "ids": list(fills.locations)}
        choropleths = [i for i, (_, _, t) in enumerate(traces) if t["type"] == "choropleth"]
        at = max([at, *(i + 1 for i in choropleths if i >= at)])
        traces[at:at] = _subplot([(BASE_LAYER, COUNTRIES_UID, trace)], suffix)
        countries.append((at, fills))
    if inset is not None:
        traces += _inset_frames(inset, scenario.lang)
    for part, suffix, _, _ in maps:
        traces += _subplot(_label_traces(part), suffix)
    for index, (key, uid, trace) in enumerate(traces):
        group = trace["meta"]["layer"]
        trace.update(
            uid=uid,
            legendgroup=group,
            legendgrouptitle={"text": legend_title(group, scenario.lang)},
            legendrank=LEGEND_RANK[group],
        )
        if key != BASE_LAYER:  # (a layer's trace: the page hides and shows it)
            trace = with_own_style(trace)
            traces[index] = (key, uid, trace if shown_by(key, visible, state) else hide(trace))
    figure_layout = layout(
        main.ctx.view, scenario.lang, main.ctx.projector.frame_plan, main.ctx.resolution
    )
    if inset is not None:
        frame_plan = main.ctx.projector.frame_plan
        figure_layout["geo"]["domain"] = {"x": [0.0, 1.0], "y": [0.0, 1.0]}
        figure_layout["geo2"] = geo_layout(inset.ctx.view, inset.ctx.resolution) | {
            "scope": INSET_SCOPE,  # (its base map: inset.INSET_BASEMAP)
            "domain": inset.plan.domain(frame_plan),
            "bgcolor": style.WHITE,
            "showframe": False,
        }
    # (index of each countries trace among the validated traces: the same list)
    return FigureParts(
        [_as_validated(trace) for _, _, trace in traces],
        go.Layout(figure_layout | {"annotations": _notes(scenario, inset, main)}),
        tuple(countries),
        main.ctx.projector.frame_plan,
    )


def _notes(
    scenario: Scenario, inset: InsetDrawing | None, main: MapDrawing
) -> list[dict[str, Any]]:
    """The notes written on the map (dashboard.figures.notes), in the map's lower left corner,
    or just above the Europe inset when the inset takes that corner."""
    notes = map_notes(scenario)
    if inset is None or not notes:
        return notes
    domain = inset.plan.domain(main.ctx.projector.frame_plan)
    if domain["x"][0] > 0.5 or domain["y"][0] > 0.5:
        return notes
    _, _, _, height = main.ctx.projector.frame_plan.plot_box()
    return [note | {"x": domain["x"][0], "y": domain["y"][1] + NOTE_GAP / height} for note in notes]


INSET_SUFFIX = "-inset"
# the kinds of traces that only make a legend entry (kit.legend_entry): not drawn on the inset,
# which has no legend (each trace costs plotly.js its defaults, calc and plot at every redraw)
LEGEND_ONLY_KINDS = frozenset({"key", "legend"})
# degrees around the inset's box within which a trace's points may still draw on it: marks
# set off from their place by pixels (badges, arrowheads) lie farther, in degrees, the smaller
# the map; this much keeps the inset's traces the same at every size the atlas draws
INSET_REACH = 20.0
NOTE_GAP = 6.0  # px between the Europe inset and a note above it
FRAME_INSIDE = 1.0  # px between the inset's edge and its outline
TITLE_INSIDE = 3.0  # px between the inset's top-left corner and its title's anchor
SHARED = "+"  # joins the layers of a trace drawn by several (a label two layers ask for)
# a leader line: dark enough to follow over the orange bloc fill and across arcs
LEADER_COLOUR = "#5C5C5C"


def shown_by(layer: str, visible: Collection[str], state: int = WIDEST_STATE) -> bool:
    """Whether a trace of `layer` (one layer key, or several joined by SHARED, each maybe
    limited to some certainty states: geodata.certainty.state_key) shows when the layer keys
    `visible` are shown in certainty state `state`: when any of its keys is."""
    return shows(layer.split(SHARED), visible, state)


def trace_layer(trace: dict[str, Any] | Any) -> str:
    """The layer key of a trace (its meta's layer, or its layers joined by SHARED)."""
    meta = trace["meta"] if isinstance(trace, dict) else trace.meta
    return SHARED.join(meta.get("layers") or [meta["layer"]])


def _subplot(traces: list[tuple[str, str, Trace]], suffix: str) -> list[tuple[str, str, Trace]]:
    """Traces for the main map (no suffix), or for the inset (their uids suffixed, drawn on the
    second geo subplot, out of the legend)."""
    if not suffix:
        return traces
    return [(layer, uid + suffix, _on_inset(trace)) for layer, uid, trace in traces]


def _on_inset(trace: Trace) -> Trace:
    """A trace drawn on the inset: on the second geo subplot, out of the legend (its meta's
    legend entry too, which the emphasis restores: figures.emphasis)."""
    meta = trace.get("meta") or {}
    if "showlegend" in meta:
        meta = meta | {"showlegend": False}
    return trace | {"geo": "geo2", "showlegend": False, "meta": meta}


def _drawn_on_inset(trace: Trace, extent: tuple[float, float, float, float]) -> bool:
    """Whether the inset draws a trace of the inset's layers: not one that only makes a legend
    entry, nor a scattergeo whose points all lie away from the inset's (west, south, east,
    north) box (a trace without points included). plotly.js defaults, calculates and draws
    every trace at each redraw: a third of the inset's drew nothing there. A trace of lines is
    kept when the box of its points meets the inset's, so that an arc crossing the inset
    without a vertex in it is kept. (The inset's labels are its own: see _label_traces.)"""
    if trace["meta"]["kind"] in LEGEND_ONLY_KINDS:
        return False
    if trace["type"] != "scattergeo":
        return True
    lons = [x for x in trace.get("lon") or () if x is not None]
    lats = [y for y in trace.get("lat") or () if y is not None]
    if not lons or not lats:
        return False
    west, south, east, north = extent
    return (
        min(lons) <= east + INSET_REACH
        and max(lons) >= west - INSET_REACH
        and min(lats) <= north + INSET_REACH
        and max(lats) >= south - INSET_REACH
    )


def _countries_within(atlas: Atlas, extent: tuple[float, float, float, float]) -> list[str]:
    """The countries whose outline reaches into a (west, south, east, north) box (by their
    bounds first; then by their shapes, since the bounds of one across the antimeridian, as
    the United States', span every longitude)."""
    west, south, east, north = extent
    bounds = atlas.countries.geometry.bounds
    near = (
        (bounds.minx <= east)
        & (bounds.maxx >= west)
        & (bounds.miny <= north)
        & (bounds.maxy >= south)
    ).to_numpy()
    candidates = atlas.countries[near]
    inside = candidates.geometry.intersects(shapely.box(west, south, east, north)).to_numpy()
    return list(candidates.iso3[inside])


def _inset_frames(inset: InsetDrawing, lang: str) -> list[tuple[str, str, Trace]]:
    """The inset's outline and title (on the inset) and its locator frame (on the main map)."""
    look = {"mode": "lines", "hoverinfo": "skip", "showlegend": False, "name": ""}
    ring = outline(inset.plan.extent)
    locator = scattergeo(
        lon=[p[0] for p in ring],
        lat=[p[1] for p in ring],
        line={"color": style.DARK, "width": 1.2},
        **look,
    )
    locator["meta"] = {"layer": BASE_LAYER, "kind": "inset_locator", "ids": []}
    # the inset's own outline a pixel inside its edge (plotly clips a line along the edge away)
    ring = outline(inset.plan.inner_extent(FRAME_INSIDE))
    frame = scattergeo(
        lon=[p[0] for p in ring],
        lat=[p[1] for p in ring],
        line={"color": style.DARK, "width": 2.0},
        **look,
    )
    frame["meta"] = {"layer": BASE_LAYER, "kind": "inset_frame", "ids": []}
    # the title's anchor: the inset's top-left corner, a little inside (the range box's top
    # bulges north of its corners, so the extent's north-west corner is off the inset)
    west, _, _, north = inset.plan.inner_extent(TITLE_INSIDE)
    title = scattergeo(
        lon=[west],
        lat=[north],
        mode="text",
        text=[f"<b>{t('map.inset', lang)}</b>"],
        textposition="bottom right",
        textfont={"size": style.FONT_SIZE["inset"], "color": style.DARK},
        hoverinfo="skip",
        showlegend=False,
        name="",
    )
    title["meta"] = {"layer": BASE_LAYER, "kind": "inset_title", "ids": []}
    return [
        (BASE_LAYER, make_uid(BASE_LAYER, "inset/locator"), locator),
        *_subplot(
            [
                (BASE_LAYER, make_uid(BASE_LAYER, "inset/frame"), frame),
                (BASE_LAYER, make_uid(BASE_LAYER, "inset/title"), title),
            ],
            INSET_SUFFIX,
        ),
    ]


def _as_validated(props: dict[str, Any]) -> dict[str, Any]:
    """Trace properties with nested plotly objects (marker, line, ...) in the order validation
    keeps them in: by name (a trace's own properties are put in that order by its class)."""
    return {
        key: _as_validated(value)
        if isinstance(value, dict) and key not in DATA_PROPERTIES
        else value
        for key, value in sorted(props.items())
    }


class MapDrawing(NamedTuple):
    """One geo subplot's drawing: its context (view and frame), every layer's drawing and where
    each label went."""

    ctx: Context
    drawings: list[Drawing]
    placements: dict[str, Placement]


class InsetDrawing(NamedTuple):
    """The Europe inset's drawing and where it goes."""

    plan: Inset
    ctx: Context
    drawings: list[Drawing]
    placements: dict[str, Placement]


class Composition(NamedTuple):
    """The main map's drawing, and the inset's when the view has one."""

    main: MapDrawing
    inset: InsetDrawing | None


class Framing(NamedTuple):
    """What part of the world a map shows, and whether it has the Europe inset."""

    view: View
    inset: bool


def framing(layers: Layers, atlas: Atlas, visible: Collection[str]) -> Framing:
    """How a view's map is framed with the layers `visible` shown (see
    dashboard.figures.framing and dashboard.figures.inset): a layer toggle keeps the map as
    drawn only while this stays the same."""
    return framings(layers, atlas, [visible])[0]


def framings(
    layers: Layers,
    atlas: Atlas,
    visible_sets: Iterable[Collection[str]],
    pause: Pause = carry_on,
) -> list[Framing]:
    """`framing` with each of several sets of layers shown (a layer toggle's table, see
    dashboard.service.maps), finding what does not depend on the shown layers once; `pause` is
    called after each set."""
    keep = emphasis_points(layers, atlas)
    wants = layers.scenario.inset == "europe"
    by_content = frames_by_content(layers.scenario)
    # sets of layers that draw the same things are framed alike: framed once
    framed: dict[ContentKey | frozenset[str], Framing] = {}
    found = []
    for visible in visible_sets:
        shown = set(visible)
        key = content_key(layers, atlas, shown) if by_content else frozenset(shown)
        if key not in framed:
            view = make_view(layers, atlas, shown, keep=keep)
            framed[key] = Framing(
                view, wants and wanted(view, content_features(layers, atlas, shown))
            )
        found.append(framed[key])
        pause()
    return found


def compose(
    layers: Layers,
    atlas: Atlas,
    visible: set[str],
    size: tuple[int, int] = NOMINAL_SIZE,
    fixed_frame: Frame | None = None,
    *,
    level_of_detail: bool = False,
    fit_height: bool = False,
    pause: Pause = carry_on,
    state: int = WIDEST_STATE,
) -> Composition:
    """Every layer's drawing and the placement of every label (the figure before plotly), on the
    main map and, where Europe is too small to read and crowded, on an inset of Europe.

    The map's size depends on the legend (under or beside the map), and the legend on what the
    layers draw: the layers are drawn once to read the legend, and those that read the frame
    (pixel offsets such as badge spacing depend on it) again for the map's real plot area when
    that differs (with `fit_height` it does not: only the legend's band under the map changes).
    A `fixed_frame` is used as it is. The inset's layers are drawn for its own view (arcs and
    arrows sized for its zoom); labels are placed on each map separately, those of
    items in the inset's area, and those the inset names, on the inset only. The base maps'
    resolution: see build_figure (the inset, zoomed on Europe, is on the 1:50m one). With
    `fit_height`, the map's height is what its full aspect asks for (geo.plan_frame). `pause` is
    called after each layer drawn and each label placed. The map shows certainty state
    `state` (see figure_parts).
    """
    view, with_inset = framing(layers, atlas, visible)
    ctx = _context(layers, atlas, view, size, visible, level_of_detail)
    ctx.projector = Projector(
        view, fixed_frame or plan_frame(view, size=size, fit_height=fit_height)
    )
    drawings, read_frame = [], []
    for _, build in BUILDERS:
        ctx.projector_read = False
        drawings.append(with_states(build(ctx), ctx.index))
        read_frame.append(ctx.projector_read)
        pause()
    groups = legend_groups(drawings, visible, ctx.lang)
    frame = fixed_frame or plan_frame(view, groups, size, fit_height=fit_height)
    redraw = frame.plot_box() != ctx.projector.frame_plan.plot_box()
    ctx.projector = Projector(view, frame)
    if redraw:  # (the pixels the builders read depend on the plot area alone)
        drawings = [
            with_states(build(ctx), ctx.index) if again else drawing
            for (_, build), drawing, again in zip(BUILDERS, drawings, read_frame, strict=True)
        ]
    requests = [label for d in drawings for label in d.labels]
    first = {
        label.key
        for d in drawings
        if d.layer in visible
        for label in d.labels
        if label_states(label, ctx.index) >> state & 1
    }
    obstacles = [obstacle for d in drawings for obstacle in d.obstacles]
    inset = None
    if with_inset:
        inset = _draw_inset(layers, atlas, ctx, drawings, visible, first, pause)
    if inset is None:
        placements = place_labels(
            requests, obstacles, ctx.projector, first, all_optional=ctx.compact, pause=pause
        )
        return Composition(MapDrawing(ctx, drawings, placements), None)
    # items in the inset's area, and those the inset names (an arc from Europe): labelled on
    # the inset only, so that no label is drawn twice
    extent = inset.plan.extent
    in_europe = {q.key for q in requests if within(extent, q.lon, q.lat)}
    in_europe |= {key for key, placement in inset.placements.items() if placement.box is not None}
    placements = place_labels(
        [q for q in requests if q.key not in in_europe],
        obstacles,
        ctx.projector,
        first,
        all_optional=ctx.compact,
        covered=inset.plan.main_box(ctx.projector),
        pause=pause,
    )
    placements |= {key: Placement(None, None, None) for key in in_europe}
    return Composition(MapDrawing(ctx, drawings, placements), inset)


def _context(
    layers: Layers,
    atlas: Atlas,
    view: View,
    size: tuple[int, int],
    visible: set[str],
    level_of_detail: bool,
) -> Context:
    """A map's context; its base map the 1:50m one, or with `level_of_detail` the one its view
    needs on screen (geo.resolution_for)."""
    return Context(
        layers=layers,
        atlas=atlas,
        lang=layers.scenario.lang,
        view=view,
        size=size,
        visible=frozenset(visible),
        resolution=resolution_for(view) if level_of_detail else DETAIL_RESOLUTION,
    )


def _draw_inset(
    layers: Layers,
    atlas: Atlas,
    main: Context,
    main_drawings: list[Drawing],
    visible: set[str],
    first: set[str],
    pause: Pause,
) -> InsetDrawing:
    """The inset in the corner of the main map that covers least of what it draws, its layers
    drawn for its view, and its labels (of the items in its area) placed on it."""
    avoid = [(o.lon, o.lat) for d in main_drawings if d.layer in visible for o in d.obstacles]
    avoid += [(q.lon, q.lat) for d in main_drawings if d.layer in visible for q in d.labels]
    avoid += [tuple(p) for p in content_points(layers, atlas, visible)[::4]]
    plan = place(main.projector, avoid)
    view = replace(plan.view, magnification=plan.magnification(main.projector))
    plan = replace(plan, view=view, projector=Projector(view, plan.projector.frame_plan))
    # (always on the 1:50m base map: its file is the 1:50m world's Europe, inset.INSET_BASEMAP)
    ctx = _context(layers, atlas, view, main.size, visible, level_of_detail=False)
    ctx.projector = plan.projector
    drawings = []
    for _, build in BUILDERS:
        drawings.append(with_states(build(ctx), ctx.index))
        pause()
    extent = plan.extent
    requests = [
        q
        for d in drawings
        for q in d.labels
        if any(within(extent, lon, lat) for lon, lat in ((q.lon, q.lat), *q.alternatives))
    ]
    title = _inset_title_box(plan, ctx.lang)
    placements = place_labels(
        requests,
        [o for d in drawings for o in d.obstacles],
        plan.projector,
        first,
        all_optional=ctx.compact,
        covered=title,
        pause=pause,
    )
    return InsetDrawing(plan, ctx, drawings, placements)


def _inset_title_box(plan: Inset, lang: str) -> tuple[float, float, float, float]:
    """The pixel box of the inset's title in its top-left corner (kept free of labels)."""
    width, height = text_size(f"<b>{t('map.inset', lang)}</b>", style.FONT_SIZE["inset"])
    x0, y0, _, _ = plan.projector.frame()
    return x0, y0, x0 + width + 8.0, y0 + height + 8.0


def legend_groups(drawings: list[Drawing], visible: set[str], lang: str) -> list[LegendGroup]:
    """The legend plotly will draw: a group per shown layer in legend order, with the names of
    its traces that are in the legend (of every threat direction and certainty: the map is laid
    out for all it draws, so that a toggle of either only flips what is shown)."""
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
    """The layer key of each trace of a figure built by build_figure (see `trace_layer`)."""
    return [trace_layer(trace) for trace in figure.data]


def _gap_size(request: LabelRequest, placement: Placement) -> float:
    """The invisible marker size that makes plotly keep a label `gap` px off its point
    (plotly offsets text by marker radius / 0.8 + 1)."""
    gap = LEADER_GAP if placement.leader is not None else request.gap
    return round(max(0.0, (gap - 1.0) * 1.6), 2)


def _label_traces(part: MapDrawing | InsetDrawing) -> list[tuple[str, str, Trace]]:
    """The labels of one map: a text trace (class by class, in LABEL_CLASSES order: later ones
    are drawn on top) and a trace of leader lines for each set of layers that ask for the same
    labels. Few traces: plotly.js draws each text trace in its own pass, which was a good part of
    the map's first paint.

    A label several layers ask for (the same key and text) is drawn once, in a trace of those
    layers (shown when any of them is, in the certainty states it shows in: figures.states; a
    label whose text depends on the state is one per text, placed once); one left out has empty
    text in it. A trace that would draw
    nothing (all its labels left out, or none of them moved off its anchor) is not made:
    plotly.js defaults, calculates and draws every trace at each redraw, a toggle's included.
    """
    asked: dict[tuple[str, str], tuple[LabelRequest, list[str]]] = {}
    for drawing in part.drawings:
        for request in drawing.labels:
            if request.key in part.placements:
                states = label_states(request, part.ctx.index)
                _, by = asked.setdefault((request.key, request.text), (request, []))
                by += [
                    key
                    for key in limited_keys(request.keys or (drawing.layer,), states)
                    if key not in by
                ]
    groups: dict[tuple[str, ...], list[LabelRequest]] = {}
    for request, by in asked.values():
        groups.setdefault(tuple(by), []).append(request)
    rank = {layer: index for index, (layer, _) in enumerate(BUILDERS)}
    keys = {key: index for index, key in enumerate(LAYER_KEYS)}

    def order(key: str) -> tuple[int, int, int]:
        plain, states = split_state_key(key)
        return rank[key_layer(plain)], keys[plain], -states

    traces: list[tuple[str, str, Trace]] = []
    for by in sorted(groups, key=lambda by: ([order(k) for k in by], len(by))):
        key = SHARED.join(by)
        layer = key_layer(by[0])
        shared = {"layers": list(by)} if by != (layer,) else {}
        requests = sorted(groups[by], key=lambda q: LABEL_CLASSES.index(q.cls))
        trace = _label_text_trace(requests, part.placements)
        trace["meta"] = {
            "layer": layer,
            "kind": "label",
            "ids": [q.key for q in requests],
            "items": [q.item_ids for q in requests],
        }
        trace["meta"] |= shared
        if any(trace["text"]):
            traces.append((key, make_uid(key, "labels"), trace))
        moved = [
            q
            for q in requests
            if part.placements[q.key].leader is not None
            and part.placements[q.key].point is not None
        ]
        lines = LonLatList()
        for q in moved:
            lines.add([part.placements[q.key].leader, part.placements[q.key].point], q.key)  # type: ignore[list-item]
        leaders = scattergeo(
            lon=lines.lon,
            lat=lines.lat,
            mode="lines",
            line={"color": LEADER_COLOUR, "width": 1.0},
            hoverinfo="skip",
            showlegend=False,
            name="",
        )
        leaders["meta"] = line_meta(
            layer, "leader", [q.key for q in moved], leaders, lines.parts
        ) | {"items": [q.item_ids for q in moved]}
        leaders["meta"] |= shared
        if moved:
            traces.append((key, make_uid(key, "labels/leaders"), leaders))
    return traces


def _label_text_trace(requests: list[LabelRequest], placements: dict[str, Placement]) -> Trace:
    """One text trace of labels, each at its placed point (empty when left out)."""
    points = [placements[q.key].point or (q.lon, q.lat) for q in requests]
    shown = [placements[q.key].position is not None for q in requests]
    return scattergeo(  # points along arcs are numpy floats: rounded so, then made plain
        lon=[float(round(p[0], 2)) for p in points],
        lat=[float(round(p[1], 2)) for p in points],
        mode="markers+text",
        text=[q.text if ok else "" for q, ok in zip(requests, shown, strict=True)],
        textposition=[placements[q.key].position or q.positions[0] for q in requests],
        textfont={
            "size": [style.FONT_SIZE[q.cls] for q in requests],
            "color": [q.colour for q in requests],
            "family": style.FONT_FAMILY,
            "weight": ["bold" if q.cls in ("grouping", "threat") else "normal" for q in requests],
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
