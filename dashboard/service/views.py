"""URL ↔ scenario ↔ control values: the one Scenario a view is, read from and written to the
page's address, its controls, its `view` store, an uploaded or saved YAML file and a click.

The address also holds what the page shows around the view (`read=1`: the reading panel is
open), which is no part of the Scenario: it changes no picture (the map, an export and a saved
scenario are the same with the panel open or shut), as the comparison mode is not."""

from __future__ import annotations

import base64
import binascii
import unicodedata
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from pydantic import ValidationError

from dashboard.figures.emphasis import sentence_items
from dashboard.i18n import name, t
from dashboard.service.controls import PROPOSALS_ON, country_label
from dashboard.service.models import Message
from geodata.atlas import Atlas
from geodata.scenario import (
    LANGS,
    MAX_QUERY_CHARS,
    PAGE_KEYS,
    SCENARIO_LIMITS,
    Lang,
    Scenario,
    ScenarioError,
    explain_error,
)
from geodata.validate import check_scenario_ids, focus_ids
from geodata.wording import describe

READ = PAGE_KEYS[0]  # the page's own parameter: the reading panel is open (1) or shut (0)
CONTROL_PROBLEMS_SHOWN = 3  # a notice names this many problems of the controls' values at most
SHOWN_TEXT = 40  # characters of a typed text quoted back in a message


