"""The page states the accessibility checks visit: axe-core in the browser tests
(tests/dashboard/test_accessibility.py) and Lighthouse in the benchmark
(`scripts/bench_dashboard.py --lighthouse`, through scripts/lighthouse_flow.mjs).

A state is a URL query, then optional steps, each a piece of JavaScript run in the page (selenium
and puppeteer both only evaluate it), and a `ready` expression that is true once the step's
result is on the page. Between steps and before measuring, the page is waited on until Dash has
no callback pending and the map is drawn (IDLE_JS).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

# true once Dash has no callback in flight and the map has drawn its base map
IDLE_JS = """(() => {
    if (!window.store) { return false; }
    const callbacks = Object.assign({}, window.store.getState().callbacks);
    delete callbacks.stored; delete callbacks.completed;
    const gd = document.querySelector('#map .js-plotly-plot');
    return [].concat(...Object.values(callbacks)).length === 0
        && !!(gd && gd.data && gd.data.length && gd.querySelector('.geo path'));
})()"""


def click(selector: str) -> str:
    """A click on the element (as a user's: React sees the click and the change)."""
    return f"document.querySelector({json.dumps(selector)}).click()"


def click_on_map(item: str) -> str:
    """A click on the map's mark of `item` (a country's shape, an arc…), as plotly reports it."""
    return f"""(() => {{
    const gd = document.querySelector('#map .js-plotly-plot');
    for (let i = 0; i < gd.data.length; i++) {{
        const cd = gd.data[i].customdata || [];
        for (let j = 0; j < cd.length; j++) {{
            if ((Array.isArray(cd[j]) ? cd[j][0] : cd[j]) === {json.dumps(item)}) {{
                gd.emit('plotly_click', {{points: [{{curveNumber: i, pointNumber: j}}]}});
                return;
            }}
        }}
    }}
    throw new Error('no trace of the map carries ' + {json.dumps(item)});
}})()"""


def text_shown(selector: str, text: str) -> str:
    return (
        f"(document.querySelector({json.dumps(selector)}) || {{}}).innerText"
        f"?.includes({json.dumps(text)}) === true"
    )


@dataclass(frozen=True)
class Step:
    act: str  # JavaScript run once
    ready: str  # JavaScript expression, true once the result is shown


@dataclass(frozen=True)
class PageState:
    name: str
    query: str
    lang: str  # the page's language once it is reached (<html lang>)
    steps: tuple[Step, ...] = ()


MAP_B_DRAWN = (
    "(() => { const g = document.querySelector('#map-b .js-plotly-plot');"
    " return !!(g && g.data && g.data.length && g.querySelector('.geo path')); })()"
)

# the reading panel: its text loaded (after the map is drawn), the details of a sentence picked
ARTICLE_LOADED = "!!document.querySelector('#article-body [data-sentence]')"
SENTENCE_DETAILS = "!!document.querySelector('#details [data-sentence-details=\"{id}\"]')"

STATES: tuple[PageState, ...] = (
    PageState("default", "", "ja"),
    PageState("english", "?lang=en", "en"),
    PageState("polar", "?scenario=threats_360", "ja"),
    PageState(
        "details",
        "?scenario=concept_diagram",
        "ja",
        (Step(click_on_map("JPN"), text_shown("#details", "日本のグローバル・アプローチを")),),
    ),
    PageState(
        "compare-side",
        "?scenario=proposals_japan_five_eyes_nato&lang=en",
        "en",
        (Step(click("#compare-mode input[value='side']"), MAP_B_DRAWN),),
    ),
    PageState(
        "compare-diff",
        "?scenario=proposals_japan_five_eyes_nato&lang=en",
        "en",
        (Step(click("#compare-mode input[value='diff']"), text_shown("#compare-diff", "A")),),
    ),
    PageState(
        "reading-sentence",
        "?scenario=authoritarian_partnerships&read=1&sentence=P6.2",
        "ja",
        (
            Step("null", ARTICLE_LOADED),
            Step(click("#article-body [data-sentence='P6.3']"), SENTENCE_DETAILS.format(id="P6.3")),
        ),
    ),
    PageState(
        "reading-map-click",
        "?read=1&lang=en",
        "en",
        (
            Step("null", ARTICLE_LOADED),
            Step(
                click_on_map("RUS"),
                "!!document.querySelector('#article-body .hit-sentence mark.hit')",
            ),
        ),
    ),
    PageState(
        "switched-to-english",
        "?scenario=value_community",
        "en",
        (
            Step(
                click("#lang input[value='en']"),
                "document.documentElement.lang === 'en' && "
                + text_shown("#view-title", "The value community"),
            ),
        ),
    ),
)


def states_json() -> str:
    """The states as JSON, for scripts/lighthouse_flow.mjs."""
    return json.dumps({"idle": IDLE_JS, "states": [asdict(state) for state in STATES]})
