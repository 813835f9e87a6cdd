"""The reading panel in a real, headless Chromium: a sentence clicked emphasises on the map
exactly what the coverage data says it puts there (and nothing is sent but a small answer), a
click on the map or a row finds every sentence citing the item, Tab and Enter pick sentences and
a live region says so, Escape and a second click clear, `read` and `sentence` round-trip through
the URL, a bad sentence id is a notice, a narrow window has tabs, and the article comes after the
map's first paint. Expectations come from tests/reading.py (plain YAML and coverage data)."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import pytest
from browser import (
    GRAPH,
    SELENIUM_MODULE,
    TRACE_GROUPS_JS,
    _assert_no_console_errors,
    _assert_offline,
    _callback_requests,
    _drain_network,
    _open,
    _query,
    _response_body,
    _shot,
    _wait_idle,
    _wait_map,
    wait_for,
)
from reading import coverage, drawn_items, emphasis_state, expected_items, sentences_of
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from dashboard.app import create_app
from dashboard.local_server import free_port

pytestmark = SELENIUM_MODULE
SELECTION_BUDGET = 5 * 1024  # bytes the server sends for one sentence picked (no geometry)


def _figure(duo) -> dict:
    return {"data": duo.driver.execute_script(f"return {GRAPH.format(id='map')}.data;")}


# The map as painted: the page's figure with, for each trace, what its drawn SVG shows (the
# page paints the emphasis on the drawn map, see assets/atlas.js paintEmphasis): the opacity of
# a trace of lines as computed for its group, the points, countries and labels not drawn at the
# faded opacity or colour as `selectedpoints` (null when none is), and each copy of parts drawn
# again over the map as an overlay trace with their coordinates.
PAINTED_JS = f"""
const gd = {GRAPH.format(id="map")};
{TRACE_GROUPS_JS}
const faded = (node) => {{
    const style = getComputedStyle(node);
    return node.tagName === 'text' ? style.fill === 'rgba(120, 120, 120, 0.45)'
        : Math.abs(parseFloat(style.opacity) - 0.2) < 1e-6;
}};
const data = gd.data.map((trace, i) => {{
    const out = {{type: trace.type, mode: trace.mode, meta: trace.meta,
        visible: trace.visible === undefined ? true : trace.visible,
        geo: trace.geo, lon: trace.lon, lat: trace.lat}};
    const g = groups.get(i);
    if (trace.type === 'scattergeo' && trace.mode === 'lines') {{
        if (g) {{ out.opacity = parseFloat(getComputedStyle(g).opacity); }}
        else if (trace.opacity !== undefined) {{ out.opacity = trace.opacity; }}
        return out;
    }}
    // (a hidden layer's trace is transparent)
    if (trace.opacity !== undefined) {{ out.opacity = trace.opacity; }}
    if (trace.marker && trace.marker.opacity !== undefined) {{
        out.marker = {{opacity: trace.marker.opacity}};
    }}
    if (!g) {{ return out; }}
    const position = new Map(g.__data__.map((p, j) => [p, j]));
    const off = new Set();
    g.querySelectorAll('path.point, path.choroplethlocation, text').forEach((node) => {{
        if (faded(node)) {{ off.add(position.get(node.__data__)); }}
    }});
    if (off.size) {{
        out.selectedpoints = g.__data__.map((p, j) => j).filter((j) => !off.has(j));
    }}
    return out;
}});
gd.querySelectorAll('.atlas-emphasis path').forEach((copy) => {{
    if (!copy.hasAttribute('d')) {{ return; }}  // (empty where the map does not reach)
    const geometry = copy.__atlasGeometry;
    const rings = geometry.type === 'LineString' ? [geometry.coordinates]
        : geometry.type === 'Polygon' ? geometry.coordinates
        : geometry.type === 'MultiPolygon' ? geometry.coordinates.map((p) => p[0])
        : geometry.coordinates;
    const lon = [], lat = [];
    rings.forEach((ring) => {{
        if (lon.length) {{ lon.push(null); lat.push(null); }}
        ring.forEach(([x, y]) => {{ lon.push(x); lat.push(y); }});
    }});
    data.push({{type: 'scattergeo', mode: 'lines', meta: {{kind: 'emphasis'}}, lon, lat}});
}});
return {{data}};
"""


def _painted(duo) -> dict:
    """The map as the page paints it (PAINTED_JS)."""
    return duo.driver.execute_script(PAINTED_JS)


def _panel_ready(duo) -> None:
    wait_for(
        lambda: duo.driver.execute_script(
            "return !!document.querySelector('#article-body [data-sentence]');"
        ),
        "the article did not load into the panel",
    )
    _wait_idle(duo)


def _sentence(duo, sentence_id: str):
    return duo.find_element(f'#article-body [data-sentence="{sentence_id}"]')


def _pressed(duo) -> list[str]:
    return duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#article-body [aria-pressed=true]'))"
        ".map(e => e.dataset.sentence);"
    )


def _click_sentence(duo, sentence_id: str) -> None:
    element = _sentence(duo, sentence_id)
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()


def _emphasis_settled(duo, sentence_id: str | None):
    """Until the URL, the pressed sentence and the map all show `sentence_id` (None: none)."""

    def settled():
        if _query(duo).get("sentence") != sentence_id:
            return False
        if _pressed(duo) != ([sentence_id] if sentence_id else []):
            return False
        painted = duo.driver.execute_script(
            f"return {GRAPH.format(id='map')}.getAttribute('data-emphasis') || '';"
        )
        return painted == (sentence_id or "")

    wait_for(settled, f"the page did not settle on {sentence_id}")
    _wait_idle(duo)


def _in_panel_view(duo, sentence_id: str) -> bool:
    """Whether a sentence is within the panel's visible part."""
    return duo.driver.execute_script(
        "const a = document.getElementById('article').getBoundingClientRect();"
        'const s = document.querySelector(`#article-body [data-sentence="${arguments[0]}"]`)'
        ".getBoundingClientRect();"
        "return s.top >= a.top && s.bottom <= a.bottom && s.bottom <= window.innerHeight;",
        sentence_id,
    )