def _searchable(text: str) -> str:
    """A typed text as the country search compares it: NFKC (full-width letters and spaces as
    ASCII), case and spacing ignored."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


class Views:
    """Reading and writing views for one atlas and its presets."""

    def __init__(self, atlas: Atlas, presets: dict[str, Scenario], default_lang: str = "ja"):
        self.atlas = atlas
        self.presets = presets
        self.default_lang = default_lang if default_lang in LANGS else "ja"
        self.focusable = focus_ids(atlas.knowledge)
        self.actor_ids = {a.id for a in atlas.knowledge.actors}
        self.grouping_ids = {g.id for g in atlas.knowledge.groupings}
        self.sentences = {note.id for note in atlas.knowledge.sentences}
        # the country search: each country's label in each language, by its ISO code
        self.country_labels: dict[Lang, dict[str, str]] = {
            lang: {a.id: country_label(name(a, lang), a.id) for a in atlas.knowledge.actors}
            for lang in LANGS
        }
        # what may be typed into it: a label, a name (in either language) or the code
        self._countries_by_text = {
            _searchable(text): actor.id
            for actor in atlas.knowledge.actors
            for lang in LANGS
            for text in (actor.id, name(actor, lang), self.country_labels[lang][actor.id])
        }

    def default_scenario(self) -> Scenario:
        return Scenario(lang=self.default_lang)  # type: ignore[call-arg]

    def parse_search(self, search: str | None) -> tuple[Scenario, list[str]]:
        """The view a URL query describes, and a notice for every part that was ignored (the
        page's own parameters, PAGE_KEYS, aside: see `read_of`)."""
        search = search or ""
        scenario, notices = Scenario.from_query(search, self.presets)
        keys = (
            set()  # an address over the limit is ignored whole (and not split: see read_of)
            if len(search) > MAX_QUERY_CHARS
            else {part.split("=", 1)[0] for part in search.lstrip("?").split("&") if part}
        )
        if "lang" not in keys or any(n.startswith("ignored lang=") for n in notices):
            scenario = scenario.model_copy(update={"lang": self.default_lang})
        problems = check_scenario_ids(scenario, self.atlas.knowledge)
        if problems:
            scenario = scenario.model_copy(
                update={
                    "groupings": tuple(g for g in scenario.groupings if g in self.grouping_ids),
                    "focus": scenario.focus if scenario.focus in self.focusable else None,
                    "sentence": scenario.sentence if scenario.sentence in self.sentences else None,
                }
            )
            notices += [f"ignored {problem}" for problem in problems]
        return scenario, notices

    @staticmethod
    def read_of(search: str | None) -> tuple[bool, list[str]]:
        """Whether a URL query opens the reading panel (`read=1`), and a notice when its value
        is not 0 or 1 (the panel then stays shut)."""
        search = search or ""
        if len(search) > MAX_QUERY_CHARS:  # Scenario.from_query says it ignored all of it
            return False, []
        if "?" in search or "://" in search:
            search = urlsplit(search).query
        values = [v for k, v in parse_qsl(search.lstrip("?"), keep_blank_values=True) if k == READ]
        if not values or values[-1] in ("0", "false", ""):
            return False, []
        if values[-1] in ("1", "true"):
            return True, []
        return False, [f"ignored {READ}={describe(values[-1])}: use 0 or 1"]

    def query_of(self, scenario: Scenario, read: bool = False) -> str:
        """The URL query of a view ('?…'), with `read=1` when the reading panel is open; the id
        only when it names a bundled preset."""
        if scenario.id and scenario.id not in self.presets:
            scenario = scenario.model_copy(update={"id": None})
        return "?" + scenario.to_query() + (f"&{READ}=1" if read else "")

    def controls_of(self, scenario: Scenario) -> list[Any]:
        """The control values that show `scenario`, in CONTROL_PROPS order."""
        return [
            scenario.id if scenario.id in self.presets else None,
            scenario.lang,
            list(scenario.layers),
            list(scenario.groupings),
            list(scenario.directions),
            list(scenario.domains),
            scenario.date_from.isoformat() if scenario.date_from else None,
            scenario.date_to.isoformat() if scenario.date_to else None,
            scenario.basis,
            scenario.modality,
            [PROPOSALS_ON] if scenario.proposals else [],
            self.focus_text(scenario),
            scenario.projection,
            [
                *(["inset"] if scenario.inset == "europe" else []),
                *(["world"] if scenario.extent == "world" else []),
            ],
        ]

    def focus_text(self, scenario: Scenario) -> str | None:
        """What the country search shows for a view: its focus's label when it is a country."""
        return self.country_labels[scenario.lang].get(scenario.focus or "")

    def country_of(self, text: Any, lang: str) -> str | None:
        """The ISO code of what was typed into the country search (None when it is empty);
        ValueError, with a message in `lang`, when it names no country."""
        if not isinstance(text, str) or not text.strip():
            return None
        found = self._countries_by_text.get(_searchable(text[: SHOWN_TEXT * 4]))
        if found is None:
            shown = " ".join(text.split())
            shown = shown if len(shown) <= SHOWN_TEXT else shown[: SHOWN_TEXT - 1] + "…"
            raise ValueError(t("focus.unknown", lang, text=shown))
        return found

    def scenario_from_controls(
        self, base: Scenario, values: dict[str, Any], *, use_focus: bool = False
    ) -> Scenario:
        """`base` with the control values applied; raises ValueError for an invalid combination."""
        fields = base.model_dump(by_alias=True)

        def day(value: Any) -> str | None:
            return str(value)[:10] if value else None

        fields |= {
            "lang": values.get("lang.value") or base.lang,
            "layers": list(values.get("layers.value") or []),
            "groupings": [g for g in values.get("groupings.value") or [] if g in self.grouping_ids],
            "directions": list(values.get("directions.value") or []),
            "domains": list(values.get("domains.value") or []),
            "from": day(values.get("date-from.value")),
            "to": day(values.get("date-to.value")),
            "basis": values.get("basis.value") or base.basis,
            "modality": values.get("modality.value") or base.modality,
            "proposals": PROPOSALS_ON in (values.get("proposals.value") or []),
            "projection": values.get("projection.value") or base.projection,
        }
        if "map-options.value" in values:
            options = values["map-options.value"] or []
            fields["inset"] = "europe" if "inset" in options else "none"
            fields["extent"] = "world" if "world" in options else "content"
        if use_focus:
            fields["focus"] = self.country_of(values.get("focus.value"), fields["lang"])
        try:
            return Scenario.model_validate(fields)
        except ValidationError as error:
            problems = [explain_error(e) for e in error.errors()[:CONTROL_PROBLEMS_SHOWN]]
            more = error.error_count() - len(problems)
            shown = "; ".join(problems) + (f" (and {more:,} more)" if more else "")
            raise ValueError(shown) from None

    def view_data(self, scenario: Scenario, read: bool = False) -> dict[str, Any]:
        """The `view` store's value: the scenario, its URL query, whether the reading panel is
        open, and the map items its sentence emphasises (null without a sentence)."""
        return {
            "scenario": scenario.model_dump(mode="json", by_alias=True),
            "query": self.query_of(scenario, read),
            "read": read,
            "emphasis": (
                list(sentence_items(self.atlas, scenario.sentence)) if scenario.sentence else None
            ),
        }

    @staticmethod
    def reading(view: dict[str, Any] | None) -> bool:
        """Whether a `view` store's value has the reading panel open."""
        return bool(view) and view.get("read") is True

    def scenario_of(self, view: dict[str, Any] | None) -> Scenario:
        """The scenario in a `view` store's value (the default view before there is one)."""
        if not view:
            return self.default_scenario()
        return Scenario.model_validate(view["scenario"])

    def load_upload(
        self, contents: str | None, filename: str | None, lang: str
    ) -> tuple[Scenario | None, Message]:
        """(the uploaded scenario, a message that it was loaded) or (None, a message saying why
        it cannot be used)."""
        bad = t("load.bad", lang, name=filename or "?")
        try:
            _, data = (contents or "").split(",", 1)
            raw = base64.b64decode(data, validate=True)
        except (ValueError, binascii.Error):
            raw = None
        if raw is not None and len(raw) > SCENARIO_LIMITS.max_bytes:
            reason = t("load.too_large", lang, limit=SCENARIO_LIMITS.max_bytes // 1000)
            return None, Message(bad, (reason,), "bad")
        try:
            text = raw.decode("utf-8") if raw is not None else None
        except UnicodeDecodeError:
            text = None
        if text is None:
            return None, Message(bad, (t("load.unreadable", lang),), "bad")
        try:
            scenario = Scenario.from_yaml(text)
        except ScenarioError as error:
            lines = (t("load.line", lang, line=line, message=m) for line, m in error.problems)
            return None, Message(bad, tuple(lines), "bad")
        problems = check_scenario_ids(scenario, self.atlas.knowledge)
        if problems:
            return None, Message(bad, tuple(problems), "bad")
        return scenario, Message(t("load.ok", lang, name=filename or "?"), (), "ok")

    def saved(self, view: dict[str, Any] | None) -> tuple[str, str]:
        """The view as a scenario YAML file: (its text, its file name)."""
        scenario = self.scenario_of(view)
        return scenario.to_yaml(), f"{scenario.id or 'alliance-atlas-view'}.yaml"

    @staticmethod
    def clicked_id(click: dict[str, Any] | None) -> str | None:
        """The item id a plotly click carries (customdata, or a choropleth's location)."""
        points = (click or {}).get("points") or []
        if not points:
            return None
        point = points[0]
        data = point.get("customdata")
        while isinstance(data, list | tuple) and data:
            data = data[0]
        if isinstance(data, str) and data:
            return data
        location = point.get("location")
        return location if isinstance(location, str) and location else None

    @staticmethod
    def row_target(row_key: Any) -> str | None:
        """The item id of a table row's key ('kind:id…')."""
        parts = str(row_key).split(":")
        return parts[1] if len(parts) > 1 and parts[1] else None

    def notices(self, notices: list[str], lang: str) -> Message | None:
        """The notice listing the parts of a URL that were ignored (None when there are none)."""
        return Message(t("notices.url", lang), tuple(notices), "warn") if notices else None
