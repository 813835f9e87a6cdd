"""What the page shows around the map, as plain data: the view's heading, the details panel, the
table of everything the view shows, the comparison with a preset, and every text that follows
the language. Each is sent only when what it depends on changed."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from dashboard.details import (
    country_rows,
    diff_rows,
    item_name,
    layer_counts,
    roles_of,
    row_layers,
    view_rows,
)
from dashboard.figures.emphasis import record_items, sentence_coverage_of, view_items
from dashboard.i18n import join_names, t
from dashboard.reading import (
    ArticleView,
    SentenceDetails,
    article_index,
    article_records,
    article_view,
    sentence_details,
)
from dashboard.service.controls import (
    OPTION_IDS,
    event_span,
    options_for,
    placeholders_for,
    share_texts,
)
from dashboard.service.maps import Maps, plain
from dashboard.service.models import KEEP, Difference, Hint, ItemDetails, Suggestions, TableBody
from dashboard.service.views import Views
from geodata.atlas import Atlas
from geodata.certainty import shows, state_index
from geodata.knowledge import DIRECTIONS
from geodata.scenario import LANGS, LAYERS, Scenario
from geodata.select import widest_dates

TABLES_KEPT = 4  # per process: the rows of a table are ~0.6 MB
# how the map frames a view (the table lists the same rows whatever it is)
_MAP_DEFAULTS = {
    key: Scenario.model_fields[key].default for key in ("projection", "extent", "inset")
}
HIDDEN = {"display": "none"}
# what the page's script announces (assets/atlas.js, `text`)
SCRIPT_STRINGS = ("read.selected", "read.cleared", "read.cited", "read.not_cited")


def table_view(atlas: Atlas, scenario: Scenario) -> Scenario:
    """The scenario reduced to what the table depends on: every layer, no focus, the default
    projection, extent and inset, no id or titles, the widest dates that list the same rows."""
    return widest_dates(
        atlas,
        plain(scenario)
        .with_every_layer()
        .model_copy(update={"focus": None, **_MAP_DEFAULTS, "id": None}),
    )


def shown_count(counts: dict[str, int], keys: tuple[str, ...], state: int) -> int:
    """How many of the table's rows a view showing the layer keys `keys` in certainty state
    `state` shows, from `table-meta`'s counts (rows per set of layer keys, each maybe limited to
    some states, "" for rows of none): the rows with any of the keys shown, and those of none.
    The page counts the same way for the table's caption (assets/atlas.js, tableRows)."""
    return sum(n for key, n in counts.items() if not key or shows(key.split(" "), keys, state))


def summary_text(choices: dict[str, Any], title: str, scenario: Scenario) -> str:
    """The map's summary from Panels.summary_choices, for a view titled `title` showing the
    layers and directions of `scenario` (assets/atlas.js, summaryText, says the same in the
    page)."""
    layers = scenario.layers
    parts = [
        choices["title"].replace("{title}", title) if choices["title"] else choices["untitled"]
    ]
    if layers:
        names = choices["joiner"].join(choices["names"][layer] for layer in layers)
        state = state_index(*scenario.certainty())
        count = str(shown_count(choices["counts"], scenario.shown_keys(), state))
        parts.append(choices["layers"].replace("{layers}", names).replace("{count}", count))
        parts.append(choices["projection"])
    else:
        parts.append(choices["none"])
    if choices["focus"]:
        parts.append(choices["focus"])
    return choices["separator"].join(parts)


def compare_key(other: str, lang: str) -> str:
    """The key of the B figure drawn beside the map (`compare-key`)."""
    return f"{other}|{lang}"


