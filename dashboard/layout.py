"""The dashboard's page: every component, with its stable id.

Stable ids (tests and users' scripts rely on them): `map`, `scenario`, `layers`, `lang`,
`date-range`, `details`, `share-link`. The other controls: `groupings`, `directions`, `domains`,
`basis`, `proposals`, `focus`, `projection`, `map-options`, `save`, `upload`, `compare-mode`,
`compare-with`.

Every translatable text node has the id {"i18n": key, "n": k}; one callback rewrites them all when
the language changes. Option labels and placeholders come from dashboard.service.controls.
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboard.details import COLUMNS as TABLE_COLUMNS
from dashboard.export.formats import FORMATS as EXPORT_FORMATS
from dashboard.i18n import t
from dashboard.service.controls import PROPOSALS_ON, event_span, options_for, placeholders_for
from geodata.atlas import Atlas
from geodata.scenario import Scenario

LANG_OPTIONS = [{"label": "日本語", "value": "ja"}, {"label": "English", "value": "en"}]
# Stand-ins for the map of the page's own URL, which the app puts into each layout response
# (see dashboard.app.AtlasDash.serve_layout).
INITIAL_FIGURE_MARK = "alliance-atlas:initial-figure"
INITIAL_RENDERED_MARK = "alliance-atlas:initial-rendered"


class _Texts:
    """Hands out unique ids for translatable text nodes."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.count = 0

    def __call__(self, key: str, tag: Any = html.Span, **props: Any) -> Any:
        self.count += 1
        return tag(t(key, self.lang), id={"i18n": key, "n": self.count}, **props)


def graph_config(topojson_url: str) -> dict[str, Any]:
    """dcc.Graph config: base map from the app's own assets; nothing fetched from elsewhere."""
    return {
        "topojsonURL": topojson_url,
        "displaylogo": False,
        "responsive": True,
        "scrollZoom": True,
        "modeBarButtonsToRemove": ["lasso2d", "select2d", "sendDataToCloud"],
        "toImageButtonOptions": {"format": "png", "filename": "alliance-atlas", "scale": 2},
    }


def _field(texts: _Texts, label_key: str, control: Any, control_id: str) -> html.Div:
    return html.Div(
        [texts(label_key, html.Label, htmlFor=control_id, className="field-label"), control],
        className="field",
    )


