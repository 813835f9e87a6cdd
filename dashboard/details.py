"""What the details panel and the table view say: pure functions of the atlas and the view.

`roles_of` lists every role an item (a country, grouping, region, threat, relation, event, domain
or topic) has in the article, each with its basis, status, modality and citations (quote, gloss,
how strongly the article says it and the hedge words it says it with, paragraph, footnotes and
each footnote's source line), and the topics the article discusses about it. `view_rows` lists
what a view shows, one row per item (topics and relations that are not drawn included), for the
table beside the map; `diff_rows` compares two views.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pandas as pd

from dashboard.figures.context import atlas_index
from dashboard.i18n import hedge_meaning, name, t, t_or
from geodata.atlas import Atlas, Record, records
from geodata.certainty import WIDEST_STATE, item_states, shows, state_key
from geodata.coverage import quote_sentences, sentences_by_place
from geodata.knowledge import Footnote
from geodata.scenario import direction_key, key_layer
from geodata.select import Layers, grouping_layer
from geodata.sentences import Sentence, split_sentences


@dataclass(frozen=True)
class FootnoteRef:
    """A footnote number with its source line (author, title, publisher, date, or its note)."""

    number: int
    source: str


@dataclass(frozen=True)
class CitationRef:
    """One citation: where in the article, the verbatim Japanese quote and its English gloss, how
    strongly the article says it (`modality`) and, unless it asserts it, the hedge words it uses
    (`hedge_ja`, in the quote or elsewhere in its sentence), and the ids of the sentences the
    quote is in."""

    paragraph: int | None
    footnotes: tuple[FootnoteRef, ...]
    quote_ja: str
    gloss_en: str
    modality: str = "asserted"
    hedge_ja: str | None = None
    sentences: tuple[str, ...] = ()

    def hedge_en(self) -> str | None:
        """The English meaning of the hedge words (from the catalogue in dashboard.i18n)."""
        return hedge_meaning(self.hedge_ja) if self.hedge_ja else None

    def quote_parts(self) -> tuple[str, str, str]:
        """The quote split around its hedge words: (before, hedge, after); the hedge is "" when
        the quote does not contain it (it then lies elsewhere in the sentence)."""
        hedge = self.hedge_ja or ""
        if hedge and hedge in self.quote_ja:
            before, after = self.quote_ja.split(hedge, 1)
            return before, hedge, after
        return self.quote_ja, "", ""

    def place(self, lang: str) -> str:
        """'P6, fn 10' / '第6段落・脚注10'."""
        parts = [t("details.paragraph", lang, n=self.paragraph)] if self.paragraph else []
        parts += [t("details.footnote", lang, n=f.number) for f in self.footnotes]
        return ("・" if lang == "ja" else ", ").join(parts)


@dataclass(frozen=True)
class Role:
    """One role an item has: what it is, in which record, with its basis, status and citations."""

    kind: str  # actor, membership, grouping, relation, event, threat, domain, region, topic…
    record_id: str
    title: str
    basis: str
    status: str = "existing"
    modality: str = "asserted"
    reason: str | None = None
    layer: str | None = None
    date: str | None = None
    facts: tuple[tuple[str, str], ...] = ()  # (label, value) lines, already in the view language
    citations: tuple[CitationRef, ...] = field(default_factory=tuple)
    # the ids of the cited records the role rests on, when not `record_id` itself (a
    # membership's "nato/DEU", or "like_minded/nato" and "nato/DEU" through an inclusion)
    cited_as: tuple[str, ...] = ()

    def label(self, lang: str) -> str:
        """The role's kind in `lang`."""
        return t(f"role.{self.kind}", lang)

    @property
    def records(self) -> tuple[str, ...]:
        """The ids of the cited records (geodata.records) the role rests on."""
        return self.cited_as or (self.record_id,)


# --- small helpers -------------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    """A cell as text, or None for missing values (None, NaN, '')."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value)
    return text or None


