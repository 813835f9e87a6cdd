"""The value community: NATO, AP4, Five Eyes, the Japan–US alliance and the like-minded, in cool
hues. Each country is filled with its first grouping (style.FILL_PRIORITY); a named country in
several groupings also shows a strip of coloured badges, one per grouping, under its name."""

from __future__ import annotations

from dashboard.figures import kit, style
from dashboard.figures.context import Context, Drawing

LAYER = "value_community"
LINK_STYLES = {
    "value_links": kit.LinkStyle("value_links", "legend.value_links", style.VALUE_LINK, 2.0),
}


def shown_groupings(ctx: Context) -> list[str]:
    """Existing value-camp groupings this view shows, in knowledge-base order."""
    shown = {g.id for g in ctx.rows.groupings if g.camp == "value" and g.status == "existing"}
    return [g for g in ctx.grouping_order if g in shown]


def primary_groupings(ctx: Context, groupings: list[str]) -> dict[str, str]:
    """The grouping whose colour fills each member country."""
    order = [g for g in style.FILL_PRIORITY if g in groupings]
    order += [g for g in groupings if g not in order]
    by_country: dict[str, set[str]] = {}
    for row in ctx.rows.memberships:
        if row.grouping in groupings:
            by_country.setdefault(row.iso3, set()).add(row.grouping)
    return {iso3: next(g for g in order if g in gs) for iso3, gs in sorted(by_country.items())}


def draw(ctx: Context) -> Drawing:
    drawing = Drawing(LAYER)
    groupings = shown_groupings(ctx)
    memberships = [row for row in ctx.rows.memberships if row.grouping in groupings]
    primary = primary_groupings(ctx, groupings)
    basis_of = {(m.grouping, m.iso3): m.basis for m in memberships}
    fill_order = [g for g in style.FILL_PRIORITY if g in groupings]
    fill_order += [g for g in groupings if g not in fill_order]
    filled = [(c, g) for g in fill_order for c, primary_g in primary.items() if primary_g == g]
    if filled:
        kit.country_fill(
            ctx,
            drawing,
            "fill",
            [c for c, _ in filled],
            [basis_of[(g, c)] for c, g in filled],
            [ctx.grouping_style(g).colour for _, g in filled],
            name=", ".join(ctx.name(g) for g in dict.fromkeys(g for _, g in filled)),
        )
    for grouping_id in groupings:
        kit.grouping_marker(ctx, drawing, grouping_id)
    kit.external_members_key(
        ctx, drawing, fill_order, [(c, g, basis_of[(g, c)]) for c, g in filled]
    )

    # Name the article's stated actors whose place in a shown grouping is stated (not every
    # NATO member: the article counts 32 but names few), with a strip of badges, one per shown
    # grouping, when they are in two or more.
    stated_members = {m.iso3 for m in memberships if m.basis == "stated"}
    named = [c for c in sorted(stated_members) if c in ctx.stated_actors]
    member_sets: dict[str, list[str]] = {}
    for m in memberships:
        member_sets.setdefault(m.iso3, []).append(m.grouping)
    badged: set[str] = set()
    for iso3 in named:
        shown = [g for g in groupings if g in member_sets[iso3]]
        if len(shown) >= 2:
            badged.add(iso3)
            drawing.labels.append(kit.badge_label(ctx, LAYER, iso3, shown, kit.BADGE_POSITIONS))

    kit.draw_relations(
        ctx, drawing, lambda _: LINK_STYLES["value_links"], LINK_STYLES, named=named, badged=badged
    )
    return drawing
