"""Pure figure builders: Layers (+ the Atlas) → one plotly Figure. No Dash, no I/O.

Contract with the app:

- ``build_figure(layers, atlas, visible_layers=...)`` draws every layer present in ``layers``; the
  trace list (count, order, uids) does not depend on ``visible_layers``, but for the labels:
  whether each trace is hidden does, and the style of the one countries trace (below). A hidden
  trace is drawn transparent, out of the legend, hover and clicks (dashboard.figures.hiding:
  plotly.js redraws every trace for a change of ``visible``, and only restyles them for these).
  The labels of the shown layers are placed first, and a trace of labels or leader lines that
  draws nothing is left out, so which of those traces a figure has depends on where its labels
  went; a figure shows any set of layers with its own.
- Every country fill and outline of every layer is drawn by ONE ISO-3 choropleth in the
  always-shown base layer (uid ``base-countries``, kind "country"; see
  dashboard.figures.countries): its locations and customdata are fixed, its fills, outlines and
  hover text follow the shown layers (``country_style``). Toggling a layer is therefore
  hiding or showing the traces whose ``meta["layer"]`` is that layer, and, when the layer has
  country records (``FigureParts.countries``), the countries trace restyled with
  ``country_style`` for the new set of shown layers. The threats of each direction are a part of
  their layer in the same way: their traces' ``meta["layers"]`` name its layer key
  ("threats-east", geodata.scenario.shown_keys), and a direction toggle hides or shows them.
- A figure may draw items of more certainty states than the view shows (``layers`` selected at
  wider filters than ``certainty``): each trace's layer keys are then limited to the states its
  items show in (``"events@438"``, geodata.certainty.state_key; dashboard.figures.states), so
  a certainty toggle, too, only hides and shows traces and restyles the countries trace (whose
  records are each limited so); ``shown_by(key, shown, state)`` says what shows. The map is
  framed for all it draws, as it is for every threat direction.
- Every trace has ``meta = {"layer": <layer id or "base">, "kind": <what it draws>, "ids": [...]}``
  and a stable ``uid``.
- Clickable points carry their item id in ``customdata``: iso3 for countries, and the
  relation / threat / region / event / grouping / domain id for the rest.
- Country shapes come from plotly's base-map topojson (``locationmode="ISO-3"``), which the app
  serves itself: 1:50m for exports, and with ``level_of_detail`` (the dashboard) 1:110m for world
  views and 1:50m for zoomed ones (``geo.resolution_for``). Only region polygons are embedded,
  simplified. A country without an outline at the figure's resolution (Kosovo at both, Malta at
  1:110m) is a point of its layer's own instead.
"""

from dashboard.figures.composition import (
    CLICKABLE_KINDS,
    COUNTRIES_UID,
    LAYER_IDS,
    LAYER_KEYS,
    FigureParts,
    Framing,
    build_figure,
    figure_parts,
    framing,
    framings,
    shown_by,
    trace_layer,
    trace_layers,
)
from dashboard.figures.countries import (
    CountryFills,
    CountryStyle,
    browser_records,
    country_style,
)
from dashboard.figures.layers import BASE_LAYER

__all__ = [
    "BASE_LAYER",
    "CLICKABLE_KINDS",
    "COUNTRIES_UID",
    "LAYER_IDS",
    "LAYER_KEYS",
    "CountryFills",
    "CountryStyle",
    "FigureParts",
    "Framing",
    "browser_records",
    "build_figure",
    "country_style",
    "figure_parts",
    "framing",
    "framings",
    "shown_by",
    "trace_layer",
    "trace_layers",
]
