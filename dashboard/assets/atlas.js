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

        /* The link to the view: this page's address with the view's query. */
        shareUrl: function (view) {
            if (!view) { return window.dash_clientside.no_update; }
            return window.location.origin + window.location.pathname + view.query;
        },
    };

    window.dash_clientside = Object.assign({}, window.dash_clientside, { atlas: atlas });
})();
