"""Writing the atlas layers for GIS tools, in EPSG:4326: GeoJSON (RFC 7946), GeoPackage,
GeoParquet, FlatGeobuf, Shapefile or KML, always with the records that have no geometry
(memberships.json, topics.json, relations_without_arcs.json)."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, get_args

import geopandas as gpd
import pandas as pd

from geodata.atlas import TOPIC_COLUMNS, Atlas
from geodata.gis_fields import with_json_text
from geodata.gis_geometry import gis_geometry
from geodata.gis_kml import write_kml
from geodata.gis_shapefile import write_shapefiles
from geodata.scenario import Lang

LayerFormat = Literal["geojson", "gpkg", "parquet", "fgb", "shp", "kml"]
LAYER_FORMATS: tuple[LayerFormat, ...] = get_args(LayerFormat)
GEOPACKAGE = "alliance_atlas.gpkg"
# GeoPackage 1.3: the newest that GDAL 3.6 (Debian 12) reads without a warning; GDAL 3.7+ writes 1.4.
GEOPACKAGE_VERSION = "1.3"

# output name → (atlas frame, columns written, in order)
LAYER_COLUMNS: dict[str, tuple[str, list[str]]] = {
    "countries": ("countries", ["iso3", "name_en", "name_ja", "groupings", "basis", "modality"]),
    "groupings": (
        "groupings",
        [
            "id",
            "name_en",
            "name_ja",
            "camp",
            "status",
            "basis",
            "reason",
            "modality",
            "members",
            "citations",
        ],
    ),
    "relations": (
        "relations",
        [
            "id",
            "source",
            "target",
            "kind",
            "directed",
            "placement",
            "date",
            "date_basis",
            "date_reason",
            "basis",
            "reason",
            "modality",
            "status",
            "layer",
            "label_en",
            "label_ja",
            "citations",
        ],
    ),
    "threats": (
        "threats",
        [
            "id",
            "direction",
            "name_en",
            "name_ja",
            "origin",
            "target",
            "sources",
            "kinds",
            "regions",
            "basis",
            "reason",
            "modality",
            "citations",
        ],
    ),
    "regions": (
        "regions",
        ["id", "name_en", "name_ja", "kind", "basis", "reason", "modality", "citations"],
    ),
    "events": (
        "events",
        [
            "id",
            "date",
            "date_basis",
            "date_reason",
            "name_en",
            "name_ja",
            "actors",
            "place_en",
            "place_ja",
            "place_basis",
            "basis",
            "reason",
            "modality",
            "citations",
        ],
    ),
}
MEMBERSHIP_COLUMNS = [
    "grouping",
    "iso3",
    "basis",
    "reason",
    "modality",
    "status",
    "via",
    "citations",
]


def drawn_countries(atlas: Atlas) -> gpd.GeoDataFrame:
    """The countries the map draws: the article's actors and every grouping member."""
    countries = atlas.countries
    return countries[countries.is_actor | countries.groupings.map(bool)]


def layer_frames(atlas: Atlas) -> dict[str, gpd.GeoDataFrame]:
    """Every GIS layer by output name, with exactly its public columns (missing values None)
    and its geometry as RFC 7946 wants it (geodata.gis_geometry)."""
    frames = {}
    for name, (attribute, columns) in LAYER_COLUMNS.items():
        frame = drawn_countries(atlas) if name == "countries" else getattr(atlas, attribute)
        if name == "relations":  # the others have no line: relations_without_arcs.json
            frame = frame[frame.placement == "arc"]
        public = frame[[*columns, "geometry"]].reset_index(drop=True)
        for column in columns:
            if public[column].dtype != bool:
                public[column] = _none_for_missing(public[column])
        frames[name] = public.set_geometry(gis_geometry(public.geometry))
    return frames


def memberships_records(atlas: Atlas) -> list[dict[str, Any]]:
    """memberships.json: one record per (grouping, state)."""
    return _json_records(atlas.memberships[MEMBERSHIP_COLUMNS])


def relations_without_arcs_records(atlas: Atlas) -> list[dict[str, Any]]:
    """relations_without_arcs.json: the relations marked at their source or only listed (a
    stance towards a value, a concern, a compromise), with the relations layer's properties."""
    relations = atlas.relations[atlas.relations.placement != "arc"]
    return _json_records(pd.DataFrame(relations[LAYER_COLUMNS["relations"][1]]))


