"""The Dash app without a browser: Flask test client, and the callbacks called as functions."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import orjson
import pytest
from dash import Patch, no_update
from dash._utils import to_json
from dash.exceptions import PreventUpdate
from serving import load_loadtest

from dashboard import cli
from dashboard.app import ASSETS_DIR, create_app
from dashboard.callbacks import (
    CLIENTSIDE_COPIES,
    CONTROL_IDS,
    FOCUS_RING_LAYER,
    SYNC_OUTPUTS,
    TABLE_JS,
    Controller,
)
from dashboard.details import COLUMNS, on_map
from geodata.scenario import LAYERS, Scenario

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
URL_RE = re.compile(r"""https?://[^\s"'<>)\\]+""")
TOPOJSON_SHA256 = {
    "world_110m.json": "d75915eaa31c870df6b972c9e5bb86910197825f33dcfef740f3b2f68cffe843",
    "world_50m.json": "8aca84b4376b3ad809cd6284bfec947434e57e61c565c525570f0639964c96bf",
}
TOGGLE_BUDGET = 15 * 1024
# what a layer toggle may change of the countries trace (its fills, outlines and hover text)
COUNTRY_STYLE = {"z", "zmin", "zmax", "colorscale", "marker", "hovertext"}


@pytest.fixture(scope="module")
def app(atlas, presets):
    return create_app(lang="ja", atlas=atlas, presets=presets)


@pytest.fixture(scope="module")
def client(app):
    return app.server.test_client()


@pytest.fixture(scope="module")
def controller(app):
    """The app's own controller (its figure cache is shared with the HTTP tests)."""
    assert isinstance(app.atlas_controller, Controller)
    return app.atlas_controller


def _text(component) -> str:
    """A component tree as JSON text (unicode kept), for searching."""
    return json.dumps(json.loads(to_json(component)), ensure_ascii=False)


def _foreign_urls(text: str) -> set[str]:
    return {u for u in URL_RE.findall(text) if urlsplit(u).hostname not in LOCAL_HOSTS}


# --- HTTP ---------------------------------------------------------------------------------------


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


