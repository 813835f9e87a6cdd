"""The dashboard's export control: the same picture as `alliance-atlas export`, sent to the browser."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from PIL import Image

from dashboard.export.cli import run_export
from dashboard.export.session import RenderSession

pytestmark = pytest.mark.browser  # the export renders in kaleido's Chromium


class _Page:
    """The page's export control, pressed through the app's callback endpoint."""

    def __init__(self, app):
        self.client = app.server.test_client()
        self.views = app.view_service.views

    def export(self, scenario, fmt):
        """(the download the page gets, or None; the message under the button)."""
        body = {
            "output": "..export-download.data...export-message.children..",
            "outputs": [
                {"id": "export-download", "property": "data"},
                {"id": "export-message", "property": "children"},
            ],
            "inputs": [{"id": "export", "property": "n_clicks", "value": 1}],
            "state": [
                {"id": "view", "property": "data", "value": self.views.view_data(scenario)},
                {"id": "export-format", "property": "value", "value": fmt},
            ],
            "changedPropIds": ["export.n_clicks"],
        }
        response = self.client.post("/_dash-update-component", json=body)
        assert response.status_code == 200, response.data[:300]
        answer = response.get_json()["response"]
        download = answer.get("export-download", {}).get("data")
        return download, answer["export-message"]["children"]


@pytest.fixture(scope="module")
def page(app):
    return _Page(app)


def test_export_button_sends_the_same_png_as_the_command_line(page, presets, tmp_path: Path):
    scenario = presets["ukraine_support"].model_copy(update={"lang": "en"})
    data, message = page.export(scenario, "png")
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


def test_export_of_an_unknown_format_falls_back_to_png(page, presets):
    data, _ = page.export(presets["threats_360"], "exe")
    assert data["filename"].endswith(".png")
    assert base64.b64decode(data["content"]).startswith(b"\x89PNG")


def test_export_writes_nothing_on_the_server(page, presets, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    page.export(presets["value_community"], "svg")
    assert list(tmp_path.iterdir()) == []


def test_exporting_the_same_view_again_needs_no_browser(page, presets, monkeypatch):
    view = presets["concept_diagram"]
    first, _ = page.export(view, "png")

    def no_browser(self, job):
        raise AssertionError("the browser was needed for an image exported before")

    monkeypatch.setattr(RenderSession, "submit", no_browser)
    again, message = page.export(view, "png")
    assert message == ""
    assert again == first
