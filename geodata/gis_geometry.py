"""The layers' geometry as GIS files carry it: RFC 7946 GeoJSON's rules, applied to every format."""

from __future__ import annotations

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry

# 6 decimals of a degree: at most 0.11 m on the ground, far finer than the 1:50m countries.
COORDINATE_DECIMALS = 6

_MULTI = {"Polygon": shapely.MultiPolygon, "LineString": shapely.MultiLineString}


def gis_geometry(geometries: gpd.GeoSeries) -> gpd.GeoSeries:
    """Coordinates rounded to COORDINATE_DECIMALS (still valid), exterior rings
    counter-clockwise and holes clockwise (RFC 7946 §3.1.6), and one geometry type per layer:
    areas are MultiPolygons and lines MultiLineStrings, whether they have one part or several.
    Lines stay split at the antimeridian (§3.1.9): ±180 lies on the grid."""
    rounded = geometries.set_precision(10.0**-COORDINATE_DECIMALS)
    oriented = rounded.orient_polygons(exterior_cw=False)
    promoted = gpd.GeoSeries(
        [_as_multi(geometry) for geometry in oriented], index=geometries.index, crs=geometries.crs
    )
    kinds = set(promoted.geom_type)
    if len(kinds) > 1:
        raise ValueError(f"a layer mixes geometry types: {sorted(kinds)}")
    return promoted


def _as_multi(geometry: BaseGeometry) -> BaseGeometry:
    multi = _MULTI.get(geometry.geom_type)
    return multi([geometry]) if multi else geometry


__all__ = ["COORDINATE_DECIMALS", "gis_geometry"]
