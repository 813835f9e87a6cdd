"""The authoritarian bloc in warm hues: China, Russia and North Korea filled (Iran and Belarus,
whose place in the bloc is inferred, lighter), their partnerships and exercises, and the
expansion ("膨張") as arrows to the regions the article names."""

from __future__ import annotations

from dashboard.figures import kit, style
from dashboard.figures.context import Context, Drawing
from geodata.atlas import Record

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
    members: dict[str, Record] = {}  # the first membership of each country
    for row in ctx.rows.memberships:
        if row.grouping in groupings:
            members.setdefault(row.iso3, row)
    if members:
        kit.country_fill(
            ctx,
            drawing,
            "fill",
            list(members),
            [row.basis for row in members.values()],
            style.AUTHORITARIAN,
            name=ctx.name(groupings[0]),
        )
    for grouping_id in groupings:
        kit.grouping_marker(ctx, drawing, grouping_id)
    kit.external_members_key(
        ctx, drawing, groupings, [(c, row.grouping, row.basis) for c, row in members.items()]
    )

    named = [c for c in members if c in ctx.stated_actors]
    kit.draw_relations(ctx, drawing, link_style, LINK_STYLES, named=named)
    return drawing
