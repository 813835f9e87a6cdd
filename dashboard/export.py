"""Captioned static export of a view: the same figure as the dashboard, with title, legend and
footer, rendered offline by kaleido (headless Chromium) to PNG, SVG or PDF, and PowerPoint decks.

One code path for every caller: the `alliance-atlas export` command and the dashboard's export
button both call `render()` (or `captioned_figure()` + `RenderSession`), so they draw the same
picture.

Two caches, bounded in bytes, spare repeated work in a long-lived process (a dashboard worker):
rendered images (the same view, format and size gives the same bytes, so a repeated export needs
no browser) and captioned figures as JSON (building one costs ~0.25 s, decoding it ~0.02 s).

Every image is laid out at a reference height of 1080 CSS px (width from the aspect ratio) and
scaled to the requested size, so a 640×360 PNG is a sharp miniature of the 1920×1080 one and no
text is under 12 px at 1920×1080. The legend goes beside or below the map, whichever leaves the
larger map. Offline: plotly.js from the plotly package, the base-map topojson from
dashboard/assets/topojson, no MathJax, no CDN; Japanese needs a CJK font (fontconfig).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import html
import io
import itertools
import json
import math
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import plotly
import plotly.graph_objects as go
import plotly.io as pio

import dashboard
from dashboard.byte_cache import ByteLRU, CacheStats
from geodata.article import ARTICLE_DATE, ARTICLE_TITLE_EN
from geodata.scenario import LAYERS, Scenario

if TYPE_CHECKING:
    from geodata.atlas import Atlas
    from geodata.select import Layers

FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
ASPECTS: dict[str, tuple[int, int]] = {
    "16:9": (1920, 1080),
    "4:3": (1440, 1080),
    "a4": (1527, 1080),
}
REF_HEIGHT = 1080  # every image is laid out at this height, then scaled
MIN_TEXT_PX = 12  # at the reference height (1080): no text on the image is smaller
MAX_PIXELS = 8000 * 8000
SMALL_IMAGE_PX = 1000  # narrower images use the 1:110m base map (see level_of_detail)

TOPOJSON_DIR = Path(dashboard.__file__).resolve().parent / "assets" / "topojson"
TOPOJSON_FILES = ("world_110m.json", "world_50m.json")
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CJK_PREFERRED = ("Noto Sans CJK JP", "Noto Sans JP", "IPAexGothic", "IPAGothic", "TakaoGothic")
LATIN_FALLBACK = "Liberation Sans, DejaVu Sans, Arial, sans-serif"
RENDER_TIMEOUT_S = 90

# Per process (each server worker has its own): together with the dashboard's caches they keep
# a worker's memory within ~10 % of what it starts with.
FIGURE_CACHE_BYTES = 2 * 2**20  # captioned figures as JSON: 0.1–0.2 MB each, so ~12 views
IMAGE_CACHE_BYTES = 5 * 2**20  # rendered images: ~8 PNGs (0.55 MB) or one PDF at 1920×1080
RENDER_NICENESS = 10  # exports run at background priority (see _run_in_background)
IMAGE_CACHE_ITEM_BYTES = 4 * 2**20  # not kept: larger images (an SVG at 1920×1080 is ~11 MB)

INK = "#1a1a1a"
MUTED = "#555555"

TEXT: dict[str, dict[str, str]] = {
    "source": {
        "ja": f"出典:論考「{ARTICLE_TITLE_EN}」(英語版の題名、{ARTICLE_DATE.replace('-', '/')})の本文と脚注",
        "en": f"Source: “{ARTICLE_TITLE_EN}” ({ARTICLE_DATE.replace('-', '/')}), text and footnotes",
    },
    "basemap": {"ja": "基図:Made with Natural Earth", "en": "Base map: Made with Natural Earth"},
    "as_of": {"ja": "{year}年{month}月{day}日時点", "en": "As of {day} {month_name} {year}"},
    "inferred": {
        "ja": "「推論」の項目は論考の記述ではなく、論考からの読み取りです。",
        "en": "Items marked “inferred” are a reading of the article, not its statements.",
    },
    "external": {
        "ja": "「外部知識」は論考にない背景知識です。",
        "en": "“External” items are background knowledge the article does not contain.",
    },
    "conceptual": {
        "ja": "概念図:配置と矢印は考え方を示すもので、正確な地理関係ではありません。",
        "en": "Conceptual diagram: placement and arrows show ideas, not exact geography.",
    },
    "legend": {"ja": "凡例", "en": "Legend"},
    "empty": {
        "ja": "この設定では地図に表示する項目がありません",
        "en": "Nothing to draw with these settings",
    },
}
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


class ExportError(Exception):
    """An export that cannot be done; the message is one line meant for the user."""


# --- environment: topojson, browser, fonts ---------------------------------------------------


def topojson_url() -> str:
    """The file:// URL (with trailing slash) plotly.js loads its base-map topojson from."""
    missing = [name for name in TOPOJSON_FILES if not (TOPOJSON_DIR / name).is_file()]
    if missing:
        raise ExportError(
            f"base-map topojson missing: {TOPOJSON_DIR / missing[0]} "
            "(copy world_110m.json and world_50m.json there; export never fetches them online)"
        )
    return TOPOJSON_DIR.as_uri() + "/"


def find_browser() -> str:
    """The Chromium executable kaleido drives: $BROWSER_PATH, else chromium on PATH."""
    configured = os.environ.get("BROWSER_PATH")
    if configured:
        if os.path.isfile(configured) and os.access(configured, os.X_OK):
            return configured
        raise ExportError(
            f"BROWSER_PATH={configured} is not an executable browser: install Chromium with "
            "`apt-get install chromium` or point BROWSER_PATH at a Chrome/Chromium executable"
        )
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.access(candidate, os.X_OK):
            return candidate
    raise ExportError(
        "Chromium not found (image export runs it headless): install it with "
        "`apt-get install chromium` (Debian/Ubuntu) or set BROWSER_PATH to a Chrome/Chromium executable"
    )


