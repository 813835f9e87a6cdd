"""The dashboard in a real, headless Chromium (dash_duo machinery, Debian chromium/chromedriver).

No pytest option is needed: the `duo` fixture below builds dash's DashComposite itself, headless,
with Chrome's performance log switched on so that every request the page makes is recorded.
Set ATLAS_SHOTS=/some/dir to also save screenshots of every preset in both languages.

Sessions are few on purpose (each starts a server and a browser): presets, interactions, files.
"""

from __future__ import annotations

import json
import os
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from browser import browser_available, headless_dash, typed_date, wait_for
from pages import countries_indices
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from dashboard.app import PRELOADED_SCRIPTS, create_app
from dashboard.details import view_rows
from dashboard.figures import shown_by, trace_layer
from dashboard.i18n import t
from dashboard.local_server import free_port
from dashboard.service import ViewService
from geodata.scenario import LAYERS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not browser_available(), reason="needs chromium and chromedriver"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
TOGGLE_BUDGET = 15 * 1024
SHOTS = os.environ.get("ATLAS_SHOTS")


@pytest.fixture
def duo(dash_thread_server, tmp_path):
    with headless_dash(
        dash_thread_server,
        tmp_path / "download",
        arguments=("--window-size=1600,1200", "--lang=ja"),
        wait_timeout=20,
    ) as composite:
        # every [url, post body, encoded response length, request id, status] seen
        composite.requests = []
        composite.pending = {}
        yield composite


# --- helpers ------------------------------------------------------------------------------------


def _drain_network(duo) -> None:
    """Move Chrome's performance log into duo.requests."""
    pending = duo.pending  # by request id: a response's events may come in a later drain
    for entry in duo.driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        rid = params.get("requestId")
        if message["method"] == "Network.requestWillBeSent":
            request = params["request"]
            post = request.get("postData", "")
            if request.get("hasPostData") and not post:  # too long for the log
                post = duo.driver.execute_cdp_cmd("Network.getRequestPostData", {"requestId": rid})[
                    "postData"
                ]
            pending[rid] = [request["url"], post, None, rid, None]
            duo.requests.append(pending[rid])
        elif message["method"] == "Network.responseReceived" and rid in pending:
            pending[rid][4] = params["response"].get("status")
            if pending[rid][4] == 204:  # no body, no loadingFinished: the headers' bytes
                pending[rid][2] = int(params["response"].get("encodedDataLength") or 0)
        elif message["method"] == "Network.loadingFinished" and rid in pending:
            pending[rid][2] = params.get("encodedDataLength")
        elif message["method"] == "Network.webSocketCreated":
            duo.requests.append([params["url"], "", None, rid, None])


def _response_body(duo, request) -> bytes:
    """The body of a recorded response (b"" for a 204)."""
    if request[4] == 204:
        return b""
    import base64

    result = duo.driver.execute_cdp_cmd("Network.getResponseBody", {"requestId": request[3]})
    if result.get("base64Encoded"):
        return base64.b64decode(result["body"])
    return result["body"].encode("utf-8")


def _callback_requests(duo, seen: int) -> list:
    """The callback requests since duo.requests[seen], once every response is in."""

    def requests():
        _drain_network(duo)
        return [r for r in duo.requests[seen:] if "_dash-update-component" in r[0]]

    wait_for(lambda: all(r[2] is not None for r in requests()), "callback responses pending")
    return requests()


def _assert_offline(duo) -> None:
    _drain_network(duo)
    assert duo.requests
    foreign = [
        url
        for url, *_ in duo.requests
        if not url.startswith(("data:", "blob:")) and urlsplit(url).hostname not in LOCAL_HOSTS
    ]
    assert foreign == []


def _assert_no_console_errors(duo) -> None:
    errors = [e for e in duo.get_logs() if e.get("level") == "SEVERE"]
    assert errors == []


GRAPH = "document.querySelector('#{id} .js-plotly-plot')"


