"""The Dash callbacks: wiring of the page's components to the view service, nothing more.

The whole view is one Scenario, kept in the URL query and mirrored in the `view` store. The sync
callback writes both (dashboard.service.actions), and so does a layer, threat-direction or
certainty toggle, which is done in the page (assets/atlas.js, toggleLayers: the figure carries
what it needs) and sends nothing to the server. So the server hears of the address only through `url-request`
(atlas.route: not for the address a toggle wrote), and draws the map from `map-view` (which sync writes with `view`).
The table, the details panel and the comparison are drawn from the `view` store. Each callback
reads its inputs, asks the service, and hands back what it says as Dash's types (components,
Patch, no_update); the clientside callbacks are in assets/atlas.js.
"""

from __future__ import annotations

import logging
from typing import Any

from dash import (
    ALL,
    ClientsideFunction,
    Dash,
    Input,
    Output,
    Patch,
    State,
    ctx,
    dcc,
    no_update,
    set_props,
)
from dash.exceptions import PreventUpdate

from dashboard import components
from dashboard.export.formats import FORMATS as EXPORT_FORMATS
from dashboard.i18n import t
from dashboard.jobs import EmbeddedJobs, QueuedJobs, export_job
from dashboard.service import ViewService
from dashboard.service.controls import CONTROL_PROPS, OPTION_IDS, prop_ids
from dashboard.service.models import KEEP, Edits, Message, Unchanged
from dashboard.service.patches import store_update

logger = logging.getLogger(__name__)

# every output of `sync`, in order
SYNC_OUTPUTS = (
    ("url", "search"),
    *CONTROL_PROPS,
    ("view", "data"),
    ("notice-url", "children"),
    ("notice-error", "children"),
    ("upload-message", "children"),
    ("map-view", "data"),
    ("selected", "data"),
    # the panels that follow the view (see Panels.panels)
    ("view-heading", "data"),
    ("view-title", "children"),
    ("view-description", "children"),
    ("map-summary", "children"),
    ("details", "children"),
    ("details-key", "data"),
    # what asks the table and the comparison to be drawn again (see Panels.requests)
    ("table-request", "data"),
    ("compare-view", "data"),
)
# the controls the page applies itself (see toggleLayers): sync reads them, never waits on them
PAGE_CONTROL_PROPS = (
    ("layers", "value"),
    ("directions", "value"),
    ("basis", "value"),
    ("modality", "value"),
)
SERVER_CONTROLS = tuple(p for p in CONTROL_PROPS if p not in PAGE_CONTROL_PROPS)
# the page's clientside callbacks that hand a value on unchanged (for models of the page that
# run only the server callbacks): the view goes to the table once the map is drawn, the address
# to the server unless a layer toggle wrote it
CLIENTSIDE_COPIES = {
    ("table-request", "data"): ("table-view", "data"),
    ("url", "search"): ("url-request", "data"),
}
EXPORT_POLL_MS = 500  # how often the page asks for an export's progress


def dash_value(value: Any) -> Any:
    """A value from the service as Dash sends it: KEEP as no_update, Edits as a Patch, view
    models as components."""
    if value is KEEP:
        return no_update
    if isinstance(value, Edits):
        patch = Patch()
        for operation in value.operations:
            *path, last = operation["location"]
            node = patch
            for key in path:
                node = node[key]
            if operation["operation"] == "Delete":
                del node[last]
            elif operation["operation"] == "Insert":
                node[last].insert(operation["params"]["index"], operation["params"]["value"])
            else:
                node[last] = operation["params"]["value"]
        return patch
    return components.render(value)


def locale_patch(lang: str) -> Patch:
    """The change of a graph's config that puts plotly's own texts in `lang`."""
    patch = Patch()
    patch["locale"] = lang
    return patch


def on_error(error: Exception) -> None:
    """Any uncaught callback error: one log line (the traceback only at DEBUG level: a hostile
    request must not flood the log), a short notice in plain words, nothing else changes."""
    first_line = (str(error).strip().splitlines() or [""])[0][:200]
    logger.warning("callback refused (%s): %s", type(error).__name__, first_line)
    logger.debug("callback failure", exc_info=error)
    title = f"{t('notices.error', 'ja')} / {t('notices.error', 'en')}"
    set_props("notice-error", {"children": components.message(Message(title, (), "bad"))})


