"""The fast adversarial cases against real servers, on every CI run: the corpus's uploads and
addresses through gunicorn (a clear message, the workers' memory within +50 MB), gunicorn's own
error answers (with the security headers), `serve --debug` with malformed callbacks (no
traceback), and a missing seed file stopping `serve` (one line and its exit status; the
command's other promises, which start no server, are in test_command.py).

The slow cases (slowloris, export storm, kill -9, SIGTERM under load) are in
`scripts/loadtest.py --chaos`. Time is reported there, never asserted here.
"""

from __future__ import annotations

import copy
import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from hostile import Answer, corpus_page, send_corpus
from serving import page_model, running_gunicorn
from test_adversarial import GROWTH_MB, assert_plain
from test_command import one_line

from dashboard.local_server import free_port, local_server, serve_command
from dashboard.security import CALLBACK_PATH, plain_response_headers

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.server
TRACEBACK = ("Traceback", "Werkzeug Debugger", 'File "', "__debugger__")


def _peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory so far (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    """(base url, worker pids, log) of `python -m dashboard.production --workers 2`, started as
    in production (warm: the presets' maps built before the workers fork)."""
    log = tmp_path_factory.mktemp("gunicorn") / "server.log"
    with running_gunicorn(log, 2, warm=True) as (base, _process, workers):
        yield base, workers, log


@pytest.fixture(scope="module")
def answers(gunicorn, tmp_path_factory) -> tuple[list[Answer], dict[int, float]]:
    """Every case sent once; each worker's peak memory growth over them (MB), from after the
    page's first view (what serving a page costs a fresh worker is not the corpus's doing)."""
    base, workers, _log = gunicorn
    with corpus_page(base) as page:
        before = {pid: _peak_rss_mb(pid) for pid in workers}
        sent = list(send_corpus(page, tmp_path_factory.mktemp("corpus")))
    return sent, {pid: _peak_rss_mb(pid) - before[pid] for pid in workers}


def test_every_hostile_input_through_the_server_gets_a_clear_message(answers):
    sent, _growth = answers
    assert {a.way for a in sent} == {"upload", "address", "index"}
    for answer in sent:
        if answer.way == "index":  # the page itself, or gunicorn's 414 for a long address
            assert answer.status in (200, 414), answer
            assert not any(marker in answer.message for marker in TRACEBACK), answer
            continue
        if answer.status == 413:  # a body over the request limit (a 2 MB address)
            assert answer.message.startswith("Request too large"), answer
            continue
        assert answer.status == 200, answer
        assert answer.expect in answer.message, answer
        assert_plain(answer.message.split(" | "))


def test_hostile_input_leaves_the_workers_memory_within_the_budget(answers):
    _sent, growth = answers
    assert max(growth.values()) <= GROWTH_MB, growth


def test_hostile_input_logs_no_traceback(answers, gunicorn):
    _base, _workers, log = gunicorn
    assert "Traceback" not in log.read_text(errors="replace")


# --- gunicorn's own answers -------------------------------------------------------------------


def _raw(port: int, request: bytes) -> tuple[str, dict[str, str]]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    head = data.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in head[1:])
    return head[0], headers


