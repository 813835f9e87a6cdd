"""How the dashboard's server delivers what the page loads: as little and as rarely as it can.

    delivery = install_delivery(app)        # in create_app, once Dash's routes exist
    delivery.topojson_url                   # dcc.Graph's `topojsonURL` (content-hashed folder)
    delivery.warm()                         # compress the large static bodies (before a fork)

- plotly.js: the geo bundle of the same version (npm `plotly.js-geo-dist-min`, installed by
  scripts/setup.sh into node_modules/, never committed: the views draw only choropleth and
  scattergeo traces) is served at the URL dcc.Graph loads plotly.js from, when its header names
  the version plotly.py bundles; else the full bundle, with a warning.
- Every script of the component suites (plotly.js, React, dash-renderer, dcc, dbc…) goes out
  with V8's explicit compile hint as its first line (COMPILE_HINT): Chromium then compiles its
  functions while it streams the script in, on a background thread, instead of on the main
  thread the first time each runs. For plotly.js (Lighthouse desktop, 5 runs each): blocking
  time 240-272 -> 126-187 ms, performance 0.85-0.90 -> 0.92-0.94; in headless Chromium the long
  task of its evaluation (126-143 ms) fell under 55 ms, the first drawing's from 211-225 to
  173-185 ms. Dash's own bundles too (6 runs each, alternating): blocking time 122-151 (median
  134) -> 95-156 (median 120) ms; React's first render ~15 ms shorter. Other browsers read a
  comment.
- No @babel/polyfill: the page loads regenerator-runtime (npm, installed with the geo bundle)
  in its place, the one part of it dash-renderer, dcc and dbc use (`regeneratorRuntime`); the
  browsers the page runs in have the rest natively, and its 99 KB replaced some of their native
  functions (String.prototype.trim showed in a layer toggle's profile). A cold load transfers
  27 KB less; Lighthouse's blocking time did not change (the long task it credited to the
  polyfill is dash-renderer's first render, now credited to React). Without the npm file the
  polyfill stays, with a warning.
- The base maps (plotly's world_110m / world_50m topojson, and the inset's europe_50m cut from the
  latter: scripts/make_inset_basemap.py) under a folder named by their content
  hash: plotly.js appends the file name to `topojsonURL` itself, so the fingerprint goes into the
  folder. Cached for a year, immutable.
- Compression (flask-compress: brotli, else gzip) of every text response: the page, the layout,
  the callbacks, the scripts. The compressed bodies of the static files are kept (computed once
  per process); dynamic responses are compressed as they go. Streamed responses other than the
  assets folder's files, partial (206) responses and whatever already has an encoding are left
  as they are: a download streamed to the browser keeps its length and its bytes.
- Cache headers: `public, max-age=31536000, immutable` for every fingerprinted URL (Dash's
  component suites `….v4_4_1m….js`, the assets' `?m=<mtime>`, the favicon's `?v=`, the base
  maps); `no-cache` with an ETag (a 304 when unchanged) for every other GET; `no-store` for the
  callbacks.
- A 404 for every path that is not the page (Dash answers any GET with the page, for Dash Pages;
  the dashboard is one page whose view is its query), and a robots.txt.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from dash import Dash
from dash.fingerprint import check_fingerprint
from flask import Flask, Response, abort, request
from flask_compress import Compress

from dashboard.figures.inset import INSET_BASEMAP

logger = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[1]
GEO_BUNDLE = REPO / "node_modules" / "plotly.js-geo-dist-min" / "plotly-geo.min.js"
RUNTIME_SCRIPT = REPO / "node_modules" / "regenerator-runtime" / "runtime.js"
RUNTIME_ROUTE = "_atlas/scripts/"
# the script tag of Dash's @babel/polyfill in the page (fingerprinted: polyfill@7.v<…>.min.js)
_POLYFILL_TAG = re.compile(r'<script src="[^"]*/_dash-component-suites/dash/deps/polyfill@[^"]*">')
TOPOJSON_DIR = Path(__file__).parent / "assets" / "topojson"
TOPOJSON_NAMES = ("world_110m", "world_50m", INSET_BASEMAP)
TOPOJSON_ROUTE = "_atlas/topojson/"

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
NOT_STORED = "no-store"
SUITES = "_dash-component-suites/"
# where dcc.Graph loads plotly.js from when scripts are served locally (dash-renderer sets
# window._dashPlotlyJSURL to it; dcc's Graph adds a <script> of it unless window.Plotly exists)
PLOTLY_PATH = SUITES + "plotly/package_data/plotly.min.js"
ASSETS_ENDPOINT = "_dash_assets.static"
ROBOTS = "User-agent: *\nDisallow: /\n"
COMPRESSION = {
    "COMPRESS_REGISTER": False,  # called by this module's own after_request hook
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_BR_LEVEL": 4,  # ~4x smaller scripts at ~30 MB/s; level 11 is 100x slower
    "COMPRESS_LEVEL": 6,
    "COMPRESS_ALGORITHM_STREAMING": ["br", "deflate"],  # the assets folder's files (send_file)
    "COMPRESS_STREAMING_ENDPOINT_CONDITIONAL": [ASSETS_ENDPOINT],  # their 304s
}
# V8's magic comment (Chromium 136+): compile every function of the script eagerly, while the
# script streams in (off the main thread)
COMPILE_HINT = b"//# allFunctionsCalledOnLoad\n"
_BUNDLE_VERSION = re.compile(rb"plotly\.js(?: \([^)]*\))? v(\d+\.\d+\.\d+)")
_EXTENSION = "alliance_atlas_delivery"


def bundle_version(script: bytes) -> str | None:
    """The plotly.js version its bundle's header comment names."""
    match = _BUNDLE_VERSION.search(script[:400])
    return match.group(1).decode() if match else None