def _hits(duo) -> list[str]:
    return duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#article-body .hit-sentence'))"
        ".map(e => e.dataset.sentence);"
    )


def _geo_scale(duo) -> float:
    return duo.driver.execute_script(
        f"return {GRAPH.format(id='map')}._fullLayout.geo.projection.scale;"
    )


def _emit_click(duo, item: str) -> int:
    """A click on the map item `item` (plotly's click event, as the page gets it); returns how
    many sentences of the panel were marked found by the time the event had been handled."""
    found = duo.driver.execute_script(
        f"""const gd = {GRAPH.format(id="map")};
        for (let i = 0; i < gd.data.length; i++) {{
            const cd = gd.data[i].customdata;
            if (!cd || window.atlasHiding.isHidden(gd.data[i])) continue;
            for (let j = 0; j < cd.length; j++) {{
                if (cd[j] === arguments[0]) {{
                    gd.emit('plotly_click', {{points: [{{curveNumber: i, pointNumber: j,
                        customdata: cd[j], location: gd.data[i].locations ?
                        gd.data[i].locations[j] : undefined}}]}});
                    return document.querySelectorAll('#article-body .hit-sentence').length;
                }}
            }}
        }}
        return -1;""",
        item,
    )
    assert found >= 0, f"no trace of the map carries {item}"
    return found


