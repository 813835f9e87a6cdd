"""The map's one choropleth of countries, which draws the country fills and outlines of every layer.

plotly.js converts the whole 1:50m base map to GeoJSON for every ISO-3 choropleth it draws, and
then draws each located country: one trace for all layers instead of one per layer was ~65 ms of
the dashboard's first paint. So layers do not draw countries; each registers how it draws them
(`CountryFill` records on its Drawing), and the composer makes one trace of them in the
always-shown base layer (the base layer registers every country the view involves, with no fill
and no outline, so each stays a hover and click target whatever is shown).

The trace's locations (and customdata) are fixed for a figure; what depends on the shown layers
(fill, outline, hover text) is `country_style`, for a figure and for a layer toggle alike.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from dashboard.figures import style
from dashboard.figures.context import CountryFill, Drawing, Trace, choropleth
from dashboard.figures.kit import HOVER
from geodata.certainty import WIDEST_STATE, shows, state_key

NO_FILL = style.TRANSPARENT
# where in the countries trace what depends on the shown layers is (CountryStyle.properties)
STYLE_PATHS: tuple[tuple[str, ...], ...] = (
    ("z",),
    ("zmin",),
    ("zmax",),
    ("colorscale",),
    ("marker", "line", "color"),
    ("marker", "line", "width"),
    ("hovertext",),
)


@dataclass(frozen=True)
class CountryFills:
    """Every layer's country records (layers in drawing order; each layer's records in runs of
    those that show in the same certainty states, under the layer's key limited to them:
    geodata.certainty.state_key), the trace's locations and each located country's own hover
    text (its name, basis and groupings)."""

    layers: tuple[tuple[str, tuple[CountryFill, ...]], ...]
    locations: tuple[str, ...]
    hover: tuple[str, ...]

    @property
    def colours(self) -> tuple[str, ...]:
        """The fills of the colorscale's steps: none first, then each fill any layer uses (the
        same whichever layers are shown, so a toggle changes only the z of what it fills)."""
        fills = (f.fill for _, records in self.layers for f in records if f.fill is not None)
        return tuple(dict.fromkeys([NO_FILL, *fills]))


def country_fills(
    drawings: Iterable[Drawing],
    country_hover: Callable[[str], str],
    only: Collection[str] | None = None,
) -> CountryFills:
    """The records of `drawings` (in drawing order), and where the countries trace draws them
    (of the countries `only` names, when given: those an inset shows).

    Each country is located once, ordered by the last layer that has a record for it (then in
    that layer's order): plotly.js draws a trace's outlines in location order, so an outline a
    later layer emphasises (Hungary's objection, Ukraine's edge) is drawn after its neighbours'
    thin ones, as when each layer was a trace of its own, whichever layers are shown."""
    runs: list[tuple[str, list[CountryFill]]] = []
    for drawing in drawings:
        for record in drawing.fills:
            if only is not None and record.iso3 not in only:
                continue
            key = state_key(drawing.layer, record.states)
            if runs and runs[-1][0] == key:
                runs[-1][1].append(record)
            else:
                runs.append((key, [record]))
    layers = tuple((key, tuple(records)) for key, records in runs)
    order: dict[str, None] = {}
    for _, records in layers:
        for record in records:
            order.pop(record.iso3, None)
            order[record.iso3] = None
    locations = tuple(order)
    return CountryFills(layers, locations, tuple(country_hover(c) for c in locations))


@dataclass(frozen=True)
class CountryStyle:
    """What of the countries trace depends on the shown layers, one value per location."""

    z: tuple[int, ...]
    zmax: int
    colorscale: tuple[tuple[float, str], ...]
    line_colour: tuple[str, ...]
    line_width: tuple[float, ...]
    hovertext: tuple[str, ...]

    def properties(self) -> list[tuple[tuple[str, ...], Any]]:
        """(path in the trace, value) of each property, values as JSON data (lists)."""
        values = [
            list(self.z),
            0,
            self.zmax,
            [list(step) for step in self.colorscale],
            list(self.line_colour),
            list(self.line_width),
            list(self.hovertext),
        ]
        return list(zip(STYLE_PATHS, values, strict=True))

    def applied(self, trace: dict[str, Any]) -> dict[str, Any]:
        """A copy of the countries trace (as JSON data) drawn with this style."""
        trace = dict(trace)
        for path, value in self.properties():
            node = trace
            for key in path[:-1]:
                node[key] = node = dict(node.get(key) or {})
            node[path[-1]] = value
        return trace


def country_style(
    fills: CountryFills, visible: Collection[str], state: int = WIDEST_STATE
) -> CountryStyle:
    """The countries trace's fills, outlines and hover text with the layer keys `visible` shown
    in certainty state `state`.

    Of the shown layers' records for a country, the last that sets a fill gives its fill, and the
    last that sets an outline its outline (as when each layer's trace was drawn over the one
    before); its hover text is its own followed by what each shown layer adds."""
    fill: dict[str, str] = {}
    line: dict[str, tuple[str, float]] = {}
    extra: dict[str, str] = {}
    for layer, records in fills.layers:
        if not shows((layer,), visible, state):
            continue
        for record in records:
            if record.fill is not None:
                fill[record.iso3] = record.fill
            if record.line_colour is not None and record.line_width > 0:
                line[record.iso3] = (record.line_colour, record.line_width)
            if record.hover:
                extra[record.iso3] = extra.get(record.iso3, "") + record.hover
    steps = fills.colours
    index = {colour: i for i, colour in enumerate(steps)}
    no_line = (NO_FILL, 0.0)
    return CountryStyle(
        z=tuple(index[fill.get(c, NO_FILL)] for c in fills.locations),
        zmax=max(len(steps) - 1, 1),
        colorscale=tuple(
            (float(stop), colour) for stop, colour in style.stepped_colorscale(list(steps))
        ),
        line_colour=tuple(line.get(c, no_line)[0] for c in fills.locations),
        line_width=tuple(line.get(c, no_line)[1] for c in fills.locations),
        hovertext=tuple(
            hover + extra.get(c, "") for c, hover in zip(fills.locations, fills.hover, strict=True)
        ),
    )


def browser_records(fills: CountryFills) -> dict[str, Any]:
    """What the page's script needs to compute `country_style` for any set of shown layers
    (assets/atlas.js, countryStyle), as JSON data: each location's own hover text and every
    layer's records as [iso3, colorscale step of its fill or None, outline colour or None,
    outline width, hover text]. The locations are the countries trace's."""
    step = {colour: i for i, colour in enumerate(fills.colours)}
    return {
        "hover": list(fills.hover),
        "no_line": NO_FILL,
        "records": [
            [
                layer,
                [
                    [
                        r.iso3,
                        None if r.fill is None else step[r.fill],
                        r.line_colour,
                        r.line_width,
                        r.hover,
                    ]
                    for r in records
                ],
            ]
            for layer, records in fills.layers
        ],
    }


def countries_trace(
    fills: CountryFills, visible: Collection[str], state: int = WIDEST_STATE
) -> Trace:
    """The countries choropleth (plotly's base-map outlines, ISO-3), drawn for the layer keys
    `visible` in certainty state `state`."""
    trace = choropleth(
        locations=list(fills.locations),
        locationmode="ISO-3",
        showscale=False,
        customdata=list(fills.locations),
        hovertemplate=HOVER,
        name="",
        showlegend=False,
    )
    return country_style(fills, visible, state).applied(trace)
