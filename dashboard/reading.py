"""The reading panel as plain data: the whole article in reading order (headings, paragraphs, the
figure's caption, the footnotes), every sentence with its id, its English gloss, whether it
puts anything on the map (or why not) and the quotes records make in it, marked by layer and by
how certain the article is (hedges named); the details of a picked sentence; and the index the
page links the text and the map with, both ways.

The panel does not depend on the view, only on the language: it is built once per language.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dashboard.details import item_name, roles_of, source_line
from dashboard.figures.emphasis import record_items, sentence_coverage_of, sentence_items
from dashboard.i18n import t
from geodata.article import ARTICLE_DATE, ARTICLE_TITLE_EN
from geodata.atlas import Atlas, derived
from geodata.coverage import QuoteSpan, SentenceCoverage
from geodata.records import cited_records
from geodata.scenario import LANGS
from geodata.select import grouping_layer

FOOTNOTE_REF = re.compile(r"\[(\d+)\]")
# the layer whose colour marks a quote, by the kind of record that makes it (the others: their
# own layer, see record_layer); an actor is in no layer
KIND_LAYERS = {
    "actor": "base",
    "event": "events",
    "threat": "threats",
    "region": "threats",
    "domain": "threats",
    "attribution": "threats",
}
# what a click on a record of a sentence shows the details of: the record itself, or for its
# parts the item that lists them (a membership's state, an inclusion's grouping, a domain)
DETAILED_KINDS = ("actor", "grouping", "region", "threat", "domain", "relation", "event")


@dataclass(frozen=True)
class Mark:
    """A record's quote over a piece of a sentence."""

    record: str
    layer: str
    modality: str
    title: str


@dataclass(frozen=True)
class Segment:
    """A piece of a sentence and what lies over it: the quotes (longest first), a hedge (its
    modality and what it means), a footnote reference (its number and the footnote's works)."""

    text: str
    marks: tuple[Mark, ...] = ()
    hedge: tuple[str, str] | None = None
    footnote: tuple[int, str] | None = None


@dataclass(frozen=True)
class SentenceText:
    """One sentence as the panel shows it."""

    id: str
    status: str  # mapped | explained | neither
    segments: tuple[Segment, ...]
    gloss_en: str
    title: str  # what a pointer over it shows: the reason it maps to nothing, the Japanese


@dataclass(frozen=True)
class Passage:
    """One block of the article: a heading, a paragraph (its sentences), the figure, the date,
    an end note or a footnote (its text: works as plain text, comments as sentences)."""

    kind: str
    text: str
    gloss: str = ""
    place: str = ""  # P6, fn9: the element's id is article-<place>
    pieces: tuple[SentenceText | str, ...] = ()


@dataclass(frozen=True)
class ArticleView:
    """The whole panel body in one language."""

    lang: str
    title: str
    passages: tuple[Passage, ...]
    footnotes: tuple[Passage, ...]


@dataclass(frozen=True)
class SentenceRecord:
    """A record a picked sentence supports, as the details panel names it."""

    record: str  # its id; for a grouping's members in the same quote, "nato/*"
    name: str
    layer: str
    target: str | None  # the item whose details a click shows (none for a topic)
    shown: bool  # drawn on the view's map


@dataclass(frozen=True)
class SentenceQuote:
    """A quote of a picked sentence and the records that make it."""

    text: str
    modality: str
    hedge_ja: str | None
    records: tuple[SentenceRecord, ...]


@dataclass(frozen=True)
class SentenceDetails:
    """The details panel of a picked sentence: its text, its gloss, and its quotes (in the
    sentence's order) with the records each puts on the map."""

    id: str
    text_ja: str
    gloss_en: str
    count_line: str
    empty_line: str | None
    quotes: tuple[SentenceQuote, ...]
    lang: str


# --- records: their names, kinds and layers ------------------------------------------------------


