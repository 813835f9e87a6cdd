"""A view of one sentence of the article, exported: its map with the sentence's items emphasised
(dashboard.figures.emphasis), the sentence as the image's subtitle (Japanese, with its English
gloss in English), its citation in the footer, and the views of a deck made sentence by
sentence (`--by-sentence P6`: one per mapped sentence of the paragraph)."""

from __future__ import annotations

import re
from typing import Any

from dashboard.details import source_line
from dashboard.figures.emphasis import emphasized, sentence_coverage_of, sentence_items
from dashboard.i18n import t
from geodata.atlas import Atlas
from geodata.scenario import Scenario
from geodata.sentences import SENTENCE_ID

FOOTNOTE_MARK = re.compile(r"\[(\d+)\]")
PLACE = re.compile(r"^(?:P(?P<paragraph>[1-9]\d?)|fn(?P<footnote>[1-9]\d?))$")


def text_lang(scenario: Scenario) -> str:
    """The language whose glyphs an image needs: Japanese for any view of a sentence (its
    subtitle quotes the article)."""
    return "ja" if scenario.sentence else scenario.lang


def subtitle(scenario: Scenario, atlas: Atlas) -> list[str]:
    """The subtitle's paragraphs for a view of a sentence: the sentence in Japanese, then (in
    English) its gloss; empty for a view without one."""
    row = sentence_coverage_of(atlas, scenario.sentence or "")
    if row is None:
        return []
    sentence = row.sentence
    lines = [f"{sentence.id}「{sentence.text}」"]
    if scenario.lang == "en" and row.gloss_en:
        lines.append(f"“{row.gloss_en}”")
    return lines


def citation(scenario: Scenario, atlas: Atlas) -> list[str]:
    """The footer's citation of a view's sentence: where it is in the article, and the works of
    the footnotes it cites (each a part kept whole on a line where it fits)."""
    row = sentence_coverage_of(atlas, scenario.sentence or "")
    if row is None:
        return []
    lang = scenario.lang
    sentence = row.sentence
    if sentence.paragraph is not None:
        where = t("export.sentence", lang, id=sentence.id, n=sentence.paragraph)
    else:
        where = t("export.sentence_footnote", lang, id=sentence.id, n=sentence.footnote)
    footnotes = {f.number: f for f in atlas.knowledge.footnotes}
    cited = [int(n) for n in dict.fromkeys(FOOTNOTE_MARK.findall(sentence.text))]
    if sentence.footnote is not None:
        cited = [sentence.footnote, *(n for n in cited if n != sentence.footnote)]
    works = [
        t("export.sentence_source", lang, n=n, source=source_line(footnotes.get(n)))
        for n in cited
        if footnotes.get(n) is not None and footnotes[n].sources
    ]
    return [where, *works]


def emphasize(figure_json: dict[str, Any], scenario: Scenario, atlas: Atlas) -> dict[str, Any]:
    """A captioned figure (as JSON data) with its view's sentence emphasised (as it is)."""
    if not scenario.sentence:
        return figure_json
    return emphasized(figure_json, sentence_items(atlas, scenario.sentence))


def mapped_sentences(place: str, atlas: Atlas) -> list[str]:
    """The ids of the mapped sentences of a paragraph or footnote ("P6", "6" or "fn23"), in
    order; ValueError naming the places there are when it is none of them."""
    place = place.strip()
    if place.isdigit():
        place = f"P{place}"
    if not PLACE.match(place):
        raise ValueError(
            f"--by-sentence takes a paragraph or footnote such as P6 or fn23, not {place!r}"
        )
    ids = [
        note.id
        for note in atlas.knowledge.sentences
        if (match := SENTENCE_ID.match(note.id)) and match["place"] == place
    ]
    if not ids:
        places = dict.fromkeys(note.id.split(".")[0] for note in atlas.knowledge.sentences)
        raise ValueError(
            f"the article has no sentences in {place}; the places with sentences are "
            + ", ".join(places)
        )
    return [sid for sid in ids if (row := sentence_coverage_of(atlas, sid)) and row.records]


def sentence_views(base: Scenario, place: str, atlas: Atlas) -> list[Scenario]:
    """`base` once for each mapped sentence of a paragraph or footnote (see mapped_sentences)."""
    return [base.model_copy(update={"sentence": sid}) for sid in mapped_sentences(place, atlas)]


def slide_notes(scenario: Scenario, atlas: Atlas) -> list[str]:
    """A slide's notes on its sentence: the sentence, its gloss, and each record it supports
    with its quote (what the map emphasises)."""
    row = sentence_coverage_of(atlas, scenario.sentence or "")
    if row is None:
        return []
    lines = [f"Sentence {row.sentence.id}: 「{row.sentence.text}」"]
    if row.gloss_en:
        lines.append(f"  {row.gloss_en}")
    if not row.quotes:
        lines.append(f"  Maps to nothing: {row.reason or ''}")
    for quote in row.quotes:
        text = row.sentence.text[quote.start : quote.end]
        hedge = f" (hedged: {quote.hedge_ja})" if quote.hedge_ja else ""
        lines.append(f"  • {quote.record} [{quote.kind}, {quote.modality}]{hedge}: 「{text}」")
    return [*lines, ""]
