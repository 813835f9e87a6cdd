"""The processed Natural Earth countries layer (built by ``scripts/build_geodata.py``)."""

from functools import cache
from pathlib import Path

import geopandas as gpd

COUNTRIES_PATH = Path(__file__).parent / "data" / "countries.geojson"


@cache
def load_countries() -> gpd.GeoDataFrame:
    """Countries in EPSG:4326, sorted by iso3, with a RangeIndex.

    Columns: iso3, adm0_a3, name_en, name_ja, continent, label_lon, label_lat, geometry.
    The frame is cached and shared: copy it before modifying it.
    """
    gdf = gpd.read_file(COUNTRIES_PATH).set_crs("EPSG:4326", allow_override=True)
    columns = ["iso3", "adm0_a3", "name_en", "name_ja", "continent", "label_lon", "label_lat"]
    return gdf[[*columns, "geometry"]].sort_values("iso3", ignore_index=True)
