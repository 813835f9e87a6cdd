"""Serving with gunicorn: settings, one preloaded app shared by the workers, any worker (or any
machine) answering any request the same way, worker memory, and a smoke run of the load test.

One real gunicorn (2 workers, on a free port of 127.0.0.1) serves the whole module.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil
import pytest
from locations import REPO
from serving import load_loadtest, page_model, running_gunicorn

from dashboard import cli, processes, production
from dashboard.local_server import free_port
from dashboard.security import CALLBACK_PATH

WORKERS = 2


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """(base url, master pid, log path) of `python -m dashboard.production --workers 2`."""
    log = tmp_path_factory.mktemp("gunicorn") / "server.log"
    with running_gunicorn(log, WORKERS) as (base, process, _workers):
        yield base, process.pid, log
    assert process.returncode == 0, log.read_text(errors="replace")[-2000:]


@pytest.fixture(scope="module")
def local_app(app):
    """The same app in this process: a second 'machine'."""
    return app


def _page(base: str):
    return page_model(lambda path: httpx.get(base + path).json())


# --- settings -------------------------------------------------------------------------------


def test_gunicorn_options_default_to_localhost_and_preload():
    options = production.gunicorn_options()
    assert options["bind"] == "127.0.0.1:8050"
    assert options["preload_app"] is True
    assert options["workers"] == 4
    # gevent: slow and idle connections cost a greenlet, headers come within `keepalive`
    assert options["worker_class"] == "gevent" and options["worker_connections"] >= 1000
    assert options["keepalive"] == production.KEEPALIVE_S
    assert options["control_socket_disable"] is True
    assert production.gunicorn_options(host="::1", port=9000)["bind"] == "[::1]:9000"
    with pytest.raises(ValueError):
        production.gunicorn_options(workers=0)


def test_the_custom_application_takes_the_settings_and_the_factory():
    built = []
    application = production.make_gunicorn_application(
        lambda: built.append(1) or "the wsgi app",
        production.gunicorn_options(port=8123, workers=3, timeout=45),
    )
    from gunicorn.app.base import BaseApplication

    assert isinstance(application, BaseApplication)
    cfg = application.cfg
    assert (cfg.preload_app, cfg.workers, cfg.bind, cfg.timeout) == (
        True,
        3,
        ["127.0.0.1:8123"],
        45,
    )
    assert cfg.control_socket_disable is True
    frozen = gc.get_freeze_count()  # the test session's own (tests/conftest.py)
    try:
        assert application.wsgi() == "the wsgi app"
        assert application.wsgi() == "the wsgi app"
    finally:
        if not frozen:
            gc.unfreeze()
    assert built == [1]  # loaded once


# gunicorn with the dashboard's settings serving a trivial app, each new worker held for 60 s
# just after its fork (where the dashboard's post_fork hook runs): the moments before gunicorn's
# worker sets its own signal handlers, made long enough to send a signal in
HELD_WORKER_SERVER = (
    "import sys, time\n"
    "from dashboard import production\n"
    "options = production.gunicorn_options(port=int(sys.argv[1]), workers=1)\n"
    "def held(arbiter, worker):\n"
    "    production.stop_signals_as_default(arbiter, worker)\n"
    "    time.sleep(60)\n"
    "options['post_fork'] = held\n"
    "app = lambda environ, start_response: []\n"
    "production.make_gunicorn_application(lambda: app, options).run()\n"
)


@pytest.mark.server
def test_a_worker_stopped_in_its_first_moments_stops(tmp_path):
    """Before, a worker that got SIGTERM before gunicorn set its handlers ignored it, and the
    master waited 30 s for it at shutdown (then a supervisor's SIGKILL left its temporary
    directories behind). A held worker stops at once, and so does the server."""
    port = free_port()
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-c", HELD_WORKER_SERVER, str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=REPO,
        start_new_session=True,
    )
    try:
        [worker] = processes.wait_for_children(server.pid, 1, timeout=60)
        os.kill(worker, signal.SIGTERM)
        psutil.Process(worker).wait(timeout=20)  # not the 60 s it is held for
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=20) == 0
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait()


NOTED_STOP_WORKER = (
    "import queue, signal, time, types\n"
    "from dashboard import production\n"
    "noted = queue.SimpleQueue()\n"
    "noted.put_nowait(signal.SIGCHLD)\n"
    "noted.put_nowait(signal.SIGTERM)\n"
    "production.stop_signals_as_default(types.SimpleNamespace(SIG_QUEUE=noted), None)\n"
    "time.sleep(30)\n"
)


def test_a_worker_obeys_a_stop_that_came_before_its_first_act():
    """A SIGTERM between the fork and post_fork is caught by the master's handler the worker
    inherited, which only queues it in the worker's copy of the master's queue: the worker's
    first act finds it there and stops (this left CI's held-worker test waiting 20 s)."""
    done = subprocess.run(
        [sys.executable, "-c", NOTED_STOP_WORKER], cwd=REPO, capture_output=True, timeout=60
    )
    assert done.returncode == -signal.SIGTERM, done.stderr  # (not 0: done sleeping)


def test_serve_with_workers_runs_gunicorn(monkeypatch):
    serve = cli.build_parser()._subparsers._group_actions[0].choices["serve"]
    if "--workers" not in serve._option_string_actions:
        pytest.skip("dashboard/cli.py: `serve --workers` is not wired yet")
    calls = []
    monkeypatch.setattr(production, "run_gunicorn", lambda **kw: calls.append(kw) or 0)

    class FakeApp:
        def run(self, **kwargs):
            calls.append(("run", kwargs))

    import dashboard.app

    monkeypatch.setattr(dashboard.app, "create_app", lambda lang="ja", **kw: FakeApp())
    assert cli.main(["serve", "--workers", "3", "--port", "8124"]) == 0
    assert calls[-1]["workers"] == 3 and calls[-1]["host"] == "127.0.0.1"
    assert calls[-1]["port"] == 8124
    assert cli.main(["serve", "--workers", "1"]) == 0
    assert calls[-1][0] == "run"
    assert cli.main(["serve"]) == 0
    assert calls[-1][0] == "run"


# --- the running server ---------------------------------------------------------------------


@pytest.mark.server
def test_gunicorn_serves_the_page_and_callbacks_with_the_headers(server):
    base, _pid, _log = server
    page = httpx.get(base + "/")
    assert page.status_code == 200
    assert page.headers["server"] == "gunicorn"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    loadtest, model = _page(base)
    browser = loadtest.Browser(model, __import__("random").Random(3))
    browser.reset("?scenario=threats_360")
    body = browser.payload(model.by_name("sync"), [("url-request", "data")])
    response = httpx.post(base + CALLBACK_PATH, json=body)
    assert response.status_code == 200
    assert response.json()["response"]["view"]["data"]["scenario"]["id"] == "threats_360"


@pytest.mark.server
def test_the_app_is_built_once_in_the_master_before_the_workers_fork(server):
    _base, pid, log = server
    text = log.read_text(errors="replace")
    assert f"app built in process {pid} " in text
    assert text.count("app built in process") == 1
    assert text.index("app built in process") < text.index("Booting worker")
    memory = processes.tree_memory(pid)
    assert len(memory["workers"]) == WORKERS
    for worker in memory["workers"]:
        assert worker["rss"] > 50 * 2**20
        if worker["uss"] is not None:  # smaps_rollup: most of each worker is shared with the rest
            assert worker["shared"] > worker["uss"]
            assert worker["pss"] <= worker["rss"]


@pytest.mark.server
def test_any_worker_and_any_machine_answer_the_same(server, local_app):
    """The same requests, sent concurrently to both workers and to an app in this process, get
    byte-identical answers: no state lives in a server process."""
    base, pid, _log = server
    loadtest, model = _page(base)
    browser = loadtest.Browser(model, __import__("random").Random(5))
    browser.reset("?scenario=ukraine_support&lang=en")
    sync = browser.payload(model.by_name("sync"), [("url-request", "data")])
    local = local_app.server.test_client()
    expected_sync = local.post(CALLBACK_PATH, json=sync).get_data()
    browser.apply(json.loads(expected_sync))
    requests = [sync]
    for callback, changed in browser.triggered_by({("view", "data")}):
        requests.append(browser.payload(callback, changed))
    expected = [local.post(CALLBACK_PATH, json=body).get_data() for body in requests]
    cpu_before = {w: _cpu_ticks(w) for w in processes.children(pid)}

    def post(body):
        return httpx.post(base + CALLBACK_PATH, json=body, timeout=60).content

    with ThreadPoolExecutor(max_workers=8) as pool:
        rounds = list(pool.map(post, requests * 8))
    for index, answer in enumerate(rounds):
        assert answer == expected[index % len(requests)], requests[index % len(requests)]["output"]
    busy = [w for w, ticks in cpu_before.items() if _cpu_ticks(w) > ticks]
    assert len(busy) == WORKERS  # both workers answered some of them


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


@pytest.mark.server
def test_a_view_can_move_between_machines_mid_session(server, local_app):
    """Every other request of one page goes to the other 'machine': the page works the same."""
    base, _pid, _log = server
    loadtest, model = _page(base)
    local = local_app.server.test_client()
    one = loadtest.Browser(model, __import__("random").Random(7))
    two = loadtest.Browser(model, __import__("random").Random(7))
    one.reset("?scenario=concept_diagram")
    two.reset("?scenario=concept_diagram")
    steps = [
        ("url-request", "data", None),
        ("directions", "value", ["east", "north"]),
        ("projection", "value", "polar"),
        ("basis", "value", "stated"),
    ]
    for index, (component, prop, value) in enumerate(steps):
        for browser in (one, two):
            if value is not None:
                browser.set(component, prop, value)
        pending = [(model.by_name("sync"), [(component, prop)])]
        while pending:
            callback, changed = pending.pop(0)
            body_one = one.payload(callback, changed)
            assert body_one == two.payload(callback, changed)
            answer_one = local.post(CALLBACK_PATH, json=body_one)
            answer_two = httpx.post(base + CALLBACK_PATH, json=body_one, timeout=60)
            assert answer_one.status_code == answer_two.status_code, (index, callback.name)
            if answer_one.status_code == 204:
                continue
            # the same page state, whichever way it got there: a process that still has the
            # browser's figure sends a Patch, another one the whole new figure
            changed_one = one.apply(answer_one.get_json())
            two.apply(answer_two.json())
            assert one.props == two.props, (index, callback.name)
            pending += one.triggered_by(changed_one, callback)


@pytest.mark.server
def test_worker_memory_is_measured(server):
    _base, pid, _log = server
    memory = processes.tree_memory(pid)
    print()
    for worker in [memory["master"], *memory["workers"]]:
        print(
            f"pid {worker['pid']}: RSS {processes.megabytes(worker['rss'])} MB, "
            f"PSS {processes.megabytes(worker['pss'])} MB, USS {processes.megabytes(worker['uss'])} MB"
        )
    assert memory["total"]["rss"] == sum(w["rss"] for w in memory["workers"])
    assert memory["master"]["pid"] == pid


# --- the load test script -------------------------------------------------------------------


@pytest.mark.server
def test_loadtest_smoke(server, tmp_path, capsys):
    """2 clients, 50 requests against the module's gunicorn: the script runs, stops by itself,
    reports every request kind and the bad-input cases, and sees no error. (No timing checks.)"""
    base, pid, _log = server
    loadtest = load_loadtest()
    report_path = tmp_path / "report.json"
    loadtest.main(
        [
            "--url",
            base,
            "--server-pid",
            str(pid),
            "--clients",
            "2",
            "--requests",
            "50",
            "--warmup",
            "0",
            "--bad-share",
            "0.2",
            "--max-seconds",
            "240",
            "--seed",
            "11",
            "--think-ms",
            "0",
            "--json",
            str(report_path),
        ]
    )
    report = json.loads(report_path.read_text())
    printed = capsys.readouterr().out
    assert "requests" in printed and "bad-input requests" in printed
    assert report["errors"] == 0, report["error_samples"]
    assert report["requests"] == 50  # stops by itself
    assert report["bad_total"] > 0
    assert any(kind.startswith("sync:") for kind in report["kinds"])
    assert "render" in report["kinds"]
    assert len(report["memory"]["before"]["workers"]) == WORKERS
    for row in report["kinds"].values():
        assert row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"] <= row["max_ms"]


def test_loadtest_refuses_other_hosts():
    loadtest = load_loadtest()
    for url in ("http://10.0.0.1:8050", "http://example.org", "http://192.168.1.2"):
        with pytest.raises(SystemExit):
            loadtest.check_loopback(url)
    for url in (
        "http://127.0.0.1:8050",
        "http://localhost:1",
        "http://[::1]:2",
        "http://127.8.0.1",
    ):
        loadtest.check_loopback(url)


def test_percentiles():
    loadtest = load_loadtest()
    values = [float(v) for v in range(1, 101)]
    assert loadtest.percentile(values, 50) == 50
    assert loadtest.percentile(values, 95) == 95
    assert loadtest.percentile(values, 99) == 99
    assert loadtest.percentile([7.0], 99) == 7.0