def japanese_font_families() -> tuple[str, ...]:
    """Installed font families with Japanese coverage, as fontconfig reports them (may be empty)."""
    key = (os.environ.get("FONTCONFIG_FILE"), os.environ.get("FONTCONFIG_PATH"))
    if key not in _font_cache:
        families: list[str] = []
        fc_list = shutil.which("fc-list")
        if fc_list:
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                result = subprocess.run(
                    [fc_list, ":lang=ja", "family"],
                    capture_output=True,
                    text=True,
                    timeout=20,
                    check=False,
                )
                for line in result.stdout.splitlines():
                    family = line.split(",")[0].strip()
                    if family and family not in families:
                        families.append(family)
        _font_cache[key] = tuple(sorted(families))
    return _font_cache[key]


_font_cache: dict[tuple[str | None, str | None], tuple[str, ...]] = {}


def cjk_font() -> str | None:
    """The Japanese-capable family the export uses, or None when there is none."""
    families = japanese_font_families()
    for preferred in CJK_PREFERRED:
        if preferred in families:
            return preferred
    sans = [f for f in families if "sans" in f.lower() or "gothic" in f.lower()]
    return (sans or list(families) or [None])[0]


def font_family(lang: str) -> str:
    """The CSS font-family of an exported image; raises ExportError when Japanese has no font."""
    cjk = cjk_font()
    if cjk is None:
        if lang == "ja":
            raise ExportError(
                "no Japanese font installed, so Japanese text would print as empty boxes: "
                "install one with `apt-get install fonts-noto-cjk` (needs fontconfig's fc-list)"
            )
        return LATIN_FALLBACK
    return f"{cjk}, {LATIN_FALLBACK}"


def check_environment(langs: Iterable[str] = ("ja",)) -> None:
    """Fail early, with one line saying what to install, when export cannot run offline."""
    topojson_url()
    find_browser()
    for lang in set(langs):
        font_family(lang)


def configure_plotly() -> None:
    """Point plotly.io's own image export at the offline assets too (no CDN, no MathJax)."""
    pio.defaults.topojson = topojson_url()
    pio.defaults.mathjax = None  # plotly passes no MathJax; RenderSession disables it outright
    pio.defaults.plotlyjs = str(PLOTLY_JS)


# --- sizes ------------------------------------------------------------------------------------


def parse_size(text: str) -> tuple[int, int]:
    """'1920x1080' → (1920, 1080); ValueError with a one-line reason otherwise."""
    parts = text.lower().replace("×", "x").split("x")
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        raise ValueError(f"size {text!r} is not WIDTHxHEIGHT, e.g. 1920x1080")
    width, height = (int(p) for p in parts)
    check_size(width, height, 1.0)
    return width, height


def check_size(width: int, height: int, scale: float) -> None:
    """Reject sizes a browser cannot render sensibly."""
    if width < 64 or height < 64:
        raise ValueError(f"size {width}x{height} is too small (at least 64x64)")
    if not (0 < scale <= 10) or math.isnan(scale):
        raise ValueError(f"scale {scale} is out of range (0 < scale ≤ 10)")
    if width * height * scale * scale > MAX_PIXELS:
        raise ValueError(
            f"{width}x{height} at scale {scale:g} is too large (at most {MAX_PIXELS:,} pixels)"
        )


def check_output(fmt: str, width: int, height: int, scale: float) -> None:
    """Raise ExportError for an unknown format or a size a browser cannot render sensibly."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    try:
        check_size(width, height, scale)
    except ValueError as error:
        raise ExportError(str(error)) from None


def layout_size(width: int, height: int, scale: float) -> tuple[float, float, float]:
    """The reference layout (CSS px) and kaleido scale that give width×height×scale pixels."""
    factor = height / REF_HEIGHT
    return width / factor, float(REF_HEIGHT), scale * factor


# --- the captioned figure ---------------------------------------------------------------------


def captioned_figure(
    scenario: Scenario, atlas: Atlas | None = None, *, width: int = 1920, height: int = 1080
) -> go.Figure:
    """The view's map with title, subtitle, legend and footer, laid out for a slide.

    `width` and `height` give only the aspect ratio (text wraps to it); the layout is always
    REF_HEIGHT px high and `render()` scales it to the requested pixels. A new figure on every
    call: callers may change it.
    """
    return go.Figure(json.loads(_captioned_json(scenario, _atlas_or_default(atlas), width, height)))


def _captioned_json(scenario: Scenario, atlas: Atlas, width: int, height: int) -> bytes:
    """The captioned figure as JSON, from the cache when built before (per view, aspect, font)."""
    ref_width = layout_size(width, height, 1.0)[0]
    key = (scenario, _atlas_serial(atlas), round(ref_width), font_family(scenario.lang))
    data = _figure_cache.get(key)
    if data is None:
        figure = _map_figure(scenario, atlas)
        margin = _caption(figure, scenario, atlas, ref_width)
        # the labels were placed for the nominal figure's map, and the slide's map is another
        # size (its caption and legend take room): place them again for the map as drawn
        from dashboard.figures.base import Frame

        figure = _map_figure(scenario, atlas, Frame((round(ref_width), REF_HEIGHT), margin, {}))
        _caption(figure, scenario, atlas, ref_width)
        data = figure.to_json().encode()
        _figure_cache.put(key, data)
    return data


def _atlas_or_default(atlas: Atlas | None) -> Atlas:
    """The given atlas, else the bundled one."""
    if atlas is not None:
        return atlas
    from geodata.atlas import load_atlas

    return load_atlas()


def _atlas_serial(atlas: Atlas) -> int:
    """A number naming this atlas object in cache keys (the caches do not keep it alive, and an
    id() may be reused once it is gone; a serial is not)."""
    from geodata.atlas import derived

    return derived(atlas, _new_serial)


def _new_serial(_atlas: Atlas) -> int:
    return next(_serial_numbers)


_serial_numbers = itertools.count()
_figure_cache: ByteLRU[tuple[Any, ...], bytes] = ByteLRU(FIGURE_CACHE_BYTES)
_image_cache: ByteLRU[tuple[Any, ...], bytes] = ByteLRU(
    IMAGE_CACHE_BYTES, max_item_bytes=IMAGE_CACHE_ITEM_BYTES
)


def clear_export_caches() -> None:
    """Forget the captioned figures and rendered images kept so far (e.g. before timing)."""
    _figure_cache.clear()
    _image_cache.clear()


def export_cache_stats() -> dict[str, CacheStats]:
    """Hits, misses, entries and bytes of the export's caches: "figures" and "images"."""
    return {"figures": _figure_cache.stats(), "images": _image_cache.stats()}


