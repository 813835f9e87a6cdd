"""The view service's panels: the details, the table, the comparison, the translations, and
what asks for the table and the comparison to be drawn again."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from dash import no_update
from pages import compare, decoded, table, text_of

from dashboard.callbacks import dash_value
from dashboard.components import QUOTED_ROLES, shown_with_classes
from dashboard.details import COLUMNS, view_rows
from dashboard.i18n import t
from dashboard.service.panels import shown_count
from geodata.certainty import WIDEST_STATE, shows, state_index
from geodata.scenario import LANGS, Scenario


def test_sync_asks_for_the_table_and_comparison_only_when_they_change(service, presets):
    """A layer toggle or a new focus asks for no table and no comparison; a date or a language
    does; the comparison is never asked for while it is off."""
    base = presets["summit_outcomes"]
    view = service.views.view_data
    toggled = base.model_copy(update={"layers": base.layers[:-1]})
    focused = base.model_copy(update={"focus": "JPN"})
    dated = base.model_copy(update={"date_from": date(2024, 7, 1)})
    english = base.model_copy(update={"lang": "en"})
    assert service.panels.requests(None, view(base), None).keys() == {"table-request.data"}
    for mode in (None, "none", "side"):
        assert service.panels.requests(view(base), view(toggled), mode) == {}
        assert service.panels.requests(view(base), view(focused), mode) == {}
        assert service.panels.requests(view(base), view(dated), mode).keys() == (
            {"table-request.data"}
        )
    asked = service.panels.requests(view(base), view(english), "side")
    assert asked == {"table-request.data": view(english), "compare-view.data": view(english)}
    assert service.panels.requests(view(base), view(toggled), "diff") == {
        "compare-view.data": view(toggled)
    }
    assert service.panels.requests(view(base), view(focused), "diff") == {}
    assert service.panels.requests(view(base), view(dated), "diff").keys() == {
        "table-request.data",
        "compare-view.data",
    }


def test_details_show_the_roles_with_citations(service, presets):
    """The first roles with their quotes, glosses and footnotes' sources in full; each further
    role on one line (what it is, its basis, the sentences citing it), so that a click's answer
    stays small; the quotes of those are marked in the reading panel."""
    view = service.views.view_data(presets["concept_diagram"].model_copy(update={"focus": "JPN"}))
    scenario = service.views.scenario_of(view)
    details = service.panels.details(scenario, None)
    text = text_of(dash_value(details))
    assert "日本のグローバル・アプローチを" in text  # a quote of the first role, Japan itself
    assert "Japan's global approach" in text  # its gloss
    assert len(details.roles) > QUOTED_ROLES  # Japan has more roles than are quoted
    for role in details.roles[QUOTED_ROLES:]:
        assert role.title in text
        for citation in role.citations:
            assert all(sentence in text for sentence in citation.sentences), role.title
    assert "2024年4月、日米首脳は" not in text  # the April summit's quote: a later role's
    summit = service.panels.details(scenario, "japan_us_summit")
    assert "Japan-U.S. Joint Leaders" in text_of(dash_value(summit))
    none = text_of(dash_value(service.panels.details(scenario, "BRA")))
    assert "ブラジル" in none or "Brazil" in none


def test_the_map_summary_says_what_the_map_shows(service, presets):
    """One line: the view's title, its layers, as many items as the table shows, the
    projection, the focus; in the view's language."""
    words = {"ja": "{count}件", "en": "({count} items"}
    for preset in presets.values():
        for lang in LANGS:
            scenario = preset.model_copy(update={"lang": lang, "focus": "UKR"})
            summary = service.panels.summary(scenario)
            assert "\n" not in summary
            assert service.panels.heading(scenario)[0] in summary
            for layer in scenario.layers:
                assert t(f"layer.{layer}", lang) in summary, (preset.id, layer)
            shown = service.maps.shown_layers(scenario)
            count = len(view_rows(shown, lang, service.atlas))  # the rows the table shows
            assert words[lang].format(count=count) in summary, (preset.id, lang, summary)
            assert t(f"projection.{scenario.projection}", lang) in summary
            assert ("ウクライナ" if lang == "ja" else "Ukraine") in summary
    nothing = presets["summit_outcomes"].model_copy(update={"layers": ()})
    title = service.panels.heading(nothing)[0]
    assert service.panels.summary(nothing) == f"地図:{title}。" + t("map.summary.none", "ja")
    custom = service.panels.summary(Scenario(lang="en"))  # no title: none is named
    assert custom.startswith("Map: Showing Value community, Authoritarian bloc") and "(" in custom


