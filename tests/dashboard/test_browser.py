"""The dashboard in a real, headless Chromium (dash_duo machinery, Debian chromium/chromedriver).

No pytest option is needed: the `duo` fixture (conftest.py) builds dash's DashComposite itself, headless,
with Chrome's performance log switched on so that every request the page makes is recorded.
Set ATLAS_SHOTS=/some/dir to also save screenshots of every preset in both languages.

Sessions are few on purpose (each starts a server and a browser): presets, interactions, files.
"""

from __future__ import annotations

import io
import json
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import flask
import pytest
from browser import (
    GRAPH,
    LOCAL_HOSTS,
    SELENIUM_MODULE,
    SHOTS,
    _assert_no_console_errors,
    _assert_offline,
    _callback_requests,
    _drain_network,
    _open,
    _query,
    _response_body,
    _shot,
    _traces,
    _visible_layers,
    _wait_idle,
    _wait_map,
    hovered_at,
    layer_points,
    typed_date,
    wait_for,
)
from drawing import drawn
from pages import countries_indices
from PIL import Image, ImageChops, ImageFilter
from plotly.offline import get_plotlyjs_version
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from dashboard.app import PRELOADED_SCRIPTS, create_app
from dashboard.details import view_rows
from dashboard.figures import shown_by, trace_layer
from dashboard.i18n import t
from dashboard.local_server import free_port
from dashboard.service import ViewService
from geodata.certainty import CERTAINTY_STATES, WIDEST_STATE, split_state_key, state_index
from geodata.knowledge import DIRECTIONS
from geodata.scenario import LAYERS, Scenario

pytestmark = SELENIUM_MODULE
LABELS = ("label", "leader")  # the kinds of the traces of labels
TOGGLE_BUDGET = 15 * 1024


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