def _map_figure(scenario: Scenario, atlas: Atlas, frame: Any = None) -> go.Figure:
    """The view's map with only its shown layers; its labels placed for `frame` (a
    dashboard.figures.base.Frame) when given."""
    try:
        from dashboard.figures import build_figure
    except ImportError as error:
        raise ExportError(f"the figure builders are not available: {error}") from None
    from geodata.select import select

    layers = select(atlas, scenario.model_copy(update={"layers": LAYERS}))
    figure = build_figure(layers, atlas, visible_layers=scenario.layers, frame=frame)
    # A slide shows what is drawn: drop hidden layers (and their legend entries) altogether.
    figure.data = tuple(t for t in figure.data if t.visible not in (False, "legendonly"))
    return figure


TITLE_PX, SUBTITLE_PX, FOOTER_PX = 42, 25, 17
TITLE_LINE, SUBTITLE_LINE, FOOTER_LINE = 52, 32, 23
MARGIN_X, MARGIN_TOP, LEGEND_GAP = 48, 26, 24
LEGEND_FONTS = (18, 17, 16, 15, 14, 13)  # largest first; all ≥ 12 px at 1920×1080
LEGEND_SYMBOL = 40


@dataclass(frozen=True)
class _Legend:
    """Where the legend goes and how large: 'right' (a column) or 'bottom' (groups side by side)."""

    side: str
    font: int
    width: float
    height: float