def source_line(footnote: Footnote | None) -> str:
    """The footnote's works as 'Author, “Title,” Publisher, date'; its note when it comments."""
    if footnote is None:
        return ""
    works = []
    for source in footnote.sources:
        parts = [source.author, f"“{source.title}”", source.publisher, source.date]
        works.append(", ".join(p for p in parts if p))
    if footnote.note_ja:
        works.append(footnote.note_ja)
    return "; ".join(works)


def _records(atlas: Atlas, frame: str) -> list[Record]:
    """The rows of the atlas frame `frame` as records (read once per atlas; do not change them)."""
    return atlas_index(atlas).memo(
        ("details.records", frame), lambda: records(getattr(atlas, frame))
    )


class _Names:
    """Names of every referable id (ISO codes, groupings, regions, …) in one language."""

    def __init__(self, atlas: Atlas, lang: str) -> None:
        self.lang = lang
        self.by_id: dict[str, str] = {}
        for row in _records(atlas, "countries"):
            self.by_id[row.iso3] = name(row, lang)
        for frame in ("groupings", "regions", "threats", "events", "topics"):
            for row in _records(atlas, frame):
                self.by_id[row.id] = name(row, lang)
        for row in _records(atlas, "relations"):
            self.by_id[row.id] = _relation_title(row, self, lang)
        for domain in atlas.knowledge.domains:
            self.by_id[domain.id] = name(domain, lang)

    def __call__(self, item_id: str) -> str:
        return self.by_id.get(item_id, item_id)


def _names(atlas: Atlas, lang: str) -> _Names:
    """The names of the atlas's ids in `lang` (made once per atlas and language: do not change
    them)."""
    return atlas_index(atlas).memo(("details.names", lang), lambda: _Names(atlas, lang))


def _relation_title(row: Any, names: Any, lang: str) -> str:
    """'中国 → ロシア:label' — `names` is a callable from id to display name."""
    arrow = " → " if row.directed else " ↔ "
    label = row.label_ja if lang == "ja" else row.label_en
    ends = f"{names(row.source)}{arrow}{names(row.target)}"
    return f"{ends}:{label}" if lang == "ja" else f"{ends}: {label}"


def _citations(
    items: Iterable[Mapping[str, Any]],
    footnotes: dict[int, Footnote],
    places: Mapping[str, list[Sentence]],
) -> tuple:
    seen: set[tuple] = set()
    refs = []
    for c in items:
        key = (c.get("paragraph"), tuple(c.get("footnotes") or ()), c["quote_ja"])
        if key in seen:
            continue
        seen.add(key)
        where = SimpleNamespace(paragraph=key[0], footnotes=key[1], quote_ja=key[2])
        refs.append(
            CitationRef(
                paragraph=c.get("paragraph"),
                footnotes=tuple(
                    FootnoteRef(n, source_line(footnotes.get(n))) for n in c.get("footnotes") or ()
                ),
                quote_ja=c["quote_ja"],
                gloss_en=c["gloss_en"],
                modality=c.get("modality") or "asserted",
                hedge_ja=c.get("hedge_ja"),
                sentences=tuple(s.id for s, _ in quote_sentences(where, places)),  # type: ignore[arg-type]
            )
        )
    return tuple(refs)


def _places(atlas: Atlas) -> dict[str, list[Sentence]]:
    """The atlas's article's sentences by paragraph and footnote (made once per atlas)."""
    return atlas_index(atlas).memo(
        ("details.sentences",), lambda: sentences_by_place(split_sentences(atlas.article))
    )


def _as_dicts(citations: Iterable[Any]) -> list[dict[str, Any]]:
    return [c if isinstance(c, dict) else c.model_dump(mode="json") for c in citations]


# --- roles ---------------------------------------------------------------------------------------


def roles_of(atlas: Atlas, item_id: str | None, lang: str) -> list[Role]:
    """Every role `item_id` has in the article, in a stable order; [] for an unknown id."""
    if not item_id:
        return []
    builder = _RoleBuilder(atlas, lang)
    return builder.roles(item_id)


