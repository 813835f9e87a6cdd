/* Alliance Atlas: the page's clientside callbacks, as window.dash_clientside.atlas.<name>
 * (wired in dashboard/callbacks.py with ClientsideFunction("atlas", name)). They run in the
 * browser and send nothing to the server. */
(function () {
    "use strict";

    // how long the table waits for the map's first drawing at most
    const MAP_WAIT_MS = 5000;

    function mapDrawn() {
        const gd = document.querySelector("#map .js-plotly-plot");
        return !!(gd && gd._fullLayout && gd.querySelector(".geo path"));
    }

    const atlas = {
        /* `view`, handed on once the map has drawn its base map (at once after the first time;
         * at most MAP_WAIT_MS later if it never does), so that the first paint does not wait
         * for the table (hundreds of components). */
        afterMap: function (view) {
            if (!view) { return window.dash_clientside.no_update; }
            const started = performance.now();
            return new Promise((resolve) => {
                const wait = () => {
                    if (mapDrawn() || performance.now() - started > MAP_WAIT_MS) {
                        requestAnimationFrame(() => setTimeout(() => resolve(view), 0));
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