def plotly_bundle(path: Path = GEO_BUNDLE) -> bytes | None:
    """The geo bundle's script when it is installed and of plotly.py's plotly.js version (None,
    with a warning, when the full bundle has to be served instead)."""
    from plotly.offline import get_plotlyjs_version

    if not path.is_file():
        logger.warning(
            "plotly.js geo bundle not found at %s (run scripts/setup.sh): serving the full "
            "bundle (4.8 MB)",
            path,
        )
        return None
    script = path.read_bytes()
    found, wanted = bundle_version(script), get_plotlyjs_version()
    if found != wanted:
        logger.warning(
            "plotly.js geo bundle %s is v%s, plotly.py bundles v%s (update package.json): "
            "serving the full bundle",
            path,
            found,
            wanted,
        )
        return None
    return script


def content_hash(paths: list[Path]) -> str:
    """12 hex digits of the SHA-256 of the files' bytes, in order."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


class StaticBodies:
    """flask-compress's cache, keeping only the static files' compressed bodies (it asks the
    cache for every response it compresses; `_cache_key` marks the dynamic ones)."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        return self.data.get(key)

    def set(self, key: str, value: bytes) -> None:
        if not key.endswith(";dynamic"):
            with self._lock:
                self.data[key] = value


def _is_static(path: str, prefix: str) -> bool:
    return path.startswith((prefix + SUITES, prefix + TOPOJSON_ROUTE, prefix + RUNTIME_ROUTE))


@dataclass
class Delivery:
    """What install_delivery set up on one server."""

    server: Flask
    prefix: str  # routes_pathname_prefix
    fingerprint: str  # the base maps' content hash (their folder's name)
    topojson_url: str  # requests_pathname_prefix + the base maps' folder
    plotly_script: bytes | None  # the geo bundle, when it is served
    runtime_url: str | None  # regenerator-runtime's, when it is served instead of the polyfill
    compress: Compress = field(repr=False)

    def page_scripts(self, scripts: str) -> str:
        """The page's script tags, regenerator-runtime's in place of the polyfill's."""
        if self.runtime_url is None:
            return scripts
        return _POLYFILL_TAG.sub(f'<script src="{self.runtime_url}">', scripts, count=1)

    def topojson_file(self, name: str) -> str:
        """The URL plotly.js asks for a base map's file (geo.basemap_file)."""
        return f"{self.topojson_url}{name}.json"

    def warm(self) -> int:
        """Compress the large static bodies (the plotly.js bundle, the base maps) in every
        encoding now, e.g. before workers fork so that they share them; returns how many."""
        paths = [
            f"{self.prefix}{TOPOJSON_ROUTE}{self.fingerprint}/{name}.json"
            for name in TOPOJSON_NAMES
        ]
        if self.plotly_script is not None:
            paths.append(self.prefix + PLOTLY_PATH)
        client = self.server.test_client()
        count = 0
        for path in paths:
            for encoding in COMPRESSION["COMPRESS_ALGORITHM"]:
                response = client.get(path, headers={"Accept-Encoding": encoding})
                count += response.headers.get("Content-Encoding") == encoding
        return count