class _RoleBuilder:
    def __init__(self, atlas: Atlas, lang: str) -> None:
        self.atlas = atlas
        self.lang = lang
        self.names = _names(atlas, lang)
        self.footnotes = {f.number: f for f in atlas.knowledge.footnotes}
        self.places = _places(atlas)

    def cite(self, citations: Iterable[Any]) -> tuple[CitationRef, ...]:
        return _citations(_as_dicts(citations), self.footnotes, self.places)

    def roles(self, item_id: str) -> list[Role]:
        """The item's own roles, then the topics the article discusses about it."""
        roles = self.own_roles(item_id)
        return [*roles, *self.topics(lambda row: item_id in row.about)] if roles else []

    def own_roles(self, item_id: str) -> list[Role]:
        kb = self.atlas.knowledge
        countries = atlas_index(self.atlas).country_rows
        if item_id in countries or any(a.id == item_id for a in kb.actors):
            return self.country(item_id)
        if any(g.id == item_id for g in kb.groupings):
            return self.grouping(item_id)
        if any(r.id == item_id for r in kb.regions):
            return self.region(item_id)
        if any(x.id == item_id for x in kb.threats):
            return self.threats(lambda row: row.id == item_id, "threat")
        if any(x.id == item_id for x in kb.relations):
            return self.relations(lambda row: row.id == item_id)
        if any(x.id == item_id for x in kb.events):
            return self.events(lambda row: row.id == item_id)
        if any(x.id == item_id for x in kb.domains):
            return self.domain(item_id)
        if any(x.id == item_id for x in kb.topics):
            return self.topics(lambda row: row.id == item_id)
        return []

    # one kind of role each ------------------------------------------------------------------

    def country(self, iso3: str) -> list[Role]:
        roles: list[Role] = []
        actor = next((a for a in self.atlas.knowledge.actors if a.id == iso3), None)
        if actor is not None:
            facts = []
            if actor.article_form_ja:
                facts.append((t("details.article_form", self.lang), actor.article_form_ja))
            roles.append(
                Role(
                    kind="actor",
                    record_id=iso3,
                    title=self.names(iso3),
                    basis=actor.basis,
                    modality=actor.modality,
                    reason=actor.reason,
                    facts=tuple(facts),
                    citations=self.cite(actor.citations),
                )
            )
        roles += self.memberships(iso3)
        roles += self.relations(lambda row: iso3 in (row.source, row.target))
        roles += self.events(lambda row: iso3 in row.actors)
        roles += self.threats(
            lambda row: iso3 in row.sources or iso3 in (row.origin, row.target), "threat_source"
        )
        roles += self.attributions(iso3)
        roles += self.region_parts(iso3)
        return roles

    def memberships(self, iso3: str) -> list[Role]:
        roles = []
        for row in _records(self.atlas, "memberships"):
            if row.iso3 != iso3:
                continue
            title = self.names(row.grouping)
            role_text = _text(row.role_ja if self.lang == "ja" else row.role_en)
            via = _text(row.via)
            facts = []
            if role_text:
                facts.append((t("details.role", self.lang), role_text))
            if via:
                facts.append((t("details.through", self.lang), self.names(via)))
            roles.append(
                Role(
                    kind="membership",
                    record_id=row.grouping,
                    title=title,
                    basis=row.basis,
                    status=row.status,
                    modality=row.modality,
                    reason=_text(row.reason),
                    layer=grouping_layer(row.status, row.camp),
                    facts=tuple(facts),
                    citations=self.cite(row.citations),
                    cited_as=(f"{row.grouping}/{via}", f"{via}/{iso3}")
                    if via
                    else (f"{row.grouping}/{iso3}",),
                )
            )
        return roles

    def grouping(self, grouping_id: str) -> list[Role]:
        row = next(r for r in _records(self.atlas, "groupings") if r.id == grouping_id)
        members = ("、" if self.lang == "ja" else ", ").join(self.names(m) for m in row.members)
        roles = [
            Role(
                kind="grouping",
                record_id=grouping_id,
                title=self.names(grouping_id),
                basis=row.basis,
                status=row.status,
                modality=row.modality,
                reason=_text(row.reason),
                layer=grouping_layer(row.status, row.camp),
                facts=((t("details.members", self.lang), members),),
                citations=self.cite(row.citations),
            )
        ]
        roles += self.relations(lambda r: grouping_id in (r.source, r.target))
        roles += self.events(lambda r: grouping_id in r.actors)
        roles += self.threats(lambda r: grouping_id in (r.origin, r.target), "threat")
        return roles

    def region(self, region_id: str) -> list[Role]:
        row = next(r for r in _records(self.atlas, "regions") if r.id == region_id)
        roles = [
            Role(
                kind="region",
                record_id=region_id,
                title=self.names(region_id),
                basis=row.basis,
                modality=row.modality,
                reason=_text(row.reason),
                citations=self.cite(row.citations),
            )
        ]
        roles += self.threats(
            lambda r: region_id in r.regions or region_id in (r.origin, r.target), "threat"
        )
        roles += self.relations(lambda r: region_id in (r.source, r.target))
        return roles

    def relations(self, keep: Any) -> list[Role]:
        roles = []
        for row in _records(self.atlas, "relations"):
            if not keep(row):
                continue
            facts = []
            if row.placement != "arc":  # how the map shows it: a mark, or not at all
                facts.append(
                    (
                        t("details.marked_at", self.lang),
                        t(f"details.placement.{row.placement}", self.lang),
                    )
                )
            title = _relation_title(row, self.names, self.lang)
            roles.append(self.record_role("relation", row, title, facts))
        return roles

    def record_role(self, kind: str, row: Any, title: str, facts: list[tuple[str, str]]) -> Role:
        """The role of a relation or topic record: its own basis, status, modality, reason,
        layer, date and citations."""
        return Role(
            kind=kind,
            record_id=row.id,
            title=title,
            basis=row.basis,
            status=row.status,
            modality=row.modality,
            reason=_text(row.reason),
            layer=row.layer,
            date=_text(row.date),
            facts=tuple(facts),
            citations=self.cite(row.citations),
        )

    def topics(self, keep: Any) -> list[Role]:
        """The topics `keep` picks: what the article discusses without a place of its own."""
        roles = []
        sep = "、" if self.lang == "ja" else ", "
        for row in _records(self.atlas, "topics"):
            if not keep(row):
                continue
            facts = [
                (
                    t("details.topic_kind", self.lang),
                    t_or(f"topickind.{row.kind}", self.lang, row.kind),
                )
            ]
            if row.about:
                facts.append(
                    (t("details.about", self.lang), sep.join(self.names(a) for a in row.about))
                )
            if _text(row.date):
                facts.append((t("details.date", self.lang), row.date))
            roles.append(self.record_role("topic", row, self.names(row.id), facts))
        return roles

    def events(self, keep: Any) -> list[Role]:
        roles = []
        sep = "、" if self.lang == "ja" else ", "
        for row in _records(self.atlas, "events"):
            if not keep(row):
                continue
            place = row.place_ja if self.lang == "ja" else row.place_en
            place_basis = t(f"basis.{row.place_basis}", self.lang)
            facts = [
                (t("details.date", self.lang), row.date),
                (t("details.place", self.lang), f"{place} ({place_basis})"),
            ]
            if row.actors:
                facts.append(
                    (t("details.actors", self.lang), sep.join(self.names(a) for a in row.actors))
                )
            roles.append(
                Role(
                    kind="event",
                    record_id=row.id,
                    title=self.names(row.id),
                    basis=row.basis,
                    modality=row.modality,
                    reason=_text(row.reason),
                    layer="events",
                    date=row.date,
                    facts=tuple(facts),
                    citations=self.cite(row.citations),
                )
            )
        return roles

    def threats(self, keep: Any, kind: str) -> list[Role]:
        roles = []
        sep = "、" if self.lang == "ja" else ", "
        for row in _records(self.atlas, "threats"):
            if not keep(row):
                continue
            facts = [(t("directions.label", self.lang), t(f"direction.{row.direction}", self.lang))]
            if row.sources:
                facts.append(
                    (t("details.sources", self.lang), sep.join(self.names(s) for s in row.sources))
                )
            if row.kinds:
                facts.append((t("details.kinds", self.lang), ", ".join(row.kinds)))
            roles.append(
                Role(
                    kind=kind,
                    record_id=row.id,
                    title=self.names(row.id),
                    basis=row.basis,
                    modality=row.modality,
                    reason=_text(row.reason),
                    layer="threats",
                    facts=tuple(facts),
                    citations=self.cite(row.citations),
                )
            )
        return roles

    def attributions(self, iso3: str) -> list[Role]:
        return [
            Role(
                kind="domain",
                record_id=row.domain,
                title=self.names(row.domain),
                basis=row.basis,
                modality=row.modality,
                reason=_text(row.reason),
                layer="threats",
                citations=self.cite(row.citations),
                cited_as=(f"{row.domain}/{iso3}",),
            )
            for row in _records(self.atlas, "domains")
            if row.actor == iso3
        ]

    def domain(self, domain_id: str) -> list[Role]:
        domain = next(d for d in self.atlas.knowledge.domains if d.id == domain_id)
        sep = "、" if self.lang == "ja" else ", "
        attributed = sep.join(self.names(a.actor) for a in domain.attributions)
        roles = [
            Role(
                kind="domain",
                record_id=domain_id,
                title=self.names(domain_id),
                basis=domain.basis,
                modality=domain.modality,
                reason=domain.reason,
                layer="threats",
                facts=((t("details.sources", self.lang), attributed),) if attributed else (),
                citations=self.cite(domain.citations),
            )
        ]
        return roles

    def region_parts(self, iso3: str) -> list[Role]:
        return [
            Role(
                kind="region_part",
                record_id=region.id,
                title=self.names(region.id),
                basis=region.basis,
                modality=region.modality,
                reason=region.reason,
                citations=self.cite(region.citations),
            )
            for region in self.atlas.knowledge.regions
            if iso3 in region.extent.countries
        ]


