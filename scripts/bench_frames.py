#!/usr/bin/env python
"""Benchmark of a view's toggle table of framings (issues 14 and 17): what a map the server draws
for a new view pays besides drawing it, the whole of that map's build, and what preset
precompute pays at server start.

    .venv/bin/python scripts/bench_frames.py                 # this checkout
    .venv/bin/python scripts/bench_frames.py --ref main      # and main's code, same run
    .venv/bin/python scripts/bench_frames.py --ref main --json out.json

In one process, on the bundled atlas: `Maps.precompute_presets()` on a fresh service (wall and
CPU seconds); then, on another fresh service, for every preset as it is and over the whole
world, and views framed in each other way (the globe, the polar map, a focus, a sentence, no
inset, a date range), the time of `Maps._frames_of` (the framings of the view's selection for
the 128 sets of layers: once per new view, then kept), its selection made beforehand; then, on
a third fresh service (the default view built first, as a warm-up), `Maps.built_map` of each of
those views: a new view's whole map as the server builds it (its drawing, and the toggle table
of every certainty state). Medians over the views; CPU time beside wall time, as the machine is
shared.

`--ref REF` measures the code of a git revision the same way, right after this checkout's (its
files exported to a temporary directory that comes first on the import path), and gives the
ratios REF / this checkout.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from dashboard.figures.labels import carry_on
from dashboard.service import ViewService
from geodata.atlas import load_atlas
from geodata.scenario import LAYERS, Scenario, load_presets

REPO = Path(__file__).resolve().parent.parent

CUSTOM_VIEWS = {
    "globe fitted": ("concept_diagram", {"projection": "orthographic"}),
    "globe on a focus": ("concept_diagram", {"projection": "orthographic", "focus": "JPN"}),
    "polar fitted": ("authoritarian_partnerships", {"projection": "polar"}),
    "Robinson on a focus": ("authoritarian_partnerships", {"focus": "JPN"}),
    "sentence widening a focus": (
        "authoritarian_partnerships",
        {"focus": "JPN", "sentence": "P6.3"},
    ),
    "sentence on the globe": (
        "value_community",
        {"projection": "orthographic", "sentence": "P9.1"},
    ),
    "no inset": (None, {"inset": "none"}),
    "date range": (None, {"date_from": date(2014, 1, 5), "layers": ("events",)}),
}


def views(presets: dict[str, Scenario]) -> dict[str, Scenario]:
    """The views measured: the default, every preset as it is and over the whole world, and
    CUSTOM_VIEWS."""
    found = {"default": Scenario()}
    for name, preset in presets.items():
        found[name] = preset
        found[f"{name} (world)"] = preset.model_copy(update={"extent": "world"})
    for name, (preset, changes) in CUSTOM_VIEWS.items():
        found[name] = (presets[preset] if preset else Scenario()).model_copy(update=changes)
    return found


def timed(work: Callable[[], Any]) -> tuple[float, float]:
    """Wall and CPU milliseconds of a call."""
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return (time.perf_counter() - wall) * 1000.0, (time.process_time() - cpu) * 1000.0


def measure() -> dict[str, Any]:
    """The report of the code imported (see the module's docstring)."""
    atlas, presets = load_atlas(), load_presets()
    maps = ViewService(atlas, presets).maps
    wall, cpu = timed(maps.precompute_presets)
    report: dict[str, Any] = {"precompute_presets_s": {"wall": wall / 1e3, "cpu": cpu / 1e3}}
    maps = ViewService(atlas, presets).maps  # a fresh one: no table is kept yet
    rows = {}
    for name, scenario in views(presets).items():
        selected = maps.drawn(scenario).model_copy(update={"layers": LAYERS})
        maps._select(selected)
        rows[name] = timed(lambda s=selected: maps._frames_of(s, carry_on))
    report["frames_of_ms"] = rows
    report["frames_of_median_ms"] = _medians(rows)
    maps = ViewService(atlas, presets).maps
    maps.built_map(Scenario())  # (a warm-up: the atlas's lookups)
    builds = {name: timed(lambda s=s: maps.built_map(s)) for name, s in views(presets).items()}
    report["built_map_ms"] = builds
    report["built_map_median_ms"] = _medians(builds)
    return report


def _medians(rows: dict[str, tuple[float, float]]) -> dict[str, float]:
    """The median wall and CPU milliseconds of some timings."""
    return {
        clock: statistics.median(row[index] for row in rows.values())
        for index, clock in enumerate(("wall", "cpu"))
    }


def measure_revision(ref: str) -> dict[str, Any]:
    """`measure` of a git revision's code, in a subprocess."""
    with tempfile.TemporaryDirectory(prefix="bench-frames-") as folder:
        archive = subprocess.run(
            ["git", "archive", ref], cwd=REPO, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
        out = Path(folder) / "report.json"
        subprocess.run(
            [sys.executable, __file__, "--quiet", "--json", str(out)],
            cwd=folder,
            env={**os.environ, "PYTHONPATH": folder},
            check=True,
        )
        return json.loads(out.read_text(encoding="utf-8"))["this"]


def show(title: str, report: dict[str, Any]) -> None:
    """The report as a table."""
    print(f"{title}\n{'view':40} {'frames ms':>10} {'CPU':>7} {'map ms':>9} {'CPU':>7}")
    for name, (wall, cpu) in report["frames_of_ms"].items():
        built_wall, built_cpu = report["built_map_ms"][name]
        print(f"{name:40} {wall:10.1f} {cpu:7.1f} {built_wall:9.1f} {built_cpu:7.1f}")
    median, precompute = report["frames_of_median_ms"], report["precompute_presets_s"]
    built = report["built_map_median_ms"]
    print(
        f"{'median':40} {median['wall']:10.1f} {median['cpu']:7.1f} "
        f"{built['wall']:9.1f} {built['cpu']:7.1f}"
    )
    print(f"precompute_presets: {precompute['wall']:.2f} s wall, {precompute['cpu']:.2f} s CPU\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", help="also measure this git revision's code (e.g. main)")
    parser.add_argument("--json", help="also write the report as JSON to this file")
    parser.add_argument("--quiet", action="store_true", help="no table on stdout")
    args = parser.parse_args()
    report = {"this": measure()}
    if args.ref:
        report[args.ref] = measure_revision(args.ref)
    if not args.quiet:
        for title, part in report.items():
            show(f"{title}: Maps._frames_of and Maps.built_map per new view", part)
        print(f"load average: {os.getloadavg()}")
    if args.ref:
        ref, this = report[args.ref], report["this"]
        ratios = {
            f"{part} median {clock}": ref[f"{part}_median_ms"][clock]
            / this[f"{part}_median_ms"][clock]
            for part in ("frames_of", "built_map")
            for clock in ("wall", "cpu")
        } | {
            f"precompute_presets {clock}": ref["precompute_presets_s"][clock]
            / this["precompute_presets_s"][clock]
            for clock in ("wall", "cpu")
        }
        report["ratios"] = ratios
        print(", ".join(f"{name} {args.ref}/this {value:.1f}x" for name, value in ratios.items()))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
