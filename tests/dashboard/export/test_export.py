"""Static export: captioned images, batch export, decks, bad input, image baselines, CJK glyphs.

Image baselines live in tests/baseline/ (views, size and tolerance in baselines.json). After an
intended change of the picture, re-render them, look at them, and commit them:

    .venv/bin/python scripts/refresh_baselines.py

One headless Chromium serves the whole module (the `session` fixture of conftest.py installs it
as the process-wide session, so the CLI runs below reuse it too). Two tests start their own browser on
purpose: the subprocess run of `python -m dashboard export`, and the proof that a machine
without a Japanese font would draw empty boxes (it needs a browser with other fonts).
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import html
import io
import json
import logging
import os
import re
import subprocess
import sys
import weakref
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

import numpy as np
import psutil
import pytest
from drawing import drawn
from locations import BASELINE_DIR, REPO
from PIL import Image

from dashboard.export import caption, citations, environment, files, formats, images
from dashboard.export.caption import captioned_figure
from dashboard.export.cli import run_export
from dashboard.export.errors import ExportError
from dashboard.export.session import BROWSER_PIPE_LOGGER, Job, RenderSession
from dashboard.figures.text import line_width
from dashboard.i18n import t
from geodata.scenario import LAYERS

MANIFEST = json.loads((BASELINE_DIR / "baselines.json").read_text(encoding="utf-8"))
TOLERANCE = MANIFEST["tolerance"]
SMALL = (480, 270)


def _png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _pixels(data: bytes) -> np.ndarray:
    return np.asarray(_png(data).convert("RGB"), dtype=np.int16)


def compare_images(actual: bytes, expected: bytes) -> tuple[float, float]:
    """(mean absolute difference, fraction of pixels differing by > threshold), like the
    baseline-image comparisons of matplotlib and geopandas; (inf, 1) when sizes differ.

    A 256-colour baseline is compared with the new render mapped onto its palette (nearest
    colour, as scripts/refresh_baselines.py made it), so an unchanged render matches exactly."""
    reference = _png(expected)
    a, b = _pixels(actual), np.asarray(reference.convert("RGB"), dtype=np.int16)
    if reference.mode == "P" and a.shape == b.shape:
        mapped = _png(actual).convert("RGB").quantize(palette=reference, dither=Image.Dither.NONE)
        a = np.asarray(mapped.convert("RGB"), dtype=np.int16)
    if a.shape != b.shape:
        return float("inf"), 1.0
    diff = np.abs(a - b).max(axis=2)
    return float(diff.mean()), float((diff > TOLERANCE["pixel_threshold"]).mean())


def matches_baseline(actual: bytes, expected: bytes) -> bool:
    mean, fraction = compare_images(actual, expected)
    return mean <= TOLERANCE["max_mean_abs_diff"] and fraction <= TOLERANCE["max_diff_fraction"]


def _view(presets, scenario_id: str, lang: str):
    return presets[scenario_id].model_copy(update={"lang": lang})


@cache
def _read_only_captioned(view, atlas):
    """captioned_figure at the default size, one Figure per view for the tests that only read
    it: captioned_figure builds a new plotly Figure from its cached JSON at every call (a
    third of a second each; the tests below read the eight presets' figures several times)."""
    return captioned_figure(view, atlas)


# --- every preset, every format, both languages -------------------------------------------------


@pytest.mark.browser
def test_every_preset_exports_to_png_svg_pdf_in_both_languages(session, presets, atlas):
    views = [p.model_copy(update={"lang": lang}) for p in presets.values() for lang in ("ja", "en")]
    figures = [captioned_figure(v, atlas, width=SMALL[0], height=SMALL[1]) for v in views]
    jobs = [Job(f, fmt, *SMALL, 1.0) for f in figures for fmt in formats.FORMATS]
    outputs = session.render(jobs)
    assert len(outputs) == len(views) * 3
    for index, view in enumerate(views):
        png, svg, pdf = outputs[3 * index : 3 * index + 3]
        where = f"{view.id}/{view.lang}"

        image = _png(png)
        assert image.format == "PNG" and image.size == SMALL, where
        assert _pixels(png).std() > 10, f"{where}: the PNG is (nearly) blank"

        root = ET.fromstring(svg)
        assert root.tag.endswith("svg"), where
        assert (root.get("width"), root.get("height")) == (str(SMALL[0]), str(SMALL[1])), where
        texts = "".join(root.itertext())
        assert view.title()[:8] in texts.replace("\xa0", " "), f"{where}: no title in the SVG"

        assert pdf.startswith(b"%PDF-"), where
        from pypdf import PdfReader

        assert len(PdfReader(io.BytesIO(pdf)).pages) == 1, where


@pytest.mark.browser
def test_render_gives_the_requested_pixels_for_each_aspect(session, presets):
    view = presets["summit_outcomes"]
    for size in [(640, 360), (640, 480), (707, 500)]:
        data = images.render(view, "png", width=size[0], height=size[1], scale=1.0)
        assert _png(data).size == size
    data = images.render(view, "png", width=320, height=180, scale=2)
    assert _png(data).size == (640, 360)


# --- the caption ------------------------------------------------------------------------------


def test_caption_has_title_subtitle_source_date_and_natural_earth(presets, atlas):
    view = presets["summit_outcomes"]
    for lang in ("ja", "en"):
        v = view.model_copy(update={"lang": lang})
        figure = _read_only_captioned(v, atlas)
        assert v.title()[:10] in figure.layout.title.text
        subtitle = " ".join(
            a.text for a in figure.layout.annotations if a.name == "export-subtitle"
        )
        assert v.description()[:10] in subtitle
        footer = " ".join(a.text for a in figure.layout.annotations if a.name == "export-footer")
        assert "Natural Earth" in footer
        assert "Three Results from the Washington NATO Summit" in footer
        assert "2024/08/13" in footer
        # the summit's own days: its window ends on 11 July 2024
        assert ("2024年7月11日時点" if lang == "ja" else "As of 11 July 2024") in footer


def test_as_of_is_the_end_date_capped_at_the_article_date(presets):
    assert str(caption.as_of(presets["summit_outcomes"])) == "2024-07-11"
    open_ended = presets["summit_outcomes"].model_copy(update={"date_to": None})
    assert str(caption.as_of(open_ended)) == "2024-08-13"


def test_footer_notes_inferred_and_conceptual_only_when_drawn(presets, atlas):
    concept = _read_only_captioned(presets["concept_diagram"], atlas)
    footer = " ".join(a.text for a in concept.layout.annotations if a.name == "export-footer")
    assert "概念図" in footer
    assert "推論" in footer  # concept_diagram shows inferred items (and external ones)

    stated = presets["summit_outcomes"].model_copy(
        update={"basis": "stated", "layers": ("value_community", "threats"), "lang": "en"}
    )
    assert caption.drawn_bases(stated, atlas) == {"stated"}
    footer = " ".join(
        a.text
        for a in _read_only_captioned(stated, atlas).layout.annotations
        if a.name == "export-footer"
    )
    assert "inferred" not in footer and "Conceptual" not in footer


def test_no_text_under_12px_at_1920x1080(presets, atlas):
    """Every image is laid out 1080 px high, so sizes there are the px of a 1920×1080 export."""
    for view in presets.values():
        figure = _read_only_captioned(view, atlas)
        layout = figure.layout
        sizes = [layout.font.size, layout.title.font.size, layout.legend.grouptitlefont.size]
        sizes += [layout.legend.font.size, layout.legend.title.font.size]
        sizes += [a.font.size for a in layout.annotations if a.font.size is not None]
        for trace in figure.data:
            font = getattr(trace, "textfont", None)
            if font is not None and font.size is not None:
                sizes += list(font.size) if isinstance(font.size, tuple | list) else [font.size]
        assert min(s for s in sizes if s is not None) >= caption.MIN_TEXT_PX, view.id


def test_legend_names_every_drawn_symbol(presets, atlas):
    for view in presets.values():
        figure = _read_only_captioned(view, atlas)
        assert figure.layout.showlegend is not False
        groups_with_entry = {
            t.legendgroup for t in figure.data if t.showlegend is not False and t.name
        }
        for trace in figure.data:
            assert drawn(trace), f"{view.id}: hidden trace kept"
            has_entry = trace.showlegend is not False and bool(trace.name)
            assert (
                has_entry
                or (trace.legendgroup and trace.legendgroup in groups_with_entry)
                or (trace.type == "choropleth" and not trace.showlegend)
                or (trace.meta or {}).get("kind") in ("label", "leader")  # text, not a symbol
            ), f"{view.id}: trace {trace.name!r} is drawn with no legend entry"


def test_wrap_keeps_lines_inside_the_width():
    text = "グローバリズム下における権威主義の膨張、価値共同体と権威主義勢力、対露支援、360度の脅威"
    lines = caption._wrap(text, 400, 25)
    assert "".join(lines) == text and len(lines) > 1
    assert all(line_width(line, 25) <= 400 for line in lines)
    english = "The value community and the authoritarian bloc, support to Russia, the 360° threats"
    lines = caption._wrap(english, 500, 25)
    assert " ".join(lines) == english and all(not line.startswith(" ") for line in lines)


# --- offline and fonts ------------------------------------------------------------------------


@pytest.mark.browser
def test_offline_assets_are_local(session):
    assert environment.topojson_url().startswith("file://")
    assert environment.topojson_url().endswith("/")
    assert environment.PLOTLY_JS.is_file()
    import plotly.io as pio

    assert pio.defaults.topojson == environment.topojson_url()


def test_missing_topojson_says_where(monkeypatch, tmp_path):
    monkeypatch.setattr(environment, "TOPOJSON_DIR", tmp_path / "nowhere")
    with pytest.raises(ExportError, match=r"topojson missing: .*world_110m\.json"):
        environment.check_environment(["en"])


def test_missing_browser_says_how_to_install(monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    with pytest.raises(ExportError, match=r"apt-get install chromium"):
        environment.find_browser()


def test_a_browser_message_that_is_not_json_is_logged_as_one_warning_line(caplog):
    """A message choreographer reads off the browser's pipe and cannot decode is ignored by it:
    the server's log gets one warning line with the message's start, not two tracebacks."""
    from choreographer.channels.pipe import Pipe

    pipe = Pipe()
    pipe.open()
    try:
        os.write(pipe.from_external_to_choreo, b'{"id": 1, "result": {}}\0{bye}\n\0')
        with caplog.at_level(logging.INFO, logger=BROWSER_PIPE_LOGGER):
            messages, _ = pipe.read_jsons(blocking=False)
    finally:
        pipe.close()
    assert messages == [{"id": 1, "result": {}}]
    [record] = [r for r in caplog.records if r.name == BROWSER_PIPE_LOGGER]
    assert (record.levelname, record.exc_info) == ("WARNING", None)
    assert record.getMessage() == "export browser: ignored a message that is not JSON: '{bye}\\n'"
    assert "Traceback" not in caplog.text


def _latin_only_fontconfig(tmp_path: Path) -> Path:
    config = tmp_path / "latin-only-fonts.conf"
    fonts = [d for d in ("/usr/share/fonts/truetype/dejavu",) if os.path.isdir(d)]
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        + "".join(f"<dir>{d}</dir>" for d in fonts)
        + f"<cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    return config


def test_no_japanese_font_stops_with_install_hint(monkeypatch, tmp_path, presets):
    monkeypatch.setenv("FONTCONFIG_FILE", str(_latin_only_fontconfig(tmp_path)))
    assert environment.japanese_font_families() == ()
    with pytest.raises(ExportError, match=r"apt-get install fonts-morisawa-bizud-gothic"):
        environment.check_environment(["ja"])
    environment.check_environment(["en"])  # English needs no CJK font
    out = tmp_path / "view.png"
    code = run_export(["--scenario", "summit_outcomes", "--lang", "ja", "--out", str(out)])
    assert code != 0 and not out.exists()


def _title_only(text: str) -> Job:
    import plotly.graph_objects as go

    figure = go.Figure()
    figure.update_layout(
        title={"text": text, "font": {"size": 90, "family": environment.font_family("ja")}},
        xaxis_visible=False,
        yaxis_visible=False,
        plot_bgcolor="white",
        margin={"t": 200},
    )
    return Job(figure, "png", 640, 360, 1.0)


# Same length, different characters. Private-use code points have no glyph in any installed
# font, so they always print as the font's empty box (tofu): the reference for "no glyph".
JA_A, JA_B = "権威主義の膨張", "東京と北京の会合"[:7]
TOFU_A, TOFU_B = "\ue000" * 7, "\ue001\ue002\ue003\ue004\ue005\ue006\ue007"


def _title_strip(data: bytes) -> np.ndarray:
    return _pixels(data)[:70]


def _distinct(a: bytes, b: bytes) -> bool:
    return float(np.abs(_title_strip(a) - _title_strip(b)).mean()) > 0.5


@pytest.mark.browser
def test_japanese_glyphs_really_render(session):
    """Distinct Japanese titles render distinctly, and unlike boxes for missing glyphs."""
    ja_a, ja_b, tofu_a, tofu_b = session.render(
        [_title_only(t) for t in (JA_A, JA_B, TOFU_A, TOFU_B)]
    )
    assert _title_strip(ja_a).std() > 5, "the title drew nothing"
    # the detector: missing glyphs all look alike, so different strings render the same ...
    assert not _distinct(tofu_a, tofu_b)
    # ... while real glyphs differ from each other and from those boxes
    assert _distinct(ja_a, ja_b), "two different Japanese titles render alike: tofu?"
    assert _distinct(ja_a, tofu_a), "the Japanese title renders like missing-glyph boxes"


@pytest.mark.browser
def test_tofu_detector_fires_on_a_browser_without_japanese_fonts(monkeypatch, tmp_path, session):
    """A browser that sees only Latin fonts draws tofu, and the check above would catch it."""
    monkeypatch.setenv("FONTCONFIG_FILE", str(_latin_only_fontconfig(tmp_path)))
    family = "Noto Sans CJK JP, DejaVu Sans"
    monkeypatch.setattr(environment, "font_family", lambda lang: family)
    with RenderSession() as latin_only:
        ja_a, ja_b = latin_only.render([_title_only(t) for t in (JA_A, JA_B)])
    assert not _distinct(ja_a, ja_b), "expected empty boxes without a Japanese font"


# --- image regression ---------------------------------------------------------------------------


def _baseline_views(presets):
    return [_view(presets, v["scenario"], v["lang"]) for v in MANIFEST["views"]]


def _baseline(view) -> bytes:
    path = BASELINE_DIR / f"{view.id}.{view.lang}.png"
    if not path.exists():
        pytest.fail(f"missing baseline {path}: run .venv/bin/python scripts/refresh_baselines.py")
    return path.read_bytes()


@pytest.mark.browser
def test_exports_match_baselines(session, presets, atlas, tmp_path):
    views = _baseline_views(presets)
    width, height = MANIFEST["size"]
    actual = images.render_views(views, "png", width=width, height=height, scale=1.0, atlas=atlas)
    failures = []
    for view, data in zip(views, actual, strict=True):
        expected = _baseline(view)
        mean, fraction = compare_images(data, expected)
        if not matches_baseline(data, expected):
            result = tmp_path / f"{view.id}.{view.lang}.actual.png"
            result.write_bytes(data)
            failures.append(
                f"{view.id}/{view.lang}: mean abs diff {mean:.2f}, {fraction:.3%} pixels differ "
                f"(actual image: {result}; refresh with scripts/refresh_baselines.py if intended)"
            )
    assert not failures, "\n".join(failures)


@pytest.mark.browser
def test_baseline_comparison_fails_for_blank_map_missing_layer_or_legend(session, presets, atlas):
    view = _view(presets, "summit_outcomes", "ja")
    width, height = MANIFEST["size"]
    expected = _baseline(view)

    blank = captioned_figure(view, atlas, width=width, height=height)
    blank.data = ()
    no_legend = captioned_figure(view, atlas, width=width, height=height)
    no_legend.update_layout(showlegend=False)
    assert "threats" in view.layers
    without_threats = view.model_copy(
        update={"layers": tuple(x for x in view.layers if x != "threats")}
    )
    missing_layer = captioned_figure(without_threats, atlas, width=width, height=height)
    unchanged = captioned_figure(view, atlas, width=width, height=height)

    rendered = session.render(
        [Job(f, "png", width, height, 1.0) for f in (blank, no_legend, missing_layer, unchanged)]
    )
    assert matches_baseline(rendered[3], expected), "the control render should match"
    for name, data in zip(
        ("blank map", "legend off", "threats layer removed"), rendered, strict=False
    ):
        assert not matches_baseline(data, expected), f"a {name} passed the baseline comparison"


def test_baselines_are_small():
    for path in BASELINE_DIR.glob("*.png"):
        assert path.stat().st_size < 60_000, f"{path.name} is too large for the repository"
        assert Image.open(path).size == tuple(MANIFEST["size"])


# --- the browser session ----------------------------------------------------------------------


@pytest.mark.browser
def test_a_tab_calling_into_a_context_without_kaleidos_scripts_is_reloaded():
    """On a busy machine kaleido can open a tab that calls into a JavaScript context without its
    scripts; every image from it then failed ("kaleido_scopes is not defined"). An isolated world
    of the page is such a context: the session's check reloads the tab and images draw again."""
    import plotly.graph_objects as go

    from dashboard.export.session import KALEIDO_SCRIPTS, ensure_page_scripts

    with RenderSession() as fresh:
        fresh.start()
        tabs = fresh._kaleido.tabs_ready

        async def misdirect_then_check() -> tuple[str, str]:
            tab = tabs.get_nowait()
            tree = await tab.tab.send_command("Page.getFrameTree")
            frame = tree["result"]["frameTree"]["frame"]["id"]
            world = await tab.tab.send_command("Page.createIsolatedWorld", {"frameId": frame})
            tab._current_js_id = world["result"]["executionContextId"]
            params = {
                "functionDeclaration": KALEIDO_SCRIPTS,
                "executionContextId": tab._current_js_id,
                "returnByValue": True,
            }
            before = await tab.tab.send_command("Runtime.callFunctionOn", params)
            await ensure_page_scripts(tab)
            params["executionContextId"] = tab._current_js_id
            after = await tab.tab.send_command("Runtime.callFunctionOn", params)
            tabs.put_nowait(tab)
            return before["result"]["result"]["value"], after["result"]["result"]["value"]

        assert fresh._call(misdirect_then_check(), timeout=60) == ("undefined", "object")
        figure = go.Figure(go.Scattergeo(lon=[139.7], lat=[35.7]))
        [image] = fresh.render([Job(figure, width=400, height=300)])
    assert image.startswith(b"\x89PNG")
    assert Image.open(io.BytesIO(image)).size == (400, 300)


@pytest.mark.browser
@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="Linux's SCHED_IDLE")
def test_the_export_browser_runs_at_background_priority_after_drawing():
    """Every thread of the export browser stays at background priority (SCHED_IDLE) while and
    after it draws, including those Chromium raises itself (to niceness -8 for its display
    threads when it may, as root): before, a browser at niceness 10 had such threads above the
    dashboard's workers and slowed their answers under load."""
    import plotly.graph_objects as go

    from dashboard.processes import descendants

    with RenderSession() as fresh:
        fresh.start()
        figure = go.Figure(go.Scattergeo(lon=[139.7], lat=[35.7]))
        [image] = fresh.render([Job(figure, width=400, height=300)])
        assert image.startswith(b"\x89PNG")
        threads = {}
        for pid in descendants(os.getpid()):
            with contextlib.suppress(psutil.Error):
                process = psutil.Process(pid)
                if "chrom" in process.name():
                    for thread in process.threads():
                        with contextlib.suppress(OSError):
                            threads[thread.id] = os.sched_getscheduler(thread.id)
    assert len(threads) > 10  # the browser's processes and their threads were seen
    assert set(threads.values()) == {os.SCHED_IDLE}
    assert os.sched_getscheduler(0) == os.SCHED_OTHER  # the test's own thread is not lowered


# --- the caches -------------------------------------------------------------------------------


class _NoBrowser(RenderSession):
    """A session that fails the test if anything needs its browser."""

    def start(self, *, wait: bool = True) -> None:
        raise AssertionError("the browser was needed")


@pytest.mark.browser
def test_a_repeated_render_comes_from_the_cache_with_the_same_bytes(session, presets, atlas):
    view = _view(presets, "ukraine_support", "en")
    images.clear_caches()
    first = images.render(view, "png", width=640, height=360, scale=1, atlas=atlas)
    assert len(images.images) == 1  # rendered once, and kept
    again = images.render(view, "png", width=640, height=360, scale=1.0, session=_NoBrowser())
    assert again == first
    assert len(images.images) == 1  # a hit (_NoBrowser fails the test if it is not)
    figure = captioned_figure(view, atlas, width=640, height=360)
    uncached = session.render([Job(figure, "png", 640, 360, 1.0)])[0]
    assert uncached == first  # the cache gives what rendering gives


@pytest.mark.browser
def test_different_views_formats_and_sizes_do_not_share_an_entry(session, presets, atlas):
    view = _view(presets, "threats_360", "ja")
    variants = [
        (view, "png", 480, 270, 1.0),
        (view.model_copy(update={"lang": "en"}), "png", 480, 270, 1.0),
        (view.model_copy(update={"date_to": date(2024, 7, 11)}), "png", 480, 270, 1.0),
        (_view(presets, "value_community", "ja"), "png", 480, 270, 1.0),
        (view, "svg", 480, 270, 1.0),
        (view, "png", 640, 360, 1.0),
        (view, "png", 480, 270, 2.0),
    ]
    images.clear_caches()
    rendered = [
        images.render(v, fmt, width=w, height=h, scale=scale, atlas=atlas)
        for v, fmt, w, h, scale in variants
    ]
    assert len(images.images) == len(variants)  # one entry each: none shared
    assert len(set(rendered)) == len(variants)
    assert [_png(rendered[i]).size for i in (0, 5, 6)] == [(480, 270), (640, 360), (960, 540)]
    again = [
        images.render(v, fmt, width=w, height=h, scale=scale, session=_NoBrowser())
        for v, fmt, w, h, scale in variants
    ]
    assert again == rendered


def test_the_picture_does_not_depend_on_today(presets, atlas, monkeypatch):
    """The footer's as-of date comes from the view (its end date, capped at the article's date),
    so the view is a sound cache key: on another day the figure is the same."""
    view = _view(presets, "threats_360", "en")
    assert view.date_to is None  # as of the article's date
    images.clear_caches()
    today = captioned_figure(view, atlas).to_json()

    class LaterDate(date):
        @classmethod
        def today(cls):
            return date(2031, 2, 3)

    class LaterTime(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2031, 2, 3, 4, 5, 6, tzinfo=tz)

    monkeypatch.setattr(caption, "date", LaterDate)
    monkeypatch.setattr(images, "datetime", LaterTime)
    images.clear_caches()
    assert captioned_figure(view, atlas).to_json() == today


@pytest.mark.browser
def test_a_cached_pdf_carries_the_time_of_its_export(session, presets, atlas, monkeypatch):
    view = _view(presets, "value_community", "en")
    images.clear_caches()
    first = images.render(view, "pdf", width=480, height=270, scale=1, atlas=atlas)
    assert len(images._PDF_DATE.findall(first)) == 2  # CreationDate and ModDate: the render time

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2031, 2, 3, 4, 5, 6, tzinfo=UTC)

    monkeypatch.setattr(images, "datetime", Later)
    again = images.render(view, "pdf", width=480, height=270, scale=1, session=_NoBrowser())
    assert again.count(b"(D:20310203040506+00'00')") == 2
    assert len(again) == len(first)
    assert images._PDF_DATE.sub(rb"\1\2", again) == images._PDF_DATE.sub(rb"\1\2", first)
    from pypdf import PdfReader

    assert PdfReader(io.BytesIO(again)).metadata.creation_date.year == 2031


