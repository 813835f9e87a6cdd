"""Shapefiles that lose nothing: a DBF field holds at most 254 bytes of one encoding under a
name of at most 10 characters, and no lists. So: UTF-8 with a .cpg, lists as delimited text,
lists of objects (citations) and texts too long for a field in companion CSV files keyed by
(layer, id), short field names from SHORT_NAMES, and fields.csv saying where each field went."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geodata.gis_fields import is_nested, is_record_list

FIELD_NAME_LIMIT = 10
FIELD_BYTES_LIMIT = 254
LIST_SEPARATOR = ";"
# contract name → DBF field name, for names longer than FIELD_NAME_LIMIT (README's table)
SHORT_NAMES = {"place_basis": "placebasis", "date_reason": "datereason"}
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
LONG_TEXTS = "long_texts.csv"
FIELDS = "fields.csv"
# Excel opens UTF-8 CSV as UTF-8 only with a byte order mark; GDAL and pandas ("utf-8-sig") skip it.
CSV_ENCODING = "utf-8-sig"


def field_name(name: str) -> str:
    """The DBF field name of a property."""
    short = SHORT_NAMES.get(name, name)
    if len(short) > FIELD_NAME_LIMIT:
        raise ValueError(f"property {name!r} needs a short Shapefile name in SHORT_NAMES")
    return short


def delimited(value: Any) -> str | None:
    """A list as text, its members joined with LIST_SEPARATOR (null stays null)."""
    if not isinstance(value, list | tuple):
        return value
    members = [str(member) for member in value]
    if any(LIST_SEPARATOR in member for member in members):
        raise ValueError(f"a list member contains {LIST_SEPARATOR!r}, the separator: {members}")
    return LIST_SEPARATOR.join(members)


def write_shapefiles(frames: dict[str, gpd.GeoDataFrame], directory: Path) -> list[Path]:
    """A Shapefile per layer, the companion CSV files and fields.csv; the paths written."""
    companions: dict[str, list[dict[str, Any]]] = defaultdict(list)
    fields: list[dict[str, str]] = []
    written: list[Path] = []
    for layer, frame in frames.items():
        dbf = _dbf_frame(layer, frame, companions, fields)
        path = directory / f"{layer}.shp"
        dbf.to_file(path, driver="ESRI Shapefile", encoding="UTF-8")
        written += [path.with_suffix(suffix) for suffix in SHAPEFILE_PARTS]
    for name, rows in companions.items():
        written.append(_write_csv(directory / name, rows))
    written.append(_write_csv(directory / FIELDS, fields))
    return written


def _dbf_frame(
    layer: str,
    frame: gpd.GeoDataFrame,
    companions: dict[str, list[dict[str, Any]]],
    fields: list[dict[str, str]],
) -> gpd.GeoDataFrame:
    """The layer's DBF fields; what does not fit goes into `companions`, and every property's
    place into `fields`."""
    ids = frame[frame.columns[0]].tolist()
    dbf: dict[str, Any] = {}
    for column in frame.columns.drop(frame.geometry.name):
        values = frame[column]
        if is_record_list(values):
            companions[f"{column}.csv"] += _item_rows(layer, ids, values)
            fields.append(
                _field(layer, column, f"{column}.csv", "one row per item, keyed by layer, id, n")
            )
            continue
        is_list = values.map(is_nested).any()
        how = f"list, {LIST_SEPARATOR} between members" if is_list else "value"
        try:
            text = values.map(delimited) if is_list else values
        except ValueError as error:
            raise ValueError(f"cannot write {layer}.{column} to a Shapefile: {error}") from None
        if text.map(_utf8_bytes).max() > FIELD_BYTES_LIMIT:
            companions[LONG_TEXTS] += [
                {"layer": layer, "id": i, "field": column, "text": v}
                for i, v in zip(ids, text, strict=True)
                if isinstance(v, str)
            ]
            fields.append(
                _field(layer, column, LONG_TEXTS, f"{how}, whole, keyed by layer, id, field")
            )
            continue
        dbf[field_name(column)] = text
        fields.append(_field(layer, column, f"{layer}.dbf:{field_name(column)}", how))
    return gpd.GeoDataFrame(dbf, geometry=frame.geometry.values, crs=frame.crs)


def _item_rows(layer: str, ids: list[str], values: pd.Series) -> list[dict[str, Any]]:
    return [
        {"layer": layer, "id": ident, "n": n, **{k: delimited(v) for k, v in item.items()}}
        for ident, items in zip(ids, values, strict=True)
        for n, item in enumerate(items or (), start=1)
    ]


def _field(layer: str, field: str, stored_in: str, how: str) -> dict[str, str]:
    return {"layer": layer, "field": field, "stored_in": stored_in, "as": how}


def _utf8_bytes(value: Any) -> int:
    return len(str(value).encode("utf-8")) if value is not None else 0


def _write_csv(path: Path, rows: Iterable[dict[str, Any]]) -> Path:
    rows = list(rows)
    columns = list(dict.fromkeys(key for row in rows for key in row))
    with path.open("w", encoding=CSV_ENCODING, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


__all__ = [
    "FIELDS",
    "FIELD_BYTES_LIMIT",
    "LIST_SEPARATOR",
    "LONG_TEXTS",
    "SHORT_NAMES",
    "delimited",
    "field_name",
    "write_shapefiles",
]
