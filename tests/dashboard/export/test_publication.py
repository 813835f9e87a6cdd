"""Briefing maps as published: every preset exported at 1920×1080 in both languages, and each
file opened with the tool a user opens it with.

- the SVG in Chromium: every text's box as the browser lays it out; no two overlap, and each map
  label lies next to the item it names (or is joined to it by its leader line);
- world views: the Europe inset, and Brussels–Moscow at least 200 px (probe markers rendered by
  the export's own browser);
- the PDF with poppler: its text extracts as drawn (the title, 日本, NATO and, in Japanese,
  北大西洋 where NATO is drawn; no radicals, no Type 3 fonts), its metadata names the view;
- the SVG's size and its one font stack;
- the deck in python-pptx and LibreOffice: titles inside their slides, core properties, order.

The per-preset numbers (the same measurements as the tests), with the files kept in DIR:

    PYTHONPATH=.:tests .venv/bin/python tests/dashboard/export/test_publication.py DIR
"""

from __future__ import annotations

import copy
import itertools
import json
import math
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import shapely
from browser import browser_available, chromium_page
from drawing import drawn

from dashboard.export import images
from dashboard.export import session as export_session
from dashboard.export.caption import atlas_or_default, captioned_json
from dashboard.export.session import Job
from dashboard.figures.inset import BRUSSELS, MOSCOW
from dashboard.figures.style import BADGE_SIZE, FONT_FAMILY
from geodata.scenario import Scenario

SIZE = (1920, 1080)
LANGS = ("ja", "en")
SVG_LIMIT = 2 * 2**20
OVERLAP_PX2 = 1.0  # boxes sharing more than this (px²) overlap
NEAR_TEXT = 6.0  # px: at most this farther from its anchor than its gap, a label is next to it
ON_ITEM_DEGREES = 1.0  # an anchor this near an item's drawn geometry is on it
LEGIBLE_EUROPE = 200.0  # px Brussels–Moscow on a 1920×1080 slide
PROBE_COLOUR = "rgb(1, 2, 3)"
# CJK compatibility forms a broken ToUnicode map gives instead of the characters drawn
RADICALS = re.compile("[\u2e80-\u2fdf\ufb00-\ufb06\u2027]")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not browser_available(), reason="needs chromium and chromedriver"),
]

# Each text of the SVG with a visible glyph: its page box, font size and lines, the map it is on
# (null off the maps), the trace and point it belongs to on that map, its anchor (the point
# plotly placed it at) and whether the map's clip shows that anchor.
MEASURE_JS = r"""
const svg = document.documentElement;
const page = (node, x, y) => {
  const p = svg.createSVGPoint(); p.x = x; p.y = y;
  return p.matrixTransform(node.getScreenCTM());
};
return [...document.querySelectorAll('text')].filter(t => t.textContent.trim()).map(t => {
  const r = t.getBoundingClientRect();
  const lines = [...t.querySelectorAll('tspan.line')].map(l => l.textContent);
  const out = {text: t.textContent, size: parseFloat(getComputedStyle(t).fontSize),
               lines_text: lines.length ? lines : [t.textContent],
               lines: Math.max(1, t.querySelectorAll('tspan.line').length),
               box: [r.left, r.top, r.right, r.bottom], geo: null};
  const geo = t.closest('g.geo');
  const trace = t.closest('g.trace.scattergeo');
  if (!geo || !trace) return out;
  out.geo = [...geo.classList].find(c => c !== 'geo') || 'geo';
  out.trace = [...geo.querySelectorAll('g.trace.scattergeo')].indexOf(trace);
  out.point = [...trace.children].filter(c => c.tagName === 'g').indexOf(t.parentNode);
  const m = /translate\(([-\d.e]+),\s*([-\d.e]+)\)/.exec(t.getAttribute('transform') || '');
  const anchor = page(trace, m ? +m[1] : 0, m ? +m[2] : 0);
  out.anchor = [anchor.x, anchor.y];
  const clip = /url\(#([^)]+)\)/.exec(geo.getAttribute('clip-path') || '');
  const rect = clip && document.getElementById(clip[1]).querySelector('rect');
  if (rect) {
    const a = page(rect, rect.x.baseVal.value, rect.y.baseVal.value);
    const b = page(rect, rect.x.baseVal.value + rect.width.baseVal.value,
                   rect.y.baseVal.value + rect.height.baseVal.value);
    out.shown = a.x <= anchor.x && anchor.x <= b.x && a.y <= anchor.y && anchor.y <= b.y;
  } else { out.shown = true; }
  return out;
});
"""