def test_a_pdf_with_dates_that_cannot_be_restamped_is_not_cached():
    pdf = b"%PDF-1.4\n<</CreationDate (D:20240813120000+00'00') /ModDate (D:20240813120000Z)>>"
    assert not images._cacheable(pdf, "pdf")
    assert images._cacheable(pdf.replace(b"Z)", b"+00'00')"), "pdf")
    assert images._cacheable(pdf, "png")  # only PDFs carry a render time


def test_captioned_figure_gives_a_new_figure_per_call_from_compact_json(presets, atlas):
    view = _view(presets, "concept_diagram", "en")
    images.clear_caches()
    first = captioned_figure(view, atlas)
    first.update_layout(title_text="changed by a caller")
    first.data[0].name = "changed too"
    second = captioned_figure(view, atlas)
    assert second is not first
    assert second.layout.title.text != "changed by a caller"
    assert second.data[0].name != "changed too"
    figures = caption.captioned_json.cache_info()
    assert (figures.hits, figures.misses, len(caption.captioned_json.cache)) == (1, 1, 1)
    assert 0.9 < figures.currsize / len(second.to_json()) < 1.1  # kept as its JSON


def test_the_caches_tell_atlases_apart_and_keep_none_alive(presets, atlas):
    view = _view(presets, "summit_outcomes", "en")
    images.clear_caches()
    captioned_figure(view, atlas)
    other = dataclasses.replace(atlas)  # equal content, another object
    captioned_figure(view, other)
    assert caption.captioned_json.cache_info().misses == 2
    gone = weakref.ref(other)
    del other
    gc.collect()
    assert gone() is None


