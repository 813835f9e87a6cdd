"""The Atlas: the knowledge base turned into GeoDataFrames, built once and cached."""

from __future__ import annotations

import threading
from collections import defaultdict, namedtuple
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geodata.article import Article, load_article
from geodata.countries import load_countries
from geodata.geometry import great_circle_arc, lonlat_box, sea_area
from geodata.knowledge import (
    BASES,
    Basis,
    Citation,
    Grouping,
    Knowledge,
    Region,
    Relation,
    least_certain,
    most_certain,
)
from geodata.validate import load_knowledge

CRS = "EPSG:4326"
T = TypeVar("T")
FrameT = TypeVar("FrameT", bound=pd.DataFrame)
# A row of a frame as records() gives it: fields by attribute, as on a Series.
Record = Any
ARC_BOW_STEP = 0.12
# an arc bends away from the pole until it stays below this latitude (the maps' Robinson and
# ranged views cut the top of the world, and an arc over the pole leaves the picture there)
ARC_MAX_LATITUDE = 80.0
POLE_BENDS = 4  # at most this many bow steps of bend to keep an arc off the pole


@dataclass(frozen=True, eq=False)
class Atlas:
    """Every layer the map can draw, each a (Geo)DataFrame in EPSG:4326. Treat as read-only.

    Atlases compare and hash by identity (frames have no value hash), so that what is derived
    from one can be cached per atlas."""

    knowledge: Knowledge
    article: Article
    countries: gpd.GeoDataFrame
    memberships: pd.DataFrame
    groupings: gpd.GeoDataFrame
    relations: gpd.GeoDataFrame
    threats: gpd.GeoDataFrame
    regions: gpd.GeoDataFrame
    events: gpd.GeoDataFrame
    domains: pd.DataFrame
    topics: pd.DataFrame
    anchors: Mapping[str, tuple[float, float]]


def derived(owner: Any, make: Callable[..., T], *args: Any) -> T:
    """`make(owner, *args)`, made on first use and kept while `owner` lives (one per `make` and
    `args`): for what depends on an atlas, or a selection of one (geodata.select.Layers), alone;
    both are read-only and compare by identity. The value is shared: never change it."""
    with _DERIVED_LOCK:
        values = _DERIVED.setdefault(owner, {})
        key = (make, *args)
        if key not in values:
            values[key] = make(owner, *args)
        return values[key]


_DERIVED: WeakKeyDictionary[Any, dict[tuple[Any, ...], Any]] = WeakKeyDictionary()
_DERIVED_LOCK = threading.RLock()


def records(frame: pd.DataFrame) -> list[Record]:
    """The rows of a frame as named tuples, as itertuples(index=False) gives them (at a fraction
    of its cost; far cheaper to read than iterrows' Series)."""
    columns = [frame[column].tolist() for column in frame.columns]
    return list(map(_record_type(tuple(frame.columns))._make, zip(*columns, strict=True)))


@cache
def _record_type(columns: tuple[str, ...]) -> type:
    return namedtuple("Record", columns, rename=True)  # type: ignore[misc]


def citations_json(citations: tuple[Citation, ...]) -> list[dict[str, Any]]:
    """Citations as plain dicts (for frames, GeoJSON and the details panel)."""
    return [c.model_dump(mode="json") for c in citations]


def weakest(*bases: Basis) -> Basis:
    """The least certain of several bases (stated < inferred < external)."""
    return max(bases, key=BASES.index)


@cache
def load_atlas() -> Atlas:
    """The bundled atlas, validated and built once per process."""
    return build_atlas(load_knowledge(), load_article())


def build_atlas(knowledge: Knowledge, article: Article) -> Atlas:
    """Assemble every layer from a validated knowledge base."""
    countries = load_countries()
    land = shapely.union_all(countries.geometry.values)
    geometry_of = dict(zip(countries.iso3, countries.geometry, strict=True))
    regions = _regions(knowledge, geometry_of, land)
    memberships = _memberships(knowledge)
    anchors = _anchors(knowledge, regions, memberships)
    groupings = _groupings(knowledge, memberships, geometry_of, anchors)
    frames = {
        "countries": _countries(knowledge, countries, memberships),
        "memberships": memberships,
        "groupings": groupings,
        "relations": _relations(knowledge, anchors, groupings),
        "threats": _threats(knowledge, anchors),
        "regions": regions,
        "events": _events(knowledge),
        "domains": _domains(knowledge),
        "topics": _topics(knowledge),
    }
    return Atlas(
        knowledge=knowledge,
        article=article,
        **{name: _python_strings(frame) for name, frame in frames.items()},
        anchors=MappingProxyType(anchors),
    )


