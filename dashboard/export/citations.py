"""What a view draws, cited: every citation of every item on the map; a slide's speaker notes
(a short summary of the view, then its citations layer by layer, within NOTES_LIMIT characters);
and a deck's appendix, every cited passage in full with the slides and items it supports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dashboard.export.caption import as_of, drawn_layers, format_as_of, source_line
from dashboard.i18n import hedge_meaning, t
from geodata.atlas import Atlas
from geodata.scenario import LAYERS, Scenario
from geodata.select import grouping_layer

NOTES_LIMIT = 3_000  # characters of a slide's notes: what a printed notes page shows
QUOTE_CHARS = {"ja": 60, "en": 110}  # of a passage quoted in the notes (in full in the appendix)
ITEMS_SHOWN = 6  # items named per passage in the appendix
TOPICS = "topics"  # the notes' group of the article's topics the view concerns (not a map layer)
NOTE_GROUPS = (*LAYERS, TOPICS)
FOOTNOTES_AFTER = 1_000  # sorts a passage of a footnote alone after the body's paragraphs


@dataclass(frozen=True)
class CitedItem:
    """One item the view draws, the layer that draws it, and one of its citations."""

    kind: str
    id: str
    label: str
    basis: str
    paragraph: int | None
    footnotes: tuple[int, ...]
    quote_ja: str
    gloss_en: str
    layer: str = ""
    modality: str = "asserted"
    hedge_ja: str | None = None

    @property
    def passage(self) -> tuple[int, tuple[int, ...], str]:
        """The cited passage, in the article's order: paragraph (a footnote alone after the
        body), footnotes, quote."""
        return (
            FOOTNOTES_AFTER if self.paragraph is None else self.paragraph,
            self.footnotes,
            self.quote_ja,
        )


def view_citations(scenario: Scenario, atlas: Atlas) -> list[CitedItem]:
    """Every citation of every item the view draws (its layers' `citations` columns)."""
    drawn = drawn_layers(scenario, atlas)
    lang = scenario.lang
    names = dict(zip(atlas.countries.iso3, atlas.countries[f"name_{lang}"], strict=True))
    grouping_names = dict(zip(atlas.groupings.id, atlas.groupings[f"name_{lang}"], strict=True))
    topic_names = dict(zip(atlas.topics.id, atlas.topics[f"name_{lang}"], strict=True))
    items: list[CitedItem] = []

    def add(kind: str, ref: str, label: str, basis: str, citations: Any, layer: str) -> None:
        if layer != TOPICS and layer not in scenario.layers:
            return
        for c in citations if isinstance(citations, list | tuple) else []:
            items.append(
                CitedItem(
                    kind=kind,
                    id=ref,
                    label=label,
                    basis=basis,
                    paragraph=c.get("paragraph"),
                    footnotes=tuple(c.get("footnotes") or ()),
                    quote_ja=c.get("quote_ja", ""),
                    gloss_en=c.get("gloss_en", ""),
                    layer=layer,
                    modality=c.get("modality") or "asserted",
                    hedge_ja=c.get("hedge_ja"),
                )
            )

    layer_of = {
        grouping: grouping_layer(status, camp)
        for grouping, status, camp in zip(
            atlas.groupings.id, atlas.groupings.status, atlas.groupings.camp, strict=True
        )
    }

    def name_of(ref: str) -> str:
        return str(
            names.get(ref)
            or grouping_names.get(ref)
            or topic_names.get(ref)
            or _region_name(atlas, ref, lang)
        )

    for row in drawn.groupings.itertuples():
        layer = layer_of[row.id]
        add("grouping", row.id, getattr(row, f"name_{lang}"), row.basis, row.citations, layer)
    for row in drawn.memberships.itertuples():
        label = f"{grouping_names.get(row.grouping, row.grouping)}: {names.get(row.iso3, row.iso3)}"
        ref = f"{row.grouping}:{row.iso3}"
        add("membership", ref, label, row.basis, row.citations, layer_of[row.grouping])
    for row in drawn.relations.itertuples():
        arrow = " → " if row.directed else " – "
        label = f"{name_of(row.source)}{arrow}{name_of(row.target)}"
        text = getattr(row, f"label_{lang}") or ""
        label = f"{label} ({text})" if text else label
        add("relation", row.id, label, row.basis, row.citations, row.layer)
    for row in drawn.threats.itertuples():
        add("threat", row.id, getattr(row, f"name_{lang}"), row.basis, row.citations, "threats")
    for row in drawn.regions.itertuples():
        add("region", row.id, getattr(row, f"name_{lang}"), row.basis, row.citations, "threats")
    for row in drawn.events.itertuples():
        label = f"{row.date} {getattr(row, f'name_{lang}')}"
        add("event", row.id, label, row.basis, row.citations, "events")
    for row in drawn.domains.itertuples():
        label = f"{getattr(row, f'name_{lang}')}: {name_of(row.actor)}"
        ref = f"{row.domain}:{row.actor}"
        add("domain", ref, label, row.basis, row.citations, "threats")
        name = getattr(row, f"name_{lang}")
        add("domain", row.domain, name, row.basis, row.domain_citations, "threats")
    for row in drawn.topics.itertuples():
        add("topic", row.id, getattr(row, f"name_{lang}"), row.basis, row.citations, TOPICS)
    return items


def _region_name(atlas: Atlas, ref: str, lang: str) -> str:
    match = atlas.regions.loc[atlas.regions.id == ref, f"name_{lang}"]
    return str(match.iloc[0]) if len(match) else ref


def speaker_notes(scenario: Scenario, atlas: Atlas, appendix: str = "") -> str:
    """The slide's notes, at most NOTES_LIMIT characters: the view in short (title, what it
    shows, its link, source and date), then its passages layer by layer, each once, quoted
    briefly (Japanese slides) or glossed (English ones). `appendix` says where every passage is
    in full (e.g. "slides 9–14")."""
    lang = scenario.lang
    cited = view_citations(scenario, atlas)
    layers = [layer for layer in NOTE_GROUPS if any(item.layer == layer for item in cited)]
    shown = "; ".join(f"{_group_name(layer, lang)} ({_count(cited, layer)})" for layer in layers)
    passages = sorted({item.passage for item in cited})
    lines = [
        scenario.title(),
        scenario.description(),
        t("notes.shows", lang, layers=shown or "—"),
        t("notes.view", lang, query=scenario.to_query()),
        source_line(lang) + " " + format_as_of(as_of(scenario), lang),
        "",
        t("notes.citations", lang, count=len(passages))
        + (" " + t("notes.appendix", lang, where=appendix) if appendix else ""),
    ]
    budget = NOTES_LIMIT - sum(len(line) + 1 for line in lines)
    more_line = t("notes.more", lang, count=len(passages))  # room kept for the count left out
    body: list[str] = []
    left_out = 0
    seen: set[tuple[int, tuple[int, ...], str]] = set()
    for layer in layers:
        entries = []
        for item in sorted(
            (i for i in cited if i.layer == layer), key=lambda i: (i.passage, i.label)
        ):
            if item.passage not in seen:
                seen.add(item.passage)
                entries.append(_note_entry(item, lang))
        if not entries:
            continue
        heading = f"■ {_group_name(layer, lang)}"
        for entry in [heading, *entries]:
            if budget - len(entry) - 1 < len(more_line) + 1:
                left_out += entry is not heading
                continue
            body.append(entry)
            budget -= len(entry) + 1
    if left_out:
        body.append(t("notes.more", lang, count=left_out))
    return "\n".join([*lines, *body])[:NOTES_LIMIT]


MORE_MARK = "…"


def _group_name(layer: str, lang: str) -> str:
    return t("kind.topic", lang) if layer == TOPICS else t(f"layer.{layer}", lang)


def _count(cited: list[CitedItem], layer: str) -> int:
    return len({item.id for item in cited if item.layer == layer})


def _note_entry(item: CitedItem, lang: str) -> str:
    """One passage in the notes: where it is, the quote (ja) or gloss (en) in short, and how
    certainly the article says it when it does not simply assert it."""
    where = _where(item, lang)
    if lang == "ja":
        return f"・{where}「{_short(item.quote_ja, QUOTE_CHARS['ja'])}」{_said_as(item.modality, item.hedge_ja, lang)}"
    text = _short(item.gloss_en or item.quote_ja, QUOTE_CHARS["en"])
    return f"• {where}: {text}{_said_as(item.modality, item.hedge_ja, lang)}"


def _said_as(modality: str, hedge: str | None, lang: str) -> str:
    """' (assessed: 「と見られる」 “is seen as”)' / '(見立て:「と見られる」)'; '' when asserted."""
    if modality == "asserted":
        return ""
    said = t(f"modality.{modality}", lang)
    hedge = hedge or ""
    if lang == "ja":
        return f"({said}" + (f":「{hedge}」" if hedge else "") + ")"
    meaning = hedge_meaning(hedge) if hedge else None
    words = (f" 「{hedge}」" + (f" “{meaning}”" if meaning else "")) if hedge else ""
    return f" ({said}{':' if words else ''}{words})"


def _where(item: CitedItem, lang: str) -> str:
    """P6, fn 12 / P6・脚注12."""
    parts = [f"P{item.paragraph}"] if item.paragraph is not None else []
    parts += [t("notes.footnote", lang, number=n) for n in item.footnotes]
    return ("・" if lang == "ja" else ", ").join(parts)


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + MORE_MARK


@dataclass(frozen=True)
class Passage:
    """A cited passage of the article, in full, with the slides and items it supports."""

    where: str
    footnotes: tuple[int, ...]
    quote_ja: str
    gloss_en: str
    slides: tuple[int, ...]
    items: tuple[str, ...]
    modality: str = "asserted"
    hedge_ja: str | None = None

    def text(self, lang: str) -> str:
        """The passage as one appendix paragraph."""
        items = list(self.items[:ITEMS_SHOWN])
        if len(self.items) > ITEMS_SHOWN:
            items.append(t("notes.more_items", lang, count=len(self.items) - ITEMS_SHOWN))
        slides = ", ".join(str(n) for n in self.slides)
        return (
            f"{self.where} 「{self.quote_ja}」{_said_as(self.modality, self.hedge_ja, lang)} "
            f"{self.gloss_en} "
            f"({t('appendix.slides', lang, slides=slides)}: {'; '.join(items)})"
        )


def passages(views: Sequence[Scenario], atlas: Atlas, first_slide: int = 1) -> list[Passage]:
    """Every passage the views cite, in the article's order, once, with the numbers of the
    slides (the views' order from `first_slide`) and the items it supports."""
    found: dict[tuple[int, tuple[int, ...], str], tuple[CitedItem, set[int], dict[str, None]]] = {}
    for number, scenario in enumerate(views, start=first_slide):
        for item in view_citations(scenario, atlas):
            _, slides, labels = found.setdefault(item.passage, (item, set(), {}))
            slides.add(number)
            labels[f"{item.label} [{item.basis}]"] = None
    lang = views[0].lang if views else "en"
    return [
        Passage(
            _where(item, lang),
            item.footnotes,
            item.quote_ja,
            item.gloss_en,
            tuple(sorted(s)),
            tuple(labels),
            item.modality,
            item.hedge_ja,
        )
        for _, (item, s, labels) in sorted(found.items(), key=lambda kv: kv[0])
    ]
