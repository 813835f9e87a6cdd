"""The Dash app without a browser: the Flask test client, the layout, the assets and the
callbacks' responses."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from dash import no_update
from drawing import drawn
from pages import countries_indices, decoded, dicts_in, render, table
from serving import load_loadtest

from dashboard import cli
from dashboard.app import ASSETS_DIR, create_app
from dashboard.callbacks import CLIENTSIDE_COPIES, SYNC_OUTPUTS
from dashboard.details import on_map
from dashboard.figures import shown_by
from dashboard.service.controls import CONTROL_IDS
from dashboard.service.maps import FOCUS_RING_LAYER
from dashboard.service.panels import shown_count
from geodata.certainty import CERTAINTY_STATES, state_index
from geodata.knowledge import DIRECTIONS
from geodata.scenario import DIRECTION_KEYS, LAYERS, Scenario, shown_keys

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
URL_RE = re.compile(r"""https?://[^\s"'<>)\\]+""")
TOPOJSON_SHA256 = {
    "world_110m.json": "d75915eaa31c870df6b972c9e5bb86910197825f33dcfef740f3b2f68cffe843",
    "world_50m.json": "8aca84b4376b3ad809cd6284bfec947434e57e61c565c525570f0639964c96bf",
}
TOGGLE_BUDGET = 15 * 1024
# what a layer toggle may change of the countries trace (its fills, outlines and hover text)
COUNTRY_STYLE = {"z", "zmin", "zmax", "colorscale", "marker", "hovertext"}
# what hiding or showing a layer's trace changes: its transparency and legend entry
HIDING = {"opacity", "marker", "showlegend"}


def _foreign_urls(text: str) -> set[str]:
    return {u for u in URL_RE.findall(text) if urlsplit(u).hostname not in LOCAL_HOSTS}


def test_index_is_served_and_names_no_other_host(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _foreign_urls(html) == set()
    assert "__debugger__" not in html
    assert '<html lang="ja">' in html
    layout = client.get("/_dash-layout").get_data(as_text=True)
    assert _foreign_urls(layout) == set()


def test_bad_query_still_serves_the_page(client):
    response = client.get("/?zoom=3&layers=bogus&from=yesterday&scenario=%3Cscript%3E")
    assert response.status_code == 200


def test_page_scripts_are_served_locally(app, client):
    html = client.get("/").get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert scripts and all(s.startswith("/") for s in scripts)
    assert app.config.serve_locally is True
    for src in scripts:
        assert client.get(src).status_code == 200, src


@pytest.mark.parametrize("name", sorted(TOPOJSON_SHA256))
def test_topojson_is_served_from_the_app(client, name):
    response = client.get(f"/assets/topojson/{name}")
    assert response.status_code == 200
    assert hashlib.sha256(response.data).hexdigest() == TOPOJSON_SHA256[name]
    assert json.loads(response.data)["type"] == "Topology"


def test_topojson_licence_ships_with_the_files():
    licence = (ASSETS_DIR / "topojson" / "LICENSE").read_text(encoding="utf-8")
    assert "MIT License" in licence


def test_graph_points_plotly_at_the_local_topojson(app, client):
    layout = client.get("/_dash-layout").get_json()
    configs = [node["props"]["config"] for node in dicts_in(layout) if node.get("type") == "Graph"]
    assert len(configs) == 2
    for config in configs:
        # plotly.js loads `<topojsonURL><scope>_<resolution>m.json`: the base maps' folder is
        # named by their content hash (see tests/dashboard/test_delivery.py)
        assert config["topojsonURL"] == app.delivery.topojson_url
        assert config["displaylogo"] is False
        for name, sha256 in TOPOJSON_SHA256.items():
            response = client.get(config["topojsonURL"] + name)
            assert hashlib.sha256(response.data).hexdigest() == sha256


def test_debug_is_off_and_errors_are_plain(atlas, presets):
    app = create_app(atlas=atlas, presets=presets)
    assert app.server.debug is False

    @app.server.route("/boom")
    def boom():
        raise RuntimeError("secret detail")

    response = app.server.test_client().get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and "secret detail" not in body
    assert "__debugger__" not in body


def test_module_level_server_is_the_flask_app():
    import flask

    import dashboard.app as module

    assert isinstance(module.server, flask.Flask)
    assert module.server is module.server


def test_unknown_language_is_refused(atlas, presets):
    with pytest.raises(ValueError, match="lang"):
        create_app(lang="fr", atlas=atlas, presets=presets)


def test_serve_defaults_to_localhost_without_debug(monkeypatch):
    args = cli.build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.lang, args.debug) == ("127.0.0.1", 8050, "ja", False)
    calls = []

    class FakeApp:
        def run(self, **kwargs):
            calls.append(kwargs)

    import dashboard.app

    monkeypatch.setattr(
        dashboard.app, "create_app", lambda lang, **_: calls.append(lang) or FakeApp()
    )
    assert cli.main(["serve", "--port", "8123", "--lang", "en"]) == 0
    assert calls[0] == "en"
    assert calls[1]["host"] == "127.0.0.1" and calls[1]["port"] == 8123
    assert calls[1]["debug"] is False


