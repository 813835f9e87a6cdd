"""Export jobs (dashboard.jobs): the export slots, the job handles, and the queue end to end:
a real Redis (Debian's redis-server on a free loopback port), a Celery worker
(`alliance-atlas worker`) and two dashboard processes, one starting the export and the other
serving its result. The embedded jobs' button is tested in test_export_button.py."""

from __future__ import annotations

import base64
import io
import os
import shutil
import signal
import subprocess
import sys
import time

import diskcache
import httpx
import psutil
import pytest
from exports import ExportPage
from PIL import Image

from dashboard import jobs
from dashboard.local_server import REPO, free_port, gunicorn_command, local_server, serve_command
from geodata.scenario import load_presets

# --- the slots ------------------------------------------------------------------------------


@pytest.fixture()
def slots(tmp_path):
    running: set[str] = set()
    cache = diskcache.Cache(str(tmp_path))
    table = jobs.ExportSlots(2, jobs._diskcache_update(cache), lambda job: job in running)
    table.running_jobs = running  # type: ignore[attr-defined]
    return table


def test_slots_admit_up_to_their_limit_then_answer_none(slots):
    first, second = slots.admit(), slots.admit()
    assert first and second and first != second
    assert slots.admit() is None
    assert slots.in_use() == 2


def test_a_token_starts_its_job_once(slots):
    token = slots.admit()
    started = []
    assert slots.start(token, lambda: started.append(1) or "job-1") == "job-1"
    slots.running_jobs.add("job-1")
    assert slots.start(token, lambda: started.append(2) or "job-2") is None
    assert slots.start("not admitted", lambda: started.append(3) or "job-3") is None
    assert started == [1]
    assert slots.job_of(token) == "job-1"


def test_a_slot_is_free_again_when_its_job_ends_or_is_released(slots):
    a, b = slots.admit(), slots.admit()
    slots.start(a, lambda: "job-a")  # never running: it ended (or was killed) at once
    slots.running_jobs.add("job-b")
    slots.start(b, lambda: "job-b")
    assert slots.admit() is not None  # a's slot
    assert slots.admit() is None
    slots.release(b)
    assert slots.admit() is not None


def test_an_admitted_token_that_never_starts_frees_its_slot_after_its_lease(slots, monkeypatch):
    slots.admit()
    slots.admit()
    assert slots.admit() is None
    later = time.time() + jobs.ADMIT_LEASE_S + 1
    monkeypatch.setattr(jobs.time, "time", lambda: later)
    assert slots.admit() is not None


def test_a_job_that_fails_to_start_frees_its_slot(slots):
    token = slots.admit()

    def broken() -> str:
        raise OSError("no fork")

    with pytest.raises(OSError):
        slots.start(token, broken)
    assert slots.in_use() == 0


def test_a_job_handle_names_one_process_not_its_pid_later():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        handle = jobs.process_handle(child.pid)
        manager = jobs.embedded_jobs(slots=1)
        assert manager.job_running(handle)
        assert not manager.job_running(f"{child.pid}:12345.0")  # same pid, another start time
        manager.terminate_job(f"{child.pid}:12345.0")  # kills nothing
        assert child.poll() is None
        manager.terminate_job(handle)
        assert child.wait(10) is not None  # killed (and reaped by the manager's wait)
        manager.terminate_job(handle)  # gone already: no error
        assert not manager.job_running(handle) and not manager.job_running(jobs.NO_JOB)
    finally:
        child.kill()
        child.wait()


# --- the queue: Redis, a Celery worker, two dashboards ---------------------------------------


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """Debian's redis-server on a free loopback port (no persistence), for this module."""
    server = shutil.which("redis-server") or "/usr/bin/redis-server"
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(10)


WORKER_COMMAND = [sys.executable, "-m", "dashboard", "worker"]


