"""Re-render the image-regression baselines of tests/dashboard/export/test_export.py.

    .venv/bin/python scripts/refresh_baselines.py          # rewrite tests/baseline/*.png
    .venv/bin/python scripts/refresh_baselines.py --check  # only report how far they drifted

Run it after an intended change of the exported picture (figure builders, caption, fonts), look
at the new PNGs, and commit them. The views, size and tolerance are in tests/baseline/baselines.json.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from dashboard.export.images import render_views  # noqa: E402
from dashboard.export.session import RenderSession  # noqa: E402
from geodata.atlas import load_atlas  # noqa: E402
from geodata.scenario import load_presets  # noqa: E402

BASELINE_DIR = REPO / "tests" / "baseline"
MANIFEST = BASELINE_DIR / "baselines.json"


def baseline_path(scenario: str, lang: str) -> Path:
    """Where the baseline PNG of one view is kept."""
    return BASELINE_DIR / f"{scenario}.{lang}.png"


def render_baselines() -> dict[Path, bytes]:
    """Every baseline view rendered now, in one browser session (PNG bytes as rendered)."""
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    width, height = manifest["size"]
    presets = load_presets()
    views = [
        presets[v["scenario"]].model_copy(update={"lang": v["lang"]}) for v in manifest["views"]
    ]
    with RenderSession() as session:
        images = render_views(
            views,
            "png",
            width=width,
            height=height,
            scale=1.0,
            atlas=load_atlas(),
            session=session,
        )
    return {
        baseline_path(view.id or "view", view.lang): data
        for view, data in zip(views, images, strict=True)
    }


def to_baseline_png(data: bytes) -> bytes:
    """A rendered PNG as a small 256-colour baseline (a few tens of KB).

    The palette comes from the image; every pixel takes its nearest palette colour, so the test
    maps a new render onto the same palette the same way and an unchanged render matches exactly.
    """
    from PIL import Image

    rgb = Image.open(io.BytesIO(data)).convert("RGB")
    palette = rgb.quantize(256, method=Image.Quantize.MAXCOVERAGE, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    rgb.quantize(palette=palette, dither=Image.Dither.NONE).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only; write nothing")
    args = parser.parse_args(argv)
    rendered = render_baselines()
    if args.check:
        import numpy as np
        from PIL import Image

        for path, data in rendered.items():
            if not path.exists():
                print(f"{path.relative_to(REPO)}: missing")
                continue
            baseline = Image.open(path)
            mapped = (
                Image.open(io.BytesIO(data))
                .convert("RGB")
                .quantize(palette=baseline, dither=Image.Dither.NONE)
            )
            new = np.asarray(mapped.convert("RGB"), dtype=np.int16)
            old = np.asarray(baseline.convert("RGB"), dtype=np.int16)
            if new.shape != old.shape:
                print(f"{path.relative_to(REPO)}: size {old.shape} → {new.shape}")
                continue
            diff = np.abs(new - old).max(axis=2)
            print(
                f"{path.relative_to(REPO)}: mean abs diff {diff.mean():.3f}, "
                f"{(diff > 48).mean():.4%} pixels differ by > 48"
            )
        return 0
    for path, data in rendered.items():
        small = to_baseline_png(data)
        path.write_bytes(small)
        print(f"wrote {path.relative_to(REPO)} ({len(small) // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
