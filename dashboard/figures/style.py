"""The map's visual language: an Okabe–Ito palette, grouping styles, and basis/status styles.

- Value community: cool hues; authoritarian bloc: warm hues (colour-blind safe, Okabe–Ito).
- Basis: ``stated`` solid and full colour; ``inferred`` dotted and lighter; ``external`` grey,
  dotted and marked (※ / *). An area (a country in a grouping, a named sea) keeps its own hue
  when external, greyed and pale: NATO's members that the article does not name still read as
  NATO, and unlike those it names.
- Status: ``proposed`` is dashed and hollow wherever it appears.
- Modality (how strongly the article says it): a round badge beside each claim drawn (a link, a
  threat, an attribution, a grouping, an event; not a named place), whatever its basis and
  status: ``?`` assessed (hedged), ``→`` projected (future or possible), ``!`` recommended
  (only where the item is not already drawn as a proposal). Glyphs, not colours: they read in
  black and white and for every kind of colour vision.
"""

from __future__ import annotations

from dataclasses import dataclass

from geodata.knowledge import BASES, Basis, Modality

# Okabe–Ito
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
BLACK = "#000000"

# calm greys for the base map and for "external"
GREY = "#8C8C8C"
DARK = "#222222"
LAND = "#EDEDEB"
FRAME = "#A6A6A6"  # the outline of the map (of the globe, of the Robinson oval)
BORDER = "#B8B8B8"  # every country's outline, coasts included
WHITE = "#FFFFFF"
TRANSPARENT = "rgba(0,0,0,0)"

# One font stack for every text of the map, its legend and the exported caption. Browsers fall
# back per character: Latin from Noto Sans (or Arial where it is missing), Japanese from BIZ
# UDPGothic, then the Japanese fonts of other systems. Noto Sans and BIZ UDPGothic are TrueType:
# Chromium's PDF writer embeds them as real fonts whose text extracts as drawn (Noto Sans CJK is
# CFF, printed as Type 3 with 日 extracted as the radical ⽇). The text-width estimates of
# dashboard.figures.text are measured against Noto Sans and BIZ UDPGothic.
PDF_JAPANESE_FONT = "BIZ UDPGothic"
FONT_FAMILY = (
    f"Noto Sans, Arial, {PDF_JAPANESE_FONT}, Noto Sans CJK JP, Noto Sans JP, Hiragino Sans, "
    "Hiragino Kaku Gothic ProN, Yu Gothic, Meiryo, sans-serif"
)
# a white halo around map text, strong enough to read over the orange fills and the arcs
HALO = (
    "1px 1px 1px #fff, -1px -1px 1px #fff, 1px -1px 1px #fff, -1px 1px 1px #fff, "
    "0 1.5px 1px #fff, 0 -1.5px 1px #fff, 1.5px 0 1px #fff, -1.5px 0 1px #fff, "
    "0 0 3px #fff, 0 0 4px #fff"
)


@dataclass(frozen=True)
class GroupingStyle:
    """How one grouping is drawn: fill/badge colour, legend marker symbol and its text glyph."""

    colour: str
    symbol: str
    glyph: str


GROUPING_STYLES: dict[str, GroupingStyle] = {
    "nato": GroupingStyle(BLUE, "circle", "●"),
    "five_eyes": GroupingStyle(BLUISH_GREEN, "diamond", "◆"),
    "japan_us_alliance": GroupingStyle(SKY_BLUE, "square", "■"),
    "ap4": GroupingStyle(REDDISH_PURPLE, "triangle-up", "▲"),
    "like_minded": GroupingStyle("#4D6B80", "triangle-down", "▼"),
    "authoritarian": GroupingStyle(VERMILLION, "hexagon", "■"),
    "japan_five_eyes_nato": GroupingStyle(BLACK, "star-open", "☆"),
    "indo_pacific_tech_hub": GroupingStyle(BLACK, "diamond-open", "◇"),
}
_FALLBACK_VALUE = (
    GroupingStyle(BLUE, "circle-open", "○"),
    GroupingStyle(BLUISH_GREEN, "square-open", "□"),
    GroupingStyle(SKY_BLUE, "triangle-up-open", "△"),
)
_FALLBACK_AUTHORITARIAN = GroupingStyle(VERMILLION, "hexagon-open", "□")
_FALLBACK_PROPOSED = GroupingStyle(BLACK, "circle-open", "○")

# Which grouping fills a country that belongs to several (first match wins).
FILL_PRIORITY: tuple[str, ...] = (
    "nato",
    "ap4",
    "five_eyes",
    "japan_us_alliance",
    "like_minded",
)


def grouping_style(grouping_id: str, camp: str, status: str, index: int = 0) -> GroupingStyle:
    """The style of a grouping, with a stable fallback for groupings added to the data later."""
    if grouping_id in GROUPING_STYLES:
        return GROUPING_STYLES[grouping_id]
    if status == "proposed":
        return _FALLBACK_PROPOSED
    if camp == "authoritarian":
        return _FALLBACK_AUTHORITARIAN
    return _FALLBACK_VALUE[index % len(_FALLBACK_VALUE)]


# --- basis and status --------------------------------------------------------------------------

LINE_OPACITY: dict[Basis, float] = {"stated": 1.0, "inferred": 0.55, "external": 0.6}
LINE_DASH: dict[Basis, str] = {"stated": "solid", "inferred": "dot", "external": "dot"}
PROPOSED_DASH = "dash"
FILL_OPACITY: dict[Basis, float] = {"stated": 0.62, "inferred": 0.3, "external": 0.25}
MARKER_OPACITY: dict[Basis, float] = {"stated": 1.0, "inferred": 0.5, "external": 0.6}


