"""Notes written on the map itself: what a reader must know before reading a view's map, such as
that the concept diagram is this project's reconstruction, not the article's figure."""

from __future__ import annotations

from typing import Any

from dashboard.figures import style
from dashboard.i18n import t
from geodata.scenario import Scenario

# presets that reconstruct a figure of the article from its text and caption
RECONSTRUCTIONS = frozenset({"concept_diagram"})
NOTE_FONT = 12


def is_reconstruction(scenario: Scenario) -> bool:
    """Whether the view is (a change of) a preset that reconstructs one of the article's
    figures: its map says so, in the dashboard and in every export."""
    return scenario.id in RECONSTRUCTIONS


def map_notes(scenario: Scenario) -> list[dict[str, Any]]:
    """The layout annotations written on the map: a boxed note in the map's lower left corner
    (outside a world map's oval) for a reconstruction, none otherwise."""
    if not is_reconstruction(scenario):
        return []
    return [
        {
            "name": "map-concept-note",
            "text": t("map.concept_note", scenario.lang),
            "xref": "paper",
            "yref": "paper",
            "x": 0.0,
            "y": 0.0,
            "xanchor": "left",
            "yanchor": "bottom",
            "align": "left",
            "showarrow": False,
            "font": {"family": style.FONT_FAMILY, "size": NOTE_FONT, "color": style.DARK},
            "bgcolor": "rgba(255,255,255,0.92)",
            "bordercolor": "#8A8A8A",
            "borderwidth": 1,
            "borderpad": 5,
        }
    ]