def item_name(atlas: Atlas, item_id: str, lang: str) -> str:
    """The display name of any id the map can show (falls back to the id itself)."""
    return _names(atlas, lang)(item_id)


# --- the table view ------------------------------------------------------------------------------

COLUMNS = ("kind", "name", "layer", "basis", "modality", "status", "date", "detail", "cited")


def _cited_at(citations: Iterable[Mapping[str, Any]], lang: str) -> str:
    paragraphs = sorted({c["paragraph"] for c in citations if c.get("paragraph")})
    notes = sorted({n for c in citations for n in c.get("footnotes") or ()})
    parts = [f"P{p}" for p in paragraphs] + [f"fn{n}" for n in notes]
    return ", ".join(parts)


def _names_in(frame: pd.DataFrame, key: str, lang: str) -> dict[str, str]:
    """The name in `lang` of each row of `frame` (with name_ja / name_en), by its `key` column."""
    columns = (frame[key].tolist(), frame["name_ja"].tolist(), frame["name_en"].tolist())
    return {
        item: name({"name_ja": name_ja, "name_en": name_en}, lang)
        for item, name_ja, name_en in zip(*columns, strict=True)
    }


def _grouped(frame: pd.DataFrame, key: str, value: str) -> dict[Any, list[Any]]:
    """The `value` column of `frame` by its `key` column (the keys and values in row order)."""
    groups: dict[Any, list[Any]] = {}
    for item, value_of_item in zip(frame[key].tolist(), frame[value].tolist(), strict=True):
        groups.setdefault(item, []).append(value_of_item)
    return groups


