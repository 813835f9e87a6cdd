"""Support to Russia and what it gets in return: directed arcs with arrowheads, each labelled
with what flows (label_ja / label_en) at its middle."""

from __future__ import annotations

from dashboard.figures import links, style
from dashboard.figures.context import Context, Drawing

LAYER = "support_flows"
LINK_STYLES = {
    "support": links.LinkStyle(
        "support",
        "legend.support",
        style.SUPPORT,
        2.4,
        label_priority=links.P_FLOW,
        label_optional=False,
    ),
}


def draw(ctx: Context) -> Drawing:
    drawing = Drawing(LAYER)
    relations = [r for r in ctx.rows.relations if r.layer == LAYER]
    links.draw_links(ctx, drawing, relations, lambda _: LINK_STYLES["support"], LINK_STYLES)
    ends = links.endpoint_ids(relations)
    links.region_endpoints(ctx, drawing, [e for e in ends if e in ctx.regions])
    links.label_names(ctx, drawing, ends, set())
    return drawing
