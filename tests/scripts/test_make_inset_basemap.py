"""The Europe inset's base map (scripts/make_inset_basemap.py): up to date with the world file and
the inset's box, holding every country an inset draws, and a TopoJSON file GDAL reads."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest
import shapely
from locations import REPO

from dashboard.figures.inset import INSET_BASEMAP
from geodata.scenario import Scenario

SCRIPT = REPO / "scripts" / "make_inset_basemap.py"
FILE = REPO / "dashboard" / "assets" / "topojson" / f"{INSET_BASEMAP}.json"


def _script():
    spec = importlib.util.spec_from_file_location("make_inset_basemap", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_inset_base_map_is_what_the_script_makes_of_the_world_file():
    """A change of the inset's box or of the world file without running the script again fails
    here (and `--check` says so)."""
    script = _script()
    world = json.loads(script.WORLD.read_text())
    assert script.text_of(script.inset_basemap(world)) == FILE.read_text()
    check = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stderr


def test_every_country_an_inset_draws_is_in_its_base_map(service, presets):
    """plotly.js finds the inset's countries (its choropleth's ISO-3 locations) in this file
    only: each of every preset's inset, in both languages' maps, is there."""
    countries = {
        g.get("id") for g in json.loads(FILE.read_text())["objects"]["countries"]["geometries"]
    }
    drawn = set()
    for view in (Scenario(), *presets.values()):
        figure = service.maps.figure(view)
        for trace in figure["data"]:
            if trace.get("uid") == "base-countries-inset":
                drawn |= set(trace["locations"])
    assert len(drawn) > 20
    assert drawn <= countries


def test_neighbours_keep_one_border_through_the_generalisation():
    """The lines are generalised on the world file's shared arcs, so two neighbours' outlines
    still run along one border: no two countries overlap (generalising each country's outline
    on its own made 97 pairs overlap, Libya and Algeria by 42 grid cells)."""
    script = _script()
    topology = json.loads(FILE.read_text())
    grid = script.Grid(topology)
    shapes = [
        shapely.make_valid(grid.shape(geometry))
        for geometry in topology["objects"]["countries"]["geometries"]
    ]
    assert len(shapes) > 50
    tree = shapely.STRtree(shapes)
    overlaps = [
        (i, j, shapes[i].intersection(shapes[j]).area)
        for i, shape in enumerate(shapes)
        for j in tree.query(shape)
        if j > i and shapes[i].intersection(shapes[j]).area > 0
    ]
    assert overlaps == []


def test_a_generalised_arc_is_a_subset_of_its_points_with_its_ends():
    script = _script()
    scale = [0.036, 0.018]
    wiggle = [(x, 1 if x % 2 else 0) for x in range(100)]  # 0.018° off a straight line
    kept = script.simplified(wiggle, scale, 0.05)
    assert kept == [wiggle[0], wiggle[-1]]
    bend = [(0, 0), (50, 1), (100, 40), (150, 41), (200, 80)]  # 0.7° corners stay
    assert script.simplified(bend, scale, 0.05) == bend
    islet = [(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]  # a ring too small to generalise
    assert script.simplified(islet, scale, 0.05) == islet


def test_gdal_reads_the_inset_base_map_within_its_box():
    """Debian's GDAL opens it as TopoJSON: the layers the maps draw, none outside its box."""
    script = _script()
    result = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-al", str(FILE)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert (
        "TopoJSON"
        in subprocess.run(
            ["ogrinfo", "-ro", str(FILE)], capture_output=True, text=True, timeout=120
        ).stdout
    )
    west, south, east, north = json.loads(FILE.read_text())["bbox"]
    for layer in script.DRAWN:
        block = result.stdout.split(f"Layer name: {layer}\n", 1)[1]
        count = int(block.split("Feature Count: ", 1)[1].split("\n", 1)[0])
        assert count > 0, layer
        extent = block.split("Extent: ", 1)[1].split("\n", 1)[0]
        (x0, y0), (x1, y1) = (
            tuple(float(v) for v in corner.strip(" ()").split(","))
            for corner in extent.split(" - ")
        )
        tolerance = 0.05  # degrees: a grid step or two
        assert west - tolerance <= x0 and x1 <= east + tolerance, layer
        assert south - tolerance <= y0 and y1 <= north + tolerance, layer


@pytest.mark.parametrize("name", ["ocean", "subunits", "coastlines", "rivers"])
def test_the_layers_the_maps_never_draw_are_empty(name):
    assert json.loads(FILE.read_text())["objects"][name]["geometries"] == []