def install_delivery(app: Dash) -> Delivery:
    """Wire compression, cache headers, the base maps, the plotly.js bundle and the 404s into
    `app`'s server (once: a second call returns the first's Delivery)."""
    server = app.server
    if _EXTENSION in server.extensions:
        return server.extensions[_EXTENSION]
    prefix = app.config.routes_pathname_prefix
    server.config.update(
        COMPRESSION,
        COMPRESS_CACHE_BACKEND=StaticBodies,
        COMPRESS_CACHE_KEY=lambda req: (
            req.path
            if req.method == "GET" and _is_static(req.path, prefix)
            else f"{req.path};dynamic"
        ),
    )
    compress = Compress(server)

    # the base maps, under their content hash
    files = [TOPOJSON_DIR / f"{name}.json" for name in TOPOJSON_NAMES]
    fingerprint = content_hash(files)
    topojson = {name: path.read_bytes() for name, path in zip(TOPOJSON_NAMES, files, strict=True)}

    def serve_topojson(folder: str, name: str) -> Response:
        if folder != fingerprint or name not in topojson:
            abort(404)
        response = Response(topojson[name], mimetype="application/json")
        response.headers["Cache-Control"] = IMMUTABLE
        return response

    server.add_url_rule(
        f"{prefix}{TOPOJSON_ROUTE}<folder>/<name>.json",
        "atlas_topojson",
        serve_topojson,
        methods=["GET"],
    )

    # plotly.js: the geo bundle at dcc's URL (a rule without variables: werkzeug matches it
    # before Dash's /_dash-component-suites/<package>/<path> rule)
    script = plotly_bundle(GEO_BUNDLE)
    if script is not None:
        etag = hashlib.sha256(script).hexdigest()[:32]

        def serve_plotly() -> Response:
            response = Response(script, mimetype="text/javascript")
            response.set_etag(etag)
            return response

        server.add_url_rule(prefix + PLOTLY_PATH, "atlas_plotly", serve_plotly, methods=["GET"])

    # regenerator-runtime, under its content hash (the page's script in place of the polyfill)
    runtime_url = None
    if RUNTIME_SCRIPT.is_file():
        runtime = RUNTIME_SCRIPT.read_bytes()
        runtime_hash = content_hash([RUNTIME_SCRIPT])

        def serve_runtime(folder: str) -> Response:
            if folder != runtime_hash:
                abort(404)
            return Response(runtime, mimetype="text/javascript")

        server.add_url_rule(
            f"{prefix}{RUNTIME_ROUTE}<folder>/regenerator-runtime.js",
            "atlas_runtime",
            serve_runtime,
            methods=["GET"],
        )
        runtime_url = app.get_relative_path(
            f"/{RUNTIME_ROUTE}{runtime_hash}/regenerator-runtime.js"
        )
    else:
        logger.warning(
            "regenerator-runtime not found at %s (run scripts/setup.sh): the page loads Dash's "
            "@babel/polyfill",
            RUNTIME_SCRIPT,
        )

    # a 404 for every path that is not the page: Dash's catch-all answers them with the page
    def not_the_page(path: str) -> Response:
        if path == "robots.txt":
            return Response(ROBOTS, mimetype="text/plain")
        return Response("Not found.\n", status=404, mimetype="text/plain")

    server.view_functions[prefix + "<path:path>"] = not_the_page

    @server.after_request
    def _deliver(response: Response) -> Response:
        _cache_headers(response, prefix)
        if _is_suite_script(response, prefix):
            response.set_data(COMPILE_HINT + response.get_data())
        if _compressible(response):
            response = compress.after_request(response)  # a 304 if the client has this encoding
        if request.method in ("GET", "HEAD") and not response.is_streamed:
            response.make_conditional(request)  # (uncompressed: a 304 if it has the bytes)
        return response

    delivery = Delivery(
        server,
        prefix,
        fingerprint,
        app.get_relative_path(f"/{TOPOJSON_ROUTE}{fingerprint}/"),
        script,
        runtime_url,
        compress,
    )
    server.extensions[_EXTENSION] = delivery
    return delivery


def _fingerprinted(path: str, prefix: str) -> bool:
    """Whether a GET's URL names one version of its file for good."""
    if path.startswith(prefix + SUITES):
        return check_fingerprint(path)[1]
    if path.startswith((prefix + TOPOJSON_ROUTE, prefix + RUNTIME_ROUTE)):
        return True
    if path.startswith(prefix + "assets/"):
        return "m" in request.args  # Dash's ?m=<modification time>
    return path == prefix + "_favicon.ico" and "v" in request.args  # Dash's ?v=<version>


def _cache_headers(response: Response, prefix: str) -> None:
    if request.method not in ("GET", "HEAD"):
        response.headers.setdefault("Cache-Control", NOT_STORED)
        return
    if response.status_code != 200:
        return
    if _fingerprinted(request.path, prefix):
        response.headers["Cache-Control"] = IMMUTABLE
        return
    response.headers["Cache-Control"] = REVALIDATE
    if not response.is_streamed and response.get_etag()[0] is None:
        response.add_etag()  # the page, the layout, the dependencies


def _is_suite_script(response: Response, prefix: str) -> bool:
    """Whether this is a whole script of the component suites (what gets COMPILE_HINT)."""
    return (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and not response.is_streamed
        and request.path.startswith(prefix + SUITES)
        and request.path.endswith(".js")
    )


def _compressible(response: Response) -> bool:
    """Whether flask-compress may encode this response (it also checks the type and size)."""
    if response.status_code == 206 or "Content-Range" in response.headers:
        return False
    if response.is_streamed or response.direct_passthrough:
        return request.endpoint == ASSETS_ENDPOINT
    return True
