"""The drawing kit the layer builders share: relations (arcs with arrowheads and a click handle,
or a mark at their source, with the regions they end in and the names of their ends), country
fills, grouping markers, modality badges, legend-only entries and name labels."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

from shapely.geometry import LineString, MultiLineString

from dashboard.figures import marks, style
from dashboard.figures.context import (
    ALL_POSITIONS,
    Context,
    CountryFill,
    Drawing,
    LabelRequest,
    Obstacle,
    Record,
    scattergeo,
)
from dashboard.figures.text import wrap
from dashboard.i18n import localized, t
from geodata.certainty import (
    CERTAINTY_STATES,
    EVERY_STATE,
    STATE_MARK,
    ItemStates,
    any_of,
    split_state_key,
    state_key,
)
from geodata.knowledge import BASES

HOVER = "%{hovertext}<extra></extra>"

# label priorities (lower is placed first)
P_GROUPING = 10
P_BADGE = 14
P_ACTOR = 20
P_PROPOSAL = 24
P_THREAT = 30
P_FLOW = 34
P_REGION = 40
P_EVENT = 50
P_RELATION = 60

NAME_POSITIONS = ALL_POSITIONS
NAME_POSITIONS_WITH_BADGES = ("top center", "middle right", "middle left", "top right", "top left")
BADGE_POSITIONS = ("bottom center", "bottom right", "bottom left")


@dataclass(frozen=True)
class LinkStyle:
    """How one family of relations is drawn and named in the legend."""

    key: str
    legend: str
    colour: str
    width: float
    arrow: bool = True
    hollow_head: bool = False
    handle_symbol: str = "circle"
    handle_at_source: bool = False
    label_priority: int = P_RELATION
    label_optional: bool = True
    label_prefix: str = ""
    label_on_world_map: bool = False  # labelled at world scale even where labels are dense


# At world scale (a whole-world view) relation labels are optional and keep this much room
# around them: where arcs crowd (Europe, Russia) some go unlabelled and keep their text in the
# hover and their family in the legend.
WORLD_ZOOM = 2.0
WORLD_CLEARANCE = 9.0
# ... except in a view of few relation layers (the arcs are its subject), where they may move up
# to this far off their arc, with a leader line, to find room.
SUBJECT_LAYERS = 2
SUBJECT_REACH = 150.0
RELATION_LAYERS = frozenset(
    {"value_community", "authoritarian", "support_flows", "ukraine", "proposals"}
)


def basis_suffix(ctx: Context, basis: str) -> str:
    if basis == "stated":
        return ""
    word = ctx.basis_word(basis) + ctx.external_mark(basis)
    return f"({word})" if ctx.lang == "ja" else f" ({word})"


def draw_links(
    ctx: Context,
    drawing: Drawing,
    relations: list[Record],
    style_of: Callable[[Record], LinkStyle],
    order: Iterable[str],
) -> None:
    """Arcs for `relations`, one line/arrowhead/handle trace triple per (style, basis, status),
    and within it per set of certainty states its relations show in (figures.states: a modality
    toggle hides a triple); a (style, basis, status) split so has a legend entry of its own,
    shown while any of its triples is."""
    groups: dict[tuple[str, str, str], dict[ItemStates, list[Record]]] = {}
    styles: dict[str, LinkStyle] = {}
    for relation in relations:
        link = style_of(relation)
        styles[link.key] = link
        by_states = groups.setdefault((link.key, relation.basis, relation.status), {})
        by_states.setdefault(ctx.index.states_of(relation.id), []).append(relation)
    rank = {key: index for index, key in enumerate(order)}
    for key, basis, status in sorted(
        groups,
        key=lambda g: (rank.get(g[0], 99), BASES.index(g[1]), g[2]),  # type: ignore[arg-type]
    ):
        link = styles[key]
        uid = f"{link.key}/{basis}/{status}"
        by_states = groups[(key, basis, status)]
        if len(by_states) > 1:
            line = style.line_style(link.colour, basis, status)  # type: ignore[arg-type]
            legend_entry(
                drawing,
                f"{uid}/legend",
                _link_name(ctx, link, basis),
                "legend",
                keys=(state_key(drawing.layer, any_of(by_states)),),
                mode="lines",
                line={"color": line.colour, "width": link.width, "dash": line.dash},
                opacity=line.opacity,
            )
        for states in sorted(by_states, reverse=True):
            part = uid if len(by_states) == 1 else f"{uid}/{states}"
            _draw_link_group(
                ctx, drawing, link, basis, status, by_states[states], part, len(by_states) == 1
            )


def _link_name(ctx: Context, link: LinkStyle, basis: str) -> str:
    """The legend name of a style's arcs of one basis."""
    return t(link.legend, ctx.lang) + basis_suffix(ctx, basis)


