"""The authoritarian bloc in warm hues: China, Russia and North Korea filled (Iran and Belarus,
whose place in the bloc is inferred, lighter), their partnerships and exercises, and the
expansion ("膨張") as arrows to the regions the article names."""

from __future__ import annotations

import pandas as pd

from dashboard.figures import links, style
from dashboard.figures.context import Context, Drawing

LAYER = "authoritarian"
LINK_STYLES = {
    "auth_partnership": links.LinkStyle(
        "auth_partnership", "legend.auth_partnership", style.AUTHORITARIAN, 2.6, arrow=False
    ),
    "auth_exercise": links.LinkStyle(
        "auth_exercise",
        "legend.auth_exercise",
        style.AUTHORITARIAN,
        1.6,
        arrow=False,
        handle_symbol="x",
    ),
    "auth_expansion": links.LinkStyle(
        "auth_expansion",
        "legend.auth_expansion",
        style.EXPANSION,
        3.2,
        handle_symbol="triangle-up",
    ),
}


def link_style(relation: pd.Series) -> links.LinkStyle:
    if relation.kind in ("partnership", "cooperation"):
        return LINK_STYLES["auth_partnership"]
    if relation.kind == "exercise":
        return LINK_STYLES["auth_exercise"]
    return LINK_STYLES["auth_expansion"]


def draw(ctx: Context) -> Drawing:
    drawing = Drawing(LAYER)
    frame = ctx.layers.groupings
    keep = (frame.camp == "authoritarian") & (frame.status == "existing")
    groupings = [g for g in ctx.grouping_order if g in set(frame[keep].id)]
    memberships = ctx.layers.memberships[ctx.layers.memberships.grouping.isin(groupings)]
    members = memberships.drop_duplicates("iso3")
    if len(members):
        links.country_fill(
            ctx,
            drawing,
            "fill",
            list(members.iso3),
            list(members.basis),
            style.AUTHORITARIAN,
            name=ctx.name(groupings[0]),
        )
    for grouping_id in groupings:
        links.grouping_marker(ctx, drawing, grouping_id)

    relations = ctx.layers.relations[ctx.layers.relations.layer == LAYER]
    links.draw_links(ctx, drawing, relations, link_style, LINK_STYLES)
    ends = links.endpoint_ids(relations)
    links.region_endpoints(ctx, drawing, [e for e in ends if e in ctx.regions])
    named = [c for c in members.iso3 if c in ctx.stated_actors]
    links.label_names(ctx, drawing, list(dict.fromkeys([*named, *ends])), set())
    return drawing