@dataclass
class Export:
    """One view's files and what was measured in them."""

    view: Scenario
    figure: dict
    svg: Path
    pdf: Path
    texts: list[dict]


def export_all(presets, out: Path) -> list[Export]:
    """Every preset in both languages as SVG and PDF at 1920×1080, the SVGs measured in
    Chromium."""
    views = [p.model_copy(update={"lang": lang}) for lang in LANGS for p in presets.values()]
    svgs = images.render_views(views, "svg", width=SIZE[0], height=SIZE[1], scale=1.0)
    pdfs = images.render_views(views, "pdf", width=SIZE[0], height=SIZE[1], scale=1.0)
    exports = []
    with chromium_page(*SIZE) as driver:
        for view, svg, pdf in zip(views, svgs, pdfs, strict=True):
            svg_path = out / f"{view.id}.{view.lang}.svg"
            pdf_path = out / f"{view.id}.{view.lang}.pdf"
            svg_path.write_bytes(svg)
            pdf_path.write_bytes(pdf)
            driver.get(svg_path.resolve().as_uri())
            texts = [t for t in driver.execute_script(MEASURE_JS) if t["geo"] is None or t["shown"]]
            figure = json.loads(captioned_json(view, atlas_or_default(None), *SIZE, True))
            exports.append(Export(view, figure, svg_path, pdf_path, texts))
    return exports


@pytest.fixture(scope="module")
def exports(session, presets, tmp_path_factory) -> list[Export]:
    return export_all(presets, tmp_path_factory.mktemp("publication"))


# --- labels --------------------------------------------------------------------------------------


def em_box(text: dict) -> tuple[float, float, float, float]:
    """The text's box less the font's extra line height (a CJK font's line box is taller than
    its glyphs: rows of a legend would otherwise "overlap")."""
    x0, y0, x1, y1 = text["box"]
    extra = max(0.0, (y1 - y0) - text["size"] * (1 + 1.3 * (text["lines"] - 1))) / 2
    return x0, y0 + extra, x1, y1 - extra


def overlap(a, b) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return max(width, 0.0) * max(height, 0.0)


def overlapping(texts: list[dict]) -> list[tuple[str, str, float]]:
    """Pairs of texts whose boxes share more than OVERLAP_PX2."""
    boxes = [(t["text"], em_box(t)) for t in texts]
    return [
        (a, b, round(area, 1))
        for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2)
        if (area := overlap(box_a, box_b)) > OVERLAP_PX2
    ]


def _box_distance(box, point) -> float:
    x0, y0, x1, y1 = box
    dx = max(x0 - point[0], 0.0, point[0] - x1)
    dy = max(y0 - point[1], 0.0, point[1] - y1)
    return math.hypot(dx, dy)


def _plain(text: str) -> str:
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", text).replace("\xa0", " "))


def _geo_traces(figure: dict, geo: str) -> list[dict]:
    """The scattergeo traces plotly draws on one map (the shown ones with points), in its
    order."""
    return [
        t
        for t in figure["data"]
        if t["type"] == "scattergeo"
        and (t.get("geo") or "geo") == geo
        and drawn(t)
        and t.get("lon")
    ]


def _segments(trace: dict) -> list[list[tuple[float, float]]]:
    """A line trace's parts (its points split where lon is None), each with its longitudes
    running on across the antimeridian (179 → 181, not → -179)."""
    parts, part = [], []
    for lon, lat in zip(trace["lon"], trace["lat"], strict=True):
        if lon is None or lat is None:
            parts, part = [*parts, part] if part else parts, []
            continue
        if part:
            lon += 360.0 * round((part[-1][0] - lon) / 360.0)
        part.append((lon, lat))
    return [*parts, part] if part else parts