class _Records:
    """Each cited record's kind and the layer that draws it (made once per atlas)."""

    def __init__(self, atlas: Atlas) -> None:
        self.kinds = {item.id: item.kind for item in cited_records(atlas.knowledge)}
        groupings = {g.id: grouping_layer(g.status, g.camp) for g in atlas.knowledge.groupings}
        relations = dict(zip(atlas.relations.id, atlas.relations.layer, strict=True))
        topics = {topic.id: topic.layer for topic in atlas.knowledge.topics}
        self.layers: dict[str, str] = {}
        for record_id, kind in self.kinds.items():
            parent = record_id.split("/")[0]
            if kind in ("grouping", "membership", "inclusion"):
                self.layers[record_id] = groupings[parent]
            elif kind == "relation":
                self.layers[record_id] = relations[record_id]
            elif kind == "topic":
                self.layers[record_id] = topics[record_id]
            else:
                self.layers[record_id] = KIND_LAYERS.get(kind, "base")


def _records(atlas: Atlas) -> _Records:
    return derived(atlas, _Records)


def article_records(atlas: Atlas) -> tuple[str, ...]:
    """The id of every record the article's sentences can support (every cited record)."""
    return tuple(_records(atlas).kinds)


def record_kind(atlas: Atlas, record_id: str) -> str:
    """actor, grouping, membership, inclusion, domain, attribution, relation, … ("" if none)."""
    return _records(atlas).kinds.get(record_id, "")


def record_layer(atlas: Atlas, record_id: str) -> str:
    """The layer whose colour marks a record's quotes ("base" for an actor)."""
    return _records(atlas).layers.get(record_id, "base")


def record_name(atlas: Atlas, record_id: str, lang: str) -> str:
    """A record's name: its own, or for a part "NATO: Germany", "Cyber: China"."""
    if "/" not in record_id:
        return item_name(atlas, record_id, lang)
    parent, child = record_id.split("/")
    separator = ":" if lang == "ja" else ": "
    return f"{item_name(atlas, parent, lang)}{separator}{item_name(atlas, child, lang)}"


def record_target(atlas: Atlas, record_id: str) -> str | None:
    """The item whose details show a record (a part's: its state, grouping or domain)."""
    kind = record_kind(atlas, record_id)
    if kind in DETAILED_KINDS:
        return record_id
    if kind == "membership":
        return record_id.split("/")[1]
    if kind in ("inclusion", "attribution"):
        return record_id.split("/")[0]
    return None


def modality_word(modality: str, lang: str) -> str:
    """How sure the article is, in the words of the certainty control and the details' badges."""
    return t(f"modality.{modality}", lang)


def layer_key(layer: str) -> str:
    """The string key of a layer's name in the panel (the actors' "base": states)."""
    return "read.layer_base" if layer == "base" else f"layer.{layer}"


def _mark_title(atlas: Atlas, quote: QuoteSpan, lang: str) -> str:
    layer = record_layer(atlas, quote.record)
    parts = [
        record_name(atlas, quote.record, lang),
        t(f"role.{quote.kind}", lang),
        t(layer_key(layer), lang),
        modality_word(quote.modality, lang),
    ]
    return " · ".join(parts)


# --- a sentence in pieces ------------------------------------------------------------------------


def segments(atlas: Atlas, row: SentenceCoverage, lang: str) -> tuple[Segment, ...]:
    """The sentence cut wherever a quote, a hedge or a footnote reference starts or ends."""
    text = row.sentence.text
    hedges = [
        (q.hedge_start, q.hedge_start + len(q.hedge_ja), q.modality, q.hedge_ja)
        for q in row.quotes
        if q.hedge_ja and q.hedge_start is not None
    ]
    refs = [(m.start(), m.end(), int(m[1])) for m in FOOTNOTE_REF.finditer(text)]
    cuts = {0, len(text)}
    for quote in row.quotes:
        cuts |= {quote.start, quote.end}
    for start, end, *_ in (*hedges, *refs):
        cuts |= {start, end}
    footnotes = {f.number: f for f in atlas.knowledge.footnotes}
    # longest first: a quote inside another is marked inside it
    ordered = sorted(row.quotes, key=lambda q: (q.start - q.end, q.start, q.record))
    titles = {q.record: _mark_title(atlas, q, lang) for q in row.quotes}
    pieces = []
    bounds = sorted(cuts)
    for start, end in itertools.pairwise(bounds):
        seen: dict[str, Mark] = {}
        for quote in ordered:
            if quote.start <= start and end <= quote.end and quote.record not in seen:
                layer = record_layer(atlas, quote.record)
                seen[quote.record] = Mark(quote.record, layer, quote.modality, titles[quote.record])
        hedge = next(
            (
                (
                    modality,
                    t("read.hedge", lang, words=words, modality=modality_word(modality, lang)),
                )
                for h_start, h_end, modality, words in hedges
                if h_start <= start and end <= h_end
            ),
            None,
        )
        ref = next(
            ((n, source_line(footnotes.get(n))) for s, e, n in refs if s <= start and end <= e),
            None,
        )
        pieces.append(Segment(text[start:end], tuple(seen.values()), hedge, ref))
    return tuple(pieces)