def draw_relations(
    ctx: Context,
    drawing: Drawing,
    style_of: Callable[[Record], LinkStyle],
    order: Iterable[str],
    *,
    named: Mapping[str, ItemStates] | None = None,
    badged: Collection[str] = (),
) -> None:
    """The relations of the drawing's layer as arcs (see draw_links) or as marks at their source
    (see draw_marks), hollow markers at the regions they end in, and name labels for `named`
    (each shown in its certainty states) and for their ends (while one of their relations shows;
    `badged`: countries whose name sits above a strip of badges)."""
    relations = [r for r in ctx.rows.relations if r.layer == drawing.layer]
    draw_links(ctx, drawing, relations, style_of, order)
    marked = [r for r in ctx.rows.marked if r.layer == drawing.layer]
    draw_marks(ctx, drawing, marked, style_of)
    ends = [*endpoint_ids(relations), *(r.source for r in marked)]
    region_endpoints(ctx, drawing, [e for e in ends if e in ctx.regions])
    names = dict(named or {})
    ends_of = [*((r, (r.source, r.target)) for r in relations), *((r, (r.source,)) for r in marked)]
    for relation, relation_ends in ends_of:
        for end in relation_ends:
            names[end] = names.get(end, 0) | ctx.index.states_of(relation.id)
    label_names(ctx, drawing, names, set(badged))


@dataclass(frozen=True)
class Arc:
    """Where a relation's arc is drawn at one zoom: its shaft, its arrowhead (directed arcs), its
    ends and the points along it that its label may go to."""

    start: marks.LonLat
    shaft: tuple[marks.LonLat, ...]
    head: tuple[marks.LonLat, ...]  # a closed ring; empty when undirected
    tip: marks.LonLat | None  # None when undirected
    middle: marks.LonLat
    along: tuple[marks.LonLat, ...]


@lru_cache(maxsize=256)
def _arc(geometry: LineString | MultiLineString, zoom: float, directed: bool) -> Arc:
    """The arc of a relation's path at a zoom (the same in every view at that zoom, so kept)."""
    coords = marks.path(geometry)
    lengths = marks.cumulative(coords)
    total = float(lengths[-1])
    end_gap = min(1.0 / zoom, 0.15 * total)
    head = min(2.4 / zoom**0.8, 0.3 * total)
    tip_at = total - end_gap if directed else total
    shaft_end = tip_at - 0.7 * head if directed else total
    fractions = (0.38, 0.62, 0.28, 0.72, 0.2, 0.8)
    return Arc(
        start=coords[0],
        shaft=tuple(marks.cut(coords, min(0.5 / zoom, 0.1 * total), shaft_end)),
        head=tuple(marks.arrowhead_ring(marks.cut(coords, 0.0, tip_at), head)) if directed else (),
        tip=marks.point_at(coords, tip_at, lengths) if directed else None,
        middle=marks.point_at(coords, total / 2, lengths),
        along=tuple(marks.point_at(coords, f * total, lengths) for f in fractions),
    )


