#!/usr/bin/env python
"""Browser benchmark of the dashboard: first map paint, layer toggles, bytes on the wire.

    .venv/bin/python scripts/bench_dashboard.py                     # 5 runs, table on stdout
    .venv/bin/python scripts/bench_dashboard.py --runs 9 --out report.json
    .venv/bin/python scripts/bench_dashboard.py --strict            # exit 1 when a budget fails
    .venv/bin/python scripts/bench_dashboard.py --lighthouse-perf   # and 3 Lighthouse runs: speed
    .venv/bin/python scripts/bench_dashboard.py --url-query '?focus=JPN'   # a zoomed view
    .venv/bin/python scripts/bench_dashboard.py --lighthouse        # and Lighthouse: page states
    .venv/bin/python scripts/bench_dashboard.py --runs 0 --lighthouse   # Lighthouse only

It starts, on free ports of 127.0.0.1 (subprocesses in their own sessions, stopped at the end):

- the dashboard: `python -m dashboard serve` of this checkout (`alliance-atlas serve`, the Flask
  server, default language);
- a minimal plotly-express app written below (`--serve-minimal`, run as a subprocess): one
  `dcc.Graph(id="map")` holding `px.choropleth` of the same countries (the ISO-3 locations of the
  choropleth traces of the dashboard's default figure, locationmode ISO-3), the same offline
  topojson (the dashboard's assets folder served as is), the full plotly.js bundle, and the same
  pixel size as the dashboard's map. Two of them: one left at plotly's default base map (1:110m:
  what `px.choropleth` with no options gives, the reference of the first-paint budget) and one at
  1:50m (for reference).

Every page load is a fresh headless Chromium (new temporary profile; --headless=new
--no-sandbox --disable-gpu --disable-background-networking --disable-component-update
--no-first-run --disable-sync) with the HTTP cache disabled (CDP Network.setCacheDisabled), so
each load fetches plotly.js and the topojson again. A run loads the three pages in a rotating
order; ratios are taken within a run, so the machine's load at that moment cancels out.

What is measured (all times in ms from navigation start, i.e. `performance.now()` in the page):

1. first paint: a MutationObserver installed before any page script (CDP
   Page.addScriptToEvaluateOnNewDocument) records the moment the map's geo paths exist
   (`#map .geo path.choroplethlocation` or the base map's land / country paths: plotly.js 4.1
   draws them in the same task, once the topojson is in) while `#map` is not marked
   `data-dash-is-loading`. "painted" is the end of the next animation frame after that (style,
   layout and paint of the new SVG included). The layout shifts until then are summed (CLS).
2. toggles: every option of the map's controls present on the page (TOGGLE_CONTROLS: each
   checkbox off and on again, each other radio option and back), the time from the click to the
   first `plotly_afterplot` whose drawn map (each trace's `visible` and opacity, the countries'
   fills, outlines and hover texts) differs from the one before the click; the callback requests
   the page sent meanwhile and their bytes (0 for a toggle done in the browser).
3. bytes per toggle that goes to the server: the body of the /_dash-update-component response
   that sets `map.figure` (CDP Network.getResponseBody of the requests in Chrome's performance
   log); the bodies of all callback responses of the toggle are reported too.
4. the initial figure: the bytes that set `map.figure` on first load: the figure's part of the
   layout response (the dashboard puts the map of the page's URL there, as the minimal app
   does) plus the bodies of any callback responses setting it.
5. the minimal apps' first paint, and the ratio dashboard / minimal (same run).
6. with --lighthouse-perf: Lighthouse (npm lighthouse of package.json, installed by
   `scripts/setup.sh --test`; Debian chromium) with the desktop preset against the dashboard,
   after the browser runs: its scores and metrics (median of --lighthouse-runs).

Budgets (a benchmark, not a test: the exit status is 0 whatever they say unless --strict):
median first-paint ratio (dashboard / minimal 1:110m) <= 1.0; click -> redrawn map <= 100 ms
(median of each control); 0 bytes to the server for a toggle; initial figure <= 400 KB; the map
response of a toggle that goes to the server <= 15 KB; with --lighthouse-perf: performance >= 0.9,
CLS <= 0.02, <= 2.5 MB on a cold load. KB = 1024 bytes. Exit status 2: the measurement itself
failed.

A warm-up load of each page comes first and is not in the statistics (the dashboard's first one
builds and caches the default figure on the server; it is reported as "cold server").

--lighthouse: Lighthouse 12 (npm, scripts/setup.sh --test installs it) also judges the page
states of scripts/page_states.py (the default view, English, the polar preset, the details
panel filled by a click on the map, the comparison side by side and as a difference, the
language switched), on a dashboard server of its own, through scripts/lighthouse_flow.mjs: a
navigation report per state and a snapshot after the steps of those that have some. The
categories are --lighthouse-categories (default: accessibility); every step reports each of them
from the one run (performance only in navigation reports). Budget: accessibility >= 0.98 on
every step. --lighthouse-reports DIR keeps Lighthouse's HTML flow reports.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from dashboard.local_server import free_port, local_server, serve_command  # noqa: E402

CHROMIUM = os.environ.get("BENCH_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("BENCH_CHROMEDRIVER", "/usr/bin/chromedriver")
CHROME_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
)
CALLBACK_PATH = "/_dash-update-component"
KB = 1024
BUDGET_FIGURE = 400 * KB
BUDGET_TOGGLE_BYTES = 15 * KB  # the map's response to a toggle that goes to the server
BUDGET_TOGGLE_MS = 100.0  # click -> redrawn map, median of each control
BUDGET_RATIO = 1.0  # first paint / the minimal app's at plotly's default base map
BUDGET_LIGHTHOUSE_PERF = {"performance": 0.9, "cls": 0.02, "bytes": 2.5 * 1000 * KB}
BUDGET_LIGHTHOUSE = {"accessibility": 0.98}  # the lowest score of any step, per category
LIGHTHOUSE_FLOW = REPO / "scripts" / "lighthouse_flow.mjs"
LIGHTHOUSE_PACKAGE = REPO / "node_modules" / "lighthouse" / "package.json"

DASHBOARD = "dashboard"
MINIMAL = "minimal-110m"  # the headline reference: px.choropleth with no options
MINIMAL_50M = "minimal-50m"  # the same at the 1:50m base map, for reference
PAGES = (DASHBOARD, MINIMAL, MINIMAL_50M)
RESOLUTIONS = {MINIMAL: None, MINIMAL_50M: 50}
# the map's controls whose every option the benchmark clicks (those present on the page)
TOGGLE_CONTROLS = ("layers", "basis", "modality", "directions")

LIGHTHOUSE = REPO / "node_modules" / ".bin" / "lighthouse"
LIGHTHOUSE_VERSION = "12.2.3"  # package.json's devDependency
LIGHTHOUSE_CATEGORIES = ("performance", "accessibility")
LIGHTHOUSE_METRICS = {
    "fcp_ms": "first-contentful-paint",
    "lcp_ms": "largest-contentful-paint",
    "tbt_ms": "total-blocking-time",
    "cls": "cumulative-layout-shift",
    "speed_index_ms": "speed-index",
    "bytes": "total-byte-weight",
    "main_thread_ms": "mainthread-work-breakdown",
    "bootup_ms": "bootup-time",
    "dom_size": "dom-size",
}
LIGHTHOUSE_CHROME_FLAGS = (
    *CHROME_FLAGS,
    "--disable-default-apps",
    "--disable-extensions",
    "--mute-audio",
    "--metrics-recording-only",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
)

# --- in-page instrumentation ----------------------------------------------------------------

# Runs before any page script (Page.addScriptToEvaluateOnNewDocument), top frame only.
INIT_JS = r"""
(() => {
  if (window.top !== window) { return; }
  const PATHS = '.geo path.choroplethlocation, .geo .layer.land path, .geo .layer.countries path';
  const B = window.__bench = {
    paint: null, painted: null, graph: null, geo: null, paths: 0, longtasks: [], shifts: [],
  };
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) { B.longtasks.push([e.startTime, e.duration]); }
    }).observe({type: 'longtask', buffered: true});
  } catch (e) { B.longtasks = null; }
  const describe = (node) => {
    if (!node || !node.tagName) { return '?'; }
    return node.tagName.toLowerCase() + (node.id ? '#' + node.id : '')
      + (typeof node.className === 'string' && node.className
        ? '.' + node.className.trim().split(/\s+/).slice(0, 2).join('.') : '');
  };
  try {  // layout shifts not caused by input (what CLS counts), with what moved
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (e.hadRecentInput) { continue; }
        B.shifts.push([e.startTime, e.value, (e.sources || []).map((s) => describe(s.node))]);
      }
    }).observe({type: 'layout-shift', buffered: true});
  } catch (e) { B.shifts = null; }
  // the end of the next frame (after style, layout and paint)
  window.__benchAfterFrame = (cb) => requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => cb(performance.now());
    channel.port2.postMessage(0);
  });
  const check = () => {
    const now = performance.now();
    const map = document.getElementById('map');
    const gd = map && map.querySelector('.js-plotly-plot');
    if (!gd) { return; }
    if (B.graph === null) { B.graph = now; }
    if (B.geo === null && gd.querySelector('.geo')) { B.geo = now; }
    if (map.getAttribute('data-dash-is-loading') === 'true') { return; }
    const n = gd.querySelectorAll(PATHS).length;
    if (!n) { return; }
    B.paint = now;
    B.paths = n;
    observer.disconnect();
    window.__benchAfterFrame((t) => { B.painted = t; });
  };
  const observer = new MutationObserver(check);
  observer.observe(document, {
    subtree: true, childList: true, attributes: true, attributeFilter: ['data-dash-is-loading'],
  });
})();
"""

PAGE_STATE_JS = r"""
const B = window.__bench || {};
const nav = performance.getEntriesByType('navigation')[0];
const map = document.getElementById('map');
const rect = map ? map.getBoundingClientRect() : null;
return {
  bench: B,
  timeOrigin: performance.timeOrigin,
  nav: nav ? {
    responseEnd: nav.responseEnd,
    domContentLoaded: nav.domContentLoadedEventEnd,
    load: nav.loadEventEnd,
  } : null,
  resources: performance.getEntriesByType('resource').map((e) => ({
    name: e.name, type: e.initiatorType, start: e.startTime, end: e.responseEnd,
    bytes: e.encodedBodySize,
  })),
  map: rect ? {width: Math.round(rect.width), height: Math.round(rect.height)} : null,
  plotly: window.Plotly ? window.Plotly.version : null,
};
"""

IDLE_JS = r"""
const s = window.store && window.store.getState && window.store.getState();
if (!s) { return false; }
const pending = Object.assign({}, s.callbacks || {});
delete pending.stored;
delete pending.completed;
return Object.values(pending).every((v) => !v || !v.length) && !s.isLoading;
"""

CONTROL_STATE_JS = r"""
// [control, value, checked, type] of every checkbox and radio of the map's controls on the page
return arguments[0].flatMap((control) =>
  Array.from(document.querySelectorAll('#' + control + ' input[type=checkbox], #'
    + control + ' input[type=radio]'))
    .map((input) => [control, input.value, input.checked, input.type]));
