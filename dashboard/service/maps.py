"""The maps of views: built once per view (the presets' precomputed, others in a cache bounded in
bytes), sent whole in the first layout response, and afterwards as little as possible: the
layers a toggle flips, or the difference from the browser's figure.

The record of the browser's figure (`rendered`, a store of the page) says which view it was
built for, which layer each of its traces belongs to and which layers it shows now.
"""

from __future__ import annotations

import contextlib
import json
import threading
from dataclasses import dataclass
from functools import cache, lru_cache
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
    browser_records,
    country_style,
    figure_parts,
)
from dashboard.figures.emphasis import emphasis_points, emphasized, sentence_items
from dashboard.figures.geo import focus_point, make_view, resolution_for, shows
from dashboard.figures.notes import is_reconstruction
from dashboard.service.models import KEEP, Edits
from dashboard.service.patches import figure_edits, restyle_edits
from dashboard.service.views import Views
from geodata.atlas import Atlas
from geodata.scenario import LANGS, LAYERS, Scenario
from geodata.select import Layers, select

FOCUS_RING_LAYER = "focus"
FOCUS_COLOUR = "#d1008f"
PATCH_SHARE = 0.5  # send a figure's difference only when it is under half the figure's size
TITLES = ("id", "title_ja", "title_en", "description_ja", "description_en")
RENDERED_KEYS = {"key", "built", "traces", "layers"}
EMPTY_FIGURE = {"data": [], "layout": {}}
# Per process, for views other than the default and the presets (those are precomputed and kept):
# maps as JSON (~0.2 MB each), selections (~0.16 MB each).
MAP_CACHE_BYTES = 2 * 2**20
SELECTIONS_KEPT = 8
# The size the dashboard's map is laid out for (legend beside or under it, labels placed): the
# map column of a 1600 px wide window, a little less; larger screens only get more room.
DASHBOARD_MAP_SIZE = (1200, 675)


