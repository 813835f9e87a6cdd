"""The view service's maps: the first map, layer flips, figure differences, the caches."""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from dash import Patch, no_update
from drawing import drawn, unstyled
from locations import REPO
from pages import apply, countries_indices, decoded, render

from dashboard.callbacks import dash_value
from dashboard.figures import BASE_LAYER, Framing, framings, shown_by
from dashboard.figures.emphasis import emphasis_points
from dashboard.figures.framing import content_features, focus_point, make_view
from dashboard.figures.inset import wanted
from dashboard.figures.projection import map_aspect
from dashboard.service import ViewService
from dashboard.service.maps import FOCUS_RING_LAYER
from dashboard.service.patches import figure_edits
from geodata.atlas import Atlas
from geodata.certainty import CERTAINTY_STATES, state_index
from geodata.scenario import LAYERS, Scenario, load_presets
from geodata.select import Layers, select


def test_focus_turns_the_view_and_rings_the_item(service, presets):
    scenario = presets["concept_diagram"].model_copy(update={"projection": "orthographic"})
    figure, rendered = render(service, service.views.view_data(scenario), None)
    figure = decoded(figure)
    assert rendered["traces"][-1] == FOCUS_RING_LAYER
    assert figure["data"][-1]["lon"] == []
    focused = scenario.model_copy(update={"focus": "JPN"})
    update, rendered2 = render(service, service.views.view_data(focused), rendered)
    result = apply(figure, update) if isinstance(update, Patch) else decoded(update)
    assert result == service.maps.figure(focused)
    assert rendered2["built"]["focus"] == "JPN"
    ring = result["data"][-1]
    assert ring["customdata"] == ["JPN"] and ring["hovertext"] == ["日本"]
    rotation = result["layout"]["geo"]["projection"]["rotation"]
    assert abs(rotation["lon"] - focus_point(service.atlas, "JPN")[0]) < 1


def test_another_worker_sends_the_whole_map_rather_than_rebuild_the_old_one(
    atlas, presets, monkeypatch
):
    """The browser's figure was drawn by another process: this one builds the new view only
    and sends it whole, instead of building the old one again to diff against it."""
    first, second = ViewService(atlas, presets), ViewService(atlas, presets)
    # (without the Europe inset, which a focused view does not have: the same traces)
    scenario = presets["concept_diagram"].model_copy(
        update={"projection": "robinson", "inset": "none"}
    )
    _, rendered = render(first, first.views.view_data(scenario), None)
    built = []
    build = second.maps._build_map
    monkeypatch.setattr(second.maps, "_build_map", lambda view: built.append(view) or build(view))
    focused = scenario.model_copy(update={"focus": "JPN"})
    update, _ = render(second, second.views.view_data(focused), rendered)
    assert [view.focus for view in built] == ["JPN"]
    assert decoded(update) == second.maps.figure(focused)
    # where the old figure is at hand, the same change is a Patch
    update, _ = render(first, first.views.view_data(focused), rendered)
    assert isinstance(update, Patch)


def test_a_date_moved_where_it_changes_no_item_redraws_nothing(service, presets):
    """The article dates nothing between mid-2015 and mid-2020: moving the start date within
    that stretch keeps the map (no update); moving it past an item's day draws the new map."""
    scenario = presets["concept_diagram"].model_copy(update={"date_from": date(2016, 3, 1)})
    _, rendered = render(service, service.views.view_data(scenario), None)
    for day in (date(2017, 1, 1), date(2019, 11, 30)):
        moved = scenario.model_copy(update={"date_from": day})
        update, _ = render(service, service.views.view_data(moved), rendered)
        assert update is no_update
        assert service.maps.figure(moved) is service.maps.figure(scenario)
    later = scenario.model_copy(update={"date_from": date(2024, 7, 12)})
    update, _ = render(service, service.views.view_data(later), rendered)
    assert update is not no_update
    every = {"layers": LAYERS}
    shown, before = (select(service.atlas, s.model_copy(update=every)) for s in (later, scenario))
    assert len(shown.events) < len(before.events)


