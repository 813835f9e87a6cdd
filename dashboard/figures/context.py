"""What every layer builder shares: the view, names in the view's language, hover text, and the
small records a builder returns (its traces, the labels it wants and the marks labels avoid)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import Any, TypeVar

from dashboard.figures import style
from dashboard.figures.geo import DETAIL_RESOLUTION, MISSING_FROM_BASE_MAP, Projector
from dashboard.figures.projection import View
from dashboard.figures.text import wrap
from dashboard.i18n import format_date, hedge_meaning, join_names, localized, t, t_or
from geodata.atlas import Atlas, Record, derived, records
from geodata.certainty import (
    EVERY_STATE,
    ItemStates,
    item_states,
    split_state_key,
    state_key,
)
from geodata.knowledge import Basis
from geodata.scenario import Lang
from geodata.select import Layers

ALL_POSITIONS: tuple[str, ...] = (
    "top center",
    "bottom center",
    "middle right",
    "middle left",
    "top right",
    "top left",
    "bottom right",
    "bottom left",
)


COMPACT_WIDTH = 1100  # px: narrower figures (side-by-side maps) label less

# A plotly trace as a plain dict: build_figure makes the figure of them without validating each
# (validating every trace cost more than drawing it).
Trace = dict[str, Any]
T = TypeVar("T")


def scattergeo(**props: Any) -> Trace:
    """A scattergeo trace (props as go.Scattergeo takes them)."""
    return {"type": "scattergeo", **props}


def choropleth(**props: Any) -> Trace:
    """A choropleth trace (props as go.Choropleth takes them)."""
    return {"type": "choropleth", **props}


@dataclass(frozen=True)
class LabelRequest:
    """A text a builder wants on the map, at an anchor, if there is room for it.

    Labels with the same key in several layers are the same label: they must have the same
    text, and they are placed once (so they coincide when both layers are shown).
    """

    key: str
    lon: float
    lat: float
    text: str
    cls: str
    priority: int
    optional: bool = False
    gap: float = 6.0
    positions: tuple[str, ...] = ALL_POSITIONS
    colour: str = style.DARK
    alternatives: tuple[tuple[float, float], ...] = ()  # other anchors to try (e.g. along an arc)
    clearance: float = 0.0  # px kept free around the label (thins out dense labels)
    reach: float | None = None  # px an optional label may move off its anchor (leader line)
    # a label moved off its anchor stays nearer it than any other anchor of its class (so it
    # cannot be read as another arrow's)
    distinct: bool = False
    # the ids of the items the label names (by default the id in its key, "relation:<id>")
    items: tuple[str, ...] = ()
    # whether it names what the article states exists (not an inferred or external item, nor a
    # proposal): among labels of one priority, these are placed first
    stated: bool = True
    # the layer keys it shows with, when it names only a part of its layer (a threat
    # direction's items): see Drawing.add
    keys: tuple[str, ...] = ()
    # the certainty states it shows in, when not those of the items it names (a label whose
    # text depends on which of its items show: one request per text, see figures.states)
    states: ItemStates | None = None

    @property
    def item_ids(self) -> list[str]:
        """The ids of the items the label names (what emphasises it with them)."""
        return list(self.items) or [self.key.rsplit(":", 1)[-1]]


@dataclass(frozen=True)
class Obstacle:
    """A drawn mark (marker, badge) that labels should not cover: a centre and a radius in px.
    A `hard` one (a certainty badge: covered, the article's certainty is lost) no label covers
    and no leader line crosses; the others a label covers only when it has no other place."""

    lon: float
    lat: float
    radius: float
    hard: bool = False


@dataclass(frozen=True)
class CountryFill:
    """How a layer draws one country (iso3) on the map's one countries trace (see
    dashboard.figures.countries): its fill (an rgba colour, None for none) and its outline (None
    for none), and the text it adds to the country's hover. Of the shown layers, the last (in
    drawing order) that sets a fill, or an outline, is the one drawn."""

    iso3: str
    fill: str | None = None
    line_colour: str | None = None
    line_width: float = 0.0
    hover: str = ""
    states: ItemStates = EVERY_STATE  # the certainty states it shows in (geodata.certainty)


def hedges(citations: Iterable[Mapping[str, Any]], modality: str) -> tuple[str, ...]:
    """The article's hedge words behind an item's modality: those of its citations that are as
    certain as the item (its most certain ones), each once, in citation order."""
    words = (c.get("hedge_ja") for c in citations if c.get("modality", "asserted") == modality)
    return tuple(dict.fromkeys(word for word in words if word))


def make_uid(layer: str, name: str) -> str:
    """A stable trace uid. plotly.js puts uids in element ids and CSS selectors, so only
    letters, digits, '_' and '-' are used (the parts are ids made of [a-z0-9_])."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", f"{layer}-{name.replace('/', '-')}")


