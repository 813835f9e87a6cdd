"""Property values for GIS formats whose fields hold no lists or objects."""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import pandas as pd


def is_nested(value: Any) -> bool:
    """A list or object value (GeoJSON and GeoParquet keep these; most other formats cannot)."""
    return isinstance(value, list | tuple | dict)


def nested_columns(frame: gpd.GeoDataFrame) -> list[str]:
    """The columns holding lists or objects."""
    properties = frame.columns.drop(frame.geometry.name)
    return [column for column in properties if frame[column].map(is_nested).any()]


def is_record_list(values: pd.Series) -> bool:
    """Whether a column holds lists of objects (such as citations), not lists of plain values."""
    return any(
        isinstance(value, list | tuple) and any(isinstance(item, dict) for item in value)
        for value in values
    )


def json_text(value: Any) -> str | None:
    """A list or object as JSON text, as written by GeoJSON (null stays null)."""
    return None if value is None else json.dumps(value, ensure_ascii=False)


def with_json_text(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy whose list and object fields are JSON text."""
    flat = frame.copy()
    for column in nested_columns(frame):
        flat[column] = flat[column].map(json_text).astype(object)
    return flat


__all__ = ["is_nested", "is_record_list", "json_text", "nested_columns", "with_json_text"]
