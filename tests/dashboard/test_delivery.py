"""How the server delivers the page (dashboard.delivery), as an HTTP client sees it: what is
compressed and what is not, the cache headers, plotly.js's geo bundle, the base maps under their
content hash, the preload of the view's base map and a 404 for what is not the page.
(tests/dashboard/test_browser.py checks the same from Chromium.)"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import pkgutil
import re
from pathlib import Path
from urllib.parse import urlsplit

import brotli
import pytest
from dash.fingerprint import check_fingerprint
from flask import Response, send_file
from locations import REPO
from plotly.offline import get_plotlyjs_version

from dashboard import delivery
from dashboard.app import ASSETS_DIR, create_app
from dashboard.delivery import (
    COMPILE_HINT,
    GEO_BUNDLE,
    IMMUTABLE,
    PLOTLY_PATH,
    RUNTIME_SCRIPT,
    SUITES,
    bundle_version,
    plotly_bundle,
)

PLOTLY_URL = "/" + PLOTLY_PATH
SUITE_RE = re.compile(r'<script src="(/_dash-component-suites/[^"]+)"')
DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


@pytest.fixture(scope="module")
def fresh(atlas, presets):
    """An app of this module's own, whose routes the tests may add to."""
    return create_app(atlas=atlas, presets=presets)


def _callback(client, service, headers):
    """The render callback's request for the default view (the map's whole figure)."""
    view = service.views.view_data(service.views.default_scenario())
    body = {
        "output": "..map.figure...rendered.data...map.config..",
        "outputs": [
            {"id": "map", "property": "figure"},
            {"id": "rendered", "property": "data"},
            {"id": "map", "property": "config"},
        ],
        "inputs": [{"id": "map-view", "property": "data", "value": view}],
        "state": [{"id": "rendered", "property": "data", "value": None}],
        "changedPropIds": ["map-view.data"],
    }
    return client.post("/_dash-update-component", json=body, headers=headers)


def _page_requests(app, client):
    """(name, how to request it) of what a page load asks for."""
    page = client.get("/").get_data(as_text=True)
    suites = SUITE_RE.findall(page)
    dcc = next(s for s in suites if "dash_core_components." in s)
    referer = {"Referer": "http://localhost/?scenario=threats_360"}
    return {
        "page": lambda h: client.get("/", headers=h),
        "layout": lambda h: client.get("/_dash-layout", headers=h | referer),
        "dependencies": lambda h: client.get("/_dash-dependencies", headers=h),
        "component suite": lambda h: client.get(dcc, headers=h),
        "plotly.js": lambda h: client.get(PLOTLY_URL, headers=h),
        "base map": lambda h: client.get(app.delivery.topojson_file("world_110m"), headers=h),
        "callback": lambda h: _callback(client, app.view_service, h),
    }