def _wait_idle(duo, timeout=30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if duo.driver.execute_script("return !!window.store") and duo.redux_state_rqs == []:
            return
        time.sleep(0.1)
    raise AssertionError("callbacks still pending")


def _wait_map(duo, graph="map", timeout=30) -> None:
    """Until the graph has traces and plotly has drawn its geo subplot from the local topojson."""
    script = f"""
        const gd = {GRAPH.format(id=graph)};
        return !!(gd && gd.data && gd.data.length && gd._fullLayout
                  && gd.querySelector('.geo .bglayer, .geo path')
                  && window.PlotlyGeoAssets && Object.keys(window.PlotlyGeoAssets.topojson).length);
    """
    deadline = time.time() + timeout
    while time.time() < deadline:
        if duo.driver.execute_script(script):
            _wait_idle(duo)
            return
        time.sleep(0.2)
    raise AssertionError(f"#{graph} was not drawn")


def _traces(duo, graph="map") -> list[tuple[str, bool]]:
    """(layer key, visible) of every trace of the drawn figure: its layer, or the layers that
    share it joined by "+" (a label several layers ask for, see figures.trace_layer)."""
    return [
        (layer, visible is not False and visible != "legendonly")
        for layer, visible in duo.driver.execute_script(
            f"return {GRAPH.format(id=graph)}.data.map(t => ["
            "(t.meta && (t.meta.layers ? t.meta.layers.join('+') : t.meta.layer)) || 'base',"
            " t.visible === undefined ? true : t.visible]);"
        )
    ]


def _visible_layers(duo) -> set[str]:
    return {layer for layer, visible in _traces(duo) if visible}


def _query(duo) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(duo.driver.current_url).query, keep_blank_values=True))


def _open(duo, query: str) -> None:
    duo.driver.get(duo.server_url + "/" + query)
    _wait_map(duo)


def _shot(duo, name: str) -> None:
    """A full-page screenshot into $ATLAS_SHOTS (when set)."""
    if not SHOTS:
        return
    import base64

    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    time.sleep(0.5)
    width, height = duo.driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.scrollHeight];"
    )
    shot = duo.driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        },
    )
    (Path(SHOTS) / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))


# the table's rows: [row key, shown?] from each row's focus button, with the caption and the
# empty-table text as the page shows them (innerText: empty for what is display: none)
TABLE_JS = """
const rows = Array.from(document.querySelectorAll('#view-table tr')).map((tr) => {
    const button = tr.querySelector('button');
    return [JSON.parse(button.id).key, getComputedStyle(tr).display !== 'none'];
});
const table = document.querySelector('#view-table-area .data-table');
return {
    rows: rows,
    caption: getComputedStyle(table).display === 'none' ? null
        : document.querySelector('#view-table-caption').innerText,
    empty: document.querySelector('#view-table-empty').innerText,
    tags: Array.from(document.querySelectorAll('#view-table .layer-tag'))
        .map((li) => [li.className, getComputedStyle(li).display !== 'none']),
};
"""


def _assert_countries_drawn(duo, service, scenario) -> None:
    """Each map's countries trace (the main map's, the Europe inset's), as the page has it
    after the toggles' Patches, is the one of the view's own map (fills, outlines, hover text),
    and the legend has the entry of Ukraine's fill, with its square, exactly when the ukraine
    layer is shown."""
    expected = service.maps.figure(scenario)["data"]
    keys = ["locations", "customdata", "z", "zmin", "zmax", "colorscale", "marker", "hovertext"]
    for index in countries_indices({"data": expected}):
        drawn = duo.driver.execute_script(
            f"const t = {GRAPH.format(id='map')}.data[{index}];"
            " return arguments[0].map(k => t[k]);",
            keys,
        )
        assert drawn == [expected[index][key] for key in keys], scenario.layers
    legend = duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#map .legend .traces')).map(g => "
        "[g.querySelector('.legendtext').textContent, "
        "g.querySelectorAll('.legendpoints path').length]);"
    )
    name = t("legend.ukraine_recipient", scenario.lang)
    shown = [points for text, points in legend if text == name]
    assert shown == ([1] if "ukraine" in scenario.layers else []), (scenario.layers, legend)


