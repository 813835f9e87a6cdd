"""Shared by the serving tests: the load-test script as a module, and one real gunicorn."""

from __future__ import annotations

import importlib.util
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from dashboard import production

REPO = Path(__file__).resolve().parents[1]


def load_loadtest() -> ModuleType:
    """scripts/loadtest.py, imported once."""
    if "atlas_loadtest" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "atlas_loadtest", REPO / "scripts" / "loadtest.py"
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules["atlas_loadtest"] = module
        spec.loader.exec_module(module)
    return sys.modules["atlas_loadtest"]


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_gunicorn(
    log: Path, workers: int
) -> Iterator[tuple[str, subprocess.Popen[bytes], list[int]]]:
    """`python -m dashboard.production` on a free port: (base url, master, worker pids)."""
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dashboard.production",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--no-warm",
            ],
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        load_loadtest().wait_ready(base, process)
        yield base, process, production.wait_for_workers(process.pid, workers)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
