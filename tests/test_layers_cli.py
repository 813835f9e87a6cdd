"""`alliance-atlas layers`: the GIS files a user gets, read back with geopandas/pyogrio."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import yaml

from geodata.knowledge import KNOWLEDGE_DIR

GEOJSON_LAYERS = ["countries", "groupings", "relations", "threats", "regions", "events"]
FILES = {f"{name}.geojson" for name in GEOJSON_LAYERS} | {"memberships.json", "topics.json"}
COLUMNS = {
    "countries": {"iso3", "name_en", "name_ja", "groupings", "basis", "modality"},
    "groupings": {
        "id",
        "name_en",
        "name_ja",
        "status",
        "basis",
        "modality",
        "members",
        "citations",
    },
    "relations": {
        "id",
        "source",
        "target",
        "kind",
        "directed",
        "placement",
        "date",
        "date_basis",
        "basis",
        "modality",
        "status",
        "label_en",
        "label_ja",
        "citations",
    },
    "threats": {"direction", "sources", "kinds", "regions", "basis", "modality", "citations"},
    "regions": {"id", "name_en", "name_ja", "basis", "modality", "citations"},
    "events": {
        "id",
        "date",
        "date_basis",
        "name_en",
        "name_ja",
        "actors",
        "basis",
        "modality",
        "citations",
    },
}
MODALITIES = ["asserted", "assessed", "projected", "recommended"]
GEOMETRY_TYPES = {
    "countries": {"Polygon", "MultiPolygon"},
    "groupings": {"Polygon", "MultiPolygon"},
    "relations": {"LineString", "MultiLineString"},
    "threats": {"LineString", "MultiLineString"},
    "regions": {"Polygon", "MultiPolygon"},
    "events": {"Point"},
}
# fmt: off
NATO_2024 = {
    "ALB", "BEL", "BGR", "CAN", "HRV", "CZE", "DNK", "EST", "FIN", "FRA", "DEU",
    "GRC", "HUN", "ISL", "ITA", "LVA", "LTU", "LUX", "MNE", "NLD", "MKD", "NOR",
    "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE", "TUR", "GBR", "USA",
}
# fmt: on


def run_layers(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", "layers", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def raw(name: str) -> list[dict]:
    data = yaml.safe_load((KNOWLEDGE_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    return data[name]


def as_list(value) -> list:
    """A list property as read back (GeoJSON arrays come back as lists or arrays)."""
    return json.loads(value) if isinstance(value, str) else list(value)


@dataclass
class Run:
    out: Path
    root: Path
    before: list[str]
    result: subprocess.CompletedProcess[str] | None = None


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Run]:
    """Every `layers` invocation of this module, run in parallel."""
    geojson = tmp_path_factory.mktemp("geojson")
    gpkg = tmp_path_factory.mktemp("gpkg")
    jobs = {
        "geojson": (Run(geojson / "out" / "nested", geojson, []), []),
        "gpkg": (Run(gpkg, gpkg, []), ["--format", "gpkg"]),
    }
    for kind in ("under_a_file", "is_a_file"):
        root = tmp_path_factory.mktemp(kind)
        blocker = root / "not_a_directory"
        blocker.write_text("x", encoding="utf-8")
        out = blocker / "layers" if kind == "under_a_file" else blocker
        jobs[kind] = (Run(out, root, sorted(p.name for p in root.iterdir())), [])
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = {
            name: pool.submit(run_layers, "--out", str(run.out), *extra, cwd=run.root)
            for name, (run, extra) in jobs.items()
        }
        for name, future in futures.items():
            jobs[name][0].result = future.result()
    return {name: run for name, (run, _) in jobs.items()}


@pytest.fixture(scope="module")
def geojson_dir(runs) -> Path:
    run = runs["geojson"]
    assert run.result.returncode == 0, run.result.stdout + run.result.stderr
    printed = {Path(line).name for line in run.result.stdout.splitlines()}
    assert printed == FILES
    return run.out


@pytest.fixture(scope="module")
def gpkg_dir(runs) -> Path:
    run = runs["gpkg"]
    assert run.result.returncode == 0, run.result.stdout + run.result.stderr
    return run.out


def test_geojson_writes_exactly_the_documented_files(geojson_dir: Path) -> None:
    assert {p.name for p in geojson_dir.iterdir()} == FILES  # no temporary files left


@pytest.mark.parametrize("name", GEOJSON_LAYERS)
def test_geojson_layer_reads_back(geojson_dir: Path, name: str) -> None:
    frame = gpd.read_file(geojson_dir / f"{name}.geojson")
    assert frame.crs is not None and frame.crs.to_epsg() == 4326
    assert COLUMNS[name] <= set(frame.columns), COLUMNS[name] - set(frame.columns)
    assert len(frame) > 0
    if name == "relations":  # a relation marked at its source or only listed has no geometry
        unplaced = frame[frame.placement != "arc"]
        assert len(unplaced) and unplaced.geometry.isna().all()
        frame = frame[frame.placement == "arc"]
    assert set(frame.geometry.geom_type) <= GEOMETRY_TYPES[name]
    assert frame.geometry.is_valid.all() and not frame.geometry.is_empty.any()
    minx, miny, maxx, maxy = frame.total_bounds
    assert -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90


@pytest.mark.parametrize("name", GEOJSON_LAYERS[1:])
def test_geojson_features_and_their_citations_carry_modality(geojson_dir: Path, name: str) -> None:
    features = json.loads((geojson_dir / f"{name}.geojson").read_text(encoding="utf-8"))
    for feature in features["features"]:
        properties = feature["properties"]
        citations = properties["citations"]
        assert {c["modality"] for c in citations} <= set(MODALITIES), properties["id"]
        for citation in citations:  # the hedge is named exactly when the article hedges
            assert (citation["hedge_ja"] is None) == (citation["modality"] == "asserted")
        # a feature is as certain as its most certain citation
        most_certain = min((c["modality"] for c in citations), key=MODALITIES.index)
        assert properties["modality"] == most_certain, properties["id"]


def test_geojson_records_match_the_knowledge_base(geojson_dir: Path) -> None:
    def ids(name: str) -> set[str]:
        return set(gpd.read_file(geojson_dir / f"{name}.geojson").id)

    for name in ("relations", "threats", "regions", "events", "groupings"):
        assert ids(name) == {r["id"] for r in raw(name)}, name
    assert {"nato", "ap4", "five_eyes", "japan_us_alliance", "authoritarian"} <= ids("groupings")


def test_geojson_groupings_carry_members_and_citations(geojson_dir: Path) -> None:
    frame = gpd.read_file(geojson_dir / "groupings.geojson").set_index("id")
    assert set(as_list(frame.members["nato"])) == NATO_2024
    assert set(as_list(frame.members["five_eyes"])) == {"USA", "GBR", "CAN", "AUS", "NZL"}
    assert frame.status["japan_five_eyes_nato"] == "proposed"
    by_id = {g["id"]: g for g in raw("groupings")}
    for gid, citations in frame.citations.items():
        quotes = [c["quote_ja"] for c in as_list(citations)]
        assert quotes == [c["quote_ja"] for c in by_id[gid]["citations"]], gid


def test_geojson_threats_and_relations(geojson_dir: Path) -> None:
    threats = gpd.read_file(geojson_dir / "threats.geojson")
    assert set(threats.direction) == {"east", "north", "south", "west"}
    west = threats.set_index("id").loc["west_from_north_america"]
    assert set(as_list(west.sources)) == {"CHN", "PRK", "IRN"}
    relations = gpd.read_file(geojson_dir / "relations.geojson").set_index("id")
    by_id = {r["id"]: r for r in raw("relations")}
    for rid, row in relations.iterrows():
        assert (row.source, row.target) == (by_id[rid]["source"], by_id[rid]["target"])
        assert bool(row.directed) == by_id[rid].get("directed", True)
        expected_date = by_id[rid].get("date")
        if expected_date is None:
            assert row.date is None or row.date != row.date  # null / NaN
        else:
            assert row.date == str(expected_date)


def test_geojson_countries_include_every_member_and_actor(geojson_dir: Path) -> None:
    countries = gpd.read_file(geojson_dir / "countries.geojson").set_index("iso3")
    assert countries.index.is_unique
    actors = {a["id"] for a in raw("actors")}
    members = {m["iso3"] for g in raw("groupings") for m in g.get("members", [])}
    assert actors | members <= set(countries.index)
    assert "nato" in as_list(countries.groupings["TUR"])
    assert countries.name_ja["USA"] == "米国"  # the knowledge base's name, not the layer's
    # how the article supports each country: an actor's own record, else its memberships
    assert (countries.basis["JPN"], countries.modality["JPN"]) == ("stated", "asserted")
    assert (countries.basis["DEU"], countries.modality["DEU"]) == ("external", "asserted")
    assert countries.basis.notna().all()  # every country drawn is an actor or a member
    assert set(countries.modality) <= set(MODALITIES)


def test_memberships_json(geojson_dir: Path) -> None:
    records = json.loads((geojson_dir / "memberships.json").read_text(encoding="utf-8"))
    assert isinstance(records, list) and records
    for record in records:
        assert {"grouping", "iso3", "basis", "modality", "status", "citations"} <= set(record)
        assert record["basis"] in {"stated", "inferred", "external"}
        citation_modalities = [c["modality"] for c in record["citations"]]
        # never more certain than the least certain step of the path (inclusion, membership)
        assert MODALITIES.index(record["modality"]) >= min(
            map(MODALITIES.index, citation_modalities)
        )
        assert record["status"] in {"existing", "proposed"}
        assert record["citations"] and all("quote_ja" in c for c in record["citations"])
    nato = {r["iso3"] for r in records if r["grouping"] == "nato"}
    assert nato == NATO_2024
    # the article names the Five Eyes members, and only recommends the trilateral cooperation
    by_pair = {(r["grouping"], r["iso3"]): r for r in records}
    assert by_pair[("five_eyes", "GBR")]["modality"] == "asserted"
    assert by_pair[("japan_five_eyes_nato", "GBR")]["modality"] == "recommended"
    pairs = [(r["grouping"], r["iso3"]) for r in records]
    assert len(pairs) == len(set(pairs))


def test_topics_json(geojson_dir: Path) -> None:
    records = json.loads((geojson_dir / "topics.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in records] == [t["id"] for t in raw("topics")]
    for record in records:
        assert {"id", "name_en", "name_ja", "kind", "layer", "about", "basis", "modality"} <= set(
            record
        )
        assert record["modality"] in MODALITIES
        assert record["citations"] and all("modality" in c for c in record["citations"])


def test_geopackage_has_every_layer(gpkg_dir: Path) -> None:
    packages = list(gpkg_dir.glob("*.gpkg"))
    assert len(packages) == 1
    layers = {name for name, _geometry_type in pyogrio.list_layers(packages[0])}
    assert layers == set(GEOJSON_LAYERS)
    for name in GEOJSON_LAYERS:
        frame = gpd.read_file(packages[0], layer=name)
        assert frame.crs.to_epsg() == 4326, name
        assert COLUMNS[name] <= set(frame.columns), (name, COLUMNS[name] - set(frame.columns))
        assert len(frame) > 0
    groupings = gpd.read_file(packages[0], layer="groupings").set_index("id")
    assert set(as_list(groupings.members["nato"])) == NATO_2024
    assert (gpkg_dir / "memberships.json").exists()


@pytest.mark.parametrize("kind", ["under_a_file", "is_a_file"])
def test_unwritable_out_is_a_one_line_error(runs, kind: str) -> None:
    run = runs[kind]
    result = run.result
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert str(run.out) in result.stderr
    assert sorted(p.name for p in run.root.iterdir()) == run.before
    assert (run.root / "not_a_directory").read_text(encoding="utf-8") == "x"
