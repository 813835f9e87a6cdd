"""The Dash app: `create_app(lang=...)`, and `server` (the Flask app) for WSGI servers.

    gunicorn 'dashboard.app:server'        # or: alliance-atlas serve

Everything the page loads comes from this server: Dash's own JavaScript (serve_locally),
plotly.js's geo bundle, the CSS and the plotly base-map topojson (plotly's `topojsonURL` points
at its content-hashed folder), compressed and cached as dashboard.delivery says; no web fonts, no
CDN, no MathJax, no map tiles.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from dash import Dash
from dash._utils import to_json
from flask import Response, has_request_context, request
from werkzeug.exceptions import HTTPException

from dashboard.callbacks import on_error, register
from dashboard.delivery import Delivery, install_delivery
from dashboard.figures.geo import WORLD_RESOLUTION, basemap_file
from dashboard.jobs import EmbeddedJobs, QueuedJobs, embedded_jobs, shared_secret
from dashboard.layout import INITIAL_MARKS, build_layout
from dashboard.security import install_request_guards, install_security_headers
from dashboard.service import ViewService
from geodata.atlas import Atlas, load_atlas
from geodata.scenario import LANGS, Scenario, load_presets

logger = logging.getLogger(__name__)
ASSETS_DIR = Path(__file__).parent / "assets"
TOPOJSON_DIR = "topojson/"
# What the map needs before it can draw, fetched while dash-renderer starts: otherwise plotly.js
# is only asked for once the layout has rendered the Graph, and the base map only once plotly.js
# has run. Their URLs are the ones dcc's lazy loader and plotly.js ask for, so the browser uses the
# preloaded responses (tests/dashboard/test_browser.py checks each is fetched once). The base map
# is the one of the page's view (1:110m or 1:50m), so its link is written for each page.
PRELOADED_SCRIPTS = (
    "_dash-component-suites/dash/dcc/async-graph.js",
    "_dash-component-suites/plotly/package_data/plotly.min.js",
)
BASE_MAP_PRELOAD_MARK = "<!--alliance-atlas:base-map-preload-->"

_INDEX = """<!DOCTYPE html>
<html lang="{lang}">
    <head>
        {{%metas%}}
        <title>{{%title%}}</title>
        {{%favicon%}}
        {{%css%}}
        {preloads}
    </head>
    <body>
        <noscript>Alliance Atlas needs JavaScript. / Alliance Atlas には JavaScript が必要です。</noscript>
        {{%app_entry%}}
        {{%config%}}
        {{%scripts%}}
        {{%renderer%}}
    </body>
</html>"""


class AtlasDash(Dash):
    """Dash whose page and layout response are already those of the page's URL (and the
    language of plotly's own texts on the page's graphs).

    The page asks for its layout with the page's address as Referer (Referrer-Policy
    same-origin), so the first response can carry that view's figure and heading: the browser
    draws the map as soon as plotly.js is ready, instead of after the URL → view → figure
    callbacks, and the heading does not push the page down when they come. The layout is
    serialised once; each response splices the (cached) figure JSON and the heading into it.
    The page itself preloads the base map of its view.
    """

    view_service: ViewService
    delivery: Delivery
    _layout_json: str | None = None

    def interpolate_index(self, **kwargs: Any) -> str:
        """The index page, its <html lang> the language of the URL's `lang=` (when it is one):
        screen readers read the page in the right language from the first paint (a switch
        later sets it in the page, see assets/atlas.js)."""
        if "scripts" in kwargs:  # (regenerator-runtime in place of the polyfill: delivery)
            kwargs["scripts"] = self.delivery.page_scripts(kwargs["scripts"])
        page = super().interpolate_index(**kwargs)
        views = self.view_service.views
        if not has_request_context() or not request.query_string:
            return page
        query = request.query_string.decode("utf-8", "replace")
        lang = views.parse_search(f"?{query}")[0].lang  # as the view will have it
        if lang != views.default_lang:
            page = page.replace(f'<html lang="{views.default_lang}">', f'<html lang="{lang}">', 1)
        return page

    def serve_layout(self) -> Any:
        if self._layout_json is None:
            self._layout_json = to_json(self.get_layout())
        try:
            first = self.view_service.first_layout(request.referrer)
        except Exception as error:  # never fail the page for it: the callbacks draw it
            referrer = (request.referrer or "")[:200]
            logger.warning("no initial map for %r: %s", referrer, type(error).__name__)
            first = self.view_service.first_layout(None)
        body = self._layout_json
        for key, text in first.items():  # (the locale is in both graphs' config)
            body = body.replace(json.dumps(INITIAL_MARKS[key]), text)
        return Response(body, mimetype="application/json")

    def index(self, *args: Any, **kwargs: Any) -> Any:
        page = super().index(*args, **kwargs)
        return page.replace(BASE_MAP_PRELOAD_MARK, self._base_map_preload(), 1)

    def _base_map_preload(self) -> str:
        """The preload links of the base maps the page's view draws (its main map's, and an
        inset's)."""
        try:
            scenario = self.view_service.page_view(request.url)
            basemaps = self.view_service.maps.basemaps(scenario) if scenario else ()
        except Exception as error:  # a guess costs one more request, never the page
            logger.warning("no base map for %r: %s", request.url[:200], type(error).__name__)
            basemaps = ()
        return "".join(
            '<link rel="preload" as="fetch" crossorigin="anonymous" '
            f'href="{self.delivery.topojson_file(name)}">'
            for name in basemaps or (basemap_file(WORLD_RESOLUTION),)
        )