@dataclass
class Drawing:
    """What one layer builder draws."""

    layer: str
    traces: list[tuple[str, Trace]] = field(default_factory=list)
    labels: list[LabelRequest] = field(default_factory=list)
    obstacles: list[Obstacle] = field(default_factory=list)
    # countries this layer fills or outlines (drawn by the one countries trace, in base)
    fills: list[CountryFill] = field(default_factory=list)

    def add(
        self,
        uid: str,
        trace: Trace,
        kind: str,
        ids: list[str],
        parts: list[str] | None = None,
        keys: tuple[str, ...] = (),
    ) -> None:
        """Add a trace; its uid is made unique and stable as '<layer>-<uid>'. A trace of lines
        names the item of each of its parts (`parts`, see marks.LonLatList). A trace of a part
        of the layer (a threat direction's) names the layer keys it shows with (`keys`: while
        any of them is shown; geodata.scenario.Scenario.shown_keys)."""
        trace["meta"] = line_meta(self.layer, kind, ids, trace, parts)
        if keys:
            trace["meta"]["layers"] = list(keys)
        self.traces.append((make_uid(self.layer, uid), trace))


def line_meta(
    layer: str, kind: str, ids: list[str], trace: Trace, parts: list[str] | None = None
) -> dict[str, Any]:
    """A trace's meta: its layer, what it draws and the ids of its items; for a trace of lines
    whose parts are items (`parts`), also the item of each part, and the trace's own opacity and
    legend entry (which the map's emphasis changes and restores: dashboard.figures.emphasis)."""
    meta: dict[str, Any] = {"layer": layer, "kind": kind, "ids": list(ids)}
    if parts is not None:
        meta["parts"] = list(parts)
        meta["opacity"] = trace.get("opacity", 1.0)
        meta["showlegend"] = trace.get("showlegend", True)
    return meta


