"""A map drawn for every certainty and showing one certainty state (the items of the others
hidden: dashboard.figures.states) shows what the map of that state's own selection shows: the
same items, with the same hover texts, the same countries' fills, outlines and hover texts, the
same legend, and labels with the same texts. So a certainty toggle in the page, which only hides
and shows, draws the view the address names."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from dashboard.app import ASSETS_DIR
from dashboard.figures import figure_parts
from dashboard.figures.context import atlas_index
from dashboard.figures.hiding import is_hidden
from dashboard.figures.states import items_states
from geodata.atlas import load_atlas
from geodata.certainty import (
    CERTAINTY_STATES,
    EVERY_STATE,
    WIDEST_STATE,
    any_of,
    shows,
    split_state_key,
)
from geodata.scenario import Scenario, load_presets
from geodata.select import only_hides, select

ATLAS = load_atlas()
VIEWS = {"default": Scenario(), **load_presets()}
# what draws nothing on the map (a legend entry's look is in the legend), or is the page's
FRAMES = {"emphasis", "inset_frame", "inset_title", "inset_locator", "legend", "key"}


def _seen(traces: list[dict[str, Any]]) -> dict[str, set]:
    """What a reader sees of a map: each drawn item (kind, id, hover text) by subplot, each
    located country's fill colour, outline and hover text, the legend's entries, and each
    label's text."""
    seen: dict[str, set] = defaultdict(set)
    for trace in traces:
        if is_hidden(trace):
            continue
        meta, geo = trace["meta"], trace.get("geo", "geo")
        kind = meta["kind"]
        if trace.get("showlegend"):
            seen["legend"].add((trace["legendgroup"], trace["name"]))
        if kind in FRAMES:
            continue
        if kind == "country":
            steps = [colour for _, colour in trace["colorscale"]][::2]
            line = trace["marker"]["line"]
            for row in zip(
                trace["locations"],
                (steps[z] for z in trace["z"]),
                line["color"],
                line["width"],
                trace["hovertext"],
                strict=True,
            ):
                seen[f"{geo} country"].add(row)
        elif kind == "label":
            seen[f"{geo} label"] |= {
                (key, text) for key, text in zip(meta["ids"], trace["text"], strict=True) if text
            }
        elif kind != "leader":
            points = trace.get("customdata")
            if isinstance(points, list):
                hovers = trace.get("hovertext")
                hovers = hovers if isinstance(hovers, list) else [hovers] * len(points)
                seen[f"{geo} {kind}"] |= set(zip(map(str, points), hovers, strict=True))
            else:
                seen[f"{geo} {kind}"].add(tuple(sorted(meta["ids"])))
    return seen


@cache
def _map(view: str, state: int, hiding: bool) -> dict[str, set]:
    """What the map of a view in a certainty state shows: drawn for every certainty and hiding
    the others (`hiding`, as the dashboard draws it), or drawn for the state's own selection;
    both at the size the dashboard draws them. (Each is framed for what it draws: framings
    differ, what is drawn is compared.)"""
    basis, modality = CERTAINTY_STATES[state]
    scenario = VIEWS[view].model_copy(update={"basis": basis, "modality": modality})
    own = select(ATLAS, scenario.with_every_layer())
    drawn = select(ATLAS, scenario.with_every_layer().with_every_certainty()) if hiding else own
    parts = figure_parts(
        drawn,
        ATLAS,
        size=(1200, 1200),
        level_of_detail=True,
        fit_height=True,
        certainty=scenario.certainty(),
    )
    return _seen(parts.traces)


def _hiding_shows_the_state(view: str, state: int) -> bool:
    basis, modality = CERTAINTY_STATES[state]
    scenario = VIEWS[view].model_copy(update={"basis": basis, "modality": modality})
    widest = select(ATLAS, scenario.with_every_layer().with_every_certainty())
    return only_hides(widest, select(ATLAS, scenario.with_every_layer()))


CASES = [
    (view, state)
    for view in VIEWS
    for state in range(len(CERTAINTY_STATES))
    if state != WIDEST_STATE and _hiding_shows_the_state(view, state)
]