# --- the command ------------------------------------------------------------------------------


@pytest.mark.browser
def test_cli_single_export_by_scenario_state_and_file(session, tmp_path, presets, capsys):
    out = tmp_path / "summit.svg"
    assert (
        run_export(["--scenario", "summit_outcomes", "--out", str(out), "--size", "640x360"]) == 0
    )
    assert ET.parse(out).getroot().tag.endswith("svg")

    state = "http://localhost:8050/?scenario=threats_360&lang=en&bogus=1"
    by_state = tmp_path / "threats.png"
    args = ["--state", state, "--out", str(by_state), "--size", "640x360"]
    assert run_export(args) == 0
    err = capsys.readouterr().err
    assert "bogus" in err and len(err.strip().splitlines()) == 1
    direct = images.render(
        _view(presets, "threats_360", "en"), "png", width=640, height=360, scale=1
    )
    assert compare_images(by_state.read_bytes(), direct) == (0.0, 0.0)

    scenario_file = tmp_path / "mine.yaml"
    scenario_file.write_text(presets["ukraine_support"].to_yaml(), encoding="utf-8")
    by_file = tmp_path / "mine.pdf"
    args = ["--file", str(scenario_file), "--out", str(by_file), "--lang", "en", "--aspect", "4:3"]
    assert run_export(args) == 0
    from pypdf import PdfReader

    page = PdfReader(by_file).pages[0]
    assert round(float(page.mediabox.width) / float(page.mediabox.height), 2) == 1.33
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["summit.svg", "threats.png", "mine.yaml", "mine.pdf"]
    )  # no temporary files left


