"""NATO's 360° threats: wide arrows converging on the Alliance (east from Russia, north from the
Arctic Ocean and the Baltic Sea, south from the Southern Neighbourhood, and the "west" from East
Asia to North America across the Pacific), the named seas and areas as light polygons, and the
domains without geography (cyber, space, cognitive) as badges on the states they come from."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from shapely.geometry import LineString, MultiLineString

from dashboard.figures import kit, marks, style
from dashboard.figures.context import (
    Context,
    Drawing,
    LabelRequest,
    Obstacle,
    Record,
    choropleth,
    scattergeo,
)
from dashboard.figures.text import wrap
from dashboard.i18n import localized, t
from geodata.certainty import EVERY_STATE, ItemStates, any_of, split_state_key, state_key
from geodata.knowledge import BASES, DIRECTIONS
from geodata.scenario import DIRECTION_KEYS, direction_key

LAYER = "threats"
REGION_TOLERANCE = 0.25  # degrees; keeps the figure small (see tests: size budget)
REGION_MIN_AREA = 1.0  # square degrees: smaller islands of sea are left out
REGION_MIN_HOLE = 2.0  # square degrees: smaller islands in a sea are not cut out
BADGE_SPACING = 15.0  # px between domain badges
BADGE_DROP = 17.0  # px below the state's label point


def draw(ctx: Context) -> Drawing:
    """Every direction's threats (each direction's drawings shown with its layer key: a
    direction toggle only hides them) and the domains, which have no direction."""
    drawing = Drawing(LAYER)
    threats = ctx.rows.threats
    _regions(ctx, drawing, threats)
    _arrows(ctx, drawing, threats)
    _domains(ctx, drawing)
    # the names of the threats' origins, each shown with the directions of its threats (in
    # the certainty states they show in), and of the domains' actors
    origins: dict[str, dict[str, ItemStates]] = {}
    for row in threats:
        if row.origin in ctx.country_rows:
            keys = origins.setdefault(row.origin, {})
            key = direction_key(row.direction)
            keys[key] = keys.get(key, 0) | ctx.index.states_of(row.id)
    domain_actors: dict[str, ItemStates] = {}
    for row in ctx.rows.domains:
        states = ctx.index.states_of(f"{row.domain}:{row.actor}")
        domain_actors[row.actor] = domain_actors.get(row.actor, 0) | states
    kit.label_names(ctx, drawing, domain_actors, set())
    for origin, keys in origins.items():
        shown_with = tuple(state_key(key, states) for key, states in keys.items())
        kit.label_names(ctx, drawing, {origin: EVERY_STATE}, set(), shown_with)
    return drawing


def _keys(threats: list[Record]) -> tuple[str, ...]:
    """The layer keys of some threats' directions, in the order of DIRECTIONS."""
    directions = {threat.direction for threat in threats}
    return tuple(direction_key(d) for d in DIRECTIONS if d in directions)


def _regions(ctx: Context, drawing: Drawing, threats: list[Record]) -> None:
    """The seas and areas the threats name: a light tint with a thin edge along the extent's
    box (dotted unless stated, grey if external), under every other layer, and an italic name.
    A region shows while a direction of a threat that names it is ticked: the regions of each
    set of directions are a trace (one legend entry for them all)."""
    naming: dict[str, list[Record]] = {}
    for threat in threats:
        for region_id in threat.regions:
            naming.setdefault(region_id, []).append(threat)
    by_keys: dict[tuple[str, ...], list[Record]] = {}
    for region in ctx.rows.regions:
        if region.id in naming:
            keys = ctx.region_keys(region.id, _keys(naming[region.id]))
            by_keys.setdefault(keys, []).append(region)
    name = t("legend.threat_region", ctx.lang)
    if by_keys:
        states = {
            key: any_of(s for keys in by_keys for k, s in map(split_state_key, keys) if k == key)
            for key in DIRECTION_KEYS
        }
        kit.legend_entry(
            drawing,
            "regions/legend",
            name,
            "legend",
            keys=tuple(state_key(key, s) for key, s in states.items() if s),
            mode="markers",
            marker={
                "symbol": "square",
                "size": 12,
                "color": style.basis_colour(style.REGION_FILL, "stated", style.REGION_OPACITY),
                "line": {"color": style.REGION_EDGE, "width": 1.0},
            },
        )
    for keys, regions in by_keys.items():
        _regions_of(ctx, drawing, regions, keys, name)


