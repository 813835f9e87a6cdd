"""Dated events as points with date labels. How the article supports the *place* is drawn:
stated filled, inferred hollow with a dot, external hollow grey and marked (※ / *). Events at
the same place fan out side by side and share one label listing their dates."""

from __future__ import annotations

from dashboard.figures import kit, marks, style
from dashboard.figures.context import Context, Drawing, LabelRequest, Obstacle, scattergeo
from dashboard.i18n import format_date, t
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
        dates = []
        for event in group:
            mark = ctx.external_mark(event.place_basis)
            dates.append(format_date(event.date, ctx.lang) + mark)
        unique = list(dict.fromkeys(dates))
        if len(unique) > MAX_LINES:
            unique = [
                *unique[: MAX_LINES - 1],
                t("event.more", ctx.lang, count=len(unique) - MAX_LINES + 1),
            ]
        width = (len(group) - 1) * SPACING / 2.0
        drawing.labels.append(
            LabelRequest(
                key=f"events:{lon},{lat}",
                lon=lon,
                lat=lat,
                text="<br>".join(unique),
                cls="event",
                priority=kit.P_EVENT,
                gap=6.0 + width,
                positions=("bottom center", "top center", "middle right", "middle left")
                if len(group) > 1
                else ("middle right", "middle left", "top center", "bottom center"),
                colour="#333333",
                items=tuple(event.id for event in group),
            )
        )
    for basis in BASES:
        rows = [event for event in events if event.place_basis == basis]
        if not rows:
            continue
        ids = [event.id for event in rows]
        points = [position[e] for e in ids]
        hovers = [ctx.event_hover(e) for e in rows]
        drawing.add(
            f"points/{basis}",
            scattergeo(
                **marks.lonlat(points),
                mode="markers",
                marker={
                    "symbol": SYMBOLS[basis],
                    "size": 10,
                    "color": COLOURS[basis],
                    "line": {
                        "color": COLOURS[basis] if basis != "stated" else style.WHITE,
                        "width": 1.8,
                    },
                },
                customdata=ids,
                hovertext=hovers,
                hovertemplate=kit.HOVER,
                name=t(f"legend.event.{basis}", ctx.lang),
                showlegend=True,
            ),
            "event",
            ids,
        )
        badges = [
            badge
            for event, point, hover in zip(rows, points, hovers, strict=True)
            for badge in kit.badge_for(event.id, point, event.modality, "", hover)
        ]
        kit.modality_badges(ctx, drawing, f"points/{basis}", badges)
    return drawing