"""

# Click one option of a control; window.__toggle gets t0 (click), t1 (the first afterplot that
# draws a map different from the one before the click), painted (the frame after it), and the
# requests the page sent meanwhile (resource timing of the callbacks).
TOGGLE_JS = r"""
const [control, value] = arguments;
const gd = document.querySelector('#map .js-plotly-plot');
const input = Array.from(document.querySelectorAll('#' + control + ' input'))
  .find((i) => i.value === value);
if (!gd || !input) { return null; }
// what a toggle changes: each trace's visibility and the countries' fills, outlines and hover
// (a hidden layer's trace is transparent: its opacity, or its marker's for a choropleth)
const signature = () => JSON.stringify(gd._fullData.map((t) => [
  t.visible, t.opacity, t.type === 'choropleth'
    ? [t.z, t.marker && t.marker.line && t.marker.line.color, t.hovertext, t.marker.opacity]
    : t.marker && t.marker.opacity]));
const before = signature();
const T = window.__toggle = {control, value, t0: null, t1: null, painted: null, requests: null};
if (!window.__benchReacts) {  // time dcc.Graph's Plotly.react calls (start, promise settled)
  const reacts = window.__benchReacts = [];
  const react = window.Plotly.react;
  window.Plotly.react = function (...args) {
    const entry = [performance.now(), null];
    reacts.push(entry);
    const done = () => { entry[1] = performance.now(); };
    const result = react.apply(this, args);
    Promise.resolve(result).then(done, done);
    return result;
  };
}
const onPlot = () => {
  if (T.t1 !== null || signature() === before) { return; }
  T.t1 = performance.now();
  gd.removeListener('plotly_afterplot', onPlot);
  window.__benchAfterFrame((t) => { T.painted = t; });
};
gd.on('plotly_afterplot', onPlot);
T.t0 = performance.now();
input.click();
return {checked: input.checked};
"""

# --- the minimal plotly-express app -----------------------------------------------------------


def atlas_countries(lang: str) -> tuple[list[str], list[int]]:
    """The ISO-3 codes of the dashboard's default figure's country choropleth, and a colour
    index for each (neighbours in its order get different colours in the minimal app)."""
    from dashboard.service import ViewService
    from geodata.atlas import load_atlas
    from geodata.scenario import load_presets

    service = ViewService(load_atlas(), load_presets(), lang)
    figure = service.maps.figure(service.views.default_scenario())
    codes = [
        code
        for trace in figure["data"]
        if trace.get("type") == "choropleth" and trace.get("locationmode") == "ISO-3"
        for code in trace["locations"]
    ]
    codes = list(dict.fromkeys(codes))
    return codes, [index % 5 for index in range(len(codes))]


def serve_minimal(port: int, resolution: int | None, size: tuple[int, int], lang: str) -> None:
    """Serve the minimal app (blocks)."""
    import plotly.express as px
    from dash import Dash, dcc, html

    from dashboard.app import ASSETS_DIR, TOPOJSON_DIR

    codes, counts = atlas_countries(lang)
    figure = px.choropleth(locations=codes, locationmode="ISO-3", color=counts)
    if resolution:
        figure.update_geos(resolution=resolution)
    app = Dash(__name__, assets_folder=str(ASSETS_DIR), serve_locally=True, title="minimal")
    width, height = size
    app.layout = html.Div(
        dcc.Graph(
            id="map",
            figure=figure,
            config={"topojsonURL": app.get_asset_url(TOPOJSON_DIR)},
            style={"width": f"{width}px", "height": f"{height}px"},
        )
    )
    app.run(host="127.0.0.1", port=port, debug=False, dev_tools_disable_version_check=True)


# --- servers ----------------------------------------------------------------------------------


class BenchError(RuntimeError):
    """The measurement could not be made."""


def minimal_command(
    port: int, resolution: int | None, size: tuple[int, int], lang: str
) -> list[str]:
    return [
        sys.executable,
        str(Path(__file__).resolve()),
        "--serve-minimal",
        str(port),
        "--resolution",
        str(resolution or 0),
        "--map-size",
        f"{size[0]}x{size[1]}",
        "--lang",
        lang,
    ]


# --- the browser ------------------------------------------------------------------------------


@contextlib.contextmanager
def browser(window: tuple[int, int], timeout: float) -> Iterator[Any]:
    """A fresh headless Chromium (temporary profile), cache off, instrumentation installed."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="bench-chromium-")
    options = Options()
    options.binary_location = CHROMIUM
    for flag in (
        *CHROME_FLAGS,
        f"--user-data-dir={profile}",
        f"--window-size={window[0]},{window[1]}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = None
    try:
        driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
        driver.set_page_load_timeout(timeout)
        driver.set_script_timeout(timeout)
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": INIT_JS})
        driver.get_log("performance")  # drop the start-up page's events
        yield driver
    finally:
        if driver is not None:
            with contextlib.suppress(Exception):
                driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@dataclass
class Request:
    id: str
    url: str
    post: str | None
    sent: float  # CDP monotonic seconds
    wall: float | None = None
    finished: float | None = None
    wire: int | None = None  # encodedDataLength: body and headers as received
    status: int | None = None
    failed: bool = False

    @property
    def output(self) -> str:
        try:
            return str(json.loads(self.post or "{}").get("output", ""))
        except ValueError:
            return ""


def drain(driver: Any, into: dict[str, Request] | None = None) -> dict[str, Request]:
    """Chrome's performance log since the last drain, as requests by id."""
    requests = {} if into is None else into
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        method, params = message.get("method", ""), message.get("params", {})
        rid = params.get("requestId")
        if method == "Network.requestWillBeSent":
            request = params["request"]
            requests[rid] = Request(
                rid,
                request["url"],
                request.get("postData"),
                params["timestamp"],
                params.get("wallTime"),
            )
            if request.get("hasPostData") and request.get("postData") is None:
                with contextlib.suppress(Exception):
                    requests[rid].post = driver.execute_cdp_cmd(
                        "Network.getRequestPostData", {"requestId": rid}
                    )["postData"]
        elif rid in requests and method == "Network.responseReceived":
            requests[rid].status = params["response"].get("status")
        elif rid in requests and method == "Network.loadingFinished":
            requests[rid].finished = params["timestamp"]
            requests[rid].wire = int(params.get("encodedDataLength") or 0)
        elif rid in requests and method == "Network.loadingFailed":
            requests[rid].failed = True
            requests[rid].finished = params["timestamp"]
    return requests


def body_of(driver: Any, request: Request) -> bytes:
    if request.status == 204:
        return b""
    try:
        result = driver.execute_cdp_cmd("Network.getResponseBody", {"requestId": request.id})
    except Exception as error:
        raise BenchError(f"no response body for {request.url}: {error}") from None
    if result.get("base64Encoded"):
        return base64.b64decode(result["body"])
    return result["body"].encode("utf-8")


def callbacks(requests: dict[str, Request]) -> list[Request]:
    found = [r for r in requests.values() if r.url.split("?")[0].endswith(CALLBACK_PATH)]
    return sorted(found, key=lambda r: r.sent)


def wait_until(driver: Any, script: str, timeout: float, what: str, *args: Any) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = driver.execute_script(script, *args)
        if value:
            return value
        if time.monotonic() > deadline:
            raise BenchError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)