@pytest.fixture
def app(atlas, presets):
    return create_app(lang="ja", atlas=atlas, presets=presets)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_sentence_emphasises_exactly_what_it_puts_on_the_map_and_a_click_finds_it_back(
    duo, app, lang
):
    duo.start_server(app, port=free_port())
    _open(duo, f"?read=1&lang={lang}")
    _panel_ready(duo)
    # the stable ids
    for selector in ("#article", "#article-P6", '[data-sentence="P6.2"]', "mark[data-record]"):
        assert duo.driver.find_elements(By.CSS_SELECTOR, selector), selector
    drawn = drawn_items(_figure(duo))
    assert emphasis_state(_painted(duo))[1] == set()  # nothing faded before a sentence is picked

    # text → map: every sentence of P5, P6 and P12 (and the footnote's), one after the other
    for sentence_id in [*sentences_of(["P5", "P6", "P12"]), "fn16.1"]:
        _drain_network(duo)
        seen = len(duo.requests)
        _click_sentence(duo, sentence_id)
        _emphasis_settled(duo, sentence_id)
        strong, faded = emphasis_state(_painted(duo))
        expected = expected_items(sentence_id) & drawn
        assert strong == expected, (sentence_id, strong ^ expected)
        assert faded == drawn - expected, sentence_id
        duo.wait_for_contains_text("#details", sentence_id)
        _shot(duo, f"reading_{sentence_id}_{lang}")
        # the server answered with the URL, the view and the details: no figure, no geometry
        callbacks = _callback_requests(duo, seen)
        bodies = [_response_body(duo, r) for r in callbacks]
        assert not any(b'"lon"' in body for body in bodies), sentence_id
        assert not any(
            "map.figure" in json.loads(r[1])["output"] and b'"map"' in body
            for r, body in zip(callbacks, bodies, strict=True)
        ), sentence_id
        wire = sum(r[2] for r in callbacks)  # the bytes received, headers included
        assert wire <= SELECTION_BUDGET, (sentence_id, wire)

    # a record of the picked sentence's details: its item's details, the sentences citing it
    chip = duo.find_element("#details .chip[data-item]")
    item, name = chip.get_attribute("data-item"), chip.text
    duo.driver.execute_script("arguments[0].click();", chip)
    wait_for(lambda: "fn16.1" in _hits(duo), f"the chip of {item} did not find fn16.1")
    assert {s for s in coverage() if item in expected_items(s)} <= set(_hits(duo))
    duo.wait_for_contains_text("#details", name.split(":")[0])

    # a second click on the picked sentence clears it, and so does Escape
    _click_sentence(duo, "fn16.1")
    _emphasis_settled(duo, None)
    assert emphasis_state(_painted(duo)) == (drawn, set())
    _click_sentence(duo, "P6.3")
    _emphasis_settled(duo, "P6.3")
    duo.driver.switch_to.active_element.send_keys(Keys.ESCAPE)  # the sentence has the focus
    _emphasis_settled(duo, None)
    assert emphasis_state(_painted(duo))[1] == set()

    # map → text: a click on Russia finds every sentence that puts Russia on the map (and those
    # of its roles), each with the quotes marked, the panel scrolled to the first
    # (marked by the click event itself, not after Dash has dispatched the map's clickData)
    assert _emit_click(duo, "RUS"), "the click on Russia did not mark its sentences at once"
    wait_for(lambda: _hits(duo), "a click on Russia found no sentence")
    hits = _hits(duo)
    emphasising = {s for s in coverage() if "RUS" in expected_items(s)}
    assert emphasising <= set(hits)
    assert {"P6.2", "P5.2"} <= set(hits)  # its links: support to it, its influence in the south
    for sentence_id in hits:
        assert _sentence(duo, sentence_id).find_elements(By.CSS_SELECTOR, "mark.hit"), sentence_id
    first = duo.driver.execute_script(
        "const a = document.getElementById('article').getBoundingClientRect();"
        "const s = document.querySelector('#article-body .hit-sentence').getBoundingClientRect();"
        "return s.top >= a.top && s.bottom <= a.bottom;"
    )
    assert first, "the panel was not scrolled to the first sentence found"
    duo.wait_for_contains_text("#article-status", str(len(hits)))
    # the details panel's citations link to their sentences, all of them found
    duo.wait_for_contains_text("#details", {"ja": "ロシア", "en": "Russia"}[lang])
    links = {b.get_attribute("data-goto") for b in duo.find_elements("#details [data-goto]")}
    assert links and links <= set(hits)
    link = duo.find_element(f'#details [data-goto="{sorted(links)[0]}"]')
    duo.driver.execute_script("arguments[0].click();", link)
    wait_for(
        lambda: (
            duo.driver.execute_script("return document.activeElement.dataset.sentence;")
            == sorted(links)[0]
        ),
        "the citation's link did not go to its sentence",
    )
    _shot(duo, f"reading_russia_hits_{lang}")

    # a row of the table finds its sentences too
    duo.driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
    wait_for(lambda: not _hits(duo), "Escape did not clear the sentences found")
    # (the table is built when its area comes near the screen)
    duo.driver.execute_script("document.getElementById('view-table-area').scrollIntoView()")
    row = duo.find_element("#view-table button[id*='chn_rus_dual_use']")
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", row)
    row.click()
    wait_for(lambda: _hits(duo) == ["P6.2"], "the row of China's support to Russia found no P6.2")
    _assert_no_console_errors(duo)
    _assert_offline(duo)