def sentence_text(atlas: Atlas, row: SentenceCoverage, lang: str) -> SentenceText:
    """A sentence for the panel, with what a pointer over it shows."""
    title = ""
    if row.status != "mapped":
        title = t("read.unmapped", lang, reason=row.reason or "—")
    if lang == "en":
        original = t("read.original", lang, text=row.sentence.text)
        title = f"{original}\n{title}".strip()
    return SentenceText(
        row.sentence.id, row.status, segments(atlas, row, lang), row.gloss_en or "", title
    )


# --- the article ---------------------------------------------------------------------------------


def article_view(atlas: Atlas, lang: str) -> ArticleView:
    """The panel's body in one language (the same object for the same atlas and language)."""
    return derived(atlas, _build_articles)[lang if lang in LANGS else "ja"]


def _build_articles(atlas: Atlas) -> dict[str, ArticleView]:
    return {lang: _build_article(atlas, lang) for lang in LANGS}


def _build_article(atlas: Atlas, lang: str) -> ArticleView:
    article = atlas.article
    glosses = {h.text_ja: h.gloss_en for h in atlas.knowledge.headings}
    rows = _rows_by_place(atlas)
    passages = []
    for block in article.blocks:
        if block.kind == "paragraph":
            place = f"P{block.paragraph}"
            pieces = tuple(sentence_text(atlas, row, lang) for row in rows.get(place, ()))
            passages.append(Passage("paragraph", block.text, place=place, pieces=pieces))
        else:
            passages.append(Passage(block.kind, block.text, glosses.get(block.text, "")))
    footnotes = []
    for number, text in sorted(article.footnotes.items()):
        place = f"fn{number}"
        footnotes.append(
            Passage(
                "footnote",
                text,
                place=place,
                pieces=_footnote_pieces(atlas, text, rows.get(place, ()), lang),
            )
        )
    date = ARTICLE_DATE.replace("-", "/")
    title = t("read.title", lang, title=ARTICLE_TITLE_EN, date=date)
    return ArticleView(lang, title, tuple(passages), tuple(footnotes))


def _rows_by_place(atlas: Atlas) -> dict[str, list[SentenceCoverage]]:
    places: dict[str, list[SentenceCoverage]] = {}
    for note in atlas.knowledge.sentences:
        row = sentence_coverage_of(atlas, note.id)
        if row is not None:
            places.setdefault(row.sentence.place, []).append(row)
    return places


def _footnote_pieces(
    atlas: Atlas, text: str, rows: Iterable[SentenceCoverage], lang: str
) -> tuple[SentenceText | str, ...]:
    """A footnote's text: the works it cites as plain text, its comments as sentences."""
    pieces: list[SentenceText | str] = []
    at = 0
    for row in sorted(rows, key=lambda r: r.sentence.start):
        if row.sentence.start > at:
            pieces.append(text[at : row.sentence.start])
        pieces.append(sentence_text(atlas, row, lang))
        at = row.sentence.end
    if at < len(text):
        pieces.append(text[at:])
    return tuple(pieces)


# --- the index the page links text and map with ---------------------------------------------------


def article_index(atlas: Atlas) -> dict[str, Any]:
    """For the page's script (assets/atlas.js), the same in every language and view:

    - `sentences`: each sentence's map items (what picking it emphasises);
    - `cited`: for each item a click on the map or a row can name, the sentences that cite one
      of its records, in article order: those that put it on the map (so every sentence whose
      pick emphasises an item is found by a click on it) and those of its roles in the details
      panel (a country's memberships, the links and events it takes part in, …);
    - `marks`: for each such item, those records (whose quotes a click on it highlights).
    """
    return derived(atlas, _build_index)