def _draw_link_group(
    ctx: Context,
    drawing: Drawing,
    link: LinkStyle,
    basis: str,
    status: str,
    rows: list[Record],
    uid: str,
    in_legend: bool,
) -> None:
    """The line, arrowhead and handle traces of some relations of one style, basis and status
    (`uid` theirs; in the legend unless the caller made it an entry of its own)."""
    line = style.line_style(link.colour, basis, status)  # type: ignore[arg-type]
    zoom = ctx.view.zoom
    world = zoom < WORLD_ZOOM and not link.label_on_world_map
    lines, heads = marks.LonLatList(), marks.LonLatList()
    handles: list[tuple[float, float]] = []
    ids, hovers = [], []
    badges: list[Badge] = []
    for relation in rows:
        shape = _arc(relation.geometry, zoom, bool(relation.directed) and link.arrow)
        lines.add(shape.shaft, relation.id)
        if shape.head:
            heads.add(shape.head, relation.id)
        handle = shape.start if link.handle_at_source else shape.middle
        handles.append(handle)
        ids.append(relation.id)
        hovers.append(ctx.relation_hover(relation))
        badges += badge_for(relation.id, handle, relation.modality, status, hovers[-1])
        label = localized(relation, "label", ctx.lang)
        if label:
            text = wrap(link.label_prefix + label, ctx.lang) + ctx.external_mark(basis)
            drawing.labels.append(
                LabelRequest(
                    key=f"relation:{relation.id}",
                    lon=handle[0],
                    lat=handle[1],
                    text=text,
                    cls="relation",
                    priority=link.label_priority,
                    optional=link.label_optional or world,
                    gap=6.0,
                    colour=_label_colour(line.colour),
                    alternatives=() if link.handle_at_source else shape.along,
                    clearance=WORLD_CLEARANCE if world else 0.0,
                    reach=SUBJECT_REACH if world and _arcs_are_the_subject(ctx) else None,
                )
            )
        drawing.obstacles.append(Obstacle(handle[0], handle[1], 5.0))
        if shape.tip is not None:
            drawing.obstacles.append(Obstacle(shape.tip[0], shape.tip[1], 5.0))
    name = _link_name(ctx, link, basis)
    drawing.add(
        f"{uid}/lines",
        scattergeo(
            lon=lines.lon,
            lat=lines.lat,
            mode="lines",
            line={"color": line.colour, "width": link.width, "dash": line.dash},
            opacity=line.opacity,
            hoverinfo="skip",
            name=name,
            showlegend=in_legend,
        ),
        "relation_line",
        ids,
        lines.parts,
    )
    if heads:
        fill = style.WHITE if link.hollow_head else line.colour
        drawing.add(
            f"{uid}/heads",
            scattergeo(
                lon=heads.lon,
                lat=heads.lat,
                mode="lines",
                fill="toself",
                fillcolor=fill,
                line={"color": line.colour, "width": 1.2},
                opacity=line.opacity,
                hoverinfo="skip",
                name=name,
                showlegend=False,
            ),
            "relation_head",
            ids,
            heads.parts,
        )
    open_handle = link.hollow_head or basis != "stated"
    symbol = link.handle_symbol + (
        "-open" if open_handle and "-open" not in link.handle_symbol else ""
    )
    drawing.add(
        f"{uid}/handles",
        scattergeo(
            **marks.lonlat(handles),
            mode="markers",
            marker={
                "symbol": symbol,
                "size": 11 if link.handle_at_source else 7,
                "color": line.colour,
                "line": {"color": line.colour if open_handle else style.WHITE, "width": 1.5},
            },
            opacity=max(line.opacity, 0.7),
            customdata=ids,
            hovertext=hovers,
            hovertemplate=HOVER,
            name=name,
            showlegend=False,
        ),
        "relation",
        ids,
    )
    modality_badges(ctx, drawing, uid, badges)


MARK_SIZE = 14
MARK_STEP = 18.0  # px between the marks of one source
MARK_DROP = (0.0, 20.0)  # px from the source's anchor (under its own marker and name)


