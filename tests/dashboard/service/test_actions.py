"""The view service: what one user action changes (the URL, the controls, the view, notices)."""

from __future__ import annotations

import base64
from urllib.parse import parse_qsl

import pytest
from pages import text_of

from dashboard.callbacks import dash_value
from dashboard.service.controls import CONTROL_IDS
from dashboard.service.models import Unchanged
from geodata.scenario import Scenario


def test_url_with_every_field_sets_every_control(service):
    query = (
        "?scenario=threats_360&layers=threats,events&groupings=ap4,nato&directions=north,west"
        "&domains=space&basis=stated&modality=assessed&proposals=0&from=2024-06-01&to=2024-07-31"
        "&projection=orthographic&extent=world&inset=none&lang=en&focus=JPN"
    )
    out = service.actions.sync("url", query, {}, None)
    values = {key: out[key] for key in CONTROL_IDS}
    assert values == {
        "scenario.value": "threats_360",
        "lang.value": "en",
        "layers.value": ["threats", "events"],
        "groupings.value": ["ap4", "nato"],
        "directions.value": ["north", "west"],
        "domains.value": ["space"],
        "date-from.value": "2024-06-01",
        "date-to.value": "2024-07-31",
        "basis.value": "stated",
        "modality.value": "assessed",
        "proposals.value": [],
        "focus.value": "Japan (JPN)",  # the country search shows the country in the view's language
        "projection.value": "orthographic",
        "map-options.value": ["world"],
    }
    assert out["notice-url.children"] is None
    assert "url.search" not in out  # the address bar keeps what the user opened
    scenario = Scenario.model_validate(out["view.data"]["scenario"])
    assert dict(parse_qsl(out["view.data"]["query"][1:])) == dict(parse_qsl(query[1:]))
    assert scenario.focus == "JPN"
    assert scenario.modality == "assessed"


def test_initial_call_without_a_location_waits(service):
    with pytest.raises(Unchanged):
        service.actions.sync(None, None, {}, None)


def test_a_control_change_updates_the_url(service, presets):
    view = service.views.view_data(presets["summit_outcomes"])
    values = dict(
        zip(CONTROL_IDS, service.views.controls_of(presets["summit_outcomes"]), strict=True)
    )
    values["layers.value"] = ["threats", "events"]
    out = service.actions.sync("layers", None, values, view)
    params = dict(parse_qsl(out["url.search"][1:]))
    assert params["layers"] == "threats,events"
    assert params["scenario"] == "summit_outcomes"
    assert out["view.data"]["query"] == out["url.search"]
    with pytest.raises(Unchanged):  # nothing changed: no new history entry
        service.actions.sync("layers", None, values, out["view.data"])


def test_an_invalid_control_combination_keeps_the_view(service, presets):
    scenario = presets["summit_outcomes"]
    view = service.views.view_data(scenario)
    values = dict(zip(CONTROL_IDS, service.views.controls_of(scenario), strict=True))
    values["date-from.value"] = "2024-09-01"  # after `to`
    out = service.actions.sync("date-from", None, values, view)
    assert "view.data" not in out and "url.search" not in out
    assert out["date-from.value"] == scenario.date_from.isoformat()  # put back
    assert out["notice-error.children"] is not None


def test_the_custom_view_option_drops_the_preset_and_its_titles(service, presets):
    view = service.views.view_data(presets["threats_360"])
    values = dict(zip(CONTROL_IDS, service.views.controls_of(presets["threats_360"]), strict=True))
    out = service.actions.sync("scenario", None, values | {"scenario.value": ""}, view)
    scenario = Scenario.model_validate(out["view.data"]["scenario"])
    assert scenario.id is None and not scenario.title_ja and not scenario.title_en
    assert scenario.projection == "polar"  # the settings stay
    assert "scenario=" not in out["url.search"]


def test_a_preset_keeps_the_current_language(service, presets):
    view = service.views.view_data(Scenario(lang="en"))
    out = service.actions.sync("scenario", None, {"scenario.value": "threats_360"}, view)
    assert out["lang.value"] == "en"
    assert out["projection.value"] == "polar"
    assert "scenario=threats_360" in out["url.search"]


def test_a_click_selects_the_item_and_keeps_the_view(service, presets):
    """A click shows the item's details; the map is not re-framed (the view, its URL and its
    picture stay); "zoom to" in the details focuses it."""
    view = service.views.view_data(presets["concept_diagram"])
    click = {"points": [{"curveNumber": 1, "pointNumber": 3, "customdata": "JPN"}]}
    assert service.actions.sync("map", None, {}, view, click=click) == {"selected.data": "JPN"}
    arc = {"points": [{"curveNumber": 2, "customdata": ["chn_rus_dual_use", "x"]}]}
    out = service.actions.sync("map", None, {}, view, click=arc)
    assert out == {"selected.data": "chn_rus_dual_use"}
    other = {"points": [{"curveNumber": 0, "location": "BRA"}]}
    assert service.actions.sync("map", None, {}, view, click=other) == {"selected.data": "BRA"}
    with pytest.raises(Unchanged):  # a click on nothing the page knows
        service.actions.sync("map", None, {}, view, click={"points": [{}]})
    out = service.actions.sync("zoom-request", None, {}, view, request={"item": "JPN"})
    assert "focus=JPN" in out["url.search"]
    assert out["focus.value"] == "日本 (JPN)" and out["selected.data"] is None
    out = service.actions.sync("zoom-request", None, {}, view, request={"item": "chn_rus_dual_use"})
    assert "focus=chn_rus_dual_use" in out["url.search"] and out["focus.value"] is None
    for bad in ({"item": "BRA"}, {"item": ["JPN"]}, "JPN", None):  # not focusable, not an id
        with pytest.raises(Unchanged):
            service.actions.sync("zoom-request", None, {}, view, request=bad)


