"""The checks of `validate` that read the knowledge base sentence by sentence: every sentence
noted and either mapped or explained, every quote inside one sentence, every hedge verbatim in
its sentence, every paragraph and footnote cited or explained, every heading glossed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from geodata.article import Article
from geodata.coverage import quote_sentences, sentence_coverage, sentences_by_place
from geodata.knowledge import Citation, Knowledge
from geodata.records import cited_records
from geodata.sentences import (
    Sentence,
    has_japanese,
    place_id,
    split_sentences,
    unknown_sentence,
)
from geodata.yamlio import Path_

# (file key, YAML path, message) → a problem at that place
Report = Callable[[str, Path_, str], Any]


def sentence_problems(knowledge: Knowledge, article: Article, report: Report) -> Iterator[Any]:
    """Every problem of the sentence notes, the citations' quotes and hedges, and coverage."""
    sentences = split_sentences(article)
    yield from _notes(knowledge, sentences, report)
    yield from _citations(knowledge, sentences, report)
    yield from _coverage(knowledge, sentences, report)
    yield from _uncited_places(knowledge, article, sentences, report)
    yield from _headings(knowledge, article, report)


def _notes(knowledge: Knowledge, sentences: tuple[Sentence, ...], report: Report) -> Iterator[Any]:
    by_id = {s.id: s for s in sentences}
    counts = Counter(note.id for note in knowledge.sentences)
    for index, note in enumerate(knowledge.sentences):
        sentence = by_id.get(note.id)
        if counts[note.id] > 1:
            counts[note.id] = 0
            yield report("sentences", (index, "id"), f"sentence {note.id} is noted twice")
        if sentence is None:
            yield report("sentences", (index, "id"), unknown_sentence(note.id, by_id))
        elif note.text_ja != sentence.text:
            yield report(
                "sentences",
                (index, "text_ja"),
                f"text_ja of {note.id} is not the article's sentence {note.id}: "
                f"copy it exactly ({_short(sentence.text)!r})",
            )
    for sentence in sentences:
        if sentence.id not in counts:
            yield report(
                "sentences",
                (),
                f"sentence {sentence.id} has no note: add "
                f"{{id: {sentence.id}, text_ja: {_short(sentence.text)}, gloss_en: …}}",
            )


def _citations(
    knowledge: Knowledge, sentences: tuple[Sentence, ...], report: Report
) -> Iterator[Any]:
    places = sentences_by_place(sentences)
    for item in cited_records(knowledge):
        for ci, citation in enumerate(item.record.citations):
            path = (*item.path, "citations", ci)
            found = quote_sentences(citation, places)
            if len({s.place for s, _ in found}) == 1 and len(found) > 1:
                ids = " and ".join(s.id for s, _ in found)
                yield report(
                    item.file_key,
                    (*path, "quote_ja"),
                    f"quote_ja is in {ids}: quote a longer span, so it points at one sentence",
                )
            if not found:
                spanned = _spanned(citation, places)
                if spanned:
                    yield report(
                        item.file_key,
                        (*path, "quote_ja"),
                        f"quote_ja runs across sentences {' and '.join(spanned)}: "
                        "cite each sentence's part on its own",
                    )
            yield from _hedge(item.file_key, path, citation, [s for s, _ in found], report)


def _spanned(citation: Citation, places: dict[str, list[Sentence]]) -> list[str]:
    """The sentences a quote overlaps without lying in one (a quote across a sentence end)."""
    for place in ([place_id(paragraph=citation.paragraph)] if citation.paragraph else []) + [
        place_id(footnote=n) for n in citation.footnotes
    ]:
        group = places.get(place, [])
        if not group:
            continue
        text = _place_text(group)
        at = text.find(citation.quote_ja)
        if at < 0:
            continue
        end = at + len(citation.quote_ja)
        overlapped = [s.id for s in group if s.start < end and at < s.end]
        if overlapped:
            return overlapped
    return []


def _place_text(group: list[Sentence]) -> str:
    """The text of a paragraph or footnote as far as its sentences reach (gaps as spaces)."""
    text = [" "] * max(s.end for s in group)
    for sentence in group:
        text[sentence.start : sentence.end] = sentence.text
    return "".join(text)


