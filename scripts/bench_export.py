"""Benchmark the static export (not a test): one PNG cold, and per image in a batch of all presets.

    .venv/bin/python scripts/bench_export.py [--repeat 3] [--size 1920x1080] [--tabs 1]

cold:  a new browser session (Chromium start included) + caption + one PNG of summit_outcomes
batch: one open session, every preset captioned and rendered as PNG (each figure renders
       while the next is built, as `export --all` does); time / number of images
again: the same PNG exported again in the same process (from the image cache, no browser work)
Medians over --repeat runs; the export caches are cleared before each cold and batch run. Budgets on the project's 2-core machine: cold ≤ 4 s, batch ≤ 1.5 s
per image. The atlas is built once before timing (the command builds it in ~2 s at start-up).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard.export.caption import captioned_figure
from dashboard.export.environment import check_environment
from dashboard.export.formats import parse_size
from dashboard.export.images import clear_caches, render, render_views
from dashboard.export.session import Job, RenderSession
from geodata.atlas import load_atlas
from geodata.scenario import load_presets

COLD_BUDGET_S = 4.0
BATCH_BUDGET_S = 1.5


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--tabs", type=int, default=1, help="browser tabs rendering in parallel")
    args = parser.parse_args(argv)

    width, height = parse_size(args.size)
    check_environment(("ja", "en"))
    atlas = load_atlas()
    presets = load_presets()
    first = presets["summit_outcomes"]

    cold: list[float] = []
    for _ in range(args.repeat):
        clear_caches()
        start = time.perf_counter()
        with RenderSession(tabs=1) as session:
            render(
                first,
                "png",
                width=width,
                height=height,
                scale=args.scale,
                atlas=atlas,
                session=session,
            )
            cold.append(time.perf_counter() - start)

    per_image: list[float] = []
    build_only: list[float] = []
    with RenderSession(tabs=args.tabs) as session:
        session.render([Job(captioned_figure(first, atlas), "png", 320, 180, 1.0)])  # warm up
        for _ in range(args.repeat):
            clear_caches()
            start = time.perf_counter()
            render_views(
                list(presets.values()),
                "png",
                width=width,
                height=height,
                scale=args.scale,
                atlas=atlas,
                session=session,
            )
            per_image.append((time.perf_counter() - start) / len(presets))
            clear_caches()
            start = time.perf_counter()
            for preset in presets.values():
                captioned_figure(preset, atlas, width=width, height=height)
            build_only.append((time.perf_counter() - start) / len(presets))

        size = {"width": width, "height": height, "scale": args.scale}
        render(first, "png", **size, atlas=atlas, session=session)  # into the image cache
        again: list[float] = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            render(first, "png", **size, atlas=atlas, session=session)
            again.append(time.perf_counter() - start)

    cold_median = statistics.median(cold)
    batch_median = statistics.median(per_image)
    print(f"export benchmark: PNG {width}x{height} scale {args.scale:g}, {args.repeat} repetitions")
    print(
        f"cold (browser start + 1 PNG): median {cold_median:.2f} s "
        f"[{', '.join(f'{t:.2f}' for t in cold)}]  budget ≤ {COLD_BUDGET_S} s  "
        f"{'ok' if cold_median <= COLD_BUDGET_S else 'OVER BUDGET'}"
    )
    print(
        f"batch of {len(presets)} presets, tabs={args.tabs}: median {batch_median:.2f} s per image "
        f"(building a captioned figure alone: {statistics.median(build_only):.2f} s) "
        f"[{', '.join(f'{t:.2f}' for t in per_image)}]  budget ≤ {BATCH_BUDGET_S} s  "
        f"{'ok' if batch_median <= BATCH_BUDGET_S else 'OVER BUDGET'}"
    )
    print(
        f"the same PNG exported again (image cache): median {statistics.median(again) * 1000:.2f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
