"""Atlas × Scenario → the layers a view draws. Pure: no I/O, no plotting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import pandas as pd

from geodata.atlas import Atlas
from geodata.knowledge import BASES, date_bounds
from geodata.scenario import Scenario


@dataclass(frozen=True)
class Layers:
    """What one view shows: filtered copies of the atlas frames, plus the view itself."""

    scenario: Scenario
    countries: gpd.GeoDataFrame
    memberships: pd.DataFrame
    groupings: gpd.GeoDataFrame
    relations: gpd.GeoDataFrame
    threats: gpd.GeoDataFrame
    regions: gpd.GeoDataFrame
    events: gpd.GeoDataFrame
    domains: pd.DataFrame

    def is_empty(self) -> bool:
        """Whether the view draws nothing at all."""
        return all(
            len(frame) == 0
            for frame in (self.memberships, self.relations, self.threats, self.regions, self.events)
        )


def in_date_range(value: object, start: date | None, end: date | None) -> bool:
    """Whether a partial ISO date overlaps [start, end]; undated items (None/NaN) always pass."""
    if not isinstance(value, str):
        return True
    first, last = date_bounds(value)
    return (start is None or last >= start) and (end is None or first <= end)


# layers whose relations follow the grouping filter (the others are about states, not groupings)
GROUPING_LAYERS = ("value_community", "authoritarian", "proposals")


def _within(relation: pd.Series, shown: set[str], places: set[str], members: set[str]) -> bool:
    """A relation that touches a chosen grouping or its members, and no state outside them.

    `shown` are the chosen grouping ids (before the layer filter), `places` every grouping and region id (ends that are
    not states), `members` the states in the shown groupings.
    """
    ends = (relation.source, relation.target)
    states = [end for end in ends if end not in places]
    touches = any(end in shown for end in ends) or any(end in members for end in states)
    return touches and all(end in members for end in states)


def select(atlas: Atlas, scenario: Scenario) -> Layers:
    """The layers of `atlas` that `scenario` shows."""
    shown_bases = BASES[: BASES.index(scenario.basis) + 1]
    layers = set(scenario.layers)

    groupings = atlas.groupings[atlas.groupings.basis.isin(shown_bases)]
    if scenario.groupings:
        groupings = groupings[groupings.id.isin(scenario.groupings)]
    # the groupings the view is about, whatever layers are on (relations follow these)
    scope_ids = set(groupings.id)
    scope_members = set(
        atlas.memberships.loc[
            atlas.memberships.grouping.isin(scope_ids) & atlas.memberships.basis.isin(shown_bases),
            "iso3",
        ]
    )
    grouping_layer = (
        groupings.apply(
            lambda g: (
                "proposals"
                if g.status == "proposed"
                else "authoritarian"
                if g.camp == "authoritarian"
                else "value_community"
            ),
            axis=1,
        )
        if len(groupings)
        else pd.Series(dtype=str)
    )
    keep = grouping_layer.isin(layers)
    if not scenario.proposals:
        keep &= groupings.status != "proposed"
    groupings = groupings[keep]

    memberships = atlas.memberships[
        atlas.memberships.grouping.isin(groupings.id) & atlas.memberships.basis.isin(shown_bases)
    ]

    relations = atlas.relations[
        atlas.relations.layer.isin(layers)
        & atlas.relations.basis.isin(shown_bases)
        & atlas.relations.date.map(lambda d: in_date_range(d, scenario.date_from, scenario.date_to))
    ]
    if not scenario.proposals:
        relations = relations[relations.status != "proposed"]
    if scenario.groupings:
        places = set(atlas.groupings.id) | set(atlas.regions.id)
        relations = relations[
            ~relations.layer.isin(GROUPING_LAYERS)
            | relations.apply(lambda r: _within(r, scope_ids, places, scope_members), axis=1)
        ]

    threats = atlas.threats.iloc[0:0]
    domains = atlas.domains.iloc[0:0]
    if "threats" in layers:
        threats = atlas.threats[
            atlas.threats.direction.isin(scenario.directions)
            & atlas.threats.basis.isin(shown_bases)
        ]
        domains = atlas.domains[
            atlas.domains.domain.isin(scenario.domains) & atlas.domains.basis.isin(shown_bases)
        ]

    region_ids = {r for names in threats.regions for r in names}
    region_ids |= set(relations.source) | set(relations.target)
    regions = atlas.regions[
        atlas.regions.id.isin(region_ids) & atlas.regions.basis.isin(shown_bases)
    ]

    events = atlas.events.iloc[0:0]
    if "events" in layers:
        events = atlas.events[
            atlas.events.basis.isin(shown_bases)
            & atlas.events.date.map(
                lambda d: in_date_range(d, scenario.date_from, scenario.date_to)
            )
        ]

    shown_groupings = memberships.groupby("iso3")["grouping"].agg(list).to_dict()
    countries = atlas.countries.copy()
    countries["groupings"] = [shown_groupings.get(i, []) for i in countries.iso3]

    return Layers(
        scenario=scenario,
        countries=countries,
        memberships=memberships.copy(),
        groupings=groupings.copy(),
        relations=relations.copy(),
        threats=threats.copy(),
        regions=regions.copy(),
        events=events.copy(),
        domains=domains.copy(),
    )