def _post_callback(client, output, outputs, inputs, state, changed):
    payload = {
        "output": output,
        "outputs": outputs,
        "inputs": inputs,
        "state": state,
        "changedPropIds": changed,
    }
    return client.post("/_dash-update-component", json=payload)


def _render_request(client, view, rendered):
    return _post_callback(
        client,
        "..map.figure...rendered.data...map.config..",
        [
            {"id": "map", "property": "figure"},
            {"id": "rendered", "property": "data"},
            {"id": "map", "property": "config"},
        ],
        [{"id": "view", "property": "data", "value": view}],
        [{"id": "rendered", "property": "data", "value": rendered}],
        ["view.data"],
    )


def test_a_layer_toggle_response_is_a_small_patch(client, service, presets):
    scenario = presets["concept_diagram"]
    full = _render_request(client, service.views.view_data(scenario), None)
    assert full.status_code == 200
    body = full.get_json()["response"]
    figure = body["map"]["figure"]
    rendered = body["rendered"]["data"]
    assert len(figure["data"]) == len(rendered["traces"])
    countries = countries_indices(figure)
    patches = 0
    for layer in LAYERS:
        toggled = scenario.model_copy(
            update={"layers": tuple(x for x in LAYERS if (x in scenario.layers) != (x == layer))}
        )
        response = _render_request(client, service.views.view_data(toggled), rendered)
        assert response.status_code == 200
        patch = response.get_json()["response"]["map"]["figure"]
        if "__dash_patch_update" not in patch:  # re-framed (the inset comes or goes): redrawn
            assert patch["data"] and patch["layout"]["geo"], layer
            continue
        patches += 1
        assert len(response.data) <= TOGGLE_BUDGET, (layer, len(response.data))
        assert patch["__dash_patch_update"] == "__dash_patch_update"
        for operation in patch["operations"]:
            assert operation["location"][0] == "data"
            index, prop = operation["location"][1:3]
            if index in countries:  # restyled (the layer's fills): never its countries
                assert prop in COUNTRY_STYLE, operation["location"]
            else:
                key = rendered["traces"][index]
                assert prop in HIDING, operation["location"]
                assert shown_by(key, scenario.shown_keys()) != shown_by(key, toggled.shown_keys())
    assert patches >= len(LAYERS) // 2  # most toggles keep the map's framing