def topics_records(atlas: Atlas) -> list[dict[str, Any]]:
    """topics.json: one record per topic (what the article discusses without a place)."""
    return _json_records(atlas.topics[list(TOPIC_COLUMNS)])


def _json_records(frame: Any) -> list[dict[str, Any]]:
    frame = frame.astype(object)
    return frame.where(frame.notna(), None).to_dict(orient="records")


def write_layers(
    atlas: Atlas, out: Path, fmt: LayerFormat = "geojson", lang: Lang = "ja"
) -> list[Path]:
    """Write every layer under `out` in `fmt` (KML names and descriptions in `lang`), plus
    memberships.json, topics.json and relations_without_arcs.json, and return the paths
    written. Files are made in a temporary directory inside `out` and moved into place, so a
    failed run leaves no partial file."""
    out.mkdir(parents=True, exist_ok=True)
    frames = layer_frames(atlas)
    stage = Path(tempfile.mkdtemp(prefix=".alliance-atlas-", dir=out))
    try:
        records = []
        for name, rows in (
            ("memberships", memberships_records(atlas)),
            ("topics", topics_records(atlas)),
            ("relations_without_arcs", relations_without_arcs_records(atlas)),
        ):
            path = stage / f"{name}.json"
            path.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
            records.append(path)
        staged = [*records, *WRITERS[fmt](frames, stage, lang)]
        return [path.replace(out / path.name) for path in staged]
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _none_for_missing(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), None)


def _write_geojson(frames: dict[str, gpd.GeoDataFrame], directory: Path, _: Lang) -> list[Path]:
    """RFC 7946 GeoJSON, a file per layer (no crs member: it is always WGS 84 lon/lat)."""
    written = []
    for name, frame in frames.items():
        path = directory / f"{name}.geojson"
        path.write_text(
            frame.to_json(na="null", drop_id=True, ensure_ascii=False), encoding="utf-8"
        )
        written.append(path)
    return written


def _write_geopackage(frames: dict[str, gpd.GeoDataFrame], directory: Path, _: Lang) -> list[Path]:
    """One GeoPackage, a layer per frame; list and object fields as JSON text."""
    path = directory / GEOPACKAGE
    for name, frame in frames.items():
        with_json_text(frame).to_file(
            path,
            layer=name,
            driver="GPKG",
            mode="a" if path.exists() else "w",
            dataset_options={"VERSION": GEOPACKAGE_VERSION},
        )
    return [path]


def _write_flatgeobuf(frames: dict[str, gpd.GeoDataFrame], directory: Path, _: Lang) -> list[Path]:
    """A FlatGeobuf per layer (with its spatial index); list and object fields as JSON text."""
    written = []
    for name, frame in frames.items():
        path = directory / f"{name}.fgb"
        with_json_text(frame).to_file(path, layer=name, driver="FlatGeobuf")
        written.append(path)
    return written


def _write_geoparquet(frames: dict[str, gpd.GeoDataFrame], directory: Path, _: Lang) -> list[Path]:
    """A GeoParquet 1.1 per layer, with a bbox covering column and ZSTD as its distribution
    best practices ask; text columns are strings, lists and citations typed lists and structs."""
    written = []
    for name, frame in frames.items():
        typed = frame.copy()
        for column in frame.columns.drop(frame.geometry.name):
            if frame[column].map(lambda value: value is None or isinstance(value, str)).all():
                typed[column] = frame[column].astype("string")
        path = directory / f"{name}.parquet"
        typed.to_parquet(path, index=False, compression="zstd", write_covering_bbox=True)
        written.append(path)
    return written


def _write_shapefiles(frames: dict[str, gpd.GeoDataFrame], directory: Path, _: Lang) -> list[Path]:
    return write_shapefiles(frames, directory)


WRITERS: dict[LayerFormat, Callable[[dict[str, gpd.GeoDataFrame], Path, Lang], list[Path]]] = {
    "geojson": _write_geojson,
    "gpkg": _write_geopackage,
    "parquet": _write_geoparquet,
    "fgb": _write_flatgeobuf,
    "shp": _write_shapefiles,
    "kml": write_kml,
}


__all__ = [
    "LAYER_FORMATS",
    "LayerFormat",
    "drawn_countries",
    "layer_frames",
    "memberships_records",
    "relations_without_arcs_records",
    "topics_records",
    "write_layers",
]
