"""A view of one sentence of the article, exported: real files through `alliance-atlas export
--sentence` (the sentence is the subtitle, in Japanese with its gloss in English, its citation is
in the footer, its items are emphasised), and a deck made sentence by sentence whose slides are
the mapped sentences of the paragraph, counted here from the article text and the knowledge
base's quotes (not from the code's coverage)."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest
import yaml
from locations import KNOWLEDGE_DIR
from PIL import Image
from reading import emphasis_state, expected_items

from dashboard.export import caption, images
from dashboard.export.caption import captioned_figure, captioned_json
from dashboard.export.cli import run_export


def _glosses() -> dict[str, dict]:
    notes = yaml.safe_load((KNOWLEDGE_DIR / "sentences.yaml").read_text(encoding="utf-8"))
    return {note["id"]: note for note in notes["sentences"]}


def _svg_text(data: bytes) -> str:
    """Every text of an SVG, joined (plotly writes each line of a text as its own element)."""
    root = ET.fromstring(data)
    return "".join(unescape("".join(node.itertext())) for node in root.iter() if node.text)


def _quotes_of_paragraph(number: int) -> list[str]:
    """Every quote_ja that cites body paragraph `number`, read from the plain YAML."""
    quotes = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("paragraph") == number and "quote_ja" in node:
                quotes.append(node["quote_ja"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in KNOWLEDGE_DIR.glob("*.yaml"):
        if path.name not in ("sentences.yaml", "headings.yaml"):
            walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return quotes


def test_a_view_of_a_sentence_has_it_as_subtitle_and_its_citation_in_the_footer(presets, atlas):
    scenario = presets["authoritarian_partnerships"].model_copy(update={"sentence": "P6.2"})
    gloss = _glosses()["P6.2"]
    for lang in ("ja", "en"):
        figure = captioned_figure(scenario.model_copy(update={"lang": lang}), atlas)
        annotations = {a.name: a.text.replace("<br>", "") for a in figure.layout.annotations}
        subtitle = unescape(annotations["export-subtitle"])
        assert gloss["text_ja"] in subtitle
        assert (gloss["gloss_en"][:60] in subtitle) is (lang == "en")
        footer = unescape(annotations["export-footer"])
        assert "P6.2" in footer
        assert "Blinken confronts China" in footer and "Arsenal of Autocracy" in footer  # fn 10, 11


def test_the_exported_map_emphasises_exactly_the_sentences_items(presets, atlas):
    scenario = presets["authoritarian_partnerships"].model_copy(update={"sentence": "P6.2"})
    figure = json.loads(captioned_json(scenario, atlas, 1920, 1080))
    strong, faded = emphasis_state(figure)
    assert strong and faded
    assert strong <= expected_items("P6.2")
    plain = json.loads(
        captioned_json(scenario.model_copy(update={"sentence": None}), atlas, 1920, 1080)
    )
    assert emphasis_state(plain)[1] == set()  # without a sentence nothing is faded


def test_an_exported_sentence_keeps_the_europe_inset_and_emphasises_it_too(presets, atlas):
    """A world view's export of a sentence has its Europe inset, the inset's items emphasised
    and the rest faded as on the main map, its lines redrawn on the inset's own overlays."""
    scenario = presets["concept_diagram"].model_copy(update={"sentence": "P6.2"})
    figure = json.loads(captioned_json(scenario, atlas, 1920, 1080))
    assert "geo2" in figure["layout"]
    inset = {**figure, "data": [t for t in figure["data"] if t.get("geo") == "geo2"]}
    strong, faded = emphasis_state(inset)
    assert strong and faded
    assert strong <= expected_items("P6.2")
    overlays = [t for t in inset["data"] if (t.get("meta") or {}).get("kind") == "emphasis"]
    assert any(t.get("lon") for t in overlays)
    plain = scenario.model_copy(update={"sentence": None})
    assert "geo2" in json.loads(captioned_json(plain, atlas, 1920, 1080))["layout"]