class _Page:
    """The page as dash-renderer runs it, without a browser: every component property of the
    layout, and for a change the server callbacks it fires, posted with the current values as
    the browser posts them, their responses applied (Patches too, new components registered)
    and the callbacks those fire in turn. Clientside callbacks send nothing and are left out,
    apart from those that hand a value on (CLIENTSIDE_COPIES).
    `change` returns every response it caused: (callback output, status, body bytes, {output:
    its JSON bytes}).
    """

    def __init__(self, client):
        self.client = client
        self.callbacks = [
            spec
            for spec in client.get("/_dash-dependencies").get_json()
            if not spec.get("clientside_function")
        ]
        self.props: dict[tuple[str, str], object] = {}
        self._register(client.get("/_dash-layout").get_json())

    @staticmethod
    def _key(component_id) -> str:
        return (
            json.dumps(component_id, sort_keys=True)
            if isinstance(component_id, dict)
            else component_id
        )

    def _components(self, tree):
        if isinstance(tree, list):
            for item in tree:
                yield from self._components(item)
        elif isinstance(tree, dict) and "props" in tree and "type" in tree:
            if tree["props"].get("id") is not None:
                yield tree["props"]
            for value in tree["props"].values():
                yield from self._components(value)

    def _register(self, tree) -> None:
        for props in self._components(tree):
            key = self._key(props["id"])
            self.props |= {(key, name): value for name, value in props.items() if name != "id"}

    def _unregister(self, tree) -> None:
        for props in self._components(tree):
            key = self._key(props["id"])
            self.props = {k: v for k, v in self.props.items() if k[0] != key}

    def _dependency(self, dep):
        if not dep["id"].startswith("{"):
            item = {"id": dep["id"], "property": dep["property"]}
            if (dep["id"], dep["property"]) in self.props:
                item["value"] = self.props[(dep["id"], dep["property"])]
            return item
        pattern = json.loads(dep["id"])
        matches = []
        for (key, prop), value in self.props.items():
            if prop != dep["property"] or not key.startswith("{"):
                continue
            real = json.loads(key)
            if real.keys() == pattern.keys() and all(
                v == ["ALL"] or real[k] == v for k, v in pattern.items()
            ):
                matches.append({"id": real, "property": prop, "value": value})
        return matches

    def _outputs(self, spec) -> list:
        output = spec["output"]
        parts = output[2:-2].split("...") if output.startswith("..") else [output]
        deps = [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True)) for part in parts]
        outputs = []
        for dep in deps:
            item = self._dependency(dep)
            if isinstance(item, list):  # a wildcard: every matching component, without values
                item = [{k: v for k, v in match.items() if k != "value"} for match in item]
            else:
                item.pop("value", None)
            outputs.append(item)
        return outputs if output.startswith("..") else outputs[0]

    def _set(self, key: str, prop: str, value) -> None:
        old = self.props.get((key, prop))
        if isinstance(value, dict) and "__dash_patch_update" in value:
            value = load_loadtest().apply_patch(old, value["operations"])
        self._unregister(old)
        self.props[(key, prop)] = value
        self._register(value)

    def change(self, component_id: str, prop: str, value) -> list[tuple[str, int, int, dict]]:
        self.props[(component_id, prop)] = value
        changed = {(component_id, prop): None}  # prop -> the callback that set it
        if (component_id, prop) in CLIENTSIDE_COPIES:  # the address, handed on by the page
            self.props[CLIENTSIDE_COPIES[(component_id, prop)]] = value
            changed[CLIENTSIDE_COPIES[(component_id, prop)]] = "clientside"
        responses = []
        while changed:
            fired = []
            for spec in self.callbacks:
                inputs = {(d["id"], d["property"]) for d in spec["inputs"]}
                by = [p for p in inputs & changed.keys() if changed[p] is not spec["output"]]
                if by:
                    fired.append((spec, by))
            changed = {}
            for spec, by in fired:
                payload = {
                    "output": spec["output"],
                    "outputs": self._outputs(spec),
                    "inputs": [self._dependency(d) for d in spec["inputs"]],
                    "state": [self._dependency(d) for d in spec.get("state", [])],
                    "changedPropIds": [f"{cid}.{p}" for cid, p in by],
                }
                response = self.client.post("/_dash-update-component", json=payload)
                assert response.status_code in (200, 204), (spec["output"], response.data[:300])
                sizes = {}
                if response.status_code == 200:
                    for cid, values in response.get_json()["response"].items():
                        for p, v in values.items():
                            sizes[f"{cid}.{p}"] = len(json.dumps(v, separators=(",", ":")))
                            self._set(cid, p, v)
                            changed[(cid, p)] = spec["output"]
                            if (cid, p) in CLIENTSIDE_COPIES:
                                self.props[CLIENTSIDE_COPIES[(cid, p)]] = self.props[(cid, p)]
                                changed[CLIENTSIDE_COPIES[(cid, p)]] = "clientside"
                responses.append((spec["output"], response.status_code, len(response.data), sizes))
        return responses


