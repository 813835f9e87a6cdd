"""The layer builders, one module per map layer: each `draw(ctx)` returns the layer's Drawing
(its traces, the labels it asks for, the marks labels avoid and the countries it fills)."""

from __future__ import annotations

from collections.abc import Callable

from dashboard.figures.context import Context, Drawing
from dashboard.figures.layers import (
    authoritarian,
    base,
    events,
    proposals,
    support_flows,
    threats,
    ukraine,
    value_community,
)

BASE_LAYER = base.LAYER

# Drawing order (later is on top). Choropleths are always drawn under scattergeo traces; the one
# countries choropleth (see dashboard.figures.countries) goes after every other choropleth, so
# country fills cover the tints of named areas.
BUILDERS: tuple[tuple[str, Callable[[Context], Drawing]], ...] = (
    (BASE_LAYER, base.draw),
    (threats.LAYER, threats.draw),
    (value_community.LAYER, value_community.draw),
    (authoritarian.LAYER, authoritarian.draw),
    (ukraine.LAYER, ukraine.draw),
    (support_flows.LAYER, support_flows.draw),
    (proposals.LAYER, proposals.draw),
    (events.LAYER, events.draw),
)