@dataclass(frozen=True)
class LineStyle:
    """Colour, dash and opacity of a line for one basis and status."""

    colour: str
    dash: str
    opacity: float


def line_style(colour: str, basis: Basis, status: str = "existing") -> LineStyle:
    """The line style that shows an item's basis and status."""
    if basis == "external":
        colour = GREY
    dash = PROPOSED_DASH if status == "proposed" else LINE_DASH[basis]
    return LineStyle(colour, dash, LINE_OPACITY[basis])


EXTERNAL_HUE = 0.45  # how much of its own colour an external area keeps (the rest is grey)


def mix(colour: str, other: str, share: float) -> str:
    """`share` of one #RRGGBB colour mixed with the rest of another, as #RRGGBB."""
    a, b = (
        (int(colour[i : i + 2], 16) for i in (1, 3, 5)),
        (int(other[i : i + 2], 16) for i in (1, 3, 5)),
    )
    return "#" + "".join(
        f"{round(x * share + y * (1 - share)):02X}" for x, y in zip(a, b, strict=True)
    )


def fill_colour(colour: str, basis: Basis) -> str:
    """The fill colour of an area for a basis: external keeps a little of its hue, greyed."""
    return mix(colour, GREY, EXTERNAL_HUE) if basis == "external" else colour


def rgba(colour: str, alpha: float) -> str:
    """A #RRGGBB colour with an alpha, as a CSS rgba() string."""
    value = colour.lstrip("#")
    red, green, blue = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({red},{green},{blue},{alpha:g})"


def basis_colour(colour: str, basis: Basis, alphas: dict[Basis, float]) -> str:
    """An area's fill for a basis: the colour at the basis's alpha (external greyed)."""
    return rgba(fill_colour(colour, basis), alphas[basis])


def stepped_colorscale(steps: list[str]) -> list[list]:
    """A colorscale giving z = 0, 1, … n-1 (zmin 0, zmax n-1) the n colours of `steps`.
    plotly.js applies choropleth marker.opacity to the whole trace, so per-area alphas live
    in the colours."""
    if len(steps) == 1:
        return [[0.0, steps[0]], [1.0, steps[0]]]
    scale = []
    for index, colour in enumerate(steps):
        scale += [[index / len(steps), colour], [(index + 1) / len(steps), colour]]
    return scale


def basis_colorscale(colour: str, alphas: dict[Basis, float]) -> list[list]:
    """A stepped colorscale for z = BASES.index(basis) (see basis_colour)."""
    return stepped_colorscale([basis_colour(colour, b, alphas) for b in BASES])


def glyph_colour(colour: str, basis: Basis) -> str:
    """A badge glyph's colour: full for stated, lighter for inferred, greyed for external."""
    if basis == "external":
        return rgba(fill_colour(colour, basis), 0.8)
    return colour if basis == "stated" else rgba(colour, 0.5)


# --- modality ----------------------------------------------------------------------------------

MODALITY_GLYPHS: dict[str, str] = {"assessed": "?", "projected": "→", "recommended": "!"}
BADGE_INK = "#1A1A1A"
BADGE_SIZE = 15
BADGE_FONT = 11
BADGE_OFFSET = (9.0, -9.0)  # px right and up of the mark it qualifies


def modality_glyph(modality: Modality | str, status: str = "existing") -> str | None:
    """The badge glyph of an item's modality; None when the article asserts it, or for a
    recommendation already drawn as a proposal (dashed, hollow: the proposal style says it)."""
    if modality == "recommended" and status == "proposed":
        return None
    return MODALITY_GLYPHS.get(modality)


# --- layer colours -----------------------------------------------------------------------------

VALUE_LINK = BLUE
AUTHORITARIAN = VERMILLION
EXPANSION = VERMILLION
SUPPORT = ORANGE
THREAT_FILL = rgba("#5A5A5A", 0.32)
THREAT_EDGE = rgba("#333333", 0.75)
REGION_FILL = ORANGE
# named seas and areas are light tints under everything else, bounded by a thin line
REGION_OPACITY: dict[Basis, float] = {"stated": 0.16, "inferred": 0.11, "external": 0.1}
REGION_EDGE = "#B07A00"
REGION_LABEL = "#5C5C5C"
UKRAINE_FILL = YELLOW
UKRAINE_EDGE = BLUE
UKRAINE_SUPPORT = BLUE
OBJECTION = BLACK
EVENT = BLACK
PROPOSAL = BLACK
DOMAIN_COLOUR = "#6B2E00"
DOMAIN_SYMBOLS: dict[str, str] = {"cyber": "hexagon", "space": "star", "cognitive": "diamond"}
DOMAIN_FALLBACK_SYMBOLS = ("square", "triangle-down", "cross")

# --- sizes -------------------------------------------------------------------------------------

# at least 12 px: the exports draw no text smaller (dashboard.export.caption), and labels are
# placed at the size they are drawn (placed at 10 px and drawn at 12, they overlapped)
FONT_SIZE = {
    "grouping": 13,
    "actor": 12,
    "region": 12,
    "threat": 12,
    "relation": 12,
    "event": 12,
    "badge": 12,
    "inset": 12,  # the inset's title
}
