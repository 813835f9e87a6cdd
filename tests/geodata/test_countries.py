"""Tests for the processed countries layer (geodata/data/countries.geojson)."""

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from locations import REPO, SHARED

from geodata.countries import COUNTRIES_PATH, load_countries

NATURALEARTH_SOURCE = SHARED / "naturalearth" / "ne_50m_admin_0_countries.geojson"
# fmt: off
NATO_2024 = [  # the 32 members as of July 2024
    "ALB", "BEL", "BGR", "CAN", "HRV", "CZE", "DNK", "EST", "FIN", "FRA", "DEU",
    "GRC", "HUN", "ISL", "ITA", "LVA", "LTU", "LUX", "MNE", "NLD", "MKD", "NOR",
    "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE", "TUR", "GBR", "USA",
]
# fmt: on
OTHER_KEY_STATES = ["JPN", "AUS", "NZL", "KOR", "CHN", "RUS", "PRK", "IRN", "BLR", "UKR"]


@pytest.fixture(scope="module")
def countries() -> gpd.GeoDataFrame:
    """The layer as the dashboard loads it."""
    return load_countries()


@pytest.fixture(scope="module")
def by_iso3(countries: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Geometries indexed by iso3."""
    return countries.set_index("iso3").geometry


def test_layer_loads(countries: gpd.GeoDataFrame) -> None:
    assert len(countries) == 242
    assert countries.crs.to_epsg() == 4326
    assert list(countries.columns) == [
        "iso3", "adm0_a3", "name_en", "name_ja", "continent", "label_lon", "label_lat", "geometry"
    ]  # fmt: skip
    assert isinstance(countries.index, pd.RangeIndex)
    assert countries.index.equals(pd.RangeIndex(len(countries)))
    assert countries["iso3"].is_monotonic_increasing
    assert load_countries() is countries


def test_file_is_small() -> None:
    assert COUNTRIES_PATH.stat().st_size < 1_000_000


def test_iso3_unique_and_well_formed(countries: gpd.GeoDataFrame) -> None:
    assert countries["iso3"].is_unique
    assert countries["iso3"].str.fullmatch(r"[A-Z]{3}").all()


@pytest.mark.parametrize(
    ("name_en", "iso3"),
    [
        ("France", "FRA"),
        ("Norway", "NOR"),
        ("South Sudan", "SSD"),
        ("Kosovo", "XKX"),
        ("Western Sahara", "ESH"),
        ("Palestine", "PSE"),
        ("Åland", "ALA"),
        ("Australia", "AUS"),
        ("Ashmore and Cartier Islands", "ATC"),
        ("Australian Indian Ocean Territories", "IOA"),
    ],
)
def test_iso3_quirks(countries: gpd.GeoDataFrame, name_en: str, iso3: str) -> None:
    assert countries.loc[countries["name_en"] == name_en, "iso3"].tolist() == [iso3]


@pytest.mark.parametrize("iso3", NATO_2024 + OTHER_KEY_STATES)
def test_key_states_have_geometry(by_iso3: gpd.GeoSeries, iso3: str) -> None:
    geom = by_iso3[iso3]
    assert not geom.is_empty and geom.is_valid
    assert geom.geom_type in ("Polygon", "MultiPolygon")


def test_every_geometry_valid_and_nonempty(countries: gpd.GeoDataFrame) -> None:
    geoms = countries.geometry
    assert geoms.notna().all()
    assert not geoms.is_empty.any(), list(countries["iso3"][geoms.is_empty])
    assert geoms.is_valid.all(), list(countries["iso3"][~geoms.is_valid])
    assert set(geoms.geom_type) <= {"Polygon", "MultiPolygon"}


def test_exterior_rings_clockwise(countries: gpd.GeoDataFrame) -> None:
    """Plotly's geo maps (d3-geo) fill the rest of the globe if a shell is anticlockwise."""
    polygons = shapely.get_parts(countries.geometry.to_numpy())
    assert not shapely.is_ccw(shapely.get_exterior_ring(polygons)).any()


def test_neighbours_do_not_overlap(countries: gpd.GeoDataFrame) -> None:
    left, right = countries.sindex.query(countries.geometry, predicate="intersects")
    pairs = left < right
    geoms = countries.geometry.to_numpy()
    areas = shapely.area(shapely.intersection(geoms[left[pairs]], geoms[right[pairs]]))
    iso3 = countries["iso3"].to_numpy()
    overlaps = [
        (iso3[i], iso3[j], area)
        for i, j, area in zip(left[pairs], right[pairs], areas, strict=True)
        if area >= 1e-6
    ]
    assert pairs.sum() > 300  # the land borders are there
    assert overlaps == []


def test_coverage_has_no_overlaps_or_slivers(countries: gpd.GeoDataFrame) -> None:
    """Shared borders match vertex for vertex, with no gaps narrower than 0.01° (the atlas
    merges a grouping's members as such a coverage: geodata.atlas._groupings)."""
    assert shapely.coverage_is_valid(countries.geometry.to_numpy(), gap_width=0.01)


@pytest.mark.parametrize(
    ("a", "b", "min_length"),
    [("FRA", "ESP", 4), ("USA", "CAN", 80), ("RUS", "FIN", 12), ("CHN", "MNG", 40)],
)
def test_shared_border_has_no_gap(
    by_iso3: gpd.GeoSeries, a: str, b: str, min_length: float
) -> None:
    """The neighbours touch along a line (length in degrees), without overlap or gap."""
    border = by_iso3[a].intersection(by_iso3[b])
    assert by_iso3[a].touches(by_iso3[b])
    assert border.geom_type in ("LineString", "MultiLineString")
    assert border.length > min_length


def test_label_points_in_or_near_country(countries: gpd.GeoDataFrame) -> None:
    assert countries[["label_lon", "label_lat"]].notna().all().all()
    points = shapely.points(countries["label_lon"], countries["label_lat"])
    distance = shapely.distance(points, countries.geometry.to_numpy())
    far = countries.loc[distance > 0.5, "iso3"].tolist()
    assert far == []


@pytest.mark.parametrize(
    ("iso3", "name_ja"),
    [
        ("USA", "アメリカ"),
        ("CHN", "中国"),
        ("PRK", "北朝鮮"),
        ("KOR", "韓国"),
        ("TWN", "台湾"),
        ("JPN", "日本"),
    ],
)
def test_short_japanese_names(countries: gpd.GeoDataFrame, iso3: str, name_ja: str) -> None:
    assert countries.loc[countries["iso3"] == iso3, "name_ja"].item() == name_ja


def test_japanese_names_present_and_not_formal(countries: gpd.GeoDataFrame) -> None:
    names = countries["name_ja"]
    assert names.notna().all() and (names.str.strip() != "").all()
    key = countries["iso3"].isin(NATO_2024 + OTHER_KEY_STATES)
    formal = names.str.contains("共和国|合衆国|王国|民国|連邦")
    assert countries.loc[key & formal, "name_ja"].tolist() == []


@pytest.mark.skipif(
    not NATURALEARTH_SOURCE.is_file(),
    reason=f"Natural Earth source not available at {NATURALEARTH_SOURCE}",
)
def test_build_is_reproducible(tmp_path: Path) -> None:
    out = tmp_path / "countries.geojson"
    subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "build_geodata.py"),
            "--source",
            str(NATURALEARTH_SOURCE),
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    assert out.read_bytes() == COUNTRIES_PATH.read_bytes()