def _chromium(pid: int) -> list[psutil.Process]:
    """The live Chromium processes under `pid`; one that exits while it is read does not count."""
    chromium = []
    for child in psutil.Process(pid).children(recursive=True):
        try:
            if "chrom" in child.name().lower():
                chromium.append(child)
        except psutil.NoSuchProcess:  # gone between listing and reading (a renderer closing)
            continue
    return chromium


@pytest.fixture(scope="module")
def worker(redis_url, tmp_path_factory):
    """`alliance-atlas worker` on the Redis: one export at a time, its browser idle after 5 s."""
    log = tmp_path_factory.mktemp("celery") / "worker.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*WORKER_COMMAND, "--queue", redis_url, "--concurrency", "1", "--browser-idle", "5"],
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    deadline = time.monotonic() + 120
    while " ready." not in log.read_text(errors="replace"):
        assert process.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.3)
    yield process, log
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture(scope="module")
def dashboards(redis_url, worker, tmp_path_factory):
    """Two dashboard processes on the queue, with one export slot between them: gunicorn
    (2 workers) and the simple server."""
    folder = tmp_path_factory.mktemp("dashboards")
    port_a, port_b = free_port(), free_port()
    queue = ["--queue", redis_url, "--export-slots", "1"]
    with (
        local_server(
            [*gunicorn_command(port_a, 2, warm=False), *queue], port=port_a, log=folder / "a.log"
        ) as a,
        local_server(
            [*serve_command(port_b), *queue], port=port_b, log=folder / "b.log", timeout=120
        ) as b,
    ):
        yield a.url.rstrip("/"), b.url.rstrip("/")


def _poster(base: str):
    client = httpx.Client(base_url=base, timeout=60)

    def post(path, body):
        response = client.post(path, json=body)
        return response.status_code, response.json() if response.content else None

    return post


@pytest.mark.server
@pytest.mark.browser
def test_an_export_goes_through_the_queue_and_another_dashboard_serves_it(dashboards, worker):
    a, b = dashboards
    dependencies = httpx.get(a + "/_dash-dependencies").json()
    page = ExportPage(_poster(a), dependencies, poll_post=_poster(b))
    scenario = load_presets()["summit_outcomes"].model_copy(update={"lang": "en"})
    view = {"scenario": scenario.model_dump(mode="json", by_alias=True), "query": ""}
    request, message = page.admit(view, "png")
    assert request is not None and message == ""
    # the one slot is the queue's: the other dashboard answers busy
    busy = ExportPage(_poster(b), dependencies).admit(view, "svg")
    assert busy[0] is None and busy[1].startswith("Busy")
    outcome = page.wait(request, page.start(request))
    assert outcome.message == "Exported summit_outcomes.en.png", outcome
    assert outcome.progress[-1] == "Sending the file… (3/3)"
    image = Image.open(io.BytesIO(base64.b64decode(outcome.download["content"])))
    assert image.size == (1920, 1080)
    _process, log = worker
    assert "succeeded" in log.read_text(errors="replace")
    # the slot is free again, for either dashboard
    assert ExportPage(_poster(b), dependencies).admit(view, "svg")[0] is not None


@pytest.mark.server
@pytest.mark.browser
def test_the_worker_closes_its_idle_export_browser(dashboards, worker):
    process, _log = worker
    a, _b = dashboards
    page = ExportPage(_poster(a), httpx.get(a + "/_dash-dependencies").json())
    scenario = load_presets()["threats_360"].model_copy(update={"lang": "en"})
    view = {"scenario": scenario.model_dump(mode="json", by_alias=True), "query": ""}
    deadline = time.monotonic() + 60
    while (request := page.admit(view, "png")[0]) is None:  # the slot a test above admitted
        assert time.monotonic() < deadline, "the slot was never free again"
        time.sleep(1)
    assert page.wait(request, page.start(request)).download is not None
    assert _chromium(process.pid), "the worker's browser is kept between exports"
    deadline = time.monotonic() + 30
    while _chromium(process.pid):
        assert time.monotonic() < deadline, "the export browser is still running"
        time.sleep(0.5)