def build_layout(
    atlas: Atlas, presets: dict[str, Scenario], lang: str, topojson_url: str
) -> html.Div:
    """The whole page. Control values start empty: the sync callback sets them from the URL."""
    texts = _Texts(lang)
    options = options_for(atlas, presets, lang)
    placeholders = placeholders_for(lang)
    first, last = event_span(atlas)
    default = Scenario(lang=lang)  # type: ignore[call-arg]

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
                    dcc.Dropdown(
                        id="scenario",
                        options=options["scenario"],
                        value=None,
                        placeholder=placeholders["scenario"],
                        clearable=True,
                        searchable=False,
                        className="scenario-select",
                    ),
                ],
                className="header-field scenario-field",
            ),
            html.Div(
                [
                    texts("lang.label", html.Span, className="field-label"),
                    dcc.RadioItems(
                        id="lang",
                        options=LANG_OPTIONS,
                        value=lang,
                        inline=True,
                        className="lang-switch",
                    ),
                ],
                className="header-field lang-field",
                role="group",
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
        **{"aria-live": "polite"},
    )

    view_info = html.Div(
        [
            html.H2(id="view-title", className="view-title"),
            html.P(id="view-description", className="view-description"),
        ],
        className="view-info",
    )

    controls = html.Aside(
        [
            texts("controls.heading", html.H2, className="panel-heading"),
            _field(
                texts,
                "layers.label",
                dcc.Checklist(
                    id="layers",
                    options=options["layers"],
                    value=list(default.layers),
                    className="checklist layer-list",
                ),
                "layers",
            ),
            _field(
                texts,
                "groupings.label",
                dcc.Dropdown(
                    id="groupings",
                    options=options["groupings"],
                    value=[],
                    multi=True,
                    placeholder=placeholders["groupings"],
                ),
                "groupings",
            ),
            _field(
                texts,
                "directions.label",
                dcc.Checklist(
                    id="directions",
                    options=options["directions"],
                    value=list(default.directions),
                    inline=True,
                    className="checklist",
                ),
                "directions",
            ),
            _field(
                texts,
                "domains.label",
                dcc.Checklist(
                    id="domains",
                    options=options["domains"],
                    value=list(default.domains),
                    inline=True,
                    className="checklist",
                ),
                "domains",
            ),
            html.Div(
                [
                    texts("dates.label", html.Label, htmlFor="date-range", className="field-label"),
                    dcc.DatePickerRange(
                        id="date-range",
                        start_date=None,
                        end_date=None,
                        display_format="YYYY-MM-DD",
                        start_date_placeholder_text=placeholders["date-range.start"],
                        end_date_placeholder_text=placeholders["date-range.end"],
                        clearable=True,
                        initial_visible_month="2024-07-01",
                        first_day_of_week=1,
                        updatemode="singledate",
                        className="date-range",
                    ),
                    html.P(
                        t("dates.hint", lang, first=first, last=last),
                        id="date-hint",
                        className="hint",
                    ),
                ],
                className="field",
            ),
            _field(
                texts,
                "basis.label",
                dcc.RadioItems(
                    id="basis",
                    options=options["basis"],
                    value=default.basis,
                    className="radio",
                ),
                "basis",
            ),
            _field(
                texts,
                "proposals.label",
                dcc.Checklist(
                    id="proposals",
                    options=options["proposals"],
                    value=[PROPOSALS_ON],
                    className="checklist",
                ),
                "proposals",
            ),
            _field(
                texts,
                "focus.label",
                dcc.Dropdown(
                    id="focus",
                    options=options["focus"],
                    value=None,
                    placeholder=placeholders["focus"],
                    clearable=True,
                    searchable=True,
                ),
                "focus",
            ),
            _field(
                texts,
                "projection.label",
                dcc.RadioItems(
                    id="projection",
                    options=options["projection"],
                    value=default.projection,
                    className="radio",
                ),
                "projection",
            ),
            _field(
                texts,
                "map-options.label",
                dcc.Checklist(
                    id="map-options",
                    options=options["map-options"],
                    value=["inset"] if default.inset == "europe" else [],
                    className="checklist",
                ),
                "map-options",
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
                            dcc.Clipboard(
                                id="share-link",
                                target_id="share-url",
                                title=t("share.copy", lang),
                                className="share-copy",
                            ),
                        ],
                        className="share-row",
                    ),
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
                    dcc.Upload(
                        id="upload",
                        children=html.Div(t("load.prompt", lang), id="upload-prompt"),
                        accept=".yaml,.yml,text/yaml,application/x-yaml",
                        multiple=False,
                        max_size=200_000,
                        className="upload",
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
                            dcc.Dropdown(
                                id="export-format",
                                options=[{"label": f.upper(), "value": f} for f in EXPORT_FORMATS],
                                value="png",
                                clearable=False,
                                searchable=False,
                                className="export-format",
                            ),
                            html.Button(
                                t("export.button", lang),
                                id="export",
                                n_clicks=0,
                                className="button",
                                type="button",
                            ),
                        ],
                        className="export-row",
                    ),
                    dcc.Download(id="export-download"),
                    dcc.Loading(html.Div(id="export-message", role="status"), type="dot"),
                ],
                className="field",
            ),
            html.Div(
                [
                    texts("compare.heading", html.H3, className="field-label"),
                    dcc.RadioItems(
                        id="compare-mode",
                        options=options["compare-mode"],
                        value="off",
                        inline=True,
                        className="radio",
                    ),
                    dcc.Dropdown(
                        id="compare-with",
                        options=options["compare-with"],
                        value="summit_outcomes" if "summit_outcomes" in presets else None,
                        placeholder=placeholders["compare-with"],
                        clearable=False,
                        searchable=False,
                    ),
                ],
                className="field compare-field",
            ),
        ],
        id="controls",
        className="controls panel",
        **{"aria-label": t("controls.heading", lang)},
    )

    map_area = html.Section(
        [
            html.Div(
                [
                    html.Div(
                        [
                            html.Div(id="map-caption-a", className="map-caption"),
                            dcc.Graph(
                                id="map",
                                figure=INITIAL_FIGURE_MARK,  # type: ignore[arg-type]
                                config=graph_config(topojson_url),
                                className="map",
                                mathjax=False,
                                clear_on_unhover=True,
                            ),
                        ],
                        className="map-cell",
                    ),
                    html.Div(
                        [
                            html.Div(id="map-caption-b", className="map-caption"),
                            dcc.Graph(
                                id="map-b",
                                config=graph_config(topojson_url),
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
            html.Div(id="compare-diff", className="compare-diff"),
        ],
        className="map-area",
        **{"aria-label": t("map.label", lang)},
    )

    details = html.Aside(
        [
            html.Div(
                [
                    texts("details.heading", html.H2, className="panel-heading"),
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
    )

    # Every row of the view with all its layers is here (`view-table`, the table's body, sent
    # again only when something other than the layers or the focus changes); a clientside
    # callback names the shown layers in the container's class (`show-<layer>`), the CSS hides
    # (display: none) the rows of the other layers, and the caption counts the rows shown.
    table = html.Section(
        [
            texts("table.heading", html.H2, className="panel-heading"),
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
        className="table-area panel",
    )

    footer = html.Footer(texts("footer.source", html.P), className="app-footer")

    return html.Div(
        [
            dcc.Location(id="url", refresh=False),
            dcc.Store(id="view"),
            dcc.Store(id="rendered", data=INITIAL_RENDERED_MARK),
            dcc.Store(id="selected"),
            dcc.Store(id="table-request"),
            dcc.Store(id="table-view"),
            dcc.Store(id="compare-view"),
            dcc.Store(id="table-key"),
            dcc.Store(id="table-meta"),
            dcc.Store(id="details-key"),
            dcc.Store(id="compare-key"),
            header,
            notices,
            view_info,
            html.Main([controls, map_area, details], className="app-body"),
            table,
            footer,
        ],
        id="app",
        className="app",
        lang=lang,
    )
