"""A dashboard server as a child process on a free loopback port, for the load test, the
benchmarks and the tests: started in its own process group, waited for until it answers, and
stopped as a whole (SIGKILL only when it does not stop in time).

    with local_server(gunicorn_command(port, workers=4), port=port, log=path) as server:
        ...  # server.url, server.process
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
READY_PATH = "_dash-dependencies"  # answers once the app and its callbacks are set up


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_command(port: int, *extra: str) -> list[str]:
    """`alliance-atlas serve` of this checkout (`python -m dashboard`: run with cwd REPO, or
    REPO on PYTHONPATH, it imports this checkout, not whichever one the venv installed)."""
    return [sys.executable, "-m", "dashboard", "serve", "--port", str(port), *extra]


def gunicorn_command(port: int, workers: int, *, warm: bool = True) -> list[str]:
    """`python -m dashboard.production` (gunicorn, preloaded) on 127.0.0.1:`port`."""
    command = [sys.executable, "-m", "dashboard.production", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers)]
    return command + ([] if warm else ["--no-warm"])


@dataclass
class LocalServer:
    """A server started by `local_server`."""

    process: subprocess.Popen[bytes]
    url: str  # with a trailing slash
    log: Path

    def tail(self, lines: int = 15) -> str:
        """The end of its log."""
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""


@contextlib.contextmanager
def local_server(
    command: Sequence[str],
    *,
    port: int,
    log: Path,
    cwd: Path = REPO,
    env: Mapping[str, str] | None = None,
    ready_path: str = READY_PATH,
    timeout: float = 90.0,
    stop_signal: int = signal.SIGTERM,
    stop_timeout: float = 30.0,
) -> Iterator[LocalServer]:
    """Run `command` (a server listening on 127.0.0.1:`port`, its output to `log`) until the
    block ends; ready when GET `ready_path` answers 200."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=None if env is None else dict(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole, by its id
        )
    server = LocalServer(process, f"http://127.0.0.1:{port}/", log)
    try:
        wait_ready(server.url + ready_path, process, timeout)
        yield server
    finally:
        stop(process, stop_signal, stop_timeout)


def wait_ready(url: str, process: subprocess.Popen | None = None, timeout: float = 90.0) -> None:
    """Until GET `url` answers 200; RuntimeError if `process` exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    raise TimeoutError(f"{url} did not answer in {timeout:.0f} s")


def stop(process: subprocess.Popen, first: int = signal.SIGTERM, timeout: float = 30.0) -> None:
    """`first` to the server (gunicorn's master stops its workers), then SIGKILL to its whole
    process group if it has not stopped after `timeout` seconds."""
    if process.poll() is not None:
        return
    process.send_signal(first)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