def _assert_table_shows(duo, service, scenario) -> None:
    """The table shows exactly the rows of what the view shows (the others are display: none),
    and its caption counts them."""
    expected = [
        r["key"]
        for r in view_rows(service.maps.shown_layers(scenario), scenario.lang, service.atlas)
    ]
    caption = t("table.caption", scenario.lang, count=len(expected)) if expected else None
    empty = "" if expected else t("table.empty", scenario.lang)

    def shows() -> bool:
        state = duo.driver.execute_script(TABLE_JS)
        shown = [key for key, visible in state["rows"] if visible]
        return shown == expected and state["caption"] == caption and state["empty"] == empty

    wait_for(shows, f"the table does not show the rows of {scenario.layers}", timeout=10)
    # a row of several layers names only the shown ones
    for name, visible in duo.driver.execute_script(TABLE_JS)["tags"]:
        assert visible == (name.removeprefix("layer-tag layer-") in scenario.layers), name


def _data_text(duo, graph="map") -> str:
    return duo.driver.execute_script(
        f"return JSON.stringify({GRAPH.format(id=graph)}.data.map(t => [t.name, t.text, t.hovertext]))"
        f" + JSON.stringify({GRAPH.format(id=graph)}.layout.annotations || []);"
    )


# --- tests --------------------------------------------------------------------------------------


def test_every_preset_draws_its_layers_offline(duo, atlas, presets):
    service = ViewService(atlas, presets, "ja")
    duo.start_server(create_app(lang="ja", atlas=atlas, presets=presets), port=free_port())
    _wait_map(duo)
    for preset_id, preset in presets.items():
        for lang in ("ja", "en") if SHOTS else ("ja",):
            _open(duo, f"?scenario={preset_id}&lang={lang}")
            title = preset.title_ja if lang == "ja" else preset.title_en
            duo.wait_for_text_to_equal("#view-title", title)
            expected = service.maps.figure(preset.model_copy(update={"lang": lang}))
            assert _traces(duo) == [
                (trace_layer(t) if t.get("meta") else "base", t.get("visible", True) is not False)
                for t in expected["data"]
            ], preset_id
            shown = {*preset.layers, "base", "focus"}
            assert all(shown_by(key, shown) for key in _visible_layers(duo)), preset_id
            assert _visible_layers(duo) & set(preset.layers), preset_id
            assert duo.find_element("#layers").find_elements(By.CSS_SELECTOR, "input:checked")
            checked = {
                i.get_attribute("value")
                for i in duo.find_elements("#layers input")
                if i.is_selected()
            }
            assert checked == set(preset.layers), preset_id
            if lang == "ja":
                _assert_table_shows(duo, service, preset)
            _assert_no_console_errors(duo)
            _shot(duo, f"{preset_id}_{lang}")
    if SHOTS:
        _open(duo, "?scenario=concept_diagram&projection=polar&lang=en")
        _shot(duo, "polar_concept_en")
        _open(duo, "?scenario=ukraine_support&projection=orthographic&lang=ja&focus=UKR")
        _shot(duo, "orthographic_ukraine_ja")
    _assert_offline(duo)


def _layout_map(duo, seen: int) -> dict:
    """The map figure in the page's last /_dash-layout response since duo.requests[seen]."""
    _drain_network(duo)
    layouts = [r for r in duo.requests[seen:] if r[0].endswith("/_dash-layout")]
    assert layouts, "the page did not ask for its layout"
    found: list[dict] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            props = node.get("props")
            if isinstance(props, dict) and props.get("id") == "map":
                found.append(props.get("figure"))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(_response_body(duo, layouts[-1])))
    return found[0]