@pytest.mark.parametrize("query", ["", "?scenario=concept_diagram&focus=JPN"])
def test_a_layer_toggle_asks_nothing_and_going_back_to_one_fits_the_budget(app, query):
    """A layer toggle is done in the page: no server callback listens to the layers. Going back
    or forward to a view that differs in its layers only (the address changes) asks the server:
    every callback response it causes together (the view, the map's Patch and every callback
    that answers with nothing) stays within the budget; the table, the details, B's map are not
    sent again; a change that re-frames the map (the Europe inset comes or goes) sends the new
    map."""
    page = _Page(app.server.test_client())
    page.change("url", "search", query)
    assert page.props[("view-table", "children")]  # the page is drawn: table, details, map
    assert page.props[("map", "figure")]["data"]
    details = page.props[("details", "children")]
    assert page.change("layers", "value", ["threats"]) == []
    # (nor to the certainty filters and directions: a toggle of any of them is the page's)
    assert page.change("basis", "value", "stated") == []
    assert page.change("modality", "value", "asserted") == []
    assert page.change("directions", "value", ["east"]) == []
    scenario = Scenario.model_validate(page.props[("view", "data")]["scenario"])
    reframed = 0
    for layer in [*LAYERS, *LAYERS]:  # each one away from the view's value, then back
        shown = page.props[("rendered", "data")]["layers"]
        key = page.props[("rendered", "data")]["key"]
        value = [x for x in LAYERS if (x in shown) != (x == layer)]
        address = "?" + scenario.model_copy(update={"layers": tuple(value)}).to_query()
        responses = page.change("url", "search", address)
        total = sum(size for _, _, size, _ in responses)
        sizes = {name: size for *_, outputs in responses for name, size in outputs.items()}
        # nothing else is even requested: the panels come with `sync`, which asks for no table
        # or comparison when they do not change
        sync = ".." + "...".join(f"{cid}.{prop}" for cid, prop in SYNC_OUTPUTS) + ".."
        assert [output for output, *_ in responses] == [
            sync,
            "..map.figure...rendered.data...map.config..",
        ]
        assert not {"view-table.children", "details.children", "map-b.figure"} & sizes.keys()
        figure, rendered = page.props[("map", "figure")], page.props[("rendered", "data")]
        if rendered["key"] != key:  # re-framed (the inset came or went): the new map is sent
            reframed += 1
            continue
        assert total <= TOGGLE_BUDGET, (layer, total, sizes)
        assert sizes["rendered.data"] <= 300, (layer, sizes)  # a Patch of its `layers`
        # the browser's map and its record follow: each layer's traces drawn iff it is shown
        assert value == page.props[("layers", "value")]
        keys = shown_keys(value, scenario.directions)
        assert rendered["layers"] == list(keys)
        state = state_index(*scenario.certainty())
        for trace, trace_layer in zip(figure["data"], rendered["traces"], strict=True):
            if trace_layer not in ("base", FOCUS_RING_LAYER):
                shown = shown_by(trace_layer, {*keys, "base"}, state)
                assert drawn(trace) == shown, (layer, trace_layer)
    assert reframed <= len(LAYERS)  # most toggles flip layers on the map as drawn
    assert page.props[("details", "children")] == details


@pytest.mark.parametrize("body", [{}, {"output": "map.figure", "inputs": []}])
def test_malformed_callback_requests_are_plain_400s(client, body):
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)


