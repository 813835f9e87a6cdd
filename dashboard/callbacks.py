"""Thin callbacks: parse the state, call the pure functions, return values or a Patch.

The whole view is one `Scenario`, kept in the URL query (`url.search`, Scenario.to_query /
from_query) and mirrored in the `view` store. The `sync` callback is the only writer of both:
it turns a URL into control values, and a control change (or a click, an upload, a preset)
into a new URL. Everything else (the map, the table, the details panel, the comparison) is drawn
from the `view` store.

`Controller` holds the logic as plain methods taking the inputs as arguments, so the tests can
call them directly; `register` wires them to Dash.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any
from urllib.parse import urlsplit

import orjson
import plotly.graph_objects as go
from dash import ALL, Dash, Input, Output, Patch, State, ctx, dcc, html, no_update
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate
from pydantic import ValidationError

from dashboard.byte_cache import ByteLRU
from dashboard.details import (
    COLUMNS,
    Role,
    country_rows,
    diff_rows,
    item_name,
    layer_counts,
    roles_of,
    view_rows,
)
from dashboard.export import FORMATS as EXPORT_FORMATS
from dashboard.export import ExportError
from dashboard.export import render as render_view
from dashboard.i18n import t
from dashboard.layout import (
    CONTROL_PROPS,
    PROPOSALS_ON,
    options_for,
    placeholders_for,
)
from geodata.atlas import Atlas
from geodata.scenario import LANGS, LAYERS, Scenario, ScenarioError
from geodata.select import Layers, select
from geodata.validate import check_scenario_ids, focus_ids

logger = logging.getLogger(__name__)

CONTROL_IDS = tuple(f"{cid}.{prop}" for cid, prop in CONTROL_PROPS)
# every output of `sync`, in order
SYNC_OUTPUTS = (
    ("url", "search"),
    *CONTROL_PROPS,
    ("view", "data"),
    ("notice-url", "children"),
    ("notice-error", "children"),
    ("upload-message", "children"),
    ("selected", "data"),
    # the panels that follow the view (see Controller.panels)
    ("view-title", "children"),
    ("view-description", "children"),
    ("details", "children"),
    ("details-key", "data"),
    # what asks the table and the comparison to be drawn again (see Controller.requests)
    ("table-request", "data"),
    ("compare-view", "data"),
)
FOCUS_RING_LAYER = "focus"
FOCUS_COLOUR = "#d1008f"
PATCH_SHARE = 0.5  # send a figure diff only when it is under half the figure's size
_TITLES = ("id", "title_ja", "title_en", "description_ja", "description_en")
_DEFAULT_PROJECTION = Scenario.model_fields["projection"].default
_RENDERED_KEYS = {"key", "built", "traces", "layers"}
MAX_UPLOAD_BYTES = 200_000
# Per process, for views other than the default and the presets (those are precomputed and kept):
# maps as JSON (~0.2 MB each), selections (~0.16 MB each), tables (~0.6 MB each).
MAP_CACHE_BYTES = 2 * 2**20
SELECTIONS_KEPT = 8
TABLES_KEPT = 4
EMPTY_FIGURE = {"data": [], "layout": {}}
# The size the dashboard's map is laid out for (legend beside or under it, labels placed): the
# map column of a 1600 px wide window, a little less; larger screens only get more room.
DASHBOARD_MAP_SIZE = (1200, 675)
MAP_WAIT_MS = 5000
# the page's clientside callbacks that hand a value on unchanged (for models of the page that
# run only the server callbacks): the view goes to the table once the map is drawn
CLIENTSIDE_COPIES = {("table-request", "data"): ("table-view", "data")}
# the controls whose option labels follow the language, in the translate callback's order
OPTION_IDS = (
    "scenario",
    "layers",
    "groupings",
    "directions",
    "domains",
    "basis",
    "proposals",
    "focus",
    "projection",
    "compare-mode",
    "compare-with",
)


@dataclass(frozen=True)
class BuiltMap:
    """A view's map: the figure as JSON text, the layer of each of its traces, and what a layer
    toggle restyles its countries trace from (dashboard.figures.CountryFills: the same for every
    set of shown layers of a figure key) and where that trace is."""

    figure_json: str
    trace_layers: tuple[str, ...]
    countries: Any  # dashboard.figures.CountryFills
    countries_index: int

    def size(self) -> int:
        """About the bytes it holds: its JSON text and the countries' hover texts (the bulk of
        its country records)."""
        return len(self.figure_json) + sum(map(len, self.countries.hover))


def _figure_module() -> Any:
    """dashboard.figures, imported late (it is written separately and may be absent)."""
    from dashboard import figures

    return figures


class Controller:
    """The dashboard's behaviour, independent of Dash's request machinery."""

    def __init__(self, atlas: Atlas, presets: dict[str, Scenario], default_lang: str = "ja"):
        self.atlas = atlas
        self.presets = presets
        self.default_lang = default_lang if default_lang in LANGS else "ja"
        self.focusable = focus_ids(atlas.knowledge)
        self.actor_ids = {a.id for a in atlas.knowledge.actors}
        self.grouping_ids = {g.id for g in atlas.knowledge.groupings}
        self.options = {lang: options_for(atlas, presets, lang) for lang in LANGS}
        self._select = lru_cache(maxsize=SELECTIONS_KEPT)(lambda s: select(atlas, s))
        self._maps: ByteLRU[Scenario, BuiltMap] = ByteLRU(MAP_CACHE_BYTES, BuiltMap.size)
        self._preset_maps: dict[Scenario, BuiltMap] = {}
        # the last few maps parsed (a view change diffs the browser's figure against the new one)
        self._parsed = lru_cache(maxsize=4)(lambda built: orjson.loads(built.figure_json))
        self._table = lru_cache(maxsize=TABLES_KEPT)(self._build_table)

    # --- scenario <-> URL <-> controls ---------------------------------------------------------

    def default_scenario(self) -> Scenario:
        return Scenario(lang=self.default_lang)  # type: ignore[call-arg]

    def parse_search(self, search: str | None) -> tuple[Scenario, list[str]]:
        """The view a URL query describes, and a notice for every part that was ignored."""
        search = search or ""
        scenario, notices = Scenario.from_query(search, self.presets)
        keys = {part.split("=", 1)[0] for part in search.lstrip("?").split("&") if part}
        if "lang" not in keys or any(n.startswith("ignored lang=") for n in notices):
            scenario = scenario.model_copy(update={"lang": self.default_lang})
        problems = check_scenario_ids(scenario, self.atlas.knowledge)
        if problems:
            scenario = scenario.model_copy(
                update={
                    "groupings": tuple(g for g in scenario.groupings if g in self.grouping_ids),
                    "focus": scenario.focus if scenario.focus in self.focusable else None,
                }
            )
            notices += [f"ignored {problem}" for problem in problems]
        return scenario, notices

    def query_of(self, scenario: Scenario) -> str:
        """The URL query of a view ('?…'); the id only when it names a bundled preset."""
        if scenario.id and scenario.id not in self.presets:
            scenario = scenario.model_copy(update={"id": None})
        return "?" + scenario.to_query()

    def controls_of(self, scenario: Scenario) -> list[Any]:
        """The control values that show `scenario`, in CONTROL_PROPS order."""
        return [
            scenario.id if scenario.id in self.presets else None,
            scenario.lang,
            list(scenario.layers),
            list(scenario.groupings),
            list(scenario.directions),
            list(scenario.domains),
            scenario.date_from.isoformat() if scenario.date_from else None,
            scenario.date_to.isoformat() if scenario.date_to else None,
            scenario.basis,
            [PROPOSALS_ON] if scenario.proposals else [],
            scenario.focus if scenario.focus in self.actor_ids else None,
            scenario.projection,
        ]

    def scenario_from_controls(
        self, base: Scenario, values: dict[str, Any], *, use_focus: bool = False
    ) -> Scenario:
        """`base` with the control values applied; raises ValueError for an invalid combination."""
        fields = base.model_dump(by_alias=True)

        def day(value: Any) -> str | None:
            return str(value)[:10] if value else None

        fields |= {
            "lang": values.get("lang.value") or base.lang,
            "layers": list(values.get("layers.value") or []),
            "groupings": [g for g in values.get("groupings.value") or [] if g in self.grouping_ids],
            "directions": list(values.get("directions.value") or []),
            "domains": list(values.get("domains.value") or []),
            "from": day(values.get("date-range.start_date")),
            "to": day(values.get("date-range.end_date")),
            "basis": values.get("basis.value") or base.basis,
            "proposals": PROPOSALS_ON in (values.get("proposals.value") or []),
            "projection": values.get("projection.value") or base.projection,
        }
        if use_focus:
            fields["focus"] = values.get("focus.value") or None
        try:
            return Scenario.model_validate(fields)
        except ValidationError as error:
            messages = "; ".join(e["msg"] for e in error.errors())
            raise ValueError(messages) from None

    def view_data(self, scenario: Scenario) -> dict[str, Any]:
        return {
            "scenario": scenario.model_dump(mode="json", by_alias=True),
            "query": self.query_of(scenario),
        }

    def scenario_of(self, view: dict[str, Any] | None) -> Scenario:
        if not view:
            return self.default_scenario()
        return Scenario.model_validate(view["scenario"])

    def load_upload(
        self, contents: str | None, filename: str | None, lang: str
    ) -> tuple[Scenario | None, Any]:
        """(the uploaded scenario, None) or (None, a message saying why it cannot be used)."""
        label = filename or "?"
        try:
            _, data = (contents or "").split(",", 1)
            raw = base64.b64decode(data, validate=True)
        except (ValueError, binascii.Error):
            raw = None
        if raw is not None and len(raw) > MAX_UPLOAD_BYTES:
            reason = t("load.too_large", lang, limit=MAX_UPLOAD_BYTES // 1000)
            return None, _message(t("load.bad", lang, name=label), [reason], "bad")
        try:
            text = raw.decode("utf-8") if raw is not None else None
        except UnicodeDecodeError:
            text = None
        if text is None:
            return None, _message(
                t("load.bad", lang, name=label), [t("load.unreadable", lang)], "bad"
            )
        try:
            scenario = Scenario.from_yaml(text)
        except ScenarioError as error:
            return None, _message(
                t("load.bad", lang, name=label),
                [t("load.line", lang, line=line, message=msg) for line, msg in error.problems],
                "bad",
            )
        problems = check_scenario_ids(scenario, self.atlas.knowledge)
        if problems:
            return None, _message(t("load.bad", lang, name=label), problems, "bad")
        return scenario, _message(t("load.ok", lang, name=label), [], "ok")

    def clicked_id(self, click: dict[str, Any] | None) -> str | None:
        """The item id a plotly click carries (customdata, or a choropleth's location)."""
        points = (click or {}).get("points") or []
        if not points:
            return None
        point = points[0]
        data = point.get("customdata")
        while isinstance(data, list | tuple) and data:
            data = data[0]
        if isinstance(data, str) and data:
            return data
        location = point.get("location")
        return location if isinstance(location, str) and location else None

    def sync(
        self,
        trigger: Any,
        search: str | None,
        values: dict[str, Any],
        view: dict[str, Any] | None,
        *,
        upload: tuple[str | None, str | None] = (None, None),
        click: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """What one user action (or the URL) changes: a dict keyed by 'id.prop' of SYNC_OUTPUTS.

        Keys that are absent stay unchanged. Raises PreventUpdate when nothing changes.
        """
        current = self.scenario_of(view)
        lang = current.lang
        if trigger is None or trigger == "url":
            if search is None:
                raise PreventUpdate
            scenario, notices = self.parse_search(search)
            out = self._show(scenario, values, set_url=False)
            out["notice-url.children"] = _notices(notices, scenario.lang)
            out["notice-error.children"] = None
            out["selected.data"] = None
            return out
        if trigger == "scenario":
            preset = values.get("scenario.value")
            if preset in self.presets:
                scenario = self.presets[preset].model_copy(update={"lang": lang})
                return self._show(scenario, values) | {"selected.data": None}
            if current.id is None:
                raise PreventUpdate
            scenario = current.model_copy(
                update={
                    "id": None,
                    "title_ja": "",
                    "title_en": "",
                    "description_ja": "",
                    "description_en": "",
                }
            )
            return self._changed(current, scenario)
        if trigger == "upload":
            scenario, message = self.load_upload(*upload, lang)
            if scenario is None:
                return {"upload-message.children": message}
            out = self._show(scenario, values)
            out["upload-message.children"] = message
            out["selected.data"] = None
            return out
        if trigger in ("map", "details-clear") or isinstance(trigger, dict):
            if trigger == "map":
                item = self.clicked_id(click)
            elif trigger == "details-clear":
                item = None
            else:
                item = _row_target(trigger)
            if item is not None and item not in self.focusable:
                return {"selected.data": item}
            if item == current.focus:  # already focused (or nothing to clear)
                return {"selected.data": None}
            scenario = current.model_copy(update={"focus": item})
            out = self._changed(current, scenario, allow_same=True)
            out["focus.value"] = item if item in self.actor_ids else None
            out["selected.data"] = None
            return out
        # a control
        control = trigger if isinstance(trigger, str) else ""
        try:
            scenario = self.scenario_from_controls(current, values, use_focus=control == "focus")
        except ValueError as error:
            out = dict(zip(CONTROL_IDS, self.controls_of(current), strict=True))
            out["notice-error.children"] = _message(t("notices.error", lang), [str(error)], "bad")
            return out
        return self._changed(current, scenario)

    def _show(
        self, scenario: Scenario, shown: dict[str, Any], *, set_url: bool = True
    ) -> dict[str, Any]:
        """Everything that shows `scenario`, but the controls whose current value (`shown`)
        already is theirs: re-sent, each would be re-rendered for nothing (on a page load, all)."""
        controls = zip(CONTROL_IDS, self.controls_of(scenario), strict=True)
        out: dict[str, Any] = {
            key: value for key, value in controls if key not in shown or shown[key] != value
        }
        out["view.data"] = self.view_data(scenario)
        out["notice-error.children"] = None
        if set_url:
            out["url.search"] = self.query_of(scenario)
            out["notice-url.children"] = None
        return out

    def _changed(
        self, current: Scenario, scenario: Scenario, *, allow_same: bool = False
    ) -> dict[str, Any]:
        if scenario == current and not allow_same:
            raise PreventUpdate
        out: dict[str, Any] = {
            "url.search": self.query_of(scenario),
            "view.data": self.view_data(scenario),
            "notice-url.children": None,
            "notice-error.children": None,
        }
        if scenario.focus != current.focus:
            out["selected.data"] = None
        return out

    # --- the map ----------------------------------------------------------------------------

    def full_layers(self, scenario: Scenario) -> Layers:
        """Every layer of a view (the figure draws them all and hides the unticked ones)."""
        return self._select(_plain(scenario).model_copy(update={"layers": LAYERS}))

    def shown_layers(self, scenario: Scenario) -> Layers:
        """What a view shows (its own layers)."""
        return self._select(_plain(scenario).model_copy(update={"focus": None}))

    @staticmethod
    def figure_key(scenario: Scenario) -> str:
        """What, besides `layers`, the figure depends on (focus included: it moves the view)."""
        data = scenario.model_dump(mode="json", by_alias=True, exclude={"layers", *_TITLES})
        return json.dumps(data, sort_keys=True)

    def figure(self, scenario: Scenario) -> dict[str, Any]:
        """The view's figure as plain JSON data (memoised and shared: do not change it)."""
        return self._parsed(self.built_map(scenario))

    def built_map(self, scenario: Scenario) -> BuiltMap:
        """The view's map, from the presets' precomputed maps or the bounded cache of others."""
        built = self.cached_map(scenario)
        if built is None:
            key = _plain(scenario)
            built = self._build_map(key)
            self._maps.put(key, built)
        return built

    def cached_map(self, scenario: Scenario) -> BuiltMap | None:
        """The view's map if it is at hand (precomputed or cached), without building it."""
        key = _plain(scenario)
        return self._preset_maps.get(key) or self._maps.get(key)

    def precompute_presets(self) -> int:
        """Build and keep (never evicted) the map of the default view and of every preset, in
        every language; returns how many. Servers call it before forking: workers share them."""
        for view in (Scenario(), *self.presets.values()):
            for lang in LANGS:
                key = _plain(view.model_copy(update={"lang": lang}))
                self._preset_maps[key] = self._maps.get(key) or self._build_map(key)
        return len(self._preset_maps)

    def _build_map(self, scenario: Scenario) -> BuiltMap:
        traces, layout, countries, countries_index = _figure_module().figure_parts(
            self.full_layers(scenario),
            self.atlas,
            visible_layers=scenario.layers,
            size=DASHBOARD_MAP_SIZE,
        )
        traces.append(self._focus_trace(scenario).to_plotly_json())
        figure = {
            "data": traces,
            # as a go.Figure would have it: with the default template
            "layout": layout.to_plotly_json() | {"template": _default_template()},
        }
        layers = tuple(trace["meta"]["layer"] for trace in traces)
        # NaN and infinity as null
        return BuiltMap(orjson.dumps(figure).decode(), layers, countries, countries_index)

    def full_map(self, scenario: Scenario) -> tuple[orjson.Fragment, dict[str, Any]]:
        """The whole figure of a view as JSON text that Dash writes into its response as it is
        (not parsed and serialised again), and the record later patches are computed against."""
        return self._whole(scenario, self.built_map(scenario))

    def _whole(self, scenario: Scenario, built: BuiltMap) -> tuple[orjson.Fragment, dict[str, Any]]:
        """`full_map` of a view whose map is already at hand."""
        return orjson.Fragment(built.figure_json), self._rendered(scenario, built)

    def initial_map(self, page_url: str | None) -> tuple[str, str]:
        """The map of the page at `page_url` for the first layout response, as JSON texts of
        (`map.figure`, `rendered.data`), so the browser draws it without a callback round trip.

        The sync callback later reads the same URL with the same parser and finds the map
        already drawn. Without a URL (no Referer) the map is left to the callbacks."""
        if not page_url:
            return json.dumps(EMPTY_FIGURE), "null"
        query = urlsplit(page_url).query
        scenario, _notices = self.parse_search(f"?{query}" if query else "")
        built = self.built_map(scenario)
        return built.figure_json, json.dumps(self._rendered(scenario, built))

    def _rendered(self, scenario: Scenario, built: BuiltMap) -> dict[str, Any]:
        return {
            "key": self.figure_key(scenario),
            # the view the browser's figure was last drawn for, apart from later layer flips
            "built": _plain(scenario).model_dump(mode="json", by_alias=True),
            "traces": list(built.trace_layers),
            # the layers whose traces the browser's figure shows (after any later flips)
            "layers": list(scenario.layers),
        }

    def render(
        self, view: dict[str, Any] | None, rendered: dict[str, Any] | None
    ) -> tuple[Any, dict[str, Any]]:
        """The map for a view, as little as possible of it.

        Only `layers` changed: a Patch flipping `visible` on the traces of the toggled layers and
        restyling the countries trace when they fill countries (no geometry; labels stay where
        they were placed), no_update when nothing changes. Anything else:
        the difference between the browser's figure and the new one as a Patch when that is much
        smaller than the figure (e.g. a new focus that keeps the same traces) and the browser's
        figure is still in this process's cache, else the whole new figure (as JSON text, see
        `full_map`). `rendered` is the record of the browser's figure (see `_rendered`).
        """
        if not view:
            raise PreventUpdate
        scenario = self.scenario_of(view)
        if not isinstance(rendered, dict) or not rendered.keys() >= _RENDERED_KEYS:
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
            if layer in ("base", FOCUS_RING_LAYER)
            else trace | {"visible": layer in shown_layers}
            for trace, layer in zip(before["data"], rendered["traces"], strict=False)
        ]
        index = before_built.countries_index  # restyled by the flips too
        if index < len(shown["data"]):
            style = _country_style(before_built, shown_layers)
            shown["data"][index] = style.applied(shown["data"][index])
        patch, size = figure_patch(shown, self._parsed(built))
        if patch is None or size > PATCH_SHARE * len(built.figure_json):
            return full, new_rendered
        return patch, new_rendered

    def _flip_layers(self, scenario: Scenario, rendered: dict[str, Any]) -> tuple[Any, Any]:
        """A Patch of what a change of the shown layers changes: `visible` on the traces of the
        toggled layers and, when those fill or outline countries, the style of the countries trace
        (never its locations)."""
        was, now = set(rendered["layers"]), set(scenario.layers)
        if was == now:
            return no_update, rendered
        patch = Patch()
        changed = False
        for index, layer in enumerate(rendered["traces"]):
            if layer not in ("base", FOCUS_RING_LAYER) and (layer in was) != (layer in now):
                patch["data"][index]["visible"] = layer in now
                changed = True
        changed |= self._restyle_countries(patch, self._same_figure(scenario, rendered), was, now)
        if not changed:
            return no_update, rendered
        return patch, rendered | {"layers": list(scenario.layers)}

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

    @staticmethod
    def _restyle_countries(patch: Patch, built: BuiltMap, was: set[str], now: set[str]) -> bool:
        """Add to `patch` what of the countries trace changes from layers `was` to `now` (an
        array as its changed entries when that is shorter, as the hover text always is). Whether
        anything did."""
        toggled = was ^ now
        if not any(layer in toggled for layer, _ in built.countries.layers):
            return False
        before, after = _country_style(built, was), _country_style(built, now)
        changed = False
        for (path, old), (_, new) in zip(before.properties(), after.properties(), strict=True):
            if old == new:
                continue
            changed = True
            node = patch["data"][built.countries_index]
            for key in path[:-1]:
                node = node[key]
            entries = (
                [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
                if isinstance(new, list) and isinstance(old, list) and len(old) == len(new)
                else None
            )
            whole = len(orjson.dumps(new))
            if entries is not None and _entries_size(new, entries) < whole:
                for i in entries:
                    node[path[-1]][i] = new[i]
            else:
                node[path[-1]] = new
        return changed

    def focus_point(self, item_id: str | None) -> tuple[float, float] | None:
        """Where on the map an item is (lon, lat), for the focus ring."""
        if not item_id:
            return None
        if item_id in self.atlas.anchors:
            lon, lat = self.atlas.anchors[item_id]
            return float(lon), float(lat)
        for frame in (self.atlas.events, self.atlas.relations, self.atlas.threats):
            match = frame[frame.id == item_id]
            if len(match) and match.geometry.iloc[0] is not None:  # a listed relation has none
                geometry = match.geometry.iloc[0]
                point = (
                    geometry
                    if geometry.geom_type == "Point"
                    else geometry.interpolate(0.5, normalized=True)
                )
                return float(point.x), float(point.y)
        return None

    def _focus_trace(self, scenario: Scenario) -> go.Scattergeo:
        """A ring around the focused item (always present, empty without a focus)."""
        point = self.focus_point(scenario.focus)
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

    # --- side panels ------------------------------------------------------------------------

    def details_key(self, view: dict[str, Any] | None, selected: str | None) -> str:
        """What the details panel depends on: the item shown and the language."""
        scenario = self.scenario_of(view)
        return f"{selected or scenario.focus or ''}|{scenario.lang}"

    def details(self, view: dict[str, Any] | None, selected: str | None) -> Any:
        scenario = self.scenario_of(view)
        lang = scenario.lang
        item = selected or scenario.focus
        if not item:
            return html.P(t("details.hint", lang), className="hint")
        roles = roles_of(self.atlas, item, lang)
        title = item_name(self.atlas, item, lang)
        if not roles:
            return html.P(t("details.none", lang, name=title), className="details-none")
        return html.Div(
            [
                html.H3([title, html.Span(f" ({item})", className="item-id")]),
                html.P(t("details.roles", lang, count=len(roles)), className="hint"),
                html.Ol([_role_item(role, lang) for role in roles], className="roles"),
            ]
        )

    @staticmethod
    def table_key(scenario: Scenario) -> str:
        """What the table depends on: not the layers (it lists every layer's rows and the page
        hides those of the layers not shown), not the focus, the projection or the titles."""
        return json.dumps(_table_view(scenario).model_dump(mode="json"), sort_keys=True)

    def table_rows(self, scenario: Scenario) -> list[dict[str, Any]]:
        """The rows of the table: every item of the view with all its layers (like the map)."""
        return view_rows(self.full_layers(scenario), scenario.lang, self.atlas)

    def table(self, view: dict[str, Any] | None) -> tuple[orjson.Fragment, dict[str, Any]]:
        """(the table's rows as the JSON of their components, `table-meta`: the caption, the
        empty text, the rows per layers).

        Each row names its layers in its class (`layered layer-<id>…`); the page shows the rows
        of the shown layers and counts them (see `register`), so a layer toggle sends nothing.
        The rows (hundreds of components) are serialised once, when built, not per response.
        """
        return self._table(_table_view(self.scenario_of(view)))

    def _build_table(self, scenario: Scenario) -> tuple[orjson.Fragment, dict[str, Any]]:
        lang = scenario.lang
        rows = self.table_rows(scenario)
        meta = {
            "caption": t("table.caption", lang, count="{count}"),
            "empty": t("table.empty", lang),
            "counts": layer_counts(rows),
        }
        components = _table_rows(rows, lang, focusable=True, layered=True)
        return orjson.Fragment(orjson.dumps(components, default=_component_json)), meta

    def panels(
        self,
        view: dict[str, Any] | None,
        selected: str | None,
        shown: tuple[Any, Any, Any],
    ) -> dict[str, Any]:
        """The view's heading and details panel, keyed like `sync`'s outputs: only those that
        differ from `shown` (the title, description and details key the page shows).

        They are part of the `sync` response, so an action costs no extra request for them."""
        if not view:
            return {}
        if not isinstance(selected, str):
            selected = None  # the page only ever stores an id there
        out: dict[str, Any] = {}
        title, description = self.heading(view)
        shown_title, shown_description, shown_key = shown
        if title != shown_title:
            out["view-title.children"] = title
        if description != shown_description:
            out["view-description.children"] = description
        key = self.details_key(view, selected)
        if key != shown_key:  # another item, or another language
            out["details.children"] = self.details(view, selected)
            out["details-key.data"] = key
        return out

    def requests(
        self, before: dict[str, Any] | None, after: dict[str, Any] | None, compare_mode: Any
    ) -> dict[str, Any]:
        """The stores that ask for the table and the comparison to be drawn again, keyed like
        `sync`'s outputs: set only when what they show differs between the views `before` and
        `after` (a layer toggle or a new focus asks for neither; nothing is asked while the
        comparison is off), so those callbacks are not even requested otherwise."""
        if not after:
            return {}
        old, new = self.scenario_of(before), self.scenario_of(after)
        old_table, new_table = self.table_key(old), self.table_key(new)
        out: dict[str, Any] = {}
        if not before or old_table != new_table:
            out["table-request.data"] = after
        if compare_mode == "side":
            compared = old.lang != new.lang  # B is drawn in A's language
        else:  # the difference lists what each view shows
            compared = compare_mode == "diff" and (
                (old_table, old.layers) != (new_table, new.layers)
            )
        if compared:
            out["compare-view.data"] = after
        return out

    def heading(self, view: dict[str, Any] | None) -> tuple[str, str]:
        scenario = self.scenario_of(view)
        lang = scenario.lang
        preset = self.presets.get(scenario.id or "")
        title = scenario.title() or t("scenario.custom", lang)
        if preset is not None and _differs(preset, scenario):
            title = f"{title} {t('scenario.modified', lang)}"
        return title, scenario.description()

    def translations(self, lang: str, i18n_ids: list[dict[str, Any]]) -> list[Any]:
        """Everything that changes with the language, in the order `register` wires it."""
        lang = lang if lang in LANGS else self.default_lang
        options = self.options[lang]
        placeholders = placeholders_for(lang)
        from dashboard.layout import event_span

        first, last = event_span(self.atlas)
        return [
            [t(i["i18n"], lang) for i in i18n_ids],
            *(options[cid] for cid in OPTION_IDS),
            placeholders["scenario"],
            placeholders["groupings"],
            placeholders["focus"],
            placeholders["compare-with"],
            placeholders["date-range.start"],
            placeholders["date-range.end"],
            t("dates.hint", lang, first=first, last=last),
            t("save.button", lang),
            t("export.button", lang),
            t("load.prompt", lang),
            t("share.copy", lang),
            t("details.clear", lang),
            lang,
        ]

    @staticmethod
    def compare_key(other: str, lang: str) -> str:
        """The key of the B figure drawn beside the map (`compare-key`)."""
        return f"{other}|{lang}"

    def compare(
        self,
        mode: str | None,
        other: str | None,
        view: dict[str, Any] | None,
        shown: str | None = None,
    ) -> tuple[Any, dict[str, Any], Any, Any, Any, Any]:
        """(figure B, B's cell style, the difference, caption A, caption B, B's key).

        `shown` is the key of the B figure already drawn: B is only sent again when it changes
        (a layer toggle in A never re-sends B's geometry).
        """
        hidden = {"display": "none"}
        scenario = self.scenario_of(view)
        lang = scenario.lang
        if mode not in ("side", "diff"):
            return no_update, hidden, None, None, None, shown
        if other not in self.presets:
            hint = html.P(t("compare.pick", lang), className="hint")
            return no_update, hidden, hint, None, None, shown
        b = self.presets[other].model_copy(update={"lang": lang})
        caption_a = t("compare.a", lang)
        caption_b = t("compare.b", lang, title=b.title())
        if mode == "side":
            key = self.compare_key(other, lang)
            figure = no_update if key == shown else self.full_map(b)[0]
            return figure, {}, None, caption_a, caption_b, key
        rows_a = view_rows(self.shown_layers(scenario), lang, self.atlas)
        rows_a += country_rows(self.shown_layers(scenario), lang)
        rows_b = view_rows(self.shown_layers(b), lang, self.atlas)
        rows_b += country_rows(self.shown_layers(b), lang)
        only_a, only_b = diff_rows(rows_a, rows_b)
        if not only_a and not only_b:
            body: Any = html.P(t("compare.same", lang))
        else:
            body = html.Div(
                [
                    html.Div(
                        [
                            html.H3(t("compare.only_a", lang, count=len(only_a))),
                            _table(only_a, lang, caption=caption_a, focusable=False),
                        ],
                        className="diff-side diff-a",
                    ),
                    html.Div(
                        [
                            html.H3(t("compare.only_b", lang, count=len(only_b))),
                            _table(only_b, lang, caption=caption_b, focusable=False),
                        ],
                        className="diff-side diff-b",
                    ),
                ],
                className="diff",
            )
        return no_update, hidden, body, caption_a, caption_b, shown

    def export(self, view: dict[str, Any] | None, fmt: str | None) -> tuple[Any, Any]:
        """The current view as a slide image (the same code path as `alliance-atlas export`)."""
        scenario = self.scenario_of(view)
        fmt = fmt if fmt in EXPORT_FORMATS else "png"
        try:
            image = render_view(scenario, fmt, width=1920, height=1080, scale=1, atlas=self.atlas)
        except ExportError as error:
            return no_update, _message(
                t("export.failed", scenario.lang, reason=str(error)), [], "error"
            )
        filename = f"{scenario.id or 'alliance-atlas-view'}.{scenario.lang}.{fmt}"
        return dcc.send_bytes(image, filename), ""

    def download(self, view: dict[str, Any] | None) -> dict[str, Any]:
        scenario = self.scenario_of(view)
        filename = f"{scenario.id or 'alliance-atlas-view'}.yaml"
        return dcc.send_string(scenario.to_yaml(), filename, type="application/x-yaml")


# --- rendering helpers ---------------------------------------------------------------------------


PATCH_ENTRY_BYTES = 80  # a Patch operation's JSON around the value it assigns


def _entries_size(values: list[Any], entries: list[int]) -> int:
    """About how many bytes of Patch operations set `values` at `entries` one by one."""
    return sum(len(orjson.dumps(values[i])) + PATCH_ENTRY_BYTES for i in entries)


def _country_style(built: BuiltMap, layers: set[str]) -> Any:
    """The style of a map's countries trace with `layers` shown (and the base layer)."""
    figures = _figure_module()
    return figures.country_style(built.countries, layers | {figures.BASE_LAYER})


def _store_update(old: Any, new: dict[str, Any]) -> Any:
    """A store's new value as little as possible: no_update when it equals `old`, a Patch of the
    keys that changed when both have the same keys (a layer toggle: `layers` only), else `new`."""
    if not isinstance(old, dict) or old.keys() != new.keys():
        return new
    changed = [key for key in new if old[key] != new[key]]
    if not changed:
        return no_update
    patch = Patch()
    for key in changed:
        patch[key] = new[key]
    return patch


def _component_json(component: Any) -> dict[str, Any]:
    """A Dash component as the JSON Dash sends for it (orjson's hook for types it lacks)."""
    if not isinstance(component, Component):
        raise TypeError(f"not JSON: {type(component).__name__}")
    return component.to_plotly_json()


@cache
def _default_template() -> dict[str, Any]:
    """plotly's default template, as a new go.Figure puts it in its layout (shared: do not
    change it)."""
    return go.Figure().to_plotly_json()["layout"]["template"]


def _table_view(scenario: Scenario) -> Scenario:
    """The scenario reduced to what the table depends on (its memo key): every layer, no focus,
    the default projection, no id or titles."""
    return _plain(scenario).model_copy(
        update={"layers": LAYERS, "focus": None, "projection": _DEFAULT_PROJECTION}
    )


def _plain(scenario: Scenario) -> Scenario:
    """The scenario without what only names it (id, titles): the key of its layers and figure."""
    return scenario.model_copy(update={key: None if key == "id" else "" for key in _TITLES})


def figure_patch(before: dict[str, Any], after: dict[str, Any]) -> tuple[Patch | None, int]:
    """A Patch turning figure `before` into `after` (and its JSON size); None if the traces differ
    in number or type."""
    old_data, new_data = before.get("data", []), after.get("data", [])
    if len(old_data) != len(new_data) or any(
        a.get("type") != b.get("type") for a, b in zip(old_data, new_data, strict=True)
    ):
        return None, 0
    patch = Patch()
    for index, (old, new) in enumerate(zip(old_data, new_data, strict=True)):
        _patch_dict(patch["data"][index], old, new, depth=0)
    _patch_dict(patch["layout"], before.get("layout", {}), after.get("layout", {}), depth=-1)
    return patch, len(json.dumps(patch.to_plotly_json()))


def _patch_dict(patch: Patch, old: dict[str, Any], new: dict[str, Any], depth: int) -> None:
    """Set the keys that changed; go one level down into changed dicts (two for the layout)."""
    for key in [*old, *(key for key in new if key not in old)]:  # the same order everywhere
        if key not in new:
            del patch[key]
        elif old.get(key) != new[key]:
            if depth < 1 and isinstance(old.get(key), dict) and isinstance(new[key], dict):
                _patch_dict(patch[key], old[key], new[key], depth + 1)
            else:
                patch[key] = new[key]


def _differs(preset: Scenario, scenario: Scenario) -> bool:
    ignore = {"lang", "focus"}
    return preset.model_dump(exclude=ignore) != scenario.model_dump(exclude=ignore)


def _row_target(trigger: dict[str, Any]) -> str | None:
    key = str(trigger.get("key", ""))
    parts = key.split(":")
    return parts[1] if len(parts) > 1 and parts[1] else None


def _notices(notices: list[str], lang: str) -> Any:
    if not notices:
        return None
    return _message(t("notices.url", lang), notices, "warn")


def _message(title: str, items: list[str], tone: str) -> Any:
    return html.Div(
        [html.Strong(title), html.Ul([html.Li(item) for item in items]) if items else None],
        className=f"message message-{tone}",
    )


def _badge(kind: str, value: str, lang: str) -> Any:
    return html.Span(t(f"{kind}.{value}", lang), className=f"badge {kind}-{value}")


def _role_item(role: Role, lang: str) -> Any:
    header = [
        html.Span(role.label(lang), className="role-kind"),
        html.Span(role.title, className="role-title"),
        _badge("basis", role.basis, lang),
    ]
    if role.status != "existing":
        header.append(_badge("status", role.status, lang))
    if role.layer:
        header.append(html.Span(t(f"layer.{role.layer}", lang), className="badge layer"))
    parts: list[Any] = [html.Div(header, className="role-head")]
    facts = [(label, value) for label, value in role.facts if value]
    if facts:
        parts.append(
            html.Dl(
                [
                    item
                    for label, value in facts
                    for item in (html.Dt(label or "·"), html.Dd(value))
                ],
                className="facts",
            )
        )
    if role.reason:
        parts.append(
            html.P([html.Em(t("details.reason", lang) + ": "), role.reason], className="reason")
        )
    for citation in role.citations:
        footnotes = [
            html.Li(
                [html.Span(f"[{f.number}] ", className="fn-number"), f.source],
                className="footnote",
            )
            for f in citation.footnotes
        ]
        parts.append(
            html.Blockquote(
                [
                    html.P(citation.quote_ja, lang="ja", className="quote"),
                    html.P(citation.gloss_en, lang="en", className="gloss"),
                    html.P(citation.place(lang), className="cite-place"),
                    html.Ul(footnotes, className="footnotes") if footnotes else None,
                ],
                className="citation",
            )
        )
    return html.Li(parts, className=f"role role-{role.kind}")


def _table(rows: list[dict[str, Any]], lang: str, *, caption: str, focusable: bool = True) -> Any:
    """A whole table of rows (the comparison's), or a hint when there are none."""
    if not rows:
        return html.P(t("table.empty", lang), className="hint")
    head = html.Thead(
        html.Tr([html.Th(t(f"col.{c}", lang), scope="col", className=f"col-{c}") for c in COLUMNS])
    )
    body = html.Tbody(_table_rows(rows, lang, focusable=focusable))
    return html.Table([html.Caption(caption), head, body], className="data-table")


def _table_rows(
    rows: list[dict[str, Any]], lang: str, *, focusable: bool = True, layered: bool = False
) -> list[Any]:
    """One <tr> per row. `layered`: each names its layers in its class (`layered layer-<id>`,
    the page hides it while none is shown), and a cell of several layers lists them one by one
    (`layer-tag layer-<id>`, hidden with their layer)."""
    body = []
    for row in rows:
        cells = []
        layers = tuple(row.get("layers") or ()) if layered else ()
        for column in COLUMNS:
            value = row.get(column, "")
            if column == "name" and focusable:
                value = html.Button(
                    value,
                    id={"type": "row-focus", "key": row["key"]},
                    n_clicks=0,
                    className="link-button",
                    type="button",
                )
                cells.append(html.Th(value, scope="row", className="col-name"))
                continue
            if column == "layer" and len(layers) > 1:
                value = html.Ul(
                    [
                        html.Li(t(f"layer.{layer}", lang), className=f"layer-tag layer-{layer}")
                        for layer in layers
                    ],
                    className="layer-tags",
                )
            cells.append(html.Td(value, className=f"col-{column}"))
        classes = [f"row-{row['key'].split(':')[0]}"]
        if layers:
            classes += ["layered", *(f"layer-{layer}" for layer in layers)]
        body.append(html.Tr(cells, className=" ".join(classes)))
    return body


# --- wiring --------------------------------------------------------------------------------------


def on_error(error: Exception) -> None:
    """Any uncaught callback error: log it, show a short notice, change nothing else."""
    logger.exception("callback failed", exc_info=error)
    from dash import set_props

    text = f"{type(error).__name__}: {str(error)[:300]}"
    set_props(
        "notice-error",
        {
            "children": _message(
                f"{t('notices.error', 'ja')} / {t('notices.error', 'en')}", [text], "bad"
            )
        },
    )


def register(app: Dash, controller: Controller) -> None:
    """Wire the controller to the app's components."""
    c = controller
    sync_outputs = [Output(cid, prop) for cid, prop in SYNC_OUTPUTS]
    control_inputs = [Input(cid, prop) for cid, prop in CONTROL_PROPS]

    @app.callback(
        sync_outputs,
        Input("url", "search"),
        *control_inputs,
        Input("map", "clickData"),
        Input("upload", "contents"),
        Input({"type": "row-focus", "key": ALL}, "n_clicks"),
        Input("details-clear", "n_clicks"),
        State("upload", "filename"),
        State("view", "data"),
        State("selected", "data"),
        State("view-title", "children"),
        State("view-description", "children"),
        State("details-key", "data"),
        State("compare-mode", "value"),
    )
    def sync(search, *args):
        n = len(CONTROL_PROPS)
        values = dict(zip(CONTROL_IDS, args[:n], strict=True))
        click, contents, _row_clicks, _clear, filename, view, selected, *shown, mode = args[n:]
        trigger = _trigger()
        if trigger == "upload" and not contents:
            raise PreventUpdate
        if isinstance(trigger, dict) and trigger.get("type") == "row-focus":
            fired = [
                item for item in ctx.triggered if item.get("value")
            ]  # new rows report n_clicks 0
            if not fired:
                raise PreventUpdate
        out = c.sync(trigger, search, values, view, upload=(contents, filename), click=click)
        new_view = out.get("view.data", view)
        out |= c.panels(new_view, out.get("selected.data", selected), tuple(shown))
        out |= c.requests(view, new_view, mode)
        return [out.get(f"{cid}.{prop}", no_update) for cid, prop in SYNC_OUTPUTS]

    @app.callback(
        Output("map", "figure"),
        Output("rendered", "data"),
        Input("view", "data"),
        State("rendered", "data"),
    )
    def render(view, rendered):
        figure, new_rendered = c.render(view, rendered)
        return figure, _store_update(rendered, new_rendered)

    # the table (hundreds of components) is rendered once the map is drawn, not before it
    app.clientside_callback(
        AFTER_MAP_JS,
        Output("table-view", "data"),
        Input("table-request", "data"),
    )

    @app.callback(
        Output("view-table", "children"),
        Output("table-meta", "data"),
        Output("table-key", "data"),
        Input("table-view", "data"),
        State("table-key", "data"),
    )
    def table(view, shown_key):
        if not view:
            raise PreventUpdate
        key = c.table_key(c.scenario_of(view))
        if key == shown_key:
            raise PreventUpdate  # only the layers, the focus, the projection or the title changed
        return (*c.table(view), key)

    # which rows the table shows (the shown layers'), and its caption's count: in the page
    app.clientside_callback(
        TABLE_JS,
        Output("view-table-area", "className"),
        Output("view-table-caption", "children"),
        Output("view-table-empty", "children"),
        Input("view", "data"),
        Input("table-meta", "data"),
    )

    @app.callback(
        Output({"i18n": ALL, "n": ALL}, "children"),
        *(Output(cid, "options") for cid in OPTION_IDS),
        Output("scenario", "placeholder"),
        Output("groupings", "placeholder"),
        Output("focus", "placeholder"),
        Output("compare-with", "placeholder"),
        Output("date-range", "start_date_placeholder_text"),
        Output("date-range", "end_date_placeholder_text"),
        Output("date-hint", "children"),
        Output("save", "children"),
        Output("export", "children"),
        Output("upload-prompt", "children"),
        Output("share-link", "title"),
        Output("details-clear", "children"),
        Output("app", "lang"),
        Input("lang", "value"),
        # the page comes in the app's language, and sync sets `lang` only when the URL's differs
        prevent_initial_call=True,
    )
    def translate(lang):
        ids = [o["id"] for o in ctx.outputs_list[0]]
        return c.translations(lang, ids)

    @app.callback(
        Output("map-b", "figure"),
        Output("map-b-cell", "style"),
        Output("compare-diff", "children"),
        Output("map-caption-a", "children"),
        Output("map-caption-b", "children"),
        Output("compare-key", "data"),
        Output("maps", "className"),
        Input("compare-mode", "value"),
        Input("compare-with", "value"),
        Input("compare-view", "data"),  # set by `sync` when the comparison depends on a change
        State("view", "data"),
        State("compare-key", "data"),
    )
    def compare(mode, other, _asked, view, shown):
        if not view:
            raise PreventUpdate
        return (
            *c.compare(mode, other, view, shown),
            "maps maps-side" if mode == "side" else "maps",
        )

    @app.callback(
        Output("download", "data"),
        Input("save", "n_clicks"),
        State("view", "data"),
        prevent_initial_call=True,
    )
    def save(n_clicks, view):
        if not n_clicks:
            raise PreventUpdate
        return c.download(view)

    @app.callback(
        Output("export-download", "data"),
        Output("export-message", "children"),
        Input("export", "n_clicks"),
        State("view", "data"),
        State("export-format", "value"),
        prevent_initial_call=True,
    )
    def export(n_clicks, view, fmt):
        if not n_clicks:
            raise PreventUpdate
        return c.export(view, fmt)

    app.clientside_callback(
        """
        function (view) {
            if (!view) { return window.dash_clientside.no_update; }
            return window.location.origin + window.location.pathname + view.query;
        }
        """,
        Output("share-url", "value"),
        Input("view", "data"),
    )


# `view`, handed on once the map has drawn its base map (at once after the first time; at most
# MAP_WAIT_MS later if it never does), so that the first paint does not wait for the table
AFTER_MAP_JS = """
function (view) {
    if (!view) { return window.dash_clientside.no_update; }
    const started = performance.now();
    const drawn = () => {
        const gd = document.querySelector('#map .js-plotly-plot');
        return !!(gd && gd._fullLayout && gd.querySelector('.geo path'));
    };
    return new Promise((resolve) => {
        const wait = () => {
            if (drawn() || performance.now() - started > MAP_WAIT_MS) {
                requestAnimationFrame(() => setTimeout(() => resolve(view), 0));
            } else {
                setTimeout(wait, 50);
            }
        };
        wait();
    });
}
""".replace("MAP_WAIT_MS", str(MAP_WAIT_MS))

TABLE_JS = """
function (view, meta) {
    // the table lists every layer's rows: show those of the shown layers (CSS on `show-<id>`),
    // and count them for the caption (`meta.counts`: rows per set of layers, "" for none)
    const shown = (view && view.scenario && view.scenario.layers) || [];
    const classes = ['view-table'].concat(shown.map((layer) => 'show-' + layer));
    let count = 0;
    Object.entries((meta && meta.counts) || {}).forEach(([key, n]) => {
        const layers = key ? key.split(' ') : [];
        if (!layers.length || layers.some((layer) => shown.includes(layer))) { count += n; }
    });
    if (!count) { classes.push('is-empty'); }
    if (!meta) { return [classes.join(' '), null, null]; }
    return [
        classes.join(' '),
        meta.caption.replace('{count}', String(count)),
        count ? null : meta.empty,
    ];
}
"""


def _trigger() -> Any:
    """The id of the input that fired (None on the initial call)."""
    if not ctx.triggered:
        return None
    return ctx.triggered_id
