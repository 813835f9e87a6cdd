"""Accessibility in the real browser: axe-core (npm `axe-core`, installed by scripts/setup.sh) on
every page state of scripts/page_states.py, and what a keyboard or screen-reader user relies on
(names, skip links, the live map summary, the page's language, copying the link, the country
search, the dates, plotly's own tooltips in the page's language).

axe is injected into the page by the test browser, whose tab bypasses the page's CSP for the
test only (CDP Page.setBypassCSP); the page is served with its real CSP.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from browser import SELENIUM_MODULE, typed_date, wait_for
from locations import REPO
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from dashboard.app import create_app
from dashboard.i18n import PLOTLY_JA, t
from dashboard.local_server import free_port
from dashboard.service import ViewService

pytestmark = SELENIUM_MODULE
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
README = REPO / "README.md"
BLOCKING = ("serious", "critical")
# ATLAS_AXE_REPORT=path.json: also write what axe found on every state there
REPORT = os.environ.get("ATLAS_AXE_REPORT")

RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
    .then((result) => done(result.violations.map((v) => ({
        id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' '))}))))
    .catch((error) => done([{id: 'axe-error', impact: 'critical', nodes: [String(error)]}]));
"""


def _page_states():
    """scripts/page_states.py, imported once (the benchmark's Lighthouse pass uses it too)."""
    if "atlas_page_states" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "atlas_page_states", REPO / "scripts" / "page_states.py"
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules["atlas_page_states"] = module
        spec.loader.exec_module(module)
    return sys.modules["atlas_page_states"]


def _readme_allowed() -> dict[str, str]:
    """The axe rules README's accessibility section lists as remaining, with their reasons:
    the rows `| `rule-id` | impact | why |` of its table."""
    text = README.read_text(encoding="utf-8")
    section = text.split("### Accessibility", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"^\| `([a-z0-9-]+)` \| [a-z]+ \| (.+) \|$", section, re.MULTILINE))


@pytest.fixture
def duo(duo):
    """conftest.py's `duo`, whose tab ignores the page's CSP so that axe can be injected (set
    before the first navigation; the server still sends the CSP, and the other tests run under
    it)."""
    duo.driver.execute_cdp_cmd("Page.setBypassCSP", {"enabled": True})
    duo.driver.set_script_timeout(120)
    return duo


def _settle(duo) -> None:
    """Until Dash has no callback in flight and the map is drawn (twice, a moment apart)."""
    idle = "return " + _page_states().IDLE_JS
    for _ in range(2):
        wait_for(lambda: duo.driver.execute_script(idle), "the page did not settle", 30)
        time.sleep(0.3)


def _reach(duo, state) -> None:
    duo.driver.get(duo.server_url + "/" + state.query)
    _settle(duo)
    for step in state.steps:
        duo.driver.execute_script(step.act)
        wait_for(
            lambda step=step: duo.driver.execute_script(f"return {step.ready};"),
            f"{state.name}: the step's result was not shown",
            30,
        )
        _settle(duo)


def _violations(duo) -> list[dict]:
    duo.driver.execute_script(AXE_JS.read_text(encoding="utf-8"))
    return duo.driver.execute_async_script(RUN_AXE)


def test_axe_finds_nothing_serious_on_any_page_state(duo, atlas, presets):
    assert AXE_JS.exists(), "axe-core is missing: run scripts/setup.sh --test (npm ci)"
    duo.start_server(create_app(lang="ja", atlas=atlas, presets=presets), port=free_port())
    found: dict[str, list[dict]] = {}
    for state in _page_states().STATES:
        _reach(duo, state)
        lang = duo.driver.execute_script("return document.documentElement.lang")
        assert lang == state.lang, f"{state.name}: <html lang={lang}>"
        found[state.name] = _violations(duo)
    if REPORT:
        Path(REPORT).write_text(json.dumps(found, indent=1, ensure_ascii=False), encoding="utf-8")
    summary = {
        name: sorted(f"{v['impact']} {v['id']} ×{len(v['nodes'])}" for v in violations)
        for name, violations in found.items()
    }
    blocking = {
        name: [
            (v["id"], v["impact"], v["nodes"][:3]) for v in found[name] if v["impact"] in BLOCKING
        ]
        for name in found
    }
    assert blocking == {name: [] for name in found}, summary
    allowed = _readme_allowed()
    others = {v["id"] for violations in found.values() for v in violations}
    assert others <= set(allowed), (
        f"not listed in README's accessibility section: {sorted(others - set(allowed))}",
        summary,
    )