def severe_console(driver: Any) -> list[str]:
    with contextlib.suppress(Exception):
        return [e["message"][:300] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    return []


# --- one page load ----------------------------------------------------------------------------


def load_page(driver: Any, kind: str, url: str, timeout: float) -> tuple[dict[str, Any], float]:
    """Navigate to `url`, wait for the map and for the callbacks to settle; the load's numbers,
    and the clock offset (see clock_offset)."""
    driver.get(url)
    wait_until(
        driver,
        "return window.__bench && window.__bench.painted !== null;",
        timeout,
        f"the {kind} map to be painted",
    )
    if kind == DASHBOARD:
        wait_until(driver, IDLE_JS, timeout, "the dashboard's callbacks to finish")
    state = driver.execute_script(PAGE_STATE_JS)
    requests = drain(driver)
    bench = state["bench"]
    shifts = bench.get("shifts") or []
    result: dict[str, Any] = {
        "layout_shift": {
            "total": sum(value for _, value, _ in shifts),
            "shifts": [[round(t), round(v, 4), sources] for t, v, sources in shifts],
        },
        "first_paint_ms": bench["paint"],
        "painted_ms": bench["painted"],
        "paths": bench["paths"],
        "map_size": state["map"],
        "plotly_js": state["plotly"],
        "console_errors": severe_console(driver),
    }
    offset = clock_offset(requests, state["timeOrigin"])
    result["bytes"] = figure_bytes(driver, requests, kind)
    in_layout = result["bytes"].get("layout_figure_json", result["bytes"]["figure_json"]) > 0
    result["milestones"] = milestones(state, requests, kind, offset, in_layout)
    return result, offset


def clock_offset(requests: dict[str, Request], time_origin: float) -> float:
    """x such that a CDP timestamp t (monotonic seconds) is t * 1000 + x ms after the page's
    navigation start: the document request's wall-clock and monotonic send times, and
    performance.timeOrigin (wall-clock ms)."""
    document = min(
        (r for r in requests.values() if r.url.startswith("http") and not r.post),
        key=lambda r: r.sent,
        default=None,
    )
    if document is None or document.wall is None:
        raise BenchError("the page's document request is not in the performance log")
    return (document.wall - document.sent) * 1000 - time_origin


def output_name(request: Request) -> str:
    """The first output of a callback request ('map.figure', 'view-table.children', ...)."""
    return request.output.strip(".").split("...")[0]


def milestones(
    state: dict[str, Any],
    requests: dict[str, Request],
    kind: str,
    offset: float,
    figure_in_layout: bool,
) -> dict[str, Any]:
    """Where the time to first paint goes: ms from navigation start of each step."""
    bench, nav, resources = state["bench"], state["nav"] or {}, state["resources"]

    def resource(predicate: Any, key: str = "end", pick: Any = max) -> float | None:
        values = [r[key] for r in resources if predicate(r)]
        return pick(values) if values else None

    def page_ms(timestamp: float | None) -> float | None:
        return None if timestamp is None else timestamp * 1000 + offset

    out: dict[str, Any] = {
        "html_received": nav.get("responseEnd"),
        "dash_scripts_received": resource(
            lambda r: r["type"] == "script" and "plotly.min.js" not in r["name"]
        ),
        "dom_content_loaded": nav.get("domContentLoaded"),
        "layout_received": resource(lambda r: r["name"].endswith("/_dash-layout")),
        "plotly_js_requested": resource(lambda r: "plotly.min.js" in r["name"], "start", min),
        "plotly_js_received": resource(lambda r: "plotly.min.js" in r["name"]),
    }
    out["figure_received"] = out["layout_received"] if figure_in_layout else None
    if kind == DASHBOARD:
        sync = [r for r in callbacks(requests) if "url.search" in r.output]
        out["url_callback_received"] = page_ms(sync[0].finished) if sync else None
        if not figure_in_layout:  # the first callback response that may set the figure
            figure = [r for r in callbacks(requests) if "map.figure" in r.output]
            out["figure_received"] = page_ms(figure[0].finished) if figure else None
        out["callbacks_done"] = page_ms(
            max((r.finished or 0 for r in callbacks(requests)), default=None)
        )
    out |= {
        "graph_created": bench["graph"],
        "geo_created": bench["geo"],
        "topojson_requested": resource(lambda r: "/topojson/" in r["name"], "start", min),
        "topojson_received": resource(lambda r: "/topojson/" in r["name"]),
        "first_paint": bench["paint"],
        "painted": bench["painted"],
    }
    # plotly.js draws once it has both the graph and the topojson (preloaded or asked for)
    ready = [out["graph_created"], out["topojson_received"]]
    out["drawing_starts"] = None if None in ready else max(ready)
    tasks = bench.get("longtasks")
    if tasks is not None and bench["paint"] is not None:
        before = [(s, d) for s, d in tasks if s < bench["paint"]]
        out["long_tasks_before_paint_ms"] = sum(d for _, d in before)
        out["longest_task_ms"] = max((d for _, d in before), default=0.0)
        start = out["drawing_starts"]
        out["long_tasks_while_drawing_ms"] = (
            sum(min(s + d, bench["paint"]) - max(s, start) for s, d in before if s + d > start)
            if start is not None
            else None
        )
    topojson = [r for r in resources if "/topojson/" in r["name"]]
    out["topojson_files"] = sorted({r["name"].rsplit("/", 1)[-1] for r in topojson})
    out["topojson_bytes"] = sum(r["bytes"] for r in topojson)
    return out


def figure_bytes(driver: Any, requests: dict[str, Request], kind: str) -> dict[str, Any]:
    """The size of the map's first figure as sent: its part of the layout response (both apps put
    it there) plus, for the dashboard, the bodies of any callback responses that set it."""
    layout = [r for r in requests.values() if r.url.endswith("/_dash-layout")]
    body = body_of(driver, layout[0]) if layout else b""
    in_layout = _figure_json_size(body, layout=True)
    if kind != DASHBOARD:
        return {"layout_body": len(body), "figure_json": in_layout}
    setting = [r for r in callbacks(requests) if "map.figure" in r.output and r.status == 200]
    bodies = [body_of(driver, r) for r in setting]
    in_callbacks = sum(_figure_json_size(b) for b in bodies)
    if not in_layout and not in_callbacks:
        raise BenchError("neither the layout nor a callback response set map.figure")
    return {
        "layout_body": len(body),
        "layout_figure_json": in_layout,
        "figure_responses": len(setting),
        "figure_body": in_layout + sum(len(b) for b in bodies),
        "figure_wire": sum(r.wire or 0 for r in setting),
        "figure_json": in_layout + in_callbacks,
        "all_callbacks_body": sum(
            len(body_of(driver, r)) for r in callbacks(requests) if r.status == 200
        ),
        "callbacks": len(callbacks(requests)),
    }


def _figure_json_size(body: bytes, layout: bool = False) -> int:
    """Bytes of the map figure within a response (compact JSON, as Dash sends it)."""
    try:
        data = json.loads(body)
    except ValueError:
        return 0
    if layout:
        found = _find_graph(data)
        figure = found.get("figure") if found else None
    else:
        figure = data.get("response", {}).get("map", {}).get("figure")
    if figure is None:
        return 0
    return len(json.dumps(figure, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def _find_graph(tree: Any) -> dict[str, Any] | None:
    if isinstance(tree, dict):
        props = tree.get("props")
        if isinstance(props, dict) and props.get("id") == "map":
            return props
        for value in tree.values():
            found = _find_graph(value)
            if found:
                return found
    elif isinstance(tree, list):
        for value in tree:
            found = _find_graph(value)
            if found:
                return found
    return None


# --- layer toggles ----------------------------------------------------------------------------


def toggle_controls(
    driver: Any, controls: list[str] | None, offset: float, timeout: float
) -> list[dict[str, Any]]:
    """Click every option of the map's controls away from the view's value and back: each
    checkbox twice (off and on again), each other radio option and then the first one again.
    One row per click that changed the map."""
    wanted = [c for c in TOGGLE_CONTROLS if not controls or c in controls]
    options = driver.execute_script(CONTROL_STATE_JS, wanted)
    if not options:
        raise BenchError(f"no checkbox or radio of {wanted} on the page")
    clicks: list[tuple[str, str]] = []
    for control in dict.fromkeys(c for c, *_ in options):
        inputs = [(value, checked, kind) for c, value, checked, kind in options if c == control]
        if inputs[0][2] == "checkbox":
            clicks += [(control, value) for value, *_ in inputs for _ in range(2)]
        else:
            current = next((value for value, checked, _ in inputs if checked), inputs[0][0])
            for value, checked, _ in inputs:
                if not checked:
                    clicks += [(control, value), (control, current)]
    rows = []
    for control, value in clicks:
        row = toggle_once(driver, control, value, offset, timeout)
        if row is not None:
            rows.append(row)
        time.sleep(0.2)
    return rows


def toggle_once(
    driver: Any, control: str, value: str, offset: float, timeout: float
) -> dict[str, Any] | None:
    """One click; None when the map did not change (an option that shows the same map)."""
    wait_until(driver, IDLE_JS, timeout, "idle callbacks before a toggle")
    drain(driver)
    started = driver.execute_script(TOGGLE_JS, control, value)
    if not started:
        raise BenchError(f"{control}: no option {value!r}")
    deadline = time.monotonic() + timeout
    settled_since = None
    while True:
        done = driver.execute_script(
            "const T = window.__toggle; return T && T.painted !== null ? T : null;"
        )
        if done:
            break
        if driver.execute_script(IDLE_JS):  # nothing pending and no new map for 3 s
            settled_since = settled_since or time.monotonic()
            if time.monotonic() - settled_since > 3.0:
                drain(driver)
                return None
        else:
            settled_since = None
        if time.monotonic() > deadline:
            raise BenchError(f"timed out waiting for the map after clicking {control}={value}")
        time.sleep(0.02)
    wait_until(driver, IDLE_JS, timeout, f"callbacks after clicking {control}={value}")
    time.sleep(0.05)
    requests = callbacks(drain(driver))
    tasks = driver.execute_script("return window.__bench.longtasks;") or []
    reacts = driver.execute_script("return window.__benchReacts;") or []
    t0, t1 = done["t0"], done["t1"]
    bodies = {r.id: len(body_of(driver, r)) if r.status == 200 else 0 for r in requests}
    to_map = [r for r in requests if "map.figure" in r.output]
    by_output: dict[str, int] = {}
    for r in requests:
        by_output[output_name(r)] = by_output.get(output_name(r), 0) + bodies[r.id]

    def since_click(rs: list[Request]) -> float | None:
        ends = [r.finished for r in rs if r.finished is not None]
        return max(ends) * 1000 + offset - t0 if ends else None

    return {
        "control": control,
        "value": value,
        "turned": "on" if started["checked"] else "off",
        "latency_ms": t1 - t0,
        "painted_ms": done["painted"] - t0,
        "url_callback_ms": since_click([r for r in requests if "url.search" in r.output]),
        "map_response_ms": since_click(to_map),
        "long_tasks_ms": sum(
            max(0.0, min(s + d, t1) - max(s, t0)) for s, d in tasks if s + d > t0 and s < t1
        ),
        "plotly_react_ms": sum((end or t1) - start for start, end in reacts if t0 <= start <= t1),
        "requests": len(requests),
        "sent_bytes": sum(len((r.post or "").encode()) for r in requests),
        "map_responses": len(to_map),
        "map_body": sum(bodies[r.id] for r in to_map),
        "map_wire": sum(r.wire or 0 for r in to_map),
        "all_callbacks_body": sum(bodies.values()),
        "callbacks": len(requests),
        "body_by_output": by_output,
        "url": driver.execute_script("return location.search;"),
    }


# --- Lighthouse ------------------------------------------------------------------------------


def lighthouse_run(url: str, out: Path, timeout: float) -> dict[str, Any]:
    """One Lighthouse run (desktop preset, every category of LIGHTHOUSE_CATEGORIES, cache
    cleared first) against `url`: its scores and metrics, or {"error": ...}."""
    command = [
        str(LIGHTHOUSE),
        url,
        "--preset=desktop",
        f"--only-categories={','.join(LIGHTHOUSE_CATEGORIES)}",
        f"--chrome-flags={' '.join(LIGHTHOUSE_CHROME_FLAGS)}",
        "--output=json",
        f"--output-path={out}",
        "--quiet",
    ]
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    try:
        subprocess.run(command, env=env, timeout=timeout, check=True, capture_output=True)
        report = json.loads(out.read_text())
    except (OSError, ValueError, subprocess.SubprocessError) as error:
        return {"error": f"{type(error).__name__}: {str(error)[:300]}"}
    if report.get("runtimeError"):
        return {"error": f"Lighthouse: {report['runtimeError'].get('code')}"}
    audits = report["audits"]
    result: dict[str, Any] = {
        category: report["categories"][category]["score"] for category in LIGHTHOUSE_CATEGORIES
    }
    for key, audit in LIGHTHOUSE_METRICS.items():
        result[key] = audits.get(audit, {}).get("numericValue")
    requests = audits.get("network-requests", {}).get("details", {}).get("items", [])
    result["requests"] = len(requests)
    result["hosts"] = sorted({urlsplit(r["url"]).hostname or "" for r in requests})
    result["largest"] = [
        [r["url"].rsplit("/", 1)[-1].split("?")[0][:40], round(r.get("transferSize", 0) / KB)]
        for r in sorted(requests, key=lambda r: -r.get("transferSize", 0))[:6]
    ]
    tasks = audits.get("long-tasks", {}).get("details", {}).get("items", [])
    result["long_tasks"] = [
        [round(t.get("startTime", 0)), round(t.get("duration", 0)), str(t.get("url", ""))[-40:]]
        for t in tasks[:8]
    ]
    result["failed_audits"] = {
        category: [
            ref["id"]
            for ref in report["categories"][category]["auditRefs"]
            if ref.get("weight") and (audits.get(ref["id"], {}).get("score") or 0) < 0.9
        ]
        for category in LIGHTHOUSE_CATEGORIES
    }
    return result


def lighthouse(url: str, runs: int, timeout: float, folder: Path) -> dict[str, Any]:
    """`runs` Lighthouse runs (each failed one retried once) and their medians."""
    results = []
    for index in range(runs):
        for attempt in range(2):
            result = lighthouse_run(url, folder / f"lighthouse-{index}-{attempt}.json", timeout)
            result["loadavg"] = [round(x, 2) for x in os.getloadavg()]
            if "error" not in result:
                break
        results.append(result)
        line = ", ".join(
            f"{k} {result[k]:.2f}" for k in LIGHTHOUSE_CATEGORIES if result.get(k) is not None
        )
        print(f"lighthouse {index + 1}/{runs}: {line or result.get('error')}", file=sys.stderr)
    good = [r for r in results if "error" not in r]
    keys = [*LIGHTHOUSE_CATEGORIES, *LIGHTHOUSE_METRICS, "requests"]
    return {
        "runs": results,
        "summary": {key: stats([r.get(key) for r in good]) for key in keys},
    }


def lighthouse_lines(lh: dict[str, Any]) -> list[str]:
    lines = [
        f"Lighthouse {LIGHTHOUSE_VERSION}, desktop preset, cache cleared (medians of the runs)"
    ]
    summary = lh["summary"]
    for key, st in summary.items():
        if st is None:
            continue
        unit = "x" if key in (*LIGHTHOUSE_CATEGORIES, "cls") else "KB" if key == "bytes" else "n"
        lines.append(
            f"  {key:<20}{_fmt(st['median'], unit):>10}   (range {_fmt(st['min'], unit)}"
            f" - {_fmt(st['max'], unit)}, n {st['n']})"
        )
    for index, run in enumerate(lh["runs"], 1):
        if "error" in run:
            lines.append(f"  run {index}: {run['error']}")
            continue
        lines.append(
            f"  run {index} (load {run['loadavg'][0]}): "
            + ", ".join(f"{k} {run[k]:.2f}" for k in LIGHTHOUSE_CATEGORIES)
            + f", TBT {run['tbt_ms']:.0f} ms, LCP {run['lcp_ms']:.0f} ms, CLS {run['cls']:.3f}, "
            f"{run['bytes'] / KB:.0f} KB in {run['requests']} requests to {run['hosts']}"
        )
        lines.append(f"    long tasks [start, ms, script]: {run['long_tasks']}")
        lines.append(f"    audits under 0.9: {run['failed_audits']}")
    return lines


# --- statistics and report --------------------------------------------------------------------


def stats(values: list[float | None]) -> dict[str, Any] | None:
    clean = [float(v) for v in values if v is not None]
    if not clean:
        return None
    return {
        "median": statistics.median(clean),
        "min": min(clean),
        "max": max(clean),
        "n": len(clean),
    }


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    def of(page: str, *path: str) -> list[Any]:
        values = []
        for run in runs:
            value: Any = run.get(page)
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            values.append(value)
        return values

    def ratio(a: list[Any], b: list[Any]) -> list[float | None]:
        return [x / y if x is not None and y else None for x, y in zip(a, b, strict=True)]

    paint = {page: of(page, "first_paint_ms") for page in PAGES}
    painted = {page: of(page, "painted_ms") for page in PAGES}
    toggles = [row for run in runs for row in run.get("toggles", [])]
    summary: dict[str, Any] = {
        "first_paint_ms": {page: stats(paint[page]) for page in PAGES},
        "painted_ms": {page: stats(painted[page]) for page in PAGES},
        "first_paint_ratio": {
            page: stats(ratio(paint[DASHBOARD], paint[page])) for page in (MINIMAL, MINIMAL_50M)
        },
        "painted_ratio": {
            page: stats(ratio(painted[DASHBOARD], painted[page])) for page in (MINIMAL, MINIMAL_50M)
        },
        "layout_shift": {page: stats(of(page, "layout_shift", "total")) for page in PAGES},
        "initial_figure": {
            key: stats(of(DASHBOARD, "bytes", key))
            for key in (
                "figure_body",
                "figure_wire",
                "figure_json",
                "layout_body",
                "layout_figure_json",
                "figure_responses",
                "all_callbacks_body",
            )
        },
        "minimal_figure": {
            page: stats(of(page, "bytes", "figure_json")) for page in (MINIMAL, MINIMAL_50M)
        },
        "toggle": {
            key: stats([row[key] for row in toggles])
            for key in (
                "latency_ms",
                "painted_ms",
                "url_callback_ms",
                "map_response_ms",
                "long_tasks_ms",
                "plotly_react_ms",
                "requests",
                "sent_bytes",
                "map_body",
                "map_wire",
                "all_callbacks_body",
            )
        },
        "toggle_by_control": {
            control: {
                key: stats([row[key] for row in toggles if row["control"] == control])
                for key in ("latency_ms", "requests", "sent_bytes", "map_body")
            }
            for control in dict.fromkeys(row["control"] for row in toggles)
        },
        "toggle_body_by_output": {},
        "toggle_by_layer": {},
        "milestones": {},
    }
    outputs: dict[str, None] = {}
    for row in toggles:
        outputs |= dict.fromkeys(row["body_by_output"])
    summary["toggle_body_by_output"] = {
        name: stats([row["body_by_output"].get(name, 0) for row in toggles]) for name in outputs
    }
    for row in toggles:
        key = f"{row['control']}={row['value']} {row['turned']}"
        summary["toggle_by_layer"].setdefault(key, []).append(row)
    summary["toggle_by_layer"] = {
        key: {
            "latency_ms": stats([r["latency_ms"] for r in rows]),
            "requests": stats([r["requests"] for r in rows]),
            "map_body": stats([r["map_body"] for r in rows]),
            "all_callbacks_body": stats([r["all_callbacks_body"] for r in rows]),
        }
        for key, rows in summary["toggle_by_layer"].items()
    }
    for page in PAGES:
        keys: dict[str, None] = {}
        for run in runs:
            for key, value in (run.get(page) or {}).get("milestones", {}).items():
                if isinstance(value, int | float):
                    keys[key] = None
        summary["milestones"][page] = {key: stats(of(page, "milestones", key)) for key in keys}
    return summary


def budgets(
    summary: dict[str, Any],
    lighthouse: list[dict[str, Any]] | None,
    lighthouse_perf: dict[str, Any] | None,
) -> list[dict[str, Any]]:
    figure = summary["initial_figure"]["figure_body"]
    toggle = summary["toggle"]["map_body"]
    ratio = summary["first_paint_ratio"][MINIMAL]
    controls = summary["toggle_by_control"]
    checks = []

    def check(
        name: str, value: float | None, limit: float, shown: str, basis: str, at_least=False
    ) -> None:
        passed = value is not None and (value >= limit if at_least else value <= limit)
        status = "n/a" if value is None else ("PASS" if passed else "FAIL")
        checks.append(
            {"budget": name, "status": status, "value": value, "limit": limit, "shown": shown}
            | {"basis": basis}
        )

    for category, limit in BUDGET_LIGHTHOUSE.items():
        scores = [
            (step["categories"].get(category), f"{step['state']} ({step['mode']})")
            for step in lighthouse or []
        ]
        scored = [(score, where) for score, where in scores if score is not None]
        if lighthouse is None:
            continue
        lowest = min(scored, default=(None, "-"))
        check(
            f"Lighthouse {category} >= {limit}",
            lowest[0],
            limit,
            f"lowest {lowest[0]} at {lowest[1]}" if scored else "-",
            f"every state's navigation and snapshot reports ({len(scored)} steps)",
            at_least=True,
        )

    check(
        "first paint <= 1.0x minimal",
        ratio and ratio["median"],
        BUDGET_RATIO,
        f"{ratio['median']:.2f}x (range {ratio['min']:.2f}-{ratio['max']:.2f})" if ratio else "-",
        "median over runs of dashboard / minimal-110m (px.choropleth at plotly's default base "
        "map) first paint, same run",
    )
    slowest = max(
        ((c, v["latency_ms"]["median"]) for c, v in controls.items() if v["latency_ms"]),
        key=lambda item: item[1],
        default=None,
    )
    check(
        "toggle click -> redrawn map <= 100 ms",
        slowest and slowest[1],
        BUDGET_TOGGLE_MS,
        ", ".join(
            f"{c} {v['latency_ms']['median']:.0f} ms"
            for c, v in controls.items()
            if v["latency_ms"]
        )
        or "-",
        "median of every click of each control (the slowest control counts)",
    )
    sent = summary["toggle"]["sent_bytes"]
    requests = summary["toggle"]["requests"]
    check(
        "toggle: 0 bytes to the server",
        sent and sent["max"],
        0,
        f"{requests['max']:.0f} request(s), {sent['max']:.0f} bytes at most per click"
        if sent and requests
        else "-",
        f"callback requests sent by each of {sent['n'] if sent else 0} clicks",
    )
    check(
        "initial figure <= 400 KB",
        figure and figure["max"],
        BUDGET_FIGURE,
        f"{figure['max'] / KB:.1f} KB" if figure else "-",
        "the figure's part of the layout response plus the bodies of callback responses "
        "setting map.figure on first load",
    )
    check(
        "server toggle map response <= 15 KB",
        (toggle and toggle["max"]) or None,
        BUDGET_TOGGLE_BYTES,
        f"{toggle['max'] / KB:.2f} KB max" if toggle and toggle["max"] else "none sent",
        "body of the map.figure response of a toggle that goes to the server",
    )
    if lighthouse_perf:
        scores = lighthouse_perf["summary"]
        perf, cls, weight = (scores.get(k) for k in ("performance", "cls", "bytes"))
        check(
            "Lighthouse desktop performance >= 0.9",
            perf and perf["median"],
            BUDGET_LIGHTHOUSE_PERF["performance"],
            f"{perf['median']:.2f} (range {perf['min']:.2f}-{perf['max']:.2f})" if perf else "-",
            f"median of {perf['n'] if perf else 0} Lighthouse runs (desktop preset)",
            at_least=True,
        )
        check(
            "Lighthouse CLS <= 0.02",
            cls and cls["median"],
            BUDGET_LIGHTHOUSE_PERF["cls"],
            f"{cls['median']:.3f}" if cls else "-",
            "median cumulative layout shift",
        )
        check(
            "Lighthouse bytes <= 2.5 MB (cold)",
            weight and weight["max"],
            BUDGET_LIGHTHOUSE_PERF["bytes"],
            f"{weight['max'] / KB:.0f} KB" if weight else "-",
            "total-byte-weight (transferred, cache cleared), the largest run",
        )
    return checks


# --- Lighthouse ---------------------------------------------------------------------------------


def run_lighthouse(args: argparse.Namespace, logs: Path) -> list[dict[str, Any]]:
    """Lighthouse's scores of every page state (scripts/page_states.py) on a dashboard server of
    its own: [{state, mode, url, categories: {id: score}, failing: {id: [audit ids]}}]."""
    if not LIGHTHOUSE_PACKAGE.exists() or shutil.which("node") is None:
        raise BenchError("Lighthouse is not installed: run scripts/setup.sh --test (npm ci)")
    sys.path.insert(0, str(REPO / "scripts"))
    from page_states import states_json

    states = logs / "states.json"
    states.write_text(states_json(), encoding="utf-8")
    port = free_port()
    command = serve_command(port, "--host", "127.0.0.1", "--lang", args.lang)
    log = logs / "lighthouse-dashboard.log"
    with local_server(command, port=port, log=log, timeout=args.timeout, stop_timeout=10) as server:
        flow = [
            "node",
            str(LIGHTHOUSE_FLOW),
            "--base",
            server.url,
            "--states",
            str(states),
            "--categories",
            args.lighthouse_categories,
            "--timeout",
            str(int(args.timeout)),
        ]
        if args.lighthouse_reports:
            flow += ["--reports", str(args.lighthouse_reports)]
        print("lighthouse: judging the page states…", file=sys.stderr, flush=True)
        done = subprocess.run(
            flow,
            cwd=REPO,
            env={**os.environ, "CHROME_PATH": CHROMIUM},
            capture_output=True,
            text=True,
            timeout=args.max_seconds,
        )
    if done.returncode:
        raise BenchError(f"lighthouse_flow.mjs failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout)


def render_lighthouse(report: dict[str, Any]) -> list[str]:
    steps = report.get("lighthouse")
    if steps is None:
        return []
    categories = list(dict.fromkeys(c for step in steps for c in step["categories"]))
    lines = [
        "",
        f"Lighthouse {report['meta'].get('lighthouse', '?')} (desktop preset), scores 0-1",
        f"{'state':<22}{'mode':<12}" + "".join(f"{c:>16}" for c in categories) + "  failing audits",
    ]
    for step in steps:
        scores = "".join(
            f"{'-' if step['categories'].get(c) is None else format(step['categories'][c], '.2f'):>16}"
            for c in categories
        )
        failing = sorted({a for audits in step["failing"].values() for a in audits})
        lines.append(f"{step['state']:<22}{step['mode']:<12}{scores}  {', '.join(failing) or '-'}")
    return lines


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "KB":
        return f"{value / KB:.1f}"
    if unit == "x":
        return f"{value:.2f}" if value >= 0.01 or value == 0 else f"{value:.4f}"
    return f"{value:.0f}"


def _budget_lines(report: dict[str, Any]) -> list[str]:
    lines = ["", "Budgets"]
    for item in report["budgets"]:
        lines.append(
            f"  {item['status']:<5} {item['budget']:<38} {item['shown']}  ({item['basis']})"
        )
    if report.get("notes"):
        lines += ["", "Notes"] + [f"  - {note}" for note in report["notes"]]
    return lines


def render_report(report: dict[str, Any]) -> str:
    s, meta = report["summary"], report["meta"]
    lines = [
        f"Alliance Atlas dashboard benchmark: {meta['runs_done']} run(s), "
        f"Chromium {meta.get('chromium', '?')}, plotly.js {meta.get('plotly_js', '?')}, "
        f"window {meta['window']}, map {meta.get('map_size', '?')}, HTTP cache disabled",
        f"{meta['cpus']} CPU(s), load average before: {meta['loadavg_before']}, "
        f"after: {meta['loadavg_after']}; git {meta['git']['commit']}, "
        f"{len(meta['git']['modified'])} modified tracked file(s) (the working tree is measured)",
    ]
    if not meta["runs_done"]:  # Lighthouse only (--runs 0)
        return "\n".join(lines + render_lighthouse(report) + _budget_lines(report))
    lines += ["", f"{'metric':<52}{'median':>10}{'min':>10}{'max':>10}{'n':>5}"]

    def row(label: str, st: dict[str, Any] | None, unit: str) -> None:
        if st is None:
            lines.append(f"{label:<52}{'-':>10}{'-':>10}{'-':>10}{0:>5}")
            return
        lines.append(
            f"{label:<52}{_fmt(st['median'], unit):>10}{_fmt(st['min'], unit):>10}"
            f"{_fmt(st['max'], unit):>10}{st['n']:>5}"
        )

    row("FIRST PAINT RATIO dashboard / minimal-110m", s["first_paint_ratio"][MINIMAL], "x")
    row("first paint ratio dashboard / minimal-50m", s["first_paint_ratio"][MINIMAL_50M], "x")
    for page in PAGES:
        row(f"first paint, {page} (ms)", s["first_paint_ms"][page], "ms")
    for page in PAGES:
        row(f"painted (next frame done), {page} (ms)", s["painted_ms"][page], "ms")
    row("painted ratio dashboard / minimal-110m", s["painted_ratio"][MINIMAL], "x")
    for page in PAGES:
        row(f"layout shift until settled, {page}", s["layout_shift"][page], "x")
    row("initial figure: bytes that set map.figure (KB)", s["initial_figure"]["figure_body"], "KB")
    row("initial figure: its figure JSON (KB)", s["initial_figure"]["figure_json"], "KB")
    row(
        "initial figure: its part of the layout (KB)",
        s["initial_figure"]["layout_figure_json"],
        "KB",
    )
    row("layout response body (KB)", s["initial_figure"]["layout_body"], "KB")
    row(
        "initial load: all callback response bodies (KB)",
        s["initial_figure"]["all_callbacks_body"],
        "KB",
    )
    row("minimal-110m figure JSON in its layout (KB)", s["minimal_figure"][MINIMAL], "KB")
    for control, value in s["toggle_by_control"].items():
        row(f"TOGGLE {control}: click -> redrawn map (ms)", value["latency_ms"], "ms")
        row(f"  {control}: requests to the server per click", value["requests"], "n")
    row("toggle: click -> redrawn map (ms)", s["toggle"]["latency_ms"], "ms")
    row("toggle: click -> next frame done (ms)", s["toggle"]["painted_ms"], "ms")
    row("toggle: click -> url callback response (ms)", s["toggle"]["url_callback_ms"], "ms")
    row("toggle: click -> map.figure response (ms)", s["toggle"]["map_response_ms"], "ms")
    row("toggle: main-thread long tasks until redrawn (ms)", s["toggle"]["long_tasks_ms"], "ms")
    row("toggle: Plotly.react call -> settled (ms)", s["toggle"]["plotly_react_ms"], "ms")
    row("toggle: bytes sent to the server", s["toggle"]["sent_bytes"], "n")
    row("toggle: map.figure response body (KB)", s["toggle"]["map_body"], "KB")
    row("toggle: map.figure response on the wire (KB)", s["toggle"]["map_wire"], "KB")
    row("toggle: all callback response bodies (KB)", s["toggle"]["all_callbacks_body"], "KB")
    for name, st in s["toggle_body_by_output"].items():
        row(f"  toggle body of {name} (KB)"[:52], st, "KB")

    lines += ["", "Per click (median over runs)"]
    lines.append(f"{'control=option':<36}{'ms':>8}{'requests':>10}{'map KB':>10}{'all KB':>10}")
    for key, value in s["toggle_by_layer"].items():
        lines.append(
            f"{key:<36}{_fmt(value['latency_ms']['median'], 'ms'):>8}"
            f"{value['requests']['median']:>10.0f}"
            f"{value['map_body']['median'] / KB:>10.2f}"
            f"{value['all_callbacks_body']['median'] / KB:>10.1f}"
        )
    if report.get("lighthouse_perf"):
        lines += ["", *lighthouse_lines(report["lighthouse_perf"])]

    lines += ["", "Where first-paint time goes: medians, ms from navigation start"]
    lines.append(f"{'milestone':<34}" + "".join(f"{page:>15}" for page in PAGES))
    names: dict[str, None] = {}
    for page in PAGES:
        names |= dict.fromkeys(s["milestones"].get(page, {}))
    for name in names:
        cells = []
        for page in PAGES:
            st = s["milestones"].get(page, {}).get(name)
            unit = "KB" if name.endswith("bytes") else "ms"
            cells.append(f"{_fmt(st['median'] if st else None, unit):>15}")
        label = name.replace("_", " ") + (" (KB)" if name.endswith("bytes") else "")
        lines.append(f"{label:<34}" + "".join(cells))
    if report.get("warmup"):
        lines += [
            "",
            "Warm-up loads (not in the statistics; the dashboard's first one builds its figure):",
        ]
        for page, value in report["warmup"].items():
            lines.append(f"  {page}: first paint {_fmt(value.get('first_paint_ms'), 'ms')} ms")
    lines += render_lighthouse(report)
    lines += _budget_lines(report)
    return "\n".join(lines)


def notes_of(report: dict[str, Any]) -> list[str]:
    """Where the time goes, from the medians (each line only when its numbers exist)."""
    notes: list[str] = []
    s = report["summary"]

    def med(name: str, page: str = DASHBOARD) -> float | None:
        st = s["milestones"].get(page, {}).get(name)
        return st["median"] if st else None

    def gap(a: str, b: str, page: str = DASHBOARD) -> float | None:
        x, y = med(a, page), med(b, page)
        return None if x is None or y is None else y - x

    dash_paint, min_paint = med("first_paint"), med("first_paint", MINIMAL_50M)
    if dash_paint is not None and min_paint is not None:
        parts = []
        for label, a, b in (
            ("until plotly.js is requested", None, "plotly_js_requested"),
            ("plotly.js received -> graph element created", "plotly_js_received", "graph_created"),
            ("graph created -> drawing starts (topojson in)", "graph_created", "drawing_starts"),
            ("drawing -> geo paths drawn", "drawing_starts", "first_paint"),
        ):
            d = med(b) if a is None else gap(a, b)
            m = med(b, MINIMAL_50M) if a is None else gap(a, b, MINIMAL_50M)
            if d is not None and m is not None:
                parts.append(f"{label} {d:.0f} vs {m:.0f} ms")
        notes.append(
            f"first paint, dashboard vs minimal-50m ({dash_paint:.0f} vs {min_paint:.0f} ms): "
            + "; ".join(parts)
        )
    fig, graph = med("figure_received"), med("graph_created")
    topo, min_topo = med("topojson_requested"), med("topojson_requested", MINIMAL)
    if None not in (fig, graph, topo, min_topo):
        notes.append(
            f"dashboard: the figure arrives at {fig:.0f} ms, plotly.js has run and the graph "
            f"exists at {graph:.0f} ms; the topojson is requested at {topo:.0f} ms (the minimal "
            f"app's plotly.js asks for it when it first draws the geo subplot: {min_topo:.0f} ms)"
        )
    drawn = {page: gap("drawing_starts", "first_paint", page) for page in PAGES}
    if None not in drawn.values():
        notes.append(
            "drawing, once the graph and the topojson are both there: "
            + ", ".join(f"{page} {value:.0f} ms" for page, value in drawn.items())
            + " (the dashboard adds its scattergeo and label traces to the base map)"
        )
    ms = s["milestones"].get(DASHBOARD, {})
    if ms.get("long_tasks_before_paint_ms"):
        notes.append(
            f"dashboard: {ms['long_tasks_before_paint_ms']['median']:.0f} ms of main-thread long "
            f"tasks before first paint (longest {ms['longest_task_ms']['median']:.0f} ms)"
        )
    toggle = s["toggle"]
    if toggle["latency_ms"] and toggle["map_response_ms"] and toggle["plotly_react_ms"]:
        react = toggle["plotly_react_ms"]
        notes.append(
            f"toggle: the map patch is back {toggle['map_response_ms']['median']:.0f} ms after the "
            f"click, the map redrawn at {toggle['latency_ms']['median']:.0f} ms: main-thread long "
            f"tasks {toggle['long_tasks_ms']['median']:.0f} ms"
            + (f", Plotly.react {react['median']:.0f} ms" if react else "")
            + " (medians)"
        )
    all_toggle = s["toggle"]["all_callbacks_body"]
    if all_toggle and all_toggle["max"] > BUDGET_TOGGLE_BYTES:
        biggest = max(
            s["toggle_body_by_output"].items(), key=lambda item: item[1]["median"], default=None
        )
        notes.append(
            "toggle: the map patch is small, but all callback responses of one toggle together "
            f"reach {all_toggle['max'] / KB:.1f} KB"
            + (f", mostly {biggest[0]} ({biggest[1]['median'] / KB:.1f} KB)" if biggest else "")
        )
    for page in PAGES:
        errors = {
            e for run in report["runs"] for e in (run.get(page) or {}).get("console_errors", [])
        }
        if errors:
            notes.append(f"{page}: browser console errors: {sorted(errors)[:3]}")
    return notes


# --- main -------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="repetitions (default: %(default)s)")
    parser.add_argument("--out", type=Path, help="also write the report as JSON here")
    parser.add_argument("--lang", choices=("ja", "en"), default="ja", help="dashboard language")
    parser.add_argument(
        "--controls",
        help=f"comma-separated controls whose options to click (default: {','.join(TOGGLE_CONTROLS)})",
    )
    parser.add_argument(
        "--lighthouse-perf",
        action="store_true",
        help="after the runs, Lighthouse (npm lighthouse of package.json, desktop preset, "
        f"{' and '.join(LIGHTHOUSE_CATEGORIES)}) against the dashboard's page, cache cleared",
    )
    parser.add_argument(
        "--lighthouse-runs",
        type=int,
        default=3,
        help="--lighthouse-perf runs (default: %(default)s)",
    )
    parser.add_argument(
        "--url-query", default="", help="the dashboard page's query, e.g. '?focus=JPN'"
    )
    parser.add_argument("--window", default="1600x1200", help="browser window WxH")
    parser.add_argument(
        "--timeout", type=float, default=90.0, help="seconds for any one wait (default: 90)"
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=1800.0,
        help="stop starting new runs after this many seconds (default: 1800)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a budget fails")
    parser.add_argument(
        "--lighthouse",
        action="store_true",
        help="also run Lighthouse on the page states of scripts/page_states.py",
    )
    parser.add_argument(
        "--lighthouse-categories",
        default="accessibility",
        help="Lighthouse categories, comma-separated (default: %(default)s)",
    )
    parser.add_argument(
        "--lighthouse-reports", type=Path, help="keep Lighthouse's HTML flow reports in this folder"
    )
    parser.add_argument("--serve-minimal", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--resolution", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--map-size", default="1000x560", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.runs < (0 if args.lighthouse else 1):
        parser.error("--runs must be at least 1 (0 only with --lighthouse)")
    if args.controls:
        unknown = sorted({x.strip() for x in args.controls.split(",")} - set(TOGGLE_CONTROLS))
        if unknown:
            parser.error(f"--controls: unknown {', '.join(unknown)} ({', '.join(TOGGLE_CONTROLS)})")
    if args.lighthouse_perf and not LIGHTHOUSE.exists():
        parser.error(f"--lighthouse-perf: {LIGHTHOUSE} not found (run scripts/setup.sh --test)")
    return args


def git_state() -> dict[str, Any]:
    """The commit and the modified tracked files measured (the working tree is what runs)."""

    def git(*args: str) -> str:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            return subprocess.run(
                ["git", *args], cwd=REPO, capture_output=True, text=True, timeout=10
            ).stdout.strip()
        return ""

    modified = git("diff", "--name-only", "HEAD").splitlines()
    return {"commit": git("rev-parse", "--short", "HEAD") or None, "modified": modified}


def _size(text: str) -> tuple[int, int]:
    width, height = text.lower().split("x")
    return int(width), int(height)


def measure(args: argparse.Namespace, logs: Path, report: dict[str, Any]) -> None:
    window = _size(args.window)
    controls = [x.strip() for x in args.controls.split(",")] if args.controls else None
    started = time.monotonic()
    with contextlib.ExitStack() as servers:
        port = free_port()
        command = serve_command(port, "--host", "127.0.0.1", "--lang", args.lang)
        log = logs / f"{DASHBOARD}.log"
        dashboard = servers.enter_context(
            local_server(command, port=port, log=log, timeout=args.timeout, stop_timeout=10)
        )
        # warm-up: the server builds (and caches) the default figure; the map's size is measured
        dashboard_url = dashboard.url.rstrip("/") + "/" + args.url_query
        with browser(window, args.timeout) as driver:
            warm = load_page(driver, DASHBOARD, dashboard_url, args.timeout)[0]
            report["meta"]["chromium"] = driver.capabilities.get("browserVersion")
        report["warmup"] = {f"{DASHBOARD} (cold server)": warm}
        size = warm["map_size"] or {"width": 1000, "height": 560}
        report["meta"]["map_size"] = f"{size['width']}x{size['height']}"
        report["meta"]["plotly_js"] = warm["plotly_js"]
        urls = {DASHBOARD: dashboard_url}
        for page in (MINIMAL, MINIMAL_50M):
            port = free_port()
            command = minimal_command(
                port, RESOLUTIONS[page], (size["width"], size["height"]), args.lang
            )
            server = servers.enter_context(
                local_server(
                    command,
                    port=port,
                    log=logs / f"{page}.log",
                    timeout=args.timeout,
                    stop_timeout=10,
                )
            )
            urls[page] = server.url
        for page in (MINIMAL, MINIMAL_50M):
            with browser(window, args.timeout) as driver:
                report["warmup"][page] = load_page(driver, page, urls[page], args.timeout)[0]

        for index in range(args.runs):
            if time.monotonic() - started > args.max_seconds:
                report["notes_extra"].append(f"stopped after {index} runs (--max-seconds)")
                break
            order = list(PAGES[index % 3 :] + PAGES[: index % 3])
            run: dict[str, Any] = {"order": order}
            for page in order:
                with browser(window, args.timeout) as driver:
                    run[page], offset = load_page(driver, page, urls[page], args.timeout)
                    if page == DASHBOARD:
                        run["toggles"] = toggle_controls(driver, controls, offset, args.timeout)
            run["loadavg"] = [round(x, 2) for x in os.getloadavg()]
            report["runs"].append(run)
            line = ", ".join(f"{page} {run[page]['first_paint_ms']:.0f} ms" for page in PAGES)
            print(
                f"run {index + 1}/{args.runs}: first paint {line} (load {run['loadavg'][0]})",
                file=sys.stderr,
                flush=True,
            )
        if args.lighthouse_perf:
            report["lighthouse_perf"] = lighthouse(
                dashboard_url, args.lighthouse_runs, max(args.timeout, 180.0), logs
            )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.serve_minimal:
        serve_minimal(args.serve_minimal, args.resolution or None, _size(args.map_size), args.lang)
        return 0
    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).exists():
            print(f"bench_dashboard: {path} not found", file=sys.stderr)
            return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the `finally`s: stop servers

    import dash
    import plotly

    report: dict[str, Any] = {
        "meta": {
            "runs": args.runs,
            "runs_done": 0,
            "window": args.window,
            "lang": args.lang,
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "dash": dash.__version__,
            "plotly_py": plotly.__version__,
            "chrome_flags": list(CHROME_FLAGS),
            "loadavg_before": [round(x, 2) for x in os.getloadavg()],
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "git": git_state(),
        },
        "runs": [],
        "notes_extra": [],
    }
    error = None
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as logs:
        try:
            if args.runs:
                measure(args, Path(logs), report)
            if args.lighthouse:
                package = json.loads(LIGHTHOUSE_PACKAGE.read_text(encoding="utf-8"))
                report["meta"]["lighthouse"] = package["version"]
                report["lighthouse"] = run_lighthouse(args, Path(logs))
        except Exception as exc:  # report what was measured, then fail
            error = f"{type(exc).__name__}: {exc}"
    report["meta"]["runs_done"] = len(report["runs"])
    report["meta"]["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    report["summary"] = summarise(report["runs"])
    report["budgets"] = budgets(
        report["summary"], report.get("lighthouse"), report.get("lighthouse_perf")
    )
    report["notes"] = notes_of(report) + report.pop("notes_extra")
    if error:
        report["error"] = error
        report["notes"].append(f"measurement failed: {error}")
    print(render_report(report))
    if args.out:
        args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        print(f"\nJSON report: {args.out}")
    if error:
        return 2
    if args.strict and any(item["status"] == "FAIL" for item in report["budgets"]):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