class Panels:
    """The panels of one atlas's views."""

    def __init__(self, views: Views, maps: Maps):
        self.views = views
        self.maps = maps
        self.atlas = views.atlas
        self._record_items = {
            record: record_items(self.atlas, record) for record in article_records(self.atlas)
        }
        self._record_counts = {
            note.id: len(self._sentence_records(note.id)) for note in self.atlas.knowledge.sentences
        }
        self.options = {lang: options_for(self.atlas, views.presets, lang) for lang in LANGS}
        self._table = lru_cache(maxsize=TABLES_KEPT)(self._build_table)

    # --- heading and details ---------------------------------------------------------------

    def heading(self, scenario: Scenario) -> tuple[str, str]:
        """The view's title (marked when it changes a preset) and description."""
        choices = self.heading_choices(scenario)
        preset_layers = choices["preset_layers"]
        modified = preset_layers is not None and (
            choices["differs"]
            or preset_layers != list(scenario.layers)
            or choices["preset_directions"] != list(scenario.directions)
            or choices["preset_certainty"] != list(scenario.certainty())
        )
        return choices["modified" if modified else "title"], scenario.description()

    def heading_choices(self, scenario: Scenario) -> dict[str, Any]:
        """The view's title with and without the mark of a changed preset, and what chooses
        between them when only the layers, directions or certainty filters change (a toggle
        decided in the page: see assets/atlas.js, toggleLayers): the preset's layers (None
        without a preset), directions and certainty filters, whether anything else differs
        from it, and the order of the layers."""
        lang = scenario.lang
        preset = self.views.presets.get(scenario.id or "")
        title = scenario.title() or t("scenario.custom", lang)
        return {
            "title": title,
            "modified": f"{title} {t('scenario.modified', lang)}",
            "preset_layers": list(preset.layers) if preset is not None else None,
            "preset_directions": list(preset.directions) if preset is not None else None,
            "preset_certainty": list(preset.certainty()) if preset is not None else None,
            "differs": preset is not None
            and _differs(
                preset.model_copy(
                    update={
                        "layers": scenario.layers,
                        "directions": scenario.directions,
                        "basis": scenario.basis,
                        "modality": scenario.modality,
                    }
                ),
                scenario,
            ),
            "layers": list(LAYERS),
            "directions": list(DIRECTIONS),
            "summary": self.summary_choices(scenario),
        }

    def details_key(self, scenario: Scenario, selected: str | None) -> str:
        """What the details panel depends on: the item shown, the language and whether the map
        is focused on it (its "zoom to" button); for a sentence, also which of its records the
        view draws."""
        if scenario.sentence and not selected:
            drawn = self._drawn(scenario)
            shown = [r for r in self._sentence_records(scenario.sentence) if r in drawn]
            return f"sentence:{scenario.sentence}|{scenario.lang}|{','.join(shown)}"
        item = selected or scenario.focus or ""
        return f"{item}|{scenario.lang}|{'focus' if item == scenario.focus else ''}"

    def _drawn(self, scenario: Scenario) -> set[str]:
        """The records of the article the view draws (an item of theirs is on its map)."""
        items = view_items(self.maps.shown_layers(scenario))
        return {r for r, own in self._record_items.items() if items.intersection(own)}

    def _sentence_records(self, sentence: str) -> tuple[str, ...]:
        row = sentence_coverage_of(self.atlas, sentence)
        return row.records if row else ()

    def details(
        self, scenario: Scenario, selected: str | None
    ) -> Hint | ItemDetails | SentenceDetails:
        """The details panel: every role of the selected item, else what the picked sentence
        supports, else every role of the focused item, or a hint."""
        lang = scenario.lang
        if scenario.sentence and not selected:
            drawn = view_items(self.maps.shown_layers(scenario))
            found = sentence_details(self.atlas, scenario.sentence, lang, drawn)
            if found is not None:
                return found
        item = selected or scenario.focus
        if not item:
            return Hint(t("details.hint", lang))
        roles = roles_of(self.atlas, item, lang)
        title = item_name(self.atlas, item, lang)
        if not roles:
            return Hint(t("details.none", lang, name=title), "details-none")
        count = t("details.roles", lang, count=len(roles))
        zoom = item in self.views.focusable and item != scenario.focus
        return ItemDetails(title, item, count, tuple(roles), lang, zoom)

    def summary(self, scenario: Scenario) -> str:
        """One line that says what the map shows (the page announces it politely when it
        changes): the view's title, its layers and how many items the table lists, the
        projection and the item it is centred on."""
        choices = self.summary_choices(scenario)
        return summary_text(choices, self.heading(scenario)[0], scenario)

    def summary_choices(self, scenario: Scenario) -> dict[str, Any]:
        """The parts of the summary, and what `summary_text` picks them by (the title and the
        layers), so that the page redraws it after a layer toggle (assets/atlas.js)."""
        lang = scenario.lang
        projection = t(f"projection.{scenario.projection}", lang)
        focus = item_name(self.atlas, scenario.focus, lang) if scenario.focus else None
        return {
            "title": t("map.summary.title", lang, title="{title}") if scenario.title() else None,
            "untitled": t("map.summary.untitled", lang),
            "layers": t("map.summary.layers", lang, layers="{layers}", count="{count}"),
            "projection": t("map.summary.projection", lang, projection=projection),
            "none": t("map.summary.none", lang),
            "focus": t("map.summary.focus", lang, name=focus) if focus else None,
            "names": {layer: t(f"layer.{layer}", lang) for layer in LAYERS},
            "joiner": join_names(["", ""], lang),
            "separator": "" if lang == "ja" else " ",
            "counts": self.counts(scenario),
        }

    def panels(
        self,
        view: dict[str, Any] | None,
        selected: Any,
        shown: tuple[Any, Any, Any, Any],
        *,
        changed: bool = True,
    ) -> dict[str, Any]:
        """The view's heading, the map's summary and the details panel, keyed like the sync
        outputs: only those that differ from `shown` (the title, description, summary and
        details key the page shows), and, when the view `changed`, what the page redraws the
        heading and the summary from after a layer toggle (`view-heading`).

        They are part of the sync response, so an action costs no extra request for them."""
        if not view:
            return {}
        if not isinstance(selected, str):
            selected = None  # the page only ever stores an id there
        scenario = self.views.scenario_of(view)
        out: dict[str, Any] = {}
        title, description = self.heading(scenario)
        if changed:
            out["view-heading.data"] = self.heading_choices(scenario)
        shown_title, shown_description, shown_summary, shown_key = shown
        if title != shown_title:
            out["view-title.children"] = title
        if description != shown_description:
            out["view-description.children"] = description
        summary = self.summary(scenario)
        if summary != shown_summary:
            out["map-summary.children"] = summary
        key = self.details_key(scenario, selected)
        if key != shown_key:  # another item, or another language
            out["details.children"] = self.details(scenario, selected)
            out["details-key.data"] = key
        return out

    # --- the reading panel ---------------------------------------------------------------------

    def article(self, lang: str) -> tuple[ArticleView, dict[str, Any], dict[str, Any]]:
        """The reading panel's body in a language, the index the page links text and map with
        (the same in every language and view), and `article-lang`: the body's language, the
        words the page's script says things with, and how many records each sentence has."""
        lang = lang if lang in LANGS else self.views.default_lang
        loaded = {
            "lang": lang,
            "strings": {key: t(key, lang) for key in SCRIPT_STRINGS},
            "records": self._record_counts,
        }
        return article_view(self.atlas, lang), article_index(self.atlas), loaded

    # --- the table ---------------------------------------------------------------------------

    def table_rows(self, scenario: Scenario) -> list[dict[str, Any]]:
        """The rows of the table: every item the view's map draws, with all its layers and
        certainties (like the map: Maps.drawing_layers)."""
        return view_rows(self.maps.drawing_layers(scenario), scenario.lang, self.atlas)

    def table(self, scenario: Scenario) -> tuple[TableBody, dict[str, Any]]:
        """(the table's rows, `table-meta`: the caption, the empty text, the rows per layers).

        The rows are every layer's and certainty's: each names its layer keys and the states
        they show in, and the page shows the rows of the shown layers in the view's state and
        counts them (see assets/atlas.js), so a layer or certainty toggle sends nothing. The
        last few tables are kept (the same object for the same table)."""
        return self._table(self._table_view(scenario))

    def table_key(self, scenario: Scenario) -> str:
        """What the table depends on: not the layers or directions (it lists every layer's rows
        and the page hides those of the layer keys not shown), nor the certainty filters when
        the map draws every certainty (see Maps.drawing_layers), not the focus, the map's
        framing or the titles, nor a date moved where it changes no row."""
        return json.dumps(self._table_view(scenario).model_dump(mode="json"), sort_keys=True)

    def _table_view(self, scenario: Scenario) -> Scenario:
        """The scenario reduced to what the table depends on (see `table_key`)."""
        view = table_view(self.atlas, scenario)
        return view.with_every_certainty() if self.maps.draws_every_certainty(view) else view

    def counts(self, scenario: Scenario) -> dict[str, int]:
        """The table's rows per set of layers (`table-meta`'s counts), from the rows' layers
        alone: the summary needs them in the sync answer, and the table callback (often in
        another worker) builds the rows themselves."""
        return layer_counts(row_layers(self.maps.drawing_layers(self._table_view(scenario))))

    def _build_table(self, scenario: Scenario) -> tuple[TableBody, dict[str, Any]]:
        lang = scenario.lang
        rows = self.table_rows(scenario)
        meta = {
            "caption": t("table.caption", lang, count="{count}"),
            "empty": t("table.empty", lang),
            "counts": layer_counts(row["layers"] for row in rows),
        }
        return TableBody(tuple(rows), lang), meta

    def requests(
        self, before: dict[str, Any] | None, after: dict[str, Any] | None, compare_mode: Any
    ) -> dict[str, Any]:
        """The stores that ask for the table and the comparison to be drawn again, keyed like
        the sync outputs: set only when what they show differs between the views `before` and
        `after` (a layer toggle or a new focus asks for neither; nothing is asked while the
        comparison is off), so those callbacks are not even requested otherwise."""
        if not after:
            return {}
        old, new = self.views.scenario_of(before), self.views.scenario_of(after)
        old_table, new_table = self.table_key(old), self.table_key(new)
        out: dict[str, Any] = {}
        if not before or old_table != new_table:
            out["table-request.data"] = after
        if compare_mode == "side":
            compared = old.lang != new.lang  # B is drawn in A's language
        else:  # the difference lists what each view shows
            compared = compare_mode == "diff" and (
                (old_table, old.layers, old.certainty()) != (new_table, new.layers, new.certainty())
            )
        if compared:
            out["compare-view.data"] = after
        return out

    # --- the comparison -------------------------------------------------------------------

    def compare(
        self, mode: str | None, other: str | None, scenario: Scenario, shown: str | None = None
    ) -> tuple[Any, dict[str, Any], Any, Any, Any, Any]:
        """(figure B, B's cell style, the difference, caption A, caption B, B's key).

        `shown` is the key of the B figure already drawn: B is only sent again when it changes
        (a layer toggle in A never re-sends B's geometry); KEEP leaves a figure as it is.
        """
        lang = scenario.lang
        presets = self.views.presets
        if mode not in ("side", "diff"):
            return KEEP, HIDDEN, None, None, None, shown
        if other not in presets:
            return KEEP, HIDDEN, Hint(t("compare.pick", lang)), None, None, shown
        b = presets[other].model_copy(update={"lang": lang})
        caption_a = t("compare.a", lang)
        caption_b = t("compare.b", lang, title=b.title())
        if mode == "side":
            key = compare_key(other, lang)
            figure = KEEP if key == shown else self.maps.full_map(b)[0]
            return figure, {}, None, caption_a, caption_b, key
        only_a, only_b = diff_rows(self._shown_rows(scenario), self._shown_rows(b))
        if not only_a and not only_b:
            body: Any = Hint(t("compare.same", lang), None)
        else:
            body = Difference(
                tuple(only_a),
                tuple(only_b),
                t("compare.only_a", lang, count=len(only_a)),
                t("compare.only_b", lang, count=len(only_b)),
                caption_a,
                caption_b,
                t("table.empty", lang),
                lang,
            )
        return KEEP, HIDDEN, body, caption_a, caption_b, shown

    def _shown_rows(self, scenario: Scenario) -> list[dict[str, Any]]:
        layers = self.maps.shown_layers(scenario)
        return view_rows(layers, scenario.lang, self.atlas) + country_rows(layers, scenario.lang)

    # --- the language -----------------------------------------------------------------------

    def translations(self, lang: str, i18n_ids: list[dict[str, Any]]) -> list[Any]:
        """Everything that changes with the language, in the order the translate callback's
        outputs are wired."""
        lang = lang if lang in LANGS else self.views.default_lang
        options = self.options[lang]
        placeholders = placeholders_for(lang)
        first, last = event_span(self.atlas)
        return [
            [t(i["i18n"], lang) for i in i18n_ids],
            *(options[cid] for cid in OPTION_IDS),
            Suggestions(tuple(o["label"] for o in options["focus"])),
            placeholders["scenario"],
            placeholders["focus"],
            placeholders["compare-with"],
            t("dates.hint", lang, first=first, last=last),
            t("save.button", lang),
            t("export.button", lang),
            t("load.prompt", lang),
            t("share.copy", lang),
            share_texts(lang),
            t("details.clear", lang),
        ]


def _differs(preset: Scenario, scenario: Scenario) -> bool:
    ignore = {"lang", "focus"}
    return preset.model_dump(exclude=ignore) != scenario.model_dump(exclude=ignore)