@pytest.mark.parametrize(
    "changes",
    [
        [{"layers": ("events", "threats", "ukraine")}, {"focus": "UKR"}],
        [{"layers": ("events",)}, {"layers": ("threats",)}, {"basis": "stated"}],
        [{"lang": "en"}, {"projection": "polar"}],
        [{"layers": ("events",), "directions": ("south",)}, {"groupings": ("nato",)}],
        # a direction toggle flips the traces of its threats, as a layer toggle does
        [{"directions": ("east", "north")}, {"directions": ("west",)}, {"layers": ("threats",)}],
        # the countries were restyled by the flip: the diff starts from what the browser shows
        [
            {"layers": ("authoritarian", "threats")},
            {"layers": ("value_community", "authoritarian", "threats"), "focus": "JPN"},
        ],
    ],
)
def test_every_map_update_keeps_the_browser_figure_right(service, presets, changes):
    """Replaying the updates the browser gets ends at the full figure of the last view, and a
    layer flip that keeps the map's framing only hides or shows traces (by their style)."""
    scenario = presets["concept_diagram"]
    figure, rendered = render(service, service.views.view_data(scenario), None)
    figure = decoded(figure)
    for change in changes:
        scenario = scenario.model_copy(update=change)
        key = rendered["key"]
        update, rendered = render(service, service.views.view_data(scenario), rendered)
        result = apply(figure, update) if isinstance(update, Patch) else decoded(update)
        if set(change) <= {"layers", "directions", "basis", "modality"} and rendered["key"] == key:
            assert isinstance(update, Patch)
            layers = rendered["traces"]
            countries = countries_indices(figure)
            direct = service.maps.figure(scenario)["data"]
            for index, (old, new) in enumerate(zip(figure["data"], result["data"], strict=True)):
                if index in countries:  # drawn as the new view's own map draws it
                    assert without_toggle(new) == without_toggle(direct[index])
                    continue
                assert unstyled(old) == unstyled(new)
                if layers[index] not in ("base", FOCUS_RING_LAYER):
                    assert drawn(new) == shown_in(scenario, layers[index])
        else:
            assert result == service.maps.figure(scenario)
        figure = result


# each preset in one language, the two languages taking turns: a toggle's framing and the
# traces it flips do not depend on the language, only the texts do (each language is covered)
TOGGLED_PRESETS = [
    (preset, ("ja", "en")[index % 2]) for index, preset in enumerate(sorted(load_presets()))
]


@pytest.mark.parametrize(("preset", "lang"), TOGGLED_PRESETS)
def test_a_layer_toggle_draws_the_countries_as_the_new_views_map(service, presets, preset, lang):
    """Every layer of every preset toggled off and on again: the browser's figure with the
    toggle's update applied shows, shades and outlines each country, with its hover text, as
    the map of the new view built directly. A toggle that keeps the map's framing is a Patch
    in which the other traces only change `visible`; one that re-frames it (the shown layers
    draw elsewhere, or Europe gets or loses its inset) sends the new map."""
    start = presets[preset].model_copy(update={"lang": lang})
    figure, rendered = render(service, service.views.view_data(start), None)
    figure = decoded(figure)
    for layer in LAYERS:
        for scenario in (
            start.model_copy(
                update={"layers": tuple(x for x in LAYERS if (x in start.layers) != (x == layer))}
            ),
            start,
        ):
            key = rendered["key"]
            update, rendered = render(service, service.views.view_data(scenario), rendered)
            direct = service.maps.figure(scenario)
            if update is no_update:
                result = figure
            elif isinstance(update, Patch):
                result = apply(figure, update)
            else:
                result = decoded(update)
            if rendered["key"] == key:  # the same map, its layers flipped
                assert update is no_update or isinstance(update, Patch)
                for countries in countries_indices(result):
                    assert result["data"][countries] == direct["data"][countries]
                # (labels: placed where the first map placed them, see the toggle browser tests)
                assert unlabelled(result) == unlabelled(direct), layer
            else:  # re-framed: the new view's own map, whole or as a difference
                assert result == direct, layer
            figure = result


def shown_in(scenario: Scenario, layer: str) -> bool:
    """Whether a trace of layer key `layer` shows in the view."""
    return shown_by(layer, {*scenario.shown_keys(), BASE_LAYER}, state_index(*scenario.certainty()))


def without_toggle(trace: dict) -> dict:
    """A countries trace without the toggle data of the main map's (which says what the page
    may toggle to in the page, from the view the map was built for)."""
    return trace | {"meta": {k: v for k, v in trace["meta"].items() if k != "toggle"}}


