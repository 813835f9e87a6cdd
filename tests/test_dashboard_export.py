"""The dashboard's export control: the same picture as `alliance-atlas export`, sent to the browser."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from PIL import Image

from dashboard.app import create_app
from dashboard.callbacks import Controller
from dashboard.export.cli import run_export
from dashboard.export.session import RenderSession


@pytest.fixture(scope="module")
def controller(atlas, presets) -> Controller:
    return create_app(lang="ja", atlas=atlas, presets=presets).atlas_controller


def test_export_button_sends_the_same_png_as_the_command_line(controller, presets, tmp_path: Path):
    scenario = presets["ukraine_support"].model_copy(update={"lang": "en"})
    data, message = controller.export(controller.view_data(scenario), "png")
    assert message == ""
    assert data["filename"] == "ukraine_support.en.png"
    sent = base64.b64decode(data["content"])
    assert Image.open(io.BytesIO(sent)).size == (1920, 1080)

    out = tmp_path / "cli.png"
    status = run_export(
        ["--state", scenario.to_query(), "--out", str(out), "--size", "1920x1080", "--scale", "1"]
    )
    assert status == 0
    assert out.read_bytes() == sent


def test_export_of_an_unknown_format_falls_back_to_png(controller, presets):
    data, _ = controller.export(controller.view_data(presets["threats_360"]), "exe")
    assert data["filename"].endswith(".png")
    assert base64.b64decode(data["content"]).startswith(b"\x89PNG")


def test_export_writes_nothing_on_the_server(controller, presets, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    controller.export(controller.view_data(presets["value_community"]), "svg")
    assert list(tmp_path.iterdir()) == []


def test_exporting_the_same_view_again_needs_no_browser(controller, presets, monkeypatch):
    view = controller.view_data(presets["concept_diagram"])
    first, _ = controller.export(view, "png")

    def no_browser(self, job):
        raise AssertionError("the browser was needed for an image exported before")

    monkeypatch.setattr(RenderSession, "submit", no_browser)
    again, message = controller.export(view, "png")
    assert message == ""
    assert again == first
