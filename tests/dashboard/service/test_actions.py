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
        "date-range.start_date": "2024-06-01",
        "date-range.end_date": "2024-07-31",
        "basis.value": "stated",
        "proposals.value": [],
        "focus.value": "JPN",
        "projection.value": "orthographic",
        "map-options.value": ["world"],
    }
    assert out["notice-url.children"] is None
    assert "url.search" not in out  # the address bar keeps what the user opened
    scenario = Scenario.model_validate(out["view.data"]["scenario"])
    assert dict(parse_qsl(out["view.data"]["query"][1:])) == dict(parse_qsl(query[1:]))
    assert scenario.focus == "JPN"
    assert scenario.modality == "assessed"  # no control yet, but the view keeps it


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
    values["date-range.start_date"] = "2024-09-01"  # after `to`
    out = service.actions.sync("date-range", None, values, view)
    assert "view.data" not in out and "url.search" not in out
    assert out["date-range.start_date"] == scenario.date_from.isoformat()  # put back
    assert out["notice-error.children"] is not None


def test_a_preset_keeps_the_current_language(service, presets):
    view = service.views.view_data(Scenario(lang="en"))
    out = service.actions.sync("scenario", None, {"scenario.value": "threats_360"}, view)
    assert out["lang.value"] == "en"
    assert out["projection.value"] == "polar"
    assert "scenario=threats_360" in out["url.search"]


def test_a_click_focuses_the_item(service, presets):
    view = service.views.view_data(presets["concept_diagram"])
    click = {"points": [{"curveNumber": 1, "pointNumber": 3, "customdata": "JPN"}]}
    out = service.actions.sync("map", None, {}, view, click=click)
    assert "focus=JPN" in out["url.search"]
    assert out["focus.value"] == "JPN"
    arc = {"points": [{"curveNumber": 2, "customdata": ["chn_rus_dual_use", "x"]}]}
    out = service.actions.sync("map", None, {}, view, click=arc)
    assert "focus=chn_rus_dual_use" in out["url.search"]
    assert out["focus.value"] is None  # not a country
    other = {"points": [{"curveNumber": 0, "location": "BRA"}]}
    assert service.actions.sync("map", None, {}, view, click=other) == {"selected.data": "BRA"}


def test_table_rows_and_clear_button_focus_and_unfocus(service, presets):
    view = service.views.view_data(presets["concept_diagram"])
    out = service.actions.sync({"type": "row-focus", "key": "grouping:nato"}, None, {}, view)
    assert "focus=nato" in out["url.search"] and out["focus.value"] is None
    domain = service.actions.sync({"type": "row-focus", "key": "domain:cyber:CHN"}, None, {}, view)
    assert domain == {"selected.data": "cyber"}  # domains are not focusable: details only
    cleared = service.actions.sync("details-clear", None, {}, out["view.data"])
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