@pytest.mark.browser
def test_cli_all_both_languages_writes_every_preset_and_a_contact_sheet(session, tmp_path, presets):
    out = tmp_path / "views"
    assert run_export(["--all", "--out", str(out), "--lang", "both", "--size", "480x270"]) == 0
    names = {p.name for p in out.iterdir()}
    expected = {f"{pid}.{lang}.png" for pid in presets for lang in ("ja", "en")}
    assert names == expected | {"index.html"}
    sheet = (out / "index.html").read_text(encoding="utf-8")
    for pid, preset in presets.items():
        assert f'src="{pid}.ja.png"' in sheet
        assert html.escape(preset.title_ja) in sheet and html.escape(preset.title_en) in sheet
        assert f"scenario={pid}&amp;" in sheet  # each view's state query


def readme_presets() -> list[str]:
    """The preset ids in the order the README's presets table lists them."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z0-9_]+)` \|", text, flags=re.MULTILINE)
    return [row for row in rows if (REPO / "seeds" / "scenarios" / f"{row}.yaml").exists()]


def test_presets_come_in_the_readmes_reading_order(presets):
    assert list(presets) == readme_presets()


@pytest.mark.browser
def test_cli_deck_titles_on_slides_in_reading_order_short_notes_and_an_appendix(
    session, tmp_path, presets, atlas
):
    """A deck as PowerPoint reads it: a slide per preset in the README's order, each with its
    title inside the slide above the picture (not hidden under it), alt text, notes a notes page
    shows; then appendix slides with every passage cited in full; core properties set."""
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    deck_path = tmp_path / "briefing.pptx"
    assert run_export(["--deck", str(deck_path), "--size", "640x360", "--lang", "ja"]) == 0
    deck = Presentation(str(deck_path))
    width, height = deck.slide_width, deck.slide_height
    assert width * 9 == height * 16
    order = readme_presets()
    slides = list(deck.slides)
    assert len(slides) > len(order)
    for slide, preset_id in zip(slides, order, strict=False):
        preset = presets[preset_id]
        title = slide.shapes.title
        assert re.sub(r"\s", "", title.text) == re.sub(r"\s", "", preset.title()), preset_id
        assert title.left >= 0 and title.left + title.width <= width, preset_id
        assert title.top >= 0 and title.top + title.height <= height, preset_id
        (picture,) = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert picture.top >= title.top + title.height, preset_id  # the title is not under it
        assert picture.top + picture.height <= height + 1 and picture.width == width
        assert preset.title() in picture._element.nvPicPr.cNvPr.get("descr")
        notes = slide.notes_slide.notes_text_frame.text
        assert len(notes) <= 3000 and notes.startswith(preset.title()), preset_id
    appendix = "".join(
        shape.text_frame.text
        for slide in slides[len(order) :]
        for shape in slide.shapes
        if shape.has_text_frame
    )
    for preset in presets.values():
        for passage in citations.passages([preset], atlas):
            assert passage.quote_ja in appendix
    properties = deck.core_properties
    assert properties.author == "Alliance Atlas" and properties.language == "ja-JP"
    assert properties.title and properties.subject and properties.created

    two = tmp_path / "two.pptx"
    args = ["--deck", str(two), "--scenario", "threats_360", "--scenario", "concept_diagram"]
    assert run_export([*args, "--lang", "both", "--size", "640x360"]) == 0
    titles = [s.shapes.title.text for s in Presentation(str(two)).slides][:4]
    expected = [
        presets[p].model_copy(update={"lang": lang}).title()
        for p in ("threats_360", "concept_diagram")
        for lang in ("ja", "en")
    ]
    assert [re.sub(r"\s", "", x) for x in titles] == [re.sub(r"\s", "", x) for x in expected]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--scenario", "summit_outcome", "--out", "{tmp}/a.png"],
            "did you mean 'summit_outcomes'",
        ),
        (["--state", "%%%%&&==", "--out", "{tmp}/a.png"], "malformed --state"),
        (["--state", "scenario=nope&lang=en", "--out", "{tmp}/a.png"], "unknown scenario 'nope'"),
        (["--state", "groupings=nato,natto", "--out", "{tmp}/a.png"], "unknown grouping 'natto'"),
        (["--scenario", "summit_outcomes", "--out", "{tmp}/missing/a.png"], "does not exist"),
        (["--scenario", "summit_outcomes", "--out", "{tmp}/file.txt/a.png"], "is not a folder"),
        (["--scenario", "summit_outcomes", "--out", "{tmp}"], "is a directory"),
        (["--scenario", "summit_outcomes", "--out", "{tmp}/a.jpg"], "unknown image format .jpg"),
        (
            ["--scenario", "summit_outcomes", "--out", "{tmp}/a.png", "--format", "svg"],
            "does not match",
        ),
        (
            ["--scenario", "summit_outcomes", "--out", "{tmp}/a.png", "--format", "gif"],
            "invalid choice",
        ),
        (
            ["--scenario", "summit_outcomes", "--out", "{tmp}/a.png", "--size", "big"],
            "WIDTHxHEIGHT",
        ),
        (["--scenario", "summit_outcomes", "--out", "{tmp}/a.png", "--scale", "0"], "scale"),
        (["--file", "{tmp}/bad.yaml", "--out", "{tmp}/a.png"], "bad.yaml:2: layers"),
        (["--file", "{tmp}/none.yaml", "--out", "{tmp}/a.png"], "cannot read"),
        (
            ["--scenario", "summit_outcomes", "--state", "lang=en", "--out", "{tmp}/a.png"],
            "not allowed",
        ),
        (["--scenario", "summit_outcomes"], "--out is required"),
        (["--out", "{tmp}/a.png"], "give one of"),
        (
            ["--scenario", "summit_outcomes", "--out", "{tmp}/a.png", "--lang", "both"],
            "--lang both",
        ),
        (["--deck", "{tmp}/deck.ppt"], ".pptx"),
        (["--all", "--out", "{tmp}/file.txt"], "must be a folder"),
        # a sentence to emphasise (--sentence), a deck by sentence (--by-sentence)
        (
            ["--scenario", "threats_360", "--sentence", "P6.9", "--out", "{tmp}/a.png"],
            "P6 has sentences P6.1…P6.3",
        ),
        (
            ["--scenario", "threats_360", "--sentence", "6.2", "--out", "{tmp}/a.png"],
            "a sentence id is",
        ),
        (
            ["--scenario", "threats_360", "--by-sentence", "P6", "--out", "{tmp}/a.png"],
            "--by-sentence makes a deck",
        ),
        (["--deck", "{tmp}/d.pptx", "--by-sentence", "P13"], "no sentences in P13"),
        (["--deck", "{tmp}/d.pptx", "--by-sentence", "six"], "such as P6 or fn23"),
        (
            ["--deck", "{tmp}/d.pptx", "--sentence", "P6.2", "--by-sentence", "P6"],
            "not allowed with argument",
        ),
        (["--state", "sentence=P1.9", "--out", "{tmp}/a.png"], "P1 has sentences P1.1…P1.3"),
    ],
)
def test_bad_input_is_one_line_nonzero_and_writes_nothing(args, message, tmp_path, capsys):
    (tmp_path / "file.txt").write_text("not a folder", encoding="utf-8")
    (tmp_path / "bad.yaml").write_text("version: 1\nlayers: [nope]\n", encoding="utf-8")
    before = sorted(tmp_path.rglob("*"))
    code = run_export([a.replace("{tmp}", str(tmp_path)) for a in args])
    err = capsys.readouterr().err
    assert code != 0
    assert len(err.strip().splitlines()) == 1, err
    assert message in err, err
    assert sorted(tmp_path.rglob("*")) == before


@pytest.mark.browser
def test_a_failed_render_leaves_no_file(monkeypatch, tmp_path, capsys):
    def broken(self, job):
        raise ExportError("rendering failed: browser crashed")

    images.clear_caches()  # a cached image would need no rendering
    monkeypatch.setattr(RenderSession, "submit", broken)
    out = tmp_path / "a.png"
    assert run_export(["--scenario", "summit_outcomes", "--out", str(out)]) == 1
    assert (
        capsys.readouterr().err.strip()
        == "alliance-atlas export: rendering failed: browser crashed"
    )
    assert list(tmp_path.iterdir()) == []


def test_write_atomic_replaces_whole_files(tmp_path):
    target = tmp_path / "a.bin"
    files.write_atomic(target, b"one")
    files.write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["a.bin"]


def _export_is_wired() -> bool:
    from dashboard.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command")
    return "export" in commands.choices


@pytest.mark.browser
@pytest.mark.skipif(
    not _export_is_wired(), reason="`export` is not yet registered in dashboard/cli.py"
)
def test_python_m_dashboard_export(tmp_path):
    out = tmp_path / "view.png"
    result = subprocess.run(
        [
            *(sys.executable, "-m", "dashboard", "export", "--scenario", "value_community"),
            *("--lang", "en", "--size", "640x360", "--out", str(out)),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert _png(out.read_bytes()).size == (640, 360)
    bad = subprocess.run(
        [sys.executable, "-m", "dashboard", "export", "--scenario", "nope", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode != 0 and len(bad.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_speaker_notes_are_short_and_the_appendix_cites_every_drawn_item(presets, atlas, lang):
    """A slide's notes fit a printed notes page: the view in short first, then its passages
    layer by layer (each once, shortened, the rest counted); every passage of every drawn item
    is in the appendix in full."""
    for view in presets.values():
        view = view.model_copy(update={"lang": lang})
        notes = citations.speaker_notes(view, atlas, "slides 9–12")
        assert len(notes) <= citations.NOTES_LIMIT, view.id
        assert notes.splitlines()[:2] == [view.title(), view.description()]
        assert f"?{view.to_query()}" in notes and "9–12" in notes
        cited = citations.view_citations(view, atlas)
        assert cited
        drawn = caption.drawn_layers(view, atlas)
        cited_ids = {i.id for i in cited}
        frames = [drawn.groupings, drawn.relations, drawn.events]
        frames += [drawn.threats, drawn.regions] if "threats" in view.layers else []
        for frame in frames:
            assert set(frame["id"]) <= cited_ids, view.id
        full = citations.passages([view], atlas)
        assert {i.quote_ja for i in cited} == {p.quote_ja for p in full}
        entries = [line for line in notes.splitlines() if line.startswith(("・", "• "))]
        more_line = re.escape(t("notes.more", lang, count=0)).replace("0", r"(\d+)")
        more = re.fullmatch(more_line, notes.splitlines()[-1])
        assert len(entries) + (int(more[1]) if more else 0) == len(full), view.id
        for entry in entries:  # the start of a passage's quote (ja) or gloss (en)
            start = entry.split("「" if lang == "ja" else ": ", 1)[1].rstrip("」…")[:15]
            assert any(start in (p.quote_ja if lang == "ja" else p.gloss_en) for p in full), entry


def test_every_layer_of_the_atlas_is_known():
    assert set(LAYERS) >= {"threats", "support_flows", "proposals"}


def test_footer_keeps_its_parts_whole_when_it_wraps():
    parts = ["Source: a long article title, 2024/08/13", "Made with Natural Earth", "As of 1 May"]
    lines = caption._wrap_parts(parts, line_width(parts[0] + "  |  x", 17), 17, "  |  ")
    assert lines == [parts[0], "Made with Natural Earth  |  As of 1 May"]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_slide_labels_are_placed_for_the_slides_map_and_keep_off_its_edge(atlas, presets, lang):
    """The slide's map is smaller than the dashboard's (its caption and legend take room): its
    labels are placed for the map as the slide draws it, and none runs up to the map's edge,
    where plotly cuts text off (the Japanese value-community slide lost the end of the AP4
    label)."""
    from dashboard.figures.composition import compose
    from dashboard.figures.geo import Frame
    from geodata.certainty import state_index
    from geodata.select import drawn_selection, select

    for scenario in presets.values():
        scenario = scenario.model_copy(update={"lang": lang})
        figure = _read_only_captioned(scenario, atlas)
        margin = figure.layout.margin
        frame = Frame((1920, formats.REF_HEIGHT), (margin.l, margin.t, margin.r, margin.b), {})
        shown = {*scenario.layers, "base"}
        layers = select(atlas, scenario.with_every_layer())
        widest = select(atlas, scenario.with_every_layer().with_every_certainty())
        composition = compose(  # (drawn as the slide draws it: see caption._slide_map)
            drawn_selection(widest, layers),
            atlas,
            shown,
            frame.size,
            frame,
            state=state_index(*scenario.certainty()),
        )
        checked = 0
        for geo, part in (("geo", composition.main), ("geo2", composition.inset)):
            if part is None:
                continue
            x0, y0, x1, y1 = part.ctx.projector.frame()
            inside = 4.0  # px: the estimated text widths may be off by this much
            for trace in figure.data:
                if (trace.meta or {}).get("kind") != "label" or (trace.geo or "geo") != geo:
                    continue
                for index, key in enumerate(trace.meta["ids"]):
                    placement = part.placements[key]
                    if placement.box is None or not trace.text[index]:
                        continue
                    where = (scenario.id, geo, key)
                    assert trace.textposition[index] == placement.position, where
                    box = placement.box
                    assert x0 + inside <= box[0] and box[2] <= x1 - inside, (*where, box)
                    assert y0 + inside <= box[1] and box[3] <= y1 - inside, (*where, box)
                    checked += 1
        assert checked > 5, scenario.id


# --- what the article's certainty, and the concept diagram's nature, look like on a slide -------


def _svg_text(data: bytes) -> str:
    return "".join(ET.fromstring(data).itertext()).replace("\xa0", " ")


@pytest.mark.browser
def test_the_concept_diagram_says_on_its_exported_map_that_it_is_a_reconstruction(
    session, presets, atlas
):
    from dashboard.i18n import t

    for lang in ("ja", "en"):
        view = _view(presets, "concept_diagram", lang)
        figure = captioned_figure(view, atlas)
        (note,) = [a for a in figure.layout.annotations if a.name == "map-concept-note"]
        assert note.xref == note.yref == "paper" and 0 <= note.x <= 1 and 0 <= note.y <= 1
        svg = images.render(view, "svg", width=1920, height=1080, scale=1)
        text = _svg_text(svg)
        for line in t("map.concept_note", lang).split("<br>"):
            assert line in text, (lang, line)
        png = images.render(view, "png", width=1920, height=1080, scale=1)
        assert _png(png).size == (1920, 1080)
    other = images.render(
        _view(presets, "threats_360", "en"), "svg", width=960, height=540, scale=1
    )
    assert "reconstruction" not in _svg_text(other)


@pytest.mark.browser
def test_a_title_of_several_lines_is_not_clipped(session, presets, atlas):
    """A title too long for one line wraps, and every line is inside the image: its first line
    starts where a one-line title does (nothing in the top margin), and the subtitle keeps the
    same gap under its last line."""
    two = (
        "A very long title that goes on and on and on so that the export has to wrap it onto a"
        " second line"
    )
    three = two + (
        " of its own, and then it goes on and on again and again and again so that it needs a third"
    )

    def lines_of_ink(data: bytes) -> list[tuple[int, int]]:
        """(first, last) row of each band of dark text in the top of the image's left half."""
        pixels = _pixels(data)[:340, : 1920 // 2]
        rows = np.flatnonzero((pixels < 120).all(axis=2).any(axis=1))
        return [
            (int(r[0]), int(r[-1])) for r in np.split(rows, np.flatnonzero(np.diff(rows) > 2) + 1)
        ]

    bands = {}
    for count, title in ((1, None), (2, two), (3, three)):
        update = {"lang": "en"} | ({"id": None, "title_en": title} if title else {})
        view = presets["summit_outcomes"].model_copy(update=update)
        wrapped = caption._wrap(view.title(), 1920 - 2 * caption.MARGIN_X, caption.TITLE_PX)
        assert len(wrapped) == count, wrapped
        bands[count] = lines_of_ink(images.render(view, "png", width=1920, height=1080, scale=1))
    for count, found in bands.items():
        assert found[0][0] >= caption.MARGIN_TOP - 8, (count, found[:2])  # not cut at the top
        assert abs(found[0][0] - bands[1][0][0]) <= 3, count
        gap = found[count][0] - found[count - 1][1]  # from the title's last line to the subtitle
        assert abs(gap - (bands[1][1][0] - bands[1][0][1])) <= 4 and gap >= 20, (count, found)


@pytest.mark.browser
def test_export_state_with_modality_gives_the_dashboards_picture(session, tmp_path, presets, atlas):
    """`export --state` with `modality=` draws the view the dashboard shows for that link: the
    same scenario, so the same image; the projections (→) are gone, the hedges (?) stay."""
    from dashboard.i18n import t
    from dashboard.service import ViewService

    query = "?scenario=concept_diagram&modality=assessed&lang=en"
    dashboard_view, notices = ViewService(atlas, presets, "ja").views.parse_search(query)
    assert notices == [] and dashboard_view.modality == "assessed"
    out = tmp_path / "assessed.png"
    state = f"http://127.0.0.1:8050/{query}"
    assert run_export(["--state", state, "--out", str(out), "--size", "960x540"]) == 0
    direct = images.render(dashboard_view, "png", width=960, height=540, scale=1)
    assert compare_images(out.read_bytes(), direct) == (0.0, 0.0)

    def glyphs(view) -> set[str]:
        figure = captioned_figure(view, atlas)
        return {g for trace in figure.data if trace.meta["kind"] == "modality" for g in trace.text}

    def keys(view) -> set[str]:
        figure = captioned_figure(view, atlas)
        return {trace.name for trace in figure.data if trace.meta["kind"] == "key"}

    projected = t("key.modality.projected", "en")
    assert glyphs(dashboard_view) == {"?"}
    assert t("key.modality.assessed", "en") in keys(dashboard_view)
    assert projected not in keys(dashboard_view)
    everything = _view(presets, "concept_diagram", "en")
    assert glyphs(everything) >= {"?", "→"}
    assert projected in keys(everything)
