"""Build ``geodata/data/countries.geojson`` from the Natural Earth 1:50m admin-0 countries.

Offline and deterministic: the same input gives the same bytes. Borders are simplified on a
shared topology (TopoJSON arcs on a fixed 1e-4 degree grid), so neighbours keep identical
borders with no overlaps or gaps. Usage::

    python scripts/build_geodata.py [--source PATH] [--out PATH]
"""

import argparse
import json
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import topojson
from shapely.geometry import mapping

REPO = Path(__file__).resolve().parents[1]
NATURALEARTH_DIR = REPO.parent / "shared" / "naturalearth"
DEFAULT_SOURCE = NATURALEARTH_DIR / "ne_50m_admin_0_countries.geojson"
DEFAULT_OUT = REPO / "geodata" / "data" / "countries.geojson"

DECIMALS = 4
# Quantization grid of the topology: 1e-4 degrees, i.e. coordinates rounded to 4 decimals
# before the arcs are built, so shared borders stay identical after rounding.
GRID = {"scale": [10.0**-DECIMALS, 10.0**-DECIMALS], "translate": [-180.0, -90.0]}
# Douglas-Peucker tolerance on the shared arcs, in degrees (about 4.4 km at the equator).
TOLERANCE = 0.04
# Natural Earth label anchors farther than this (degrees) from their country are replaced.
LABEL_MAX_DISTANCE = 0.25

# Natural Earth ADM0_A3 codes that differ from the ISO 3166-1 alpha-3 code (XKX: Kosovo's
# user-assigned code, as used by the EU and the World Bank).
ADM0_TO_ISO3 = {"SDS": "SSD", "SAH": "ESH", "PSX": "PSE", "ALD": "ALA", "KOS": "XKX"}

# Short Japanese display names replacing formal long NAME_JA values (keyed by iso3).
SHORT_NAME_JA = {
    "USA": "アメリカ",  # アメリカ合衆国
    "CHN": "中国",  # 中華人民共和国
    "PRK": "北朝鮮",  # 朝鮮民主主義人民共和国
    "KOR": "韓国",  # 大韓民国
    "TWN": "台湾",  # 中華民国
    "ZAF": "南アフリカ",  # 南アフリカ共和国
    "CAF": "中央アフリカ",  # 中央アフリカ共和国
    "XKX": "コソボ",  # コソボ共和国
    "MLI": "マリ",  # マリ共和国
    "MNG": "モンゴル",  # モンゴル国
    "THA": "タイ",  # タイ王国
    "CYN": "北キプロス",  # 北キプロス・トルコ共和国
}

COLUMNS = ["iso3", "adm0_a3", "name_en", "name_ja", "continent", "label_lon", "label_lat"]


def iso3_codes(raw: pd.DataFrame) -> pd.Series:
    """ISO alpha-3 per row: ISO_A3_EH unless -99 or repeated, else the mapped ADM0_A3."""
    eh = raw["ISO_A3_EH"]
    usable = eh.ne("-99") & ~eh.duplicated(keep=False)
    codes = eh.where(usable, raw["ADM0_A3"].replace(ADM0_TO_ISO3))
    malformed = ~codes.str.fullmatch(r"[A-Z]{3}")
    if malformed.any():
        raise ValueError(f"malformed iso3 codes: {sorted(codes[malformed])}")
    if not codes.is_unique:
        raise ValueError(f"duplicate iso3 codes: {sorted(set(codes[codes.duplicated()]))}")
    return codes


def attributes(raw: pd.DataFrame) -> pd.DataFrame:
    """The output property columns, one row per source feature."""
    iso3 = iso3_codes(raw)
    return pd.DataFrame(
        {
            "iso3": iso3,
            "adm0_a3": raw["ADM0_A3"],
            "name_en": raw["NAME_EN"],
            "name_ja": iso3.map(SHORT_NAME_JA).fillna(raw["NAME_JA"]),
            "continent": raw["CONTINENT"],
            "label_lon": raw["LABEL_X"].round(DECIMALS),
            "label_lat": raw["LABEL_Y"].round(DECIMALS),
        }
    )


