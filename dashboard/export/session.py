"""The browser session: one headless Chromium (kaleido) kept open for many images, rendering
each figure at its format and size, at background priority."""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import logging
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import kaleido
import plotly.graph_objects as go

from dashboard.export.environment import PLOTLY_JS, configure_plotly, renderer_identity
from dashboard.export.errors import ExportError
from dashboard.export.formats import REF_HEIGHT, check_output, layout_size
from dashboard.processes import run_in_background

RENDER_TIMEOUT_S = 90
RENDER_FAILED = "the export browser could not draw the image; try again"
SMALL_IMAGE_PX = 1000  # narrower images use the 1:110m base map (see level_of_detail)
logger = logging.getLogger(__name__)
# where choreographer (kaleido's browser driver) logs a message from the browser it cannot decode
BROWSER_PIPE_LOGGER = "choreographer.channels.pipe"
UNDECODED_MESSAGE = "JSONError decoding message"


class OneLineUndecodedMessages(logging.Filter):
    """choreographer logs each browser message it cannot decode, and then ignores, with two
    chained tracebacks; under load that floods the server's log. One warning line with the
    message's start says the same."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and str(record.msg).startswith(UNDECODED_MESSAGE):
            error = record.exc_info[1]
            text = getattr(error.__cause__ if error else None, "doc", "")
            record.msg, record.args = (
                "export browser: ignored a message that is not JSON: %r",
                (str(text)[:60],),
            )
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


logging.getLogger(BROWSER_PIPE_LOGGER).addFilter(OneLineUndecodedMessages())


@dataclass(frozen=True)
class Job:
    """One image to render: a figure (or its dict), its format and size, and the height its
    figure is laid out at (see dashboard.export.formats.layout_size)."""

    figure: go.Figure | dict[str, Any]
    fmt: str = "png"
    width: int = 1920
    height: int = 1080
    scale: float = 1.0
    ref_height: float = REF_HEIGHT


RELOAD_EVERY = 25  # renders per tab between page reloads


PAGE_ATTEMPTS = 3  # page loads tried per tab before the browser counts as broken
KALEIDO_SCRIPTS = "function() { return typeof kaleido_scopes; }"


class BatchKaleido(kaleido.Kaleido):  # type: ignore[misc]
    """kaleido.Kaleido, reloading a tab's page only every RELOAD_EVERY renders, not after each,
    and checking after opening that each tab calls into the page that has kaleido's scripts.

    A reload makes plotly.js parse its 1.1 MB base-map topojson again; skipping it halves the
    time per 1920×1080 image and gives byte-identical PNGs (checked against reloading). It
    overrides a private method of kaleido and reads private attributes (`_n`, `tabs_ready`, a
    tab's `tab` and `_current_js_id`): tests/dashboard/test_private_apis.py fails when kaleido
    changes them.
    """

    _renders = 0

    async def open(self) -> None:
        """Open the browser and its tabs, each with kaleido's page loaded and reachable."""
        await super().open()
        tabs = [self.tabs_ready.get_nowait() for _ in range(self.tabs_ready.qsize())]
        for tab in tabs:
            await ensure_page_scripts(tab)
            self.tabs_ready.put_nowait(tab)

    async def _return_kaleido_tab(self, tab: Any) -> None:
        self._renders += 1
        if self._renders % (RELOAD_EVERY * self._n) == 0:
            await super()._return_kaleido_tab(tab)
        else:
            await self.tabs_ready.put(tab)


async def ensure_page_scripts(tab: Any) -> None:
    """Reload the tab until kaleido's scripts answer in the JavaScript context it calls.

    kaleido opens a tab by navigating before it enables the runtime's events, so on a busy
    machine the first context it hears of can be the blank page's, not its own page's: every
    image from that tab then fails with "kaleido_scopes is not defined". A reload subscribes
    with the events already on, and hears of the new page's context.
    """
    for _ in range(PAGE_ATTEMPTS):
        params = {
            "functionDeclaration": KALEIDO_SCRIPTS,
            "executionContextId": tab._current_js_id,
            "returnByValue": True,
        }
        reply = await tab.tab.send_command("Runtime.callFunctionOn", params=params)
        if reply.get("result", {}).get("result", {}).get("value") == "object":
            return
        logger.info("export browser tab opened without kaleido's scripts; reloading it")
        await tab.reload()
    raise RuntimeError(f"kaleido's page did not load in {PAGE_ATTEMPTS} attempts")


class RenderSession:
    """One headless Chromium (kaleido) kept open for many images; thread-safe, reusable.

    Use as a context manager, or call `start()` / `close()`. Starting the browser costs ~2 s and
    an image ~1 s, so batch exports share one session. `start(wait=False)` starts the browser in
    the background (while the caller builds figures), and `submit()` renders while the caller
    builds the next figure.
    """

    def __init__(self, *, tabs: int = 1) -> None:
        self.tabs = tabs
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._opening: concurrent.futures.Future[Any] | None = None
        self._kaleido: Any = None
        self._renderer: tuple[str, ...] = ()
        self._lock = threading.RLock()

    def __enter__(self) -> RenderSession:
        self.start(wait=False)
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def running(self) -> bool:
        """Whether the browser is started (or starting)."""
        return self._opening is not None

    @property
    def renderer(self) -> tuple[str, ...]:
        """What besides the figure decides this session's images (see `renderer_identity`):
        the running browser's, else the one `start()` would open now."""
        with self._lock:
            return self._renderer if self.running else renderer_identity()

    def start(self, *, wait: bool = True) -> None:
        """Start the browser (idempotent); with wait=False, return while it starts."""
        with self._lock:
            if self._opening is None:
                self._renderer = renderer_identity()
                browser, self._topojson = self._renderer[:2]
                configure_plotly()
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=_run_in_background, args=(loop,), name="kaleido", daemon=True
                )
                thread.start()
                self._loop, self._thread, self._browser = loop, thread, browser
                self._opening = asyncio.run_coroutine_threadsafe(self._open(browser), loop)
            if wait and self._kaleido is None:
                try:
                    self._kaleido = self._opening.result(timeout=120)
                except BaseException as error:
                    self._opening = None
                    self._stop_loop()
                    raise ExportError(
                        f"could not start Chromium ({self._browser}): {error or type(error).__name__}"
                    ) from None

    async def _open(self, browser: str) -> Any:
        k = BatchKaleido(
            n=self.tabs,
            timeout=RENDER_TIMEOUT_S,
            plotlyjs=str(PLOTLY_JS),
            mathjax=False,
            path=browser,
        )
        await k.open()
        return k

    def close(self) -> None:
        """Close the browser (idempotent)."""
        with self._lock:
            if self._opening is not None and self._kaleido is None:
                with contextlib.suppress(BaseException):
                    self._kaleido = self._opening.result(timeout=120)
            if self._kaleido is not None:
                with contextlib.suppress(BaseException):
                    self._call(self._kaleido.close(), timeout=30)
            self._kaleido = self._opening = None
            self._stop_loop()

    def _stop_loop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            if self._thread is not None:
                self._thread.join(timeout=10)
            self._loop.close()
        self._loop = self._thread = None

    def _call(self, coroutine: Any, timeout: float) -> Any:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def submit(self, job: Job) -> concurrent.futures.Future[bytes]:
        """Start rendering one job; `result()` of the returned future gives its bytes."""
        check_output(job.fmt, job.width, job.height, job.scale)
        ref_w, ref_h, kscale = layout_size(job.width, job.height, job.scale, job.ref_height)
        figure = job.figure.to_dict() if hasattr(job.figure, "to_dict") else job.figure
        figure = level_of_detail(figure, job.width * job.scale)
        opts = {"format": job.fmt, "width": ref_w, "height": ref_h, "scale": kscale}
        with self._lock:
            self.start()
            assert self._loop is not None
            return asyncio.run_coroutine_threadsafe(
                self._kaleido.calc_fig(figure, opts=opts, topojson=self._topojson), self._loop
            )

    def result(self, future: concurrent.futures.Future[bytes]) -> bytes:
        """The bytes of a submitted job; on failure the session closes (a later call restarts)."""
        try:
            image = future.result(timeout=RENDER_TIMEOUT_S * 4)
        except Exception as error:
            self.close()
            # the browser's own report (a JavaScript error object, a timeout) is for the log
            detail = (str(error) or type(error).__name__).splitlines()[0][:300]
            logger.warning("export browser failed: %s", detail)
            raise ExportError(RENDER_FAILED) from None
        self._release_last_message()
        return image

    def _release_last_message(self) -> None:
        """Make the browser send one more (tiny) message. choreographer's pipe-reading thread
        keeps the last messages it read alive until the next one arrives: after an export that
        is the image itself, as JSON and base64 (~26 MB for a 1920×1080 SVG)."""
        with contextlib.suppress(Exception):
            self._call(self._kaleido.send_command("Browser.getVersion"), timeout=5)

    def render(self, jobs: Sequence[Job]) -> list[bytes]:
        """Render the jobs (concurrently over the session's tabs); bytes in the same order."""
        futures = [self.submit(job) for job in jobs]
        return [self.result(future) for future in futures]


