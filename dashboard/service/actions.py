"""What one user action changes: the page's address, the controls, the `view` store, the notices
and the selection, for a new URL, a control, a preset, an upload, a click on the map or on a
table row (it selects the item), the details panel's "zoom to" and clear buttons, a sentence of
the article picked (or dropped) in the reading panel, or the panel opened or shut.

The `view` store and the URL are written here only: the map, the table, the details panel and
the comparison are all drawn from the `view` store.
"""

from __future__ import annotations

from typing import Any

from dashboard.i18n import t
from dashboard.service.controls import CONTROL_IDS
from dashboard.service.models import Message, Unchanged
from dashboard.service.views import Views
from geodata.scenario import Scenario


class Actions:
    """The page's one writer of the URL and the `view` store (see `sync`)."""

    def __init__(self, views: Views):
        self.views = views

    def sync(
        self,
        trigger: Any,
        search: str | None,
        values: dict[str, Any],
        view: dict[str, Any] | None,
        *,
        upload: tuple[str | None, str | None] = (None, None),
        click: dict[str, Any] | None = None,
        request: Any = None,
    ) -> dict[str, Any]:
        """What one user action (or the URL) changes, keyed by 'id.prop' of the page's outputs
        (`trigger`: the id of the input that fired, None on the page's first call; `request`:
        what a sentence or reading-panel request asks for).

        Keys that are absent stay unchanged. Raises Unchanged when nothing changes.
        """
        views = self.views
        current = views.scenario_of(view)
        read = views.reading(view)  # the reading panel is open
        lang = current.lang
        if trigger is None or trigger == "url":
            if search is None:
                raise Unchanged
            scenario, notices = views.parse_search(search)
            read, read_notices = views.read_of(search)
            out = self._show(scenario, values, read, set_url=False)
            out["notice-url.children"] = views.notices(notices + read_notices, scenario.lang)
            out["notice-error.children"] = None
            out["selected.data"] = None
            return out
        if trigger == "scenario":
            preset = values.get("scenario.value")
            if preset in views.presets:
                keep = {"lang": lang, "sentence": current.sentence}
                scenario = views.presets[preset].model_copy(update=keep)
                return self._show(scenario, values, read) | {"selected.data": None}
            if current.id is None:
                raise Unchanged
            untitled = {"id": None, "title_ja": "", "title_en": ""}
            untitled |= {"description_ja": "", "description_en": ""}
            return self._changed(current, current.model_copy(update=untitled), read)
        if trigger == "upload":
            scenario, message = views.load_upload(*upload, lang)
            if scenario is None:
                return {"upload-message.children": message}
            out = self._show(scenario, values, read)
            out["upload-message.children"] = message
            out["selected.data"] = None
            return out
        if trigger == "sentence-request":
            return self._sentence(current, request, read)
        if trigger == "read-request":
            asked = isinstance(request, dict) and request.get("read") is True
            if asked == read:
                raise Unchanged
            return self._changed(current, current, asked, allow_same=True)
        if trigger == "map" or isinstance(trigger, dict):
            # a click on the map or on a table row selects the item: the details panel shows it
            # and the reading panel marks its sentences (assets/atlas.js, mapToText); the view,
            # and so the map's picture and the URL, stay as they are (zooming to it is asked
            # for apart: "zoom to" in the details panel, the country search, `focus=`)
            if trigger == "map":
                item = views.clicked_id(click)
            else:
                item = views.row_target(trigger.get("key", ""))
            if item is None:
                raise Unchanged
            return {"selected.data": item}
        if trigger in ("zoom-request", "details-clear"):
            if trigger == "zoom-request":
                item = request.get("item") if isinstance(request, dict) else None
                if not isinstance(item, str) or item not in views.focusable:
                    raise Unchanged  # the page only offers to zoom to a focusable item
            else:
                item = None
                if current.sentence:  # the sentence too
                    cleared = current.model_copy(update={"sentence": None, "focus": None})
                    out = self._changed(current, cleared, read)
                    return out | {"focus.value": views.focus_text(cleared), "selected.data": None}
            # with a sentence picked, the details keep showing the item zoomed to (the focus
            # alone would leave them on the sentence)
            picked = {"selected.data": item if current.sentence else None}
            if item == current.focus:  # already focused (or nothing to clear)
                return picked
            scenario = current.model_copy(update={"focus": item})
            out = self._changed(current, scenario, read, allow_same=True)
            out["focus.value"] = views.focus_text(scenario)
            return out | picked
        # a control
        control = trigger if isinstance(trigger, str) else ""
        try:
            scenario = views.scenario_from_controls(current, values, use_focus=control == "focus")
        except ValueError as error:
            out = dict(zip(CONTROL_IDS, views.controls_of(current), strict=True))
            out["notice-error.children"] = Message(t("notices.error", lang), (str(error),), "bad")
            return out
        return self._changed(current, scenario, read, shown=values)

    def _sentence(self, current: Scenario, request: Any, read: bool) -> dict[str, Any]:
        """A sentence picked in the reading panel (an id of the article's), or dropped (None):
        the view emphasises it; the details show it instead of any item clicked before."""
        sentence = request.get("sentence") if isinstance(request, dict) else None
        if sentence is not None and sentence not in self.views.sentences:
            raise Unchanged  # the page only ever asks for the article's own sentences
        out = self._changed(current, current.model_copy(update={"sentence": sentence}), read)
        return out | {"selected.data": None}

    def _show(
        self, scenario: Scenario, shown: dict[str, Any], read: bool, *, set_url: bool = True
    ) -> dict[str, Any]:
        """Everything that shows `scenario`, but the controls whose current value (`shown`)
        already is theirs: re-sent, each would be re-rendered for nothing (on a page load, all)."""
        controls = zip(CONTROL_IDS, self.views.controls_of(scenario), strict=True)
        out: dict[str, Any] = {
            key: value for key, value in controls if key not in shown or shown[key] != value
        }
        out["view.data"] = self.views.view_data(scenario, read)
        out["notice-error.children"] = None
        if set_url:
            out["url.search"] = self.views.query_of(scenario, read)
            out["notice-url.children"] = None
        return out

    def _changed(
        self,
        current: Scenario,
        scenario: Scenario,
        read: bool,
        *,
        allow_same: bool = False,
        shown: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The new view `scenario` in the URL and the `view` store. `shown`: the control values
        the page has; the country search is given its text for the view when it shows another
        (a name typed in another form, or the language changed)."""
        text = self.views.focus_text(scenario)
        retext = shown is not None and shown.get("focus.value", text) != text
        if scenario == current and not allow_same:
            if retext:
                return {"focus.value": text}
            raise Unchanged
        out: dict[str, Any] = {
            "url.search": self.views.query_of(scenario, read),
            "view.data": self.views.view_data(scenario, read),
            "notice-url.children": None,
            "notice-error.children": None,
        }
        if scenario.focus != current.focus:
            out["selected.data"] = None
        if retext:
            out["focus.value"] = text
        return out
