"""The atlas frames: what the map draws for groupings, relations and threat arrows."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest
import shapely
from shapely.geometry import LineString, MultiLineString, Point

from geodata.article import load_article
from geodata.atlas import build_atlas
from geodata.knowledge import KNOWLEDGE_DIR
from geodata.validate import check_knowledge, read_knowledge

TOL = 1e-9


def endpoints(geometry) -> tuple[tuple[float, float], tuple[float, float]]:
    parts = list(geometry.geoms) if isinstance(geometry, MultiLineString) else [geometry]
    return tuple(parts[0].coords[0])[:2], tuple(parts[-1].coords[-1])[:2]


def close(p, q, tol: float = TOL) -> bool:
    return abs(p[0] - q[0]) <= tol and abs(p[1] - q[1]) <= tol


def test_every_member_is_drawn_with_a_geometry(atlas) -> None:
    geometry = atlas.countries.set_index("iso3").geometry
    for gid, members in zip(atlas.groupings.id, atlas.groupings.members, strict=True):
        assert len(members) > 0, gid
        for iso3 in members:
            assert iso3 in geometry.index, (gid, iso3)
            shape = geometry[iso3]
            assert shape is not None and not shape.is_empty and shape.area > 0, (gid, iso3)
            row = atlas.countries.loc[atlas.countries.iso3 == iso3].iloc[0]
            assert gid in row.groupings


@pytest.mark.parametrize(
    "layer", ["countries", "groupings", "relations", "threats", "regions", "events"]
)
def test_every_geometry_is_valid_and_non_empty(atlas, layer: str) -> None:
    frame = getattr(atlas, layer)
    assert len(frame) > 0
    assert frame.crs.to_epsg() == 4326
    if layer == "relations":  # a relation marked at its source or only listed has no line
        frame = frame[frame.placement == "arc"]
    for key, geometry in zip(frame.iloc[:, 0], frame.geometry, strict=True):
        assert geometry is not None, key
        assert not geometry.is_empty, key
        assert geometry.is_valid, (key, shapely.is_valid_reason(geometry))
        minx, miny, maxx, maxy = geometry.bounds
        assert -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90, key


def test_grouping_area_is_the_union_of_its_members(atlas) -> None:
    geometry = atlas.countries.set_index("iso3").geometry
    memberships = atlas.memberships.groupby("grouping")["iso3"].agg(list)
    for gid, shape in zip(atlas.groupings.id, atlas.groupings.geometry, strict=True):
        union = shapely.union_all([geometry[i] for i in memberships[gid]])
        assert shape.area == pytest.approx(union.area, rel=1e-6), gid
        assert shape.symmetric_difference(union).area <= 1e-6 * union.area, gid


def test_nato_area_covers_each_member_and_no_outsider(atlas) -> None:
    geometry = atlas.countries.set_index("iso3").geometry
    nato = atlas.groupings.set_index("id").geometry["nato"]
    for iso3 in ("USA", "TUR", "FIN", "SWE", "ISL"):
        point = Point(atlas.countries.set_index("iso3").loc[iso3, ["label_lon", "label_lat"]])
        assert nato.buffer(1e-9).contains(point), iso3
    for iso3 in ("JPN", "RUS", "UKR", "CHE", "AUT", "IRL"):
        assert nato.intersection(geometry[iso3]).area < 1e-6 * geometry[iso3].area, iso3


# --- 3. arrows ------------------------------------------------------------------------------


def test_country_anchors_lie_in_their_country(atlas) -> None:
    geometry = atlas.countries.set_index("iso3").geometry
    ends = set(atlas.relations.source) | set(atlas.relations.target) | set(atlas.threats.origin)
    for ref in ends:
        if ref in geometry.index:
            assert geometry[ref].buffer(0.5).contains(Point(atlas.anchors[ref])), ref


def test_yaml_anchors_are_used(atlas, raw_knowledge) -> None:
    for file_name in ("groupings.yaml", "regions.yaml"):
        for record in raw_knowledge[file_name][file_name.removesuffix(".yaml")]:
            if "anchor" in record:
                assert close(atlas.anchors[record["id"]], record["anchor"]), record["id"]


def test_relation_arcs_run_from_source_to_target(atlas, raw_knowledge) -> None:
    raw = {r["id"]: r for r in raw_knowledge["relations.yaml"]["relations"]}
    assert set(atlas.relations.id) == set(raw)
    for row in atlas.relations.itertuples():
        assert (row.source, row.target) == (raw[row.id]["source"], raw[row.id]["target"])
        assert row.placement == raw[row.id].get("placement", "arc")
        if row.placement != "arc":
            # marked at its source or only listed: no line that a map could draw as an arc
            assert row.geometry is None, row.id
            continue
        assert isinstance(row.geometry, LineString | MultiLineString)
        start, end = endpoints(row.geometry)
        assert close(start, atlas.anchors[row.source]), (row.id, start)
        assert close(end, atlas.anchors[row.target]), (row.id, end)


def test_threat_arcs_run_from_origin_to_target(atlas, raw_knowledge) -> None:
    raw = {t["id"]: t for t in raw_knowledge["threats.yaml"]["threats"]}
    assert set(atlas.threats.id) == set(raw)
    for row in atlas.threats.itertuples():
        assert (row.origin, row.target) == (raw[row.id]["origin"], raw[row.id]["target"])
        start, end = endpoints(row.geometry)
        assert close(start, atlas.anchors[row.origin]), (row.id, start)
        assert close(end, atlas.anchors[row.target]), (row.id, end)


def test_west_arrow_crosses_the_pacific_split_at_the_antimeridian(atlas) -> None:
    west = atlas.threats.set_index("id").geometry["west_from_north_america"]
    assert isinstance(west, MultiLineString)
    parts = list(west.geoms)
    assert len(parts) >= 2
    for part in parts:
        for lon, lat in part.coords:
            assert -180 <= lon <= 180 and -90 <= lat <= 90
    for before, after in itertools.pairwise(parts):
        (lon0, lat0), (lon1, lat1) = before.coords[-1], after.coords[0]
        assert abs(lon0) == 180 and lon1 == -lon0
        assert lat0 == pytest.approx(lat1, abs=1e-9)
    # from China eastwards across the Pacific: the first part reaches +180, the last leaves -180
    assert parts[0].coords[-1][0] == 180
    assert parts[-1].coords[0][0] == -180
    # the crossing is in the North Pacific, between the two ends' latitudes (roughly)
    assert 20 < parts[0].coords[-1][1] < 70


def test_all_arc_longitudes_stay_in_range(atlas) -> None:
    for frame in (atlas.relations[atlas.relations.placement == "arc"], atlas.threats):
        for row in frame.itertuples():
            parts = row.geometry.geoms if hasattr(row.geometry, "geoms") else [row.geometry]
            for part in parts:
                for lon, _lat in part.coords:
                    assert -180 <= lon <= 180, row.id


def test_no_relation_arc_runs_over_the_pole_out_of_the_picture(atlas) -> None:
    """The maps cut the top of the world (Robinson's frame, ranged views): an arc from Japan to
    the Five Eyes' symbol over the North Atlantic ran straight over the pole (89°N) and left the
    picture. Arcs bend away from the pole instead, and stay in one piece."""
    arcs = atlas.relations[atlas.relations.placement == "arc"]
    too_high = {row.id: round(row.geometry.bounds[3], 1) for row in arcs.itertuples()}
    assert {k: v for k, v in too_high.items() if v > 80.0} == {}
    japan_five_eyes = arcs.set_index("id").geometry["japan_five_eyes_cooperation"]
    assert japan_five_eyes.geom_type == "LineString"
    assert japan_five_eyes.coords[0] == pytest.approx(atlas.anchors["JPN"], abs=1e-6)


def test_opposite_arcs_between_the_same_pair_do_not_coincide(atlas) -> None:
    arcs = atlas.relations.set_index("id").geometry
    munitions, technology = arcs["prk_rus_munitions"], arcs["rus_prk_technology"]
    assert munitions.hausdorff_distance(technology) > 0.5
    assert not munitions.equals(technology)
    assert not munitions.equals(technology.reverse())


def test_no_two_relations_between_the_same_places_are_drawn_on_top(atlas) -> None:
    pairs: dict[frozenset, list] = {}
    for row in atlas.relations[atlas.relations.placement == "arc"].itertuples():
        pairs.setdefault(frozenset((row.source, row.target)), []).append(row)
    shared = [rows for rows in pairs.values() if len(rows) > 1]
    assert shared  # the data has such pairs (CHN–RUS, RUS–PRK, RUS–IRN)
    for rows in shared:
        for a, b in itertools.combinations(rows, 2):
            assert a.geometry.hausdorff_distance(b.geometry) > 0.5, (a.id, b.id)


def test_events_are_at_their_places(atlas, raw_knowledge) -> None:
    raw = {e["id"]: e for e in raw_knowledge["events.yaml"]["events"]}
    assert set(atlas.events.id) == set(raw)
    for row in atlas.events.itertuples():
        place = raw[row.id]["place"]
        assert close((row.geometry.x, row.geometry.y), (place["lon"], place["lat"]))
        assert row.place_basis == place["basis"]


def test_a_grouping_made_only_of_includes_can_be_drawn(tmp_path: Path) -> None:
    directory = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, directory)
    path = directory / "groupings.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + """
  - id: nato_and_ap4
    name_ja: NATOとAP4
    name_en: NATO and the AP4
    camp: value
    basis: stated
    citations: *nato32
    includes:
      - {grouping: nato, basis: stated, citations: *nato32}
      - {grouping: ap4, basis: stated, citations: *nato32}
""",
        encoding="utf-8",
    )
    knowledge, problems, source = read_knowledge(directory)
    assert problems == [] and knowledge is not None
    assert check_knowledge(knowledge, source) == []  # validate accepts it…
    atlas = build_atlas(knowledge, load_article())  # …so the atlas must draw it
    members = atlas.groupings.set_index("id").members["nato_and_ap4"]
    assert len(members) == 36


@pytest.mark.parametrize(
    "grouping",
    [
        "ap4",
        "like_minded",
        "japan_five_eyes_nato",
        "indo_pacific_tech_hub",
        "japan_us_alliance",
        "five_eyes",
    ],
)
def test_grouping_symbol_is_near_one_of_its_members(atlas, grouping: str) -> None:
    # arrows from and to a grouping (e.g. japan_us_network) start at this point
    geometry = atlas.countries.set_index("iso3").geometry
    members = atlas.memberships.loc[atlas.memberships.grouping == grouping, "iso3"]
    anchor = Point(atlas.anchors[grouping])
    assert min(geometry[i].distance(anchor) for i in members) < 20, anchor


def test_indo_pacific_hub_is_drawn_in_the_indo_pacific(atlas, raw_knowledge) -> None:
    region = next(r for r in raw_knowledge["regions.yaml"]["regions"] if r["id"] == "indo_pacific")
    west, south, east, north = region["extent"]["box"]  # crosses the antimeridian
    lon, lat = atlas.anchors["indo_pacific_tech_hub"]
    assert (lon >= west or lon <= east) and south <= lat <= north, (lon, lat)
