"""The view service: URL ↔ scenario ↔ control values, and the saved scenario file."""

from __future__ import annotations

from pages import text_of

from dashboard.callbacks import dash_value
from dashboard.service import ViewService
from dashboard.service.controls import CONTROL_IDS
from geodata.scenario import Scenario


def test_every_preset_round_trips_url_and_controls(service, presets):
    for preset_id, preset in presets.items():
        query = service.views.query_of(preset)
        scenario, notices = service.views.parse_search(query)
        assert notices == [], preset_id
        assert scenario == preset, preset_id
        values = dict(zip(CONTROL_IDS, service.views.controls_of(scenario), strict=True))
        assert values["scenario.value"] == preset_id
        again = service.views.scenario_from_controls(scenario, values)
        assert again == scenario, preset_id
        assert service.views.query_of(again) == query


def test_url_without_lang_uses_the_app_language(atlas, presets):
    english = ViewService(atlas, presets, "en").views
    assert english.parse_search("")[0].lang == "en"
    assert english.parse_search("?scenario=threats_360")[0].lang == "en"
    assert english.parse_search("?lang=ja")[0].lang == "ja"
    assert english.parse_search("?lang=xx")[0].lang == "en"


def test_bad_and_unknown_parameters_are_dropped_with_notices(service):
    query = (
        "?layers=events,bogus&zoom=3&basis=maybe&groupings=nato,atlantis&focus=XXX"
        "&from=2024-13-01&projection=mercator"
    )
    scenario, notices = service.views.parse_search(query)
    assert scenario.layers == ("events",)
    assert scenario.groupings == ("nato",)
    assert scenario.focus is None
    assert scenario.date_from is None
    assert scenario.basis == Scenario().basis
    assert scenario.projection == "robinson"
    text = " | ".join(notices)
    for word in ("bogus", "zoom", "maybe", "atlantis", "XXX", "from", "mercator"):
        assert word in text, word
    out = service.actions.sync("url", query, {}, None)
    rendered = text_of(dash_value(out["notice-url.children"]))
    assert "zoom" in rendered and "atlantis" in rendered


def test_saved_yaml_loads_back_as_the_same_view(service, presets):
    scenario = presets["ukraine_support"].model_copy(update={"lang": "en", "basis": "stated"})
    text, filename = service.views.saved(service.views.view_data(scenario))
    assert filename == "ukraine_support.yaml"
    assert Scenario.from_yaml(text) == scenario