def item_geometry(figure: dict, geo: str, key: str, atlas) -> shapely.Geometry | None:
    """What the map draws for the item a label key names, from the figure's own item traces
    (markers, lines, the choropleths) and the atlas's country shapes; None when it draws
    nothing for it."""
    kind, _, item = key.partition(":")
    if kind == "events":  # the events drawn at one place ("lon,lat")
        return shapely.Point(*map(float, item.split(",")))
    if kind in ("actor", "badges"):  # a country's name, or its badges ("badges:layer:ISO")
        return atlas.countries.set_index("iso3").geometry[item.rpartition(":")[2]]
    parts: list[shapely.Geometry] = []
    for trace in figure["data"]:
        meta = trace.get("meta") or {}
        if (trace.get("geo") or "geo") != geo or meta.get("kind") in (None, "label", "leader"):
            continue
        ids = meta.get("ids") or []
        if item not in ids:
            continue
        if trace["type"] == "choropleth":
            feature = next(f for f in trace["geojson"]["features"] if f["id"] == item)
            parts.append(shapely.geometry.shape(feature["geometry"]))
        elif "markers" in (trace.get("mode") or "") and len(trace["lon"]) == len(ids):
            index = ids.index(item)
            parts.append(shapely.Point(trace["lon"][index], trace["lat"][index]))
        elif "lines" in (trace.get("mode") or ""):
            segments = _segments(trace)
            mine = [segments[ids.index(item)]] if len(segments) == len(ids) else segments
            filled = trace.get("fill") == "toself"  # a wide arrow: its outline, filled
            parts += [
                shapely.Polygon(s)
                if filled and len(s) > 2
                else shapely.LineString(s)
                if len(s) > 1
                else shapely.Point(s[0])
                for s in mine
            ]
    return shapely.union_all(parts) if parts else None


def far_labels(export: Export, atlas) -> list[str]:
    """The map labels that are not next to their item: a label must lie within NEAR_TEXT px of
    its anchor (in the browser), and the anchor must be on the item it names, or be joined to it
    by the label's leader line."""
    problems = []
    for text in export.texts:
        if text["geo"] is None:
            continue
        trace = _geo_traces(export.figure, text["geo"])[text["trace"]]
        meta = trace.get("meta") or {}
        if meta.get("kind") != "label":
            continue
        index = text["point"]
        key = meta["ids"][index]
        where = f"{export.view.id}.{export.view.lang} {text['geo']} {key!r}"
        assert _plain(trace["text"][index]) == _plain(text["text"]), where
        # plotly keeps a text (marker size / 1.6 + 1) px off its point: the label's gap (e.g.
        # beside a row of event marks)
        sizes = trace["marker"]["size"]
        gap = (sizes[index] if isinstance(sizes, list) else sizes) / 1.6 + 1.0
        distance = _box_distance(em_box(text), text["anchor"])
        if distance > gap + NEAR_TEXT:
            problems.append(f"{where}: {distance:.0f} px from its anchor (gap {gap:.0f} px)")
        anchor = (trace["lon"][index], trace["lat"][index])
        for leader in _geo_traces(export.figure, text["geo"]):
            lmeta = leader.get("meta") or {}
            if lmeta.get("kind") == "leader" and key in lmeta["ids"]:
                start, end = _segments(leader)[lmeta["ids"].index(key)]
                assert math.dist(end, anchor) < 0.05, where  # the leader runs to the label
                anchor = start
        item = item_geometry(export.figure, text["geo"], key, atlas)
        if item is None:
            problems.append(f"{where}: names nothing drawn on its map")
        elif (
            min(item.distance(shapely.Point(anchor[0] + k, anchor[1])) for k in (-360, 0, 360))
            > ON_ITEM_DEGREES  # (longitudes along a line across the antimeridian run on)
        ):
            problems.append(f"{where}: anchor {anchor} is not on its item")
    return problems


def words(export: Export) -> list[dict]:
    """The texts of an export that are words (labels, legend, caption), not the glyph inside a
    certainty badge (a mark, which labels keep off where they can)."""
    return [
        t
        for t in export.texts
        if t["geo"] is None
        or (_geo_traces(export.figure, t["geo"])[t["trace"]].get("meta") or {}).get("kind")
        != "modality"
    ]


def _kind(export: Export, text: dict) -> str | None:
    """What the trace a text of a map belongs to draws (meta kind); None off the maps."""
    if text["geo"] is None:
        return None
    return (_geo_traces(export.figure, text["geo"])[text["trace"]].get("meta") or {}).get("kind")