def _caption(
    figure: go.Figure, scenario: Scenario, atlas: Atlas, ref_width: float
) -> tuple[float, float, float, float]:
    """Title, subtitle, legend and footer around the map, in px of the REF_HEIGHT layout;
    returns the margins (left, top, right, bottom) around the map's plot area.

    The legend goes to the right of the map or below it, whichever leaves the larger map; the
    map's box is sized to its projection's aspect and the spare height is shared above and below.
    """
    lang = scenario.lang
    family = font_family(lang)
    _prune_basis_key(figure, scenario, atlas)
    text_w = ref_width - 2 * MARGIN_X
    title_lines = _wrap(scenario.title(), text_w, TITLE_PX)
    subtitle_lines = _wrap(scenario.description(), text_w, SUBTITLE_PX)
    footer_lines = [
        line
        for index, parts in enumerate(_footer(scenario, atlas))
        for line in _wrap_parts(
            parts, text_w, FOOTER_PX, "  |  " if index == 0 else ("" if lang == "ja" else " ")
        )
    ]
    title_h = TITLE_LINE * len(title_lines)
    subtitle_top = MARGIN_TOP + title_h + 6
    header = subtitle_top + SUBTITLE_LINE * len(subtitle_lines) + 24
    footer = 18 + FOOTER_LINE * len(footer_lines) + 14
    middle = REF_HEIGHT - header - footer
    aspect = map_aspect(figure)
    legend = _place_legend(figure, ref_width, middle, aspect)
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
            "maxheight": REF_HEIGHT - top - footer,
            "title": {
                "text": f"<b>{TEXT['legend'][lang]}</b>",
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
    bottom = REF_HEIGHT - top - map_h
    figure.update_layout(
        width=None,
        height=None,
        autosize=True,
        paper_bgcolor="white",
        plot_bgcolor="white",
        font={"family": family, "size": 18, "color": INK},
        margin={"l": margin_l, "r": margin_r, "t": top, "b": bottom, "pad": 0, "autoexpand": False},
        title={
            "text": "<b>" + "<br>".join(_plotly_text(x) for x in title_lines) + "</b>",
            "font": {"family": family, "size": TITLE_PX, "color": INK},
            "x": MARGIN_X / ref_width,
            "xanchor": "left",
            "xref": "container",
            "y": 1 - MARGIN_TOP / REF_HEIGHT,
            "yanchor": "top",
            "yref": "container",
            "automargin": False,
        },
        showlegend=True,
        legend={
            **legend_box,
            "font": {"family": family, "size": legend.font, "color": INK},
            "grouptitlefont": {"family": family, "size": legend.font, "color": MUTED},
            "bgcolor": "rgba(255,255,255,0)",
            "borderwidth": 0,
            "itemsizing": "constant",
            "itemwidth": LEGEND_SYMBOL,
            "tracegroupgap": max(4, legend.font // 3),
            "traceorder": "grouped",
        },
        dragmode=False,
        hovermode=False,
    )
    figure.layout.annotations = [
        *[a for a in figure.layout.annotations if not _is_export_annotation(a)],
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
    if not _legend_entries(figure):
        figure.add_annotation(
            text=TEXT["empty"][lang],
            xref="paper",
            yref="paper",
            x=0.5,
            y=0.5,
            showarrow=False,
            font={"family": family, "size": 28, "color": MUTED},
            name="export-empty",
        )
    _enforce_min_text(figure)
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


def _legend_entries(figure: go.Figure) -> list[Any]:
    return [t for t in figure.data if t.showlegend is not False and t.name]


def _legend_groups(figure: go.Figure) -> list[tuple[str, list[str]]]:
    """(group title, entry lines) in legend order."""
    groups: dict[str, tuple[str, list[str]]] = {}
    entries = sorted(
        enumerate(_legend_entries(figure)), key=lambda it: (it[1].legendrank or 1000, it[0])
    )
    for _, trace in entries:
        key = str(trace.legendgroup or "")
        title = str(trace.legendgrouptitle.text or "") if trace.legendgrouptitle else ""
        groups.setdefault(key, (title, []))[1].extend(str(trace.name).split("<br>"))
    return list(groups.values())


def _place_legend(figure: go.Figure, ref_width: float, middle: float, aspect: float) -> _Legend:
    """The legend placement that leaves the largest map (estimated from text widths).

    Right: one column, at the largest font that fits the height. Bottom: the groups side by
    side, wrapped into rows as plotly does, at the font that leaves the largest map.
    """
    groups = _legend_groups(figure)
    if not groups:
        return _Legend("right", LEGEND_FONTS[0], 0.0, 0.0)
    area_w = ref_width - 2 * MARGIN_X
    options: list[tuple[float, int, _Legend]] = []
    for font in LEGEND_FONTS:
        lines = sum(len(entries) for _, entries in groups)
        height = 1.5 * font * lines + len(groups) * (1.6 * font + font // 3) + 2.2 * font
        if height <= middle or font == LEGEND_FONTS[-1]:
            texts = [line for title, entries in groups for line in [title, *entries]]
            longest = max(_text_width(x, font) for x in texts)
            width = min(longest + LEGEND_SYMBOL + 16, ref_width * 0.38)
            map_w = area_w - width - LEGEND_GAP
            options.append(
                (min(map_w, middle * aspect), font, _Legend("right", font, width, height))
            )
            break
    for font in LEGEND_FONTS[1:]:
        rows: list[list[tuple[float, float]]] = [[]]
        for title, entries in groups:
            width = max(_text_width(x, font) for x in [title, *entries]) + LEGEND_SYMBOL + 30
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


_ROBINSON_X = (1.0, 0.9986, 0.9954, 0.99, 0.9822, 0.973, 0.96, 0.9427, 0.9216, 0.8962, 0.8679)
_ROBINSON_X += (0.835, 0.7986, 0.7597, 0.7186, 0.6732, 0.6213, 0.5722, 0.5322)
_ROBINSON_Y = (0.0, 0.062, 0.124, 0.186, 0.248, 0.31, 0.372, 0.434, 0.4958, 0.5571, 0.6176)
_ROBINSON_Y += (0.6769, 0.7346, 0.7903, 0.8435, 0.8936, 0.9394, 0.9761, 1.0)


def _robinson_table(table: tuple[float, ...], lat: float) -> float:
    position = min(abs(lat), 90.0) / 5.0
    low = min(int(position), 17)
    return table[low] + (table[low + 1] - table[low]) * (position - low)


def map_aspect(figure: go.Figure) -> float:
    """Width / height of the map's frame: plotly fits the lon/lat range box of the projection
    into the plot area, so this is the box's aspect (1 for the clipped, round projections)."""
    geo = figure.layout.geo
    kind = geo.projection.type or "natural earth"
    if kind != "robinson":
        return 1.0 if kind in ("orthographic", "azimuthal equal area", "stereographic") else 2.0
    low, high = geo.lataxis.range or (-90.0, 90.0)
    span = (geo.lonaxis.range[1] - geo.lonaxis.range[0]) if geo.lonaxis.range else 360.0
    lats = [low + (high - low) * i / 36 for i in range(37)]
    # x at the widest latitude of the range; y from the range's ends (Robinson's table, 5° steps)
    widest = max(_robinson_table(_ROBINSON_X, lat) for lat in lats)
    width = 0.8487 * widest * math.radians(min(span, 360.0))
    height = 1.3523 * abs(
        math.copysign(_robinson_table(_ROBINSON_Y, high), high)
        - math.copysign(_robinson_table(_ROBINSON_Y, low), low)
    )
    return width / height if height else 2.0


def _prune_basis_key(figure: go.Figure, scenario: Scenario, atlas: Atlas) -> None:
    """Drop the legend's basis/status key entries for styles that no shown item uses.

    The figure builders key the basis legend to every layer passed in (the export passes all, so
    that traces match the dashboard's); a slide's legend explains only what it draws.
    """
    drawn = _drawn_layers(scenario, atlas)
    shown = drawn_bases(scenario, atlas)
    proposed = bool(len(drawn.relations) and (drawn.relations.status == "proposed").any()) or bool(
        len(drawn.groupings) and (drawn.groupings.status == "proposed").any()
    )
    keep = []
    for trace in figure.data:
        meta = trace.meta if isinstance(trace.meta, dict) else {}
        if meta.get("kind") == "key":
            style = str(trace.uid or "").rsplit("-", 1)[-1]
            if (style == "proposed" and not proposed) or (
                style in ("stated", "inferred", "external") and style not in shown
            ):
                continue
        keep.append(trace)
    figure.data = tuple(keep)


def _enforce_min_text(figure: go.Figure) -> None:
    """Raise every text size the figure builders set below MIN_TEXT_PX (legible when projected)."""
    for trace in figure.data:
        font = getattr(trace, "textfont", None)
        if font is not None and font.size is not None:
            sizes = font.size if isinstance(font.size, tuple | list) else [font.size]
            bumped = [max(s, MIN_TEXT_PX) for s in sizes]
            font.size = bumped if isinstance(font.size, tuple | list) else bumped[0]
    for annotation in figure.layout.annotations:
        if annotation.font.size is not None and annotation.font.size < MIN_TEXT_PX:
            annotation.font.size = MIN_TEXT_PX


def _text_width(text: str, size: float) -> float:
    """Rough rendered width in px: full-width (CJK) characters 1 em, others 0.52 em (measured
    with Noto Sans CJK JP: ~0.46 em regular, ~0.51 em bold)."""
    return sum(size * (1.0 if ord(c) > 0x2E7F else 0.52) for c in text)


def _wrap(text: str, width: float, size: float) -> list[str]:
    """Greedy line wrap to `width` px: at spaces for Latin text, anywhere for Japanese."""
    if not text:
        return []
    lines: list[str] = []
    current = ""
    tokens = _tokens(text)
    for token in tokens:
        if current and _text_width(current + token, size) > width:
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


def as_of(scenario: Scenario) -> date:
    """The date the view shows the situation at: its end date, at most the article's date."""
    article_date = date.fromisoformat(ARTICLE_DATE)
    return min(scenario.date_to, article_date) if scenario.date_to else article_date


def _format_date(day: date, lang: str) -> str:
    return TEXT["as_of"][lang].format(
        year=day.year, month=day.month, day=day.day, month_name=MONTHS[day.month - 1]
    )


def drawn_bases(scenario: Scenario, atlas: Atlas) -> set[str]:
    """The bases of the items the view draws (its own layers only)."""
    drawn = _drawn_layers(scenario, atlas)
    bases: set[str] = set()
    for frame in (drawn.groupings, drawn.memberships, drawn.relations, drawn.threats):
        bases |= set(frame["basis"]) if len(frame) else set()
    for frame in (drawn.regions, drawn.events, drawn.domains):
        bases |= set(frame["basis"]) if len(frame) else set()
    if len(drawn.events) and "place_basis" in drawn.events:
        bases |= set(drawn.events["place_basis"])
    return bases


def _drawn_layers(scenario: Scenario, atlas: Atlas) -> Layers:
    from geodata.select import select

    return select(atlas, scenario)


def _footer(scenario: Scenario, atlas: Atlas) -> list[list[str]]:
    """The footer's paragraphs, each a list of parts kept whole on a line where they fit."""
    lang = scenario.lang
    first = [TEXT["source"][lang], TEXT["basemap"][lang], _format_date(as_of(scenario), lang)]
    notes: list[str] = []
    if scenario.id == "concept_diagram":
        notes.append(TEXT["conceptual"][lang])
    bases = drawn_bases(scenario, atlas)
    if "inferred" in bases:
        notes.append(TEXT["inferred"][lang])
    if "external" in bases:
        notes.append(TEXT["external"][lang])
    return [first, notes]


def _wrap_parts(parts: list[str], width: float, size: float, separator: str) -> list[str]:
    """Lines of whole parts joined by `separator`; a part too long for a line is wrapped."""
    lines: list[str] = []
    for part in parts:
        if lines and _text_width(lines[-1] + separator + part, size) <= width:
            lines[-1] += separator + part
        else:
            lines += _wrap(part, width, size)
    return lines


# --- citations (speaker notes, contact sheet) -------------------------------------------------


@dataclass(frozen=True)
class CitedItem:
    """One item the view draws and one of its citations."""

    kind: str
    id: str
    label: str
    basis: str
    paragraph: int | None
    footnotes: tuple[int, ...]
    quote_ja: str
    gloss_en: str


def view_citations(scenario: Scenario, atlas: Atlas) -> list[CitedItem]:
    """Every citation of every item the view draws (its layers' `citations` columns)."""
    drawn = _drawn_layers(scenario, atlas)
    lang = scenario.lang
    names = dict(zip(atlas.countries.iso3, atlas.countries[f"name_{lang}"], strict=True))
    grouping_names = dict(zip(atlas.groupings.id, atlas.groupings[f"name_{lang}"], strict=True))
    topic_names = dict(zip(atlas.topics.id, atlas.topics[f"name_{lang}"], strict=True))
    items: list[CitedItem] = []

    def add(kind: str, ref: str, label: str, basis: str, citations: Any) -> None:
        for c in citations if isinstance(citations, list | tuple) else []:
            items.append(
                CitedItem(
                    kind=kind,
                    id=ref,
                    label=label,
                    basis=basis,
                    paragraph=c.get("paragraph"),
                    footnotes=tuple(c.get("footnotes") or ()),
                    quote_ja=c.get("quote_ja", ""),
                    gloss_en=c.get("gloss_en", ""),
                )
            )

    def name_of(ref: str) -> str:
        return str(
            names.get(ref)
            or grouping_names.get(ref)
            or topic_names.get(ref)
            or _region_name(atlas, ref, lang)
        )

    for row in drawn.groupings.itertuples():
        add("grouping", row.id, getattr(row, f"name_{lang}"), row.basis, row.citations)
    for row in drawn.memberships.itertuples():
        label = f"{grouping_names.get(row.grouping, row.grouping)}: {names.get(row.iso3, row.iso3)}"
        add("membership", f"{row.grouping}:{row.iso3}", label, row.basis, row.citations)
    for row in drawn.relations.itertuples():
        arrow = " → " if row.directed else " – "
        label = f"{name_of(row.source)}{arrow}{name_of(row.target)}"
        text = getattr(row, f"label_{lang}") or ""
        label = f"{label} ({text})" if text else label
        add("relation", row.id, label, row.basis, row.citations)
    for row in drawn.threats.itertuples():
        add("threat", row.id, getattr(row, f"name_{lang}"), row.basis, row.citations)
    for row in drawn.regions.itertuples():
        add("region", row.id, getattr(row, f"name_{lang}"), row.basis, row.citations)
    for row in drawn.events.itertuples():
        label = f"{row.date} {getattr(row, f'name_{lang}')}"
        add("event", row.id, label, row.basis, row.citations)
    for row in drawn.domains.itertuples():
        label = f"{getattr(row, f'name_{lang}')}: {name_of(row.actor)}"
        ref = f"{row.domain}:{row.actor}"
        add("domain", ref, label, row.basis, row.citations)
        add("domain", row.domain, getattr(row, f"name_{lang}"), row.basis, row.domain_citations)
    return items


def _region_name(atlas: Atlas, ref: str, lang: str) -> str:
    match = atlas.regions.loc[atlas.regions.id == ref, f"name_{lang}"]
    return str(match.iloc[0]) if len(match) else ref


def speaker_notes(scenario: Scenario, atlas: Atlas) -> str:
    """The slide's notes: the view, then each distinct citation with the items drawn from it."""
    lang = scenario.lang
    groups: dict[tuple[Any, ...], list[CitedItem]] = {}
    for item in view_citations(scenario, atlas):
        key = (item.paragraph, item.footnotes, item.quote_ja)
        groups.setdefault(key, []).append(item)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0][0] or 99, kv[0][1], kv[0][2]))
    lines = [
        scenario.title(),
        scenario.description(),
        f"View: ?{scenario.to_query()}",
        TEXT["source"]["en"] + ". " + _format_date(as_of(scenario), "en") + ".",
        "",
        f"Citations ({len(ordered)}) for every item drawn:",
    ]
    footnotes_used: set[int] = set()
    for (paragraph, footnotes, quote), cited in ordered:
        where = ", ".join(
            [f"P{paragraph}"] * (paragraph is not None) + [f"fn {n}" for n in footnotes]
        )
        footnotes_used |= set(footnotes)
        labels = list(dict.fromkeys(f"{i.label} [{i.basis}]" for i in cited))
        shown = labels[:8] + ([f"… +{len(labels) - 8} more"] if len(labels) > 8 else [])
        lines.append(f"• {where}: 「{quote}」")
        if cited[0].gloss_en:
            lines.append(f"  {cited[0].gloss_en}")
        lines.append("  Drawn: " + "; ".join(shown))
    if footnotes_used:
        lines += ["", "Footnotes:"]
        lines += [f"  {n}. {atlas.article.footnotes.get(n, '')}" for n in sorted(footnotes_used)]
    del lang
    return "\n".join(lines)


# --- rendering --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One image to render: a figure (or its dict) and its format and size."""

    figure: go.Figure | dict[str, Any]
    fmt: str = "png"
    width: int = 1920
    height: int = 1080
    scale: float = 1.0


RELOAD_EVERY = 25  # renders per tab between page reloads


def _kaleido_class() -> type:
    """kaleido.Kaleido, reloading a tab's page only every RELOAD_EVERY renders, not after each.

    A reload makes plotly.js parse its 1.1 MB base-map topojson again; skipping it halves the
    time per 1920×1080 image and gives byte-identical PNGs (checked against reloading).
    """
    import kaleido

    class BatchKaleido(kaleido.Kaleido):  # type: ignore[misc]
        _renders = 0

        async def _return_kaleido_tab(self, tab: Any) -> None:
            self._renders += 1
            if self._renders % (RELOAD_EVERY * self._n) == 0:
                await super()._return_kaleido_tab(tab)
            else:
                await self.tabs_ready.put(tab)

    return BatchKaleido


class RenderSession:
    """One headless Chromium (kaleido) kept open for many images; thread-safe, reusable.

    Use as a context manager, or call `start()` / `close()`. Starting the browser costs ~2 s and
    an image ~1 s, so batch exports share one session. `start(wait=False)` starts the browser in
    the background (while the caller builds figures), and `submit()` renders while the caller
    builds the next figure.
    """

    def __init__(self, *, tabs: int = 1) -> None:
        self.tabs = tabs
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._opening: concurrent.futures.Future[Any] | None = None
        self._kaleido: Any = None
        self._renderer: tuple[str, ...] = ()
        self._lock = threading.RLock()

    def __enter__(self) -> RenderSession:
        self.start(wait=False)
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def running(self) -> bool:
        """Whether the browser is started (or starting)."""
        return self._opening is not None

    @property
    def renderer(self) -> tuple[str, ...]:
        """What besides the figure decides this session's images (see `renderer_identity`):
        the running browser's, else the one `start()` would open now."""
        with self._lock:
            return self._renderer if self.running else renderer_identity()

    def start(self, *, wait: bool = True) -> None:
        """Start the browser (idempotent); with wait=False, return while it starts."""
        with self._lock:
            if self._opening is None:
                self._renderer = renderer_identity()
                browser, self._topojson = self._renderer[:2]
                configure_plotly()
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=_run_in_background, args=(loop,), name="kaleido", daemon=True
                )
                thread.start()
                self._loop, self._thread, self._browser = loop, thread, browser
                self._opening = asyncio.run_coroutine_threadsafe(self._open(browser), loop)
            if wait and self._kaleido is None:
                try:
                    self._kaleido = self._opening.result(timeout=120)
                except BaseException as error:
                    self._opening = None
                    self._stop_loop()
                    raise ExportError(
                        f"could not start Chromium ({self._browser}): {error or type(error).__name__}"
                    ) from None

    async def _open(self, browser: str) -> Any:
        k = _kaleido_class()(
            n=self.tabs,
            timeout=RENDER_TIMEOUT_S,
            plotlyjs=str(PLOTLY_JS),
            mathjax=False,
            path=browser,
        )
        await k.open()
        _background_priority(os.getpid())
        return k

    def close(self) -> None:
        """Close the browser (idempotent)."""
        with self._lock:
            if self._opening is not None and self._kaleido is None:
                with contextlib.suppress(BaseException):
                    self._kaleido = self._opening.result(timeout=120)
            if self._kaleido is not None:
                with contextlib.suppress(BaseException):
                    self._call(self._kaleido.close(), timeout=30)
            self._kaleido = self._opening = None
            self._stop_loop()

    def _stop_loop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            if self._thread is not None:
                self._thread.join(timeout=10)
            self._loop.close()
        self._loop = self._thread = None

    def _call(self, coroutine: Any, timeout: float) -> Any:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def submit(self, job: Job) -> concurrent.futures.Future[bytes]:
        """Start rendering one job; `result()` of the returned future gives its bytes."""
        check_output(job.fmt, job.width, job.height, job.scale)
        ref_w, ref_h, kscale = layout_size(job.width, job.height, job.scale)
        figure = job.figure.to_dict() if hasattr(job.figure, "to_dict") else job.figure
        figure = level_of_detail(figure, job.width * job.scale)
        opts = {"format": job.fmt, "width": ref_w, "height": ref_h, "scale": kscale}
        with self._lock:
            self.start()
            assert self._loop is not None
            return asyncio.run_coroutine_threadsafe(
                self._kaleido.calc_fig(figure, opts=opts, topojson=self._topojson), self._loop
            )

    def result(self, future: concurrent.futures.Future[bytes]) -> bytes:
        """The bytes of a submitted job; on failure the session closes (a later call restarts)."""
        try:
            image = future.result(timeout=RENDER_TIMEOUT_S * 4)
        except Exception as error:
            self.close()
            reason = str(error) or type(error).__name__
            raise ExportError(f"rendering failed: {reason}".splitlines()[0]) from None
        self._release_last_message()
        return image

    def _release_last_message(self) -> None:
        """Make the browser send one more (tiny) message. choreographer's pipe-reading thread
        keeps the last messages it read alive until the next one arrives: after an export that
        is the image itself, as JSON and base64 (~26 MB for a 1920×1080 SVG)."""
        with contextlib.suppress(Exception):
            self._call(self._kaleido.send_command("Browser.getVersion"), timeout=5)

    def render(self, jobs: Sequence[Job]) -> list[bytes]:
        """Render the jobs (concurrently over the session's tabs); bytes in the same order."""
        futures = [self.submit(job) for job in jobs]
        return [self.result(future) for future in futures]