def _build_index(atlas: Atlas) -> dict[str, Any]:
    notes = atlas.knowledge.sentences
    sentences = {note.id: list(sentence_items(atlas, note.id)) for note in notes}
    cited_by: dict[str, list[str]] = {}
    for note in notes:
        row = sentence_coverage_of(atlas, note.id)
        for record in row.records if row else ():
            cited_by.setdefault(record, []).append(note.id)
    drawing: dict[str, list[str]] = {}
    for record in cited_by:
        for item in record_items(atlas, record):
            drawing.setdefault(item, []).append(record)
    cited: dict[str, list[str]] = {}
    marks: dict[str, list[str]] = {}
    for item in dict.fromkeys([*clickable_items(atlas), *drawing]):
        roles = [r for role in roles_of(atlas, item, "en") for r in role.records]
        records = [r for r in dict.fromkeys([*drawing.get(item, ()), *roles]) if r in cited_by]
        if records:
            marks[item] = records
            found = {sid for r in records for sid in cited_by[r]}
            cited[item] = [note.id for note in notes if note.id in found]
    return {"sentences": sentences, "cited": cited, "marks": marks}


def clickable_items(atlas: Atlas) -> list[str]:
    """Every id a click on the map or a row can name: the states a layer can draw, and every
    grouping, region, threat, link, event and domain."""
    kb = atlas.knowledge
    states = {*atlas.memberships["iso3"], *(actor.id for actor in kb.actors)}
    kinds = (kb.groupings, kb.regions, kb.threats, kb.relations, kb.events, kb.domains)
    return sorted(states) + [record.id for records in kinds for record in records]


# --- the details of a picked sentence ---------------------------------------------------------


def sentence_details(
    atlas: Atlas, sentence_id: str, lang: str, drawn: frozenset[str]
) -> SentenceDetails | None:
    """What a sentence supports, quote by quote, and whether the view's map draws each record
    (`drawn`: the items it draws); None for an id that is not the article's."""
    row = sentence_coverage_of(atlas, sentence_id)
    if row is None:
        return None
    groups: dict[tuple[int, int], list[QuoteSpan]] = {}
    for quote in row.quotes:
        groups.setdefault((quote.start, quote.end), []).append(quote)
    quotes = []
    for (start, end), spans in groups.items():
        records = _records_of_quote(atlas, [span.record for span in spans], lang, drawn)
        first = spans[0]
        quotes.append(
            SentenceQuote(row.sentence.text[start:end], first.modality, first.hedge_ja, records)
        )
    shown = {r for r in row.records if drawn.intersection(record_items(atlas, r))}
    count = t("read.details_count", lang, count=len(row.records), shown=len(shown))
    empty = None if quotes else t("read.unmapped", lang, reason=row.reason or "—")
    return SentenceDetails(
        sentence_id, row.sentence.text, row.gloss_en or "", count, empty, tuple(quotes), lang
    )


def _records_of_quote(
    atlas: Atlas, record_ids: list[str], lang: str, drawn: frozenset[str]
) -> tuple[SentenceRecord, ...]:
    """The records of one quote, each once; the members of one grouping as one ("NATO: 29
    states", its details those of the grouping)."""
    unique = list(dict.fromkeys(record_ids))
    members: dict[str, list[str]] = {}
    for record_id in unique:
        if record_kind(atlas, record_id) == "membership":
            members.setdefault(record_id.split("/")[0], []).append(record_id)
    records = []
    for record_id in unique:
        grouping = record_id.split("/")[0]
        group = members.get(grouping, [])
        if len(group) > 1 and record_id in group:
            if record_id == group[0]:
                name = t(
                    "read.members", lang, name=item_name(atlas, grouping, lang), count=len(group)
                )
                items = {item for member in group for item in record_items(atlas, member)}
                layer = record_layer(atlas, record_id)
                records.append(
                    SentenceRecord(f"{grouping}/*", name, layer, grouping, bool(drawn & items))
                )
            continue
        records.append(
            SentenceRecord(
                record_id,
                record_name(atlas, record_id, lang),
                record_layer(atlas, record_id),
                record_target(atlas, record_id),
                bool(drawn.intersection(record_items(atlas, record_id))),
            )
        )
    return tuple(records)
