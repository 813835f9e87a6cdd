"""Shared by the real-browser tests: a headless Debian Chromium driven through dash's testing,
and what the tests read off the page (its requests, its map, its URL). Set ATLAS_SHOTS=/some/dir
to also save screenshots."""

from __future__ import annotations

import base64
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from drawing import drawn
from selenium.webdriver.chrome.options import Options as ChromeOptions
from selenium.webdriver.common.actions.action_builder import ActionBuilder

from geodata.certainty import split_state_key

CHROMIUM = os.environ.get("DASH_TEST_CHROMEPATH", "/usr/bin/chromium")


def browser_available() -> bool:
    """Whether Chromium and ChromeDriver are installed."""
    return Path(CHROMIUM).exists() and shutil.which("chromedriver") is not None


# `pytestmark` of a module whose every test drives the dashboard in Chromium through selenium
SELENIUM_MODULE = [
    pytest.mark.browser,
    pytest.mark.skipif(not browser_available(), reason="needs chromium and chromedriver"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]


class _Options(ChromeOptions):
    """Chrome options whose logging prefs dash's Browser cannot narrow to `browser` only."""

    def set_capability(self, name, value):
        if name == "goog:loggingPrefs":
            value = {**value, "browser": "ALL", "performance": "ALL"}
        super().set_capability(name, value)


@contextmanager
def headless_dash(
    server: Any, download_dir: Path, *, arguments: tuple[str, ...], wait_timeout: int
) -> Iterator[Any]:
    """A DashComposite on `server` in headless Chromium, with the performance log on."""
    from dash.testing.composite import DashComposite

    os.environ.setdefault("DASH_TEST_CHROMEPATH", CHROMIUM)
    options = _Options()
    for argument in arguments:
        options.add_argument(argument)
    with DashComposite(
        server=server,
        browser="Chrome",
        headless=True,
        options=[options],
        download_path=str(download_dir),
        percy_run=False,
        wait_timeout=wait_timeout,
    ) as composite:
        yield composite


@contextmanager
def chromium_page(width: int, height: int) -> Iterator[Any]:
    """A plain headless Chromium (selenium) with a `width`×`height` window at one device pixel
    per CSS pixel, to open files as a user's browser does."""
    from selenium import webdriver

    options = ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        f"--window-size={width},{height}",
        "--force-device-scale-factor=1",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options)
    try:
        yield driver
    finally:
        driver.quit()


def typed_date(driver: Any, iso: str) -> str:
    """The keys that type the ISO date `iso` into a native date input: in the order of the
    browser's locale (headless Chromium's is month/day/year, whatever the page's language)."""
    year, month, day = iso.split("-")
    order = driver.execute_script(
        "return new Intl.DateTimeFormat(navigator.language).formatToParts(new Date(2024, 5, 1))"
        ".map((p) => p.type).filter((t) => t !== 'literal').join();"
    )
    parts = {"year": year, "month": month, "day": day}
    return "".join(parts[name] for name in order.split(","))


def wait_for(predicate: Callable[[], Any], message: str, timeout: float = 20.0) -> None:
    """Until `predicate()` is true; AssertionError(message) after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(message)


LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
SHOTS = os.environ.get("ATLAS_SHOTS")


def _drain_network(duo) -> None:
    """Move Chrome's performance log into duo.requests."""
    pending = duo.pending  # by request id: a response's events may come in a later drain
    for entry in duo.driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        rid = params.get("requestId")
        if message["method"] == "Network.requestWillBeSent":
            request = params["request"]
            post = request.get("postData", "")
            if request.get("hasPostData") and not post:  # too long for the log
                post = duo.driver.execute_cdp_cmd("Network.getRequestPostData", {"requestId": rid})[
                    "postData"
                ]
            pending[rid] = [request["url"], post, None, rid, None]
            duo.requests.append(pending[rid])
        elif message["method"] == "Network.responseReceived" and rid in pending:
            pending[rid][4] = params["response"].get("status")
            if pending[rid][4] == 204:  # no body, no loadingFinished: the headers' bytes
                pending[rid][2] = int(params["response"].get("encodedDataLength") or 0)
        elif message["method"] == "Network.loadingFinished" and rid in pending:
            pending[rid][2] = params.get("encodedDataLength")
        elif message["method"] == "Network.webSocketCreated":
            duo.requests.append([params["url"], "", None, rid, None])


def _response_body(duo, request) -> bytes:
    """The body of a recorded response (b"" for a 204)."""
    if request[4] == 204:
        return b""
    result = duo.driver.execute_cdp_cmd("Network.getResponseBody", {"requestId": request[3]})
    if result.get("base64Encoded"):
        return base64.b64decode(result["body"])
    return result["body"].encode("utf-8")


def _callback_requests(duo, seen: int) -> list:
    """The callback requests since duo.requests[seen], once every response is in."""

    def requests():
        _drain_network(duo)
        return [r for r in duo.requests[seen:] if "_dash-update-component" in r[0]]

    wait_for(lambda: all(r[2] is not None for r in requests()), "callback responses pending")
    return requests()


def _assert_offline(duo) -> None:
    _drain_network(duo)
    assert duo.requests
    foreign = [
        url
        for url, *_ in duo.requests
        if not url.startswith(("data:", "blob:")) and urlsplit(url).hostname not in LOCAL_HOSTS
    ]
    assert foreign == []


def _assert_no_console_errors(duo) -> None:
    errors = [e for e in duo.get_logs() if e.get("level") == "SEVERE"]
    assert errors == []