def test_keyboard_live_region_url_round_trip_bad_id_english_and_narrow_tabs(duo, app):
    duo.start_server(app, port=free_port())
    _open(duo, "?scenario=proposals_japan_five_eyes_nato&lang=en&read=1")
    _panel_ready(duo)

    # English: each sentence is its gloss, its Japanese shown once picked
    first = _sentence(duo, "P1.1")
    assert coverage()["P1.1"]["gloss_en"][:40] in first.text
    japanese = first.find_element(By.CSS_SELECTOR, ".ja")
    assert not japanese.is_displayed()
    assert coverage()["P1.1"]["text_ja"] in first.get_attribute("title")

    # keyboard only: Tab from the panel's last control to the first sentence, Enter picks it,
    # Tab goes on to the next one
    duo.find_element("#article-ja").send_keys(Keys.NULL)
    duo.driver.execute_script("document.getElementById('article-ja').focus();")
    duo.driver.switch_to.active_element.send_keys(Keys.TAB)
    assert duo.driver.switch_to.active_element.get_attribute("data-sentence") == "P1.1"
    duo.driver.switch_to.active_element.send_keys(Keys.ENTER)
    _emphasis_settled(duo, "P1.1")
    duo.wait_for_contains_text("#article-status", "P1.1 selected")
    assert duo.find_element("#article-status").get_attribute("aria-live") == "polite"
    assert japanese.is_displayed()  # the picked sentence shows its Japanese
    duo.driver.switch_to.active_element.send_keys(Keys.TAB)
    assert duo.driver.switch_to.active_element.get_attribute("data-sentence") == "P1.2"
    duo.driver.switch_to.active_element.send_keys(Keys.ENTER)
    _emphasis_settled(duo, "P1.2")
    duo.wait_for_contains_text("#article-status", "P1.2 selected")
    duo.driver.switch_to.active_element.send_keys(Keys.SPACE)  # Space drops it again
    _emphasis_settled(duo, None)
    duo.wait_for_contains_text("#article-status", "cleared")

    # the URL round trip: the shared link opens the same panel, sentence and map
    _click_sentence(duo, "P12.4")
    _emphasis_settled(duo, "P12.4")
    _shot(duo, "reading_P12.4_en")
    picked = emphasis_state(_painted(duo))
    wait_for(
        lambda: "sentence=P12.4" in duo.find_element("#share-url").get_attribute("value"), "link"
    )
    share = duo.find_element("#share-url").get_attribute("value")
    params = dict(parse_qsl(urlsplit(share).query))
    assert params["sentence"] == "P12.4" and params["read"] == "1" and params["lang"] == "en"
    _open(duo, "?" + urlsplit(share).query)
    _panel_ready(duo)
    _emphasis_settled(duo, "P12.4")
    assert emphasis_state(_painted(duo)) == picked
    # … the panel scrolled to the sentence (P12, far down the article)
    wait_for(lambda: _in_panel_view(duo, "P12.4"), "the panel was not scrolled to P12.4")
    assert duo.find_element("#share-url").get_attribute("value") == share
    assert duo.find_element("#read-toggle").get_attribute("aria-pressed") == "true"

    # a bad sentence id: a notice, nothing picked, no error
    _open(duo, "?sentence=P6.9&read=1")
    duo.wait_for_contains_text("#notice-url", "P6.9")
    _panel_ready(duo)
    assert _pressed(duo) == []
    # the address stays as typed (as for every bad parameter); the view's link drops the id
    wait_for(lambda: "read=1" in duo.find_element("#share-url").get_attribute("value"), "link")
    assert "sentence" not in duo.find_element("#share-url").get_attribute("value")
    assert emphasis_state(_painted(duo))[1] == set()

    # the panel shown and hidden: the toggle, and the URL follows
    duo.find_element("#read-toggle").click()
    wait_for(lambda: "read" not in _query(duo), "hiding the panel kept read=1")
    assert not duo.find_element("#article").is_displayed()
    duo.find_element("#read-toggle").click()
    wait_for(lambda: _query(duo).get("read") == "1", "showing the panel did not set read=1")
    assert duo.find_element("#article").is_displayed()

    # a narrow window: the map and the article are tabs
    duo.driver.set_window_size(700, 1000)
    wait_for(lambda: duo.find_element("#tab-article").is_displayed(), "no tabs on a narrow window")
    assert duo.find_element("#tab-article").get_attribute("aria-selected") == "true"
    assert duo.find_element("#article").is_displayed()
    assert not duo.find_element("#maps").is_displayed()
    _shot(duo, "reading_narrow_article")
    duo.find_element("#tab-map").click()
    wait_for(lambda: "read" not in _query(duo), "the map tab kept read=1")
    wait_for(lambda: duo.find_element("#maps").is_displayed(), "the map tab did not show the map")
    width = duo.driver.execute_script(
        f"return {GRAPH.format(id='map')}.getBoundingClientRect().width;"
    )
    assert width > 300
    assert not duo.find_element("#article").is_displayed()
    duo.find_element("#tab-article").click()
    wait_for(lambda: duo.find_element("#article").is_displayed(), "the article tab")
    duo.driver.set_window_size(1600, 1200)
    _assert_no_console_errors(duo)