def _regions_of(
    ctx: Context, drawing: Drawing, regions: list[Record], keys: tuple[str, ...], name: str
) -> None:
    """The regions of one set of directions (`keys`, each limited to the certainty states in
    which the regions show with it)."""
    part = "+".join(key.removeprefix(f"{LAYER}-") for key in keys)
    features, ids, bases = [], [], []
    outlines: dict[str, marks.LonLatList] = {}
    outlined: dict[str, list[str]] = {}
    for region in regions:
        polygons, lines = _region_shape(ctx, region)
        if not polygons:
            continue
        features.append(marks.region_feature(region.id, polygons))
        ids.append(region.id)
        bases.append(region.basis)
        for line in lines:
            outlines.setdefault(region.basis, marks.LonLatList()).add(line, region.id)
        if lines:
            outlined.setdefault(region.basis, []).append(region.id)
    if not features:
        return
    drawing.add(
        f"regions/{part}",
        choropleth(
            geojson={"type": "FeatureCollection", "features": features},
            locations=ids,
            z=[BASES.index(b) for b in bases],
            zmin=0,
            zmax=2,
            colorscale=style.basis_colorscale(style.REGION_FILL, style.REGION_OPACITY),
            showscale=False,
            marker={"line": {"width": 0}},
            customdata=ids,
            hovertext=[ctx.region_hover(ctx.regions[r]) for r in ids],
            hovertemplate=kit.HOVER,
            name=name,
            showlegend=False,
        ),
        "region",
        ids,
        keys=keys,
    )
    for basis in BASES:
        if basis not in outlines:
            continue
        line = style.line_style(style.REGION_EDGE, basis)
        drawing.add(
            f"regions/edge/{basis}/{part}",
            scattergeo(
                lon=outlines[basis].lon,
                lat=outlines[basis].lat,
                mode="lines",
                line={"color": line.colour, "width": 1.0, "dash": line.dash},
                opacity=line.opacity,
                hoverinfo="skip",
                name=name,
                showlegend=False,
            ),
            "region_edge",
            outlined[basis],
            outlines[basis].parts,
            keys=keys,
        )
    for region_id in ids:
        drawing.labels.append(replace(kit.name_label(ctx, region_id, required=True), keys=keys))


def _region_shape(ctx: Context, region: Record) -> tuple[list, list[list[marks.LonLat]]]:
    """A region's simplified polygons and the lines along its extent (the same in every view:
    made once per atlas)."""

    def shape() -> tuple[list, list[list[marks.LonLat]]]:
        polygons = marks.region_rings(
            region.geometry, REGION_TOLERANCE, REGION_MIN_AREA, REGION_MIN_HOLE
        )
        extents = {r.id: r.extent for r in ctx.atlas.knowledge.regions}
        lons, lats = _extent_lines(extents.get(region.id))
        return polygons, marks.region_outline(polygons, lons, lats, whole=not (lons or lats))

    return ctx.index.memo(("threats.region", region.id), shape)


def _extent_lines(extent) -> tuple[set[float], set[float]]:
    """The meridians and parallels that bound a region's extent boxes (none for an extent made
    of countries only, whose whole outline is its limit)."""
    if extent is None or extent.box is None:
        return set(), set()
    lons: set[float] = set()
    lats: set[float] = set()
    for west, south, east, north in (extent.box, *extent.minus_boxes):
        lons |= {marks.r(west), marks.r(east)}
        lats |= {marks.r(south), marks.r(north)}
    return lons, lats


def _arrows(ctx: Context, drawing: Drawing, threats: list[Record]) -> None:
    """Each threat's wide arrow and its handle (a click target), a trace of each per basis and
    direction, and an entry in the legend per basis."""
    zoom = ctx.view.zoom**0.7
    for basis in BASES:
        rows = [threat for threat in threats if threat.basis == basis]
        if not rows:
            continue
        name = t("legend.threat_arrow", ctx.lang) + kit.basis_suffix(ctx, basis)
        line = style.line_style(style.THREAT_EDGE, basis)
        look = {
            "mode": "lines",
            "fill": "toself",
            "fillcolor": style.THREAT_FILL,
            "line": {"color": line.colour, "width": 1.0, "dash": line.dash},
            "opacity": line.opacity,
        }
        kit.legend_entry(
            drawing, f"arrows/{basis}/legend", name, "legend", keys=_keys(rows), **look
        )
        for direction in DIRECTIONS:
            of_direction = [threat for threat in rows if threat.direction == direction]
            if of_direction:
                _arrows_of(ctx, drawing, of_direction, f"{basis}/{direction}", zoom, look, name)


