"""A hidden layer's trace: transparent and out of the legend (the page leaves it out of hover
and clicks: tests/dashboard/test_toggle_browser.py), and drawn as it was when it shows again;
the page's script hides and shows a trace exactly as Python does."""

from __future__ import annotations

import json
import subprocess
from functools import cache
from pathlib import Path

import pytest
from drawing import drawn, unstyled

from dashboard.app import ASSETS_DIR
from dashboard.figures import BASE_LAYER, figure_parts, shown_by, trace_layer
from dashboard.figures.hiding import hide, is_hidden, show, showing
from geodata.atlas import load_atlas
from geodata.scenario import LAYERS, load_presets
from geodata.select import select

PRESETS = load_presets()


@cache
def _traces(preset: str, shown: tuple[str, ...] | None = None) -> list[dict]:
    """The traces of a preset's map (every layer drawn) showing `shown` (default: its own)."""
    atlas = load_atlas()
    scenario = PRESETS[preset]
    layers = select(atlas, scenario.model_copy(update={"layers": LAYERS}))
    visible = scenario.layers if shown is None else shown
    return figure_parts(layers, atlas, visible_layers=visible).traces


def _layer_traces(preset: str) -> list[dict]:
    """The traces of the layers of the preset's map with every layer shown (but those that
    show in other certainty states only: a badge strip's text there, see figures.states)."""
    traces = [t for t in _traces(preset, LAYERS) if t["meta"]["layer"] != BASE_LAYER]
    return [t for t in traces if not is_hidden(t)]


@pytest.mark.parametrize("preset", ["threats_360", "summit_outcomes"])
def test_a_hidden_layers_traces_are_transparent_and_out_of_the_legend(preset: str) -> None:
    scenario = PRESETS[preset]
    keys = {*scenario.shown_keys(), BASE_LAYER}
    traces = _traces(preset)
    hidden = [t for t in traces if not shown_by(trace_layer(t), keys)]
    assert hidden and len(hidden) < len(traces)
    for trace in traces:
        if trace in hidden:
            assert not drawn(trace) and trace.get("visible", True) is True, trace["uid"]
            assert trace["showlegend"] is False, trace["uid"]
        else:
            assert drawn(trace), trace["uid"]


@pytest.mark.parametrize("preset", ["threats_360", "concept_diagram"])
def test_a_trace_hidden_and_shown_again_is_drawn_as_it_was(preset: str) -> None:
    """Every layer's trace (scattergeo and choropleth, with an opacity or a legend entry of its
    own, or none) is drawn as built once shown again, and hiding it twice or showing a shown one
    changes nothing; hiding changes nothing else of it, its meta included."""
    traces = _layer_traces(preset)
    assert {t["type"] for t in traces} == {"scattergeo", "choropleth"}
    assert {t.get("opacity") for t in traces} > {None}
    assert {t.get("showlegend") for t in traces} == {True, False}
    for trace in traces:
        hidden = hide(trace)
        assert is_hidden(hidden) and not drawn(hidden)
        assert unstyled(hidden) == unstyled(trace) and hidden["meta"] == trace["meta"]
        assert hide(hidden) == hidden and show(trace) == trace
        assert show(hidden) == trace and showing(hidden, True) == trace
        assert showing(trace, False) == hidden
        assert trace == json.loads(json.dumps(trace))  # (unchanged: no dict shared and edited)


def test_a_trace_of_a_layer_hidden_at_first_shows_as_when_it_was_built_shown() -> None:
    """The same trace built hidden (its layer off in the view) and built shown: showing the
    first gives the second (what a toggle in the page does)."""
    hidden_first = {t["uid"]: t for t in _traces("threats_360", ())}
    shown_first = {t["uid"]: t for t in _traces("threats_360", LAYERS)}
    compared = 0
    for uid, trace in hidden_first.items():
        if trace["meta"]["layer"] == BASE_LAYER or uid not in shown_first:
            continue
        if trace["meta"]["kind"] in ("label", "leader"):  # (placed for the layers shown first)
            continue
        assert is_hidden(trace)
        assert show(trace) == shown_first[uid], uid
        compared += 1
    assert compared > 40


@cache
def _node_hiding(traces_json: str) -> list[list[dict]]:
    """[atlas.js hideTrace(t), showTrace(hideTrace(t)), showTrace(t), isHidden(t),
    isHidden(hideTrace(t))] of each trace, by node."""
    script = Path(ASSETS_DIR) / "atlas.js"
    program = (
        "global.window = {};\n"
        f"{script.read_text(encoding='utf-8')}\n"
        "const {hide, show, isHidden} = window.atlasHiding;\n"
        "const traces = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
        "console.log(JSON.stringify(traces.map((t) => "
        "[hide(t), show(hide(t)), show(t), isHidden(t), isHidden(hide(t))])));\n"
    )
    result = subprocess.run(
        ["node", "-e", program], input=traces_json, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


@pytest.mark.parametrize("preset", ["threats_360", "concept_diagram"])
def test_the_pages_script_hides_and_shows_a_trace_as_python_does(preset: str) -> None:
    traces = _layer_traces(preset)
    found = _node_hiding(json.dumps(traces))
    for trace, (hidden, again, shown, was, now) in zip(traces, found, strict=True):
        assert hidden == hide(trace), trace["uid"]
        assert again == trace and shown == trace, trace["uid"]
        assert (was, now) == (is_hidden(trace), is_hidden(hide(trace))) == (False, True)