def covered_badges(export: Export) -> list[tuple[str, str]]:
    """(label, badge glyph) pairs where a map label's text covers a certainty badge's circle
    (the glyph's centre ± the badge's radius, as Chromium lays the SVG out)."""
    radius = BADGE_SIZE / 2
    badges = []
    for text in export.texts:
        if _kind(export, text) == "modality":
            x0, y0, x1, y1 = text["box"]
            x, y = (x0 + x1) / 2, (y0 + y1) / 2
            badges.append((text["text"], (x - radius, y - radius, x + radius, y + radius)))
    return [
        (label["text"], glyph)
        for label in export.texts
        if _kind(export, label) == "label"
        for glyph, badge in badges
        if overlap(em_box(label), badge) > OVERLAP_PX2
    ]


def test_no_label_covers_a_certainty_badge_in_any_export(exports):
    found = {f"{e.view.id}.{e.view.lang}": covered_badges(e) for e in exports}
    assert not any(found.values()), {k: v for k, v in found.items() if v}
    assert sum(1 for e in exports for t in e.texts if _kind(e, t) == "modality") > 10


def test_no_two_texts_overlap_in_any_export(exports):
    """Every text of every SVG (map labels on both maps, legend, caption), as Chromium lays it
    out."""
    found = {f"{e.view.id}.{e.view.lang}": overlapping(words(e)) for e in exports}
    assert not any(found.values()), {k: v for k, v in found.items() if v}


def test_every_label_lies_next_to_what_it_names(exports, atlas):
    labels = 0
    for export in exports:
        labels += sum(1 for t in export.texts if t["geo"])
        assert not far_labels(export, atlas)
    assert labels > 10 * len(exports)  # the test saw the maps' labels


def test_the_label_checks_catch_an_overlap_and_a_stray_label(exports, atlas):
    """The checks above fail for a label moved onto another, for one drawn away from its
    anchor, and for one whose anchor is off the item it names."""
    export = next(e for e in exports if e.view.id == "summit_outcomes")
    labels = [
        t
        for t in export.texts
        if t["geo"] == "geo"
        and (_geo_traces(export.figure, "geo")[t["trace"]].get("meta") or {}).get("kind") == "label"
    ]
    assert not far_labels(Export(export.view, export.figure, export.svg, export.pdf, labels), atlas)
    moved = [dict(labels[0], box=labels[1]["box"]), *export.texts]
    assert overlapping(moved)
    x0, y0, x1, y1 = labels[0]["box"]
    away = dict(labels[0], box=[x0 + 80, y0, x1 + 80, y1])
    assert far_labels(Export(export.view, export.figure, export.svg, export.pdf, [away]), atlas)
    figure = copy.deepcopy(export.figure)
    trace = _geo_traces(figure, "geo")[labels[0]["trace"]]
    point = labels[0]["point"]  # the label now names the point opposite its own on the globe
    trace["lon"][point] = (trace["lon"][point] + 360.0) % 360.0 - 180.0
    trace["lat"][point] = -trace["lat"][point]
    off = Export(export.view, figure, export.svg, export.pdf, [labels[0]])
    assert far_labels(off, atlas)


# --- Europe ---------------------------------------------------------------------------------------


def brussels_moscow(view: Scenario, session) -> tuple[float, str]:
    """Brussels–Moscow in px on the 1920×1080 export, on the map that draws it largest (the
    inset when there is one): two probe markers added to the export's figure and rendered."""
    figure = json.loads(captioned_json(view, atlas_or_default(None), *SIZE, True))
    geos = [key for key in figure["layout"] if re.fullmatch(r"geo\d*", key)]
    for geo in geos:
        figure["data"].append(
            {
                "type": "scattergeo",
                "geo": geo,
                "lon": [BRUSSELS[0], MOSCOW[0]],
                "lat": [BRUSSELS[1], MOSCOW[1]],
                "mode": "markers",
                "marker": {"color": PROBE_COLOUR, "size": 4},
                "showlegend": False,
            }
        )
    (svg,) = session.render([Job(figure, "svg", *SIZE, 1.0)])
    points = re.findall(
        rb'<path class="point"[^>]*transform="translate\(([-\d.e]+),([-\d.e]+)\)"[^>]*fill: '
        + re.escape(PROBE_COLOUR.encode()),
        svg,
    )
    spans = [
        math.dist(*[(float(x), float(y)) for x, y in points[i : i + 2]])
        for i in range(0, len(points), 2)
    ]
    best = max(range(len(spans)), key=spans.__getitem__)
    return spans[best], geos[best]