def _run_in_background(loop: asyncio.AbstractEventLoop) -> None:
    """Run the session's event loop (and the threads it starts) at background priority: on
    Linux niceness is per thread and inherited by the threads and processes a thread starts."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux, or not allowed
        os.setpriority(os.PRIO_PROCESS, 0, RENDER_NICENESS)
    loop.run_forever()


def _background_priority(root: int) -> None:
    """Every thread of every process below `root` at background priority: the export browser
    sets its own processes' priorities (its main process above normal when it may), so exports
    would otherwise compete with the dashboard's interactive requests for the CPU."""
    if not Path("/proc/self/task").is_dir():  # not Linux
        return
    from dashboard.production import descendant_pids

    for pid in descendant_pids(root):
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{pid}/task").iterdir():
                with contextlib.suppress(OSError, ValueError):
                    os.setpriority(os.PRIO_PROCESS, int(task.name), RENDER_NICENESS)


def renderer_identity() -> tuple[str, ...]:
    """What decides an image's bytes besides its figure, format and size: the browser, the
    base-map folder and the fonts the browser sees (fontconfig's environment)."""
    return (
        find_browser(),
        topojson_url(),
        os.environ.get("FONTCONFIG_FILE", ""),
        os.environ.get("FONTCONFIG_PATH", ""),
    )


