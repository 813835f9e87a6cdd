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
                line.colour,
                line.dash,
                line.opacity,
            )
    if proposed:
        _key(
            drawing,
            "key/proposed",
            t("key.proposed", ctx.lang),
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
                mode="markers",
                marker={
                    "symbol": "circle",
                    "size": style.BADGE_SIZE - 3,
                    "color": style.WHITE,
                    "line": {"color": style.BADGE_INK, "width": 1.3},
                },
            )
    return drawing


def _present(ctx: Context) -> tuple[set[str], bool, set[str]]:
    """The bases drawn in this view, whether anything proposed is, and the modalities that a
    badge marks."""
    rows = ctx.rows
    bases: set[str] = set()
    for frame in (rows.memberships, rows.relations, rows.threats, rows.regions, rows.domains):
        bases |= {row.basis for row in frame}
    bases |= {row.basis for row in rows.marked}
    bases |= {row.place_basis for row in rows.events} | {row.basis for row in rows.events}
    proposed = any(row.status == "proposed" for row in [*rows.relations, *rows.groupings])
    return bases, proposed, badged_modalities(rows)


def badged_modalities(rows: LayerRows) -> set[str]:
    """The modalities of the view's items that carry a badge (see style.modality_glyph)."""
    with_status = [*rows.relations, *rows.marked, *rows.groupings, *rows.memberships]
    found = {r.modality for r in with_status if style.modality_glyph(r.modality, r.status)}
    # (a region is a place the article names: how strongly the sentence naming it speaks is in
    # its hover and details, not on the map, where a badge would read as the links' certainty)
    for frame in (rows.threats, rows.events, rows.domains):
        found |= {r.modality for r in frame if style.modality_glyph(r.modality)}
    return found


def _key(drawing: Drawing, uid: str, name: str, colour: str, dash: str, opacity: float) -> None:
    legend_entry(
        drawing,
        uid,
        name,
        "key",
        mode="lines",
        line={"color": colour, "width": 2.5, "dash": dash},
        opacity=opacity,
    )