def round_coords(geoms: np.ndarray) -> np.ndarray:
    """Round every coordinate to DECIMALS (identical inputs stay identical)."""
    return shapely.transform(geoms, lambda xy: np.round(xy, DECIMALS))


def simplify(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Simplify the geometries on a shared topology; return them in the order of ``gdf``."""
    topo = topojson.Topology(gdf[["iso3", "geometry"]], prequantize=GRID, toposimplify=TOLERANCE)
    simplified = topo.to_gdf().set_index("iso3").geometry.reindex(gdf["iso3"])
    geoms = round_coords(simplified.to_numpy())

    # A feature that simplification emptied keeps its original (rounded) geometry.
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    geoms[empty] = shapely.set_precision(gdf.geometry.to_numpy()[empty], 10.0**-DECIMALS)

    # Arcs simplified independently can cross inside one feature: repair those features
    # (polygonal parts only) and snap the few new vertices back onto the grid.
    invalid = ~shapely.is_valid(geoms)
    repaired = shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)
    geoms[invalid] = shapely.set_precision(repaired, 10.0**-DECIMALS)

    # Clockwise exteriors, as in Natural Earth and as d3-geo (Plotly geo maps) expects.
    return shapely.orient_polygons(geoms, exterior_cw=True)


def fix_labels(gdf: gpd.GeoDataFrame) -> list[str]:
    """Move far-off label anchors onto the country's largest part; return the moved iso3s."""
    geoms = gdf.geometry.to_numpy()
    points = shapely.points(gdf["label_lon"].to_numpy(), gdf["label_lat"].to_numpy())
    far = np.flatnonzero(shapely.distance(points, geoms) > LABEL_MAX_DISTANCE)
    for i in far:
        parts = shapely.get_parts(geoms[i])
        anchor = shapely.point_on_surface(parts[np.argmax(shapely.area(parts))])
        gdf.loc[i, "label_lon"] = round(anchor.x, DECIMALS)
        gdf.loc[i, "label_lat"] = round(anchor.y, DECIMALS)
    return gdf["iso3"].iloc[far].tolist()


def check(gdf: gpd.GeoDataFrame) -> None:
    """Fail the build on empty or invalid geometries or a broken coverage."""
    geoms = gdf.geometry.to_numpy()
    bad = gdf["iso3"][shapely.is_empty(geoms) | ~shapely.is_valid(geoms)]
    if not bad.empty:
        raise ValueError(f"empty or invalid geometries: {list(bad)}")
    if not shapely.coverage_is_valid(geoms):
        raise ValueError("simplified countries overlap or have mismatched borders")


def to_geojson(gdf: gpd.GeoDataFrame) -> str:
    """Compact GeoJSON, one feature per line, coordinates already rounded."""
    lines = []
    for row in gdf.itertuples(index=False):
        feature = {
            "type": "Feature",
            "properties": {col: getattr(row, col) for col in COLUMNS},
            "geometry": mapping(row.geometry),
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def build(source: Path) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Read the Natural Earth layer; return the processed countries (sorted by iso3) and
    the iso3 codes whose label anchor was moved."""
    raw = gpd.read_file(source)
    gdf = gpd.GeoDataFrame(attributes(raw), geometry=raw.geometry, crs="EPSG:4326")
    gdf = gdf.sort_values("iso3", ignore_index=True)
    gdf["geometry"] = simplify(gdf)
    moved = fix_labels(gdf)
    check(gdf)
    return gdf, moved


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="NE GeoJSON")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output GeoJSON")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    gdf, moved = build(args.source)
    data = to_geojson(gdf).encode()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    elapsed = time.perf_counter() - start
    print(f"{args.out}: {len(gdf)} features, {len(data):,} bytes, {elapsed:.1f} s")
    print(f"label anchors moved onto the country: {', '.join(moved) or 'none'}")


if __name__ == "__main__":
    main()