@pytest.mark.parametrize(
    ("name", "request_bytes", "status"),
    [
        ("long URI", b"GET /?" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", "414"),
        (
            "150 header fields",
            b"GET / HTTP/1.1\r\nHost: x\r\n"
            + b"".join(b"X-%d: y\r\n" % i for i in range(150))
            + b"\r\n",
            "431",
        ),
        (
            "a 10 KB header",
            b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 10_000 + b"\r\n\r\n",
            "431",
        ),
        ("a bad request line", b"GARBAGE\r\n\r\n", "400"),
        ("a bad method", b"G(T / HTTP/1.1\r\nHost: x\r\n\r\n", "400"),
    ],
)
def test_gunicorns_own_error_answers_carry_the_security_headers(
    gunicorn, name, request_bytes, status
):
    base, _workers, _log = gunicorn
    line, headers = _raw(int(base.rsplit(":", 1)[1]), request_bytes)
    assert line.split(" ")[1] == status, line
    assert headers["Content-Type"].startswith("text/plain")
    for header, value in plain_response_headers().items():
        assert headers.get(header) == value, (name, header)


# --- serve --debug --------------------------------------------------------------------------


def _malformed_callbacks(sync_body: dict) -> dict[str, dict]:
    """Bodies that pass the request guards but break Dash's own dispatch (the issue's)."""
    cases = {}
    body = copy.deepcopy(sync_body)
    body["outputs"] = {"id": "x", "property": "y"}
    cases["multi-output as an object"] = body
    body = copy.deepcopy(sync_body)
    body["outputs"] = body["outputs"][:1]
    cases["too few outputs"] = body
    body = copy.deepcopy(sync_body)
    body["outputs"] = [{"id": "x"}] * len(sync_body["outputs"])
    cases["outputs without property"] = body
    body = copy.deepcopy(sync_body)
    body["inputs"][0] = {"id": "url", "property": "search", "value": {"a": 1}}
    cases["search as an object"] = body
    return cases


def test_debug_mode_answers_a_malformed_callback_plainly(tmp_path):
    port = free_port()
    log = tmp_path / "debug.log"
    with local_server(
        serve_command(port, "--debug"),
        port=port,
        log=log,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stop_signal=signal.SIGINT,
        stop_timeout=15,
        timeout=180,
    ) as server:
        base = server.url.rstrip("/")
        loadtest, model = page_model(lambda path: httpx.get(base + path, timeout=30).json())
        browser = loadtest.Browser(model, __import__("random").Random(1))
        browser.reset("")
        sync = browser.payload(model.by_name("sync"), [("url-request", "data")])
        for name, body in _malformed_callbacks(sync).items():
            response = httpx.post(base + CALLBACK_PATH, json=body, timeout=60)
            assert response.status_code < 500, (name, response.status_code)
            assert not any(marker in response.text for marker in TRACEBACK), name
            assert "Content-Security-Policy" in response.headers, name
    text = log.read_text(errors="replace")
    assert "Debug mode: on" in text
    assert "Traceback" not in text


# --- a missing seed file stops the server from starting ----------------------------------------


def _alliance_atlas(*args: str, cwd: Path = REPO, env: dict | None = None, timeout: float = 120):
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def checkout_copy(tmp_path_factory) -> Path:
    """The app's packages and seeds copied, so that a seed file can go missing."""
    root = tmp_path_factory.mktemp("checkout")
    for name in ("dashboard", "geodata", "seeds"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    return root


@pytest.mark.parametrize(
    ("missing", "words"),
    [
        ("seeds/knowledge/events.yaml", ["cannot start", "events.yaml"]),
        ("seeds/article.ja.txt", ["cannot start", "article.ja.txt"]),
        ("seeds/scenarios", ["cannot start", "scenarios"]),
    ],
)
@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_missing_seed_file_is_one_line_and_status_1(
    checkout_copy, tmp_path, missing, words, workers
):
    root = tmp_path / "copy"
    shutil.copytree(checkout_copy, root)
    target = root / missing
    shutil.rmtree(target) if target.is_dir() else target.unlink()
    env = {**os.environ, "PYTHONPATH": str(root)}
    run = _alliance_atlas(
        "serve", "--port", str(free_port()), "--workers", workers, cwd=root, env=env
    )
    one_line(run, 1, *words)


def test_the_copy_runs_from_itself(checkout_copy):
    """(what makes the test above mean anything: the copy's code, not the checkout's, runs)"""
    env = {**os.environ, "PYTHONPATH": str(checkout_copy)}
    run = subprocess.run(
        [sys.executable, "-c", "import dashboard; print(dashboard.__file__)"],
        cwd=checkout_copy,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout.strip().startswith(str(checkout_copy))
