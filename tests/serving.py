"""Shared by the serving tests: the load-test script as a module, and one real gunicorn."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from dashboard.local_server import free_port, gunicorn_command, local_server
from dashboard.processes import wait_for_children

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


@contextmanager
def running_gunicorn(
    log: Path, workers: int
) -> Iterator[tuple[str, subprocess.Popen[bytes], list[int]]]:
    """`python -m dashboard.production` on a free port: (base url, master, worker pids)."""
    port = free_port()
    with local_server(gunicorn_command(port, workers, warm=False), port=port, log=log) as server:
        yield server.url.rstrip("/"), server.process, wait_for_children(server.process.pid, workers)
