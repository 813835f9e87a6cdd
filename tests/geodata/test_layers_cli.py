"""`alliance-atlas layers`: the GIS files a user gets, checked with the tools users have:
@mapbox/geojsonhint and geojson-validator for RFC 7946, GDAL's ogrinfo (Debian's GDAL 3.6) and
pyogrio for every format, geoparquet-validator for GeoParquet, and read back field by field."""

from __future__ import annotations

import csv
import itertools
import json
import sqlite3
import subprocess
import warnings
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cache
from pathlib import Path

import geopandas as gpd
import geoparquet_validator
import pyogrio
import pytest
import yaml
from commands import run_in_process, run_installed
from geojson_validator import configure_logging, validate_geometries, validate_structure
from locations import REPO
from shapely.geometry import LineString, Point, Polygon

from geodata.gis_geometry import gis_geometry
from geodata.gis_shapefile import write_shapefiles
from geodata.knowledge import KNOWLEDGE_DIR
from geodata.layers_io import write_layers

GEOJSONHINT = REPO / "node_modules" / ".bin" / "geojsonhint"
GEOJSON_LAYERS = ["countries", "groupings", "relations", "threats", "regions", "events"]
# the records without geometry, beside every format's layers
RECORDS = {"memberships.json", "topics.json", "relations_without_arcs.json"}
FILES = {f"{name}.geojson" for name in GEOJSON_LAYERS} | RECORDS
FORMAT_FILES = {
    "geojson": FILES,
    "gpkg": {"alliance_atlas.gpkg"} | RECORDS,
    "parquet": {f"{name}.parquet" for name in GEOJSON_LAYERS} | RECORDS,
    "fgb": {f"{name}.fgb" for name in GEOJSON_LAYERS} | RECORDS,
    "shp": {
        f"{name}{suffix}"
        for name in GEOJSON_LAYERS
        for suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg")
    }
    | {"citations.csv", "fields.csv"}
    | RECORDS,
    "kml": {f"{name}.kml" for name in GEOJSON_LAYERS} | RECORDS,
}
# the outputs of this module: name → (format, language); the command runs two of them (and the
# errors), the installed console script for the GeoJSON and dashboard.cli.main in this process
# for the others; the remaining formats are written by write_layers directly
FORMAT_RUNS = {
    "geojson": ("geojson", "ja"),
    "gpkg": ("gpkg", "ja"),
    "parquet": ("parquet", "ja"),
    "fgb": ("fgb", "ja"),
    "shp": ("shp", "ja"),
    "kml": ("kml", "ja"),
    "kml_en": ("kml", "en"),
}
CLI_RUNS = {"geojson": [], "kml_en": ["--format", "kml", "--lang", "en"]}
# files GDAL reads as layers, by run (the sidecars of a Shapefile are part of its .shp)
GDAL_SUFFIXES = {".geojson", ".gpkg", ".fgb", ".shp", ".kml", ".csv"}
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
# one geometry type per layer: areas and lines are Multi* whatever their number of parts
GEOMETRY_TYPES = {
    "countries": "MultiPolygon",
    "groupings": "MultiPolygon",
    "relations": "MultiLineString",
    "threats": "MultiLineString",
    "regions": "MultiPolygon",
    "events": "Point",
}
OGRINFO_TYPES = {"MultiPolygon": "Multi Polygon", "MultiLineString": "Multi Line String"}
# fmt: off
NATO_2024 = {
    "ALB", "BEL", "BGR", "CAN", "HRV", "CZE", "DNK", "EST", "FIN", "FRA", "DEU",
    "GRC", "HUN", "ISL", "ITA", "LVA", "LTU", "LUX", "MNE", "NLD", "MKD", "NOR",
    "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE", "TUR", "GBR", "USA",
}
# fmt: on