def _figure_responses(duo, seen: int) -> list[dict]:
    """The whole figures (not Patches) that callback responses since duo.requests[seen] sent
    to the map."""
    figures = []
    for request in _callback_requests(duo, seen):
        if request[4] == 200:
            value = json.loads(_response_body(duo, request)).get("response", {}).get("map", {})
            if "figure" in value and "__dash_patch_update" not in value["figure"]:
                figures.append(value["figure"])
    return figures


def _assert_preloads_used(duo) -> None:
    """The page asks for plotly.js, dcc's Graph chunk and the base map before its layout, and
    each exactly once: the lazy loader and plotly.js took the preloaded responses."""
    _drain_network(duo)
    urls = [urlsplit(url).path for url, *_ in duo.requests]
    layout = urls.index("/_dash-layout")
    # plotly.js asks for the base map once per geo subplot it draws at once: the main map and
    # the Europe inset
    maps = duo.driver.execute_script(
        f"return Object.keys({GRAPH.format(id='map')}.layout).filter(k => /^geo\\d*$/.test(k))"
        ".length;"
    )
    topojson = "/assets/topojson/world_50m.json"
    for path in (*(f"/{p}" for p in PRELOADED_SCRIPTS), topojson):
        expected = maps if path == topojson else 1
        assert urls.count(path) == expected, f"{path} fetched {urls.count(path)} times"
        assert urls.index(path) < layout, f"{path} was not preloaded"
    logs = duo.get_logs()  # this drains the log: keep checking for errors here too
    assert [e for e in logs if "preload" in e.get("message", "") or e["level"] == "SEVERE"] == []


def test_first_load_draws_the_map_of_the_url_from_the_layout(duo, atlas, presets):
    """Opening a link: the layout response already holds that view's map (no callback sends a
    figure), the drawn map is that view's, and later toggles patch it as usual."""
    service = ViewService(atlas, presets, "ja")
    duo.start_server(create_app(lang="ja", atlas=atlas, presets=presets), port=free_port())
    _wait_map(duo)
    _assert_preloads_used(duo)
    for query in (
        "?scenario=threats_360&lang=en",
        "?layers=threats,bogus&projection=orthographic&focus=JPN",  # a bad value is dropped
        "",
    ):
        _drain_network(duo)
        seen = len(duo.requests)
        _open(duo, query)
        scenario, _ = service.views.parse_search(query)
        expected = service.maps.figure(scenario)
        assert _layout_map(duo, seen) == expected, query
        assert _figure_responses(duo, seen) == [], query
        assert _traces(duo) == [
            (trace_layer(t) if t.get("meta") else "base", t.get("visible", True) is not False)
            for t in expected["data"]
        ], query
        if "bogus" in query:
            duo.wait_for_contains_text("#notice-url", "bogus")
    _drain_network(duo)
    seen = len(duo.requests)
    duo.find_element("#layers input[value='events']").click()
    wait_for(lambda: "events" not in _visible_layers(duo), "events still shown after the click")
    assert _figure_responses(duo, seen) == []  # a Patch of `visible`, not a figure
    _assert_no_console_errors(duo)
    _assert_offline(duo)


