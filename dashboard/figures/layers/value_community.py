"""The value community: NATO, AP4, Five Eyes, the Japan–US alliance and the like-minded, in cool
hues. Each country is filled with its first grouping (style.FILL_PRIORITY); a named country in
several groupings also shows a strip of coloured badges, one per grouping, under its name."""

from __future__ import annotations

from dashboard.figures import kit, style
from dashboard.figures.context import Context, Drawing
from geodata.certainty import ItemStates

LAYER = "value_community"
LINK_STYLES = {
    "value_links": kit.LinkStyle("value_links", "legend.value_links", style.VALUE_LINK, 2.0),
}


def shown_groupings(ctx: Context) -> list[str]:
    """Existing value-camp groupings this view shows, in knowledge-base order."""
    shown = {g.id for g in ctx.rows.groupings if g.camp == "value" and g.status == "existing"}
    return [g for g in ctx.grouping_order if g in shown]


def fill_order(groupings: list[str]) -> list[str]:
    """The groupings in the order that picks a country's fill: its first that shows."""
    order = [g for g in style.FILL_PRIORITY if g in groupings]
    return order + [g for g in groupings if g not in order]


def draw(ctx: Context) -> Drawing:
    drawing = Drawing(LAYER)
    groupings = shown_groupings(ctx)
    memberships = [row for row in ctx.rows.memberships if row.grouping in groupings]
    order = fill_order(groupings)
    rank = {g: i for i, g in enumerate(order)}
    # each country's fill: its first grouping in fill order, of those it shows in (which
    # depend on the certainty shown: kit.first_shown)
    by_priority = sorted(memberships, key=lambda m: (rank[m.grouping], m.iso3))
    filled = kit.first_shown(ctx, by_priority)
    if filled:
        kit.country_fill(
            ctx,
            drawing,
            "fill",
            [m.iso3 for m, _ in filled],
            [m.basis for m, _ in filled],
            [ctx.grouping_style(m.grouping).colour for m, _ in filled],
            [states for _, states in filled],
            name=", ".join(ctx.name(g) for g in dict.fromkeys(m.grouping for m, _ in filled)),
        )
    for grouping_id in groupings:
        kit.grouping_marker(ctx, drawing, grouping_id)
    kit.external_members_key(
        ctx, drawing, order, [(m.iso3, m.grouping, m.basis, states) for m, states in filled]
    )

    # Name the article's stated actors whose place in a shown grouping is stated (not every
    # NATO member: the article counts 32 but names few), while such a membership shows, with a
    # strip of badges, one per shown grouping, when they are in two or more.
    named: dict[str, ItemStates] = {}
    for m in memberships:
        if m.basis == "stated" and m.iso3 in ctx.stated_actors:
            named[m.iso3] = named.get(m.iso3, 0) | ctx.membership_states(m.iso3, m.grouping)
    member_sets: dict[str, list[str]] = {}
    for m in memberships:
        member_sets.setdefault(m.iso3, []).append(m.grouping)
    badged: set[str] = set()
    for iso3 in sorted(named):
        shown = [g for g in groupings if g in member_sets[iso3]]
        strips = kit.badge_labels(ctx, LAYER, iso3, shown, kit.BADGE_POSITIONS, at_least=2)
        if strips:
            badged.add(iso3)
            drawing.labels += strips

    kit.draw_relations(
        ctx, drawing, lambda _: LINK_STYLES["value_links"], LINK_STYLES, named=named, badged=badged
    )
    return drawing