def _shows_exactly(duo, layers, state: int = WIDEST_STATE) -> bool:
    """Whether the drawn map shows the traces of exactly the layer keys `layers` in certainty
    state `state`: each key's traces drawn iff it is shown (a trace several keys share iff any
    of them is), in the states each names."""
    return all(
        visible == shown_by(key, {*layers, "base"}, state)
        for key, visible in _traces(duo)
        if key not in ("base", "focus")
    )


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
    and its caption counts them (once scrolled to: it is built when it comes near the screen)."""
    duo.driver.execute_script("document.getElementById('view-table-area').scrollIntoView()")
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
    # a row of several layers names only the shown ones (a layer shown with any of its keys,
    # in the view's certainty state when the key is limited to some)
    shown_keys = set(scenario.shown_keys())
    state = state_index(*scenario.certainty())
    shown_classes = {f"layer-{key}" for key in shown_keys}
    shown_classes |= {f"layer-{key}-{state}" for key in shown_keys}
    for name, visible in duo.driver.execute_script(TABLE_JS)["tags"]:
        assert visible == bool(set(name.split()) & shown_classes), name


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
                (trace_layer(t) if t.get("meta") else "base", drawn(t)) for t in expected["data"]
            ], preset_id
            shown = {*preset.shown_keys(), "base", "focus"}
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


def _assert_preloads_used(duo, app) -> None:
    """The page asks for plotly.js, dcc's Graph chunk and the base map of its (world) view
    before its layout, and each exactly once: the lazy loader and plotly.js took the preloaded
    responses."""
    _drain_network(duo)
    urls = [urlsplit(url).path for url, *_ in duo.requests]
    layout = urls.index("/_dash-layout")
    # each base map the map draws (its main map's, the Europe inset's), fetched once per geo
    # subplot that draws it (plotly.js asks for it once per subplot it draws at once)
    files = duo.driver.execute_script(
        f"const layout = {GRAPH.format(id='map')}.layout;"
        "return Object.keys(layout).filter(k => /^geo\\d*$/.test(k))"
        ".map(k => `${layout[k].scope || 'world'}_${layout[k].resolution}m`);"
    )
    maps = {app.delivery.topojson_file(name): files.count(name) for name in files}
    for path in (*(f"/{p}" for p in PRELOADED_SCRIPTS), *maps):
        expected = maps.get(path, 1)
        assert urls.count(path) == expected, f"{path} fetched {urls.count(path)} times"
        assert urls.index(path) < layout, f"{path} was not preloaded"
    logs = duo.get_logs()  # this drains the log: keep checking for errors here too
    assert [e for e in logs if "preload" in e.get("message", "") or e["level"] == "SEVERE"] == []


def _sent_outputs(duo, seen: int) -> set[str]:
    """The components that callback responses since duo.requests[seen] changed."""
    return {
        component
        for request in _callback_requests(duo, seen)
        if request[4] == 200
        for component in json.loads(_response_body(duo, request)).get("response", {})
    }


def test_first_load_draws_the_map_of_the_url_from_the_layout(duo, atlas, presets):
    """Opening a link: the layout response already holds that view's map (no callback sends a
    figure) and the map's summary (no callback sends it: it is on the page with the first
    render), the drawn map is that view's, and later toggles patch it as usual."""
    service = ViewService(atlas, presets, "ja")
    app = create_app(lang="ja", atlas=atlas, presets=presets)
    duo.start_server(app, port=free_port())
    _wait_map(duo)
    _assert_preloads_used(duo, app)
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
        assert duo.find_element("#map-summary").text == service.panels.summary(scenario), query
        assert "map-summary" not in _sent_outputs(duo, seen), query
        assert _traces(duo) == [
            (trace_layer(t) if t.get("meta") else "base", drawn(t)) for t in expected["data"]
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

    # every layer toggle flips its traces, updates the URL and the heading, hides or shows the
    # table's rows of the layer, and sends nothing to the server (it is done in the page)
    scenario = preset
    modified = t("scenario.modified", "ja")
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
                (trace_layer(t) if t.get("meta") else "base", drawn(t)) for t in expected
            ], layer
            _assert_table_shows(duo, service, scenario)
            continue
        # (the layer keys of each changed trace, without the certainty states they show in)
        changed = {
            tuple(split_state_key(key)[0] for key in b[0].split("+"))
            for b, a in zip(before, after, strict=True)
            if b != a
        }
        # the toggled layer's traces, and labels it shares with others when it decides them
        assert (layer,) in changed and all(layer in keys for keys in changed), changed
        assert all(visible != was_on for name, visible in after if name == layer)
        _assert_table_shows(duo, service, scenario)
        _assert_countries_drawn(duo, service, scenario)
        title = duo.find_element("#view-title").text
        assert title.endswith(modified) == (scenario.layers != preset.layers), title
        _wait_idle(duo)
        assert _callback_requests(duo, seen) == [], layer
    assert duo.driver.execute_script("return window.__sameDocument === true;")  # no reload

    # back restores the previous view
    duo.driver.back()
    wait_for(lambda: "proposals" in _query(duo).get("layers", "").split(","), "back")
    _wait_idle(duo)

    # no layer at all: the table says so
    _open(duo, "?scenario=concept_diagram&layers=")
    _assert_table_shows(duo, service, preset.model_copy(update={"layers": ()}))

    # a click on Japan fills the details panel with its roles and citations, and selects it
    # without re-framing the map (the address and the picture stay)
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
    before = duo.driver.current_url
    _drain_network(duo)
    seen = len(duo.requests)
    duo.driver.execute_script(
        f"{GRAPH.format(id='map')}.emit('plotly_click', "
        f"{{points: [{{curveNumber: {index}, pointNumber: {point}}}]}});"
    )
    duo.wait_for_contains_text("#details", "日本のグローバル・アプローチを")
    details = duo.find_element("#details").text
    assert "明記" in details  # a basis
    assert "日米首脳会談" in details  # a later role, on one line with its sentences
    _wait_idle(duo)
    assert duo.driver.current_url == before  # selected, not focused
    answers = [_response_body(duo, r) for r in _callback_requests(duo, seen)]
    assert answers and not any(b'"lon"' in body for body in answers)  # no figure re-sent
    # "zoom to" focuses it: the address, the search box and the map follow
    duo.find_element("#details [data-zoom='JPN']").click()
    wait_for(lambda: _query(duo).get("focus") == "JPN", "zoom to did not focus Japan")
    wait_for(
        lambda: duo.find_element("#focus").get_attribute("value") == "日本 (JPN)",
        "the search did not follow the focus",
    )
    duo.wait_for_contains_text("#details", "日本のグローバル・アプローチを")
    assert not duo.find_elements("#details [data-zoom]")  # already zoomed to it
    # the table's names select their item too (keyboard and screen-reader access to the map)
    duo.driver.execute_script("document.getElementById('view-table-area').scrollIntoView()")
    _click_row(duo, "five_eyes")
    duo.wait_for_contains_text(
        "#details", "構成国間の相互監視を行わないというお互いの信頼関係の上に"
    )
    assert _query(duo).get("focus") == "JPN"  # the focus stays where it was
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
    shown = {"value_community", "threats", "threats-east", "threats-south", "events", "base"}
    assert all(shown_by(key, {*shown, "focus"}) for key in _visible_layers(duo))
    assert {"threats-north", "threats-west"}.isdisjoint(_visible_layers(duo))
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
    if (!t.meta || t.meta.kind !== 'modality' || window.atlasHiding.isHidden(t)) return;
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
        # (in the page: labels stay where the first map placed them)
        kinds = duo.driver.execute_script(
            f"return {GRAPH.format(id='map')}.data.map((t) => t.meta && t.meta.kind);"
        )
        assert [x for x, kind in zip(_traces(duo), kinds, strict=True) if kind not in LABELS] == [
            (trace_layer(t) if t.get("meta") else "base", drawn(t))
            for t in expected["data"]
            if (t.get("meta") or {}).get("kind") not in LABELS
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
    duo.driver.execute_script("document.getElementById('view-table-area').scrollIntoView()")
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
    # B's hidden layer (the summit's support flows) is not drawn and answers no hover
    hidden = layer_points(duo, "support_flows", graph="map-b")
    assert hidden and all(transparent for *_, transparent in hidden)
    assert not hovered_at(duo, hidden, graph="map-b") & {index for index, *_ in hidden}
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
    assert wired == sorted(
        [
            "afterMap",
            "articleWanted",
            "copyLink",
            "emphasis",
            "emphasisPicked",
            "mapToText",
            "pageLang",
            "readingLayout",
            "readingState",
            "route",
            "shareUrl",
            "tableRows",
            "toggleLayers",
        ]
    )
    assert {
        d["clientside_function"]["namespace"] for d in dependencies if d.get("clientside_function")
    } == {"atlas"}
    _open(duo, "?scenario=threats_360&lang=en")
    names = duo.driver.execute_script("return Object.keys(window.dash_clientside.atlas).sort()")
    # and, for the tests, what toggleLayers computes the countries' style, the summary, the
    # certainty state and what shows with
    assert names == sorted([*wired, "countryStyle", "summaryText", "certaintyState", "showsWith"])
    # the address goes to the server unless it is the view's own (which a layer toggle wrote)
    route = "return window.dash_clientside.atlas.route(arguments[0], arguments[1]) === "
    route += "window.dash_clientside.no_update;"
    assert duo.driver.execute_script(route, "?a=1", {"query": "?a=1"})
    assert not duo.driver.execute_script(route, "?a=1", {"query": "?a=2"})
    assert not duo.driver.execute_script(route, "", None)
    assert duo.driver.execute_script(f"return !!{GRAPH.format(id='map')}._fullLayout")
    share = duo.find_element("#share-url")
    wait_for(lambda: share.get_attribute("value"), "the share link was not set")
    link = urlsplit(share.get_attribute("value"))
    assert f"{link.scheme}://{link.netloc}" == duo.server_url
    assert dict(parse_qsl(link.query))["scenario"] == "threats_360"
    assert dict(parse_qsl(link.query))["lang"] == "en"
    meta = {  # (4 rows of events shown in the most certain state only)
        "counts": {"events": 2, "threats events": 3, "": 1, "events@1": 4},
        "caption": "{count} rows",
        "empty": "none",
    }
    rows = "return window.dash_clientside.atlas.tableRows(arguments[0], arguments[1]);"
    widest = {"layers": ["events"], "basis": "external", "modality": "projected"}
    shown = duo.driver.execute_script(rows, {"scenario": widest}, meta)
    assert shown == ["view-table show-events show-events-8", "6 rows", None]
    narrowest = widest | {"basis": "stated", "modality": "asserted"}
    shown = duo.driver.execute_script(rows, {"scenario": narrowest}, meta)
    assert shown == ["view-table show-events show-events-0", "10 rows", None]
    hidden = duo.driver.execute_script(rows, {"scenario": widest | {"layers": ["ukraine"]}}, meta)
    assert hidden == ["view-table show-ukraine show-ukraine-8", "1 rows", None]
    none = duo.driver.execute_script(
        rows, {"scenario": widest | {"layers": []}}, {**meta, "counts": {}}
    )
    assert none == ["view-table is-empty", "0 rows", "none"]


# --- delivery, level of detail, layout shifts -----------------------------------------------------

# the page's layout shifts as CLS counts them (not caused by input), from the page's start
SHIFTS_JS = """
window.__shifts = [];
new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
        if (!e.hadRecentInput) { window.__shifts.push(e.value); }
    }
}).observe({type: 'layout-shift', buffered: true});
"""


def _responses(duo) -> dict[str, dict]:
    """The last response headers (lower-case names) and status of each URL path the page got,
    from Chrome's performance log (with `fromCache` when the HTTP cache answered)."""
    found: dict[str, dict] = {}
    for entry in duo.driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.responseReceived":
            response = message["params"]["response"]
            headers = {k.lower(): v for k, v in response["headers"].items()}
            found[urlsplit(response["url"]).path] = headers | {
                ":status": response["status"],
                ":cached": response.get("fromDiskCache") or response.get("fromMemoryCache"),
                ":bytes": response.get("encodedDataLength"),
            }
        elif message["method"] == "Network.requestServedFromCache":
            found.setdefault("(served from cache)", {})[message["params"]["requestId"]] = True
    return found


def test_the_browser_gets_compressed_cached_files_and_the_geo_bundle(duo, atlas, presets):
    """As Chromium loads the page: every script, the layout and the base map come compressed;
    the fingerprinted ones with a year-long immutable lifetime, so that a second visit asks for
    none of them; plotly.js is the geo bundle of plotly's version and draws the map; a path
    that is not the page is a 404 and robots.txt is served."""
    app = create_app(lang="ja", atlas=atlas, presets=presets)
    asked: list[str] = []  # the paths the server is asked for
    app.server.before_request(lambda: asked.append(flask.request.path))
    duo.start_server(app, port=free_port())
    duo.driver.execute_cdp_cmd("Network.clearBrowserCache", {})  # a first visit
    duo.driver.get_log("performance")
    _open(duo, "?inset=none")  # a world map alone (the Europe inset draws the 1:50m map)
    first = _responses(duo)
    suites = [p for p in first if p.startswith("/_dash-component-suites/")]
    fingerprinted = [p for p in suites if ".v4_4_1m" in p]
    assert len(fingerprinted) >= 6
    for path in [*suites, "/_dash-layout", "/_dash-dependencies", "/"]:
        assert first[path].get("content-encoding") == "br", path
    for path in [*fingerprinted, app.delivery.topojson_file("world_110m")]:
        assert first[path]["cache-control"] == "public, max-age=31536000, immutable", path
    plotly = "/_dash-component-suites/plotly/package_data/plotly.min.js"
    assert first[plotly]["cache-control"] == "no-cache" and first[plotly]["etag"]
    assert app.delivery.topojson_file("world_50m") not in first  # a world view: 1:110m only
    assert sum(r[":bytes"] or 0 for p, r in first.items() if p.startswith("/")) < 1.2e6
    traces = duo.driver.execute_script("return Object.keys(Plotly.PlotSchema.get().traces);")
    assert sorted(traces) == ["choropleth", "scatter", "scattergeo"]
    assert duo.driver.execute_script("return Plotly.version;") == get_plotlyjs_version()

    # a second visit: the fingerprinted files and the base map come from the browser's cache
    # without a request; what has no version in its URL is revalidated (a 304)
    del asked[:]
    duo.driver.get(duo.server_url + "/?scenario=concept_diagram")
    _wait_map(duo)
    again = _responses(duo)
    assert asked and not set(asked) & {*fingerprinted, app.delivery.topojson_file("world_110m")}
    assert again[plotly][":status"] == 304
    _assert_no_console_errors(duo)

    statuses = duo.driver.execute_script(
        "return Promise.all(['/robots.txt', '/nope/page.html', '/assets/nope.js'].map("
        "(u) => fetch(u).then((r) => r.status)));"
    )
    assert statuses == [200, 404, 404]
    _assert_offline(duo)


def _geo_state(duo) -> dict:
    return duo.driver.execute_script(
        f"""const gd = {GRAPH.format(id="map")};
        return {{resolution: gd._fullLayout.geo.resolution,
                 files: Object.keys(window.PlotlyGeoAssets.topojson).sort(),
                 fetched: performance.getEntriesByType('resource')
                     .filter((e) => e.name.includes('/_atlas/topojson/'))
                     .map((e) => e.name.split('/').pop()).sort()}};"""
    )


def _click_row(duo, item: str) -> None:
    """A click on the name of `item` in the view's table, brought to the middle of the screen."""
    row = duo.find_element(f"#view-table button[id*=':{item}\\\"']")  # its key: "kind:id"
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", row)
    row.click()


def test_a_zoomed_view_loads_the_50m_map_and_a_world_view_the_110m(duo, atlas, presets):
    """A focus (zoomed) draws plotly's 1:50m base map, a world view the 1:110m one (and its
    Europe inset, zoomed, the 1:50m one's Europe: europe_50m); each page fetches only the ones it
    draws, and moving from one to the other within the page fetches the other once and sends no
    geometry again (a Patch without geojson)."""
    duo.start_server(create_app(lang="en", atlas=atlas, presets=presets), port=free_port())
    _open(duo, "?scenario=concept_diagram&focus=JPN")
    assert _geo_state(duo) == {
        "resolution": 50,
        "files": ["world_50m"],
        "fetched": ["world_50m.json"],
    }
    # a world map with the Europe inset: the main map at 1:110m, the inset (zoomed) at 1:50m
    _open(duo, "?scenario=concept_diagram")
    assert _geo_state(duo) == {
        "resolution": 110,
        "files": ["europe_50m", "world_110m"],
        "fetched": ["europe_50m.json", "world_110m.json"],
    }
    inset = duo.driver.execute_script(
        f"const geo2 = {GRAPH.format(id='map')}._fullLayout.geo2;"
        "return [geo2.resolution, geo2.scope];"
    )
    assert inset == [50, "europe"]
    _open(duo, "?scenario=concept_diagram&inset=none")
    assert _geo_state(duo) == {
        "resolution": 110,
        "files": ["world_110m"],
        "fetched": ["world_110m.json"],
    }
    _drain_network(duo)
    seen = len(duo.requests)
    duo.driver.execute_script(
        f"{GRAPH.format(id='map')}.emit('plotly_click', {{points: [{{location: 'JPN'}}]}});"
    )
    duo.find_element("#details [data-zoom='JPN']").click()  # a click selects, "zoom to" focuses
    wait_for(lambda: _query(duo).get("focus") == "JPN", "zoom to did not focus Japan")
    wait_for(lambda: _geo_state(duo)["resolution"] == 50, "the focus kept the 1:110m map")
    _wait_idle(duo)
    assert _geo_state(duo)["files"] == ["world_110m", "world_50m"]
    assert _figure_responses(duo, seen) == []  # a Patch
    sent = [_response_body(duo, r) for r in _callback_requests(duo, seen) if r[4] == 200]
    assert not any(b'"geojson"' in body for body in sent)
    duo.driver.back()
    wait_for(lambda: _geo_state(duo)["resolution"] == 110, "back did not return to 1:110m")
    _wait_idle(duo)
    assert _geo_state(duo)["fetched"] == ["world_110m.json", "world_50m.json"]
    _assert_no_console_errors(duo)


def test_every_preset_draws_every_country_at_both_scales(duo, atlas, presets):
    """Each preset's countries are all drawn on the 1:110m base map as on the 1:50m one (a path
    for every location of the countries trace), and its picture at each scale is saved to
    $ATLAS_SHOTS for a person to compare."""
    duo.start_server(create_app(lang="en", atlas=atlas, presets=presets), port=free_port())
    count = f"""const gd = {GRAPH.format(id="map")};
        const i = gd._fullData.findIndex((t) => t.type === 'choropleth'
            && t.locationmode === 'ISO-3');
        return [gd._fullLayout.geo.resolution, gd._fullData[i].locations.length,
                gd.querySelectorAll('.choroplethlocation').length];"""
    for preset_id in presets:
        _open(duo, f"?scenario={preset_id}&lang=en")
        resolution, locations, _ = duo.driver.execute_script(count)
        for scale in (resolution, 110 if resolution == 50 else 50):
            duo.driver.execute_script(
                f"return Plotly.relayout({GRAPH.format(id='map')}, {{'geo.resolution': {scale}}});"
            )
            wait_for(
                lambda scale=scale: duo.driver.execute_script(count)[0] == scale,
                f"{preset_id}: not redrawn at 1:{scale}m",
            )
            drawn = duo.driver.execute_script(count)
            # every country has its outline, plus the region polygons of their own choropleth
            assert drawn[2] >= locations > 40, (preset_id, scale, drawn)
            _shot(duo, f"scale_{preset_id}_{scale}m")
    _assert_no_console_errors(duo)
    _assert_offline(duo)


# the inset's box on the screen (its geo subplot's background), in CSS pixels
INSET_BOX_JS = f"""
const box = {GRAPH.format(id="map")}.querySelectorAll('.geolayer > g.geo')[1]
    .querySelector('.layer.bg rect').getBoundingClientRect();
return [box.left, box.top, box.right, box.bottom].map(Math.round);
"""


def _inset_picture(duo) -> Image.Image:
    """The inset as drawn, once its box has stopped moving (the map's box is fitted to it)."""
    boxes = [None, duo.driver.execute_script(INSET_BOX_JS)]
    while boxes[-1] != boxes[-2]:
        time.sleep(0.3)
        boxes.append(duo.driver.execute_script(INSET_BOX_JS))
        assert len(boxes) < 30, "the inset kept moving"
    left, top, right, bottom = boxes[-1]
    ratio = duo.driver.execute_script("return window.devicePixelRatio;")
    shot = Image.open(io.BytesIO(duo.driver.get_screenshot_as_png())).convert("RGB")
    return shot.crop((left * ratio, top * ratio, right * ratio, bottom * ratio))


@pytest.mark.parametrize("query", ["", "?scenario=concept_diagram&lang=ja"])
def test_the_inset_drawn_from_its_cut_base_map_looks_as_from_the_whole_world(
    duo, atlas, presets, query
):
    """The Europe inset draws its base map from europe_50m (the 1:50m world cut to its box and
    generalised to a fraction of the inset's pixel): its picture is the one drawn from the whole
    world_50m (the inset's subplot switched to plotly's world scope in the page), but for
    outlines moved by less than a pixel. Seen a pixel blurred (as a 3×3 box), no pixel is off by
    more than a fifth of its range, and hardly any by more than a few levels; a missing shape or
    a border a pixel off fails."""
    duo.start_server(create_app(lang="en", atlas=atlas, presets=presets), port=free_port())
    duo.driver.set_window_size(1350, 940)
    _open(duo, query)
    _wait_idle(duo)
    cut = _inset_picture(duo)
    duo.driver.execute_script(
        f"return Plotly.relayout({GRAPH.format(id='map')}, {{'geo2.scope': 'world'}});"
    )
    wait_for(
        lambda: (
            "world_50m"
            in duo.driver.execute_script("return Object.keys(window.PlotlyGeoAssets.topojson);")
        ),
        "the whole world's base map was not loaded",
    )
    time.sleep(0.5)  # (drawn in the frame after)
    whole = _inset_picture(duo)
    assert cut.size == whole.size and cut.width > 150
    blur = ImageFilter.BoxBlur(1)
    difference = ImageChops.difference(cut.filter(blur), whole.filter(blur))
    off = [max(pixel) for pixel in difference.get_flattened_data() if max(pixel) > 8]
    assert len(off) < cut.width * cut.height / 100 and max(off, default=0) <= 48, (
        len(off),
        sorted(off)[-10:],
    )
    _assert_no_console_errors(duo)


@pytest.mark.parametrize("query", ["", "?scenario=threats_360&lang=en"])
def test_nothing_moves_while_the_page_loads(duo, atlas, presets, query):
    """At Lighthouse's desktop size the page's layout shifts add up to almost nothing: the
    heading comes with the layout, the scenario dropdown's row is kept for it, the map's box is
    reserved; and the table under the map is built only once it comes near the screen."""
    duo.start_server(create_app(lang="ja", atlas=atlas, presets=presets), port=free_port())
    duo.driver.set_window_size(1350, 940)
    duo.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": SHIFTS_JS})
    _open(duo, query)
    time.sleep(1.0)  # what comes after the map (the side panel's dropdowns)
    _wait_idle(duo)
    assert sum(duo.driver.execute_script("return window.__shifts;")) < 0.01
    assert (
        duo.driver.execute_script("return document.querySelectorAll('#view-table tr').length;") == 0
    )
    duo.driver.execute_script("document.getElementById('view-table-area').scrollIntoView()")
    wait_for(
        lambda: duo.driver.execute_script(
            "return document.querySelectorAll('#view-table tr').length;"
        ),
        "the table was not built when scrolled to",
    )


# --- layer toggles in the page --------------------------------------------------------------------


def _toggle_in_page(duo, service, scenario, control: str, value: str) -> None:
    """Click `value` of the checklist or radio items `control` and see the page follow to the
    view `scenario`: its address, the map's shown layer keys (in its certainty state), the
    share link, the heading and the map's summary (read out by screen readers)."""
    duo.find_element(f"#{control} input[value='{value}']").click()
    wanted = getattr(scenario, control)
    wanted = wanted if isinstance(wanted, str) else ",".join(wanted)
    wait_for(
        lambda: _query(duo).get(control) == wanted,
        f"the address did not follow the {value} toggle",
    )
    keys, state = scenario.shown_keys(), state_index(*scenario.certainty())
    wait_for(lambda: _shows_exactly(duo, keys, state), f"the map did not follow the {value} toggle")
    assert urlsplit(duo.find_element("#share-url").get_attribute("value")).query == (
        service.views.query_of(scenario).lstrip("?")
    )
    title = service.panels.heading(scenario)[0]
    wait_for(lambda: duo.find_element("#view-title").text == title, title)
    summary = service.panels.summary(scenario)
    wait_for(lambda: duo.find_element("#map-summary").text == summary, summary)


def _stoppable_server(duo, atlas, presets) -> tuple[list[bool], list[str], list[str]]:
    """Start the app (in English) with a switch that stops it answering: (the switch, the paths
    asked while stopped, every path served)."""
    app = create_app(lang="en", atlas=atlas, presets=presets)
    stopped, asked, served = [False], [], []

    def refuse():
        served.append(flask.request.path)
        if stopped[0]:
            asked.append(flask.request.path)
            return flask.Response("stopped", status=503)
        return None

    app.server.before_request(refuse)
    duo.start_server(app, port=free_port())
    return stopped, asked, served


def _toggle_data(duo) -> dict:
    """What the drawn figure brought along for the toggles in the page (its `toggle` meta)."""
    return duo.driver.execute_script(
        f"return {GRAPH.format(id='map')}.data.find((t) => t.meta && t.meta.toggle).meta.toggle;"
    )


def test_certainty_toggles_work_with_the_server_stopped(duo, atlas, presets):
    """Once the page is drawn, the basis and modality filters of a view whose map draws every
    certainty need no server: with it answering nothing (every request a 503, and none made),
    each choice redraws the map as the view's own map would be (the items of a left-out
    certainty hidden, the countries filled by what still shows), moves the address, the share
    link, the heading, the map's summary and the table; so does a layer toggle in a narrowed
    state. A filter that takes away more than it hides (in a view of NATO, at "stated", the
    members the article does not name leave it, and their events go with them) asks the server
    (running again), which draws the view's own map."""
    service = ViewService(atlas, presets, "en")
    stopped, asked, _ = _stoppable_server(duo, atlas, presets)
    _open(duo, "?lang=en")
    scenario = Scenario(lang="en")
    _assert_table_shows(duo, service, scenario)  # (built once scrolled to)
    toggle = _toggle_data(duo)
    stopped[0] = True
    hidden_somewhere = False
    for control, value in (
        ("basis", "stated"),
        ("modality", "asserted"),
        ("layers", "events"),
        ("basis", "inferred"),
        ("layers", "events"),
        ("modality", "assessed"),
        ("basis", "external"),
        ("modality", "projected"),
    ):
        if control == "layers":
            update = {"layers": tuple(x for x in LAYERS if (x in scenario.layers) != (x == value))}
        else:
            update = {control: value}
        scenario = scenario.model_copy(update=update)
        state = state_index(*scenario.certainty())
        mask = sum(1 << i for i, x in enumerate(LAYERS) if x in scenario.layers)
        assert toggle["states"][state] == toggle["frames"][mask] == "1", (
            control,
            value,
        )  # the page's to draw
        _toggle_in_page(duo, service, scenario, control, value)
        _assert_countries_drawn(duo, service, scenario)
        _assert_table_shows(duo, service, scenario)
        hidden_somewhere |= not _shows_exactly(duo, scenario.shown_keys(), WIDEST_STATE)
    assert hidden_somewhere  # (the states hid traces the widest one shows)
    assert asked == []
    _shot(duo, "certainty_toggles_server_stopped")

    stopped[0] = False
    _open(duo, "?scenario=threats_360&lang=en")
    scenario = presets["threats_360"].model_copy(update={"lang": "en", "basis": "stated"})
    before = presets["threats_360"].model_copy(update={"lang": "en"})
    assert not service.maps.draws_every_certainty(scenario)
    assert service.maps.figure_key(scenario) != service.maps.figure_key(before)
    duo.find_element("#basis input[value='stated']").click()
    state = state_index(*scenario.certainty())
    wait_for(
        lambda: (
            _shows_exactly(duo, scenario.shown_keys(), state)
            and _query(duo).get("basis") == "stated"
        ),
        "the server did not draw the narrowed view",
    )
    _wait_idle(duo)
    _assert_countries_drawn(duo, service, scenario)
    _assert_table_shows(duo, service, scenario)
    expected = service.maps.figure(scenario)
    drawn_ids = duo.driver.execute_script(
        f"return {GRAPH.format(id='map')}.data.map((t) => t.uid);"
    )
    assert drawn_ids == [t.get("uid") for t in expected["data"]]  # the view's own map
    _assert_no_console_errors(duo)


def test_layer_and_direction_toggles_work_with_the_server_stopped(duo, atlas, presets):
    """Once the page is drawn, the layer toggles that keep the map framed as it is, and every
    threat-direction toggle, need no server: with it answering nothing (every request a 503, and
    none made), each still redraws the map as the view's own map would be, moves the address
    and the share link, the heading and the map's summary. A toggle that
    re-frames the map (the polar view zooms to what is shown) asks the server (running again),
    which draws the new map; back restores the view. The page's countryStyle is Python's
    country_style for every set of layers, on each map."""
    service = ViewService(atlas, presets, "en")
    stopped, asked, served = _stoppable_server(duo, atlas, presets)
    _open(duo, "?scenario=threats_360&focus=EST")
    preset = presets["threats_360"]
    built = service.maps.built_map(preset.model_copy(update={"focus": "EST", "lang": "en"}))
    subsets = [[x for i, x in enumerate(LAYERS) if n >> i & 1] for n in range(2 ** len(LAYERS))]
    cases = [(layers, state) for state in range(len(CERTAINTY_STATES)) for layers in subsets]
    # each countries trace (the main map's, an inset's) from its own records
    styles = duo.driver.execute_script(
        f"""const gd = {GRAPH.format(id="map")};
        const toggle = gd.data.find((t) => t.meta && t.meta.toggle).meta.toggle;
        return [toggle, ...toggle.insets].map((records) => arguments[0].map(([layers, state]) => {{
            const s = window.dash_clientside.atlas.countryStyle(
                records, gd.data[records.countries].locations,
                new Set([...layers, ...toggle.always]), state);
            return [s.z, s.lineColour, s.lineWidth, s.hovertext];
        }}));""",
        cases,
    )
    assert len(styles) == len(built.countries)
    for index, per_map in enumerate(styles):
        for (layers, state), page_style in zip(cases, per_map, strict=True):
            style = built.country_styles(set(layers), state)[index][1]
            expected = [list(style.z), list(style.line_colour), list(style.line_width)]
            assert page_style == [*expected, list(style.hovertext)], (index, layers, state)
    # (a narrower state fills fewer countries than the widest with the same layers)
    widest = {
        json.dumps(layers): style
        for (layers, state), style in zip(cases, styles[0], strict=True)
        if state == WIDEST_STATE
    }
    assert any(
        style != widest[json.dumps(layers)]
        for (layers, _), style in zip(cases, styles[0], strict=True)
    )

    stopped[0] = True
    scenario = preset.model_copy(update={"focus": "EST", "lang": "en"})
    toggle = _toggle_data(duo)
    for layer in ("value_community", "events", "authoritarian", "value_community"):
        layers = tuple(x for x in LAYERS if (x in scenario.layers) != (x == layer))
        scenario = scenario.model_copy(update={"layers": layers})
        mask = sum(1 << i for i, x in enumerate(LAYERS) if x in layers)
        assert toggle["frames"][mask] == "1", layer  # framed alike: the page's
        _toggle_in_page(duo, service, scenario, "layers", layer)
        _assert_countries_drawn(duo, service, scenario)
    # the threat directions too: each hides or shows its threats, in the page
    for direction in ("south", "north", "south", "west"):
        directions = tuple(x for x in DIRECTIONS if (x in scenario.directions) != (x == direction))
        scenario = scenario.model_copy(update={"directions": directions})
        _toggle_in_page(duo, service, scenario, "directions", direction)
    assert asked == []
    _shot(duo, "toggles_server_stopped")

    stopped[0] = False
    # threats off: the polar view zooms to what is left, so the map is the server's to draw
    before = scenario
    scenario = scenario.model_copy(
        update={"layers": tuple(x for x in scenario.layers if x != "threats")}
    )
    mask = sum(1 << i for i, x in enumerate(LAYERS) if x in scenario.layers)
    assert toggle["frames"][mask] == "0"
    assert service.maps.figure_key(scenario) != service.maps.figure_key(before)
    del served[:]
    duo.find_element("#layers input[value='threats']").click()
    wait_for(lambda: _shows_exactly(duo, scenario.shown_keys()), "the re-framed map was not drawn")
    _wait_idle(duo)
    assert "/_dash-update-component" in served
    scale = f"return {GRAPH.format(id='map')}.layout.geo.projection.scale;"
    expected = service.maps.figure(scenario)["layout"]["geo"]["projection"]["scale"]
    assert duo.driver.execute_script(scale) == expected
    _assert_countries_drawn(duo, service, scenario)

    duo.driver.back()  # the address before the last toggle: the server draws it
    wait_for(lambda: "threats" in _query(duo).get("layers", "").split(","), "back")
    _wait_idle(duo)
    wait_for(lambda: "threats" in _visible_layers(duo), "back did not redraw the map")
    _assert_countries_drawn(duo, service, before)
    _assert_no_console_errors(duo)