def raw(name: str) -> list[dict]:
    data = yaml.safe_load((KNOWLEDGE_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    return data[name]


def as_list(value) -> list:
    """A list property as read back (GeoJSON arrays come back as lists or arrays)."""
    return json.loads(value) if isinstance(value, str) else list(value)


def ogrinfo(*args: str) -> subprocess.CompletedProcess[str]:
    """Debian's GDAL command-line tool (gdal-bin, installed by scripts/setup.sh)."""
    return subprocess.run(["ogrinfo", "-ro", *args], capture_output=True, text=True, timeout=120)


@cache
def geojson_features(directory: Path, name: str) -> list[dict]:
    """A layer's features as the GeoJSON file has them (plain JSON, no GIS library), read once
    for the tests that read them (do not change them)."""
    return json.loads((directory / f"{name}.geojson").read_text(encoding="utf-8"))["features"]


def key_of(properties: dict) -> str:
    """A record's key: its id, or a country's ISO code."""
    return properties.get("id") or properties["iso3"]


@dataclass
class Run:
    out: Path
    root: Path
    before: list[str]
    printed: list[str] | None = None
    result: subprocess.CompletedProcess[str] | None = None
    warnings: list[str] = dataclass_field(default_factory=list)


@pytest.fixture(scope="module")
def runs(tmp_path_factory, atlas) -> dict[str, Run]:
    """Every output of this module: the installed `layers` command in the background while the
    others run in this process."""
    jobs: dict[str, tuple[Run, list[str]]] = {}
    for name, extra in CLI_RUNS.items():
        root = tmp_path_factory.mktemp(name)
        out = root / "out" / "nested" if name == "geojson" else root
        jobs[name] = (Run(out, root, []), ["--out", str(out), *extra])
    for kind in ("under_a_file", "is_a_file"):
        root = tmp_path_factory.mktemp(kind)
        blocker = root / "not_a_directory"
        blocker.write_text("x", encoding="utf-8")
        out = blocker / "layers" if kind == "under_a_file" else blocker
        jobs[kind] = (Run(out, root, sorted(p.name for p in root.iterdir())), ["--out", str(out)])
    with ThreadPoolExecutor(max_workers=1) as pool:
        run, arguments = jobs["geojson"]
        installed = pool.submit(run_installed, "layers", *arguments, cwd=run.root)
        for name, (run, arguments) in jobs.items():
            if name != "geojson":
                run.result = run_in_process("layers", *arguments, cwd=run.root)
        runs = {name: run for name, (run, _) in jobs.items()}
        for name, (fmt, lang) in FORMAT_RUNS.items():
            if name not in CLI_RUNS:
                out = tmp_path_factory.mktemp(name)
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    written = write_layers(atlas, out, fmt, lang)
                runs[name] = Run(out, out, [], printed=[str(path) for path in written])
                runs[name].warnings = [str(w.message) for w in caught]
        runs["geojson"].result = installed.result()
    return runs


def output(runs: dict[str, Run], name: str) -> Path:
    """The directory a successful run wrote, having printed exactly its documented files."""
    run = runs[name]
    if run.result is not None:
        assert run.result.returncode == 0, run.result.stdout + run.result.stderr
        assert run.result.stderr == ""  # no warning from GDAL while writing either
        run.printed = run.result.stdout.splitlines()
    assert run.warnings == []  # GDAL warned while writing
    printed = {Path(line).name for line in run.printed}
    assert printed == FORMAT_FILES[FORMAT_RUNS[name][0]]
    return run.out


@pytest.fixture(scope="module")
def geojson_dir(runs) -> Path:
    return output(runs, "geojson")


@pytest.fixture(scope="module")
def gpkg_dir(runs) -> Path:
    return output(runs, "gpkg")


@pytest.fixture(scope="module")
def shp_dir(runs) -> Path:
    return output(runs, "shp")


@pytest.mark.parametrize("name", FORMAT_RUNS)
def test_each_format_writes_exactly_the_documented_files(runs, name: str) -> None:
    out = output(runs, name)
    fmt = FORMAT_RUNS[name][0]
    assert {p.name for p in out.iterdir()} == FORMAT_FILES[fmt]  # no temporary files left


@pytest.mark.parametrize("name", GEOJSON_LAYERS)
def test_geojson_layer_reads_back(geojson_dir: Path, name: str) -> None:
    frame = gpd.read_file(geojson_dir / f"{name}.geojson")
    assert frame.crs is not None and frame.crs.to_epsg() == 4326
    assert COLUMNS[name] <= set(frame.columns), COLUMNS[name] - set(frame.columns)
    assert len(frame) > 0
    assert set(frame.geometry.geom_type) == {GEOMETRY_TYPES[name]}
    assert frame.geometry.is_valid.all() and not frame.geometry.is_empty.any()
    minx, miny, maxx, maxy = frame.total_bounds
    assert -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90


def test_geojson_records_match_the_knowledge_base(geojson_dir: Path) -> None:
    def ids(name: str) -> set[str]:
        return set(gpd.read_file(geojson_dir / f"{name}.geojson").id)

    for name in ("threats", "regions", "events", "groupings"):
        assert ids(name) == {r["id"] for r in raw(name)}, name
    assert {"nato", "ap4", "five_eyes", "japan_us_alliance", "authoritarian"} <= ids("groupings")
    # a relation is a feature when it is drawn as an arc; the others are records without geometry
    arcs = {r["id"] for r in raw("relations") if r.get("placement", "arc") == "arc"}
    assert ids("relations") == arcs
    unplaced = json.loads((geojson_dir / "relations_without_arcs.json").read_text("utf-8"))
    assert {r["id"] for r in unplaced} == {r["id"] for r in raw("relations")} - arcs
    assert unplaced and {r["placement"] for r in unplaced} <= {"at_source", "listed"}
    assert all(r["citations"] and "geometry" not in r for r in unplaced)


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
        assert record["status"] in {"existing", "proposed"}
        assert record["citations"] and all("quote_ja" in c for c in record["citations"])
        citation_modalities = [c["modality"] for c in record["citations"]]
        # never more certain than the least certain step of the path (inclusion, membership)
        assert MODALITIES.index(record["modality"]) >= min(
            map(MODALITIES.index, citation_modalities)
        )
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


# --- RFC 7946 GeoJSON, checked by the validators GIS users run ------------------------------------


def test_geojsonhint_finds_nothing(geojson_dir: Path) -> None:
    """@mapbox/geojsonhint (npm, installed by scripts/setup.sh): not even a right-hand-rule
    message."""
    if not GEOJSONHINT.exists():
        pytest.fail(f"{GEOJSONHINT} is missing: run scripts/setup.sh --test (npm ci)")
    for name in GEOJSON_LAYERS:
        result = subprocess.run(
            [str(GEOJSONHINT), "--format", "json", str(geojson_dir / f"{name}.geojson")],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert (result.returncode, result.stdout, result.stderr) == (0, "", ""), name


def test_geojson_validator_finds_no_error(geojson_dir: Path) -> None:
    """PyPI geojson-validator: the structure (with a crs member flagged) and every geometry
    criterion RFC 7946 makes invalid pass; of the "problematic" ones only those that describe
    the data remain (holes: enclaves in a union; more than 999 vertices: a union of
    countries; crosses_antimeridian: see the next test)."""
    configure_logging(enabled=False)
    for name in GEOJSON_LAYERS:
        path = geojson_dir / f"{name}.geojson"
        assert validate_structure(path, check_crs=True) == {}, name
        result = validate_geometries(path)
        assert result["invalid"] == {}, (name, result["invalid"])
        assert result["skipped_validation"] == [], name
        problematic = set(result["problematic"])
        assert problematic <= {"holes", "excessive_vertices", "crosses_antimeridian"}, name


def test_lines_are_split_at_the_antimeridian_as_rfc_7946_shows(geojson_dir: Path) -> None:
    """§3.1.9: a line crossing the antimeridian is cut in two, one part ending at 180 and the
    next starting at -180; no segment jumps across. (geojson-validator's crosses_antimeridian
    flags such parts because it maps 180 to -180: it flags the RFC's own example too.)"""
    split = []
    for name in GEOJSON_LAYERS:
        for feature in geojson_features(geojson_dir, name):
            geometry = feature["geometry"]
            coordinates = geometry["coordinates"]
            if geometry["type"] == "MultiPolygon":
                parts = [ring for polygon in coordinates for ring in polygon]
            else:
                parts = coordinates if geometry["type"] == "MultiLineString" else []
            for part in parts:
                jumps = [abs(a[0] - b[0]) for a, b in itertools.pairwise(part)]
                assert max(jumps, default=0) <= 180, (name, key_of(feature["properties"]))
            if geometry["type"] == "MultiLineString":
                ends = [(part[0][0], part[-1][0]) for part in parts]
                if any(end == 180 for _, end in ends) and any(start == -180 for start, _ in ends):
                    split.append(key_of(feature["properties"]))
    assert "japan_us_global_partners" in split and "west_from_north_america" in split


def test_geojson_coordinates_have_at_most_six_decimals(geojson_dir: Path) -> None:
    text = (geojson_dir / "relations.geojson").read_text(encoding="utf-8")
    for feature in json.loads(text)["features"]:
        for part in feature["geometry"]["coordinates"]:
            for lon, lat in part:
                assert round(lon, 6) == lon and round(lat, 6) == lat
    assert '"crs"' not in text


@pytest.mark.parametrize("name", GEOJSON_LAYERS)
def test_one_geometry_type_per_file_as_gdal_sees_it(geojson_dir: Path, name: str) -> None:
    result = ogrinfo("-al", "-so", str(geojson_dir / f"{name}.geojson"))
    assert result.returncode == 0 and result.stderr == ""
    expected = OGRINFO_TYPES.get(GEOMETRY_TYPES[name], GEOMETRY_TYPES[name])
    assert f"Geometry: {expected}\n" in result.stdout


# --- every format opens cleanly in GDAL and pyogrio ------------------------------------------------


def gdal_files(runs: dict[str, Run]) -> list[tuple[str, Path]]:
    return [
        (name, path)
        for name in FORMAT_RUNS
        for path in sorted(output(runs, name).iterdir())
        if path.suffix in GDAL_SUFFIXES
    ]


def test_every_file_opens_in_debian_gdal_without_a_warning(runs) -> None:
    """`ogrinfo -al` reads every feature of every file (Parquet aside: Debian's GDAL has no
    Parquet driver) with nothing on stderr, where GDAL prints its warnings."""
    checked = set()
    for name, path in gdal_files(runs):
        result = ogrinfo("-al", str(path))
        assert result.returncode == 0, (name, path.name, result.stderr)
        assert result.stderr == "", (name, path.name, result.stderr)
        assert "OGRFeature(" in result.stdout, (name, path.name)
        checked.add(FORMAT_RUNS[name][0])
    assert checked == set(FORMAT_FILES) - {"parquet"}


def test_every_file_opens_in_pyogrio_without_a_warning(runs) -> None:
    """pyogrio (its own, newer GDAL) turns GDAL warnings into RuntimeWarnings: none may come."""
    for name, path in gdal_files(runs):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for layer, _geometry_type in pyogrio.list_layers(path):
                frame = pyogrio.read_dataframe(path, layer=layer)
                assert len(frame) > 0, (name, path.name, layer)


@pytest.mark.parametrize("fmt", ["gpkg", "fgb", "parquet", "shp", "kml"])
def test_every_format_has_every_feature_and_name(runs, geojson_dir: Path, fmt: str) -> None:
    """Each format holds the GeoJSON's features, keys, Japanese names and geometry types."""
    directory = output(runs, fmt)
    for name in GEOJSON_LAYERS:
        features = geojson_features(geojson_dir, name)
        if fmt == "gpkg":
            frame = gpd.read_file(directory / "alliance_atlas.gpkg", layer=name)
        elif fmt == "parquet":
            frame = gpd.read_parquet(directory / f"{name}.parquet")
        else:
            frame = gpd.read_file(directory / f"{name}.{fmt}")
        assert frame.crs is not None and frame.crs.to_epsg() == 4326, (fmt, name)
        key = "iso3" if name == "countries" else "id"
        expected = {key_of(f["properties"]): f["properties"] for f in features}
        assert sorted(frame[key]) == sorted(expected), (fmt, name)
        for field in ("name_ja", "label_ja"):
            if field in frame:
                got = dict(zip(frame[key], frame[field], strict=True))
                assert got == {k: p[field] for k, p in expected.items()}, (fmt, name, field)
        if fmt not in ("shp", "kml"):  # a Shapefile's type is Polygon or Line; KML has none
            assert set(frame.geom_type) == {GEOMETRY_TYPES[name]}, (fmt, name)


def test_geopackage_is_a_version_gdal_3_6_reads(gpkg_dir: Path) -> None:
    """GeoPackage 1.3 (GDAL 3.7+ writes 1.4 by default, which GDAL 3.6 warns about)."""
    with sqlite3.connect(gpkg_dir / "alliance_atlas.gpkg") as connection:
        (user_version,) = connection.execute("PRAGMA user_version").fetchone()
        (application_id,) = connection.execute("PRAGMA application_id").fetchone()
    assert (user_version, application_id.to_bytes(4, "big")) == (10300, b"GPKG")


def test_geoparquet_is_conformant(runs, geojson_dir: Path) -> None:
    """geoparquet-validator: GeoParquet core, bbox covering and distribution all conformant;
    lists and citations stay typed lists and structs."""
    directory = output(runs, "parquet")
    for name in GEOJSON_LAYERS:
        report = geoparquet_validator.check(str(directory / f"{name}.parquet"))
        assert geoparquet_validator.failed(report) == [], (name, report["outcomes"])
        claimed = {o["id"].split("/")[2] for o in report["outcomes"] if o["status"] == "pass"}
        assert {"core", "covering", "distribution"} <= claimed, name
    groupings = gpd.read_parquet(directory / "groupings.parquet").set_index("id")
    assert set(groupings.members["nato"]) == NATO_2024
    first = groupings.citations["nato"][0]
    assert first["quote_ja"] == raw("groupings")[0]["citations"][0]["quote_ja"]


# --- a Shapefile that loses nothing ----------------------------------------------------------------


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def as_text(value) -> str:
    """A value as the companion CSV writes it: null empty, lists joined with ";"."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def test_shapefile_round_trip_keeps_every_value(shp_dir: Path, geojson_dir: Path) -> None:
    """Read back with pyogrio, the companion CSV and fields.csv, every property of every
    feature equals the GeoJSON's: Japanese names, every list member, every citation."""
    fields = {(r["layer"], r["field"]): r["stored_in"] for r in read_csv(shp_dir / "fields.csv")}
    citations = read_csv(shp_dir / "citations.csv")
    for name in GEOJSON_LAYERS:
        assert (shp_dir / f"{name}.cpg").read_text(encoding="ascii").strip() == "UTF-8"
        frame = pyogrio.read_dataframe(shp_dir / f"{name}.shp")
        assert all(len(column) <= 10 for column in frame.columns)
        rows = {
            key: row for key, row in zip(frame.iloc[:, 0], frame.to_dict("records"), strict=True)
        }
        for feature in geojson_features(geojson_dir, name):
            properties = feature["properties"]
            row = rows[key_of(properties)]
            for field, value in properties.items():
                stored_in = fields[(name, field)]
                where = (name, key_of(properties), field)
                if stored_in == "citations.csv":
                    got = [c for c in citations if (c["layer"], c["id"]) == where[:2]]
                    assert [int(c["n"]) for c in got] == list(range(1, len(value) + 1)), where
                    for item, cell in zip(value, got, strict=True):
                        assert {k: cell[k] for k in item} == {
                            k: as_text(v) for k, v in item.items()
                        }
                    continue
                cell = row[stored_in.split(":")[1]]
                if isinstance(cell, float) and cell != cell:  # a DBF has no null: empty is NaN
                    cell = None
                if isinstance(value, list):
                    assert (cell.split(";") if cell else []) == value, where
                else:
                    assert cell == (None if value == "" else value), where


def test_shapefile_japanese_names_read_back_in_ogrinfo(shp_dir: Path, geojson_dir: Path) -> None:
    """As a user sees them with `ogrinfo -al`: every Japanese text intact (not "??")."""
    for name in GEOJSON_LAYERS:
        result = ogrinfo("-al", "-geom=NO", str(shp_dir / f"{name}.shp"))
        assert result.stderr == ""
        lines = set(result.stdout.splitlines())
        for feature in geojson_features(geojson_dir, name):
            for field, value in feature["properties"].items():
                if field.endswith("_ja") and value:
                    assert f"  {field} (String) = {value}" in lines, (name, field, value)


def test_readme_maps_every_shortened_shapefile_field(shp_dir: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for row in read_csv(shp_dir / "fields.csv"):
        dbf_field = row["stored_in"].partition(":")[2]
        assert dbf_field == "" or len(dbf_field) <= 10
        if dbf_field and dbf_field != row["field"]:
            assert f"| `{row['field']}` | `{dbf_field}` |" in readme, row


# --- KML: named and described in the chosen language ------------------------------------------------

KML = "{http://www.opengis.net/kml/2.2}"


def placemarks(path: Path) -> list[dict[str, str]]:
    """Each placemark's name, description and ExtendedData, parsed as plain XML."""
    found = []
    for placemark in ET.parse(path).getroot().iter(f"{KML}Placemark"):
        data = {d.get("name"): d.text or "" for d in placemark.iter(f"{KML}SimpleData")}
        found.append(
            {
                "name": placemark.findtext(f"{KML}name") or "",
                "description": placemark.findtext(f"{KML}description") or "",
                **data,
            }
        )
    return found


@pytest.mark.parametrize(("run", "lang"), [("kml", "ja"), ("kml_en", "en")])
def test_kml_placemarks_have_names_and_descriptions(
    runs, geojson_dir: Path, run: str, lang: str
) -> None:
    directory = output(runs, run)
    for name in GEOJSON_LAYERS:
        features = {
            key_of(f["properties"]): f["properties"] for f in geojson_features(geojson_dir, name)
        }
        found = placemarks(directory / f"{name}.kml")
        assert len(found) == len(features), name
        for placemark in found:
            properties = features[placemark.get("id") or placemark["iso3"]]
            expected = properties.get(f"name_{lang}") or properties.get(f"label_{lang}")
            assert placemark["name"] == expected, (name, placemark["name"])
            for citation in properties.get("citations") or []:
                assert f"「{citation['quote_ja']}」" in placemark["description"], name
                assert (citation["gloss_en"] in placemark["description"]) == (lang == "en")
            if properties.get("basis"):
                basis = {"ja": "根拠", "en": "Basis"}[lang]
                assert f"<b>{basis}</b>" in placemark["description"], name


# --- the writers' rules, on small frames ------------------------------------------------------------


def test_gis_geometry_orients_rounds_and_promotes() -> None:
    clockwise = Polygon(
        [(0, 0), (0, 10), (10, 10), (10, 0)], holes=[[(2, 2), (4, 2), (4, 4), (2, 4)]]
    )
    line = LineString([(170.1234567, 1.00000049), (180, 2)])
    geometries = gis_geometry(gpd.GeoSeries([clockwise, line, clockwise], crs=4326).iloc[[0, 2]])
    (area,) = geometries.iloc[0].geoms
    assert geometries.geom_type.tolist() == ["MultiPolygon", "MultiPolygon"]
    assert area.exterior.is_ccw and not area.interiors[0].is_ccw
    (part,) = gis_geometry(gpd.GeoSeries([line], crs=4326)).iloc[0].geoms
    assert list(part.coords) == [(170.123457, 1.0), (180.0, 2.0)]
    with pytest.raises(ValueError, match="mixes geometry types"):
        gis_geometry(gpd.GeoSeries([clockwise, line], crs=4326))


def test_shapefile_keeps_long_texts_whole_in_long_texts_csv(tmp_path: Path) -> None:
    """A text longer than a DBF field's 254 bytes is never cut: it moves to long_texts.csv."""
    reason = "論考は明記していない" * 30  # 900 bytes of UTF-8
    frame = gpd.GeoDataFrame(
        {"id": ["a", "b"], "reason": [reason, None], "place_basis": ["stated", "external"]},
        geometry=[Point(0, 0), Point(1, 1)],
        crs=4326,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        written = write_shapefiles({"things": frame}, tmp_path)
    assert {path.name for path in written} == {
        "things.shp", "things.shx", "things.dbf", "things.prj", "things.cpg",
        "long_texts.csv", "fields.csv",
    }  # fmt: skip
    assert read_csv(tmp_path / "long_texts.csv") == [
        {"layer": "things", "id": "a", "field": "reason", "text": reason}
    ]
    dbf = pyogrio.read_dataframe(tmp_path / "things.shp")
    assert list(dbf.columns) == ["id", "placebasis", "geometry"]
    fields = {row["field"]: row["stored_in"] for row in read_csv(tmp_path / "fields.csv")}
    assert fields == {
        "id": "things.dbf:id",
        "reason": "long_texts.csv",
        "place_basis": "things.dbf:placebasis",
    }


def test_shapefile_refuses_what_it_could_not_read_back(tmp_path: Path) -> None:
    geometry = [Point(0, 0)]
    with pytest.raises(ValueError, match="contains ';'"):
        write_shapefiles(
            {"t": gpd.GeoDataFrame({"id": ["a"], "tags": [["x;y"]]}, geometry=geometry)}, tmp_path
        )
    with pytest.raises(ValueError, match="short Shapefile name"):
        write_shapefiles(
            {"t": gpd.GeoDataFrame({"id": ["a"], "a_long_property": ["x"]}, geometry=geometry)},
            tmp_path,
        )
