"""What the export needs on this machine, checked before it starts: the base-map topojson (never
fetched online), a Chromium for kaleido, a font with Japanese glyphs (fontconfig), and for a
Japanese PDF the TrueType Japanese font whose text Chromium's PDF writer keeps searchable."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

import plotly
import plotly.io as pio

import dashboard
from dashboard.export.errors import ExportError
from dashboard.figures.inset import INSET_BASEMAP
from dashboard.figures.style import FONT_FAMILY, PDF_JAPANESE_FONT

TOPOJSON_DIR = Path(dashboard.__file__).resolve().parent / "assets" / "topojson"
TOPOJSON_FILES = ("world_110m.json", "world_50m.json", f"{INSET_BASEMAP}.json")
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def topojson_url() -> str:
    """The file:// URL (with trailing slash) plotly.js loads its base-map topojson from."""
    missing = [name for name in TOPOJSON_FILES if not (TOPOJSON_DIR / name).is_file()]
    if missing:
        raise ExportError(
            f"base-map topojson missing: {TOPOJSON_DIR / missing[0]} "
            f"(copy {', '.join(TOPOJSON_FILES)} there; export never fetches them online)"
        )
    return TOPOJSON_DIR.as_uri() + "/"


def find_browser() -> str:
    """The Chromium executable kaleido drives: $BROWSER_PATH, else chromium on PATH."""
    configured = os.environ.get("BROWSER_PATH")
    if configured:
        if os.path.isfile(configured) and os.access(configured, os.X_OK):
            return configured
        raise ExportError(
            f"BROWSER_PATH={configured} is not an executable browser: install Chromium with "
            "`apt-get install chromium` or point BROWSER_PATH at a Chrome/Chromium executable"
        )
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.access(candidate, os.X_OK):
            return candidate
    raise ExportError(
        "Chromium not found (image export runs it headless): install it with "
        "`apt-get install chromium` (Debian/Ubuntu) or set BROWSER_PATH to a Chrome/Chromium executable"
    )


def japanese_font_families() -> tuple[str, ...]:
    """Installed font families with Japanese coverage, as fontconfig reports them (may be empty)."""
    key = (os.environ.get("FONTCONFIG_FILE"), os.environ.get("FONTCONFIG_PATH"))
    if key not in _font_cache:
        families: list[str] = []
        fc_list = shutil.which("fc-list")
        if fc_list:
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                result = subprocess.run(
                    [fc_list, ":lang=ja", "family"],
                    capture_output=True,
                    text=True,
                    timeout=20,
                    check=False,
                )
                for line in result.stdout.splitlines():
                    family = line.split(",")[0].strip()
                    if family and family not in families:
                        families.append(family)
        _font_cache[key] = tuple(sorted(families))
    return _font_cache[key]


_font_cache: dict[tuple[str | None, str | None], tuple[str, ...]] = {}


def font_family(lang: str) -> str:
    """The CSS font-family of an exported image (the figures' one font stack); raises
    ExportError when Japanese has no font."""
    if lang == "ja" and not japanese_font_families():
        raise ExportError(
            "no Japanese font installed, so Japanese text would print as empty boxes: "
            "install one with `apt-get install fonts-morisawa-bizud-gothic fonts-noto-cjk` "
            "(needs fontconfig's fc-list)"
        )
    return FONT_FAMILY


def check_environment(langs: Iterable[str] = ("ja",), formats: Iterable[str] = ()) -> None:
    """Fail early, with one line saying what to install, when export cannot run offline (or a
    Japanese PDF would not be searchable)."""
    topojson_url()
    find_browser()
    langs = set(langs)
    for lang in langs:
        font_family(lang)
    if (
        "pdf" in set(formats)
        and "ja" in langs
        and PDF_JAPANESE_FONT not in japanese_font_families()
    ):
        raise ExportError(
            f"a Japanese PDF needs the font {PDF_JAPANESE_FONT} (TrueType; with another "
            "Japanese font its text cannot be searched or copied): install it with "
            "`apt-get install fonts-morisawa-bizud-gothic`"
        )


def configure_plotly() -> None:
    """Point plotly.io's own image export at the offline assets too (no CDN, no MathJax)."""
    pio.defaults.topojson = topojson_url()
    pio.defaults.mathjax = None  # plotly passes no MathJax; RenderSession disables it outright
    pio.defaults.plotlyjs = str(PLOTLY_JS)


def renderer_identity() -> tuple[str, ...]:
    """What decides an image's bytes besides its figure, format and size: the browser, the
    base-map folder and the fonts the browser sees (fontconfig's environment)."""
    return (
        find_browser(),
        topojson_url(),
        os.environ.get("FONTCONFIG_FILE", ""),
        os.environ.get("FONTCONFIG_PATH", ""),
    )