def level_of_detail(figure: dict[str, Any], pixel_width: float) -> dict[str, Any]:
    """Below SMALL_IMAGE_PX wide, draw the base map from the 1:110m topojson instead of 1:50m:
    the same picture to the eye at that size, rendered ~4× faster (thumbnails, tests)."""
    layout = figure.get("layout") or {}
    geo = layout.get("geo")
    if pixel_width >= SMALL_IMAGE_PX or not isinstance(geo, dict) or geo.get("resolution") == 110:
        return figure
    return {**figure, "layout": {**layout, "geo": {**geo, "resolution": 110}}}


_shared: RenderSession | None = None
_shared_lock = threading.Lock()


def shared_session() -> RenderSession:
    """The process-wide session `render()` uses (started on first use, closed at exit)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            import atexit

            _shared = RenderSession()
            atexit.register(close_shared_session)
        return _shared


def close_shared_session() -> None:
    """Close the process-wide session (a later `render()` starts a new one)."""
    global _shared
    with _shared_lock:
        if _shared is not None:
            _shared.close()
            _shared = None


@contextlib.contextmanager
def batch_session(*, tabs: int = 1) -> Iterator[RenderSession]:
    """The running process-wide session if there is one (left open), else a new one closed after.

    The new one starts in the background, so the caller can build its figures meanwhile.
    """
    with _shared_lock:
        shared = _shared if _shared is not None and _shared.running else None
    if shared is not None:
        yield shared
        return
    with RenderSession(tabs=tabs) as session:
        yield session


def render(
    scenario: Scenario,
    fmt: str,
    *,
    width: int,
    height: int,
    scale: float,
    atlas: Atlas | None = None,
    session: RenderSession | None = None,
) -> bytes:
    """The captioned view as PNG, SVG or PDF bytes (width×height×scale pixels for PNG).

    A view rendered before in this process (same view, atlas, font, format, size and browser)
    comes from the image cache without the browser.
    """
    return render_views(
        [scenario], fmt, width=width, height=height, scale=scale, atlas=atlas, session=session
    )[0]


def render_views(
    scenarios: Sequence[Scenario],
    fmt: str,
    *,
    width: int,
    height: int,
    scale: float,
    atlas: Atlas | None = None,
    session: RenderSession | None = None,
) -> list[bytes]:
    """Several views in one browser session (the batch path of `export --all` and decks).

    Views rendered before come from the image cache. Each other figure is handed to the browser
    as soon as it is built, so building the next one overlaps with rendering this one; the
    browser starts (while the first figure is built) only when an image is not cached.
    """
    check_output(fmt, width, height, scale)
    atlas = _atlas_or_default(atlas)
    session = session or shared_session()
    same_for_all = (_atlas_serial(atlas), fmt, width, height, scale, session.renderer)
    pending: list[tuple[tuple[Any, ...], bytes | concurrent.futures.Future[bytes]]] = []
    for scenario in scenarios:
        key = (scenario, font_family(scenario.lang), *same_for_all)
        image = _image_cache.get(key)
        if image is None:
            session.start(wait=False)
            figure = json.loads(_captioned_json(scenario, atlas, width, height))
            image = session.submit(Job(figure, fmt, width, height, scale))
        pending.append((key, image))
    images = []
    for key, image in pending:
        if isinstance(image, bytes):
            images.append(_dated_now(image, fmt, datetime.now(UTC)))
        else:
            images.append(session.result(image))
            if _cacheable(images[-1], fmt):
                _image_cache.put(key, images[-1])
    return images


_PDF_DATE = re.compile(rb"(/(?:Creation|Mod)Date ?\()D:\d{14}\+00'00'(\))")
_PDF_DATE_NAME = re.compile(rb"/(?:Creation|Mod)Date\b")


def _dated_now(image: bytes, fmt: str, now: datetime) -> bytes:
    """A cached image as a new render at `now` gives it: Chromium stamps a PDF's creation and
    modification dates with the time of rendering (all else is the same), so those are set to
    `now` (UTC, in the same number of bytes, so the PDF's byte offsets stay right)."""
    if fmt != "pdf":
        return image
    stamp = now.astimezone(UTC).strftime("D:%Y%m%d%H%M%S+00'00'").encode()
    return _PDF_DATE.sub(lambda match: match[1] + stamp + match[2], image)


def _cacheable(image: bytes, fmt: str) -> bool:
    """Whether a copy of the image can stand for a later render: a PDF only when `_dated_now`
    can restamp every date in it."""
    return fmt != "pdf" or len(_PDF_DATE.findall(image)) == len(_PDF_DATE_NAME.findall(image))


# --- files ------------------------------------------------------------------------------------


def check_writable(path: Path) -> None:
    """Fail before rendering when `path` cannot be written (its folder must exist): a probe file
    is created in the folder and removed again, which also catches read-only file systems."""
    folder = path.parent
    if path.is_dir():
        raise ExportError(f"cannot write {path}: it is a directory")
    if folder.exists() and not folder.is_dir():
        raise ExportError(f"cannot write {path}: {folder} is not a folder")
    if not folder.is_dir():
        raise ExportError(f"cannot write {path}: folder {folder} does not exist")
    try:
        handle, probe = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".probe")
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        raise ExportError(f"cannot write {path}: {error.strerror or error}") from None


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder and rename: never a partial file."""
    check_writable(path)
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, _file_mode(path))
        os.replace(temporary, path)
    except OSError as error:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        raise ExportError(f"cannot write {path}: {error.strerror or error}") from None


def _file_mode(path: Path) -> int:
    """The mode a plain write would give: the old file's, else 0o666 less the umask."""
    with contextlib.suppress(OSError):
        return path.stat().st_mode & 0o777
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


