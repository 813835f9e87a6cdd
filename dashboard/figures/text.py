"""Every string the map and its legend show, in Japanese and English.

Names of actors, groupings, regions, events and relation labels come from the knowledge base
(name_ja / name_en, label_ja / label_en); this module holds the figure's own words: layer names,
legend entries, basis and status words, hover headings and date formats.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from geodata.scenario import Lang

STRINGS: dict[str, dict[Lang, str]] = {
    # layers (legend group titles); the same words as the dashboard's controls
    "layer.value_community": {"ja": "価値共同体", "en": "Value community"},
    "layer.authoritarian": {"ja": "権威主義勢力", "en": "Authoritarian bloc"},
    "layer.support_flows": {"ja": "対露支援", "en": "Support to Russia"},
    "layer.threats": {"ja": "360度の脅威", "en": "360° threats"},
    "layer.ukraine": {"ja": "ウクライナ支援", "en": "Ukraine support"},
    "layer.events": {"ja": "出来事", "en": "Events"},
    "layer.proposals": {"ja": "論考の提言", "en": "The article's proposals"},
    "layer.base": {"ja": "根拠と状態の表し方", "en": "How basis and status are drawn"},
    # basis and status words
    "basis.stated": {"ja": "明記", "en": "stated"},
    "basis.inferred": {"ja": "推論", "en": "inferred"},
    "basis.external": {"ja": "外部知識", "en": "external"},
    "status.existing": {"ja": "既存", "en": "existing"},
    "status.proposed": {"ja": "提言", "en": "proposed"},
    # the basis/status key in the legend
    "key.stated": {"ja": "明記:実線・濃い色", "en": "Stated in the article: solid, full colour"},
    "key.inferred": {
        "ja": "推論:点線・薄い色",
        "en": "Inferred from the article: dotted, lighter",
    },
    "key.external": {
        "ja": "外部知識:灰色・点線・※印",
        "en": "External knowledge: grey, dotted, marked *",
    },
    "key.proposed": {
        "ja": "提言:破線・白抜き",
        "en": "Proposed by the article: dashed, hollow",
    },
    # marks
    "mark.external": {"ja": "※", "en": "*"},
    "mark.proposed": {"ja": "提言", "en": "Proposed"},
    "mark.proposed_prefix": {"ja": "提言:", "en": "Proposed: "},
    # legend entries by layer
    "legend.value_links": {"ja": "パートナーシップ・連携", "en": "Partnerships and networks"},
    "legend.auth_partnership": {
        "ja": "包括的戦略パートナーシップ・協力",
        "en": "Comprehensive strategic partnerships",
    },
    "legend.auth_exercise": {"ja": "合同軍事演習", "en": "Joint military exercises"},
    "legend.auth_expansion": {
        "ja": "権威主義の膨張(影響力・脅威・言説)",
        "en": "Authoritarian expansion (influence, threat, rhetoric)",
    },
    "legend.support": {
        "ja": "対露支援と見返り(矢印:流れるもの)",
        "en": "Support to Russia and what returns (arrows: what flows)",
    },
    "legend.threat_arrow": {
        "ja": "脅威の方向(同盟へ向かう矢印)",
        "en": "Threat directions (arrows towards the Alliance)",
    },
    "legend.threat_region": {
        "ja": "論考が挙げる海域・地域",
        "en": "Seas and areas the article names",
    },
    "legend.ukraine_recipient": {
        "ja": "ウクライナ(長期的支援の対象)",
        "en": "Ukraine (recipient of long-term support)",
    },
    "legend.ukraine_support": {"ja": "NATOの長期的支援", "en": "NATO's long-term support"},
    "legend.objection": {"ja": "ハンガリーの異議", "en": "Hungary's objection"},
    "legend.war": {"ja": "ロシアのウクライナ戦争", "en": "Russia's war against Ukraine"},
    "legend.event.stated": {"ja": "出来事(場所:明記)", "en": "Event (place stated)"},
    "legend.event.inferred": {"ja": "出来事(場所:推論)", "en": "Event (place inferred)"},
    "legend.event.external": {
        "ja": "出来事(場所:外部知識※)",
        "en": "Event (place from external knowledge*)",
    },
    "legend.proposal_links": {"ja": "提言された協力・連携", "en": "Proposed cooperation and links"},
    "legend.proposal_groupings": {"ja": "提言された枠組み", "en": "Proposed frameworks"},
    "legend.other_links": {"ja": "その他の関係", "en": "Other links"},
    # hover
    "hover.basis": {"ja": "根拠:{basis}", "en": "Basis: {basis}"},
    "hover.basis_status": {
        "ja": "根拠:{basis} · 状態:{status}",
        "en": "Basis: {basis} · status: {status}",
    },
    "hover.place_basis": {"ja": "場所の根拠:{basis}", "en": "Place: {basis}"},
    "hover.groupings": {"ja": "所属する枠組み:", "en": "Groupings:"},
    "hover.no_groupings": {"ja": "所属する枠組み:なし", "en": "Groupings: none"},
    "hover.not_actor": {
        "ja": "論考は国名を挙げていません",
        "en": "The article does not name this country",
    },
    "hover.via": {"ja": "{name}経由", "en": "via {name}"},
    "hover.members": {"ja": "構成国:{count}か国", "en": "Members: {count}"},
    "hover.sources": {"ja": "脅威の源:{names}", "en": "Sources: {names}"},
    "hover.domain": {"ja": "領域の脅威", "en": "Threat domain"},
    "hover.date": {"ja": "日付:{date}", "en": "Date: {date}"},
    "hover.click": {"ja": "クリックで引用を表示", "en": "Click for citations"},
    "hover.region_extent": {
        "ja": "範囲は論考外の知識による作図",
        "en": "Extent drawn from outside knowledge",
    },
    "hover.region_inferred": {
        "ja": "範囲は論考からの推論による作図",
        "en": "Extent read from the article",
    },
    "hover.base_map_missing": {
        "ja": "基図に国境がないため点で表示",
        "en": "No outline on the base map; drawn as a point",
    },
    "hover.recipient": {"ja": "長期的支援の対象", "en": "Recipient of long-term support"},
    # kinds of relation (hover)
    "kind.support": {"ja": "支援", "en": "support"},
    "kind.partnership": {"ja": "パートナーシップ", "en": "partnership"},
    "kind.exercise": {"ja": "合同演習", "en": "exercise"},
    "kind.influence": {"ja": "影響力", "en": "influence"},
    "kind.threat": {"ja": "脅威", "en": "threat"},
    "kind.objection": {"ja": "異議", "en": "objection"},
    "kind.rhetoric": {"ja": "言説", "en": "rhetoric"},
    "kind.network": {"ja": "ネットワーク", "en": "network"},
    "kind.cooperation": {"ja": "協力", "en": "cooperation"},
    "kind.liaison": {"ja": "連絡拠点", "en": "liaison"},
    # events
    "event.more": {"ja": "ほか{count}件", "en": "+{count} more"},
}

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u3000-\u303f]")
_TAG = re.compile(r"<[^>]+>")


def t(key: str, lang: Lang, **values: object) -> str:
    """The string `key` in `lang`, formatted with `values`."""
    text = STRINGS[key][lang]
    return text.format(**values) if values else text


def has_japanese(text: str) -> bool:
    """Whether `text` contains kana, kanji or full-width forms."""
    return bool(_JAPANESE.search(text))


def plain(text: str) -> str:
    """`text` without the pseudo-HTML tags plotly understands (<b>, <br>, <span …>)."""
    return _TAG.sub("", text.replace("<br>", "\n"))


LINE_SPACING = 1.3  # plotly's line height, in font sizes


def char_width(char: str) -> float:
    """Approximate advance of one character in em (Noto Sans CJK; a little generous for Latin)."""
    if unicodedata.east_asian_width(char) in ("W", "F", "A") or "\u25a0" <= char <= "\u25ff":
        return 1.0
    if char == " ":
        return 0.25
    if char in "ilj.,:;'|!()[]-–—·":
        return 0.3
    if char.isupper() or char in "mwMW%&@":
        return 0.68
    return 0.55


def text_width(text: str, size: float) -> float:
    """Width in px of the widest line of a (possibly multi-line, tagged) text."""
    return max(sum(char_width(c) for c in line) for line in plain(text).split("\n")) * size


def text_size(text: str, size: float) -> tuple[float, float]:
    """Width and height in px of a (possibly multi-line) label."""
    lines = plain(text).split("\n")
    height = size * (1.0 + LINE_SPACING * (len(lines) - 1)) * 1.15
    return text_width(text, size), height


def localized(record: Mapping[str, Any] | Any, field: str, lang: Lang) -> str:
    """A record's `<field>_ja` / `<field>_en` in `lang`, falling back to the other language."""

    def get(key: str) -> Any:
        value = record.get(key) if isinstance(record, Mapping) else getattr(record, key, None)
        return value if isinstance(value, str) and value else None

    first, second = (
        (f"{field}_ja", f"{field}_en") if lang == "ja" else (f"{field}_en", f"{field}_ja")
    )
    return get(first) or get(second) or ""


def format_date(value: object, lang: Lang) -> str:
    """A partial ISO date ("2015", "2024-07", "2024-07-09") in the view's language."""
    if not isinstance(value, str) or not value:
        return ""
    parts = [int(p) for p in value.split("-")]
    if lang == "ja":
        units = ("年", "月", "日")
        return "".join(f"{p}{u}" for p, u in zip(parts, units, strict=False))
    if len(parts) == 1:
        return str(parts[0])
    month = _MONTHS_EN[parts[1] - 1]
    if len(parts) == 2:
        return f"{month} {parts[0]}"
    return f"{parts[2]} {month} {parts[0]}"


def join_names(names: list[str], lang: Lang) -> str:
    """A list of names joined the way the language lists them."""
    return ("、" if lang == "ja" else ", ").join(names)


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