def register(app: Dash, service: ViewService, jobs: EmbeddedJobs | QueuedJobs) -> None:
    """Wire the service to the app's components; exports run as `jobs`' background jobs."""
    views, maps, panels = service.views, service.maps, service.panels

    # the address goes to the server unless it is the view's own (a layer toggle wrote it)
    app.clientside_callback(
        ClientsideFunction("atlas", "route"),
        Output("url-request", "data"),
        Input("url", "search"),
        State("view", "data"),
    )

    @app.callback(
        [Output(cid, prop) for cid, prop in SYNC_OUTPUTS],
        Input("url-request", "data"),
        *(Input(cid, prop) for cid, prop in SERVER_CONTROLS),
        Input("map", "clickData"),
        Input("upload", "contents"),
        Input({"type": "row-focus", "key": ALL}, "n_clicks"),
        Input("details-clear", "n_clicks"),
        Input("sentence-request", "data"),
        Input("read-request", "data"),
        Input("zoom-request", "data"),
        # Dash hands a callback its inputs first, then its states
        *(State(cid, prop) for cid, prop in PAGE_CONTROL_PROPS),
        State("upload", "filename"),
        State("view", "data"),
        State("selected", "data"),
        State("view-title", "children"),
        State("view-description", "children"),
        State("map-summary", "children"),
        State("details-key", "data"),
        State("compare-mode", "value"),
        # the page's address comes through url-request (from the first call of atlas.route)
        prevent_initial_call=True,
    )
    def sync(search, *args):
        server, rest = args[: len(SERVER_CONTROLS)], args[len(SERVER_CONTROLS) :]
        click, contents, _rows, _clear, sentence, read, zoom, *rest = rest
        page, rest = rest[: len(PAGE_CONTROL_PROPS)], rest[len(PAGE_CONTROL_PROPS) :]
        filename, view, selected, *shown, mode = rest
        values = dict(zip(prop_ids(SERVER_CONTROLS), server, strict=True))
        values |= dict(zip(prop_ids(PAGE_CONTROL_PROPS), page, strict=True))
        trigger = ctx.triggered_id if ctx.triggered else None
        if trigger == "url-request":
            trigger = "url"
        requests = {"sentence-request": sentence, "read-request": read, "zoom-request": zoom}
        request = requests.get(trigger) if isinstance(trigger, str) else None  # a row: a dict
        if trigger == "upload" and not contents:
            raise PreventUpdate
        # a new row reports n_clicks 0: only a real click on one counts
        if isinstance(trigger, dict) and not any(item.get("value") for item in ctx.triggered):
            raise PreventUpdate
        try:
            out = service.actions.sync(
                trigger,
                search,
                values,
                view,
                upload=(contents, filename),
                click=click,
                request=request,
            )
        except Unchanged:
            raise PreventUpdate from None
        new_view = out.get("view.data", view)
        if "view.data" in out:
            out["map-view.data"] = new_view
        selection = out.get("selected.data", selected)
        out |= panels.panels(new_view, selection, tuple(shown), changed="view.data" in out)
        out |= panels.requests(view, new_view, mode)
        return [dash_value(out.get(f"{cid}.{prop}", KEEP)) for cid, prop in SYNC_OUTPUTS]

    @app.callback(
        Output("map", "figure"),
        Output("rendered", "data"),
        Output("map", "config"),
        Input("map-view", "data"),
        State("rendered", "data"),
        prevent_initial_call=True,  # the page's first map comes with the layout
    )
    def render(view, rendered):
        if not view:
            raise PreventUpdate
        scenario = views.scenario_of(view)
        figure, new_rendered = maps.render(scenario, rendered)
        locale = maps.locale(scenario, rendered)
        return (
            dash_value(figure),
            dash_value(store_update(rendered, new_rendered)),
            no_update if locale is KEEP else locale_patch(locale),
        )

    # a layer, direction or certainty toggle: done in the page, from what the figure brought
    # along (see toggleLayers)
    app.clientside_callback(
        ClientsideFunction("atlas", "toggleLayers"),
        Output("map", "figure", allow_duplicate=True),
        Output("url", "search", allow_duplicate=True),
        Output("view", "data", allow_duplicate=True),
        Output("rendered", "data", allow_duplicate=True),
        Output("view-title", "children", allow_duplicate=True),
        Output("map-summary", "children", allow_duplicate=True),
        Output("map-view", "data", allow_duplicate=True),
        Output("compare-view", "data", allow_duplicate=True),
        Input("layers", "value"),
        Input("directions", "value"),
        Input("basis", "value"),
        Input("modality", "value"),
        State("view", "data"),
        State("rendered", "data"),
        State("map", "figure"),
        State("view-heading", "data"),
        State("compare-mode", "value"),
        prevent_initial_call=True,
    )

    # the table (hundreds of components) is rendered once the map is drawn, not before it
    app.clientside_callback(
        ClientsideFunction("atlas", "afterMap"),
        Output("table-view", "data"),
        Input("table-request", "data"),
    )

    @app.callback(
        Output("view-table", "children"),
        Output("table-meta", "data"),
        Output("table-key", "data"),
        Input("table-view", "data"),
        State("table-key", "data"),
    )
    def table(view, shown_key):
        if not view:
            raise PreventUpdate
        scenario = views.scenario_of(view)
        key = panels.table_key(scenario)
        if key == shown_key:  # only the layers, the focus, the projection or the title changed
            raise PreventUpdate
        body, meta = panels.table(scenario)
        return components.table_body(body), meta, key

    # which rows the table shows (the shown layers'), and its caption's count: in the page
    app.clientside_callback(
        ClientsideFunction("atlas", "tableRows"),
        Output("view-table-area", "className"),
        Output("view-table-caption", "children"),
        Output("view-table-empty", "children"),
        Input("view", "data"),
        Input("table-meta", "data"),
    )

    @app.callback(
        Output({"i18n": ALL, "n": ALL}, "children"),
        *(Output(cid, "options") for cid in OPTION_IDS),
        Output("focus-options", "children"),
        Output("scenario", "placeholder"),
        Output("focus", "placeholder"),
        Output("compare-with", "placeholder"),
        Output("date-hint", "children"),
        Output("save", "children"),
        Output("export", "children"),
        Output("upload-prompt", "children"),
        Output("share-link", "children"),
        Output("share-texts", "data"),
        Output("details-clear", "children"),
        Input("lang", "value"),
        # the page comes in the app's language, and sync sets `lang` only when the URL's differs
        prevent_initial_call=True,
    )
    def translate(lang):
        return [
            dash_value(v) for v in panels.translations(lang, [o["id"] for o in ctx.outputs_list[0]])
        ]

    # <html lang> follows the language (the page comes with the URL's, see dashboard.app)
    app.clientside_callback(ClientsideFunction("atlas", "pageLang"), Input("lang", "value"))

    @app.callback(
        Output("map-b", "figure"),
        Output("map-b", "config"),
        Output("map-b-cell", "style"),
        Output("compare-diff", "children"),
        Output("map-caption-a", "children"),
        Output("map-caption-b", "children"),
        Output("compare-key", "data"),
        Output("maps", "className"),
        Input("compare-mode", "value"),
        Input("compare-with", "value"),
        Input("compare-view", "data"),  # set by `sync` when the comparison depends on a change
        State("view", "data"),
        State("compare-key", "data"),
    )
    def compare(mode, other, _asked, view, shown):
        if not view:
            raise PreventUpdate
        scenario = views.scenario_of(view)
        figure, *result = panels.compare(mode, other, scenario, shown)
        locale = no_update if figure is KEEP else locale_patch(scenario.lang)  # B is in A's
        classes = "maps maps-side" if mode == "side" else "maps"
        return dash_value(figure), locale, *map(dash_value, result), classes

    @app.callback(
        Output("download", "data"),
        Input("save", "n_clicks"),
        State("view", "data"),
        prevent_initial_call=True,
    )
    def save(n_clicks, view):
        if not n_clicks:
            raise PreventUpdate
        text, filename = views.saved(view)
        return dcc.send_string(text, filename, type="application/x-yaml")

    @app.callback(
        Output("export-request", "data"),
        Output("export-message", "children"),
        Input("export", "n_clicks"),
        State("view", "data"),
        State("export-format", "value"),
        prevent_initial_call=True,
    )
    def export(n_clicks, view, fmt):
        """The view as a slide image (the same code path as `alliance-atlas export`), made by a
        background job when an export slot is free: this only admits it, or answers busy."""
        if not n_clicks:
            raise PreventUpdate
        scenario = views.scenario_of(view)
        token = jobs.slots.admit()
        if token is None:
            busy = Message(t("export.busy", scenario.lang, slots=jobs.slots.limit), (), "warn")
            return no_update, components.message(busy)
        request = {
            "scenario": scenario.model_dump(mode="json", by_alias=True),
            "fmt": fmt if fmt in EXPORT_FORMATS else "png",
            "token": token,
        }
        return request, ""

    app.callback(
        Output("export-download", "data"),
        Output("export-message", "children", allow_duplicate=True),
        Input("export-request", "data"),
        background=True,
        running=[
            (Output("export", "disabled"), True, False),
            (Output("export-cancel", "hidden"), False, True),
            (Output("export-progress", "hidden"), False, True),
        ],
        progress=[Output("export-progress", "value"), Output("export-step", "children")],
        progress_default=["0", ""],
        cancel=[Input("export-cancel", "n_clicks")],
        interval=EXPORT_POLL_MS,
        prevent_initial_call=True,
    )(export_job)

    @app.callback(
        Output("export-message", "children", allow_duplicate=True),
        Input("export-cancel", "n_clicks"),
        State("lang", "value"),
        prevent_initial_call=True,
    )
    def export_cancelled(n_clicks, lang):
        if not n_clicks:
            raise PreventUpdate
        return components.message(Message(t("export.cancelled", lang), (), "warn"))

    app.clientside_callback(
        ClientsideFunction("atlas", "shareUrl"),
        Output("share-url", "value"),
        Input("view", "data"),
    )

    # the copy button: the link to the clipboard, and a status line saying so (cleared when
    # the view, and so the link, changes)
    app.clientside_callback(
        ClientsideFunction("atlas", "copyLink"),
        Output("share-status", "children"),
        Input("share-link", "n_clicks"),
        Input("view", "data"),
        State("share-url", "value"),
        State("share-texts", "data"),
        prevent_initial_call=True,
    )

    # --- the reading panel -----------------------------------------------------------------

    # the panel's body is asked for once it is open and the map is drawn
    app.clientside_callback(
        ClientsideFunction("atlas", "articleWanted"),
        Output("article-request", "data"),
        Input("view", "data"),
        State("article-lang", "data"),
    )

    @app.callback(
        Output("article-body", "children"),
        Output("article-index", "data"),
        Output("article-lang", "data"),
        Input("article-request", "data"),
        State("article-index", "data"),
        prevent_initial_call=True,
    )
    def article(lang, index):
        if not isinstance(lang, str):
            raise PreventUpdate
        body, new_index, loaded = panels.article(lang)
        return components.article_body(body), no_update if index else new_index, loaded

    # the map's emphasis of the picked sentence: painted in the page on the drawn map (the
    # figure is not changed: plotly would draw the whole map again), at once for a sentence
    # clicked (its only input is the request: it does not wait for `sync`); the store says
    # what the map shows, for the panel to announce
    app.clientside_callback(
        ClientsideFunction("atlas", "emphasisPicked"),
        Output("emphasis", "data", allow_duplicate=True),
        Input("sentence-request", "data"),
        State("article-index", "data"),
        State("emphasis", "data"),
        prevent_initial_call=True,
    )
    # … and for the view's sentence (the URL, back, a new view; each new figure is painted
    # again after plotly draws it)
    app.clientside_callback(
        ClientsideFunction("atlas", "emphasis"),
        Output("emphasis", "data", allow_duplicate=True),
        Input("view", "data"),
        State("emphasis", "data"),
        prevent_initial_call=True,
    )
    # a click on the map or on a row: the sentences that cite what was clicked
    app.clientside_callback(
        ClientsideFunction("atlas", "mapToText"),
        Output("hits", "data"),
        Input("map", "clickData"),
        Input({"type": "row-focus", "key": ALL}, "n_clicks"),
        State("article-index", "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("atlas", "readingLayout"),
        Output("app-body", "className"),
        Input("view", "data"),
    )
    app.clientside_callback(
        ClientsideFunction("atlas", "readingState"),
        Output("article-status", "children"),
        Output("article-hits", "children"),
        Input("view", "data"),
        Input("hits", "data"),
        Input("article-lang", "data"),
        Input("emphasis", "data"),
        State("article-index", "data"),
    )
