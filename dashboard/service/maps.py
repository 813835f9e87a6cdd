"""The maps of views: built once per view (the presets' precomputed, others in a cache bounded in
bytes), sent whole in the first layout response, and afterwards as little as possible: the
layers a toggle flips, or the difference from the browser's figure.

A view's map draws every layer and threat direction, and every certainty its filters only hide
(`drawing_layers`), and hides what the view does not show; the figure tells the page which
layers and certainty states it can show without the server (`_same_frames`).

The record of the browser's figure (`rendered`, a store of the page) says which view it was
built for, which layer each of its traces belongs to, and which layer keys it shows now, in
which certainty state.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
from dataclasses import astuple, dataclass, field
from functools import lru_cache
from typing import Any

import cachetools
import orjson
import plotly.graph_objects as go
from pydantic import ValidationError

from dashboard.details import item_name
from dashboard.figures import (
    BASE_LAYER,
    CountryFills,
    CountryStyle,
    Framing,
    browser_records,
    country_style,
    figure_parts,
    framing,
    framings,
    shown_by,
    trace_layer,
)
from dashboard.figures.countries import STYLE_PATHS
from dashboard.figures.emphasis import emphasis_points, sentence_items
from dashboard.figures.framing import focus_point, make_view, shows
from dashboard.figures.geo import (
    basemap_file,
    map_aspect_of,
    map_box_style,
    resolution_for,
)
from dashboard.figures.hiding import hidden_style, showing, without
from dashboard.figures.inset import INSET_BASEMAP
from dashboard.figures.labels import Pause
from dashboard.figures.notes import is_reconstruction
from dashboard.service.models import KEEP, Edits
from dashboard.service.patches import figure_edits, restyle_edits, trace_edits
from dashboard.service.views import Views
from geodata.atlas import Atlas
from geodata.certainty import CERTAINTY_STATES, WIDEST_STATE, state_index
from geodata.scenario import DIRECTION_KEYS, LANGS, LAYERS, Scenario
from geodata.select import Layers, drawn_selection, only_hides, select, widest_dates

FOCUS_RING_LAYER = "focus"
FOCUS_COLOUR = "#d1008f"
# the longest stretch (s) of a map build before it lets the worker's other requests run (under
# gevent each pause sleeps a GEVENT_TICK): a few times under a cheap request's own CPU time
TURN = 0.003
GEVENT_TICK = 0.0001  # s: a pause's sleep under gevent (see _waiting_time)
TITLES = ("id", "title_ja", "title_en", "description_ja", "description_en")
RENDERED_KEYS = {"key", "built", "traces", "layers"}
EMPTY_FIGURE = {"data": [], "layout": {}}
# Per process, for views other than the default and the presets (those are precomputed and kept):
# maps as JSON (0.15-0.4 MB each: 20-50 maps; the load test's workers' CPU per request fell 5 %
# from the 2 MB of before, their memory grew 2 %), selections (~0.16 MB each).
MAP_CACHE_BYTES = 8 * 2**20
SELECTIONS_KEPT = 24  # (a map reads its view's selection in each certainty state)
FRAMINGS_KEPT = 64
FRAME_TABLES_KEPT = 64  # tables of framings, one per selection (see Maps._same_frames)
# The width the dashboard's map is laid out for (legend beside or under it, labels placed): the
# map column of a 1600 px wide window, a little less; its height is what the map at its full
# aspect and its legend need (the page sizes the graph's box to match: geo.map_box_style)
DASHBOARD_MAP_WIDTH = 1200


@dataclass(frozen=True)
class BuiltMap:
    """A view's map: the figure as JSON text, the layer key of each of its traces (see
    dashboard.figures.trace_layer), and, for each of its countries traces (the main map's and
    the inset's), where it is and what a layer toggle restyles it from."""

    figure_json: str
    trace_layers: tuple[str, ...]
    countries: tuple[tuple[int, CountryFills], ...]
    # the files of the base maps it draws (its main map's, an inset's: geo.basemap_file)
    basemaps: tuple[str, ...]
    # the CSS that sizes the page's map cell to it (geo.map_box_style; the figure's layout holds
    # the same, its meta and margins, so it is left out of comparisons)
    box: dict[str, str] = field(compare=False)

    def size(self) -> int:
        """About the bytes it holds: its JSON text and the countries' hover texts (the bulk of
        its country records)."""
        hovers = sum(len(text) for _, fills in self.countries for text in fills.hover)
        return len(self.figure_json) + hovers

    def country_styles(self, layers: set[str], state: int) -> list[tuple[int, CountryStyle]]:
        """The style of each countries trace (by its index) with the layer keys `layers` shown
        (and the base layer) in certainty state `state`."""
        return [
            (index, country_style(fills, layers | {BASE_LAYER}, state))
            for index, fills in self.countries
        ]


def plain(scenario: Scenario) -> Scenario:
    """The scenario without what only names it (titles, and the id unless the map says what the
    preset is: a reconstruction's note) or picks out part of its map (the sentence, which the page
    emphasises on the map it has): the key of its layers and figure."""
    keep_id = is_reconstruction(scenario)
    return scenario.model_copy(
        update={key: (scenario.id if keep_id else None) if key == "id" else "" for key in TITLES}
        | {"sentence": None}
    )


class Maps:
    """The maps of one atlas's views, and the updates that bring the browser's map to a view."""

    def __init__(self, atlas: Atlas, presets: dict[str, Scenario], views: Views):
        self.atlas = atlas
        self.presets = presets
        self.views = views
        self._select = lru_cache(maxsize=SELECTIONS_KEPT)(lambda s: select(atlas, s))
        self._widens = lru_cache(maxsize=SELECTIONS_KEPT)(self._sentence_widens)
        self.cache: cachetools.LRUCache[Scenario, BuiltMap] = cachetools.LRUCache(
            MAP_CACHE_BYTES, getsizeof=BuiltMap.size
        )
        self._cache_lock = threading.Lock()
        self._preset_maps: dict[Scenario, BuiltMap] = {}
        # the last few maps parsed (a view change diffs the browser's figure against the new one)
        self._parsed = lru_cache(maxsize=4)(lambda built: orjson.loads(built.figure_json))
        self._framing = lru_cache(maxsize=FRAMINGS_KEPT)(self._framed)
        # (keyed by the selection alone: the pause a build passes is not part of the key)
        self._frames = cachetools.cached(
            cachetools.LRUCache(FRAME_TABLES_KEPT),
            key=lambda selected, _pause: selected,
            lock=threading.Lock(),
        )(self._frames_of)

    # --- what a view draws ----------------------------------------------------------------

    def drawn(self, scenario: Scenario) -> Scenario:
        """The view a map is built for: `plain`, with the widest dates that select the same items
        of every certainty (geodata.select.widest_dates: a date moved where it changes nothing
        redraws nothing; the map draws every certainty, see `drawing_layers`), keeping the
        sentence only when the map's view is widened to show what the sentence emphasises (see
        framing.make_view's `keep`); else the page emphasises it on the map of the view without
        it."""
        plain_view = plain(scenario)
        dates = widest_dates(self.atlas, plain_view.with_every_certainty())
        key = plain_view.model_copy(update={"date_from": dates.date_from, "date_to": dates.date_to})
        if scenario.sentence and self._widens(key, scenario.sentence):
            return key.model_copy(update={"sentence": scenario.sentence})
        return key

    def _sentence_widens(self, key: Scenario, sentence: str) -> bool:
        layers = self._select(key.with_every_layer())
        view = make_view(layers, self.atlas, {*key.layers, BASE_LAYER})
        return not shows(view, emphasis_points(layers, self.atlas, sentence))

    def full_layers(self, scenario: Scenario) -> Layers:
        """Every layer and threat direction of a view (the figure draws them all and hides the
        unticked ones)."""
        return self._select(self.drawn(scenario).with_every_layer())

    def drawing_layers(self, scenario: Scenario) -> Layers:
        """What a view's map draws: every layer and threat direction, and every certainty (the
        view's filters hide what they leave out) when they only hide items of its widest
        selection (geodata.select.only_hides); else its own selection."""
        return drawn_selection(self._widest(scenario), self.full_layers(scenario))

    def draws_every_certainty(self, scenario: Scenario) -> bool:
        """Whether the view's map draws every certainty (see `drawing_layers`)."""
        return only_hides(self._widest(scenario), self.full_layers(scenario))

    def _widest(self, scenario: Scenario) -> Layers:
        """The view's selection with every layer and the widest certainty filters."""
        return self._select(self.drawn(scenario).with_every_layer().with_every_certainty())

    def shown_layers(self, scenario: Scenario) -> Layers:
        """What a view shows (its own layers)."""
        return self._select(plain(scenario).model_copy(update={"focus": None}))

    def figure_key(self, scenario: Scenario) -> str:
        """What the figure depends on besides which layers it shows and in which certainty
        state: every field but the layers, the certainty filters and titles (the sentence only
        when it widens the view), how the shown layers frame the map (a toggle that re-frames
        it, or adds or removes the Europe inset, draws the map anew), and the certainty filters
        when the map draws the view's own selection (see `drawing_layers`)."""
        drawn = self.drawn(scenario)
        data = drawn.model_dump(
            mode="json",
            by_alias=True,
            exclude={"layers", "directions", "basis", "modality", *TITLES},
        )
        data["framing"] = _plain_framing(self._framing(drawn))
        if not self.draws_every_certainty(scenario):
            data["certainty"] = scenario.certainty()
        data["reconstruction"] = is_reconstruction(scenario)  # its map carries a note
        return json.dumps(data, sort_keys=True)

    def _framed(self, drawn: Scenario) -> Framing:
        """How the map of a view (as `drawn`) is framed with its own layers shown: for all it
        draws (every certainty its filters only hide: `drawing_layers`)."""
        return framing(self.drawing_layers(drawn), self.atlas, {*drawn.layers, BASE_LAYER})

    def _same_frames(self, scenario: Scenario, pause: Pause) -> tuple[str, str]:
        """What the page may toggle to without the server: (for each set of layers, bit i
        LAYERS[i], "1" when the view's map with those layers is framed as it is, else "0": see
        `_frame_table`; for each certainty state, geodata.certainty.CERTAINTY_STATES, "1" when
        the map shows the view in that state by hiding what it leaves out, else "0").

        The map is framed for all it draws, so a certainty toggle never re-frames it: a state
        shows by hiding when the map draws every certainty and the state only hides items of it
        (geodata.select.only_hides), which it always does in a view that names no groupings
        (only a named grouping's members and what depends on them are taken away otherwise)."""
        selected = self.drawn(scenario).with_every_layer()
        every = self.draws_every_certainty(scenario)
        if every:
            selected = selected.with_every_certainty()
        table = self._frame_table(selected, pause)
        own = table[layer_bits(scenario.layers)]
        frames = "".join("01"[frame == own] for frame in table)
        if not every:
            return frames, "".join(
                "01"[state == scenario.certainty()] for state in CERTAINTY_STATES
            )
        if not scenario.groupings:
            return frames, "1" * len(CERTAINTY_STATES)
        widest = self._widest(scenario)
        states = []
        for basis, modality in CERTAINTY_STATES:
            other = scenario.model_copy(update={"basis": basis, "modality": modality})
            states.append(only_hides(widest, self.full_layers(other)))
            pause()
        return frames, "".join("01"[alike] for alike in states)

    def _frame_table(self, selected: Scenario, pause: Pause) -> tuple[str, ...]:
        """The framing of the selection of `selected` (every layer) for each set of layers, as
        JSON texts (memoised per selection in every language: the framing has none)."""
        return self._frames(selected.model_copy(update={"lang": LANGS[0]}), pause)

    def _frames_of(self, selected: Scenario, pause: Pause) -> tuple[str, ...]:
        sets = [
            {BASE_LAYER, *(x for i, x in enumerate(LAYERS) if mask >> i & 1)}
            for mask in range(1 << len(LAYERS))
        ]
        found = framings(self._select(selected), self.atlas, sets, pause)
        texts = {frame: json.dumps(_plain_framing(frame)) for frame in set(found)}
        return tuple(texts[frame] for frame in found)

    # --- built maps -------------------------------------------------------------------------

    def figure(self, scenario: Scenario) -> dict[str, Any]:
        """The view's figure as plain JSON data (memoised and shared: do not change it)."""
        return self._parsed(self.built_map(scenario))

    def built_map(self, scenario: Scenario) -> BuiltMap:
        """The view's map, from the presets' precomputed maps or the bounded cache of others."""
        built = self.cached_map(scenario)
        if built is None:
            key = self.drawn(scenario)
            built = self._build_map(key)
            with self._cache_lock, contextlib.suppress(ValueError):  # ValueError: over the budget
                self.cache[key] = built
        return built

    def cached_map(self, scenario: Scenario) -> BuiltMap | None:
        """The view's map if it is at hand (precomputed or cached), without building it."""
        key = self.drawn(scenario)
        if key in self._preset_maps:
            return self._preset_maps[key]
        with self._cache_lock:
            return self.cache.get(key)

    def precompute_presets(self) -> int:
        """Build and keep (never evicted) the map of the default view and of every preset, in
        every language; returns how many. Servers call it before forking: workers share them."""
        for view in (Scenario(), *self.presets.values()):
            for lang in LANGS:
                key = self.drawn(view.model_copy(update={"lang": lang}))
                self._preset_maps[key] = self.cached_map(key) or self._build_map(key)
        return len(self._preset_maps)

    def _build_map(self, scenario: Scenario) -> BuiltMap:
        pause = taking_turns()
        layers = self.drawing_layers(scenario)
        pause()
        traces, layout, countries, frame = figure_parts(
            layers,
            self.atlas,
            visible_layers=scenario.layers,
            directions=scenario.directions,
            size=(DASHBOARD_MAP_WIDTH, DASHBOARD_MAP_WIDTH),  # (the height: fit_height's own)
            level_of_detail=True,
            fit_height=True,
            pause=pause,
            certainty=scenario.certainty(),
        )
        pause()
        frames, states = self._same_frames(scenario, pause)
        pause()
        traces.append(self._focus_ring(scenario).to_plotly_json())
        figure_layout = layout.to_plotly_json()
        # the plot area's height / width the map was laid out for: with the layout's margins, what
        # sizes the page's map cell to it (assets/atlas.js, fitBox; the page's first map has it
        # as the cell's style: `box`). A number, which plotly.js compares by value (see below).
        figure_layout["meta"] = map_aspect_of(frame)
        # what the page needs to show any set of layers without asking the server (a layer
        # toggle in assets/atlas.js, toggleLayers): it travels with the figure it belongs to, in
        # the meta of the main map's countries trace (the main map's records at the top, an
        # inset's in `insets`); `frames`: for each set of layers (bit i: LAYERS[i] shown), "1"
        # when the map is framed as this one is, so a toggle to it stays in the page; "0" when
        # it re-frames the map or adds or removes the Europe inset (then the page asks the
        # server for the new map); `states`: for each certainty state (geodata.certainty), "1"
        # when the map shows it by hiding what it leaves out, "0" when it needs items the map
        # does not draw (see _same_frames); `keys`: the layer keys a toggle shows and hides (a
        # layer's, a threat direction's: geodata.scenario.shown_keys; a trace's may be limited
        # to some certainty states: figures.states). Not in the layout: dcc.Graph hands
        # plotly.js a deep copy of the layout on every update, and plotly.js redraws the whole
        # map when a layout object it cannot compare (meta, template) is a new one, even when
        # nothing changed.
        (main_index, main_fills), *insets = countries
        traces[main_index] = traces[main_index] | {
            "meta": traces[main_index]["meta"]
            | {
                "toggle": {
                    "countries": main_index,
                    "always": [BASE_LAYER, FOCUS_RING_LAYER],
                    "layers": list(LAYERS),
                    "keys": [*LAYERS, *DIRECTION_KEYS],
                    **browser_records(main_fills),
                    "insets": [
                        {"countries": index, **browser_records(fills)} for index, fills in insets
                    ],
                    "frames": frames,
                    "states": states,
                }
            }
        }
        figure_layout["datarevision"] = data_revision(traces, {i for i, _ in countries})
        # (no template: plotly's default one draws nothing this map does not set itself)
        figure = {"data": traces, "layout": figure_layout}
        layers = tuple(trace_layer(trace) for trace in traces)
        geos = [layout.geo, *([layout.geo2] if "geo2" in figure_layout else [])]
        basemaps = tuple(
            sorted({basemap_file(geo.resolution, geo.scope or "world") for geo in geos})
        )
        # NaN and infinity as null
        return BuiltMap(
            orjson.dumps(figure).decode(), layers, countries, basemaps, map_box_style(frame)
        )

    def basemaps(self, scenario: Scenario) -> tuple[str, ...]:
        """The files of the base maps the view's map draws (without building the map): its main
        map's, and the inset's (Europe at 1:50m: inset.INSET_BASEMAP)."""
        built = self.cached_map(scenario)
        if built is not None:
            return built.basemaps
        view, inset = self._framing(self.drawn(scenario))
        return tuple(
            sorted({basemap_file(resolution_for(view)), *([INSET_BASEMAP] if inset else [])})
        )

    def _focus_ring(self, scenario: Scenario) -> go.Scattergeo:
        """A ring around the focused item, where the view is centred on it (always present,
        empty without a focus)."""
        point = focus_point(self.atlas, scenario.focus)
        lon, lat = ([point[0]], [point[1]]) if point else ([], [])
        label = [item_name(self.atlas, scenario.focus, scenario.lang)] if point else []
        return go.Scattergeo(
            lon=lon,
            lat=lat,
            hovertext=label,
            customdata=[scenario.focus] if point else [],
            mode="markers",
            marker={
                "size": 30,
                "symbol": "circle-open",
                "color": FOCUS_COLOUR,
                "line": {"width": 3, "color": FOCUS_COLOUR},
            },
            hoverinfo="text",
            showlegend=False,
            name="focus",
            meta={"layer": FOCUS_RING_LAYER},
        )

    # --- what the browser gets ----------------------------------------------------------------

    def full_map(self, scenario: Scenario) -> tuple[orjson.Fragment, dict[str, Any]]:
        """The whole figure of a view as JSON text that Dash writes into its response as it is
        (not parsed and serialised again), and the record later updates are computed against."""
        return self._whole(scenario, self.built_map(scenario))

    def _whole(self, scenario: Scenario, built: BuiltMap) -> tuple[orjson.Fragment, dict[str, Any]]:
        """`full_map` of a view whose map is already at hand."""
        return orjson.Fragment(built.figure_json), self._rendered(scenario, built)

    def initial_map(self, scenario: Scenario | None) -> tuple[str, str, str]:
        """The map of the page's view for the first layout response, as JSON texts of
        (`map.figure`, `rendered.data`, the style of the map's cell: its box sized to it), so
        the browser draws it without a callback round trip, in a box that does not change when
        it comes.

        The sync callback later reads the page's URL with the same parser and finds the map
        already drawn. Without a view (no page URL) the map is left to the callbacks."""
        if scenario is None:
            return json.dumps(EMPTY_FIGURE), "null", "null"
        built = self.built_map(scenario)
        figure = built.figure_json
        if scenario.sentence:  # painted with the first drawing (no flash of the plain map)
            figure = orjson.dumps(self._with_emphasis(self._parsed(built), scenario)).decode()
        return figure, json.dumps(self._rendered(scenario, built)), json.dumps(built.box)

    def _with_emphasis(self, figure: dict[str, Any], scenario: Scenario) -> dict[str, Any]:
        """The figure saying what the page paints emphasised on it (assets/atlas.js,
        listenToRedraws): the view's sentence and the items it emphasises, in the meta of the
        trace that carries the toggle data (never in the layout: see `_build_map`). The page
        paints the emphasis on the drawn map rather than drawing it from the figure (which
        plotly would draw again whole at each change)."""
        emphasis = {
            "sentence": scenario.sentence,
            "items": list(sentence_items(self.atlas, scenario.sentence or "")),
        }
        data = [
            trace | {"meta": trace["meta"] | {"emphasis": emphasis}}
            if "toggle" in (trace.get("meta") or {})
            else trace
            for trace in figure["data"]
        ]
        return {**figure, "data": data}

    @staticmethod
    def locale(scenario: Scenario, rendered: Any) -> Any:
        """The language of plotly's own texts (the modebar's tooltips: the graph's config
        `locale`) to send with the update of the map to `scenario`; KEEP while the browser's map
        (`rendered`) is drawn in that language. (The graph applies a new config only with a new
        figure, so it goes with the map's update, never on its own.)"""
        built = rendered.get("built") if isinstance(rendered, dict) else None
        if isinstance(built, dict) and built.get("lang") == scenario.lang:
            return KEEP
        return scenario.lang

    def _rendered(self, scenario: Scenario, built: BuiltMap) -> dict[str, Any]:
        return {
            "key": self.figure_key(scenario),
            # the view the browser's figure was last drawn for, apart from later layer flips
            "built": self.drawn(scenario).model_dump(mode="json", by_alias=True),
            "traces": list(built.trace_layers),
            # the layer keys whose traces the browser's figure shows (after any later flips),
            # and the certainty state it shows them in
            "layers": list(scenario.shown_keys()),
            "state": state_index(*scenario.certainty()),
        }

    def render(self, scenario: Scenario, rendered: dict[str, Any] | None) -> tuple[Any, Any]:
        """(the update of the browser's map to the view `scenario`, the new record of it).

        Only `layers` changed: Edits hiding or showing the traces of the toggled layers and
        restyling the countries trace when they fill countries (no geometry; labels stay where
        they were placed), KEEP when nothing changes. Anything else: the difference between the
        browser's figure and the new one as Edits (traces matched by uid: see
        patches.figure_edits) when they are smaller than the new figure and the browser's figure
        is still in this process's cache, else the whole new figure (as JSON text, see
        `full_map`). `rendered` is the record of the browser's figure (see `_rendered`).
        """
        if not isinstance(rendered, dict) or not rendered.keys() >= RENDERED_KEYS:
            return self.full_map(scenario)
        if rendered["key"] == self.figure_key(scenario):
            return self._flip_layers(scenario, rendered)
        built = self.built_map(scenario)
        full, new_rendered = self._whole(scenario, built)
        try:
            before_built = self.cached_map(Scenario.model_validate(rendered["built"]))
        except ValidationError:
            return full, new_rendered
        if before_built is None:  # building the browser's figure again costs more than it saves
            return full, new_rendered
        before = self._parsed(before_built)
        shown_layers, state = set(rendered["layers"]), _state_of(rendered)
        shown = dict(before)
        shown["data"] = [
            trace
            if layer in (BASE_LAYER, FOCUS_RING_LAYER)
            else showing(trace, shown_by(layer, shown_layers | {BASE_LAYER}, state))
            for trace, layer in zip(before["data"], rendered["traces"], strict=False)
        ]
        # (restyled by the flips too)
        for index, style in before_built.country_styles(shown_layers, state):
            if index < len(shown["data"]):
                shown["data"][index] = style.applied(shown["data"][index])
        edits = figure_edits(shown, self._parsed(built))
        if edits.size() >= len(built.figure_json):
            return full, new_rendered
        return edits, new_rendered

    def _flip_layers(self, scenario: Scenario, rendered: dict[str, Any]) -> tuple[Any, Any]:
        """The edits of what a change of the shown layers or certainty state changes: the
        traces that show or no longer show hidden or shown (dashboard.figures.hiding) and,
        when the countries' fills or outlines change, the style of the countries trace (never
        its locations)."""
        was, now = set(rendered["layers"]), set(scenario.shown_keys())
        was_state, now_state = _state_of(rendered), state_index(*scenario.certainty())
        if was == now and was_state == now_state:
            return KEEP, rendered
        built = self._same_figure(scenario, rendered)
        if list(built.trace_layers) != list(rendered["traces"])[: len(built.trace_layers)]:
            return self.full_map(scenario)  # not the browser's figure after all
        edits = Edits()
        data = self._parsed(built)["data"]
        for index, layer in enumerate(rendered["traces"]):
            if layer in (BASE_LAYER, FOCUS_RING_LAYER):
                continue
            shown_before = shown_by(layer, was | {BASE_LAYER}, was_state)
            shown_after = shown_by(layer, now | {BASE_LAYER}, now_state)
            if shown_before != shown_after:
                trace = data[index]
                trace_edits(edits, index, showing(trace, shown_before), showing(trace, shown_after))
        for (index, _), (_, before), (_, after) in zip(
            built.countries,
            built.country_styles(was, was_state),
            built.country_styles(now, now_state),
            strict=True,
        ):
            if before != after:
                restyle_edits(edits, index, before, after)
        new_rendered = rendered | {"layers": list(scenario.shown_keys()), "state": now_state}
        if not edits:
            return KEEP, new_rendered
        return edits, new_rendered

    def _same_figure(self, scenario: Scenario, rendered: dict[str, Any]) -> BuiltMap:
        """The map the browser shows (of `scenario`'s figure key, built for the layers it first
        showed: its framing, inset and so its traces depend on them): at hand, or built again;
        `scenario`'s own when the record does not say which it is."""
        try:
            drawn = Scenario.model_validate(rendered["built"])
        except ValidationError:
            drawn = None
        if drawn is not None and self.figure_key(drawn) == self.figure_key(scenario):
            return self.built_map(drawn)
        return self.built_map(scenario)


def layer_bits(layers: tuple[str, ...]) -> int:
    """A set of layers as bits (bit i: LAYERS[i] shown), as the toggle data indexes them."""
    return sum(1 << i for i, layer in enumerate(LAYERS) if layer in layers)


def _state_of(rendered: dict[str, Any]) -> int:
    """The certainty state the browser's figure shows (the widest in a record without one)."""
    state = rendered.get("state")
    return state if isinstance(state, int) and 0 <= state < len(CERTAINTY_STATES) else WIDEST_STATE


def data_revision(traces: list[dict[str, Any]], countries: set[int]) -> str:
    """The map's `layout.datarevision`: a digest of its traces but for what the page restyles in
    place (a trace's hiding style, dashboard.figures.hiding; the countries traces' fills,
    outlines and hover texts, countries.STYLE_PATHS). With a revision set, plotly.js takes a
    new array as new data only when the revision changes: every other change of the map's data
    comes with a new one, and the page draws the countries' new style itself (assets/atlas.js,
    syncCountries) instead of plotly.js calculating and drawing every trace again."""
    kept = [
        without(
            trace,
            [*(path for path, _ in hidden_style(trace)), *(STYLE_PATHS if i in countries else ())],
        )
        for i, trace in enumerate(traces)
    ]
    return hashlib.sha1(orjson.dumps(kept, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]


def taking_turns(turn: float = TURN) -> Pause:
    """A pause for the steps of a map build (~50 ms of CPU in all; its drawing pauses after each
    layer and label, see figures.labels.Pause) that lets this worker's other requests run once
    a `turn` (seconds) has gone since it last did. The production server's workers run their
    requests as gevent greenlets of one thread, which take turns only where one waits: without
    pauses, a request arriving during a build waits for all of it (see `_waiting_time`)."""
    last = time.perf_counter()
    wait = _waiting_time()

    def pause() -> None:
        nonlocal last
        if time.perf_counter() - last >= turn:
            time.sleep(wait)
            last = time.perf_counter()

    return pause


def _waiting_time() -> float:
    """How long a pause sleeps. Under gevent (which patches `time.sleep`), a tick: its sleep(0)
    runs the greenlets already ready but may go on without reading the sockets for a while (50
    pauses here: its documentation of `gevent.sleep` warns of it), so a request that arrived
    meanwhile would wait unread; a sleep of more than 0 waits for the next turn of the event
    loop, which reads them. Elsewhere 0 (other threads run at once)."""
    return GEVENT_TICK if time.sleep.__module__.startswith("gevent") else 0.0


def _plain_framing(frame: Framing) -> list[Any]:
    """How a map is framed (its view and whether it has the inset) as plain data."""
    view, inset = frame
    rounded = [round(x, 3) if isinstance(x, float) else x for x in _flat(astuple(view))]
    return [rounded, inset]


def _flat(values: Any) -> list[Any]:
    """Nested tuples as one flat list."""
    if isinstance(values, tuple | list):
        return [x for value in values for x in _flat(value)]
    return [float(values) if isinstance(values, float) else values]
