"""Which records each sentence of the article supports, through the quotes their citations make.

A sentence is *mapped* when a citation's quote lies in it, *explained* when it maps to nothing
and its note in sentences.yaml gives the reason, and neither otherwise (which `validate` refuses).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from geodata.knowledge import Citation, Knowledge, Modality
from geodata.records import cited_records
from geodata.sentences import Sentence, place_id

Status = Literal["mapped", "explained", "neither"]
STATUSES: tuple[Status, ...] = ("mapped", "explained", "neither")


@dataclass(frozen=True)
class QuoteSpan:
    """A record's quote inside one sentence; offsets are the sentence's (`text[start:end]`), and
    so are the hedge's, when the citation names one."""

    record: str
    kind: str
    start: int
    end: int
    modality: Modality
    hedge_ja: str | None = None
    hedge_start: int | None = None

    def as_json(self) -> dict[str, Any]:
        hedge_end = (
            None if self.hedge_start is None else self.hedge_start + len(self.hedge_ja or "")
        )
        return {
            "record": self.record,
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "modality": self.modality,
            "hedge_ja": self.hedge_ja,
            "hedge_start": self.hedge_start,
            "hedge_end": hedge_end,
        }


@dataclass(frozen=True)
class SentenceCoverage:
    """One sentence, its gloss and what it supports (or why it supports nothing)."""

    sentence: Sentence
    gloss_en: str | None
    reason: str | None
    records: tuple[str, ...]
    quotes: tuple[QuoteSpan, ...]

    @property
    def status(self) -> Status:
        if self.records:
            return "mapped"
        return "explained" if (self.reason or "").strip() else "neither"

    def as_json(self) -> dict[str, Any]:
        s = self.sentence
        return {
            "id": s.id,
            "paragraph": s.place,
            "text_ja": s.text,
            "gloss_en": self.gloss_en,
            "records": list(self.records),
            "reason": self.reason,
            "status": self.status,
            "start": s.start,
            "end": s.end,
            "quotes": [q.as_json() for q in self.quotes],
        }


def sentences_by_place(sentences: Iterable[Sentence]) -> dict[str, list[Sentence]]:
    """Sentences grouped by paragraph or footnote ("P6", "fn15"), in order."""
    places: dict[str, list[Sentence]] = defaultdict(list)
    for sentence in sentences:
        places[sentence.place].append(sentence)
    return places


def quote_sentences(
    citation: Citation, places: dict[str, list[Sentence]]
) -> list[tuple[Sentence, int]]:
    """The sentences that hold the citation's quote, each with the quote's offset in it: those
    of the cited paragraph, else of the cited footnotes' comments. Empty when the quote is in no
    sentence (a footnote's cited work, or a quote across a sentence end)."""
    paragraph = [place_id(paragraph=citation.paragraph)] if citation.paragraph else []
    footnotes = [place_id(footnote=n) for n in citation.footnotes]
    for group in (paragraph, footnotes):
        found = [
            (sentence, sentence.text.index(citation.quote_ja))
            for place in group
            for sentence in places.get(place, ())
            if citation.quote_ja in sentence.text
        ]
        if found:
            return found
    return []


def sentence_coverage(
    knowledge: Knowledge, sentences: Sequence[Sentence]
) -> tuple[SentenceCoverage, ...]:
    """Every sentence with its note and the records whose citations quote it, in article order."""
    places = sentences_by_place(sentences)
    quotes: dict[str, list[QuoteSpan]] = defaultdict(list)
    for item in cited_records(knowledge):
        for citation in item.record.citations:
            for sentence, start in quote_sentences(citation, places):
                hedge = citation.hedge_ja
                quotes[sentence.id].append(
                    QuoteSpan(
                        item.id,
                        item.kind,
                        start,
                        start + len(citation.quote_ja),
                        citation.modality,
                        hedge,
                        sentence.text.find(hedge) if hedge and hedge in sentence.text else None,
                    )
                )
    notes = {note.id: note for note in knowledge.sentences}
    rows = []
    for sentence in sentences:
        note = notes.get(sentence.id)
        spans = tuple(sorted(quotes[sentence.id], key=lambda q: (q.start, q.end, q.record)))
        rows.append(
            SentenceCoverage(
                sentence,
                note.gloss_en if note else None,
                note.reason if note else None,
                tuple(dict.fromkeys(q.record for q in spans)),
                spans,
            )
        )
    return tuple(rows)


def coverage_json(rows: Iterable[SentenceCoverage]) -> list[dict[str, Any]]:
    """The coverage as JSON-ready dicts: {id, paragraph, text_ja, gloss_en, records, reason, …}."""
    return [row.as_json() for row in rows]


def summary(rows: Iterable[SentenceCoverage]) -> dict[str, dict[Status, int]]:
    """Per paragraph or footnote (in article order), how many sentences are mapped, explained,
    or neither."""
    counts: dict[str, dict[Status, int]] = {}
    for row in rows:
        place = counts.setdefault(row.sentence.place, dict.fromkeys(STATUSES, 0))
        place[row.status] += 1
    return counts


def coverage_text(rows: Sequence[SentenceCoverage]) -> str:
    """A plain-text report: each sentence with its gloss and records (or reason), then the
    per-paragraph summary."""
    lines = []
    for row in rows:
        s = row.sentence
        lines += [f"{s.id}  [{row.status}]", f"  ja: {s.text}", f"  en: {row.gloss_en or '—'}"]
        if row.records:
            lines.append(f"  records: {', '.join(_record_labels(row.quotes))}")
        if row.reason:
            lines.append(f"  reason: {row.reason}")
        lines.append("")
    counts = summary(rows)
    header = f"{'place':<8}{'sentences':>10}{'mapped':>8}{'explained':>11}{'neither':>9}"
    lines += ["summary", header]
    totals = dict.fromkeys(STATUSES, 0)
    for place, count in counts.items():
        lines.append(_summary_line(place, count))
        for status in STATUSES:
            totals[status] += count[status]
    lines.append(_summary_line("total", totals))
    return "\n".join(lines) + "\n"


def _summary_line(place: str, count: dict[Status, int]) -> str:
    mapped, explained, neither = (count[s] for s in STATUSES)
    total = mapped + explained + neither
    return f"{place:<8}{total:>10}{mapped:>8}{explained:>11}{neither:>9}"


def _record_labels(quotes: Iterable[QuoteSpan]) -> list[str]:
    """Each record once, with the modalities it quotes this sentence with unless it only
    asserts."""
    modalities: dict[str, list[str]] = {}
    for quote in quotes:
        seen = modalities.setdefault(quote.record, [])
        if quote.modality not in seen:
            seen.append(quote.modality)
    return [r if m == ["asserted"] else f"{r} ({', '.join(m)})" for r, m in modalities.items()]