def test_world_views_have_the_europe_inset_and_europe_is_legible(session, presets):
    world = [p for p in presets.values() if p.projection == "robinson" and not p.focus]
    assert world
    for preset in world:
        for lang in LANGS:
            view = preset.model_copy(update={"lang": lang})
            figure = json.loads(captioned_json(view, atlas_or_default(None), *SIZE, True))
            span, geo = brussels_moscow(view, session)
            assert span >= LEGIBLE_EUROPE, (view.id, lang, span)
            if preset.id == "summit_outcomes":
                assert "geo2" in figure["layout"] and geo == "geo2", (view.id, lang)


# --- PDF and SVG files ----------------------------------------------------------------------------


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def draws_nato(figure: dict) -> bool:
    """Whether a figure draws NATO's marker (the grouping, on either map)."""
    return any(
        (trace.get("meta") or {}).get("kind") == "grouping" and "nato" in trace["meta"]["ids"]
        for trace in figure["data"]
    )


def pdf_text_problems(export: Export) -> list[str]:
    """What poppler finds wrong with an exported PDF: its title missing from the text or the
    metadata, a compatibility form instead of the character drawn, a Type 3 font, or a line of
    the map (as drawn in the SVG) missing from the text."""
    text = _run("pdftotext", "-layout", str(export.pdf), "-")
    flat = re.sub(r"\s+", "", text)
    info = _run("pdfinfo", str(export.pdf))
    fonts = _run("pdffonts", str(export.pdf))
    problems = []
    if re.sub(r"\s+", "", export.view.title()) not in flat:
        problems.append("title not in the text")
    fields = dict(re.findall(r"^(\w[\w ]*?):\s+(.*)$", info, flags=re.MULTILINE))
    if fields.get("Title") != export.view.title():
        problems.append("title not in the metadata")
    if fields.get("Author") != "Alliance Atlas":
        problems.append("no author")
    if RADICALS.search(text):
        problems.append(f"compatibility forms: {sorted(set(RADICALS.findall(text)))}")
    if "Type 3" in fonts:
        problems.append("Type 3 fonts")
    if draws_nato(export.figure):
        # a search for NATO finds it, and in Japanese for 北大西洋 (its legend entry's full name)
        wanted = ("NATO", "北大西洋") if export.view.lang == "ja" else ("NATO",)
        problems += [f"{word} not in the text" for word in wanted if word not in flat]
    missing = [line for t in export.texts for line in t["lines_text"] if _plain(line) not in flat]
    if missing:
        problems.append(f"drawn but not in the text: {missing}")
    return problems


def test_pdf_text_is_what_was_drawn_in_both_languages(exports):
    assert shutil.which("pdftotext"), "poppler-utils is installed by scripts/setup.sh"
    found = {f"{e.view.id}.{e.view.lang}": pdf_text_problems(e) for e in exports}
    assert not any(found.values()), {k: v for k, v in found.items() if v}
    assert sum(1 for e in exports if e.view.lang == "ja" and draws_nato(e.figure)) >= 5
    japanese = next(e for e in exports if e.view.lang == "ja" and e.view.id == "concept_diagram")
    text = _run("pdftotext", str(japanese.pdf), "-")
    assert "日本" in text and "NATO" in text
    assert re.sub(r"\s+", "", japanese.view.title()) in re.sub(r"\s+", "", text)


def test_svg_is_small_with_one_font_stack_and_text_as_text(exports):
    for export in exports:
        data = export.svg.read_bytes()
        assert len(data) <= SVG_LIMIT, (export.view.id, export.view.lang, len(data))
        families = set(re.findall(rb"font-family: ([^;\"]+)", data))
        assert len(families) == 1, (export.view.id, families)
        assert b"BIZ UDPGothic" in families.pop()
        assert len(export.texts) > 20 and b"text-shadow" not in data


# --- the deck in LibreOffice ------------------------------------------------------------------------