@pytest.mark.browser
def test_export_sentence_writes_png_and_svg_in_both_languages(session, tmp_path):
    gloss = _glosses()["P6.2"]
    png = tmp_path / "p62.png"
    args = ["--scenario", "authoritarian_partnerships", "--sentence", "P6.2"]
    assert run_export([*args, "--out", str(png), "--size", "960x540"]) == 0
    image = Image.open(io.BytesIO(png.read_bytes()))
    assert image.format == "PNG" and image.size == (960, 540)
    for lang in ("ja", "en"):
        svg = tmp_path / f"p62.{lang}.svg"
        assert run_export([*args, "--lang", lang, "--out", str(svg)]) == 0
        text = _svg_text(svg.read_bytes())
        assert gloss["text_ja"][:30] in text
        assert ("Specifically, they include China" in text) is (lang == "en")
        assert "P6.2" in text


@pytest.mark.browser
def test_a_deck_by_sentence_has_a_slide_per_mapped_sentence_of_the_paragraph(
    session, tmp_path, article_text
):
    from pptx import Presentation

    deck_path = tmp_path / "p6.pptx"
    args = ["--deck", str(deck_path), "--scenario", "authoritarian_partnerships"]
    assert run_export([*args, "--by-sentence", "P6", "--size", "640x360"]) == 0
    deck = Presentation(str(deck_path))
    # P6 sentence by sentence (split at 。 here), each counted when a record quotes it
    sentences = [s + "。" for s in article_text.paragraphs[5].split("。") if s]
    quotes = _quotes_of_paragraph(6)
    mapped = [i for i, s in enumerate(sentences, 1) if any(q in s for q in quotes)]
    slides = _view_slides(deck)
    assert mapped and len(slides) == len(mapped)
    for slide, number in zip(slides, mapped, strict=True):
        assert slide.shapes.title.text.endswith(f"P6.{number}")
        notes = slide.notes_slide.notes_text_frame.text
        assert sentences[number - 1] in notes

    # a paragraph with an unmapped sentence: P2 has two sentences, one explained
    two = tmp_path / "p2.pptx"
    assert (
        run_export(
            [
                "--deck",
                str(two),
                "--scenario",
                "summit_outcomes",
                "--by-sentence",
                "2",
                "--size",
                "640x360",
            ]
        )
        == 0
    )
    p2 = [s + "。" for s in article_text.paragraphs[1].split("。") if s]
    expected = sum(any(q in s for q in _quotes_of_paragraph(2)) for s in p2)
    assert 0 < expected < len(p2)
    assert len(_view_slides(Presentation(str(two)))) == expected


def _view_slides(deck) -> list:
    """A deck's slides of views: those before the appendix (the passages cited, whose slides'
    titles say so), which comes last."""
    slides = list(deck.slides)
    appendix = [i for i, s in enumerate(slides) if s.shapes.title.text.startswith("付録")]
    assert appendix and appendix == list(range(appendix[0], len(slides)))
    return slides[: appendix[0]]


def test_the_state_of_a_dashboard_link_keeps_its_sentence(presets):
    from dashboard.export.command import _from_state

    scenario = _from_state(
        "http://127.0.0.1:8050/?scenario=threats_360&sentence=P5.1&read=1", presets
    )
    assert scenario.sentence == "P5.1" and scenario.id == "threats_360"


def test_an_untitled_view_of_a_sentence_is_titled_by_the_sentence(presets, atlas):
    """A dashboard link with a sentence and no preset (`?sentence=P12.1`) has no title of its
    own: the image is titled by the sentence, not by a dangling dash."""
    untitled = presets["authoritarian_partnerships"].model_copy(
        update={"sentence": "P12.1", "title_ja": "", "title_en": ""}
    )
    titled = presets["authoritarian_partnerships"].model_copy(update={"sentence": "P12.1"})
    for lang, word in (("ja", "本文の文"), ("en", "Sentence")):
        untitled_view, titled_view = (
            v.model_copy(update={"lang": lang}) for v in (untitled, titled)
        )
        title = captioned_figure(untitled_view, atlas).layout.title.text
        assert title == f"<b>{word} P12.1</b>"
        title = captioned_figure(titled_view, atlas).layout.title.text
        assert title == f"<b>{titled_view.title()} — P12.1</b>"


SVG = "{http://www.w3.org/2000/svg}"
# views whose legend is too tall for one column at the smallest font (a long subtitle and footer
# leave the map little height): they were cut off at the bottom of the slide
TALL_LEGENDS = [("en", "P6.2", (1920, 1080)), ("ja", "P12.3", (1440, 1080))]


def _translate(node: ET.Element) -> tuple[float, float]:
    match = re.search(r"translate\(([-\d.e]+),\s*([-\d.e]+)\)", node.get("transform") or "")
    return (float(match[1]), float(match[2])) if match else (0.0, 0.0)