def view_rows(layers: Layers, lang: str, atlas: Atlas | None = None) -> list[dict[str, Any]]:
    """One row per item the view shows: groupings, links (those only listed or marked at their
    source too), threats, regions, events, domains and topics.

    Each row has the keys of COLUMNS plus `id` (the item whose details the row stands for),
    `key` ("kind:id[:…]", unique within a view) and `layers` (the ids of the map layers that draw
    the item: one, or several for a region that links of several layers point to; the row is on
    the map while any of them is shown). Values are plain text in `lang`. With `atlas`, links to
    groupings or regions the view does not draw are named too (else by their id).
    """
    # ends of links may be groupings or regions the view does not draw
    names = _Fallback(_names(atlas, lang).by_id if atlas is not None else {})
    names |= _names_in(layers.countries, "iso3", lang)
    for frame in (layers.groupings, layers.regions, layers.threats, layers.events):
        names |= _names_in(frame, "id", lang)
    sep = "、" if lang == "ja" else ", "
    rows: list[dict[str, Any]] = []

    def add(kind: str, item_id: str, key: str | None = None, **values: Any) -> None:
        row = {"key": key or f"{kind}:{item_id}", "id": item_id, "kind": t(f"kind.{kind}", lang)}
        row |= {c: "" for c in COLUMNS if c != "kind"}
        row |= {k: ("" if v is None else v) for k, v in values.items()}
        rows.append(row)

    members_of = _grouped(layers.memberships, "grouping", "iso3")
    for g in records(layers.groupings):
        members = members_of.get(g.id, [])
        add(
            "grouping",
            g.id,
            name=names[g.id],
            basis=t(f"basis.{g.basis}", lang),
            modality=t(f"modality.{g.modality}", lang),
            status=t(f"status.{g.status}", lang),
            detail=f"{t('details.members', lang)} ({len(members)}): "
            + sep.join(names.get(m, m) for m in members),
            cited=_cited_at(g.citations, lang),
        )
    for r in records(layers.relations):
        add(
            "relation",
            r.id,
            name=_relation_title(r, names, lang),
            basis=t(f"basis.{r.basis}", lang),
            modality=t(f"modality.{r.modality}", lang),
            status=t(f"status.{r.status}", lang),
            date=_text(r.date),
            detail=t_or(f"relkind.{r.kind}", lang, r.kind)
            + ("" if r.placement == "arc" else f" ({t(f'table.placement.{r.placement}', lang)})"),
            cited=_cited_at(r.citations, lang),
        )
    for x in records(layers.threats):
        add(
            "threat",
            x.id,
            name=names[x.id],
            basis=t(f"basis.{x.basis}", lang),
            modality=t(f"modality.{x.modality}", lang),
            status=t("status.existing", lang),
            detail=sep.join(names.get(s, s) for s in x.sources),
            cited=_cited_at(x.citations, lang),
        )
    for region in records(layers.regions):
        add(
            "region",
            region.id,
            name=names[region.id],
            basis=t(f"basis.{region.basis}", lang),
            modality=t(f"modality.{region.modality}", lang),
            status=t("status.existing", lang),
            cited=_cited_at(region.citations, lang),
        )
    for e in records(layers.events):
        add(
            "event",
            e.id,
            name=names[e.id],
            basis=t(f"basis.{e.basis}", lang),
            modality=t(f"modality.{e.modality}", lang),
            status=t("status.existing", lang),
            date=e.date,
            detail=e.place_ja if lang == "ja" else e.place_en,
            cited=_cited_at(e.citations, lang),
        )
    for d in records(layers.domains):
        domain_name = d.name_ja if lang == "ja" else d.name_en
        add(
            "domain",
            d.domain,
            key=f"domain:{d.domain}:{d.actor}",
            name=f"{domain_name}: {names.get(d.actor, d.actor)}",
            basis=t(f"basis.{d.basis}", lang),
            modality=t(f"modality.{d.modality}", lang),
            status=t("status.existing", lang),
            cited=_cited_at(d.citations, lang),
        )
    for topic in records(layers.topics):
        add(
            "topic",
            topic.id,
            name=name(topic, lang),
            basis=t(f"basis.{topic.basis}", lang),
            modality=t(f"modality.{topic.modality}", lang),
            status=t(f"status.{topic.status}", lang),
            date=_text(topic.date),
            detail=t_or(f"topickind.{topic.kind}", lang, topic.kind)
            + (": " + sep.join(names(a) for a in topic.about) if len(topic.about) else ""),
            cited=_cited_at(topic.citations, lang),
        )
    for row, keys in zip(rows, row_layers(layers), strict=True):
        row["layer"] = sep.join(t(f"layer.{layer}", lang) for layer in keys_layers(keys))
        row["layers"] = keys
    return rows


