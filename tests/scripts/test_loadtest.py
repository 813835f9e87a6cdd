"""scripts/loadtest.py's stand-in for the browser: a Patch applied as dash-renderer applies it."""

from __future__ import annotations

from dash import Patch
from serving import load_loadtest


def test_a_patch_gives_a_new_figure_and_leaves_the_old_one_as_it_was() -> None:
    figure = {
        "data": [{"visible": True, "lon": [1.0, 2.0]}, {"visible": False, "name": "arc"}],
        "layout": {"geo": {"center": {"lon": 0.0}}, "title": {"text": "old"}},
    }
    before = repr(figure)
    patch = Patch()
    patch["data"][1]["visible"] = True
    patch["layout"]["geo"]["center"]["lon"] = 140.0
    del patch["layout"]["title"]
    patch["layout"]["meta"]["view"] = "new"  # under keys the figure does not have yet

    result = load_loadtest().apply_patch(figure, patch.to_plotly_json()["operations"])

    assert repr(figure) == before
    assert result == {
        "data": [{"visible": True, "lon": [1.0, 2.0]}, {"visible": True, "name": "arc"}],
        "layout": {"geo": {"center": {"lon": 140.0}}, "meta": {"view": "new"}},
    }
    assert result["data"][0] is figure["data"][0]  # what no operation touches is shared