def test_layers_details_url_and_language(duo, atlas, presets):
    service = ViewService(atlas, presets, "ja")
    duo.start_server(create_app(lang="ja", atlas=atlas, presets=presets), port=free_port())
    _open(duo, "?scenario=concept_diagram")
    duo.driver.execute_script("window.__sameDocument = true;")
    preset = presets["concept_diagram"]
    _assert_table_shows(duo, service, preset)

    # every layer toggle flips its traces, updates the URL, hides or shows the table's rows of
    # the layer, and all the callback responses it causes together stay small: the map's Patch,
    # the URL; never the table again
    scenario = preset
    for layer in LAYERS:
        before = _traces(duo)
        was_on = layer in scenario.layers
        _drain_network(duo)
        seen = len(duo.requests)
        duo.find_element(f"#layers input[value='{layer}']").click()
        wait_for(
            lambda layer=layer, was_on=was_on: (
                (layer in _query(duo).get("layers", "").split(",")) != was_on
            ),
            f"URL did not follow the {layer} toggle",
        )
        _wait_idle(duo)
        after = _traces(duo)
        toggled = scenario.model_copy(
            update={"layers": tuple(x for x in LAYERS if (x in scenario.layers) != (x == layer))}
        )
        reframed = service.maps.figure_key(toggled) != service.maps.figure_key(scenario)
        scenario = toggled
        if reframed:  # the Europe inset came or went, or the extent moved: the new map, whole
            expected = service.maps.figure(scenario)["data"]
            assert after == [
                (trace_layer(t) if t.get("meta") else "base", t.get("visible", True) is not False)
                for t in expected
            ], layer
            _assert_table_shows(duo, service, scenario)
            continue
        changed = {b[0] for b, a in zip(before, after, strict=True) if b != a}
        # the toggled layer's traces, and labels it shares with others when it decides them
        assert layer in changed and all(layer in key.split("+") for key in changed), changed
        assert all(visible != was_on for name, visible in after if name == layer)
        _assert_table_shows(duo, service, scenario)
        _assert_countries_drawn(duo, service, scenario)
        _wait_idle(duo)
        callbacks = _callback_requests(duo, seen)
        bodies = {r[3]: len(_response_body(duo, r)) for r in callbacks}
        sent = {
            json.loads(r[1])["output"]: bodies[r[3]] for r in callbacks if bodies[r[3]]
        }  # the callbacks that answered with something, and their body's bytes
        assert any("map.figure" in output for output in sent), (layer, sent)
        assert sum(bodies.values()) <= TOGGLE_BUDGET, (layer, sent)
        assert sum(r[2] for r in callbacks) <= TOGGLE_BUDGET, layer  # headers included
        assert not any("view-table.children" in output for output in sent), (layer, sent)
    assert duo.driver.execute_script("return window.__sameDocument === true;")  # no reload

    # back restores the previous view
    duo.driver.back()
    wait_for(lambda: "proposals" in _query(duo).get("layers", "").split(","), "back")
    _wait_idle(duo)

    # no layer at all: the table says so
    _open(duo, "?scenario=concept_diagram&layers=")
    _assert_table_shows(duo, service, preset.model_copy(update={"layers": ()}))

    # a click on Japan fills the details panel with its roles and citations
    _open(duo, "?scenario=concept_diagram")
    index, point = duo.driver.execute_script(
        f"""const gd = {GRAPH.format(id="map")};
        for (let i = 0; i < gd.data.length; i++) {{
            const cd = gd.data[i].customdata;
            if (!cd) continue;
            for (let j = 0; j < cd.length; j++) {{
                const v = Array.isArray(cd[j]) ? cd[j][0] : cd[j];
                if (v === 'JPN') return [i, j];
            }}
        }}
        return [null, null];"""
    )
    assert index is not None, "no trace carries JPN in customdata"
    duo.driver.execute_script(
        f"{GRAPH.format(id='map')}.emit('plotly_click', "
        f"{{points: [{{curveNumber: {index}, pointNumber: {point}}}]}});"
    )
    duo.wait_for_contains_text("#details", "2024年4月、日米首脳は")
    details = duo.find_element("#details").text
    assert "Japan-U.S. Joint Leaders" in details  # footnote 19's source line
    assert "明記" in details  # a basis
    assert _query(duo)["focus"] == "JPN"
    assert duo.find_element("#focus").get_attribute("value") == "日本 (JPN)"  # the search follows

    # the table's names focus their item too (keyboard and screen-reader access to the map)
    duo.find_element("#view-table button[id*='five_eyes']").click()
    wait_for(lambda: _query(duo).get("focus") == "five_eyes", "the table row did not focus")
    duo.wait_for_contains_text(
        "#details", "構成国間の相互監視を行わないというお互いの信頼関係の上に"
    )
    duo.find_element("#details-clear").click()
    wait_for(lambda: not _query(duo).get("focus"), "clear did not drop the focus")
    duo.wait_for_contains_text("#details", "クリック")

    # URL -> view -> URL
    query = (
        "?scenario=summit_outcomes&layers=value_community,threats,events&groupings=ap4,nato"
        "&directions=east,south&domains=cyber&basis=stated&modality=assessed&proposals=0"
        "&from=2024-06-01"
        "&to=2024-07-31&projection=orthographic&extent=world&inset=none&lang=en&focus=UKR"
    )
    _open(duo, query)
    duo.wait_for_contains_text("#details", "Ukraine")
    shown = {"value_community", "threats", "events", "base", "focus"}
    assert all(shown_by(key, shown) for key in _visible_layers(duo))
    wait_for(lambda: duo.find_element("#share-url").get_attribute("value"), "share link")
    share = duo.find_element("#share-url").get_attribute("value")
    assert dict(parse_qsl(urlsplit(share).query)) == dict(parse_qsl(query[1:]))
    assert urlsplit(share).hostname in LOCAL_HOSTS
    dates = [duo.find_element(f"#date-{end}").get_attribute("value") for end in ("from", "to")]
    assert dates == ["2024-06-01", "2024-07-31"]
    assert duo.find_element("#basis input[value='stated']").is_selected()
    assert not duo.find_element("#proposals input").is_selected()
    _open(duo, "?" + urlsplit(share).query)
    assert duo.find_element("#share-url").get_attribute("value") == share

    # the date range: typing a date moves `from` (applied on Enter), clearing `to` drops it
    start = duo.find_element("#date-from")
    start.click()
    start.send_keys(typed_date(duo.driver, "2024-07-01"), Keys.ENTER)
    wait_for(lambda: _query(duo).get("from") == "2024-07-01", "from did not follow the input")
    _wait_idle(duo)
    end = duo.find_element("#date-to")
    end.click()
    end.send_keys(Keys.BACKSPACE, Keys.ENTER)
    wait_for(lambda: not _query(duo).get("to"), "clearing `to` did not drop it")
    _wait_idle(duo)

    # the language switch changes the UI strings and the map labels
    _open(duo, "?scenario=value_community")
    duo.wait_for_text_to_equal("#view-title", presets["value_community"].title_ja)
    assert "レイヤー" in duo.find_element("#controls").text
    labels_ja = _data_text(duo)
    duo.find_element("#lang input[value='en']").click()
    duo.wait_for_text_to_equal("#view-title", presets["value_community"].title_en)
    _wait_map(duo)
    duo.wait_for_contains_text("#controls", "Layers")
    assert "Value community" in duo.find_element("#layers").text
    assert _query(duo)["lang"] == "en"
    assert duo.driver.execute_script("return document.documentElement.lang") == "en"
    labels_en = _data_text(duo)
    assert "カナダ" in labels_ja and "Canada" not in labels_ja
    assert "Canada" in labels_en and "カナダ" not in labels_en

    # bad parameters: a visible notice, never an error page
    _open(duo, "?zoom=3&layers=events,bogus&groupings=atlantis")
    duo.wait_for_contains_text("#notice-url", "zoom")
    notice = duo.find_element("#notice-url").text
    assert "bogus" in notice and "atlantis" in notice
    _assert_no_console_errors(duo)
    _assert_offline(duo)


