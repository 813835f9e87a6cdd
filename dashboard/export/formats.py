"""Formats and sizes: what the export writes and how large, and the reference layout every image
is drawn at (1080 CSS px high, the width from the aspect ratio) before it is scaled."""

from __future__ import annotations

import math

from dashboard.export.errors import ExportError

FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
ASPECTS: dict[str, tuple[int, int]] = {
    "16:9": (1920, 1080),
    "4:3": (1440, 1080),
    "a4": (1527, 1080),
}
REF_HEIGHT = 1080  # every image is laid out at this height, then scaled
MAX_PIXELS = 8000 * 8000


def parse_size(text: str) -> tuple[int, int]:
    """'1920x1080' → (1920, 1080); ValueError with a one-line reason otherwise."""
    parts = text.lower().replace("×", "x").split("x")
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        raise ValueError(f"size {text!r} is not WIDTHxHEIGHT, e.g. 1920x1080")
    width, height = (int(p) for p in parts)
    check_size(width, height, 1.0)
    return width, height


def check_size(width: int, height: int, scale: float) -> None:
    """Reject sizes a browser cannot render sensibly."""
    if width < 64 or height < 64:
        raise ValueError(f"size {width}x{height} is too small (at least 64x64)")
    if not (0 < scale <= 10) or math.isnan(scale):
        raise ValueError(f"scale {scale} is out of range (0 < scale ≤ 10)")
    if width * scale < 64 or height * scale < 64:
        raise ValueError(
            f"{width}x{height} at scale {scale:g} is too small (at least 64x64 pixels)"
        )
    if width * height * scale * scale > MAX_PIXELS:
        raise ValueError(
            f"{width}x{height} at scale {scale:g} is too large (at most {MAX_PIXELS:,} pixels)"
        )


def check_output(fmt: str, width: int, height: int, scale: float) -> None:
    """Raise ExportError for an unknown format or a size a browser cannot render sensibly."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    try:
        check_size(width, height, scale)
    except ValueError as error:
        raise ExportError(str(error)) from None


def layout_size(
    width: int, height: int, scale: float, ref_height: float = REF_HEIGHT
) -> tuple[float, float, float]:
    """The reference layout (CSS px, `ref_height` high) and kaleido scale that give
    width×height×scale pixels."""
    factor = height / ref_height
    return width / factor, float(ref_height), scale * factor
