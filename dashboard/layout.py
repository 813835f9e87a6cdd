"""The dashboard's page: every component, with its stable id.

Stable ids (tests and users' scripts rely on them): `map`, `scenario`, `layers`, `lang`,
`date-range` (the dates' group: `date-from`, `date-to`), `details`, `share-link`, and the reading
panel `article` (its paragraphs `article-P6`, its footnotes `article-fn9`, each sentence an element
with `data-sentence="P6.2"`, each quote a `mark` with `data-record`). The other controls:
`groupings`, `directions`, `domains`, `basis`, `modality`, `proposals`, `focus` (the country
search), `projection`, `map-options`, `save`, `upload`, `export-format`, `export`, `compare-mode`,
`compare-with`, `read-toggle` (the panel shown or hidden; on a narrow window the tabs `tab-map`
and `tab-article`).

Accessibility (README, "Accessibility"): every control is a native HTML one named by its
<label> or, for a set of checkboxes or radios, by its fieldset's <legend>; the page has one
banner (the header), one `main` that holds every content region (the notices, the view's
heading, the controls, the map, the details, the table: a new panel goes there too) and one
contentinfo (the footer); two skip links lead to the map and the table; `map-summary` says in
one line what the map shows (a polite live region).

Every translatable text node has the id {"i18n": key, "n": k}; one callback rewrites them all when
the language changes. Option labels and placeholders come from dashboard.service.controls.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.details import COLUMNS as TABLE_COLUMNS
from dashboard.export.formats import FORMATS as EXPORT_FORMATS
from dashboard.i18n import PLOTLY_JA, t
from dashboard.reading import layer_key
from dashboard.service.controls import (
    PROPOSALS_ON,
    event_span,
    options_for,
    placeholders_for,
    share_texts,
)
from geodata.atlas import Atlas
from geodata.scenario import LAYERS, SCENARIO_LIMITS, Scenario

LANG_OPTIONS = [{"label": "日本語", "value": "ja"}, {"label": "English", "value": "en"}]
# Stand-ins for the view of the page's own URL (its map, the record of it, its heading, the map's
# summary, the language of plotly's own texts on the page's graphs: every occurrence), which
# the app puts into each layout response (see dashboard.app.AtlasDash.serve_layout and
# dashboard.service.ViewService.first_layout, whose keys these are).
INITIAL_MARKS = {
    key: f"alliance-atlas:initial-{key}"
    for key in ("figure", "map_style", "rendered", "title", "description", "summary", "locale")
}
# the steps of an export job, shown by the progress bar under the export button (dashboard.jobs)
EXPORT_STEPS = ("prepare", "render", "send")


class _Texts:
    """Hands out unique ids for translatable text nodes."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.count = 0

    def __call__(self, key: str, tag: Any = html.Span, **props: Any) -> Any:
        self.count += 1
        return tag(t(key, self.lang), id={"i18n": key, "n": self.count}, **props)


def graph_config(topojson_url: str, locale: str) -> dict[str, Any]:
    """dcc.Graph config: base map from the app's own assets, nothing fetched from elsewhere;
    plotly's own tooltips and notices in the page's language (`locale`; the Japanese strings
    travel with the config, no locale file is loaded)."""
    return {
        "topojsonURL": topojson_url,
        "displaylogo": False,
        "responsive": True,
        "scrollZoom": True,
        "modeBarButtonsToRemove": ["lasso2d", "select2d", "sendDataToCloud"],
        "toImageButtonOptions": {"format": "png", "filename": "alliance-atlas", "scale": 2},
        "locale": locale,
        "locales": {"ja": {"dictionary": PLOTLY_JA}},
    }


def _field(texts: _Texts, label_key: str, control: Any, control_id: str) -> html.Div:
    """A control named by its <label>."""
    return html.Div(
        [texts(label_key, html.Label, htmlFor=control_id, className="field-label"), control],
        className="field",
    )


def _group(
    texts: _Texts, legend_key: str, *controls: Any, class_name: str = "field", **props: Any
) -> html.Fieldset:
    """A set of checkboxes or radios (and what belongs with them), named by its <legend>."""
    legend = texts(legend_key, html.Legend, className="field-label")
    return html.Fieldset([legend, *controls], className=class_name, **props)


