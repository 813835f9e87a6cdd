"""The view service: everything the dashboard does, as plain Python (no Dash), between the
figures and details below it and the Dash callbacks above it.

    service = ViewService(atlas, presets, default_lang="ja")
    service.views      URL ↔ scenario ↔ control values, uploads and saved files (views.py)
    service.actions    what one user action changes: the URL, the controls, the view (actions.py)
    service.maps       the maps: cache, precompute, first map, layer flips and figure edits
    service.panels     heading, details, table, comparison, translations (panels.py)
    service.first_layout(page_url)   what the first layout response holds of the page's view

It returns plain data: view models for what becomes HTML (models.py), Edits for what the page
patches, KEEP for what stays, and raises Unchanged when nothing does. dashboard.components and
dashboard.callbacks turn those into Dash's types.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

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

    def page_view(self, page_url: str | None) -> Scenario | None:
        """The view a page address shows (None without one), read as the sync callback will."""
        if not page_url:
            return None
        query = urlsplit(page_url).query
        return self.views.parse_search(f"?{query}" if query else "")[0]

    def first_layout(self, page_url: str | None) -> dict[str, str]:
        """What the first layout response holds of the view at `page_url`, as JSON texts: its
        map (`figure`), the style that sizes the map's box to it (`map_style`), the record of it
        (`rendered`), its `title`, `description` and the map's `summary`, and its language
        (`locale`: of plotly's own texts, the graphs' config). With them the page draws the map,
        its heading and its summary at once, and nothing moves when the callbacks come (they
        find them in place and send none of them again)."""
        scenario = self.page_view(page_url)
        figure, rendered, box = self.maps.initial_map(scenario)
        title, description = self.panels.heading(scenario) if scenario else (None, None)
        summary = self.panels.summary(scenario) if scenario else None
        return {
            "figure": figure,
            "rendered": rendered,
            "map_style": box,
            "title": json.dumps(title, ensure_ascii=False),
            "description": json.dumps(description, ensure_ascii=False),
            "summary": json.dumps(summary, ensure_ascii=False),
            "locale": json.dumps(scenario.lang if scenario else self.views.default_lang),
        }