GRAPH = "document.querySelector('#{id} .js-plotly-plot')"
# a script's opening lines: `groups`, the drawn SVG group of each trace of the graph `gd`, by
# the trace's index
TRACE_GROUPS_JS = """
const groups = new Map();
gd.querySelectorAll('g.trace').forEach((g) => {
    const cd = g.__data__;
    if (Array.isArray(cd) && cd[0] && cd[0].trace) { groups.set(cd[0].trace.index, g); }
});
"""

# each point of a map's traces of a layer key alone (meta.layers, or meta.layer) on its main geo
# subplot, where the page shows it (the map scrolled into view; the points in the window):
# [trace index, x, y in the viewport, whether the trace is hidden (atlas.js isHidden)]
POINTS_JS = """
const gd = document.querySelector('#' + arguments[1] + ' .js-plotly-plot');
gd.scrollIntoView({block: 'center'});
const geo = gd._fullLayout.geo, size = gd._fullLayout._size, box = gd.getBoundingClientRect();
const left = box.left + size.l + geo.domain.x[0] * size.w;
const top = box.top + size.t + (1 - geo.domain.y[1]) * size.h;
const out = [];
gd.data.forEach((t, i) => {
    const keys = (t.meta && (t.meta.layers || [t.meta.layer])) || [];
    if (!keys.length || !keys.every((key) => key === arguments[0]) || t.type !== 'scattergeo'
        || (t.geo || 'geo') !== 'geo' || !t.hovertemplate) { return; }
    (t.lon || []).forEach((lon, j) => {
        const xy = lon === null ? null : geo._subplot.projection([lon, t.lat[j]]);
        const [x, y] = xy ? [left + xy[0], top + xy[1]] : [-1, -1];
        if (x >= 0 && y >= 0 && x < innerWidth && y < innerHeight) {
            out.push([i, x, y, window.atlasHiding.isHidden(t)]);
        }
    });
});
return out;
"""
# the curves plotly.js reports hovered on a map from now on (window.__hovered)
WATCH_HOVER_JS = """
const gd = document.querySelector('#' + arguments[0] + ' .js-plotly-plot');
window.__hovered = [];
if (!gd.__watchingHover) {
    gd.__watchingHover = true;
    gd.on('plotly_hover', (e) => e.points.forEach((p) => window.__hovered.push(p.curveNumber)));
}
"""


def layer_points(duo, key: str, graph: str = "map") -> list:
    """The points of a map's traces of the layer key `key` alone (POINTS_JS)."""
    return duo.driver.execute_script(POINTS_JS, key, graph)


def hovered_at(duo, points, graph: str = "map") -> set[int]:
    """The traces plotly.js reports hovered when the mouse rests on each of `points`."""
    duo.driver.execute_script(WATCH_HOVER_JS, graph)
    for _, x, y, _ in points:
        actions = ActionBuilder(duo.driver)
        actions.pointer_action.move_to_location(int(x), int(y))
        actions.perform()
        time.sleep(0.1)
    return set(duo.driver.execute_script("return window.__hovered;"))


def _wait_idle(duo, timeout=30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if duo.driver.execute_script("return !!window.store") and duo.redux_state_rqs == []:
            return
        time.sleep(0.1)
    raise AssertionError("callbacks still pending")


def _wait_map(duo, graph="map", timeout=30) -> None:
    """Until the graph has traces and plotly has drawn its geo subplot from the local topojson."""
    script = f"""
        const gd = {GRAPH.format(id=graph)};
        return !!(gd && gd.data && gd.data.length && gd._fullLayout
                  && gd.querySelector('.geo .bglayer, .geo path')
                  && window.PlotlyGeoAssets && Object.keys(window.PlotlyGeoAssets.topojson).length);
    """
    deadline = time.time() + timeout
    while time.time() < deadline:
        if duo.driver.execute_script(script):
            _wait_idle(duo)
            return
        time.sleep(0.2)
    raise AssertionError(f"#{graph} was not drawn")


def _traces(duo, graph="map") -> list[tuple[str, bool]]:
    """(layer key, drawn) of every trace of the drawn figure: its layer, or the layers that
    share it joined by "+" (a label several layers ask for, see figures.trace_layer)."""
    return [
        (layer, drawn({k: v for k, v in style.items() if v is not None}))
        for layer, style in duo.driver.execute_script(
            f"return {GRAPH.format(id=graph)}.data.map(t => ["
            "(t.meta && (t.meta.layers ? t.meta.layers.join('+') : t.meta.layer)) || 'base',"
            " {type: t.type, visible: t.visible, opacity: t.opacity,"
            "  marker: {opacity: t.marker && t.marker.opacity}}]);"
        )
    ]


def _visible_layers(duo) -> set[str]:
    """The layer keys of the drawn traces (those several share joined by "+"), without the
    certainty states a key may be limited to (geodata.certainty)."""
    return {
        "+".join(split_state_key(part)[0] for part in layer.split("+"))
        for layer, visible in _traces(duo)
        if visible
    }


def _query(duo) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(duo.driver.current_url).query, keep_blank_values=True))


def _open(duo, query: str) -> None:
    duo.driver.get(duo.server_url + "/" + query)
    _wait_map(duo)


def _shot(duo, name: str) -> None:
    """A full-page screenshot into $ATLAS_SHOTS (when set)."""
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    time.sleep(0.5)
    width, height = duo.driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.scrollHeight];"
    )
    shot = duo.driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        },
    )
    (Path(SHOTS) / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))