def unlabelled(figure: dict) -> list[tuple[str, bool]]:
    """Each trace's uid and whether it is drawn, but for the traces of labels and leader lines
    (which a figure has where its labels went)."""
    return [
        (t.get("uid"), drawn(t))
        for t in figure["data"]
        if t["meta"].get("kind") not in ("label", "leader")
    ]


def test_precomputed_maps_of_the_presets_are_kept_and_others_bounded(atlas, presets, monkeypatch):
    """Servers precompute the default view and every preset in both languages; those are never
    evicted, and the maps of other views stay within the cache's byte budget."""
    monkeypatch.setattr("dashboard.service.maps.MAP_CACHE_BYTES", 2**20)  # a few maps
    maps = ViewService(atlas, presets, "ja").maps
    assert maps.precompute_presets() == (1 + len(presets)) * 2
    views = [
        Scenario(lang="en", focus=iso3, layers=("events",))
        for iso3 in ("JPN", "USA", "UKR", "KOR", "AUS", "NZL", "CAN", "GBR")
    ]
    assert len({maps.drawn(view) for view in views}) == len(views)  # eight maps
    for view in views:
        maps.built_map(view)
    assert maps.cache.currsize <= maps.cache.maxsize
    assert 0 < len(maps.cache) < len(views)  # the oldest ones went

    def no_building(_scenario):
        raise AssertionError("a precomputed map was built again")

    monkeypatch.setattr(maps, "_build_map", no_building)
    for lang in ("ja", "en"):
        for preset in presets.values():
            figure = maps.figure(preset.model_copy(update={"lang": lang}))
            assert figure["data"]
        assert maps.figure(Scenario(lang=lang))["data"]


# prints the operations of the diff between two views' figures
PATCH_SCRIPT = (
    "import json\n"
    "from dashboard.service import ViewService\n"
    "from dashboard.service.patches import figure_edits\n"
    "from geodata.atlas import load_atlas\n"
    "from geodata.scenario import Scenario, load_presets\n"
    "maps = ViewService(load_atlas(), load_presets()).maps\n"
    "a = maps.figure(Scenario(lang='en'))\n"
    "b = maps.figure(Scenario(lang='en', focus='JPN', projection='orthographic'))\n"
    "print(json.dumps(figure_edits(a, b).operations))\n"
)


def test_figure_patches_are_the_same_bytes_on_every_machine():
    """The diff sent for a view change does not depend on the process's hash seed (set order):
    it is the same in this process and in another one with a hash seed of its own."""
    seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"
    with ThreadPoolExecutor(max_workers=1) as pool:  # the other process runs meanwhile
        other = pool.submit(
            subprocess.run,
            [sys.executable, "-c", PATCH_SCRIPT],
            cwd=REPO,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        )
        with contextlib.redirect_stdout(io.StringIO()) as here:
            exec(PATCH_SCRIPT, {})
        outputs = {here.getvalue(), other.result().stdout}
    assert len(outputs) == 1
    assert '"operation": "Assign"' in next(iter(outputs))


def test_the_concept_diagrams_map_in_the_dashboard_carries_its_note(service, presets):
    """The dashboard's map of the concept diagram (also once the view is changed) says it is a
    reconstruction; the same view saved without the preset's id, like every other preset, does
    not claim to be one."""

    def notes(scenario):
        layout = service.maps.figure(scenario)["layout"]
        return [
            a["text"]
            for a in layout.get("annotations") or []
            if a.get("name") == "map-concept-note"
        ]

    concept = presets["concept_diagram"]
    assert len(notes(concept)) == 1 and "再構成" in notes(concept)[0]
    changed = concept.model_copy(update={"lang": "en", "basis": "stated"})
    assert "reconstruction" in notes(changed)[0]
    assert notes(concept.model_copy(update={"id": None})) == []
    assert notes(presets["threats_360"]) == []


@pytest.mark.parametrize("view", ["default", "threats_360"])
def test_the_layout_has_nothing_plotly_compares_by_identity(service, presets, view):
    """dcc.Graph hands plotly.js a deep copy of the layout on every update; plotly.js redraws the
    whole map (geo paths, base map and all) when the layout's `meta` or `template` is a new
    object, even when nothing changed (measured: a style-only update then costs 3 to 5 times
    more). So the dashboard's figure keeps its toggle data in a trace's meta, has no template,
    and its layout's meta is a number (compared by value: the plot area's aspect)."""
    figure = service.maps.figure(presets.get(view, Scenario()))
    assert "template" not in figure["layout"]
    assert isinstance(figure["layout"]["meta"], float)


