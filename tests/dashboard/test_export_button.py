"""The dashboard's export control: the same picture as `alliance-atlas export`, made by a
background job (dashboard.jobs) and sent to the browser; busy when every export slot is taken;
cancelled on request. Driven through the app's callback endpoint as dash-renderer drives it
(tests/exports.py); the page itself is tested in a real browser in test_browser.py."""

from __future__ import annotations

import base64
import io
import time
from pathlib import Path

import psutil
import pytest
from exports import ExportPage
from PIL import Image

from dashboard.app import create_app
from dashboard.export.cli import run_export
from dashboard.jobs import embedded_jobs

pytestmark = pytest.mark.browser  # the export renders in kaleido's Chromium


def _page(app) -> ExportPage:
    client = app.server.test_client()

    def post(path, body):
        response = client.post(path, json=body)
        return response.status_code, response.get_json(silent=True)

    return ExportPage(post, client.get("/_dash-dependencies").get_json())


@pytest.fixture(scope="module")
def page(app):
    return _page(app)


def test_export_button_sends_the_same_png_as_the_command_line(page, service, presets, tmp_path):
    scenario = presets["ukraine_support"].model_copy(update={"lang": "en"})
    outcome = page.export(service.views.view_data(scenario), "png")
    assert outcome.message == "Exported ukraine_support.en.png"
    # the steps it showed on the way, in the page's language
    assert outcome.progress and all("(" in step and "/3)" in step for step in outcome.progress)
    data = outcome.download
    assert data["filename"] == "ukraine_support.en.png"
    sent = base64.b64decode(data["content"])
    assert Image.open(io.BytesIO(sent)).size == (1920, 1080)

    out = tmp_path / "cli.png"
    status = run_export(
        ["--state", scenario.to_query(), "--out", str(out), "--size", "1920x1080", "--scale", "1"]
    )
    assert status == 0
    assert out.read_bytes() == sent


def test_export_of_an_unknown_format_falls_back_to_png(page, service, presets):
    outcome = page.export(service.views.view_data(presets["threats_360"]), "exe")
    assert outcome.download["filename"].endswith(".png")
    assert base64.b64decode(outcome.download["content"]).startswith(b"\x89PNG")


def test_export_writes_nothing_on_the_server(page, service, presets, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    outcome = page.export(service.views.view_data(presets["value_community"]), "svg")
    assert outcome.download["filename"].endswith(".svg")
    assert list(tmp_path.iterdir()) == []


@pytest.fixture()
def one_slot_app(atlas, presets, tmp_path):
    return create_app("en", atlas=atlas, presets=presets, jobs=embedded_jobs(tmp_path, slots=1))


def test_a_second_export_while_the_slot_is_taken_is_busy_and_starts_nothing(
    one_slot_app, service, presets
):
    page = _page(one_slot_app)
    view = service.views.view_data(presets["threats_360"].model_copy(update={"lang": "en"}))
    request, message = page.admit(view, "png")
    assert request is not None and message == ""
    again, busy = page.admit(view, "pdf")
    assert again is None
    assert busy == "Busy: 1 exports are being made right now. Try again in a moment."
    outcome = page.wait(request, page.start(request))
    assert outcome.download is not None
    # its job ended: the slot is free again
    assert page.export(view, "png").download is not None


def test_a_request_that_was_not_admitted_starts_no_job(one_slot_app, service, presets):
    page = _page(one_slot_app)
    jobs = one_slot_app.export_jobs
    view = service.views.view_data(presets["threats_360"])
    forged = {"scenario": view["scenario"], "fmt": "png", "token": "0" * 32}
    assert page.wait(forged, page.start(forged)).download is None  # nothing ran: 204
    assert jobs.slots.in_use() == 0
    request, _ = page.admit(view, "png")
    first = page.start(request)
    replayed = page.start(request)  # a token starts one job only
    assert page.wait(request, replayed).download is None
    outcome = page.wait(request, first)
    assert outcome.download is not None, outcome.message


def test_cancel_ends_the_job_and_its_browser_and_frees_the_slot(one_slot_app, service, presets):
    page = _page(one_slot_app)
    view = service.views.view_data(presets["concept_diagram"].model_copy(update={"lang": "en"}))
    request, _ = page.admit(view, "svg")
    handles = page.start(request)
    jobs = one_slot_app.export_jobs
    pid = int(jobs.slots.job_of(request["token"]).split(":")[0])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not psutil.Process(pid).children(recursive=True):
        time.sleep(0.2)  # until its browser runs
    family = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    assert page.cancel(handles) in (200, 204)
    _gone, alive = psutil.wait_procs(family, timeout=10)
    assert not alive, alive
    assert page.wait(request, handles).download is None  # the page stops polling: no result
    assert jobs.slots.in_use() == 0