def test_callback_errors_become_a_notice_not_a_500(client):
    response = _render_request(client, {"scenario": {"layers": ["bogus"]}, "query": ""}, None)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "notice-error" in text
    assert "Traceback" not in text


def _layout_props(
    client, referer: str | None, ids: tuple[str, ...] = ("map", "rendered")
) -> dict[str, dict]:
    """The props of the components `ids` (the `map` graph and the `rendered` store) in the layout
    response."""
    headers = {"Referer": referer} if referer is not None else {}
    response = client.get("/_dash-layout", headers=headers)
    assert response.status_code == 200
    found: dict[str, dict] = {}

    def walk(node) -> None:
        if isinstance(node, dict):
            props = node.get("props")
            if isinstance(props, dict) and props.get("id") in ids:
                found[props["id"]] = props
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(response.get_json())
    return found


@pytest.mark.parametrize(
    "query",
    ["?scenario=threats_360&lang=en", "?layers=events&from=2024-07-01&projection=polar", ""],
)
def test_the_layout_carries_the_map_of_the_page_url(client, service, query):
    """The page's first response draws its view: the same figure and record as the callbacks'
    (so the first render callback sends nothing)."""
    props = _layout_props(client, f"http://127.0.0.1:8050/{query}")
    scenario, _ = service.views.parse_search(query)
    figure, rendered = service.maps.full_map(scenario)
    assert props["map"]["figure"] == decoded(figure)
    assert props["rendered"]["data"] == rendered
    view = service.views.view_data(scenario)
    assert render(service, view, props["rendered"]["data"]) == (no_update, rendered)


@pytest.mark.parametrize(
    "referer",
    [None, "http://127.0.0.1:8050/?layers=%ff%fe&from=2024-02-30&focus=" + "x" * 100_000, "::"],
)
def test_the_layout_without_a_usable_url_leaves_the_map_to_the_callbacks(client, referer):
    props = _layout_props(client, referer)
    if referer is None:
        assert props["map"]["figure"] == {"data": [], "layout": {}}
        assert props["rendered"].get("data") is None
    else:  # bad parameters are dropped (the sync callback shows the notices)
        assert props["map"]["figure"]["data"]
        assert props["rendered"]["data"]["layers"]


def test_opening_a_link_sends_only_the_controls_its_url_changes(client, service):
    """The page comes with the default view's controls: the URL's sync sends only those that
    show something else (each control sent is drawn again; a new `lang` translates the page)."""
    control_ids = tuple(dict.fromkeys(key.split(".")[0] for key in CONTROL_IDS))
    props = _layout_props(client, None, control_ids)
    shown = {key: props[key.split(".")[0]].get(key.split(".")[1]) for key in CONTROL_IDS}
    for query, changed in (
        ("", set()),
        ("?lang=en&projection=polar", {"lang.value", "projection.value"}),
    ):
        out = service.actions.sync("url", query, shown, None)
        assert set(out) & set(CONTROL_IDS) == changed, query
        assert out["view.data"]["scenario"]["lang"] == ("en" if changed else "ja"), query


def test_the_stylesheet_hides_the_rows_of_each_layer_not_shown():
    css = (Path(ASSETS_DIR) / "style.css").read_text(encoding="utf-8")
    assert re.search(r"\.view-table tbody tr\.layered,[^{]*\{\s*display: none;", css)
    for layer in (*LAYERS, *DIRECTION_KEYS):
        assert f".view-table.show-{layer} tr.layer-{layer}" in css, layer
        assert f".view-table.show-{layer} .layer-tag.layer-{layer}" in css, layer
        for state in range(len(CERTAINTY_STATES)):  # (a key limited to some states)
            assert f".view-table.show-{layer}-{state} tr.layer-{layer}-{state}" in css
            assert f".view-table.show-{layer}-{state} .layer-tag.layer-{layer}-{state}" in css