class AtlasIndex:
    """Plain-Python lookups into an atlas, made once per atlas and shared by all its figures, and
    a store of what is drawn the same way in every view of it (see `memo`)."""

    def __init__(self, atlas: Atlas) -> None:
        actors = atlas.knowledge.actors
        self.actors: dict[str, Any] = {actor.id: actor for actor in actors}
        self.stated_actors = frozenset(actor.id for actor in actors if actor.basis == "stated")
        # every grouping of the atlas by id (not only the shown ones)
        self.groupings: dict[str, Record] = {row.id: row for row in records(atlas.groupings)}
        self.grouping_order: tuple[str, ...] = tuple(atlas.groupings.id)
        # the place of each grouping without a style of its own among them (picks its colour)
        value_ids = [g for g in self.grouping_order if g not in style.GROUPING_STYLES]
        self.value_rank = {g: value_ids.index(g) for g in value_ids}
        self.regions: dict[str, Record] = {row.id: row for row in records(atlas.regions)}
        self.topics: dict[str, Record] = {row.id: row for row in records(atlas.topics)}
        # how many topics are about each record (the details panel lists them)
        self.topic_counts: dict[str, int] = {}
        for row in self.topics.values():
            for item in row.about:
                self.topic_counts[item] = self.topic_counts.get(item, 0) + 1
        self.country_rows: dict[str, Record] = {row.iso3: row for row in records(atlas.countries)}
        # every membership of each country (not only the shown groupings), in the knowledge
        # base's grouping order
        order = {g: i for i, g in enumerate(self.grouping_order)}
        self.memberships_of: dict[str, list[Record]] = {}
        for row in records(atlas.memberships):
            self.memberships_of.setdefault(row.iso3, []).append(row)
        for rows in self.memberships_of.values():
            rows.sort(key=lambda row: order.get(row.grouping, 99))
        self.item_states = _item_states(atlas)
        self._memo: dict[tuple, Any] = {}

    def states_of(self, item_id: str) -> ItemStates:
        """The certainty states in which an item shows (geodata.certainty): a grouping, relation,
        threat, region, event, topic, domain ("cyber": while any of its actors' shows), a
        domain's actor ("cyber:CHN") or a membership ("nato:JPN"); every state for anything
        else (a country, a place)."""
        return self.item_states.get(item_id, EVERY_STATE)

    def memo(self, key: tuple, compute: Callable[[], T]) -> T:
        """`compute()` the first time `key` is asked for, the stored value after (the value must
        depend on the atlas and the key alone, and is shared: never change it)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]


def _item_states(atlas: Atlas) -> dict[str, ItemStates]:
    """The states each item of the atlas shows in, by id (see AtlasIndex.states_of)."""
    found: dict[str, ItemStates] = {}
    for frame in ("groupings", "relations", "threats", "regions", "events", "topics"):
        for item_id, basis, modality in records(getattr(atlas, frame)[["id", "basis", "modality"]]):
            found[item_id] = item_states(basis, modality)
    for domain, actor, basis, modality in records(
        atlas.domains[["domain", "actor", "basis", "modality"]]
    ):
        states = item_states(basis, modality)
        found[f"{domain}:{actor}"] = states
        found[domain] = found.get(domain, 0) | states
    for grouping, iso3, basis, modality in records(
        atlas.memberships[["grouping", "iso3", "basis", "modality"]]
    ):
        found[f"{grouping}:{iso3}"] = item_states(basis, modality)
    return found


def atlas_index(atlas: Atlas) -> AtlasIndex:
    """The lookups of an atlas (made on first use)."""
    return derived(atlas, AtlasIndex)


@dataclass(frozen=True)
class LayerRows:
    """The frames of a view's layers as records (read by every drawing pass)."""

    memberships: list[Record]
    groupings: list[Record]
    relations: list[Record]  # those drawn as arcs
    marked: list[Record]  # relations drawn as a mark at their source (the other end has no place)
    threats: list[Record]
    regions: list[Record]
    events: list[Record]
    domains: list[Record]

    @classmethod
    def of(cls, layers: Layers) -> LayerRows:
        rows = {f.name: records(getattr(layers, f.name)) for f in fields(cls) if f.name != "marked"}
        # the figures draw relations as arcs, or as a mark at their source when the other end
        # has no place; one only listed has neither (its placement says so) and stays in the
        # details and the table
        relations = rows["relations"]
        rows["relations"] = [r for r in relations if r.placement == "arc"]
        rows["marked"] = [r for r in relations if r.placement == "at_source"]
        return cls(**rows)


