"""Support to Russia and what it gets in return: directed arcs with arrowheads, each labelled
with what flows (label_ja / label_en) at its middle."""

from __future__ import annotations

from dashboard.figures import kit, style
from dashboard.figures.context import Context, Drawing

LAYER = "support_flows"
LINK_STYLES = {
    "support": kit.LinkStyle(
        "support",
        "legend.support",
        style.SUPPORT,
        2.4,
        label_priority=kit.P_FLOW,
        label_optional=False,
    ),
}


def draw(ctx: Context) -> Drawing:
    drawing = Drawing(LAYER)
    kit.draw_relations(ctx, drawing, lambda _: LINK_STYLES["support"], LINK_STYLES)
    return drawing
