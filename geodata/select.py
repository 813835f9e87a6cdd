"""Atlas × Scenario → the layers a view draws. Pure: no I/O, no plotting."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType

import geopandas as gpd
import numpy as np
import pandas as pd

from geodata.atlas import Atlas, derived, records
from geodata.certainty import ItemStates, item_states, state_index, state_key
from geodata.knowledge import BASES, MODALITIES, date_bounds
from geodata.scenario import Scenario, direction_key

DateSpan = tuple[date, date]


@dataclass(frozen=True, eq=False)
class Layers:
    """What one view shows: filtered copies of the atlas frames, plus the view itself. Treat as
    read-only. Selections compare and hash by identity, like atlases, so that what is derived
    from one is kept with it (geodata.atlas.derived).

    `region_layers` maps each region of `regions` to the layer keys that draw it, in the order
    they come: the direction's ("threats-east", geodata.scenario.direction_key) of each threat
    that crosses it, then the layer of each link ending at it; each limited to the certainty
    states in which the region and one of those show (geodata.certainty.state_key).
    """

    scenario: Scenario
    countries: gpd.GeoDataFrame
    memberships: pd.DataFrame
    groupings: gpd.GeoDataFrame
    relations: gpd.GeoDataFrame
    threats: gpd.GeoDataFrame
    regions: gpd.GeoDataFrame
    events: gpd.GeoDataFrame
    domains: pd.DataFrame
    topics: pd.DataFrame
    region_layers: Mapping[str, tuple[str, ...]]

    def is_empty(self) -> bool:
        """Whether the view draws nothing at all."""
        return all(
            len(frame) == 0
            for frame in (self.memberships, self.relations, self.threats, self.regions, self.events)
        )


def date_span(value: object) -> DateSpan | None:
    """The first and last day of a partial ISO date; None for an undated item (None/NaN)."""
    return date_bounds(value) if isinstance(value, str) else None


def overlaps(span: DateSpan | None, start: date | None, end: date | None) -> bool:
    """Whether a date span overlaps [start, end]; undated items (None) always do."""
    if span is None:
        return True
    first, last = span
    return (start is None or last >= start) and (end is None or first <= end)


def widest_dates(atlas: Atlas, scenario: Scenario) -> Scenario:
    """The scenario with its date range widened as far as it selects the same items: each bound
    moved out to the day after (before) the nearest day on which a dated item ends (starts)
    beyond it, or dropped when there is none. Ranges that select the same items then share one
    key (a map, a table), and a date moved within such a stretch redraws nothing."""
    starts, ends = derived(atlas, _span_days)
    start, end = scenario.date_from, scenario.date_to
    if start is not None:  # an item is left out when it ends before `start`
        before = bisect_left(ends, start)
        start = ends[before - 1] + timedelta(days=1) if before else None
    if end is not None:  # ... or starts after `end`
        after = bisect_right(starts, end)
        end = starts[after] - timedelta(days=1) if after < len(starts) else None
    if (start, end) == (scenario.date_from, scenario.date_to):
        return scenario
    return scenario.model_copy(update={"date_from": start, "date_to": end})


def _span_days(atlas: Atlas) -> tuple[list[date], list[date]]:
    """The first days and the last days of the dated items the date filter applies to, sorted."""
    rows = derived(atlas, _AtlasRows)
    spans = [
        *(span for _, _, _, span, _ in rows.relations),
        *(span for span, _ in rows.events),
        *(span for _, _, span, _ in rows.topics),
    ]
    dated = [span for span in spans if span is not None]
    return sorted({first for first, _ in dated}), sorted({last for _, last in dated})


def grouping_layer(status: str, camp: str) -> str:
    """The map layer that draws a grouping (and its memberships)."""
    if status == "proposed":
        return "proposals"
    return "authoritarian" if camp == "authoritarian" else "value_community"


# layers whose relations follow the grouping filter (the others are about states, not groupings)
GROUPING_LAYERS = ("value_community", "authoritarian", "proposals")


def _within(
    ends: tuple[str, str],
    shown: set[str],
    groupings: frozenset[str],
    places: frozenset[str],
    members: set[str],
) -> bool:
    """Whether a relation with these ends touches a chosen grouping or its members, and no party
    outside them.

    `shown` are the chosen grouping ids (before the layer filter), `groupings` every grouping id,
    `places` every region and topic id (ends that are not parties: they never restrict),
    `members` the states in the shown groupings. A state end must be one of `members`, a
    grouping end one of `shown` (a grouping the view leaves out is a party outside it, as a state
    outside it is: NATO's partnership with AP4 is not shown in a view of NATO alone).
    """
    touches = any(end in shown or end in members for end in ends)
    return touches and all(
        end in shown if end in groupings else end in members or end in places for end in ends
    )


class _AtlasRows:
    """The atlas columns `select` filters on, row by row as plain tuples (reading a frame row by
    row is slow): made once per atlas, which is read-only."""

    def __init__(self, atlas: Atlas) -> None:
        def rows(frame: pd.DataFrame, *columns: str) -> list[tuple]:
            return records(frame[list(columns)])

        self.groupings = [
            (grouping_id, status, grouping_layer(status, camp))
            for grouping_id, status, camp in rows(atlas.groupings, "id", "status", "camp")
        ]
        # how certain each row is, by frame: (basis, modality), for the two certainty filters
        self.certainty = {
            frame: rows(getattr(atlas, frame), "basis", "modality")
            for frame in (
                "groupings",
                "memberships",
                "relations",
                "threats",
                "domains",
                "regions",
                "events",
                "topics",
            )
        }
        self.memberships = rows(atlas.memberships, "grouping", "iso3")
        self.relations = [
            (
                layer,
                status,
                (source, target),
                date_span(day),
                _drawn_ends(placement, source, target),
            )
            for layer, status, source, target, day, placement in rows(
                atlas.relations, "layer", "status", "source", "target", "date", "placement"
            )
        ]
        self.threats = rows(atlas.threats, "direction", "regions")
        self.domains: list[str] = atlas.domains["domain"].tolist()
        self.regions: list[str] = atlas.regions["id"].tolist()
        self.events = [
            (date_span(day), tuple(actors)) for day, actors in rows(atlas.events, "date", "actors")
        ]
        self.topics = [
            (layer, status, date_span(day), tuple(about))
            for layer, status, day, about in rows(atlas.topics, "layer", "status", "date", "about")
        ]
        self.country_iso3s: list[str] = atlas.countries["iso3"].tolist()
        self.country_set = frozenset(self.country_iso3s)
        self.grouping_set = frozenset(atlas.groupings["id"].tolist())
        # the ends of relations that are not parties: regions and topics
        self.places = frozenset(atlas.regions["id"].tolist()) | frozenset(
            atlas.topics["id"].tolist()
        )


def _filtered(frame: pd.DataFrame, *masks: list[bool]) -> pd.DataFrame:
    """The rows of `frame` that every mask keeps, as filtering by one mask after the other
    (frame[a][b]…) gives them: the index too, which depends on the steps (a step that keeps
    every row keeps the index as it is; one that drops rows takes the rest of it). Pandas copies
    on write: the atlas frame never changes through the result."""
    index = frame.index
    kept = np.arange(len(frame))
    for mask in masks:
        passed = np.asarray(mask, dtype=bool)[kept]
        if not passed.all():
            kept = kept[passed]
            index = index.take(np.flatnonzero(passed))
    rows = frame.take(kept)
    rows.index = index
    return rows


def _drawn_ends(placement: str, source: str, target: str) -> tuple[str, ...]:
    """The ends a relation is drawn at: both for an arc, its source for a mark there, none for a
    relation that is only listed."""
    return {"arc": (source, target), "at_source": (source,)}.get(placement, ())


def select(atlas: Atlas, scenario: Scenario) -> Layers:
    """The layers of `atlas` that `scenario` shows."""
    rows = derived(atlas, _AtlasRows)
    bases = set(BASES[: BASES.index(scenario.basis) + 1])
    modalities = {m for m in MODALITIES if scenario.shows_modality(m)}
    layers = set(scenario.layers)
    chosen = set(scenario.groupings)
    start, end = scenario.date_from, scenario.date_to

    def certain(frame: str) -> list[bool]:
        """Which rows of a frame pass the basis and the modality filters."""
        return [b in bases and m in modalities for b, m in rows.certainty[frame]]

    def shown_status(status: str) -> bool:
        return scenario.proposals or status != "proposed"

    # the groupings the view is about, whatever layers are on (relations follow these)
    grouping_certain = certain("groupings")
    grouping_chosen = [not chosen or grouping_id in chosen for grouping_id, _, _ in rows.groupings]
    scope_ids = {
        grouping_id
        for (grouping_id, _, _), shown, picked in zip(
            rows.groupings, grouping_certain, grouping_chosen, strict=True
        )
        if shown and picked
    }
    membership_certain = certain("memberships")
    scope_members = {
        iso3
        for (grouping_id, iso3), shown in zip(rows.memberships, membership_certain, strict=True)
        if grouping_id in scope_ids and shown
    }
    grouping_layer_shown = [
        layer in layers and shown_status(status) for _, status, layer in rows.groupings
    ]
    grouping_ids = {
        grouping_id
        for (grouping_id, _, _), layer_shown in zip(
            rows.groupings, grouping_layer_shown, strict=True
        )
        if layer_shown and grouping_id in scope_ids
    }
    keep_memberships = [
        grouping_id in grouping_ids and shown
        for (grouping_id, _), shown in zip(rows.memberships, membership_certain, strict=True)
    ]

    def in_scope(ends: tuple[str, ...]) -> bool:
        """Whether an event's actors or a topic's subjects touch a chosen grouping or one of its
        members (or name no grouping or state at all); always when the view names none."""
        if not chosen:
            return True
        parties = [e for e in ends if e in rows.grouping_set or e in rows.country_set]
        return not parties or any(e in scope_ids or e in scope_members for e in parties)

    relation_shown = [
        layer in layers and shown and overlaps(span, start, end)
        for (layer, _, _, span, _), shown in zip(rows.relations, certain("relations"), strict=True)
    ]
    relation_status = [shown_status(status) for _, status, _, _, _ in rows.relations]
    relation_in_scope = [
        not chosen
        or layer not in GROUPING_LAYERS
        or _within(ends, scope_ids, rows.grouping_set, rows.places, scope_members)
        for layer, _, ends, _, _ in rows.relations
    ]
    keep_relations = [
        shown and status and in_scope
        for shown, status, in_scope in zip(
            relation_shown, relation_status, relation_in_scope, strict=True
        )
    ]
    keep_threats = [
        "threats" in layers and direction in scenario.directions and shown
        for (direction, _), shown in zip(rows.threats, certain("threats"), strict=True)
    ]
    keep_domains = [
        "threats" in layers and domain in scenario.domains and shown
        for domain, shown in zip(rows.domains, certain("domains"), strict=True)
    ]
    keep_events = [
        "events" in layers and shown and overlaps(span, start, end) and in_scope(actors)
        for (span, actors), shown in zip(rows.events, certain("events"), strict=True)
    ]
    keep_topics = [
        layer in layers
        and shown
        and shown_status(status)
        and overlaps(span, start, end)
        and (layer not in GROUPING_LAYERS or in_scope(about))
        for (layer, status, span, about), shown in zip(rows.topics, certain("topics"), strict=True)
    ]

    # the layers that draw each place: threats the regions they cross, links their drawn ends;
    # each with the certainty states in which one of those shows
    drawn_by: dict[str, dict[str, ItemStates]] = {}

    def drawn(place: str, key: str, certainty: tuple[str, str]) -> None:
        by_key = drawn_by.setdefault(place, {})
        by_key[key] = by_key.get(key, 0) | item_states(*certainty)  # type: ignore[arg-type]

    for (direction, regions), keep, certainty in zip(
        rows.threats, keep_threats, rows.certainty["threats"], strict=True
    ):
        for region_id in regions if keep else ():
            drawn(region_id, direction_key(direction), certainty)
    for (layer, _, _, _, drawn_ends), keep, certainty in zip(
        rows.relations, keep_relations, rows.certainty["relations"], strict=True
    ):
        for place in drawn_ends if keep else ():
            drawn(place, layer, certainty)
    keep_regions = [
        region_id in drawn_by and shown
        for region_id, shown in zip(rows.regions, certain("regions"), strict=True)
    ]
    region_layers = {
        region_id: tuple(
            state_key(key, states & item_states(*certainty))  # type: ignore[arg-type]
            for key, states in drawn_by[region_id].items()
        )
        for region_id, keep, certainty in zip(
            rows.regions, keep_regions, rows.certainty["regions"], strict=True
        )
        if keep
    }

    shown_groupings: dict[str, list[str]] = {}
    for (grouping_id, iso3), keep in zip(rows.memberships, keep_memberships, strict=True):
        if keep:
            shown_groupings.setdefault(iso3, []).append(grouping_id)
    countries = atlas.countries.copy()
    countries["groupings"] = [shown_groupings.get(i, []) for i in rows.country_iso3s]

    return Layers(
        scenario=scenario,
        countries=countries,
        memberships=_filtered(atlas.memberships, keep_memberships),
        groupings=_filtered(
            atlas.groupings, grouping_certain, grouping_chosen, grouping_layer_shown
        ),
        relations=_filtered(atlas.relations, relation_shown, relation_status, relation_in_scope),
        threats=_filtered(atlas.threats, keep_threats),
        regions=_filtered(atlas.regions, keep_regions),
        events=_filtered(atlas.events, keep_events),
        domains=_filtered(atlas.domains, keep_domains),
        topics=_filtered(atlas.topics, keep_topics),
        region_layers=MappingProxyType(region_layers),
    )


# the frames whose items a certainty filter takes away, and the columns that name an item
CERTAIN_ITEMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("groupings", ("id",)),
    ("memberships", ("grouping", "iso3")),
    ("relations", ("id",)),
    ("threats", ("id",)),
    ("events", ("id",)),
    ("topics", ("id",)),
    ("domains", ("domain", "actor")),
)


def _selected_items(layers: Layers, state: int | None = None) -> tuple[tuple[tuple, ...], ...]:
    """The items of a selection that a certainty filter may take away, frame by frame
    (CERTAIN_ITEMS), or only those that show in certainty state `state` (geodata.certainty);
    a membership only while its grouping is selected and shows."""
    rows = derived(layers, _certain_items)
    found = [
        tuple(item for item, states in frame if state is None or states >> state & 1)
        for frame in rows
    ]
    groupings = {item[0] for item in found[0]}
    found[1] = tuple(item for item in found[1] if item[0] in groupings)
    return tuple(found)


def _certain_items(layers: Layers) -> list[list[tuple[tuple, ItemStates]]]:
    """Each item of CERTAIN_ITEMS's frames with the states it shows in (kept with the
    selection)."""
    found = []
    for name, keys in CERTAIN_ITEMS:
        frame = getattr(layers, name)
        items = zip(*(frame[key].tolist() for key in keys), strict=True)
        certainty = zip(frame.basis.tolist(), frame.modality.tolist(), strict=True)
        found.append(
            [
                (item, item_states(basis, modality))
                for item, (basis, modality) in zip(items, certainty, strict=True)
            ]
        )
    return found


def only_hides(widest: Layers, narrow: Layers) -> bool:
    """Whether `narrow`, a view's selection, holds just the items of `widest` (the same view's
    at its widest certainty) that show in the view's certainty state (geodata.certainty), so that
    a map of `widest` that hides the others shows the view. A certainty filter only takes items
    away; but where the view names groupings, taking away one of them or a membership also takes
    away what depends on them (relations, events and topics of the members)."""
    state = state_index(narrow.scenario.basis, narrow.scenario.modality)
    return _selected_items(widest, state) == _selected_items(narrow)


def drawn_selection(widest: Layers, own: Layers) -> Layers:
    """What a view's map draws, of its selection at its widest certainty (`widest`) and its own
    (`own`): the widest, whose items of the other states it hides (geodata.certainty), when
    those are all the view loses (`only_hides`), so that a certainty toggle only flips what is
    shown; else its own."""
    return widest if only_hides(widest, own) else own