def test_the_summary_is_sent_when_it_changes(service, presets):
    scenario = presets["summit_outcomes"]
    view = service.views.view_data(scenario)
    out = service.panels.panels(view, None, (None, None, None, None))
    summary = out["map-summary.children"]
    shown = (out["view-title.children"], out["view-description.children"], summary, None)
    assert "map-summary.children" not in service.panels.panels(view, None, shown)
    toggled = service.views.view_data(scenario.model_copy(update={"layers": ("events",)}))
    assert service.panels.panels(toggled, None, shown)["map-summary.children"] != summary


def test_the_shown_count_follows_the_layers_and_the_certainty_state(service, presets):
    # 4 rows of events shown in state 0 only (the most certain), 5 in states 0 and 8
    counts = {"events": 2, "threats events": 3, "": 1, "events@1": 4, "ukraine@257": 5}
    assert shown_count(counts, ("events",), WIDEST_STATE) == 6
    assert shown_count(counts, ("events",), 0) == 10
    assert shown_count(counts, ("ukraine",), WIDEST_STATE) == 6
    assert shown_count(counts, ("ukraine",), 4) == 1
    assert shown_count(counts, ("threats", "events"), WIDEST_STATE) == 6
    assert shown_count({}, (), 0) == 0


def test_the_table_key_ignores_the_layers_directions_focus_and_projection(service, presets):
    scenario = presets["concept_diagram"]
    table_key = service.panels.table_key
    key = table_key(scenario)
    for change in (
        {"layers": ("events",)},
        {"layers": ()},
        {"directions": ("east",)},
        {"focus": "JPN"},
        {"projection": "polar"},
        {"id": None, "title_en": "x"},
    ):
        assert table_key(scenario.model_copy(update=change)) == key, change
    for change in (
        {"lang": "en"},
        # (the preset names groupings: at "stated", NATO's members the article does not name
        # leave it, and so do events of theirs: rows the table of every certainty does not hide)
        {"basis": "stated"},
        {"groupings": ("nato",)},
        {"proposals": False},
    ):
        assert table_key(scenario.model_copy(update=change)) != key, change


def test_the_table_key_ignores_a_certainty_filter_that_only_hides_rows(service):
    scenario = Scenario()
    for basis, modality in (("stated", "asserted"), ("inferred", "projected")):
        narrowed = scenario.model_copy(update={"basis": basis, "modality": modality})
        assert service.maps.draws_every_certainty(narrowed)
        assert service.panels.table_key(narrowed) == service.panels.table_key(scenario)


def test_the_table_has_every_layers_rows_each_marked_with_its_layers(service, presets):
    scenario = presets["ukraine_support"]  # not every layer: the table still has them all
    fragment, meta = table(service, scenario)
    rows = decoded(fragment)  # the components as the browser gets them
    expected = service.panels.table_rows(scenario)
    assert len(rows) == len(expected) > 0
    no_layers = scenario.model_copy(update={"layers": ()})
    assert rows == decoded(table(service, no_layers)[0])
    for row, data in zip(rows, expected, strict=True):
        assert row["type"] == "Tr"
        classes = row["props"]["className"].split()
        assert classes[1:] == [
            "layered",
            *(name for key in data["layers"] for name in shown_with_classes(key)),
        ]
        layer_cell = row["props"]["children"][COLUMNS.index("layer")]["props"]["children"]
        if len(data["layers"]) > 1:  # one item per layer, hidden with its layer
            assert [li["props"]["className"] for li in layer_cell["props"]["children"]] == [
                " ".join(["layer-tag", *shown_with_classes(key)]) for key in data["layers"]
            ]
    assert sum(meta["counts"].values()) == len(rows)
    assert "{count}" in meta["caption"] and meta["empty"]


