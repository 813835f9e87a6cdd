"""What the page gets from the view service, as the callbacks send it and the browser reads it:
for the tests of the service and of the app."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import orjson
from dash import Patch
from dash._utils import to_json
from serving import load_loadtest

from dashboard import components
from dashboard.callbacks import dash_value


def render(service, view, rendered):
    """The render callback: the map's update and the new record of the browser's map."""
    figure, new_rendered = service.maps.render(service.views.scenario_of(view), rendered)
    return dash_value(figure), new_rendered


def compare(service, mode, other, view, shown=None):
    """The compare callback's values (the service's, as Dash sends them)."""
    result = service.panels.compare(mode, other, service.views.scenario_of(view), shown)
    return tuple(dash_value(value) for value in result)


def table(service, scenario):
    """The table callback's rows (the JSON of their components) and `table-meta`."""
    body, meta = service.panels.table(scenario)
    return components.table_body(body), meta


def dicts_in(node: Any) -> Iterator[dict]:
    """Every dict in a tree of dicts and lists (JSON, YAML), the outer ones first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from dicts_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from dicts_in(value)


def text_of(component) -> str:
    """A component tree as JSON text (unicode kept), for searching."""
    return json.dumps(json.loads(to_json(component)), ensure_ascii=False)


def countries_indices(figure: dict) -> list[int]:
    """Where the choropleths of the base map's countries are in a figure (as JSON data): the
    main map's, and the Europe inset's when it has one."""
    return [
        i
        for i, trace in enumerate(figure["data"])
        if trace["type"] == "choropleth" and trace.get("locationmode") == "ISO-3"
    ]


def decoded(fragment: orjson.Fragment) -> Any:
    """A value sent as JSON text (a figure, the table's rows), as the browser reads it."""
    return orjson.loads(orjson.dumps(fragment))


def apply(figure: dict, patch: Patch) -> dict:
    """What dash-renderer does with a Patch."""
    return load_loadtest().apply_patch(figure, patch.to_plotly_json()["operations"])
