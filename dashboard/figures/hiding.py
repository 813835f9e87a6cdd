"""Hiding a layer's trace by its style, not by `visible`.

plotly.js recalculates and redraws every trace of a figure when any trace's `visible` changes
(a calc-level edit: ~100 ms on the dashboard's map), but only restyles them for an opacity or a
legend entry (~40 ms). So a trace of a hidden layer stays `visible`, drawn transparent and out of
the legend (`hidden_style`). What it is drawn with when shown is kept in its meta (`SHOWN_AS`:
the value of each of those properties it sets), which hiding and showing never change (plotly.js
draws every trace again for a change of `meta`). The page's script hides and shows traces the
same way (assets/atlas.js, hideTrace and showTrace), and leaves a hidden trace out of hover and
clicks (leaveHiddenOutOfHover: a hover style, too, would make plotly.js draw every trace again).
A picture drops hidden traces (dashboard.export).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dashboard.figures.context import Trace

DESELECT_DIM = 0.2  # plotly.js's unselected opacity, as a share of the marker's
SHOWN_AS = "shown_as"  # the meta key of a layer trace's own style
# what hides a trace, by type: (path in the trace, value); a choropleth has no trace opacity
_SCATTER_HIDDEN: tuple[tuple[tuple[str, ...], Any], ...] = (
    (("opacity",), 0),
    (("showlegend",), False),
)
_CHOROPLETH_HIDDEN: tuple[tuple[tuple[str, ...], Any], ...] = (
    (("marker", "opacity"), 0),
    (("showlegend",), False),
)


def hidden_style(trace: Trace) -> tuple[tuple[tuple[str, ...], Any], ...]:
    """The properties that hide a trace of this type, with their values."""
    return _CHOROPLETH_HIDDEN if trace.get("type") == "choropleth" else _SCATTER_HIDDEN


def with_own_style(trace: Trace) -> Trace:
    """A copy of `trace` (drawn as shown) that keeps the style it is shown with in its meta.

    A choropleth also gets the opacity of its selected and unselected places set (to plotly.js's
    defaults): plotly.js derives them from its marker's opacity, and draws every trace again
    when they change."""
    own = {
        ".".join(path): value
        for path, _ in hidden_style(trace)
        if (value := _get(trace, path)) is not None
    }
    kept = trace | {"meta": {**(trace.get("meta") or {}), SHOWN_AS: own}}
    if trace.get("type") == "choropleth":
        opacity = own.get("marker.opacity", 1)
        kept.setdefault("selected", {"marker": {"opacity": opacity}})
        kept.setdefault("unselected", {"marker": {"opacity": round(DESELECT_DIM * opacity, 4)}})
    return kept


def is_hidden(trace: Trace) -> bool:
    """Whether a trace is not drawn: hidden by `visible`, or transparent."""
    (path, hidden), *_ = hidden_style(trace)
    return trace.get("visible", True) is not True or _get(trace, path) == hidden


def hide(trace: Trace) -> Trace:
    """A copy of `trace` hidden by its style (its meta unchanged: see `with_own_style`)."""
    hidden = dict(trace)
    for path, value in hidden_style(trace):
        _set(hidden, path, value)
    return hidden


def show(trace: Trace) -> Trace:
    """A copy of `trace` drawn with its own style (kept in its meta) again."""
    own = (trace.get("meta") or {}).get(SHOWN_AS, {})
    shown = dict(trace)
    for path, _ in hidden_style(trace):
        _set(shown, path, own.get(".".join(path)))
    return shown


def showing(trace: Trace, shown: bool) -> Trace:
    """`trace` shown or hidden."""
    return show(trace) if shown else hide(trace)


def without(trace: Trace, paths: Iterable[tuple[str, ...]]) -> Trace:
    """A copy of `trace` without the properties at `paths`."""
    rest = dict(trace)
    for path in paths:
        _set(rest, path, None)
    return rest


def _get(trace: Trace, path: tuple[str, ...]) -> Any:
    """The property at `path` (None when it is not set)."""
    node: Any = trace
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def _set(trace: Trace, path: tuple[str, ...], value: Any) -> None:
    """Set the property at `path`, copying the dicts on the way; None removes it, and the dicts
    on the way that it leaves empty."""
    if len(path) > 1:
        inner = dict(trace.get(path[0]) or {})
        _set(inner, path[1:], value)
        if inner or value is not None:
            trace[path[0]] = inner
        else:
            trace.pop(path[0], None)
    elif value is None:
        trace.pop(path[0], None)
    else:
        trace[path[0]] = value