@pytest.mark.skipif(
    not shutil.which("soffice"), reason="libreoffice-impress is in scripts/setup.sh"
)
@pytest.mark.parametrize("lang", LANGS)
def test_libreoffice_shows_each_slides_title_on_its_page(session, presets, tmp_path, lang):
    """The deck opened in LibreOffice Impress and printed to PDF: a page per slide, and each
    view's page carries its title as text (the title is on the slide, not hidden behind the
    picture)."""
    from pptx import Presentation

    from dashboard.export.cli import run_export

    deck = tmp_path / f"briefing.{lang}.pptx"
    assert run_export(["--deck", str(deck), "--lang", lang, "--size", "960x540"]) == 0
    pdf = _printed_by_libreoffice(deck)
    slides = Presentation(str(deck)).slides
    assert f"Pages:           {len(slides)}" in _run("pdfinfo", str(pdf))
    for number, preset in enumerate(presets.values(), start=1):
        page = _run("pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-")
        title = preset.model_copy(update={"lang": lang}).title()
        assert re.sub(r"\s", "", title) in re.sub(r"\s", "", page), (number, title)


def _printed_by_libreoffice(deck: Path) -> Path:
    """The deck opened in LibreOffice Impress and printed to PDF (beside it)."""
    home = deck.parent / "home"  # LibreOffice writes its profile there
    home.mkdir(exist_ok=True)
    subprocess.run(
        [*("soffice", "--headless", "--norestore", "--convert-to", "pdf"), str(deck)],
        check=True,
        capture_output=True,
        env={"HOME": str(home), "PATH": "/usr/bin:/bin"},
        cwd=deck.parent,
        timeout=300,
    )
    return deck.with_suffix(".pdf")


def test_libreoffice_shows_each_sentence_slides_title_whole_above_its_picture(session, tmp_path):
    """A deck by sentence (P6, English: long bold titles that end in the sentence's id) printed
    by LibreOffice: on each page the id ends the title, above the picture and inside the page
    (a title wrapped by LibreOffice where the export did not expect it put the id behind the
    picture)."""
    from pptx import Presentation
    from pptx.shapes.picture import Picture

    from dashboard.export.cli import run_export

    deck = tmp_path / "p6.pptx"
    args = ["--scenario", "concept_diagram", "--lang", "en", "--by-sentence", "P6"]
    assert run_export([*args, "--deck", str(deck)]) == 0
    pdf = _printed_by_libreoffice(deck)
    presentation = Presentation(str(deck))
    page_width = presentation.slide_width / 12700  # EMU -> pt, the PDF's unit
    words = re.findall(
        r'<page|<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<',
        _run("pdftotext", "-bbox", str(pdf), "-"),
    )
    pages: list[list[tuple[float, float, str]]] = []
    for x_min, x_max, y_max, word in words:
        if not word and not x_min:
            pages.append([])
        else:
            pages[-1].append((float(x_max), float(y_max), word))
    sentences = [s for s in presentation.slides if "P6." in s.shapes.title.text_frame.text]
    assert len(sentences) >= 2
    for slide, page in zip(presentation.slides, pages, strict=False):
        title = slide.shapes.title.text_frame.text
        if "P6." not in title:
            continue
        sentence = title.rsplit(" ", 1)[-1]
        (picture,) = [shape for shape in slide.shapes if isinstance(shape, Picture)]
        x_max, y_max, _ = min((w for w in page if w[2] == sentence), key=lambda w: w[1])
        assert y_max <= picture.top / 12700, (sentence, y_max, picture.top / 12700)
        assert x_max <= page_width


def summary(exports: list[Export], atlas, session) -> list[dict]:
    """The per-view numbers of the report."""
    rows = []
    for export in exports:
        span, geo = brussels_moscow(export.view, session)
        rows.append(
            {
                "view": f"{export.view.id}.{export.view.lang}",
                "brussels_moscow_px": round(span, 1),
                "on": geo,
                "texts": len(export.texts),
                "overlaps": overlapping(words(export)),
                "badges_covered": covered_badges(export),
                "far_labels": len(far_labels(export, atlas)),
                "svg_mb": round(export.svg.stat().st_size / 2**20, 2),
                "pdf_problems": pdf_text_problems(export),
            }
        )
    return rows


if __name__ == "__main__":  # the report's numbers
    import tempfile

    from geodata.atlas import load_atlas
    from geodata.scenario import load_presets

    shared = export_session.shared_session()
    out = Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="publication-"))
    out.mkdir(parents=True, exist_ok=True)
    try:
        for row in summary(export_all(load_presets(), out), load_atlas(), shared):
            print(json.dumps(row, ensure_ascii=False))
    finally:
        export_session.close_shared_session()
    print(f"files in {out}; font stack: {FONT_FAMILY}")
