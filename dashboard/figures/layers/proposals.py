"""The article's recommendations, in the "proposed" style wherever they appear: dashed arcs with
hollow arrowheads, hollow symbols for the proposed frameworks, every label marked 提言 /
Proposed."""

from __future__ import annotations

import pandas as pd

from dashboard.figures import kit, style
from dashboard.figures.context import Context, Drawing
from dashboard.figures.text import wrap
from dashboard.i18n import t

LAYER = "proposals"
PROPOSED_MARKER_STEP = 26.0  # px: proposed frameworks that share an anchor sit side by side


def link_styles(ctx: Context) -> dict[str, kit.LinkStyle]:
    return {
        "proposal_links": kit.LinkStyle(
            "proposal_links",
            "legend.proposal_links",
            style.PROPOSAL,
            2.0,
            hollow_head=True,
            handle_symbol="star-open",
            label_priority=kit.P_PROPOSAL,
            label_optional=False,
            label_prefix=t("mark.proposed_prefix", ctx.lang),
            label_on_world_map=True,
        )
    }


def draw(ctx: Context) -> Drawing:
    drawing = Drawing(LAYER)
    proposed = {g.id for g in ctx.rows.groupings if g.status == "proposed"}
    groupings = [g for g in ctx.grouping_order if g in proposed]
    prefix = t("mark.proposed_prefix", ctx.lang)
    seen: dict[tuple[float, float], int] = {}
    for grouping_id in groupings:
        anchor = ctx.anchor(grouping_id)
        index = seen.get(anchor, 0)
        seen[anchor] = index + 1
        kit.grouping_marker(
            ctx,
            drawing,
            grouping_id,
            offset_px=((index + 1) * PROPOSED_MARKER_STEP, 0.0),
            prefix=prefix,
            legend_name=_legend_name(ctx, grouping_id),
        )
    # badges for the named countries that are direct members of a proposed framework
    direct: dict[str, set[str]] = {}
    for row in ctx.rows.memberships:
        if row.grouping in groupings and pd.isna(row.via):
            direct.setdefault(row.iso3, set()).add(row.grouping)
    for iso3, grouping_ids in sorted(direct.items()):
        if iso3 in ctx.stated_actors:
            shown = [g for g in groupings if g in grouping_ids]
            drawing.labels += kit.badge_labels(
                ctx, LAYER, iso3, shown, ("bottom right", "bottom left", "top right", "top left")
            )

    styles = link_styles(ctx)
    kit.draw_relations(ctx, drawing, lambda _: styles["proposal_links"], styles)
    return drawing


def _legend_name(ctx: Context, grouping_id: str) -> str:
    name = t("mark.proposed_prefix", ctx.lang) + ctx.name(grouping_id)
    return wrap(name, ctx.lang, 20 if ctx.lang == "ja" else 38)
