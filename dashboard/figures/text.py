"""Text on the map: how wide a label is drawn, and where a long label breaks into lines. The
words themselves are in dashboard.i18n."""

from __future__ import annotations

import re
import unicodedata

from geodata.scenario import Lang

_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u3000-\u303f]")
_TAG = re.compile(r"<[^>]+>")


def has_japanese(text: str) -> bool:
    """Whether `text` contains kana, kanji or full-width forms."""
    return bool(_JAPANESE.search(text))


def plain(text: str) -> str:
    """`text` without the pseudo-HTML tags plotly understands (<b>, <br>, <span …>)."""
    return _TAG.sub("", text.replace("<br>", "\n"))


LINE_SPACING = 1.3  # plotly's line height, in font sizes


def char_width(char: str) -> float:
    """Approximate advance of one character in em, in the figures' font stack (style.FONT_FAMILY:
    Noto Sans for Latin, BIZ UDPGothic for Japanese; a little generous for both)."""
    if unicodedata.east_asian_width(char) in ("W", "F", "A") or "\u25a0" <= char <= "\u25ff":
        return 1.0
    if char == " ":
        return 0.25
    if char in "ilj.,:;'|!()[]-–—·":
        return 0.3
    if char.isupper() or char in "mwMW%&@":
        return 0.68
    return 0.55


def line_width(line: str, size: float) -> float:
    """Width in px of one line of plain text (the caption's and the legend's, the labels')."""
    return sum(char_width(c) for c in line) * size


def text_width(text: str, size: float) -> float:
    """Width in px of the widest line of a (possibly multi-line, tagged) text."""
    return max(line_width(line, size) for line in plain(text).split("\n"))


def text_size(text: str, size: float) -> tuple[float, float]:
    """Width and height in px of a (possibly multi-line) label."""
    lines = plain(text).split("\n")
    height = size * (1.0 + LINE_SPACING * (len(lines) - 1)) * 1.15
    return text_width(text, size), height


def wrap(text: str, lang: Lang, width: int | None = None) -> str:
    """Break a long label into lines (<br>) of about `width` characters at natural breaks."""
    limit = width or (16 if lang == "ja" else 30)
    if len(text) <= limit:
        return text
    if lang == "en":
        lines: list[str] = []
        current = ""
        for word in text.split(" "):
            if current and len(current) + 1 + len(word) > limit:
                lines.append(current)
                current = word
            else:
                current = f"{current} {word}" if current else word
        lines.append(current)
        return "<br>".join(lines)
    # Japanese: break at punctuation, else after a particle, near the limit; never before a
    # long-vowel mark or a closing bracket, never inside a katakana or Latin word.
    lines = []
    rest = text
    while len(rest) > limit + 2:
        cut = _japanese_break(rest, limit)
        lines.append(rest[:cut])
        rest = rest[cut:]
    lines.append(rest)
    return "<br>".join(lines)


def _japanese_break(text: str, limit: int) -> int:
    def ok(index: int) -> bool:
        return text[index] not in _NO_LINE_START

    for low in (limit // 2, 3):
        for index in range(limit, low - 1, -1):
            if (text[index - 1] in "・、)」):" or text[index] in "(「(") and ok(index):
                return index
        for index in range(limit, low - 1, -1):
            if text[index - 1] in _PARTICLES and text[index] not in _PARTICLES and ok(index):
                return index
    cut = limit
    while cut > 3 and _word_char(text[cut - 1]) and _word_char(text[cut]):
        cut -= 1
    return cut if cut > 3 else limit


def _word_char(char: str) -> bool:
    return "\u30a0" <= char <= "\u30ff" or (char.isascii() and char.isalnum())


_PARTICLES = "のとをにへで"
_NO_LINE_START = "ーー)」)、。・"