def test_the_summary_counts_the_rows_the_table_lists(service, presets):
    """The map summary's counts (sent with the sync answer, without the table's rows) are the
    table's: per set of layers, for views narrowed by dates, groupings, basis and language."""
    views = [
        presets["concept_diagram"],
        presets["ukraine_support"].model_copy(update={"date_from": date(2024, 1, 1)}),
        presets["summit_outcomes"].model_copy(update={"basis": "stated", "lang": "en"}),
        Scenario(groupings=("nato",), date_to=date(2023, 12, 31), proposals=False),
    ]
    for scenario in views:
        rows = service.panels.table_rows(scenario)
        counts = service.panels.counts(scenario)
        assert counts == table(service, scenario)[1]["counts"]
        state = state_index(*scenario.certainty())
        for layers in ((), ("events",), ("threats", "authoritarian"), scenario.layers):
            shown = sum(not row["layers"] or shows(row["layers"], layers, state) for row in rows)
            assert shown_count(counts, layers, state) == shown


def test_translations_cover_every_text_node(service, client):
    layout = client.get("/_dash-layout").get_json()
    ids = re.findall(r'\{"i18n": "([^"]+)", "n": (\d+)\}', json.dumps(layout))
    assert ids
    values = service.panels.translations("en", [{"i18n": key, "n": int(n)} for key, n in ids])
    assert "Alliance Atlas" in values[0] and "Layers" in values[0]
    assert "Skip to the map" in values[0]
    assert values[-1] == "Clear selection"


def test_compare_modes(service, presets):
    view = service.views.view_data(presets["proposals_japan_five_eyes_nato"])
    figure, style, diff, caption_a, caption_b, key = compare(
        service, "side", "summit_outcomes", view
    )
    assert style == {} and diff is None
    b = presets["summit_outcomes"].model_copy(update={"lang": "ja"})
    assert decoded(figure) == service.maps.figure(b)  # B drawn in A's language
    assert caption_a.startswith("A") and caption_b.startswith("B")
    again, style, *_ = compare(service, "side", "summit_outcomes", view, key)
    assert again is no_update and style == {}  # B is not sent again for a change in A
    _, style, diff, *_ = compare(service, "diff", "summit_outcomes", view)
    text = text_of(diff)
    assert style == {"display": "none"}
    assert "日本・ファイブアイズ・NATO三極情報・技術協力" in text  # only in A
    assert "AP4" in text  # only in B
    _, style, diff, *_ = compare(service, "off", "summit_outcomes", view)
    assert style == {"display": "none"} and diff is None


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_details_show_each_citations_certainty_and_its_hedge(service, presets, lang):
    """The panel of China's hedged threat to Europe marks the hedge in the Japanese quote, gives
    its English meaning and names the modality; an asserted citation says it is asserted."""
    scenario = presets["concept_diagram"].model_copy(update={"lang": lang})
    panel = dash_value(service.panels.details(scenario, "chn_threat_europe"))
    text = text_of(panel)
    marks = [m for m in _find(panel, "Mark") if m.className == "hedge"]
    assert [m.children for m in marks] == [
        "認知されつつある",
        "認知されつつある",
    ]  # quote, hedge line
    assert "“is coming to be perceived as”" in text
    assert t("modality.assessed", lang) in text
    asserted = text_of(dash_value(service.panels.details(scenario, "chn_rus_dual_use")))
    assert t("modality.asserted", lang) in asserted
    assert "hedge-line" not in asserted


def _find(component, type_name):
    """Every component of a type in a component tree."""
    found = [component] if type(component).__name__ == type_name else []
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, str):
            found += _find(child, type_name)
    return found
