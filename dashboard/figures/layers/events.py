"""Dated events as points with date labels. How the article supports the *place* is drawn:
stated filled, inferred hollow with a dot, external hollow grey and marked (※ / *). Events at
the same place fan out side by side and share one label listing their dates."""

from __future__ import annotations

from dashboard.figures import kit, marks, style
from dashboard.figures.context import Context, Drawing, LabelRequest, Obstacle, scattergeo
from dashboard.i18n import format_date, t
from geodata.certainty import CERTAINTY_STATES, ItemStates, any_of, state_key
from geodata.knowledge import BASES

LAYER = "events"
SPACING = 13.0  # px between events at one place
MAX_LINES = 4
SYMBOLS = {"stated": "circle", "inferred": "circle-open-dot", "external": "circle-open"}
COLOURS = {"stated": style.EVENT, "inferred": style.EVENT, "external": "#6E6E6E"}


def draw(ctx: Context) -> Drawing:
    drawing = Drawing(LAYER)
    events = ctx.rows.events
    if not events:
        return drawing
    places: dict[tuple[float, float], list] = {}
    for event in events:
        key = (marks.r(event.geometry.x), marks.r(event.geometry.y))
        places.setdefault(key, []).append(event)
    position: dict[str, tuple[float, float]] = {}
    for (lon, lat), group in places.items():
        for index, event in enumerate(group):
            slot = index - (len(group) - 1) / 2.0
            position[event.id] = kit.offset_point(ctx, (lon, lat), (slot * SPACING, 0.0))
            drawing.obstacles.append(Obstacle(*position[event.id], 6.0))
        width = (len(group) - 1) * SPACING / 2.0
        # the dates of the events shown, which depend on the certainty shown: one label per
        # text, each shown in its certainty states, the fullest first (placed for it)
        texts: dict[str, ItemStates] = {}
        for state in reversed(range(len(CERTAINTY_STATES))):
            shown = [e for e in group if ctx.index.states_of(e.id) >> state & 1]
            if shown:
                text = _dates(ctx, shown)
                texts[text] = texts.get(text, 0) | 1 << state
        for text, states in texts.items():
            drawing.labels.append(
                LabelRequest(
                    key=f"events:{lon},{lat}",
                    lon=lon,
                    lat=lat,
                    text=text,
                    cls="event",
                    priority=kit.P_EVENT,
                    gap=6.0 + width,
                    positions=("bottom center", "top center", "middle right", "middle left")
                    if len(group) > 1
                    else ("middle right", "middle left", "top center", "bottom center"),
                    colour="#333333",
                    items=tuple(event.id for event in group),
                    states=states,
                )
            )
    for basis in BASES:
        rows = [event for event in events if event.place_basis == basis]
        if not rows:
            continue
        name = t(f"legend.event.{basis}", ctx.lang)
        look = {
            "symbol": SYMBOLS[basis],
            "size": 10,
            "color": COLOURS[basis],
            "line": {"color": COLOURS[basis] if basis != "stated" else style.WHITE, "width": 1.8},
        }
        # a trace per set of certainty states its events show in; when several, one legend
        # entry for them, shown while one of them is
        by_states: dict[ItemStates, list] = {}
        for event in rows:
            by_states.setdefault(ctx.index.states_of(event.id), []).append(event)
        if len(by_states) > 1:
            kit.legend_entry(
                drawing,
                f"points/{basis}/legend",
                name,
                "legend",
                keys=(state_key(LAYER, any_of(by_states)),),
                mode="markers",
                marker=look,
            )
        for states in sorted(by_states, reverse=True):
            part = by_states[states]
            uid = f"points/{basis}" if len(by_states) == 1 else f"points/{basis}/{states}"
            ids = [event.id for event in part]
            points = [position[e] for e in ids]
            hovers = [ctx.event_hover(e) for e in part]
            drawing.add(
                uid,
                scattergeo(
                    **marks.lonlat(points),
                    mode="markers",
                    marker=look,
                    customdata=ids,
                    hovertext=hovers,
                    hovertemplate=kit.HOVER,
                    name=name,
                    showlegend=len(by_states) == 1,
                ),
                "event",
                ids,
            )
            badges = [
                badge
                for event, point, hover in zip(part, points, hovers, strict=True)
                for badge in kit.badge_for(event.id, point, event.modality, "", hover)
            ]
            kit.modality_badges(ctx, drawing, uid, badges)
    return drawing


def _dates(ctx: Context, events: list) -> str:
    """The label of events at one place: their dates (marked where the place is outside
    knowledge), each once, the last lines counted when there are more than MAX_LINES."""
    dates = [format_date(e.date, ctx.lang) + ctx.external_mark(e.place_basis) for e in events]
    unique = list(dict.fromkeys(dates))
    if len(unique) > MAX_LINES:
        unique = [
            *unique[: MAX_LINES - 1],
            t("event.more", ctx.lang, count=len(unique) - MAX_LINES + 1),
        ]
    return "<br>".join(unique)