# --- PowerPoint --------------------------------------------------------------------------------


def build_deck(
    scenarios: Sequence[Scenario],
    images: Sequence[bytes],
    atlas: Atlas,
    *,
    width: int = 1920,
    height: int = 1080,
) -> bytes:
    """A .pptx: one slide per view, its PNG full-bleed, its title, its citations in the notes.

    The picture carries the visible title; the slide's title placeholder holds the same text
    just above the slide edge, so outlines, navigation and screen readers have it.
    """
    from pptx import Presentation
    from pptx.util import Emu

    deck = Presentation()
    slide_height = 6858000  # 7.5 in
    slide_width = round(slide_height * width / height)
    deck.slide_width, deck.slide_height = Emu(slide_width), Emu(slide_height)
    layout = deck.slide_layouts[5]  # "Title Only"
    for scenario, image in zip(scenarios, images, strict=True):
        slide = deck.slides.add_slide(layout)
        picture = slide.shapes.add_picture(
            io.BytesIO(image), 0, 0, width=Emu(slide_width), height=Emu(slide_height)
        )
        picture.name = f"Map: {scenario.id or 'view'}"
        picture._element.nvPicPr.cNvPr.set("descr", f"{scenario.title()}. {scenario.description()}")
        title = slide.shapes.title
        title.text = scenario.title()
        title.left, title.width = Emu(0), Emu(slide_width)
        title.height = Emu(600000)
        title.top = Emu(-600000)
        slide.notes_slide.notes_text_frame.text = speaker_notes(scenario, atlas)
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