@dataclass
class Context:
    """One figure's inputs, with lookups the builders share.

    What a builder draws depends on where the map goes in the figure (its frame) only through
    `projector`, which notes that it was read: when the frame changes, compose draws again just
    the layers that read it."""

    layers: Layers
    atlas: Atlas
    lang: Lang
    view: View
    size: tuple[int, int]  # px the figure is laid out for
    visible: frozenset[str] = frozenset()  # the layers shown at first
    resolution: int = DETAIL_RESOLUTION  # of the base map the countries are drawn on
    projector_read: bool = field(default=False, init=False)
    _projector: Projector | None = field(default=None, init=False, repr=False)

    @property
    def projector(self) -> Projector:
        """Lon/lat → pixels in the figure's frame."""
        if self._projector is None:
            raise RuntimeError("the context has no frame yet")
        self.projector_read = True
        return self._projector

    @projector.setter
    def projector(self, projector: Projector) -> None:
        self._projector = projector

    @property
    def compact(self) -> bool:
        """Whether the figure is laid out small (a side-by-side map): fewer labels are kept."""
        return self.size[0] < COMPACT_WIDTH

    @cached_property
    def index(self) -> AtlasIndex:
        """The atlas's lookups."""
        return atlas_index(self.atlas)

    @cached_property
    def rows(self) -> LayerRows:
        """The view's layers as records (made once per selection: the main map and the inset,
        and the maps of one selection with other layers shown, share them)."""
        return derived(self.layers, LayerRows.of)

    @property
    def actors(self) -> dict[str, Any]:
        """Actor records by iso3."""
        return self.index.actors

    @property
    def stated_actors(self) -> frozenset[str]:
        return self.index.stated_actors

    @property
    def groupings(self) -> dict[str, Record]:
        """Every grouping of the atlas by id (not only the shown ones)."""
        return self.index.groupings

    @property
    def grouping_order(self) -> tuple[str, ...]:
        return self.index.grouping_order

    def grouping_style(self, grouping_id: str) -> style.GroupingStyle:
        row = self.groupings[grouping_id]
        index = self.index.value_rank.get(grouping_id, 0)
        return style.grouping_style(grouping_id, row.camp, row.status, index)

    @property
    def regions(self) -> dict[str, Record]:
        return self.index.regions

    @property
    def country_rows(self) -> dict[str, Record]:
        return self.index.country_rows

    def name(self, item_id: str) -> str:
        """The display name of a country, grouping or region id in the view's language."""
        if item_id in self.country_rows:
            return localized(self.country_rows[item_id], "name", self.lang) or item_id
        if item_id in self.groupings:
            return localized(self.groupings[item_id], "name", self.lang) or item_id
        if item_id in self.regions:
            return localized(self.regions[item_id], "name", self.lang) or item_id
        if item_id in self.index.topics:
            return localized(self.index.topics[item_id], "name", self.lang) or item_id
        return item_id

    def full_name(self, grouping_id: str) -> str:
        """A grouping's name, on a Japanese map with its Japanese full name where it has one
        ('NATO(北大西洋条約機構)'): the legend's and the hover's."""
        name = self.name(grouping_id)
        formal = self.groupings[grouping_id].formal_name_ja
        if self.lang != "ja" or not isinstance(formal, str) or not formal or formal == name:
            return name
        return f"{name}({formal})"

    def anchor(self, item_id: str) -> tuple[float, float]:
        lon, lat = self.atlas.anchors[item_id]
        return float(lon), float(lat)

    def basis_word(self, basis: str) -> str:
        return t(f"basis.{basis}", self.lang)

    def status_word(self, status: str) -> str:
        return t(f"status.{status}", self.lang)

    def basis_line(self, basis: str, status: str | None = None) -> str:
        if status is None:
            return t("hover.basis", self.lang, basis=self.basis_word(basis))
        return t(
            "hover.basis_status",
            self.lang,
            basis=self.basis_word(basis),
            status=self.status_word(status),
        )

    def modality_line(self, modality: str, citations: Iterable[Mapping[str, Any]]) -> str:
        """'確度:見立て(と見られる)' / 'Certainty: assessed (“is seen as / reportedly”)' for an
        item the article does not simply assert; "" for one it asserts. An English map gives the
        hedge's meaning (the details panel shows the Japanese words beside it)."""
        if not isinstance(modality, str) or modality == "asserted":
            return ""
        words = hedges(citations, modality)
        if self.lang == "en":
            meanings = (hedge_meaning(word) for word in words)
            words = tuple(dict.fromkeys(f"“{m}”" for m in meanings if m))
        return t(
            "hover.modality",
            self.lang,
            modality=t(f"modality.{modality}", self.lang),
            hedges=("、" if self.lang == "ja" else ", ").join(words) or "—",
        )

    def topics_line(self, item_id: str) -> str:
        """How many of the article's topics concern an item ("" for none)."""
        count = self.index.topic_counts.get(item_id, 0)
        return t("hover.topics", self.lang, count=count) if count else ""

    # --- hover text --------------------------------------------------------------------------

    def country_hover(self, iso3: str) -> str:
        """Name, the article's basis for the country and every grouping it is in."""
        return self.index.memo(
            ("country_hover", self.lang, iso3), lambda: self._country_hover(iso3)
        )

    def _country_hover(self, iso3: str) -> str:
        lines = [f"<b>{self.name(iso3)}</b>"]
        actor = self.actors.get(iso3)
        if actor is not None:
            lines.append(self.basis_line(actor.basis))
        else:
            lines.append(t("hover.not_actor", self.lang))
        rows = self.memberships_of.get(iso3, [])
        if rows:
            lines.append(t("hover.groupings", self.lang))
            lines += [self._membership_line(row) for row in rows]
        else:
            lines.append(t("hover.no_groupings", self.lang))
        if iso3 in self.missing_outline:
            lines.append(t("hover.base_map_missing", self.lang))
        lines.append(self.topics_line(iso3))
        return _joined(lines)

    @cached_property
    def membership_basis(self) -> dict[tuple[str, str], str]:
        """The basis of each shown membership, by (iso3, grouping)."""
        return {(row.iso3, row.grouping): row.basis for row in self.rows.memberships}

    @cached_property
    def membership_modality(self) -> dict[tuple[str, str], tuple[str, str]]:
        """The modality and status of each shown membership, by (iso3, grouping)."""
        return {
            (row.iso3, row.grouping): (row.modality, row.status) for row in self.rows.memberships
        }

    def membership_states(self, iso3: str, grouping_id: str) -> ItemStates:
        """The certainty states in which a membership shows: it and its grouping do."""
        return self.index.states_of(f"{grouping_id}:{iso3}") & self.index.states_of(grouping_id)

    @cached_property
    def region_drawers(self) -> dict[str, dict[str, ItemStates]]:
        """For each region the view draws, the certainty states in which it shows with each
        layer key that draws it (geodata.select.Layers.region_layers)."""
        found: dict[str, dict[str, ItemStates]] = {}
        for region_id, keys in self.layers.region_layers.items():
            for key, states in map(split_state_key, keys):
                by_key = found.setdefault(region_id, {})
                by_key[key] = by_key.get(key, 0) | states
        return found

    def region_keys(self, region_id: str, keys: Iterable[str]) -> tuple[str, ...]:
        """The state keys a region drawn for the layer keys `keys` shows with (see
        `region_drawers`)."""
        drawers = self.region_drawers.get(region_id, {})
        return tuple(state_key(key, drawers.get(key, 0)) for key in keys)

    @property
    def memberships_of(self) -> dict[str, list[Record]]:
        """Every membership of each country in the atlas (not only the shown groupings), in
        the knowledge base's grouping order."""
        return self.index.memberships_of

    @property
    def missing_outline(self) -> frozenset[str]:
        """The countries the base map has no outline for (each is drawn as a point instead)."""
        return MISSING_FROM_BASE_MAP[self.resolution]

    def _membership_line(self, row: Record) -> str:
        grouping = row.grouping
        glyph = self.grouping_style(grouping)
        colour = style.glyph_colour(glyph.colour, row.basis)
        details = [self.basis_word(row.basis)]
        if row.status == "proposed":
            details.append(self.status_word("proposed"))
        if row.modality not in ("asserted", "recommended"):
            details.append(t(f"modality.{row.modality}", self.lang))
        if isinstance(row.via, str) and row.via:
            details.append(t("hover.via", self.lang, name=self.name(row.via)))
        role = localized(row, "role", self.lang)
        if role:
            details.append(role)
        detail = f"({'、'.join(details)})" if self.lang == "ja" else f" ({', '.join(details)})"
        return f"<span style='color:{colour}'>{glyph.glyph}</span> {self.name(grouping)}{detail}"

    def grouping_hover(self, grouping_id: str) -> str:
        row = self.groupings[grouping_id]
        members = list(row.members)
        lines = [
            f"<b>{self.full_name(grouping_id)}</b>",
            self.basis_line(row.basis, row.status),
            t("hover.members", self.lang, count=len(members)),
        ]
        named = [self.name(m) for m in members if m in self.stated_actors]
        if named:
            lines.append(_wrap_list(join_names(named, self.lang), self.lang))
        lines += [self.modality_line(row.modality, row.citations), self.topics_line(grouping_id)]
        return _joined(lines)

    def endpoints(self, relation: Record) -> str:
        arrow = " → " if relation.directed else " — "
        return f"{self.name(relation.source)}{arrow}{self.name(relation.target)}"

    def relation_hover(self, relation: Record) -> str:
        lines = [f"<b>{self.endpoints(relation)}</b>", localized(relation, "label", self.lang)]
        kind = t_or(f"hover.kind.{relation.kind}", self.lang, "")
        if kind:
            lines.append(kind)
        if isinstance(relation.date, str):
            lines.append(t("hover.date", self.lang, date=format_date(relation.date, self.lang)))
        lines.append(self.basis_line(relation.basis, relation.status))
        lines.append(self.modality_line(relation.modality, relation.citations))
        if relation.placement == "at_source":
            lines.append(t("hover.marked", self.lang, target=self.name(relation.target)))
        lines.append(self.topics_line(relation.id))
        return _joined(lines)

    def threat_hover(self, threat: Record) -> str:
        lines = [
            f"<b>{localized(threat, 'name', self.lang)}</b>",
            f"{self.name(threat.origin)} → {self.name(threat.target)}",
        ]
        sources = [self.name(s) for s in threat.sources]
        if sources:
            lines.append(t("hover.sources", self.lang, names=join_names(sources, self.lang)))
        lines.append(self.basis_line(threat.basis))
        lines.append(self.modality_line(threat.modality, threat.citations))
        return _joined(lines)

    def region_hover(self, region: Record) -> str:
        lines = [f"<b>{localized(region, 'name', self.lang)}</b>", self.basis_line(region.basis)]
        if region.basis == "external":
            lines.append(t("hover.region_extent", self.lang))
        elif region.basis == "inferred":
            lines.append(t("hover.region_inferred", self.lang))
        lines.append(self.modality_line(region.modality, region.citations))
        return _joined(lines)

    def event_hover(self, event: Record) -> str:
        place = localized(event, "place", self.lang)
        return _joined(
            [
                f"<b>{_wrap_list(localized(event, 'name', self.lang), self.lang)}</b>",
                f"{format_date(event.date, self.lang)} · {place}",
                self.basis_line(event.basis),
                t("hover.place_basis", self.lang, basis=self.basis_word(event.place_basis)),
                self.modality_line(event.modality, event.citations),
            ]
        )

    def domain_hover(self, domain: Record) -> str:
        return _joined(
            [
                f"<b>{localized(domain, 'name', self.lang)}</b> — {self.name(domain.actor)}",
                t("hover.domain", self.lang),
                self.basis_line(domain.basis),
                self.modality_line(domain.modality, [*domain.citations, *domain.domain_citations]),
            ]
        )

    def external_mark(self, basis: Basis | str) -> str:
        """The mark appended to a label whose item rests on external knowledge."""
        return t("mark.external", self.lang) if basis == "external" else ""


def _joined(lines: Iterable[str]) -> str:
    """Hover lines joined, the empty ones left out."""
    return "<br>".join(line for line in lines if line)


def _wrap_list(text: str, lang: Lang) -> str:
    return wrap(text, lang, 24 if lang == "ja" else 48)