def keys_layers(keys: Iterable[str]) -> tuple[str, ...]:
    """The layers of some layer keys, each once (see geodata.scenario.key_layer)."""
    return tuple(dict.fromkeys(key_layer(key) for key in keys))


def row_layers(layers: Layers) -> list[tuple[str, ...]]:
    """The layer keys of each row `view_rows` gives for `layers`, in its order (a threat's is
    its direction's, geodata.scenario.direction_key), each limited to the certainty states in
    which the row's item shows (geodata.certainty.state_key: the table lists every certainty
    its map draws, and the page hides the rows of the others), without the rows' text: what
    the table's counts need (see `layer_counts`) at a fraction of the cost."""
    groupings, regions = layers.groupings, layers.regions

    def limited(frame: pd.DataFrame, keys: Iterable[str]) -> list[tuple[str, ...]]:
        certainty = zip(frame.basis, frame.modality, strict=True)
        return [
            (state_key(key, item_states(basis, modality)),)
            for key, (basis, modality) in zip(keys, certainty, strict=True)
        ]

    return [
        *limited(
            groupings,
            (
                grouping_layer(status, camp)
                for status, camp in zip(groupings.status, groupings.camp, strict=True)
            ),
        ),
        *limited(layers.relations, layers.relations.layer),
        *limited(layers.threats, (direction_key(d) for d in layers.threats.direction)),
        *(tuple(dict.fromkeys(layers.region_layers.get(r, ()))) for r in regions.id),
        *limited(layers.events, ["events"] * len(layers.events)),
        *limited(layers.domains, ["threats"] * len(layers.domains)),
        *limited(layers.topics, layers.topics.layer),
    ]