@pytest.mark.parametrize(
    "typed",
    ["日本 (JPN)", "Japan (JPN)", "日本", "japan", " JAPAN ", "jpn", "ＪＰＮ", "Japan  (JPN)"],
)
def test_the_country_search_takes_a_label_a_name_or_a_code(service, presets, typed):
    scenario = presets["concept_diagram"]
    values = dict(zip(CONTROL_IDS, service.views.controls_of(scenario), strict=True))
    out = service.actions.sync(
        "focus", None, values | {"focus.value": typed}, service.views.view_data(scenario)
    )
    assert "focus=JPN" in out["url.search"]
    # the search then shows the country as its suggestions do (unless it already does)
    assert out.get("focus.value", typed) == "日本 (JPN)"


def test_the_country_search_refuses_what_names_no_country(service, presets):
    scenario = presets["concept_diagram"].model_copy(update={"focus": "KOR"})
    view = service.views.view_data(scenario)
    values = dict(zip(CONTROL_IDS, service.views.controls_of(scenario), strict=True))
    for typed in ("アトランティス", "ZZZ", "nato", "x" * 5000):
        out = service.actions.sync("focus", None, values | {"focus.value": typed}, view)
        assert "view.data" not in out and "url.search" not in out, typed
        assert out["focus.value"] == "韓国 (KOR)"  # put back
        message = text_of(dash_value(out["notice-error.children"]))
        assert typed[:20] in message and len(message) < 1000, typed  # quoted, cut short
    # emptied: the focus goes
    out = service.actions.sync("focus", None, values | {"focus.value": ""}, view)
    assert "focus=&" in out["url.search"] + "&" and out["focus.value"] is None
    # typed again in another form while it is already the focus: only the text is set
    again = service.actions.sync("focus", None, values | {"focus.value": "south korea"}, view)
    assert again == {"focus.value": "韓国 (KOR)"}


def test_the_country_search_follows_the_language(service, presets):
    scenario = presets["concept_diagram"].model_copy(update={"focus": "JPN"})
    values = dict(zip(CONTROL_IDS, service.views.controls_of(scenario), strict=True))
    out = service.actions.sync(
        "lang", None, values | {"lang.value": "en"}, service.views.view_data(scenario)
    )
    assert "lang=en" in out["url.search"]
    assert out["focus.value"] == "Japan (JPN)"
    layers = values | {"layers.value": ["events"]}  # another control: the search is left as is
    out = service.actions.sync("layers", None, layers, service.views.view_data(scenario))
    assert "focus.value" not in out


def test_table_rows_select_and_the_clear_button_unfocuses(service, presets):
    view = service.views.view_data(presets["concept_diagram"])
    out = service.actions.sync({"type": "row-focus", "key": "grouping:nato"}, None, {}, view)
    assert out == {"selected.data": "nato"}
    domain = service.actions.sync({"type": "row-focus", "key": "domain:cyber:CHN"}, None, {}, view)
    assert domain == {"selected.data": "cyber"}
    zoomed = service.actions.sync("zoom-request", None, {}, view, request={"item": "nato"})
    cleared = service.actions.sync("details-clear", None, {}, zoomed["view.data"])
    assert "focus=&" in cleared["url.search"] + "&" and cleared["selected.data"] is None
    assert service.actions.sync("details-clear", None, {}, view) == {"selected.data": None}


def _upload(text: str) -> str:
    return "data:application/x-yaml;base64," + base64.b64encode(text.encode()).decode()


def test_upload_a_good_scenario(service, presets):
    text = presets["threats_360"].model_copy(update={"lang": "en"}).to_yaml()
    out = service.actions.sync(
        "upload", None, {}, service.views.view_data(Scenario()), upload=(_upload(text), "t.yaml")
    )
    assert out["projection.value"] == "polar"
    assert "scenario=threats_360" in out["url.search"]
    assert "message-ok" in text_of(dash_value(out["upload-message.children"]))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("layers: [value_community, dragons]\n", "layers"),
        ("version: 1\ngroupings: [nato, atlantis]\n", "atlantis"),
        ("version: 1\nfocus: ZZZ\n", "ZZZ"),
        ("- just\n- a list\n", "mapping"),
        ("layers: [unclosed\n", "YAML"),
        ("version: 1\nfrom: 2024-08-01\nto: 2024-07-01\n", "after"),
    ],
)
def test_upload_a_bad_scenario_changes_nothing(service, text, expected):
    view = service.views.view_data(Scenario())
    out = service.actions.sync("upload", None, {}, view, upload=(_upload(text), "bad.yaml"))
    assert set(out) == {"upload-message.children"}
    message = text_of(dash_value(out["upload-message.children"]))
    assert expected in message and "bad.yaml" in message


def test_upload_of_a_binary_file_is_refused(service):
    contents = "data:application/octet-stream;base64," + base64.b64encode(b"\xff\xfe\x00").decode()
    out = service.actions.sync("upload", None, {}, None, upload=(contents, "x.bin"))
    assert set(out) == {"upload-message.children"}