def _run_in_background(loop: asyncio.AbstractEventLoop) -> None:
    """Run the session's event loop, and the threads and browser it starts, at background
    priority (see dashboard.processes.run_in_background)."""
    run_in_background()
    loop.run_forever()


def level_of_detail(figure: dict[str, Any], pixel_width: float) -> dict[str, Any]:
    """Below SMALL_IMAGE_PX wide, draw the base map from the 1:110m topojson instead of 1:50m:
    the same picture to the eye at that size, rendered ~4× faster (thumbnails, tests)."""
    layout = figure.get("layout") or {}
    geo = layout.get("geo")
    if pixel_width >= SMALL_IMAGE_PX or not isinstance(geo, dict) or geo.get("resolution") == 110:
        return figure
    return {**figure, "layout": {**layout, "geo": {**geo, "resolution": 110}}}


_shared: RenderSession | None = None
_shared_lock = threading.Lock()


def shared_session() -> RenderSession:
    """The process-wide session `render()` uses (started on first use, closed at exit)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = RenderSession()
            atexit.register(close_shared_session)
        return _shared


def close_shared_session() -> None:
    """Close the process-wide session (a later `render()` starts a new one)."""
    global _shared
    with _shared_lock:
        if _shared is not None:
            _shared.close()
            _shared = None


@contextlib.contextmanager
def batch_session(*, tabs: int = 1) -> Iterator[RenderSession]:
    """The running process-wide session if there is one (left open), else a new one closed after.

    The new one starts in the background, so the caller can build its figures meanwhile.
    """
    with _shared_lock:
        shared = _shared if _shared is not None and _shared.running else None
    if shared is not None:
        yield shared
        return
    with RenderSession(tabs=tabs) as session:
        yield session
