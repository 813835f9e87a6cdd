"""The captioned figure of a view: the dashboard's map with the view's title, its one-line
description, a legend of every symbol drawn and a footer (source, "Made with Natural Earth", the
view's as-of date, and notes on inferred, external or conceptual content), laid out for a slide.

Every image is laid out at REF_HEIGHT (1080 CSS px; the width from the aspect ratio) and scaled
to the requested size, so no text is under MIN_TEXT_PX at 1920×1080. The legend goes beside or
below the map, whichever leaves the larger map. Captioned figures are kept as JSON in a cache
bounded in bytes (building one costs ~0.15 s, decoding it ~0.02 s)."""

from __future__ import annotations

import html
import itertools
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

import cachetools
import plotly.graph_objects as go
from plotly.io.json import to_json_plotly

from dashboard.export import sentence
from dashboard.export.environment import font_family
from dashboard.export.formats import REF_HEIGHT, layout_size
from dashboard.figures import BASE_LAYER, figure_parts
from dashboard.figures.context import LayerRows
from dashboard.figures.emphasis import emphasis_points
from dashboard.figures.framing import make_view
from dashboard.figures.geo import Frame
from dashboard.figures.hiding import is_hidden
from dashboard.figures.layers.base import badged_modalities
from dashboard.figures.notes import is_reconstruction
from dashboard.figures.projection import map_aspect
from dashboard.figures.text import char_width, line_width
from dashboard.i18n import MONTHS_EN, t
from geodata.article import ARTICLE_DATE, ARTICLE_TITLE_EN
from geodata.atlas import Atlas, derived, load_atlas
from geodata.knowledge import MODALITIES
from geodata.scenario import Scenario
from geodata.select import Layers, drawn_selection, select

MIN_TEXT_PX = 12  # at the reference height (1080): no text on the image is smaller
# Per process (each server worker has its own): captioned figures as JSON, 0.1–0.2 MB each
FIGURE_CACHE_BYTES = 2 * 2**20
INK = "#1a1a1a"
MUTED = "#555555"


def captioned_figure(
    scenario: Scenario,
    atlas: Atlas | None = None,
    *,
    width: int = 1920,
    height: int = 1080,
    titled: bool = True,
) -> go.Figure:
    """The view's map with title, subtitle, legend and footer, laid out for a slide.

    `width` and `height` give only the aspect ratio (text wraps to it); the layout is always
    REF_HEIGHT px high and `render()` scales it to the requested pixels. Without its title
    (`titled=False`, for a slide whose title is the slide's own), the layout is the same less
    the title's band at the top (`title_band` px). A new figure on every call: callers may
    change it.
    """
    data = captioned_json(scenario, atlas_or_default(atlas), width, height, titled)
    return go.Figure(json.loads(data))


def _figure_key(
    scenario: Scenario, atlas: Atlas, width: int, height: int, titled: bool = True
) -> tuple[Any, ...]:
    """What a captioned figure depends on: the view, the atlas, the layout's width, the font,
    whether it has its title."""
    ref_width = round(layout_size(width, height, 1.0)[0])
    return (
        scenario,
        atlas_serial(atlas),
        ref_width,
        font_family(sentence.text_lang(scenario)),
        titled,
    )


@cachetools.cached(
    cachetools.LRUCache(FIGURE_CACHE_BYTES, getsizeof=len),
    key=_figure_key,
    lock=threading.Lock(),
    info=True,
)
def captioned_json(
    scenario: Scenario, atlas: Atlas, width: int, height: int, titled: bool = True
) -> bytes:
    """The captioned figure as JSON, from the cache when built before (per view, aspect, font,
    title or not)."""
    ref_width = layout_size(width, height, 1.0)[0]
    band = 0.0 if titled else title_band(scenario, ref_width)
    margin = _caption(_slide_map(scenario, atlas), scenario, atlas, ref_width, band)
    # the labels were placed for the nominal figure's map, and the slide's map is another size
    # (its caption and legend take room): place them again for the map as drawn
    frame = Frame((round(ref_width), round(REF_HEIGHT - band)), margin, {})
    slide = _slide_map(scenario, atlas, frame)
    _caption(slide, scenario, atlas, ref_width, band)
    data = to_json_plotly(slide.figure_dict())
    if scenario.sentence:
        return json.dumps(sentence.emphasize(json.loads(data), scenario, atlas)).encode()
    return data.encode()