def draw_marks(
    ctx: Context, drawing: Drawing, relations: list[Record], style_of: Callable[[Record], LinkStyle]
) -> None:
    """Relations whose other end has no place on the map (a value, an order), as a mark at their
    source: a square in the family's colour (white inside unless stated), labelled, clickable,
    with a modality badge; marks of one source sit side by side under it."""
    by_basis: dict[str, list[Record]] = {}
    for relation in relations:
        by_basis.setdefault(relation.basis, []).append(relation)
    world = ctx.view.zoom < WORLD_ZOOM
    slots: dict[str, int] = {}
    for basis in BASES:
        rows = by_basis.get(basis, [])
        if not rows:
            continue
        link = style_of(rows[0])
        colour = style.line_style(link.colour, basis).colour  # type: ignore[arg-type]
        points, ids, hovers, badges = [], [], [], []
        for relation in rows:
            slot = slots.get(relation.source, 0)
            slots[relation.source] = slot + 1
            drop = (MARK_DROP[0] + slot * MARK_STEP, MARK_DROP[1])
            point = offset_point(ctx, ctx.anchor(relation.source), drop)
            points.append(point)
            ids.append(relation.id)
            hovers.append(ctx.relation_hover(relation))
            badges += badge_for(relation.id, point, relation.modality, relation.status, hovers[-1])
            drawing.obstacles.append(Obstacle(point[0], point[1], 8.0))
            label = localized(relation, "label", ctx.lang)
            if label:
                drawing.labels.append(
                    LabelRequest(
                        key=f"relation:{relation.id}",
                        lon=point[0],
                        lat=point[1],
                        text=wrap(label, ctx.lang) + ctx.external_mark(basis),
                        cls="relation",
                        priority=link.label_priority,
                        optional=link.label_optional or world or ctx.compact,
                        gap=8.0,
                        colour=_label_colour(colour),
                        positions=("bottom center", "middle right", "middle left", "top center"),
                        clearance=WORLD_CLEARANCE if world else 0.0,
                        reach=SUBJECT_REACH if world and _arcs_are_the_subject(ctx) else None,
                    )
                )
        name = t("legend.marked_relations", ctx.lang) + basis_suffix(ctx, basis)
        drawing.add(
            f"marks/{basis}",
            scattergeo(
                **marks.lonlat(points),
                mode="markers",
                # hollow (white inside, to stand out on the bloc's fill) unless stated
                marker={
                    "symbol": "square",
                    "size": MARK_SIZE,
                    "color": colour if basis == "stated" else style.WHITE,
                    "line": {"color": colour, "width": 2.2},
                },
                opacity=max(style.LINE_OPACITY[basis], 0.8),  # type: ignore[index]
                customdata=ids,
                hovertext=hovers,
                hovertemplate=HOVER,
                name=name,
                showlegend=True,
            ),
            "relation",
            ids,
        )
        modality_badges(ctx, drawing, f"marks/{basis}", badges)


# --- modality ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Badge:
    """A modality badge to draw: the item it qualifies, the point of the item's mark, the glyph
    and the item's hover text."""

    item_id: str
    point: tuple[float, float]
    glyph: str
    hover: str


def badge_for(
    item_id: str, point: tuple[float, float], modality: str, status: str, hover: str
) -> list[Badge]:
    """The badge an item's modality asks for ([] when the article asserts it, or when it is a
    recommendation drawn as a proposal)."""
    glyph = style.modality_glyph(modality, status)
    return [Badge(item_id, point, glyph, hover)] if glyph else []