def _radios(control_id: str, options: list[dict[str, Any]], value: Any, **props: Any) -> Any:
    """Native radio buttons: one group (one Tab stop, arrow keys move), each named by its label."""
    return dbc.RadioItems(id=control_id, name=control_id, options=options, value=value, **props)


def build_layout(
    atlas: Atlas, presets: dict[str, Scenario], lang: str, topojson_url: str
) -> html.Div:
    """The whole page. Control values start empty: the sync callback sets them from the URL."""
    texts = _Texts(lang)
    options = options_for(atlas, presets, lang)
    placeholders = placeholders_for(lang)
    first, last = event_span(atlas)
    default = Scenario(lang=lang)  # type: ignore[call-arg]

    # the first two Tab stops: shown while focused, they move the focus to the map or the table
    skip_links = html.Div(
        [
            texts("skip.map", html.A, href="#map-area", className="skip-link"),
            texts("skip.table", html.A, href="#table-area", className="skip-link"),
        ],
        className="skip-links",
    )

    header = html.Header(
        [
            html.Div(
                [
                    texts("app.title", html.H1),
                    texts("app.subtitle", html.P, className="subtitle"),
                ],
                className="brand",
            ),
            html.Div(
                [
                    texts(
                        "scenario.label", html.Label, htmlFor="scenario", className="field-label"
                    ),
                    dbc.Select(
                        id="scenario",
                        options=options["scenario"],
                        value=None,
                        placeholder=placeholders["scenario"],
                        class_name="scenario-select",
                    ),
                ],
                className="header-field scenario-field",
            ),
            html.Button(
                texts("read.toggle"),
                id="read-toggle",
                n_clicks=0,
                type="button",
                className="button read-toggle",
                **{"aria-pressed": "false", "aria-controls": "article"},
            ),
            _group(
                texts,
                "lang.label",
                _radios("lang", LANG_OPTIONS, lang, inline=True, class_name="lang-switch"),
                class_name="header-field lang-field",
            ),
        ],
        className="app-header",
    )

    notices = html.Div(
        [
            html.Div(id="notice-url", className="notice notice-url", role="status"),
            html.Div(id="notice-error", className="notice notice-error", role="alert"),
        ],
        className="notices",
    )

    view_info = html.Div(
        [
            html.H2(INITIAL_MARKS["title"], id="view-title", className="view-title"),
            html.P(
                INITIAL_MARKS["description"], id="view-description", className="view-description"
            ),
        ],
        className="view-info",
    )

    controls = html.Aside(
        [
            html.H2(texts("controls.heading"), id="controls-heading", className="panel-heading"),
            _group(
                texts,
                "layers.label",
                dbc.Checklist(
                    id="layers",
                    options=options["layers"],
                    value=list(default.layers),
                    class_name="checklist layer-list",
                ),
            ),
            _group(
                texts,
                "groupings.label",
                html.P(texts("groupings.hint"), className="hint", id="groupings-hint"),
                dbc.Checklist(
                    id="groupings",
                    options=options["groupings"],
                    value=[],
                    class_name="checklist",
                ),
                **{"aria-describedby": "groupings-hint"},
            ),
            _group(
                texts,
                "directions.label",
                dbc.Checklist(
                    id="directions",
                    options=options["directions"],
                    value=list(default.directions),
                    inline=True,
                    class_name="checklist",
                ),
            ),
            _group(
                texts,
                "domains.label",
                dbc.Checklist(
                    id="domains",
                    options=options["domains"],
                    value=list(default.domains),
                    inline=True,
                    class_name="checklist",
                ),
            ),
            _group(
                texts,
                "dates.label",
                html.Div(
                    [
                        texts("dates.from", html.Label, htmlFor="date-from"),
                        # applied on Enter or on leaving the field, not at each keystroke
                        dbc.Input(id="date-from", type="date", value=None, debounce=True),
                        texts("dates.to", html.Label, htmlFor="date-to"),
                        dbc.Input(id="date-to", type="date", value=None, debounce=True),
                    ],
                    className="date-inputs",
                ),
                html.P(
                    t("dates.hint", lang, first=first, last=last),
                    id="date-hint",
                    className="hint",
                ),
                id="date-range",
                **{"aria-describedby": "date-hint"},
            ),
            _group(
                texts,
                "basis.label",
                _radios("basis", options["basis"], default.basis, class_name="radio"),
            ),
            _group(
                texts,
                "modality.label",
                _radios("modality", options["modality"], default.modality, class_name="radio"),
            ),
            _group(
                texts,
                "proposals.label",
                dbc.Checklist(
                    id="proposals",
                    options=options["proposals"],
                    value=[PROPOSALS_ON],
                    class_name="checklist",
                ),
            ),
            _field(
                texts,
                "focus.label",
                html.Div(
                    [
                        # a combobox: type a name or a code (Enter), or pick a suggestion
                        dbc.Input(
                            id="focus",
                            type="search",
                            list="focus-options",
                            value=None,
                            placeholder=placeholders["focus"],
                            debounce=True,
                            autocomplete="off",
                        ),
                        html.Datalist(
                            [html.Option(value=o["label"]) for o in options["focus"]],
                            id="focus-options",
                        ),
                    ]
                ),
                "focus",
            ),
            _group(
                texts,
                "projection.label",
                _radios(
                    "projection", options["projection"], default.projection, class_name="radio"
                ),
            ),
            _group(
                texts,
                "map-options.label",
                dbc.Checklist(
                    id="map-options",
                    options=options["map-options"],
                    value=["inset"] if default.inset == "europe" else [],
                    class_name="checklist",
                ),
            ),
            html.Div(
                [
                    texts("share.label", html.Label, htmlFor="share-url", className="field-label"),
                    html.Div(
                        [
                            dcc.Input(
                                id="share-url",
                                type="text",
                                value="",
                                readOnly=True,
                                className="share-url",
                            ),
                            html.Button(
                                t("share.copy", lang),
                                id="share-link",
                                n_clicks=0,
                                className="button small",
                                type="button",
                            ),
                        ],
                        className="share-row",
                    ),
                    html.P(id="share-status", className="share-status", role="status"),
                    dcc.Store(id="share-texts", data=share_texts(lang)),
                ],
                className="field",
            ),
            html.Div(
                [
                    html.Button(
                        t("save.button", lang),
                        id="save",
                        n_clicks=0,
                        className="button",
                        type="button",
                    ),
                    dcc.Download(id="download"),
                    # the label names the file input (dcc.Upload gives it no name) and opens
                    # the file picker; disable_click, or the drop zone would open it again
                    html.Label(
                        dcc.Upload(
                            id="upload",
                            children=html.Div(t("load.prompt", lang), id="upload-prompt"),
                            accept=".yaml,.yml,text/yaml,application/x-yaml",
                            multiple=False,
                            max_size=SCENARIO_LIMITS.max_bytes,
                            disable_click=True,
                            className="upload",
                        ),
                        className="upload-label",
                    ),
                    html.Div(id="upload-message", className="upload-message", role="status"),
                ],
                className="field file-field",
            ),
            html.Div(
                [
                    texts(
                        "export.label", html.Label, htmlFor="export-format", className="field-label"
                    ),
                    html.Div(
                        [
                            dbc.Select(
                                id="export-format",
                                options=[{"label": f.upper(), "value": f} for f in EXPORT_FORMATS],
                                value="png",
                                class_name="export-format",
                            ),
                            html.Button(
                                t("export.button", lang),
                                id="export",
                                n_clicks=0,
                                className="button",
                                type="button",
                            ),
                            # shown while an export runs (a background job, see dashboard.jobs)
                            html.Button(
                                texts("export.cancel"),
                                id="export-cancel",
                                n_clicks=0,
                                className="button button-secondary",
                                type="button",
                                hidden=True,
                            ),
                        ],
                        className="export-row",
                    ),
                    dcc.Download(id="export-download"),
                    dcc.Store(id="export-request"),  # the export admitted, for its job
                    # the export's progress and outcome, read out as they change
                    html.Div(
                        [
                            texts(
                                "export.progress",
                                html.Label,
                                htmlFor="export-progress",
                                className="visually-hidden",
                            ),
                            html.Progress(
                                id="export-progress",
                                max=str(len(EXPORT_STEPS)),
                                value="0",
                                hidden=True,
                            ),
                            html.Span(id="export-step", className="export-step"),
                            html.Div(id="export-message"),
                        ],
                        id="export-status",
                        className="export-status",
                        role="status",
                        **{"aria-live": "polite"},
                    ),
                ],
                className="field",
            ),
            _group(
                texts,
                "compare.heading",
                _radios(
                    "compare-mode", options["compare-mode"], "off", inline=True, class_name="radio"
                ),
                texts("compare.with", html.Label, htmlFor="compare-with", className="field-label"),
                dbc.Select(
                    id="compare-with",
                    options=options["compare-with"],
                    value="summit_outcomes" if "summit_outcomes" in presets else None,
                    placeholder=placeholders["compare-with"],
                ),
                class_name="field compare-field",
            ),
        ],
        id="controls",
        className="controls panel",
        **{"aria-labelledby": "controls-heading"},
    )

    map_area = html.Section(
        [
            html.H2(texts("map.label"), id="map-heading", className="visually-hidden"),
            html.Div(
                [
                    html.Div(
                        [
                            html.Div(id="map-caption-a", className="map-caption"),
                            dcc.Graph(
                                id="map",
                                figure=INITIAL_MARKS["figure"],  # type: ignore[arg-type]
                                config=graph_config(topojson_url, INITIAL_MARKS["locale"]),
                                className="map",
                                mathjax=False,
                                clear_on_unhover=True,
                            ),
                        ],
                        className="map-cell",
                        # the box sized to the page's map: its CSS custom properties (`.map`)
                        style=INITIAL_MARKS["map_style"],  # type: ignore[arg-type]
                    ),
                    html.Div(
                        [
                            html.Div(id="map-caption-b", className="map-caption"),
                            dcc.Graph(
                                id="map-b",
                                config=graph_config(topojson_url, INITIAL_MARKS["locale"]),
                                className="map",
                                mathjax=False,
                            ),
                        ],
                        id="map-b-cell",
                        className="map-cell",
                        style={"display": "none"},
                    ),
                ],
                id="maps",
                className="maps",
            ),
            # what the map shows, in one line: read out (politely) whenever it changes
            html.P(
                INITIAL_MARKS["summary"], id="map-summary", className="map-summary", role="status"
            ),
            html.Div(id="compare-diff", className="compare-diff"),
        ],
        id="map-area",
        tabIndex="-1",  # the skip link's target
        className="map-area",
        **{"aria-labelledby": "map-heading"},
    )

    details = html.Aside(
        [
            html.Div(
                [
                    html.H2(
                        texts("details.heading"), id="details-heading", className="panel-heading"
                    ),
                    html.Button(
                        t("details.clear", lang),
                        id="details-clear",
                        n_clicks=0,
                        className="button small",
                        type="button",
                    ),
                ],
                className="details-head",
            ),
            html.Div(
                html.P(t("details.hint", lang), className="hint"),
                id="details",
                className="details-body",
                **{"aria-live": "polite"},
            ),
        ],
        className="details panel",
        id="details-panel",
        **{"aria-labelledby": "details-heading"},
    )

    # Every row of the view with all its layers is here (`view-table`, the table's body, sent
    # again only when something other than the layers or the focus changes); a clientside
    # callback names the shown layers in the container's class (`show-<layer>`), the CSS hides
    # (display: none) the rows of the other layers, and the caption counts the rows shown.
    # The table is the map's text alternative: every item the map shows, with its details.
    table = html.Section(
        [
            html.H2(texts("table.heading"), id="table-heading", className="panel-heading"),
            html.Div(
                [
                    html.P(id="view-table-empty", className="hint table-empty"),
                    html.Table(
                        [
                            html.Caption(id="view-table-caption"),
                            html.Thead(
                                html.Tr(
                                    [
                                        texts(
                                            f"col.{c}", html.Th, scope="col", className=f"col-{c}"
                                        )
                                        for c in TABLE_COLUMNS
                                    ]
                                )
                            ),
                            html.Tbody(id="view-table"),
                        ],
                        className="data-table",
                    ),
                ],
                id="view-table-area",
                className="view-table is-empty",
            ),
        ],
        id="table-area",
        tabIndex="-1",  # the skip link's target
        className="table-area panel",
        **{"aria-labelledby": "table-heading"},
    )

    # the article beside the map: its body comes once the map is drawn (assets/atlas.js)
    reading = html.Section(
        [
            html.Div(
                [
                    html.Div(
                        [
                            html.H2(
                                texts("read.heading"),
                                id="article-heading",
                                className="panel-heading",
                            ),
                            html.Button(
                                texts("read.hide"),
                                id="read-hide",
                                n_clicks=0,
                                type="button",
                                className="button small",
                            ),
                        ],
                        className="reading-title",
                    ),
                    # how to use the panel and what its marks mean, folded (a native
                    # disclosure) so that the sticky head leaves the article most of the panel
                    html.Details(
                        [
                            texts("read.help", html.Summary, className="reading-help-summary"),
                            texts("read.hint", html.P, className="hint"),
                            html.Div(
                                [
                                    texts("read.key_layers", html.Span, className="key-label"),
                                    *(
                                        texts(
                                            layer_key(layer),
                                            html.Span,
                                            className=f"key-swatch layer-{layer}",
                                        )
                                        for layer in (*LAYERS, "base")
                                    ),
                                ],
                                className="reading-key",
                            ),
                            texts("read.key_modality", html.P, className="hint reading-key"),
                        ],
                        className="reading-help",
                    ),
                    html.Button(
                        texts("read.show_ja"),
                        id="article-ja",
                        type="button",
                        className="button small article-ja",
                        **{"aria-pressed": "false"},
                    ),
                    html.Div(
                        id="article-status",
                        className="article-status",
                        role="status",
                        **{"aria-live": "polite", "aria-atomic": "true"},
                    ),
                    html.Div(id="article-hits", className="article-hits"),
                ],
                className="reading-head",
            ),
            html.Div(
                texts("read.loading", html.P, className="hint"),
                id="article-body",
                className="article-body",
            ),
        ],
        id="article",
        className="reading panel",
        lang="ja",
        **{"aria-labelledby": "article-heading"},
    )
    # on a narrow window the map and the article are tabs (CSS shows these only there)
    tabs = html.Div(
        [
            html.Button(
                texts("read.tab_map"),
                id="tab-map",
                n_clicks=0,
                type="button",
                role="tab",
                className="view-tab",
                **{"aria-controls": "maps", "aria-selected": "true"},
            ),
            html.Button(
                texts("read.tab_article"),
                id="tab-article",
                n_clicks=0,
                type="button",
                role="tab",
                className="view-tab",
                **{"aria-controls": "article", "aria-selected": "false"},
            ),
        ],
        className="view-tabs",
        role="tablist",
        **{"aria-label": t("read.tabs", lang)},
    )

    footer = html.Footer(texts("footer.source", html.P), className="app-footer")

    return html.Div(
        [
            dcc.Location(id="url", refresh=False),
            dcc.Store(id="view"),
            dcc.Store(id="url-request"),
            dcc.Store(id="map-view"),
            dcc.Store(id="view-heading"),
            dcc.Store(id="rendered", data=INITIAL_MARKS["rendered"]),
            dcc.Store(id="selected"),
            # "zoom to" in the details panel: the map focuses an item (set by assets/atlas.js)
            dcc.Store(id="zoom-request"),
            dcc.Store(id="table-request"),
            dcc.Store(id="table-view"),
            dcc.Store(id="compare-view"),
            dcc.Store(id="table-key"),
            dcc.Store(id="table-meta"),
            dcc.Store(id="details-key"),
            dcc.Store(id="compare-key"),
            # the reading panel: a sentence picked or dropped, the panel opened or shut (both
            # set by assets/atlas.js), its body asked for, its index, the language it is in, the
            # emphasis the map shows, the sentences a click on the map found
            dcc.Store(id="sentence-request"),
            dcc.Store(id="read-request"),
            dcc.Store(id="article-request"),
            dcc.Store(id="article-index"),
            dcc.Store(id="article-lang"),
            dcc.Store(id="emphasis"),
            dcc.Store(id="hits"),
            skip_links,
            header,
            html.Main(
                [
                    notices,
                    view_info,
                    tabs,
                    html.Div(
                        [controls, map_area, reading, details], className="app-body", id="app-body"
                    ),
                    table,
                ],
                id="main",
            ),
            footer,
        ],
        id="app",
        className="app",
    )