def _hedge(
    key: str, path: Path_, citation: Citation, found: list[Sentence], report: Report
) -> Iterator[Any]:
    if citation.modality == "asserted":
        if citation.hedge_ja:
            yield report(
                key,
                (*path, "hedge_ja"),
                "hedge_ja on an asserted citation: give the modality the hedge expresses "
                "(assessed, projected or recommended) or drop hedge_ja",
            )
        return
    if not citation.hedge_ja:
        yield report(
            key,
            (*path, "modality"),
            f"modality {citation.modality!r} needs hedge_ja: the article's words it rests on "
            "(e.g. と見られる, であろう, べき), verbatim from the quote's sentence",
        )
        return
    if not found:
        yield report(
            key,
            (*path, "hedge_ja"),
            "hedge_ja cannot be checked: the quote lies in no sentence of the cited places "
            "(a footnote's cited work is asserted)",
        )
    elif not any(citation.hedge_ja in sentence.text for sentence in found):
        yield report(
            key,
            (*path, "hedge_ja"),
            f"hedge_ja {citation.hedge_ja!r} is not in the quote's sentence "
            f"{found[0].id} ({_short(found[0].text)!r})",
        )


def _coverage(
    knowledge: Knowledge, sentences: tuple[Sentence, ...], report: Report
) -> Iterator[Any]:
    index_of = {note.id: i for i, note in enumerate(knowledge.sentences)}
    for row in sentence_coverage(knowledge, sentences):
        sid = row.sentence.id
        where = (index_of[sid],) if sid in index_of else ()
        if row.status == "neither" and sid in index_of:
            yield report(
                "sentences",
                (*where, "reason"),  # a blank reason's line, else the note's
                f"sentence {sid} is neither mapped nor explained: cite it from a record "
                "(a quote_ja in it) or give the reason it maps to nothing",
            )
        if row.records and (row.reason or "").strip():
            yield report(
                "sentences",
                (*where, "reason"),
                f"sentence {sid} is mapped (by {', '.join(row.records[:3])}…): drop its reason"
                if len(row.records) > 3
                else f"sentence {sid} is mapped (by {', '.join(row.records)}): drop its reason",
            )


def _uncited_places(
    knowledge: Knowledge, article: Article, sentences: tuple[Sentence, ...], report: Report
) -> Iterator[Any]:
    cited_paragraphs: set[int] = set()
    cited_footnotes: set[int] = set()
    for item in cited_records(knowledge):
        for citation in item.record.citations:
            if citation.paragraph is not None:
                cited_paragraphs.add(citation.paragraph)
            cited_footnotes.update(citation.footnotes)
    reasons = {note.id: (note.reason or "").strip() for note in knowledge.sentences}
    for number in range(1, len(article.paragraphs) + 1):
        own = [s for s in sentences if s.paragraph == number]
        if number not in cited_paragraphs and not all(reasons.get(s.id) for s in own):
            yield report(
                "sentences",
                (),
                f"paragraph P{number} is cited by no record: cite it, or give each of its "
                "sentences a reason",
            )
    for index, footnote in enumerate(knowledge.footnotes):
        explained = bool((footnote.reason or "").strip())
        if footnote.number not in cited_footnotes and not explained:
            yield report(
                "footnotes",
                (index, "number"),
                f"footnote {footnote.number} is cited by no record: cite it (footnotes: "
                f"[{footnote.number}]) or give the reason nothing does",
            )
        elif footnote.number in cited_footnotes and explained:
            yield report(
                "footnotes",
                (index, "reason"),
                f"footnote {footnote.number} is cited by a record: drop its reason",
            )


# the lines of the article outside its paragraphs and footnotes that a reader needs in English
GLOSSED_BLOCKS = ("heading", "caption", "source", "end")


def _headings(knowledge: Knowledge, article: Article, report: Report) -> Iterator[Any]:
    """Every heading, caption, source line and end note with Japanese in it has one note in
    headings.yaml, and every note is one of those lines verbatim."""
    lines = [b.text for b in article.blocks if b.kind in GLOSSED_BLOCKS and has_japanese(b.text)]
    seen: set[str] = set()
    for index, note in enumerate(knowledge.headings):
        if note.text_ja not in lines:
            yield report(
                "headings",
                (index, "text_ja"),
                f"text_ja {_short(note.text_ja)!r} is not a heading, caption or note of the "
                "article: copy the line exactly",
            )
        elif note.text_ja in seen:
            yield report(
                "headings", (index, "text_ja"), f"{_short(note.text_ja)!r} is glossed twice"
            )
        seen.add(note.text_ja)
    for line in lines:
        if line not in seen:
            yield report(
                "headings", (), f"the line {_short(line)!r} has no gloss: add {{text_ja, gloss_en}}"
            )


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
