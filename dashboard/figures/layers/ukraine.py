"""Ukraine: highlighted as the recipient of NATO's long-term support, with the support as a
broad blue arrow, Russia's war against it in the bloc's colour, and Hungary's objection marked
on Hungary."""

from __future__ import annotations

from dashboard.figures import kit, style
from dashboard.figures.context import Context, CountryFill, Drawing, Record
from dashboard.i18n import t
from geodata.certainty import ItemStates

LAYER = "ukraine"
LINK_STYLES = {
    "ukraine_support": kit.LinkStyle(
        "ukraine_support",
        "legend.ukraine_support",
        style.UKRAINE_SUPPORT,
        3.6,
        label_priority=kit.P_FLOW,
        label_optional=False,
    ),
    "objection": kit.LinkStyle(
        "objection",
        "legend.objection",
        style.OBJECTION,
        1.4,
        handle_symbol="x-thin",
        handle_at_source=True,
        label_priority=kit.P_FLOW,
        label_optional=False,
    ),
    "war": kit.LinkStyle(
        "war",
        "legend.war",
        style.AUTHORITARIAN,
        2.4,
        handle_symbol="x",
        label_priority=kit.P_FLOW,
        label_optional=False,
    ),
    "ukraine_other": kit.LinkStyle(
        "ukraine_other", "legend.other_links", style.UKRAINE_SUPPORT, 1.6
    ),
}


def link_style(relation: Record) -> kit.LinkStyle:
    if relation.kind == "objection":
        return LINK_STYLES["objection"]
    if relation.kind == "support":
        return LINK_STYLES["ukraine_support"]
    if relation.kind == "war":
        return LINK_STYLES["war"]
    return LINK_STYLES["ukraine_other"]


def draw(ctx: Context) -> Drawing:
    drawing = Drawing(LAYER)
    relations = [r for r in ctx.rows.relations if r.layer == LAYER]
    recipients = _shown_with(ctx, [(r.target, r.id) for r in relations if r.kind == "support"])
    if recipients:
        kit.country_fill(
            ctx,
            drawing,
            "recipients",
            list(recipients),
            [ctx.actors[c].basis if c in ctx.actors else "inferred" for c in recipients],
            style.UKRAINE_FILL,
            list(recipients.values()),
            name=t("legend.ukraine_recipient", ctx.lang),
            showlegend=True,
            line_colour=style.UKRAINE_EDGE,
            line_width=2.0,
            hover_extra="<br>" + t("hover.recipient", ctx.lang),
        )
    objectors = _shown_with(ctx, [(r.source, r.id) for r in relations if r.kind == "objection"])
    # an objecting member (Hungary): a dark outline over whatever fills it
    drawing.fills += [
        CountryFill(c, None, style.OBJECTION, 2.0, states=states)
        for c, states in objectors.items()
        if c not in ctx.missing_outline
    ]
    kit.draw_relations(ctx, drawing, link_style, LINK_STYLES)
    return drawing


def _shown_with(ctx: Context, ends: list[tuple[str, str]]) -> dict[str, ItemStates]:
    """The countries among (country, relation id) pairs, each with the certainty states in which
    a relation of it shows."""
    found: dict[str, ItemStates] = {}
    for iso3, relation_id in ends:
        if iso3 in ctx.country_rows:
            found[iso3] = found.get(iso3, 0) | ctx.index.states_of(relation_id)
    return found
