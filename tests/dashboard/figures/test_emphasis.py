"""The map's emphasis of a sentence: exactly the items the sentence's records put on the map stay
as they are, everything else fades; the overlays that redraw part of a trace of lines suffice for
every sentence of the article in every preset; and a view widens to what a sentence emphasises
when it would leave some of it out. Expectations are worked out from the plain YAML and the
coverage data (tests/reading.py)."""

from __future__ import annotations

from functools import cache

import pytest
from reading import coverage, drawn_items, emphasis_state, expected_items, sentences_of

from dashboard.figures.composition import figure_parts
from dashboard.figures.emphasis import (
    FADE,
    SLOT_KIND,
    SLOTS,
    emphasis_points,
    emphasized,
    sentence_items,
)
from dashboard.figures.framing import make_view, shows
from geodata.atlas import load_atlas
from geodata.scenario import LAYERS, Scenario, load_presets
from geodata.select import select

PRESETS = load_presets()
VIEWS = {"default": Scenario(), **PRESETS}


@cache
def figure(view: str, lang: str = "ja") -> dict:
    scenario = VIEWS[view].model_copy(update={"lang": lang})
    atlas = load_atlas()
    layers = select(atlas, scenario.model_copy(update={"layers": LAYERS}))
    # the figure as the dashboard sends it (plain dicts, no go.Figure)
    parts = figure_parts(layers, atlas, visible_layers=scenario.layers)
    return {"data": parts.traces, "layout": parts.layout.to_plotly_json()}


@pytest.mark.parametrize("sentence", [*sentences_of(["P5", "P6", "P12"]), "P1.1", "P4.3", "fn16.1"])
def test_a_sentence_emphasises_exactly_what_it_puts_on_the_map(sentence: str) -> None:
    base = figure("default")
    out = emphasized(base, sentence_items(load_atlas(), sentence))
    strong, faded = emphasis_state(out)
    expected = expected_items(sentence) & drawn_items(base)
    assert expected, f"{sentence} puts nothing on the default map"
    assert strong == expected, (sentence, strong - expected, expected - strong)
    assert faded == drawn_items(base) - expected


def test_the_items_of_a_sentence_are_those_its_records_put_on_the_map() -> None:
    atlas = load_atlas()
    for sentence in coverage():
        assert set(sentence_items(atlas, sentence)) == expected_items(sentence), sentence


def test_a_sentence_that_maps_to_nothing_fades_everything_and_no_sentence_fades_nothing() -> None:
    base = figure("default")
    unmapped = [sid for sid, row in coverage().items() if row["status"] == "explained"]
    assert unmapped
    strong, faded = emphasis_state(emphasized(base, sentence_items(load_atlas(), unmapped[0])))
    assert strong == set() and faded == drawn_items(base)
    cleared = emphasized(emphasized(base, sentence_items(load_atlas(), "P6.2")), None)
    assert emphasis_state(cleared) == (drawn_items(base), set())
    assert all(t.get("selectedpoints") is None for t in cleared["data"] if "selectedpoints" in t)
    assert all(
        not t["lon"] for t in cleared["data"] if (t.get("meta") or {}).get("kind") == SLOT_KIND
    )


def test_the_overlays_are_empty_and_drawn_under_the_labels() -> None:
    """Each map (the main map, the Europe inset) has overlays of its own, over its drawings and
    under its labels (what one redraws stays on its map)."""
    data = figure("default")["data"]
    geos = {t.get("geo", "geo") for t in data}
    assert geos == {"geo", "geo2"}  # the default view has the Europe inset
    for geo in geos:
        kinds = {
            i: (t.get("meta") or {}).get("kind")
            for i, t in enumerate(data)
            if t.get("geo", "geo") == geo
        }
        slots = [i for i, kind in kinds.items() if kind == SLOT_KIND]
        assert len(slots) == SLOTS, geo
        assert all(not data[i]["lon"] and data[i]["showlegend"] is False for i in slots)
        assert max(slots) < min(i for i, kind in kinds.items() if kind == "label"), geo
        assert min(slots) > max(i for i, kind in kinds.items() if kind == "relation_line"), geo


def test_an_emphasised_inset_redraws_on_the_inset_and_stays_out_of_the_legend() -> None:
    """A sentence's lines are emphasised on both maps, each map's on its own overlays; the
    inset's overlays never enter the legend."""
    base = figure("default")
    out = emphasized(base, sentence_items(load_atlas(), "P6.2"))
    used = [
        t for t in out["data"] if (t.get("meta") or {}).get("kind") == SLOT_KIND and t.get("lon")
    ]
    assert {t.get("geo", "geo") for t in used} == {"geo", "geo2"}
    assert not any(t["showlegend"] for t in out["data"] if t.get("geo") == "geo2")


@pytest.mark.parametrize("view", sorted(VIEWS))
def test_every_sentence_fits_the_overlays_in_every_preset(view: str) -> None:
    """No trace of lines is left unfaded for want of an overlay (which would emphasise the
    parts of it the sentence does not name)."""
    atlas = load_atlas()
    for lang in ("ja", "en"):
        base = figure(view, lang)
        for sentence in coverage():
            items = sentence_items(atlas, sentence)
            strong, _ = emphasis_state(emphasized(base, items))
            assert strong <= set(items), (view, lang, sentence, strong - set(items))


def test_a_faded_trace_of_lines_keeps_a_fifth_of_its_opacity_and_the_overlay_its_look() -> None:
    base = figure("default")
    out = emphasized(base, sentence_items(load_atlas(), "P6.2"))
    flows = [
        (b, o)
        for b, o in zip(base["data"], out["data"], strict=True)
        if (b.get("meta") or {}).get("kind") == "relation_line"
        and b["meta"]["layer"] == "support_flows"
    ]
    assert flows
    overlays = [t for t in out["data"] if (t.get("meta") or {}).get("kind") == SLOT_KIND]
    for before, after in flows:
        assert after["opacity"] == pytest.approx(before.get("opacity", 1.0) * FADE)
        assert any(
            o["line"] == before["line"] and o["opacity"] == before["opacity"] for o in overlays
        )


def _layers(scenario: Scenario):
    return select(load_atlas(), scenario.model_copy(update={"layers": LAYERS}))


def test_a_view_widens_to_show_what_its_sentence_emphasises() -> None:
    atlas = load_atlas()
    # a map zoomed on Japan, and a sentence about China, Russia, North Korea and Iran: the whole world
    zoomed = PRESETS["authoritarian_partnerships"].model_copy(update={"focus": "JPN"})
    layers = _layers(zoomed.model_copy(update={"sentence": "P6.3"}))
    keep = emphasis_points(layers, atlas)
    asked = make_view(layers, atlas, set(zoomed.layers))
    assert asked.scale > 1 and not shows(asked, keep)
    widened = make_view(layers, atlas, set(zoomed.layers), keep=keep)
    assert widened.scale == 1 and shows(widened, keep)
    # the globe turns to what a sentence about Japan and the US emphasises
    globe = PRESETS["value_community"].model_copy(update={"projection": "orthographic"})
    layers = _layers(globe.model_copy(update={"sentence": "P9.1"}))
    keep = emphasis_points(layers, atlas)
    assert not shows(make_view(layers, atlas, set(globe.layers)), keep)
    assert shows(make_view(layers, atlas, set(globe.layers), keep=keep), keep)
    # a sentence already in view changes nothing
    layers = _layers(PRESETS["threats_360"].model_copy(update={"sentence": "P5.1"}))
    keep = emphasis_points(layers, atlas)
    assert keep and make_view(layers, atlas, keep=keep) == make_view(layers, atlas)