def _arrows_of(
    ctx: Context,
    drawing: Drawing,
    threats: list[Record],
    part: str,
    zoom: float,
    look: dict[str, object],
    name: str,
) -> None:
    """The arrows and handles of the threats of one basis and direction (`part`)."""
    keys = _keys(threats)
    outlines = marks.LonLatList()
    handles, ids, hovers, badges = [], [], [], []
    for threat in threats:
        ring, handle, along = _arrow(threat.geometry, zoom)
        outlines.add(ring, threat.id)
        handles.append(handle)
        ids.append(threat.id)
        hovers.append(ctx.threat_hover(threat))
        badges += kit.badge_for(threat.id, handle, threat.modality, "", hovers[-1])
        drawing.obstacles.append(Obstacle(handle[0], handle[1], 6.0))
        drawing.labels.append(
            LabelRequest(
                key=f"threat:{threat.id}",
                lon=handle[0],
                lat=handle[1],
                text=f"<b>{wrap(localized(threat, 'name', ctx.lang), ctx.lang, 12 if ctx.lang == 'ja' else 22)}</b>",
                cls="threat",
                priority=kit.P_THREAT,
                optional=ctx.compact,
                gap=7.0,
                colour="#3A3A3A",
                # elsewhere on its own arrow before a leader line takes it off, and never
                # nearer another arrow (the Baltic one's label beside the southern arrow)
                alternatives=along,
                distinct=True,
                reach=THREAT_LABEL_REACH,
                keys=keys,
            )
        )
    drawing.add(
        f"arrows/{part}",
        scattergeo(
            lon=outlines.lon,
            lat=outlines.lat,
            hoverinfo="skip",
            name=name,
            showlegend=False,
            **look,
        ),
        "threat_arrow",
        ids,
        outlines.parts,
        keys=keys,
    )
    drawing.add(
        f"handles/{part}",
        scattergeo(
            **marks.lonlat(handles),
            mode="markers",
            marker={
                "symbol": "circle",
                "size": 9,
                "color": "#4A4A4A",
                "line": {"color": style.WHITE, "width": 1.5},
            },
            opacity=look["opacity"],
            customdata=ids,
            hovertext=hovers,
            hovertemplate=kit.HOVER,
            name=name,
            showlegend=False,
        ),
        "threat",
        ids,
        keys=keys,
    )
    kit.modality_badges(ctx, drawing, f"handles/{part}", badges, keys)


HANDLE_AT = 0.4  # of the arrow's body: where its handle (and label) goes
LABEL_ALONG = (0.2, 0.6, 0.1, 0.75)  # other places on the body its label may go, in this order
THREAT_LABEL_REACH = 150.0  # px: a leader may take it this far to open sea rather than near another


@lru_cache(maxsize=64)
def _arrow(
    geometry: LineString | MultiLineString, zoom: float
) -> tuple[tuple[marks.LonLat, ...], marks.LonLat, tuple[marks.LonLat, ...]]:
    """A threat's wide arrow along its path at a zoom, the point its handle goes, and the other
    points on it its label may go (the same in every view at that zoom, so kept)."""
    coords = marks.path(geometry)
    total = marks.length_deg(coords)
    start = min(1.5 / zoom, 0.1 * total)
    end = total - min(4.0 / zoom, 0.3 * total)
    body = marks.cut(coords, start, end)
    ring = marks.wide_arrow_ring(
        body,
        width=min(1.5 / zoom, 0.12 * total),
        head_width=min(3.4 / zoom, 0.25 * total),
        head_length=min(4.5 / zoom, 0.35 * total),
    )
    length = marks.length_deg(body)
    along = tuple(marks.point_at(body, f * length) for f in LABEL_ALONG)
    return tuple(ring), marks.point_at(body, HANDLE_AT * length), along


def _domains(ctx: Context, drawing: Drawing) -> None:
    attributions = ctx.rows.domains
    order = list(dict.fromkeys(row.domain for row in attributions))
    per_actor: dict[str, list[str]] = {}
    for row in attributions:
        per_actor.setdefault(row.actor, []).append(row.domain)
    for index, domain_id in enumerate(order):
        rows = [row for row in attributions if row.domain == domain_id]
        symbol = style.DOMAIN_SYMBOLS.get(
            domain_id, style.DOMAIN_FALLBACK_SYMBOLS[index % len(style.DOMAIN_FALLBACK_SYMBOLS)]
        )
        points, symbols, opacities, badges = [], [], [], []
        for row in rows:
            slots = per_actor[row.actor]
            slot = slots.index(domain_id) - (len(slots) - 1) / 2.0
            point = kit.offset_point(ctx, ctx.anchor(row.actor), (slot * BADGE_SPACING, BADGE_DROP))
            points.append(point)
            symbols.append(symbol if row.basis == "stated" else f"{symbol}-open")
            opacities.append(style.MARKER_OPACITY[row.basis])
            drawing.obstacles.append(Obstacle(point[0], point[1], 7.0))
            badges += kit.badge_for(domain_id, point, row.modality, "", ctx.domain_hover(row))
        name = f"{t('hover.domain', ctx.lang)}{':' if ctx.lang == 'ja' else ': '}"
        name += localized(rows[0], "name", ctx.lang)
        drawing.add(
            f"domains/{domain_id}",
            scattergeo(
                **marks.lonlat(points),
                mode="markers",
                marker={
                    "symbol": symbols,
                    "size": 11,
                    "color": style.DOMAIN_COLOUR,
                    "opacity": opacities,
                    "line": {"color": style.DOMAIN_COLOUR, "width": 1.5},
                },
                customdata=[domain_id] * len(points),
                hovertext=[ctx.domain_hover(row) for row in rows],
                hovertemplate=kit.HOVER,
                name=name,
                showlegend=True,
            ),
            "domain",
            [f"{domain_id}:{row.actor}" for row in rows],
        )
        kit.modality_badges(ctx, drawing, f"domains/{domain_id}", badges)