def title_band(scenario: Scenario, ref_width: float) -> float:
    """The height (px of the REF_HEIGHT layout) of the band the title takes at the image's top:
    what a slide with its own title puts there instead."""
    return MARGIN_TOP + TITLE_LINE * len(title_lines(scenario, ref_width))


def title_lines(scenario: Scenario, ref_width: float) -> list[str]:
    """The title's lines as the image (or a slide in its place) wraps them: the view's title,
    and the id of its sentence when it has one."""
    title = scenario.title()
    width = ref_width - 2 * MARGIN_X
    if not (scenario.sentence and title):  # an untitled view of a sentence: titled by it alone
        if scenario.sentence:
            title = t("read.details_heading", scenario.lang, id=scenario.sentence)
        return _wrap(title, width, TITLE_PX, _bold_width)
    # "— P6.2" ends the title, on the line of the title's last word
    lines = _wrap(title, width, TITLE_PX, _bold_width)
    suffix = f" — {scenario.sentence}"
    if _bold_width(lines[-1] + suffix, TITLE_PX) > width:
        head, _, last = lines[-1].rpartition(" ")
        lines[-1:] = [head, last] if head else [lines[-1], ""]
    lines[-1] = (lines[-1] + suffix).lstrip()
    return lines


def atlas_or_default(atlas: Atlas | None) -> Atlas:
    """The given atlas, else the bundled one."""
    return atlas if atlas is not None else load_atlas()


def atlas_serial(atlas: Atlas) -> int:
    """A number naming this atlas object in cache keys (the caches do not keep it alive, and an
    id() may be reused once it is gone; a serial is not)."""
    return derived(atlas, _new_serial)


_serial_numbers = itertools.count()


def _new_serial(_atlas: Atlas) -> int:
    return next(_serial_numbers)


@dataclass
class _Slide:
    """A map being captioned: its traces as JSON-ready dicts (as figure_parts makes them, without
    go.Figure's copy of each), its validated layout, and its map's width / height."""

    traces: list[dict[str, Any]]
    layout: go.Layout
    aspect: float

    def figure_dict(self) -> dict[str, Any]:
        """The figure as go.Figure.to_dict gives it: its layout with plotly's default template
        (a go.Figure of the layout alone puts it there), its traces without the uids that only
        the dashboard's updates use."""
        layout = go.Figure(layout=self.layout).to_dict()["layout"]
        traces = [{k: v for k, v in trace.items() if k != "uid"} for trace in self.traces]
        return {"data": traces, "layout": layout}


def _slide_map(scenario: Scenario, atlas: Atlas, frame: Frame | None = None) -> _Slide:
    """The view's map to caption as a slide: only its shown layers (its labels placed for `frame`
    when given), with the width / height of its map (see dashboard.figures.projection.map_aspect)."""
    # drawn as the dashboard draws it: every certainty its filters only hide, framed for all
    # it draws (geodata.select.drawn_selection)
    layers = drawn_selection(
        select(atlas, scenario.with_every_layer().with_every_certainty()),
        select(atlas, scenario.with_every_layer()),
    )
    parts = figure_parts(
        layers,
        atlas,
        visible_layers=scenario.layers,
        directions=scenario.directions,
        frame=frame,
        certainty=scenario.certainty(),
    )
    view = make_view(
        layers, atlas, {*scenario.layers, BASE_LAYER}, keep=emphasis_points(layers, atlas)
    )
    # A slide shows what is drawn: drop hidden layers (and their legend entries) altogether.
    traces = [t for t in parts.traces if not is_hidden(t)]
    return _Slide(traces, parts.layout, map_aspect(view))


TITLE_PX, SUBTITLE_PX, FOOTER_PX = 42, 25, 17
TITLE_BOLD = 1.05  # bold Latin text: measured 4.6 % wider than line_width's estimate
# plotly.js spaces a title's lines 1.3 em apart (its LINE_SPACING); its cap shift is 0.7 em
TITLE_LINE, SUBTITLE_LINE, FOOTER_LINE = round(1.3 * TITLE_PX), 32, 23
TITLE_CAP = 0.7
MARGIN_X, MARGIN_TOP, LEGEND_GAP = 48, 26, 24
LEGEND_FONTS = (18, 17, 16, 15, 14, 13)  # largest first; all ≥ 12 px at 1920×1080
LEGEND_SYMBOL = 40
LEGEND_COLUMN_GAP = 24  # px between the legend's two columns


