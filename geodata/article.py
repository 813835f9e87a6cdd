"""The source article: its body paragraphs P1…P12 and its numbered footnotes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

SEEDS_DIR = Path(__file__).resolve().parents[1] / "seeds"
ARTICLE_PATH = SEEDS_DIR / "article.ja.txt"

ARTICLE_TITLE_EN = "Three Results from the Washington NATO Summit and Future Actions"
ARTICLE_DATE = "2024-08-13"

_DATE_LINE = re.compile(r"^\((\d{4})/(\d{2})/(\d{2})\)$")
_FOOTNOTE_LINE = re.compile(r"^\s*(\d+)\.\s+(\d+)\s+(.*)$")
FOOTNOTES_HEADING = "脚注"

# what a line of the article is, in reading order: the body's headings, paragraphs, the figure's
# caption and source line, then the date line and the lines between it and the footnotes (a note
# on the English version and its title)
BlockKind = Literal["heading", "paragraph", "caption", "source", "date", "end"]


@dataclass(frozen=True)
class Block:
    """One line of the article outside its footnotes, in reading order; `paragraph` is the body
    paragraph's number (P<paragraph>) for a paragraph."""

    kind: BlockKind
    text: str
    paragraph: int | None = None


@dataclass(frozen=True)
class Article:
    """The article's text split the way citations address it."""

    text: str
    paragraphs: tuple[str, ...]
    footnotes: dict[int, str]
    headings: tuple[str, ...]
    figure_caption: str
    date: str
    blocks: tuple[Block, ...] = ()

    def paragraph(self, number: int) -> str:
        """Body paragraph P<number> (1-based)."""
        return self.paragraphs[number - 1]

    def quote_found(self, quote: str, paragraph: int | None, footnotes: tuple[int, ...]) -> bool:
        """Whether `quote` is verbatim in the cited paragraph or one of the cited footnotes."""
        places = [self.footnotes[n] for n in footnotes if n in self.footnotes]
        if paragraph is not None and 1 <= paragraph <= len(self.paragraphs):
            places.append(self.paragraph(paragraph))
        return any(quote in place for place in places)


def parse_article(text: str) -> Article:
    """Split the article into body paragraphs, headings, figure caption and footnotes.

    Body paragraphs are the lines before the date line "(YYYY/MM/DD)" that end with "。";
    the other non-empty lines there are headings, the figure caption and its source line.
    Footnotes are the lines "N. N text" after the heading 脚注. `blocks` keeps every line up to
    that heading in reading order.
    """
    lines = [line.strip() for line in text.splitlines()]
    date_index = next(i for i, line in enumerate(lines) if _DATE_LINE.match(line))
    year, month, day = _DATE_LINE.match(lines[date_index]).groups()
    paragraphs: list[str] = []
    headings: list[str] = []
    caption = ""
    blocks: list[Block] = []
    for line in lines[:date_index]:
        if not line:
            continue
        if line.endswith("。"):
            paragraphs.append(line)
            blocks.append(Block("paragraph", line, len(paragraphs)))
        elif line.startswith("図"):
            caption = line
            blocks.append(Block("caption", line))
        elif line.startswith("出典"):
            blocks.append(Block("source", line))
        else:
            headings.append(line)
            blocks.append(Block("heading", line))
    blocks.append(Block("date", lines[date_index]))
    end = lines.index(FOOTNOTES_HEADING, date_index) if FOOTNOTES_HEADING in lines else len(lines)
    blocks += [Block("end", line) for line in lines[date_index + 1 : end] if line]
    footnotes: dict[int, str] = {}
    for line in lines[date_index:]:
        match = _FOOTNOTE_LINE.match(line)
        if match and match.group(1) == match.group(2):
            footnotes[int(match.group(1))] = match.group(3)
    return Article(
        text=text,
        paragraphs=tuple(paragraphs),
        footnotes=footnotes,
        headings=tuple(headings),
        figure_caption=caption,
        date=f"{year}-{month}-{day}",
        blocks=tuple(blocks),
    )


@cache
def load_article(path: Path = ARTICLE_PATH) -> Article:
    """The bundled article, parsed once."""
    return parse_article(path.read_text(encoding="utf-8"))