@pytest.mark.parametrize("view", ["default", "threats_360"])
def test_the_toggle_table_says_which_layer_sets_keep_the_maps_framing(service, presets, view):
    """The figure tells the page, for every set of layers, whether a toggle to it keeps the map
    as framed (then the page flips layers itself) or re-frames it or adds or removes the Europe
    inset (then the page asks the server): exactly when the view's figure key stays the same,
    and the inset's countries trace comes with its own records."""
    scenario = presets.get(view, Scenario())
    figure = service.maps.figure(scenario)
    # it travels in the main countries trace's meta (the layout is copied on every update)
    (toggle,) = [trace["meta"]["toggle"] for trace in figure["data"] if "toggle" in trace["meta"]]
    assert figure["data"][toggle["countries"]]["meta"]["kind"] == "country"
    assert len(toggle["frames"]) == 2 ** len(LAYERS)
    assert len(toggle["states"]) == len(CERTAINTY_STATES)
    key = service.maps.figure_key(scenario)
    for (basis, modality), alike in zip(CERTAINTY_STATES, toggle["states"], strict=True):
        for mask in range(2 ** len(LAYERS)):
            layers = tuple(x for i, x in enumerate(LAYERS) if mask >> i & 1)
            other = scenario.model_copy(
                update={"layers": layers, "basis": basis, "modality": modality}
            )
            same = service.maps.figure_key(other) == key
            assert same == (alike == toggle["frames"][mask] == "1"), (basis, modality, layers)
    own = toggle["frames"]
    assert "0" in own and "1" in own  # some toggles stay in the page, some re-frame the map
    # (a certainty state that takes away more than it hides is the server's: see test_certainty)
    assert toggle["states"][state_index(*scenario.certainty())] == "1"
    has_inset = "geo2" in figure["layout"]
    assert len(toggle["insets"]) == int(has_inset)
    for records in toggle["insets"]:
        inset = figure["data"][records["countries"]]
        assert inset["geo"] == "geo2" and inset["meta"]["kind"] == "country"
        assert len(records["hover"]) == len(inset["locations"])


# views whose toggle tables are checked against framing() for every set of layers: every preset
# as it is and over the whole world, and views framed in each other way
FRAMED_VIEWS = {
    "globe fitted to what is drawn": ("concept_diagram", {"projection": "orthographic"}),
    "globe turned to a focus": ("concept_diagram", {"projection": "orthographic", "focus": "JPN"}),
    "polar fitted to what is drawn": ("authoritarian_partnerships", {"projection": "polar"}),
    "polar whole hemisphere": ("threats_360", {"extent": "world"}),
    "Robinson on a focus": ("authoritarian_partnerships", {"focus": "JPN"}),
    "a sentence that widens a focused map": (
        "authoritarian_partnerships",
        {"focus": "JPN", "sentence": "P6.3"},
    ),
    "a sentence the globe turns to": (
        "value_community",
        {"projection": "orthographic", "sentence": "P9.1"},
    ),
    "a sentence on the polar map": ("threats_360", {"sentence": "P5.1"}),
    "no inset": ("concept_diagram", {"inset": "none"}),
    "a date range": (None, {"date_from": date(2014, 1, 5), "layers": ("events",)}),
}


def _framed_views(presets) -> dict[str, Scenario]:
    views = {"default": Scenario()}
    for name, preset in presets.items():
        views[name] = preset
        views[f"{name}, world"] = preset.model_copy(update={"extent": "world"})
    for name, (preset, changes) in FRAMED_VIEWS.items():
        views[name] = (presets[preset] if preset else Scenario()).model_copy(update=changes)
    return views


def _framed_alone(layers: Layers, atlas: Atlas, shown: set[str]) -> Framing:
    """The framing of a map with `shown` layers, by its definition: the view of what they draw
    (kept wide enough for the sentence's items), with the Europe inset when the view asks for it
    and wants it (see dashboard.figures.framing and .inset)."""
    view = make_view(layers, atlas, shown, keep=emphasis_points(layers, atlas))
    asked = layers.scenario.inset == "europe"
    return Framing(view, asked and wanted(view, content_features(layers, atlas, shown)))