@dataclass(frozen=True)
class _Legend:
    """Where the legend goes and how large: 'right' (a column, or two when one does not fit the
    height even at the smallest font) or 'bottom' (groups side by side)."""

    side: str
    font: int
    width: float
    height: float
    # right, two columns: the legend groups of the second column, and the first column's width
    second_column: frozenset[str] = frozenset()
    first_width: float = 0.0


def _caption(
    slide: _Slide, scenario: Scenario, atlas: Atlas, ref_width: float, band: float = 0.0
) -> tuple[float, float, float, float]:
    """Title, subtitle, legend and footer around the map, in px of the REF_HEIGHT layout (less
    the title's `band` when it is left out); returns the margins (left, top, right, bottom)
    around the map's plot area.

    The legend goes to the right of the map or below it, whichever leaves the larger map; the
    map's box is sized to its projection's aspect and the spare height is shared above and below.
    """
    lang = scenario.lang
    family = font_family(sentence.text_lang(scenario))
    _prune_basis_key(slide, scenario, atlas)
    text_w = ref_width - 2 * MARGIN_X
    titles = title_lines(scenario, ref_width)
    subtitle = sentence.subtitle(scenario, atlas) or [scenario.description()]
    subtitle_lines = [line for part in subtitle for line in _wrap(part, text_w, SUBTITLE_PX)]
    footer_lines = [
        line
        for index, parts in enumerate(_footer(scenario, atlas))
        for line in _wrap_parts(
            parts, text_w, FOOTER_PX, "  |  " if index == 0 else ("" if lang == "ja" else " ")
        )
    ]
    height = REF_HEIGHT - band
    subtitle_top = MARGIN_TOP + TITLE_LINE * len(titles) + 6 - band
    header = subtitle_top + SUBTITLE_LINE * len(subtitle_lines) + 24
    footer = 18 + FOOTER_LINE * len(footer_lines) + 14
    middle = height - header - footer
    aspect = slide.aspect
    legend = _place_legend(slide.traces, ref_width, middle, aspect)
    area_w = ref_width - 2 * MARGIN_X
    margin_l = MARGIN_X
    if legend.side == "right":
        map_w = area_w - legend.width - LEGEND_GAP
        map_h = min(middle, map_w / aspect)
        frame_w = min(map_w, map_h * aspect)
        # a tall map: the map and its legend side by side, centred as one block
        margin_l += (map_w - frame_w) / 2
        map_w = frame_w
        slack = middle - map_h
        top = header + min(slack / 2, max(0.0, middle - legend.height))
        margin_r = ref_width - margin_l - map_w
        legend_box = {
            "orientation": "v",
            "x": 1 + LEGEND_GAP / max(map_w, 1),
            "xanchor": "left",
            "y": 1,
            "yanchor": "top",
            "maxheight": height - top - footer,
            "title": {
                "text": f"<b>{t('export.legend', lang)}</b>",
                "font": {"family": family, "size": legend.font + 2, "color": INK},
            },
        }
    else:
        map_w = area_w
        map_h = min(middle - legend.height - LEGEND_GAP, map_w / aspect)
        slack = middle - legend.height - LEGEND_GAP - map_h
        top = header + slack / 2
        margin_r = MARGIN_X
        legend_box = {
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": -LEGEND_GAP / max(map_h, 1),
            "yanchor": "top",
            "maxheight": legend.height + 2 * legend.font,
            "title": {"text": ""},
            "entrywidth": 0,
        }
    bottom = height - top - map_h
    legend_layout = {
        **legend_box,
        "font": {"family": family, "size": legend.font, "color": INK},
        "grouptitlefont": {"family": family, "size": legend.font, "color": MUTED},
        "bgcolor": "rgba(255,255,255,0)",
        "borderwidth": 0,
        "itemsizing": "constant",
        "itemwidth": LEGEND_SYMBOL,
        "tracegroupgap": max(4, legend.font // 3),
        "traceorder": "grouped",
    }
    if legend.second_column:  # its groups in a second legend, beside the first
        second_x = (LEGEND_GAP + legend.first_width + LEGEND_COLUMN_GAP) / max(map_w, 1)
        slide.layout.legend2 = legend_layout | {"x": 1 + second_x, "title": {"text": ""}}
        slide.traces = [
            trace | {"legend": "legend2"} if _group_key(trace) in legend.second_column else trace
            for trace in slide.traces
        ]
    slide.layout.update(
        width=None,
        height=None,
        autosize=True,
        paper_bgcolor="white",
        plot_bgcolor="white",
        font={"family": family, "size": 18, "color": INK},
        margin={"l": margin_l, "r": margin_r, "t": top, "b": bottom, "pad": 0, "autoexpand": False},
        title={
            "text": "" if band else "<b>" + "<br>".join(map(_plotly_text, titles)) + "</b>",
            "font": {"family": family, "size": TITLE_PX, "color": INK},
            "x": MARGIN_X / ref_width,
            "xanchor": "left",
            "xref": "container",
            # plotly.js draws a title of several lines its cap height (0.7 em) higher than a
            # one-line title (measured: the same for two and three lines), which cut the first
            # line off at the top: such a title is placed that much lower, so that its first
            # line starts at MARGIN_TOP like a one-line title's
            "y": 1 - (MARGIN_TOP + (TITLE_CAP * TITLE_PX if len(titles) > 1 else 0)) / REF_HEIGHT,
            "yanchor": "top",
            "yref": "container",
            "automargin": False,
        },
        showlegend=True,
        legend=legend_layout,
        dragmode=False,
        hovermode=False,
    )
    slide.layout.annotations = [
        *[a for a in slide.layout.annotations if not _is_export_annotation(a)],
        _annotation(
            "export-subtitle",
            subtitle_lines,
            SUBTITLE_PX,
            MUTED,
            family,
            x=(MARGIN_X - margin_l) / max(map_w, 1),
            y=1,
            shift=top - subtitle_top,
        ),
        _annotation(
            "export-footer",
            footer_lines,
            FOOTER_PX,
            MUTED,
            family,
            x=(MARGIN_X - margin_l) / max(map_w, 1),
            y=0,
            shift=-(bottom - footer + 18),
        ),
    ]
    if not _legend_entries(slide.traces):
        slide.layout.annotations += (
            go.layout.Annotation(
                text=t("map.empty", lang),
                xref="paper",
                yref="paper",
                x=0.5,
                y=0.5,
                showarrow=False,
                font={"family": family, "size": 28, "color": MUTED},
                name="export-empty",
            ),
        )
    _enforce_min_text(slide)
    return margin_l, top, margin_r, bottom


def _plotly_text(text: str) -> str:
    """Text for plotly's HTML-like labels: only &, < and > need escaping there."""
    return html.escape(text, quote=False)


def _annotation(
    name: str,
    lines: list[str],
    size: int,
    colour: str,
    family: str,
    *,
    x: float,
    y: float,
    shift: float,
) -> go.layout.Annotation:
    """A left-aligned block of text lines at paper x, its top `shift` px above paper y."""
    return go.layout.Annotation(
        text="<br>".join(_plotly_text(x) for x in lines),
        xref="paper",
        yref="paper",
        x=x,
        y=y,
        xanchor="left",
        yanchor="top",
        yshift=shift,
        align="left",
        showarrow=False,
        font={"family": family, "size": size, "color": colour},
        name=name,
        visible=bool(lines),
    )


def _is_export_annotation(annotation: Any) -> bool:
    return str(annotation.name or "").startswith("export-")


def _legend_entries(traces: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [t for t in traces if t.get("showlegend") is not False and t.get("name")]


class _LegendGroup(NamedTuple):
    key: str  # the traces' legendgroup
    title: str
    entries: list[str]  # entry lines


def _legend_groups(traces: list[dict[str, Any]]) -> list[_LegendGroup]:
    """The legend's groups in legend order."""
    groups: dict[str, _LegendGroup] = {}
    entries = sorted(
        enumerate(_legend_entries(traces)), key=lambda it: (it[1].get("legendrank") or 1000, it[0])
    )
    for _, trace in entries:
        key = _group_key(trace)
        title = str((trace.get("legendgrouptitle") or {}).get("text") or "")
        group = groups.setdefault(key, _LegendGroup(key, title, []))
        group.entries.extend(str(trace["name"]).split("<br>"))
    return list(groups.values())


def _group_key(trace: dict[str, Any]) -> str:
    return str(trace.get("legendgroup") or "")


def _column_height(groups: list[_LegendGroup], font: int, titled: bool = True) -> float:
    """Estimated height of a legend column of `groups` (with the legend's title: `titled`)."""
    lines = sum(len(group.entries) for group in groups)
    return 1.5 * font * lines + len(groups) * (1.6 * font + font // 3) + 2.2 * font * titled


def _column_width(groups: list[_LegendGroup], font: int, ref_width: float) -> float:
    texts = [line for group in groups for line in [group.title, *group.entries]]
    return min(max(line_width(x, font) for x in texts) + LEGEND_SYMBOL + 16, ref_width * 0.38)


def _two_columns(groups: list[_LegendGroup], middle: float, ref_width: float) -> list[_Legend]:
    """The right-hand legend in two columns at each font that fits the height, split between
    groups where the taller column is shortest."""
    legends: list[_Legend] = []
    if len(groups) < 2:
        return legends
    for font in LEGEND_FONTS:
        height, split = min(
            (
                max(_column_height(groups[:k], font), _column_height(groups[k:], font, False)),
                k,
            )
            for k in range(1, len(groups))
        )
        if height <= middle:
            first = _column_width(groups[:split], font, ref_width)
            width = first + LEGEND_COLUMN_GAP + _column_width(groups[split:], font, ref_width)
            second = frozenset(group.key for group in groups[split:])
            legends.append(_Legend("right", font, width, height, second, first))
    return legends


def _place_legend(
    traces: list[dict[str, Any]], ref_width: float, middle: float, aspect: float
) -> _Legend:
    """The legend placement that leaves the largest map (estimated from text widths).

    Right: one column at the largest font that fits the height, or else two columns. Bottom:
    the groups side by side, wrapped into rows as plotly does, at the font that leaves the
    largest map.
    """
    groups = _legend_groups(traces)
    if not groups:
        return _Legend("right", LEGEND_FONTS[0], 0.0, 0.0)
    area_w = ref_width - 2 * MARGIN_X
    options: list[tuple[float, int, _Legend]] = []
    one_column = next(
        (
            _Legend("right", font, _column_width(groups, font, ref_width), height)
            for font in LEGEND_FONTS
            if (height := _column_height(groups, font)) <= middle
        ),
        None,
    )
    if one_column:
        rights = [one_column]
    else:  # not even at the smallest font: two columns, else one cut off at the bottom
        font = LEGEND_FONTS[-1]
        rights = _two_columns(groups, middle, ref_width) or [
            _Legend(
                "right", font, _column_width(groups, font, ref_width), _column_height(groups, font)
            )
        ]
    for legend in rights:
        map_w = area_w - legend.width - LEGEND_GAP
        options.append((min(map_w, middle * aspect), legend.font, legend))
    for font in LEGEND_FONTS[1:]:
        rows: list[list[tuple[float, float]]] = [[]]
        for _, title, entries in groups:
            width = max(line_width(x, font) for x in [title, *entries]) + LEGEND_SYMBOL + 30
            height = 1.6 * font + 1.5 * font * len(entries)
            if rows[-1] and sum(w for w, _ in rows[-1]) + width > area_w:
                rows.append([])
            rows[-1].append((width, height))
        height = sum(max(h for _, h in row) for row in rows) + 10 * (len(rows) - 1)
        map_h = middle - height - LEGEND_GAP
        if map_h < 0.45 * middle:
            continue
        width = max(sum(w for w, _ in row) for row in rows)
        map_w = min(area_w, map_h * aspect)
        options.append((map_w, font, _Legend("bottom", font, width, height)))
    # the largest font whose map is nearly as large as the largest map
    best = max(map_w for map_w, _, _ in options)
    return max((o for o in options if o[0] >= 0.96 * best), key=lambda o: o[1])[2]


def _prune_basis_key(slide: _Slide, scenario: Scenario, atlas: Atlas) -> None:
    """Drop the legend's basis/status key entries for styles that no shown item uses.

    The figure builders key the basis legend to every layer passed in (the export passes all, so
    that traces match the dashboard's); a slide's legend explains only what it draws.
    """
    drawn = drawn_layers(scenario, atlas)
    shown = drawn_bases(scenario, atlas)
    proposed = bool(len(drawn.relations) and (drawn.relations.status == "proposed").any()) or bool(
        len(drawn.groupings) and (drawn.groupings.status == "proposed").any()
    )
    badged = badged_modalities(LayerRows.of(drawn))
    keep = []
    for trace in slide.traces:
        meta = trace.get("meta") if isinstance(trace.get("meta"), dict) else {}
        if meta.get("kind") == "key":
            style = str(trace.get("uid") or "").rsplit("-", 1)[-1]
            if (
                (style == "proposed" and not proposed)
                or (style in ("stated", "inferred", "external") and style not in shown)
                or (style in MODALITIES and style not in badged)
            ):
                continue
        keep.append(trace)
    slide.traces = keep


def _enforce_min_text(slide: _Slide) -> None:
    """Raise every text size the figure builders set below MIN_TEXT_PX (legible when projected).
    Changed traces are copies: the builders' dicts may be shared."""
    for index, trace in enumerate(slide.traces):
        size = (trace.get("textfont") or {}).get("size")
        if size is not None:
            sizes = size if isinstance(size, tuple | list) else [size]
            bumped = [max(s, MIN_TEXT_PX) for s in sizes]
            font = trace["textfont"] | {
                "size": bumped if isinstance(size, tuple | list) else bumped[0]
            }
            slide.traces[index] = trace | {"textfont": font}
    for annotation in slide.layout.annotations:
        if annotation.font.size is not None and annotation.font.size < MIN_TEXT_PX:
            annotation.font.size = MIN_TEXT_PX


def _bold_width(line: str, size: float) -> float:
    """Width in px of one line in bold: Latin wider than line_width says, Japanese as wide."""
    return sum(w if (w := char_width(c)) == 1.0 else w * TITLE_BOLD for c in line) * size


def _wrap(
    text: str, width: float, size: float, measure: Callable[[str, float], float] = line_width
) -> list[str]:
    """Greedy line wrap to `width` px (as `measure` gives a line's width): at spaces for Latin
    text, anywhere for Japanese."""
    if not text:
        return []
    lines: list[str] = []
    current = ""
    tokens = _tokens(text)
    for token in tokens:
        if current and measure(current + token, size) > width:
            lines.append(current.rstrip())
            current = token.lstrip()
        else:
            current += token
    if current.strip():
        lines.append(current.rstrip())
    return lines


def _tokens(text: str) -> list[str]:
    """Words with their trailing space; each CJK character alone (closing punctuation kept on)."""
    tokens: list[str] = []
    for char in text:
        wide = ord(char) > 0x2E7F
        if tokens and char in "、。」)』,.!?:;":
            tokens[-1] += char
        elif wide or not tokens or tokens[-1].endswith(" ") or ord(tokens[-1][-1]) > 0x2E7F:
            tokens.append(char)
        else:
            tokens[-1] += char
    return tokens


def source_line(lang: str) -> str:
    """The footer's source: the article's (English) title and date."""
    return t("export.source", lang, title=ARTICLE_TITLE_EN, date=ARTICLE_DATE.replace("-", "/"))


def as_of(scenario: Scenario) -> date:
    """The date the view shows the situation at: its end date, at most the article's date."""
    article_date = date.fromisoformat(ARTICLE_DATE)
    return min(scenario.date_to, article_date) if scenario.date_to else article_date


def format_as_of(day: date, lang: str) -> str:
    """'As of 13 August 2024' / '2024年8月13日時点'."""
    return t(
        "export.as_of",
        lang,
        year=day.year,
        month=day.month,
        day=day.day,
        month_name=MONTHS_EN[day.month - 1],
    )


def drawn_bases(scenario: Scenario, atlas: Atlas) -> set[str]:
    """The bases of the items the view draws (its own layers only)."""
    drawn = drawn_layers(scenario, atlas)
    bases: set[str] = set()
    for frame in (drawn.groupings, drawn.memberships, drawn.relations, drawn.threats):
        bases |= set(frame["basis"]) if len(frame) else set()
    for frame in (drawn.regions, drawn.events, drawn.domains):
        bases |= set(frame["basis"]) if len(frame) else set()
    if len(drawn.events) and "place_basis" in drawn.events:
        bases |= set(drawn.events["place_basis"])
    return bases


def drawn_layers(scenario: Scenario, atlas: Atlas) -> Layers:
    """What the view draws (its own layers only)."""
    return select(atlas, scenario)


def _footer(scenario: Scenario, atlas: Atlas) -> list[list[str]]:
    """The footer's paragraphs, each a list of parts kept whole on a line where they fit."""
    lang = scenario.lang
    first = [source_line(lang), t("export.basemap", lang), format_as_of(as_of(scenario), lang)]
    notes: list[str] = []
    if is_reconstruction(scenario):
        notes.append(t("export.conceptual", lang))
    bases = drawn_bases(scenario, atlas)
    if "inferred" in bases:
        notes.append(t("export.inferred", lang))
    if "external" in bases:
        notes.append(t("export.external", lang))
    return [first, notes, sentence.citation(scenario, atlas)]


def _wrap_parts(parts: list[str], width: float, size: float, separator: str) -> list[str]:
    """Lines of whole parts joined by `separator`; a part too long for a line is wrapped."""
    lines: list[str] = []
    for part in parts:
        if lines and line_width(lines[-1] + separator + part, size) <= width:
            lines[-1] += separator + part
        else:
            lines += _wrap(part, width, size)
    return lines