def _python_strings(frame: FrameT) -> FrameT:
    """The frame with its text columns as Python strings (object dtype) rather than pandas'
    Arrow-backed `str`: every view reads its rows into Python (`records`) and takes subsets of
    them (`select`), which cost about half as much so (measured: a relations frame's records
    1.09 -> 0.23 ms, a take 0.35 -> 0.17 ms). Missing values stay NaN."""
    text = [column for column in frame.columns if isinstance(frame[column].dtype, pd.StringDtype)]
    return frame.astype(dict.fromkeys(text, object)) if text else frame


# --- memberships and groupings -------------------------------------------------------------------


def _memberships(knowledge: Knowledge) -> pd.DataFrame:
    """One row per (grouping, state): the best-supported path to it, direct membership first."""
    by_id = {g.id: g for g in knowledge.groupings}
    rows: list[dict[str, Any]] = []
    for grouping in knowledge.groupings:
        best: dict[str, dict[str, Any]] = {}
        for row in _members_of(grouping, by_id, chain=(grouping.id,)):
            rank = (BASES.index(row["basis"]), row["via"] is not None)
            if row["iso3"] not in best or rank < best[row["iso3"]]["rank"]:
                best[row["iso3"]] = {**row, "rank": rank}
        for row in best.values():
            del row["rank"]
            rows.append(
                {"grouping": grouping.id, "status": grouping.status, "camp": grouping.camp, **row}
            )
    columns = [
        "grouping",
        "iso3",
        "basis",
        "reason",
        "modality",
        "status",
        "camp",
        "via",
        "role_en",
        "role_ja",
        "citations",
    ]
    return pd.DataFrame(rows, columns=columns)


def _members_of(
    grouping: Grouping, by_id: dict[str, Grouping], chain: tuple[str, ...]
) -> list[dict[str, Any]]:
    rows = [
        {
            "iso3": m.iso3,
            "basis": m.basis,
            "reason": m.reason,
            "modality": m.modality,
            "via": None,
            "role_en": m.role_en,
            "role_ja": m.role_ja,
            "citations": citations_json(m.citations),
        }
        for m in grouping.members
    ]
    for inclusion in grouping.includes:
        if inclusion.grouping in chain:
            continue
        for row in _members_of(by_id[inclusion.grouping], by_id, (*chain, inclusion.grouping)):
            basis = weakest(inclusion.basis, row["basis"])
            reasons = [r for r in (inclusion.reason, row["reason"]) if r]
            rows.append(
                {
                    **row,
                    "basis": basis,
                    "reason": "; ".join(reasons) or None,
                    "modality": least_certain(inclusion.modality, row["modality"]),
                    "via": row["via"] or inclusion.grouping,
                    "citations": citations_json(inclusion.citations) + row["citations"],
                }
            )
    return rows