def test_most_states_of_every_view_only_hide_items() -> None:
    """(The cases compared below: a view that names groupings loses more than it hides in some
    states, which the dashboard leaves to the server.)"""
    assert {view for view, _ in CASES} == set(VIEWS)
    assert len(CASES) > 0.6 * len(VIEWS) * (len(CERTAINTY_STATES) - 1)
    # and most of those states hide something the widest map of the view shows
    narrower = [case for case in CASES if _map(*case, True) != _map(case[0], WIDEST_STATE, True)]
    assert len(narrower) > 0.6 * len(CASES)


@pytest.mark.parametrize(("view", "state"), CASES)
def test_the_widest_map_showing_a_state_shows_what_its_own_map_does(view: str, state: int) -> None:
    hidden, own = _map(view, state, True), _map(view, state, False)
    # (the Europe inset: where both have one; a map is framed for all it draws, and the widest
    # map may want an inset the state's own does not)
    for part in sorted(set(hidden) | set(own)):
        if part.endswith(" label"):
            continue  # (labels: placed for all the map draws, see below)
        if part.startswith("geo2") and not all(
            any(p.startswith("geo2") for p in seen) for seen in (hidden, own)
        ):
            continue
        assert hidden[part] == own[part], (part, hidden[part] ^ own[part])
    # a label shows the text the state's own map gives it (where both found room for it)
    for part in ("geo label", "geo2 label"):
        texts, own_texts = dict(hidden[part]), dict(own[part])
        assert all(texts[key] == own_texts[key] for key in texts.keys() & own_texts.keys())


# the kinds of traces whose states are more than their items' own: a region's (while an item
# naming it shows too), a country's point (while it is filled so)
DERIVED = {"region", "region_edge", "country"}


@pytest.mark.parametrize("view", list(VIEWS))
def test_each_trace_shows_in_the_states_of_its_items(view: str) -> None:
    """A trace shows only in states its items show in, and one of items (an arc, a marker, a
    badge) in exactly theirs: a builder draws the items of each set of states apart, so that
    none is hidden while it shows."""
    index = atlas_index(ATLAS)
    widest = select(ATLAS, VIEWS[view].with_every_layer().with_every_certainty())
    limited = 0
    for trace in figure_parts(widest, ATLAS).traces:
        meta = trace["meta"]
        if meta["kind"] in ("label", "leader") or not meta.get("ids"):
            continue
        keys = meta.get("layers") or [meta["layer"]]
        shown_in = any_of(split_state_key(key)[1] for key in keys)
        for item in meta["ids"]:
            own = items_states(index, [item])
            assert own & shown_in == shown_in, (trace["uid"], item)
            if meta["kind"] not in DERIVED:
                assert own == shown_in, (trace["uid"], item)
        limited += shown_in != EVERY_STATE
    assert limited  # (some traces show in some states only)


@pytest.mark.skipif(not shutil.which("node"), reason="needs node")
def test_the_pages_script_reads_states_and_state_keys_as_python_does() -> None:
    """assets/atlas.js's certaintyState and showsWith (a toggle in the page) against
    geodata.certainty's state_index and shows, for every state and a few keys."""
    filters = [[*state] for state in CERTAINTY_STATES] + [["stated", "unknown"]]
    keys = ["events", "events@1", "threats-east@6", "base@448", "events@0"]
    cases = [
        [[key], shown, state]
        for key in keys
        for shown in ([], ["events"], ["threats-east", "base"])
        for state in range(len(CERTAINTY_STATES))
    ]
    program = (
        "global.window = {};\n"
        f"{(Path(ASSETS_DIR) / 'atlas.js').read_text(encoding='utf-8')}\n"
        "const atlas = window.dash_clientside.atlas;\n"
        "const [filters, cases] = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
        "console.log(JSON.stringify([filters.map((f) => atlas.certaintyState(f)),\n"
        "    cases.map(([keys, shown, state]) => atlas.showsWith(keys, new Set(shown), state))]));\n"
    )
    result = subprocess.run(
        ["node", "-e", program],
        input=json.dumps([filters, cases]),
        capture_output=True,
        text=True,
        check=True,
    )
    states, shown = json.loads(result.stdout)
    assert states == [*range(len(CERTAINTY_STATES)), -1]
    assert shown == [shows(keys, set(on), state) for keys, on, state in cases]
    assert any(shown) and not all(shown)