class _Fallback(dict):
    """names.get with the id itself as the default, callable like _Names."""

    def __call__(self, key: str) -> str:
        return self.get(key, key)


def country_rows(layers: Layers, lang: str) -> list[dict[str, Any]]:
    """One row per country the view colours through a grouping membership (for comparisons);
    its `layers` are those of its groupings (coloured while any of them is shown)."""
    country_names = _names_in(layers.countries, "iso3", lang)
    groupings = {g.id: g for g in records(layers.groupings)}
    groupings_of = _grouped(layers.memberships, "iso3", "grouping")
    rows = []
    for iso3 in sorted(groupings_of):
        shown = [groupings[g] for g in groupings_of[iso3] if g in groupings]
        names = [name(g, lang) for g in shown]
        rows.append(
            {
                "key": f"country:{iso3}",
                "layers": tuple(dict.fromkeys(grouping_layer(g.status, g.camp) for g in shown)),
                "id": iso3,
                "kind": t("kind.country", lang),
                "name": country_names.get(iso3, iso3),
                "layer": "",
                "basis": "",
                "modality": "",
                "status": "",
                "date": "",
                "detail": ("、" if lang == "ja" else ", ").join(names),
                "cited": "",
            }
        )
    return rows


def on_map(row: Mapping[str, Any], shown: Collection[str], state: int = WIDEST_STATE) -> bool:
    """Whether the map shows a row's item with the layer keys `shown` in certainty state
    `state`: any of its keys is shown in it (a row without layers always is)."""
    layers = row.get("layers") or ()
    return not layers or shows(layers, shown, state)


def layer_counts(layer_sets: Iterable[tuple[str, ...]]) -> dict[str, int]:
    """How many rows each set of layer keys has (the rows' `layers`, see `row_layers`; "" for
    rows without layers), keyed by the keys joined with spaces: the rows `on_map` shows are
    those of the sets with a shown key."""
    counts: dict[str, int] = {}
    for layer_ids in layer_sets:
        key = " ".join(layer_ids)
        counts[key] = counts.get(key, 0) + 1
    return counts


def diff_rows(
    rows_a: list[dict[str, Any]], rows_b: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(rows only in A, rows only in B), compared by their `key`."""
    keys_a = {r["key"] for r in rows_a}
    keys_b = {r["key"] for r in rows_b}
    return [r for r in rows_a if r["key"] not in keys_b], [
        r for r in rows_b if r["key"] not in keys_a
    ]