@pytest.mark.parametrize(
    "name",
    ["page", "layout", "dependencies", "component suite", "plotly.js", "base map", "callback"],
)
def test_text_responses_are_compressed_when_the_client_asks(app, client, name):
    """brotli when the client takes it, else gzip, else the bytes as they are; the same body
    whichever it gets (Vary says the encoding depends on the request)."""
    request = _page_requests(app, client)[name]
    plain = request({"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    for asked, encoding in (("gzip, deflate, br, zstd", "br"), ("gzip, deflate", "gzip")):
        response = request({"Accept-Encoding": asked})
        assert response.headers.get("Content-Encoding") == encoding, asked
        assert "Accept-Encoding" in response.headers["Vary"]
        body = DECODE[encoding](response.data)
        if name in ("page", "callback"):  # the page's config and Dash's callback ids vary
            assert len(response.data) < 0.5 * len(body)
        else:
            assert body == plain.data
            assert len(response.data) < 0.4 * len(body), (name, len(response.data), len(body))


def test_fingerprinted_files_are_cached_for_good_and_the_rest_revalidates(app, client):
    page = client.get("/").get_data(as_text=True)
    fingerprinted = [
        *SUITE_RE.findall(page),
        *re.findall(r'(/assets/[^"]+\?m=[0-9.]+)', page),
        *re.findall(r'href="(/_favicon\.ico\?v=[^"]+)"', page),
        app.delivery.topojson_file("world_110m"),
        app.delivery.topojson_file("world_50m"),
        app.delivery.topojson_file("europe_50m"),
    ]
    assert len(fingerprinted) >= 8
    for url in fingerprinted:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == IMMUTABLE, url
    # whatever carries no version in its URL: revalidated (ETag, a 304 when unchanged)
    for url in (
        "/_dash-component-suites/dash/dcc/async-graph.js",
        PLOTLY_URL,
        "/_dash-dependencies",
        "/assets/style.css",
        "/_dash-layout",
    ):
        for encoding in ("br", "identity"):
            response = client.get(url, headers={"Accept-Encoding": encoding})
            assert response.headers["Cache-Control"] == "no-cache", url
            etag = response.headers["ETag"]
            again = client.get(url, headers={"Accept-Encoding": encoding, "If-None-Match": etag})
            assert again.status_code == 304, (url, encoding)
    assert _callback(client, app.view_service, {}).headers["Cache-Control"] == "no-store"


def test_the_base_maps_are_served_under_their_content_hash(app, client):
    folder = app.delivery.topojson_url
    digest = hashlib.sha256()
    for name in ("world_110m", "world_50m", "europe_50m"):
        digest.update((ASSETS_DIR / "topojson" / f"{name}.json").read_bytes())
    assert folder == f"/_atlas/topojson/{digest.hexdigest()[:12]}/"
    for name in ("world_110m", "world_50m", "europe_50m"):
        response = client.get(app.delivery.topojson_file(name))
        assert response.mimetype == "application/json"
        assert json.loads(response.data)["objects"]["countries"]["type"] == "GeometryCollection"
    for url in ("/_atlas/topojson/000000000000/world_110m.json", f"{folder}world_10m.json"):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("query", "resolution"),
    [
        ("", 110),
        ("?scenario=threats_360", 110),
        ("?focus=JPN", 50),
        ("?scenario=ukraine_support", 50),
    ],
)
def test_the_page_preloads_the_base_map_of_its_view(app, client, query, resolution):
    """The main map's base map (1:110m for a world view, 1:50m zoomed in), and the 1:50m one of
    the Europe inset (europe_50m) when the map has it: each base map the page's map draws, once."""
    scenario = app.view_service.page_view("http://localhost/" + query)
    layout = app.view_service.maps.figure(scenario)["layout"]
    assert layout["geo"]["resolution"] == resolution
    drawn = {f"world_{resolution}m"}
    if "geo2" in layout:
        assert (layout["geo2"]["resolution"], layout["geo2"]["scope"]) == (50, "europe")
        drawn.add("europe_50m")
    app.view_service.maps.cache.clear()  # also when the map is not built yet
    for _ in range(2):
        page = client.get("/" + query).get_data(as_text=True)
        preloads = re.findall(
            r'<link rel="preload" as="fetch" crossorigin="anonymous" href="([^"]+)"', page
        )
        assert sorted(preloads) == sorted(app.delivery.topojson_file(r) for r in drawn)


@pytest.mark.parametrize(
    "path",
    [
        "/favicon.ico",
        "/foo/bar",
        "/index.html",
        "/assets/nope.js",
        "/_dash-component-suites/dash/..%2f..%2fetc%2fpasswd",
        "/_atlas/nothing",
    ],
)
def test_what_is_not_the_page_is_a_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"Alliance Atlas" not in response.data and b"_dash-config" not in response.data


def test_the_page_and_robots_txt_are_served(client):
    for query in ("/", "/?scenario=threats_360&lang=en", "/?layers=bogus"):
        response = client.get(query)
        assert response.status_code == 200 and b"_dash-config" in response.data
    robots = client.get("/robots.txt")
    assert robots.status_code == 200 and robots.mimetype == "text/plain"
    assert robots.get_data(as_text=True).splitlines() == ["User-agent: *", "Disallow: /"]


def test_dcc_gets_the_geo_bundle_of_plotlys_own_version(client):
    """The bundle dcc.Graph loads is the geo one, of the version plotly.py bundles (an upgrade
    of plotly must move package.json's pin with it: this fails until it does), under V8's
    compile hint: its first line, as V8 reads magic comments."""
    pinned = json.loads((REPO / "package.json").read_text())["dependencies"]
    assert pinned["plotly.js-geo-dist-min"] == get_plotlyjs_version()
    assert GEO_BUNDLE.is_file(), "run scripts/setup.sh (npm ci installs the geo bundle)"
    script = client.get(PLOTLY_URL, headers={"Accept-Encoding": "identity"}).data
    hint, bundle = script.split(b"\n", 1)
    assert hint == b"//# allFunctionsCalledOnLoad"
    assert bundle == GEO_BUNDLE.read_bytes()
    assert b"plotly.js (geo - minified)" in script[:200]
    assert bundle_version(script) == get_plotlyjs_version()
    assert len(script) < 0.35 * len(_full_bundle())


def test_every_script_of_the_page_has_the_compile_hint_first(client):
    """Every script the page loads from the component suites (React, dash-renderer, dcc, dbc,
    plotly.js) is its package's file under V8's compile hint, its first line (as V8 reads magic
    comments), compressed or not; other files keep their bytes."""
    scripts = SUITE_RE.findall(client.get("/").get_data(as_text=True))
    assert len(scripts) >= 6
    for url in scripts:
        plain = client.get(url, headers={"Accept-Encoding": "identity"}).data
        assert plain.startswith(COMPILE_HINT), url
        package, path = urlsplit(url).path.split(SUITES, 1)[1].split("/", 1)
        if url != PLOTLY_URL:  # (the geo bundle: see above)
            original = pkgutil.get_data(package, check_fingerprint(path)[0])
            assert plain == COMPILE_HINT + original, url
        compressed = client.get(url, headers={"Accept-Encoding": "br"})
        assert brotli.decompress(compressed.data) == plain, url
    css = client.get("/assets/style.css", headers={"Accept-Encoding": "identity"}).data
    assert css == (ASSETS_DIR / "style.css").read_bytes()


def _full_bundle() -> bytes:
    import plotly

    return (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes()


@pytest.mark.parametrize("header", [None, b"/**\n* plotly.js (geo - minified) v3.0.0\n*/\n"])
def test_without_a_matching_geo_bundle_the_full_one_is_served(
    atlas, presets, tmp_path, caplog, monkeypatch, header
):
    bundle = tmp_path / "plotly-geo.min.js"
    if header is not None:
        bundle.write_bytes(header + b"window.Plotly = {};\n")
    with caplog.at_level(logging.WARNING, logger="dashboard.delivery"):
        assert plotly_bundle(bundle) is None
    assert "serving the full bundle" in caplog.text
    monkeypatch.setattr(delivery, "GEO_BUNDLE", bundle)
    app = create_app(atlas=atlas, presets=presets)
    assert app.delivery.plotly_script is None
    response = app.server.test_client().get(PLOTLY_URL, headers={"Accept-Encoding": "identity"})
    assert response.data == COMPILE_HINT + _full_bundle()


def test_the_page_loads_regenerator_runtime_instead_of_the_polyfill(client):
    """Dash's @babel/polyfill is not loaded: regenerator-runtime (the part of it Dash's bundles
    use) comes first in its place, under its content hash, cached for good and compressed."""
    assert RUNTIME_SCRIPT.is_file(), "run scripts/setup.sh (npm ci installs regenerator-runtime)"
    page = client.get("/").get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert not [src for src in scripts if "polyfill" in src]
    assert scripts[0].endswith("/regenerator-runtime.js")
    folder = scripts[0].split("/")[-2]
    assert folder == hashlib.sha256(RUNTIME_SCRIPT.read_bytes()).hexdigest()[:12]
    response = client.get(scripts[0], headers={"Accept-Encoding": "br"})
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert brotli.decompress(response.data) == RUNTIME_SCRIPT.read_bytes()
    assert b"regeneratorRuntime" in RUNTIME_SCRIPT.read_bytes()
    assert client.get(scripts[0].replace(folder, "0" * 12)).status_code == 404


def test_without_regenerator_runtime_the_page_keeps_the_polyfill(
    atlas, presets, tmp_path, caplog, monkeypatch
):
    monkeypatch.setattr(delivery, "RUNTIME_SCRIPT", tmp_path / "runtime.js")
    with caplog.at_level(logging.WARNING, logger="dashboard.delivery"):
        app = create_app(atlas=atlas, presets=presets)
    assert "regenerator-runtime not found" in caplog.text
    page = app.server.test_client().get("/").get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert "/polyfill@" in scripts[0] and not [s for s in scripts if "regenerator" in s]


def test_streamed_and_partial_responses_keep_their_bytes(fresh):
    """A download streamed to the browser (an export, say) is not re-encoded: it keeps its
    length and bytes; nor is a partial (Range) response, which would be corrupted."""
    text = "x" * 50_000
    server = fresh.server

    @server.route("/_test/stream")
    def stream() -> Response:
        response = Response(text[i : i + 1000] for i in range(0, len(text), 1000))
        response.mimetype = "text/plain"
        response.headers["Content-Disposition"] = "attachment; filename=view.txt"
        response.headers["Content-Length"] = str(len(text))
        return response

    @server.route("/_test/file")
    def file() -> Response:
        return send_file(ASSETS_DIR / "style.css", conditional=True)

    client = server.test_client()
    asked = {"Accept-Encoding": "br, gzip"}
    response = client.get("/_test/stream", headers=asked)
    assert "Content-Encoding" not in response.headers
    assert response.headers["Content-Length"] == str(len(text)) and response.data == text.encode()
    response = client.get("/_test/file", headers=asked | {"Range": "bytes=0-99"})
    assert response.status_code == 206 and "Content-Encoding" not in response.headers
    assert response.data == (ASSETS_DIR / "style.css").read_bytes()[:100]
    # the assets folder's own files are compressed as they stream, and revalidate
    css = client.get("/assets/style.css", headers=asked)
    assert css.headers["Content-Encoding"] == "br"
    assert brotli.decompress(css.data) == (ASSETS_DIR / "style.css").read_bytes()
    again = client.get("/assets/style.css", headers=asked | {"If-None-Match": css.headers["ETag"]})
    assert again.status_code == 304


def test_warm_compresses_the_large_static_files_once(fresh):
    """Before workers fork, the server compresses plotly.js and the base maps in both
    encodings; later requests take the kept bodies."""
    served = fresh.delivery
    assert served.warm() == 8
    kept = served.compress.cache.data
    assert {key.split(";", 1)[0] for key in kept} == {"br", "gzip"}
    assert {key.split(";", 1)[1] for key in kept} == {
        served.topojson_file("world_110m"),
        served.topojson_file("world_50m"),
        served.topojson_file("europe_50m"),
        PLOTLY_URL,
    }
    # dynamic responses are never kept (the layout depends on the page's address)
    client = fresh.server.test_client()
    client.get("/_dash-layout", headers={"Accept-Encoding": "br"})
    assert not any("_dash-layout" in key for key in kept)
