"""The article's sentences: body paragraphs and the footnotes' own comments, with stable ids.

A body paragraph P6 splits at "。" into P6.1, P6.2, …; a footnote's comment (its Japanese text,
not the works it cites) into fn15.1, …. Each sentence keeps its offsets in its place's text, so a
reader can mark it (and the quotes inside it) in the paragraph or footnote.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from geodata.article import Article, load_article

SENTENCE_ID = re.compile(r"^(?P<place>P(?P<paragraph>\d+)|fn(?P<footnote>\d+))\.(?P<number>\d+)$")
SENTENCE_END = "。"
# kana and kanji: where a footnote's Japanese comment starts after a cited work
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
# the end of a cited work that another comment follows: "…, June 23, 2020; また、…"
_WORK_SEPARATOR = "; "


@dataclass(frozen=True)
class Sentence:
    """One sentence of the article and where it is: `text == place_text[start:end]`."""

    id: str
    paragraph: int | None
    footnote: int | None
    number: int
    text: str
    start: int
    end: int

    @property
    def place(self) -> str:
        """The paragraph or footnote it belongs to: "P6" or "fn15"."""
        return self.id.split(".")[0]


def place_id(paragraph: int | None = None, footnote: int | None = None) -> str:
    """ "P6" for a paragraph, "fn15" for a footnote."""
    return f"P{paragraph}" if paragraph is not None else f"fn{footnote}"


def unknown_sentence(sentence_id: str, known: Iterable[str]) -> str:
    """Why `sentence_id` names no sentence among the `known` ids, with the ids its place has
    ("unknown sentence id P6.9: P6 has sentences P6.1…P6.3")."""
    match = SENTENCE_ID.match(sentence_id)
    place = match["place"] if match else sentence_id.split(".")[0]
    count = sum(known_id.split(".")[0] == place for known_id in known)
    if count:
        return f"unknown sentence id {sentence_id}: {place} has sentences {place}.1…{place}.{count}"
    return f"unknown sentence id {sentence_id}: the article has no sentences in {place}"


def has_japanese(text: str) -> bool:
    """Whether `text` has kana or kanji in it."""
    return _JAPANESE.search(text) is not None


def _body_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a body paragraph: up to and including each "。"."""
    spans, start = [], 0
    for end in (m.end() for m in re.finditer(SENTENCE_END, text)):
        spans.append((start, end))
        start = end
    return spans


def _comment_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each Japanese comment sentence of a footnote, leaving out the works it
    cites (a work before a comment ends with "; ")."""
    spans = []
    for start, end in _body_spans(text):
        first_japanese = _JAPANESE.search(text, start, end)
        if first_japanese is None:
            continue
        separator = text.rfind(_WORK_SEPARATOR, start, first_japanese.start())
        if separator >= 0:
            start = separator + len(_WORK_SEPARATOR)
        while text[start].isspace():
            start += 1
        spans.append((start, end))
    return spans


def split_sentences(article: Article) -> tuple[Sentence, ...]:
    """Every sentence: the body paragraphs' in reading order, then the footnotes' comments."""
    sentences = []
    for number, text in enumerate(article.paragraphs, 1):
        sentences += [
            Sentence(f"P{number}.{index}", number, None, index, text[start:end], start, end)
            for index, (start, end) in enumerate(_body_spans(text), 1)
        ]
    for number, text in sorted(article.footnotes.items()):
        sentences += [
            Sentence(f"fn{number}.{index}", None, number, index, text[start:end], start, end)
            for index, (start, end) in enumerate(_comment_spans(text), 1)
        ]
    return tuple(sentences)


@cache
def bundled_sentences() -> tuple[Sentence, ...]:
    """The bundled article's sentences, split once."""
    return split_sentences(load_article())
