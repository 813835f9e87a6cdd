"""The map's box on a laptop's screen as on a large one: the map takes the width of its column at
the shape its figure was laid out (and its labels placed) for, with the legend's band under it
rather than out of it, and the whole map is on screen; a view laid out otherwise (a round map
with its legend beside it) resizes the box."""

from __future__ import annotations

import pytest
from browser import _open, _wait_idle, wait_for
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from dashboard.app import create_app
from dashboard.local_server import free_port

pytestmark = pytest.mark.browser

# the plot area plotly gives the map, the aspect the figure was laid out for (its layout's meta),
# where the countries are drawn, the map's cell and the window
MEASURE = """
const gd = document.querySelector('#map .js-plotly-plot');
const size = gd._fullLayout._size;
const countries = gd.querySelector('.geo .choroplethlayer').getBoundingClientRect();
const cell = gd.closest('.map-cell').getBoundingClientRect();
const box = gd.closest('.map').getBoundingClientRect();
return {plotWidth: size.w, plotHeight: size.h, aspect: gd.layout.meta,
        drawnWidth: countries.width, cellWidth: cell.width, boxHeight: box.height,
        settled: Math.abs(gd._fullLayout.height - box.height) < 2,
        plotBottom: gd.getBoundingClientRect().top + size.t + size.h, window: window.innerHeight};
"""


def _measure(duo) -> dict:
    return duo.driver.execute_script(MEASURE)


def _shaped_or_window_tall(seen: dict) -> bool:
    """The plot area has the figure's shape (to a pixel or two of rounding), or it is less tall
    and reaches down near the window's bottom (the whole map kept on screen)."""
    shaped = abs(seen["plotHeight"] / seen["plotWidth"] - seen["aspect"]) < 0.01
    held = seen["plotHeight"] < seen["plotWidth"] * seen["aspect"]
    return shaped or (held and seen["plotBottom"] >= seen["window"] - 120)


@pytest.mark.parametrize("window", [(1280, 720), (1366, 768), (1920, 1080)])
def test_the_world_map_fills_its_column_at_its_own_shape_and_stays_on_screen(
    duo, atlas, presets, window
):
    duo.start_server(create_app(lang="ja", atlas=atlas, presets=presets), port=free_port())
    duo.driver.set_window_size(*window)
    _open(duo, "")
    seen = _measure(duo)
    assert _shaped_or_window_tall(seen), seen
    # the world is drawn across the column (a 1366 px laptop drew it 544 px wide in 1036)
    assert seen["drawnWidth"] >= 0.9 * seen["cellWidth"], seen
    assert seen["plotBottom"] <= seen["window"], seen  # no scrolling to see the whole map

    # the polar view of the 360° threats: a square map, its legend in a column beside it
    Select(duo.driver.find_element(By.ID, "scenario")).select_by_value("threats_360")
    wait_for(
        lambda: (lambda m: m["aspect"] == 1.0 and m["settled"])(_measure(duo)),
        "the polar map did not come, or its box was not fitted to it",
    )
    _wait_idle(duo)
    polar = _measure(duo)
    # the world map's legend is in a band under it; the polar map's beside it, with no band
    assert seen["boxHeight"] - seen["plotHeight"] > 200, seen
    assert polar["boxHeight"] - polar["plotHeight"] < 20, polar
    assert polar["plotBottom"] <= polar["window"], polar
    assert _shaped_or_window_tall(polar), polar