def modality_badges(
    ctx: Context, drawing: Drawing, uid: str, badges: list[Badge], keys: tuple[str, ...] = ()
) -> None:
    """One trace of round badges (? assessed, → projected, ! recommended) beside the marks they
    qualify, up and to the right; each clicks and hovers as its item does (and shows with the
    layer keys `keys` of those marks: see Drawing.add)."""
    if not badges:
        return
    points = [offset_point(ctx, badge.point, style.BADGE_OFFSET) for badge in badges]
    for point in points:
        drawing.obstacles.append(Obstacle(point[0], point[1], style.BADGE_SIZE / 2, hard=True))
    drawing.add(
        f"{uid}/modality",
        scattergeo(
            **marks.lonlat(points),
            mode="markers+text",
            text=[badge.glyph for badge in badges],
            textposition="middle center",
            textfont={
                "size": style.BADGE_FONT,
                "color": style.BADGE_INK,
                "family": style.FONT_FAMILY,
                "weight": "bold",
            },
            marker={
                "symbol": "circle",
                "size": style.BADGE_SIZE,
                "color": style.WHITE,
                "line": {"color": style.BADGE_INK, "width": 1.3},
            },
            customdata=[badge.item_id for badge in badges],
            hovertext=[badge.hover for badge in badges],
            hovertemplate=HOVER,
            name="",
            showlegend=False,
        ),
        "modality",
        [badge.item_id for badge in badges],
        keys=keys,
    )


def _arcs_are_the_subject(ctx: Context) -> bool:
    """Whether the view shows few layers of relations (their labels matter most there)."""
    return 0 < len(ctx.visible & RELATION_LAYERS) <= SUBJECT_LAYERS


def _label_colour(colour: str) -> str:
    """Label text colour for a line colour: dark enough to read on the map (also on the orange
    fill of the authoritarian bloc, with the white halo)."""
    return {
        style.ORANGE: "#7A4A00",
        style.VERMILLION: "#A63F00",
        style.SKY_BLUE: "#1F6E99",
        style.YELLOW: style.DARK,
        style.GREY: "#555555",
    }.get(colour, colour)


# --- countries ---------------------------------------------------------------------------------


def country_fill(
    ctx: Context,
    drawing: Drawing,
    uid: str,
    iso3s: list[str],
    bases: list[str],
    colours: str | list[str],
    states: list[ItemStates] | None = None,
    *,
    name: str,
    showlegend: bool = False,
    line_colour: str = style.WHITE,
    line_width: float = 0.6,
    hover_extra: str = "",
) -> None:
    """Countries filled each in its colour (one for all, or one per country), lighter by basis
    (external greyed), outlined and with `hover_extra` added to their hover; each fill shows in
    its certainty states (`states`, by default every one; geodata.certainty).

    The fills are drawn by the map's one countries trace (dashboard.figures.countries: plotly.js
    converts the whole base map for every choropleth it draws), so the layer only registers them;
    in the legend (`showlegend`) they are a square of the fill, which shows while one of them
    does."""
    per_country = [colours] * len(iso3s) if isinstance(colours, str) else colours
    per_states = states or [EVERY_STATE] * len(iso3s)
    rows = list(zip(iso3s, bases, per_country, per_states, strict=True))
    keep = [row for row in rows if row[0] not in ctx.missing_outline]
    missing = [row for row in rows if row[0] in ctx.missing_outline]
    drawing.fills += [
        CountryFill(
            iso3,
            style.basis_colour(colour, basis, style.FILL_OPACITY),  # type: ignore[arg-type]
            line_colour,
            line_width,
            hover_extra,
            shown_in,
        )
        for iso3, basis, colour, shown_in in keep
    ]
    if showlegend and keep:  # a square of the fill with its outline
        legend_entry(
            drawing,
            uid,
            name,
            "legend",
            keys=(state_key(drawing.layer, any_of(row[3] for row in keep)),),
            mode="markers",
            marker={
                "symbol": "square",
                "size": 12,
                "color": style.basis_colour(keep[0][2], "stated", style.FILL_OPACITY),
                "line": {"color": line_colour, "width": line_width},
            },
        )
    # no outline on the base map (e.g. Kosovo): a marker at the label point (a trace per set of
    # certainty states)
    by_states: dict[ItemStates, list[tuple[str, str, str, ItemStates]]] = {}
    for row in missing:
        by_states.setdefault(row[3], []).append(row)
    for shown_in, group in by_states.items():
        points = [ctx.anchor(iso3) for iso3, *_ in group]
        drawing.add(
            f"{uid}/points" if len(by_states) == 1 else f"{uid}/points/{shown_in}",
            scattergeo(
                **marks.lonlat(points),
                mode="markers",
                marker={
                    "symbol": "square",
                    "size": 9,
                    "color": [style.fill_colour(c, b) for _, b, c, _ in group],  # type: ignore[arg-type]
                    "opacity": 0.85,
                },
                customdata=[iso3 for iso3, *_ in group],
                hovertext=[ctx.country_hover(iso3) + hover_extra for iso3, *_ in group],
                hovertemplate=HOVER,
                name=name,
                showlegend=False,
            ),
            "country",
            [iso3 for iso3, *_ in group],
            keys=(state_key(drawing.layer, shown_in),),
        )