# the modality badges of the drawn figure: [item id, glyph] of every shown badge
BADGES_JS = """
const gd = document.querySelector('#map .js-plotly-plot');
const out = [];
gd.data.forEach((t) => {
    if (!t.meta || t.meta.kind !== 'modality' || t.visible === false) return;
    t.customdata.forEach((item, i) => out.push([item, t.text[i]]));
});
return out;
"""
LEGEND_JS = (
    "return Array.from(document.querySelectorAll('#map .legend .traces .legendtext'))"
    ".map(e => e.textContent);"
)


def test_the_certainty_filter_the_badges_and_the_hedges(duo, atlas, presets):
    """The certainty control filters the map as the URL's `modality` does and writes it to the
    URL; the hedged and projected items carry their badges and legend entries only while
    shown; the details panel marks an item's hedge with its English meaning; topics are rows."""
    service = ViewService(atlas, presets, "en")
    duo.start_server(create_app(lang="en", atlas=atlas, presets=presets), port=free_port())
    _open(duo, "?scenario=concept_diagram&lang=en")
    assert duo.find_element("#modality input[value='projected']").is_selected()
    badges = dict(duo.driver.execute_script(BADGES_JS))
    assert badges["chn_threat_europe"] == "?" and badges["chn_influence_indo_pacific"] == "→"
    legend = duo.driver.execute_script(LEGEND_JS)
    assert (
        t("key.modality.assessed", "en") in legend and t("key.modality.projected", "en") in legend
    )
    assert t("legend.external_members", "en", name="NATO") in legend
    text = _data_text(duo)
    assert "reconstruction" in text  # the concept diagram's note, on the map
    _shot(duo, "certainty_all_en")

    for level, glyphs in (("assessed", {"?"}), ("asserted", set()), ("projected", {"?", "→"})):
        duo.find_element(f"#modality input[value='{level}']").click()
        wait_for(lambda level=level: _query(duo).get("modality") == level, f"URL: {level}")
        _wait_idle(duo)
        expected = service.maps.figure(
            presets["concept_diagram"].model_copy(update={"lang": "en", "modality": level})
        )
        assert _traces(duo) == [
            (trace_layer(t) if t.get("meta") else "base", t.get("visible", True) is not False)
            for t in expected["data"]
        ], level
        shown = {glyph for _, glyph in duo.driver.execute_script(BADGES_JS)}
        assert shown == glyphs, level
        legend = duo.driver.execute_script(LEGEND_JS)
        assert (t("key.modality.projected", "en") in legend) == ("→" in glyphs), level
        assert (t("key.modality.assessed", "en") in legend) == ("?" in glyphs), level
        if level == "asserted":
            _shot(duo, "certainty_asserted_en")
    # the address reproduces it, and the control follows the address
    _open(duo, "?scenario=concept_diagram&lang=en&modality=assessed")
    assert duo.find_element("#modality input[value='assessed']").is_selected()
    assert {glyph for _, glyph in duo.driver.execute_script(BADGES_JS)} == {"?"}
    wait_for(lambda: duo.find_element("#share-url").get_attribute("value"), "share link")
    share = duo.find_element("#share-url").get_attribute("value")
    assert dict(parse_qsl(urlsplit(share).query))["modality"] == "assessed"

    # the details of China's hedged threat to Europe: the hedge marked, with its meaning
    _open(duo, "?scenario=concept_diagram&lang=en&focus=chn_threat_europe")
    duo.wait_for_contains_text("#details", "is coming to be perceived as")
    marks = [m.text for m in duo.find_elements("#details mark.hedge")]
    assert "認知されつつある" in marks
    assert "assessed" in duo.find_element("#details").text
    _shot(duo, "details_hedge_en")
    # topics are rows of the table, and a row's name opens its details
    duo.find_element("#view-table button[id*='north_atlantic_council']").click()
    duo.wait_for_contains_text("#details", "consensus")
    assert "今後" in [m.text for m in duo.find_elements("#details mark.hedge")]
    _assert_no_console_errors(duo)
    _assert_offline(duo)


