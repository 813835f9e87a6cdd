"""Writing the atlas layers for GIS tools: GeoJSON files or one GeoPackage, in EPSG:4326."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd

from geodata.atlas import TOPIC_COLUMNS, Atlas

LayerFormat = Literal["geojson", "gpkg"]

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
    """Every GIS layer by output name, with exactly its public columns."""
    frames = {}
    for name, (attribute, columns) in LAYER_COLUMNS.items():
        frame = drawn_countries(atlas) if name == "countries" else getattr(atlas, attribute)
        frames[name] = frame[[*columns, "geometry"]].reset_index(drop=True)
    return frames


def memberships_records(atlas: Atlas) -> list[dict[str, Any]]:
    """memberships.json: one record per (grouping, state)."""
    return _json_records(atlas.memberships[MEMBERSHIP_COLUMNS])


def topics_records(atlas: Atlas) -> list[dict[str, Any]]:
    """topics.json: one record per topic (what the article discusses without a place)."""
    return _json_records(atlas.topics[list(TOPIC_COLUMNS)])


def _json_records(frame: Any) -> list[dict[str, Any]]:
    frame = frame.astype(object)
    return frame.where(frame.notna(), None).to_dict(orient="records")


def write_layers(atlas: Atlas, out: Path, fmt: LayerFormat = "geojson") -> list[Path]:
    """Write every layer under `out` and return the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = [
        _atomic_write(
            out / f"{name}.json",
            lambda p, rows=rows: p.write_text(
                json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8"
            ),
        )
        for name, rows in (
            ("memberships", memberships_records(atlas)),
            ("topics", topics_records(atlas)),
        )
    ]
    frames = layer_frames(atlas)
    if fmt == "geojson":
        for name, frame in frames.items():
            written.append(
                _atomic_write(
                    out / f"{name}.geojson",
                    lambda p, f=frame: p.write_text(
                        f.to_json(na="null", drop_id=True, ensure_ascii=False), encoding="utf-8"
                    ),
                )
            )
    else:
        written.append(_atomic_write(out / "alliance_atlas.gpkg", lambda p: _write_gpkg(frames, p)))
    return written


def _write_gpkg(frames: dict[str, gpd.GeoDataFrame], path: Path) -> None:
    """One GeoPackage, a layer per frame; list and dict fields become JSON text."""
    for name, frame in frames.items():
        flat = frame.copy()
        for column in flat.columns.drop("geometry"):
            if flat[column].map(lambda v: isinstance(v, list | dict)).any():
                flat[column] = flat[column].map(lambda v: json.dumps(v, ensure_ascii=False))
            elif flat[column].dtype == object:
                flat[column] = flat[column].astype("string")
        flat.to_file(path, layer=name, driver="GPKG", mode="a" if path.exists() else "w")


def _atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Write to a temporary file beside `path`, then rename it into place."""
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent
    )
    os.close(handle)
    temporary_path = Path(temporary)
    try:
        temporary_path.unlink()
        write(temporary_path)
        temporary_path.replace(path)
    finally:
        temporary_path.unlink(missing_ok=True)
    return path


__all__ = [
    "LayerFormat",
    "drawn_countries",
    "layer_frames",
    "memberships_records",
    "topics_records",
    "write_layers",
]