def _drawn_legends(svg: bytes) -> list[dict]:
    """Each legend plotly drew: its box (x, y, width, height: what its clip path shows) and the
    y of each of its entries in the box, with their texts."""
    legends = []
    for legend in ET.fromstring(svg).iter(SVG + "g"):
        if not re.fullmatch(r"legend\d*", legend.get("class") or ""):
            continue
        x, y = _translate(legend)
        box = next(r for r in legend.iter(SVG + "rect") if r.get("class") == "bg")
        entries = []
        for groups in legend.iter(SVG + "g"):
            if groups.get("class") == "groups":
                for entry in groups.iter(SVG + "g"):
                    if entry.get("class") == "traces":
                        texts = "".join(entry.itertext())
                        entries.append((_translate(groups)[1] + _translate(entry)[1], texts))
        legends.append(
            {"x": x, "y": y, "width": float(box.get("width")), "height": float(box.get("height"))}
            | {"entries": entries}
        )
    return legends


@pytest.mark.parametrize(("lang", "sentence", "size"), TALL_LEGENDS)
def test_a_legend_too_tall_for_one_column_goes_in_two_with_its_groups_whole(
    presets, atlas, lang, sentence, size
):
    """The second column takes the last groups whole, in the legend's order."""
    scenario = presets["concept_diagram"].model_copy(update={"lang": lang, "sentence": sentence})
    figure = json.loads(captioned_json(scenario, atlas, *size))
    assert "legend2" in figure["layout"]
    shown = [t for t in figure["data"] if t.get("showlegend") is not False and t.get("name")]
    ranked = sorted(shown, key=lambda t: t.get("legendrank") or 1000)
    columns = [t.get("legend", "legend") for t in ranked]
    assert columns == sorted(columns) and {"legend", "legend2"} <= set(columns)
    groups = {}
    for trace in shown:
        groups.setdefault(trace.get("legendgroup"), set()).add(trace.get("legend", "legend"))
    assert all(len(legends) == 1 for legends in groups.values()), groups
    plain = presets["concept_diagram"].model_copy(update={"lang": lang})
    assert "legend2" not in json.loads(captioned_json(plain, atlas, 1920, 1080))["layout"]


def test_a_single_legend_group_too_tall_for_the_slide_is_still_laid_out():
    """One group cannot be split into columns: it keeps one (the map is still drawn)."""
    traces = [{"name": f"entry {n}", "legendgroup": "only"} for n in range(60)]
    legend = caption._place_legend(traces, 1920, 200, 2.0)
    assert legend.side in ("right", "bottom") and not legend.second_column


@pytest.mark.browser
@pytest.mark.parametrize(("lang", "sentence", "size"), TALL_LEGENDS)
def test_every_legend_entry_is_drawn_inside_the_legend(
    session, presets, atlas, lang, sentence, size
):
    """Rendered: every legend entry of the slide is inside its legend's box (none clipped at
    the bottom), the columns side by side without overlapping, above the footer."""
    scenario = presets["concept_diagram"].model_copy(update={"lang": lang, "sentence": sentence})
    svg = images.render(scenario, "svg", width=size[0], height=size[1], scale=1.0, atlas=atlas)
    legends = _drawn_legends(svg)
    figure = json.loads(captioned_json(scenario, atlas, *size))
    names = {
        line
        for t in figure["data"]
        if t.get("showlegend") is not False and t.get("name")
        for line in unescape(t["name"]).split("<br>")
    }
    drawn = "".join(text for legend in legends for _, text in legend["entries"])
    assert all(name in drawn for name in names)
    for legend in legends:
        assert max(y for y, _ in legend["entries"]) + 8 <= legend["height"]
    first, second = sorted(legends, key=lambda legend: legend["x"])  # two columns
    assert first["x"] + first["width"] <= second["x"]
    assert all(legend["y"] + legend["height"] <= _footer_top(svg) for legend in legends)


def _footer_top(svg: bytes) -> float:
    """The y of the top of the slide's footer (the annotation that starts with the source)."""
    for box in ET.fromstring(svg).iter(SVG + "g"):
        if box.get("class") == "cursor-pointer" and "".join(box.itertext()).startswith(
            ("Source", "出典")
        ):
            return _translate(box)[1]
    raise AssertionError("no footer drawn")