def _groupings(
    knowledge: Knowledge,
    memberships: pd.DataFrame,
    geometry_of: dict[str, BaseGeometry],
    anchors: dict[str, tuple[float, float]],
) -> gpd.GeoDataFrame:
    rows = []
    for grouping in knowledge.groupings:
        members = memberships.loc[memberships.grouping == grouping.id, "iso3"].tolist()
        rows.append(
            {
                **_cited_fields(grouping),
                "id": grouping.id,
                "name_en": grouping.name_en,
                "name_ja": grouping.name_ja,
                "camp": grouping.camp,
                "status": grouping.status,
                "description_en": grouping.description_en,
                "formal_name_ja": grouping.formal_name_ja,
                "members": members,
                "anchor_lon": anchors[grouping.id][0],
                "anchor_lat": anchors[grouping.id][1],
                # the countries tile the land edge to edge (a valid coverage: tests/geodata/
                # test_countries.py), which GEOS merges ~20x faster than an overlay union
                "geometry": shapely.coverage_union_all([geometry_of[m] for m in members]),
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


def _countries(
    knowledge: Knowledge, countries: gpd.GeoDataFrame, memberships: pd.DataFrame
) -> gpd.GeoDataFrame:
    """Every country, with the article's Japanese name for its actors, its grouping ids, and how
    the article supports it being drawn (`basis`, `modality`): an actor's own, otherwise its
    best-supported membership's (none for a country the map does not draw)."""
    actor_names = {a.id: (a.name_ja, a.name_en) for a in knowledge.actors}
    groupings = memberships.groupby("iso3")["grouping"].agg(list).to_dict()
    support = {
        iso3: (min(rows.basis, key=BASES.index), most_certain(rows.modality))
        for iso3, rows in memberships.groupby("iso3")
    } | {a.id: (a.basis, a.modality) for a in knowledge.actors}
    frame = countries.copy()
    frame["name_ja"] = [
        actor_names.get(i, (n, None))[0] for i, n in zip(frame.iso3, frame.name_ja, strict=True)
    ]
    frame["name_en"] = [
        actor_names.get(i, (None, n))[1] for i, n in zip(frame.iso3, frame.name_en, strict=True)
    ]
    frame["is_actor"] = frame.iso3.isin(actor_names)
    frame["groupings"] = [groupings.get(i, []) for i in frame.iso3]
    frame["basis"] = [support.get(i, (None, None))[0] for i in frame.iso3]
    frame["modality"] = [support.get(i, (None, None))[1] for i in frame.iso3]
    return frame


# --- regions and anchors -------------------------------------------------------------------------


def _region_geometry(
    region: Region, geometry_of: dict[str, BaseGeometry], land: BaseGeometry
) -> BaseGeometry:
    extent = region.extent
    parts: list[BaseGeometry] = []
    if extent.box is not None:
        area = lonlat_box(*extent.box)
        for cut in extent.minus_boxes:
            area = area.difference(lonlat_box(*cut))
        parts.append(sea_area(area, land) if extent.minus_land else area)
    parts += [geometry_of[code] for code in extent.countries]
    return shapely.make_valid(shapely.union_all(parts))


def _regions(
    knowledge: Knowledge, geometry_of: dict[str, BaseGeometry], land: BaseGeometry
) -> gpd.GeoDataFrame:
    rows = []
    for region in knowledge.regions:
        geometry = _region_geometry(region, geometry_of, land)
        anchor = region.anchor or tuple(geometry.representative_point().coords[0])
        rows.append(
            {
                **_cited_fields(region),
                "id": region.id,
                "name_en": region.name_en,
                "name_ja": region.name_ja,
                "kind": region.kind,
                "anchor_lon": anchor[0],
                "anchor_lat": anchor[1],
                "geometry": geometry,
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


def _anchors(
    knowledge: Knowledge, regions: gpd.GeoDataFrame, memberships: pd.DataFrame
) -> dict[str, tuple[float, float]]:
    """Map every referable id (ISO code, grouping, region) to its anchor point."""
    countries = load_countries()
    anchors: dict[str, tuple[float, float]] = {
        iso3: (lon, lat)
        for iso3, lon, lat in zip(
            countries.iso3, countries.label_lon, countries.label_lat, strict=True
        )
    }
    anchors |= {
        rid: (lon, lat)
        for rid, lon, lat in zip(regions.id, regions.anchor_lon, regions.anchor_lat, strict=True)
    }
    for grouping in knowledge.groupings:
        members = [m.iso3 for m in grouping.members] or list(
            memberships.loc[memberships.grouping == grouping.id, "iso3"]
        )
        anchors[grouping.id] = grouping.anchor or spherical_mean([anchors[i] for i in members])
    return anchors


# --- relations, threats, events, domains ---------------------------------------------------------


def spherical_mean(points: list[tuple[float, float]]) -> tuple[float, float]:
    """The centre of lon/lat points on the sphere (so Japan and the US meet over the Pacific)."""
    lon, lat = np.radians(np.array(points, dtype=float)).T
    x, y, z = (
        (np.cos(lat) * np.cos(lon)).sum(),
        (np.cos(lat) * np.sin(lon)).sum(),
        np.sin(lat).sum(),
    )
    return float(np.degrees(np.arctan2(y, x))), float(np.degrees(np.arctan2(z, np.hypot(x, y))))


def relation_layer(relation: Relation, authoritarian: set[str]) -> str:
    """The map layer a relation belongs to (see README: how the article becomes the map)."""
    ends = {relation.source, relation.target}
    if relation.status == "proposed":
        return "proposals"
    if relation.kind == "support" and "RUS" in ends:
        return "support_flows"
    if ends & {"UKR", "HUN"}:
        return "ukraine"
    if ends & authoritarian:
        return "authoritarian"
    return "value_community"


def _off_the_pole(start: tuple[float, float], end: tuple[float, float]) -> float:
    """The smallest bend (in bow steps, either side) that keeps the arc from `start` to `end`
    below ARC_MAX_LATITUDE without making it cross the antimeridian where it did not: 0 for an
    arc that already is."""
    pieces = great_circle_arc(start, end).geom_type
    for steps in range(POLE_BENDS + 1):
        for bow in dict.fromkeys((steps * ARC_BOW_STEP, -steps * ARC_BOW_STEP)):
            arc = great_circle_arc(start, end, bow=bow)
            if arc.geom_type == pieces and arc.bounds[3] <= ARC_MAX_LATITUDE:
                return bow
    return 0.0


def _bows(
    relations: tuple[Relation, ...], anchors: dict[str, tuple[float, float]]
) -> dict[str, float]:
    """Sideways bend per relation so that links between the same two places fan out, and bend
    away from the pole."""
    by_pair: dict[tuple[str, str], list[Relation]] = defaultdict(list)
    for relation in relations:
        if relation.placement != "arc":
            continue
        by_pair[tuple(sorted((relation.source, relation.target)))].append(relation)
    bows = {}
    for pair, group in by_pair.items():
        bend = _off_the_pole(anchors[pair[0]], anchors[pair[1]])
        for index, relation in enumerate(group):
            offset = bend + (index - (len(group) - 1) / 2) * ARC_BOW_STEP
            forward = (relation.source, relation.target) == pair
            bows[relation.id] = offset if forward else -offset
    return bows


def _relations(
    knowledge: Knowledge, anchors: dict[str, tuple[float, float]], groupings: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    authoritarian = set(groupings.loc[groupings.camp == "authoritarian", "id"])
    for members in groupings.loc[groupings.camp == "authoritarian", "members"]:
        authoritarian |= set(members)
    bows = _bows(knowledge.relations, anchors)
    rows = [
        {
            **_cited_fields(relation),
            **_date_fields(relation),
            "id": relation.id,
            "source": relation.source,
            "target": relation.target,
            "kind": relation.kind,
            "directed": relation.directed,
            "placement": relation.placement,
            "status": relation.status,
            "label_en": relation.label_en,
            "label_ja": relation.label_ja,
            "layer": relation_layer(relation, authoritarian),
            # only an arc has a line; a mark at the source or a listed relation has none
            "geometry": great_circle_arc(
                anchors[relation.source], anchors[relation.target], bow=bows[relation.id]
            )
            if relation.placement == "arc"
            else None,
        }
        for relation in knowledge.relations
    ]
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


def _threats(knowledge: Knowledge, anchors: dict[str, tuple[float, float]]) -> gpd.GeoDataFrame:
    rows = [
        {
            **_cited_fields(threat),
            "id": threat.id,
            "direction": threat.direction,
            "name_en": threat.name_en,
            "name_ja": threat.name_ja,
            "origin": threat.origin,
            "target": threat.target,
            "sources": list(threat.sources),
            "kinds": list(threat.kinds),
            "regions": list(threat.regions),
            "geometry": great_circle_arc(anchors[threat.origin], anchors[threat.target]),
        }
        for threat in knowledge.threats
    ]
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


def _events(knowledge: Knowledge) -> gpd.GeoDataFrame:
    rows = [
        {
            **_cited_fields(event),
            **_date_fields(event),
            "id": event.id,
            "name_en": event.name_en,
            "name_ja": event.name_ja,
            "actors": list(event.actors),
            "place_en": event.place.name_en,
            "place_ja": event.place.name_ja,
            "place_basis": event.place.basis,
            "place_reason": event.place.reason,
            "geometry": Point(event.place.lon, event.place.lat),
        }
        for event in sorted(knowledge.events, key=lambda e: (e.date, e.id))
    ]
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


def _domains(knowledge: Knowledge) -> pd.DataFrame:
    """One row per (domain, attributed actor); the domain's own citations come first."""
    rows = [
        {
            "domain": domain.id,
            "name_en": domain.name_en,
            "name_ja": domain.name_ja,
            "actor": attribution.actor,
            "basis": weakest(domain.basis, attribution.basis),
            "reason": attribution.reason,
            "modality": least_certain(domain.modality, attribution.modality),
            "citations": citations_json(attribution.citations),
            "domain_citations": citations_json(domain.citations),
        }
        for domain in knowledge.domains
        for attribution in domain.attributions
    ]
    return pd.DataFrame(rows)


# the topics frame, which is also the public topics.json record
TOPIC_COLUMNS = (
    "id",
    "name_en",
    "name_ja",
    "kind",
    "layer",
    "about",
    "status",
    "date",
    "date_basis",
    "date_reason",
    "basis",
    "reason",
    "modality",
    "citations",
)


def _topics(knowledge: Knowledge) -> pd.DataFrame:
    """One row per topic: what the article discusses without a place of its own."""
    rows = [
        {
            **{column: getattr(topic, column) for column in TOPIC_COLUMNS[:7]},
            "about": list(topic.about),
            **_date_fields(topic),
            **_cited_fields(topic),
        }
        for topic in knowledge.topics
    ]
    return pd.DataFrame(rows, columns=list(TOPIC_COLUMNS))


def _date_fields(record: Any) -> dict[str, Any]:
    """The date and how the article supports it (no basis for an undated record)."""
    dated = record.date is not None
    return {
        "date": record.date,
        "date_basis": record.date_basis if dated else None,
        "date_reason": record.date_reason,
    }


def _cited_fields(record: Any) -> dict[str, Any]:
    return {
        "basis": record.basis,
        "reason": record.reason,
        "modality": record.modality,
        "citations": citations_json(record.citations),
    }