def first_shown(ctx: Context, memberships: Iterable[Record]) -> list[tuple[Record, ItemStates]]:
    """Each of `memberships` (in priority order) with the certainty states in which it is the
    first of its country's that shows (the one that fills the country); those never first are
    left out."""
    before: dict[str, ItemStates] = {}
    found = []
    for row in memberships:
        shows_in = ctx.membership_states(row.iso3, row.grouping)
        first = shows_in & ~before.get(row.iso3, 0)
        before[row.iso3] = before.get(row.iso3, 0) | shows_in
        if first:
            found.append((row, first))
    return found


def external_members_key(
    ctx: Context,
    drawing: Drawing,
    grouping_ids: Iterable[str],
    filled: list[tuple[str, str, str, ItemStates]],
) -> None:
    """A legend entry per grouping that fills countries it has through outside knowledge only
    (NATO's members the article does not name): a square of that fill, "<grouping> member not
    named in the article *", shown while one of those fills is. `filled` is (iso3, grouping,
    basis, certainty states) of each fill."""
    external: dict[str, ItemStates] = {}
    for _, grouping, basis, shown_in in filled:
        if basis == "external":
            external[grouping] = external.get(grouping, 0) | shown_in
    for grouping_id in grouping_ids:
        if grouping_id not in external:
            continue
        colour = ctx.grouping_style(grouping_id).colour
        legend_entry(
            drawing,
            f"fill/external/{grouping_id}",
            t("legend.external_members", ctx.lang, name=ctx.name(grouping_id)),
            "legend",
            keys=(state_key(drawing.layer, external[grouping_id]),),
            mode="markers",
            marker={
                "symbol": "square",
                "size": 12,
                "color": style.basis_colour(colour, "external", style.FILL_OPACITY),
                "line": {"color": style.GREY, "width": 0.6},
            },
        )


def legend_entry(
    drawing: Drawing, uid: str, name: str, kind: str, keys: tuple[str, ...] = (), **look: object
) -> None:
    """A legend entry that draws nothing on the map (so it shows and hides with its layer, or
    with any of the layer keys `keys`: see Drawing.add): a trace of one empty point drawn as
    `look` says (mode, line, marker, opacity)."""
    drawing.add(
        uid,
        scattergeo(lon=[None], lat=[None], hoverinfo="skip", name=name, showlegend=True, **look),
        kind,
        [],
        keys=keys,
    )


def grouping_marker(
    ctx: Context,
    drawing: Drawing,
    grouping_id: str,
    *,
    offset_px: tuple[float, float] = (0.0, 0.0),
    prefix: str = "",
    legend_name: str | None = None,
) -> None:
    """A grouping's legend entry and click target: its symbol at its anchor, with its name."""
    grouping = ctx.groupings[grouping_id]
    look = ctx.grouping_style(grouping_id)
    lon, lat = offset_point(ctx, ctx.anchor(grouping_id), offset_px)
    proposed = grouping.status == "proposed"
    drawing.add(
        f"grouping/{grouping_id}",
        scattergeo(
            lon=[marks.r(lon)],
            lat=[marks.r(lat)],
            mode="markers",
            marker={
                "symbol": look.symbol,
                "size": 15 if proposed else 13,
                "color": look.colour,
                "line": {
                    "color": look.colour if proposed else style.WHITE,
                    "width": 2 if proposed else 1.5,
                },
            },
            opacity=style.MARKER_OPACITY[grouping.basis],
            customdata=[grouping_id],
            hovertext=[ctx.grouping_hover(grouping_id)],
            hovertemplate=HOVER,
            name=legend_name or ctx.full_name(grouping_id),
            showlegend=True,
        ),
        "grouping",
        [grouping_id],
    )
    drawing.obstacles.append(Obstacle(lon, lat, 8.0))
    drawing.labels.append(grouping_label(ctx, grouping_id, (lon, lat), prefix=prefix, gap=9.0))
    hover = ctx.grouping_hover(grouping_id)
    modality_badges(
        ctx,
        drawing,
        f"grouping/{grouping_id}",
        badge_for(grouping_id, (lon, lat), grouping.modality, grouping.status, hover),
    )


