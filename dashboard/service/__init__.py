"""The view service: everything the dashboard does, as plain Python (no Dash), between the
figures and details below it and the Dash callbacks above it.

    service = ViewService(atlas, presets, default_lang="ja")
    service.views      URL ↔ scenario ↔ control values, uploads and saved files (views.py)
    service.actions    what one user action changes: the URL, the controls, the view (actions.py)
    service.maps       the maps: cache, precompute, first map, layer flips and figure edits
    service.panels     heading, details, table, comparison, translations (panels.py)

It returns plain data: view models for what becomes HTML (models.py), Edits for what the page
patches, KEEP for what stays, and raises Unchanged when nothing does. dashboard.components and
dashboard.callbacks turn those into Dash's types.
"""

from __future__ import annotations

from dashboard.service.actions import Actions
from dashboard.service.maps import Maps
from dashboard.service.panels import Panels
from dashboard.service.views import Views
from geodata.atlas import Atlas
from geodata.scenario import Scenario


class ViewService:
    """The dashboard's behaviour for one atlas and its presets (see the module's docstring)."""

    def __init__(self, atlas: Atlas, presets: dict[str, Scenario], default_lang: str = "ja"):
        self.atlas = atlas
        self.views = Views(atlas, presets, default_lang)
        self.actions = Actions(self.views)
        self.maps = Maps(atlas, presets, self.views)
        self.panels = Panels(self.views, self.maps)