# --- contact sheet ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetEntry:
    """One exported view on the contact sheet."""

    scenario: Scenario
    file: str
    thumbnail: str | None


def contact_sheet(entries: Sequence[SheetEntry], *, fmt: str, size: tuple[int, int]) -> str:
    """index.html: a thumbnail, the title, description and state query of every exported view."""
    cards = []
    for entry in entries:
        s = entry.scenario
        query = "?" + s.to_query()
        thumb = (
            f'<a href="{html.escape(entry.file)}"><img src="{html.escape(entry.thumbnail)}" '
            f'alt="{html.escape(s.title())}" loading="lazy"></a>'
            if entry.thumbnail
            else ""
        )
        cards.append(
            f"""<figure lang="{s.lang}">{thumb}
<figcaption><a href="{html.escape(entry.file)}"><b>{html.escape(s.title())}</b></a>
<p>{html.escape(s.description())}</p>
<p class="meta">{html.escape(s.id or "custom")} · {s.lang} · {html.escape(entry.file)}</p>
<code>{html.escape(query)}</code>
<code>alliance-atlas export --state "{html.escape(query)}" --out {html.escape(entry.file)}</code>
</figcaption></figure>"""
        )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Alliance Atlas — exported views</title>
<style>
body {{ font-family: "Noto Sans CJK JP", sans-serif; margin: 24px; color: #1a1a1a; }}
main {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 24px; }}
figure {{ margin: 0; border: 1px solid #ddd; padding: 12px; }}
img {{ width: 100%; height: auto; border: 1px solid #eee; }}
code {{ display: block; font-size: 12px; word-break: break-all; margin-top: 6px; color: #333; }}
.meta {{ color: #666; font-size: 13px; }}
</style></head><body>
<h1>Alliance Atlas — exported views</h1>
<p>{len(entries)} views, {fmt.upper()} at {size[0]}×{size[1]}. {html.escape(TEXT["source"]["en"])}.
Made with Natural Earth. Open a view in the dashboard by appending its query to the dashboard URL.</p>
<main>
{chr(10).join(cards)}
</main></body></html>
"""
