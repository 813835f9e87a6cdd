"""The dashboard's export control: the same picture as `alliance-atlas export`, made by a
background job (dashboard.jobs) and sent to the browser; busy when every export slot is taken;
cancelled on request. Driven through the app's callback endpoint as dash-renderer drives it
(tests/exports.py); the page itself is tested in a real browser in test_browser.py."""

from __future__ import annotations

import base64
import io
import os
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
def page(atlas, presets, tmp_path_factory):
    """The export control of an app of its own (its export slots are not shared with the other
    modules' requests)."""
    jobs = embedded_jobs(tmp_path_factory.mktemp("jobs"))
    return _page(create_app("ja", atlas=atlas, presets=presets, jobs=jobs))


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


# --- the button in a real browser, under the page's CSP ---------------------------------------

CSP_LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
    window.__csp.push([e.violatedDirective, e.blockedURI].join(' '));
});
"""
STATE = """
const q = (s) => document.querySelector(s);
return {
    exportDisabled: q('#export').disabled,
    cancelShown: !q('#export-cancel').hidden && q('#export-cancel').tagName === 'BUTTON',
    progressShown: !q('#export-progress').hidden,
    progress: q('#export-progress').getAttribute('value'),
    step: q('#export-step').textContent,
    message: q('#export-message').textContent,
};
"""


@pytest.fixture
def export_duo(dash_thread_server, tmp_path):
    from browser import browser_available, headless_dash

    if not browser_available():
        pytest.skip("needs chromium and chromedriver")
    with headless_dash(
        dash_thread_server,
        tmp_path / "download",
        arguments=("--window-size=1400,1000", "--lang=en"),
        wait_timeout=30,
    ) as composite:
        composite.driver.execute_cdp_cmd(
            "Page.addScriptToEvaluateOnNewDocument", {"source": CSP_LISTENER}
        )
        yield composite


def test_the_button_shows_progress_downloads_cancels_and_says_busy(
    export_duo, atlas, presets, tmp_path
):
    from browser import wait_for

    from dashboard.local_server import free_port

    duo = export_duo
    app = create_app("en", atlas=atlas, presets=presets, jobs=embedded_jobs(tmp_path, slots=1))
    duo.start_server(app, port=free_port())
    duo.driver.get(duo.server_url + "/?scenario=summit_outcomes&lang=en")
    duo.wait_for_element("#export")
    status = duo.find_element("#export-status")
    assert status.get_attribute("role") == "status"
    assert status.get_attribute("aria-live") == "polite"
    state = lambda: duo.driver.execute_script(STATE)  # noqa: E731
    assert not state()["cancelShown"] and not state()["progressShown"]

    # export: the button waits, Cancel and the progress show the steps, then the file comes
    duo.find_element("#export").click()
    wait_for(lambda: state()["cancelShown"], "no Cancel button while exporting")
    if os.environ.get("ATLAS_SHOTS"):  # the export field while it runs
        wait_for(lambda: state()["step"], "no progress shown")
        duo.driver.execute_script(
            "document.querySelector('#export').scrollIntoView({block: 'center'})"
        )
        duo.driver.save_screenshot(str(Path(os.environ["ATLAS_SHOTS"]) / "export_running_en.png"))
    seen = []
    wait_for(
        lambda: seen.append(state()) or "Exported" in state()["message"],
        "the export did not finish",
        timeout=120,
    )
    running = [s for s in seen if s["cancelShown"]]
    assert running and all(s["exportDisabled"] and s["progressShown"] for s in running)
    assert {s["step"] for s in running} & {
        "Rendering the image… (2/3)",
        "Preparing the view… (1/3)",
    }
    download = Path(duo.download_path) / "summit_outcomes.en.png"
    wait_for(download.exists, "no download")
    assert Image.open(download).size == (1920, 1080)
    done = state()
    assert done["message"] == "Exported summit_outcomes.en.png"
    assert not done["exportDisabled"] and not done["cancelShown"] and not done["progressShown"]

    # cancel: the job stops, the page says so and gets no file
    duo.find_element("#export").click()
    wait_for(lambda: state()["cancelShown"], "no Cancel button while exporting")
    duo.find_element("#export-cancel").click()
    wait_for(lambda: state()["message"] == "Export cancelled.", "no word of the cancel")
    wait_for(lambda: not state()["cancelShown"] and not state()["exportDisabled"], "still busy")
    wait_for(lambda: app.export_jobs.slots.in_use() == 0, "the cancelled job kept its slot")
    time.sleep(2)
    assert sorted(p.name for p in Path(duo.download_path).iterdir()) == [download.name]

    # busy: the one slot is taken (by another user): the page says so at once
    app.export_jobs.slots.admit()
    duo.find_element("#export").click()
    wait_for(lambda: state()["message"].startswith("Busy"), "no busy answer")
    assert not state()["cancelShown"]

    assert duo.driver.execute_script("return window.__csp") == []
    severe = [e for e in duo.get_logs() if e.get("level") == "SEVERE"]
    assert severe == []