def _tab_to(duo, element_id: str, limit: int = 80):
    """Press Tab until the element with this id has the focus; the stops on the way (ids)."""
    stops = []
    for _ in range(limit):
        ActionChains(duo.driver).send_keys(Keys.TAB).perform()
        active = duo.driver.switch_to.active_element
        stops.append(active.get_attribute("id") or active.tag_name)
        if stops[-1] == element_id:
            return stops
    raise AssertionError(f"Tab never reached #{element_id}: {stops}")


def _summary(duo) -> str:
    return duo.driver.execute_script("return document.querySelector('#map-summary').innerText")


def _modebar_titles(duo) -> set[str]:
    return set(
        duo.driver.execute_script(
            "return Array.from(document.querySelectorAll('#map .modebar-btn'))"
            ".map((b) => b.getAttribute('data-title'));"
        )
    )


def test_keyboard_and_screen_reader_paths(duo, atlas, presets):
    """Skip links, the live summary of the map, <html lang>, plotly's tooltips in the page's
    language, the country search, the dates and copying the link, all by keyboard."""
    service = ViewService(atlas, presets, "ja")
    duo.start_server(create_app(lang="ja", atlas=atlas, presets=presets), port=free_port())
    driver = duo.driver

    # the first two Tab stops are the skip links, shown while focused; Enter moves the focus
    for stops, target in ((1, "map-area"), (2, "table-area")):
        duo.driver.get(duo.server_url + "/?scenario=concept_diagram")
        _settle(duo)
        ActionChains(driver).send_keys(Keys.TAB * stops).perform()
        link = driver.switch_to.active_element
        assert (link.get_attribute("href") or "").endswith(f"#{target}"), (stops, link.text)
        assert link.is_displayed() and link.rect["y"] >= 0
        ActionChains(driver).send_keys(Keys.ENTER).perform()
        wait_for(
            lambda t=target: driver.execute_script("return document.activeElement.id") == t,
            f"the skip link did not move the focus to #{target}",
        )

    # every control is named by its label or legend (as the browser computes the name)
    names = {
        "#scenario": t("scenario.label", "ja"),
        "#focus": t("focus.label", "ja"),
        "#date-from": t("dates.from", "ja"),
        "#date-to": t("dates.to", "ja"),
        "#upload input[type=file]": t("load.prompt", "ja"),
        "#share-link": t("share.copy", "ja"),
        "#share-url": t("share.label", "ja"),
        "#export-format": t("export.label", "ja"),
        "#compare-with": t("compare.with", "ja"),
        "#layers input[value='events']": t("layer.events", "ja"),
        "#basis input[value='stated']": t("basis.opt.stated", "ja"),
    }
    for selector, name in names.items():
        assert duo.find_element(selector).accessible_name == name, selector
    groups = driver.execute_script(
        "return Array.from(document.querySelectorAll('input[type=checkbox], input[type=radio]'))"
        ".map((i) => [i.closest('fieldset') && i.closest('fieldset').querySelector('legend')"
        " && i.closest('fieldset').querySelector('legend').innerText, i.name, i.type]);"
    )
    assert all(legend for legend, _, _ in groups)  # each in a fieldset with a legend
    assert all(name for name, _, kind in groups if kind == "radio")  # radios form groups

    # the scenario file: the drop zone's label opens the file picker once, by mouse or keyboard
    driver.execute_script(
        "window.__picker = 0; document.querySelector('#upload input[type=file]')"
        ".addEventListener('click', (e) => { window.__picker++; e.preventDefault(); });"
    )
    duo.find_element("#upload-prompt").click()
    assert driver.execute_script("return window.__picker") == 1
    driver.execute_script("document.querySelector('#save').focus()")
    ActionChains(driver).send_keys(Keys.TAB).perform()
    assert driver.switch_to.active_element.get_attribute("type") == "file"
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    wait_for(lambda: driver.execute_script("return window.__picker") == 2, "Enter did not open it")

    # the map's summary: a polite live region, the service's words for the view
    summary = duo.find_element("#map-summary")
    assert summary.get_attribute("role") == "status"
    preset = presets["concept_diagram"]
    wait_for(lambda: _summary(duo) == service.panels.summary(preset), "summary of the preset")
    assert preset.title_ja in _summary(duo) and "件" in _summary(duo)
    counted = re.search(r"(\d+)件", _summary(duo)).group(1)
    wait_for(
        lambda: re.search(r"(\d+)件", duo.find_element("#view-table-caption").text or "x"),
        "the table has no caption",
    )
    assert re.search(r"(\d+)件", duo.find_element("#view-table-caption").text).group(1) == counted

    # a layer toggle is announced: the summary names the layers now shown
    duo.find_element("#layers input[value='threats']").click()
    toggled = preset.model_copy(
        update={"layers": tuple(x for x in preset.layers if x != "threats")}
    )
    wait_for(lambda: _summary(duo) == service.panels.summary(toggled), "summary after a toggle")
    assert t("layer.threats", "ja") not in _summary(duo)

    # plotly's tooltips are in the page's language
    assert _modebar_titles(duo) & set(PLOTLY_JA.values())
    assert not _modebar_titles(duo) & set(PLOTLY_JA)

    # the country search: type a name and press Enter; the input then shows the country
    stops = _tab_to(duo, "focus")
    assert "layers" not in stops  # one stop per checkbox, each with its own id
    ActionChains(driver).send_keys("韓国", Keys.ENTER).perform()
    wait_for(lambda: "focus=KOR" in driver.current_url, "typing a country did not focus it")
    wait_for(
        lambda: duo.find_element("#focus").get_attribute("value") == "韓国 (KOR)",
        "the search did not show the country it found",
    )
    duo.wait_for_contains_text("#details", "韓国")
    # an unknown name: a notice, the view unchanged
    search = duo.find_element("#focus")
    search.send_keys(Keys.CONTROL, "a")
    search.send_keys("アトランティス", Keys.ENTER)
    duo.wait_for_contains_text("#notice-error", "アトランティス")
    assert "focus=KOR" in driver.current_url
    # a pick from the suggestions (as the browser fills the input) applies at once
    driver.execute_script(
        "const input = document.querySelector('#focus');"
        "const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;"
        "set.call(input, arguments[0]);"
        "input.dispatchEvent(new InputEvent('input', {bubbles: true,"
        " inputType: 'insertReplacementText'}));",
        "日本 (JPN)",
    )
    wait_for(lambda: "focus=JPN" in driver.current_url, "a suggestion did not apply")

    # the dates: typed into the native date inputs (in the browser's date format), applied on
    # Enter, not at each keystroke; cleared (a segment emptied), the bound goes
    date_from = duo.find_element("#date-from")
    date_from.click()
    date_from.send_keys(typed_date(driver, "2024-06-01"))
    time.sleep(0.5)
    assert not _query(duo).get("from")  # not applied while typing
    date_from.send_keys(Keys.ENTER)
    wait_for(lambda: "from=2024-06-01" in driver.current_url, "the typed date did not apply")
    date_from.send_keys(Keys.BACKSPACE, Keys.ENTER)
    wait_for(lambda: "from=2024" not in driver.current_url, "clearing the date did not drop it")

    # copying the link: a button, reached and pressed by keyboard; a status says it worked
    driver.execute_cdp_cmd(
        "Browser.grantPermissions",
        {
            "origin": duo.server_url,
            "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"],
        },
    )
    driver.execute_script("document.querySelector('#focus').focus()")
    _tab_to(duo, "share-link")
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    duo.wait_for_text_to_equal("#share-status", t("share.copied", "ja"))
    copied = driver.execute_async_script(
        "navigator.clipboard.readText().then(arguments[0], (e) => arguments[0]('ERR ' + e));"
    )
    assert copied == duo.find_element("#share-url").get_attribute("value")
    assert "focus=JPN" in copied

    # the language switch: <html lang>, the summary, plotly's tooltips, the search's text
    duo.find_element("#lang input[value='en']").click()
    wait_for(
        lambda: driver.execute_script("return document.documentElement.lang") == "en",
        "<html lang> did not follow the switch",
    )
    wait_for(lambda: _summary(duo).startswith("Map:"), "the summary stayed in Japanese")
    wait_for(lambda: "Zoom in" in _modebar_titles(duo), "plotly's tooltips stayed in Japanese")
    wait_for(
        lambda: duo.find_element("#focus").get_attribute("value") == "Japan (JPN)",
        "the search kept the Japanese name",
    )
    assert duo.find_element("#share-status").text == ""  # the view changed since the copy
    assert not duo.find_elements(
        "[aria-hidden=true] [tabindex='0'], [aria-hidden=true][tabindex='0']"
    )


def _query(duo) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(duo.driver.current_url).query, keep_blank_values=True))