def test_the_article_comes_after_the_maps_first_paint(duo, app):
    """The layout response holds the map, not the article; the article is asked for only once
    the map has drawn its base map. And a sentence picked on a map zoomed away from its items
    brings them back into view."""
    duo.start_server(app, port=free_port())
    duo.driver.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument",
        {
            "source": """
            window.__mapDrawnAt = null; window.__articleAskedAt = null;
            new MutationObserver(() => {
                if (!window.__mapDrawnAt && document.querySelector('#map .geo path')) {
                    window.__mapDrawnAt = performance.now();
                }
            }).observe(document, {childList: true, subtree: true});
            const fetch0 = window.fetch;
            window.fetch = function (url, init) {
                if (init && typeof init.body === 'string' && init.body.includes('article-body')
                        && window.__articleAskedAt === null) {
                    window.__articleAskedAt = performance.now();
                }
                return fetch0.apply(this, arguments);
            };"""
        },
    )
    _drain_network(duo)
    seen = len(duo.requests)
    duo.driver.get(duo.server_url + "/?scenario=threats_360&sentence=P5.1&read=1")
    _wait_map(duo)
    _panel_ready(duo)
    drawn, asked = duo.driver.execute_script(
        "return [window.__mapDrawnAt, window.__articleAskedAt];"
    )
    assert drawn is not None and asked is not None and asked > drawn, (drawn, asked)
    _drain_network(duo)
    layouts = [r for r in duo.requests[seen:] if r[0].endswith("/_dash-layout")]
    assert layouts and b"data-sentence" not in _response_body(duo, layouts[-1])
    # and the first map already shows the sentence's emphasis
    assert emphasis_state(_painted(duo))[1]

    # the map zoomed away from what a sentence puts on it: picking the sentence brings it back
    # into view (P5.2: the south, the map zoomed on Japan)
    scale = _geo_scale(duo)
    duo.driver.execute_script(
        f"window.Plotly.relayout({GRAPH.format(id='map')}, {{'geo.projection.scale': 8,"
        " 'geo.center.lon': 139, 'geo.center.lat': 36});"
    )
    wait_for(lambda: _geo_scale(duo) == 8, "the map did not zoom on Japan")
    _click_sentence(duo, "P5.2")
    _emphasis_settled(duo, "P5.2")
    wait_for(lambda: _geo_scale(duo) == scale, "the map did not come back to show P5.2")


def test_the_panels_help_is_folded_and_leaves_the_article_most_of_the_panel(duo, app):
    """The sticky head of the panel (title, how to use it, what its marks mean) took a third of
    the panel's height; the help is a native disclosure, shut at first, opened by a click or
    Enter, in the page's language."""
    duo.start_server(app, port=free_port())
    _open(duo, "?read=1&lang=en")
    _panel_ready(duo)
    help_ = duo.find_element("#article .reading-help")
    assert help_.get_attribute("open") is None
    assert not duo.find_element("#article .reading-key").is_displayed()
    head, panel = duo.driver.execute_script(
        "return [document.querySelector('#article .reading-head').offsetHeight,"
        " document.getElementById('article').clientHeight];"
    )
    assert head < panel / 4, (head, panel)
    summary = duo.find_element("#article .reading-help-summary")
    assert "How to use" in summary.text
    summary.click()
    wait_for(lambda: duo.find_element("#article .reading-key").is_displayed(), "help not shown")
    assert "Click a sentence" in help_.text
    duo.driver.execute_script("arguments[0].focus();", summary)
    summary.send_keys(Keys.ENTER)  # the keyboard shuts it again
    wait_for(lambda: help_.get_attribute("open") is None, "Enter did not shut the help")