def test_graph_points_plotly_at_the_local_topojson(client):
    layout = client.get("/_dash-layout").get_json()
    configs = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "Graph":
                configs.append(node["props"]["config"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(layout)
    assert len(configs) == 2
    for config in configs:
        # plotly.js loads `<topojsonURL><scope>_<resolution>m.json`
        assert config["topojsonURL"] == "/assets/topojson/"
        assert config["displaylogo"] is False


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

    monkeypatch.setattr(dashboard.app, "create_app", lambda lang: calls.append(lang) or FakeApp())
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
        "..map.figure...rendered.data..",
        [{"id": "map", "property": "figure"}, {"id": "rendered", "property": "data"}],
        [{"id": "view", "property": "data", "value": view}],
        [{"id": "rendered", "property": "data", "value": rendered}],
        ["view.data"],
    )


def test_a_layer_toggle_response_is_a_small_patch(client, controller, presets):
    scenario = presets["concept_diagram"]
    full = _render_request(client, controller.view_data(scenario), None)
    assert full.status_code == 200
    body = full.get_json()["response"]
    figure = body["map"]["figure"]
    rendered = body["rendered"]["data"]
    assert len(figure["data"]) == len(rendered["traces"])
    countries = _countries_index(figure)
    for layer in LAYERS:
        toggled = scenario.model_copy(
            update={"layers": tuple(x for x in LAYERS if (x in scenario.layers) != (x == layer))}
        )
        response = _render_request(client, controller.view_data(toggled), rendered)
        assert response.status_code == 200
        assert len(response.data) <= TOGGLE_BUDGET, (layer, len(response.data))
        patch = response.get_json()["response"]["map"]["figure"]
        assert patch["__dash_patch_update"] == "__dash_patch_update"
        for operation in patch["operations"]:
            assert operation["location"][0] == "data"
            index, prop = operation["location"][1:3]
            if index == countries:  # restyled (the layer's fills): never its countries
                assert prop in COUNTRY_STYLE, operation["location"]
            else:
                assert prop == "visible" and rendered["traces"][index] == layer


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
def test_all_responses_of_a_layer_toggle_fit_the_budget(app, query):
    """A layer toggle, as the page runs it: every callback response it causes together (the URL
    and view, the map's Patch and every callback that answers with nothing) stays within the
    budget; the table, the details, B's map are not sent again."""
    page = _Page(app.server.test_client())
    page.change("url", "search", query)
    assert page.props[("view-table", "children")]  # the page is drawn: table, details, map
    assert page.props[("map", "figure")]["data"]
    details = page.props[("details", "children")]
    for layer in [*LAYERS, *LAYERS]:  # each one away from the view's value, then back
        shown = page.props[("layers", "value")]
        value = [x for x in LAYERS if (x in shown) != (x == layer)]
        responses = page.change("layers", "value", value)
        total = sum(size for _, _, size, _ in responses)
        sizes = {name: size for *_, outputs in responses for name, size in outputs.items()}
        assert total <= TOGGLE_BUDGET, (layer, total, sizes)
        # nothing else is even requested: the panels come with `sync`, which asks for no table
        # or comparison when they do not change
        sync = ".." + "...".join(f"{cid}.{prop}" for cid, prop in SYNC_OUTPUTS) + ".."
        assert [output for output, *_ in responses] == [sync, "..map.figure...rendered.data.."]
        assert not {"view-table.children", "details.children", "map-b.figure"} & sizes.keys()
        assert sizes["rendered.data"] <= 300, (layer, sizes)  # a Patch of its `layers`
        # the browser's map and its record follow: each layer's traces visible iff it is shown
        figure, rendered = page.props[("map", "figure")], page.props[("rendered", "data")]
        assert rendered["layers"] == value
        for trace, trace_layer in zip(figure["data"], rendered["traces"], strict=True):
            if trace_layer not in ("base", FOCUS_RING_LAYER):
                assert trace["visible"] == (trace_layer in value), (layer, trace_layer)
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


# --- the controller: URL <-> scenario <-> controls ----------------------------------------------


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
def test_the_layout_carries_the_map_of_the_page_url(client, controller, query):
    """The page's first response draws its view: the same figure and record as the callbacks'
    (so the first render callback sends nothing)."""
    props = _layout_props(client, f"http://127.0.0.1:8050/{query}")
    scenario, _ = controller.parse_search(query)
    figure, rendered = controller.full_map(scenario)
    assert props["map"]["figure"] == _decoded(figure)
    assert props["rendered"]["data"] == rendered
    view = controller.view_data(scenario)
    assert controller.render(view, props["rendered"]["data"]) == (no_update, rendered)


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


def test_every_preset_round_trips_url_and_controls(controller, presets):
    for preset_id, preset in presets.items():
        query = controller.query_of(preset)
        scenario, notices = controller.parse_search(query)
        assert notices == [], preset_id
        assert scenario == preset, preset_id
        values = dict(zip(CONTROL_IDS, controller.controls_of(scenario), strict=True))
        assert values["scenario.value"] == preset_id
        again = controller.scenario_from_controls(scenario, values)
        assert again == scenario, preset_id
        assert controller.query_of(again) == query


def test_url_with_every_field_sets_every_control(controller):
    query = (
        "?scenario=threats_360&layers=threats,events&groupings=ap4,nato&directions=north,west"
        "&domains=space&basis=stated&modality=assessed&proposals=0&from=2024-06-01&to=2024-07-31"
        "&projection=orthographic&lang=en&focus=JPN"
    )
    out = controller.sync("url", query, {}, None)
    values = {key: out[key] for key in CONTROL_IDS}
    assert values == {
        "scenario.value": "threats_360",
        "lang.value": "en",
        "layers.value": ["threats", "events"],
        "groupings.value": ["ap4", "nato"],
        "directions.value": ["north", "west"],
        "domains.value": ["space"],
        "date-range.start_date": "2024-06-01",
        "date-range.end_date": "2024-07-31",
        "basis.value": "stated",
        "proposals.value": [],
        "focus.value": "JPN",
        "projection.value": "orthographic",
    }
    assert out["notice-url.children"] is None
    assert "url.search" not in out  # the address bar keeps what the user opened
    scenario = Scenario.model_validate(out["view.data"]["scenario"])
    assert dict(parse_qsl(out["view.data"]["query"][1:])) == dict(parse_qsl(query[1:]))
    assert scenario.focus == "JPN"
    assert scenario.modality == "assessed"  # no control yet, but the view keeps it


def test_opening_a_link_sends_only_the_controls_its_url_changes(client, controller):
    """The page comes with the default view's controls: the URL's sync sends only those that
    show something else (each control sent is drawn again; a new `lang` translates the page)."""
    control_ids = tuple(dict.fromkeys(key.split(".")[0] for key in CONTROL_IDS))
    props = _layout_props(client, None, control_ids)
    shown = {key: props[key.split(".")[0]].get(key.split(".")[1]) for key in CONTROL_IDS}
    for query, changed in (
        ("", set()),
        ("?lang=en&projection=polar", {"lang.value", "projection.value"}),
    ):
        out = controller.sync("url", query, shown, None)
        assert set(out) & set(CONTROL_IDS) == changed, query
        assert out["view.data"]["scenario"]["lang"] == ("en" if changed else "ja"), query


def test_bad_and_unknown_parameters_are_dropped_with_notices(controller):
    query = (
        "?layers=events,bogus&zoom=3&basis=maybe&groupings=nato,atlantis&focus=XXX"
        "&from=2024-13-01&projection=mercator"
    )
    scenario, notices = controller.parse_search(query)
    assert scenario.layers == ("events",)
    assert scenario.groupings == ("nato",)
    assert scenario.focus is None
    assert scenario.date_from is None
    assert scenario.basis == Scenario().basis
    assert scenario.projection == "robinson"
    text = " | ".join(notices)
    for word in ("bogus", "zoom", "maybe", "atlantis", "XXX", "from", "mercator"):
        assert word in text, word
    out = controller.sync("url", query, {}, None)
    rendered = _text(out["notice-url.children"])
    assert "zoom" in rendered and "atlantis" in rendered


def test_url_without_lang_uses_the_app_language(atlas, presets):
    english = Controller(atlas, presets, "en")
    assert english.parse_search("")[0].lang == "en"
    assert english.parse_search("?scenario=threats_360")[0].lang == "en"
    assert english.parse_search("?lang=ja")[0].lang == "ja"
    assert english.parse_search("?lang=xx")[0].lang == "en"


def test_initial_call_without_a_location_waits(controller):
    with pytest.raises(PreventUpdate):
        controller.sync(None, None, {}, None)


def test_a_control_change_updates_the_url(controller, presets):
    view = controller.view_data(presets["summit_outcomes"])
    values = dict(zip(CONTROL_IDS, controller.controls_of(presets["summit_outcomes"]), strict=True))
    values["layers.value"] = ["threats", "events"]
    out = controller.sync("layers", None, values, view)
    params = dict(parse_qsl(out["url.search"][1:]))
    assert params["layers"] == "threats,events"
    assert params["scenario"] == "summit_outcomes"
    assert out["view.data"]["query"] == out["url.search"]
    with pytest.raises(PreventUpdate):  # nothing changed: no new history entry
        controller.sync("layers", None, values, out["view.data"])


def test_an_invalid_control_combination_keeps_the_view(controller, presets):
    scenario = presets["summit_outcomes"]
    view = controller.view_data(scenario)
    values = dict(zip(CONTROL_IDS, controller.controls_of(scenario), strict=True))
    values["date-range.start_date"] = "2024-09-01"  # after `to`
    out = controller.sync("date-range", None, values, view)
    assert "view.data" not in out and "url.search" not in out
    assert out["date-range.start_date"] == scenario.date_from.isoformat()  # put back
    assert out["notice-error.children"] is not None


def test_a_preset_keeps_the_current_language(controller, presets):
    view = controller.view_data(Scenario(lang="en"))
    out = controller.sync("scenario", None, {"scenario.value": "threats_360"}, view)
    assert out["lang.value"] == "en"
    assert out["projection.value"] == "polar"
    assert "scenario=threats_360" in out["url.search"]


def test_a_click_focuses_the_item(controller, presets):
    view = controller.view_data(presets["concept_diagram"])
    click = {"points": [{"curveNumber": 1, "pointNumber": 3, "customdata": "JPN"}]}
    out = controller.sync("map", None, {}, view, click=click)
    assert "focus=JPN" in out["url.search"]
    assert out["focus.value"] == "JPN"
    arc = {"points": [{"curveNumber": 2, "customdata": ["chn_rus_dual_use", "x"]}]}
    out = controller.sync("map", None, {}, view, click=arc)
    assert "focus=chn_rus_dual_use" in out["url.search"]
    assert out["focus.value"] is None  # not a country
    other = {"points": [{"curveNumber": 0, "location": "BRA"}]}
    assert controller.sync("map", None, {}, view, click=other) == {"selected.data": "BRA"}


def test_table_rows_and_clear_button_focus_and_unfocus(controller, presets):
    view = controller.view_data(presets["concept_diagram"])
    out = controller.sync({"type": "row-focus", "key": "grouping:nato"}, None, {}, view)
    assert "focus=nato" in out["url.search"] and out["focus.value"] is None
    domain = controller.sync({"type": "row-focus", "key": "domain:cyber:CHN"}, None, {}, view)
    assert domain == {"selected.data": "cyber"}  # domains are not focusable: details only
    cleared = controller.sync("details-clear", None, {}, out["view.data"])
    assert "focus=&" in cleared["url.search"] + "&" and cleared["selected.data"] is None
    assert controller.sync("details-clear", None, {}, view) == {"selected.data": None}


def test_sync_asks_for_the_table_and_comparison_only_when_they_change(controller, presets):
    """A layer toggle or a new focus asks for no table and no comparison; a date or a language
    does; the comparison is never asked for while it is off."""
    base = presets["summit_outcomes"]
    view = controller.view_data
    toggled = base.model_copy(update={"layers": base.layers[:-1]})
    focused = base.model_copy(update={"focus": "JPN"})
    dated = base.model_copy(update={"date_from": date(2024, 7, 1)})
    english = base.model_copy(update={"lang": "en"})
    assert controller.requests(None, view(base), None).keys() == {"table-request.data"}
    for mode in (None, "none", "side"):
        assert controller.requests(view(base), view(toggled), mode) == {}
        assert controller.requests(view(base), view(focused), mode) == {}
        assert controller.requests(view(base), view(dated), mode).keys() == ({"table-request.data"})
    asked = controller.requests(view(base), view(english), "side")
    assert asked == {"table-request.data": view(english), "compare-view.data": view(english)}
    assert controller.requests(view(base), view(toggled), "diff") == {
        "compare-view.data": view(toggled)
    }
    assert controller.requests(view(base), view(focused), "diff") == {}
    assert controller.requests(view(base), view(dated), "diff").keys() == {
        "table-request.data",
        "compare-view.data",
    }


def test_details_show_the_roles_with_citations(controller, presets):
    view = controller.view_data(presets["concept_diagram"].model_copy(update={"focus": "JPN"}))
    text = _text(controller.details(view, None))
    assert "2024年4月、日米首脳は" in text  # the quote
    assert "global partners" in text  # the gloss
    assert "Japan-U.S. Joint Leaders" in text  # footnote 19's source line
    none = _text(controller.details(view, "BRA"))
    assert "ブラジル" in none or "Brazil" in none


def _upload(text: str) -> str:
    return "data:application/x-yaml;base64," + base64.b64encode(text.encode()).decode()


def test_upload_a_good_scenario(controller, presets):
    text = presets["threats_360"].model_copy(update={"lang": "en"}).to_yaml()
    out = controller.sync(
        "upload", None, {}, controller.view_data(Scenario()), upload=(_upload(text), "t.yaml")
    )
    assert out["projection.value"] == "polar"
    assert "scenario=threats_360" in out["url.search"]
    assert "message-ok" in _text(out["upload-message.children"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("layers: [value_community, dragons]\n", "layers"),
        ("version: 1\ngroupings: [nato, atlantis]\n", "atlantis"),
        ("version: 1\nfocus: ZZZ\n", "ZZZ"),
        ("- just\n- a list\n", "mapping"),
        ("layers: [unclosed\n", "YAML"),
        ("version: 1\nfrom: 2024-08-01\nto: 2024-07-01\n", "after"),
    ],
)
def test_upload_a_bad_scenario_changes_nothing(controller, text, expected):
    view = controller.view_data(Scenario())
    out = controller.sync("upload", None, {}, view, upload=(_upload(text), "bad.yaml"))
    assert set(out) == {"upload-message.children"}
    message = _text(out["upload-message.children"])
    assert expected in message and "bad.yaml" in message


def test_upload_of_a_binary_file_is_refused(controller):
    contents = "data:application/octet-stream;base64," + base64.b64encode(b"\xff\xfe\x00").decode()
    out = controller.sync("upload", None, {}, None, upload=(contents, "x.bin"))
    assert set(out) == {"upload-message.children"}


def test_saved_yaml_loads_back_as_the_same_view(controller, presets):
    scenario = presets["ukraine_support"].model_copy(update={"lang": "en", "basis": "stated"})
    download = controller.download(controller.view_data(scenario))
    assert download["filename"] == "ukraine_support.yaml"
    assert Scenario.from_yaml(download["content"]) == scenario


def test_focus_turns_the_view_and_rings_the_item(controller, presets):
    scenario = presets["concept_diagram"].model_copy(update={"projection": "orthographic"})
    figure, rendered = controller.render(controller.view_data(scenario), None)
    figure = _decoded(figure)
    assert rendered["traces"][-1] == FOCUS_RING_LAYER
    assert figure["data"][-1]["lon"] == []
    focused = scenario.model_copy(update={"focus": "JPN"})
    update, rendered2 = controller.render(controller.view_data(focused), rendered)
    result = _apply(figure, update) if isinstance(update, Patch) else _decoded(update)
    assert result == controller.figure(focused)
    assert rendered2["built"]["focus"] == "JPN"
    ring = result["data"][-1]
    assert ring["customdata"] == ["JPN"] and ring["hovertext"] == ["日本"]
    rotation = result["layout"]["geo"]["projection"]["rotation"]
    assert abs(rotation["lon"] - controller.focus_point("JPN")[0]) < 1


def _countries_index(figure: dict) -> int:
    """Where the one choropleth of the base map's countries is in a figure (as JSON data)."""
    (index,) = [
        i
        for i, trace in enumerate(figure["data"])
        if trace["type"] == "choropleth" and trace.get("locationmode") == "ISO-3"
    ]
    return index


def _decoded(fragment: orjson.Fragment) -> Any:
    """A value sent as JSON text (a figure, the table's rows), as the browser reads it."""
    return orjson.loads(orjson.dumps(fragment))


def _apply(figure: dict, patch: Patch) -> dict:
    """What dash-renderer does with a Patch."""
    return load_loadtest().apply_patch(figure, patch.to_plotly_json()["operations"])


def test_another_worker_sends_the_whole_map_rather_than_rebuild_the_old_one(
    atlas, presets, monkeypatch
):
    """The browser's figure was drawn by another process: this one builds the new view only
    and sends it whole, instead of building the old one again to diff against it."""
    first, second = Controller(atlas, presets), Controller(atlas, presets)
    scenario = presets["concept_diagram"].model_copy(update={"projection": "robinson"})
    _, rendered = first.render(first.view_data(scenario), None)
    built = []
    build = second._build_map
    monkeypatch.setattr(second, "_build_map", lambda view: built.append(view) or build(view))
    focused = scenario.model_copy(update={"focus": "JPN"})
    update, _ = second.render(second.view_data(focused), rendered)
    assert [view.focus for view in built] == ["JPN"]
    assert _decoded(update) == second.figure(focused)
    # where the old figure is at hand, the same change is a Patch
    update, _ = first.render(first.view_data(focused), rendered)
    assert isinstance(update, Patch)


@pytest.mark.parametrize(
    "changes",
    [
        [{"layers": ("events", "threats", "ukraine")}, {"focus": "UKR"}],
        [{"layers": ("events",)}, {"layers": ("threats",)}, {"basis": "stated"}],
        [{"lang": "en"}, {"projection": "polar"}],
        [{"layers": ("events",), "directions": ("south",)}, {"groupings": ("nato",)}],
        # the countries were restyled by the flip: the diff starts from what the browser shows
        [
            {"layers": ("authoritarian", "threats")},
            {"layers": ("value_community", "authoritarian", "threats"), "focus": "JPN"},
        ],
    ],
)
def test_every_map_update_keeps_the_browser_figure_right(controller, presets, changes):
    """Replaying the updates the browser gets ends at the full figure of the last view, and a
    layer flip changes nothing but `visible`."""
    scenario = presets["concept_diagram"]
    figure, rendered = controller.render(controller.view_data(scenario), None)
    figure = _decoded(figure)
    for change in changes:
        scenario = scenario.model_copy(update=change)
        update, rendered = controller.render(controller.view_data(scenario), rendered)
        result = _apply(figure, update) if isinstance(update, Patch) else _decoded(update)
        if set(change) == {"layers"}:
            assert isinstance(update, Patch)
            layers = rendered["traces"]
            countries = _countries_index(figure)
            for index, (old, new) in enumerate(zip(figure["data"], result["data"], strict=True)):
                if index == countries:  # drawn as the new view's own map draws it
                    assert new == controller.figure(scenario)["data"][index]
                    continue
                assert {k: v for k, v in old.items() if k != "visible"} == {
                    k: v for k, v in new.items() if k != "visible"
                }
                if layers[index] not in ("base", FOCUS_RING_LAYER):
                    assert new["visible"] == (layers[index] in scenario.layers)
        else:
            assert result == controller.figure(scenario)
        figure = result


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_layer_toggle_draws_the_countries_as_the_new_views_map(controller, presets, lang):
    """Every layer of every preset toggled off and on again: the browser's figure with the
    toggle's Patch applied shows, shades and outlines each country, with its hover text, as
    the map of the new view built directly; the other traces only change `visible`."""
    for preset in presets.values():
        start = preset.model_copy(update={"lang": lang})
        figure, rendered = controller.render(controller.view_data(start), None)
        figure = _decoded(figure)
        countries = _countries_index(figure)
        for layer in LAYERS:
            for scenario in (
                start.model_copy(
                    update={
                        "layers": tuple(x for x in LAYERS if (x in start.layers) != (x == layer))
                    }
                ),
                start,
            ):
                update, rendered = controller.render(controller.view_data(scenario), rendered)
                # no_update: a layer that draws nothing in this view
                assert update is no_update or isinstance(update, Patch)
                result = figure if update is no_update else _apply(figure, update)
                direct = controller.figure(scenario)["data"]
                assert result["data"][countries] == direct[countries], (preset.id, layer)
                assert [t.get("visible") for t in result["data"]] == [
                    t.get("visible") for t in direct
                ], (preset.id, layer)
                figure = result


def test_the_table_key_ignores_the_layers_the_focus_and_the_projection(controller, presets):
    scenario = presets["concept_diagram"]
    key = controller.table_key(scenario)
    for change in (
        {"layers": ("events",)},
        {"layers": ()},
        {"focus": "JPN"},
        {"projection": "polar"},
        {"id": None, "title_en": "x"},
    ):
        assert controller.table_key(scenario.model_copy(update=change)) == key, change
    for change in (
        {"lang": "en"},
        {"basis": "stated"},
        {"groupings": ("nato",)},
        {"directions": ("east",)},
        {"proposals": False},
    ):
        assert controller.table_key(scenario.model_copy(update=change)) != key, change


def test_the_table_has_every_layers_rows_each_marked_with_its_layers(controller, presets):
    scenario = presets["ukraine_support"]  # not every layer: the table still has them all
    fragment, meta = controller.table(controller.view_data(scenario))
    rows = _decoded(fragment)  # the components as the browser gets them
    expected = controller.table_rows(scenario)
    assert len(rows) == len(expected) > 0
    no_layers = scenario.model_copy(update={"layers": ()})
    assert rows == _decoded(controller.table(controller.view_data(no_layers))[0])
    for row, data in zip(rows, expected, strict=True):
        assert row["type"] == "Tr"
        classes = row["props"]["className"].split()
        assert classes[1:] == ["layered", *(f"layer-{layer}" for layer in data["layers"])]
        layer_cell = row["props"]["children"][COLUMNS.index("layer")]["props"]["children"]
        if len(data["layers"]) > 1:  # one item per layer, hidden with its layer
            assert [li["props"]["className"] for li in layer_cell["props"]["children"]] == [
                f"layer-tag layer-{layer}" for layer in data["layers"]
            ]
    assert sum(meta["counts"].values()) == len(rows)
    assert "{count}" in meta["caption"] and meta["empty"]


def test_the_stylesheet_hides_the_rows_of_each_layer_not_shown():
    css = (Path(ASSETS_DIR) / "style.css").read_text(encoding="utf-8")
    assert re.search(r"\.view-table tbody tr\.layered,[^{]*\{\s*display: none;", css)
    for layer in LAYERS:
        assert f".view-table.show-{layer} tr.layer-{layer}" in css, layer
        assert f".view-table.show-{layer} .layer-tag.layer-{layer}" in css, layer


@pytest.mark.skipif(not shutil.which("node"), reason="needs node")
def test_the_table_script_counts_the_rows_the_map_shows(controller, presets, tmp_path):
    """The clientside callback (run by node): the container's class names the shown layers,
    the caption counts the rows of the layers shown, the empty text appears with none."""
    cases = []
    for scenario in presets.values():
        _, meta = controller.table(controller.view_data(scenario))
        rows = controller.table_rows(scenario)
        for layers in (scenario.layers, (), ("events",), LAYERS[:3]):
            view = controller.view_data(scenario.model_copy(update={"layers": layers}))
            count = sum(on_map(row, layers) for row in rows)
            cases.append([view, meta, list(layers), count])
    script = tmp_path / "table.js"
    script.write_text(
        f"const f = {TABLE_JS.strip()};\n"
        "const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
        "console.log(JSON.stringify(cases.map(([view, meta]) => f(view, meta))));\n"
        "console.log(JSON.stringify(f(null, null)));\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        ["node", str(script)], input=json.dumps(cases), capture_output=True, text=True, check=True
    )
    outputs, nothing = (json.loads(line) for line in result.stdout.splitlines())
    for (_, meta, layers, count), (classes, caption, empty) in zip(cases, outputs, strict=True):
        shown = {c.removeprefix("show-") for c in classes.split() if c.startswith("show-")}
        assert shown == set(layers)
        assert ("is-empty" in classes.split()) == (count == 0)
        assert caption == meta["caption"].replace("{count}", str(count))
        assert empty == (None if count else meta["empty"])
    assert nothing == ["view-table is-empty", None, None]


def test_translations_cover_every_text_node(controller, client):
    layout = client.get("/_dash-layout").get_json()
    ids = re.findall(r'\{"i18n": "([^"]+)", "n": (\d+)\}', json.dumps(layout))
    assert ids
    values = controller.translations("en", [{"i18n": key, "n": int(n)} for key, n in ids])
    assert values[0][0] == "Alliance Atlas"
    assert "Layers" in values[0]
    assert values[-1] == "en"


def test_compare_modes(controller, presets):
    view = controller.view_data(presets["proposals_japan_five_eyes_nato"])
    figure, style, diff, caption_a, caption_b, key = controller.compare(
        "side", "summit_outcomes", view
    )
    assert style == {} and diff is None
    b = presets["summit_outcomes"].model_copy(update={"lang": "ja"})
    assert _decoded(figure) == controller.figure(b)  # B drawn in A's language
    assert caption_a.startswith("A") and caption_b.startswith("B")
    again, style, *_ = controller.compare("side", "summit_outcomes", view, key)
    assert again is no_update and style == {}  # B is not sent again for a change in A
    _, style, diff, *_ = controller.compare("diff", "summit_outcomes", view)
    text = _text(diff)
    assert style == {"display": "none"}
    assert "日本・ファイブアイズ・NATO三極情報・技術協力" in text  # only in A
    assert "AP4" in text  # only in B
    _, style, diff, *_ = controller.compare("off", "summit_outcomes", view)
    assert style == {"display": "none"} and diff is None


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


def test_precomputed_maps_of_the_presets_are_kept_and_others_bounded(atlas, presets, monkeypatch):
    """Servers precompute the default view and every preset in both languages; those are never
    evicted, and the maps of other views stay within the cache's byte budget."""
    controller = Controller(atlas, presets, "ja")
    assert controller.precompute_presets() == (1 + len(presets)) * 2
    views = [
        Scenario(lang="en", date_from=f"2014-01-{day:02d}", layers=("events",))
        for day in range(1, 29)
    ]
    for view in views:
        controller.built_map(view)
    assert controller._maps.stats().bytes <= controller._maps.max_bytes
    assert controller._maps.stats().items < len(views)  # the oldest ones went

    def no_building(_scenario):
        raise AssertionError("a precomputed map was built again")

    monkeypatch.setattr(controller, "_build_map", no_building)
    for lang in ("ja", "en"):
        for preset in presets.values():
            figure = controller.figure(preset.model_copy(update={"lang": lang}))
            assert figure["data"]
        assert controller.figure(Scenario(lang=lang))["data"]


def test_figure_patches_are_the_same_bytes_on_every_machine():
    """The diff sent for a view change does not depend on the process's hash seed (set order)."""
    script = (
        "import json\n"
        "from dashboard.callbacks import Controller, figure_patch\n"
        "from geodata.atlas import load_atlas\n"
        "from geodata.scenario import Scenario, load_presets\n"
        "c = Controller(load_atlas(), load_presets())\n"
        "a = c.figure(Scenario(lang='en'))\n"
        "b = c.figure(Scenario(lang='en', focus='JPN', projection='orthographic'))\n"
        "patch, _ = figure_patch(a, b)\n"
        "print(json.dumps(patch.to_plotly_json()))\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=Path(__file__).resolve().parents[1],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1
    assert "operations" in next(iter(outputs))