def grouping_label(
    ctx: Context,
    grouping_id: str,
    point: tuple[float, float] | None = None,
    *,
    prefix: str = "",
    gap: float = 6.0,
) -> LabelRequest:
    lon, lat = point or ctx.anchor(grouping_id)
    grouping = ctx.groupings[grouping_id]
    text = wrap(prefix + ctx.name(grouping_id), ctx.lang, 14 if ctx.lang == "ja" else 26)
    return LabelRequest(
        key=f"grouping:{grouping_id}",
        lon=lon,
        lat=lat,
        text=f"<b>{text}</b>",
        cls="grouping",
        priority=P_GROUPING,
        gap=gap,
        colour=_label_colour(ctx.grouping_style(grouping_id).colour),
        stated=grouping.basis == "stated" and grouping.status == "existing",
    )


def offset_point(
    ctx: Context, point: tuple[float, float], offset_px: tuple[float, float]
) -> tuple[float, float]:
    """A point moved by a pixel offset (x right, y down) in the nominal view (no offset: the
    point, which then does not depend on the frame)."""
    if offset_px == (0.0, 0.0):
        return point
    return ctx.projector.offset(point[0], point[1], *offset_px)


# --- names -------------------------------------------------------------------------------------


def name_label(
    ctx: Context, item_id: str, *, badges: bool = False, required: bool = False
) -> LabelRequest:
    """The label of a country, grouping or region id (the same in every layer that asks).

    Region names are left out where there is no room unless `required`."""
    if item_id in ctx.groupings:
        return grouping_label(ctx, item_id)
    if item_id in ctx.regions:
        region = ctx.regions[item_id]
        lon, lat = ctx.anchor(item_id)
        return LabelRequest(
            key=f"region:{item_id}",
            lon=lon,
            lat=lat,
            text=f"<i>{wrap(ctx.name(item_id), ctx.lang, 10 if ctx.lang == 'ja' else 18)}"
            f"{ctx.external_mark(region.basis)}</i>",
            cls="region",
            priority=P_REGION,
            optional=not required or ctx.compact,
            gap=5.0,
            colour="#5C5C5C",
        )
    lon, lat = ctx.anchor(item_id)
    return LabelRequest(
        key=f"actor:{item_id}",
        lon=lon,
        lat=lat,
        text=ctx.name(item_id),
        cls="actor",
        priority=P_ACTOR,
        optional=ctx.compact,
        gap=5.0,
        positions=NAME_POSITIONS_WITH_BADGES if badges else NAME_POSITIONS,
        stated=item_id in ctx.stated_actors,
        distinct=True,
    )


def badge_labels(
    ctx: Context,
    layer: str,
    iso3: str,
    grouping_ids: list[str],
    positions: tuple[str, ...],
    at_least: int = 1,
) -> list[LabelRequest]:
    """A strip of coloured glyphs under a country's name, one per grouping it is in (legend
    colours), drawn when it is in `at_least` of them. Which memberships show depends on the
    certainty shown: one label per text the strip has, each shown in its certainty states, the
    fullest first (the strip is placed for it)."""
    texts: dict[str, ItemStates] = {}
    for state in reversed(range(len(CERTAINTY_STATES))):
        shown = [g for g in grouping_ids if ctx.membership_states(iso3, g) >> state & 1]
        if len(shown) >= at_least:
            text = _badge_strip(ctx, iso3, shown)
            texts[text] = texts.get(text, 0) | 1 << state
    lon, lat = ctx.anchor(iso3)
    return [
        LabelRequest(
            key=f"badges:{layer}:{iso3}",
            lon=lon,
            lat=lat,
            text=text,
            cls="badge",
            priority=P_BADGE,
            gap=4.0,
            positions=positions,
            states=states,
        )
        for text, states in texts.items()
    ]


