"""Images of views: `render` and `render_views`, the one code path of the `alliance-atlas
export` command and the dashboard's export button, with a cache bounded in bytes of the images
rendered so far (the same view, format and size gives the same bytes: a repeated export needs no
browser)."""

from __future__ import annotations

import concurrent.futures
import json
import re
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import cachetools

from dashboard.export.caption import atlas_or_default, atlas_serial, captioned_json, title_band
from dashboard.export.environment import font_family
from dashboard.export.formats import REF_HEIGHT, check_output, layout_size
from dashboard.export.pdf import finish_pdf
from dashboard.export.session import Job, RenderSession, shared_session
from dashboard.export.svg import finish_svg
from geodata.atlas import Atlas
from geodata.scenario import Scenario

# Per process: ~8 PNGs (0.6 MB) or SVGs (0.6 MB), or a few PDFs at 1920×1080; larger images are
# not kept, so that one of them cannot flush the rest
IMAGE_CACHE_BYTES = 5 * 2**20
IMAGE_CACHE_ITEM_BYTES = 4 * 2**20
images: cachetools.LRUCache[tuple[Any, ...], bytes] = cachetools.LRUCache(
    IMAGE_CACHE_BYTES, getsizeof=len
)
_images_lock = threading.Lock()


def render(
    scenario: Scenario,
    fmt: str,
    *,
    width: int,
    height: int,
    scale: float,
    atlas: Atlas | None = None,
    session: RenderSession | None = None,
) -> bytes:
    """The captioned view as PNG, SVG or PDF bytes (width×height×scale pixels for PNG).

    A view rendered before in this process (same view, atlas, font, format, size and browser)
    comes from the image cache without the browser.
    """
    return render_views(
        [scenario], fmt, width=width, height=height, scale=scale, atlas=atlas, session=session
    )[0]


def render_views(
    scenarios: Sequence[Scenario],
    fmt: str,
    *,
    width: int,
    height: int,
    scale: float,
    atlas: Atlas | None = None,
    session: RenderSession | None = None,
    titled: bool = True,
) -> list[bytes]:
    """Several views in one browser session (the batch path of `export --all` and decks).

    Views rendered before come from the image cache. Each other figure is handed to the browser
    as soon as it is built, so building the next one overlaps with rendering this one; the
    browser starts (while the first figure is built) only when an image is not cached.
    Without their titles (`titled=False`, a deck's pictures) the images are width × height
    less the title's band (see dashboard.export.caption.title_band).
    """
    check_output(fmt, width, height, scale)
    atlas = atlas_or_default(atlas)
    session = session or shared_session()
    same_for_all = (atlas_serial(atlas), fmt, width, height, scale, titled, session.renderer)
    pending: list[tuple[tuple[Any, ...], bytes | concurrent.futures.Future[bytes]]] = []
    for scenario in scenarios:
        key = (scenario, font_family(scenario.lang), *same_for_all)
        with _images_lock:
            image = images.get(key)
        if image is None:
            session.start(wait=False)
            figure = json.loads(captioned_json(scenario, atlas, width, height, titled))
            image = session.submit(_job(scenario, figure, fmt, width, height, scale, titled))
        pending.append((key, image))
    results = []
    for scenario, (key, image) in zip(scenarios, pending, strict=True):
        if isinstance(image, bytes):
            results.append(_dated_now(image, fmt, datetime.now(UTC)))
            continue
        results.append(finish(session.result(image), fmt, scenario))
        if _cacheable(results[-1], fmt) and len(results[-1]) <= IMAGE_CACHE_ITEM_BYTES:
            with _images_lock:
                images[key] = results[-1]
    return results


def _job(
    scenario: Scenario,
    figure: dict[str, Any],
    fmt: str,
    width: int,
    height: int,
    scale: float,
    titled: bool,
) -> Job:
    """The render of a captioned figure: the whole layout, or the layout less the title's band
    at the same pixels per layout px."""
    if titled:
        return Job(figure, fmt, width, height, scale)
    ref_height = REF_HEIGHT - title_band(scenario, layout_size(width, height, 1.0)[0])
    pixels = max(1, round(height * ref_height / REF_HEIGHT))
    return Job(figure, fmt, width, pixels, scale, ref_height)


def finish(image: bytes, fmt: str, scenario: Scenario) -> bytes:
    """A rendered image as the file a user gets: a PDF as a document (searchable text, the
    view's metadata), an SVG for editing (small, its halo as SVG); a PNG as rendered."""
    if fmt == "pdf":
        return finish_pdf(
            image, title=scenario.title(), subject=scenario.description(), lang=scenario.lang
        )
    if fmt == "svg":
        return finish_svg(image)
    return image


_PDF_DATE = re.compile(rb"(/(?:Creation|Mod)Date ?\()D:\d{14}\+00'00'(\))")
_PDF_DATE_NAME = re.compile(rb"/(?:Creation|Mod)Date\b")


def _dated_now(image: bytes, fmt: str, now: datetime) -> bytes:
    """A cached image as a new render at `now` gives it: Chromium stamps a PDF's creation and
    modification dates with the time of rendering (all else is the same), so those are set to
    `now` (UTC, in the same number of bytes, so the PDF's byte offsets stay right)."""
    if fmt != "pdf":
        return image
    stamp = now.astimezone(UTC).strftime("D:%Y%m%d%H%M%S+00'00'").encode()
    return _PDF_DATE.sub(lambda match: match[1] + stamp + match[2], image)


def _cacheable(image: bytes, fmt: str) -> bool:
    """Whether a copy of the image can stand for a later render: a PDF only when `_dated_now`
    can restamp every date in it."""
    return fmt != "pdf" or len(_PDF_DATE.findall(image)) == len(_PDF_DATE_NAME.findall(image))


def clear_caches() -> None:
    """Forget the captioned figures and rendered images kept so far (e.g. before timing)."""
    captioned_json.cache_clear()
    with _images_lock:
        images.clear()