def test_the_toggle_tables_framings_are_each_set_of_layers_framed_on_its_own(service, presets):
    """The framings of a view's map with each set of layers shown, found together for the
    toggle table, are each exactly that set's framing found on its own (on a selection made
    afresh), for all 128 sets of every preset, over the whole world too, and of views fitted on
    the globe and the polar map, focused, widened to a sentence, without the inset and over a
    date range."""
    atlas = service.atlas
    sets = [
        {BASE_LAYER, *(x for i, x in enumerate(LAYERS) if mask >> i & 1)}
        for mask in range(2 ** len(LAYERS))
    ]
    varied = set()
    for name, scenario in _framed_views(presets).items():
        selected = service.maps.drawn(scenario).model_copy(update={"layers": LAYERS})
        together = framings(select(atlas, selected), atlas, sets)
        fresh = select(atlas, selected)
        alone = [_framed_alone(fresh, atlas, shown) for shown in sets]
        assert together == alone, name
        varied.add(len(set(alone)) > 1)
    assert varied == {True, False}  # some views are framed by what they show, some are not


# under gevent (as in the production server's workers): a map is built in one greenlet while a
# request arrives on a socket that another greenlet reads; prints the order they finished in
GREENLETS_SCRIPT = (
    "from gevent import monkey; monkey.patch_all()\n"
    "import socket\n"
    "import gevent\n"
    "from dashboard.service import ViewService\n"
    "from geodata.atlas import load_atlas\n"
    "from geodata.scenario import Scenario, load_presets\n"
    "maps = ViewService(load_atlas(), load_presets()).maps\n"
    "done = []\n"
    "def build():\n"
    "    maps.built_map(Scenario(lang='en', focus='JPN', projection='orthographic'))\n"
    "    done.append('map')\n"
    "def serve(connection):\n"
    "    connection.recv(1)\n"
    "    done.append('request read')\n"
    "def send(connection):\n"
    "    gevent.sleep(0.001)  # once the build has begun\n"
    "    connection.send(b'x')\n"
    "server_side, client_side = socket.socketpair()\n"
    "gevent.joinall(\n"
    "    [gevent.spawn(build), gevent.spawn(serve, server_side), gevent.spawn(send, client_side)]\n"
    ")\n"
    "print(','.join(done))\n"
)


def test_a_map_build_lets_the_workers_other_requests_run():
    """A gevent worker runs its requests in turns that change only where one waits; a map build
    pauses every few ms, in a way that lets the worker read the sockets: a request that arrives
    during a build is read (and can be answered) before the build ends."""
    result = subprocess.run(
        [sys.executable, "-c", GREENLETS_SCRIPT],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=True,
    )
    assert result.stdout.strip() == "request read,map"


@pytest.mark.parametrize("view", ["default", "threats_360", "ukraine_support"])
def test_the_dashboards_map_is_laid_out_at_its_full_shape_and_its_box_sized_to_it(
    service, presets, view
):
    """The page's map is laid out as wide as the dashboard's map and as tall as its framed box
    wants (a wide map at most 9:16), the legend in a band under it or a column beside a round
    one; the page's first layout gives the map's cell the size of that figure (what the page's
    script sets from any later figure: its layout's meta and margins)."""
    scenario = presets.get(view, Scenario())
    figure = service.maps.figure(scenario)
    layout, (framed, _) = figure["layout"], service.maps._framing(service.maps.drawn(scenario))
    margin = layout["margin"]
    if framed.projection == "robinson":
        assert layout["meta"] == pytest.approx(min(1 / map_aspect(framed), 9 / 16), abs=1e-4)
        assert margin["b"] > 100 and margin["r"] < 10  # the legend's band under the map
    else:
        assert layout["meta"] == 1.0
        assert margin["r"] > 100 and margin["b"] < 10  # the legend's column beside it
    url = f"http://127.0.0.1:8050/?{scenario.to_query()}"
    style = json.loads(service.first_layout(url)["map_style"])
    assert style == {
        "--map-aspect": f"{layout['meta']:g}",
        "--map-margin-x": f"{margin['l'] + margin['r']}px",
        "--map-margin-y": f"{margin['t'] + margin['b']}px",
    }