def _badge_strip(ctx: Context, iso3: str, grouping_ids: list[str]) -> str:
    """The glyphs of a country's groupings, each in its colour (lighter by basis), with the
    modality glyph of a membership the article hedges, projects or calls for, raised."""
    glyphs = []
    for grouping_id in grouping_ids:
        look = ctx.grouping_style(grouping_id)
        basis = ctx.membership_basis.get((iso3, grouping_id), "stated")
        glyphs.append(
            f"<span style='color:{style.glyph_colour(look.colour, basis)}'>{look.glyph}</span>"
        )
        modality, status = ctx.membership_modality.get((iso3, grouping_id), ("asserted", ""))
        mark = style.modality_glyph(modality, status)
        if mark:
            glyphs.append(f"<sup>{mark}</sup>")
    return "".join(glyphs)


def endpoint_ids(relations: list[Record]) -> list[str]:
    """Source and target ids of relations, in first-seen order."""
    seen: dict[str, None] = {}
    for relation in relations:
        seen.setdefault(relation.source, None)
        seen.setdefault(relation.target, None)
    return list(seen)


def region_endpoints(ctx: Context, drawing: Drawing, region_ids: list[str]) -> None:
    """Hollow markers (click targets) and names at region anchors that relations point to (a
    trace per set of certainty states they show in: see Context.region_drawers)."""
    by_keys: dict[tuple[str, ...], list[str]] = {}
    for region_id in dict.fromkeys(region_ids):
        by_keys.setdefault(ctx.region_keys(region_id, (drawing.layer,)), []).append(region_id)
    for keys, ids in sorted(by_keys.items(), key=lambda item: -split_state_key(item[0][0])[1]):
        points = [ctx.anchor(r) for r in ids]
        drawing.add(
            "region_ends" if len(by_keys) == 1 else f"region_ends/{split_state_key(keys[0])[1]}",
            scattergeo(
                **marks.lonlat(points),
                mode="markers",
                marker={
                    "symbol": "circle-open",
                    "size": 9,
                    "color": "#666666",
                    "line": {"width": 1.5},
                },
                customdata=ids,
                hovertext=[ctx.region_hover(ctx.regions[r]) for r in ids],
                hovertemplate=HOVER,
                name=t("legend.threat_region", ctx.lang),
                showlegend=False,
            ),
            "region",
            ids,
            keys=keys,
        )
        for region_id, point in zip(ids, points, strict=True):
            drawing.obstacles.append(Obstacle(point[0], point[1], 5.0))
            drawing.labels.append(replace(name_label(ctx, region_id), keys=keys))


def label_names(
    ctx: Context,
    drawing: Drawing,
    ids: Mapping[str, ItemStates],
    badged: set[str],
    keys: tuple[str, ...] = (),
) -> None:
    """Name labels for the stated actors, groupings and regions among `ids`, each shown in its
    certainty states (a region while it shows: Context.region_keys) with the layer keys `keys`,
    when they name a part of the layer (see LabelRequest.keys)."""
    own = keys or (drawing.layer,)
    for item_id, states in ids.items():
        if item_id in ctx.regions:
            label, shown_with = name_label(ctx, item_id), ctx.region_keys(item_id, own)
        elif item_id in ctx.groupings or item_id in ctx.stated_actors:
            label = name_label(ctx, item_id, badges=item_id in badged)
            shown_with = tuple(key if STATE_MARK in key else state_key(key, states) for key in own)
        else:
            continue
        drawing.labels.append(replace(label, keys=shown_with))