@dataclass(frozen=True)
class BuiltMap:
    """A view's map: the figure as JSON text, the layer of each of its traces, and what a layer
    toggle restyles its countries trace from (the same for every set of shown layers of a
    figure key) and where that trace is."""

    figure_json: str
    trace_layers: tuple[str, ...]
    countries: CountryFills
    countries_index: int
    resolution: int  # of its base map (see dashboard.figures.geo.resolution_for)

    def size(self) -> int:
        """About the bytes it holds: its JSON text and the countries' hover texts (the bulk of
        its country records)."""
        return len(self.figure_json) + sum(map(len, self.countries.hover))

    def country_style(self, layers: set[str]) -> CountryStyle:
        """The style of its countries trace with `layers` shown (and the base layer)."""
        return country_style(self.countries, layers | {BASE_LAYER})


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

    # --- what a view draws ----------------------------------------------------------------

    def drawn(self, scenario: Scenario) -> Scenario:
        """The view a map is built for: `plain`, keeping the sentence only when the map's view
        is widened to show what the sentence emphasises (see geo.make_view's `keep`); else the
        page emphasises it on the map of the view without it."""
        key = plain(scenario)
        if scenario.sentence and self._widens(key, scenario.sentence):
            return key.model_copy(update={"sentence": scenario.sentence})
        return key

    def _sentence_widens(self, key: Scenario, sentence: str) -> bool:
        layers = self._select(key.model_copy(update={"layers": LAYERS}))
        view = make_view(layers, self.atlas, {*key.layers, BASE_LAYER})
        return not shows(view, emphasis_points(layers, self.atlas, sentence))

    def full_layers(self, scenario: Scenario) -> Layers:
        """Every layer of a view (the figure draws them all and hides the unticked ones)."""
        return self._select(self.drawn(scenario).model_copy(update={"layers": LAYERS}))

    def shown_layers(self, scenario: Scenario) -> Layers:
        """What a view shows (its own layers)."""
        return self._select(plain(scenario).model_copy(update={"focus": None}))

    def figure_key(self, scenario: Scenario) -> str:
        """What, besides `layers`, the figure depends on (focus included: it moves the view; the
        sentence only when it widens the view)."""
        data = self.drawn(scenario).model_dump(
            mode="json", by_alias=True, exclude={"layers", *TITLES}
        )
        data["reconstruction"] = is_reconstruction(scenario)  # its map carries a note
        return json.dumps(data, sort_keys=True)

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
                key = plain(view.model_copy(update={"lang": lang}))
                self._preset_maps[key] = self.cached_map(key) or self._build_map(key)
        return len(self._preset_maps)

    def _build_map(self, scenario: Scenario) -> BuiltMap:
        traces, layout, countries, countries_index = figure_parts(
            self.full_layers(scenario),
            self.atlas,
            visible_layers=scenario.layers,
            size=DASHBOARD_MAP_SIZE,
            level_of_detail=True,
        )
        traces.append(self._focus_ring(scenario).to_plotly_json())
        figure_layout = layout.to_plotly_json()
        # what the page needs to show any set of layers without asking the server (a layer
        # toggle in assets/atlas.js, toggleLayers): it travels with the figure it belongs to
        figure_layout["meta"] = figure_layout.get("meta", {}) | {
            "toggle": {
                "countries": countries_index,
                "always": [BASE_LAYER, FOCUS_RING_LAYER],
                "layers": list(LAYERS),
                **browser_records(countries),
            }
        }
        figure = {
            "data": traces,
            # as a go.Figure would have it: with the default template
            "layout": figure_layout | {"template": _default_template()},
        }
        layers = tuple(trace["meta"]["layer"] for trace in traces)
        resolution = layout.geo.resolution
        # NaN and infinity as null
        return BuiltMap(
            orjson.dumps(figure).decode(), layers, countries, countries_index, resolution
        )

    def resolution(self, scenario: Scenario) -> int:
        """The resolution of the base map the view's map draws (without building the map)."""
        built = self.cached_map(scenario)
        if built is not None:
            return built.resolution
        visible = {*scenario.layers, BASE_LAYER}
        return resolution_for(make_view(self.full_layers(scenario), self.atlas, visible))

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

    def initial_map(self, scenario: Scenario | None) -> tuple[str, str]:
        """The map of the page's view for the first layout response, as JSON texts of
        (`map.figure`, `rendered.data`), so the browser draws it without a callback round trip.

        The sync callback later reads the page's URL with the same parser and finds the map
        already drawn. Without a view (no page URL) the map is left to the callbacks."""
        if scenario is None:
            return json.dumps(EMPTY_FIGURE), "null"
        built = self.built_map(scenario)
        figure = built.figure_json
        if scenario.sentence:  # drawn as the page will emphasise it (no flash of the plain map)
            items = sentence_items(self.atlas, scenario.sentence)
            figure = orjson.dumps(emphasized(self._parsed(built), items)).decode()
        return figure, json.dumps(self._rendered(scenario, built))

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
            # the layers whose traces the browser's figure shows (after any later flips)
            "layers": list(scenario.layers),
        }

    def render(self, scenario: Scenario, rendered: dict[str, Any] | None) -> tuple[Any, Any]:
        """(the update of the browser's map to the view `scenario`, the new record of it).

        Only `layers` changed: Edits flipping `visible` on the traces of the toggled layers and
        restyling the countries trace when they fill countries (no geometry; labels stay where
        they were placed), KEEP when nothing changes. Anything else: the difference between the
        browser's figure and the new one as Edits when that is much smaller than the figure
        (e.g. a new focus that keeps the same traces) and the browser's figure is still in this
        process's cache, else the whole new figure (as JSON text, see `full_map`). `rendered`
        is the record of the browser's figure (see `_rendered`).
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
        shown_layers = set(rendered["layers"])
        shown = dict(before)
        shown["data"] = [
            trace
            if layer in (BASE_LAYER, FOCUS_RING_LAYER)
            else trace | {"visible": layer in shown_layers}
            for trace, layer in zip(before["data"], rendered["traces"], strict=False)
        ]
        index = before_built.countries_index  # restyled by the flips too
        if index < len(shown["data"]):
            style = before_built.country_style(shown_layers)
            shown["data"][index] = style.applied(shown["data"][index])
        edits = figure_edits(shown, self._parsed(built))
        if edits is None or edits.size() > PATCH_SHARE * len(built.figure_json):
            return full, new_rendered
        return edits, new_rendered

    def _flip_layers(self, scenario: Scenario, rendered: dict[str, Any]) -> tuple[Any, Any]:
        """The edits of what a change of the shown layers changes: `visible` on the traces of the
        toggled layers and, when those fill or outline countries, the style of the countries
        trace (never its locations)."""
        was, now = set(rendered["layers"]), set(scenario.layers)
        if was == now:
            return KEEP, rendered
        edits = Edits()
        for index, layer in enumerate(rendered["traces"]):
            if layer not in (BASE_LAYER, FOCUS_RING_LAYER) and (layer in was) != (layer in now):
                edits.assign(["data", index, "visible"], layer in now)
        built = self._same_figure(scenario, rendered)
        if any(layer in was ^ now for layer, _ in built.countries.layers):
            before, after = built.country_style(was), built.country_style(now)
            restyle_edits(edits, built.countries_index, before, after)
        if not edits:
            return KEEP, rendered
        return edits, rendered | {"layers": list(scenario.layers)}

    def _same_figure(self, scenario: Scenario, rendered: dict[str, Any]) -> BuiltMap:
        """A map of the browser's figure key (`scenario`'s), whichever layers it was built to show
        (its traces and country records are the browser's figure's): one at hand if there is one,
        else `scenario`'s, built."""
        try:
            drawn = Scenario.model_validate(rendered["built"])
        except ValidationError:
            drawn = None
        built = None
        if drawn is not None and self.figure_key(drawn) == self.figure_key(scenario):
            built = self.cached_map(drawn)
        return built or self.built_map(scenario)


@cache
def _default_template() -> dict[str, Any]:
    """plotly's default template, as a new go.Figure puts it in its layout (shared: do not
    change it)."""
    return go.Figure().to_plotly_json()["layout"]["template"]
