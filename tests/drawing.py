"""What a figure draws, as a user sees it: a trace of a hidden layer is transparent."""

from __future__ import annotations

from typing import Any


def drawn(trace: Any) -> bool:
    """Whether a trace (a dict or a plotly object) is drawn: `visible`, and not transparent
    (a trace's opacity; a choropleth's, which has none, its marker's)."""
    data = trace if isinstance(trace, dict) else trace.to_plotly_json()
    if data.get("type") == "choropleth":
        opacity = (data.get("marker") or {}).get("opacity", 1)
    else:
        opacity = data.get("opacity", 1)
    return data.get("visible", True) is True and opacity != 0


def unstyled(trace: dict[str, Any]) -> dict[str, Any]:
    """A trace without what hiding it changes (its transparency and legend entry, and the style
    it keeps for when it shows), to compare a hidden trace with a shown one."""
    rest = {k: v for k, v in trace.items() if k not in ("opacity", "showlegend")}
    if "marker" in rest:
        rest["marker"] = {k: v for k, v in rest["marker"].items() if k != "opacity"}
    rest["meta"] = {k: v for k, v in (rest.get("meta") or {}).items() if k != "shown_as"}
    return rest
