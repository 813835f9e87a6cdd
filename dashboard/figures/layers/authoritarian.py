"""The authoritarian bloc in warm hues: China, Russia and North Korea filled (Iran and Belarus,
whose place in the bloc is inferred, lighter), their partnerships and exercises, and the
expansion ("膨張") as arrows to the regions the article names."""

from __future__ import annotations

from dashboard.figures import kit, style
from dashboard.figures.context import Context, Drawing
from geodata.atlas import Record
from geodata.certainty import ItemStates

LAYER = "authoritarian"
LINK_STYLES = {
    "auth_partnership": kit.LinkStyle(
        "auth_partnership", "legend.auth_partnership", style.AUTHORITARIAN, 2.6, arrow=False
    ),
    "auth_exercise": kit.LinkStyle(
        "auth_exercise",
        "legend.auth_exercise",
        style.AUTHORITARIAN,
        1.6,
        arrow=False,
        handle_symbol="x",
    ),
    "auth_expansion": kit.LinkStyle(
        "auth_expansion",
        "legend.auth_expansion",
        style.EXPANSION,
        3.2,
        handle_symbol="triangle-up",
    ),
}


def link_style(relation: Record) -> kit.LinkStyle:
    if relation.kind in ("partnership", "cooperation"):
        return LINK_STYLES["auth_partnership"]
    if relation.kind == "exercise":
        return LINK_STYLES["auth_exercise"]
    return LINK_STYLES["auth_expansion"]


def draw(ctx: Context) -> Drawing:
    drawing = Drawing(LAYER)
    shown = {
        g.id for g in ctx.rows.groupings if g.camp == "authoritarian" and g.status == "existing"
    }
    groupings = [g for g in ctx.grouping_order if g in shown]
    # each country filled by its first membership that shows (kit.first_shown)
    filled = kit.first_shown(
        ctx, [row for row in ctx.rows.memberships if row.grouping in groupings]
    )
    if filled:
        kit.country_fill(
            ctx,
            drawing,
            "fill",
            [row.iso3 for row, _ in filled],
            [row.basis for row, _ in filled],
            style.AUTHORITARIAN,
            [states for _, states in filled],
            name=ctx.name(groupings[0]),
        )
    for grouping_id in groupings:
        kit.grouping_marker(ctx, drawing, grouping_id)
    kit.external_members_key(
        ctx, drawing, groupings, [(row.iso3, row.grouping, row.basis, s) for row, s in filled]
    )

    named: dict[str, ItemStates] = {}
    for row, states in filled:
        if row.iso3 in ctx.stated_actors:
            named[row.iso3] = named.get(row.iso3, 0) | states
    kit.draw_relations(ctx, drawing, link_style, LINK_STYLES, named=named)
    return drawing
