"""What a view draws, cited: every citation of every item on the map, and a slide's speaker
notes made of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dashboard.export.caption import as_of, drawn_layers, format_as_of, source_line
from dashboard.i18n import hedge_meaning
from geodata.atlas import Atlas
from geodata.scenario import Scenario


@dataclass(frozen=True)
class CitedItem:
    """One item the view draws and one of its citations."""

    kind: str
    id: str
    label: str
    basis: str
    paragraph: int | None
    footnotes: tuple[int, ...]
    quote_ja: str
    gloss_en: str
    modality: str = "asserted"
    hedge_ja: str | None = None


def view_citations(scenario: Scenario, atlas: Atlas) -> list[CitedItem]:
    """Every citation of every item the view draws (its layers' `citations` columns)."""
    drawn = drawn_layers(scenario, atlas)
    lang = scenario.lang
    names = dict(zip(atlas.countries.iso3, atlas.countries[f"name_{lang}"], strict=True))
    grouping_names = dict(zip(atlas.groupings.id, atlas.groupings[f"name_{lang}"], strict=True))
    topic_names = dict(zip(atlas.topics.id, atlas.topics[f"name_{lang}"], strict=True))
    items: list[CitedItem] = []

    def add(kind: str, ref: str, label: str, basis: str, citations: Any) -> None:
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
                    modality=c.get("modality") or "asserted",
                    hedge_ja=c.get("hedge_ja"),
                )
            )

    def name_of(ref: str) -> str:
        return str(
            names.get(ref)
            or grouping_names.get(ref)
            or topic_names.get(ref)
            or _region_name(atlas, ref, lang)
        )

    for row in drawn.groupings.itertuples():
        add("grouping", row.id, getattr(row, f"name_{lang}"), row.basis, row.citations)
    for row in drawn.memberships.itertuples():
        label = f"{grouping_names.get(row.grouping, row.grouping)}: {names.get(row.iso3, row.iso3)}"
        add("membership", f"{row.grouping}:{row.iso3}", label, row.basis, row.citations)
    for row in drawn.relations.itertuples():
        arrow = " → " if row.directed else " – "
        label = f"{name_of(row.source)}{arrow}{name_of(row.target)}"
        text = getattr(row, f"label_{lang}") or ""
        label = f"{label} ({text})" if text else label
        add("relation", row.id, label, row.basis, row.citations)
    for row in drawn.threats.itertuples():
        add("threat", row.id, getattr(row, f"name_{lang}"), row.basis, row.citations)
    for row in drawn.regions.itertuples():
        add("region", row.id, getattr(row, f"name_{lang}"), row.basis, row.citations)
    for row in drawn.events.itertuples():
        label = f"{row.date} {getattr(row, f'name_{lang}')}"
        add("event", row.id, label, row.basis, row.citations)
    for row in drawn.domains.itertuples():
        label = f"{getattr(row, f'name_{lang}')}: {name_of(row.actor)}"
        ref = f"{row.domain}:{row.actor}"
        add("domain", ref, label, row.basis, row.citations)
        add("domain", row.domain, getattr(row, f"name_{lang}"), row.basis, row.domain_citations)
    for row in drawn.topics.itertuples():
        add("topic", row.id, getattr(row, f"name_{lang}"), row.basis, row.citations)
    return items


def _region_name(atlas: Atlas, ref: str, lang: str) -> str:
    match = atlas.regions.loc[atlas.regions.id == ref, f"name_{lang}"]
    return str(match.iloc[0]) if len(match) else ref


def speaker_notes(scenario: Scenario, atlas: Atlas) -> str:
    """The slide's notes: the view, then each distinct citation with the items drawn from it."""
    groups: dict[tuple[Any, ...], list[CitedItem]] = {}
    for item in view_citations(scenario, atlas):
        key = (item.paragraph, item.footnotes, item.quote_ja)
        groups.setdefault(key, []).append(item)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0][0] or 99, kv[0][1], kv[0][2]))
    lines = [
        scenario.title(),
        scenario.description(),
        f"View: ?{scenario.to_query()}",
        source_line("en") + ". " + format_as_of(as_of(scenario), "en") + ".",
        "",
        f"Citations ({len(ordered)}) for every item drawn:",
    ]
    footnotes_used: set[int] = set()
    for (paragraph, footnotes, quote), cited in ordered:
        where = ", ".join(
            [f"P{paragraph}"] * (paragraph is not None) + [f"fn {n}" for n in footnotes]
        )
        footnotes_used |= set(footnotes)
        labels = list(dict.fromkeys(f"{i.label} [{i.basis}]" for i in cited))
        shown = labels[:8] + ([f"… +{len(labels) - 8} more"] if len(labels) > 8 else [])
        lines.append(f"• {where}: 「{quote}」")
        if cited[0].gloss_en:
            lines.append(f"  {cited[0].gloss_en}")
        if cited[0].modality != "asserted":
            hedge = cited[0].hedge_ja or ""
            meaning = hedge_meaning(hedge) if hedge else None
            said = f"  Said as: {cited[0].modality}"
            said += f" (「{hedge}」" + (f" “{meaning}”" if meaning else "") + ")" if hedge else ""
            lines.append(said)
        lines.append("  Drawn: " + "; ".join(shown))
    if footnotes_used:
        lines += ["", "Footnotes:"]
        lines += [f"  {n}. {atlas.article.footnotes.get(n, '')}" for n in sorted(footnotes_used)]
    return "\n".join(lines)