def test_files_and_compare(duo, atlas, presets, tmp_path):
    duo.start_server(create_app(lang="en", atlas=atlas, presets=presets), port=free_port())
    _open(duo, "?scenario=summit_outcomes&lang=en")
    url_before = duo.driver.current_url
    figure_before = _data_text(duo)

    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nlayers: [value_community, dragons]\ngroupings: [atlantis]\n")
    duo.find_element("#upload input[type=file]").send_keys(str(bad))
    duo.wait_for_contains_text("#upload-message", "bad.yaml")
    assert "unchanged" in duo.find_element("#upload-message").text
    _wait_idle(duo)
    assert duo.driver.current_url == url_before
    assert _data_text(duo) == figure_before

    good = tmp_path / "good.yaml"
    good.write_text(presets["threats_360"].model_copy(update={"lang": "en"}).to_yaml())
    duo.find_element("#upload input[type=file]").send_keys(str(good))
    duo.wait_for_contains_text("#upload-message", "good.yaml")
    wait_for(lambda: _query(duo).get("scenario") == "threats_360", "upload did not apply")
    _wait_map(duo)
    assert _query(duo)["projection"] == "polar"
    assert duo.find_element("#projection input[value='polar']").is_selected()

    # save: the download is the current view as YAML
    duo.find_element("#save").click()
    saved = Path(duo.download_path) / "threats_360.yaml"
    wait_for(saved.exists, "no download")
    from geodata.scenario import Scenario

    assert Scenario.from_yaml(saved.read_text(encoding="utf-8")).projection == "polar"

    # compare: side by side, then the difference
    _open(duo, "?scenario=proposals_japan_five_eyes_nato&lang=en")
    duo.find_element("#compare-mode input[value='side']").click()
    _wait_map(duo, graph="map-b")
    assert duo.find_element("#map-b-cell").is_displayed()
    duo.wait_for_contains_text("#map-caption-b", "Washington Summit")
    duo.find_element("#compare-mode input[value='diff']").click()
    duo.wait_for_contains_text("#compare-diff", "Only in A")
    diff = duo.find_element("#compare-diff").text
    assert "Japan–Five Eyes–NATO" in diff and "AP4" in diff
    _shot(duo, "compare_diff_en")
    _assert_no_console_errors(duo)
    _assert_offline(duo)