def _traces(*uids: str, changed: str = "") -> dict:
    """A figure of scatter traces named by uid (the one `changed` with other points)."""
    return {
        "data": [
            {"type": "scattergeo", "uid": uid, "lon": [2 if uid == changed else 1]} for uid in uids
        ],
        "layout": {},
    }


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (_traces("a", "b", "c", "d"), _traces("a", "x", "c", "d", "y", changed="c")),
        (_traces("a", "b", "c"), _traces()),
        (_traces(), _traces("a", "b")),
        (_traces("a", "b", "c", "d", "e"), _traces("b", "d", changed="d")),
        (_traces("a", "b", "c"), _traces("c", "b", "a")),  # (drawn in another order)
    ],
)
def test_a_figures_edits_delete_insert_and_change_traces_by_uid(before, after):
    """The edits between two figures whose traces differ in number and order, applied in order
    as the page applies a Patch, give the second figure; where the traces both have keep their
    order, none of them is sent again whole."""
    edits = figure_edits(before, after)
    assert apply(before, dash_value(edits)) == after
    old, new = ([t["uid"] for t in figure["data"]] for figure in (before, after))
    kept = [uid for uid in old if uid in new]
    inserted = {
        op["params"]["value"]["uid"] for op in edits.operations if op["operation"] == "Insert"
    }
    if kept == [uid for uid in new if uid in old]:
        assert not inserted & set(kept)
    else:
        assert inserted


@pytest.mark.parametrize(
    "change",
    [
        {"basis": "stated"},
        {"basis": "inferred"},
        {"modality": "asserted"},
        {"directions": ("east", "south", "west")},
        {"directions": ("north", "south", "west")},
    ],
)
def test_a_certainty_or_direction_filter_only_flips_what_it_hides(service, change):
    """A filter that hides items of the map (a certainty filter of a view that names no
    grouping, a direction) keeps the map: the update is a Patch that hides their traces and
    restyles the countries, and applied to the browser's figure it draws what the new view's
    own map draws (labels aside: they stay where the first map placed them). Back again, the
    Patch shows them again and gives the first view's map."""
    start = Scenario()
    figure, rendered = render(service, service.views.view_data(start), None)
    figure = first = decoded(figure)
    scenario = start.model_copy(update=change)
    update, rendered = render(service, service.views.view_data(scenario), rendered)
    assert isinstance(update, Patch)
    figure = apply(figure, update)
    direct = service.maps.figure(scenario)
    assert unlabelled(figure) == unlabelled(direct)
    for index in countries_indices(figure):
        assert without_toggle(figure["data"][index]) == without_toggle(direct["data"][index])
    hidden = [i for i, t in enumerate(figure["data"]) if drawn(t) != drawn(first["data"][i])]
    assert hidden  # (it hides something)
    update, rendered = render(service, service.views.view_data(start), rendered)
    assert isinstance(update, Patch)
    assert apply(figure, update) == first


# what the page restyles in place of the countries trace: its fills, outlines and hover texts
COUNTRY_STYLE_KEYS = ("z", "zmin", "zmax", "colorscale", "hovertext")


def _page_data(figure: dict) -> list[dict]:
    """A figure's traces but for what the page restyles in place (hiding; the countries' style)."""
    data = []
    for trace in figure["data"]:
        rest = unstyled(trace)
        if (trace.get("meta") or {}).get("kind") == "country":
            rest = {k: v for k, v in rest.items() if k not in COUNTRY_STYLE_KEYS}
            rest["marker"] = {k: v for k, v in rest.get("marker", {}).items() if k != "line"}
        data.append(rest)
    return data


def test_two_maps_share_a_data_revision_only_when_the_page_can_restyle_one_into_the_other(
    service, presets
):
    """With layout.datarevision set, plotly.js takes changed arrays for new data only when the
    revision changes: two maps share one only when their data differ in nothing but what the
    page restyles itself (hidden traces, the countries' fills, outlines and hover texts)."""
    threats = presets["threats_360"]
    views = [
        threats,
        threats.model_copy(update={"directions": ("east", "west")}),
        threats.model_copy(update={"layers": (*threats.layers, "ukraine")}),
        threats.model_copy(update={"basis": "stated"}),
        threats.model_copy(update={"focus": "EST"}),
        presets["concept_diagram"],
    ]
    figures = [service.maps.figure(view) for view in views]
    shared = 0
    for a, b in itertools.combinations(figures, 2):
        same = a["layout"]["datarevision"] == b["layout"]["datarevision"]
        assert same == (_page_data(a) == _page_data(b))
        shared += same
    assert 0 < shared < len(views) * (len(views) - 1) // 2
