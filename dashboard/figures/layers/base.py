"""The always-on "base" layer: every country the article involves as an invisible click and hover
target (so a country keeps its details when its layer is off), and the legend's key to how basis,
modality and status are drawn — one entry per basis, status or modality badge that the view's
data contains.

The countries are drawn, with every layer's fills, by one choropleth that this layer holds (see
dashboard.figures.countries)."""

from __future__ import annotations

from dashboard.figures import style
from dashboard.figures.context import Context, CountryFill, Drawing, LayerRows, scattergeo
from dashboard.figures.kit import HOVER, legend_entry
from dashboard.i18n import t
from geodata.atlas import Record
from geodata.certainty import ItemStates, any_of, state_key
from geodata.knowledge import BASES, MODALITIES

LAYER = "base"


def draw(ctx: Context) -> Drawing:
    drawing = Drawing(LAYER)
    shown_members = sorted({row.iso3 for row in ctx.rows.memberships})
    involved = list(dict.fromkeys([*ctx.actors, *shown_members]))
    codes = [c for c in involved if c in ctx.country_rows and c not in ctx.missing_outline]
    # every involved country is a hover and click target of the map's one countries trace
    # (dashboard.figures.countries), whatever layers are shown
    drawing.fills += [CountryFill(c) for c in codes]
    missing = [c for c in involved if c in ctx.country_rows and c in ctx.missing_outline]
    if missing:  # no outline on plotly's base map (e.g. Kosovo): a small point to click
        points = [ctx.anchor(c) for c in missing]
        drawing.add(
            "countries/points",
            scattergeo(
                lon=[round(p[0], 2) for p in points],
                lat=[round(p[1], 2) for p in points],
                mode="markers",
                marker={"symbol": "square-open", "size": 7, "color": style.GREY},
                customdata=missing,
                hovertext=[ctx.country_hover(c) for c in missing],
                hovertemplate=HOVER,
                name="",
                showlegend=False,
            ),
            "country",
            missing,
        )
    bases, proposed, glyphs = _present(ctx)
    for basis in BASES:
        if basis in bases:
            line = style.line_style(style.DARK, basis)
            _key(
                drawing,
                f"key/{basis}",
                t(f"key.{basis}", ctx.lang),
                bases[basis],
                line.colour,
                line.dash,
                line.opacity,
            )
    if proposed:
        _key(
            drawing,
            "key/proposed",
            t("key.proposed", ctx.lang),
            proposed,
            style.PROPOSAL,
            style.PROPOSED_DASH,
            1.0,
        )
    for modality in MODALITIES:
        if modality in glyphs:
            legend_entry(
                drawing,
                f"key/modality/{modality}",
                t(f"key.modality.{modality}", ctx.lang),
                "key",
                keys=(state_key(LAYER, glyphs[modality]),),
                mode="markers",
                marker={
                    "symbol": "circle",
                    "size": style.BADGE_SIZE - 3,
                    "color": style.WHITE,
                    "line": {"color": style.BADGE_INK, "width": 1.3},
                },
            )
    return drawing


States = dict[str, ItemStates]


def _present(ctx: Context) -> tuple[States, ItemStates, States]:
    """The bases drawn in this view, whether anything proposed is, and the modalities that a
    badge marks: each with the certainty states in which something of it shows."""
    rows, states_of = ctx.rows, ctx.index.states_of
    bases: States = {}
    for basis, states in [
        *((row.basis, ctx.membership_states(row.iso3, row.grouping)) for row in rows.memberships),
        *((row.basis, states_of(row.id)) for row in [*rows.relations, *rows.marked, *rows.threats]),
        *((row.basis, _region_states(ctx, row.id)) for row in rows.regions),
        *((row.basis, states_of(f"{row.domain}:{row.actor}")) for row in rows.domains),
        *(
            (basis, states_of(row.id))
            for row in rows.events
            for basis in (row.basis, row.place_basis)
        ),
    ]:
        bases[basis] = bases.get(basis, 0) | states
    proposed = any_of(
        states_of(row.id) for row in [*rows.relations, *rows.groupings] if row.status == "proposed"
    )
    return bases, proposed, _badged_states(ctx)


def _region_states(ctx: Context, region_id: str) -> ItemStates:
    """The states in which a region shows (with any layer key: Context.region_drawers)."""
    return any_of(ctx.region_drawers.get(region_id, {}).values())


def badged_rows(rows: LayerRows) -> list[tuple[str, Record]]:
    """The view's items whose modality a badge marks (see style.modality_glyph), each with what
    it is ("membership", "domain" or "item")."""
    found = [("membership", r) for r in rows.memberships]
    found += [("item", r) for r in [*rows.relations, *rows.marked, *rows.groupings]]
    found = [(kind, r) for kind, r in found if style.modality_glyph(r.modality, r.status)]
    # (a region is a place the article names: how strongly the sentence naming it speaks is in
    # its hover and details, not on the map, where a badge would read as the links' certainty)
    others = [("item", r) for r in [*rows.threats, *rows.events]]
    others += [("domain", r) for r in rows.domains]
    return found + [(kind, r) for kind, r in others if style.modality_glyph(r.modality)]


def badged_modalities(rows: LayerRows) -> set[str]:
    """The modalities of the view's items that carry a badge."""
    return {row.modality for _, row in badged_rows(rows)}


def _badged_states(ctx: Context) -> States:
    """Each modality a badge marks, with the certainty states in which one of those shows."""
    found: States = {}
    for kind, row in badged_rows(ctx.rows):
        if kind == "membership":
            states = ctx.membership_states(row.iso3, row.grouping)
        else:
            states = ctx.index.states_of(
                f"{row.domain}:{row.actor}" if kind == "domain" else row.id
            )
        found[row.modality] = found.get(row.modality, 0) | states
    return found


def _key(
    drawing: Drawing,
    uid: str,
    name: str,
    states: ItemStates,
    colour: str,
    dash: str,
    opacity: float,
) -> None:
    """A key entry of a line style, shown in the certainty states in which something drawn so
    shows."""
    legend_entry(
        drawing,
        uid,
        name,
        "key",
        keys=(state_key(LAYER, states),),
        mode="lines",
        line={"color": colour, "width": 2.5, "dash": dash},
        opacity=opacity,
    )
