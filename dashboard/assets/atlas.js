/* Alliance Atlas: the page's clientside callbacks, as window.dash_clientside.atlas.<name>
 * (wired in dashboard/callbacks.py with ClientsideFunction("atlas", name)). They run in the
 * browser and send nothing to the server. */
(function () {
    "use strict";

    // how long the table waits for the map's first drawing at most
    const MAP_WAIT_MS = 5000;
    // the table is first drawn when its area comes this close to the screen
    const TABLE_MARGIN = "200px 0px";

    function mapDrawn() {
        const gd = document.querySelector("#map .js-plotly-plot");
        return !!(gd && gd._fullLayout && gd.querySelector(".geo path"));
    }

    // The table lies under the map: its rows (a thousand elements and more) are built only
    // once its area has come near the screen. Until then the last view asked for waits here,
    // and is handed on (set_props) when the area comes near.
    const table = {near: false, waiting: null, observer: null};
    function tableNear() {
        if (table.near) { return true; }
        const area = document.getElementById("view-table-area");
        if (!area || !window.IntersectionObserver) { table.near = true; return true; }
        if (!table.observer) {
            table.observer = new IntersectionObserver((entries) => {
                if (!entries.some((entry) => entry.isIntersecting)) { return; }
                table.near = true;
                table.observer.disconnect();
                if (table.waiting) {
                    window.dash_clientside.set_props("table-view", {data: table.waiting});
                    table.waiting = null;
                }
            }, {rootMargin: TABLE_MARGIN});
            table.observer.observe(area);
        }
        return false;
    }

    /* The countries trace's fills (colorscale steps), outlines and hover texts with the layers
     * `shown`: dashboard.figures.countries.country_style, line by line (tested equal for every
     * set of layers). `toggle` is the figure's layout.meta.toggle (with browser_records's
     * hover texts and records), `locations` the trace's. */
    function countryStyle(toggle, locations, shown) {
        const fill = {}, line = {}, extra = {};
        for (const [layer, rows] of toggle.records) {
            if (!shown.has(layer)) { continue; }
            for (const [iso3, step, colour, width, hover] of rows) {
                if (step !== null) { fill[iso3] = step; }
                if (colour !== null && width > 0) { line[iso3] = [colour, width]; }
                if (hover) { extra[iso3] = (extra[iso3] || "") + hover; }
            }
        }
        return {
            z: locations.map((iso3) => (iso3 in fill ? fill[iso3] : 0)),
            lineColour: locations.map((iso3) => (line[iso3] ? line[iso3][0] : toggle.no_line)),
            lineWidth: locations.map((iso3) => (line[iso3] ? line[iso3][1] : 0)),
            hovertext: locations.map((iso3, i) => toggle.hover[i] + (extra[iso3] || "")),
        };
    }

    /* A copy of `figure` showing the layers `shown` (the traces of other layers hidden, the
     * countries trace restyled); the traces that do not change are the same objects. */
    function figureShowing(figure, shown) {
        const toggle = figure.layout.meta.toggle;
        const always = new Set(toggle.always);
        const drawn = new Set([...shown, ...always]);
        const data = figure.data.map((trace, index) => {
            if (index === toggle.countries) {
                const style = countryStyle(toggle, trace.locations, drawn);
                const marker = trace.marker || {};
                return Object.assign({}, trace, {
                    z: style.z,
                    hovertext: style.hovertext,
                    marker: Object.assign({}, marker, {
                        line: Object.assign({}, marker.line,
                            {color: style.lineColour, width: style.lineWidth}),
                    }),
                });
            }
            const layer = trace.meta && trace.meta.layer;
            if (always.has(layer)) { return trace; }
            const visible = shown.has(layer);
            return trace.visible === visible ? trace : Object.assign({}, trace, {visible: visible});
        });
        return Object.assign({}, figure, {data: data});
    }

    /* A view's URL query with other layers: only its `layers` part changes, so it stays the one
     * the server writes for that view (Scenario.to_query). */
    function queryWithLayers(query, layers) {
        return "?" + query.replace(/^\?/, "").split("&").map(
            (part) => (part.startsWith("layers=") ? "layers=" + layers.join(",") : part)
        ).join("&");
    }

    /* The map's summary (dashboard.service.panels.summary_text, said the same way) from the
     * view's summary choices, for a view titled `title` showing `layers`. */
    function summaryText(choices, title, layers) {
        const fill = (text, key, value) => text.split("{" + key + "}").join(value);
        const parts = [choices.title ? fill(choices.title, "title", title) : choices.untitled];
        if (layers.length) {
            const names = layers.map((layer) => choices.names[layer]).join(choices.joiner);
            let count = 0;
            Object.entries(choices.counts).forEach(([key, n]) => {
                if (!key || key.split(" ").some((layer) => layers.includes(layer))) { count += n; }
            });
            parts.push(fill(fill(choices.layers, "layers", names), "count", String(count)));
            parts.push(choices.projection);
        } else {
            parts.push(choices.none);
        }
        if (choices.focus) { parts.push(choices.focus); }
        return parts.join(choices.separator);
    }

    function sameLayers(a, b) {
        return a.length === b.length && a.every((layer, i) => layer === b[i]);
    }

    const atlas = {
        /* `view`, handed on to the table once the map has drawn its base map (at once after
         * the first time; at most MAP_WAIT_MS later if it never does), so that the first paint
         * does not wait for the table (hundreds of components), and not before the table's
         * area comes near the screen (see tableNear). */
        afterMap: function (view) {
            if (!view) { return window.dash_clientside.no_update; }
            const started = performance.now();
            return new Promise((resolve) => {
                const wait = () => {
                    if (mapDrawn() || performance.now() - started > MAP_WAIT_MS) {
                        if (tableNear()) {
                            requestAnimationFrame(() => setTimeout(() => resolve(view), 0));
                        } else {
                            table.waiting = view;
                            resolve(window.dash_clientside.no_update);
                        }
                    } else {
                        setTimeout(wait, 50);
                    }
                };
                wait();
            });
        },

        /* The table lists every layer's rows: show those of the shown layers (CSS on
         * `show-<id>`), and count them for the caption (`meta.counts`: rows per set of layers,
         * "" for none). Returns [the container's class, the caption, the empty text]. */
        tableRows: function (view, meta) {
            const shown = (view && view.scenario && view.scenario.layers) || [];
            const classes = ["view-table"].concat(shown.map((layer) => "show-" + layer));
            let count = 0;
            Object.entries((meta && meta.counts) || {}).forEach(([key, n]) => {
                const layers = key ? key.split(" ") : [];
                if (!layers.length || layers.some((layer) => shown.includes(layer))) {
                    count += n;
                }
            });
            if (!count) { classes.push("is-empty"); }
            if (!meta) { return [classes.join(" "), null, null]; }
            return [
                classes.join(" "),
                meta.caption.replace("{count}", String(count)),
                count ? null : meta.empty,
            ];
        },

        /* A layer toggle, in the page: the map shows the ticked layers (their traces' `visible`
         * and the countries trace's style, from what the figure brought along in
         * layout.meta.toggle), and the address, the `view` store, the record of the drawn map and
         * the heading and the map's summary follow; nothing goes to the server. Only while the
         * comparison lists the differences (`compare-view`), or for a map without that data
         * (`map-view`: the server draws it), is the server asked. Returns [map.figure,
         * url.search, view.data, rendered.data, view-title.children, map-summary.children,
         * map-view.data, compare-view.data]. */
        toggleLayers: function (ticked, view, rendered, figure, heading, compareMode) {
            const none = window.dash_clientside.no_update;
            const result = [none, none, none, none, none, none, none, none];
            if (!view || !view.scenario) { return result; }
            const toggle = figure && figure.layout && figure.layout.meta
                && figure.layout.meta.toggle;
            const order = (toggle && toggle.layers) || (heading && heading.layers) || [];
            const picked = new Set(ticked || []);
            const layers = order.filter((layer) => picked.has(layer));
            if (sameLayers(layers, view.scenario.layers || [])) { return result; }
            const newView = {
                scenario: Object.assign({}, view.scenario, {layers: layers}),
                query: queryWithLayers(view.query, layers),
            };
            result[1] = newView.query;
            result[2] = newView;
            if (toggle && rendered) {
                result[0] = figureShowing(figure, new Set(layers));
                result[3] = Object.assign({}, rendered, {layers: layers});
            } else {
                result[6] = newView;
            }
            if (heading) {
                const modified = heading.preset_layers !== null
                    && (heading.differs || !sameLayers(layers, heading.preset_layers));
                const title = modified ? heading.modified : heading.title;
                if (heading.preset_layers !== null) { result[4] = title; }
                result[5] = summaryText(heading.summary, title, layers);
            }
            if (compareMode === "diff") { result[7] = newView; }
            return result;
        },

        /* The page's address, handed on to the server (`url-request`) only when it is not the
         * view's own: a layer toggle writes the address of the view it made, so the server does
         * not hear of it; a page load, back and forward, or an edited address go on. */
        route: function (search, view) {
            if (view && search === view.query) { return window.dash_clientside.no_update; }
            return search === undefined ? null : search;
        },

        /* The link to the view: this page's address with the view's query. */
        shareUrl: function (view) {
            if (!view) { return window.dash_clientside.no_update; }
            return window.location.origin + window.location.pathname + view.query;
        },

        /* The page's language on <html lang> (screen readers read the page in it). */
        pageLang: function (lang) {
            if (lang) { document.documentElement.lang = lang; }
        },

        /* The copy button: the link to the clipboard; returns the status line (texts.copied
         * or texts.failed), or "" when the view changed (the link is a new one). Without the
         * asynchronous clipboard (a page served over plain http to another machine), the
         * link field's text is selected and copied. */
        copyLink: function (_clicks, _view, link, texts) {
            const triggered = window.dash_clientside.callback_context.triggered || [];
            if (!triggered.some((t) => t.prop_id === "share-link.n_clicks") || !link) {
                return "";
            }
            const copied = (texts && texts.copied) || "";
            const failed = (texts && texts.failed) || "";
            const bySelection = () => {
                const field = document.getElementById("share-url");
                field.select();
                return document.execCommand("copy") ? copied : failed;
            };
            if (!navigator.clipboard || !window.isSecureContext) {
                return bySelection();
            }
            return navigator.clipboard.writeText(link).then(() => copied, bySelection);
        },
    };

    // for the tests, which compare them with Python's country_style and summary_text
    atlas.countryStyle = countryStyle;
    atlas.summaryText = summaryText;

    /* The country search (`focus`, an input with suggestions) applies on Enter or on leaving
     * it; a suggestion picked from the list (or a label typed in full) applies at once. */
    document.addEventListener("input", (event) => {
        const input = event.target;
        if (!(input instanceof HTMLInputElement) || input.id !== "focus" || !input.list) {
            return;
        }
        const picked = Array.from(input.list.options).some((o) => o.value === input.value);
        if (picked && window.dash_clientside.set_props) {
            window.dash_clientside.set_props("focus", { value: input.value });
        }
    });

    window.dash_clientside = Object.assign({}, window.dash_clientside, { atlas: atlas });
})();