def create_app(
    lang: str = "ja",
    *,
    atlas: Atlas | None = None,
    presets: dict[str, Scenario] | None = None,
    jobs: EmbeddedJobs | QueuedJobs | None = None,
) -> Dash:
    """A new dashboard app whose default language (for URLs without `lang=`) is `lang`; its
    exports run as `jobs`' background jobs (default: job processes on this machine)."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    atlas = atlas if atlas is not None else load_atlas()
    presets = presets if presets is not None else load_presets()
    jobs = jobs if jobs is not None else embedded_jobs()
    app = AtlasDash(
        __name__,
        background_callback_manager=jobs,
        title="Alliance Atlas",
        update_title=None,
        assets_folder=str(ASSETS_DIR),
        serve_locally=True,
        include_assets_files=True,
        compress=False,
        meta_tags=[
            {"name": "viewport", "content": "width=device-width, initial-scale=1"},
            {
                "name": "description",
                "content": "A cited, filterable map of a policy article on NATO's 2024 "
                "Washington summit.",
            },
        ],
        on_error=on_error,
    )
    app.scripts.config.serve_locally = True
    app.css.config.serve_locally = True
    app.index_string = _INDEX.format(lang=lang, preloads=_preload_links(app))
    service = ViewService(atlas, presets, lang)
    app.delivery = install_delivery(app)
    app.layout = build_layout(atlas, presets, lang, app.delivery.topojson_url)
    if isinstance(jobs, QueuedJobs):  # every dashboard on the queue signs job handles alike
        app.server.secret_key = shared_secret(jobs)
    register(app, service, jobs)
    app.view_service = service  # for servers, tests and tools
    app.export_jobs = jobs  # type: ignore[attr-defined]
    _plain_errors(app.server)
    install_security_headers(app.server, app)
    install_request_guards(app.server)
    return app


def _preload_links(app: Dash) -> str:
    """<link rel=preload> tags for plotly.js and dcc's Graph chunk, and the place of the
    base-map topojson's (which plotly.js reads with an XMLHttpRequest: a CORS-mode fetch, hence
    `crossorigin`; see AtlasDash._base_map_preload)."""
    scripts = [app.get_relative_path(f"/{path}") for path in PRELOADED_SCRIPTS]
    links = [f'<link rel="preload" as="script" href="{href}">' for href in scripts]
    links.append(BASE_MAP_PRELOAD_MARK)
    return "\n        ".join(links)


def _plain_errors(server: Any) -> None:
    """Errors are short plain-text answers and one log line: never a traceback, whatever the
    debug setting (`serve --debug` runs with Dash's traceback page off, and this handler)."""

    @server.errorhandler(500)
    def _internal_error(_error: Exception) -> Response:
        if request.path.endswith("/_dash-update-component"):
            # the page never sends a callback request Dash cannot route: a malformed request
            return Response("Bad callback request.\n", status=400, mimetype="text/plain")
        return Response(
            "Internal error: the request could not be handled.\n",
            status=500,
            mimetype="text/plain",
        )

    @server.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        if isinstance(error, HTTPException):  # 404, 405, 413…: their own plain answers
            return error
        # a request that broke Dash's own handling: one line, not Flask's traceback
        logger.warning(
            "refused %s %s: %s", request.method, request.path[:200], type(error).__name__
        )
        return _internal_error(error)


_server: Any = None


def __getattr__(name: str) -> Any:
    """`server`, built on first use (so importing this module stays cheap)."""
    global _server
    if name == "server":
        if _server is None:
            _server = create_app().server
        return _server
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