def test_the_clientside_callbacks_are_the_atlas_namespace_of_the_pages_script(duo, atlas, presets):
    """assets/atlas.js defines window.dash_clientside.atlas, and the page's clientside
    callbacks are wired to it (no inline code). In the page: the share link is the page's
    address with the view's query, tableRows shows and counts the shown layers' rows, and
    afterMap's test for a drawn map holds (plotly.js's private `_fullLayout` is still there)."""
    duo.start_server(create_app(lang="en", atlas=atlas, presets=presets), port=free_port())
    with urllib.request.urlopen(duo.server_url + "/_dash-dependencies") as response:
        dependencies = json.load(response)
    wired = sorted(
        d["clientside_function"]["function_name"]
        for d in dependencies
        if d.get("clientside_function")
    )
    assert wired == ["afterMap", "copyLink", "pageLang", "shareUrl", "tableRows"]
    assert {
        d["clientside_function"]["namespace"] for d in dependencies if d.get("clientside_function")
    } == {"atlas"}
    _open(duo, "?scenario=threats_360&lang=en")
    names = duo.driver.execute_script("return Object.keys(window.dash_clientside.atlas).sort()")
    assert names == wired
    assert duo.driver.execute_script(f"return !!{GRAPH.format(id='map')}._fullLayout")
    share = duo.find_element("#share-url")
    wait_for(lambda: share.get_attribute("value"), "the share link was not set")
    link = urlsplit(share.get_attribute("value"))
    assert f"{link.scheme}://{link.netloc}" == duo.server_url
    assert dict(parse_qsl(link.query))["scenario"] == "threats_360"
    assert dict(parse_qsl(link.query))["lang"] == "en"
    meta = {
        "counts": {"events": 2, "threats events": 3, "": 1},
        "caption": "{count} rows",
        "empty": "none",
    }
    rows = "return window.dash_clientside.atlas.tableRows(arguments[0], arguments[1]);"
    shown = duo.driver.execute_script(rows, {"scenario": {"layers": ["events"]}}, meta)
    assert shown == ["view-table show-events", "6 rows", None]
    hidden = duo.driver.execute_script(rows, {"scenario": {"layers": ["ukraine"]}}, meta)
    assert hidden == ["view-table show-ukraine", "1 rows", None]
    none = duo.driver.execute_script(rows, {"scenario": {"layers": []}}, {**meta, "counts": {}})
    assert none == ["view-table is-empty", "0 rows", "none"]
