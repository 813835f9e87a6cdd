/* Alliance Atlas: the page's clientside callbacks, as window.dash_clientside.atlas.<name>
 * (wired in dashboard/callbacks.py with ClientsideFunction("atlas", name)), and the reading
 * panel's handlers of clicks and keys. They run in the browser; the handlers ask the server for a
 * new view only through the `sentence-request`, `read-request` and `zoom-request` stores (and
 * the map's `clickData`, for a record of a picked sentence clicked in the details panel: a
 * selection, which shows its details and changes no view). */
(function () {
    "use strict";

    // how long the table waits for the map's first drawing at most
    const MAP_WAIT_MS = 5000;
    // the table is first drawn when its area comes this close to the screen
    const TABLE_MARGIN = "200px 0px";
    // the map's emphasis: the same as dashboard/figures/emphasis.py (tests/dashboard/
    // test_reading.py checks that both draw the same figure)
    const FADE = 0.2;
    const FADED_TEXT = "rgba(120,120,120,0.45)";
    const SLOT_KIND = "emphasis";
    const NOT_FADED = ["key", "legend", SLOT_KIND, "inset_frame", "inset_title", "inset_locator"];
    const EMPTY_SLOT = {
        lon: [], lat: [], mode: "lines", fill: "none", visible: true, showlegend: false, name: "",
    };
    const LEGEND_KEYS = ["name", "legendgroup", "legendgrouptitle", "legendrank"];
    // the layer whose drawings each belong to a threat direction (geodata.scenario.DIRECTED_LAYER)
    const DIRECTED_LAYER = "threats";
    // a layer key limited to some certainty states: "<key>@<states>" (geodata.certainty)
    const STATE_MARK = "@";
    // the certainty filters' values, in the order of their states (geodata.knowledge), and
    // every state as a bit mask
    const BASES = ["stated", "inferred", "external"];
    const MODALITY_LEVELS = ["asserted", "assessed", "projected"];
    const EVERY_STATE = (1 << (BASES.length * MODALITY_LEVELS.length)) - 1;

    function graph() {
        return document.querySelector("#map .js-plotly-plot");
    }

    function mapDrawn() {
        const gd = graph();
        return !!(gd && gd._fullLayout && gd.querySelector(".geo path"));
    }

    /* `value`, once the map has drawn its base map (at once after the first time; at most
     * MAP_WAIT_MS later if it never does): what the first paint should not wait for. */
    function afterMapDrawn(value) {
        const started = performance.now();
        return new Promise((resolve) => {
            const wait = () => {
                if (mapDrawn() || performance.now() - started > MAP_WAIT_MS) {
                    requestAnimationFrame(() => setTimeout(() => resolve(value), 0));
                } else {
                    setTimeout(wait, 50);
                }
            };
            wait();
        });
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

    // --- layer toggles in the page -------------------------------------------------------------

    /* A hidden layer's trace is drawn transparent and out of the legend, with its own style
     * kept in its meta (meta.shown_as), which never changes: dashboard/figures/hiding.py, line
     * by line (plotly.js draws every trace again for a change of `visible` or `meta`, and only
     * restyles them for these). leaveHiddenOutOfHover keeps it out of hover and clicks. */
    const SHOWN_AS = "shown_as";
    function hiddenStyle(trace) {
        const first = trace.type === "choropleth" ? ["marker", "opacity"] : ["opacity"];
        return [[first, 0], [["showlegend"], false]];
    }

    function getPath(trace, path) {
        let node = trace;
        for (const key of path) {
            node = node && typeof node === "object" ? node[key] : undefined;
        }
        return node === undefined ? null : node;
    }

    /* A copy of `trace` with the property at `path` set (null: removed, with the objects on
     * the way it leaves empty). */
    function setPath(trace, path, value) {
        const copy = Object.assign({}, trace);
        if (path.length > 1) {
            const inner = setPath(copy[path[0]] || {}, path.slice(1), value);
            if (Object.keys(inner).length || value !== null) {
                copy[path[0]] = inner;
            } else {
                delete copy[path[0]];
            }
        } else if (value === null) {
            delete copy[path[0]];
        } else {
            copy[path[0]] = value;
        }
        return copy;
    }

    function isHidden(trace) {
        const [[path, hidden]] = hiddenStyle(trace);
        return (trace.visible !== undefined && trace.visible !== true)
            || getPath(trace, path) === hidden;
    }

    /* Leave the map's hidden traces out of hover and clicks, once it is drawn (each time).
     * plotly.js's hover passes over a trace of no points; so each hidden trace, as drawn (its
     * full trace, which plotly.js makes anew at each drawing), is given none (`_length`, a
     * private key plotly.js does not compare between two figures; set before the drawing, it
     * would leave the trace undrawn). A hover style (hovertemplate, hoverinfo) would make
     * plotly.js calculate and draw every trace again at each toggle. */
    function leaveHiddenOutOfHover(gd) {
        (gd.calcdata || []).forEach((calcTrace) => {
            const trace = calcTrace && calcTrace[0] && calcTrace[0].trace;
            if (trace && isHidden(trace)) { trace._length = 0; }
        });
    }

    /* Draw each geo trace at its opacity. plotly.js (4.1) draws a geo trace's opacity only
     * when it draws the trace whole, not when it restyles it: after a trace was hidden or shown
     * by its style alone (hideTrace), its drawing takes it here, as plotly.js's own would (a
     * scattergeo's group; a choropleth's places, its marker's). A transparent trace is not
     * painted at all (`visibility`: its group would still change how the browser rasterises
     * what it lies over). */
    function drawGeoOpacities(gd) {
        traceGroups(gd).forEach((group, index) => {
            const trace = (gd._fullData || [])[index];
            if (!trace || (trace.type !== "choropleth" && trace.type !== "scattergeo")) { return; }
            paintedOrNot(group, !isHidden(trace));
            if (trace.type === "scattergeo") {
                if (group.style.opacity !== String(trace.opacity)) {
                    group.style.opacity = String(trace.opacity);
                }
                return;
            }
            const opacity = trace.marker && trace.marker.opacity;
            group.querySelectorAll("path.choroplethlocation").forEach((path) => {
                if (opacity === undefined || opacity === null) {
                    path.style.removeProperty("opacity");
                } else if (path.style.opacity !== String(opacity)) {
                    path.style.opacity = String(opacity);
                }
            });
        });
    }

    /* Draw each countries trace with its fills and outlines. The map states its data revision
     * (layout.datarevision, dashboard.service.maps.data_revision): plotly.js then takes new
     * arrays as new data only with a new revision, so a toggle that restyles the countries
     * does not make it calculate and draw every trace again. The page hands the new values to
     * the drawn places (plotly.js's calcdata: z, outline colour and width) and has plotly.js's
     * own choropleth style draw them (the hover text plotly.js reads from the trace itself). */
    function syncCountries(gd) {
        (gd._fullData || []).forEach((trace, index) => {
            const calcTrace = (gd.calcdata || [])[index];
            if (trace.type !== "choropleth" || metaOf(trace).kind !== "country" || !calcTrace) {
                return;
            }
            const line = (trace.marker && trace.marker.line) || {};
            const arrays = [["z", trace.z], ["mlc", line.color], ["mlw", line.width]]
                .filter(([, values]) => Array.isArray(values));
            let changed = false;
            calcTrace.forEach((place, i) => {
                arrays.forEach(([key, values]) => {
                    if (place[key] !== values[i]) { place[key] = values[i]; changed = true; }
                });
            });
            if (changed && trace._module && trace._module.style) {
                trace._module.style(gd, calcTrace);
            }
        });
    }

    /* A trace's group painted (as plotly.js draws it: no `visibility`) or not. */
    function paintedOrNot(group, painted) {
        if (!painted) {
            group.style.visibility = "hidden";
        } else if (group.style.visibility) {
            group.style.removeProperty("visibility");
            if (!group.getAttribute("style")) { group.removeAttribute("style"); }
        }
    }

    function hideTrace(trace) {
        return hiddenStyle(trace).reduce((t, [path, value]) => setPath(t, path, value), trace);
    }

    function showTrace(trace) {
        const own = metaOf(trace)[SHOWN_AS] || {};
        return hiddenStyle(trace).reduce((t, [path]) => {
            const value = own[path.join(".")];
            return setPath(t, path, value === undefined ? null : value);
        }, trace);
    }

    /* A layer key limited to some certainty states, as [layer key, states] (states: a bit mask
     * of certainty state indices): geodata.certainty.split_state_key. */
    function splitStateKey(alternative) {
        const at = alternative.indexOf(STATE_MARK);
        if (at < 0) { return [alternative, EVERY_STATE]; }
        return [alternative.slice(0, at), Number(alternative.slice(at + 1))];
    }

    /* Whether a thing shown with any of `alternatives` (state keys) shows with the layer keys
     * `shown` in certainty state `state`: geodata.certainty.shows. */
    function showsWith(alternatives, shown, state) {
        return alternatives.some((alternative) => {
            const [key, states] = splitStateKey(alternative);
            return shown.has(key) && ((states >> state) & 1) === 1;
        });
    }

    /* The countries trace's fills (colorscale steps), outlines and hover texts with the layer
     * keys `shown` in certainty state `state`: dashboard.figures.countries.country_style, line
     * by line (tested equal for every set of layers and state). `toggle` is the figure's toggle
     * data (toggleOf, with browser_records's hover texts and records), `locations` the
     * trace's. */
    function countryStyle(toggle, locations, shown, state) {
        const fill = {}, line = {}, extra = {};
        for (const [layer, rows] of toggle.records) {
            if (!showsWith([layer], shown, state)) { continue; }
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

    /* What the figure brought along for the layer toggles (dashboard.service.maps: in the meta
     * of its main countries trace, not in the layout, which dcc.Graph copies on every update),
     * or null for a figure without it. */
    function toggleOf(figure) {
        const trace = toggleTrace(figure && figure.data);
        return trace ? trace.meta.toggle : null;
    }

    /* The trace that carries the figure's toggle data (the main map's countries). */
    function toggleTrace(data) {
        return (data || []).find((t) => t && t.meta && t.meta.toggle) || null;
    }

    /* The layer keys a view of `layers` and `directions` shows (geodata.scenario.shown_keys):
     * its layers, and the directed layer's part for each direction while that layer is shown. */
    function shownKeys(layers, directions) {
        if (!layers.includes(DIRECTED_LAYER)) { return layers.slice(); }
        return layers.concat(directions.map((direction) => DIRECTED_LAYER + "-" + direction));
    }

    /* A copy of `figure` showing the layer keys `shown` in certainty state `state` (the traces
     * of the others hidden, the countries traces restyled: the main map's and an inset's, each
     * from its own records); the traces that do not change are the same objects. A trace
     * several layer keys share (meta.layers: a label two layers ask for, a threat direction's
     * part of its layer) shows when any of them is shown, each in the certainty states it
     * names (figures.states). */
    function figureShowing(figure, toggle, shown, state) {
        const always = new Set(toggle.always);
        const drawn = new Set([...shown, ...always]);
        const countries = new Map(
            [toggle, ...(toggle.insets || [])].map((records) => [records.countries, records])
        );
        const data = figure.data.map((trace, index) => {
            if (countries.has(index)) {
                const style = countryStyle(countries.get(index), trace.locations, drawn, state);
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
            const meta = trace.meta || {};
            const layers = meta.layers || [meta.layer];
            // only what a toggle shows and hides (not the base map, the focus ring, or the
            // sentence emphasis's slots, which belong to no layer and show in every state)
            const fixed = layers.some((layer) => {
                const [key, states] = splitStateKey(layer);
                return always.has(key) ? states === EVERY_STATE : !toggle.keys.includes(key);
            });
            if (fixed) { return trace; }
            const show = showsWith(layers, drawn, state);
            if (show === !isHidden(trace)) { return trace; }
            return show ? showTrace(trace) : hideTrace(trace);
        });
        return Object.assign({}, figure, {data: data});
    }

    /* A view's URL query with other values of some of its parameters (`values`: by name, a
     * list or a string): only those parts change, so it stays the one the server writes for
     * that view (Scenario.to_query, which writes every one of them). */
    function queryWith(query, values) {
        return "?" + query.replace(/^\?/, "").split("&").map((part) => {
            const name = part.split("=")[0];
            if (!(name in values)) { return part; }
            const value = values[name];
            return name + "=" + (Array.isArray(value) ? value.join(",") : value);
        }).join("&");
    }

    /* The map's summary (dashboard.service.panels.summary_text, said the same way) from the
     * view's summary choices, for a view titled `title` showing `layers` (and the layer keys
     * `keys`, see shownKeys) in certainty state `state`. */
    function summaryText(choices, title, layers, keys, state) {
        const fill = (text, key, value) => text.split("{" + key + "}").join(value);
        const parts = [choices.title ? fill(choices.title, "title", title) : choices.untitled];
        if (layers.length) {
            const names = layers.map((layer) => choices.names[layer]).join(choices.joiner);
            const count = shownCount(choices.counts, new Set(keys), state);
            parts.push(fill(fill(choices.layers, "layers", names), "count", String(count)));
            parts.push(choices.projection);
        } else {
            parts.push(choices.none);
        }
        if (choices.focus) { parts.push(choices.focus); }
        return parts.join(choices.separator);
    }

    /* How many of the table's rows a view showing the layer keys `shown` in certainty state
     * `state` shows, from its counts (rows per set of state keys, "" for rows of none):
     * dashboard.service.panels.shown_count. */
    function shownCount(counts, shown, state) {
        let count = 0;
        Object.entries(counts || {}).forEach(([key, n]) => {
            if (!key || showsWith(key.split(" "), shown, state)) { count += n; }
        });
        return count;
    }

    /* Whether the figure's map shows `layers` in certainty state `state` as it is drawn (the
     * same view, the Europe inset or none; what the state leaves out only hidden):
     * toggle.frames, by set of layers (bit i: toggle.layers[i]), and toggle.states, by state,
     * "1" or "0". A toggle that re-frames the map, or needs items it does not draw, is the
     * server's to draw. (The map is framed for every certainty it draws.) */
    function framedAlike(toggle, layers, state) {
        const mask = toggle.layers.reduce(
            (bits, layer, i) => (layers.includes(layer) ? bits | (1 << i) : bits), 0);
        return toggle.states[state] === "1" && toggle.frames[mask] === "1";
    }

    /* The index of the certainty state of a view's filters [basis, modality]
     * (geodata.certainty.state_index), or -1 for unknown ones. */
    function certaintyState([basis, modality]) {
        const b = BASES.indexOf(basis), m = MODALITY_LEVELS.indexOf(modality);
        return b < 0 || m < 0 ? -1 : b * MODALITY_LEVELS.length + m;
    }

    /* The certainty state of a view (its scenario as the `view` store has it; the widest, the
     * filters' defaults, for one without them). */
    function viewState(scenario) {
        const state = certaintyState([scenario.basis, scenario.modality]);
        return state < 0 ? BASES.length * MODALITY_LEVELS.length - 1 : state;
    }

    function sameList(a, b) {
        return a.length === b.length && a.every((item, i) => item === b[i]);
    }

    // --- the map's emphasis (as dashboard/figures/emphasis.py `emphasized`) -----------------

    function metaOf(trace) {
        return trace.meta || {};
    }

    /* A trace's own opacity (meta.opacity keeps it while an emphasis fades the trace). */
    function ownOpacity(trace) {
        const meta = metaOf(trace);
        return meta.opacity !== undefined ? meta.opacity
            : (trace.opacity !== undefined ? trace.opacity : 1);
    }

    function isLines(trace) {
        return trace.type === "scattergeo" && trace.mode === "lines";
    }

    /* Whether a trace is drawn on the main map (not on the Europe inset, geo2): the points
     * the emphasis keeps in view are the main map's. */
    function onMainMap(trace) {
        return !trace.geo || trace.geo === "geo";
    }

    function elementsOf(trace) {
        const meta = metaOf(trace);
        if (meta.items) { return meta.items; }
        if (meta.parts) { return meta.parts.map((part) => [part]); }
        if (isLines(trace)) { return [meta.ids || []]; }
        return (meta.ids || []).map((id) => [id]);
    }

    function partsOf(trace) {
        const lon = trace.lon || [];
        const lat = trace.lat || [];
        if (!lon.length) { return []; }
        const parts = [[[], []]];
        for (let i = 0; i < lon.length; i++) {
            if (lon[i] === null) {
                parts.push([[], []]);
            } else {
                parts[parts.length - 1][0].push(lon[i]);
                parts[parts.length - 1][1].push(lat[i]);
            }
        }
        return parts;
    }

    function unselectedOf(trace) {
        const style = {marker: {opacity: FADE}};
        if ((trace.mode || "").includes("text")) { style.textfont = {color: FADED_TEXT}; }
        return style;
    }

    function round4(x) {
        return Math.round(x * 10000) / 10000;
    }

    /* What `figure` becomes with the elements that draw `items` (a Set; null: none picked)
     * as they are and the rest faded: {changes: [[path, value]…], points: [[lon, lat]…] of
     * what is emphasised, count: the items found on the map, redrawn: [[index, parts]…] of the
     * traces of lines whose parts an overlay draws again}. */
    function emphasisOf(figure, items) {
        const data = (figure && figure.data) || [];
        const changes = [];
        // each map's (geo subplot's) own overlays: what one redraws stays on its map
        const free = new Map();
        const slotState = new Map();
        data.forEach((trace, index) => {
            if (metaOf(trace).kind !== SLOT_KIND) { return; }
            const geo = trace.geo || "geo";
            if (!free.has(geo)) { free.set(geo, []); }
            free.get(geo).push(index);
            slotState.set(index, Object.assign({}, EMPTY_SLOT));
        });
        const byLook = new Map();
        const found = new Set();
        const points = [];
        const redrawn = [];  // [the index of a trace of lines, its parts drawn again]
        const addOverlay = (geo, look, lon, lat) => {
            const key = geo + JSON.stringify(look);
            if (!byLook.has(key)) {
                const slots = free.get(geo);
                if (!slots || !slots.length) { return false; }
                const slot = slots.shift();
                byLook.set(key, slot);
                Object.assign(slotState.get(slot), look);
            }
            const slot = slotState.get(byLook.get(key));
            const gap = slot.lon.length ? [null] : [];
            slot.lon = slot.lon.concat(gap, lon);
            slot.lat = slot.lat.concat(gap, lat);
            return true;
        };
        data.forEach((trace, index) => {
            const meta = metaOf(trace);
            if (!("ids" in meta) || NOT_FADED.includes(meta.kind)) { return; }
            const elements = elementsOf(trace);
            let chosen = null;
            if (items) {
                chosen = [];
                elements.forEach((element, j) => {
                    const hit = element.filter((item) => items.has(item));
                    if (hit.length) {
                        chosen.push(j);
                        if (element.length === 1) { found.add(element[0]); }
                    }
                });
            }
            // a hidden trace (its items still counted) is painted when its layer shows
            if (isHidden(trace)) { return; }
            if (isLines(trace)) {
                const base = ownOpacity(trace);
                const legend = meta.showlegend !== undefined ? meta.showlegend
                    : (trace.showlegend !== undefined ? trace.showlegend : true);
                let opacity = base;
                let showlegend = legend;
                if (chosen !== null) {
                    let placed = true;
                    if (chosen.length) {
                        const parts = partsOf(trace);
                        const lon = [];
                        const lat = [];
                        chosen.forEach((j) => {
                            if (lon.length) { lon.push(null); lat.push(null); }
                            lon.push(...parts[j][0]);
                            lat.push(...parts[j][1]);
                            const n = parts[j][0].length;
                            if (n && onMainMap(trace)) {
                                points.push([parts[j][0][0], parts[j][1][0]]);
                                points.push([parts[j][0][n - 1], parts[j][1][n - 1]]);
                            }
                        });
                        const look = {
                            mode: trace.mode || "lines",
                            line: trace.line || {},
                            fill: trace.fill || "none",
                            fillcolor: trace.fillcolor === undefined ? null : trace.fillcolor,
                            opacity: base,
                            visible: true,
                            showlegend: legend,
                        };
                        if (legend) {
                            LEGEND_KEYS.forEach((k) => {
                                look[k] = trace[k] === undefined ? null : trace[k];
                            });
                        }
                        placed = addOverlay(trace.geo || "geo", look, lon, lat);
                        if (placed) { redrawn.push([index, chosen]); }
                        if (placed && legend) { showlegend = false; }
                    }
                    if (placed) { opacity = round4(base * FADE); }
                }
                changes.push([["data", index, "opacity"], opacity]);
                changes.push([["data", index, "showlegend"], showlegend]);
            } else if (chosen === null) {
                changes.push([["data", index, "selectedpoints"], null]);
            } else {
                changes.push([["data", index, "selectedpoints"], chosen]);
                changes.push([["data", index, "unselected"], unselectedOf(trace)]);
                if (trace.lon && onMainMap(trace)) {
                    chosen.forEach((j) => {
                        if (trace.lon[j] !== null && trace.lon[j] !== undefined) {
                            points.push([trace.lon[j], trace.lat[j]]);
                        }
                    });
                }
            }
        });
        slotState.forEach((state, index) => {
            Object.keys(state).forEach((key) => changes.push([["data", index, key], state[key]]));
        });
        return {changes: changes, points: points, count: found.size, redrawn: redrawn};
    }

    /* Whether every point is on the map as the user now sees it (panned or zoomed). */
    function onScreen(points) {
        const gd = graph();
        const geo = gd && gd._fullLayout && gd._fullLayout.geo;
        const subplot = geo && geo._subplot;
        if (!subplot || !subplot.projection || !subplot.bounds) { return true; }
        const projection = subplot.projection;
        const [[x0, y0], [x1, y1]] = subplot.bounds;
        return points.every((point) => {
            const xy = projection(point);
            if (!xy || (projection.isLonLatOverEdges && projection.isLonLatOverEdges(point))) {
                return false;
            }
            return xy[0] >= x0 - 1 && xy[0] <= x1 + 1 && xy[1] >= y0 - 1 && xy[1] <= y1 + 1;
        });
    }

    /* Back to the map's own view (which shows every emphasised item: the server widens it
     * when it would not), as plotly's "reset view" button does. */
    function resetView() {
        const gd = graph();
        const subplot = gd && gd._fullLayout.geo && gd._fullLayout.geo._subplot;
        if (!subplot || !subplot.viewInitial || !window.Plotly) { return; }
        const update = {};
        Object.keys(subplot.viewInitial).forEach((key) => {
            update["geo." + key] = subplot.viewInitial[key];
        });
        window.Plotly.relayout(gd, update);
    }

    // --- the emphasis, painted on the drawn map ---------------------------------------------

    /* plotly.js draws a change of a scattergeo's selectedpoints or coordinates by drawing the
     * whole geo subplot again, its base map included (0.3 to 1 s on a laptop); only trace-level
     * styles are cheap. So the page never patches its figure for an emphasis: it paints what
     * emphasisOf works out (the figure the export draws: tests/dashboard/test_reading.py) on
     * the map's SVG, at once. A faded point, country or label gets the class `atlas-faded`
     * (style.css: the `unselected` style, over plotly's own), a faded trace of lines
     * `atlas-dim` (its opacity in --atlas-opacity), and the parts an overlay trace would draw
     * again are copies of the trace's path (`g.atlas-emphasis`, over every layer and under the
     * labels, as the overlays are). plotly draws the plain figure again on a redraw (a layer
     * toggle, a new map): the emphasis is painted again after it, and the copies follow a pan
     * or a zoom. */
    const SVG_NS = "http://www.w3.org/2000/svg";
    const paint = {sentence: null, items: null, known: false, result: null, copies: []};

    /* The drawn group of each trace of the map (plotly binds it to the trace's calcdata). */
    function traceGroups(gd) {
        const groups = new Map();
        gd.querySelectorAll("g.trace").forEach((group) => {
            const cd = group.__data__;
            const trace = Array.isArray(cd) && cd[0] && cd[0].trace;
            if (trace && typeof trace.index === "number") { groups.set(trace.index, group); }
        });
        return groups;
    }

    /* Fade the points, countries and texts of a trace's group but those `chosen` (their
     * indexes; null: fade none). */
    function fadeElements(group, chosen) {
        const position = new Map((group.__data__ || []).map((point, i) => [point, i]));
        const keep = chosen === null ? null : new Set(chosen);
        group.querySelectorAll("path.point, path.choroplethlocation, text").forEach((node) => {
            const index = position.get(node.__data__);
            node.classList.toggle("atlas-faded", keep !== null && !keep.has(index));
        });
    }

    /* A trace of lines at `opacity` (dimmed when that is not its own; else left as plotly
     * draws it, as a trace drawn after the painting is). */
    function dimLines(group, trace, opacity) {
        const dim = opacity !== ownOpacity(trace);
        group.classList.toggle("atlas-dim", dim);
        if (dim) {
            group.style.setProperty("--atlas-opacity", String(opacity));
        } else {
            group.style.removeProperty("--atlas-opacity");
        }
    }

    /* The geometry plotly draws a trace's `chosen` parts with (as its own lines or fill). */
    function partsGeometry(trace, chosen) {
        const parts = partsOf(trace);
        const rings = chosen.map((j) => parts[j]).filter((part) => part && part[0].length)
            .map(([lon, lat]) => lon.map((x, i) => [x, lat[i]]));
        if ((trace.fill || "none") !== "none") {
            return rings.length === 1 ? {type: "Polygon", coordinates: rings}
                : {type: "MultiPolygon", coordinates: rings.map((ring) => [ring])};
        }
        return rings.length === 1 ? {type: "LineString", coordinates: rings[0]}
            : {type: "MultiLineString", coordinates: rings};
    }

    function pathOf(gd, geo) {
        const subplot = gd._fullLayout[geo] && gd._fullLayout[geo]._subplot;
        return subplot && subplot.projection && subplot.projection.getPath
            ? subplot.projection.getPath() : null;
    }

    /* The group the copies of a map (`geo`) go in: in its layer of traces, after its overlay
     * traces (over every layer, under the labels). */
    function copiesGroup(gd, groups, geo) {
        let slot = -1;
        gd.data.forEach((trace, index) => {
            if ((trace.geo || "geo") === geo && metaOf(trace).kind === SLOT_KIND) { slot = index; }
        });
        let layer = null;
        let before = null;
        groups.forEach((group, index) => {
            const trace = gd.data[index];
            if (!trace || (trace.geo || "geo") !== geo || !group.parentNode ||
                    !group.parentNode.classList.contains("scatterlayer")) { return; }
            layer = group.parentNode;
            if (index > slot && before === null) { before = group; }
        });
        if (!layer) { return null; }
        const copies = document.createElementNS(SVG_NS, "g");
        copies.setAttribute("class", "atlas-emphasis");
        copies.style.pointerEvents = "none";
        layer.insertBefore(copies, before);
        return copies;
    }

    /* Paint the emphasis of `paint` on the drawn map; what emphasisOf says of it (or null
     * before the map is drawn). */
    function paintEmphasis() {
        const gd = graph();
        if (!gd || !gd.data || !gd._fullLayout) { return null; }
        gd.style.setProperty("--atlas-fade", String(FADE));
        gd.style.setProperty("--atlas-faded-text", FADED_TEXT);
        gd.querySelectorAll("g.atlas-emphasis").forEach((group) => group.remove());
        paint.copies = [];
        const groups = traceGroups(gd);
        // a trace hidden since the last painting keeps no faded or dimmed part (the CSS would
        // draw them over its transparency)
        groups.forEach((group, index) => {
            if (gd.data[index] && isHidden(gd.data[index])) {
                fadeElements(group, null);
                dimLines(group, gd.data[index], ownOpacity(gd.data[index]));
            }
        });
        const items = paint.sentence ? new Set(paint.items || []) : null;
        const result = emphasisOf({data: gd.data}, items);
        result.changes.forEach(([[, index, key], value]) => {
            const group = groups.get(index);
            if (!group || !gd.data[index]) { return; }
            if (key === "selectedpoints") { fadeElements(group, value); }
            if (key === "opacity") { dimLines(group, gd.data[index], value); }
        });
        const byMap = new Map();
        result.redrawn.forEach(([index, chosen]) => {
            const trace = gd.data[index];
            const group = groups.get(index);
            const line = group && group.querySelector("path.js-line");
            const geo = trace.geo || "geo";
            const path = pathOf(gd, geo);
            if (!line || !path) { return; }
            if (!byMap.has(geo)) { byMap.set(geo, copiesGroup(gd, groups, geo)); }
            if (!byMap.get(geo)) { return; }
            const wrap = document.createElementNS(SVG_NS, "g");
            wrap.style.opacity = String(ownOpacity(trace));
            const copy = line.cloneNode(false);
            copy.classList.remove("js-line");
            copy.classList.add("atlas-copy");
            const geometry = partsGeometry(trace, chosen);
            copy.__atlasGeometry = geometry;  // for the tests: the parts drawn again
            copy.setAttribute("d", path(geometry) || "");
            wrap.appendChild(copy);
            byMap.get(geo).appendChild(wrap);
            paint.copies.push({copy: copy, geometry: geometry, geo: geo});
        });
        gd.setAttribute("data-emphasis", paint.sentence || "");
        paint.result = result;
        return result;
    }

    /* The copies drawn again where the map now puts them (after a pan or a zoom). */
    function followCopies() {
        const gd = graph();
        if (!gd || !gd._fullLayout) { return; }
        paint.copies.forEach(({copy, geometry, geo}) => {
            const path = pathOf(gd, geo);
            if (path) { copy.setAttribute("d", path(geometry) || ""); }
        });
    }

    /* What the first map of a link with a sentence says it emphasises ({sentence, items}, in
     * the meta of the trace with the toggle data), or null. */
    function emphasisMeta(data) {
        const trace = toggleTrace(data);
        return (trace && trace.meta.emphasis) || null;
    }

    // --- the base map is drawn once per framing ---------------------------------------------

    // the projection's settings that place a base-map path (d3-geo's getters; plotly sets the
    // ones a projection type lacks to a function that answers [])
    const PROJECTION_SETTINGS = [
        "scale", "translate", "rotate", "center", "parallels", "clipAngle", "clipExtent",
        "precision", "tilt", "distance",
    ];

    /* What the `d` of a geo subplot's base-map paths (land, coastlines, borders, frame, grid)
     * follows: its projection's type and settings, its topojson (the 1:50m or 1:110m one), its
     * path elements, and the grid lines' own geometry. */
    function baseMapDrawing(geo) {
        const projection = geo.projection;
        const layout = geo.graphDiv && geo.graphDiv._fullLayout && geo.graphDiv._fullLayout[geo.id];
        if (!projection || !layout || !geo.basePaths) { return null; }
        const settings = PROJECTION_SETTINGS.map(
            (name) => (typeof projection[name] === "function" ? projection[name]() : null));
        const names = Object.keys(geo.basePaths);
        return {
            settings: JSON.stringify([layout.projection && layout.projection.type, settings]),
            topojson: geo.topojson,
            nodes: names.map((name) => geo.basePaths[name].node()),
            grid: JSON.stringify(names.filter((name) => name.endsWith("axis"))
                .map((name) => geo.basePaths[name].datum())),
        };
    }

    function sameDrawing(a, b) {
        return !!(a && b) && a.settings === b.settings && a.topojson === b.topojson
            && a.grid === b.grid && a.nodes.length === b.nodes.length
            && a.nodes.every((node, i) => node === b.nodes[i]);
    }

    /* plotly.js 4.1 draws every path of a geo subplot again on each redraw (geo's `_render`:
     * each base-map path's `d` from the projection), even when a redraw (a layer toggle) only
     * shows or hides traces: at 1:50m that is most of a toggle's time. The base-map paths keep
     * their `d` when nothing they follow has changed (baseMapDrawing); the traces' paths and
     * points are drawn as plotly draws them. A pan, a zoom, another scale or a new framing
     * draws everything. Without that part of plotly (another version), plotly draws as usual. */
    function keepBaseMaps(gd) {
        const geo = gd._fullLayout && gd._fullLayout.geo && gd._fullLayout.geo._subplot;
        const proto = geo && Object.getPrototypeOf(geo);
        if (!proto || typeof proto._render !== "function" || proto.atlasKeepsBaseMaps) {
            return;
        }
        // what the subplots' first drawing (before this) drew
        Object.values(gd._fullLayout).forEach((part) => {
            const subplot = part && part._subplot;
            if (subplot && Object.getPrototypeOf(subplot) === proto) {
                subplot.atlasBaseMap = baseMapDrawing(subplot);
            }
        });
        const render = proto._render;
        proto.atlasKeepsBaseMaps = true;
        proto._render = function () {
            const drawing = baseMapDrawing(this);
            if (!sameDrawing(drawing, this.atlasBaseMap)) {
                const result = render.apply(this, arguments);
                this.atlasBaseMap = drawing;
                return result;
            }
            const basePaths = this.basePaths;
            this.basePaths = {};
            try {
                return render.apply(this, arguments);
            } finally {
                this.basePaths = basePaths;
            }
        };
    }

    /* The graph's box sized to the map it draws: the CSS custom properties `.map` reads in
     * style.css, from the figure's layout (its meta: the plot area's height / width) and the
     * margins plotly gave it (the layout's, or more where the legend, wrapped into more rows on
     * a narrow map, needs more), as dashboard.figures.geo.map_box_style writes them for the
     * page's first map. Another view's map may be laid out otherwise (another projection, a
     * taller legend). */
    function fitBox(gd) {
        const layout = gd.layout || {};
        const margin = (gd._fullLayout && gd._fullLayout._size) || layout.margin || {};
        const box = gd.closest(".map-cell");
        if (typeof layout.meta !== "number" || !box) { return; }
        const px = (a, b) => String(Math.round(a || 0) + Math.round(b || 0)) + "px";
        const style = {
            "--map-aspect": String(layout.meta),
            "--map-margin-x": px(margin.l, margin.r),
            "--map-margin-y": px(margin.t, margin.b),
        };
        Object.entries(style).forEach(([name, value]) => {
            if (box.style.getPropertyValue(name) !== value) { box.style.setProperty(name, value); }
        });
    }

    /* What each map's drawing needs after plotly.js's (see syncCountries, drawGeoOpacities,
     * leaveHiddenOutOfHover and fitBox). */
    function finishDrawing(gd) {
        syncCountries(gd);
        drawGeoOpacities(gd);
        leaveHiddenOutOfHover(gd);
        fitBox(gd);
    }

    /* The second map (drawn beside the first one to compare) is finished the same way. */
    function listenToSecondMap() {
        const gd = document.querySelector("#map-b .js-plotly-plot");
        if (!gd || !gd.on) { return false; }
        if (!gd.atlasBox) {
            gd.atlasBox = true;
            gd.on("plotly_afterplot", () => finishDrawing(gd));
        }
        return true;
    }

    /* Listen, once per graph, to plotly's redraws (paint again) and to pans and zooms. The
     * first map of a link with a sentence says what it emphasises (beside its toggle data:
     * emphasisMeta), so that it is painted with its first drawing. */
    function listenToRedraws() {
        const gd = graph();
        if (!gd || !gd.on || gd.atlasRedraws) { return !!(gd && gd.atlasRedraws); }
        gd.atlasRedraws = true;
        gd.on("plotly_afterplot", () => {
            finishDrawing(gd);
            keepBaseMaps(gd);
            const meta = emphasisMeta(gd.data);
            if (!paint.known && meta) {
                paint.sentence = meta.sentence || null;
                paint.items = meta.items || [];
            }
            if (paint.sentence || gd.querySelector(".atlas-faded, .atlas-dim, .atlas-emphasis")) {
                paintEmphasis();
            }
        });
        gd.on("plotly_relayouting", followCopies);
        gd.on("plotly_relayout", followCopies);
        listenToMapClicks();  // before dcc.Graph's own listener (bound after the first drawing)
        return true;
    }

    if (typeof document !== "undefined") {  // (node runs this file in the tests)
        const attach = () => {
            const first = listenToRedraws();
            if (!(listenToSecondMap() && first)) { requestAnimationFrame(attach); }
        };
        if (document.readyState === "loading") {
            document.addEventListener("DOMContentLoaded", attach);
        } else if (document.readyState) {
            attach();
        }
    }

    /* The map emphasises `sentence` (its `items`; null: none), painted at once unless it
     * already does; returns what emphasisOf says of it (or null before the map is drawn). A
     * view that would not show every emphasised item goes back to the map's own view (which
     * the server widened to show them). */
    function showEmphasis(sentence, items) {
        listenToRedraws();
        if (paint.known && paint.sentence === sentence && paint.result) { return paint.result; }
        paint.known = true;
        paint.sentence = sentence;
        paint.items = items;
        const result = paintEmphasis();
        if (sentence && result && result.points.length) {
            setTimeout(() => { if (!onScreen(result.points)) { resetView(); } }, 80);
        }
        return result;
    }

    /* The `emphasis` store's value for the map showing `sentence` (readingState says it). */
    function emphasisShown(sentence, result) {
        return {sentence: sentence, count: result ? result.count : 0, cleared: !sentence,
            announce: true, at: Date.now()};
    }

    // --- the reading panel ----------------------------------------------------------------

    let lastView = null;  // the `view` store's value, for the handlers
    let pendingGoto = null;  // a sentence to go to once the panel's body is in
    let scrolledTo = null;  // the panel's language and sentence it was last scrolled to

    function article() {
        return document.getElementById("article-body");
    }

    /* The panel's sentence `id` pressed (null: none), the others not (only the attributes that
     * change are set: the panel has hundreds of sentences). */
    function pressSentence(body, id) {
        body.querySelectorAll("[data-sentence]").forEach((element) => {
            const on = element.getAttribute("data-sentence") === id ? "true" : "false";
            if (element.getAttribute("aria-pressed") !== on) {
                element.setAttribute("aria-pressed", on);
                element.classList.toggle("selected", on === "true");
            }
        });
    }

    /* A sentence picked (or dropped: null) in the panel: the map emphasises it and the sentence
     * shows pressed at once (from the panel's index), and the server is asked for the view with
     * it once that is on the screen (Dash's work on the request waits for the next frame). */
    function requestSentence(id) {
        const items = id && articleIndex ? articleIndex.sentences[id] : null;
        if (!id || items) {
            showEmphasis(id, items || null);
            if (article()) { pressSentence(article(), id); }
        }
        const request = {sentence: id, at: Date.now()};
        requestAnimationFrame(() => setTimeout(() => {
            window.dash_clientside.set_props("sentence-request", {data: request});
        }, 0));
    }

    function requestRead(open) {
        window.dash_clientside.set_props("read-request", {data: {read: open, at: Date.now()}});
    }

    function sentenceElement(id) {
        const body = article();
        return body && body.querySelector(`[data-sentence="${CSS.escape(id)}"]`);
    }

    /* Scroll the panel to a sentence, put the focus on it, flash it. */
    function goTo(id) {
        const element = sentenceElement(id);
        if (!element) { pendingGoto = id; return; }
        pendingGoto = null;
        element.scrollIntoView({block: "center", behavior: "auto"});
        element.focus({preventScroll: true});
        element.classList.remove("flash");
        void element.offsetWidth;  // restart the animation
        element.classList.add("flash");
    }

    /* Scroll the panel to a sentence, once its element is in the page (React may draw the
     * panel's new body a few frames after the callback that brought it). */
    function scrollToSentence(id, tries) {
        const element = sentenceElement(id);
        if (element) {
            element.scrollIntoView({block: "center", behavior: "auto"});
        } else if (tries < 30) {
            requestAnimationFrame(() => scrollToSentence(id, tries + 1));
        }
    }

    function panelOpen() {
        return !!(lastView && lastView.read);
    }

    function selectedSentence() {
        return (lastView && lastView.scenario && lastView.scenario.sentence) || null;
    }

    function inField(target) {
        return !!(target && target.closest &&
            target.closest("input, textarea, select, [role=combobox], [role=listbox], .dash-dropdown"));
    }

    function onClick(event) {
        const target = event.target;
        if (!(target instanceof Element)) { return; }
        const goto = target.closest("[data-goto]");
        if (goto) {
            event.preventDefault();
            const id = goto.getAttribute("data-goto");
            if (panelOpen() && sentenceElement(id)) {
                goTo(id);
            } else {
                pendingGoto = id;
                requestRead(true);
            }
            return;
        }
        const zoom = target.closest("#details [data-zoom]");
        if (zoom) {  // "zoom to": the map focuses the item shown (a new view, in the URL)
            window.dash_clientside.set_props("zoom-request", {
                data: {item: zoom.getAttribute("data-zoom"), at: Date.now()},
            });
            return;
        }
        const chip = target.closest("#details [data-item]");
        if (chip) {  // a record of a picked sentence: as a click on its item on the map
            window.dash_clientside.set_props("map", {
                clickData: {points: [{customdata: chip.getAttribute("data-item")}], at: Date.now()},
            });
            return;
        }
        const sentence = target.closest("#article-body [data-sentence]");
        if (sentence) {
            const id = sentence.getAttribute("data-sentence");
            requestSentence(sentence.getAttribute("aria-pressed") === "true" ? null : id);
            return;
        }
        const button = target.closest("#read-toggle, #read-hide, #tab-map, #tab-article, #article-ja");
        if (!button) { return; }
        if (button.id === "read-toggle") { requestRead(!panelOpen()); }
        if (button.id === "read-hide" || button.id === "tab-map") { requestRead(false); }
        if (button.id === "tab-article") { requestRead(true); }
        if (button.id === "article-ja") {
            const on = button.getAttribute("aria-pressed") !== "true";
            button.setAttribute("aria-pressed", on ? "true" : "false");
            document.getElementById("article").classList.toggle("show-ja", on);
        }
    }

    function onKey(event) {
        const target = event.target;
        if (event.key === "Escape") {
            if (event.defaultPrevented || inField(target)) { return; }
            const hits = document.querySelector("#article-body .hit-sentence, #article-body mark.hit");
            if (selectedSentence() || hits) {
                if (selectedSentence()) { requestSentence(null); }
                window.dash_clientside.set_props("hits", {data: null});
            }
            return;
        }
        if ((event.key === "Enter" || event.key === " ") && target instanceof Element &&
                target.matches("#article-body [data-sentence]")) {
            event.preventDefault();
            const id = target.getAttribute("data-sentence");
            requestSentence(target.getAttribute("aria-pressed") === "true" ? null : id);
        }
    }

    if (typeof document !== "undefined") {  // (node runs this file in the tests)
        document.addEventListener("click", onClick);
        document.addEventListener("keydown", onKey);
    }

    let strings = {};  // the panel's words in its language (the `article-lang` store)

    /* Whether an input whose id starts with `prefix` is among those that fired. */
    function firedBy(prefix) {
        const ctx = window.dash_clientside.callback_context;
        return ctx.triggered.some((t) => t.prop_id.startsWith(prefix));
    }

    function text(key, values) {
        let out = strings[key] || "";
        Object.keys(values || {}).forEach((k) => { out = out.split("{" + k + "}").join(values[k]); });
        return out;
    }

    const marked = {body: null, key: null};  // what markHits last marked, in which body

    /* Mark in the panel the sentences a map click or a row found (`hits`), with the quotes of
     * the item's records; scroll to the first when `scroll`. */
    function markHits(hits, scroll) {
        const body = article();
        if (!body) { return; }
        // a click is marked up to three times (plotly's click event, mapToText, readingState):
        // the marks are made once, so that the panel's layout is not made again each time
        const key = hits && hits.item
            ? JSON.stringify([hits.item, hits.sentences, hits.records]) : null;
        if (marked.body === body.firstElementChild && marked.key === key) {
            const again = scroll && key && sentenceElement(hits.sentences[0]);
            if (again) { again.scrollIntoView({block: "center", behavior: "auto"}); }
            return;
        }
        marked.body = body.firstElementChild;  // (a new body: a new first child)
        marked.key = key;
        body.querySelectorAll(".hit-sentence").forEach((e) => e.classList.remove("hit-sentence"));
        body.querySelectorAll("mark.hit").forEach((e) => e.classList.remove("hit"));
        if (!hits || !hits.item) { return; }
        const records = new Set(hits.records || []);
        hits.sentences.forEach((id) => {
            const element = sentenceElement(id);
            if (!element) { return; }
            element.classList.add("hit-sentence");
            element.querySelectorAll("mark[data-record]").forEach((mark) => {
                if (records.has(mark.getAttribute("data-record"))) { mark.classList.add("hit"); }
            });
        });
        const first = scroll && hits.sentences.length && sentenceElement(hits.sentences[0]);
        if (first) { first.scrollIntoView({block: "center", behavior: "auto"}); }
    }

    /* The item of a map click (plotly's click event data): its point's customdata, or its
     * location. */
    function clickedItem(click) {
        const point = click && click.points && click.points[0];
        if (!point) { return null; }
        let data = point.customdata;
        while (Array.isArray(data) && data.length) { data = data[0]; }
        return typeof data === "string" && data ? data : point.location || null;
    }

    /* The sentences (and quotes) that cite an item, from the panel's index. */
    function hitsOf(item, index) {
        return {
            item: item,
            sentences: index.cited[item] || [],
            records: index.marks[item] || [],
            at: Date.now(),
        };
    }

    // the `article-index` store's value, for the map's click listener and the sentences picked
    let articleIndex = null;

    /* Mark the sentences citing a clicked item as soon as plotly reports the click, without
     * waiting for Dash to dispatch the map's clickData (mapToText then makes the same marks
     * and keeps them in the `hits` store). Bound once per graph. */
    function listenToMapClicks() {
        const gd = graph();
        if (!gd || !gd.on || gd.atlasClicks) { return; }
        gd.atlasClicks = true;
        gd.on("plotly_click", (click) => {
            const item = articleIndex ? clickedItem(click) : null;
            if (item) { markHits(hitsOf(item, articleIndex), true); }
        });
    }

    // --- the callbacks ------------------------------------------------------------------------

    const atlas = {
        /* `view`, handed on to the table once the map has drawn its base map, so that the first
         * paint does not wait for the table (hundreds of components), and not before the
         * table's area comes near the screen (see tableNear). */
        afterMap: function (view) {
            if (!view) { return window.dash_clientside.no_update; }
            return afterMapDrawn(view).then((value) => {
                if (tableNear()) { return value; }
                table.waiting = value;
                return window.dash_clientside.no_update;
            });
        },

        /* The language the reading panel's body should be in, asked for once the panel is
         * open and the map drawn, when the body is not already in that language. */
        articleWanted: function (view, loaded) {
            if (!view || !view.read) { return window.dash_clientside.no_update; }
            const lang = view.scenario.lang;
            if (loaded && loaded.lang === lang) { return window.dash_clientside.no_update; }
            return afterMapDrawn(lang);
        },

        /* The map's emphasis of a sentence just picked in the panel (the click handler has
         * already painted it: see pickSentence), from the panel's index, not after the server's
         * answer. Returns what the map now shows (the `emphasis` store). */
        emphasisPicked: function (request, index, shown) {
            const noUpdate = window.dash_clientside.no_update;
            const sentence = (request && request.sentence) || null;
            const items = sentence ? ((index && index.sentences[sentence]) || null) : null;
            if (sentence && items === null) { return noUpdate; }
            if (!sentence && !(shown && shown.sentence)) { return noUpdate; }
            return emphasisShown(sentence, showEmphasis(sentence, items));
        },

        /* The map's emphasis of the view's sentence, when the view comes (the URL, back, a new
         * view); plotly's redraws are painted again by listenToRedraws. Returns what the map
         * now shows (the `emphasis` store), or no update when it already said so. */
        emphasis: function (view, shown) {
            const noUpdate = window.dash_clientside.no_update;
            const sentence = view && view.scenario ? view.scenario.sentence || null : null;
            const items = view ? view.emphasis : null;
            const result = showEmphasis(sentence, items);
            if ((shown ? shown.sentence || null : null) === sentence) { return noUpdate; }
            return emphasisShown(sentence, result);
        },

        /* The items of a map click or a table row, and the sentences that cite them (the
         * exact inverse of what a sentence emphasises), for the reading panel to highlight. */
        mapToText: function (click, rows, index) {
            const ctx = window.dash_clientside.callback_context;
            const trigger = ctx.triggered.length ? ctx.triggered[0] : null;
            if (!trigger || !index) { return window.dash_clientside.no_update; }
            let item = null;
            if (trigger.prop_id.startsWith("map.")) {
                item = clickedItem(click);
            } else {
                if (!trigger.value) { return window.dash_clientside.no_update; }
                const id = JSON.parse(trigger.prop_id.split(".n_clicks")[0]);
                item = String(id.key || "").split(":")[1] || null;
            }
            if (!item) { return window.dash_clientside.no_update; }
            const hits = hitsOf(item, index);
            // at once: readingState (which says it to screen readers) waits for the new view
            markHits(hits, true);
            return hits;
        },

        /* The page around the panel: the grid with or without it, the toggle's and the tabs'
         * states. Returns the body's class. */
        readingLayout: function (view) {
            lastView = view || lastView;
            const open = panelOpen();
            const toggle = document.getElementById("read-toggle");
            if (toggle) { toggle.setAttribute("aria-pressed", open ? "true" : "false"); }
            const tabMap = document.getElementById("tab-map");
            const tabArticle = document.getElementById("tab-article");
            if (tabMap) { tabMap.setAttribute("aria-selected", open ? "false" : "true"); }
            if (tabArticle) { tabArticle.setAttribute("aria-selected", open ? "true" : "false"); }
            if (!open && document.querySelector(".app-body.reading-open")) {
                // the map comes back on a narrow window: let plotly fit it again
                setTimeout(() => window.dispatchEvent(new Event("resize")), 0);
            }
            return open ? "app-body reading-open" : "app-body";
        },

        /* The panel as the view and the last map click have it: the picked sentence pressed,
         * the sentences and quotes a map click found highlighted (and scrolled to), and a line
         * for screen readers; it keeps the panel's `index` for the map's click listener.
         * Returns [the status line, the links to the found sentences]. */
        readingState: function (view, hits, loaded, shown, index) {
            lastView = view || lastView;
            strings = (loaded && loaded.strings) || strings;
            articleIndex = index || articleIndex;
            listenToMapClicks();
            const body = article();
            if (!body || !loaded) { return [window.dash_clientside.no_update, null]; }
            const sentence = selectedSentence();
            pressSentence(body, sentence);
            markHits(hits, false);
            let links = null;
            let status = window.dash_clientside.no_update;
            if (hits && hits.item) {
                links = hits.sentences.map((id) => ({
                    type: "Button", namespace: "dash_html_components",
                    props: {children: id, className: "link-button goto-sentence",
                        "data-goto": id, type: "button"},
                }));
                if (firedBy("hits")) {
                    if (hits.sentences.length) {
                        status = text("read.cited", {count: hits.sentences.length}) + ": " +
                            hits.sentences.join(", ");
                    } else {
                        status = text("read.not_cited");
                    }
                }
            }
            if (firedBy("emphasis") && shown && shown.announce) {
                if (shown.sentence) {
                    const records = (loaded.records || {})[shown.sentence] || 0;
                    status = text("read.selected", {id: shown.sentence, records: records,
                        shown: shown.count || 0});
                } else if (shown.cleared) {
                    status = text("read.cleared");
                }
            }
            if (pendingGoto && sentenceElement(pendingGoto)) { goTo(pendingGoto); }
            // a link with a sentence (or the body come in another language): the panel shows it
            const shownKey = sentence ? loaded.lang + "|" + sentence : null;
            if (shownKey && shownKey !== scrolledTo && firedBy("article-lang")) {
                scrollToSentence(sentence, 0);
            }
            scrolledTo = shownKey || scrolledTo;
            return [status, links];
        },

        /* The table lists every layer's and certainty's rows: show those of the shown layer
         * keys in the view's certainty state (CSS on `show-<key>`, and on `show-<key>-<state>`
         * for the rows of a key limited to some states: components.table_body), and count them
         * for the caption (`meta.counts`: rows per set of state keys, "" for none). Returns
         * [the container's class, the caption, the empty text]. */
        tableRows: function (view, meta) {
            const scenario = (view && view.scenario) || {};
            const shown = shownKeys(scenario.layers || [], scenario.directions || []);
            const state = viewState(scenario);
            const classes = ["view-table"]
                .concat(shown.map((key) => "show-" + key))
                .concat(shown.map((key) => "show-" + key + "-" + state));
            const count = shownCount(meta && meta.counts, new Set(shown), state);
            if (!count) { classes.push("is-empty"); }
            if (!meta) { return [classes.join(" "), null, null]; }
            return [
                classes.join(" "),
                meta.caption.replace("{count}", String(count)),
                count ? null : meta.empty,
            ];
        },

        /* A layer, direction or certainty toggle, in the page: the map shows the ticked layers
         * and threat directions in the chosen certainty state (their traces hidden or shown,
         * and the countries trace's style from what the figure brought along in toggleOf), and
         * the address, the `view` store, the record of the drawn map and the heading and the
         * map's summary follow; nothing goes to the server. Only while the comparison lists the
         * differences (`compare-view`), for a map without that data, or for a toggle that
         * re-frames the map, adds or removes its Europe inset, or needs items the map does not
         * draw (framedAlike) (`map-view`: the server draws it), is the server asked. (A
         * direction toggle never re-frames the map: it is framed for them all.)
         * Returns [map.figure, url.search, view.data, rendered.data, view-title.children,
         * map-summary.children, map-view.data, compare-view.data]. */
        toggleLayers: function (ticked, tickedDirections, basis, modality, view, rendered, figure,
            heading, compareMode) {
            const none = window.dash_clientside.no_update;
            const result = [none, none, none, none, none, none, none, none];
            if (!view || !view.scenario) { return result; }
            const scenario = view.scenario;
            const toggle = toggleOf(figure);
            const order = (toggle && toggle.layers) || (heading && heading.layers) || [];
            const picked = new Set(ticked || []);
            const layers = order.filter((layer) => picked.has(layer));
            const directionOrder = (heading && heading.directions) || [];
            const pickedDirections = new Set(tickedDirections || []);
            const directions = directionOrder.filter((d) => pickedDirections.has(d));
            const certainty = [basis || scenario.basis, modality || scenario.modality];
            if (sameList(layers, scenario.layers || [])
                && sameList(directions, scenario.directions || [])
                && sameList(certainty, [scenario.basis, scenario.modality])) { return result; }
            const newView = {
                scenario: Object.assign({}, scenario, {
                    layers: layers, directions: directions,
                    basis: certainty[0], modality: certainty[1],
                }),
                query: queryWith(view.query, {
                    layers: layers, directions: directions,
                    basis: certainty[0], modality: certainty[1],
                }),
            };
            const keys = shownKeys(layers, directions);
            const state = certaintyState(certainty);
            result[1] = newView.query;
            result[2] = newView;
            if (toggle && rendered && state >= 0 && framedAlike(toggle, layers, state)) {
                result[0] = figureShowing(figure, toggle, new Set(keys), state);
                result[3] = Object.assign({}, rendered, {layers: keys, state: state});
            } else {
                result[6] = newView;
            }
            if (heading) {
                const modified = heading.preset_layers !== null
                    && (heading.differs || !sameList(layers, heading.preset_layers)
                        || !sameList(directions, heading.preset_directions)
                        || !sameList(certainty, heading.preset_certainty));
                const title = modified ? heading.modified : heading.title;
                if (heading.preset_layers !== null) { result[4] = title; }
                result[5] = summaryText(heading.summary, title, layers, keys,
                    viewState(newView.scenario));
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

    /* The country search (`focus`, an input with suggestions) applies on Enter or on leaving
     * it; a suggestion picked from the list (or a label typed in full) applies at once. */
    function onInput(event) {
        const input = event.target;
        if (!(input instanceof HTMLInputElement) || input.id !== "focus" || !input.list) {
            return;
        }
        const picked = Array.from(input.list.options).some((o) => o.value === input.value);
        if (picked && window.dash_clientside.set_props) {
            window.dash_clientside.set_props("focus", { value: input.value });
        }
    }

    if (typeof document !== "undefined") {  // (node runs this file in the tests)
        document.addEventListener("input", onInput);
    }

    // for the tests, which compare them with Python's country_style and summary_text
    atlas.countryStyle = countryStyle;
    atlas.summaryText = summaryText;
    atlas.certaintyState = certaintyState;
    atlas.showsWith = showsWith;

    window.dash_clientside = Object.assign({}, window.dash_clientside, {atlas: atlas});
    window.atlasEmphasisOf = emphasisOf;  // for the tests: what the `emphasis` callback patches
    // for the tests and benches: hiding.py's twin
    window.atlasHiding = {hide: hideTrace, show: showTrace, isHidden: isHidden};
})();