@pytest.mark.skipif(not shutil.which("node"), reason="needs node")
def test_the_table_script_counts_the_rows_the_map_shows(service, presets, tmp_path):
    """The clientside callback (run by node): the container's class names the shown layer keys
    (also with the view's certainty state), the caption counts the rows of the layers and
    threat directions shown in that state, the empty text appears with none."""
    cases = []
    for scenario in [Scenario(), *presets.values()]:
        _, meta = table(service, scenario)
        rows = service.panels.table_rows(scenario)
        for layers, directions, certainty in itertools.product(
            (scenario.layers, (), ("events",), LAYERS[:4]),
            (DIRECTIONS, ("north",), ()),
            (scenario.certainty(), ("stated", "asserted"), ("inferred", "assessed")),
        ):
            basis, modality = certainty
            narrowed = scenario.model_copy(
                update={"layers": layers, "directions": directions, "basis": basis}
                | {"modality": modality}
            )
            if service.panels.table_key(narrowed) != service.panels.table_key(scenario):
                continue  # (another table: the server sends it)
            keys = shown_keys(layers, directions)
            state = state_index(basis, modality)
            count = sum(on_map(row, keys, state) for row in rows)
            cases.append([service.views.view_data(narrowed), meta, list(keys), state, count])
    assert {0, 4} < {state for *_, state, _ in cases}  # (rows hidden by a certainty state)
    script = tmp_path / "table.js"
    script.write_text(
        "global.window = {};\n"
        "global.document = {addEventListener: () => {}};\n"
        f"{(Path(ASSETS_DIR) / 'atlas.js').read_text(encoding='utf-8')}\n"
        "const f = window.dash_clientside.atlas.tableRows;\n"
        "const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
        "console.log(JSON.stringify(cases.map(([view, meta]) => f(view, meta))));\n"
        "console.log(JSON.stringify(f(null, null)));\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        ["node", str(script)], input=json.dumps(cases), capture_output=True, text=True, check=True
    )
    outputs, nothing = (json.loads(line) for line in result.stdout.splitlines())
    for (_, meta, layers, state, count), (classes, caption, empty) in zip(
        cases, outputs, strict=True
    ):
        assert shown_count(meta["counts"], tuple(layers), state) == count  # the summary's count
        shown = {c.removeprefix("show-") for c in classes.split() if c.startswith("show-")}
        assert shown == {*layers, *(f"{layer}-{state}" for layer in layers)}
        assert ("is-empty" in classes.split()) == (count == 0)
        assert caption == meta["caption"].replace("{count}", str(count))
        assert empty == (None if count else meta["empty"])
    assert nothing == ["view-table is-empty", None, None]


def test_the_stable_ids_are_in_the_layout(client):
    layout = json.dumps(client.get("/_dash-layout").get_json())
    for component_id in (
        "map",
        "scenario",
        "layers",
        "lang",
        "date-range",
        "details",
        "share-link",
    ):
        assert f'"id": "{component_id}"' in layout, component_id


def test_assets_have_no_web_fonts_or_remote_imports():
    for css in Path(ASSETS_DIR).glob("*.css"):
        text = css.read_text(encoding="utf-8")
        assert "@import" not in text and "@font-face" not in text and "url(" not in text


def test_every_ui_string_has_both_languages():
    from dashboard.i18n import STRINGS

    for key, entry in STRINGS.items():
        assert set(entry) == {"ja", "en"} and all(entry.values()), key


def test_plotlys_japanese_strings_are_the_ones_plotly_shows():
    """Each English key of PLOTLY_JA is a string plotly.js 4 localises (`_(gd, "…")`): a key
    plotly renamed would silently stay English in the Japanese page."""
    import plotly

    from dashboard.i18n import PLOTLY_JA

    bundle = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text()
    localised = set(re.findall(r'\b[A-Za-z_$][\w$]*\([A-Za-z_$][\w$.]*,\s*"([^"]+)"\)', bundle))
    assert set(PLOTLY_JA) <= localised, sorted(set(PLOTLY_JA) - localised)
    for text in ("Zoom in", "Download plot as a PNG", "Reset"):  # the geo modebar's buttons
        assert text in PLOTLY_JA
